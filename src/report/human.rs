//! Human-readable text. Color (via `colored`, switched on or off by the settings) only
//! highlights; the text reads the same without it.
//!
//! Findings are grouped per credential (same rule, same secret): one client secret copied into
//! eight files is one block listing eight places, with the FAQ rule and next steps once. The
//! sharing verdict comes first, since it says who already has the credential.

use super::ReportOptions;
use crate::finding::{escape_controls, Exposure, FaqRef, Finding};
use crate::rules::Severity;
use colored::Colorize;
use std::io::{self, Write};

/// Writes one block per credential, headed by its first place in compiler style (so editors
/// and `grep PATH:` still find it):
///
/// ```text
/// .env:3:18: servicetitan-client-secret (critical) ServiceTitan Client Secret
///   shared  shipped to every browser
///   with    every visitor of the web app
///   secret  cs1.fj…
///   also at svc/config.yml:1:9
///           web/.env:1:28 (browser)
///   breaks  ST-PORTAL-NEVER-PUBLISH-CLIENT-CREDS: <paraphrase>
///           <FAQ page URL>
///   next    1. <step>
///           2. <step>
/// ```
pub fn write(findings: &[Finding], options: ReportOptions, out: &mut dyn Write) -> io::Result<()> {
    for (i, group) in group_by_credential(findings).iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        write_group(group, options, out)?;
    }
    Ok(())
}

/// Writes one line per finding, `path:line:column: rule_id secret`, as compilers and gitleaks
/// do, for editors and grep. The secret is redacted unless `show_secrets`.
pub fn write_short(findings: &[Finding], options: ReportOptions, out: &mut dyn Write) -> io::Result<()> {
    for f in findings {
        writeln!(
            out,
            "{}:{}:{}: {} {}",
            escape_controls(&f.path),
            f.line,
            f.column,
            escape_controls(&f.rule_id),
            escape_controls(f.shown_secret(options.show_secrets))
        )?;
    }
    Ok(())
}

/// Findings of one credential (same rule id and secret), in report order.
fn group_by_credential(findings: &[Finding]) -> Vec<Vec<&Finding>> {
    let mut groups: Vec<Vec<&Finding>> = Vec::new();
    let mut index: std::collections::HashMap<(&str, &str), usize> = std::collections::HashMap::new();
    for finding in findings {
        let key = (finding.rule_id.as_str(), finding.secret.as_str());
        match index.get(&key) {
            Some(&at) => groups[at].push(finding),
            None => {
                index.insert(key, groups.len());
                groups.push(vec![finding]);
            }
        }
    }
    groups
}

/// Every string here may come from the repository (paths, commit authors, a configuration's own
/// rules and catalog entries), so each goes through [`escape_controls`]: a control character
/// cannot clear the screen or forge a line.
fn write_group(group: &[&Finding], options: ReportOptions, out: &mut dyn Write) -> io::Result<()> {
    let e = |text: &str| escape_controls(text);
    let first = group[0];
    let worst = group.iter().map(|f| f.severity).min().unwrap_or(first.severity);
    let place = format!("{}:{}:{}", escape_controls(&first.path), first.line, first.column);
    writeln!(
        out,
        "{}: {} ({}) {}",
        place.bold(),
        e(&first.rule_id).bold(),
        severity(worst),
        e(&first.description)
    )?;
    write_verdict(group, out)?;
    if let Some(commit) = &first.commit {
        writeln!(out, "  commit  {}", commit_text(commit, first))?;
    }
    // A configuration change has no secret: say what happened to the file instead.
    let label = if first.rule_id == crate::sources::config_changes::RULE_ID { "change" } else { "secret" };
    writeln!(out, "  {label}  {}", escape_controls(first.shown_secret(options.show_secrets)).yellow())?;
    if let Some(encodings) = &first.decoded {
        writeln!(out, "  decoded from {} (the location is the encoded text)", e(encodings))?;
    }
    for (n, f) in group.iter().enumerate().skip(1) {
        let label = if n == 1 { "  also at " } else { "          " };
        writeln!(out, "{label}{}{}", location(f).bold(), location_notes(f, group))?;
    }
    let mut cited: Vec<(&FaqRef, &[String])> = Vec::new();
    for f in group {
        if !cited.iter().any(|(faq, _)| faq.id == f.faq.id) {
            cited.push((&f.faq, &f.next_steps));
        }
    }
    for (faq, steps) in cited {
        writeln!(out, "  breaks  {}: {}", e(&faq.id).bold(), e(&faq.rule))?;
        writeln!(out, "          {}", e(&faq.url).underline())?;
        for (n, step) in steps.iter().enumerate() {
            let label = if n == 0 { "  next  " } else { "        " };
            writeln!(out, "{label}  {}. {}", n + 1, e(step))?;
        }
    }
    Ok(())
}

