//! keyfence's own configuration schema (`.keyfence.toml`):
//!
//! ```toml
//! [rules]
//! use_default = true              # false: only the rules below
//! disable = ["generic-password"]  # built-in or own rule ids
//!
//! [[rule]]                        # same schema as patterns/*.toml; an id of a built-in rule
//! id = "acme-token"               # replaces that rule
//! regex = '''acme_(?P<secret>[a-z0-9]{32})'''
//! keywords = ["acme_"]
//!
//! [allowlist]                     # for every rule; any criterion allows a finding
//! paths = ["tests/fixtures/**"]   # globs on the path
//! regexes = ['''^AKIA.{12}TEST$'''] # on the secret
//! lines = ['''# fixture''']       # on the line
//! stopwords = ["sandbox"]         # in the secret, any case
//! commits = ["0123abc"]           # history scans
//! condition = "or"                # or "and": every criterion given must hold
//!
//! [allowlist.rules.generic-password]  # the same keys, for one rule
//! paths = ["docs/**"]
//!
//! [scan]
//! max_file_size = 25              # MiB
//! baseline = "keyfence-baseline.json"
//! fingerprint_key = "…"            # 16+ characters; keys fingerprints (see crate::fingerprint)
//! protect_config = true           # report changes to keyfence's own files (--staged too)
//!
//! [org]                           # see config::Org
//! ```

