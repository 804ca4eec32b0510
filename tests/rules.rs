//! Every built-in rule proves itself: its examples match with the expected secret, its negative
//! examples do not match, ids are unique kebab-case, FAQ ids exist; and the embedded table is the
//! `patterns/` folder.

use keyfence::rules::check::check_examples;
use keyfence::rules::embedded::EMBEDDED_PATTERNS;
use keyfence::rules::{is_kebab_case, RuleSet};
use keyfence::scanner::Scanner;
use keyfence::sources::{Fragment, Provenance};
use std::borrow::Cow;

fn scan(scanner: &Scanner, text: &str) -> Vec<keyfence::finding::Finding> {
    let fragment = Fragment {
        provenance: Provenance::File { path: "example".into() },
        text: Cow::Borrowed(text.as_bytes()),
        added_lines: None,
        lines_before: 0,
    };
    scanner.scan(&fragment)
}

#[test]
fn every_rule_passes_its_own_examples() {
    // Examples must yield their secret (alone and with every rule loaded, so a generic rule never
    // takes a provider's finding); negative examples must yield nothing; each rule has at least
    // two of each. `keyfence rules --check` runs the same check on a user's file.
    let all = RuleSet::builtin().unwrap();
    let problems = check_examples(&all, |_| true, true).unwrap();
    let listed: Vec<String> = problems.iter().map(|p| format!("{}: {}", p.rule_id, p.message)).collect();
    assert!(problems.is_empty(), "{}", listed.join("\n"));
    let examples: usize = all.rules.iter().map(|r| r.examples.len()).sum();
    assert!(all.rules.len() >= 100 && examples >= 200, "{} rules, {examples} examples", all.rules.len());
}

#[test]
fn ids_are_unique_kebab_case_and_cite_known_faq_rules() {
    let all = RuleSet::builtin().unwrap();
    let mut ids: Vec<&str> = all.rules.iter().map(|r| r.id.as_str()).collect();
    assert!(ids.iter().all(|id| is_kebab_case(id)));
    let count = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), count, "duplicate rule ids");
    for rule in &all.rules {
        let faq = all.faq(&rule.faq).unwrap_or_else(|| panic!("rule {} cites unknown {}", rule.id, rule.faq));
        assert!(faq.url.starts_with("https://"));
        assert!(!faq.next_steps.is_empty());
        assert!(rule.reference.starts_with("https://"), "rule {} reference", rule.id);
    }
    for id in ["servicetitan-app-key", "servicetitan-client-id", "servicetitan-client-secret"] {
        assert!(all.rules.iter().any(|r| r.id == id), "missing {id}");
    }
}

#[test]
fn servicetitan_rules_cite_servicetitan_pages() {
    let all = RuleSet::builtin().unwrap();
    for rule in all.rules.iter().filter(|r| r.id.starts_with("servicetitan-")) {
        let faq = all.faq(&rule.faq).unwrap();
        assert!(faq.id.starts_with("ST-"), "{}", rule.id);
        assert!(faq.url.starts_with("https://developer.servicetitan.io/"), "{}", rule.id);
    }
    let catalog: Vec<&str> = all.faqs.iter().map(|f| f.id.as_str()).collect();
    for id in [
        "ST-FAQ-NO-SHARED-APP-KEY",
        "ST-FAQ-NO-3P-GENERATE-API-KEY",
        "ST-FAQ-NO-3P-ADMIN",
        "ST-FAQ-CONTACT-BEFORE-3P",
        "ST-PORTAL-NEVER-PUBLISH-CLIENT-CREDS",
        "ST-FAQ-PER-TENANT-CLIENT-CREDS",
        "ST-FAQ-ENV-SPECIFIC-CLIENT-CREDS",
        "ST-DOC-TOKEN-CONFIDENTIAL",
        "ST-WEBHOOK-HMAC-KEY",
    ] {
        assert!(catalog.contains(&id), "catalog lacks {id}");
    }
}

