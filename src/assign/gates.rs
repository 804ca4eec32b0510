//! The forms' gates: for each regex of [`super::forms`], a test of the line's bytes that every
//! line the regex matches passes. Each one reads off its regex the bytes a match must hold
//! around a fixed point (its `=`, `]`, `(`, or the line's start), so a gate can only let through
//! lines the regex then rejects, never hold back one it would match. A gate that is wrong the
//! other way loses findings: change one with its regex, and keep the reasoning in its comment.

use memchr::memmem::Finder;
use std::sync::LazyLock;

use super::shape::{
    is_regex_space, skip_spaces, skip_spaces_back, LineShape, BANG, CLOSE_BRACKET, COLON, COMMA, EQUALS,
    LESS_THAN, OPEN_PAREN, QUOTE,
};

fn is_quote(b: u8) -> bool {
    matches!(b, b'"' | b'\'' | b'`')
}

/// Searchers for the words the gates look for, built once.
static VALUE: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"value"));
static NAME: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"name"));
static NV: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"nv"));
static ENV_FETCH: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"ENV.fetch("));

/// True if `value` stands at `at` after a quote and blanks, and before blanks, `=`, blanks and a
/// quote (`"` or `'`).
fn value_attribute_at(bytes: &[u8], at: usize) -> bool {
    let before = skip_spaces_back(bytes, at);
    let equals = skip_spaces(bytes, at + b"value".len());
    before < at
        && before > 0
        && matches!(bytes[before - 1], b'"' | b'\'')
        && bytes.get(equals) == Some(&b'=')
        && bytes.get(skip_spaces(bytes, equals + 1)).is_some_and(|&b| b == b'"' || b == b'\'')
}

/// `key="…" value="…"`: the regex's `["']\s+value\s*=\s*["']`.
pub fn xml_attribute(line: &LineShape<'_>) -> bool {
    line.holds(QUOTE | EQUALS) && VALUE.find_iter(line.bytes).any(|at| value_attribute_at(line.bytes, at))
}

/// `<name>…</`: a closing tag's `</` right after the element's text (at least one byte, none of
/// them a blank, `<` or `>`), which comes right after a `>`.
pub fn xml_element(line: &LineShape<'_>) -> bool {
    let bytes = line.bytes;
    let is_text = |b: &&u8| !is_regex_space(**b) && **b != b'<' && **b != b'>';
    line.holds(LESS_THAN)
        && line.pairs(*b"</").any(|at| {
            let text = bytes[..at].iter().rev().take_while(is_text).count();
            text > 0 && at > text && bytes[at - text - 1] == b'>'
        })
}

/// `name: X, value: …`: a `,` and both words, each with (after an optional quote and blanks) a
/// `:` after it (the regex's `name["']?\s*:` and `value["']?\s*:`).
pub fn name_value_object(line: &LineShape<'_>) -> bool {
    let bytes = line.bytes;
    let keyed = |word: &[u8], at: usize| {
        let after = at + word.len();
        let after = after + usize::from(matches!(bytes.get(after), Some(b'"' | b'\'')));
        bytes.get(skip_spaces(bytes, after)) == Some(&b':')
    };
    line.holds(COLON | COMMA)
        && VALUE.find_iter(bytes).any(|at| keyed(b"value", at))
        && NAME.find_iter(bytes).any(|at| keyed(b"name", at))
}

/// A typed declaration or a prefixed string: some `=` (the one in the regex's `\s*:?=`) with, after
/// blanks, a quote, possibly behind a string prefix (`@`, `$`, one or two of `rRbBuUfF`). Without
/// a prefix the regex's other two ways must hold before the `=` (and its optional `:` and
/// blanks): an array size's `]`, or a type (a run of type characters, which cannot hold the
/// blank or `:` before it, so it starts where the run does) after a `:` and blanks.
pub fn typed_declaration(line: &LineShape<'_>) -> bool {
    let bytes = line.bytes;
    line.holds(QUOTE | EQUALS)
        && memchr::memchr_iter(b'=', bytes).any(|at| match quote_after(bytes, at + 1) {
            Some(prefixed) => prefixed || sized_or_typed_before(bytes, at),
            None => false,
        })
}

/// After blanks from `at`: `Some(false)` for a quote, `Some(true)` for a string prefix and a
/// quote, `None` for anything else.
fn quote_after(bytes: &[u8], at: usize) -> Option<bool> {
    let at = skip_spaces(bytes, at);
    let byte = |i: usize| bytes.get(at + i).copied().unwrap_or(0);
    let string_prefix = |b: u8| matches!(b, b'r' | b'R' | b'b' | b'B' | b'u' | b'U' | b'f' | b'F');
    if is_quote(byte(0)) {
        return Some(false);
    }
    let one = (matches!(byte(0), b'@' | b'$') || string_prefix(byte(0))) && is_quote(byte(1));
    let two = string_prefix(byte(0)) && string_prefix(byte(1)) && is_quote(byte(2));
    (one || two).then_some(true)
}

