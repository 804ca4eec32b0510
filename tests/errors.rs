//! Bad input gets one clear line and exit status 2; a scan that could not read everything fails
//! closed.

use crate::common::{app_key, keyfence, run, Repo};

fn assert_error(output: (i32, String, String), needle: &str) {
    let (code, stdout, stderr) = output;
    assert_eq!(code, 2, "stdout: {stdout}\nstderr: {stderr}");
    assert!(stderr.contains(needle), "stderr should mention {needle:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn staged_outside_a_repository() {
    let dir = tempfile::tempdir().unwrap();
    let output =
        run(keyfence(dir.path()).args(["scan", "--staged"]).env("GIT_CEILING_DIRECTORIES", dir.path()));
    assert_error(output.clone(), "not a git repository");
    assert!(output.2.contains("hint:"), "{}", output.2);
}

#[test]
fn staged_in_a_bare_repository() {
    let dir = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("git")
        .args(["init", "-q", "--bare"])
        .current_dir(dir.path())
        .status()
        .unwrap();
    assert!(status.success());
    assert_error(run(keyfence(dir.path()).args(["scan", "--staged"])), "bare repository has no index");
}

#[test]
fn a_missing_path() {
    let dir = tempfile::tempdir().unwrap();
    assert_error(run(keyfence(dir.path()).args(["scan", "no-such-dir"])), "cannot read no-such-dir");
}

#[test]
fn bad_flags_and_combinations() {
    let dir = tempfile::tempdir().unwrap();
    assert_error(run(keyfence(dir.path()).args(["scan", "--no-such-flag"])), "--no-such-flag");
    assert_error(run(keyfence(dir.path()).args(["scan", "--format", "xml"])), "xml");
    assert_error(run(keyfence(dir.path()).args(["scan", "--staged", "."])), "--staged");
    assert_error(run(keyfence(dir.path()).args(["scan", "-", "."])), "standard input");
    assert_error(run(keyfence(dir.path()).args(["scan", "--max-file-size", "0"])), "--max-file-size");
}

#[test]
fn a_missing_git_index_file_fails_closed() {
    let repo = Repo::new();
    repo.write("k.env", format!("K={}\n", app_key(80)));
    repo.git(&["add", "."]);
    assert_error(
        run(repo.keyfence().args(["scan", "--staged"]).env("GIT_INDEX_FILE", repo.path().join("nope"))),
        "GIT_INDEX_FILE",
    );
}

#[test]
fn a_corrupt_index_fails_closed() {
    let repo = Repo::new();
    repo.write("k.env", format!("K={}\n", app_key(81)));
    repo.git(&["add", "."]);
    std::fs::write(repo.path().join(".git/index"), b"DIRC garbage").unwrap();
    let (code, _, stderr) = run(repo.keyfence().args(["scan", "--staged"]));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("index"), "{stderr}");
}

#[test]
fn an_unreadable_staged_blob_fails_closed_and_names_the_file() {
    let repo = Repo::new();
    repo.write("k.env", format!("K={}\n", app_key(82)));
    repo.git(&["add", "."]);
    repo.corrupt_staged_blob("k.env");
    let (code, _, stderr) = run(repo.keyfence().args(["scan", "--staged"]));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("k.env"), "{stderr}");
    assert!(stderr.contains("commit is blocked"), "{stderr}");
}
