//! gitleaks configuration files, mapped onto keyfence rules and allowlists.
//!
//! A file is taken for a gitleaks one when it has a `[[rules]]` array, an `[extend]` table, a
//! `title`, or gitleaks' `[[allowlists]]`/`[allowlist]` keys (keyfence files use `[[rule]]` and
//! `[rules]`). Mapping (gitleaks v8 schema, <https://github.com/gitleaks/gitleaks#configuration>):
//! - `[[rules]]`: `id`, `description`, `regex`, `secretGroup`, `entropy`, `keywords`, `path`
//!   (a regex on the path: the rule runs only there), `allowlists` (and the older `allowlist`);
//!   `tags` are accepted as information. A rule with a `path` but no `regex` reports files by
//!   name, which keyfence does not do: it is skipped with a warning, like `required` and
//!   `skipReport` (composite rules).
//! - Allowlists: `paths` (regexes), `regexes` with `regexTarget` `secret` (default), `match` or
//!   `line`, `stopwords`, `commits`, `condition` (`OR`/`AND`); global ones in `[allowlist]` or
//!   `[[allowlists]]` (with `targetRules` to aim them at rules).
//! - `[extend]`: `useDefault = true` keeps keyfence's built-in rules (ours, not gitleaks'), else
//!   the file's rules replace them, as in gitleaks; `path` loads another gitleaks file first
//!   (relative to this one, two levels at most); `disabledRules` removes rules; `url` is not
//!   fetched (warning).
//! - Go RE2 and Rust regex differ little: `\Q…\E` literals are rewritten; Unicode classes are
//!   handled by compiling such a rule with Unicode on; anything else that does not compile is an
//!   error naming the rule.
//!
//! Keys keyfence does not know are warnings naming the key, never silently dropped.

use super::files::ConfigFiles;
use super::{place, validate_rules, Config};
use crate::filters::allowlist::{self, Allowlist, Condition, PathMatcher};
use crate::rules::{Origin, RuleSet, RuleSpec, GENERAL_FAQ};
use anyhow::{bail, Context, Result};
use std::collections::HashSet;
use std::path::Path;
use toml::{Table, Value};

/// Files a gitleaks `[extend] path` chain may load (gitleaks' own limit is 2 levels).
const MAX_EXTEND_DEPTH: usize = 2;

/// True if the file at `path`, parsed as `file`, is a gitleaks one (see the module doc).
pub fn looks_like_gitleaks(path: &Path, file: &Table) -> bool {
    path.file_name().is_some_and(|n| n.to_string_lossy().to_ascii_lowercase().ends_with("gitleaks.toml"))
        || matches!(file.get("rules"), Some(Value::Array(_)))
        || file.contains_key("extend")
        || file.contains_key("title")
        || file.contains_key("allowlists")
        || file
            .get("allowlist")
            .and_then(Value::as_table)
            .is_some_and(|a| a.contains_key("regexTarget") || a.contains_key("targetRules"))
}

/// What a gitleaks file yields before it is combined with the defaults.
struct Parsed {
    use_default: bool,
    rules: Vec<RuleSpec>,
    disabled: Vec<String>,
    global: Vec<Allowlist>,
    per_rule: Vec<(String, Allowlist)>,
    /// Rule ids named by `targetRules`.
    targeted: Vec<String>,
}

/// Loads the gitleaks file at `path` (text `text`) of `files`, which also holds the files an
/// `[extend] path` names; `depth` counts `[extend] path` levels.
pub fn load(files: &ConfigFiles, path: &Path, text: &str, depth: usize) -> Result<Config> {
    let name = files.name(path);
    let mut warnings = Vec::new();
    let parsed = parse(files, path, text, depth, &mut warnings)?;
    let own_rules: HashSet<String> = parsed.rules.iter().map(|r| r.id.clone()).collect();
    let mut rules = if parsed.use_default { RuleSet::builtin()? } else { RuleSet::builtin_faqs()? };
    rules.rules.retain(|r| !own_rules.contains(&r.id));
    rules.rules.extend(parsed.rules);
    for id in &parsed.disabled {
        let before = rules.rules.len();
        rules.rules.retain(|r| r.id != *id);
        if rules.rules.len() == before {
            warnings.push(format!(
                "{}extend.disabledRules names a rule that is not in force",
                place(&name, text, id)
            ));
        }
    }
    if rules.rules.is_empty() {
        for warning in &warnings {
            crate::say!("keyfence: warning: {warning}");
        }
        bail!("{name}: no rules are left in force (add [[rules]] or set [extend] useDefault = true)");
    }
    validate_rules(&name, text, &rules, &own_rules)?;
    let mut config = Config::builtin()?;
    for id in &parsed.targeted {
        if !rules.rules.iter().any(|r| r.id == *id) {
            warnings.push(format!(
                "{}an allowlist's targetRules names a rule that is not in force",
                place(&name, text, id)
            ));
        }
    }
    config.rules = rules;
    config.own_rules = own_rules;
    config.allowlists.global = parsed.global;
    config.allowlists.per_rule = parsed.per_rule;
    config.warnings = warnings;
    config.text = text.to_owned();
    Ok(config)
}

