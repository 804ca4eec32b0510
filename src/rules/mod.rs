//! Rules as data: the schema of `patterns/*.toml`, loading, and validation.
//!
//! A rule file holds `[[rule]]` tables (see [`RuleSpec`]) and the catalog file holds `[[faq]]`
//! tables (see [`FaqRule`]). The built-in files are embedded at build time by `build.rs`
//! ([`embedded::EMBEDDED_PATTERNS`]); [`RuleSet::builtin`] parses and validates them. Validation
//! happens here, once, so the matcher can assume every rule is well formed.

pub mod check;
pub mod embedded;
mod faq;
pub mod providers;

pub use faq::FaqRule;

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// How bad a leak of this kind is; orders reports and maps onto SARIF levels later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Leaks that grant broad access on their own (App Keys, client secrets, private keys).
    Critical,
    /// Leaks that grant access or identify an account.
    High,
    /// Leaks found by context only (generic assignments).
    Medium,
    /// Informational.
    Low,
}

impl Severity {
    /// The lowercase name used in every report format.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
        }
    }
}

/// One positive example of a rule: a line (or block) of text and the secret the rule must
/// extract from it.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RuleExample {
    /// Text as it would appear in a file.
    pub text: String,
    /// The exact secret the rule reports for `text`.
    pub secret: String,
}

/// One rule as written in `patterns/*.toml`.
///
/// The regex is compiled over bytes with Unicode off (ASCII classes, `.` matches any byte but
/// `\n`). The secret is the capture group named `secret` (the whole match if there is none); the
/// optional group `body` is the random part after a fixed prefix, which redaction and the body
/// checks look at.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// Unique kebab-case id, e.g. `servicetitan-app-key`.
    pub id: String,
    /// What the rule finds, for people (a user's rule without one is described by its id).
    #[serde(default)]
    pub description: String,
    /// How bad a leak is; default `high`.
    #[serde(default = "default_severity")]
    pub severity: Severity,
    /// Id of the policy in the FAQ catalog (`patterns/faq.toml`) a finding cites; default
    /// `KF-NO-SECRETS-IN-GIT`.
    #[serde(default = "default_faq")]
    pub faq: String,
    /// Where the token format is documented (https URL; may be empty in a user's rule).
    #[serde(default)]
    pub reference: String,
    /// Case-insensitive literals of which at least one must occur in the text before the regex
    /// runs. Empty: the regex always runs.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// The pattern (Rust `regex` syntax).
    pub regex: String,
    /// Minimum Shannon entropy, in bits per byte, of the body (or the secret if no body group).
    #[serde(default)]
    pub entropy: Option<f64>,
    /// Reject bodies without an ASCII digit.
    #[serde(default)]
    pub require_digit: bool,
    /// Reject bodies with a run of more than this many equal characters.
    #[serde(default)]
    pub max_repeat: Option<usize>,
    /// Reject secrets containing a placeholder word (example, your, xxxx, ...).
    #[serde(default)]
    pub reject_placeholders: bool,
    /// Reject values that are references to a secret rather than a secret (`${X}`,
    /// `process.env.X`, `os.environ`...).
    #[serde(default)]
    pub reject_references: bool,
    /// A context-only rule: it implies the placeholder, reference and generic value checks, and
    /// yields to a provider rule that finds the same secret.
    #[serde(default)]
    pub generic: bool,
    /// For a generic rule: accept a value without a digit if it is long (10+) and random enough
    /// (3.5 bits per byte): a password in `scheme://user:password@host` has strong context,
    /// while `postgres` or `hunter` still fail.
    #[serde(default)]
    pub digitless: bool,
    /// The match may run over many lines past the keyword's line (a PEM block); otherwise the
    /// regex is run only on the lines holding a keyword.
    #[serde(default)]
    pub multiline: bool,
    /// The capture group (by index, 1-based) holding the secret, instead of the group named
    /// `secret`.
    #[serde(default)]
    pub secret_group: Option<usize>,
    /// Path globs: the rule runs only on files whose reported path matches one (see
    /// [`crate::filters::allowlist::PathMatcher`]). Empty: every file.
    #[serde(default)]
    pub paths: Vec<String>,
    /// For a JWT rule: claims of the token's payload (decoded from base64url JSON) of which at
    /// least one must hold; a token without such a claim is left to other rules. A rule with
    /// claims is more specific than one without, so where both find the same token only the
    /// rule with claims reports it.
    #[serde(default)]
    pub jwt_claims: Vec<JwtClaim>,
    /// Reported by a key-sharing analysis after the scan ([`crate::sharing`]), never by its
    /// regex: the regex only describes the members and does not run. Only ids the analyses know
    /// ([`DERIVED_RULES`]) may be derived.
    #[serde(default)]
    pub derived: bool,
    /// Path regex with the same role as `paths` (from a gitleaks rule's `path`).
    #[serde(skip)]
    pub path_regex: Option<String>,
    /// The run of key characters every match holds (a provider-table rule's value, see
    /// [`providers::ValueRun`]): the matcher skips the regex on a line without one.
    #[serde(skip)]
    pub value_run: Option<providers::ValueRun>,
    /// Where the rule was defined; decides which id syntax and capture semantics apply.
    #[serde(skip)]
    pub origin: Origin,
    /// Texts the rule must find, with the secret it must extract.
    #[serde(default)]
    pub examples: Vec<RuleExample>,
    /// Texts the rule must not report.
    #[serde(default)]
    pub negative_examples: Vec<String>,
}

