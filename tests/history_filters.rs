//! History filters a gitleaks or trufflehog user reaches for: `--since`, `--until`, `--branch`
//! and pathspecs after `--`, on `--all-history` and `--commits RANGE` scans.

use crate::common::{app_key, json_findings, run, Repo};

/// Commits everything with author and committer dates set to `date` (RFC 2822 or ISO, as git
/// takes them).
fn commit_at(repo: &Repo, message: &str, date: &str) {
    repo.git(&["add", "-A"]);
    let output = repo
        .git_command(&["commit", "-q", "--no-verify", "-m", message])
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}

/// The paths of the findings of `keyfence scan --format json ARGS`, sorted, with the exit status
/// and standard error.
fn found_paths(repo: &Repo, args: &[&str]) -> (i32, Vec<String>, String) {
    found_paths_in(repo.path(), args)
}

/// [`found_paths`], run in the folder `cwd`.
fn found_paths_in(cwd: &std::path::Path, args: &[&str]) -> (i32, Vec<String>, String) {
    let mut full = vec!["scan", "--format", "json"];
    full.extend_from_slice(args);
    let (code, stdout, stderr) = run(crate::common::keyfence(cwd).args(&full));
    let mut paths: Vec<String> = match stdout.is_empty() {
        true => Vec::new(),
        false => json_findings(&stdout).iter().map(|f| f["path"].as_str().unwrap().to_owned()).collect(),
    };
    paths.sort();
    (code, paths, stderr)
}

/// One key a year: `old.env` in 2020, `mid.env` in 2022, `new.env` in 2024 (all on January 31).
fn dated_repo() -> Repo {
    let repo = Repo::new();
    for (seed, (name, year)) in
        [("old.env", 2020), ("mid.env", 2022), ("new.env", 2024)].into_iter().enumerate()
    {
        repo.write(name, format!("KEY={}\n", app_key(700 + seed as u64)));
        commit_at(&repo, name, &format!("{year}-01-31T12:00:00Z"));
    }
    repo
}

#[test]
fn since_and_until_keep_the_commits_made_between_them() {
    let repo = dated_repo();
    let (code, found, stderr) = found_paths(&repo, &["--all-history", "--since", "2021-06-01"]);
    assert_eq!((code, found), (1, vec!["mid.env".to_owned(), "new.env".to_owned()]), "{stderr}");
    let (code, found, _) = found_paths(&repo, &["--all-history", "--until", "2022-01-31"]);
    assert_eq!(
        (code, found),
        (1, vec!["mid.env".to_owned(), "old.env".to_owned()]),
        "a plain --until date counts the whole day"
    );
    let (code, found, _) = found_paths(
        &repo,
        &["--commits", "HEAD", "--since", "2021-01-01T00:00:00Z", "--until", "2023-01-01T00:00:00+01:00"],
    );
    assert_eq!((code, found), (1, vec!["mid.env".to_owned()]));
    let (code, found, stderr) = found_paths(&repo, &["--all-history", "--since", "2.weeks.ago"]);
    assert_eq!((code, found), (0, vec![]), "every commit is older than two weeks: {stderr}");
    assert!(stderr.contains("0 commits scanned"), "{stderr}");
    let (code, found, _) = found_paths(&repo, &["--all-history", "--since", "100 years ago"]);
    assert_eq!((code, found.len()), (1, 3));
}

#[test]
fn a_date_keyfence_cannot_read_is_a_one_line_error_naming_the_accepted_forms() {
    let repo = dated_repo();
    let (code, stdout, stderr) =
        run(repo.keyfence().args(["scan", "--all-history", "--since", "last tuesday"]));
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.is_empty());
    assert!(stderr.contains("--since \"last tuesday\" is not a date"), "{stderr}");
    assert!(stderr.contains("2024-01-31T10:00:00Z") && stderr.contains("2.weeks.ago"), "{stderr}");
    let (code, _, stderr) = run(repo.keyfence().args([
        "scan",
        "--all-history",
        "--since",
        "2024-01-01",
        "--until",
        "2023-01-01",
    ]));
    assert_eq!(code, 2);
    assert!(stderr.contains("--since is later than --until"), "{stderr}");
}

#[test]
fn history_filters_without_a_history_scan_are_usage_errors() {
    let repo = dated_repo();
    for args in [
        vec!["scan", "--since", "2024-01-01"],
        vec!["scan", "--until", "2024-01-01", "."],
        vec!["scan", "--branch", "main"],
        vec!["scan", "--staged", "--", "src"],
    ] {
        let (code, _, stderr) = run(repo.keyfence().args(&args));
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.contains("applies only to history scans"), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().filter(|l| l.starts_with("keyfence: error")).count(), 1, "{stderr}");
    }
    // After `--`, a directory scan takes paths as usual.
    let (code, found, _) = found_paths(&repo, &["--", "old.env"]);
    assert_eq!((code, found), (1, vec!["old.env".to_owned()]));
}

