//! Issue 13, a fresh user's trial: a named file too big to scan, `explain` without an id, a
//! negative size, git-only range spellings, and `.env` advice that fits where the file stands.

use crate::common::{app_key, first_step, keyfence, loc, locations, run, Repo};
use std::process::Command;

/// A text file of 1 MiB and `extra` bytes, no secret in it (short lines: quick to scan).
fn over_one_mib(extra: usize) -> String {
    let mut text = "nothing to see here\n".repeat((1024 * 1024 + extra) / 20 + 1);
    text.truncate(1024 * 1024 + extra);
    text
}

#[test]
fn a_named_file_over_the_size_limit_fails_closed_and_says_its_real_size() {
    let repo = Repo::new();
    repo.write("big.txt", over_one_mib(4321));
    repo.write("small.env", format!("K={}\n", app_key(1301)));
    let real = (1024 * 1024 + 4321).to_string();
    let (code, stdout, stderr) = run(repo.keyfence().args([
        "scan",
        "big.txt",
        "small.env",
        "--max-file-size",
        "1",
        "--format",
        "json",
    ]));
    assert_eq!(code, 2, "a named file that was not scanned cannot pass: {stderr}");
    let error = stderr.lines().find(|l| l.starts_with("keyfence: error: big.txt")).expect(&stderr);
    assert!(error.contains(&format!("{real} bytes")), "the real size: {error}");
    assert!(!error.contains("1048577"), "not the limit + 1: {error}");
    for knob in ["1 MiB", "--max-file-size", "KEYFENCE_MAX_FILE_SIZE"] {
        assert!(error.contains(knob), "{knob}: {error}");
    }
    // The other named file was still scanned and its finding reported.
    assert_eq!(locations(&stdout), [loc("small.env", 1, "servicetitan-app-key")]);

    let (code, _, stderr) = run(repo.keyfence().args(["scan", "big.txt", "--max-file-size", "2"]));
    assert_eq!(code, 0, "under a raised limit the file is scanned: {stderr}");
    assert!(stderr.contains("1 file scanned"), "{stderr}");
}

#[test]
fn a_big_file_met_in_a_directory_walk_is_still_skipped_with_a_warning() {
    let repo = Repo::new();
    repo.write("big.txt", over_one_mib(4321));
    let (code, _, stderr) = run(repo.keyfence().args(["scan", ".", "--max-file-size", "1"]));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("warning: big.txt was not scanned: 1052897 bytes"), "{stderr}");
    assert!(stderr.contains("1 file skipped: 1 over the size limit"), "{stderr}");
    assert!(!stderr.contains("error"), "{stderr}");
}

#[test]
fn a_named_binary_file_over_the_limit_is_skipped_silently() {
    let repo = Repo::new();
    let mut binary = vec![0u8, 1, 2];
    binary.extend(over_one_mib(10).bytes());
    repo.write("image.png", binary);
    let (code, _, stderr) = run(repo.keyfence().args(["scan", "image.png", "--max-file-size", "1"]));
    assert_eq!(code, 0, "binary files are skipped everywhere: {stderr}");
    assert!(!stderr.contains("image.png"), "{stderr}");
}

#[test]
fn a_named_stream_over_the_limit_fails_closed_without_guessing_its_size() {
    let repo = Repo::new();
    let fifo = repo.path().join("pipe");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let writer = std::thread::spawn(move || {
        // The reader stops at the limit + 1 byte: a closed pipe here is expected.
        let _ = std::fs::write(fifo, over_one_mib(5000));
    });
    let (code, _, stderr) = run(repo.keyfence().args(["scan", "pipe", "--max-file-size", "1"]));
    writer.join().unwrap();
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("pipe was not scanned: more than 1048576 bytes"), "{stderr}");
}

#[test]
fn explain_without_an_id_says_what_it_takes() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = run(keyfence(dir.path()).arg("explain"));
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    for part in ["rule id", "FAQ rule id (ST-", "8+ hex digits of a fingerprint", "hint: `keyfence rules`"] {
        assert!(stderr.contains(part), "{part}: {stderr}");
    }
    assert!(!stderr.contains("required arguments"), "{stderr}");

    let (code, stdout, stderr) = run(keyfence(dir.path()).args(["explain", "servicetitan-app-key"]));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.starts_with("servicetitan-app-key:"), "{stdout}");
}