/// Before the `=` at `at`: `]` or `: Type` (blanks allowed around each, an optional `:` right
/// before the `=`).
fn sized_or_typed_before(bytes: &[u8], at: usize) -> bool {
    let end = if at > 0 && bytes[at - 1] == b':' { at - 1 } else { at };
    let end = skip_spaces_back(bytes, end);
    if end > 0 && bytes[end - 1] == b']' {
        return true;
    }
    let is_type = |b: &u8| b.is_ascii_alphanumeric() || b"_.<>?[]".contains(b);
    let start = end - bytes[..end].iter().rev().take_while(|b| is_type(b)).count();
    let before = skip_spaces_back(bytes, start);
    start < end && before > 0 && bytes[before - 1] == b':'
}

/// `[name] = "…"`: a `]`, then after blanks an `=`, then after blanks a quote.
pub fn subscript(line: &LineShape<'_>) -> bool {
    let bytes = line.bytes;
    line.holds(QUOTE | CLOSE_BRACKET | EQUALS)
        && memchr::memchr_iter(b']', bytes).any(|at| {
            let equals = skip_spaces(bytes, at + 1);
            bytes.get(equals) == Some(&b'=')
                && bytes.get(skip_spaces(bytes, equals + 1)).is_some_and(|&b| b == b'"' || b == b'\'')
        })
}

/// `environ.get(`, `environ.setdefault(`, `getenv(`, `Env.get(`, `env.get(`, `process.env.`,
/// `process.env[`: the regex's calls, each holding one `nv` (found first); the default is quoted.
pub fn environment_read(line: &LineShape<'_>) -> bool {
    const READS: [&[u8]; 7] = [
        b"environ.get(",
        b"environ.setdefault(",
        b"getenv(",
        b"Env.get(",
        b"env.get(",
        b"process.env.",
        b"process.env[",
    ];
    let bytes = line.bytes;
    let read_at = |at: usize| {
        READS.iter().any(|read| {
            let nv = memchr::memmem::find(read, b"nv").expect("every read holds nv");
            at >= nv && bytes[at - nv..].starts_with(read)
        })
    };
    line.holds(QUOTE) && NV.find_iter(bytes).any(read_at)
}

/// `ENV.fetch("…", "…")`.
pub fn env_fetch(line: &LineShape<'_>) -> bool {
    line.holds(QUOTE | OPEN_PAREN) && line.contains(&ENV_FETCH)
}

/// `define(`, `putenv(`, `setenv(`, `Setenv(`, `SetEnvironmentVariable(`: one of them right
/// before a `(` (`getenv(` is not one).
pub fn define(line: &LineShape<'_>) -> bool {
    const CALLS: [&[u8]; 5] = [b"define", b"putenv", b"setenv", b"Setenv", b"SetEnvironmentVariable"];
    let bytes = line.bytes;
    line.holds(QUOTE | OPEN_PAREN)
        && memchr::memchr_iter(b'(', bytes).any(|at| CALLS.iter().any(|call| bytes[..at].ends_with(call)))
}

/// Dockerfile `ENV` opening the line (the regex's `^[ \t]*ENV`).
pub fn dockerfile_env(line: &LineShape<'_>) -> bool {
    line.opening.starts_with(b"ENV")
}

/// Dockerfile `ARG` opening the line (the regex's `^[ \t]*ARG`).
pub fn dockerfile_arg(line: &LineShape<'_>) -> bool {
    line.opening.starts_with(b"ARG")
}

/// `NAME=value` or `export NAME=value` from the line's start (the regex is anchored with `\A`):
/// after blanks (and `export` and blanks), a run of name characters opening with a letter or
/// `_`, right after it `=`, then a byte that may open a plain value.
pub fn dotenv(line: &LineShape<'_>) -> bool {
    if !line.holds(EQUALS) {
        return false;
    }
    let bytes = line.bytes;
    let at = bytes.iter().take_while(|&&b| b == b' ' || b == b'\t').count();
    let exported = bytes[at..].strip_prefix(b"export").and_then(|rest| {
        let blanks = rest.iter().take_while(|&&b| b == b' ' || b == b'\t').count();
        (blanks > 0).then(|| bytes.len() - rest.len() + blanks)
    });
    dotenv_pair_at(bytes, at) || exported.is_some_and(|at| dotenv_pair_at(bytes, at))
}

