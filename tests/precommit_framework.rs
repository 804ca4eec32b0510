//! The real pre-commit framework (from PyPI) runs keyfence from `.pre-commit-hooks.yaml` and
//! blocks a staged secret. Ignored by default (it needs `pre-commit` on PATH, and the `keyfence`
//! hook builds keyfence from source); `.ci/run` installs the framework and runs these.

use crate::common::{app_key, keyfence_path, Repo};
use std::path::Path;

fn checkout_head() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out =
        std::process::Command::new("git").args(["rev-parse", "HEAD"]).current_dir(root).output().unwrap();
    assert!(out.status.success(), "the keyfence checkout must be a git repository");
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// Configures the framework with hook `id`, stages a secret, and returns whether `git commit`
/// passed, with its output.
fn commit_through_framework(id: &str) -> (bool, String) {
    let repo = Repo::new();
    let home = tempfile::tempdir().unwrap();
    let config = format!(
        "repos:\n  - repo: {}\n    rev: {}\n    hooks:\n      - id: {id}\n",
        env!("CARGO_MANIFEST_DIR"),
        checkout_head()
    );
    repo.write(".pre-commit-config.yaml", config);
    let bin_dir = keyfence_path().parent().unwrap().to_path_buf();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    let framework = |args: &[&str]| {
        std::process::Command::new("pre-commit")
            .args(args)
            .current_dir(repo.path())
            .env("PRE_COMMIT_HOME", home.path())
            .env("PATH", &path)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .output()
            .expect("pre-commit is on PATH (pip install pre-commit)")
    };
    let installed = framework(&["install"]);
    assert!(installed.status.success(), "{}", String::from_utf8_lossy(&installed.stderr));
    repo.write("app.env", format!("ST_APP_KEY={}\n", app_key(400)));
    repo.git(&["add", "."]);
    let output = repo
        .git_command(&["commit", "-q", "-m", "leak"])
        .env("PATH", &path)
        .env("PRE_COMMIT_HOME", home.path())
        .output()
        .unwrap();
    let text =
        format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    (output.status.success(), text)
}

#[test]
#[ignore = "needs the pre-commit framework on PATH; .ci/run runs it"]
fn pre_commit_framework_system_hook_blocks_a_staged_key() {
    let (ok, output) = commit_through_framework("keyfence-system");
    assert!(!ok, "{output}");
    assert!(output.contains("servicetitan-app-key"), "{output}");
}

#[test]
#[ignore = "needs the pre-commit framework on PATH and builds keyfence from source; .ci/run runs it"]
fn pre_commit_framework_rust_hook_builds_and_blocks_a_staged_key() {
    let (ok, output) = commit_through_framework("keyfence");
    assert!(!ok, "{output}");
    assert!(output.contains("servicetitan-app-key"), "{output}");
}
