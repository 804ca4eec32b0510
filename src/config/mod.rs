//! Configuration: `.keyfence.toml` (or `--config FILE`, or `KEYFENCE_CONFIG`), in keyfence's own
//! schema ([`keyfence`]) or a gitleaks config ([`gitleaks`]), resolved into the rules and
//! allowlists a scan uses.
//!
//! Which file: `--config FILE` wins, then `KEYFENCE_CONFIG`, then `.keyfence.toml` at the root
//! of the repository around the current directory, then `.gitleaks.toml` there (so a repository
//! moving from gitleaks keeps its rules and allowlists), else none: the built-in rules alone.
//! Settings that also exist as options (the file size limit, the baseline) follow command line >
//! environment > file > default.
//!
//! Errors (exit 2) name the file and, where it can be told, the line and the rule id; nothing
//! in a file is silently ignored: keyfence files reject unknown keys, gitleaks files get a
//! warning for each key keyfence cannot honor. A file named `.keyfence.toml` with gitleaks'
//! `[[rules]]` is an error (a misspelt `[[rule]]` must not replace the built-in rules), and any
//! configuration that leaves no built-in rule in force gets a warning saying so.

pub mod files;
pub mod gitleaks;
pub mod keyfence;
pub mod size;

use files::{ConfigFiles, RangeBase};

use crate::error::Hinted;
use crate::rules::RuleSet;
use crate::scanner::Allowlists;
use anyhow::Result;
use serde::Deserialize;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Environment variable naming the configuration file.
pub const CONFIG_ENV: &str = "KEYFENCE_CONFIG";
/// The configuration file looked for at the repository root.
pub const DEFAULT_FILE: &str = ".keyfence.toml";
/// A gitleaks configuration looked for at the repository root when there is no keyfence one.
pub const GITLEAKS_FILE: &str = ".gitleaks.toml";

/// The `[org]` section: who the organization is, for the key-sharing checks and for messages.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Org {
    /// The organization's name.
    #[serde(default)]
    pub name: Option<String>,
    /// E-mail domains of the organization's people (`acme.example`; subdomains count as
    /// inside). An author, committer or `user.email` outside them makes a finding
    /// `third-party-author`. Empty: no author verdict.
    #[serde(default)]
    pub domains: Vec<String>,
    /// Where the organization's repositories live, as `host/owner/*` glob patterns
    /// (`github.com/acme/*`, `gitlab.acme.example/*`). A push to a remote outside them makes a
    /// finding `third-party-remote`. Empty: no remote verdict.
    #[serde(default)]
    pub remotes: Vec<String>,
    /// ServiceTitan tenant ids (9-10 digits) the organization owns, written as strings or numbers.
    #[serde(default, deserialize_with = "tenant_ids")]
    pub tenants: Vec<String>,
    /// Whom to tell about a leak (an e-mail address or a channel), printed in the summary of a
    /// scan with findings.
    #[serde(default)]
    pub security_contact: Option<String>,
}

/// Tenant ids as TOML strings or integers.
fn tenant_ids<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Id {
        Text(String),
        Number(u64),
    }
    let ids = Vec::<Id>::deserialize(deserializer)?;
    Ok(ids
        .into_iter()
        .map(|id| match id {
            Id::Text(text) => text,
            Id::Number(number) => number.to_string(),
        })
        .collect())
}

/// A configuration, resolved: the rules in force and everything that filters their findings.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file it came from (`None`: built-in defaults only).
    pub source: Option<PathBuf>,
    /// Rules in force, validated.
    pub rules: RuleSet,
    /// Ids of the rules the file itself defines (for `keyfence rules --check`).
    pub own_rules: HashSet<String>,
    /// Allowlists, compiled.
    pub allowlists: Allowlists,
    /// `[scan] max_file_size`, MiB.
    pub max_file_size: Option<u64>,
    /// `[scan] baseline`, joined to the file's folder (relative to the repository root when the
    /// file was read from a commit).
    pub baseline: Option<PathBuf>,
    /// `[scan] fingerprint_key`: the key of fingerprints (see [`crate::fingerprint`]).
    pub fingerprint_key: Option<String>,
    /// The commit the file was read from (`None`: the disk, or no file).
    pub base: Option<RangeBase>,
    /// `[scan] protect_config`: report changes to the files that steer keyfence (see
    /// [`crate::sources::config_changes`]); unset means on for ranges, off for `--staged`.
    pub protect_config: Option<bool>,
    /// `[org]`.
    pub org: Option<Org>,
    /// Things in the file keyfence could not honor (gitleaks files), one line each.
    pub warnings: Vec<String>,
    /// The file's text, for line numbers in later messages.
    text: String,
}

