//! A second fresh user's trial: a credential set shown whole by `--redact=50`, `[[rules]]` in
//! `.keyfence.toml`, a baseline in a missing folder, `...` and empty ranges, `keyfence install`,
//! and `--staged` in a bare repository.

use crate::common::{app_key, client_id, client_secret, run, Repo};

/// A repository whose `.env` holds a complete ServiceTitan credential set; returns the members.
fn repo_with_a_credential_set() -> (Repo, [String; 3]) {
    let repo = Repo::new();
    let members = [app_key(1401), client_id(1402), client_secret(1403)];
    let [key, id, secret] = &members;
    repo.write(".env", format!("ST_APP_KEY={key}\nST_CLIENT_ID={id}\nST_CLIENT_SECRET={secret}\n"));
    (repo, members)
}

#[test]
fn no_member_of_a_credential_set_is_printed_whole_at_any_redaction() {
    let (repo, members) = repo_with_a_credential_set();
    for format in ["human", "short", "json", "sarif", "csv", "junit"] {
        for redact in [None, Some("--redact=50")] {
            let mut args = vec!["scan", "--format", format, "."];
            args.extend(redact);
            let (code, stdout, stderr) = run(repo.keyfence().args(&args));
            assert_eq!(code, 1, "{format} {redact:?}: {stderr}");
            assert!(stdout.contains("servicetitan-credential-set"), "{format} {redact:?}: {stdout}");
            for member in &members {
                assert!(!stdout.contains(member.as_str()), "{format} {redact:?} shows {member}: {stdout}");
            }
        }
    }
}

#[test]
fn redact_fifty_shows_half_of_each_member_of_a_credential_set() {
    let (repo, [key, id, secret]) = repo_with_a_credential_set();
    let (_, stdout, _) = run(repo.keyfence().args(["scan", "--format", "short", "--redact=50", "."]));
    // Each member keeps its prefix and the first half of its body (25 → 12, 50 → 25).
    let half = |member: &str, body: usize| format!("{}…", &member[..4 + body * 50 / 100]);
    let expected = format!("{} {} {}", half(&key, 25), half(&id, 25), half(&secret, 50));
    let set_line = stdout.lines().find(|l| l.contains("servicetitan-credential-set")).expect(&stdout);
    assert!(set_line.contains(&expected), "{expected} in {set_line}");
}

/// A one-rule table in gitleaks' spelling.
const GITLEAKS_RULES: &str = "[[rules]]\nid = \"acme\"\nregex = '''acme_[a-z0-9]{20}'''\n";

#[test]
fn gitleaks_rules_in_keyfence_toml_is_an_error_naming_the_line() {
    let repo = Repo::new();
    repo.write(".keyfence.toml", format!("# our rules\n{GITLEAKS_RULES}"));
    repo.write("a.env", format!("K={}\n", app_key(1411)));
    let (code, stdout, stderr) = run(repo.keyfence().args(["scan", "."]));
    assert_eq!(code, 2, "the slip cannot let the key through: {stdout}{stderr}");
    let error = stderr.lines().find(|l| l.contains("error:")).expect(&stderr);
    assert!(error.contains(".keyfence.toml:2:") && error.contains("[[rules]]"), "{error}");
    assert!(stderr.contains("did you mean [[rule]]?"), "{stderr}");
    assert!(stderr.contains(".gitleaks.toml or --config"), "{stderr}");
}

#[test]
fn gitleaks_rules_still_load_from_gitleaks_toml_and_config_with_a_warning() {
    let repo = Repo::new();
    repo.write("a.env", format!("K={}\n", app_key(1412)));
    repo.write("ci/gitleaks-rules.toml", GITLEAKS_RULES);
    let (code, _, stderr) = run(repo.keyfence().args(["scan", ".", "--config", "ci/gitleaks-rules.toml"]));
    assert_eq!(code, 0, "the file's rules replace the built-in ones, as in gitleaks: {stderr}");
    let warning = "ci/gitleaks-rules.toml turns off every built-in rule";
    assert!(stderr.lines().any(|l| l.starts_with("keyfence: warning: ") && l.contains(warning)), "{stderr}");

    repo.write(".gitleaks.toml", GITLEAKS_RULES);
    let (code, _, stderr) = run(repo.keyfence().args(["scan", "."]));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("turns off every built-in rule"), "{stderr}");
    assert!(stderr.contains("useDefault = true"), "the warning says how to keep them: {stderr}");
}

