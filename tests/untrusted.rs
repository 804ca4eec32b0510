//! Issue 13, sections 0, 0b and 3: the repository being scanned is untrusted input. It cannot
//! make `hook install` write outside it, run a binary of its own instead of keyfence, or get a
//! secret, a file outside it or a terminal escape into keyfence's output; fingerprints are keyed.

use crate::common::{app_key, keyfence_path, run, Repo};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path).unwrap().permissions().mode() & 0o7777
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// The folder of the system's `git` (and `sh`, `dirname`), without the binary under test.
fn system_path() -> String {
    let git = std::process::Command::new("sh").args(["-c", "command -v git"]).output().unwrap();
    let git = String::from_utf8(git.stdout).unwrap();
    let folder = Path::new(git.trim()).parent().unwrap().display().to_string();
    if folder == "/bin" || folder == "/usr/bin" {
        "/usr/bin:/bin".to_owned()
    } else {
        format!("{folder}:/usr/bin:/bin")
    }
}

/// `git commit` with `path` as PATH; returns whether it passed and its stderr.
fn commit_with_path(repo: &Repo, path: &str) -> (bool, String) {
    let output = repo.git_command(&["commit", "-q", "-m", "msg"]).env("PATH", path).output().unwrap();
    (output.status.success(), String::from_utf8_lossy(&output.stderr).into_owned())
}

/// A script named `keyfence` in `folder` that lets everything through and leaves a mark.
fn plant_fake_keyfence(folder: &Path) {
    std::fs::create_dir_all(folder).unwrap();
    let fake = folder.join("keyfence");
    std::fs::write(&fake, "#!/bin/sh\ntouch \"$(dirname \"$0\")/fake-ran\"\nexit 0\n").unwrap();
    set_mode(&fake, 0o755);
}

#[test]
fn a_husky_script_linked_to_an_outside_file_is_refused_and_the_file_is_untouched() {
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("ssh_config");
    std::fs::write(&target, "Host *\n  ForwardAgent no\n").unwrap();
    set_mode(&target, 0o600);
    let repo = Repo::new();
    std::fs::create_dir_all(repo.path().join(".husky/_")).unwrap();
    std::os::unix::fs::symlink(&target, repo.path().join(".husky/pre-commit")).unwrap();
    repo.commit_all("husky link");
    repo.git(&["config", "core.hooksPath", ".husky/_"]);

    for args in [&["hook", "install"][..], &["hook", "install", "--force"], &["hook", "uninstall"]] {
        let (code, _, stderr) = run(repo.keyfence().args(args));
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.contains("symbolic link"), "{stderr}");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "Host *\n  ForwardAgent no\n");
        assert_eq!(mode(&target), 0o600, "the outside file's mode is unchanged");
    }
    assert!(std::fs::symlink_metadata(repo.path().join(".husky/pre-commit")).unwrap().is_symlink());
}

#[test]
fn a_husky_folder_linked_outside_the_repository_is_refused() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(outside.path().join("_")).unwrap();
    let repo = Repo::new();
    std::os::unix::fs::symlink(outside.path(), repo.path().join(".husky")).unwrap();
    repo.git(&["config", "core.hooksPath", ".husky/_"]);
    let (code, _, stderr) = run(repo.keyfence().args(["hook", "install"]));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("outside the repository"), "{stderr}");
    assert!(!outside.path().join("pre-commit").exists(), "nothing written outside");

    // The same layout inside the repository is fine.
    let inside = Repo::new();
    std::fs::create_dir_all(inside.path().join("hooks-real/_")).unwrap();
    std::os::unix::fs::symlink("hooks-real", inside.path().join(".husky")).unwrap();
    inside.git(&["config", "core.hooksPath", ".husky/_"]);
    let (code, _, stderr) = run(inside.keyfence().args(["hook", "install"]));
    assert_eq!(code, 0, "{stderr}");
    assert!(inside.path().join("hooks-real/pre-commit").exists());
}