use super::{place, toml_error, validate_rules, Config, Org};
use crate::filters::allowlist::{self, Allowlist, Condition, PathMatcher};
use crate::rules::providers::ProviderSpec;
use crate::rules::{FaqRule, RuleSet, RuleSpec};
use crate::scanner::Allowlists;
use anyhow::{bail, Context, Result};
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyfenceFile {
    #[serde(default)]
    rules: RulesSection,
    #[serde(default)]
    rule: Vec<RuleSpec>,
    /// Providers whose keys have no prefix (the `patterns/providers.toml` schema); each becomes a rule.
    #[serde(default)]
    provider: Vec<ProviderSpec>,
    #[serde(default)]
    faq: Vec<FaqRule>,
    #[serde(default)]
    allowlist: AllowlistSpec,
    #[serde(default)]
    scan: ScanSection,
    #[serde(default)]
    org: Option<Org>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesSection {
    #[serde(default = "yes")]
    use_default: bool,
    #[serde(default)]
    disable: Vec<String>,
}

impl Default for RulesSection {
    fn default() -> Self {
        RulesSection { use_default: true, disable: Vec::new() }
    }
}

fn yes() -> bool {
    true
}

/// One allowlist as written (see the module doc).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowlistSpec {
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    condition: Option<String>,
    #[serde(default)]
    paths: Vec<String>,
    #[serde(default)]
    regexes: Vec<String>,
    #[serde(default)]
    lines: Vec<String>,
    #[serde(default)]
    stopwords: Vec<String>,
    #[serde(default)]
    commits: Vec<String>,
    /// Only in `[allowlist]`: the allowlists of single rules, by rule id.
    #[serde(default)]
    rules: BTreeMap<String, AllowlistSpec>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScanSection {
    #[serde(default)]
    max_file_size: Option<u64>,
    #[serde(default)]
    baseline: Option<PathBuf>,
    #[serde(default)]
    fingerprint_key: Option<String>,
    #[serde(default)]
    protect_config: Option<bool>,
}

impl AllowlistSpec {
    fn is_empty(&self) -> bool {
        self.paths.is_empty()
            && self.regexes.is_empty()
            && self.lines.is_empty()
            && self.stopwords.is_empty()
            && self.commits.is_empty()
    }

    /// Compiles the allowlist; errors name the file and the line of the bad pattern.
    /// `section` is the table's name for messages (`[allowlist]`, `[allowlist.rules.<id>]`).
    fn compile(&self, name: &str, text: &str, section: &str) -> Result<Allowlist> {
        let at = |pattern: &str| place(name, text, pattern);
        let regexes = |patterns: &[String], what: &str| {
            patterns
                .iter()
                .map(|p| allowlist::compile(p, what).map_err(|e| anyhow::anyhow!("{}{e:#}", at(p))))
                .collect::<Result<Vec<_>>>()
        };
        let paths = PathMatcher::new(&self.paths, &[]).map_err(|e| {
            let first_bad = self.paths.iter().find(|p| PathMatcher::new(&[(*p).clone()], &[]).is_err());
            anyhow::anyhow!("{}{e:#}", at(first_bad.map_or("", String::as_str)))
        })?;
        let regex_lists = [("regexes", self.regexes.as_slice()), ("lines", self.lines.as_slice())];
        allowlist::check_entries(&self.paths, &regex_lists, &self.stopwords, &self.commits)
            .map_err(|e| anyhow::anyhow!("{}{section} {e:#}", at(section.trim_matches(['[', ']']))))?;
        let condition = Condition::parse(self.condition.as_deref().unwrap_or("or"))
            .map_err(|e| anyhow::anyhow!("{}{e:#}", at("condition")))?;
        let _ = &self.description;
        Ok(Allowlist {
            condition,
            paths,
            commits: self.commits.clone(),
            secret_regexes: regexes(&self.regexes, "allowlist regex")?,
            line_regexes: regexes(&self.lines, "allowlist line regex")?,
            match_regexes: Vec::new(),
            stopwords: self.stopwords.iter().map(|w| w.to_ascii_lowercase()).collect(),
        })
    }
}

/// Parses and resolves a keyfence configuration file named `name` (for messages).
pub fn load(name: &str, text: &str) -> Result<Config> {
    let mut file: KeyfenceFile = toml::from_str(text).map_err(|err| toml_error(name, text, &err))?;
    for provider in &file.provider {
        file.rule.push(provider.to_rule().with_context(|| format!("{name}: invalid [[provider]] entry"))?);
    }
    for rule in &mut file.rule {
        if rule.description.is_empty() {
            rule.description = rule.id.clone();
        }
    }
    let own_rules: HashSet<String> = file.rule.iter().map(|r| r.id.clone()).collect();
    let mut rules = if file.rules.use_default { RuleSet::builtin()? } else { RuleSet::builtin_faqs()? };
    rules.rules.retain(|r| !own_rules.contains(&r.id));
    rules.rules.extend(file.rule);
    // A catalog entry with a built-in id replaces it, like a rule does.
    rules.faqs.retain(|f| !file.faq.iter().any(|own| own.id == f.id));
    rules.faqs.extend(file.faq);
    let mut disable = file.rules.disable.clone();
    disable.sort();
    disable.dedup();
    for id in &disable {
        let before = rules.rules.len();
        rules.rules.retain(|r| r.id != *id);
        if rules.rules.len() == before {
            bail!("{}[rules] disable names a rule that is not in force", place(name, text, id));
        }
    }
    if rules.rules.is_empty() {
        bail!("{name}: no rules are left in force (use_default = false and no [[rule]], or all disabled)");
    }
    validate_rules(name, text, &rules, &own_rules)?;
    let global = &file.allowlist;
    let mut allowlists = Allowlists::default();
    if !global.is_empty() {
        allowlists.global.push(global.compile(name, text, "[allowlist]")?);
    } else if global.condition.is_some() || global.description.is_some() {
        bail!(
            "{}[allowlist] has no criteria (paths, regexes, lines, stopwords or commits)",
            place(name, text, "[allowlist]")
        );
    }
    for (id, spec) in &global.rules {
        if !rules.rules.iter().any(|r| r.id == *id) {
            bail!("{}[allowlist.rules.{id}] names a rule that is not in force", place(name, text, id));
        }
        if spec.is_empty() || !spec.rules.is_empty() {
            bail!("{}[allowlist.rules.{id}] needs criteria and no nested rules", place(name, text, id));
        }
        allowlists.per_rule.push((id.clone(), spec.compile(name, text, &format!("[allowlist.rules.{id}]"))?));
    }
    if file.scan.baseline.as_ref().is_some_and(|b| b.as_os_str().is_empty()) {
        bail!(
            "{}[scan] baseline is empty: name a baseline file or remove the key",
            place(name, text, "baseline")
        );
    }
    if let Some(size) = file.scan.max_file_size {
        if let Err(message) = super::size::check_mib(size, &format!("[scan] max_file_size = {size}")) {
            bail!("{}{message}", place(name, text, "max_file_size"));
        }
    }
    if let Some(org) = &file.org {
        check_org(name, text, org)?;
    }
    let mut config = Config::builtin()?;
    config.rules = rules;
    config.own_rules = own_rules;
    config.allowlists = allowlists;
    config.max_file_size = file.scan.max_file_size;
    config.baseline = file.scan.baseline;
    if let Some(key) = &file.scan.fingerprint_key {
        crate::fingerprint::FingerprintKey::from_text(key, crate::fingerprint::KeySource::Config).map_err(
            |err| anyhow::anyhow!("{}[scan] fingerprint_key: {err:#}", place(name, text, "fingerprint_key")),
        )?;
    }
    config.fingerprint_key = file.scan.fingerprint_key;
    config.protect_config = file.scan.protect_config;
    config.org = file.org;
    config.text = text.to_owned();
    Ok(config)
}

/// Tenant ids are 9-10 digits (DESIGN §2), domains are bare host names and remotes are
/// `host/owner` patterns; anything else is a mistake worth stopping on.
fn check_org(name: &str, text: &str, org: &Org) -> Result<()> {
    for tenant in &org.tenants {
        if !(9..=10).contains(&tenant.len()) || !tenant.bytes().all(|b| b.is_ascii_digit()) {
            bail!("{}[org] tenants: an entry is not a tenant id (9-10 digits)", place(name, text, tenant));
        }
    }
    for domain in &org.domains {
        if let Err(why) = crate::sharing::author::check_domain(domain) {
            bail!("{}[org] domains: {domain:?} {why}", place(name, text, domain));
        }
    }
    for pattern in &org.remotes {
        if let Err(why) = crate::sharing::remote::RemotePatterns::new(std::slice::from_ref(pattern)) {
            bail!("{}[org] remotes: {pattern:?} {why:#}", place(name, text, pattern));
        }
    }
    Ok(())
}