/// Fresh-user trial: `--branch REF` with `--commits A..B` keeps the commits of the range that REF
/// reaches (an intersection), whatever the range's form, and nothing below the range.
#[test]
fn a_range_and_a_branch_keep_the_range_commits_the_branch_reaches() {
    let repo = Repo::new();
    repo.write("old.env", format!("KEY={}\n", app_key(720)));
    repo.commit_all("old key, below every range");
    repo.git(&["tag", "base"]);
    repo.write("shared.env", format!("KEY={}\n", app_key(721)));
    repo.commit_all("shared key");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("feature.env", format!("KEY={}\n", app_key(722)));
    repo.commit_all("feature key");
    repo.git(&["checkout", "-q", "main"]);
    repo.write("main.env", format!("KEY={}\n", app_key(723)));
    repo.commit_all("main key");
    repo.git(&["checkout", "-q", "-b", "merged"]);
    repo.git(&["merge", "-q", "--no-edit", "--no-ff", "feature"]);
    repo.git(&["checkout", "-q", "main"]);

    let cases: [(&[&str], &[&str]); 7] = [
        (&["--commits", "base..feature"], &["feature.env", "shared.env"]),
        (&["--commits", "base..feature", "--branch", "main"], &["shared.env"]),
        (&["--commits", "base..merged", "--branch", "feature"], &["feature.env", "shared.env"]),
        (
            &["--commits", "base..merged", "--branch", "main", "--branch", "feature"],
            &["feature.env", "main.env", "shared.env"],
        ),
        (&["--commits", "main...feature", "--branch", "feature"], &["feature.env"]),
        (&["--commits", "feature", "--branch", "main"], &["old.env", "shared.env"]),
        (&["--commits", "base..feature", "--branch", "base"], &[]),
    ];
    for (args, expected) in cases {
        let (code, found, stderr) = found_paths(&repo, args);
        assert_eq!(found, expected, "{args:?}: {stderr}");
        assert_eq!(code, i32::from(!expected.is_empty()), "{args:?}: {stderr}");
    }
}

#[test]
fn branch_limits_history_to_what_the_named_refs_reach() {
    let repo = Repo::new();
    repo.write("README.md", "hi\n");
    repo.commit_all("init");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("feature.env", format!("KEY={}\n", app_key(710)));
    repo.commit_all("feature key");
    repo.git(&["checkout", "-q", "main"]);
    repo.write("main.env", format!("KEY={}\n", app_key(711)));
    repo.commit_all("main key");

    let (_, all, _) = found_paths(&repo, &["--all-history"]);
    assert_eq!(all, ["feature.env", "main.env"]);
    let (code, found, _) = found_paths(&repo, &["--all-history", "--branch", "main"]);
    assert_eq!((code, found), (1, vec!["main.env".to_owned()]));
    let (_, found, _) = found_paths(&repo, &["--all-history", "--branch", "feature", "--branch", "main"]);
    assert_eq!(found, ["feature.env", "main.env"]);
    // A range narrowed to a branch: main's commits are not in feature.
    let (code, found, _) = found_paths(&repo, &["--commits", "HEAD~1..main", "--branch", "feature"]);
    assert_eq!((code, found), (0, vec![]));

    let (code, stdout, stderr) = run(repo.keyfence().args(["scan", "--all-history", "--branch", "nope"]));
    assert_eq!((code, stdout.as_str()), (2, ""), "{stderr}");
    assert!(stderr.contains("--branch \"nope\" names no branch"), "{stderr}");
}

#[test]
fn pathspecs_after_double_dash_keep_only_those_paths() {
    let repo = Repo::new();
    repo.write("src/app.env", format!("KEY={}\n", app_key(720)));
    repo.write("deploy/prod.env", format!("KEY={}\n", app_key(721)));
    repo.write("docs/guide.md", format!("KEY={}\n", app_key(722)));
    repo.commit_all("keys everywhere");
    repo.write("src/more.txt", format!("KEY={}\n", app_key(723)));
    repo.commit_all("one more");

    let (code, found, stderr) = found_paths(&repo, &["--all-history", "--", "src"]);
    assert_eq!((code, found), (1, vec!["src/app.env".to_owned(), "src/more.txt".to_owned()]), "{stderr}");
    let (_, found, _) = found_paths(&repo, &["--all-history", "--", "*.env"]);
    assert_eq!(found, ["deploy/prod.env", "src/app.env"], "`*` crosses folders, as in git");
    let (_, found, _) =
        found_paths(&repo, &["--commits", "HEAD", "--", ".", ":!docs", ":(exclude)src/more.txt"]);
    assert_eq!(found, ["deploy/prod.env", "src/app.env"]);
    let (code, found, _) = found_paths(&repo, &["--commits", "HEAD~1..HEAD", "--", "docs", "deploy/"]);
    assert_eq!((code, found), (0, vec![]), "the last commit touched only src/");
}

