//! A finding: one secret, where it is, the rule that found it and the FAQ rule it breaks.

use crate::fingerprint::FingerprintKey;
use crate::lines::LineIndex;
use crate::rules::{FaqRule, RuleSpec, Severity};
use crate::sources::CommitInfo;
use serde::Serialize;
use std::ops::Range;

/// The policy a finding cites, as reports show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FaqRef {
    /// Catalog id, e.g. `ST-FAQ-NO-SHARED-APP-KEY`.
    pub id: String,
    /// Our one-line paraphrase.
    pub rule: String,
    /// The page it comes from.
    pub url: String,
}

/// With whom a credential is being shared: the key-sharing verdicts of DESIGN.md §4.
///
/// Serialized in kebab-case (`third-party-remote`, …), the values of the JSON `exposure` list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Exposure {
    /// Pushed to a remote outside `[org] remotes` (ST-FAQ-NO-SHARED-APP-KEY,
    /// ST-FAQ-CONTACT-BEFORE-3P).
    ThirdPartyRemote,
    /// Added by an author or committer outside `[org] domains`.
    ThirdPartyAuthor,
    /// In a variable or file that front-end builds ship to every visitor
    /// (ST-PORTAL-NEVER-PUBLISH-CLIENT-CREDS).
    Browser,
    /// One client pair next to two or more tenants (ST-FAQ-PER-TENANT-CLIENT-CREDS).
    CrossTenant,
    /// App Key, Client ID and Client Secret together: enough to act as the app.
    CredentialSet,
}

impl Exposure {
    /// The kebab-case name reports print.
    pub fn as_str(self) -> &'static str {
        match self {
            Exposure::ThirdPartyRemote => "third-party-remote",
            Exposure::ThirdPartyAuthor => "third-party-author",
            Exposure::Browser => "browser",
            Exposure::CrossTenant => "cross-tenant",
            Exposure::CredentialSet => "credential-set",
        }
    }
}

/// One reported secret.
///
/// Lines and columns are 1-based; columns count Unicode scalar values (invalid UTF-8 bytes count
/// one each) and `end_column` is the column of the secret's last character, inclusive.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// Id of the rule that matched.
    pub rule_id: String,
    /// The rule's description.
    pub description: String,
    /// The rule's severity.
    pub severity: Severity,
    /// Path of the file or blob (relative to the repository root), or `-` for standard input.
    pub path: String,
    /// Line of the first character of the secret.
    pub line: usize,
    /// Column of the first character of the secret.
    pub column: usize,
    /// Line of the last character of the secret.
    pub end_line: usize,
    /// Column of the last character of the secret.
    pub end_column: usize,
    /// The secret in clear; reports print [`Finding::redacted`] unless asked otherwise.
    pub secret: String,
    /// The secret with all but its fixed prefix and two characters of its body hidden.
    pub redacted: String,
    /// Byte length of the secret's fixed prefix (`ak1.`, `ghp_`; 0 when it has none): the part
    /// redaction always shows, since it names the kind of key, not the key.
    pub prefix_len: usize,
    /// Hex HMAC-SHA-256 of rule id, path and secret (see [`crate::fingerprint`]); made with the
    /// built-in key until [`Finding::rekey`] applies the scan's key.
    pub fingerprint: String,
    /// Which kind of fingerprint `fingerprint` is ([`crate::fingerprint::KEYED`] or
    /// [`crate::fingerprint::BUILTIN_KEY`]).
    pub fingerprint_kind: &'static str,
    /// Commit holding the secret, for history scans.
    pub commit: Option<String>,
    /// Author email of that commit.
    pub author: Option<String>,
    /// Committer email of that commit (read by the author check of `sharing`; not reported
    /// apart from the exposure it leads to).
    pub committer: Option<String>,
    /// Author date of that commit, RFC 3339.
    pub date: Option<String>,
    /// Author name of that commit (lossy UTF-8).
    pub author_name: Option<String>,
    /// First line of that commit's message (lossy UTF-8).
    pub commit_message: Option<String>,
    /// The text around the secret on its line, in clear; reports redact it (see
    /// [`Finding::line_text`]). `None` when the finding has no line of its own (a credential
    /// set, a configuration change).
    pub context: Option<LineContext>,
    /// The FAQ rule the finding breaks.
    pub faq: FaqRef,
    /// What to do now, in order.
    pub next_steps: Vec<String>,
    /// Where the token format is documented.
    pub reference: String,
    /// For a secret found inside encoded text: the encodings decoded to reach it, outermost
    /// first, joined by ` > ` (e.g. `base64`, `base64 > percent`); the location is the encoded
    /// text's.
    pub decoded: Option<String>,
    /// Key-sharing verdicts, sorted and without repeats; empty when none applies.
    pub exposure: Vec<Exposure>,
    /// Who receives the credential: a remote's `host/owner`, an outside email domain or, for
    /// `cross-tenant`, the tenant ids; sorted, without repeats.
    pub shared_with: Vec<String>,
    /// Fingerprints of the other members of a credential set.
    pub related: Vec<String>,
    /// Tenant ids named near the secret in its text (see [`crate::sharing::tenant`]); the input
    /// of the cross-tenant verdict, not reported by itself.
    pub tenants: Vec<String>,
}

