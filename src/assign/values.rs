//! Does a quoted value read as a secret or as text? The quoted generic rules
//! (`generic-password-quoted`, `generic-secret-quoted`) take any printable character up to the
//! closing quote, blanks and `:` `/` `?` `&` included, so they can also catch sentences and
//! addresses written under a secret-like name. This judgement tells those apart; it only looks at
//! values that hold a blank or `://`, which the unquoted generic rules never capture.

/// True if `value` is a sentence rather than a secret: it holds a blank, none of its
/// blank-separated words looks random, and at least half of its words are made only of letters
/// (a two-word value: both of them), as in `"Token used by the nightly job, 2 per tenant"`.
/// Brackets and quotes around a word and `,` `.` `:` `;` `!` `?` after it are not part of it.
/// A word looks random when it mixes letters with a password's symbol (`Kx8mq&7,plover`; see
/// [`RANDOM_SYMBOLS`]) or has digits between letters (`Tr0ub4dor`), so a passphrase with one
/// such word (`"Kx8mq&7,plover fence"`) is a secret.
///
/// A value that opens with an authorization scheme (`"Bearer <token>"`) reads as text too: the
/// token after the scheme is the plain generic rules' business.
///
/// A passphrase of dictionary words (`"correct horse battery staple 7"`) reads as a sentence too
/// and is not reported by the quoted rules: the price of keeping descriptions out.
pub fn reads_as_prose(value: &[u8]) -> bool {
    if !value.contains(&b' ') {
        return false;
    }
    if opens_with_auth_scheme(value) {
        return true;
    }
    let words: Vec<&[u8]> = value.split(|&b| b == b' ').filter(|w| !w.is_empty()).map(word_core).collect();
    if words.iter().any(|w| looks_random(w)) {
        return false;
    }
    let plain = words.iter().filter(|w| w.len() >= 2 && w.iter().all(u8::is_ascii_alphabetic)).count();
    if words.len() == 2 {
        plain == 2
    } else {
        plain * 2 >= words.len()
    }
}

/// `word` without the brackets and quotes around it and the punctuation after it.
fn word_core(word: &[u8]) -> &[u8] {
    let start = word.iter().position(|b| !matches!(b, b'(' | b'<' | b'[' | b'{' | b'"' | b'\'' | b'`'));
    let Some(start) = start else { return &[] };
    let end = word
        .iter()
        .rposition(|b| {
            !matches!(
                b,
                b')' | b'>' | b']' | b'}' | b'"' | b'\'' | b'`' | b',' | b'.' | b':' | b';' | b'!' | b'?'
            )
        })
        .map_or(start, |p| p + 1);
    &word[start..end.max(start)]
}

/// Symbols that make a word holding letters look random (`Kx8mq&7,plover`): those passwords
/// use and prose and code seldom put inside a word (unlike `id=2`, `%s`, `C#`, `a@b.test`,
/// `it's`, `well-known`, `e.g.`, `read/write`, `api_key_2`).
const RANDOM_SYMBOLS: &[u8] = b"!$&*+,?^|~";

/// True if `word` (a [`word_core`]) mixes letters with one of the [`RANDOM_SYMBOLS`] or has
/// digits between two letters.
fn looks_random(word: &[u8]) -> bool {
    let has_letter = word.iter().any(u8::is_ascii_alphabetic);
    let symbol = word.iter().any(|b| RANDOM_SYMBOLS.contains(b));
    has_letter && (symbol || digits_between_letters(word))
}

/// True if a run of digits in `word` stands between two letters (`Kx8mq`, `b64encode`), not at
/// a word's end (`OAuth2`, `v2`) or start (`2nd`).
fn digits_between_letters(word: &[u8]) -> bool {
    let mut after_letter = false;
    let mut in_digits = false;
    for &b in word {
        if b.is_ascii_alphabetic() {
            if in_digits && after_letter {
                return true;
            }
            after_letter = true;
            in_digits = false;
        } else if b.is_ascii_digit() {
            in_digits = true;
        } else {
            after_letter = false;
            in_digits = false;
        }
    }
    false
}

/// Authorization schemes written before a token in an `Authorization` value.
const AUTH_SCHEMES: &[&[u8]] = &[b"bearer ", b"basic ", b"token ", b"digest "];

/// True if `value` opens with one of the [`AUTH_SCHEMES`] (ASCII case-insensitive).
fn opens_with_auth_scheme(value: &[u8]) -> bool {
    AUTH_SCHEMES
        .iter()
        .any(|scheme| value.len() > scheme.len() && value[..scheme.len()].eq_ignore_ascii_case(scheme))
}

/// True if `value`, written right after its opening quote (the last byte of `before`), holds
/// that quote unescaped: the quoted rules take the other quote characters inside a value
/// (`'a"b'`), so a match that runs from one string into the next (`"abc"+"d&e"`) is two values
/// and no secret. A quote after a backslash (`"a\"b"`) is part of the value.
pub fn crosses_its_quote(before: &[u8], value: &[u8]) -> bool {
    let Some(&quote @ (b'"' | b'\'' | b'`')) = before.last() else { return false };
    value.iter().enumerate().any(|(i, &b)| b == quote && (i == 0 || value[i - 1] != b'\\'))
}