/// One condition on a JWT payload claim: the claim is a string starting with `prefix`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct JwtClaim {
    /// Claim name, e.g. `client_id` or `iss`.
    pub claim: String,
    /// What the claim's value starts with, e.g. `cid.`.
    pub prefix: String,
}

/// Rule ids a key-sharing analysis reports (see [`RuleSpec::derived`]).
pub const DERIVED_RULES: [&str; 1] = [crate::sharing::set::RULE_ID];

impl RuleSpec {
    /// The rule's family: its id up to the first `-` (`servicetitan` for
    /// `servicetitan-app-key`, `aws` for `aws-access-key-id`).
    pub fn family(&self) -> &str {
        self.id.split('-').next().unwrap_or(&self.id)
    }

    /// A rule with only an id, its catalog entry and origin: severity high, no regex, no checks,
    /// no examples (the start of a rule built in code).
    pub fn bare(id: &str, faq: &str, origin: Origin) -> RuleSpec {
        RuleSpec {
            id: id.to_owned(),
            description: id.to_owned(),
            severity: Severity::High,
            faq: faq.to_owned(),
            reference: String::new(),
            keywords: Vec::new(),
            regex: String::new(),
            entropy: None,
            require_digit: false,
            max_repeat: None,
            reject_placeholders: false,
            reject_references: false,
            generic: false,
            digitless: false,
            multiline: false,
            secret_group: None,
            paths: Vec::new(),
            jwt_claims: Vec::new(),
            derived: false,
            path_regex: None,
            value_run: None,
            origin,
            examples: Vec::new(),
            negative_examples: Vec::new(),
        }
    }
}

/// Where a rule was defined.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Origin {
    /// `patterns/*.toml` or a keyfence rule file: kebab-case ids.
    #[default]
    Keyfence,
    /// A gitleaks config: any id without whitespace; with no `secret_group`, the secret is the
    /// first capture group that matched anything (gitleaks' rule), else the whole match.
    Gitleaks,
}

fn default_faq() -> String {
    GENERAL_FAQ.to_owned()
}

fn default_severity() -> Severity {
    Severity::High
}

/// The catalog entry cited by rules that are not about ServiceTitan.
pub const GENERAL_FAQ: &str = "KF-NO-SECRETS-IN-GIT";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PatternFile {
    #[serde(default)]
    rule: Vec<RuleSpec>,
    #[serde(default)]
    faq: Vec<FaqRule>,
    /// Providers whose keys have no prefix, one entry each; each expands into a rule.
    #[serde(default)]
    provider: Vec<providers::ProviderSpec>,
}

impl PatternFile {
    /// The file's rules: its `[[rule]]` tables, then one rule per `[[provider]]` entry.
    fn into_rules(self) -> Result<(Vec<RuleSpec>, Vec<FaqRule>)> {
        let mut rules = self.rule;
        for provider in &self.provider {
            rules.push(provider.to_rule()?);
        }
        Ok((rules, self.faq))
    }
}

/// Every rule and every FAQ catalog entry in force for a scan, validated.
#[derive(Debug, Clone)]
pub struct RuleSet {
    /// Rules in file-name order, then file order.
    pub rules: Vec<RuleSpec>,
    /// The FAQ catalog.
    pub faqs: Vec<FaqRule>,
}

/// The family of rules listed first: the credentials keyfence exists for.
pub const FIRST_FAMILY: &str = "servicetitan";

impl RuleSet {
    /// The rules in the order listings show them (`keyfence rules`, SARIF's rule list): the
    /// ServiceTitan family first, then the rest in their own order.
    pub fn listed(&self) -> Vec<&RuleSpec> {
        let mut listed: Vec<&RuleSpec> = self.rules.iter().collect();
        listed.sort_by_key(|rule| rule.family() != FIRST_FAMILY);
        listed
    }