fn parse(
    files: &ConfigFiles,
    path: &Path,
    text: &str,
    depth: usize,
    warnings: &mut Vec<String>,
) -> Result<Parsed> {
    let name = files.name(path);
    let file: Table = toml::from_str(text).map_err(|err| super::toml_error(&name, text, &err))?;
    let mut parsed = Parsed {
        use_default: false,
        rules: Vec::new(),
        disabled: Vec::new(),
        global: Vec::new(),
        per_rule: Vec::new(),
        targeted: Vec::new(),
    };
    let cx = Cx { name: &name, text };
    if let Some(extend) = file.get("extend") {
        let extend = cx.table(extend, "extend")?;
        for (key, value) in extend {
            match key.as_str() {
                "useDefault" => parsed.use_default = cx.boolean(value, "extend.useDefault")?,
                "disabledRules" => parsed.disabled = cx.strings(value, "extend.disabledRules")?,
                "path" => {
                    let base = cx.string(value, "extend.path")?;
                    if depth >= MAX_EXTEND_DEPTH {
                        bail!("{}extend.path: more than {MAX_EXTEND_DEPTH} levels of extension", place(&name, text, "path"));
                    }
                    let base_path = path.parent().unwrap_or(Path::new(".")).join(base);
                    // A file in a repository extends files of that repository only, and errors
                    // about the base name it, never its content's keys or values.
                    if let (None, Some(tree)) = (files.base(), super::work_tree_of(path)) {
                        super::confine(&tree, &base_path).map_err(|_| {
                            anyhow::anyhow!(
                                "{}extend.path names a file outside the repository",
                                place(&name, text, "path")
                            )
                        })?;
                    }
                    let base_text = files.read_to_string(&base_path).with_context(|| {
                        format!("{}extend.path: cannot read {}", place(&name, text, "path"), files.name(&base_path))
                    })?;
                    let base = parse(files, &base_path, &base_text, depth + 1, warnings)?;
                    parsed.use_default |= base.use_default;
                    parsed.rules = base.rules;
                    parsed.disabled.extend(base.disabled);
                    parsed.global.extend(base.global);
                    parsed.per_rule.extend(base.per_rule);
                    parsed.targeted.extend(base.targeted);
                }
                "url" => warnings.push(format!("{name}: extend.url is not fetched (keyfence never downloads rules); copy the file and use extend.path")),
                other => warnings.push(format!("{name}: unknown key extend.{other} ignored")),
            }
        }
    }
    // Rules first: a rule replacing a base file's rule drops the base's allowlists for it, which
    // must not drop the targeted allowlists this file declares.
    let mut keys: Vec<(&String, &Value)> = file.iter().collect();
    keys.sort_by_key(|(key, _)| key.as_str() != "rules");
    for (key, value) in keys {
        match key.as_str() {
            "extend" => {}
            "title" | "description" | "minVersion" => {}
            "rules" => {
                let Value::Array(rules) = value else {
                    bail!("{}rules must be an array of tables ([[rules]])", place(&name, text, "rules"))
                };
                for rule in rules {
                    if let Some((spec, lists)) = cx.rule(rule, warnings)? {
                        // A rule of the extending file replaces the base's rule with its id.
                        parsed.rules.retain(|r| r.id != spec.id);
                        parsed.per_rule.retain(|(id, _)| *id != spec.id);
                        parsed.per_rule.extend(lists.into_iter().map(|l| (spec.id.clone(), l)));
                        parsed.rules.push(spec);
                    }
                }
            }
            "allowlist" => {
                let (list, targets) = cx.allowlist(value, "allowlist", true, warnings)?;
                cx.add_global(&mut parsed, list, targets);
            }
            "allowlists" => {
                let Value::Array(lists) = value else {
                    bail!(
                        "{}allowlists must be an array of tables ([[allowlists]])",
                        place(&name, text, "allowlists")
                    )
                };
                for list in lists {
                    let (list, targets) = cx.allowlist(list, "allowlists", true, warnings)?;
                    cx.add_global(&mut parsed, list, targets);
                }
            }
            other => warnings.push(format!("{name}: unknown key {other} ignored")),
        }
    }
    Ok(parsed)
}