#[test]
fn the_man_page_and_long_help_document_the_new_options_and_short_help_stays_short() {
    let dir = tempfile::tempdir().unwrap();
    let (code, man, _) = run(crate::common::keyfence(dir.path()).args(["man"]));
    assert_eq!(code, 0);
    for option in ["\\-\\-since", "\\-\\-until", "\\-\\-branch", "PATHSPEC", "csv", "junit", "FILTER"] {
        assert!(man.contains(option), "the man page documents {option}");
    }
    let (_, long, _) = run(crate::common::keyfence(dir.path()).args(["scan", "--help"]));
    assert!(long.contains("--since <DATE>") && long.contains("2.weeks.ago"), "{long}");
    let (_, short, _) = run(crate::common::keyfence(dir.path()).args(["scan", "-h"]));
    assert!(!short.contains("--since") && !short.contains("--branch"), "short help stays short: {short}");
    assert!(short.lines().count() < long.lines().count() / 2, "{short}");
}

#[test]
fn a_filtered_history_scan_does_not_call_baseline_entries_stale() {
    let repo = Repo::new();
    repo.write("README.md", "hi\n");
    repo.commit_all("init");
    // An entry for a key that only ever sat on disk: no commit holds it.
    repo.write("local.env", format!("KEY={}\n", app_key(730)));
    let baseline = repo.path().join("baseline.json");
    let (code, _, stderr) = run(repo.keyfence().args(["baseline"]).arg(&baseline).arg("."));
    assert_eq!(code, 0, "{stderr}");
    std::fs::remove_file(repo.path().join("local.env")).unwrap();

    let (code, _, stderr) = run(repo.keyfence().args(["scan", "--all-history", "--baseline"]).arg(&baseline));
    assert_eq!(code, 0);
    assert!(stderr.contains("1 of 1 baseline entries match no finding"), "the whole history: {stderr}");
    for filter in [&["--branch", "main"][..], &["--since", "1970-01-02"], &["--", "docs"]] {
        let (code, _, stderr) =
            run(repo.keyfence().args(["scan", "--all-history", "--baseline"]).arg(&baseline).args(filter));
        assert_eq!(code, 0, "{filter:?}: {stderr}");
        assert!(!stderr.contains("match no finding"), "{filter:?} sees a slice of history: {stderr}");
    }
}

#[test]
fn pathspecs_count_from_the_current_folder_and_unsupported_magic_is_an_error() {
    let repo = Repo::new();
    repo.write("src/app.env", format!("KEY={}\n", app_key(730)));
    repo.write("deploy/prod.env", format!("KEY={}\n", app_key(731)));
    repo.commit_all("keys");
    let src = repo.path().join("src");
    let in_src = |args: &[&str]| found_paths_in(&src, args);
    // As `git log` reads them: relative to the current folder.
    let (code, found, stderr) = in_src(&["--all-history", "--", "app.env"]);
    assert_eq!((code, found), (1, vec!["src/app.env".to_owned()]), "{stderr}");
    let (_, found, _) = in_src(&["--all-history", "--", "."]);
    assert_eq!(found, ["src/app.env"]);
    let (_, found, _) = in_src(&["--all-history", "--", "../deploy"]);
    assert_eq!(found, ["deploy/prod.env"]);
    let absolute = repo.path().canonicalize().unwrap().join("deploy");
    let (_, found, _) = in_src(&["--all-history", "--", absolute.to_str().unwrap()]);
    assert_eq!(found, ["deploy/prod.env"]);
    // Magic keyfence does not read would match nothing and pass: it is refused instead.
    for spec in [":(glob)**/*.env", ":(icase)SRC", ":/src", ":(top)src"] {
        let (code, _, stderr) = in_src(&["--all-history", "--", spec]);
        assert_eq!(code, 2, "{spec}: {stderr}");
        assert!(stderr.contains("pathspec magic"), "{stderr}");
    }
    // A pathspec that matches nothing passes (nothing was found) but says so.
    let (code, found, stderr) = in_src(&["--all-history", "--", "scr"]);
    assert_eq!((code, found), (0, vec![]), "{stderr}");
    assert!(stderr.contains("matches the pathspecs"), "{stderr}");
    let (_, _, stderr) = in_src(&["--all-history", "--", "app.env"]);
    assert!(!stderr.contains("matches the pathspecs"), "{stderr}");
    for spec in ["../../elsewhere", "/"] {
        let (code, _, stderr) = in_src(&["--all-history", "--", spec]);
        assert_eq!(code, 2, "{spec}: {stderr}");
        assert!(stderr.contains("outside the repository"), "{stderr}");
    }
}

#[test]
fn csv_cells_from_the_repository_cannot_be_formulas_or_terminal_escapes() {
    let repo = Repo::new();
    repo.write("=HYPERLINK(1).env", format!("KEY={}\n", app_key(732)));
    repo.git(&["add", "-A"]);
    let output = repo
        .git_command(&["commit", "-q", "--no-verify", "-m", "evil \u{1b}[2J message"])
        .env("GIT_AUTHOR_NAME", "Ev\u{1b}[31mil")
        .output()
        .unwrap();
    assert!(output.status.success());
    let (code, stdout, stderr) = run(repo.keyfence().args(["scan", "--all-history", "--format", "csv"]));
    assert_eq!(code, 1, "{stderr}");
    assert!(!stdout.contains('\u{1b}'), "{stdout}");
    assert!(stdout.contains("'=HYPERLINK(1).env"), "{stdout}");
    assert!(stdout.contains("Ev\\u{1b}[31mil"), "{stdout}");
}
