//! SARIF and baselines.

use crate::common::{app_key, client_secret, json_findings, run, Repo};
use serde_sarif::sarif::Sarif;

#[test]
fn sarif_is_valid_2_1_0_with_rules_fingerprints_and_no_secret() {
    let repo = Repo::new();
    let key = app_key(300);
    repo.write("dir with space/.env", format!("KEY={key}\n"));
    repo.commit_all("leak");
    let (code, stdout, _) = run(repo.keyfence().args(["scan", "--all-history", "--format", "sarif"]));
    assert_eq!(code, 1);
    assert!(!stdout.contains(&key[4..]), "no secret in clear");
    // The SARIF types crate is generated from the 2.1.0 schema: the log must deserialize into it
    // and serialize back to the same JSON (no field lost or misnamed).
    let typed: Sarif = serde_json::from_str(&stdout).expect("valid SARIF 2.1.0");
    let value: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(serde_json::to_value(&typed).unwrap(), value);

    let run0 = &value["runs"][0];
    assert_eq!(value["version"], "2.1.0");
    let rules = run0["tool"]["driver"]["rules"].as_array().unwrap();
    let (_, listed, _) = run(repo.keyfence().args(["rules", "--format", "json"]));
    assert_eq!(rules.len(), serde_json::from_str::<Vec<serde_json::Value>>(&listed).unwrap().len());
    let app_rule = rules.iter().find(|r| r["id"] == "servicetitan-app-key").unwrap();
    assert_eq!(app_rule["helpUri"], "https://developer.servicetitan.io/docs/faqs-customers/");
    let aws = rules.iter().find(|r| r["id"] == "aws-access-key-id").unwrap();
    assert!(aws["helpUri"].as_str().unwrap().starts_with("https://docs.aws.amazon.com/"));

    let result = &run0["results"][0];
    assert_eq!(result["ruleId"], "servicetitan-app-key");
    assert_eq!(rules[result["ruleIndex"].as_u64().unwrap() as usize]["id"], "servicetitan-app-key");
    let location = &result["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "dir%20with%20space/.env");
    assert_eq!(location["region"]["startLine"], 1);
    assert_eq!(location["region"]["startColumn"], 5);
    assert_eq!(location["region"]["snippet"]["text"], format!("{}…", &key[..6]));
    assert_eq!(result["partialFingerprints"]["keyfence/v2"].as_str().unwrap().len(), 64);
    assert_eq!(result["properties"]["author"], "test@keyfence.invalid");
    assert_eq!(result["properties"]["commit"].as_str().unwrap().len(), 40);
}

#[test]
fn baseline_round_trip_hides_accepted_findings_and_counts_stale_entries() {
    let repo = Repo::new();
    let old = app_key(310);
    repo.write("old.env", format!("KEY={old}\n"));
    let baseline = repo.path().join(".keyfence-baseline.json");
    let (code, _, stderr) = run(repo.keyfence().args(["baseline"]).arg(&baseline).arg("."));
    assert_eq!(code, 0, "{stderr}");
    let text = std::fs::read_to_string(&baseline).unwrap();
    assert!(!text.contains(&old[4..]), "the baseline holds no secret: {text}");
    let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(parsed["findings"].as_array().unwrap().len(), 1);

    let (code, stdout, _) = run(repo.keyfence().args(["scan", ".", "--baseline"]).arg(&baseline));
    assert_eq!((code, stdout.as_str()), (0, ""));

    // Moving the secret down does not break the baseline; a new secret is reported.
    repo.write("old.env", format!("# moved\nKEY={old}\n"));
    repo.write("new.env", format!("SECRET={}\n", client_secret(311)));
    let (code, stdout, _) =
        run(repo.keyfence().args(["scan", ".", "--format", "json", "--baseline"]).arg(&baseline));
    assert_eq!(code, 1);
    let paths: Vec<String> =
        json_findings(&stdout).iter().map(|f| f["path"].as_str().unwrap().to_owned()).collect();
    assert_eq!(paths, ["new.env"]);

    // Removing the accepted secret leaves a stale entry, which the summary counts.
    std::fs::remove_file(repo.path().join("old.env")).unwrap();
    let (_, _, stderr) = run(repo.keyfence().args(["scan", ".", "--baseline"]).arg(&baseline));
    assert!(stderr.contains("1 of 1 baseline entries match no finding"), "{stderr}");
}

#[test]
fn a_bad_baseline_file_exits_2() {
    let repo = Repo::new();
    repo.write("b.json", "{\"nope\": 1}");
    let (code, _, stderr) = run(repo.keyfence().args(["scan", ".", "--baseline", "b.json"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("not a keyfence baseline"), "{stderr}");
    let (code, _, _) = run(repo.keyfence().args(["scan", ".", "--baseline", "missing.json"]));
    assert_eq!(code, 2);
}

#[test]
fn completions_and_man_page_are_generated() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish"] {
        let (code, stdout, _) = run(crate::common::keyfence(dir.path()).args(["completions", shell]));
        assert_eq!(code, 0);
        assert!(
            stdout.contains("keyfence") && stdout.contains("staged") && stdout.contains("all-history"),
            "{shell}"
        );
    }
    let (code, stdout, _) = run(crate::common::keyfence(dir.path()).args(["man"]));
    assert_eq!(code, 0);
    assert!(stdout.contains(".TH keyfence"), "{}", &stdout[..200.min(stdout.len())]);
    for section in
        ["KEYFENCE SCAN", "\\-\\-staged", "KEYFENCE HOOK INSTALL", "EXIT STATUS", "KEYFENCE_BASELINE"]
    {
        assert!(stdout.contains(section), "the man page documents {section}");
    }
}

#[test]
fn sarif_of_an_incomplete_scan_says_so() {
    let repo = Repo::new();
    repo.write("k.env", format!("K={}\n", app_key(320)));
    repo.git(&["add", "."]);
    repo.corrupt_staged_blob("k.env");
    let (code, stdout, _) = run(repo.keyfence().args(["scan", "--staged", "--format", "sarif"]));
    assert_eq!(code, 2);
    let value: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let invocation = &value["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    assert!(invocation["toolExecutionNotifications"][0]["message"]["text"]
        .as_str()
        .unwrap()
        .contains("k.env"));
}

#[test]
fn baseline_to_stdout_rejects_report_options_and_stale_counts_only_whole_scans() {
    let repo = Repo::new();
    repo.write("old.env", format!("K={}\n", app_key(321)));
    repo.commit_all("old");
    let (code, stdout, _) = run(repo.keyfence().args(["baseline", "-", "--all-history"]));
    assert_eq!(code, 0);
    assert!(stdout.contains("keyfence_baseline"), "{stdout}");
    // Outside the repository: a baseline the range itself adds would be a configuration change.
    let outside = tempfile::tempdir().unwrap();
    let baseline = outside.path().join("b.json");
    std::fs::write(&baseline, &stdout).unwrap();
    let baseline = baseline.to_str().unwrap();
    let (code, _, stderr) = run(repo.keyfence().args(["baseline", "x.json", "--format", "sarif", "."]));
    assert_eq!(code, 2);
    assert!(stderr.contains("writes only the baseline file"), "{stderr}");
    repo.write("clean.txt", "c\n");
    repo.commit_all("clean");
    let (code, _, stderr) =
        run(repo.keyfence().args(["scan", "--commits", "HEAD~1..HEAD", "--baseline", baseline]));
    assert_eq!(code, 0);
    assert!(!stderr.contains("match no finding"), "a range sees a slice: {stderr}");
    let (code, _, _) =
        run(repo.keyfence().args(["scan", "--all-history"]).env("KEYFENCE_BASELINE", baseline));
    assert_eq!(code, 0, "the baseline from the environment hides the old key");
}
