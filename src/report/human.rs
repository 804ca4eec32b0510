//! Human-readable text. Color (via `colored`) only highlights; the text reads the same without it.

use super::ReportOptions;
use crate::finding::{escape_controls, Finding};
use crate::rules::Severity;
use colored::Colorize;
use std::io::{self, Write};

/// Writes each finding as a block:
///
/// ```text
/// .env:3:12: servicetitan-app-key (critical) ServiceTitan App Key
///   secret  ak1.x7…
///   breaks  ST-FAQ-NO-SHARED-APP-KEY: <paraphrase>
///           <FAQ page URL>
///   next    1. <step>
///           2. <step>
/// ```
pub fn write(findings: &[Finding], options: ReportOptions, out: &mut dyn Write) -> io::Result<()> {
    for (i, finding) in findings.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        write_one(finding, options, out)?;
    }
    Ok(())
}

/// Every string here may come from the repository (paths, commit authors, a configuration's own
/// rules and catalog entries), so each goes through [`escape_controls`]: a control character
/// cannot clear the screen or forge a line.
fn write_one(f: &Finding, options: ReportOptions, out: &mut dyn Write) -> io::Result<()> {
    let e = |text: &str| escape_controls(text);
    let location = format!("{}:{}:{}", e(&f.path), f.line, f.column);
    writeln!(
        out,
        "{}: {} ({}) {}",
        location.bold(),
        e(&f.rule_id).bold(),
        severity(f.severity),
        e(&f.description)
    )?;
    if let Some(commit) = &f.commit {
        let author = f.author.as_deref().unwrap_or("unknown author");
        let date = f.date.as_deref().unwrap_or("");
        writeln!(out, "  commit  {} {} {}", e(commit), e(author), e(date))?;
    }
    // A configuration change has no secret: say what happened to the file instead.
    let label = if f.rule_id == crate::sources::config_changes::RULE_ID { "change" } else { "secret" };
    writeln!(out, "  {label}  {}", e(f.shown_secret(options.show_secrets)).yellow())?;
    if let Some(encodings) = &f.decoded {
        writeln!(out, "  decoded from {} (the location is the encoded text)", e(encodings))?;
    }
    writeln!(out, "  breaks  {}: {}", e(&f.faq.id).bold(), e(&f.faq.rule))?;
    writeln!(out, "          {}", e(&f.faq.url).underline())?;
    for (n, step) in f.next_steps.iter().enumerate() {
        let label = if n == 0 { "  next  " } else { "        " };
        writeln!(out, "{label}  {}. {}", n + 1, e(step))?;
    }
    Ok(())
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