/// A name, `=` and a plain value's first byte (not a blank, quote, `#` or `$`) at `at`.
fn dotenv_pair_at(bytes: &[u8], at: usize) -> bool {
    let is_name = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-');
    let opens_name = bytes.get(at).is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_');
    let equals = at + bytes[at.min(bytes.len())..].iter().take_while(|b| is_name(b)).count();
    let value = bytes.get(equals + 1).copied();
    opens_name
        && bytes.get(equals) == Some(&b'=')
        && value.is_some_and(|b| !is_regex_space(b) && !b"\"'`#$".contains(&b))
}

/// `name: !!tag value`.
pub fn yaml_tag(line: &LineShape<'_>) -> bool {
    line.holds(BANG) && line.pairs(*b"!!").next().is_some()
}

/// A Kubernetes `- name:` entry opening the block and a `value:` opening its second line after
/// blanks (the regex's `\A[ \t]*-[ \t]+name:` and `\n[ \t]+value:`).
pub fn opens_name_entry(block: &[u8]) -> bool {
    let blanks = |from: usize| block[from..].iter().take_while(|&&b| b == b' ' || b == b'\t').count();
    let dash = blanks(0);
    if block.get(dash) != Some(&b'-') {
        return false;
    }
    let gap = blanks(dash + 1);
    let Some(newline) = memchr::memchr(b'\n', block) else { return false };
    let indent = blanks(newline + 1);
    gap > 0
        && block[dash + 1 + gap..].starts_with(b"name:")
        && indent > 0
        && block[newline + 1 + indent..].starts_with(b"value:")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn passes(gate: fn(&LineShape<'_>) -> bool, line: &str) -> bool {
        gate(&LineShape::read(line.as_bytes()))
    }

    #[test]
    fn typed_declarations_pass_and_plain_assignments_do_not() {
        for line in [
            r#"private const string ClientSecret = @"v1";"#,
            r#"char password[41] = "v1";"#,
            r#"let clientSecret: String = "v1""#,
            r#"clientSecret: Optional[str] = 'v1'"#,
            r#"token := r"v1""#,
            r#"x: Vec<u8> := "v1""#,
            "key = rb'v1'",
        ] {
            assert!(passes(typed_declaration, line), "{line}");
        }
        for line in [r#"let token = "v1";"#, "token: String = next()", r#"f(token == "v1")"#] {
            assert!(!passes(typed_declaration, line), "{line}");
        }
    }

    #[test]
    fn each_gate_passes_its_own_shape() {
        assert!(passes(subscript, r#"$config['client_secret'] = 'v1';"#));
        assert!(passes(subscript, r#"settings[:api_key]="v1""#));
        assert!(!passes(subscript, r#"x = y["token"]"#));
        assert!(passes(define, r#"define('DB_PASSWORD', 'v1');"#));
        assert!(passes(define, r#"os.Setenv("API_TOKEN", "v1")"#));
        assert!(!passes(define, r#"token("v1")"#));
        assert!(!passes(define, r#"getenv("API_TOKEN")"#));
        assert!(!passes(xml_attribute, r#"passed_by_value = "warn""#));
        assert!(passes(name_value_object, r#"{"name": "X", "value": "v1"}"#));
        assert!(!passes(name_value_object, "Meta::NameValue(meta_name_value) => x,"));
        assert!(!passes(environment_read, r#"Method::from_env(name, "v1")"#));
        assert!(passes(env_fetch, r#"ENV.fetch("API_TOKEN", "v1")"#));
        assert!(passes(dotenv, "CLIENT_SECRET=v1&v2"));
        assert!(passes(dotenv, "  export DB_PASSWORD=v1,v2"));
        assert!(!passes(dotenv, "let token = 1;"));
        assert!(!passes(dotenv, "TOKEN=\"v1&v2\""));
        assert!(passes(dotenv, "export=1"), "a variable named export");
        assert!(opens_name_entry(b"  - name: API_TOKEN\n    value: v1"));
        assert!(!opens_name_entry(b"  - name: API_TOKEN\n    image: v1"));
        assert!(passes(xml_element, "<password>v1</password>"));
        assert!(!passes(xml_element, "a < b </i>"));
        assert!(passes(xml_attribute, r#"<add key="ApiToken" value = 'v1' />"#));
        assert!(!passes(xml_attribute, r#"let value = "v1";"#));
        assert!(passes(environment_read, r#"os.environ.get("API_TOKEN", "v1")"#));
        assert!(passes(environment_read, r#"process.env.API_TOKEN || "v1""#));
        assert!(!passes(environment_read, r#"convert("v1")"#));
        assert!(passes(yaml_tag, "api_key: !!binary v1"));
        assert!(!opens_name_entry(b"  -name: API_TOKEN"));
        assert!(!opens_name_entry(b"name: token"));
    }
}
