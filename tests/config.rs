//! Configuration: `.keyfence.toml`, `--config`, `KEYFENCE_CONFIG`, their precedence, custom
//! rules, disabling, allowlists of every kind, errors that name the file, line and rule, and
//! gitleaks configuration files.

use crate::common::{app_key, body, github_pat, loc, locations, run, Repo};

/// A fake token of the custom rule used below: `acme_` + 20 lowercase letters and digits.
fn acme(seed: u64) -> String {
    format!("{}{}", "acme_", body(seed, 20))
}

const ACME_RULE: &str = r#"
[[rule]]
id = "acme-token"
description = "ACME API token"
keywords = ["acme_"]
regex = '''(?:^|[^a-z0-9_])(?P<secret>acme_(?P<body>[a-z0-9]{20}))(?:[^a-z0-9_]|$)'''
entropy = 3.0
examples = [{ text = "ACME=acme_k7m9p2q8r7s6t5u4v1w4", secret = "acme_k7m9p2q8r7s6t5u4v1w4" }, { text = "'acme_x7z9p2q8r7s6t5u4v1w4'", secret = "acme_x7z9p2q8r7s6t5u4v1w4" }] # keyfence:allow
negative_examples = ["acme_short", "xacme_k7m9p2q8r7s6t5u4v1w4"] # keyfence:allow
"#;

fn scan_json(repo: &Repo, extra: &[&str]) -> (i32, Vec<(String, u64, String)>, String) {
    let mut args = vec!["scan", ".", "--format", "json"];
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = run(repo.keyfence().args(&args));
    (code, locations(&stdout), stderr)
}

