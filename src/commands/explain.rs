//! `keyfence explain ID`: what a rule, a FAQ rule or a finding of the last report means, and
//! what to do about it.
//!
//! An id is looked up in that order: a rule id (`servicetitan-client-secret`), a FAQ rule id
//! (`ST-FAQ-NO-SHARED-APP-KEY`, any case), then a fingerprint (or a prefix of 8 or more hex
//! digits of one) in the last report of the repository (see [`crate::report::last`]). The
//! remediation is the concrete one for the credential's kind: how to rotate or replace it,
//! whom to tell, and that rewriting history does not un-leak it.

use crate::cli::ExplainArgs;
use crate::config::Config;
use crate::error::Hinted;
use crate::rules::{FaqRule, RuleSet, RuleSpec};
use anyhow::{Context, Result};
use std::fmt::Write as _;
use std::io::Write as _;
use std::process::ExitCode;

/// Shortest fingerprint prefix accepted: shorter ones match too much to mean one finding.
const MIN_PREFIX: usize = 8;

/// Prints the explanation on standard output. Errors (exit 2) on a missing id, an id that names
/// nothing, or a prefix that names several findings.
pub fn run(args: ExplainArgs) -> Result<ExitCode> {
    let Some(id) = args.id.as_deref().map(str::trim) else { return Err(missing_id()) };
    let config = Config::discover(args.config.as_deref(), None)?;
    config.print_warnings();
    let rules = &config.rules;
    let text = if let Some(rule) = rules.rules.iter().find(|r| r.id == id) {
        explain_rule(rules, rule)
    } else if let Some(faq) = rules.faqs.iter().find(|f| f.id.eq_ignore_ascii_case(id)) {
        explain_faq(rules, faq)
    } else if id.len() >= MIN_PREFIX && id.bytes().all(|b| b.is_ascii_hexdigit()) {
        explain_finding(rules, &id.to_ascii_lowercase())?
    } else {
        return Err(unknown(id));
    };
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        // A closed pipe (`| head`) is the reader's choice.
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other.context("cannot write to standard output")?,
    }
    Ok(ExitCode::SUCCESS)
}

fn missing_id() -> anyhow::Error {
    Hinted::new(
        "`keyfence explain` takes one ID: a rule id (servicetitan-app-key), a FAQ rule id (ST-FAQ-NO-SHARED-APP-KEY) or 8+ hex digits of a fingerprint from the last report",
        "`keyfence rules` lists rule and FAQ ids; `keyfence scan --format json` shows fingerprints",
    )
    .into()
}

fn unknown(id: &str) -> anyhow::Error {
    Hinted::new(
        format!("{id:?} is not a rule id, a FAQ rule id or a fingerprint"),
        "`keyfence rules` lists rule and FAQ ids; a fingerprint (8+ hex digits) comes from the last `keyfence scan` in this repository (--format json shows it)",
    )
    .into()
}

fn explain_rule(rules: &RuleSet, rule: &RuleSpec) -> String {
    let mut text = format!("{}: {} ({})\n", rule.id, rule.description, rule.severity.as_str());
    if !rule.reference.is_empty() {
        let _ = writeln!(text, "  format documented at {}", rule.reference);
    }
    if let Some(faq) = rules.faq(&rule.faq) {
        text.push('\n');
        text.push_str(&faq_block(faq));
    }
    text.push('\n');
    text.push_str(&remediation_block(&rule.id));
    text
}

fn explain_faq(rules: &RuleSet, faq: &FaqRule) -> String {
    let mut text = faq_block(faq);
    let citing: Vec<&str> = rules.rules.iter().filter(|r| r.faq == faq.id).map(|r| r.id.as_str()).collect();
    if !citing.is_empty() {
        let _ = writeln!(text, "  cited by {}", citing.join(", "));
    }
    text.push_str("  next steps\n");
    for (n, step) in faq.next_steps.iter().enumerate() {
        let _ = writeln!(text, "    {}. {step}", n + 1);
    }
    text
}