#[test]
fn only_a_configuration_without_built_in_rules_is_warned_about() {
    let repo = Repo::new();
    repo.write("a.env", format!("K={}\n", app_key(1413)));
    repo.write(".keyfence.toml", "[rules]\ndisable = [\"generic-password\"]\n");
    let (code, _, stderr) = run(repo.keyfence().args(["scan", "."]));
    assert_eq!(code, 1, "{stderr}");
    assert!(!stderr.contains("built-in rule"), "{stderr}");

    let own = "[rules]\nuse_default = false\n[[rule]]\nid = \"acme-token\"\nkeywords = [\"acme_\"]\nregex = '''(?P<secret>acme_[a-z0-9]{32})'''\n";
    repo.write(".keyfence.toml", own);
    let (code, _, stderr) = run(repo.keyfence().args(["scan", "."]));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.lines().any(|l| l.starts_with("keyfence: warning: ")
            && l.contains(".keyfence.toml turns off every built-in rule")),
        "{stderr}"
    );
}

#[test]
fn a_baseline_in_a_missing_folder_fails_at_once_without_creating_it() {
    let repo = Repo::new();
    repo.write("a.env", format!("K={}\n", app_key(1421)));
    let (code, _, stderr) = run(repo.keyfence().args(["baseline", "nodir/bl.json"]));
    assert_eq!(code, 2, "{stderr}");
    let error = stderr.lines().find(|l| l.contains("error:")).expect(&stderr);
    assert!(error.contains("cannot write the baseline nodir/bl.json"), "{error}");
    assert!(!repo.path().join("nodir").exists(), "the mistyped folder was created");
    assert!(
        !stderr.contains("file scanned") && !stderr.contains("files scanned"),
        "nothing is scanned first: {stderr}"
    );

    std::fs::create_dir(repo.path().join("ci")).unwrap();
    let (code, _, stderr) = run(repo.keyfence().args(["baseline", "ci/bl.json"]));
    assert_eq!(code, 0, "an existing folder is written to: {stderr}");
    assert!(repo.path().join("ci/bl.json").is_file());
}

#[test]
fn three_dots_alone_is_a_range_with_no_ends() {
    let repo = Repo::new();
    repo.write("a.txt", "nothing\n");
    repo.commit_all("one");
    for dots in ["...", ".."] {
        let (code, _, stderr) = run(repo.keyfence().args(["scan", "--commits", dots]));
        assert_eq!(code, 2, "{dots}: {stderr}");
        assert!(stderr.contains("a range with no ends"), "{dots}: {stderr}");
        // The hint must not suggest a range that selects nothing.
        assert!(!stderr.contains("HEAD..HEAD"), "{dots}: {stderr}");
    }
    let (code, _, stderr) = run(repo.keyfence().args(["scan", "--commits", "main...main"]));
    assert_eq!(code, 0, "a range with ends is fine: {stderr}");
}

#[test]
fn an_empty_range_passes_with_a_warning() {
    let repo = Repo::new();
    repo.write("a.txt", "nothing\n");
    repo.commit_all("one");
    repo.write("b.txt", "nothing either\n");
    repo.commit_all("two");
    let (code, _, stderr) = run(repo.keyfence().args(["scan", "--commits", "main..main"]));
    assert_eq!(code, 0, "a CI run on an empty push is legitimate: {stderr}");
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with("keyfence: warning:") && l.contains("the range selects no commit")),
        "{stderr}"
    );
    let (code, _, stderr) = run(repo.keyfence().args(["scan", "--commits", "main~1..main"]));
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("selects no commit"), "{stderr}");
    assert!(stderr.contains("1 commit scanned"), "{stderr}");
}

#[test]
fn keyfence_install_points_to_hook_install() {
    let repo = Repo::new();
    for command in [&["install"][..], &["install", "--pre-push"], &["uninstall"]] {
        let (code, _, stderr) = run(repo.keyfence().args(command));
        assert_eq!(code, 2, "{command:?}: {stderr}");
        assert!(stderr.contains("hint: run `keyfence hook install`"), "{command:?}: {stderr}");
    }
    assert!(!repo.path().join(".git/hooks/pre-commit").exists(), "nothing was installed");
    let (code, _, stderr) = run(repo.keyfence().args(["hook", "install"]));
    assert_eq!(code, 0, "{stderr}");
    let (_, help, _) = run(repo.keyfence().arg("--help"));
    assert!(
        !help.lines().any(|l| l.trim_start().starts_with("install")),
        "the stand-in stays out of the help: {help}"
    );
}

#[test]
fn staged_in_a_bare_repository_with_an_index_fails() {
    let repo = Repo::new();
    repo.write("a.env", format!("K={}\n", app_key(1431)));
    repo.commit_all("one");
    let bare = tempfile::tempdir().unwrap();
    let bare_path = bare.path().join("b.git");
    repo.git(&["clone", "-q", "--bare", ".", bare_path.to_str().unwrap()]);
    // `git read-tree` leaves an index in the bare repository: still nothing to commit there.
    repo.git(&["--git-dir", bare_path.to_str().unwrap(), "read-tree", "HEAD"]);
    assert!(bare_path.join("index").is_file());
    let (code, _, stderr) = run(crate::common::keyfence(&bare_path).args(["scan", "--staged"]));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("bare repository has no index to scan"), "{stderr}");
    assert!(stderr.contains("hint: run `keyfence scan --staged` in a work tree"), "{stderr}");

    // The work tree it came from scans its staged change as before.
    repo.write("b.env", format!("K={}\n", app_key(1432)));
    repo.git(&["add", "b.env"]);
    let (code, _, stderr) = run(repo.keyfence().args(["scan", "--staged"]));
    assert_eq!(code, 1, "{stderr}");
}