/// The file being read, for messages.
struct Cx<'a> {
    name: &'a str,
    text: &'a str,
}

impl Cx<'_> {
    fn at(&self, needle: &str) -> String {
        place(self.name, self.text, needle)
    }

    /// Where a dotted key (`extend.useDefault`) is, found by its last part.
    fn at_key(&self, key: &str) -> String {
        self.at(key.rsplit('.').next().unwrap_or(key))
    }

    fn table<'v>(&self, value: &'v Value, key: &str) -> Result<&'v Table> {
        value.as_table().ok_or_else(|| anyhow::anyhow!("{}{key} must be a table", self.at_key(key)))
    }

    fn string(&self, value: &Value, key: &str) -> Result<String> {
        value
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| anyhow::anyhow!("{}{key} must be a string", self.at_key(key)))
    }

    fn boolean(&self, value: &Value, key: &str) -> Result<bool> {
        value.as_bool().ok_or_else(|| anyhow::anyhow!("{}{key} must be true or false", self.at_key(key)))
    }

    fn strings(&self, value: &Value, key: &str) -> Result<Vec<String>> {
        let bad = || anyhow::anyhow!("{}{key} must be an array of strings", self.at_key(key));
        value
            .as_array()
            .ok_or_else(bad)?
            .iter()
            .map(|v| v.as_str().map(str::to_owned).ok_or_else(bad))
            .collect()
    }

    /// One `[[rules]]` table; `None` for a rule keyfence cannot run (with a warning).
    fn rule(&self, value: &Value, warnings: &mut Vec<String>) -> Result<Option<(RuleSpec, Vec<Allowlist>)>> {
        let table = self.table(value, "rules")?;
        let id = match table.get("id") {
            Some(id) => self.string(id, "rules.id")?,
            None => {
                let description = table.get("description").and_then(Value::as_str).unwrap_or("");
                let id: String = description
                    .to_ascii_lowercase()
                    .split(|c: char| !c.is_ascii_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .collect::<Vec<_>>()
                    .join("-");
                if id.is_empty() {
                    bail!("{}a [[rules]] table has neither id nor description", self.at("[[rules]]"));
                }
                warnings
                    .push(format!("{}: a rule without id is named {id:?} after its description", self.name));
                id
            }
        };
        let mut spec = RuleSpec::bare(&id, GENERAL_FAQ, Origin::Gitleaks);
        let mut lists = Vec::new();
        let key = |k: &str| format!("rules.{k} (rule {id})");
        for (k, v) in table {
            match k.as_str() {
                "id" => {}
                "description" => spec.description = self.string(v, &key(k))?,
                "regex" => spec.regex = translate_re2(&self.string(v, &key(k))?),
                "secretGroup" => {
                    let group = v.as_integer().filter(|g| *g >= 0).ok_or_else(|| {
                        anyhow::anyhow!("{}rule {id}: secretGroup must be a number >= 0", self.at(&id))
                    })?;
                    spec.secret_group = (group > 0).then_some(group as usize);
                }
                "entropy" => {
                    let entropy =
                        v.as_float().or_else(|| v.as_integer().map(|i| i as f64)).ok_or_else(|| {
                            anyhow::anyhow!("{}rule {id}: entropy must be a number", self.at(&id))
                        })?;
                    spec.entropy = (entropy > 0.0).then_some(entropy);
                }
                "keywords" => {
                    spec.keywords = self.strings(v, &key(k))?.into_iter().filter(|k| !k.is_empty()).collect()
                }
                "path" => spec.path_regex = Some(self.string(v, &key(k))?),
                "tags" => {}
                "allowlist" => lists.push(self.allowlist(v, &key(k), false, warnings)?.0),
                "allowlists" => {
                    let Some(array) = v.as_array() else {
                        bail!("{}rule {id}: allowlists must be [[rules.allowlists]] tables", self.at(&id))
                    };
                    for list in array {
                        lists.push(self.allowlist(list, &key(k), false, warnings)?.0);
                    }
                }
                "required" | "skipReport" => {
                    warnings.push(format!(
                        "{}: rule {id}: {k} (composite rules) is not supported; the rule is skipped",
                        self.name
                    ));
                    return Ok(None);
                }
                other => warnings.push(format!("{}: rule {id}: unknown key {other} ignored", self.name)),
            }
        }
        // gitleaks runs a rule's regex over the whole file; a pattern that can cross lines needs
        // keyfence's multi-line window around its keywords.
        spec.multiline = ["\\s\\S", "\\S\\s", "(?s", "\\n", "\\r"].iter().any(|p| spec.regex.contains(p));
        if spec.regex.is_empty() {
            if spec.path_regex.is_some() {
                warnings.push(format!("{}: rule {id} matches file names only (path without regex), which keyfence does not do; skipped", self.name));
                return Ok(None);
            }
            bail!("{}rule {id} has no regex", self.at(&id));
        }
        Ok(Some((spec, lists)))
    }

    /// One allowlist table; the second value is its `targetRules` (global ones only).
    fn allowlist(
        &self,
        value: &Value,
        key: &str,
        global: bool,
        warnings: &mut Vec<String>,
    ) -> Result<(Allowlist, Vec<String>)> {
        let table = self.table(value, key)?;
        let mut list = Allowlist::default();
        let mut targets = Vec::new();
        let mut regexes = Vec::new();
        let mut target = "secret".to_owned();
        let mut path_regexes = Vec::new();
        for (k, v) in table {
            let full = format!("{key}.{k}");
            match k.as_str() {
                "description" => {}
                "condition" => {
                    list.condition = Condition::parse(&self.string(v, &full)?)
                        .map_err(|e| anyhow::anyhow!("{}{full}: {e:#}", self.at("condition")))?
                }
                "commits" => list.commits = self.strings(v, &full)?,
                "paths" => path_regexes = self.strings(v, &full)?,
                "regexes" => regexes = self.strings(v, &full)?,
                "regexTarget" => target = self.string(v, &full)?,
                "stopwords" => {
                    list.stopwords = self.strings(v, &full)?.iter().map(|w| w.to_ascii_lowercase()).collect()
                }
                "targetRules" if global => targets = self.strings(v, &full)?,
                other => warnings.push(format!("{}: unknown key {key}.{other} ignored", self.name)),
            }
        }
        allowlist::check_entries(
            &path_regexes,
            &[("regexes", regexes.as_slice())],
            &list.stopwords,
            &list.commits,
        )
        .map_err(|e| anyhow::anyhow!("{}{key}: {e:#}", self.at(key.split('.').next().unwrap_or(key))))?;
        if path_regexes.is_empty()
            && regexes.is_empty()
            && list.stopwords.is_empty()
            && list.commits.is_empty()
        {
            warnings.push(format!(
                "{}: {key} has no criteria (paths, regexes, stopwords or commits): it allows nothing",
                self.name
            ));
        }
        let compile = |patterns: &[String]| {
            patterns
                .iter()
                .map(|p| {
                    allowlist::compile(&translate_re2(p), &format!("{key} regex"))
                        .map_err(|e| anyhow::anyhow!("{}{e:#}", self.at(p)))
                })
                .collect::<Result<Vec<_>>>()
        };
        let translated: Vec<String> = path_regexes.iter().map(|p| translate_re2(p)).collect();
        list.paths = PathMatcher::new(&[], &translated).map_err(|e| {
            anyhow::anyhow!("{}{e:#}", self.at(path_regexes.first().map_or("paths", String::as_str)))
        })?;
        match target.as_str() {
            "secret" | "" => list.secret_regexes = compile(&regexes)?,
            "match" => list.match_regexes = compile(&regexes)?,
            "line" => list.line_regexes = compile(&regexes)?,
            _ => bail!("{}{key}.regexTarget must be secret, match or line", self.at("regexTarget")),
        }
        Ok((list, targets))
    }

    fn add_global(&self, parsed: &mut Parsed, list: Allowlist, targets: Vec<String>) {
        if targets.is_empty() {
            parsed.global.push(list);
        } else {
            parsed.targeted.extend(targets.iter().cloned());
            parsed.per_rule.extend(targets.into_iter().map(|id| (id, list.clone())));
        }
    }
}

