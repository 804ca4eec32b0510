//! `keyfence scan PATH...`: directories and files on disk.

use crate::common::{app_key, client_secret, github_pat, loc, locations, run, Repo};

#[test]
fn directory_scan_honors_gitignore_and_scans_dotenv() {
    let repo = Repo::new();
    repo.write(".gitignore", "ignored/\n*.log\n");
    repo.write(".env", format!("ST_APP_KEY={}\n", app_key(20)));
    repo.write("ignored/creds.env", format!("ST_APP_KEY={}\n", app_key(21)));
    repo.write("debug.log", format!("key {}\n", app_key(22)));
    repo.write("src/main.py", format!("\n\nTOKEN = '{}'\n", github_pat(23)));
    let (code, stdout, stderr) = run(repo.keyfence().args(["scan", ".", "--format", "json"]));
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        locations(&stdout),
        [loc(".env", 1, "servicetitan-app-key"), loc("src/main.py", 3, "github-pat")]
    );
}

#[test]
fn default_path_is_the_current_directory() {
    let repo = Repo::new();
    repo.write("a/b.env", format!("KEY={}\n", app_key(24)));
    let (code, stdout, _) = run(repo.keyfence().args(["scan", "--format", "json"]));
    assert_eq!(code, 1);
    assert_eq!(locations(&stdout), [loc("a/b.env", 1, "servicetitan-app-key")]);
}

#[test]
fn an_explicit_file_is_scanned_even_if_ignored() {
    let repo = Repo::new();
    repo.write(".gitignore", "*.env\n");
    repo.write("x.env", format!("KEY={}\n", app_key(25)));
    let (code, stdout, _) = run(repo.keyfence().args(["scan", "x.env", "--format", "json"]));
    assert_eq!(code, 1);
    assert_eq!(locations(&stdout), [loc("x.env", 1, "servicetitan-app-key")]);
}

#[test]
fn paths_are_relative_to_the_repository_root_from_a_subdirectory() {
    let repo = Repo::new();
    repo.write("sub/dir/k.env", format!("KEY={}\n", app_key(26)));
    let (code, stdout, _) =
        run(crate::common::keyfence(&repo.path().join("sub")).args(["scan", ".", "--format", "json"]));
    assert_eq!(code, 1);
    assert_eq!(locations(&stdout), [loc("sub/dir/k.env", 1, "servicetitan-app-key")]);
}

#[test]
fn outside_a_repository_paths_are_shown_as_given() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("conf")).unwrap();
    std::fs::write(dir.path().join("conf/k.env"), format!("KEY={}\n", app_key(27))).unwrap();
    let (code, stdout, _) =
        run(crate::common::keyfence(dir.path()).args(["scan", "./conf", "--format", "json"]));
    assert_eq!(code, 1);
    assert_eq!(locations(&stdout), [loc("conf/k.env", 1, "servicetitan-app-key")]);
}

#[test]
fn binary_files_are_skipped_and_big_text_files_warned_about() {
    let repo = Repo::new();
    let mut binary = vec![0u8, 1, 2];
    binary.extend(format!("KEY={}\n", app_key(28)).bytes());
    repo.write("image.png", binary);
    let mut big = format!("KEY={}\n", app_key(29));
    big.push_str(&"x".repeat(1024 * 1024 + 10));
    repo.write("big.txt", big);
    let (code, stdout, stderr) = run(repo.keyfence().args(["scan", ".", "--max-file-size", "1"]));
    assert_eq!((code, stdout.as_str()), (0, ""), "{stderr}");
    assert!(stderr.contains("warning: big.txt was not scanned"), "{stderr}");
    assert!(!stderr.contains("image.png"), "binary files are skipped silently: {stderr}");
}

#[test]
fn utf16_and_invalid_utf8_files_are_scanned() {
    let repo = Repo::new();
    let text = format!("line one\nKEY={}\n", app_key(30));
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    repo.write("windows.env", utf16);
    let mut latin1 = b"caf\xe9 \xff\n".to_vec();
    latin1.push(0xE9);
    latin1.extend(format!("KEY={}", client_secret(31)).bytes());
    latin1.extend(b"\xe9\n");
    repo.write("latin1.txt", latin1);
    let (code, stdout, _) = run(repo.keyfence().args(["scan", ".", "--format", "json"]));
    assert_eq!(code, 1);
    assert_eq!(
        locations(&stdout),
        [loc("latin1.txt", 2, "servicetitan-client-secret"), loc("windows.env", 2, "servicetitan-app-key")]
    );
}

#[test]
fn git_directories_and_unfollowed_symlinks_are_not_scanned() {
    let repo = Repo::new();
    repo.write("k.env", format!("KEY={}\n", app_key(32)));
    repo.commit_all("init");
    repo.git(&["rm", "-q", "k.env"]);
    repo.git(&["commit", "-q", "-m", "remove"]);
    // A plain-text copy inside .git is not part of the work tree and is not reported.
    repo.write(".git/leftover.env", format!("KEY={}\n", app_key(33)));
    #[cfg(unix)]
    std::os::unix::fs::symlink(repo.path().join(".git/leftover.env"), repo.path().join("link.env")).unwrap();
    let (code, stdout, stderr) = run(repo.keyfence().args(["scan", "."]));
    assert_eq!((code, stdout.as_str()), (0, ""), "{stderr}");
}

#[test]
fn findings_are_sorted_by_path_then_line() {
    let repo = Repo::new();
    for (i, name) in ["z.env", "a.env", "m/b.env"].iter().enumerate() {
        repo.write(name, format!("X=1\nK={}\nK2={}\n", app_key(40 + i as u64), app_key(50 + i as u64)));
    }
    let (_, stdout, _) = run(repo.keyfence().args(["scan", ".", "--format", "json"]));
    let found = locations(&stdout);
    let mut sorted = found.clone();
    sorted.sort();
    assert_eq!(found.len(), 6);
    assert_eq!(found, sorted);
}