#[test]
fn a_negative_size_limit_gets_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["scan", "--max-file-size", "-1", "."][..],
        &["scan", "--max-file-size=-1", "."],
        &["scan", "--max-file-size", "5M"],
    ] {
        let (code, _, stderr) = run(keyfence(dir.path()).args(args));
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(
            stderr.contains("is not a size: sizes are a whole number of MiB from 1 to"),
            "{args:?}: {stderr}"
        );
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(!stderr.contains("unexpected argument"), "{args:?}: {stderr}");
    }
    // A flag after the option is still a flag, not a size.
    let (code, _, stderr) = run(keyfence(dir.path()).args(["scan", "--max-file-size", "--quiet"]));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("a value is required for '--max-file-size"), "{stderr}");

    let (code, _, stderr) = run(keyfence(dir.path()).args(["scan", "--max-file-size", "3", "."]));
    assert_eq!(code, 0, "{stderr}");
}

/// Fresh-user trial: `KEYFENCE_MAX_FILE_SIZE=0` was reported as `--max-file-size`, and a huge
/// number was called a unit problem.
#[test]
fn a_size_limit_out_of_range_names_where_it_came_from_and_the_range() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&[&str], Option<&str>, &str); 4] = [
        (&["scan", "."], Some("0"), "KEYFENCE_MAX_FILE_SIZE=\"0\" is too small"),
        (
            &["scan", "."],
            Some("99999999999999999999"),
            "KEYFENCE_MAX_FILE_SIZE=\"99999999999999999999\" is too large",
        ),
        (
            &["scan", ".", "--max-file-size", "99999999999999999999"],
            None,
            "--max-file-size 99999999999999999999 is too large",
        ),
        (&["scan", ".", "--max-file-size", "1048577"], None, "--max-file-size 1048577 is too large"),
    ];
    for (args, env, expected) in cases {
        let mut command = keyfence(dir.path());
        command.args(args);
        if let Some(value) = env {
            command.env("KEYFENCE_MAX_FILE_SIZE", value);
        }
        let (code, _, stderr) = run(&mut command);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
        assert!(stderr.starts_with(&format!("keyfence: error: {expected}: ")), "{stderr}");
        assert!(stderr.contains("from 1 to 1048576"), "the range: {stderr}");
        assert!(!stderr.contains("is not a size"), "a number, not a unit problem: {stderr}");
    }
    // The flag wins over the variable, and the largest size is accepted.
    let (code, _, stderr) = run(keyfence(dir.path())
        .args(["scan", ".", "--max-file-size", "1048576"])
        .env("KEYFENCE_MAX_FILE_SIZE", "0"));
    assert_eq!(code, 0, "{stderr}");
    let config = dir.path().join("big.toml");
    std::fs::write(&config, "[scan]\nmax_file_size = 2000000\n").unwrap();
    let (code, _, stderr) =
        run(keyfence(dir.path()).args(["scan", ".", "--config", config.to_str().unwrap()]));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("[scan] max_file_size = 2000000 is too large"), "{stderr}");
}

/// A repository of two commits, the second adding an App Key.
fn repo_with_a_key_in_the_second_commit() -> Repo {
    let repo = Repo::new();
    repo.write("readme.txt", "hello\n");
    repo.commit_all("first");
    repo.write("app.env", format!("K={}\n", app_key(1302)));
    repo.commit_all("second");
    repo
}

#[test]
fn git_only_range_spellings_are_named_with_the_forms_keyfence_takes() {
    let repo = repo_with_a_key_in_the_second_commit();
    let cases = [
        ("HEAD^!", "the X^! form"),
        ("HEAD^@", "the X^@ form"),
        ("HEAD^-1", "the X^-N form"),
        ("^HEAD~1 HEAD", "more than one revision"),
        ("^HEAD~1", "excluding with a leading ^"),
    ];
    for (range, what) in cases {
        let (code, stdout, stderr) = run(repo.keyfence().args(["scan", "--commits", range]));
        assert_eq!(code, 2, "{range}: {stderr}");
        assert!(stdout.is_empty(), "{range}: {stdout}");
        assert!(stderr.contains(&format!("--commits {range:?}: {what}")), "{stderr}");
        assert!(stderr.contains("is not supported"), "{stderr}");
        assert!(stderr.contains("hint: --commits takes A..B"), "{stderr}");
        assert!(stderr.contains("A...B"), "{stderr}");
        assert!(!stderr.contains("Invalid pattern"), "{stderr}");
    }
}

