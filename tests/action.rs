//! The GitHub Action (`action.yml`), run the way a runner runs a composite action, as far as that
//! can be done here: each `run:` step goes to bash with the GitHub environment variables
//! (`GITHUB_EVENT_PATH` holding a fake `pull_request` event, `GITHUB_WORKSPACE` a temp
//! repository, `GITHUB_OUTPUT`, `GITHUB_PATH`, `RUNNER_TEMP`) and its `env:` expressions
//! evaluated from the inputs, the event and earlier steps' outputs. `uses:` steps are not run:
//! `actions/cache` is played as a cache hit (the binary under test is put where the cache would
//! restore it, so nothing is built and no network is needed) and the SARIF upload is checked by
//! the file it would upload.

use crate::common::{app_key, keyfence_path, Repo};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// One step of `runs.steps`, as far as the test needs it.
#[derive(Debug, Default)]
struct Step {
    id: Option<String>,
    uses: Option<String>,
    condition: Option<String>,
    env: Vec<(String, String)>,
    with: Vec<(String, String)>,
    run: Option<String>,
}

/// `inputs.*.default` and `runs.steps` of action.yml. The file keeps to a plain subset of YAML
/// (two-space indents, `key: value`, `run: |` blocks), which this reader insists on.
fn read_action() -> (HashMap<String, String>, Vec<Step>) {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("action.yml")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let indent = |line: &str| line.len() - line.trim_start().len();
    let key_value = |line: &str| {
        let (key, value) = line.trim().split_once(':').unwrap_or((line.trim(), ""));
        (key.trim().to_owned(), unquote(value.trim()))
    };
    let mut defaults = HashMap::new();
    let mut steps: Vec<Step> = Vec::new();
    let (mut section, mut input, mut map) = ("", String::new(), "");
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        i += 1;
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        match indent(line) {
            0 => {
                section = if line.starts_with("inputs:") {
                    "inputs"
                } else if line.starts_with("runs:") {
                    "runs"
                } else {
                    ""
                }
            }
            2 if section == "inputs" => input = key_value(line).0,
            4 if section == "inputs" && line.trim_start().starts_with("default:") => {
                defaults.insert(input.clone(), key_value(line).1);
            }
            4 if section == "runs" && line.trim_start().starts_with("- ") => {
                steps.push(Step::default());
                let (key, value) = key_value(&line.replacen("- ", "  ", 1));
                map = apply(steps.last_mut().unwrap(), &key, &value, &lines, &mut i);
            }
            6 if section == "runs" => {
                let (key, value) = key_value(line);
                map = apply(steps.last_mut().unwrap(), &key, &value, &lines, &mut i);
            }
            8 if section == "runs" => {
                let pair = key_value(line);
                let step = steps.last_mut().unwrap();
                match map {
                    "env" => step.env.push(pair),
                    "with" => step.with.push(pair),
                    other => panic!("unexpected nested line under {other:?}: {line}"),
                }
            }
            _ => {}
        }
    }
    (defaults, steps)
}

/// Sets `key` of `step`; a `run: |` block takes the following lines indented 8 or more.
/// Returns the map that nested lines belong to (`env`, `with`), if any.
fn apply(step: &mut Step, key: &str, value: &str, lines: &[&str], i: &mut usize) -> &'static str {
    match key {
        "id" => step.id = Some(value.to_owned()),
        "uses" => step.uses = Some(value.to_owned()),
        "if" => step.condition = Some(value.to_owned()),
        "env" => return "env",
        "with" => return "with",
        "run" => {
            assert_eq!(value, "|", "run steps are `run: |` blocks");
            let mut script = String::new();
            while *i < lines.len() && (lines[*i].trim().is_empty() || lines[*i].starts_with("        ")) {
                script.push_str(lines[*i].get(8..).unwrap_or(""));
                script.push('\n');
                *i += 1;
            }
            step.run = Some(script);
        }
        "name" | "shell" => {}
        other => panic!("action.yml step key {other:?} is not understood by this test"),
    }
    ""
}

fn unquote(value: &str) -> String {
    value.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(value).to_owned()
}

/// What a runner knows while running the action.
struct Runner {
    inputs: HashMap<String, String>,
    event: serde_json::Value,
    event_path: PathBuf,
    workspace: PathBuf,
    temp: PathBuf,
    outputs: HashMap<String, HashMap<String, String>>,
    /// `github.action_path`: where the runner checked the action out (default: this crate, as
    /// for `uses: ./`).
    action_path: PathBuf,
    /// `GITHUB_SERVER_URL` (a local folder of OWNER/NAME repositories in the version tests).
    server_url: String,
}