#[test]
fn husky_install_keeps_the_mode_of_the_users_script() {
    let repo = Repo::new();
    repo.write(".husky/pre-commit", "npm test\n");
    std::fs::create_dir_all(repo.path().join(".husky/_")).unwrap();
    set_mode(&repo.path().join(".husky/pre-commit"), 0o640);
    repo.git(&["config", "core.hooksPath", ".husky/_"]);
    let (code, _, stderr) = run(repo.keyfence().args(["hook", "install"]));
    assert_eq!(code, 0, "{stderr}");
    let script = repo.path().join(".husky/pre-commit");
    assert!(std::fs::read_to_string(&script).unwrap().contains("scan --staged"));
    assert_eq!(mode(&script), 0o640, "not made executable: keyfence did not create it");

    // A script keyfence creates is executable.
    let fresh = Repo::new();
    std::fs::create_dir_all(fresh.path().join(".husky/_")).unwrap();
    fresh.git(&["config", "core.hooksPath", ".husky/_"]);
    assert_eq!(run(fresh.keyfence().args(["hook", "install"])).0, 0);
    assert_eq!(mode(&fresh.path().join(".husky/pre-commit")), 0o755);
}

#[test]
fn a_committed_keyfence_on_an_empty_path_entry_never_runs() {
    let repo = Repo::new();
    repo.write("README.md", "hi\n");
    plant_fake_keyfence(repo.path());
    repo.commit_all("init");
    assert_eq!(run(repo.keyfence().args(["hook", "install"])).0, 0);
    repo.write(".env", format!("KEY={}\n", app_key(1301)));
    repo.git(&["add", ".env"]);
    // A trailing `:` is an empty entry: the current directory, the repository's root.
    let path = format!("{}:", system_path());
    let (ok, stderr) = commit_with_path(&repo, &path);
    assert!(!ok, "the installed keyfence ran and blocked: {stderr}");
    assert!(stderr.contains("commit blocked"), "{stderr}");
    assert!(!repo.path().join("fake-ran").exists(), "the committed ./keyfence did not run");

    // With the installed binary gone, PATH's relative entries are still skipped: blocked as
    // not found.
    let hook = repo.path().join(".git/hooks/pre-commit");
    let text = std::fs::read_to_string(&hook).unwrap();
    let moved = text
        .lines()
        .map(|l| if l.starts_with("installed_at=") { "installed_at='/nonexistent/keyfence'" } else { l })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&hook, moved).unwrap();
    let (ok, stderr) = commit_with_path(&repo, &format!(".:{path}"));
    assert!(!ok);
    assert!(stderr.contains("was not found"), "{stderr}");
    assert!(!repo.path().join("fake-ran").exists());
}

#[test]
fn an_installed_hook_runs_its_own_binary_not_a_keyfence_earlier_on_path() {
    let repo = Repo::new();
    assert_eq!(run(repo.keyfence().args(["hook", "install"])).0, 0);
    let fakes = tempfile::tempdir().unwrap();
    plant_fake_keyfence(fakes.path());
    repo.write(".env", format!("KEY={}\n", app_key(1302)));
    repo.git(&["add", ".env"]);
    let path = format!("{}:{}", fakes.path().display(), system_path());
    let (ok, stderr) = commit_with_path(&repo, &path);
    assert!(!ok && stderr.contains("commit blocked"), "{stderr}");
    assert!(!fakes.path().join("fake-ran").exists());
}

