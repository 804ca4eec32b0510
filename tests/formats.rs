//! The report formats gitleaks and CI users ingest: `--format csv`, `--format junit`, and the
//! JSON fields `line_text`, `entropy`, `commit_message` and `author_name`.

use crate::common::{app_key, client_id, json_findings, run, Repo};

/// A work tree with an App Key and a Client ID on one line of `app.env`; returns the repository
/// and the two.
fn repo_with_two_secrets_on_one_line() -> (Repo, String, String) {
    let repo = Repo::new();
    let (key, id) = (app_key(800), client_id(801));
    repo.write("app.env", format!("# settings\nST=\"{key}\" ID={id} # ok\n"));
    (repo, key, id)
}

/// Commits everything with author name `name`.
fn commit_as(repo: &Repo, name: &str, message: &str) {
    repo.git(&["add", "-A"]);
    let output = repo
        .git_command(&["commit", "-q", "--no-verify", "-m", message])
        .env("GIT_AUTHOR_NAME", name)
        .output()
        .unwrap();
    assert!(output.status.success());
}

#[test]
fn json_has_line_text_redacted_entropy_and_the_commit_message_and_author_name() {
    let repo = Repo::new();
    let (key, id) = (app_key(802), client_id(803));
    repo.write("app.env", format!("# settings\nST=\"{key}\" ID={id} # ok\n"));
    commit_as(&repo, "Ann Author", "add config\n\nlonger body");

    let (code, stdout, stderr) = run(repo.keyfence().args(["scan", "--all-history", "--format", "json"]));
    assert_eq!(code, 1, "{stderr}");
    let findings = json_findings(&stdout);
    let by_rule = |rule: &str| findings.iter().find(|f| f["rule_id"] == rule).unwrap().clone();
    let key_finding = by_rule("servicetitan-app-key");
    let line_text = key_finding["line_text"].as_str().unwrap();
    assert!(line_text.starts_with("ST=\"ak1.") && line_text.ends_with(" # ok"), "{line_text}");
    assert!(
        !line_text.contains(&key) && !line_text.contains(&id),
        "both secrets of the line are redacted: {line_text}"
    );
    assert!(line_text.contains(key_finding["secret"].as_str().unwrap()));
    assert_eq!(key_finding["commit_message"], "add config");
    assert_eq!(key_finding["author_name"], "Ann Author");
    let entropy = key_finding["entropy"].as_f64().unwrap();
    assert!((3.0..6.0).contains(&entropy), "{entropy}");

    let (_, clear, _) =
        run(repo.keyfence().args(["scan", "--all-history", "--format", "json", "--show-secrets"]));
    let clear = json_findings(&clear);
    let line = clear.iter().find(|f| f["rule_id"] == "servicetitan-app-key").unwrap()["line_text"].clone();
    assert_eq!(line.as_str().unwrap(), format!("ST=\"{key}\" ID={id} # ok"));

    // A directory scan has no commit: message and author name are null, the line is there.
    let (_, stdout, _) = run(repo.keyfence().args(["scan", ".", "--format", "json"]));
    let on_disk = &json_findings(&stdout)[0];
    assert!(on_disk["commit_message"].is_null() && on_disk["author_name"].is_null(), "{on_disk}");
    assert!(on_disk["line_text"].as_str().unwrap().contains(" # ok"));
}

#[test]
fn a_long_line_is_cut_around_the_secret() {
    let repo = Repo::new();
    let key = app_key(804);
    repo.write("min.js", format!("var a=\"{}\";k=\"{key}\";{}\n", "x".repeat(5000), "y".repeat(5000)));
    let (_, stdout, _) = run(repo.keyfence().args(["scan", ".", "--format", "json"]));
    let line_text = json_findings(&stdout)[0]["line_text"].as_str().unwrap().to_owned();
    assert!(line_text.len() < 400, "{}", line_text.len());
    assert!(line_text.starts_with('…') && line_text.ends_with('…'), "{line_text}");
}

#[test]
fn csv_has_a_header_and_one_quoted_row_per_finding() {
    let repo = Repo::new();
    let key = app_key(805);
    repo.write("a \"quoted\", file.env", format!("KEY={key}\n"));
    commit_as(&repo, "Ann, Author", "add, \"quoted\" key");
    let (code, stdout, stderr) = run(repo.keyfence().args(["scan", "--all-history", "--format", "csv"]));
    assert_eq!(code, 1, "{stderr}");
    let mut reader = csv::Reader::from_reader(stdout.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    for column in [
        "rule_id",
        "file",
        "line",
        "column",
        "commit",
        "author",
        "email",
        "date",
        "fingerprint",
        "secret",
        "exposure",
        "shared_with",
    ] {
        assert!(header.iter().any(|h| h == column), "{column} in {header:?}");
    }
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1, "{stdout}");
    let cell = |name: &str| rows[0][header.iter().position(|h| h == name).unwrap()].to_owned();
    assert_eq!(cell("rule_id"), "servicetitan-app-key");
    assert_eq!(cell("file"), "a \"quoted\", file.env");
    assert_eq!(cell("author"), "Ann, Author");
    assert_eq!(cell("message"), "add, \"quoted\" key");
    assert_eq!(cell("line"), "1");
    assert!(cell("secret").starts_with("ak1.") && !stdout.contains(&key), "redacted: {stdout}");
    assert!(stdout.contains("\"a \"\"quoted\"\", file.env\""), "RFC 4180 quoting: {stdout}");

    // Clean: the header alone, exit 0; --report writes the same CSV.
    let clean = Repo::new();
    clean.write("a.txt", "nothing\n");
    let report = clean.path().join("out.csv");
    let (code, stdout, _) =
        run(clean.keyfence().args(["scan", ".", "--format", "csv", "--report"]).arg(&report));
    assert_eq!(code, 0);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert_eq!(std::fs::read_to_string(&report).unwrap(), stdout);
}

