//! Does a quoted value read as a secret or as text? The quoted generic rules
//! (`generic-password-quoted`, `generic-secret-quoted`) take any printable character up to the
//! closing quote, blanks and `:` `/` `?` `&` included, so they can also catch sentences and
//! addresses written under a secret-like name. This judgement tells those apart; it only looks at
//! values that hold a blank or `://`, which the unquoted generic rules never capture.

/// True if `value` is a sentence rather than a secret: it holds a blank and at least half of its
/// blank-separated words are made only of letters (a trailing `,` `.` `:` `;` `!` or `?` allowed),
/// as in `"Token used by the nightly job, 2 per tenant"` or `"Bearer <token>"` (the scheme word
/// of an `Authorization` value; the token after it is the plain generic rules' business).
///
/// A passphrase of dictionary words (`"correct horse battery staple 7"`) reads as a sentence too
/// and is not reported by the quoted rules: the price of keeping descriptions out.
pub fn reads_as_prose(value: &[u8]) -> bool {
    if !value.contains(&b' ') {
        return false;
    }
    let words: Vec<&[u8]> = value.split(|&b| b == b' ').filter(|w| !w.is_empty()).collect();
    let is_word = |w: &[u8]| {
        let end = w
            .iter()
            .rposition(|b| !matches!(b, b',' | b'.' | b':' | b';' | b'!' | b'?'))
            .map_or(0, |p| p + 1);
        end >= 2 && w[..end].iter().all(u8::is_ascii_alphabetic)
    };
    words.iter().filter(|w| is_word(w)).count() * 2 >= words.len()
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