/// README.md's text.
fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap()
}

#[test]
fn the_readme_usage_block_lists_every_scan_option_and_format() {
    let readme = readme();
    let start = readme.find("## Use\n").expect("a Use section");
    let usage = &readme[start..start + readme[start..].find("\n```\n").unwrap()];
    let (code, help, _) = run(crate::common::keyfence(std::path::Path::new(".")).args(["scan", "--help"]));
    assert_eq!(code, 0);
    // The option lines of the help: `      --redact[=<PERCENT>]`, `  -j, --threads <N>`.
    let options: Vec<&str> = help
        .lines()
        .filter(|line| line.trim_start().starts_with('-'))
        .filter_map(|line| line.split_whitespace().take(2).find(|w| w.starts_with("--")))
        .map(|w| w.split(['[', '=', ',']).next().unwrap())
        .filter(|option| *option != "--help")
        .collect();
    assert!(options.contains(&"--max-file-size"), "{options:?}");
    for option in options {
        assert!(usage.contains(option), "README's usage block lacks {option}");
    }
    for format in ["human", "short", "json", "sarif", "csv", "junit"] {
        assert!(help.contains(&format!("- {format}:")), "{format} in --help");
    }
    assert!(usage.contains("--format human|short|json|sarif|csv|junit"), "{usage}");
}

#[test]
fn the_readme_says_what_happens_to_oversized_files_where_it_promises_fail_closed() {
    let readme = readme();
    let promise = readme.find("A scan that could not read everything exits 2, never 0").expect("the promise");
    let paragraph = &readme[promise..promise + readme[promise..].find("\n- **").unwrap()];
    for needed in ["--max-file-size", "do not change the exit status", "exits 2", "KEYFENCE_MAX_FILE_SIZE"] {
        assert!(paragraph.contains(needed), "{needed}: {paragraph}");
    }
}

/// `--redact=0` shows secrets on screen as asked, but the last report on disk (and `explain`,
/// which reads it) keeps the default redaction: it wrote every member in clear.
#[test]
fn the_last_report_stays_redacted_whatever_redact_asks_for_the_screen() {
    let (repo, members) = repo_with_a_credential_set();
    for redact in ["--redact=0", "--redact=50", "--show-secrets"] {
        let (code, stdout, stderr) = run(repo.keyfence().args(["scan", "--format", "json", redact, "."]));
        assert_eq!(code, 1, "{redact}: {stderr}");
        if redact != "--redact=50" {
            assert!(stdout.contains(members[0].as_str()), "{redact} shows the secret on screen: {stdout}");
        }
        let saved = std::fs::read_to_string(repo.path().join(".git/keyfence/last-report.json")).unwrap();
        let fingerprints: Vec<String> = serde_json::from_str::<Vec<serde_json::Value>>(&saved)
            .unwrap()
            .iter()
            .map(|f| f["fingerprint"].as_str().unwrap().to_owned())
            .collect();
        assert!(!fingerprints.is_empty(), "{saved}");
        for member in &members {
            assert!(!saved.contains(member.as_str()), "{redact}: the last report holds {member}: {saved}");
            // Half of a member is no better on disk.
            assert!(!saved.contains(&member[..member.len() / 2 + 2]), "{redact}: {saved}");
        }
        for fingerprint in &fingerprints {
            let (_, explained, _) = run(repo.keyfence().args(["explain", fingerprint]));
            for member in &members {
                assert!(
                    !explained.contains(member.as_str()),
                    "{redact}: explain shows {member}: {explained}"
                );
            }
        }
    }
}

/// A value a rule cuts at `&` (as in a URL's query) must not show its rest in clear in the
/// reported line.
#[test]
fn the_rest_of_a_value_cut_at_an_ampersand_is_not_shown_in_the_line() {
    let repo = Repo::new();
    let (head, rest) = (crate::common::body(1420, 12), crate::common::body(1421, 12));
    repo.write("app.yaml", format!("client_secret: {head}&{rest}\n"));
    let (code, stdout, stderr) = run(repo.keyfence().args(["scan", "--format", "json", "."]));
    assert!(code < 2, "{stderr}");
    assert!(!stdout.contains(rest.as_str()), "the rest of the value is shown: {stdout}");
    let (_, shown, _) = run(repo.keyfence().args(["scan", "--format", "json", "--show-secrets", "."]));
    if code == 1 {
        assert!(shown.contains(rest.as_str()), "--show-secrets shows the line as written: {shown}");
    }
}
