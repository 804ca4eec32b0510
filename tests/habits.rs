//! Issue 12: what a gitleaks or trufflehog user reaches for — `--no-ignore` and the skipped-files
//! summary, baseline counts, early output checks, messages that point the right way, and the
//! options, formats and reports peers' users expect.

use crate::common::{app_key, first_step, loc, locations, run, Repo};

/// A repository whose `.gitignore` hides a `.env` with an App Key, beside a clean file and a
/// binary one.
fn repo_with_ignored_env() -> Repo {
    let repo = Repo::new();
    repo.write(".gitignore", ".env\n");
    repo.write(".env", format!("ST_APP_KEY={}\n", app_key(1201)));
    repo.write("app.py", "print('hello')\n");
    repo.write("logo.bin", b"\x89PNG\0\0\0\x01");
    repo
}

#[test]
fn the_summary_counts_files_left_out_by_gitignore_and_as_binary() {
    let repo = repo_with_ignored_env();
    let (code, _, stderr) = run(repo.keyfence().args(["scan", "."]));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains(
            "no secrets found (2 files scanned; 2 files skipped: 1 ignored by .gitignore (--no-ignore to include), 1 binary)"
        ),
        "{stderr}"
    );
}

#[test]
fn no_ignore_scans_what_gitignore_leaves_out() {
    let repo = repo_with_ignored_env();
    let (code, stdout, stderr) = run(repo.keyfence().args(["scan", ".", "--no-ignore", "--format", "json"]));
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(locations(&stdout), [loc(".env", 1, "servicetitan-app-key")]);
    assert!(!stderr.contains("ignored by .gitignore"), "{stderr}");
}

#[test]
fn no_ignore_still_honors_keyfenceignore() {
    let repo = repo_with_ignored_env();
    repo.write(".keyfenceignore", ".env\n");
    let (code, _, stderr) = run(repo.keyfence().args(["scan", ".", "--no-ignore"]));
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn an_ignored_folder_counts_once_and_a_tracked_ignored_file_is_scanned_not_skipped() {
    let repo = Repo::new();
    repo.write(".gitignore", "build/\n*.local\n");
    for i in 0..5 {
        repo.write(&format!("build/out{i}.txt"), "generated\n");
    }
    repo.write("forced.local", format!("KEY={}\n", app_key(1202)));
    repo.git(&["add", ".gitignore"]);
    repo.git(&["add", "-f", "forced.local"]);
    let (code, stdout, stderr) = run(repo.keyfence().args(["scan", ".", "--format", "json"]));
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(locations(&stdout), [loc("forced.local", 1, "servicetitan-app-key")]);
    assert!(stderr.contains("1 file skipped: 1 ignored by .gitignore"), "{stderr}");
}

/// A temporary folder that is not a git work tree (the fixture's repository taken away).
fn plain_folder() -> Repo {
    let folder = Repo::new();
    std::fs::remove_dir_all(folder.path().join(".git")).unwrap();
    folder
}

#[test]
fn outside_a_repository_gitignore_hides_nothing_and_nothing_counts_as_ignored() {
    let folder = plain_folder();
    folder.write(".gitignore", ".env\n");
    folder.write(".env", format!("ST_APP_KEY={}\n", app_key(1203)));
    let (code, stdout, stderr) = run(folder.keyfence().args(["scan", ".", "--format", "json"]));
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(locations(&stdout), [loc(".env", 1, "servicetitan-app-key")]);
    assert!(!stderr.contains("ignored by .gitignore"), "{stderr}");
}

#[test]
fn a_repository_inside_a_plain_folder_counts_what_its_gitignore_leaves_out() {
    let folder = plain_folder();
    folder.git(&["init", "-q", "inner"]);
    folder.write("inner/.gitignore", ".env\n");
    folder.write("inner/.env", format!("ST_APP_KEY={}\n", app_key(1204)));
    let (code, _, stderr) = run(folder.keyfence().args(["scan", "."]));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("1 file skipped: 1 ignored by .gitignore"), "{stderr}");
}

#[test]
fn nothing_skipped_says_nothing_about_skipping() {
    let repo = Repo::new();
    repo.write("app.py", "print('hello')\n");
    let (code, _, stderr) = run(repo.keyfence().args(["scan", "."]));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("no secrets found (1 file scanned)"), "{stderr}");
}

#[test]
fn a_text_file_over_the_size_limit_counts_as_skipped_for_size() {
    let repo = Repo::new();
    repo.write("big.txt", "a".repeat(1024 * 1024 + 10));
    let (code, _, stderr) = run(repo.keyfence().args(["scan", ".", "--max-file-size", "1"]));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("1 file skipped: 1 over the size limit"), "{stderr}");
}

