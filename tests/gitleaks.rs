//! gitleaks compatibility: a gitleaks configuration file is recognized by its shape and mapped
//! onto keyfence rules and allowlists; what cannot be honored is a warning naming the key; the
//! `gitleaks:allow` inline marker is honored.

use crate::common::{app_key, body, loc, locations, run, Repo};

/// Five custom rules exercising id, description, regex (with RE2-only `\Q…\E` and a Unicode
/// class), secretGroup, entropy, keywords, path and per-rule allowlists of every target; a global
/// allowlist with paths and stopwords; a targeted `[[allowlists]]` with an AND condition.
const GITLEAKS_CONFIG: &str = r#"
title = "team gitleaks config"

[extend]
useDefault = true
disabledRules = ["generic-password"]

[[rules]]
id = "acme-token"
description = "ACME token"
regex = '''acme_([a-z0-9]{20})'''
keywords = ["acme_"]
entropy = 3.0
tags = ["acme"]
[[rules.allowlists]]
regexTarget = "line"
regexes = ['''#\s*fixture''']
[[rules.allowlists]]
regexTarget = "match"
regexes = ['''^acme_0''']

[[rules]]
id = "widget_key"
description = "Widget key after a literal prefix"
regex = '''\Qwidget.key\E\s*=\s*"([A-Za-z0-9]{16})"'''
secretGroup = 1
keywords = ["widget.key"]
[rules.allowlist]
regexes = ['''^W0''']

[[rules]]
id = "unicode-passphrase"
description = "Passphrase of letters in any script"
regex = '''passphrase:\s*(\p{L}{12,})'''
keywords = ["passphrase"]

[[rules]]
id = "infra-token"
description = "Token only in terraform files"
regex = '''infra_[a-f0-9]{24}'''
path = '''\.tf$'''
keywords = ["infra_"]

[[rules]]
id = "legacy-key"
description = "Legacy key with a stopword allowlist"
regex = '''legacy-([A-Za-z0-9]{18})'''
keywords = ["legacy-"]
[[rules.allowlists]]
stopwords = ["sandbox"]

[allowlist]
description = "global"
paths = ['''(^|/)vendor/''']
stopwords = ["notreal"]

[[allowlists]]
targetRules = ["servicetitan-app-key"]
condition = "AND"
paths = ['''^docs/''']
regexes = ['''^ak1\.''']
"#;

fn acme(seed: u64) -> String {
    format!("{}{}", "acme_", body(seed, 20))
}

fn scan(repo: &Repo, args: &[&str]) -> (i32, Vec<(String, u64, String)>, String) {
    let mut all = vec!["scan", "--format", "json"];
    all.extend_from_slice(args);
    let (code, stdout, stderr) = run(repo.keyfence().args(&all));
    (code, locations(&stdout), stderr)
}

#[test]
fn a_gitleaks_config_with_rules_and_allowlists_of_every_kind() {
    let repo = Repo::new();
    repo.write("gl.toml", GITLEAKS_CONFIG);
    let widget = |seed| format!("widget.key = \"{}{}\"", "Wk", &body(seed, 14).to_uppercase());
    let lines = [
        format!("A={}", acme(1)),                            // 1 acme-token
        format!("A={}  # fixture", acme(2)),                 // 2 allowed: line target
        format!("A={}{}", "acme_0", &body(3, 19)),           // 3 allowed: match target
        widget(4),                                           // 4 widget_key (secret group 1)
        format!("widget.key = \"{}{}\"", "W0", body(5, 14)), // 5 allowed: secret regex
        "widgetXkey = \"Wk9ABCDEFGHJKLMN\"".to_owned(),      // 6 not a match: \Q.\E is literal
        "passphrase: ÉtéHiverPrintemps".to_owned(),          // 7 unicode-passphrase
        "infra_0123456789abcdef01234567".to_owned(),         // 8 not in a .tf file
        format!("legacy-{}", body(9, 18)),                   // 9 legacy-key
        format!("legacy-sandbox{}", body(10, 11)),           // 10 allowed: stopword
        format!("P={}notreal", acme(11)),                    // 11 acme (stopword on another secret)
    ];
    repo.write("app.cfg", lines.join("\n") + "\n");
    repo.write("main.tf", "token = \"infra_0123456789abcdef01234567\"\n");
    repo.write("vendor/lib.cfg", format!("A={}\n", acme(12)));
    repo.write("docs/setup.md", format!("key {}\n", app_key(13)));
    repo.write("src/setup.md", format!("key {}\n", app_key(14)));
    repo.write("s.env", format!("password = \"{}\"\n", body(15, 16)));

    let (code, found, stderr) = scan(&repo, &["--config", "gl.toml", "."]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        found,
        [
            loc("app.cfg", 1, "acme-token"),
            loc("app.cfg", 4, "widget_key"),
            loc("app.cfg", 7, "unicode-passphrase"),
            loc("app.cfg", 9, "legacy-key"),
            loc("app.cfg", 11, "acme-token"),
            loc("main.tf", 1, "infra-token"),
            loc("src/setup.md", 1, "servicetitan-app-key"),
        ],
        "{stderr}"
    );
    // The secret is the capture group, as gitleaks reports it.
    let (_, stdout, _) = run(repo.keyfence().args([
        "scan",
        "--format",
        "json",
        "--show-secrets",
        "--config",
        "gl.toml",
        "app.cfg",
    ]));
    let findings: Vec<serde_json::Value> = serde_json::from_str(&stdout).unwrap();
    assert_eq!(findings[0]["secret"], acme(1)["acme_".len()..]);
    assert_eq!(findings[1]["secret"].as_str().unwrap().len(), 16);
    assert!(!stderr.contains("warning"), "no warnings for a fully supported file: {stderr}");
}

