//! Test fixtures: throwaway git repositories, the real binary, and fake credentials built at run
//! time (so no secret-shaped literal sits in this file and keyfence scans itself clean).

#![allow(dead_code)]

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use std::process::Output;
use tempfile::TempDir;

/// Lowercase base36 body of `len` characters from `seed`: deterministic, at least two digits, no
/// run of two equal characters, no placeholder word (the alphabet order makes none).
pub fn body(seed: u64, len: usize) -> String {
    const ALPHABET: &[u8] = b"k3m9p2q8r7s6t5u4v1w0xyzabcdefghijlno";
    let mut state = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    let mut out: Vec<u8> = Vec::with_capacity(len);
    while out.len() < len {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let c = ALPHABET[((state >> 33) % 36) as usize];
        if out.last() != Some(&c) {
            out.push(c);
        }
    }
    // Force two digits in known places.
    out[1] = b'7';
    out[len - 2] = b'4';
    String::from_utf8(out).unwrap()
}

/// `data` in base64url without padding (the alphabet of JWTs).
pub fn base64url(data: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &b)| n | (b as u32) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// A fake ServiceTitan App Key.
pub fn app_key(seed: u64) -> String {
    format!("{}{}", "ak1.", body(seed, 25))
}

/// A fake ServiceTitan Client ID.
pub fn client_id(seed: u64) -> String {
    format!("{}{}", "cid.", body(seed, 25))
}

/// A fake ServiceTitan Client Secret.
pub fn client_secret(seed: u64) -> String {
    format!("{}{}", "cs1.", body(seed, 50))
}

/// A fake GitHub classic personal access token.
pub fn github_pat(seed: u64) -> String {
    let mixed: String = body(seed, 36)
        .chars()
        .enumerate()
        .map(|(i, c)| if i % 3 == 0 { c.to_ascii_uppercase() } else { c })
        .collect();
    format!("{}{}", "ghp_", mixed)
}

/// The keyfence binary under test, with a clean environment: no inherited git variables, no
/// color variables, no global or system git configuration.
pub fn keyfence(cwd: &Path) -> Command {
    let mut cmd = Command::cargo_bin("keyfence").unwrap();
    cmd.current_dir(cwd).env_clear().env("PATH", path_with_binary_first()).env("HOME", cwd);
    cmd.env("GIT_CONFIG_NOSYSTEM", "1").env("GIT_CONFIG_GLOBAL", "/dev/null");
    cmd
}

/// `PATH` with the folder of the binary under test first, so a hook (or anything else) that
/// looks `keyfence` up on PATH finds the build under test, never an older installed one.
pub fn path_with_binary_first() -> std::ffi::OsString {
    let folder = keyfence_path().parent().expect("the binary has a folder").to_path_buf();
    let inherited = std::env::var_os("PATH").unwrap_or_default();
    std::env::join_paths(std::iter::once(folder).chain(std::env::split_paths(&inherited)))
        .expect("PATH entries join")
}

/// Path of the keyfence binary under test.
pub fn keyfence_path() -> PathBuf {
    assert_cmd::cargo::cargo_bin("keyfence")
}

/// A temporary git repository driven through the real `git`.
pub struct Repo {
    dir: TempDir,
}

impl Repo {
    /// `git init` in a new temporary directory.
    pub fn new() -> Repo {
        let repo = Repo { dir: tempfile::tempdir().unwrap() };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    /// The work tree root.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `content` to `rel` (creating folders).
    pub fn write(&self, rel: &str, content: impl AsRef<[u8]>) {
        let path = self.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }

    /// Runs git with a fixed identity and no user configuration; panics if it fails.
    pub fn git(&self, args: &[&str]) -> Output {
        let output = self.git_command(args).output().unwrap();
        assert!(output.status.success(), "git {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
        output
    }

    /// A git command with a fixed identity and no user configuration, not yet run.
    pub fn git_command(&self, args: &[&str]) -> std::process::Command {
        let mut cmd = std::process::Command::new("git");
        cmd.args(args)
            .current_dir(self.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "Test")
            .env("GIT_AUTHOR_EMAIL", "test@keyfence.invalid")
            .env("GIT_COMMITTER_NAME", "Test")
            .env("GIT_COMMITTER_EMAIL", "test@keyfence.invalid")
            // Hooks git runs find the build under test on PATH (tests that check the lookup
            // itself set their own PATH).
            .env("PATH", path_with_binary_first())
            .env_remove("KEYFENCE")
            .env_remove("GIT_DIR")
            .env_remove("GIT_INDEX_FILE")
            .env_remove("GIT_WORK_TREE");
        cmd
    }

    /// `git add -A` and `git commit`.
    pub fn commit_all(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--no-verify", "-m", message]);
    }

    /// Overwrites the loose object of the staged blob at `path` with garbage, so reading it
    /// fails (a corrupt repository).
    pub fn corrupt_staged_blob(&self, path: &str) {
        let oid = String::from_utf8(self.git(&["rev-parse", &format!(":{path}")]).stdout).unwrap();
        let object = self.path().join(".git/objects").join(&oid[..2]).join(oid[2..].trim());
        let mut permissions = std::fs::metadata(&object).unwrap().permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        permissions.set_readonly(false);
        std::fs::set_permissions(&object, permissions).unwrap();
        std::fs::write(&object, b"not zlib").unwrap();
    }

    /// keyfence run in the work tree root.
    pub fn keyfence(&self) -> Command {
        keyfence(self.path())
    }
}

/// Runs `cmd` and returns (exit code, stdout, stderr).
pub fn run(cmd: &mut Command) -> (i32, String, String) {
    let output = cmd.output().unwrap();
    (
        output.status.code().expect("exited with a code, not a signal"),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The findings of a `--format json` run's standard output.
pub fn json_findings(stdout: &str) -> Vec<serde_json::Value> {
    serde_json::from_str::<serde_json::Value>(stdout)
        .expect("stdout is JSON")
        .as_array()
        .expect("an array")
        .clone()
}

/// `(path, line, rule_id)` of each finding of a `--format json` run, in report order.
pub fn locations(stdout: &str) -> Vec<(String, u64, String)> {
    json_findings(stdout)
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
                f["rule_id"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// A `(path, line, rule_id)` triple as [`locations`] returns them.
pub fn loc(path: &str, line: u64, rule: &str) -> (String, u64, String) {
    (path.to_owned(), line, rule.to_owned())
}

/// The first next step of the first finding of a JSON scan run with `args` in `dir` (which
/// must report findings: exit 1).
pub fn first_step(dir: &Path, args: &[&str]) -> String {
    let (code, stdout, stderr) = run(keyfence(dir).args(args));
    assert_eq!(code, 1, "{stderr}");
    let findings = json_findings(&stdout);
    findings[0]["next_steps"][0].as_str().unwrap().to_owned()
}