#[test]
fn the_template_finds_keyfence_on_the_absolute_path_entries() {
    let repo = Repo::new();
    let hooks = repo.path().join(".git/hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    let template = Path::new(env!("CARGO_MANIFEST_DIR")).join("hooks/pre-commit");
    std::fs::copy(template, hooks.join("pre-commit")).unwrap();
    repo.write(".env", format!("KEY={}\n", app_key(1303)));
    repo.git(&["add", ".env"]);
    let bin = keyfence_path().parent().unwrap().display().to_string();
    let (ok, stderr) = commit_with_path(&repo, &format!(":{bin}:{}", system_path()));
    assert!(!ok && stderr.contains("commit blocked"), "found on PATH and blocked: {stderr}");
    let (ok, stderr) = commit_with_path(&repo, &system_path());
    assert!(!ok && stderr.contains("was not found"), "{stderr}");
}

/// `(rule|path|secret)` hashed as keyfence 0.1 did: plain SHA-256, NUL-separated.
fn unkeyed_fingerprint(rule: &str, path: &str, secret: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for part in [rule, path, secret] {
        hasher.update(part.as_bytes());
        hasher.update([0u8]);
    }
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn an_author_email_with_terminal_escapes_prints_escaped() {
    let repo = Repo::new();
    repo.write(".env", format!("KEY={}\n", app_key(1310)));
    repo.git(&["add", "-A"]);
    let output = repo
        .git_command(&["commit", "-q", "--no-verify", "-m", "add\x1b]0;title\x07"])
        .env("GIT_AUTHOR_EMAIL", "mallory\x1b[2J@evil.example")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let (code, stdout, stderr) = run(repo.keyfence().args(["scan", "--all-history", "--color", "never"]));
    assert_eq!(code, 1, "{stderr}");
    assert!(!stdout.contains('\x1b') && !stderr.contains('\x1b'), "{stdout:?}");
    assert!(stdout.contains("mallory\\u{1b}[2J@evil.example"), "{stdout}");
}

#[test]
fn a_jwt_payload_appears_in_no_output() {
    let repo = Repo::new();
    let header = "eyJhbGciOiJSUzI1NiIsInR5cCI6ImF0K2p3dCJ9";
    // {"client_id":"cid.…","email":"ann@acme.example"}, base64url, built at run time.
    let claims_json =
        format!(r#"{{"client_id":"cid.{}","email":"ann@acme.example"}}"#, crate::common::body(1311, 25));
    let claims = crate::common::base64url(claims_json.as_bytes());
    let token =
        format!("{header}.{claims}.{}", crate::common::base64url(crate::common::body(1312, 40).as_bytes()));
    repo.write("api.http", format!("Authorization: Bearer {token}\n"));
    repo.commit_all("token");
    for format in ["human", "json", "sarif"] {
        for target in [&["scan", "."][..], &["scan", "--all-history"]] {
            let (code, stdout, stderr) = run(repo.keyfence().args(target).args(["--format", format]));
            assert_eq!(code, 1, "{stderr}");
            for output in [&stdout, &stderr] {
                assert!(!output.contains(&claims) && !output.contains(&claims[..12]), "{format}: {output}");
                assert!(!output.contains("ann@acme"), "{format}: {output}");
            }
            assert!(stdout.contains("eyJhbG…"), "{format}: {stdout}");
        }
    }
    let (_, shown, _) = run(repo.keyfence().args(["scan", ".", "--show-secrets"]));
    assert!(shown.contains(&token), "--show-secrets shows the token");
}

#[test]
fn a_baseline_outside_the_repository_is_an_error_that_quotes_nothing() {
    let outside = tempfile::tempdir().unwrap();
    let leaked = outside.path().join("secrets.json");
    std::fs::write(&leaked, r#"{"keyfence_baseline": 1, "token": "outside-value-1310"}"#).unwrap();
    let repo = Repo::new();
    repo.write("a.txt", "clean\n");
    for named in [
        leaked.display().to_string(),
        "../../../../../../../../..".to_owned() + &leaked.display().to_string(),
    ] {
        repo.write(".keyfence.toml", format!("[scan]\nbaseline = {named:?}\n"));
        let (code, _, stderr) = run(repo.keyfence().args(["scan", "."]));
        assert_eq!(code, 2, "{stderr}");
        assert!(
            stderr.contains(".keyfence.toml:2: [scan] baseline names a file outside the repository"),
            "{stderr}"
        );
        assert!(!stderr.contains("outside-value") && !stderr.contains("secrets.json"), "{stderr}");
    }
    // A link inside the repository to the outside file is outside too.
    std::os::unix::fs::symlink(&leaked, repo.path().join("baseline.json")).unwrap();
    repo.write(".keyfence.toml", "[scan]\nbaseline = \"baseline.json\"\n");
    let (code, _, stderr) = run(repo.keyfence().args(["scan", "."]));
    assert_eq!(code, 2);
    assert!(stderr.contains("outside the repository") && !stderr.contains("outside-value"), "{stderr}");
    // The user may name it: the error about its content quotes nothing either.
    std::fs::remove_file(repo.path().join(".keyfence.toml")).unwrap();
    let (code, _, stderr) = run(repo.keyfence().args(["scan", "."]).arg("--baseline").arg(&leaked));
    assert_eq!(code, 2);
    assert!(stderr.contains("not a keyfence baseline") && !stderr.contains("outside-value"), "{stderr}");
    assert!(!stderr.contains("token"), "{stderr}");
}

#[test]
fn a_gitleaks_extend_path_outside_the_repository_is_an_error_that_quotes_nothing() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("base.toml"), "[extend]\nuseDefault = true\nleaky_key_1310 = 1\n")
        .unwrap();
    let repo = Repo::new();
    repo.write("a.txt", "clean\n");
    let absolute = outside.path().join("base.toml").display().to_string();
    for named in [
        absolute,
        "../../../../../../../..".to_owned() + &outside.path().join("base.toml").display().to_string(),
    ] {
        repo.write(".gitleaks.toml", format!("[extend]\npath = {named:?}\n"));
        let (code, _, stderr) = run(repo.keyfence().args(["scan", "."]));
        assert_eq!(code, 2, "{stderr}");
        assert!(
            stderr.contains(".gitleaks.toml:2: extend.path names a file outside the repository"),
            "{stderr}"
        );
        assert!(!stderr.contains("leaky_key"), "{stderr}");
    }
    // Inside the repository it is read as before.
    repo.write("ci/base.toml", "[extend]\nuseDefault = true\n");
    repo.write(".gitleaks.toml", "[extend]\npath = \"ci/base.toml\"\n");
    let (code, _, stderr) = run(repo.keyfence().args(["scan", "."]));
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn configuration_errors_name_the_key_and_line_but_never_the_value() {
    let pasted = format!("ak1.{}", crate::common::body(1313, 25));
    let cases = [
        (format!("[scan]\nmax_file_size = \"{pasted}\"\n"), ".keyfence.toml:2"),
        (format!("[rules]\ndisable = [\"{pasted}\"]\n"), ".keyfence.toml:2: [rules] disable"),
        (format!("[org]\ntenants = [\"{pasted}\"]\n"), ".keyfence.toml:2: [org] tenants"),
        (format!("[allowlist]\nregexes = [\"({pasted}\"]\n"), ".keyfence.toml:2"),
        (format!("[allowlist]\nlines = [\"[{pasted}\"]\n"), ".keyfence.toml:2"),
        (format!("[allowlist]\npaths = [\"a{{{pasted}\"]\n"), ".keyfence.toml:2"),
        (format!("[allowlist]\ncommits = [\"{pasted}\"]\n"), ".keyfence.toml:1: [allowlist] commits"),
        (format!("[allowlist]\npaths = [\"x\"]\ncondition = \"{pasted}\"\n"), ".keyfence.toml:3"),
        (
            format!("[[rule]]\nid = \"acme\"\nregex = 'acme_[a-z]{{8}}'\nseverity = \"{pasted}\"\n"),
            ".keyfence.toml:",
        ),
        (
            format!("[scan]\nfingerprint_key = \"{}\"\n", &pasted[..10]),
            ".keyfence.toml:2: [scan] fingerprint_key",
        ),
    ];
    for (text, expected) in cases {
        let repo = Repo::new();
        repo.write(".keyfence.toml", &text);
        let (code, _, stderr) = run(repo.keyfence().args(["scan", "."]));
        assert_eq!(code, 2, "{text}: {stderr}");
        assert!(stderr.contains(expected), "{text}: {stderr}");
        assert!(!stderr.contains(&pasted[..10]), "{text}: the value is quoted: {stderr}");
    }
}

#[test]
fn fingerprints_are_keyed_and_a_new_baseline_carries_its_key() {
    let repo = Repo::new();
    let key = app_key(1314);
    repo.write(".env", format!("KEY={key}\n"));
    let (code, stdout, _) = run(repo.keyfence().args(["scan", ".", "--format", "json"]));
    assert_eq!(code, 1);
    let finding = &crate::common::json_findings(&stdout)[0];
    let fingerprint = finding["fingerprint"].as_str().unwrap();
    assert_ne!(fingerprint, unkeyed_fingerprint("servicetitan-app-key", ".env", &key));
    assert_eq!(fingerprint.len(), 64);
    assert_eq!(finding["fingerprint_kind"], "hmac-sha256-builtin-key");

    // `keyfence baseline` generates a key, keeps it on rewrite, and scans with the baseline use it.
    assert_eq!(run(repo.keyfence().args(["baseline", "base.json"])).0, 0);
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(repo.path().join("base.json")).unwrap()).unwrap();
    assert_eq!(written["fingerprint_kind"], "hmac-sha256");
    let file_key = written["fingerprint_key"].as_str().unwrap().to_owned();
    assert_eq!(file_key.len(), 64);
    let entry = written["findings"][0]["fingerprint"].as_str().unwrap().to_owned();
    assert_ne!(entry, fingerprint, "keyed with the baseline's own key");
    assert_eq!(run(repo.keyfence().args(["baseline", "base.json"])).0, 0);
    let again: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(repo.path().join("base.json")).unwrap()).unwrap();
    assert_eq!(again["fingerprint_key"], file_key.as_str(), "a rewrite keeps the key");
    assert_eq!(again["findings"][0]["fingerprint"], entry.as_str());
    let (code, _, stderr) = run(repo.keyfence().args(["scan", ".", "--baseline", "base.json"]));
    assert_eq!(code, 0, "the baseline hides its finding: {stderr}");

    // A configured key wins and stays out of the baseline file.
    repo.write(".keyfence.toml", "[scan]\nfingerprint_key = \"a-key-of-our-own-1314\"\n");
    let (_, stdout, _) = run(repo.keyfence().args(["scan", ".", "--format", "sarif"]));
    let sarif: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["properties"]["fingerprint_kind"], "hmac-sha256");
    let configured = result["partialFingerprints"]["keyfence/v2"].as_str().unwrap();
    assert!(configured != fingerprint && configured != entry);
    assert_eq!(run(repo.keyfence().args(["baseline", "own.json"])).0, 0);
    let own = std::fs::read_to_string(repo.path().join("own.json")).unwrap();
    assert!(!own.contains("fingerprint_key") && !own.contains("a-key-of-our-own"), "{own}");
}

