//! The hook template wired by hand, as README.md says, blocks real `git commit`s.

use crate::common::{app_key, keyfence_path, Repo};

fn install_template(repo: &Repo) {
    let hooks = repo.path().join(".git/hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    let template = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("hooks/pre-commit");
    std::fs::copy(template, hooks.join("pre-commit")).unwrap();
}

fn commit(repo: &Repo, args: &[&str], keyfence: &std::path::Path) -> std::process::Output {
    let mut full = vec!["commit", "-q", "-m", "msg"];
    full.extend_from_slice(args);
    repo.git_command(&full).env("KEYFENCE", keyfence).output().unwrap()
}

#[test]
fn the_template_blocks_a_commit_with_a_key_and_lets_a_clean_one_through() {
    let repo = Repo::new();
    install_template(&repo);
    let bin = keyfence_path();
    repo.write("README.md", "hello\n");
    repo.git(&["add", "."]);
    assert!(commit(&repo, &[], &bin).status.success(), "a clean first commit passes");

    repo.write(".env", format!("ST_APP_KEY={}\n", app_key(90)));
    repo.git(&["add", ".env"]);
    let blocked = commit(&repo, &[], &bin);
    assert!(!blocked.status.success());
    assert!(String::from_utf8_lossy(&blocked.stderr).contains("commit blocked"));
    let log = repo.git(&["log", "--oneline"]).stdout;
    assert_eq!(String::from_utf8_lossy(&log).lines().count(), 1, "nothing was committed");

    // `git commit -a` runs the hook with a temporary index: a tracked file's new key is seen.
    repo.git(&["rm", "-q", "--cached", ".env"]);
    repo.write("README.md", format!("hello\nkey {}\n", app_key(91)));
    assert!(!commit(&repo, &["-a"], &bin).status.success(), "commit -a is blocked");
    // `git commit -- path` too.
    assert!(!commit(&repo, &["--", "README.md"], &bin).status.success(), "commit -- path is blocked");
}

#[test]
fn the_template_fails_closed_when_keyfence_is_missing() {
    let repo = Repo::new();
    install_template(&repo);
    repo.write("a.txt", "clean\n");
    repo.git(&["add", "."]);
    let output = commit(&repo, &[], std::path::Path::new("/nonexistent/keyfence"));
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("was not found"));
}