/// Rewrites what Go's RE2 accepts and Rust's regex does not: `\Q…\E` quoted literals, and a
/// `{` that does not start a repetition (`{n}`, `{n,}`, `{n,m}`), which RE2 takes literally.
pub fn translate_re2(pattern: &str) -> String {
    escape_literal_braces(&translate_quoted(pattern))
}

/// Escapes each `{` outside a character class that is not the start of a repetition.
fn escape_literal_braces(pattern: &str) -> String {
    let bytes = pattern.as_bytes();
    let mut out = String::with_capacity(pattern.len());
    let (mut i, mut in_class) = (0, false);
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'\\' => {
                let next = pattern[i + 1..].chars().next().map_or(0, char::len_utf8);
                let mut end = i + 1 + next;
                // `\p{Greek}`, `\P{L}`, `\x{263a}`: the braces belong to the escape.
                if matches!(bytes.get(i + 1), Some(b'p' | b'P' | b'x')) && bytes.get(end) == Some(&b'{') {
                    end = pattern[end..].find('}').map_or(pattern.len(), |close| end + close + 1);
                }
                out.push_str(&pattern[i..end]);
                i = end;
                continue;
            }
            b'[' if !in_class => in_class = true,
            b']' if in_class => in_class = false,
            b'{' if !in_class && !is_repetition(&bytes[i..]) => {
                out.push_str("\\{");
                i += 1;
                continue;
            }
            b'}' if !in_class && !closes_repetition(&bytes[..i]) => {
                out.push_str("\\}");
                i += 1;
                continue;
            }
            _ => {}
        }
        let len = pattern[i..].chars().next().map_or(1, char::len_utf8);
        out.push_str(&pattern[i..i + len]);
        i += len;
    }
    out
}