impl Config {
    /// The built-in rules, no file.
    pub fn builtin() -> Result<Config> {
        Ok(Config {
            source: None,
            rules: RuleSet::builtin()?,
            own_rules: HashSet::new(),
            allowlists: Allowlists::default(),
            max_file_size: None,
            baseline: None,
            fingerprint_key: None,
            base: None,
            protect_config: None,
            org: None,
            warnings: Vec::new(),
            text: String::new(),
        })
    }

    /// Finds and loads the configuration (see the module doc for the order). `cli` is
    /// `--config`; `near` is what is scanned (a file or folder; `None`: the current directory),
    /// whose repository root (or, outside a repository, the folder itself) holds the file.
    pub fn discover(cli: Option<&Path>, near: Option<&Path>) -> Result<Config> {
        Config::discover_in(&ConfigFiles::work_tree(), cli, near)
    }

    /// [`Config::discover`] with the files of `files`: in a commit (a range's base), the file is
    /// looked for at the root of its tree; `--config` and `KEYFENCE_CONFIG` still name files on
    /// disk (the user's explicit choice).
    pub fn discover_in(files: &ConfigFiles, cli: Option<&Path>, near: Option<&Path>) -> Result<Config> {
        let from_env = non_empty_env(CONFIG_ENV).map(PathBuf::from);
        if let Some(path) = cli.map(Path::to_path_buf).or(from_env) {
            return Config::load(&path);
        }
        let root = match files.base() {
            Some(_) => PathBuf::new(),
            None => match config_folder(near) {
                Some(root) => root,
                None => return Config::builtin(),
            },
        };
        for name in [DEFAULT_FILE, GITLEAKS_FILE] {
            let path = root.join(name);
            // Anything by that name (a folder, a dangling link) is loaded, so it fails loudly.
            let exists = files.exists(&path).map_err(|err| {
                anyhow::anyhow!("cannot look for the configuration {}: {err}", files.name(&path))
            })?;
            if exists {
                // On disk, the repository chose this file: it may not lead outside (a link to a
                // file of the user's, whose content errors would then quote).
                if let (None, Some(tree)) = (files.base(), work_tree_of(&path)) {
                    confine(&tree, &path).map_err(|_| {
                        Hinted::new(
                            format!("{} leads outside the repository", path.display()),
                            "a configuration found in the repository must be a file inside it; pass --config FILE to use another",
                        )
                    })?;
                }
                return Config::load_from(files, &path);
            }
        }
        let mut config = Config::builtin()?;
        config.base = files.base();
        Ok(config)
    }

    /// Loads `path` from disk, a keyfence or gitleaks configuration (told apart by shape, see
    /// [`gitleaks::looks_like_gitleaks`]). Errors name the file and line.
    pub fn load(path: &Path) -> Result<Config> {
        Config::load_from(&ConfigFiles::work_tree(), path)
    }