#[test]
fn a_custom_rule_in_keyfence_toml_is_used_alongside_the_defaults() {
    let repo = Repo::new();
    repo.write(".keyfence.toml", ACME_RULE);
    repo.write("a.env", format!("ACME={}\nST={}\n", acme(1), app_key(2)));
    let (code, found, stderr) = scan_json(&repo, &[]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(found, [loc("a.env", 1, "acme-token"), loc("a.env", 2, "servicetitan-app-key")]);
}

#[test]
fn use_default_false_keeps_only_the_files_rules_and_disable_removes_one() {
    let repo = Repo::new();
    repo.write(".keyfence.toml", format!("[rules]\nuse_default = false\n{ACME_RULE}"));
    repo.write("a.env", format!("ACME={}\nST={}\n", acme(1), app_key(2)));
    let (_, found, _) = scan_json(&repo, &[]);
    assert_eq!(found, [loc("a.env", 1, "acme-token")]);

    repo.write(".keyfence.toml", format!("[rules]\ndisable = [\"servicetitan-app-key\"]\n{ACME_RULE}"));
    let (_, found, _) = scan_json(&repo, &[]);
    assert_eq!(found, [loc("a.env", 1, "acme-token")]);
}

#[test]
fn a_rule_with_a_builtin_id_replaces_it() {
    let repo = Repo::new();
    // A stricter App Key rule: only when the variable is named ST_APP_KEY.
    repo.write(
        ".keyfence.toml",
        "[[rule]]\nid = \"servicetitan-app-key\"\ndescription = \"App Key\"\nfaq = \"ST-FAQ-NO-SHARED-APP-KEY\"\nkeywords = [\"ak1.\"]\nregex = '''ST_APP_KEY=(?P<secret>ak1\\.[a-z0-9]{25})'''\n",
    );
    repo.write("a.env", format!("ST_APP_KEY={}\nOTHER={}\n", app_key(1), app_key(2)));
    let (_, found, _) = scan_json(&repo, &[]);
    assert_eq!(found, [loc("a.env", 1, "servicetitan-app-key")]);
}

#[test]
fn global_allowlists_by_path_secret_line_and_stopword() {
    let repo = Repo::new();
    let keep = app_key(10);
    let by_regex = app_key(11);
    repo.write(
        ".keyfence.toml",
        format!(
            "[allowlist]\npaths = [\"fixtures/\", \"*.snap\"]\nregexes = ['''^{}$''']\nlines = ['''#\\s*fixture''']\nstopwords = [\"k3m9\"]\n",
            regex::escape(&by_regex)
        ),
    );
    repo.write("fixtures/deep/a.env", format!("K={}\n", app_key(12)));
    repo.write("ui/x.snap", format!("K={}\n", app_key(13)));
    repo.write(
        "src/a.py",
        format!("KEEP='{keep}'\nBY_REGEX='{by_regex}'\nLINE='{}'  # fixture\n", app_key(14)),
    );
    let stop = format!("{}{}", "ak1.k3m9", &body(15, 21));
    repo.write("src/b.py", format!("STOP='{stop}'\n"));
    let (code, found, stderr) = scan_json(&repo, &[]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(found, [loc("src/a.py", 1, "servicetitan-app-key")]);
}

#[test]
fn a_per_rule_allowlist_touches_only_its_rule() {
    let repo = Repo::new();
    repo.write(".keyfence.toml", "[allowlist.rules.github-pat]\npaths = [\"docs/**\"]\n");
    repo.write("docs/setup.md", format!("token {}\nkey {}\n", github_pat(1), app_key(2)));
    let (_, found, _) = scan_json(&repo, &[]);
    assert_eq!(found, [loc("docs/setup.md", 2, "servicetitan-app-key")]);
}

#[test]
fn an_and_condition_needs_every_criterion() {
    let repo = Repo::new();
    repo.write(
        ".keyfence.toml",
        "[allowlist]\ncondition = \"and\"\npaths = [\"docs/**\"]\nlines = ['''sandbox''']\n",
    );
    repo.write("docs/a.md", format!("sandbox {}\nprod {}\n", app_key(1), app_key(2)));
    repo.write("src/a.md", format!("sandbox {}\n", app_key(3)));
    let (_, found, _) = scan_json(&repo, &[]);
    assert_eq!(
        found,
        [loc("docs/a.md", 2, "servicetitan-app-key"), loc("src/a.md", 1, "servicetitan-app-key")]
    );
}

#[test]
fn config_precedence_is_cli_then_env_then_repository_file() {
    let repo = Repo::new();
    std::fs::create_dir_all(repo.path().join("cfg")).unwrap();
    let disable = |id: &str| format!("[rules]\ndisable = [\"{id}\"]\n");
    repo.write(".keyfence.toml", disable("servicetitan-app-key"));
    repo.write("cfg/env.toml", disable("github-pat"));
    repo.write("cfg/cli.toml", "[allowlist]\npaths = [\"a.env\"]\n");
    repo.write("a.env", format!("A={}\nB={}\n", app_key(1), github_pat(2)));
    let app = loc("a.env", 1, "servicetitan-app-key");
    let gh = loc("a.env", 2, "github-pat");

    let (_, found, _) = scan_json(&repo, &[]);
    assert_eq!(found, [gh], "the repository's .keyfence.toml");
    let (_, stdout, _) =
        run(repo.keyfence().args(["scan", ".", "--format", "json"]).env("KEYFENCE_CONFIG", "cfg/env.toml"));
    assert_eq!(locations(&stdout), [app], "KEYFENCE_CONFIG over the repository file");
    let (code, stdout, _) = run(repo
        .keyfence()
        .args(["scan", ".", "--format", "json", "--config", "cfg/cli.toml"])
        .env("KEYFENCE_CONFIG", "cfg/env.toml"));
    assert_eq!((code, locations(&stdout)), (0, vec![]), "--config over KEYFENCE_CONFIG");
}

#[test]
fn a_gitleaks_toml_is_used_when_there_is_no_keyfence_toml() {
    let repo = Repo::new();
    repo.write(".gitleaks.toml", "[extend]\nuseDefault = true\n[allowlist]\npaths = ['''^docs/''']\n");
    repo.write("docs/a.md", format!("{}\n", app_key(1)));
    repo.write("b.env", format!("{}\n", app_key(2)));
    let (_, found, _) = scan_json(&repo, &[]);
    assert_eq!(found, [loc("b.env", 1, "servicetitan-app-key")]);
    // A .keyfence.toml wins over it.
    repo.write(".keyfence.toml", "");
    let (_, found, _) = scan_json(&repo, &[]);
    assert_eq!(found.len(), 2);
}

#[test]
fn max_file_size_is_cli_then_env_then_file_then_default() {
    let repo = Repo::new();
    let mut big = format!("K={}\n", app_key(1));
    big.push_str(&"word ".repeat(600_000)); // about 3 MiB
    repo.write("big.txt", &big);
    let count = |cmd: &mut assert_cmd::Command| locations(&run(cmd).1).len();
    assert_eq!(count(repo.keyfence().args(["scan", ".", "--format", "json"])), 1, "default 25 MiB");
    repo.write(".keyfence.toml", "[scan]\nmax_file_size = 1\n");
    assert_eq!(count(repo.keyfence().args(["scan", ".", "--format", "json"])), 0, "file: 1 MiB");
    assert_eq!(
        count(repo.keyfence().args(["scan", ".", "--format", "json"]).env("KEYFENCE_MAX_FILE_SIZE", "10")),
        1,
        "env over file"
    );
    assert_eq!(
        count(
            repo.keyfence()
                .args(["scan", ".", "--format", "json", "--max-file-size", "1"])
                .env("KEYFENCE_MAX_FILE_SIZE", "10")
        ),
        0,
        "command line over env"
    );
}

#[test]
fn a_baseline_named_in_the_file_is_used() {
    let repo = Repo::new();
    repo.write("a.env", format!("K={}\n", app_key(1)));
    std::fs::create_dir_all(repo.path().join("ci")).unwrap();
    let (code, _, stderr) = run(repo.keyfence().args(["baseline", "ci/baseline.json"]));
    assert_eq!(code, 0, "{stderr}");
    repo.write(".keyfence.toml", "[scan]\nbaseline = \"ci/baseline.json\"\n");
    let (code, found, stderr) = scan_json(&repo, &[]);
    assert_eq!((code, found), (0, vec![]), "{stderr}");
}

/// Runs a scan with the given configuration text and returns (exit status, stderr).
fn scan_with_config(text: &str) -> (i32, String) {
    let repo = Repo::new();
    repo.write(".keyfence.toml", text);
    repo.write("a.txt", "nothing\n");
    let (code, _, stderr) = run(repo.keyfence().args(["scan", "."]));
    (code, stderr)
}

#[test]
fn config_errors_name_the_file_line_and_rule_and_exit_2() {
    let cases: &[(&str, &[&str])] = &[
        ("[rules]\nuse_default = true\nbogus = 1\n", &[".keyfence.toml:3:", "bogus"]),
        (
            "[[rule]]\nid = \"x-y\"\nregex = '''(unclosed'''\n",
            &[".keyfence.toml:2:", "rule x-y", "invalid regex"],
        ),
        ("[[rule]]\nid = \"Bad_Id\"\nregex = 'x'\n", &[".keyfence.toml:2:", "Bad_Id", "kebab-case"]),
        ("\n[rules]\ndisable = [\"no-such-rule\"]\n", &[".keyfence.toml:3:", "[rules] disable"]),
        ("[allowlist]\nregexes = ['''[z-a]''']\n", &[".keyfence.toml:2:", "invalid allowlist regex"]),
        ("[allowlist.rules.nope]\npaths = [\"a\"]\n", &[".keyfence.toml:1:", "nope"]),
        ("[scan]\nmax_file_size = 0\n", &[".keyfence.toml:2:", "max_file_size"]),
        ("[org]\ntenants = [\"12ab\"]\n", &[".keyfence.toml:2:", "tenant"]),
        ("[[rule]]\nid = \"g\"\nregex = '(a)'\nsecret_group = 3\n", &["rule g", "secret group 3"]),
        ("this is not toml\n", &[".keyfence.toml:1:"]),
    ];
    for (text, wanted) in cases {
        let (code, stderr) = scan_with_config(text);
        assert_eq!(code, 2, "{text:?}: {stderr}");
        let first = stderr.lines().next().unwrap_or_default();
        assert!(first.starts_with("keyfence: error: "), "{text:?}: {stderr}");
        for piece in *wanted {
            assert!(first.contains(piece), "{text:?}: {piece:?} missing from {first:?}");
        }
    }
}

#[test]
fn a_missing_config_file_is_an_error() {
    let repo = Repo::new();
    let (code, _, stderr) = run(repo.keyfence().args(["scan", ".", "--config", "nope.toml"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("nope.toml"), "{stderr}");
}

#[test]
fn the_org_section_is_accepted_and_its_contact_is_named_with_findings() {
    let (code, stderr) = scan_with_config(
        "[org]\nname = \"Acme HVAC\"\ntenants = [\"123456789\", 1234567890]\nsecurity_contact = \"sec@acme.invalid\"\n",
    );
    assert_eq!(code, 0, "{stderr}");
    let repo = Repo::new();
    repo.write(".keyfence.toml", "[org]\nsecurity_contact = \"sec@acme.invalid\"\n");
    repo.write("a.env", format!("K={}\n", app_key(1)));
    let (code, _, stderr) = run(repo.keyfence().args(["scan", "."]));
    assert_eq!(code, 1);
    assert!(stderr.contains("tell sec@acme.invalid"), "{stderr}");
}

#[test]
fn keyfence_rules_lists_the_rules_in_force() {
    let repo = Repo::new();
    repo.write(".keyfence.toml", format!("[rules]\nuse_default = false\n{ACME_RULE}"));
    let (code, stdout, stderr) = run(repo.keyfence().args(["rules", "--format", "json"]));
    assert_eq!(code, 0, "{stderr}");
    let rules: Vec<serde_json::Value> = serde_json::from_str(&stdout).unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["acme-token"]);
}

#[test]
fn rules_check_validates_a_users_rule_file() {
    let repo = Repo::new();
    repo.write("good.toml", ACME_RULE);
    let (code, _, stderr) = run(repo.keyfence().args(["rules", "--check", "good.toml"]));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("1 rule, 4 examples checked, 0 problems"), "{stderr}");

    // An example that the regex does not find, and a negative example that it does.
    let broken = ACME_RULE
        .replace("secret = \"acme_k7m9p2q8r7s6t5u4v1w4\"", "secret = \"acme_other\"") // keyfence:allow
        .replace("\"acme_short\"", "\"acme_k7m9p2q8r7s6t5u4v1w8\"");
    repo.write("broken.toml", broken);
    let (code, stdout, _) = run(repo.keyfence().args(["rules", "--check", "broken.toml"]));
    assert_eq!(code, 1);
    let problems: Vec<&str> = stdout.lines().collect();
    assert_eq!(problems.len(), 2, "{stdout}");
    assert!(problems.iter().all(|p| p.starts_with("broken.toml:3: rule acme-token:")), "{stdout}");
    assert!(problems[0].contains("example 1 should yield its secret"), "{stdout}");
    assert!(problems[1].contains("negative example 1 matched [\"acme_k7…\"]"), "{stdout}");
    assert!(!stdout.contains("acme_k7m9p2q8r7s6t5u4v1w"), "examples are not quoted: {stdout}");
    let (code, stdout, _) = run(repo.keyfence().args(["rules", "--check", "broken.toml", "--show-secrets"]));
    assert_eq!(code, 1);
    assert!(stdout.contains("should yield \"acme_other\""), "{stdout}");
    assert!(stdout.contains("acme_k7m9p2q8r7s6t5u4v1w8"), "{stdout}");

    repo.write("bad.toml", "[[rule]]\nid = \"a\"\nregex = '(('\n");
    let (code, _, stderr) = run(repo.keyfence().args(["rules", "--check", "bad.toml"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("bad.toml:2: rule a has an invalid regex"), "{stderr}");

    repo.write("thin.toml", "[[rule]]\nid = \"thin\"\nregex = 'thin_[0-9]{8}'\n");
    let (code, stdout, _) = run(repo.keyfence().args(["rules", "--check", "thin.toml"]));
    assert_eq!(code, 1);
    assert!(stdout.contains("needs at least 2 distinct examples"), "{stdout}");
}

#[test]
fn allowlist_entries_that_would_allow_everything_are_errors() {
    for text in [
        "[allowlist]\nstopwords = [\"\"]\n",
        "[allowlist]\nregexes = [\"\"]\n",
        "[allowlist]\npaths = [\" \"]\n",
        "[allowlist]\ncommits = [\"zzz\"]\n",
        "[allowlist]\ncondition = \"and\"\n",
        "[[rule]]\nid = \"e\"\nregex = 'e_[0-9]{4}'\nentropy = 99\n",
    ] {
        let (code, stderr) = scan_with_config(text);
        assert_eq!(code, 2, "{text:?}: {stderr}");
        assert!(
            stderr.starts_with("keyfence: error: ") && stderr.contains(".keyfence.toml:"),
            "{text:?}: {stderr}"
        );
    }
}

#[test]
fn the_configuration_is_the_scanned_repositorys_and_the_summary_names_it() {
    let here = Repo::new();
    let other = Repo::new();
    other.write(".keyfence.toml", "[rules]\ndisable = [\"servicetitan-app-key\"]\n");
    other.write("a.env", format!("K={}\n", app_key(1)));
    let target = other.path().to_str().unwrap();
    let (code, _, stderr) = run(here.keyfence().args(["scan", target]));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("configuration ") && stderr.contains(".keyfence.toml"), "{stderr}");

    // Outside any repository, the scanned folder's own file counts.
    let plain = tempfile::tempdir().unwrap();
    std::fs::write(plain.path().join(".keyfence.toml"), "[rules]\ndisable = [\"servicetitan-app-key\"]\n")
        .unwrap();
    std::fs::write(plain.path().join("a.env"), format!("K={}\n", app_key(2))).unwrap();
    let (code, _, stderr) = run(here.keyfence().args(["scan", plain.path().to_str().unwrap()]));
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn history_applies_path_and_commit_allowlists_to_each_copy_of_a_blob() {
    let repo = Repo::new();
    let line = format!("K={}\n", app_key(1));
    repo.write(".keyfence.toml", "[allowlist]\npaths = [\"*.snap\"]\n");
    repo.write("a.snap", &line);
    repo.write("z.txt", &line);
    repo.commit_all("same content at two paths");
    let (code, stdout, stderr) = run(repo.keyfence().args(["scan", "--all-history", "--format", "json"]));
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(locations(&stdout), [loc("z.txt", 1, "servicetitan-app-key")]);

    // The same blob added again by a later commit, whose predecessor is allowlisted.
    let first = String::from_utf8(repo.git(&["rev-parse", "HEAD"]).stdout).unwrap().trim().to_owned();
    repo.write(".keyfence.toml", format!("[allowlist]\ncommits = [\"{first}\"]\n"));
    repo.git(&["rm", "-q", "a.snap", "z.txt"]);
    repo.commit_all("remove");
    repo.write("z.txt", &line);
    repo.commit_all("back again");
    let (_, stdout, stderr) = run(repo.keyfence().args(["scan", "--all-history", "--format", "json"]));
    let commits: Vec<String> = crate::common::json_findings(&stdout)
        .iter()
        .map(|f| f["commit"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(commits.len(), 1, "{stdout}{stderr}");
    assert_ne!(commits[0], first);
}

#[test]
fn the_readme_example_configuration_loads() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme.find("```toml\n").expect("README has a TOML example") + "```toml\n".len();
    let example = &readme[start..start + readme[start..].find("```").unwrap()];
    let repo = Repo::new();
    std::fs::create_dir_all(repo.path().join("ci")).unwrap();
    let (code, _, stderr) = run(repo.keyfence().args(["baseline", "ci/keyfence-baseline.json"]));
    assert_eq!(code, 0, "{stderr}");
    repo.write(".keyfence.toml", example);
    repo.write("a.txt", "nothing here\n");
    let (code, _, stderr) = run(repo.keyfence().args(["scan", "."]));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("configuration"), "{stderr}");
}

#[test]
fn empty_environment_variables_mean_unset_and_bad_ones_are_one_line_errors() {
    let repo = Repo::new();
    repo.write("a.env", format!("K={}\n", app_key(1)));
    let (code, _, stderr) = run(repo
        .keyfence()
        .args(["scan", "."])
        .env("KEYFENCE_CONFIG", "")
        .env("KEYFENCE_BASELINE", " ")
        .env("KEYFENCE_MAX_FILE_SIZE", ""));
    assert_eq!(code, 1, "{stderr}");
    let (code, _, stderr) = run(repo.keyfence().args(["scan", "."]).env("KEYFENCE_MAX_FILE_SIZE", "abc"));
    assert_eq!(code, 2);
    assert!(stderr.starts_with("keyfence: error: KEYFENCE_MAX_FILE_SIZE=\"abc\""), "{stderr}");
    // The baseline command is not confused by a baseline meant for scans.
    let (code, _, stderr) =
        run(repo.keyfence().args(["baseline", "b.json"]).env("KEYFENCE_BASELINE", "other.json"));
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn a_rule_regex_that_matches_nothing_but_the_empty_string_is_an_error() {
    for regex in ["''", "'a*'"] {
        let (code, stderr) = scan_with_config(&format!("[[rule]]\nid = \"empty\"\nregex = {regex}\n"));
        assert_eq!(code, 2, "{regex}: {stderr}");
        assert!(stderr.contains(".keyfence.toml:2:") && stderr.contains("empty string"), "{stderr}");
    }
    let (code, stderr) = scan_with_config("[rules]\ndisable = [\"github-pat\", \"github-pat\"]\n");
    assert_eq!(code, 0, "a repeated id is not an error: {stderr}");
}

/// A `[[provider]]` entry (the `patterns/providers.toml` schema) for a made-up service whose keys
/// are 32 lowercase hex characters.
const ACME_PROVIDER: &str = r#"
[[provider]]
provider = "Acme Weather"
id = "acme-weather-api-key"
keywords = ["acmeweather"]
alphabet = "hex"
length = [32]
reference = "https://acme.invalid/docs/keys"
examples = [{ text = "ACMEWEATHER_API_KEY=0f3a9c1e7b52d8640e1f9a7c3b5d2e84", secret = "0f3a9c1e7b52d8640e1f9a7c3b5d2e84" }, { text = "acmeweatherToken: '9e2b7d4c0a1f8e36b5c2d9a7e4f10b63'", secret = "9e2b7d4c0a1f8e36b5c2d9a7e4f10b63" }] # keyfence:allow
negative_examples = ["ACMEWEATHER_CITY_ID=0f3a9c1e7b52d8640e1f9a7c3b5d2e84", "ACMEWEATHER_API_KEY=${ACMEWEATHER_API_KEY}"] # keyfence:allow
"#;

/// 32 lowercase hex characters made from `seed` (a fake key of the provider above).
fn acme_weather_key(seed: u64) -> String {
    let hex: String =
        body(seed, 64).bytes().map(|b| char::from(b"0123456789abcdef"[usize::from(b % 16)])).collect();
    hex[..32].to_owned()
}

#[test]
fn a_provider_entry_in_keyfence_toml_finds_keys_in_provider_named_variables_only() {
    let repo = Repo::new();
    repo.write(".keyfence.toml", ACME_PROVIDER);
    let key = acme_weather_key(3);
    repo.write(
        "settings.env",
        format!(
            "ACMEWEATHER_API_KEY={key}\nACMEWEATHER_STATION_ID={key}\nconst acmeweatherKey = process.env.ACMEWEATHER_KEY || \"{key}\";\n"
        ),
    );
    let (code, found, stderr) = scan_json(&repo, &[]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        found,
        [loc("settings.env", 1, "acme-weather-api-key"), loc("settings.env", 3, "acme-weather-api-key")]
    );

    let (code, stdout, _) = run(repo.keyfence().args(["rules", "--check", ".keyfence.toml"]));
    assert_eq!(code, 0, "{stdout}");
}

#[test]
fn a_provider_entry_without_a_length_is_an_error_naming_the_file() {
    let repo = Repo::new();
    repo.write(".keyfence.toml", ACME_PROVIDER.replace("length = [32]\n", ""));
    repo.write("a.env", "X=1\n");
    let (code, _, stderr) = run(repo.keyfence().args(["scan", "."]));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains(".keyfence.toml") && stderr.contains("length"), "{stderr}");
}
