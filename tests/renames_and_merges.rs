//! Moved files and merges at scale (issue 10): a moved and edited file counts as a modification
//! only within git's rename limit (1000 × 1000 added × deleted files); above it the moved files
//! are scanned whole. A merge that carries a renamed file adds nothing git's rename detection
//! accounts for.

use crate::common::{app_key, json_findings, run, Repo};

/// (path, line, commit or "") of each finding of a scan, sorted.
fn scan(repo: &Repo, args: &[&str]) -> (i32, Vec<(String, u64, String)>) {
    let mut full = vec!["scan", "--format", "json"];
    full.extend_from_slice(args);
    let (code, stdout, stderr) = run(repo.keyfence().args(&full));
    assert!(code < 2, "{stderr}");
    let mut found: Vec<_> = if stdout.is_empty() { Vec::new() } else { json_findings(&stdout) }
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
                f["commit"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    found.sort();
    (code, found)
}

fn head(repo: &Repo) -> String {
    String::from_utf8(repo.git(&["rev-parse", "HEAD"]).stdout).unwrap().trim().to_owned()
}

/// Commits `count` files under `old/` (the first holds a key on line 1), then moves the folder to
/// `new/` and appends a line to every file, staged but not committed.
fn move_and_edit(repo: &Repo, count: usize) -> String {
    for i in 0..count {
        let first = if i == 0 { format!("KEY={}", app_key(900)) } else { format!("value {i}") };
        repo.write(&format!("old/f{i:04}.env"), format!("{first}\nfile {i}\nsome text\n"));
    }
    repo.commit_all("add files");
    let added = head(repo);
    repo.git(&["mv", "old", "new"]);
    for i in 0..count {
        repo.write(
            &format!("new/f{i:04}.env"),
            format!(
                "{}\nfile {i}\nsome text\nedit\n",
                if i == 0 { format!("KEY={}", app_key(900)) } else { format!("value {i}") }
            ),
        );
    }
    repo.git(&["add", "-A"]);
    added
}

#[test]
fn a_moved_and_edited_file_reports_only_its_edits_within_the_rename_limit() {
    let repo = Repo::new();
    let added = move_and_edit(&repo, 3);
    assert_eq!(scan(&repo, &["--staged"]), (0, vec![]), "the staged move adds only `edit` lines");
    repo.git(&["commit", "-q", "--no-verify", "-m", "move"]);
    let (code, found) = scan(&repo, &["--all-history"]);
    assert_eq!((code, found), (1, vec![("old/f0000.env".to_owned(), 1, added)]));
}

#[test]
fn above_the_rename_limit_moved_and_edited_files_are_scanned_whole() {
    let repo = Repo::new();
    // 1001 added × 1001 deleted files: more than 1000 × 1000.
    let added = move_and_edit(&repo, 1001);
    assert_eq!(scan(&repo, &["--staged"]), (1, vec![("new/f0000.env".to_owned(), 1, String::new())]));
    repo.git(&["commit", "-q", "--no-verify", "-m", "move"]);
    let moved = head(&repo);
    let (code, found) = scan(&repo, &["--all-history"]);
    assert_eq!(code, 1);
    assert_eq!(found, [("new/f0000.env".to_owned(), 1, moved), ("old/f0000.env".to_owned(), 1, added)]);
}

#[test]
fn a_key_merged_into_a_renamed_file_is_reported_once_and_a_resolution_key_in_the_merge() {
    let repo = Repo::new();
    let filler: String = (0..20).map(|i| format!("line {i}\n")).collect();
    repo.write("a.env", &filler);
    repo.commit_all("init");
    repo.git(&["checkout", "-q", "-b", "moved"]);
    repo.git(&["mv", "a.env", "b.env"]);
    repo.write("b.env", format!("{filler}moved\n"));
    repo.commit_all("move and edit");
    repo.git(&["checkout", "-q", "main"]);
    repo.write("a.env", format!("KEY={}\n{filler}", app_key(901)));
    repo.commit_all("main adds a key");
    let main_leak = head(&repo);
    repo.git(&["checkout", "-q", "moved"]);
    // git carries main's key into b.env; the merge adds it against `moved` only, not against
    // main, where b.env is a.env renamed.
    repo.git(&["merge", "-q", "--no-commit", "main"]);
    let merged = std::fs::read_to_string(repo.path().join("b.env")).unwrap();
    assert!(merged.starts_with("KEY="), "git merged main's edit into the renamed file: {merged}");
    repo.git(&["commit", "-q", "--no-edit", "--no-verify"]);
    let (code, found) = scan(&repo, &["--all-history"]);
    assert_eq!((code, found), (1, vec![("a.env".to_owned(), 1, main_leak.clone())]));

    // A key the merge itself adds (amended into it) is in none of its parents.
    repo.write("b.env", format!("{merged}RESOLVED={}\n", app_key(902)));
    repo.git(&["add", "b.env"]);
    repo.git(&["commit", "-q", "--amend", "--no-edit", "--no-verify"]);
    let merge = head(&repo);
    let (_, found) = scan(&repo, &["--all-history"]);
    assert_eq!(found, [("a.env".to_owned(), 1, main_leak), ("b.env".to_owned(), 23, merge)]);
}