impl Runner {
    /// The value of one `${{ … }}` expression (the forms action.yml uses in `env:` and `with:`).
    fn eval(&self, expression: &str) -> String {
        let parts: Vec<&str> = expression.trim().split('.').collect();
        match parts.as_slice() {
            ["inputs", name] => self.inputs.get(*name).cloned().unwrap_or_default(),
            ["github", "action_path"] => self.action_path.display().to_string(),
            // Empty inside composite actions, as on GitHub's runners.
            ["github", "action_repository"] => String::new(),
            ["github", "workspace"] => self.workspace.display().to_string(),
            ["github", "event", path @ ..] => {
                let value = path.iter().fold(&self.event, |v, key| &v[*key]);
                value.as_str().map(str::to_owned).unwrap_or_default()
            }
            ["steps", id, "outputs", key] => {
                self.outputs.get(*id).and_then(|o| o.get(*key)).cloned().unwrap_or_default()
            }
            ["runner", "temp"] => self.temp.display().to_string(),
            ["runner", "os"] => "Linux".to_owned(),
            ["runner", "arch"] => "X64".to_owned(),
            _ => panic!("the test does not know the expression {expression:?}"),
        }
    }

    /// `text` with each `${{ … }}` replaced by its value.
    fn substitute(&self, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${{") {
            let end = rest[start..].find("}}").expect("closed expression") + start;
            out.push_str(&rest[..start]);
            out.push_str(&self.eval(&rest[start + 3..end]));
            rest = &rest[end + 2..];
        }
        out.push_str(rest);
        out
    }

    /// Runs the action's steps; returns the exit status of the first failing step (or 0), and
    /// what each step printed.
    fn run(&mut self, steps: &[Step]) -> (i32, String) {
        let mut log = String::new();
        for step in steps {
            if let Some(uses) = &step.uses {
                let with: HashMap<&str, String> =
                    step.with.iter().map(|(k, v)| (k.as_str(), self.substitute(v))).collect();
                if uses.starts_with("actions/cache@") {
                    // A cache hit: the build restored where the action looks for it.
                    let bin = Path::new(&with["path"]).join("bin");
                    std::fs::create_dir_all(&bin).unwrap();
                    std::fs::copy(keyfence_path(), bin.join("keyfence")).unwrap();
                }
                continue;
            }
            assert!(step.condition.is_none(), "run steps decide inside bash, so this test runs them all");
            let script = step.run.as_ref().expect("a step runs or uses");
            assert!(!script.contains("${{"), "inputs reach scripts through env:, never pasted into code");
            let output_file = self.temp.join("github_output");
            std::fs::write(&output_file, "").unwrap();
            let mut command = std::process::Command::new("bash");
            command
                .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
                .current_dir(&self.workspace)
                .env_clear()
                .env("PATH", std::env::var_os("PATH").unwrap_or_default())
                .env("HOME", &self.temp)
                .env("CARGO_NET_OFFLINE", "true")
                .env("GITHUB_ACTIONS", "true")
                .env("GITHUB_EVENT_NAME", "pull_request")
                .env("GITHUB_EVENT_PATH", &self.event_path)
                .env("GITHUB_WORKSPACE", &self.workspace)
                .env("GITHUB_OUTPUT", &output_file)
                .env("GITHUB_PATH", self.temp.join("github_path"))
                .env("GITHUB_SERVER_URL", &self.server_url)
                .env("GITHUB_BASE_REF", "main")
                .env("RUNNER_TEMP", &self.temp)
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .env("GIT_CONFIG_GLOBAL", "/dev/null");
            for (key, value) in &step.env {
                command.env(key, self.substitute(value));
            }
            let output = command.output().unwrap();
            log.push_str(&String::from_utf8_lossy(&output.stdout));
            log.push_str(&String::from_utf8_lossy(&output.stderr));
            if let Some(id) = &step.id {
                let written = std::fs::read_to_string(&output_file).unwrap();
                let outputs = written
                    .lines()
                    .filter_map(|l| l.split_once('='))
                    .map(|(k, v)| (k.to_owned(), v.to_owned()));
                self.outputs.insert(id.clone(), outputs.collect());
            }
            let code = output.status.code().unwrap_or(-1);
            if code != 0 {
                return (code, log);
            }
        }
        (0, log)
    }
}

/// A repository of two commits, `clean` (a README) and `leak` (adds a fake App Key to
/// `app.env`): returns the repository, both commits' ids and the key.
fn pull_request_repo() -> (Repo, String, String, String) {
    let repo = Repo::new();
    repo.write("README.md", "hello\n");
    repo.commit_all("clean");
    let clean = sha(&repo);
    let key = app_key(900);
    repo.write("app.env", format!("ST_APP_KEY={key}\n"));
    repo.commit_all("leak");
    let leak = sha(&repo);
    (repo, clean, leak, key)
}

fn sha(repo: &Repo) -> String {
    String::from_utf8(repo.git(&["rev-parse", "HEAD"]).stdout).unwrap().trim().to_owned()
}

/// Runs the action on `repo` with `inputs` (the rest take their defaults) and a pull_request
/// event from `base` to `head`: (exit status, log, runner after the run).
fn run_action(repo: &Repo, inputs: &[(&str, &str)], base: &str, head: &str) -> (i32, String, Runner) {
    run_action_with(repo, inputs, base, head, |_| {})
}

/// [`run_action`], with `setup` changing the runner first (its action path or server URL).
fn run_action_with(
    repo: &Repo,
    inputs: &[(&str, &str)],
    base: &str,
    head: &str,
    setup: impl FnOnce(&mut Runner),
) -> (i32, String, Runner) {
    let (defaults, steps) = read_action();
    let temp = tempfile::tempdir().unwrap().keep();
    let event = serde_json::json!({ "pull_request": { "base": { "sha": base }, "head": { "sha": head } } });
    let event_path = temp.join("event.json");
    std::fs::write(&event_path, event.to_string()).unwrap();
    let mut all = defaults;
    all.extend(inputs.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let mut runner = Runner {
        inputs: all,
        event,
        event_path,
        workspace: repo.path().to_path_buf(),
        temp,
        outputs: HashMap::new(),
        action_path: PathBuf::from(env!("CARGO_MANIFEST_DIR")),
        server_url: "https://github.com".to_owned(),
    };
    setup(&mut runner);
    let (code, log) = runner.run(&steps);
    (code, log, runner)
}

fn bash_missing() -> bool {
    let missing = std::process::Command::new("bash").arg("-c").arg("true").output().is_err();
    if missing {
        println!("skipped: bash is not installed, and the action's steps are bash scripts");
    }
    missing
}

#[test]
fn the_action_fails_a_pull_request_that_adds_a_key_and_writes_sarif() {
    if bash_missing() {
        return;
    }
    let (repo, clean, leak, key) = pull_request_repo();
    let (code, log, runner) = run_action(&repo, &[("sarif", "true")], &clean, &leak);
    assert_eq!(code, 1, "{log}");
    assert_eq!(runner.outputs["scan"]["exit-code"], "1", "{log}");
    assert!(log.contains("secrets found"), "{log}");
    let sarif_file = repo.path().join(&runner.outputs["scan"]["sarif-file"]);
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif_file).unwrap()).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "{sarif}");
    assert_eq!(results[0]["ruleId"], "servicetitan-app-key");
    assert!(!sarif.to_string().contains(&key), "the SARIF upload holds no secret");
    assert!(runner.outputs["install"]["bin"].ends_with("/bin/keyfence"), "the cached build is used");
}

