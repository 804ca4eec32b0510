//! `keyfence hook install|uninstall`, and real commits through the installed hook.

use crate::common::{app_key, run, Repo};
use std::path::{Path, PathBuf};

fn install(_repo: &Repo, dir: &Path, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec!["hook", "install"];
    args.extend_from_slice(extra);
    run(crate::common::keyfence(dir).args(&args))
}

/// `git commit` with the hook enabled; returns whether it succeeded and its stderr.
fn commit(repo: &Repo, dir: &Path, args: &[&str]) -> (bool, String) {
    let mut full = vec!["commit", "-q", "-m", "msg"];
    full.extend_from_slice(args);
    let output = repo.git_command(&full).current_dir(dir).env_remove("KEYFENCE").output().unwrap();
    (output.status.success(), String::from_utf8_lossy(&output.stderr).into_owned())
}

fn commit_count(repo: &Repo) -> usize {
    String::from_utf8(repo.git(&["rev-list", "--all", "--count"]).stdout).unwrap().trim().parse().unwrap()
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).map(|m| m.permissions().mode() & 0o111 != 0).unwrap_or(false)
}

#[test]
fn install_blocks_commits_in_every_form_and_uninstall_removes_it() {
    let repo = Repo::new();
    repo.write("README.md", "hi\n");
    repo.commit_all("init");
    let (code, _, stderr) = install(&repo, repo.path(), &[]);
    assert_eq!(code, 0, "{stderr}");
    let hook = repo.path().join(".git/hooks/pre-commit");
    assert!(is_executable(&hook));

    // git commit
    repo.write(".env", format!("KEY={}\n", app_key(200)));
    repo.git(&["add", ".env"]);
    let (ok, stderr) = commit(&repo, repo.path(), &[]);
    assert!(!ok && stderr.contains("commit blocked"), "{stderr}");
    repo.git(&["rm", "-q", "--cached", ".env"]);
    std::fs::remove_file(repo.path().join(".env")).unwrap();

    // git commit -a
    repo.write("README.md", format!("hi\nkey {}\n", app_key(201)));
    assert!(!commit(&repo, repo.path(), &["-a"]).0, "commit -a");
    // git commit -- path
    assert!(!commit(&repo, repo.path(), &["--", "README.md"]).0, "commit -- path");
    repo.write("README.md", "hi\nclean\n");
    assert!(commit(&repo, repo.path(), &["-a"]).0, "a clean commit -a passes");

    // git commit --amend that adds a key
    repo.write("README.md", format!("hi\nclean\n{}\n", app_key(202)));
    repo.git(&["add", "README.md"]);
    assert!(!commit(&repo, repo.path(), &["--amend"]).0, "amend");
    assert_eq!(commit_count(&repo), 2);

    let (code, _, _) = run(repo.keyfence().args(["hook", "uninstall"]));
    assert_eq!(code, 0);
    assert!(!hook.exists());
    assert!(commit(&repo, repo.path(), &[]).0, "without the hook the commit goes through");
}

#[test]
fn core_hooks_path_is_honored() {
    let repo = Repo::new();
    repo.git(&["config", "core.hooksPath", ".githooks"]);
    let (code, _, stderr) = install(&repo, repo.path(), &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(is_executable(&repo.path().join(".githooks/pre-commit")));
    assert!(!repo.path().join(".git/hooks/pre-commit").exists());
    repo.write("k.env", format!("KEY={}\n", app_key(210)));
    repo.git(&["add", "."]);
    assert!(!commit(&repo, repo.path(), &[]).0);
    // Installing from a subdirectory finds the same place.
    std::fs::create_dir_all(repo.path().join("sub")).unwrap();
    let (code, _, stderr) = install(&repo, &repo.path().join("sub"), &[]);
    assert_eq!(code, 0);
    assert!(stderr.contains("up to date"), "{stderr}");
}

#[test]
fn an_existing_hook_is_chained_kept_on_reinstall_and_restored_on_uninstall() {
    let repo = Repo::new();
    repo.write("a.txt", "a\n");
    repo.commit_all("init");
    let hooks = repo.path().join(".git/hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    let original = "#!/bin/sh\necho ran > \"$(git rev-parse --show-toplevel)/.git/previous-ran\"\nexit 0\n";
    let hook = hooks.join("pre-commit");
    std::fs::write(&hook, original).unwrap();
    std::process::Command::new("chmod").arg("+x").arg(&hook).status().unwrap();

    let (code, _, stderr) = install(&repo, repo.path(), &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("runs first"), "{stderr}");
    let (code, _, _) = install(&repo, repo.path(), &[]);
    assert_eq!(code, 0, "re-installing is idempotent");
    assert_eq!(std::fs::read_to_string(hooks.join("pre-commit.keyfence-chained")).unwrap(), original);

    repo.write("b.txt", "b\n");
    repo.git(&["add", "."]);
    assert!(commit(&repo, repo.path(), &[]).0);
    assert!(repo.path().join(".git/previous-ran").exists(), "the previous hook ran");

    // The previous hook's failure still blocks.
    std::fs::write(hooks.join("pre-commit.keyfence-chained"), "#!/bin/sh\necho no >&2\nexit 3\n").unwrap();
    repo.write("c.txt", "c\n");
    repo.git(&["add", "."]);
    assert!(!commit(&repo, repo.path(), &[]).0);
    std::fs::write(hooks.join("pre-commit.keyfence-chained"), original).unwrap();

    let (code, _, _) = run(repo.keyfence().args(["hook", "uninstall"]));
    assert_eq!(code, 0);
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), original);
    assert!(!hooks.join("pre-commit.keyfence-chained").exists());
}

