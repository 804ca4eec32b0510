//! `keyfence explain ID`: rules, FAQ rules and fingerprints of the last report.

use crate::common::{app_key, json_findings, run, Repo};

#[test]
fn a_rule_id_explains_the_rule_its_faq_rule_and_the_remediation_for_its_kind() {
    let repo = Repo::new();
    let (code, stdout, stderr) = run(repo.keyfence().args(["explain", "servicetitan-client-secret"]));
    assert_eq!(code, 0, "{stderr}");
    for expected in [
        "servicetitan-client-secret",
        "ST-PORTAL-NEVER-PUBLISH-CLIENT-CREDS",
        "https://developer.servicetitan.io/",
        "generate a new client secret",
        "integrations@servicetitan.com",
        "does not un-leak",
    ] {
        assert!(stdout.contains(expected), "{expected}: {stdout}");
    }
    let (_, stdout, _) = run(repo.keyfence().args(["explain", "servicetitan-app-key"]));
    assert!(stdout.contains("cannot be regenerated: create a new app"), "{stdout}");
    assert!(!stdout.contains("generate a new client secret"), "{stdout}");
}

#[test]
fn a_faq_id_in_any_case_explains_the_faq_rule() {
    let repo = Repo::new();
    let (code, stdout, _) = run(repo.keyfence().args(["explain", "st-faq-contact-before-3p"]));
    assert_eq!(code, 0);
    assert!(stdout.starts_with("ST-FAQ-CONTACT-BEFORE-3P: "), "{stdout}");
    assert!(stdout.contains("https://developer.servicetitan.io/docs/faqs-customers/"), "{stdout}");
    let (_, stdout, _) = run(repo.keyfence().args(["explain", "ST-FAQ-NO-SHARED-APP-KEY"]));
    assert!(stdout.contains("cited by servicetitan-app-key"), "{stdout}");
}

#[test]
fn a_fingerprint_prefix_of_the_last_report_explains_that_finding_which_was_saved_redacted() {
    let repo = Repo::new();
    let key = app_key(1000);
    repo.write("deploy.env", format!("ST_APP_KEY={key}\n"));
    let (code, stdout, _) = run(repo.keyfence().args(["scan", ".", "--format", "json", "--show-secrets"]));
    assert_eq!(code, 1);
    let fingerprint = json_findings(&stdout)[0]["fingerprint"].as_str().unwrap().to_owned();
    let saved = std::fs::read_to_string(repo.path().join(".git/keyfence/last-report.json")).unwrap();
    assert!(saved.contains(&fingerprint) && !saved.contains(&key), "the last report is redacted: {saved}");

    let (code, stdout, stderr) = run(repo.keyfence().args(["explain", &fingerprint[..10]]));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.starts_with("deploy.env:1: servicetitan-app-key"), "{stdout}");
    assert!(stdout.contains(&format!("{}…", &key[..6])) && !stdout.contains(&key), "{stdout}");
    assert!(stdout.contains("ST-FAQ-NO-SHARED-APP-KEY") && stdout.contains("create a new app"), "{stdout}");
    // A fingerprint that is not in the last report.
    let (code, _, stderr) = run(repo.keyfence().args(["explain", "0123456789abcdef"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("hint:"), "{stderr}");
}

#[test]
fn an_unknown_id_is_a_usage_error_with_a_hint() {
    let repo = Repo::new();
    for id in ["no-such-rule", "abc123"] {
        let (code, stdout, stderr) = run(repo.keyfence().args(["explain", id]));
        assert_eq!(code, 2, "{id}");
        assert!(
            stdout.is_empty() && stderr.contains("not a rule id") && stderr.contains("hint: "),
            "{stderr}"
        );
    }
    // Outside a repository a fingerprint has no last report to be found in.
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = run(crate::common::keyfence(dir.path()).args(["explain", "0123456789abcdef"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("no last report"), "{stderr}");
}
