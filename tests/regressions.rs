//! Regressions found by a new-user review of the first version; each test holds the right value.

use crate::common::{app_key, keyfence, keyfence_path, loc, locations, run, Repo};
use std::process::{Command, Stdio};

fn json(repo: &Repo, args: &[&str]) -> (i32, Vec<(String, u64, String)>, String) {
    let mut full = args.to_vec();
    full.extend(["--format", "json"]);
    let (code, stdout, stderr) = run(repo.keyfence().args(&full));
    (code, if stdout.trim().is_empty() { Vec::new() } else { locations(&stdout) }, stderr)
}

#[test]
fn a_full_or_closed_standard_error_is_not_a_panic() {
    let repo = Repo::new();
    repo.write("k.env", format!("K={}\n", app_key(600)));
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let status = Command::new(keyfence_path())
        .args(["scan", "."])
        .current_dir(repo.path())
        .stdout(Stdio::null())
        .stderr(full)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1), "findings, not a panic (101)");
    let clean = tempfile::tempdir().unwrap();
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let status = Command::new(keyfence_path())
        .args(["scan", "."])
        .current_dir(clean.path())
        .stderr(full)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0));
}

#[test]
fn an_oversized_staged_text_file_blocks_the_commit() {
    let repo = Repo::new();
    let mut big = format!("K={}\n", app_key(601));
    big.push_str(&"filler line\n".repeat(100_000));
    repo.write("big.txt", big);
    repo.git(&["add", "."]);
    let (code, _, stderr) = run(repo.keyfence().args(["scan", "--staged", "--max-file-size", "1"]));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("big.txt") && stderr.contains("was not scanned"), "{stderr}");
    let (code, _, _) = run(repo.keyfence().args(["scan", "--staged"]).env("KEYFENCE_MAX_FILE_SIZE", "2"));
    assert_eq!(code, 1, "raising the limit through the environment scans it");
}

#[test]
fn utf16_without_bom_utf32_and_a_stray_ff_fe_are_scanned() {
    let repo = Repo::new();
    let le: Vec<u8> =
        format!("a=1\nK={}\n", app_key(602)).encode_utf16().flat_map(u16::to_le_bytes).collect();
    repo.write("le.txt", le);
    let utf32: Vec<u8> = [0xFF, 0xFE, 0, 0]
        .into_iter()
        .chain(format!("K={}\n", app_key(603)).chars().flat_map(|c| (c as u32).to_le_bytes()))
        .collect();
    repo.write("utf32.txt", utf32);
    let mut stray = vec![0xFF, 0xFE];
    stray.extend(format!("K={}\n", app_key(604)).bytes());
    repo.write("stray.txt", stray);
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend(format!("K={}\n", app_key(605)).bytes());
    repo.write("bom.txt", bom);
    let (code, stdout, _) = run(repo.keyfence().args(["scan", ".", "--format", "json"]));
    assert_eq!(code, 1);
    let columns: Vec<(String, u64, u64)> = crate::common::json_findings(&stdout)
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        columns,
        [
            ("bom.txt".into(), 1, 3),
            ("le.txt".into(), 2, 3),
            ("stray.txt".into(), 1, 5),
            ("utf32.txt".into(), 1, 3)
        ]
    );
}

#[test]
fn a_named_fifo_is_read() {
    let repo = Repo::new();
    let fifo = repo.path().join("pipe");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let key = app_key(606);
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::write(fifo, format!("K={key}\n")).unwrap())
    };
    let (code, found, _) = json(&repo, &["scan", "pipe"]);
    writer.join().unwrap();
    assert_eq!(code, 1);
    assert_eq!(found, [loc("pipe", 1, "servicetitan-app-key")]);
}

#[test]
fn tracked_files_are_scanned_even_when_an_ignore_rule_matches_them() {
    let repo = Repo::new();
    repo.write(".gitignore", ".env\n");
    repo.write(".env", format!("K={}\n", app_key(607)));
    repo.write("excluded.cfg", format!("K={}\n", app_key(608)));
    std::fs::write(repo.path().join(".git/info/exclude"), "excluded.cfg\n").unwrap();
    repo.git(&["add", "-f", ".env", "excluded.cfg", ".gitignore"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "force-added"]);
    repo.write("untracked-ignored/.env", "");
    // ripgrep's .ignore files say what to search, not what may hold secrets: not honored.
    repo.write(".ignore", "visible.env\n");
    repo.write("visible.env", format!("K={}\n", app_key(609)));
    let (code, found, _) = json(&repo, &["scan", "."]);
    assert_eq!(code, 1);
    assert_eq!(
        found,
        [
            loc(".env", 1, "servicetitan-app-key"),
            loc("excluded.cfg", 1, "servicetitan-app-key"),
            loc("visible.env", 1, "servicetitan-app-key"),
        ]
    );
}