#[test]
fn junit_has_a_failing_test_case_per_finding_and_a_passing_one_when_clean() {
    let (repo, key, _) = repo_with_two_secrets_on_one_line();
    repo.write("x&<y>.env", format!("K={}\n", app_key(806)));
    let report = repo.path().join("junit.xml");
    let (code, stdout, stderr) =
        run(repo.keyfence().args(["scan", ".", "--format", "junit", "--report"]).arg(&report));
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(std::fs::read_to_string(&report).unwrap(), stdout, "the report file holds the same XML");
    assert!(!stdout.contains(&key), "redacted");
    let doc = roxmltree::Document::parse(&stdout).expect("valid XML");
    let suites: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("testsuite")).collect();
    assert_eq!(suites.len(), 1);
    let cases: Vec<_> = suites[0].children().filter(|n| n.has_tag_name("testcase")).collect();
    let failures = suites[0].attribute("failures").unwrap().parse::<usize>().unwrap();
    assert!(failures >= 3, "{stdout}");
    assert_eq!(cases.len(), failures);
    assert!(cases.iter().all(|c| c.children().any(|n| n.has_tag_name("failure"))));
    assert!(cases.iter().any(|c| c.attribute("classname") == Some("x&<y>.env")), "escaped and read back");

    let clean = Repo::new();
    clean.write("a.txt", "nothing\n");
    let (code, stdout, _) = run(clean.keyfence().args(["scan", ".", "--format", "junit"]));
    assert_eq!(code, 0);
    let doc = roxmltree::Document::parse(&stdout).expect("valid XML");
    let cases: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("testcase")).collect();
    assert_eq!(cases.len(), 1);
    assert!(cases[0].children().all(|n| !n.has_tag_name("failure")), "{stdout}");
    assert_eq!(doc.root_element().attribute("failures"), Some("0"));
}

/// `keyfence rules ARGS --format json` in an empty folder: (exit status, rule ids).
fn rule_ids(args: &[&str]) -> (i32, Vec<String>, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut full = vec!["rules", "--format", "json"];
    full.extend_from_slice(args);
    let (code, stdout, stderr) = run(crate::common::keyfence(dir.path()).args(&full));
    let ids = match serde_json::from_str::<Vec<serde_json::Value>>(&stdout) {
        Ok(rules) => rules.iter().map(|r| r["id"].as_str().unwrap().to_owned()).collect(),
        Err(_) => Vec::new(),
    };
    (code, ids, stderr)
}

#[test]
fn rules_lists_servicetitan_first_with_each_regex() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, _) = run(crate::common::keyfence(dir.path()).args(["rules", "--format", "json"]));
    assert_eq!(code, 0);
    let rules: Vec<serde_json::Value> = serde_json::from_str(&stdout).unwrap();
    let first_other = rules.iter().position(|r| r["family"] != "servicetitan").unwrap();
    assert!(first_other > 0, "ServiceTitan rules come first");
    assert!(rules[first_other..].iter().all(|r| r["family"] != "servicetitan"), "and all of them");
    assert!(rules.iter().all(|r| regex::Regex::new(r["regex"].as_str().unwrap()).is_ok()));
    let (_, human, _) = run(crate::common::keyfence(dir.path()).args(["rules"]));
    assert!(human.starts_with("servicetitan-"), "{}", &human[..human.len().min(200)]);
}

