//! Key sharing: who receives a credential. A push outside `[org] remotes` (through
//! `scan --pre-push` and through a real `git push` with the installed hook), and commits by
//! addresses outside `[org] domains`.

use crate::common::{app_key, client_secret, github_pat, json_findings, run, Repo};
use std::path::Path;

const ZERO: &str = "0000000000000000000000000000000000000000";
const ORG: &str = "[org]\nname = \"Acme\"\ndomains = [\"acme.example\"]\nremotes = [\"github.com/acme/*\", \"gitlab.acme.example/*\"]\n";
/// `[org]` without `domains`: the test repositories commit as test@keyfence.invalid.
const REMOTES: &str =
    "[org]\nname = \"Acme\"\nremotes = [\"github.com/acme/*\", \"gitlab.acme.example/*\"]\n";

fn rev(repo: &Repo, name: &str) -> String {
    String::from_utf8(repo.git(&["rev-parse", name]).stdout).unwrap().trim().to_owned()
}

/// `keyfence scan --pre-push REMOTE URL --format json` with `lines` on standard input.
fn pre_push(repo: &Repo, remote: &str, url: &str, lines: &str) -> (i32, String, String) {
    run(repo
        .keyfence()
        .args(["scan", "--format", "json", "--pre-push", remote, url])
        .write_stdin(lines.to_owned()))
}

/// The secrets (redacted) and each finding's exposure and shared_with, in report order.
fn verdicts(stdout: &str) -> Vec<(String, Vec<String>, Vec<String>)> {
    if stdout.trim().is_empty() {
        return Vec::new();
    }
    let strings = |v: &serde_json::Value| -> Vec<String> {
        v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_owned()).collect()
    };
    json_findings(stdout)
        .iter()
        .map(|f| {
            (f["secret"].as_str().unwrap().to_owned(), strings(&f["exposure"]), strings(&f["shared_with"]))
        })
        .collect()
}

fn redacted(key: &str) -> String {
    format!("{}…", &key[..6])
}

/// A repository whose `main` has one commit with `old_key`, which origin already has
/// (refs/remotes/origin/main), and a second commit adding `new_key`.
fn pushed_repo(config: &str, old_key: &str, new_key: &str) -> (Repo, String, String) {
    let repo = Repo::new();
    repo.write(".keyfence.toml", config);
    repo.write("old.env", format!("KEY={old_key}\n"));
    repo.commit_all("on the remote already");
    let old = rev(&repo, "HEAD");
    repo.git(&["update-ref", "refs/remotes/origin/main", &old]);
    repo.write("new.env", format!("KEY={new_key}\n"));
    repo.commit_all("new");
    let new = rev(&repo, "HEAD");
    (repo, old, new)
}

#[test]
fn only_commits_the_remote_lacks_are_scanned() {
    let (old_key, new_key) = (app_key(900), app_key(901));
    let (repo, old, new) = pushed_repo("", &old_key, &new_key);
    // An update of main: the remote's sha is hidden.
    let (code, stdout, stderr) = pre_push(
        &repo,
        "origin",
        "git@github.com:acme/app.git",
        &format!("refs/heads/main {new} refs/heads/main {old}\n"),
    );
    assert_eq!(code, 1, "{stderr}");
    let found = verdicts(&stdout);
    assert_eq!(found.len(), 1, "{stdout}");
    assert_eq!(found[0].0, redacted(&new_key));
    assert!(stderr.contains("push blocked"), "{stderr}");
    // A new branch (remote sha zero): the remote-tracking refs are hidden.
    let (code, stdout, _) = pre_push(
        &repo,
        "origin",
        "git@github.com:acme/app.git",
        &format!("refs/heads/main {new} refs/heads/topic {ZERO}\n"),
    );
    assert_eq!((code, verdicts(&stdout).len()), (1, 1), "{stdout}");
    // Another remote has none of it: both keys are new there.
    let (code, stdout, _) = pre_push(
        &repo,
        "backup",
        "git@github.com:acme/app.git",
        &format!("refs/heads/main {new} refs/heads/main {ZERO}\n"),
    );
    assert_eq!((code, verdicts(&stdout).len()), (1, 2), "{stdout}");
    // Pushing what the remote has already publishes nothing.
    let (code, stdout, stderr) = pre_push(
        &repo,
        "origin",
        "git@github.com:acme/app.git",
        &format!("refs/heads/old {old} refs/heads/old {ZERO}\n"),
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
}

#[test]
fn deletions_tags_and_force_pushes() {
    let (repo, old, new) = pushed_repo("", &app_key(910), &app_key(911));
    // A deletion pushes nothing.
    let (code, stdout, stderr) =
        pre_push(&repo, "origin", "/srv/app.git", &format!("(delete) {ZERO} refs/heads/gone {old}\n"));
    assert_eq!(code, 0, "{stdout}{stderr}");
    // No lines at all (nothing to push) is clean too.
    assert_eq!(pre_push(&repo, "origin", "/srv/app.git", "").0, 0);
    // An annotated tag on the new commit publishes that commit.
    repo.git(&["tag", "-a", "-m", "release", "v1", &new]);
    let tag = rev(&repo, "v1");
    assert_ne!(tag, new, "an annotated tag is its own object");
    let (code, stdout, _) =
        pre_push(&repo, "origin", "/srv/app.git", &format!("refs/tags/v1 {tag} refs/tags/v1 {ZERO}\n"));
    assert_eq!((code, verdicts(&stdout).len()), (1, 1), "{stdout}");
    // A force push over commits this clone never saw: their sha is unknown here, not an error.
    let elsewhere = "1234567890abcdef1234567890abcdef12345678";
    let (code, stdout, stderr) = pre_push(
        &repo,
        "origin",
        "/srv/app.git",
        &format!("refs/heads/main {new} refs/heads/main {elsewhere}\n"),
    );
    assert_eq!((code, verdicts(&stdout).len()), (1, 1), "{stderr}");
    // Garbage on standard input fails closed.
    let (code, _, stderr) = pre_push(&repo, "origin", "/srv/app.git", "refs/heads/main not-a-sha\n");
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("hint:"), "{stderr}");
}

