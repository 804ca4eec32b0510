//! Property tests (proptest): whatever the bytes, the scanner does not panic, every match lies
//! inside the input and is one of its rule's matches, and no output format shows a generated
//! secret unless `--show-secrets` asks. Case counts are small so `cargo test` stays fast.

use crate::common::{app_key, body, client_secret, run};
use keyfence::matcher::{compile_rule_regex, Matcher};
use keyfence::rules::RuleSet;
use keyfence::scanner::Scanner;
use keyfence::sources::{Fragment, Provenance};
use proptest::prelude::*;
use std::borrow::Cow;
use std::sync::OnceLock;

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

fn rules() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(|| RuleSet::builtin().unwrap())
}

fn scanner() -> &'static Scanner {
    static SCANNER: OnceLock<Scanner> = OnceLock::new();
    SCANNER.get_or_init(|| Scanner::new(rules().clone()).unwrap())
}

/// The regex of rule `index`, compiled on first use.
fn regex(index: usize) -> &'static regex::bytes::Regex {
    static REGEXES: OnceLock<Vec<OnceLock<regex::bytes::Regex>>> = OnceLock::new();
    let all = REGEXES.get_or_init(|| rules().rules.iter().map(|_| OnceLock::new()).collect());
    all[index].get_or_init(|| compile_rule_regex(&rules().rules[index]).unwrap())
}

fn matcher() -> &'static Matcher {
    static MATCHER: OnceLock<Matcher> = OnceLock::new();
    MATCHER.get_or_init(|| Matcher::new(rules()).unwrap())
}

/// Text made of pieces: arbitrary bytes, secret-looking tokens, keywords, and every kind of
/// line ending (and a UTF-16 byte order mark now and then).
fn noisy_text() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..40),
        Just(b"\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\r".to_vec()),
        Just(b"\xff\xfe".to_vec()),
        Just(b"ST_APP_KEY=".to_vec()),
        Just(b"password = \"".to_vec()),
        Just(b"-----BEGIN RSA PRIVATE KEY-----\n".to_vec()),
        Just(b"eyJ".to_vec()),
        any::<u64>().prop_map(|seed| app_key(seed).into_bytes()),
        any::<u64>().prop_map(|seed| client_secret(seed).into_bytes()),
        "[A-Za-z0-9+/=_.:-]{8,60}".prop_map(String::into_bytes),
    ];
    proptest::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
}

fn fragment(text: &[u8]) -> Fragment<'_> {
    Fragment {
        provenance: Provenance::File { path: "prop.txt".into() },
        text: Cow::Borrowed(text),
        added_lines: None,
        lines_before: 0,
    }
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn the_scanner_never_panics_and_findings_lie_inside_the_input(text in noisy_text()) {
        let findings = scanner().scan(&fragment(&text));
        let lines = text.split(|&b| b == b'\n' || b == b'\r').count();
        for finding in findings {
            prop_assert!(finding.line >= 1 && finding.line <= lines, "line {} of {lines}", finding.line);
            prop_assert!(finding.end_line >= finding.line);
            prop_assert!(rules().rules.iter().any(|r| r.id == finding.rule_id));
            prop_assert_eq!(finding.fingerprint.len(), 64);
        }
    }

    #[test]
    fn every_match_is_inside_the_input_and_a_match_of_its_rule(text in noisy_text()) {
        for m in matcher().find(&text) {
            prop_assert!(m.whole.end <= text.len());
            prop_assert!(m.whole.start <= m.secret.start && m.secret.end <= m.whole.end, "{m:?}");
            prop_assert!(m.secret.start <= m.body.start && m.body.end <= m.secret.end, "{m:?}");
            prop_assert!(!m.secret.is_empty());
            let rule = &rules().rules[m.rule];
            prop_assert!(regex(m.rule).is_match(&text[m.whole.clone()]), "{} does not match its own span", rule.id);
        }
    }
}

/// A fake ServiceTitan access token: a JWT whose claims hold a client id and an email. Returns
/// the token and the texts that must never be printed (its claims part, the client id's body).
fn access_token(seed: u64) -> (String, Vec<String>) {
    let header = crate::common::base64url(br#"{"alg":"RS256","typ":"at+jwt"}"#);
    let client_body = body(seed, 25);
    let claims =
        format!(r#"{{"client_id":"cid.{client_body}","tenant":"123456789","email":"ann@acme.example"}}"#);
    let claims = crate::common::base64url(claims.as_bytes());
    let signature = crate::common::base64url(body(seed ^ 0x5eed, 40).as_bytes());
    (format!("{header}.{claims}.{signature}"), vec![claims, client_body])
}

/// A secret, how it sits in a file, and the parts of it no output may show.
fn planted() -> impl Strategy<Value = (String, Vec<String>)> {
    let body_of = |secret: &str| secret.split_once('.').map(|(_, b)| b.to_owned()).unwrap();
    prop_oneof![
        any::<u64>().prop_map(move |seed| {
            let key = app_key(seed);
            (format!("ST_APP_KEY={key}\n"), vec![key.clone(), body_of(&key)[2..].to_owned()])
        }),
        any::<u64>().prop_map(move |seed| {
            let secret = client_secret(seed);
            (
                format!("client_secret: \"{secret}\"\r\n"),
                vec![secret.clone(), body_of(&secret)[2..].to_owned()],
            )
        }),
        any::<u64>().prop_map(|seed| {
            let (token, hidden) = access_token(seed);
            (format!("Authorization: Bearer {token}\n"), hidden)
        }),
    ]
}

proptest! {
    #![proptest_config(config(4))]

    #[test]
    fn no_output_format_shows_a_secret_unless_asked((text, hidden) in planted()) {
        let dir = tempfile::tempdir().unwrap();
        for format in ["human", "short", "json", "sarif", "csv", "junit"] {
            let report = dir.path().join(format!("report.{format}"));
            let (code, stdout, stderr) = run(crate::common::keyfence(dir.path())
                .args(["scan", "-", "--format", format, "--report"])
                .arg(&report)
                .write_stdin(text.clone()));
            prop_assert_eq!(code, 1, "{}", stderr);
            let written = std::fs::read_to_string(&report).unwrap();
            for part in &hidden {
                for (name, output) in [("stdout", &stdout), ("stderr", &stderr), ("report", &written)] {
                    prop_assert!(!output.contains(part.as_str()), "{format} {name} shows {part}:\n{output}");
                }
            }
            let (_, shown, _) = run(crate::common::keyfence(dir.path())
                .args(["scan", "-", "--show-secrets", "--format", format])
                .write_stdin(text.clone()));
            prop_assert!(shown.contains(hidden[0].as_str()), "--show-secrets shows it in {format}");
        }
    }
}