#[test]
fn a_baseline_that_hides_findings_says_how_many_it_accepted() {
    let repo = Repo::new();
    // One secret on two lines of one file: one fingerprint, one baseline entry, two findings.
    let key = app_key(1203);
    repo.write("config.py", format!("A = '{key}'\nB = '{key}'\n"));
    let (code, _, stderr) = run(repo.keyfence().args(["baseline", "base.json"]));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("wrote 1 baseline entry"), "{stderr}");
    let (code, _, stderr) = run(repo.keyfence().args(["scan", "config.py", "--baseline", "base.json"]));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("no new secrets found (2 accepted in the baseline; 1 file scanned"), "{stderr}");

    repo.write("more.py", format!("C = '{}'\n", app_key(1204)));
    let (code, _, stderr) = run(repo.keyfence().args(["scan", ".", "--baseline", "base.json"]));
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("1 new secret in 1 file (2 accepted in the baseline)"), "{stderr}");
}

#[test]
fn without_a_baseline_the_summary_says_nothing_of_one() {
    let repo = Repo::new();
    repo.write("more.py", format!("C = '{}'\n", app_key(1205)));
    let (code, _, stderr) = run(repo.keyfence().args(["scan", "."]));
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("keyfence: 1 secret in 1 file."), "{stderr}");
    assert!(!stderr.contains("baseline)"), "{stderr}");
}

#[test]
fn a_report_into_a_missing_folder_fails_before_scanning() {
    let repo = Repo::new();
    repo.write("more.py", format!("C = '{}'\n", app_key(1206)));
    let (code, stdout, stderr) =
        run(repo.keyfence().args(["scan", ".", "--format", "json", "--report", "no/such/dir/r.json"]));
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.is_empty(), "nothing scanned, nothing printed: {stdout}");
    assert!(stderr.contains("cannot write the report no/such/dir/r.json"), "{stderr}");
    assert!(!stderr.contains("secret in"), "{stderr}");
}

#[test]
fn a_writable_report_is_written_and_a_failed_check_leaves_no_file() {
    let repo = Repo::new();
    repo.write("more.py", format!("C = '{}'\n", app_key(1207)));
    let (code, _, stderr) =
        run(repo.keyfence().args(["scan", "more.py", "--format", "json", "--report", "r.json"]));
    assert_eq!(code, 1, "{stderr}");
    let report = std::fs::read_to_string(repo.path().join("r.json")).unwrap();
    assert_eq!(locations(&report), [loc("more.py", 1, "servicetitan-app-key")]);
    // A baseline whose scan fails leaves nothing behind, not even the probe file.
    let (code, _, stderr) = run(repo.keyfence().args(["baseline", "b.json", "missing-path"]));
    assert_eq!(code, 2, "{stderr}");
    assert!(!repo.path().join("b.json").exists());
}

#[test]
fn the_size_limit_message_names_where_the_limit_came_from() {
    let repo = Repo::new();
    // Short lines: the last step scans all of it, and one 25 MiB line is slow in a debug build.
    repo.write("big.txt", "a\n".repeat(25 * 512 * 1024 + 1));
    repo.git(&["add", "big.txt"]);
    let (code, _, stderr) = run(repo.keyfence().args(["scan", "--staged"]));
    assert_eq!(code, 2, "the hook fails closed: {stderr}");
    assert!(stderr.contains("over the limit of 25 MiB (the default)"), "{stderr}");
    assert!(stderr.contains("KEYFENCE_MAX_FILE_SIZE"), "{stderr}");
    assert!(!stderr.contains("set by --max-file-size"), "{stderr}");

    let (code, _, stderr) =
        run(repo.keyfence().args(["scan", "--staged"]).env("KEYFENCE_MAX_FILE_SIZE", "2"));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("over the limit of 2 MiB (set by KEYFENCE_MAX_FILE_SIZE)"), "{stderr}");
    let (code, _, stderr) = run(repo.keyfence().args(["scan", "--staged", "--max-file-size", "30"]));
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn a_range_reaching_before_the_first_commit_says_so() {
    let repo = Repo::new();
    repo.write("a.txt", "one\n");
    repo.commit_all("one");
    let (code, _, stderr) = run(repo.keyfence().args(["scan", "--commits", "HEAD~999..HEAD"]));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("reaches before the first commit"), "{stderr}");
    assert!(!stderr.contains("parent 0"), "{stderr}");
    let (code, _, stderr) = run(repo.keyfence().args(["scan", "--commits", "nosuchref..HEAD"]));
    assert_eq!(code, 2, "{stderr}");
    assert!(!stderr.contains("reaches before the first commit"), "{stderr}");
}