#[test]
fn a_push_outside_org_remotes_is_shared_with_that_owner_and_the_url_token_is_never_printed() {
    let (repo, old, new) = pushed_repo(REMOTES, &app_key(920), &client_secret(921));
    let token = github_pat(922);
    let url = format!("https://contractor:{token}@github.com/Contractor-Co/app.git");
    let lines = format!("refs/heads/main {new} refs/heads/main {old}\n");
    let (code, stdout, stderr) = pre_push(&repo, &url, &url, &lines);
    assert_eq!(code, 1, "{stderr}");
    let finding = &json_findings(&stdout)[0];
    assert_eq!(finding["exposure"], serde_json::json!(["third-party-remote"]));
    assert_eq!(finding["shared_with"], serde_json::json!(["github.com/contractor-co"]));
    assert_eq!(finding["faq"]["id"], "ST-FAQ-NO-SHARED-APP-KEY");
    assert!(finding["next_steps"][0].as_str().unwrap().contains("ST-FAQ-CONTACT-BEFORE-3P"), "{stdout}");
    assert!(stderr.contains("Shared with github.com/contractor-co"), "{stderr}");
    assert!(!stdout.contains(&token) && !stderr.contains(&token), "the URL's token leaked");
    // Human output neither.
    let human =
        repo.keyfence().args(["scan", "--pre-push", &url, &url]).write_stdin(lines.clone()).output().unwrap();
    let text =
        format!("{}{}", String::from_utf8_lossy(&human.stdout), String::from_utf8_lossy(&human.stderr));
    assert!(text.contains("github.com/contractor-co") && !text.contains(&token), "{text}");
    // A push outside with nothing in it passes.
    let (code, _, stderr) = pre_push(&repo, &url, &url, &format!("refs/heads/x {old} refs/heads/x {old}\n"));
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn a_push_inside_org_remotes_in_any_url_form_is_not_third_party() {
    let (repo, old, new) = pushed_repo(REMOTES, &app_key(930), &app_key(931));
    let lines = format!("refs/heads/main {new} refs/heads/main {old}\n");
    for url in [
        "git@github.com:acme/app.git",
        "ssh://git@github.com:22/ACME/app",
        "https://gitlab.acme.example/platform/tools/app.git",
        "/srv/git/app.git",
        "file:///srv/git/app.git",
    ] {
        let (code, stdout, stderr) = pre_push(&repo, "origin", url, &lines);
        assert_eq!(code, 1, "{url}: any finding blocks the push: {stderr}");
        let found = verdicts(&stdout);
        assert!(found[0].1.is_empty() && found[0].2.is_empty(), "{url}: {stdout}");
        assert!(!stderr.contains("Shared with"), "{stderr}");
    }
    // Look-alike owners are outside.
    let (_, stdout, _) = pre_push(&repo, "origin", "git@github.com:acme-evil/app.git", &lines);
    assert_eq!(verdicts(&stdout)[0].2, vec!["github.com/acme-evil".to_owned()]);
}

#[test]
fn without_org_remotes_no_remote_verdict_is_guessed() {
    for config in ["", "[org]\nname = \"Acme\"\ndomains = [\"keyfence.invalid\"]\n"] {
        let (repo, old, new) = pushed_repo(config, &app_key(940), &app_key(941));
        let lines = format!("refs/heads/main {new} refs/heads/main {old}\n");
        let (code, stdout, _) = pre_push(&repo, "origin", "https://github.com/contractor-co/app.git", &lines);
        assert_eq!(code, 1);
        let found = verdicts(&stdout);
        assert!(found[0].1.is_empty(), "{config}: {stdout}");
    }
}

#[test]
fn insteadof_rewrites_and_the_remotes_configured_url_are_both_checked() {
    let (repo, old, new) = pushed_repo(REMOTES, &app_key(950), &app_key(951));
    let lines = format!("refs/heads/main {new} refs/heads/main {old}\n");
    // A hand-typed short URL is rewritten as git would.
    repo.git(&["config", "url.https://github.com/contractor-co/.insteadOf", "contractor:"]);
    let (_, stdout, _) = pre_push(&repo, "contractor:app", "contractor:app", &lines);
    assert_eq!(verdicts(&stdout)[0].2, vec!["github.com/contractor-co".to_owned()], "{stdout}");
    // git hands the hook the rewritten URL (here a local path); the remote as configured is
    // the contractor's.
    repo.git(&["remote", "add", "contractor", "https://github.com/contractor-co/app.git"]);
    let (_, stdout, _) = pre_push(&repo, "contractor", "/srv/mirror.git", &lines);
    assert_eq!(verdicts(&stdout)[0].2, vec!["github.com/contractor-co".to_owned()], "{stdout}");
    // And the org's own remote, configured and rewritten inside, stays inside.
    repo.git(&["remote", "add", "mine", "git@github.com:acme/app.git"]);
    let (_, stdout, _) = pre_push(&repo, "mine", "/srv/mirror.git", &lines);
    assert!(verdicts(&stdout)[0].2.is_empty(), "{stdout}");
}

/// A bare repository to push to.
fn bare() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("git")
        .args(["init", "-q", "--bare", "-b", "main"])
        .arg(dir.path())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .status()
        .unwrap();
    assert!(status.success());
    dir
}