#[test]
fn an_old_unkeyed_baseline_still_hides_its_findings() {
    let repo = Repo::new();
    let key = app_key(1315);
    let other = app_key(1316);
    repo.write(".env", format!("KEY={key}\nOTHER={other}\n"));
    let old = format!(
        "{{\n  \"keyfence_baseline\": 1,\n  \"findings\": [\n    {{\"fingerprint\": \"{}\", \"rule_id\": \"servicetitan-app-key\", \"path\": \".env\"}}\n  ]\n}}\n",
        unkeyed_fingerprint("servicetitan-app-key", ".env", &key)
    );
    repo.write("old-baseline.json", old);
    let (code, stdout, stderr) =
        run(repo.keyfence().args(["scan", ".", "--baseline", "old-baseline.json", "--format", "json"]));
    assert_eq!(code, 1, "{stderr}");
    let lines: Vec<u64> =
        crate::common::json_findings(&stdout).iter().map(|f| f["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, [2], "only the finding the old baseline does not list");
    assert!(stderr.contains("unkeyed fingerprints") && stderr.contains("keyfence baseline"), "{stderr}");
    assert_eq!(stderr.matches("unkeyed").count(), 1, "one line: {stderr}");
}

#[test]
fn a_configurations_own_rule_texts_print_escaped() {
    let repo = Repo::new();
    repo.write(
        ".keyfence.toml",
        "[[rule]]\nid = \"acme-token\"\ndescription = \"ACME\\u001b[2J token\"\nkeywords = [\"acme_\"]\nregex = '''acme_[a-z0-9]{20}'''\n",
    );
    repo.write("a.txt", "acme_k7m9p2q8r7s6t5u4v1w4\n"); // keyfence:allow
    let (code, stdout, stderr) = run(repo.keyfence().args(["rules"]));
    assert_eq!(code, 0, "{stderr}");
    assert!(!stdout.contains('\x1b') && stdout.contains("ACME\\u{1b}[2J token"), "{stdout}");
    let (code, stdout, _) = run(repo.keyfence().args(["scan", "a.txt", "--color", "never"]));
    assert_eq!(code, 1);
    assert!(!stdout.contains('\x1b') && stdout.contains("ACME\\u{1b}[2J token"), "{stdout}");
}

#[test]
fn a_configuration_linked_outside_the_repository_is_refused() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("keys.toml"), "outside_value_1317 = 1\n").unwrap();
    let repo = Repo::new();
    repo.write("a.txt", "clean\n");
    std::os::unix::fs::symlink(outside.path().join("keys.toml"), repo.path().join(".keyfence.toml")).unwrap();
    let (code, _, stderr) = run(repo.keyfence().args(["scan", "."]));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains(".keyfence.toml leads outside the repository"), "{stderr}");
    assert!(!stderr.contains("outside_value"), "{stderr}");
    // Given by the user, the same file is read (and its unknown key named, not its value).
    let (code, _, stderr) =
        run(repo.keyfence().args(["scan", "a.txt", "--config"]).arg(outside.path().join("keys.toml")));
    assert_eq!(code, 2);
    assert!(!stderr.contains("leads outside"), "{stderr}");
}