/// The sharing verdicts of the group on top: what happened (`shared`), then to whom (`with`).
fn write_verdict(group: &[&Finding], out: &mut dyn Write) -> io::Result<()> {
    let mut exposures: Vec<Exposure> = group.iter().flat_map(|f| f.exposure.iter().copied()).collect();
    exposures.sort();
    exposures.dedup();
    if exposures.is_empty() {
        return Ok(());
    }
    let verdicts: Vec<&str> = exposures.iter().map(|e| verdict(*e)).collect();
    writeln!(out, "  shared  {}", verdicts.join("; ").red().bold())?;
    let mut with: Vec<&str> = group.iter().flat_map(|f| f.shared_with.iter().map(String::as_str)).collect();
    with.sort();
    with.dedup();
    if !with.is_empty() {
        writeln!(out, "  with    {}", escape_controls(&with.join(", ")))?;
    }
    Ok(())
}

/// A sharing verdict in words.
fn verdict(exposure: Exposure) -> &'static str {
    match exposure {
        Exposure::ThirdPartyRemote => "pushed to a repository outside the organization",
        Exposure::ThirdPartyAuthor => "committed by someone outside the organization",
        Exposure::Browser => "shipped to every browser",
        Exposure::CrossTenant => "one client pair used for several tenants",
        Exposure::CredentialSet => "a complete credential set: anyone with it can act as the app",
    }
}

/// `path:line:column`, and the commit of a history finding.
fn location(f: &Finding) -> String {
    let place = format!("{}:{}:{}", escape_controls(&f.path), f.line, f.column);
    match &f.commit {
        Some(commit) => format!("{place} in commit {}", commit_text(commit, f)),
        None => place,
    }
}

/// A commit with its author and date.
fn commit_text(commit: &str, f: &Finding) -> String {
    let author = escape_controls(f.author.as_deref().unwrap_or("unknown author"));
    let date = escape_controls(f.date.as_deref().unwrap_or(""));
    format!("{} {author} {date}", escape_controls(commit)).trim_end().to_owned()
}

/// What sets one place apart from the others of its group: the encodings decoded to find it,
/// and its own sharing verdicts when the places differ.
fn location_notes(f: &Finding, group: &[&Finding]) -> String {
    let mut notes = Vec::new();
    if let Some(encodings) = &f.decoded {
        notes.push(format!("decoded from {}", escape_controls(encodings)));
    }
    if group.iter().any(|other| other.exposure != f.exposure) && !f.exposure.is_empty() {
        notes.extend(f.exposure.iter().map(|e| e.as_str().to_owned()));
    }
    if notes.is_empty() {
        String::new()
    } else {
        format!(" ({})", notes.join(", "))
    }
}

fn severity(severity: Severity) -> colored::ColoredString {
    let name = severity.as_str();
    match severity {
        Severity::Critical => name.red().bold(),
        Severity::High => name.red(),
        Severity::Medium => name.yellow(),
        Severity::Low => name.normal(),
    }
}