    /// [`Config::load`] of `path` in `files` (a commit's tree, or the disk).
    pub fn load_from(files: &ConfigFiles, path: &Path) -> Result<Config> {
        let name = files.name(path);
        let text = files.read_to_string(path).map_err(|err| {
            Hinted::new(
                format!("cannot read the configuration {name}: {err}"),
                "the file must be readable UTF-8 TOML (given by --config, KEYFENCE_CONFIG, or found at the repository root)",
            )
        })?;
        let value: toml::Table = toml::from_str(&text).map_err(|err| toml_error(&name, &text, &err))?;
        refuse_gitleaks_rules_in_keyfence_file(path, &name, &text, &value)?;
        let mut config = if gitleaks::looks_like_gitleaks(path, &value) {
            gitleaks::load(files, path, &text, 0)?
        } else {
            keyfence::load(&name, &text)?
        };
        if config.rules.rules.iter().all(|rule| config.own_rules.contains(&rule.id)) {
            let keep = match gitleaks::looks_like_gitleaks(path, &value) {
                true => "add `[extend]` with `useDefault = true` to keep them",
                false => "under `[rules]`, `use_default = true` and no `disable` list keep them",
            };
            config.warnings.push(format!(
                "{name} turns off every built-in rule: only its own {} rule(s) are in force ({keep})",
                config.rules.rules.len()
            ));
        }
        config.source = Some(path.to_path_buf());
        config.base = files.base();
        if let Some(baseline) = &config.baseline {
            let folder = path.parent().unwrap_or(Path::new("."));
            let baseline = folder.join(baseline);
            // A file in a repository names files of that repository only: a pull request must
            // not point the scan at a file of the CI machine's (and read it into an error). In a
            // commit's tree, paths cannot leave the tree anyway.
            if let (None, Some(tree)) = (files.base(), work_tree_of(path)) {
                confine(&tree, &baseline).map_err(|_| {
                    Hinted::new(
                        format!(
                            "{}[scan] baseline names a file outside the repository",
                            place(&name, &text, "baseline")
                        ),
                        "name a file inside the repository, or pass --baseline FILE (or KEYFENCE_BASELINE) for one outside",
                    )
                })?;
            }
            config.baseline = Some(baseline);
        }
        Ok(config)
    }

    /// Prints the warnings on standard error, one line each.
    pub fn print_warnings(&self) {
        for warning in &self.warnings {
            crate::say!("keyfence: warning: {warning}");
        }
    }

    /// The 1-based line of the file where rule `id` is defined.
    pub fn line_of(&self, id: &str) -> Option<usize> {
        crate::rules::check::rule_line(&self.text, id)
    }
}

/// A `.keyfence.toml` holding gitleaks' `[[rules]]` (keyfence's table is `[[rule]]`) is an
/// error: read as a gitleaks file it would replace every built-in rule with the file's own, so a
/// one-letter slip would let a ServiceTitan key through.
fn refuse_gitleaks_rules_in_keyfence_file(
    path: &Path,
    name: &str,
    text: &str,
    file: &toml::Table,
) -> Result<()> {
    let keyfence_file = path.file_name().is_some_and(|n| n.eq_ignore_ascii_case(DEFAULT_FILE));
    if keyfence_file && matches!(file.get("rules"), Some(toml::Value::Array(_))) {
        return Err(Hinted::new(
            format!(
                "{}[[rules]] is a gitleaks table; a keyfence configuration names its rules [[rule]]",
                place(name, text, "[[rules]]")
            ),
            "did you mean [[rule]]? a gitleaks configuration goes in .gitleaks.toml or --config",
        )
        .into());
    }
    Ok(())
}

/// Where the configuration file is looked for: the top of the work tree holding `near` (a
/// folder, or a file's folder; default the current directory, or `GIT_WORK_TREE` when git set
/// it for a hook), i.e. the nearest folder with a `.git`; outside a repository, the folder
/// itself.
fn config_folder(near: Option<&Path>) -> Option<PathBuf> {
    let start = match near {
        Some(path) if path.is_dir() => path.to_path_buf(),
        Some(path) => {
            path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_path_buf()
        }
        None => std::env::var_os("GIT_WORK_TREE").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(".")),
    };
    // Canonical, so the summary names `/repo/.keyfence.toml`, not `/repo/src/../.keyfence.toml`.
    let start = std::fs::canonicalize(&start).or_else(|_| std::path::absolute(&start)).ok()?;
    let root = start.ancestors().find(|dir| dir.join(".git").exists()).map(Path::to_path_buf);
    Some(root.unwrap_or(start))
}