/// The text around a secret on its line(s), in clear, each side at most [`LINE_CONTEXT`] bytes
/// (`…` where cut).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineContext {
    /// The secret's first line before the secret.
    pub before: String,
    /// The secret's last line after the secret (no line break).
    pub after: String,
}

/// What a finding is made of, besides the rule and the catalog entry.
#[derive(Debug)]
pub struct FindingSite<'a> {
    /// The scanned text.
    pub text: &'a [u8],
    /// Where the text came from (reported path).
    pub path: &'a str,
    /// The secret's byte range in `text`.
    pub secret: Range<usize>,
    /// The secret's random part, inside `secret`.
    pub body: Range<usize>,
}

impl Finding {
    /// Builds a finding for `site`, found by `rule`, citing `faq`.
    pub fn new(rule: &RuleSpec, faq: &FaqRule, site: &FindingSite<'_>, lines: &LineIndex<'_>) -> Finding {
        let secret_bytes = &site.text[site.secret.clone()];
        let secret = String::from_utf8_lossy(secret_bytes).into_owned();
        let (line, column) = lines.position(site.secret.start);
        let last = last_char_start(site.text, site.secret.clone());
        let (end_line, end_column) = lines.position(last);
        let prefix = &site.text[site.secret.start..site.body.start.max(site.secret.start)];
        let body = &site.text[site.body.clone()];
        Finding {
            rule_id: rule.id.clone(),
            description: rule.description.clone(),
            severity: rule.severity,
            path: site.path.to_owned(),
            line,
            column,
            end_line,
            end_column,
            redacted: if is_jwt(secret_bytes) { redact_jwt(secret_bytes) } else { redact(prefix, body) },
            prefix_len: prefix.len(),
            fingerprint: FingerprintKey::builtin().fingerprint(&rule.id, site.path, &secret),
            fingerprint_kind: FingerprintKey::builtin().kind(),
            secret,
            commit: None,
            author: None,
            committer: None,
            date: None,
            author_name: None,
            commit_message: None,
            context: Some(LineContext {
                before: line_before(site.text, site.secret.start),
                after: line_after(site.text, site.secret.end),
            }),
            faq: FaqRef { id: faq.id.clone(), rule: faq.rule.clone(), url: faq.url.clone() },
            next_steps: faq.next_steps.clone(),
            reference: rule.reference.clone(),
            decoded: None,
            exposure: Vec::new(),
            shared_with: Vec::new(),
            related: Vec::new(),
            tenants: Vec::new(),
        }
    }

    /// Attaches the commit a history finding comes from.
    pub fn in_commit(mut self, commit: &CommitInfo) -> Finding {
        self.commit = Some(commit.sha.clone());
        self.author = Some(commit.author.clone());
        self.committer = Some(commit.committer.clone());
        self.date = Some(commit.date.clone());
        self.author_name = Some(commit.author_name.clone());
        self.commit_message = Some(commit.message.clone());
        self
    }

    /// The same finding at `path` in `commit` (a blob pair seen again in another commit); the
    /// fingerprint follows the path.
    pub fn relocated(&self, path: &str, commit: &CommitInfo) -> Finding {
        let mut moved = self.clone();
        moved.path = path.to_owned();
        moved.rekey(&FingerprintKey::builtin());
        moved.in_commit(commit)
    }

    /// Fingerprints the finding with `key` (the scan's key, once it is known). A
    /// `keyfence-config-changed` finding holds no secret and keeps its fingerprint (of the
    /// commit, not of the change's text).
    pub fn rekey(&mut self, key: &FingerprintKey) {
        if self.rule_id == crate::sources::config_changes::RULE_ID {
            return;
        }
        self.fingerprint = key.fingerprint(&self.rule_id, &self.path, &self.secret);
        self.fingerprint_kind = key.kind();
    }

