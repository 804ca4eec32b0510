//! JUnit XML, as CI dashboards (Jenkins, GitLab, Azure DevOps, test-report actions) ingest it: one
//! `<testsuite>` named keyfence with one failing `<testcase>` per finding, or a single passing
//! one when there is nothing to report and the scan read everything. A scan that could not read
//! everything (or stopped on an error) has a test case with an `<error>` and no passing one, so
//! the dashboard does not show an incomplete scan as green.

use super::{ReportOptions, ScanContext};
use crate::finding::{escape_controls, Finding};
use std::io::{self, Write};

/// Writes `findings` (and the scan's errors from `context`) as a JUnit XML document.
pub fn write(
    findings: &[Finding],
    options: ReportOptions,
    context: &ScanContext<'_>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let errors = usize::from(!context.errors.is_empty());
    // The passing case says "no secrets found", which only a complete scan can say.
    let passing = usize::from(findings.is_empty() && errors == 0);
    let tests = findings.len() + passing + errors;
    // `time` is optional in JUnit, but some readers (test-report actions) expect a number.
    let counts = format!(r#"tests="{tests}" failures="{}" errors="{errors}" time="0""#, findings.len());
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(out, r#"<testsuites name="keyfence" {counts}>"#)?;
    writeln!(out, r#"  <testsuite name="keyfence" {counts}>"#)?;
    if passing > 0 {
        writeln!(out, r#"    <testcase classname="keyfence" name="no secrets found" time="0"/>"#)?;
    }
    for f in findings {
        write_finding(f, options, out)?;
    }
    if errors > 0 {
        writeln!(out, r#"    <testcase classname="keyfence" name="the scan read everything" time="0">"#)?;
        let text = context.errors.join("\n");
        writeln!(
            out,
            r#"      <error message="the scan is incomplete" type="keyfence-error">{}</error>"#,
            xml(&text)
        )?;
        writeln!(out, "    </testcase>")?;
    }
    writeln!(out, "  </testsuite>")?;
    writeln!(out, "</testsuites>")
}

/// One failing test case: named after the rule and place, the failure's text says what it is
/// and what to do.
fn write_finding(f: &Finding, options: ReportOptions, out: &mut dyn Write) -> io::Result<()> {
    let commit =
        f.commit.as_deref().map(|c| format!(" in commit {}", &c[..c.len().min(12)])).unwrap_or_default();
    let name = format!("{} at {}:{}:{}{commit}", f.rule_id, f.path, f.line, f.column);
    let message = format!("{}: {}", f.description, f.shown_secret(options.show_secrets));
    let mut details = format!(
        "{message}\nFAQ rule {}: {} ({})\nfingerprint: {}",
        f.faq.id, f.faq.rule, f.faq.url, f.fingerprint
    );
    for step in &f.next_steps {
        details.push_str(&format!("\n- {step}"));
    }
    writeln!(out, r#"    <testcase classname="{}" name="{}" time="0">"#, xml(&f.path), xml(&name))?;
    writeln!(
        out,
        r#"      <failure message="{}" type="{}">{}</failure>"#,
        xml(&message),
        xml(&f.rule_id),
        xml(&details)
    )?;
    writeln!(out, "    </testcase>")
}

/// `text` safe inside an XML attribute or element: control characters (invalid in XML 1.0,
/// except the line break kept between lines) escaped as text, then the five markup characters
/// as entities.
fn xml(text: &str) -> String {
    let lines: Vec<String> = text.split('\n').map(escape_controls).collect();
    let mut out = String::with_capacity(text.len());
    for c in lines.join("\n").chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::xml;

    #[test]
    fn markup_and_control_characters_are_escaped() {
        assert_eq!(xml("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
        assert_eq!(xml("x\u{1b}[31my\nz"), "x\\u{1b}[31my&#10;z");
    }
}