/// `git push REMOTE main` with the hooks enabled; (success, stderr).
fn push(repo: &Repo, remote: &str) -> (bool, String) {
    let output = repo.git_command(&["push", "-q", remote, "main"]).env_remove("KEYFENCE").output().unwrap();
    (output.status.success(), String::from_utf8_lossy(&output.stderr).into_owned())
}

fn has_branch(bare: &Path) -> Option<String> {
    let output = std::process::Command::new("git")
        .args(["--git-dir", bare.to_str().unwrap(), "rev-parse", "--verify", "-q", "refs/heads/main"])
        .output()
        .unwrap();
    output.status.success().then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

#[test]
fn a_real_git_push_through_the_installed_hook_is_blocked_and_says_who_receives_it() {
    let (ours, theirs) = (bare(), bare());
    let repo = Repo::new();
    repo.write(".keyfence.toml", REMOTES);
    repo.write("README.md", "hi\n");
    repo.commit_all("init");
    let (code, _, stderr) = run(repo.keyfence().args(["hook", "install", "--pre-push"]));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        repo.path().join(".git/hooks/pre-push").is_file()
            && repo.path().join(".git/hooks/pre-commit").is_file()
    );
    // Both remotes are local bare repositories; insteadOf maps their configured URLs there.
    for (url, bare) in
        [("https://github.com/acme/app.git", &ours), ("https://github.com/contractor-co/app.git", &theirs)]
    {
        repo.git(&["config", &format!("url.{}.insteadOf", bare.path().display()), url]);
    }
    repo.git(&["remote", "add", "origin", "https://github.com/acme/app.git"]);
    repo.git(&["remote", "add", "contractor", "https://github.com/contractor-co/app.git"]);

    assert!(push(&repo, "origin").0, "a clean push passes");
    assert!(push(&repo, "contractor").0, "a clean push passes, even outside");
    repo.git(&["fetch", "-q", "origin"]);
    repo.git(&["fetch", "-q", "contractor"]);
    let clean = rev(&repo, "HEAD");

    repo.write("deploy.env", format!("ST_APP_KEY={}\n", app_key(960)));
    repo.commit_all("add the key");
    let (ok, stderr) = push(&repo, "contractor");
    assert!(!ok, "the push to the contractor is blocked");
    assert!(
        stderr.contains("push blocked") && stderr.contains("Shared with github.com/contractor-co"),
        "{stderr}"
    );
    assert_eq!(has_branch(theirs.path()), Some(clean.clone()), "nothing reached the contractor");
    let (ok, stderr) = push(&repo, "origin");
    assert!(!ok, "any finding blocks a push, inside too");
    assert!(stderr.contains("push blocked") && !stderr.contains("Shared with"), "{stderr}");

    // Take the key out of history: the push passes.
    repo.git(&["reset", "-q", "--hard", &clean]);
    repo.write("deploy.env", "ST_APP_KEY=${FROM_VAULT}\n");
    repo.commit_all("load it at run time");
    assert!(push(&repo, "contractor").0);
    assert_eq!(has_branch(theirs.path()), Some(rev(&repo, "HEAD")));

    // Uninstall removes both hooks.
    let (code, _, stderr) = run(repo.keyfence().args(["hook", "uninstall"]));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        !repo.path().join(".git/hooks/pre-push").exists()
            && !repo.path().join(".git/hooks/pre-commit").exists()
    );
}