    /// The unkeyed fingerprint older keyfence versions wrote into baselines.
    pub fn unkeyed_fingerprint(&self) -> String {
        crate::fingerprint::unkeyed(&self.rule_id, &self.path, &self.secret)
    }

    /// Adds a sharing verdict and who receives the credential, keeping both lists sorted and
    /// free of repeats.
    pub fn share(&mut self, exposure: Exposure, with: impl Into<String>) {
        if !self.exposure.contains(&exposure) {
            self.exposure.push(exposure);
            self.exposure.sort();
        }
        let with = with.into();
        if !with.is_empty() && !self.shared_with.contains(&with) {
            self.shared_with.push(with);
            self.shared_with.sort();
        }
    }

    /// The secret with its prefix shown and `percent` (0-100) of the characters after it hidden
    /// from the end (`--redact=N`): 100 shows the prefix and `…` only, 0 the whole secret.
    pub fn redacted_by_percent(&self, percent: u8) -> String {
        let prefix = self.secret.get(..self.prefix_len).unwrap_or("");
        let rest = self.secret.get(self.prefix_len..).unwrap_or(&self.secret);
        let total = rest.chars().count();
        let shown = total * (100 - usize::from(percent.min(100))) / 100;
        let mut text = escape_controls(prefix);
        text.push_str(&escape_controls(&rest.chars().take(shown).collect::<String>()));
        if shown < total {
            text.push('…');
        }
        text
    }

    /// Cites `faq` instead of the rule's own catalog entry (a sharing verdict that breaks a more
    /// specific rule); the next steps follow the entry unless `keep_steps`.
    pub fn cite(&mut self, faq: &FaqRule, keep_steps: bool) {
        self.faq = FaqRef { id: faq.id.clone(), rule: faq.rule.clone(), url: faq.url.clone() };
        if !keep_steps {
            self.next_steps = faq.next_steps.clone();
        }
    }

    /// The line of the secret as reports show it: the text around the secret with the secret
    /// shown as [`Finding::shown_secret`] and, unless `show_secrets`, each of `others` (secrets in
    /// clear with their redacted forms: the other findings of the same line) redacted too;
    /// control characters escaped. `None` when the finding has no line of its own.
    pub fn line_text(&self, show_secrets: bool, others: &[(&str, &str)]) -> Option<String> {
        let line = self.context.as_ref()?;
        let redact_others = |text: &str| {
            let mut text = text.to_owned();
            for (clear, redacted) in others.iter().filter(|(clear, _)| !show_secrets && !clear.is_empty()) {
                text = text.replace(clear, redacted);
            }
            escape_controls(&text)
        };
        let after = match show_secrets {
            true => std::borrow::Cow::Borrowed(line.after.as_str()),
            false => hide_token_rest(&line.after),
        };
        Some(format!(
            "{}{}{}",
            redact_others(&line.before),
            escape_controls(self.shown_secret(show_secrets)),
            redact_others(&after)
        ))
    }

    /// Shannon entropy of the secret in bits per character (Unicode scalar value; for ASCII the
    /// same as the bits per byte the entropy filter measures): 0.0 for an empty secret.
    pub fn entropy(&self) -> f64 {
        let mut counts: std::collections::HashMap<char, u32> = std::collections::HashMap::new();
        for c in self.secret.chars() {
            *counts.entry(c).or_default() += 1;
        }
        let total = f64::from(counts.values().sum::<u32>());
        counts
            .values()
            .map(|&n| {
                let p = f64::from(n) / total;
                -p * p.log2()
            })
            .sum()
    }

    /// The secret as reports show it: in clear only when `show_secrets`.
    pub fn shown_secret(&self, show_secrets: bool) -> &str {
        if show_secrets {
            &self.secret
        } else {
            &self.redacted
        }
    }
}

/// How many bytes of a line before and after a secret a finding keeps (minified files have
/// lines of megabytes).
pub const LINE_CONTEXT: usize = 120;

/// The text from the start of the line holding `at` up to `at`, at most [`LINE_CONTEXT`] bytes
/// (`…` in front when cut). Looks back no further than that, so a megabyte-long minified line
/// costs the same as a short one.
fn line_before(text: &[u8], at: usize) -> String {
    let window = at.saturating_sub(LINE_CONTEXT);
    let (mut start, cut) = match memchr::memrchr(b'\n', &text[window..at]) {
        Some(i) => (window + i + 1, false),
        None => (window, window > 0 && text[window - 1] != b'\n'),
    };
    // A cut never splits a UTF-8 character (it would show as U+FFFD).
    while cut && start < at && is_continuation(text[start]) {
        start += 1;
    }
    let mut shown = String::from_utf8_lossy(&text[start..at]).into_owned();
    if cut {
        shown.insert(0, '…');
    }
    shown
}