#[test]
fn keyfenceignore_applies_to_files_staged_changes_and_history() {
    let repo = Repo::new();
    repo.write(".keyfenceignore", "fixtures/\n");
    repo.write("fixtures/fake.env", format!("K={}\n", app_key(610)));
    repo.write("real.env", format!("K={}\n", app_key(611)));
    repo.git(&["add", "."]);
    let expected = [loc("real.env", 1, "servicetitan-app-key")];
    assert_eq!(json(&repo, &["scan", "."]).1, expected);
    assert_eq!(json(&repo, &["scan", "--staged"]).1, expected);
    repo.git(&["commit", "-q", "--no-verify", "-m", "x"]);
    assert_eq!(json(&repo, &["scan", "."]).1, expected, "tracked, but still excluded");
    assert_eq!(json(&repo, &["scan", "--all-history"]).1, expected);
}

#[test]
fn a_bare_repository_with_a_separate_work_tree_scans_its_index() {
    let dir = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(["--git-dir", "r.git", "--work-tree", "wt"])
            .args(args)
            .current_dir(dir.path())
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    };
    assert!(Command::new("git")
        .args(["init", "-q", "--bare", "r.git"])
        .current_dir(dir.path())
        .status()
        .unwrap()
        .success());
    std::fs::create_dir(dir.path().join("wt")).unwrap();
    std::fs::write(dir.path().join("wt/.env"), format!("K={}\n", app_key(612))).unwrap();
    git(&["add", ".env"]);
    let (code, stdout, stderr) = run(keyfence(dir.path())
        .args(["scan", "--staged", "--format", "json"])
        .env("GIT_DIR", dir.path().join("r.git"))
        .env("GIT_WORK_TREE", dir.path().join("wt")));
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(locations(&stdout), [loc(".env", 1, "servicetitan-app-key")]);
}

#[test]
fn editing_a_utf16_file_reports_only_the_new_key() {
    let repo = Repo::new();
    let encode = |text: String| -> Vec<u8> {
        [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect()
    };
    repo.write("w.txt", encode(format!("K={}\nA=1\n", app_key(613))));
    repo.commit_all("old key");
    repo.write("w.txt", encode(format!("K={}\nA=2\n", app_key(613))));
    repo.git(&["add", "."]);
    assert_eq!(json(&repo, &["scan", "--staged"]).1, []);
    repo.write("w.txt", encode(format!("K={}\nA=2\nN={}\n", app_key(613), app_key(614))));
    repo.git(&["add", "."]);
    assert_eq!(json(&repo, &["scan", "--staged"]).1, [loc("w.txt", 3, "servicetitan-app-key")]);
}

#[test]
fn many_keys_on_one_long_line_all_get_their_own_column() {
    let repo = Repo::new();
    let keys: Vec<String> = (0..2000).map(|i| app_key(1000 + i)).collect();
    repo.write("min.js", keys.join(" "));
    let (code, stdout, _) = run(repo.keyfence().args(["scan", ".", "--format", "json"]));
    assert_eq!(code, 1);
    let columns: Vec<u64> =
        crate::common::json_findings(&stdout).iter().map(|f| f["column"].as_u64().unwrap()).collect();
    let expected: Vec<u64> = (0..2000).map(|i| 1 + i * 30).collect();
    assert_eq!(columns, expected);
}

#[test]
fn control_characters_in_paths_are_escaped_in_human_output() {
    let repo = Repo::new();
    repo.write("new\nline.env", format!("K={}\n", app_key(615)));
    let (code, stdout, _) = run(repo.keyfence().args(["scan", ".", "--color", "never"]));
    assert_eq!(code, 1);
    assert!(stdout.starts_with("new\\nline.env:1:3: servicetitan-app-key"), "{stdout}");
}

#[test]
fn an_unwritable_report_file_fails_before_scanning() {
    // Issue 12: the report's folder is checked before the scan, not after it printed everything.
    let repo = Repo::new();
    repo.write("k.env", format!("K={}\n", app_key(616)));
    let (code, stdout, stderr) =
        run(repo.keyfence().args(["scan", ".", "--report", "/nonexistent-dir/r.json"]));
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("cannot write the report"), "{stderr}");
}

#[test]
fn git_index_file_naming_a_folder_says_so() {
    let repo = Repo::new();
    let (code, _, stderr) = run(repo.keyfence().args(["scan", "--staged"]).env("GIT_INDEX_FILE", ".git"));
    assert_eq!(code, 2);
    assert!(stderr.contains("a folder, not an index file"), "{stderr}");
}

#[test]
fn split_indexes_are_read() {
    let repo = Repo::new();
    repo.write("a.txt", "a\n");
    repo.commit_all("init");
    repo.git(&["update-index", "--split-index"]);
    repo.write("k.env", format!("K={}\n", app_key(617)));
    repo.git(&["add", "k.env"]);
    assert!(repo.path().join(".git").read_dir().unwrap().any(|e| e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .starts_with("sharedindex.")));
    let (code, found, stderr) = json(&repo, &["scan", "--staged"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(found, [loc("k.env", 1, "servicetitan-app-key")]);
}

/// `keyfence completions bash | head -c 80` panicked (clap_complete panics on a failed write):
/// a reader that stops early is not an error, for completions and the man page alike.
#[test]
fn completions_into_a_pipe_closed_early_exit_quietly() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    for args in [&["completions", "bash"][..], &["man"][..]] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_keyfence"))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Close the reading end at once: the process has not written yet, so every write fails.
        drop(child.stdout.take());
        let mut stderr = String::new();
        child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}