#[test]
fn a_pre_push_hook_already_there_is_chained_and_still_gets_the_ref_lines() {
    let target = bare();
    let repo = Repo::new();
    repo.write("README.md", "hi\n");
    repo.commit_all("init");
    let hooks = repo.path().join(".git/hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    let log = repo.path().join("seen.txt");
    let original = format!("#!/bin/sh\ncat > '{}'\n", log.display());
    std::fs::write(hooks.join("pre-push"), &original).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(hooks.join("pre-push"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let (code, _, stderr) = run(repo.keyfence().args(["hook", "install", "--pre-push-only"]));
    assert_eq!(code, 0, "{stderr}");
    assert!(!hooks.join("pre-commit").exists(), "--pre-push-only leaves pre-commit alone");
    repo.git(&["remote", "add", "origin", target.path().to_str().unwrap()]);
    repo.write("k.env", format!("KEY={}\n", app_key(970)));
    repo.commit_all("key");
    assert!(!push(&repo, "origin").0, "blocked by keyfence after the chained hook ran");
    let seen = std::fs::read_to_string(&log).unwrap();
    assert!(seen.starts_with("refs/heads/main ") && seen.contains(&rev(&repo, "HEAD")), "{seen}");
    let (code, _, _) = run(repo.keyfence().args(["hook", "uninstall"]));
    assert_eq!(code, 0);
    assert_eq!(std::fs::read_to_string(hooks.join("pre-push")).unwrap(), original);
}

/// `git commit` of everything as `author` / `committer`, without hooks.
fn commit_as(repo: &Repo, author: &str, committer: &str) {
    repo.git(&["add", "-A"]);
    let output = repo
        .git_command(&["commit", "-q", "--no-verify", "-m", "change"])
        .env("GIT_AUTHOR_EMAIL", author)
        .env("GIT_COMMITTER_EMAIL", committer)
        .output()
        .unwrap();
    assert!(output.status.success());
}

#[test]
fn a_commit_by_an_outside_author_or_committer_is_third_party_in_history() {
    let repo = Repo::new();
    repo.write(".keyfence.toml", ORG);
    repo.write("a.env", format!("KEY={}\n", app_key(980)));
    commit_as(&repo, "dev@acme.example", "dev@eu.acme.example");
    repo.write("b.env", format!("KEY={}\n", app_key(981)));
    commit_as(&repo, "someone@contractor.example", "dev@acme.example");
    repo.write("c.env", format!("KEY={}\n", app_key(982)));
    commit_as(&repo, "dev@acme.example", "ci@builder.example");
    let (code, stdout, stderr) = run(repo.keyfence().args(["scan", "--all-history", "--format", "json"]));
    assert_eq!(code, 1, "{stderr}");
    let found = verdicts(&stdout);
    assert_eq!(found.len(), 3, "{stdout}");
    assert!(found[0].1.is_empty(), "an org member's commit is not third-party: {stdout}");
    assert_eq!(found[1].1, vec!["third-party-author".to_owned()]);
    assert_eq!(found[1].2, vec!["contractor.example".to_owned()]);
    assert_eq!(found[2].2, vec!["builder.example".to_owned()], "the committer counts too");
    assert!(stderr.contains("Shared with builder.example, contractor.example"), "{stderr}");
    // Without [org] domains nothing is guessed.
    repo.write(".keyfence.toml", "[org]\nname = \"Acme\"\n");
    let (_, stdout, _) = run(repo.keyfence().args(["scan", "--all-history", "--format", "json"]));
    assert!(verdicts(&stdout).iter().all(|f| f.1.is_empty()), "{stdout}");
}

#[test]
fn a_staged_key_from_an_outside_user_email_is_third_party() {
    let repo = Repo::new();
    repo.write(".keyfence.toml", ORG);
    repo.write("k.env", format!("KEY={}\n", app_key(990)));
    repo.git(&["add", "-A"]);
    repo.git(&["config", "user.email", "freelancer@contractor.example"]);
    let (code, stdout, stderr) = run(repo.keyfence().args(["scan", "--staged", "--format", "json"]));
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(verdicts(&stdout)[0].2, vec!["contractor.example".to_owned()]);
    assert!(stderr.contains("commit blocked"), "{stderr}");

    repo.git(&["config", "user.email", "dev@eu.acme.example"]);
    let (code, stdout, _) = run(repo.keyfence().args(["scan", "--staged", "--format", "json"]));
    assert_eq!(code, 1);
    assert!(verdicts(&stdout)[0].1.is_empty(), "an org member is inside: {stdout}");
    // GIT_AUTHOR_EMAIL (as git commit sets it) wins over user.email.
    let (_, stdout, _) = run(repo
        .keyfence()
        .args(["scan", "--staged", "--format", "json"])
        .env("GIT_AUTHOR_EMAIL", "x@contractor.example"));
    assert_eq!(verdicts(&stdout)[0].2, vec!["contractor.example".to_owned()]);
}

#[test]
fn org_domains_and_remotes_are_validated() {
    let repo = Repo::new();
    for (bad, says) in [
        ("[org]\ndomains = [\"@acme.example\"]\n", "[org] domains"),
        ("[org]\nremotes = [\"https://github.com/acme/*\"]\n", "[org] remotes"),
        ("[org]\nremotes = [\"\"]\n", "[org] remotes"),
    ] {
        repo.write(".keyfence.toml", bad);
        let (code, _, stderr) = run(repo.keyfence().args(["scan", "."]));
        assert_eq!(code, 2, "{bad}");
        assert!(stderr.contains(says) && stderr.contains(".keyfence.toml:"), "{stderr}");
    }
    repo.write(".keyfence.toml", ORG);
    assert_eq!(run(repo.keyfence().args(["scan", "."])).0, 0);
}

#[test]
fn husky_gets_a_pre_push_step_and_its_own_script_still_reads_the_ref_lines() {
    let target = bare();
    let repo = Repo::new();
    let original = "cat > \"$(git rev-parse --git-dir)/seen.txt\"\n";
    repo.write(".husky/pre-push", original);
    repo.write(".husky/_/pre-push", "#!/bin/sh\nsh \"$(dirname \"$0\")/../pre-push\" \"$@\"\n");
    use std::os::unix::fs::PermissionsExt;
    let runner = repo.path().join(".husky/_/pre-push");
    std::fs::set_permissions(&runner, std::fs::Permissions::from_mode(0o755)).unwrap();
    repo.git(&["config", "core.hooksPath", ".husky/_"]);
    repo.commit_all("init");
    let (code, _, stderr) = run(repo.keyfence().args(["hook", "install", "--pre-push-only"]));
    assert_eq!(code, 0, "{stderr}");
    let script = std::fs::read_to_string(repo.path().join(".husky/pre-push")).unwrap();
    assert!(script.find("--pre-push").unwrap() < script.find("seen.txt").unwrap(), "{script}");
    repo.git(&["remote", "add", "origin", target.path().to_str().unwrap()]);

    assert!(push(&repo, "origin").0, "a clean push passes");
    let seen = std::fs::read_to_string(repo.path().join(".git/seen.txt")).unwrap();
    assert!(seen.starts_with("refs/heads/main ") && seen.contains(&rev(&repo, "HEAD")), "{seen:?}");
    repo.write("k.env", format!("KEY={}\n", app_key(975)));
    repo.commit_all("key");
    let (ok, stderr) = push(&repo, "origin");
    assert!(!ok && stderr.contains("push blocked"), "{stderr}");

    let (code, _, _) = run(repo.keyfence().args(["hook", "uninstall"]));
    assert_eq!(code, 0);
    assert_eq!(std::fs::read_to_string(repo.path().join(".husky/pre-push")).unwrap(), original);
}