/// Fresh-user trial: `--commits A..B..C` surfaced libgit2's "OID prefix is too short".
#[test]
fn malformed_ranges_are_named_with_the_forms_keyfence_takes() {
    let repo = repo_with_a_key_in_the_second_commit();
    let cases = [
        ("A..B..C", "more than one `..` or `...`"),
        ("HEAD~1..HEAD..HEAD", "more than one `..` or `...`"),
        ("HEAD~1...HEAD..HEAD", "more than one `..` or `...`"),
        ("HEAD~1....HEAD", "a run of four or more dots"),
        ("..", "a range with no ends"),
        ("", "an empty range"),
    ];
    for (range, what) in cases {
        let (code, stdout, stderr) = run(repo.keyfence().args(["scan", "--commits", range]));
        assert_eq!(code, 2, "{range}: {stderr}");
        assert!(stdout.is_empty(), "{range}: {stdout}");
        let first = stderr.lines().next().unwrap_or_default();
        assert_eq!(
            first,
            format!("keyfence: error: --commits {range:?}: {what} is not supported"),
            "{stderr}"
        );
        assert!(stderr.contains("hint: --commits takes A..B"), "{stderr}");
        for raw in ["OID", "Invalid pattern", "invalid pattern", "revspec"] {
            assert!(!stderr.contains(raw), "{range}: {stderr}");
        }
    }
    // An empty end still means HEAD, as in git.
    let (code, _, stderr) = run(repo.keyfence().args(["scan", "--commits", "HEAD~1.."]));
    assert_eq!(code, 1, "{stderr}");
}

#[test]
fn the_range_forms_keyfence_takes_still_scan() {
    let repo = repo_with_a_key_in_the_second_commit();
    for range in ["HEAD~1..HEAD", "HEAD~1...HEAD", "HEAD^..HEAD"] {
        let (code, stdout, stderr) =
            run(repo.keyfence().args(["scan", "--commits", range, "--format", "json"]));
        assert_eq!(code, 1, "{range}: {stderr}");
        assert_eq!(locations(&stdout), [loc("app.env", 1, "servicetitan-app-key")], "{range}");
    }
}

#[test]
fn an_untracked_env_file_is_advised_to_be_ignored_not_untracked() {
    let repo = Repo::new();
    repo.write(".env", format!("ST_APP_KEY={}\n", app_key(1303)));
    let step = first_step(repo.path(), &["scan", ".", "--format", "json"]);
    assert!(!step.contains("git rm"), "{step}");
    assert!(step.contains("add .env to .gitignore"), "{step}");

    repo.git(&["add", ".env"]);
    let step = first_step(repo.path(), &["scan", ".", "--format", "json"]);
    assert!(step.contains("git rm --cached .env"), "a staged file is in the index: {step}");
}

#[test]
fn an_ignored_env_file_is_told_to_stay_ignored() {
    let repo = Repo::new();
    repo.write(".gitignore", ".env\n");
    repo.write(".env", format!("ST_APP_KEY={}\n", app_key(1304)));
    let step = first_step(repo.path(), &["scan", ".env", "--format", "json"]);
    assert!(!step.contains("git rm"), "{step}");
    assert!(step.contains("untracked and ignored"), "{step}");
}

#[test]
fn an_env_file_outside_git_gets_no_git_step() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".env"), format!("ST_APP_KEY={}\n", app_key(1305))).unwrap();
    let step = first_step(dir.path(), &["scan", ".", "--format", "json"]);
    assert!(!step.contains("git"), "{step}");
    assert!(step.contains("secret store"), "{step}");
}

/// Fresh-user trial: the README's pre-commit framework example offered `keyfence-files`, a
/// `language: system` hook, without saying that pre-commit then runs the keyfence on PATH and
/// installs nothing. Every system hook of `.pre-commit-hooks.yaml` the README shows must say
/// so, next to the install command.
#[test]
fn the_readme_says_which_pre_commit_hooks_need_keyfence_on_path() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let hooks = std::fs::read_to_string(root.join(".pre-commit-hooks.yaml")).unwrap();
    let mut system_ids = Vec::new();
    let mut id = "";
    for line in hooks.lines() {
        if let Some(rest) = line.strip_prefix("- id: ") {
            id = rest.trim();
        } else if line.trim() == "language: system" {
            system_ids.push(id.to_owned());
        }
    }
    assert!(system_ids.contains(&"keyfence-files".to_owned()), "{system_ids:?}");

    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let start = readme.find("**With the pre-commit framework**").expect("the framework section");
    let section = &readme[start..start + readme[start..].find("\n## ").unwrap()];
    for id in &system_ids {
        let shown = section.lines().find(|l| l.contains(&format!("id: {id} "))).expect(id);
        assert!(shown.contains("on PATH"), "{id} is shown without saying it needs keyfence on PATH: {shown}");
        assert!(section.contains(&format!("`{id}`")), "{id} is named in the text below the example");
    }
    assert!(section.contains("cargo install --locked"), "the install command: {section}");
    assert!(section.contains("language: system"), "{section}");
}
