//! `keyfence scan --staged`: exactly what `git commit` would record, only added lines.

use crate::common::{app_key, client_id, client_secret, loc, locations, run, Repo};

fn staged_json(repo: &Repo) -> (i32, Vec<(String, u64, String)>, String) {
    let (code, stdout, stderr) = run(repo.keyfence().args(["scan", "--staged", "--format", "json"]));
    (code, if stdout.is_empty() { Vec::new() } else { locations(&stdout) }, stderr)
}

#[test]
fn blocks_a_staged_app_key_and_passes_once_unstaged() {
    let repo = Repo::new();
    repo.write("README.md", "hello\n");
    repo.commit_all("init");
    repo.write(".env", format!("# config\nST_APP_KEY={}\n", app_key(1)));
    repo.git(&["add", ".env"]);

    let (code, stdout, stderr) = run(repo.keyfence().args(["scan", "--staged"]));
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.contains(".env:2:12: servicetitan-app-key"), "{stdout}");
    assert!(stdout.contains("ST-FAQ-NO-SHARED-APP-KEY"), "{stdout}");
    assert!(stdout.contains("https://developer.servicetitan.io/docs/faqs-customers/"), "{stdout}");
    assert!(stdout.contains("create a new app"), "the next step is printed: {stdout}");
    assert!(stderr.contains("commit blocked"), "{stderr}");
    assert!(stderr.contains("keyfence:allow"), "the summary says how to suppress: {stderr}");

    repo.git(&["restore", "--staged", ".env"]);
    let (code, stdout, _) = run(repo.keyfence().args(["scan", "--staged"]));
    assert_eq!(code, 0);
    assert_eq!(stdout, "", "nothing on stdout when clean");
}

#[test]
fn first_commit_counts_every_staged_line() {
    let repo = Repo::new();
    repo.write("config/app.py", format!("import os\n\nCLIENT_ID = '{}'\n", client_id(2)));
    repo.git(&["add", "."]);
    let (code, found, stderr) = staged_json(&repo);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(found, [loc("config/app.py", 3, "servicetitan-client-id")]);
}

#[test]
fn staged_version_decides_not_the_working_copy() {
    let repo = Repo::new();
    repo.write("app.env", "A=1\n");
    repo.commit_all("init");

    // Clean staged version, secret only in the working copy: passes.
    repo.write("app.env", "A=2\n");
    repo.git(&["add", "app.env"]);
    repo.write("app.env", format!("A=2\nST_CLIENT_SECRET={}\n", client_secret(3)));
    let (code, found, stderr) = staged_json(&repo);
    assert_eq!((code, found), (0, vec![]), "{stderr}");

    // Secret staged on line 3, then removed from the working copy: blocked at the staged line.
    repo.write("app.env", format!("A=2\nB=3\nST_CLIENT_SECRET={}\n", client_secret(3)));
    repo.git(&["add", "app.env"]);
    repo.write("app.env", "A=2\n");
    let (code, found, _) = staged_json(&repo);
    assert_eq!(code, 1);
    assert_eq!(found, [loc("app.env", 3, "servicetitan-client-secret")]);
}

#[test]
fn only_added_lines_are_reported() {
    let repo = Repo::new();
    let old = app_key(4);
    repo.write("settings.py", format!("OLD_KEY = '{old}'\nDEBUG = False\n"));
    repo.commit_all("init (an old leak, already committed)");

    repo.write("settings.py", format!("OLD_KEY = '{old}'\nDEBUG = True\n"));
    repo.git(&["add", "settings.py"]);
    let (code, found, stderr) = staged_json(&repo);
    assert_eq!((code, found), (0, vec![]), "the old secret is not part of this change: {stderr}");

    repo.write("settings.py", format!("OLD_KEY = '{old}'\nDEBUG = True\nNEW_KEY = '{}'\n", app_key(5)));
    repo.git(&["add", "settings.py"]);
    let (code, found, _) = staged_json(&repo);
    assert_eq!(code, 1);
    assert_eq!(found, [loc("settings.py", 3, "servicetitan-app-key")]);
}

#[test]
fn a_temporary_index_from_git_index_file_is_what_counts() {
    let repo = Repo::new();
    repo.write("a.txt", "a\n");
    repo.commit_all("init");
    repo.write("b.env", format!("KEY={}\n", app_key(6)));
    // Stage b.env in a separate index only, as `git commit -a` / `git commit -- path` do.
    let alt = repo.path().join(".git/alt-index");
    std::fs::copy(repo.path().join(".git/index"), &alt).unwrap();
    let status = repo.git_command(&["add", "b.env"]).env("GIT_INDEX_FILE", &alt).status().unwrap();
    assert!(status.success());

    let (code, _, _) = crate::common::run(repo.keyfence().args(["scan", "--staged"]));
    assert_eq!(code, 0, "the default index has nothing staged");
    let (code, stdout, _) =
        run(repo.keyfence().args(["scan", "--staged", "--format", "json"]).env("GIT_INDEX_FILE", &alt));
    assert_eq!(code, 1);
    assert_eq!(locations(&stdout), [loc("b.env", 1, "servicetitan-app-key")]);

    // A relative GIT_INDEX_FILE is taken from the current directory, as git does.
    let (code, _, _) =
        run(repo.keyfence().args(["scan", "--staged"]).env("GIT_INDEX_FILE", ".git/alt-index"));
    assert_eq!(code, 1);
}

