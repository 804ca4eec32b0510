//! Decides whether a raw match is a secret worth reporting.
//!
//! The checks run in a fixed order, cheapest first, and the first that rejects wins:
//! 1. body shape: `require_digit`, `max_repeat` (rule options);
//! 2. entropy minimum on the body (`entropy`, bits per byte);
//! 3. placeholder words anywhere in the secret (`reject_placeholders`; generic rules use the
//!    word-bounded check of step 5 instead, since their values are free-form), bodies that walk
//!    the alphabet and digits in step (`abc123def456…`), and published example credentials
//!    (jwt.io's sample token);
//! 4. references to a secret instead of a secret (`reject_references`, implied by `generic`);
//! 5. generic value checks (`generic`): a letter and a digit, no placeholder word or stopword
//!    (`client_secret`, `production`...) standing as a word, not a UUID, not an integrity hash,
//!    not a version pin (`pkg==1.2.3`), not a dotted type path (`P256.Signing.PrivateKey`), not
//!    a hexadecimal value under a name saying it is a digest or a commit id
//!    (`last_token_commit: <git sha>`), not under a name using a secret word in another sense
//!    (`primary_key`, `next_page_token`: see [`crate::assign::names`]), not a sentence, a URL, an
//!    ARN, a list path or an elided example, nor a quoted value that runs past its own closing
//!    quote (quoted rules take blanks, `:` and the other quotes; see [`crate::assign::values`]);
//! 6. JWT claims (`jwt_claims`): the token's payload holds one of the rule's claims;
//! 7. the inline `keyfence:allow` marker on any line the secret spans ([`AllowMarkers`]).

pub mod allowlist;
mod entropy;
mod placeholder;

pub use entropy::shannon_entropy;
pub use placeholder::{
    generic_placeholder, is_reference, longest_run, placeholder_word, published_example, walks_in_step,
};

use crate::lines::LineIndex;
use crate::rules::RuleSpec;

/// The marker that, anywhere on a line, suppresses findings on that line.
pub const ALLOW_MARKER: &[u8] = b"keyfence:allow";

/// gitleaks' marker with the same role, honored so a repository moving from gitleaks keeps its
/// suppressions.
pub const GITLEAKS_ALLOW_MARKER: &[u8] = b"gitleaks:allow";

/// True if the rule's value checks accept this secret (checks 1-6 of the module doc).
///
/// `secret` is the whole secret, `body` its random part (the same bytes when the rule has no
/// body group) and `name` the text of the match before the secret (for a generic rule, the name
/// it was assigned to).
pub fn value_passes(rule: &RuleSpec, secret: &[u8], body: &[u8], name: &[u8]) -> bool {
    if secret.is_empty() {
        return false;
    }
    if rule.require_digit && !body.iter().any(u8::is_ascii_digit) {
        return false;
    }
    if rule.max_repeat.is_some_and(|max| longest_run(body) > max) {
        return false;
    }
    if rule.entropy.is_some_and(|min| shannon_entropy(body) < entropy_floor(rule, body, min)) {
        return false;
    }
    if rule.reject_placeholders && !rule.generic && placeholder_word(secret).is_some() {
        return false;
    }
    if (rule.reject_placeholders || rule.generic) && walks_in_step(body) {
        return false;
    }
    if published_example(secret) {
        return false;
    }
    if (rule.reject_references || rule.generic) && is_reference(secret) {
        return false;
    }
    if rule.generic
        && (!generic_value_passes(secret, rule.digitless)
            || names_a_digest(name, secret)
            || crate::assign::names::other_sense(name)
            || crate::assign::values::reads_as_prose(secret)
            || crate::assign::values::is_url(secret)
            || crate::assign::values::names_or_elides(secret)
            || crate::assign::values::crosses_its_quote(name, secret))
    {
        return false;
    }
    if !rule.jwt_claims.is_empty() && !jwt_claims_hold(rule, secret) {
        return false;
    }
    true
}

/// Highest entropy floor (bits per byte) a generic rule holds a hexadecimal value to. A hex
/// character carries at most 4 bits, so a floor written for mixed alphabets rejects many real hex
/// keys: a random 32-character hex key falls under 3.5 about one time in five, under 3.0 about one
/// time in 7,000 (40 characters: one in 20, and almost never).
const HEX_ENTROPY_FLOOR: f64 = 3.0;

/// The entropy `body` must reach under `rule`, whose own floor is `min`: a generic rule's floor is
/// capped at [`HEX_ENTROPY_FLOOR`] for a hexadecimal value (provider rules know their alphabet).
fn entropy_floor(rule: &RuleSpec, body: &[u8], min: f64) -> f64 {
    if rule.generic && body.iter().all(u8::is_ascii_hexdigit) {
        min.min(HEX_ENTROPY_FLOOR)
    } else {
        min
    }
}

/// True if `token` is a compact JWT whose payload (its second, base64url-encoded part, a JSON
/// object) has one of the rule's claims: a string starting with the claim's prefix. Nothing of
/// the payload leaves this function: reports never show claims.
fn jwt_claims_hold(rule: &RuleSpec, token: &[u8]) -> bool {
    let Some(payload) = token.split(|&b| b == b'.').nth(1) else { return false };
    let Some(json) = crate::decode::base64_decode(payload) else { return false };
    let Ok(serde_json::Value::Object(claims)) = serde_json::from_slice(&json) else { return false };
    rule.jwt_claims.iter().any(|wanted| {
        claims.get(&wanted.claim).and_then(|v| v.as_str()).is_some_and(|v| v.starts_with(&wanted.prefix))
    })
}

