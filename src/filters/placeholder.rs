//! Placeholder and reference detection (the project design notes, §2: full-length placeholders exist in docs and
//! samples, so shape alone is not enough).

/// Words that mark a value as a placeholder, matched case-insensitively anywhere in the secret.
/// From the design notes (placeholders seen in ServiceTitan docs and samples), plus common fill-ins.
const PLACEHOLDER_WORDS: &[&str] = &[
    "xxxx",
    "example",
    "sample",
    "test",
    "your",
    "dummy",
    "fake",
    "placeholder",
    "redacted",
    "changeme",
    "change_me",
    "qwerty",
    "****",
    "<",
    "insert",
    "abcdefgh",
    "1234567",
    // Published constants that are not secrets: the Azure Storage emulator's account key
    // (https://learn.microsoft.com/en-us/azure/storage/common/storage-use-azurite#well-known-storage-account-and-key),
    // lowercased.
    "eby8vdm02xnocqflquwjpllmetlcdxj1",
];

/// The first placeholder word found in `secret` (ASCII case-insensitive), if any.
pub fn placeholder_word(secret: &[u8]) -> Option<&'static str> {
    let lower = secret.to_ascii_lowercase();
    PLACEHOLDER_WORDS.iter().copied().find(|word| memchr::memmem::find(&lower, word.as_bytes()).is_some())
}

/// Words that, inside a generic rule's value, show it is a name or a description rather than a
/// secret: `cs2.production_client_secret`, `my_api_key_value`, `token_here`.
const GENERIC_STOPWORDS: &[&str] = &[
    "secret",
    "client",
    "password",
    "passwd",
    "token",
    "apikey",
    "api_key",
    "api-key",
    "production",
    "integration",
    "sandbox",
    "tenant",
    "here",
    "replace",
];

/// The first placeholder word or generic stopword that stands as a word in `value` (ASCII
/// case-insensitive), if any.
///
/// Generic values are free-form, so a word counts only where it starts the value or follows a
/// non-alphanumeric character, and ends the value or is followed by a non-letter:
/// `your_key_here`, `changeme123` and `my-test-pw` are placeholders, while the random
/// `Zk3testQw9` and `Sphere9Lamp` are not.
pub fn generic_placeholder(value: &[u8]) -> Option<&'static str> {
    let lower = value.to_ascii_lowercase();
    PLACEHOLDER_WORDS.iter().chain(GENERIC_STOPWORDS).copied().find(|word| {
        memchr::memmem::find_iter(&lower, word.as_bytes()).any(|at| {
            let end = at + word.len();
            let starts_word = at == 0 || !lower[at - 1].is_ascii_alphanumeric();
            let ends_word = end == lower.len() || !lower[end].is_ascii_alphabetic();
            starts_word && ends_word
        })
    })
}

/// True for values that name where a secret comes from instead of holding one: `${X}`, `$X`,
/// `%X%`, `{{ x }}`, `<x>`, `process.env.X`, `os.environ…`, `getenv…`, `ENV[…]`, `secrets.X`.
pub fn is_reference(value: &[u8]) -> bool {
    // A password may start with `%`, `{` or `<`; a reference also closes what it opened.
    let closes = |open: u8, close: u8| value.first() == Some(&open) && value.last() == Some(&close);
    if value.first() == Some(&b'$') || closes(b'%', b'%') || closes(b'{', b'}') || closes(b'<', b'>') {
        return true;
    }
    let lower = value.to_ascii_lowercase();
    ["process.env", "os.environ", "getenv", "env[", "secrets.", "import.meta.env"]
        .iter()
        .any(|needle| memchr::memmem::find(&lower, needle.as_bytes()).is_some())
}

/// SHA-256 digests (lowercase hex) of credentials published as examples in documentation, which
/// appear verbatim in countless READMEs and tests and grant nothing. Digests, not the values, so
/// this file holds no credential-shaped text.
/// - jwt.io's sample HS256 token (payload `sub` "1234567890", `name` "John Doe", `iat`
///   1516239022), signed with jwt.io's example key; a real token with the same header differs.
const PUBLISHED_EXAMPLES: &[&str] = &["7f75367e7881255134e1375e723d1dea8ad5f6a4fdb79d938df1f1754a830606"];

