//! JSON: an array of findings with the fields of the user contract (README.md, "JSON report").

use super::ReportOptions;
use crate::finding::{Exposure, FaqRef, Finding};
use serde::Serialize;
use std::io::{self, Write};

/// One finding as JSON shows it.
#[derive(Serialize)]
struct JsonFinding<'a> {
    rule_id: &'a str,
    description: &'a str,
    severity: &'a str,
    path: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    secret: &'a str,
    fingerprint: &'a str,
    fingerprint_kind: &'a str,
    commit: Option<&'a str>,
    author: Option<&'a str>,
    author_name: Option<&'a str>,
    date: Option<&'a str>,
    commit_message: Option<&'a str>,
    line_text: Option<String>,
    entropy: f64,
    faq: &'a FaqRef,
    next_steps: &'a [String],
    reference: &'a str,
    decoded: Option<&'a str>,
    exposure: &'a [Exposure],
    shared_with: &'a [String],
    related: &'a [String],
}

/// Writes `findings` as a pretty-printed JSON array, then a newline.
pub fn write(findings: &[Finding], options: ReportOptions, out: &mut dyn Write) -> io::Result<()> {
    let line_texts = super::line_texts(findings, options.show_secrets);
    let rows: Vec<JsonFinding<'_>> = findings
        .iter()
        .zip(line_texts)
        .map(|(f, line_text)| JsonFinding {
            rule_id: &f.rule_id,
            description: &f.description,
            severity: f.severity.as_str(),
            path: &f.path,
            line: f.line,
            column: f.column,
            end_line: f.end_line,
            end_column: f.end_column,
            secret: f.shown_secret(options.show_secrets),
            fingerprint: &f.fingerprint,
            fingerprint_kind: f.fingerprint_kind,
            commit: f.commit.as_deref(),
            author: f.author.as_deref(),
            author_name: f.author_name.as_deref(),
            date: f.date.as_deref(),
            commit_message: f.commit_message.as_deref(),
            line_text,
            entropy: super::rounded_entropy(f),
            faq: &f.faq,
            next_steps: &f.next_steps,
            reference: &f.reference,
            decoded: f.decoded.as_deref(),
            exposure: &f.exposure,
            shared_with: &f.shared_with,
            related: &f.related,
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &rows)?;
    writeln!(out)
}