/// The text from `at` to the end of its line (no line break), at most [`LINE_CONTEXT`] bytes
/// (`…` at the end when cut); looks no further than that.
fn line_after(text: &[u8], at: usize) -> String {
    let window = text.len().min(at + LINE_CONTEXT);
    let (mut end, cut) = match memchr::memchr(b'\n', &text[at..window]) {
        Some(i) => (at + i, false),
        None => (window, window < text.len() && text[window] != b'\n'),
    };
    if !cut && end > at && text[end - 1] == b'\r' {
        end -= 1;
    }
    while cut && end > at && is_continuation(text[end]) {
        end -= 1;
    }
    let mut shown = String::from_utf8_lossy(&text[at..end]).into_owned();
    if cut {
        shown.push('…');
    }
    shown
}

/// True for the second to fourth bytes of a UTF-8 character (`10xxxxxx`).
fn is_continuation(byte: u8) -> bool {
    byte & 0xC0 == 0x80
}

/// Byte offset of the first byte of the last character in `range` (which must not be empty).
fn last_char_start(text: &[u8], range: Range<usize>) -> usize {
    let mut last = range.end - 1;
    while last > range.start && text[last] & 0xC0 == 0x80 {
        last -= 1;
    }
    last
}

/// The fixed prefix in full, then at most two characters of the body, then `…`.
///
/// A secret with no prefix and a body under 12 bytes shows only `…`, since two characters of a
/// short password say too much. Control characters (a PEM block's newlines) are escaped.
pub fn redact(prefix: &[u8], body: &[u8]) -> String {
    let mut shown = escape_controls(&String::from_utf8_lossy(prefix));
    let body = String::from_utf8_lossy(body);
    let body = skip_line_breaks(&body);
    if !prefix.is_empty() || body.len() >= 12 {
        shown.push_str(&escape_controls(&body.chars().take(2).collect::<String>()));
    }
    shown.push('…');
    shown
}

/// True for a JSON Web Token in compact form (`eyJ<header>.eyJ<claims>.<signature>`), whatever
/// rule found it: its claims (a client id, emails, tenant ids) must not show in a report.
fn is_jwt(secret: &[u8]) -> bool {
    secret.starts_with(b"eyJ") && secret.iter().filter(|&&b| b == b'.').count() >= 2
}

/// A JWT shown by the first characters of its header (which only names the algorithm) alone.
fn redact_jwt(secret: &[u8]) -> String {
    format!("{}…", String::from_utf8_lossy(&secret[..secret.len().min(JWT_SHOWN)]))
}

/// How many characters of a JWT's header a redacted report shows (`eyJhbG`).
const JWT_SHOWN: usize = 6;

/// `text` without leading white space and escaped line breaks (`\n`, `\r` as two characters), as
/// a PEM body inside a JSON string starts.
fn skip_line_breaks(mut text: &str) -> &str {
    loop {
        let trimmed = text.trim_start().trim_start_matches("\\n").trim_start_matches("\\r");
        if trimmed.len() == text.len() {
            return text;
        }
        text = trimmed;
    }
}

/// `text` with control characters escaped, so a path or secret cannot break a line or inject
/// terminal escapes into a report.
pub fn escape_controls(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\n' => "\\n".to_owned(),
            '\r' => "\\r".to_owned(),
            '\t' => "\\t".to_owned(),
            c if c.is_control() => format!("\\u{{{:x}}}", c as u32),
            c => c.to_string(),
        })
        .collect()
}