#[test]
fn a_tracked_env_file_is_advised_to_be_untracked() {
    let repo = Repo::new();
    repo.write(".env", format!("ST_APP_KEY={}\n", app_key(1208)));
    repo.write("app.py", format!("KEY = '{}'\n", app_key(1209)));
    repo.git(&["add", "."]);
    let step = first_step(repo.path(), &["scan", "--staged", "--format", "json"]);
    assert!(step.contains("git rm --cached .env"), "{step}");
    assert!(step.contains(".gitignore"), "{step}");
    let step = first_step(repo.path(), &["scan", "app.py", "--format", "json"]);
    assert!(step.contains("`git add` it again"), "{step}");
}

#[test]
fn outside_git_the_advice_names_no_git_command() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("app.py"), format!("KEY = '{}'\n", app_key(1210))).unwrap();
    let step = first_step(dir.path(), &["scan", "app.py", "--format", "json"]);
    assert!(!step.contains("git add"), "{step}");
    assert!(step.starts_with("Take the key out of the change"), "{step}");
}

#[test]
fn staged_with_a_path_says_staged_takes_no_paths() {
    let repo = Repo::new();
    repo.write("a.txt", "one\n");
    let (code, _, stderr) = run(repo.keyfence().args(["scan", "--staged", "a.txt"]));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--staged scans the index"), "{stderr}");
    assert!(stderr.contains("takes no paths"), "{stderr}");
}

/// The SARIF log of `keyfence scan --all-history --format sarif` in `repo`.
fn history_sarif(repo: &Repo) -> serde_json::Value {
    let (code, stdout, stderr) = run(repo.keyfence().args(["scan", "--all-history", "--format", "sarif"]));
    assert_eq!(code, 1, "{stderr}");
    let typed: serde_sarif::sarif::Sarif = serde_json::from_str(&stdout).expect("valid SARIF 2.1.0");
    let value: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(serde_json::to_value(&typed).unwrap(), value, "no field lost or misnamed");
    value
}

#[test]
fn history_sarif_points_at_the_line_the_secret_has_at_head() {
    let repo = Repo::new();
    let key = app_key(1211);
    repo.write("app.py", format!("a = 1\nb = 2\nc = 3\nd = 4\nKEY = '{key}'\n"));
    repo.commit_all("add key");
    repo.write("app.py", format!("{}a = 1\nb = 2\nc = 3\nd = 4\nKEY = '{key}'\n", "# pad\n".repeat(10)));
    repo.commit_all("pad");
    let sarif = history_sarif(&repo);
    let result = &sarif["runs"][0]["results"][0];
    let region = &result["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 15, "{result}");
    assert_eq!(region["startColumn"], 8, "{result}");
    assert_eq!(result["properties"]["commit_line"], 5);
    assert!(result["message"]["text"].as_str().unwrap().contains("still at HEAD; added in"), "{result}");
}

#[test]
fn history_sarif_says_a_secret_was_removed_and_gives_no_misleading_line() {
    let repo = Repo::new();
    repo.write("app.py", format!("KEY = '{}'\n", app_key(1212)));
    repo.write("gone.py", format!("KEY = '{}'\n", app_key(1213)));
    repo.commit_all("add keys");
    let added = String::from_utf8(repo.git(&["rev-parse", "HEAD"]).stdout).unwrap();
    repo.write("app.py", "KEY = os.environ['KEY']\n");
    std::fs::remove_file(repo.path().join("gone.py")).unwrap();
    repo.commit_all("remove keys");
    let sarif = history_sarif(&repo);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    for result in results {
        let location = &result["locations"][0]["physicalLocation"];
        assert!(location.get("region").is_none(), "{result}");
        let message = result["message"]["text"].as_str().unwrap();
        let path = location["artifactLocation"]["uri"].as_str().unwrap();
        assert!(message.contains("removed from HEAD"), "{message}");
        assert!(message.contains(&format!("added in {} at {path}:1", &added[..12])), "{message}");
        assert_eq!(result["properties"]["commit"], added.trim());
    }
}

#[test]
fn sarif_names_the_repository_revision_and_keyfence_itself() {
    let repo = Repo::new();
    repo.write("app.py", format!("KEY = '{}'\n", app_key(1214)));
    repo.commit_all("add key");
    let remote = "https://ci-bot:hunter2tok@example.com/acme/app.git"; // keyfence:allow (fake)
    repo.git(&["remote", "add", "origin", remote]);
    let head = String::from_utf8(repo.git(&["rev-parse", "HEAD"]).stdout).unwrap();
    let sarif = history_sarif(&repo);
    let run0 = &sarif["runs"][0];
    let provenance = &run0["versionControlProvenance"][0];
    assert_eq!(provenance["repositoryUri"], "https://example.com/acme/app.git");
    assert_eq!(provenance["revisionId"], head.trim());
    assert_eq!(provenance["branch"], "main");
    assert!(!sarif.to_string().contains("hunter2tok"));
    assert_eq!(run0["tool"]["driver"]["informationUri"], "https://github.com/keyfence/keyfence");
    let rules = run0["tool"]["driver"]["rules"].as_array().unwrap();
    let app = rules.iter().find(|r| r["id"] == "servicetitan-app-key").unwrap();
    let full = app["fullDescription"]["text"].as_str().unwrap();
    assert!(full.starts_with("ServiceTitan App Key. Breaks ST-FAQ-"), "{full}");
    assert!(full.ends_with('.'), "{full}");
}

#[test]
fn sarif_of_files_outside_git_has_no_version_control() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("app.py"), format!("KEY = '{}'\n", app_key(1215))).unwrap();
    let (code, stdout, stderr) =
        run(crate::common::keyfence(dir.path()).args(["scan", "app.py", "--format", "sarif"]));
    assert_eq!(code, 1, "{stderr}");
    let sarif: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(sarif["runs"][0].get("versionControlProvenance").is_none());
    assert_eq!(sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"], 1);
}