#[test]
fn the_action_passes_a_clean_pull_request_and_honors_mode_and_baseline() {
    if bash_missing() {
        return;
    }
    let (repo, clean, leak, _) = pull_request_repo();
    repo.write("docs.md", "more words\n");
    repo.commit_all("clean again");
    let clean_head = sha(&repo);
    let (code, log, runner) = run_action(&repo, &[], &leak, &clean_head);
    assert_eq!(code, 0, "{log}");
    assert_eq!(runner.outputs["scan"]["exit-code"], "0");
    assert!(!repo.path().join("keyfence.sarif").exists(), "sarif defaults to false");

    // Whole history sees the old key; a baseline accepting it passes.
    let (code, log, _) = run_action(&repo, &[("mode", "full-history")], "", "");
    assert_eq!(code, 1, "{log}");
    let baseline = repo.path().join("accepted.json");
    let made = repo.keyfence().args(["baseline"]).arg(&baseline).arg("--all-history").output().unwrap();
    assert!(made.status.success());
    let (code, log, _) =
        run_action(&repo, &[("mode", "full-history"), ("baseline", "accepted.json")], "", "");
    assert_eq!(code, 0, "{log}");

    let (code, log, _) = run_action(&repo, &[("mode", "everything")], &clean, &leak);
    assert_eq!(code, 2, "{log}");
    assert!(log.contains("mode must be pull-request or full-history"), "{log}");
}

