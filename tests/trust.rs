//! Issue 13, sections 1 and 2: a commit range is checked with its base's configuration, a change
//! to keyfence's own files is reported (`keyfence-config-changed`), and a shallow clone's
//! boundary commits are scanned as roots.

use crate::common::{app_key, json_findings, run, Repo};

const CHANGED: &str = "keyfence-config-changed";
const APP_KEY: &str = "servicetitan-app-key";

fn rev(repo: &Repo, name: &str) -> String {
    String::from_utf8(repo.git(&["rev-parse", name]).stdout).unwrap().trim().to_owned()
}

/// A repository whose `main` holds `base` files; returns it and the base commit.
fn with_base(base: &[(&str, &str)]) -> (Repo, String) {
    let repo = Repo::new();
    repo.write("README.md", "hello\n");
    for (path, text) in base {
        repo.write(path, text);
    }
    repo.commit_all("base");
    let head = rev(&repo, "HEAD");
    (repo, head)
}

/// (rule_id, path, commit) of each finding of `keyfence scan ARGS --format json`, sorted; exit
/// code and standard error.
fn scan(repo: &Repo, args: &[&str]) -> (i32, Vec<(String, String, String)>, String) {
    let mut full = vec!["scan", "--format", "json"];
    full.extend_from_slice(args);
    let (code, stdout, stderr) = run(repo.keyfence().args(&full));
    let mut found: Vec<_> = if stdout.is_empty() { Vec::new() } else { json_findings(&stdout) }
        .iter()
        .map(|f| {
            let field = |k: &str| f[k].as_str().unwrap_or("").to_owned();
            (field("rule_id"), field("path"), field("commit"))
        })
        .collect();
    found.sort();
    (code, found, stderr)
}

fn finding(rule: &str, path: &str, commit: &str) -> (String, String, String) {
    (rule.to_owned(), path.to_owned(), commit.to_owned())
}

/// A pull request that adds a key in `app.env` and writes `changes` in the same commit:
/// the key and each changed file are reported from the range, though the work tree hides it.
fn assert_pr_cannot_hide_its_key(base: &[(&str, &str)], changes: &[(&str, String)]) {
    let (repo, base_commit) = with_base(base);
    repo.write("app.env", format!("ST_APP_KEY={}\n", app_key(1301)));
    for (path, text) in changes {
        repo.write(path, text);
    }
    repo.commit_all("pr");
    let pr = rev(&repo, "HEAD");
    let (code, found, _) = scan(&repo, &["."]);
    assert_eq!((code, found), (0, vec![]), "the pull request's own configuration hides the key");

    let (code, found, stderr) = scan(&repo, &["--commits", &format!("{base_commit}..HEAD")]);
    assert_eq!(code, 1, "{stderr}");
    let mut expected = vec![finding(APP_KEY, "app.env", &pr)];
    expected.extend(changes.iter().map(|(path, _)| finding(CHANGED, path, &pr)));
    expected.sort();
    assert_eq!(found, expected, "{stderr}");
    assert!(stderr.contains(&base_commit[..12]) && stderr.contains("the range base"), "{stderr}");
}

#[test]
fn a_pull_request_that_disables_the_rule_still_reports_its_key() {
    let disable = format!("[rules]\ndisable = [\"{APP_KEY}\"]\n");
    assert_pr_cannot_hide_its_key(&[], &[(".keyfence.toml", disable)]);
}

#[test]
fn a_pull_request_that_allowlists_its_own_path_still_reports_its_key() {
    let base = "[allowlist]\npaths = [\"fixtures/**\"]\n";
    let widened = "[allowlist]\npaths = [\"fixtures/**\", \"app.env\"]\n".to_owned();
    assert_pr_cannot_hide_its_key(&[(".keyfence.toml", base)], &[(".keyfence.toml", widened)]);
}

#[test]
fn a_pull_request_that_adds_keyfenceignore_lines_still_reports_its_key() {
    // A .gitleaks.toml-style project: the root ignore file is new, a nested one is edited.
    assert_pr_cannot_hide_its_key(
        &[("docs/.keyfenceignore", "*.png\n")],
        &[(".keyfenceignore", "app.env\n".to_owned()), ("docs/.keyfenceignore", "*.png\n*.md\n".to_owned())],
    );
}