#[test]
fn exit_code_sets_the_status_for_findings_only() {
    let repo = Repo::new();
    repo.write("app.py", format!("KEY = '{}'\n", app_key(1216)));
    let (code, _, stderr) = run(repo.keyfence().args(["scan", ".", "--exit-code", "7"]));
    assert_eq!(code, 7, "{stderr}");
    let (code, _, _) = run(repo.keyfence().args(["scan", ".", "--exit-code", "0"]));
    assert_eq!(code, 0);
    std::fs::remove_file(repo.path().join("app.py")).unwrap();
    let (code, _, _) = run(repo.keyfence().args(["scan", ".", "--exit-code", "7"]));
    assert_eq!(code, 0, "clean stays 0");
    let (code, _, _) = run(repo.keyfence().args(["scan", "missing", "--exit-code", "7"]));
    assert_eq!(code, 2, "errors stay 2");
}

#[test]
fn redact_hides_a_percent_of_the_secret_and_the_default_is_unchanged() {
    let repo = Repo::new();
    let key = app_key(1217);
    repo.write("app.py", format!("KEY = '{key}'\n"));
    let secret_of = |args: &[&str]| {
        let (code, stdout, stderr) = run(repo.keyfence().args(["scan", ".", "--format", "json"]).args(args));
        assert_eq!(code, 1, "{stderr}");
        crate::common::json_findings(&stdout)[0]["secret"].as_str().unwrap().to_owned()
    };
    assert_eq!(secret_of(&[]), format!("{}…", &key[..6]), "default: prefix and two characters");
    assert_eq!(secret_of(&["--redact"]), "ak1.…");
    assert_eq!(secret_of(&["--redact=100"]), "ak1.…");
    assert_eq!(secret_of(&["--redact=60"]), format!("{}…", &key[..14]), "40% of 25 characters shown");
    assert_eq!(secret_of(&["--redact=0"]), key);
    let (code, _, stderr) = run(repo.keyfence().args(["scan", ".", "--redact=101"]));
    assert_eq!(code, 2, "{stderr}");
    let (code, _, stderr) = run(repo.keyfence().args(["scan", ".", "--redact", "--show-secrets"]));
    assert_eq!(code, 2, "{stderr}");
}

#[test]
fn threads_option_gives_the_same_findings() {
    let repo = Repo::new();
    for i in 0..6 {
        repo.write(&format!("d{i}/app.py"), format!("KEY = '{}'\n", app_key(1220 + i)));
    }
    repo.commit_all("keys");
    for args in [&["scan", "."][..], &["scan", "--all-history"][..]] {
        let (code, one, _) = run(repo.keyfence().args(args).args(["-j", "1", "--format", "json"]));
        assert_eq!(code, 1);
        let (_, many, _) = run(repo.keyfence().args(args).args(["--threads", "4", "--format", "json"]));
        assert_eq!(locations(&one), locations(&many));
        assert_eq!(locations(&one).len(), 6);
    }
    let (code, _, stderr) = run(repo.keyfence().args(["scan", ".", "-j", "0"]));
    assert_eq!(code, 2, "{stderr}");
}

#[test]
fn help_stays_short_and_long_help_lists_the_new_options() {
    let repo = Repo::new();
    let (_, short, _) = run(repo.keyfence().args(["scan", "-h"]));
    assert!(short.contains("--no-ignore"), "{short}");
    assert!(!short.contains("--exit-code"), "{short}");
    let (_, long, _) = run(repo.keyfence().args(["scan", "--help"]));
    for option in ["--exit-code", "--redact", "--threads"] {
        assert!(long.contains(option), "{option}: {long}");
    }
}