/// A fake GitHub server: a folder holding `acme/keyfence`, a repository with a `main` branch and
/// an annotated tag `v1`. Returns the folder, the repository and an action checkout path the
/// way the runner lays it out (`…/_actions/acme/keyfence/v1`).
fn fake_server() -> (tempfile::TempDir, Repo, PathBuf) {
    let server = tempfile::tempdir().unwrap();
    let upstream = Repo::new();
    upstream.write("README.md", "keyfence\n");
    upstream.commit_all("first");
    upstream.git(&["tag", "-a", "v1", "-m", "v1"]);
    std::fs::create_dir_all(server.path().join("acme")).unwrap();
    std::os::unix::fs::symlink(upstream.path(), server.path().join("acme/keyfence")).unwrap();
    let action_path = server.path().join("work/_actions/acme/keyfence/v1");
    std::fs::create_dir_all(&action_path).unwrap();
    (server, upstream, action_path)
}

/// Fresh-user trial: `github.action_repository` is empty in a composite action, so a `version`
/// was built from a guessed repository; and a branch name such as `main` keyed the cache by its
/// name, so the first build was used forever.
#[test]
fn a_version_is_built_from_the_actions_own_repository_at_the_commit_it_names_now() {
    if bash_missing() {
        return;
    }
    let (repo, clean, leak, _) = pull_request_repo();
    let (server, upstream, action_path) = fake_server();
    let server_url = server.path().display().to_string();
    let on_server = |runner: &mut Runner| {
        runner.action_path = action_path.clone();
        runner.server_url = server_url.clone();
    };
    let tag_commit = sha(&upstream);
    let (code, log, runner) = run_action_with(&repo, &[("version", "main")], &clean, &leak, on_server);
    assert_eq!(code, 1, "the scan runs: {log}");
    let version = &runner.outputs["version"];
    assert_eq!(version["repository-url"], format!("{server_url}/acme/keyfence"), "{log}");
    assert_eq!(version["commit"], tag_commit, "{log}");
    assert_eq!(version["version"], format!("rev-{tag_commit}"), "the cache key holds the commit");

    // main moves: the next run builds (and caches) the new commit, not the old build.
    upstream.write("CHANGELOG.md", "more\n");
    upstream.commit_all("second");
    let moved = sha(&upstream);
    let (_, log, runner) = run_action_with(&repo, &[("version", "main")], &clean, &leak, on_server);
    assert_eq!(runner.outputs["version"]["version"], format!("rev-{moved}"), "{log}");
    // A tag resolves to its commit (an annotated tag peeled), a commit id stands for itself.
    let (_, log, runner) = run_action_with(&repo, &[("version", "v1")], &clean, &leak, on_server);
    assert_eq!(runner.outputs["version"]["commit"], tag_commit, "{log}");
    let (_, log, runner) =
        run_action_with(&repo, &[("version", &tag_commit[..12])], &clean, &leak, on_server);
    assert_eq!(runner.outputs["version"]["commit"], tag_commit[..12], "{log}");

    // A name the repository does not have stops the action before any build.
    let (code, log, runner) =
        run_action_with(&repo, &[("version", "no-such-branch")], &clean, &leak, on_server);
    assert_eq!(code, 2, "{log}");
    assert!(log.contains("version \"no-such-branch\" names no branch, tag or commit of"), "{log}");
    assert!(!runner.outputs.contains_key("install"), "{log}");
}

#[test]
fn a_version_of_a_local_action_needs_its_repository_named() {
    if bash_missing() {
        return;
    }
    let (repo, clean, leak, _) = pull_request_repo();
    let (server, upstream, _) = fake_server();
    let server_url = server.path().display().to_string();
    // `uses: ./`: the action path is a work tree, not a runner checkout of OWNER/NAME.
    let (code, log, _) = run_action_with(&repo, &[("version", "main")], &clean, &leak, |runner| {
        runner.server_url = server_url.clone();
    });
    assert_eq!(code, 2, "{log}");
    assert!(log.contains("set the input repository: OWNER/NAME"), "{log}");
    let inputs = [("version", "main"), ("repository", "acme/keyfence")];
    let (code, log, runner) = run_action_with(&repo, &inputs, &clean, &leak, |runner| {
        runner.server_url = server_url.clone();
    });
    assert_eq!(code, 1, "{log}");
    assert_eq!(runner.outputs["version"]["commit"], sha(&upstream), "{log}");
    // No version: the action's own checkout is built, keyed by a digest of its sources.
    let (_, log, runner) = run_action(&repo, &[], &clean, &leak);
    assert!(runner.outputs["version"]["version"].starts_with("src-"), "{log}");
    assert!(!runner.outputs["version"].contains_key("commit"), "{log}");
}
