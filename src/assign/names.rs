//! Does a name say it holds a secret? The judgement reads the words a name is made of (split on
//! `_`, `-`, `.`, blanks and case changes: `jwtSecret` is `jwt secret`, `DB_PASSWORD` is `db
//! password`), so every spelling of one name gets the same answer.
//!
//! The generic rules find names by their secret words; this module then silences the names that
//! use those words in another sense: `primary_key` is a database column, `next_page_token` a
//! pagination cursor, `secret_name` names a secret without holding it.

/// Word pairs whose second word (key, token) is not a credential in that sense (database keys,
/// cache and sort keys, public keys, pagination cursors, request ids).
const OTHER_SENSES: &[(&str, &str)] = &[
    ("primary", "key"),
    ("sort", "key"),
    ("cache", "key"),
    ("foreign", "key"),
    ("public", "key"),
    ("partition", "key"),
    ("idempotency", "key"),
    ("range", "key"),
    ("hash", "key"),
    ("row", "key"),
    ("composite", "key"),
    ("unique", "key"),
    ("lookup", "key"),
    ("i18n", "key"),
    ("translation", "key"),
    ("page", "token"),
    ("continuation", "token"),
    ("pagination", "token"),
    ("cursor", "token"),
    ("sync", "token"),
    ("csrf", "token"),
    ("xsrf", "token"),
    ("cancellation", "token"),
];

/// Last words that make the name describe a secret rather than hold it (`secret_name`,
/// `api_key_id`, `password_length`, `token_url`).
const DESCRIBING_WORDS: &[&str] = &[
    "name",
    "id",
    "ids",
    "arn",
    "path",
    "file",
    "ref",
    "version",
    "length",
    "len",
    "size",
    "type",
    "field",
    "header",
    "url",
    "uri",
    "var",
    "env",
    "count",
    "ttl",
    "expiry",
    "expires",
    "format",
    "prefix",
    "hint",
    "policy",
    "label",
    "column",
    "param",
    "kind",
    "mode",
    "regex",
    "pattern",
    "description",
    "desc",
    "comment",
    "help",
    "message",
    "docs",
    "doc",
    // Names of the tool that fetches a secret, not the secret (`credential.helper = "!f() …"`,
    // `secret_manager`, `token_provider`, `password_store`, `credential_command`).
    "helper",
    "manager",
    "provider",
    "store",
    "command",
    "cmd",
];

/// The lowercase words of `name`, split on non-alphanumeric bytes and on lower-to-upper case
/// changes (`clientSecret` → `client`, `secret`; `APIKey` stays one word `apikey`).
pub fn words(name: &[u8]) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous: u8 = 0;
    for &b in name {
        let boundary = !b.is_ascii_alphanumeric();
        let case_change =
            b.is_ascii_uppercase() && (previous.is_ascii_lowercase() || previous.is_ascii_digit());
        if (boundary || case_change) && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        if !boundary {
            current.push(b.to_ascii_lowercase() as char);
        }
        previous = b;
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// The identifier a match's name text ends with: `  "clientSecret": "` → `clientSecret`, `$cfg['db_pass'] = '` →
/// `db_pass`. `name_text` is the text of the match before the value.
pub fn last_identifier(name_text: &[u8]) -> &[u8] {
    let is_name = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.');
    let end = name_text.iter().rposition(is_name).map_or(0, |p| p + 1);
    let start = name_text[..end].iter().rposition(|b| !is_name(b)).map_or(0, |p| p + 1);
    &name_text[start..end]
}

/// True if the name uses a secret word in another sense (see [`OTHER_SENSES`] and
/// [`DESCRIBING_WORDS`]); the generic rules then stay silent whatever the value looks like.
pub fn other_sense(name_text: &[u8]) -> bool {
    let words = words(last_identifier(name_text));
    let pair = words.windows(2).any(|w| OTHER_SENSES.iter().any(|(a, b)| w[0] == *a && w[1] == *b));
    let describes =
        words.len() > 1 && words.last().is_some_and(|last| DESCRIBING_WORDS.contains(&last.as_str()));
    pair || describes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_on_separators_and_case_changes() {
        assert_eq!(words(b"jwtSecret"), ["jwt", "secret"]);
        assert_eq!(words(b"DB_PASSWORD"), ["db", "password"]);
        assert_eq!(words(b"next-page.Token"), ["next", "page", "token"]);
        assert_eq!(words(b"partitionKey"), ["partition", "key"]);
    }

    #[test]
    fn other_senses_are_silenced_and_secrets_are_not() {
        for name in ["primary_key = '", "sortKey: ", "next_page_token\": \"", "PUBLIC_KEY=", "secret_name: "]
        {
            assert!(other_sense(name.as_bytes()), "{name}");
        }
        for name in ["private_key = '", "signingKey: ", "access_token=", "SECRET=", "hex_secret = '"] {
            assert!(!other_sense(name.as_bytes()), "{name}");
        }
    }
}
