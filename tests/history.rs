//! `keyfence scan --commits RANGE` and `--all-history`: what each commit adds.

use crate::common::{app_key, json_findings, run, Repo};

fn head(repo: &Repo) -> String {
    rev(repo, "HEAD")
}

fn rev(repo: &Repo, name: &str) -> String {
    String::from_utf8(repo.git(&["rev-parse", name]).stdout).unwrap().trim().to_owned()
}

/// (path, line, commit) of each finding of a history scan, sorted.
fn history(repo: &Repo, args: &[&str]) -> (i32, Vec<(String, u64, String)>, String) {
    let mut full = vec!["scan", "--format", "json"];
    full.extend_from_slice(args);
    let (code, stdout, stderr) = run(repo.keyfence().args(&full));
    let found = if stdout.is_empty() {
        Vec::new()
    } else {
        let mut found: Vec<_> = json_findings(&stdout)
            .iter()
            .map(|f| {
                (
                    f["path"].as_str().unwrap().to_owned(),
                    f["line"].as_u64().unwrap(),
                    f["commit"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        found.sort();
        found
    };
    (code, found, stderr)
}

#[test]
fn a_secret_added_then_removed_is_still_reported_with_its_commit() {
    let repo = Repo::new();
    repo.write("README.md", "hi\n");
    repo.commit_all("init");
    let base = head(&repo);
    repo.write("config.env", format!("A=1\nKEY={}\n", app_key(100)));
    repo.commit_all("add key");
    let leak = head(&repo);
    repo.write("config.env", "A=1\n");
    repo.commit_all("remove key");

    let (code, found, stderr) = history(&repo, &["--commits", &format!("{base}..HEAD")]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(found, [("config.env".to_owned(), 2, leak.clone())]);

    let (_, stdout, _) =
        run(repo.keyfence().args(["scan", "--format", "json", "--commits", &format!("{base}..HEAD")]));
    let finding = &json_findings(&stdout)[0];
    assert_eq!(finding["author"], "test@keyfence.invalid");
    assert!(finding["date"].as_str().unwrap().contains('T'), "{finding}");

    let (code, found, _) = history(&repo, &["--commits", &format!("{leak}..HEAD")]);
    assert_eq!((code, found), (0, vec![]), "the removal adds nothing");
}

#[test]
fn root_commit_adds_every_line_and_a_single_revision_means_its_ancestors() {
    let repo = Repo::new();
    repo.write("a.env", format!("\n\nKEY={}\n", app_key(101)));
    repo.commit_all("root");
    let root = head(&repo);
    repo.write("b.txt", "b\n");
    repo.commit_all("second");
    let (code, found, _) = history(&repo, &["--commits", "HEAD"]);
    assert_eq!(code, 1);
    assert_eq!(found, [("a.env".to_owned(), 3, root.clone())]);
    let (_, all, _) = history(&repo, &["--all-history"]);
    assert_eq!(all, [("a.env".to_owned(), 3, root)]);
}

#[test]
fn merging_main_into_a_branch_reports_nothing_new_but_a_conflict_resolution_key_is_reported() {
    let repo = Repo::new();
    repo.write("shared.txt", "line\n");
    repo.commit_all("init");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("feature.txt", "feature work\n");
    repo.commit_all("feature");
    repo.git(&["checkout", "-q", "main"]);
    repo.write("main.env", format!("KEY={}\n", app_key(102)));
    repo.commit_all("main adds a key");
    let main_leak = head(&repo);
    repo.git(&["checkout", "-q", "feature"]);
    repo.git(&["merge", "-q", "--no-edit", "main"]);
    let merge = head(&repo);
    let (code, found, _) = history(&repo, &["--all-history"]);
    assert_eq!(code, 1);
    assert_eq!(found, [("main.env".to_owned(), 1, main_leak)], "the merge itself adds nothing");
    assert_ne!(found[0].2, merge);

    // A conflicting change resolved by adding a key in the merge commit.
    repo.git(&["checkout", "-q", "main"]);
    repo.write("shared.txt", "main version\n");
    repo.commit_all("main edits");
    repo.git(&["checkout", "-q", "feature"]);
    repo.write("shared.txt", "feature version\n");
    repo.commit_all("feature edits");
    let conflict = repo.git_command(&["merge", "-q", "main"]).output().unwrap();
    assert!(!conflict.status.success(), "the merge conflicts");
    repo.write("shared.txt", format!("resolved\nKEY={}\n", app_key(103)));
    repo.git(&["add", "shared.txt"]);
    repo.git(&["commit", "-q", "--no-edit", "--no-verify"]);
    let resolution = head(&repo);
    let (_, found, _) = history(&repo, &["--commits", &format!("{resolution}^1..{resolution}")]);
    let in_merge: Vec<_> = found.iter().filter(|f| f.2 == resolution).collect();
    assert_eq!(in_merge, [&("shared.txt".to_owned(), 2, resolution.clone())]);
}

#[test]
fn an_octopus_merge_reports_only_what_none_of_its_parents_has() {
    let repo = Repo::new();
    repo.write("base.txt", "base\n");
    repo.commit_all("init");
    for (i, branch) in ["b1", "b2", "b3"].iter().enumerate() {
        repo.git(&["checkout", "-q", "-b", branch, "main"]);
        repo.write(&format!("{branch}.env"), format!("KEY={}\n", app_key(110 + i as u64)));
        repo.commit_all(branch);
    }
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["merge", "-q", "--no-edit", "b1", "b2", "b3"]);
    let octopus = head(&repo);
    assert_eq!(
        String::from_utf8(repo.git(&["rev-list", "--parents", "-n1", "HEAD"]).stdout)
            .unwrap()
            .split(' ')
            .count(),
        4
    );
    let (_, found, _) = history(&repo, &["--all-history"]);
    assert_eq!(found.len(), 3);
    assert!(found.iter().all(|f| f.2 != octopus), "{found:?}");

    // An octopus whose tree adds a file none of the parents has (built with plumbing).
    repo.write("evil.env", format!("KEY={}\n", app_key(120)));
    repo.git(&["add", "evil.env"]);
    let tree = String::from_utf8(repo.git(&["write-tree"]).stdout).unwrap().trim().to_owned();
    let parents = ["b1", "b2", "b3"].map(|b| rev(&repo, b));
    let commit = String::from_utf8(
        repo.git(&[
            "commit-tree",
            &tree,
            "-p",
            &parents[0],
            "-p",
            &parents[1],
            "-p",
            &parents[2],
            "-m",
            "octopus",
        ])
        .stdout,
    )
    .unwrap()
    .trim()
    .to_owned();
    let (_, found, _) = history(&repo, &["--commits", &commit]);
    let in_octopus: Vec<_> = found.iter().filter(|f| f.2 == commit).map(|f| f.0.as_str()).collect();
    assert_eq!(in_octopus, ["evil.env"]);
}

#[test]
fn detached_head_commits_are_part_of_all_history() {
    let repo = Repo::new();
    repo.write("a.txt", "a\n");
    repo.commit_all("init");
    repo.git(&["checkout", "-q", "--detach"]);
    repo.write("detached.env", format!("KEY={}\n", app_key(130)));
    repo.commit_all("on a detached head");
    let detached = head(&repo);
    let (code, found, _) = history(&repo, &["--all-history"]);
    assert_eq!(code, 1);
    assert_eq!(found, [("detached.env".to_owned(), 1, detached)]);
}

#[test]
fn symmetric_ranges_and_inline_allow_markers() {
    let repo = Repo::new();
    repo.write("a.txt", "a\n");
    repo.commit_all("init");
    repo.git(&["checkout", "-q", "-b", "side"]);
    repo.write("side.env", format!("KEY={}\n", app_key(140)));
    repo.commit_all("side");
    let side = head(&repo);
    repo.git(&["checkout", "-q", "main"]);
    repo.write("main.env", format!("KEY={} # keyfence:allow\n", app_key(141)));
    repo.commit_all("main, allowed");
    let (code, found, _) = history(&repo, &["--commits", "main...side"]);
    assert_eq!(code, 1);
    assert_eq!(found, [("side.env".to_owned(), 1, side)]);
}

#[test]
fn a_blob_pair_in_two_commits_is_reported_in_both() {
    let repo = Repo::new();
    repo.write("a.txt", "a\n");
    repo.commit_all("init");
    repo.git(&["checkout", "-q", "-b", "one"]);
    repo.write("k.env", format!("KEY={}\n", app_key(150)));
    repo.commit_all("one");
    let first = head(&repo);
    repo.git(&["checkout", "-q", "-b", "two", "main"]);
    repo.write("other.txt", "other\n");
    repo.commit_all("two has another parent");
    repo.git(&["cherry-pick", &first]);
    let second = head(&repo);
    let (_, found, _) = history(&repo, &["--all-history"]);
    let commits: Vec<&str> = found.iter().map(|f| f.2.as_str()).collect();
    let mut expected = vec![first.as_str(), second.as_str()];
    expected.sort();
    let mut commits_sorted = commits.clone();
    commits_sorted.sort();
    assert_eq!(commits_sorted, expected);
    // Same run twice: same output (parallel work, deterministic report).
    let (_, again, _) = history(&repo, &["--all-history"]);
    assert_eq!(found, again);
}

#[test]
fn a_shallow_clone_boundary_fails_closed_with_a_hint() {
    let repo = Repo::new();
    for i in 0..3 {
        repo.write("f.txt", format!("{i}\n"));
        repo.commit_all(&format!("c{i}"));
    }
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", repo.path().display());
    let status = std::process::Command::new("git")
        .args(["clone", "-q", "--depth", "1", &url])
        .arg(clone.path().join("s"))
        .status();
    assert!(status.unwrap().success());
    let shallow = clone.path().join("s");
    let (code, _, stderr) = run(crate::common::keyfence(&shallow).args(["scan", "--all-history"]));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("shallow") && stderr.contains("fetch-depth: 0"), "{stderr}");
    let (code, _, stderr) =
        run(crate::common::keyfence(&shallow).args(["scan", "--commits", "HEAD~1..HEAD"]));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("fetch-depth: 0"), "{stderr}");
}

#[test]
fn bad_ranges_and_no_repository_exit_2() {
    let repo = Repo::new();
    repo.write("a.txt", "a\n");
    repo.commit_all("init");
    let (code, _, stderr) = run(repo.keyfence().args(["scan", "--commits", "nope..HEAD"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("cannot resolve the commit range"), "{stderr}");
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = run(crate::common::keyfence(dir.path())
        .args(["scan", "--all-history"])
        .env("GIT_CEILING_DIRECTORIES", dir.path()));
    assert_eq!(code, 2);
    assert!(stderr.contains("not a git repository"), "{stderr}");
}

#[test]
fn an_unreadable_ref_fails_closed() {
    let repo = Repo::new();
    repo.write("a.txt", "a\n");
    repo.commit_all("init");
    std::fs::write(repo.path().join(".git/refs/heads/broken"), "0123456789012345678901234567890123456789\n")
        .unwrap();
    let (code, _, stderr) = run(repo.keyfence().args(["scan", "--all-history"]));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("refs/heads/broken"), "{stderr}");
}

#[test]
fn symmetric_ranges_hide_every_merge_base_of_criss_cross_merges() {
    let repo = Repo::new();
    repo.write("root.txt", "r\n");
    repo.commit_all("root");
    repo.git(&["checkout", "-q", "-b", "x"]);
    repo.write("x.env", format!("KEY={}\n", app_key(160)));
    repo.commit_all("x1");
    repo.git(&["checkout", "-q", "-b", "y", "main"]);
    repo.write("y.env", format!("KEY={}\n", app_key(161)));
    repo.commit_all("y1");
    let y1 = head(&repo);
    repo.git(&["checkout", "-q", "x"]);
    repo.git(&["merge", "-q", "--no-edit", &y1]);
    let x_merge = head(&repo);
    repo.git(&["checkout", "-q", "y"]);
    repo.git(&["merge", "-q", "--no-edit", &format!("{x_merge}~1")]);
    repo.write("y2.txt", "y2\n");
    repo.commit_all("y2");
    repo.git(&["checkout", "-q", "x"]);
    repo.write("x2.txt", "x2\n");
    repo.commit_all("x2");
    let listed = String::from_utf8(repo.git(&["rev-list", "x...y"]).stdout).unwrap();
    let (code, found, stderr) = history(&repo, &["--commits", "x...y"]);
    assert!(found.iter().all(|f| listed.contains(&f.2)), "only commits git lists: {found:?} vs {listed}");
    assert_eq!((code, found.len()), (0, 0), "{stderr}");
}

/// A modified file's lines between what both versions share at start and end are scanned as an
/// estimate first; a key there that the line diff does not add (an unchanged line between two
/// edits) must not be reported again, and one that it adds must be.
#[test]
fn a_key_between_two_edits_is_reported_by_its_commit_only() {
    let repo = Repo::new();
    repo.write("app.env", format!("MODE=dev\nKEY={}\nLEVEL=1\n", app_key(301)));
    repo.commit_all("add key");
    let leak = head(&repo);
    // Both edits keep the key's line: only lines 1 and 3 are added.
    repo.write("app.env", format!("MODE=prod\nKEY={}\nLEVEL=2\n", app_key(301)));
    repo.commit_all("edit around the key");
    let around = head(&repo);
    // A second key between two edits, in a commit that also rewrites the first line.
    repo.write("app.env", format!("MODE=test\nKEY={}\nOTHER={}\nLEVEL=3\n", app_key(301), app_key(302)));
    repo.commit_all("second key");
    let second = head(&repo);

    let (code, found, stderr) = history(&repo, &["--all-history"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(found, [("app.env".to_owned(), 2, leak.clone()), ("app.env".to_owned(), 3, second.clone())]);
    let (code, found, _) = history(&repo, &["--commits", &format!("{leak}..{around}")]);
    assert_eq!((code, found), (0, vec![]), "editing the lines around a key adds nothing");
}

/// Folders are compared entry by entry in git's order, where a folder's name sorts as if it
/// ended in `/`: a file replaced by a folder of the same name (and back), with names sorting
/// between the two (`conf-x`, `conf.d`), must pair every entry by its name.
#[test]
fn a_file_replaced_by_a_folder_of_its_name_and_back_reports_what_each_adds() {
    let repo = Repo::new();
    repo.write("conf", format!("KEY={}\n", app_key(311)));
    repo.write("conf-x", "x\n");
    repo.write("conf.d", format!("KEY={}\n", app_key(312)));
    repo.commit_all("file conf");
    let first = head(&repo);
    repo.git(&["rm", "-q", "conf"]);
    repo.write("conf/app.env", format!("KEY={}\n", app_key(311)));
    repo.write("conf.d", format!("KEY={}\nNEW={}\n", app_key(312), app_key(313)));
    repo.commit_all("folder conf");
    let second = head(&repo);
    repo.git(&["rm", "-q", "-r", "conf"]);
    repo.write("conf", format!("KEY={}\nMORE={}\n", app_key(311), app_key(314)));
    repo.commit_all("file conf again");
    let third = head(&repo);

    let (code, found, stderr) = history(&repo, &["--all-history"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        found,
        [
            ("conf".to_owned(), 1, first.clone()),
            // The folder's file is the old file moved (the same blob): it adds nothing, and the
            // file that replaces the folder again adds only its new line.
            ("conf".to_owned(), 2, third.clone()),
            ("conf.d".to_owned(), 1, first.clone()),
            ("conf.d".to_owned(), 2, second.clone()),
        ]
    );
}