/// `after` (the text after a secret on its line) with the rest of the secret's token hidden when
/// the token goes on past an `&` or `,` (`client_secret: Zq7…&mK4…`): a rule that ends values
/// there, as in a URL's query, may have cut the secret short, and the rest must not be shown in
/// clear. The token ends at a blank, a quote or `;`.
fn hide_token_rest(after: &str) -> std::borrow::Cow<'_, str> {
    let continues = after.starts_with(['&', ',']) && after[1..].starts_with(|c: char| !c.is_whitespace());
    if !continues {
        return std::borrow::Cow::Borrowed(after);
    }
    let end =
        after.find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '`' | ';')).unwrap_or(after.len());
    std::borrow::Cow::Owned(format!("…{}", &after[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_line_never_splits_a_character() {
        for pad in ["", "x", "xy"] {
            let text = format!("{pad}{}SECRET{}", "€".repeat(100), "€".repeat(100));
            let at = text.find("SECRET").unwrap();
            let (before, after) = (line_before(text.as_bytes(), at), line_after(text.as_bytes(), at + 6));
            assert!(
                !before.contains('\u{fffd}') && before.starts_with('…') && before.ends_with('€'),
                "{before}"
            );
            assert!(!after.contains('\u{fffd}') && after.ends_with('…'), "{after}");
        }
    }

    #[test]
    fn entropy_counts_characters() {
        let lines = LineIndex::new(b"ak1.abcdefghij");
        let rules = crate::rules::RuleSet::builtin().unwrap();
        let spec = rules.rules.iter().find(|r| r.id == "servicetitan-app-key").unwrap();
        let site = FindingSite { text: b"ak1.abcdefghij", path: "p", secret: 0..14, body: 4..14 };
        let sample = Finding::new(spec, rules.faq(&spec.faq).unwrap(), &site, &lines);
        let finding = |secret: &str| Finding { secret: secret.to_owned(), ..sample.clone() };
        assert_eq!(finding("").entropy(), 0.0);
        assert_eq!(finding("aaaa").entropy(), 0.0);
        assert!((finding("abcd").entropy() - 2.0).abs() < 1e-9);
        assert!((finding("ééàà").entropy() - 1.0).abs() < 1e-9, "two characters, not four bytes");
    }

    #[test]
    fn line_context_stops_at_line_breaks_and_cuts_long_lines() {
        let text = b"one\r\nKEY=secret # note\r\nthree";
        let at = 9;
        assert_eq!(line_before(text, at), "KEY=");
        assert_eq!(line_after(text, at + 6), " # note");
        assert_eq!(line_before(b"abc", 0), "");
        assert_eq!(line_after(b"abc", 3), "");
        let long = [b"x".repeat(500), b"SECRET".to_vec(), b"y".repeat(500)].concat();
        let before = line_before(&long, 500);
        let after = line_after(&long, 506);
        assert!(before.starts_with('…') && before.len() == LINE_CONTEXT + '…'.len_utf8(), "{before}");
        assert!(after.ends_with('…') && after.len() == LINE_CONTEXT + '…'.len_utf8(), "{after}");
        let exact = [b"\n".to_vec(), b"x".repeat(LINE_CONTEXT), b"S".to_vec()].concat();
        assert_eq!(
            line_before(&exact, LINE_CONTEXT + 1),
            "x".repeat(LINE_CONTEXT),
            "a whole line is not cut"
        );
    }

    #[test]
    fn redaction_keeps_prefix_and_two_body_characters() {
        assert_eq!(redact(b"ak1.", b"x7abcdefghijklmnopqrstuvw"), "ak1.x7…");
        assert_eq!(redact(b"", b"short"), "…");
        assert_eq!(redact(b"", b"QHeVVEqZe2qpUWnoVPDF2yeE6RsXcNOP"), "QH…");
        assert_eq!(redact(b"-----BEGIN KEY-----\n", b"\nMIIEab"), "-----BEGIN KEY-----\\nMI…");
        assert_eq!(redact(b"-----BEGIN KEY-----", b"\\nMIIEab"), "-----BEGIN KEY-----MI…");
        assert_eq!(redact(b"-----BEGIN KEY-----", b"\\r\\nMIIEab"), "-----BEGIN KEY-----MI…");
    }

    #[test]
    fn redaction_by_percent_hides_the_end_of_the_body() {
        let lines = LineIndex::new(b"ak1.abcdefghij");
        let rule = crate::rules::RuleSet::builtin().unwrap();
        let spec = rule.rules.iter().find(|r| r.id == "servicetitan-app-key").unwrap();
        let faq = rule.faq(&spec.faq).unwrap();
        let site = FindingSite { text: b"ak1.abcdefghij", path: "p", secret: 0..14, body: 4..14 };
        let finding = Finding::new(spec, faq, &site, &lines);
        assert_eq!(finding.redacted_by_percent(100), "ak1.…");
        assert_eq!(finding.redacted_by_percent(50), "ak1.abcde…");
        assert_eq!(finding.redacted_by_percent(0), "ak1.abcdefghij");
    }

    #[test]
    fn a_jwt_shows_only_its_header_start() {
        let token = b"eyJhbGciOiJIUzI1NiJ9.eyJjbGllbnRfaWQiOiJjaWQuIn0.c2lnbmF0dXJlc2lnbmF0dXJl";
        assert!(is_jwt(token));
        assert_eq!(redact_jwt(token), "eyJhbG…");
        assert!(!is_jwt(b"eyJhbGciOiJIUzI1NiJ9"), "one part is not a token");
    }
}