#[test]
fn commits_in_a_gitleaks_allowlist_hide_findings_of_those_commits() {
    let repo = Repo::new();
    repo.write("a.env", format!("{}\n", app_key(1)));
    repo.commit_all("first");
    let first = String::from_utf8(repo.git(&["rev-parse", "HEAD"]).stdout).unwrap().trim().to_owned();
    repo.write("b.env", format!("{}\n", app_key(2)));
    repo.commit_all("second");
    repo.write(
        "gl.toml",
        format!("[extend]\nuseDefault = true\n[allowlist]\ncommits = [\"{}\"]\n", &first[..10]),
    );
    let (code, found, stderr) = scan(&repo, &["--config", "gl.toml", "--all-history"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(found, [loc("b.env", 1, "servicetitan-app-key")]);
}

#[test]
fn without_use_default_the_files_rules_replace_the_defaults() {
    let repo = Repo::new();
    repo.write(".gitleaks.toml", "[[rules]]\nid = \"acme\"\nregex = '''acme_[a-z0-9]{20}'''\n");
    repo.write("a.env", format!("{}\n{}\n", acme(1), app_key(2)));
    let (_, found, _) = scan(&repo, &["."]);
    assert_eq!(found, [loc("a.env", 1, "acme")]);
}

#[test]
fn extend_path_loads_a_base_file_whose_rules_the_extending_file_overrides() {
    let repo = Repo::new();
    repo.write(
        "base.toml",
        "title = \"base\"\n[[rules]]\nid = \"acme\"\nregex = '''acme_[a-z0-9]{20}'''\n[[rules]]\nid = \"other\"\nregex = '''other_[0-9]{8}'''\n",
    );
    repo.write(
        "gl.toml",
        "[extend]\npath = \"base.toml\"\n[[rules]]\nid = \"acme\"\nregex = '''ACME_KEY=(acme_[a-z0-9]{20})'''\n",
    );
    repo.write("a.env", format!("X={}\nACME_KEY={}\nother_12345678\n", acme(1), acme(2)));
    let (_, found, stderr) = scan(&repo, &["--config", "gl.toml", "."]);
    assert_eq!(found, [loc("a.env", 2, "acme"), loc("a.env", 3, "other")], "{stderr}");
}

#[test]
fn what_cannot_be_honored_is_a_warning_naming_the_key() {
    let repo = Repo::new();
    repo.write(
        "gl.toml",
        r#"
[extend]
useDefault = true
url = "https://example.invalid/gitleaks.toml"
disabledRules = ["no-such-rule"]
[[rules]]
id = "pkcs12-file"
path = '''\.p12$'''
[[rules]]
id = "composite"
regex = '''a'''
[[rules.required]]
id = "other"
[[rules]]
id = "odd"
regex = '''odd_[0-9]{6}'''
frobnicate = 1
[futureSection]
x = 1
"#,
    );
    repo.write("a.txt", "odd_123456\n");
    let (code, found, stderr) = scan(&repo, &["--config", "gl.toml", "."]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(found, [loc("a.txt", 1, "odd")]);
    for key in
        ["extend.url", "extend.disabledRules", "pkcs12-file", "required", "frobnicate", "futureSection"]
    {
        assert!(
            stderr.lines().any(|l| l.starts_with("keyfence: warning: ") && l.contains(key)),
            "no warning for {key}: {stderr}"
        );
    }
}

#[test]
fn a_regex_go_accepts_and_rust_rejects_is_an_error_naming_the_rule() {
    let repo = Repo::new();
    repo.write("gl.toml", "[[rules]]\nid = \"lookahead\"\nregex = '''key(?=[0-9])'''\n");
    repo.write("a.txt", "x\n");
    let (code, _, stderr) = run(repo.keyfence().args(["scan", "--config", "gl.toml", "."]));
    assert_eq!(code, 2);
    assert!(stderr.contains("gl.toml:2:") && stderr.contains("rule lookahead"), "{stderr}");
}

#[test]
fn the_gitleaks_allow_marker_is_honored() {
    let repo = Repo::new();
    repo.write("a.env", format!("A={} # gitleaks:allow\nB={}\n", app_key(1), app_key(2)));
    let (_, found, _) = scan(&repo, &["."]);
    assert_eq!(found, [loc("a.env", 2, "servicetitan-app-key")]);
}

#[test]
fn rules_check_accepts_a_gitleaks_file() {
    let repo = Repo::new();
    repo.write("gl.toml", GITLEAKS_CONFIG);
    let (code, stdout, stderr) = run(repo.keyfence().args(["rules", "--check", "gl.toml"]));
    // gitleaks rules carry no examples: each one is reported as lacking them, not as broken.
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.lines().all(|l| l.contains("needs at least 2")), "{stdout}");
    assert!(stderr.contains("5 rules"), "{stderr}");
}

#[test]
fn targeted_allowlists_apply_to_rules_of_the_same_file_and_re2_braces_are_literal() {
    let repo = Repo::new();
    repo.write(
        "gl.toml",
        r#"
[[allowlists]]
targetRules = ["tagged"]
regexes = ['''^0000''']

[[rules]]
id = "tagged"
regex = '''tagged_([0-9a-z]{12})'''
keywords = ["tagged_"]
[[rules.allowlists]]
regexes = ['''^\$(?:\d+|{\d+})$''', '''^\${(?:[A-Z_]+)}$''']
"#,
    );
    repo.write("a.txt", format!("tagged_0000{}\ntagged_{}\n", body(1, 8), body(2, 12)));
    let (code, found, stderr) = scan(&repo, &["--config", "gl.toml", "."]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(found, [loc("a.txt", 2, "tagged")]);
}