/// True if `value` is a URL (`scheme://…`): an address, which under a secret-like name is where
/// the secret is fetched or sent (`token_endpoint`-like values), not the secret. A URL carrying
/// a password (`https://user:pw@host`) is the connection-string rules' business.
pub fn is_url(value: &[u8]) -> bool {
    let Some(at) = memchr::memmem::find(value, b"://") else { return false };
    at > 0
        && value[0].is_ascii_alphabetic()
        && value[..at].iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'.' | b'-'))
}

/// True if `value` names a resource or is code rather than holding a secret: an AWS ARN
/// (`arn:aws:kms:…:key/…`, a key's name, not the key), an expression whose only digits index a
/// list (`NextMarker || Contents[-1].Key`, a pagination path under a `*Token` name), or an
/// example cut short with `...` (`ACEG#1rstu2...BDFH`).
pub fn names_or_elides(value: &[u8]) -> bool {
    value.starts_with(b"arn:")
        || only_indices_have_digits(value)
        || memchr::memmem::find(value, b"...").is_some()
}

/// True if `value` has digits and every one stands in a list index (`[0]`, `[-1]`).
fn only_indices_have_digits(value: &[u8]) -> bool {
    let mut indexed = false;
    let mut rest = value;
    let mut outside: Vec<u8> = Vec::with_capacity(value.len());
    while let Some(open) = memchr::memchr(b'[', rest) {
        outside.extend_from_slice(&rest[..open]);
        let inside = &rest[open + 1..];
        let Some(close) = memchr::memchr(b']', inside) else { break };
        let index = inside[..close].strip_prefix(b"-").unwrap_or(&inside[..close]);
        if !index.is_empty() && index.iter().all(u8::is_ascii_digit) {
            indexed = true;
        } else {
            outside.extend_from_slice(&inside[..close]);
        }
        rest = &inside[close + 1..];
    }
    outside.extend_from_slice(rest);
    indexed && !outside.iter().any(u8::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_read_as_prose_and_secrets_with_blanks_do_not() {
        for text in [
            "Token used by the nightly job, 2 per tenant",
            "must be at least 8 characters",
            "Bearer Qx7vR2mK9pL4wN8jT3bY6cZ1",
            "see the docs (v2)",
        ] {
            assert!(reads_as_prose(text.as_bytes()), "{text}");
        }
        for text in ["Qx7v R2mK9 pL4wN8 jT3b", "Tr0ub4dor &3 horse", "no-blank-here-at-all-99"] {
            assert!(!reads_as_prose(text.as_bytes()), "{text}");
        }
    }

    #[test]
    fn one_random_word_or_a_two_word_value_with_a_non_word_is_not_prose() {
        for text in [
            "Kx8mq&7,plover fence",
            "Kx8mq&7 ploverfence",
            "Tr0ub4dor&3,horse battery",
            "Kx8mq&7,plover fence and more words here",
            "plover fence9",
        ] {
            assert!(!reads_as_prose(text.as_bytes()), "{text}");
        }
        for text in [
            "plover fence",
            "Use OAuth2 client credentials, 1 per app",
            "at least 12 characters, upper-case and 1 digit",
            "Paste it here, e.g. from the vault (valid 15 min)",
            "<paste the client secret here, 50 chars>",
            "Token {token_1}",
            "Don't share it, it's rotated (2024)",
        ] {
            assert!(reads_as_prose(text.as_bytes()), "{text}");
        }
    }

    #[test]
    fn a_value_holding_its_own_opening_quote_crosses_into_the_next_string() {
        assert!(crosses_its_quote(b"token = \"", b"x1\"+\"Qx7&v"));
        assert!(crosses_its_quote(b"token = '", b"x1'+'Qx7&v"));
        assert!(!crosses_its_quote(b"token = '", b"Zq7&h\"X9"));
        assert!(!crosses_its_quote(b"token = \"", b"Zq7&h\\\"X9"));
        assert!(!crosses_its_quote(b"token = ", b"Zq7&h\"X9"));
    }

    #[test]
    fn digits_count_as_random_only_between_letters() {
        assert!(digits_between_letters(b"Kx8mq"));
        assert!(digits_between_letters(b"Tr0ub4dor"));
        assert!(!digits_between_letters(b"OAuth2"));
        assert!(!digits_between_letters(b"2nd"));
        assert!(!digits_between_letters(b"ec2-user"));
    }

    #[test]
    fn resource_names_list_paths_and_elided_examples_are_not_secrets() {
        for text in [
            "arn:aws:kms:us-west-2:417498243647:key/c9fe2447",
            "Jobs[-1].JobId",
            "NextMarker || Contents[-1].Key",
            "ACEGmnoq#1rstu2...BDFH3vxwy!4hlm!#5",
        ] {
            assert!(names_or_elides(text.as_bytes()), "{text}");
        }
        for text in ["Qx7v[R2mK9]pL4wN8", "h]6EszR}vJ*m", "a[-1]b7c&d", "Tr0ub4dor&3"] {
            assert!(!names_or_elides(text.as_bytes()), "{text}");
        }
    }

    #[test]
    fn urls_are_addresses() {
        assert!(is_url(b"https://api.example.com/cb?a=1&b=2"));
        assert!(is_url(b"git+ssh://host/x"));
        assert!(!is_url(b"://x"));
        assert!(!is_url(b"x7&Qp:/9z"));
    }
}
