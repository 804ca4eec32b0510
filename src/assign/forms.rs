//! The ways of writing a name and its value that the generic rules' `name = value` shapes do not
//! cover, one lexer per syntax family. Each finds (name, value) pairs and rewrites them as
//! `name = "value"`, which the rules then judge like any other assignment.

use super::gates;
use super::shape::LineShape;
use super::Rewrite;
use regex::bytes::{Regex, RegexBuilder};
use std::ops::Range;
use std::sync::{LazyLock, OnceLock};

/// One syntax family: a cheap test its lines must pass and a regex with `name` and `value`
/// groups (or, where a quoted value has its own alphabet, `quoted`).
struct Form {
    /// A necessary condition for the regex to match the line, read from the line's bytes alone
    /// (see [`gates`]): most lines that wake the extractor (`TokenStream`, `let token = …`) fail
    /// it, and the regex, built on first use, only runs on the rest.
    gate: fn(&LineShape<'_>) -> bool,
    regex: &'static str,
    /// Post-check on the match (the element form needs its closing tag to repeat the name).
    check: fn(&[u8], &regex::bytes::Captures<'_>) -> bool,
}

fn always(_: &[u8], _: &regex::bytes::Captures<'_>) -> bool {
    true
}

/// `<password>…</password>`: the closing tag names the same element.
fn closes_same_element(text: &[u8], caps: &regex::bytes::Captures<'_>) -> bool {
    let (name, value) = (&caps["name"], caps.name("value").expect("group"));
    let closing = &text[value.end()..];
    closing.starts_with(b"</") && closing[2..].starts_with(name) && closing.get(2 + name.len()) == Some(&b'>')
}

/// A dotenv value the plain rules would cut short: it holds a byte outside their alphabet (`&`,
/// `,`, `;`, `?`, …), and it is not a query string (`a=1&b=2`, where each `&name=` starts a
/// parameter of its own, read by the plain rules under its own name). Other values are read as
/// written, with no rewrite.
fn dotenv_value_is_cut_by_plain_rules(text: &[u8], caps: &regex::bytes::Captures<'_>) -> bool {
    let value = &text[caps.name("value").expect("group").range()];
    let plain = |b: &u8| b.is_ascii_alphanumeric() || b"_-+/=.~!@#$%^*".contains(b);
    let starts_parameter = |rest: &[u8]| {
        let name = rest.iter().take_while(|b| b.is_ascii_alphanumeric() || **b == b'_').count();
        name > 0 && rest.get(name) == Some(&b'=')
    };
    let query = value.iter().enumerate().any(|(i, &b)| b == b'&' && starts_parameter(&value[i + 1..]));
    !value.iter().all(plain) && !query
}

const FORMS: &[Form] = &[
    // XML attribute pairs: web.config `<add key="ApiToken" value="…" />`, Spring
    // `<property name="clientSecret" value="…"/>`.
    Form {
        gate: gates::xml_attribute,
        regex: r#"\b(?:key|name)\s*=\s*["'](?P<name>[A-Za-z0-9_.:\-]{1,100})["']\s+value\s*=\s*["'](?P<value>[^"'\r\n]{1,300})["']"#,
        check: always,
    },
    // XML element text: Maven's `<password>…</password>`.
    Form {
        gate: gates::xml_element,
        regex: r#"<(?P<name>[A-Za-z_][A-Za-z0-9_.\-]{0,60})>(?P<value>[^<>\s]{1,300})</"#,
        check: closes_same_element,
    },
    // Name/value objects: ECS `{"name": "X", "value": "…"}`, Kubernetes flow style
    // `- {name: X, value: "…"}`.
    Form {
        gate: gates::name_value_object,
        // A quoted value takes every character up to its closing quote (`"a,b c"`); a plain one
        // ends at a blank, a comma or the closing bracket.
        regex: r#"["']?\bname["']?\s*:\s*["']?(?P<name>[A-Za-z0-9_.\-]{1,100})["']?\s*,\s*["']?value["']?\s*:\s*(?:["'](?P<quoted>[^"'\r\n]{1,300})["']|(?P<value>[^"'\s,}\]]{1,300}))"#,
        check: always,
    },
    // Typed declarations and string prefixes: C# `string ClientSecret = @"…"`, C `char
    // password[41] = "…"`, Swift/Kotlin/TypeScript/Python `clientSecret: String = "…"`. Something
    // must stand between the name and the value (a type, an array size or a string prefix): a
    // bare `name = "value"` is the plain rules' business, and the regex says so itself, so the
    // many plain assignments never reach the (slower) capture step.
    Form {
        gate: gates::typed_declaration,
        regex: concat!(
            r#"(?P<name>[A-Za-z_][A-Za-z0-9_]{0,100})"#,
            r#"(?:(?:\[[0-9]*\])?\s*:\s*[A-Za-z_][A-Za-z0-9_.<>?\[\]]*\s*:?=\s*(?:@|\$|[rRbBuUfF]{1,2})?"#,
            r#"|\[[0-9]*\]\s*:?=\s*(?:@|\$|[rRbBuUfF]{1,2})?"#,
            r#"|\s*:?=\s*(?:@|\$|[rRbBuUfF]{1,2}))"#,
            r#"["'`](?P<value>[^"'`\r\n]{1,300})["'`]"#,
        ),
        check: always,
    },
    // Subscripts: PHP `$config['client_secret'] = '…'`, Python `os.environ["API_TOKEN"] = "…"`,
    // Ruby `settings[:api_key] = "…"`.
    Form {
        gate: gates::subscript,
        regex: r#"\[\s*:?["']?(?P<name>[A-Za-z_][A-Za-z0-9_.\-]{0,100})["']?\s*\]\s*=\s*["'](?P<value>[^"'\r\n]{1,300})["']"#,
        check: always,
    },
    // Environment reads with a default: Python `os.environ.get("API_TOKEN", "…")`, `getenv`, Ruby
    // `ENV.fetch`, Node `process.env.API_TOKEN || "…"` (the default is a value written in the
    // code, under the variable's name).
    Form {
        gate: gates::environment_read,
        regex: r#"(?:(?:environ\.get|environ\.setdefault|getenv|[Ee]nv\.get)\(\s*["']|process\.env\.|process\.env\[["'])(?P<name>[A-Za-z_][A-Za-z0-9_]{0,100})(?:["']\s*,\s*|["']?\]?\s*(?:\|\||\?\?)\s*)["'](?P<value>[^"'\r\n]{1,300})["']"#,
        check: always,
    },
    Form {
        gate: gates::env_fetch,
        regex: r#"\bENV\.fetch\(\s*["'](?P<name>[A-Za-z_][A-Za-z0-9_]{0,100})["']\s*,\s*["'](?P<value>[^"'\r\n]{1,300})["']"#,
        check: always,
    },
    // Defines and setters taking (name, value): PHP `define('DB_PASSWORD', '…')`.
    Form {
        gate: gates::define,
        regex: r#"\b(?:define|putenv|setenv|Setenv|SetEnvironmentVariable)\(\s*["'](?P<name>[A-Za-z_][A-Za-z0-9_.\-]{0,100})["']\s*,\s*["'](?P<value>[^"'\r\n]{1,300})["']"#,
        check: always,
    },
    // Dockerfile `ENV NAME value` (the space form) and `ARG NAME=value`.
    Form {
        gate: gates::dockerfile_env,
        regex: r#"(?m)^[ \t]*ENV[ \t]+(?P<name>[A-Za-z_][A-Za-z0-9_]*)[ \t]+["']?(?P<value>[^"'\s]{1,300})"#,
        check: always,
    },
    Form {
        gate: gates::dockerfile_arg,
        regex: r#"(?m)^[ \t]*ARG[ \t]+(?P<name>[A-Za-z_][A-Za-z0-9_]*)=["']?(?P<value>[^"'\s]{1,300})"#,
        check: always,
    },
    // Dotenv lines, `NAME=value` and `export NAME=value`: a plain value runs to a blank (a ` #`
    // comment follows one) or the line's end, so `&` and `,` are part of it; the plain rules end
    // a value there, as in a URL's query, and would read `Zq7` of `Zq7&hT2…`.
    Form {
        gate: gates::dotenv,
        regex: r#"\A[ \t]*(?:export[ \t]+)?(?P<name>[A-Za-z_][A-Za-z0-9_.\-]{0,100})=(?P<value>[^\s"'`#$]\S{0,299})"#,
        check: dotenv_value_is_cut_by_plain_rules,
    },
    // YAML tags before a value: `api_key: !!binary …`, `!!str`.
    Form {
        gate: gates::yaml_tag,
        regex: r#"(?P<name>[A-Za-z_][A-Za-z0-9_.\-]{0,100})["']?\s*:\s*!![a-z]+\s+["']?(?P<value>[^"'\s]{1,300})"#,
        check: always,
    },
];

/// A form compiled: its regex and the indexes of the `name` and `value` groups (looking a group
/// up by name hashes the name, per match).
struct Compiled {
    regex: Regex,
    name: usize,
    value: usize,
    quoted: Option<usize>,
}

impl Compiled {
    fn new(form: &Form) -> Compiled {
        let regex =
            RegexBuilder::new(form.regex).unicode(false).build().expect("built-in form regexes compile");
        let group = |name| regex.capture_names().position(|n| n == Some(name));
        let (name, value) = (group("name").expect("form group"), group("value").expect("form group"));
        let quoted = group("quoted");
        Compiled { regex, name, value, quoted }
    }
}

/// Each form compiled on its first line past the gate: a scan whose lines never pass a form's
/// gate never pays for its regex (building one costs as much as a few thousand searches).
static COMPILED: [OnceLock<Compiled>; FORMS.len()] = [const { OnceLock::new() }; FORMS.len()];

/// The (name, value) pairs written in `line` of `text` in one of the [`FORMS`], each rewritten
/// as `name = "value"` with every byte mapped back to where it was written.
pub fn canonical(text: &[u8], line: Range<usize>) -> Vec<Rewrite> {
    canonical_in(text, line.start, &LineShape::read(&text[line]))
}

/// [`canonical`] for a line whose shape is read (`shape.bytes` starts at `start` in `text`).
pub fn canonical_in(text: &[u8], start: usize, shape: &LineShape<'_>) -> Vec<Rewrite> {
    let bytes = shape.bytes;
    let mut out = Vec::new();
    for (form, compiled) in FORMS.iter().zip(&COMPILED) {
        if !(form.gate)(shape) {
            continue;
        }
        let compiled = compiled.get_or_init(|| Compiled::new(form));
        for caps in compiled.regex.captures_iter(bytes) {
            if !(form.check)(bytes, &caps) {
                continue;
            }
            // A form has a `value` group, or a `quoted` one for a value between quotes.
            let value = caps.get(compiled.value).or_else(|| compiled.quoted.and_then(|q| caps.get(q)));
            let name = caps.get(compiled.name).expect("the name group always takes part");
            let (name, value) = (name.range(), value.expect("a value group takes part").range());
            let shift = |r: Range<usize>| r.start + start..r.end + start;
            out.push(assignment(text, shift(name), shift(value)));
        }
    }
    out
}

/// A Kubernetes container's environment entry in block style, `- name: X` with `value: …` on the
/// next line (`block` holds both lines), quoted or plain (a plain value ends at a ` #` comment).
/// The generic rules have a rule of their own for this shape; the rewrite lets every rule read
/// it (a provider's key under its provider's name, a `*_PASS` name, a value with any symbol).
pub fn name_value_lines(text: &[u8], block: Range<usize>) -> Option<Rewrite> {
    static PAIR: LazyLock<Regex> = LazyLock::new(|| {
        let pair = concat!(
            r#"\A[ \t]*-[ \t]+name:[ \t]*["']?(?P<name>[A-Za-z0-9_.\-]{1,100})["']?[ \t]*\r?\n[ \t]+value:[ \t]*"#,
            r#"(?:"(?P<double>[^"\r\n]{1,300})"|'(?P<single>[^'\r\n]{1,300})'|(?P<plain>[^\s"'#][^\r\n]{0,299}?))"#,
            r#"[ \t]*(?:[ \t]#[^\r\n]*)?\r?\z"#,
        );
        RegexBuilder::new(pair).unicode(false).build().expect("built-in form regexes compile")
    });
    let bytes = &text[block.clone()];
    if !gates::opens_name_entry(bytes) {
        return None;
    }
    let caps = PAIR.captures(bytes)?;
    let name = caps.name("name")?.range();
    let value = ["double", "single", "plain"].iter().find_map(|group| caps.name(group))?.range();
    let shift = |r: Range<usize>| r.start + block.start..r.end + block.start;
    Some(assignment(text, shift(name), shift(value)))
}

/// Column titles that hold a credential's name, and those that hold its value, in a table's header.
const NAME_COLUMNS: &[&str] = &["name", "key", "variable", "setting", "credential", "parameter"];
const VALUE_COLUMNS: &[&str] = &["value", "secret", "token", "password", "api_key", "apikey"];

/// Where a text's header (its first line) has a name column and a value column, for each
/// delimiter a row may use: read once per text, not once per row.
#[derive(Debug)]
pub struct TableHeader {
    /// Offset of the header's end (its newline, or the text's end).
    end: usize,
    /// (name column, value column) with tabs, then with commas as the delimiter.
    columns: [Option<(usize, usize)>; 2],
}

/// The delimiters a table row may use, in the order a row's delimiter is chosen.
const DELIMITERS: [u8; 2] = [b'\t', b','];

impl TableHeader {
    /// The header of `text`.
    pub fn read(text: &[u8]) -> TableHeader {
        let end = memchr::memchr(b'\n', text).unwrap_or(text.len());
        let columns = DELIMITERS.map(|delimiter| {
            // The name and value columns are two titles: a header without the delimiter has one.
            memchr::memchr(delimiter, &text[..end])?;
            let header: Vec<String> = text[..end]
                .split(|&b| b == delimiter)
                .map(|title| String::from_utf8_lossy(title).trim().trim_matches('"').to_ascii_lowercase())
                .collect();
            let name_column = header.iter().position(|t| NAME_COLUMNS.contains(&t.as_str()))?;
            let value_column = header.iter().position(|t| VALUE_COLUMNS.contains(&t.as_str()))?;
            Some((name_column, value_column))
        });
        TableHeader { end, columns }
    }
}

/// A CSV or TSV row that names a credential in one column and holds it in another, under a
/// header (the text's first line, see [`TableHeader`]) with a name column and a value column:
/// `internal_api_key,prod,<value>,2024-09-12` under `name,environment,value,rotated_at`.
pub fn table_row(text: &[u8], line: Range<usize>, header: &TableHeader) -> Option<Rewrite> {
    if header.columns == [None, None] || line.start <= header.end {
        return None;
    }
    let row = &text[line.clone()];
    let kind = DELIMITERS.iter().position(|d| row.contains(d))?;
    let delimiter = DELIMITERS[kind];
    let (name_column, value_column) = header.columns[kind]?;
    let mut cells = Vec::new();
    let mut start = line.start;
    for (i, &b) in row.iter().enumerate() {
        if b == delimiter {
            cells.push(start..line.start + i);
            start = line.start + i + 1;
        }
    }
    cells.push(start..line.end);
    let unquote = |cell: &Range<usize>| {
        let quoted = cell.len() >= 2 && text[cell.start] == b'"' && text[cell.end - 1] == b'"';
        if quoted {
            cell.start + 1..cell.end - 1
        } else {
            cell.clone()
        }
    };
    let (name, value) = (unquote(cells.get(name_column)?), unquote(cells.get(value_column)?));
    (!name.is_empty() && !value.is_empty()).then(|| assignment(text, name, value))
}

/// ` name = "value"` from the name and value written at `name` and `value`; the separator maps to
/// the value's first byte, the closing quote to its last. The leading blank (mapped to the name's
/// first byte) ends whatever stands before the name: in `masterKey = process.env.MASTER_KEY ||
/// "…"` a rule would otherwise read `process.env.MASTER_KEY` as the value of `masterKey` and go
/// past the name the rewrite is for. A quote written right after the value is its closing quote
/// and is replaced too, so the view reads `"value"` and not `"value""` (the quoted rules want a
/// closing quote followed by the end of the value's expression).
fn assignment(text: &[u8], name: Range<usize>, value: Range<usize>) -> Rewrite {
    let closing_quote = matches!(text.get(value.end), Some(b'"' | b'\'' | b'`'));
    let mut rewrite = Rewrite::new(name.start..value.end + usize::from(closing_quote));
    rewrite.push(b' ', name.start);
    for at in name {
        rewrite.push(text[at], at);
    }
    for &b in b" = \"" {
        rewrite.push(b, value.start);
    }
    for at in value.clone() {
        rewrite.push(text[at], at);
    }
    rewrite.push(b'"', value.end - 1);
    rewrite
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forms(line: &str) -> Vec<String> {
        canonical(line.as_bytes(), 0..line.len())
            .into_iter()
            .map(|r| {
                let text = String::from_utf8(r.bytes).unwrap();
                text.strip_prefix(' ').expect("a rewrite starts with a blank").to_owned()
            })
            .collect()
    }

    #[test]
    fn each_family_reads_as_an_assignment() {
        assert_eq!(forms(r#"<add key="ApiToken" value="v1" />"#), [r#"ApiToken = "v1""#]);
        assert_eq!(forms("<password>v1</password>"), [r#"password = "v1""#]);
        assert!(forms("<password>v1</user>").is_empty());
        assert_eq!(forms(r#"{"name": "CLIENT_SECRET", "value": "v1"}"#), [r#"CLIENT_SECRET = "v1""#]);
        assert_eq!(forms(r#"- {name: API_TOKEN, value: "v1"}"#), [r#"API_TOKEN = "v1""#]);
        assert_eq!(forms(r#"{"name": "X", "value": "a,b c}"}"#), [r#"X = "a,b c}""#]);
        assert_eq!(forms(r#"- {name: X, value: v1, other: 2}"#), [r#"X = "v1""#]);
        assert_eq!(forms(r#"private const string ClientSecret = @"v1";"#), [r#"ClientSecret = "v1""#]);
        assert_eq!(forms(r#"char password[41] = "v1";"#), [r#"password = "v1""#]);
        assert_eq!(forms(r#"let clientSecret: String = "v1""#), [r#"clientSecret = "v1""#]);
        assert_eq!(forms(r#"$config['client_secret'] = 'v1';"#), [r#"client_secret = "v1""#]);
        assert_eq!(forms(r#"define('DB_PASSWORD', 'v1');"#), [r#"DB_PASSWORD = "v1""#]);
        assert_eq!(forms("ENV API_TOKEN v1"), [r#"API_TOKEN = "v1""#]);
        assert_eq!(forms("api_key: !!binary v1"), [r#"api_key = "v1""#]);
        assert_eq!(forms("CLIENT_SECRET=v1&v2,v3 # note"), [r#"CLIENT_SECRET = "v1&v2,v3""#]);
        assert_eq!(forms("export DB_PASSWORD=v1,v2"), [r#"DB_PASSWORD = "v1,v2""#]);
    }

    #[test]
    fn dotenv_values_are_rewritten_only_when_the_plain_rules_would_cut_them() {
        assert!(forms("CLIENT_SECRET=v1v2v3").is_empty());
        assert!(forms("QUERY=a=1&client_secret=v2").is_empty());
        assert!(forms("  x = CLIENT_SECRET=v1&v2").is_empty());
        assert!(forms("CLIENT_SECRET=\"v1&v2\"").is_empty());
    }

    #[test]
    fn table_rows_pair_the_name_and_value_columns() {
        let text = b"name,environment,value,rotated_at\ninternal_api_key,prod,v1,2024-09-12\n";
        let row = table_row(text, 34..text.len() - 1, &TableHeader::read(text)).unwrap();
        assert_eq!(row.bytes, br#" internal_api_key = "v1""#);
        let other = b"id,environment,notes\ninternal_api_key,prod,v1\n";
        assert!(table_row(other, 21..other.len() - 1, &TableHeader::read(other)).is_none());
    }

    #[test]
    fn plain_assignments_and_type_only_declarations_are_left_alone() {
        assert!(forms(r#"client_secret = "v1""#).is_empty());
        assert!(forms("let privateKey: P256.Signing.PrivateKey").is_empty());
    }
}