/// The top of the git work tree holding `file` (canonical), if it is in one.
pub fn work_tree_of(file: &Path) -> Option<PathBuf> {
    let folder = file.parent().filter(|f| !f.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let folder = std::fs::canonicalize(folder).ok()?;
    folder.ancestors().find(|dir| dir.join(".git").exists()).map(Path::to_path_buf)
}

/// Checks that `path` resolves (symbolic links followed, `..` applied) to a place inside `root`
/// (canonical), whether or not the file exists yet. Returns the resolved path. The error says
/// nothing of where it leads: callers name the key that held it.
pub fn confine(root: &Path, path: &Path) -> Result<PathBuf> {
    let absolute = std::path::absolute(path)?;
    // The deepest part that exists is resolved by the file system; what is left must not climb.
    let (existing, rest) = absolute
        .ancestors()
        .find_map(|a| {
            std::fs::canonicalize(a).ok().map(|c| (c, absolute.strip_prefix(a).unwrap_or(Path::new(""))))
        })
        .ok_or_else(|| anyhow::anyhow!("cannot resolve the path"))?;
    let climbs = rest.components().any(|c| !matches!(c, std::path::Component::Normal(_)));
    let resolved = existing.join(rest);
    if climbs || !resolved.starts_with(root) {
        anyhow::bail!("the path leads outside the repository");
    }
    Ok(resolved)
}

/// A TOML error as `FILE:LINE: message` on one line, without the offending value (see
/// [`without_values`]).
pub fn toml_error(name: &str, text: &str, err: &toml::de::Error) -> anyhow::Error {
    let line = err.span().map(|span| line_at(text, span.start));
    let message = without_values(&err.message().trim().replace('\n', " "));
    match line {
        Some(line) => anyhow::anyhow!("{name}:{line}: {message}"),
        None => anyhow::anyhow!("{name}: {message}"),
    }
}

/// A deserializer's message without the value it quotes (`invalid type: string "…", expected
/// u64` → `invalid type: string, expected u64`; `unknown variant `…``), so a secret pasted into
/// the wrong key is not printed. Keys (`unknown field `x``) stay: they say what to fix.
pub fn without_values(message: &str) -> String {
    static QUOTED: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let quoted = QUOTED.get_or_init(|| {
        regex::Regex::new(
            r#"(invalid (?:type|value|length): [a-z ]+?|unknown variant) (?:`[^`]*`|"(?:[^"\\]|\\.)*")"#,
        )
        .expect("a valid pattern")
    });
    quoted.replace_all(message, "$1").into_owned()
}

/// 1-based line of byte `offset` in `text`.
pub fn line_at(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())].iter().filter(|&&b| b == b'\n').count() + 1
}

/// `FILE:LINE: ` for the first line of `text` holding `needle` (`FILE: ` if none does).
pub fn place(name: &str, text: &str, needle: &str) -> String {
    match text.find(needle) {
        Some(at) if !needle.is_empty() => format!("{name}:{}: ", line_at(text, at)),
        _ => format!("{name}: "),
    }
}

/// Validates the rules a file defines: schema-level checks of the whole set, then each of the
/// file's regexes and path globs compiles. Errors name the file, the rule's line and its id.
pub fn validate_rules(name: &str, text: &str, rules: &RuleSet, own: &HashSet<String>) -> Result<()> {
    rules.validate().map_err(|err| {
        let at = own
            .iter()
            .find(|id| err.to_string().contains(id.as_str()))
            .and_then(|id| crate::rules::check::rule_line(text, id))
            .map(|line| format!("{name}:{line}: "))
            .unwrap_or_else(|| format!("{name}: "));
        anyhow::anyhow!("{at}{err:#}")
    })?;
    for rule in rules.rules.iter().filter(|r| own.contains(&r.id)) {
        let at = match crate::rules::check::rule_line(text, &rule.id) {
            Some(line) => format!("{name}:{line}: "),
            None => format!("{name}: "),
        };
        if let Some(entropy) = rule.entropy.filter(|e| !(0.0..=8.0).contains(e)) {
            anyhow::bail!("{at}rule {}: entropy {entropy} is outside 0-8 bits per byte", rule.id);
        }
        let regex = crate::matcher::compile_rule_regex(rule).map_err(|err| anyhow::anyhow!("{at}{err:#}"))?;
        if regex.is_match(b"") {
            anyhow::bail!(
                "{at}rule {}: the regex matches the empty string, so it cannot find a secret",
                rule.id
            );
        }
        let regexes: Vec<String> = rule.path_regex.iter().cloned().collect();
        crate::filters::allowlist::PathMatcher::new(&rule.paths, &regexes)
            .map_err(|err| anyhow::anyhow!("{at}rule {}: {err:#}", rule.id))?;
    }
    Ok(())
}

/// The variable's value, unless it is unset or blank: an empty variable means "not set", so a
/// CI that exports `X=` does not break every scan.
pub fn non_empty_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}
