//! What reports say: FAQ rules, redaction in every format, color, the report file.

use crate::common::{app_key, client_id, client_secret, json_findings, run, Repo};

fn repo_with_all_servicetitan_credentials() -> (Repo, [String; 3]) {
    let repo = Repo::new();
    let secrets = [app_key(70), client_id(71), client_secret(72)];
    repo.write(
        ".env",
        format!("ST_APP_KEY={}\nST_CLIENT_ID={}\nST_CLIENT_SECRET={}\n", secrets[0], secrets[1], secrets[2]),
    );
    (repo, secrets)
}

#[test]
fn every_servicetitan_rule_prints_its_faq_rule_and_url() {
    let (repo, _) = repo_with_all_servicetitan_credentials();
    let (code, stdout, _) = run(repo.keyfence().args(["scan", "."]));
    assert_eq!(code, 1);
    for (rule, faq, url) in [
        (
            "servicetitan-app-key",
            "ST-FAQ-NO-SHARED-APP-KEY",
            "https://developer.servicetitan.io/docs/faqs-customers/",
        ),
        (
            "servicetitan-client-id",
            "ST-FAQ-PER-TENANT-CLIENT-CREDS",
            "https://developer.servicetitan.io/docs/get-going-manage-client-id-and-secret/",
        ),
        (
            "servicetitan-client-secret",
            "ST-PORTAL-NEVER-PUBLISH-CLIENT-CREDS",
            "https://developer.servicetitan.io/docs/get-going-manage-client-id-and-secret/",
        ),
    ] {
        let block =
            stdout.split("\n\n").find(|b| b.contains(rule)).unwrap_or_else(|| panic!("{rule} in {stdout}"));
        assert!(block.contains(faq) && block.contains(url), "{block}");
        assert!(block.contains("next    1."), "{block}");
    }
}

#[test]
fn secrets_are_redacted_in_human_and_json_output() {
    let (repo, secrets) = repo_with_all_servicetitan_credentials();
    for format in ["human", "json"] {
        let (code, stdout, stderr) = run(repo.keyfence().args(["scan", ".", "--format", format]));
        assert_eq!(code, 1);
        for secret in &secrets {
            let body = &secret[secret.find('.').unwrap() + 1..];
            assert!(!stdout.contains(&body[..3]), "{format} leaks {secret}: {stdout}");
            assert!(!stderr.contains(&body[..3]));
            let shown = format!("{}{}…", &secret[..secret.find('.').unwrap() + 1], &body[..2]);
            assert!(stdout.contains(&shown), "{format} shows {shown}: {stdout}");
        }
    }
}

#[test]
fn show_secrets_prints_them_in_clear() {
    let (repo, secrets) = repo_with_all_servicetitan_credentials();
    let (_, stdout, _) = run(repo.keyfence().args(["scan", ".", "--format", "json", "--show-secrets"]));
    let shown: Vec<String> =
        json_findings(&stdout).iter().map(|f| f["secret"].as_str().unwrap().to_owned()).collect();
    // The three credentials, and the credential set they form (its secret lists all three).
    let mut expected = secrets.to_vec();
    expected.insert(1, secrets.join(" "));
    assert_eq!(shown, expected);
}

#[test]
fn json_has_the_contract_fields() {
    let (repo, secrets) = repo_with_all_servicetitan_credentials();
    let (_, stdout, _) = run(repo.keyfence().args(["scan", ".", "--format", "json"]));
    let findings = json_findings(&stdout);
    assert_eq!(findings.len(), 4, "three credentials and the set they form: {stdout}");
    let first = &findings[0];
    for field in [
        "rule_id",
        "description",
        "severity",
        "path",
        "line",
        "column",
        "end_column",
        "secret",
        "fingerprint",
        "fingerprint_kind",
        "commit",
        "author",
        "faq",
    ] {
        assert!(first.get(field).is_some(), "missing {field} in {first}");
    }
    assert_eq!(first["rule_id"], "servicetitan-app-key");
    assert_eq!(first["severity"], "critical");
    assert_eq!(first["path"], ".env");
    assert_eq!((first["line"].as_u64(), first["column"].as_u64()), (Some(1), Some(12)));
    assert_eq!(first["end_column"].as_u64(), Some(12 + secrets[0].len() as u64 - 1));
    assert!(first["commit"].is_null() && first["author"].is_null());
    assert_eq!(first["faq"]["id"], "ST-FAQ-NO-SHARED-APP-KEY");
    assert!(first["faq"]["rule"].as_str().unwrap().len() > 20);
    assert_eq!(first["fingerprint"].as_str().unwrap().len(), 64);
}