/// True if `secret` is exactly one of the [`PUBLISHED_EXAMPLES`].
pub fn published_example(secret: &[u8]) -> bool {
    use sha2::{Digest, Sha256};
    // Every listed example is longer than 100 bytes; shorter secrets need no hashing.
    if secret.len() < 100 {
        return false;
    }
    let digest: String = Sha256::digest(secret).iter().map(|b| format!("{b:02x}")).collect();
    PUBLISHED_EXAMPLES.contains(&digest.as_str())
}

/// True if `body` walks the alphabet and the digits in step, as hand-typed placeholders do
/// (`abc123def456ghi789jkl0123`, `a1b2c3d4e5f6g7h8i9j0k1l2m`): its letters, read alone, mostly
/// follow one another (`a b c d…`), and so do its digits (`1 2 3…`, 0 after 9). Random bodies
/// almost never do.
pub fn walks_in_step(body: &[u8]) -> bool {
    let letters: Vec<u8> =
        body.iter().filter(|b| b.is_ascii_alphabetic()).map(u8::to_ascii_lowercase).collect();
    let digits: Vec<u8> = body.iter().copied().filter(u8::is_ascii_digit).collect();
    let in_step = |seq: &[u8], base: u8, span: u8| {
        let steps = seq.windows(2).filter(|w| (w[0] - base + 1) % span == w[1] - base).count();
        seq.len() >= 4 && steps * 5 >= (seq.len() - 1) * 4
    };
    in_step(&letters, b'a', 26) && in_step(&digits, b'0', 10)
}

/// Length of the longest run of one repeated byte in `bytes` (0 for empty input).
pub fn longest_run(bytes: &[u8]) -> usize {
    let mut longest = 0;
    let mut current = 0;
    let mut previous = None;
    for &b in bytes {
        current = if previous == Some(b) { current + 1 } else { 1 };
        previous = Some(b);
        longest = longest.max(current);
    }
    longest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs() {
        assert_eq!(longest_run(b""), 0);
        assert_eq!(longest_run(b"abc"), 1);
        assert_eq!(longest_run(b"abbbbbc"), 5);
    }

    #[test]
    fn placeholders() {
        assert_eq!(placeholder_word(b"ak1.YOURkey"), Some("your"));
        assert_eq!(placeholder_word(b"a1b2c3"), None);
    }

    #[test]
    fn generic_placeholders_must_stand_as_words() {
        assert_eq!(generic_placeholder(b"your_api_key_here_0123"), Some("your"));
        assert_eq!(generic_placeholder(b"changeme123"), Some("changeme"));
        assert_eq!(generic_placeholder(b"cs2.production_client_secret"), Some("secret"));
        assert_eq!(generic_placeholder(b"Zk3testQw9Lp0Vn7"), None);
        assert_eq!(generic_placeholder(b"Sphere9Lamp!x7Q"), None);
    }

    #[test]
    fn stepped_walks_are_placeholders_and_random_bodies_are_not() {
        assert!(walks_in_step(b"abc123def456ghi789jkl0123"));
        assert!(walks_in_step(b"a1b2c3d4e5f6g7h8i9j0k1l2m"));
        assert!(!walks_in_step(b"6ndpshq1i7t3ob5x9k2m0wz4r"));
        assert!(!walks_in_step(b"abcdefghijklmnop"), "no digits: another check's business");
    }

    #[test]
    fn references() {
        assert!(is_reference(b"${X}"));
        assert!(is_reference(b"process.env.API_KEY"));
        assert!(!is_reference(b"a1b2c3d4"));
        assert!(is_reference(b"%DB_PASSWORD%"));
        assert!(!is_reference(b"%Hx7mQ2zRt9?"), "a password starting with %");
    }
}