#[test]
fn a_symlinked_hook_is_refused_without_force() {
    let repo = Repo::new();
    let hooks = repo.path().join(".git/hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    std::fs::write(repo.path().join("shared-hook.sh"), "#!/bin/sh\nexit 0\n").unwrap();
    std::os::unix::fs::symlink(repo.path().join("shared-hook.sh"), hooks.join("pre-commit")).unwrap();
    let (code, _, stderr) = install(&repo, repo.path(), &[]);
    assert_eq!(code, 2);
    assert!(stderr.contains("symbolic link") && stderr.contains("--force"), "{stderr}");
    let (code, _, _) = install(&repo, repo.path(), &["--force"]);
    assert_eq!(code, 0);
    assert!(std::fs::symlink_metadata(hooks.join("pre-commit.keyfence-chained"))
        .unwrap()
        .file_type()
        .is_symlink());
}

#[test]
fn uninstall_leaves_a_foreign_hook_alone() {
    let repo = Repo::new();
    let hook = repo.path().join(".git/hooks/pre-commit");
    std::fs::create_dir_all(hook.parent().unwrap()).unwrap();
    std::fs::write(&hook, "#!/bin/sh\nexit 0\n").unwrap();
    let (code, _, stderr) = run(repo.keyfence().args(["hook", "uninstall"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("not installed by keyfence"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), "#!/bin/sh\nexit 0\n");
}

#[test]
fn a_linked_worktree_shares_the_common_hooks() {
    let repo = Repo::new();
    repo.write("a.txt", "a\n");
    repo.commit_all("init");
    let worktree: PathBuf =
        repo.path().join("../").join(format!("{}-wt", repo.path().file_name().unwrap().to_string_lossy()));
    repo.git(&["worktree", "add", "-q", worktree.to_str().unwrap(), "-b", "wt"]);
    let (code, _, stderr) = install(&repo, &worktree, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(repo.path().join(".git/hooks/pre-commit").exists(), "installed in the common git dir");
    std::fs::write(worktree.join("k.env"), format!("KEY={}\n", app_key(220))).unwrap();
    repo.git_command(&["add", "k.env"]).current_dir(&worktree).status().unwrap();
    assert!(!commit(&repo, &worktree, &[]).0, "blocked in the worktree");
    assert!(!commit(&repo, &worktree, &["-a"]).0);
    std::fs::remove_dir_all(&worktree).ok();
}

#[test]
fn husky_keeps_its_script_and_gets_a_keyfence_block() {
    let repo = Repo::new();
    repo.write(".husky/pre-commit", "npm run lint-staged-fake\n");
    repo.write(".husky/_/pre-commit", "#!/bin/sh\n. \"$(dirname \"$0\")/../pre-commit\"\n");
    repo.git(&["config", "core.hooksPath", ".husky/_"]);
    let (code, _, stderr) = install(&repo, repo.path(), &[]);
    assert_eq!(code, 0, "{stderr}");
    let script = std::fs::read_to_string(repo.path().join(".husky/pre-commit")).unwrap();
    assert!(script.ends_with("npm run lint-staged-fake\n"), "{script}");
    assert!(
        script.find("scan --staged").unwrap() < script.find("npm run").unwrap(),
        "keyfence runs first: {script}"
    );
    install(&repo, repo.path(), &[]);
    let again = std::fs::read_to_string(repo.path().join(".husky/pre-commit")).unwrap();
    assert_eq!(script, again, "idempotent");
    assert!(!repo.path().join(".husky/_/pre-commit.keyfence-chained").exists());
    let (code, _, _) = run(repo.keyfence().args(["hook", "uninstall"]));
    assert_eq!(code, 0);
    assert_eq!(
        std::fs::read_to_string(repo.path().join(".husky/pre-commit")).unwrap(),
        "npm run lint-staged-fake\n"
    );
}

#[test]
fn outside_a_repository_install_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = run(crate::common::keyfence(dir.path())
        .args(["hook", "install"])
        .env("GIT_CEILING_DIRECTORIES", dir.path()));
    assert_eq!(code, 2);
    assert!(stderr.contains("not a git repository"), "{stderr}");
}

#[test]
fn husky_scripts_that_exit_early_still_run_keyfence_first() {
    let repo = Repo::new();
    repo.write(".husky/pre-commit", "echo lint ok\nexit 0\n");
    repo.write(".husky/_/pre-commit", "#!/bin/sh\nsh \"$(dirname \"$0\")/../pre-commit\"\n");
    std::process::Command::new("chmod")
        .arg("+x")
        .arg(repo.path().join(".husky/_/pre-commit"))
        .status()
        .unwrap();
    repo.git(&["config", "core.hooksPath", ".husky/_"]);
    assert_eq!(install(&repo, repo.path(), &[]).0, 0);
    repo.write("k.env", format!("KEY={}\n", app_key(230)));
    repo.git(&["add", "k.env"]);
    assert!(!commit(&repo, repo.path(), &[]).0, "the key is blocked despite the early exit 0");
}

#[test]
fn husky_without_its_runner_folder_warns() {
    let repo = Repo::new();
    repo.git(&["config", "core.hooksPath", ".husky/_"]);
    let (code, _, stderr) = install(&repo, repo.path(), &[]);
    assert_eq!(code, 0);
    assert!(stderr.contains("warning: husky's runner folder"), "{stderr}");
}

#[test]
fn an_empty_core_hooks_path_is_refused() {
    let repo = Repo::new();
    repo.git(&["config", "core.hooksPath", ""]);
    let (code, _, stderr) = install(&repo, repo.path(), &[]);
    assert_eq!(code, 2);
    assert!(stderr.contains("core.hooksPath is set but empty"), "{stderr}");
    assert!(!repo.path().join("pre-commit").exists());
}

#[test]
fn dispatcher_hooks_are_refused_without_force() {
    let repo = Repo::new();
    let hook = repo.path().join(".git/hooks/pre-commit");
    std::fs::create_dir_all(hook.parent().unwrap()).unwrap();
    let dispatcher = "#!/bin/sh\ncase $(basename \"$0\") in pre-commit) exit 1;; *) exit 0;; esac\n";
    std::fs::write(&hook, dispatcher).unwrap();
    let (code, _, stderr) = install(&repo, repo.path(), &[]);
    assert_eq!(code, 2);
    assert!(stderr.contains("basename"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), dispatcher, "left as it was");
}

#[test]
fn a_hand_edited_keyfence_hook_is_kept_and_force_backs_it_up() {
    let repo = Repo::new();
    assert_eq!(install(&repo, repo.path(), &[]).0, 0);
    let hook = repo.path().join(".git/hooks/pre-commit");
    let edited = std::fs::read_to_string(&hook)
        .unwrap()
        .replace("installed_at=", "npm run lint || exit 1\ninstalled_at=");
    std::fs::write(&hook, &edited).unwrap();
    let (code, _, stderr) = install(&repo, repo.path(), &[]);
    assert_eq!(code, 2);
    assert!(stderr.contains("edited by hand"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), edited);
    let (code, _, stderr) = install(&repo, repo.path(), &["--force"]);
    assert_eq!(code, 0, "{stderr}");
    let backup = repo.path().join(".git/hooks/pre-commit.keyfence-backup-1");
    assert_eq!(std::fs::read_to_string(backup).unwrap(), edited, "nothing is lost");
}

#[test]
fn force_never_deletes_a_chained_hook() {
    let repo = Repo::new();
    let hooks = repo.path().join(".git/hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    std::fs::write(hooks.join("pre-commit"), "#!/bin/sh\necho A\n").unwrap();
    assert_eq!(install(&repo, repo.path(), &[]).0, 0);
    std::fs::write(hooks.join("pre-commit"), "#!/bin/sh\necho B\n").unwrap();
    assert_eq!(install(&repo, repo.path(), &[]).0, 2, "a clash is refused");
    assert_eq!(install(&repo, repo.path(), &["--force"]).0, 0);
    assert_eq!(
        std::fs::read_to_string(hooks.join("pre-commit.keyfence-chained")).unwrap(),
        "#!/bin/sh\necho B\n"
    );
    assert_eq!(
        std::fs::read_to_string(hooks.join("pre-commit.keyfence-backup-1")).unwrap(),
        "#!/bin/sh\necho A\n"
    );
}

#[test]
fn reinstalling_after_the_pre_commit_framework_took_over_does_not_loop() {
    let repo = Repo::new();
    assert_eq!(install(&repo, repo.path(), &[]).0, 0);
    let hooks = repo.path().join(".git/hooks");
    // What `pre-commit install` does: keep the existing hook as pre-commit.legacy.
    std::fs::rename(hooks.join("pre-commit"), hooks.join("pre-commit.legacy")).unwrap();
    let framework = "#!/usr/bin/env bash\n# File generated by pre-commit: https://pre-commit.com\nexit 0\n";
    std::fs::write(hooks.join("pre-commit"), framework).unwrap();
    let (code, _, stderr) = install(&repo, repo.path(), &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("already installed"), "{stderr}");
    assert_eq!(std::fs::read_to_string(hooks.join("pre-commit")).unwrap(), framework);
    assert!(!hooks.join("pre-commit.keyfence-chained").exists());
}