#[test]
fn fingerprints_survive_moving_the_secret_to_another_line() {
    let repo = Repo::new();
    let key = app_key(73);
    repo.write("a.env", format!("K={key}\n"));
    let (_, before, _) = run(repo.keyfence().args(["scan", ".", "--format", "json"]));
    repo.write("a.env", format!("# moved down\n\nK={key}\n"));
    let (_, after, _) = run(repo.keyfence().args(["scan", ".", "--format", "json"]));
    let fp = |s: &str| json_findings(s)[0]["fingerprint"].clone();
    assert_eq!(fp(&before), fp(&after));
    assert_ne!(json_findings(&before)[0]["line"], json_findings(&after)[0]["line"]);
}

#[test]
fn color_follows_the_flag_and_no_color() {
    let (repo, _) = repo_with_all_servicetitan_credentials();
    let (_, always, _) = run(repo.keyfence().args(["scan", ".", "--color", "always"]));
    assert!(always.contains("\u{1b}["), "--color always colors");
    let (_, never, _) = run(repo.keyfence().args(["scan", ".", "--color", "never"]));
    assert!(!never.contains('\u{1b}'));
    let (_, piped, _) = run(repo.keyfence().args(["scan", "."]));
    assert!(!piped.contains('\u{1b}'), "auto does not color a pipe");
    let (_, no_color, _) = run(repo.keyfence().args(["scan", "."]).env("NO_COLOR", "1"));
    assert!(!no_color.contains('\u{1b}'));
}

#[test]
fn report_file_gets_the_same_report_uncolored() {
    let (repo, _) = repo_with_all_servicetitan_credentials();
    let out = tempfile::tempdir().unwrap();
    let report = out.path().join("report.json");
    let (code, stdout, _) =
        run(repo.keyfence().args(["scan", ".", "--format", "json", "--report"]).arg(&report));
    assert_eq!(code, 1);
    assert_eq!(std::fs::read_to_string(&report).unwrap(), stdout);

    let human = out.path().join("report.txt");
    let (_, stdout, _) =
        run(repo.keyfence().args(["scan", ".", "--color", "always", "--report"]).arg(&human));
    let written = std::fs::read_to_string(&human).unwrap();
    assert!(stdout.contains('\u{1b}') && !written.contains('\u{1b}'));
    assert!(written.contains("servicetitan-client-secret"));
}

#[test]
fn keyfence_scans_its_own_repository_clean() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let (code, stdout, stderr) = run(crate::common::keyfence(root).args(["scan", "."]));
    assert_eq!(code, 0, "{stdout}{stderr}");
}

/// Its history too: `.keyfence.toml` accepts the one commit whose fake test values predate their
/// allow markers. A shallow or exported checkout has no history to hold to this.
#[test]
fn keyfence_scans_its_own_history_clean() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let shallow = std::process::Command::new("git")
        .args(["rev-parse", "--is-shallow-repository"])
        .current_dir(root)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() != "false")
        .unwrap_or(true);
    if shallow {
        eprintln!("skipped: this checkout has no full git history");
        return;
    }
    let (code, stdout, stderr) = run(crate::common::keyfence(root).args(["scan", "--all-history"]));
    assert_eq!(code, 0, "{stdout}{stderr}");
}

#[test]
fn rules_lists_every_rule_with_its_faq_rule() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, _) = run(crate::common::keyfence(dir.path()).args(["rules", "--format", "json"]));
    assert_eq!(code, 0);
    let rules: Vec<serde_json::Value> = serde_json::from_str(&stdout).unwrap();
    let app_key = rules.iter().find(|r| r["id"] == "servicetitan-app-key").unwrap();
    assert_eq!(app_key["faq"]["id"], "ST-FAQ-NO-SHARED-APP-KEY");
    assert!(rules.len() >= 10);
    let (code, human, _) = run(crate::common::keyfence(dir.path()).args(["rules"]));
    assert_eq!(code, 0);
    assert!(human.contains("servicetitan-client-secret (critical)"));
}