#[test]
fn embedded_table_is_the_patterns_folder() {
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("patterns");
    let mut on_disk: Vec<(String, String)> = std::fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| {
            (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    on_disk.sort();
    let embedded: Vec<(String, String)> =
        EMBEDDED_PATTERNS.iter().map(|(n, t)| (n.to_string(), t.to_string())).collect();
    assert_eq!(embedded, on_disk);
    // What start-up parses (JSON made by build.rs) is what the TOML files say.
    let from_toml = RuleSet::from_files(EMBEDDED_PATTERNS.iter().copied()).unwrap();
    let from_json = RuleSet::builtin().unwrap();
    let as_json = |set: &RuleSet| serde_json::to_value((&set.rules, &set.faqs)).unwrap();
    assert_eq!(as_json(&from_toml), as_json(&from_json));
}

#[test]
fn design_placeholders_and_look_alikes_never_match_servicetitan_rules() {
    let scanner = Scanner::new(RuleSet::builtin().unwrap()).unwrap();
    let lines = [
        format!("ST_APP_KEY=ak1.{}", "x".repeat(25)),
        format!("ST_CLIENT_ID=cid.{}", "x".repeat(25)),
        format!("ST_CLIENT_SECRET=cs1.{}", "x".repeat(50)),
        format!("ST_APP_KEY=ak1.{}", "qwerty1".repeat(4).get(..25).unwrap()),
        format!("STRIPE=cs_live_{}", "a1".repeat(25)),
        "CLIENT_ID=123-cid.apps.googleusercontent.com".into(),
        "host cs1.example.edu".into(),
        "route('ak1.index')".into(),
        format!("signed = ak1.{}.{}", "eyJhbGciOiJIUzI1NiJ9", "c2lnbmF0dXJl"),
        format!("ST_APP_KEY=ak1.{}", "example0key0here0sample1"),
        format!("ST_APP_KEY=ak1.{}{}", "a".repeat(6), "b1c2d3e4f5g6h7i8j9k"),
    ];
    for line in &lines {
        let found = scan(&scanner, line);
        assert!(
            found.iter().all(|f| !f.rule_id.starts_with("servicetitan-")),
            "{line:?} gave {:?}",
            found.iter().map(|f| &f.rule_id).collect::<Vec<_>>()
        );
    }
}

#[test]
fn a_provider_finding_wins_over_a_generic_one() {
    let scanner = Scanner::new(RuleSet::builtin().unwrap()).unwrap();
    let secret = crate::common::client_secret(5);
    let found = scan(&scanner, &format!("client_secret={secret}&grant_type=client_credentials"));
    let rules: Vec<&str> = found.iter().map(|f| f.rule_id.as_str()).collect();
    assert_eq!(rules, ["servicetitan-client-secret"]);
}

#[test]
fn adjacent_secrets_are_all_found() {
    let scanner = Scanner::new(RuleSet::builtin().unwrap()).unwrap();
    let (a, b) = (crate::common::app_key(1), crate::common::app_key(2));
    let found = scan(&scanner, &format!("KEYS={a},{b}"));
    let secrets: Vec<&str> = found.iter().map(|f| f.secret.as_str()).collect();
    assert_eq!(secrets, [a.as_str(), b.as_str()]);
}

#[test]
fn every_rule_regex_compiles() {
    // The matcher compiles regexes lazily; this compiles each one now.
    for rule in &RuleSet::builtin().unwrap().rules {
        keyfence::matcher::compile_rule_regex(rule).unwrap_or_else(|e| panic!("{e:#}"));
    }
}

/// The committed list of built-in rule ids, one per line, sorted.
const RULE_IDS_FILE: &str = "tests/rule_ids.txt";

#[test]
fn the_built_in_rule_ids_match_the_committed_list() {
    // Deleting a rule takes its examples with it, so only this list notices: a change that adds
    // or removes rules must update it on purpose.
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(RULE_IDS_FILE);
    let mut actual: Vec<String> = RuleSet::builtin().unwrap().rules.into_iter().map(|r| r.id).collect();
    actual.sort();
    if std::env::var_os("UPDATE_RULE_IDS").is_some_and(|v| !v.is_empty()) {
        std::fs::write(&file, actual.join("\n") + "\n").unwrap();
        return;
    }
    let listed = std::fs::read_to_string(&file).unwrap_or_default();
    let expected: Vec<&str> = listed.lines().filter(|l| !l.trim().is_empty()).collect();
    let removed: Vec<&&str> = expected.iter().filter(|id| !actual.iter().any(|a| a == **id)).collect();
    let added: Vec<&String> = actual.iter().filter(|id| !expected.contains(&id.as_str())).collect();
    assert!(
        removed.is_empty() && added.is_empty(),
        "the built-in rules differ from {RULE_IDS_FILE}:\n  missing rules: {removed:?}\n  new rules: {added:?}\n\
         If that is intended, regenerate the list with\n  \
         UPDATE_RULE_IDS=1 cargo test --locked --test integration the_built_in_rule_ids_match_the_committed_list\n\
         and commit {RULE_IDS_FILE}."
    );
}