#[test]
fn rules_filter_by_id_family_faq_id_or_glob() {
    let (code, ids, _) = rule_ids(&["app-key"]);
    assert_eq!(code, 0);
    assert!(
        ids.contains(&"servicetitan-app-key".to_owned()) && ids.contains(&"datadog-app-key".to_owned()),
        "{ids:?}"
    );
    assert!(!ids.iter().any(|id| id.starts_with("github-")), "{ids:?}");
    let (_, ids, _) = rule_ids(&["AWS"]);
    assert!(!ids.is_empty() && ids.iter().all(|id| id.starts_with("aws")), "family, any case: {ids:?}");
    let (_, ids, _) = rule_ids(&["ST-FAQ-NO-SHARED-APP-KEY"]);
    assert!(ids.contains(&"servicetitan-app-key".to_owned()), "{ids:?}");
    let (_, ids, _) = rule_ids(&["servicetitan-*"]);
    assert!(ids.len() >= 3 && ids.iter().all(|id| id.starts_with("servicetitan-")), "{ids:?}");

    // Exit 1 means "secrets found": a filter that keeps nothing is a usage error (fresh-user
    // trial), one line and a hint naming how to see every rule.
    for format in ["human", "json"] {
        let dir = tempfile::tempdir().unwrap();
        let (code, stdout, stderr) = run(crate::common::keyfence(dir.path()).args([
            "rules",
            "no-such-rule-anywhere",
            "--format",
            format,
        ]));
        assert_eq!((code, stdout.as_str()), (2, ""), "{stderr}");
        assert!(
            stderr.starts_with("keyfence: error: no rule matches \"no-such-rule-anywhere\"\n"),
            "{stderr}"
        );
        assert!(stderr.contains("hint:") && stderr.contains("`keyfence rules` lists them all"), "{stderr}");
        assert_eq!(stderr.lines().count(), 2, "{stderr}");
    }
    let (code, _, stderr) = rule_ids(&["[unclosed"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("not a valid glob"), "{stderr}");
}

#[test]
fn junit_of_an_incomplete_scan_has_an_error_test_case() {
    let repo = Repo::new();
    repo.write("a.txt", "fine\n");
    repo.git(&["add", "a.txt"]);
    repo.corrupt_staged_blob("a.txt");
    let (code, stdout, stderr) = run(repo.keyfence().args(["scan", "--staged", "--format", "junit"]));
    assert_eq!(code, 2, "{stderr}");
    let doc = roxmltree::Document::parse(&stdout).expect("valid XML");
    assert_eq!(doc.root_element().attribute("errors"), Some("1"), "{stdout}");
    assert!(doc.descendants().any(|n| n.has_tag_name("error")), "{stdout}");
    // Fresh-user trial: an incomplete scan had a passing "no secrets found" case beside the error.
    let cases: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("testcase")).collect();
    assert_eq!(cases.len(), 1, "only the error case: {stdout}");
    assert!(cases.iter().all(|c| c.attribute("name") != Some("no secrets found")), "{stdout}");
    assert_eq!(doc.root_element().attribute("tests"), Some("1"), "{stdout}");
}

/// Fresh-user trial: `keyfence scan nosuchfile --format junit` exited 2 with no XML at all, so a
/// CI step reading the report found nothing. JUnit and SARIF now say the scan failed; JSON and
/// CSV write nothing (an empty list would read as a clean scan).
#[test]
fn a_scan_that_fails_before_reporting_still_writes_a_failing_junit_or_sarif_report() {
    let repo = Repo::new();
    let junit_file = repo.path().join("out/keyfence.xml");
    std::fs::create_dir_all(junit_file.parent().unwrap()).unwrap();
    let (code, stdout, stderr) = run(repo.keyfence().args([
        "scan",
        "nosuchfile",
        "--format",
        "junit",
        "--report",
        junit_file.to_str().unwrap(),
    ]));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("keyfence: error: cannot read nosuchfile"), "{stderr}");
    for xml in [stdout.clone(), std::fs::read_to_string(&junit_file).expect("the report file is written")] {
        let doc = roxmltree::Document::parse(&xml).expect("valid XML");
        assert_eq!(doc.root_element().attribute("errors"), Some("1"), "{xml}");
        let error = doc.descendants().find(|n| n.has_tag_name("error")).expect("an <error>");
        assert!(error.text().unwrap_or_default().contains("cannot read nosuchfile"), "{xml}");
        assert!(!xml.contains("no secrets found"), "{xml}");
    }

    let (code, stdout, stderr) = run(repo.keyfence().args(["scan", "nosuchfile", "--format", "sarif"]));
    assert_eq!(code, 2, "{stderr}");
    let sarif: serde_json::Value = serde_json::from_str(&stdout).expect("a SARIF log");
    let invocation = &sarif["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false, "{stdout}");
    let note = invocation["toolExecutionNotifications"][0]["message"]["text"].as_str().unwrap();
    assert!(note.contains("cannot read nosuchfile"), "{stdout}");

    for format in ["json", "csv", "human"] {
        let (code, stdout, stderr) = run(repo.keyfence().args(["scan", "nosuchfile", "--format", format]));
        assert_eq!((code, stdout.as_str()), (2, ""), "{format}: {stderr}");
    }
    // A scan that reports normally writes one document, not a second one for a late error.
    repo.write("a.txt", "fine\n");
    let (code, stdout, _) = run(repo.keyfence().args(["scan", "a.txt", "--format", "junit"]));
    assert_eq!(code, 0);
    assert_eq!(stdout.matches("<?xml").count(), 1, "{stdout}");
    assert!(stdout.contains("no secrets found"), "{stdout}");
}