/// True if `rest` starts with `{n}`, `{n,}` or `{n,m}`.
fn is_repetition(rest: &[u8]) -> bool {
    let Some(end) = rest.iter().position(|&b| b == b'}') else { return false };
    let inner = &rest[1..end];
    let mut parts = inner.splitn(2, |&b| b == b',');
    let first = parts.next().unwrap_or_default();
    let second = parts.next();
    !first.is_empty()
        && first.iter().all(u8::is_ascii_digit)
        && second.is_none_or(|s| s.iter().all(u8::is_ascii_digit))
}

/// True if the `}` after `before` closes a repetition `{n}`, `{n,}` or `{n,m}`.
fn closes_repetition(before: &[u8]) -> bool {
    before.iter().rposition(|&b| b == b'{').is_some_and(|open| {
        let escaped = before[..open].iter().rev().take_while(|&&b| b == b'\\').count() % 2 == 1;
        !escaped && is_repetition(&[&before[open..], b"}"].concat())
    })
}

/// Rewrites `\Q…\E` quoted literals as escaped text.
fn translate_quoted(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(start) = rest.find("\\Q") {
        // An escaped backslash before \Q (`\\Q`) is a literal backslash and a Q.
        let backslashes = rest[..start].chars().rev().take_while(|&c| c == '\\').count();
        if backslashes % 2 == 1 {
            out.push_str(&rest[..start + 2]);
            rest = &rest[start + 2..];
            continue;
        }
        out.push_str(&rest[..start]);
        let quoted = &rest[start + 2..];
        let (literal, after) = match quoted.find("\\E") {
            Some(end) => (&quoted[..end], &quoted[end + 2..]),
            None => (quoted, ""),
        };
        out.push_str(&regex::escape(literal));
        rest = after;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_literals_are_escaped() {
        assert_eq!(translate_re2(r"a\Q.*+\Eb"), r"a\.\*\+b");
        assert_eq!(translate_re2(r"\Qx.y"), r"x\.y");
        assert_eq!(translate_re2(r"\\Q"), r"\\Q");
        assert_eq!(translate_re2("plain"), "plain");
    }

    #[test]
    fn braces_that_are_not_repetitions_are_literal() {
        assert_eq!(translate_re2(r"^\$(?:\d+|{\d+})$"), r"^\$(?:\d+|\{\d+\})$");
        assert_eq!(translate_re2(r"a{2,3}b{4}c{5,}"), r"a{2,3}b{4}c{5,}");
        assert_eq!(translate_re2(r"[{}]x\{"), r"[{}]x\{");
        assert_eq!(translate_re2(r"\${(?:env)}"), r"\$\{(?:env)\}");
        assert_eq!(translate_re2(r"\p{L}{12,}\x{41}"), r"\p{L}{12,}\x{41}");
        for pattern in [r"^\$(?:\d+|{\d+})$", r"\${(?:[A-Z_]+)}", r"x{,3}"] {
            regex::Regex::new(&translate_re2(pattern)).unwrap_or_else(|e| panic!("{pattern}: {e}"));
        }
    }
}