#[test]
fn deletions_renames_and_mode_changes_add_nothing() {
    let repo = Repo::new();
    repo.write("secrets.env", format!("KEY={}\nOTHER=1\n", app_key(7)));
    repo.write("old/name.env", format!("KEY={}\n", app_key(8)));
    repo.write("script.sh", format!("export KEY={}\n", app_key(9)));
    repo.commit_all("init with old leaks");

    repo.write("secrets.env", "OTHER=1\n");
    repo.git(&["add", "secrets.env"]);
    repo.git(&["mv", "old/name.env", "renamed.env"]);
    repo.git(&["update-index", "--chmod=+x", "script.sh"]);
    let (code, found, stderr) = staged_json(&repo);
    assert_eq!((code, found), (0, vec![]), "{stderr}");

    repo.git(&["rm", "-q", "-f", "secrets.env"]);
    let (code, found, _) = staged_json(&repo);
    assert_eq!((code, found), (0, vec![]));
}

#[test]
fn a_renamed_file_reports_only_what_the_rename_adds() {
    let repo = Repo::new();
    let filler: String = (0..20).map(|i| format!("line {i}\n")).collect();
    repo.write("a.env", format!("KEY={}\n{filler}", app_key(10)));
    repo.commit_all("init");
    repo.git(&["mv", "a.env", "b.env"]);
    repo.write("b.env", format!("KEY={}\n{filler}NEW={}\n", app_key(10), app_key(11)));
    repo.git(&["add", "b.env"]);
    let (code, found, _) = staged_json(&repo);
    assert_eq!(code, 1);
    assert_eq!(found, [loc("b.env", 22, "servicetitan-app-key")]);
}

#[test]
fn inline_allow_marker_suppresses_a_line() {
    let repo = Repo::new();
    repo.write(".env", format!("KEY={} # keyfence:allow (sandbox fixture)\n", app_key(12)));
    repo.git(&["add", "."]);
    let (code, found, _) = staged_json(&repo);
    assert_eq!((code, found), (0, vec![]));
}

#[test]
fn works_from_a_subdirectory_and_reports_repository_paths() {
    let repo = Repo::new();
    repo.write("src/deep/config.js", format!("const key = \"{}\";\n", app_key(13)));
    repo.git(&["add", "."]);
    let (code, stdout, _) =
        run(crate::common::keyfence(&repo.path().join("src/deep"))
            .args(["scan", "--staged", "--format", "json"]));
    assert_eq!(code, 1);
    assert_eq!(locations(&stdout), [loc("src/deep/config.js", 1, "servicetitan-app-key")]);
}

#[test]
fn intent_to_add_and_binary_blobs_carry_nothing_to_scan() {
    let repo = Repo::new();
    repo.write("a.txt", "a\n");
    repo.commit_all("init");
    repo.write("later.env", format!("KEY={}\n", app_key(14)));
    repo.git(&["add", "-N", "later.env"]);
    let mut binary = format!("KEY={}\n", app_key(15)).into_bytes();
    binary.insert(0, 0);
    repo.write("blob.bin", binary);
    repo.git(&["add", "blob.bin"]);
    let (code, found, stderr) = staged_json(&repo);
    assert_eq!((code, found), (0, vec![]), "{stderr}");
    // The binary blob is skipped as in a directory scan, and the summary says so; the
    // intent-to-add entry carries no content and is not counted.
    assert!(stderr.contains("1 file skipped: 1 binary"), "{stderr}");
}

#[test]
fn a_gitattributes_binary_marker_does_not_hide_a_secret() {
    let repo = Repo::new();
    repo.write(".gitattributes", "*.env binary\n");
    repo.write("x.env", "A=1\n");
    repo.commit_all("init");
    repo.write("x.env", format!("A=1\nKEY={}\n", app_key(16)));
    repo.git(&["add", "x.env"]);
    let (code, found, _) = staged_json(&repo);
    assert_eq!(code, 1);
    assert_eq!(found, [loc("x.env", 2, "servicetitan-app-key")]);
}

#[test]
fn a_change_inside_a_private_key_block_reports_the_whole_block() {
    let repo = Repo::new();
    let body: Vec<String> = (0..30u64).map(|i| crate::common::body(500 + i, 64)).collect();
    let pem = |lines: &[String]| {
        format!("-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----\n", lines.join("\n"))
    };
    let filler: String = (0..200).map(|i| format!("filler {i}\n")).collect();
    repo.write("key.pem", format!("{filler}{}", pem(&body[..10])));
    repo.commit_all("an old key, already committed");
    let mut changed = body[..10].to_vec();
    changed[5] = body[20].clone();
    repo.write("key.pem", format!("{filler}{}", pem(&changed)));
    repo.git(&["add", "key.pem"]);
    let (code, found, _) = staged_json(&repo);
    assert_eq!(code, 1);
    assert_eq!(found, [loc("key.pem", 201, "private-key-rsa")]);
}