/// Values a generic (context-only) rule accepts: at least one ASCII letter and one digit (or,
/// with `digitless`, no digit but 10+ bytes at 3.5 bits per byte), no placeholder word or
/// stopword that makes it a name (`production_client_secret`), and not shaped like a UUID or a
/// subresource-integrity hash, which are identifiers, not credentials.
fn generic_value_passes(value: &[u8], digitless: bool) -> bool {
    // `==` inside a value (not base64 padding at its end) is a version pin: `pkg==1.2.3`.
    let version_pin = memchr::memmem::find(value, b"==").is_some_and(|at| at + 2 < value.len());
    let has_digit = value.iter().any(u8::is_ascii_digit);
    let random_enough = || value.len() >= 10 && shannon_entropy(value) >= 3.5;
    !version_pin
        && value.iter().any(u8::is_ascii_alphabetic)
        && (has_digit || digitless && random_enough())
        && generic_placeholder(value).is_none()
        && !is_uuid(value)
        && !is_integrity_hash(value)
        && !is_type_path(value)
}

/// A dotted path of capitalised identifiers, `P256.Signing.PrivateKey`: the type in a declaration
/// without a value (`let privateKey: P256.Signing.PrivateKey`), not a credential.
fn is_type_path(value: &[u8]) -> bool {
    let segments: Vec<&[u8]> = value.split(|&b| b == b'.').collect();
    segments.len() >= 2
        && segments.iter().all(|s| {
            s.first().is_some_and(u8::is_ascii_uppercase)
                && s.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_')
        })
}

/// Words that make a hexadecimal value an object id or a digest, not a credential
/// (`last_token_commit: <git sha>`, `api_key_sha256 = <hex>`).
const DIGEST_NAME_WORDS: &[&str] = &["sha", "commit", "hash", "digest", "checksum", "revision", "integrity"];

/// True if `value` is hexadecimal and `name` says it is a digest or a commit id, or names a
/// password while the value has a digest's length (a stored hash such as a SHA-256 of the
/// password, which is what test fixtures and user tables hold).
fn names_a_digest(name: &[u8], value: &[u8]) -> bool {
    let lower = name.to_ascii_lowercase();
    let says = |words: &[&str]| words.iter().any(|w| memchr::memmem::find(&lower, w.as_bytes()).is_some());
    value.iter().all(u8::is_ascii_hexdigit)
        && (says(DIGEST_NAME_WORDS)
            || says(&["pass", "pwd"]) && [32, 40, 56, 64, 96, 128].contains(&value.len()))
}

/// 8-4-4-4-12 hexadecimal groups.
fn is_uuid(value: &[u8]) -> bool {
    let groups: Vec<&[u8]> = value.split(|&b| b == b'-').collect();
    groups.len() == 5
        && groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups.iter().all(|g| g.iter().all(u8::is_ascii_hexdigit))
}

/// `sha256-…`, `sha384-…`, `sha512-…` (lockfiles, SRI attributes).
fn is_integrity_hash(value: &[u8]) -> bool {
    [b"sha1-".as_slice(), b"sha256-", b"sha384-", b"sha512-"].iter().any(|p| value.starts_with(p))
}

/// The lines of a text that carry [`ALLOW_MARKER`] or [`GITLEAKS_ALLOW_MARKER`].
#[derive(Debug, Default)]
pub struct AllowMarkers {
    /// 1-based lines holding the marker, sorted.
    lines: Vec<usize>,
}

impl AllowMarkers {
    /// Finds the markers in `text`; `lines` gives the line index of the same text, built only
    /// if a marker is there (most texts have none).
    pub fn find<'t, 'l>(text: &'t [u8], lines: impl Fn() -> &'l LineIndex<'t>) -> AllowMarkers
    where
        't: 'l,
    {
        let mut found: Vec<usize> = Vec::new();
        for marker in [ALLOW_MARKER, GITLEAKS_ALLOW_MARKER] {
            let mut hits = memchr::memmem::find_iter(text, marker).peekable();
            if hits.peek().is_some() {
                let lines = lines();
                found.extend(hits.map(|at| lines.line_of(at)));
            }
        }
        found.sort_unstable();
        found.dedup();
        AllowMarkers { lines: found }
    }

    /// True if the text has no marker at all (the common case: nothing to check).
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// True if a marker sits on any line of `first..=last`.
    pub fn covers(&self, first: usize, last: usize) -> bool {
        let at = self.lines.partition_point(|&line| line < first);
        self.lines.get(at).is_some_and(|&line| line <= last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_paths_are_not_values() {
        assert!(is_type_path(b"P256.Signing.PrivateKey"));
        assert!(!is_type_path(b"P256Signing"));
        assert!(!is_type_path(b"ak1.x7Qm2"));
    }

    #[test]
    fn uuid_shapes() {
        assert!(is_uuid(b"123e4567-e89b-12d3-a456-426614174000"));
        assert!(!is_uuid(b"123e4567-e89b-12d3-a456-42661417400"));
        assert!(!is_uuid(b"123e4567e89b12d3a456426614174000"));
    }

    #[test]
    fn allow_markers_cover_the_lines_they_sit_on() {
        let text = b"a\nkey=SECRET # keyfence:allow\nb\nBEGIN keyfence:allow\nbody\nEND\n";
        let lines = LineIndex::new(text);
        let markers = AllowMarkers::find(text, || &lines);
        assert!(markers.covers(2, 2));
        assert!(!markers.covers(1, 1));
        assert!(!markers.covers(3, 3));
        assert!(markers.covers(4, 6), "a block whose first line has the marker");
        assert!(!markers.covers(5, 6));
    }
}