#[test]
fn a_pull_request_that_adds_a_baseline_entry_still_reports_its_key() {
    let (repo, base_commit) = with_base(&[
        (".keyfence.toml", "[scan]\nbaseline = \"ci/baseline.json\"\n"),
        ("ci/baseline.json", "{\"keyfence_baseline\": 1, \"findings\": []}\n"),
    ]);
    repo.write("app.env", format!("ST_APP_KEY={}\n", app_key(1302)));
    let (code, _, stderr) = run(repo.keyfence().args(["baseline", "ci/baseline.json", "app.env"]));
    assert_eq!(code, 0, "{stderr}");
    repo.commit_all("pr");
    let pr = rev(&repo, "HEAD");
    let (code, found, _) = scan(&repo, &["."]);
    assert_eq!((code, found), (0, vec![]), "the work tree's baseline accepts the key");

    let (code, found, stderr) = scan(&repo, &["--commits", &format!("{base_commit}..{pr}")]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        found,
        vec![finding(CHANGED, "ci/baseline.json", &pr), finding(APP_KEY, "app.env", &pr)],
        "{stderr}"
    );
}

#[test]
fn an_unchanged_configuration_applies_from_the_base_and_reports_no_change() {
    let (repo, base_commit) = with_base(&[(".keyfence.toml", "[allowlist]\npaths = [\"fixtures/**\"]\n")]);
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("fixtures/sample.env", format!("ST_APP_KEY={}\n", app_key(1303)));
    repo.write("app.env", format!("ST_APP_KEY={}\n", app_key(1304)));
    repo.commit_all("pr");
    let pr = rev(&repo, "HEAD");
    // main moves on; the work tree (not committed) would allow every .env file.
    repo.git(&["checkout", "-q", "main"]);
    repo.write("README.md", "moved on\n");
    repo.commit_all("main moves on");
    repo.write(".keyfence.toml", "[allowlist]\npaths = [\"fixtures/**\", \"*.env\"]\n");
    for range in [format!("{base_commit}..{pr}"), format!("main...{pr}")] {
        let (code, found, stderr) = scan(&repo, &["--commits", &range]);
        assert_eq!((code, found), (1, vec![finding(APP_KEY, "app.env", &pr)]), "{range}: {stderr}");
        assert!(stderr.contains(&base_commit[..12]), "the summary names the base: {stderr}");
    }
    let (_, _, stderr) = scan(&repo, &["--commits", &format!("main...{pr}")]);
    assert!(stderr.contains("(the merge base)"), "{stderr}");
}

#[test]
fn config_option_still_wins_over_the_base() {
    let (repo, base_commit) = with_base(&[]);
    repo.write("app.env", format!("ST_APP_KEY={}\n", app_key(1305)));
    repo.commit_all("pr");
    let outside = tempfile::tempdir().unwrap();
    let config = outside.path().join("ci.toml");
    std::fs::write(&config, format!("[rules]\ndisable = [\"{APP_KEY}\"]\n")).unwrap();
    let range = format!("{base_commit}..HEAD");
    let (code, found, stderr) = scan(&repo, &["--commits", &range, "--config", config.to_str().unwrap()]);
    assert_eq!((code, found), (0, vec![]), "{stderr}");
    assert!(stderr.contains("ci.toml"), "the summary names the file given: {stderr}");
    let (code, found, _) = scan(&repo, &["--commits", &range]);
    assert_eq!((code, found.len()), (1, 1), "without --config the key is reported");
}