    /// The rules embedded at build time.
    ///
    /// Errors if an embedded file does not parse or validate, which the test suite rules out.
    pub fn builtin() -> Result<RuleSet> {
        let files: Vec<PatternFile> = serde_json::from_str(embedded::EMBEDDED_PATTERNS_JSON)
            .context("the embedded rules do not parse")?;
        let mut set = RuleSet { rules: Vec::new(), faqs: Vec::new() };
        for file in files {
            let (rules, faqs) = file.into_rules()?;
            set.rules.extend(rules);
            set.faqs.extend(faqs);
        }
        set.validate()?;
        Ok(set)
    }

    /// The embedded FAQ catalog without any rule (a configuration that replaces the defaults).
    pub fn builtin_faqs() -> Result<RuleSet> {
        let mut set = RuleSet::builtin()?;
        set.rules.clear();
        Ok(set)
    }

    /// Parses and validates (file name, TOML text) pairs; the name is used in error messages.
    pub fn from_files<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<RuleSet> {
        let set = RuleSet::from_files_unvalidated(files)?;
        set.validate()?;
        Ok(set)
    }

    /// Parses (file name, TOML text) pairs without the cross-file checks of [`RuleSet::validate`].
    pub fn from_files_unvalidated<'a>(
        files: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<RuleSet> {
        let mut set = RuleSet { rules: Vec::new(), faqs: Vec::new() };
        for (name, text) in files {
            let file: PatternFile =
                toml::from_str(text).with_context(|| format!("invalid rule file {name}"))?;
            let (rules, faqs) = file.into_rules().with_context(|| format!("invalid rule file {name}"))?;
            set.rules.extend(rules);
            set.faqs.extend(faqs);
        }
        Ok(set)
    }

    /// The FAQ catalog entry with this id.
    pub fn faq(&self, id: &str) -> Option<&FaqRule> {
        self.faqs.iter().find(|faq| faq.id == id)
    }

    /// Checks ids (unique kebab-case), FAQ citations and keywords across the whole set.
    pub fn validate(&self) -> Result<()> {
        let mut faq_ids = HashSet::new();
        for faq in &self.faqs {
            if !faq_ids.insert(faq.id.as_str()) {
                bail!("FAQ rule {} is defined twice", faq.id);
            }
        }
        let mut rule_ids = HashSet::new();
        for rule in &self.rules {
            let id_ok = match rule.origin {
                Origin::Keyfence => is_kebab_case(&rule.id),
                Origin::Gitleaks => !rule.id.is_empty() && !rule.id.contains(char::is_whitespace),
            };
            if !id_ok {
                bail!("rule id {:?} is not kebab-case (a-z, 0-9, single dashes)", rule.id);
            }
            if !rule_ids.insert(rule.id.as_str()) {
                bail!("rule {} is defined twice", rule.id);
            }
            if !faq_ids.contains(rule.faq.as_str()) {
                bail!("rule {} cites FAQ rule {}, which is not in the catalog", rule.id, rule.faq);
            }
            if rule.derived && !DERIVED_RULES.contains(&rule.id.as_str()) {
                bail!("rule {} is derived, but no key-sharing analysis reports it", rule.id);
            }
            if rule.keywords.iter().any(|k| k.is_empty()) {
                bail!("rule {} has an empty keyword", rule.id);
            }
        }
        Ok(())
    }
}

/// True for ids like `servicetitan-app-key`: lowercase ASCII letters and digits in groups joined
/// by single dashes.
pub fn is_kebab_case(id: &str) -> bool {
    !id.is_empty()
        && id.split('-').all(|part| {
            !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kebab_case() {
        assert!(is_kebab_case("servicetitan-app-key"));
        assert!(is_kebab_case("aws2"));
        assert!(!is_kebab_case("Servicetitan"));
        assert!(!is_kebab_case("a--b"));
        assert!(!is_kebab_case("-a"));
        assert!(!is_kebab_case(""));
        assert!(!is_kebab_case("a_b"));
    }

    #[test]
    fn unknown_faq_is_rejected() {
        let rules = r#"
            [[rule]]
            id = "x"
            description = "x"
            severity = "low"
            faq = "NOPE"
            reference = "https://example.invalid"
            regex = "x"
        "#;
        let err = RuleSet::from_files([("r.toml", rules)]).unwrap_err();
        assert!(err.to_string().contains("NOPE"), "{err}");
    }

    #[test]
    fn unknown_field_is_rejected() {
        let rules = "[[rule]]\nid='x'\nbogus=1\n";
        let err = RuleSet::from_files([("r.toml", rules)]).unwrap_err();
        assert!(format!("{err:#}").contains("bogus"), "{err:#}");
    }
}