fn explain_finding(rules: &RuleSet, prefix: &str) -> Result<String> {
    let Some(findings) = crate::report::last::load() else {
        return Err(Hinted::new(
            format!("{prefix:?} is not a rule or FAQ id, and this repository has no last report to look a fingerprint up in"),
            "run `keyfence scan` (any mode) inside the repository first, then `keyfence explain FINGERPRINT`",
        )
        .into());
    };
    let field = |f: &serde_json::Value, key: &str| f[key].as_str().unwrap_or_default().to_owned();
    let matching: Vec<&serde_json::Value> =
        findings.iter().filter(|f| field(f, "fingerprint").starts_with(prefix)).collect();
    let finding = match matching.as_slice() {
        [one] => *one,
        [] => return Err(unknown(prefix)),
        many => {
            return Err(Hinted::new(
                format!("{prefix:?} starts {} fingerprints of the last report", many.len()),
                "give more hex digits of the fingerprint",
            )
            .into())
        }
    };
    let rule_id = field(finding, "rule_id");
    let mut text = format!(
        "{}:{}: {} ({}) {}\n  secret  {}\n",
        field(finding, "path"),
        finding["line"].as_u64().unwrap_or(0),
        rule_id,
        field(finding, "severity"),
        field(finding, "description"),
        field(finding, "secret"),
    );
    if let Some(commit) = finding["commit"].as_str() {
        let _ = writeln!(text, "  commit  {commit} {}", field(finding, "author"));
    }
    let list = |key: &str| -> Vec<String> {
        finding[key]
            .as_array()
            .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    };
    let (exposure, shared_with) = (list("exposure"), list("shared_with"));
    if !exposure.is_empty() {
        let _ = writeln!(text, "  shared  {} with {}", exposure.join(", "), shared_with.join(", "));
    }
    let faq_id = field(&finding["faq"], "id");
    if let Some(faq) = rules.faq(&faq_id) {
        text.push('\n');
        text.push_str(&faq_block(faq));
    }
    if let Some(steps) = finding["next_steps"].as_array() {
        text.push_str("  next steps\n");
        for (n, step) in steps.iter().filter_map(|s| s.as_str()).enumerate() {
            let _ = writeln!(text, "    {}. {step}", n + 1);
        }
    }
    text.push('\n');
    text.push_str(&remediation_block(&rule_id));
    Ok(text)
}

fn faq_block(faq: &FaqRule) -> String {
    format!("{}: {}\n  {}\n", faq.id, faq.rule, faq.url)
}

/// What to do about a leaked credential of the kind `rule_id` finds, in order.
fn remediation_block(rule_id: &str) -> String {
    let mut steps: Vec<&str> = match rule_id {
        "servicetitan-client-secret" => vec![
            "In the ServiceTitan developer portal, generate a new client secret for the app, deploy it, then deactivate the old one (two can be active at once, so nothing stops working).",
        ],
        "servicetitan-app-key" => vec![
            "An App Key cannot be regenerated: create a new app in the developer portal, reconnect its tenants, move the integration to the new App Key, then delete the old app.",
        ],
        "servicetitan-client-id" => vec![
            "A Client ID names one tenant's credential pair: rotate the client secret that goes with it in the developer portal, and check whether that secret leaked too.",
        ],
        "servicetitan-access-token" => vec![
            "An access token lives 15 minutes, but whoever copied it could use it until then, and the client secret that minted it may be exposed too: rotate that secret.",
        ],
        "servicetitan-webhook-hmac-key" => vec![
            "Generate a new signing key for the webhook in the developer portal and update the receiving service.",
        ],
        _ => vec!["Revoke or rotate the secret at its provider (the rule's reference says where)."],
    };
    if rule_id.starts_with("servicetitan-") {
        steps.push("Write to ServiceTitan Integrations (integrations@servicetitan.com): what leaked, where, since when, and who may have it.");
    }
    steps.push("Rewriting git history does not un-leak a credential: every clone, fork and CI log keeps it. Rotate first; clean history afterwards if you wish.");
    let mut text = String::from("what to do\n");
    for (n, step) in steps.iter().enumerate() {
        let _ = writeln!(text, "  {}. {step}", n + 1);
    }
    text
}