#[test]
fn the_base_configuration_can_turn_the_change_report_off() {
    let (repo, base_commit) = with_base(&[(".keyfence.toml", "[scan]\nprotect_config = false\n")]);
    repo.write(".keyfenceignore", "vendor/\n");
    repo.commit_all("pr");
    let (code, found, stderr) = scan(&repo, &["--commits", &format!("{base_commit}..HEAD")]);
    assert_eq!((code, found), (0, vec![]), "{stderr}");
    // The pull request cannot turn it off for itself.
    let (repo, base_commit) = with_base(&[]);
    repo.write(".keyfence.toml", "[scan]\nprotect_config = false\n");
    repo.commit_all("pr");
    let (code, found, stderr) = scan(&repo, &["--commits", &format!("{base_commit}..HEAD")]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(found, vec![finding(CHANGED, ".keyfence.toml", &rev(&repo, "HEAD"))]);
    assert!(stderr.contains("no secrets found, and a change to keyfence's own files"), "{stderr}");
    let range = format!("{base_commit}..HEAD");
    let (code, stdout, _) = run(repo.keyfence().args(["scan", "--commits", &range, "--format", "sarif"]));
    assert_eq!(code, 1);
    let sarif: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let run0 = &sarif["runs"][0];
    let index = run0["results"][0]["ruleIndex"].as_u64().expect("the result points at its rule") as usize;
    assert_eq!(run0["tool"]["driver"]["rules"][index]["id"], CHANGED);
    assert_eq!(run0["results"][0]["level"], "error");
}

#[test]
fn a_gitleaks_extend_target_is_read_from_the_base_and_watched() {
    let base_rules = "[extend]\nuseDefault = true\n";
    let (repo, base_commit) =
        with_base(&[(".gitleaks.toml", "[extend]\npath = \"ci/base.toml\"\n"), ("ci/base.toml", base_rules)]);
    repo.write("ci/base.toml", format!("[extend]\nuseDefault = true\ndisabledRules = [\"{APP_KEY}\"]\n"));
    repo.write("app.env", format!("ST_APP_KEY={}\n", app_key(1306)));
    repo.commit_all("pr");
    let pr = rev(&repo, "HEAD");
    let (code, found, stderr) = scan(&repo, &["--commits", &format!("{base_commit}..HEAD")]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(found, vec![finding(CHANGED, "ci/base.toml", &pr), finding(APP_KEY, "app.env", &pr)]);
}

#[test]
fn a_staged_configuration_change_is_reported_only_with_protect_config() {
    let (repo, _) = with_base(&[]);
    repo.write(".keyfenceignore", "build/\n");
    repo.git(&["add", ".keyfenceignore"]);
    let (code, found, stderr) = scan(&repo, &["--staged"]);
    assert_eq!((code, found), (0, vec![]), "off by default: {stderr}");

    repo.write(".keyfence.toml", "[scan]\nprotect_config = true\n");
    repo.commit_all("protect");
    repo.write("sub/.keyfenceignore", "*.env\n");
    repo.git(&["add", "sub/.keyfenceignore"]);
    let (code, found, stderr) = scan(&repo, &["--staged"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(found, vec![finding(CHANGED, "sub/.keyfenceignore", "")]);
    assert!(stderr.contains("commit blocked"), "{stderr}");
}

/// A depth-1 clone of `repo`.
fn shallow_clone(repo: &Repo) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("file://{}", repo.path().display());
    let target = dir.path().join("s");
    let status =
        std::process::Command::new("git").args(["clone", "-q", "--depth", "1", &url]).arg(&target).status();
    assert!(status.unwrap().success());
    (dir, target)
}

#[test]
fn a_depth_one_clone_reports_the_keys_of_its_tree() {
    let repo = Repo::new();
    repo.write("app.env", format!("ST_APP_KEY={}\n", app_key(1307)));
    repo.commit_all("key");
    repo.write("README.md", "more\n");
    repo.commit_all("more");
    let (_dir, clone) = shallow_clone(&repo);
    let (code, stdout, stderr) =
        run(crate::common::keyfence(&clone).args(["scan", "--all-history", "--format", "json"]));
    assert_eq!(code, 1, "{stderr}");
    let found = json_findings(&stdout);
    assert_eq!(found.len(), 1, "{stdout}");
    assert_eq!(found[0]["path"], "app.env");
    assert_eq!(found[0]["commit"].as_str(), Some(rev(&repo, "HEAD").as_str()), "the boundary commit");
    assert!(stderr.contains("shallow clone") && stderr.contains("was not read"), "{stderr}");
    // A range that walks into the boundary still fails closed: its "added" would be everything.
    let (code, stdout, stderr) = run(crate::common::keyfence(&clone).args(["scan", "--commits", "HEAD"]));
    assert_eq!((code, stdout.as_str()), (2, ""), "{stderr}");
    assert!(stderr.contains("the boundary of this shallow clone"), "{stderr}");
}

#[test]
fn a_depth_one_clone_without_keys_is_incomplete_not_clean() {
    let repo = Repo::new();
    repo.write("README.md", "hello\n");
    repo.commit_all("one");
    repo.write("README.md", "hello again\n");
    repo.commit_all("two");
    let (_dir, clone) = shallow_clone(&repo);
    let (code, stdout, stderr) = run(crate::common::keyfence(&clone).args(["scan", "--all-history"]));
    assert_eq!((code, stdout.as_str()), (2, ""), "{stderr}");
    assert!(stderr.contains("git fetch --unshallow"), "{stderr}");
    let (code, stdout, _) =
        run(crate::common::keyfence(&clone).args(["scan", "--all-history", "--format", "sarif"]));
    assert_eq!(code, 2);
    assert!(stdout.contains("\"executionSuccessful\": false"), "{stdout}");
}

#[test]
fn the_bases_keyfenceignore_applies_to_the_range_not_the_work_trees() {
    let (repo, base_commit) = with_base(&[("vendor/.keyfenceignore", "*.env\n")]);
    repo.write("vendor/lib.env", format!("ST_APP_KEY={}\n", app_key(1308)));
    repo.write("app.env", format!("ST_APP_KEY={}\n", app_key(1309)));
    repo.commit_all("pr");
    let pr = rev(&repo, "HEAD");
    // The work tree (not committed) drops the vendor rule and ignores app.env instead.
    repo.write("vendor/.keyfenceignore", "\n");
    repo.write(".keyfenceignore", "app.env\n");
    let (code, found, stderr) = scan(&repo, &["--commits", &format!("{base_commit}..HEAD")]);
    assert_eq!((code, found), (1, vec![finding(APP_KEY, "app.env", &pr)]), "{stderr}");
}

#[test]
fn a_merge_reports_a_configuration_change_only_where_it_was_made() {
    let (repo, base_commit) = with_base(&[("docs/.keyfenceignore", "*.png\n")]);
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("lib/.keyfenceignore", "generated/\n");
    repo.commit_all("feature ignores generated files");
    let feature = rev(&repo, "HEAD");
    repo.git(&["checkout", "-q", "main"]);
    repo.write("README.md", "main moves on\n");
    repo.commit_all("main moves on");
    repo.git(&["merge", "-q", "--no-ff", "-m", "merge feature", "feature"]);
    let (code, found, stderr) = scan(&repo, &["--commits", &format!("{base_commit}..HEAD")]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(found, vec![finding(CHANGED, "lib/.keyfenceignore", &feature)], "not the merge too");

    // A merge that changes a watched file itself (a conflict resolution, say) is reported, and so
    // is a deletion; files the merge takes unchanged from either side are not.
    repo.git(&["checkout", "-q", "-b", "side", &base_commit]);
    repo.write("side.txt", "side\n");
    repo.commit_all("side work");
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["merge", "-q", "--no-ff", "--no-commit", "side"]);
    repo.write(".keyfence.toml", "[scan]\nprotect_config = true\n");
    repo.git(&["rm", "-q", "docs/.keyfenceignore"]);
    repo.commit_all("merge side, with changes of its own");
    let merge = rev(&repo, "HEAD");
    let (code, found, stderr) = scan(&repo, &["--commits", "HEAD^..HEAD"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        found,
        vec![finding(CHANGED, ".keyfence.toml", &merge), finding(CHANGED, "docs/.keyfenceignore", &merge)]
    );
}

#[test]
fn a_watched_file_that_becomes_a_folder_or_link_is_reported() {
    let (repo, base_commit) = with_base(&[(".keyfenceignore", "*.png\n")]);
    repo.git(&["rm", "-q", ".keyfenceignore"]);
    repo.write(".keyfenceignore/.keyfenceignore", "nested\n");
    repo.write("unwatched/deep/file.txt", "not watched\n");
    repo.commit_all("a file became a folder");
    let commit = rev(&repo, "HEAD");
    let (code, found, stderr) = scan(&repo, &["--commits", &format!("{base_commit}..HEAD")]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        found,
        vec![
            finding(CHANGED, ".keyfenceignore", &commit),
            finding(CHANGED, ".keyfenceignore/.keyfenceignore", &commit)
        ]
    );
    // Nothing watched changes: nothing reported.
    repo.write("unwatched/deep/file.txt", "still not watched\n");
    repo.commit_all("unwatched edit");
    let (code, found, stderr) = scan(&repo, &["--commits", "HEAD^..HEAD"]);
    assert_eq!((code, found), (0, vec![]), "{stderr}");
}
