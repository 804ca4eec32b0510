//! Reporters: sorted findings in, one output format out.
//!
//! Every format redacts secrets unless `show_secrets` is set. A reporter writes only the
//! findings; the one-line summary and diagnostics go to standard error (see `commands::scan`),
//! so standard output stays machine-readable.

mod csv;
mod human;
mod json;
mod junit;
pub mod last;
mod sarif;

use crate::finding::Finding;
use crate::rules::RuleSet;
use crate::sources::head::{HeadPlace, VersionControl};
use clap::ValueEnum;
use std::io::{self, Write};

/// Output formats of `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Readable text, colored on a terminal, one block per credential.
    Human,
    /// One line per finding, `path:line:column: rule_id secret`, for editors and grep.
    Short,
    /// A JSON array of findings (fields listed in README.md).
    Json,
    /// SARIF 2.1.0 for code scanning (GitHub, GitLab).
    Sarif,
    /// CSV with a header row, one row per finding (columns listed in README.md).
    Csv,
    /// JUnit XML: one failing test case per finding, for CI test dashboards.
    Junit,
}

/// How reports render findings.
#[derive(Debug, Clone, Copy)]
pub struct ReportOptions {
    /// Print secrets in clear instead of redacted.
    pub show_secrets: bool,
}

/// What reports know of a scan besides its findings, gathered before reporting (reporters
/// never open the repository).
#[derive(Debug, Default)]
pub struct ScanContext<'a> {
    /// What could not be scanned; SARIF marks the run incomplete when there is any.
    pub errors: &'a [String],
    /// Where each history finding stands at HEAD, parallel to the findings (SARIF locations);
    /// empty when not computed.
    pub head_places: &'a [Option<HeadPlace>],
    /// The repository and revision scanned, when known (SARIF `versionControlProvenance`).
    pub version_control: Option<&'a VersionControl>,
}

/// Writes `findings` (already sorted) to `out` in `format`; SARIF also describes every rule of
/// `rules`, says whether the scan was complete and places history findings at HEAD (`context`).
pub fn write(
    format: Format,
    findings: &[Finding],
    rules: &RuleSet,
    options: ReportOptions,
    context: &ScanContext<'_>,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Human => human::write(findings, options, out),
        Format::Short => human::write_short(findings, options, out),
        Format::Json => json::write(findings, options, out),
        Format::Sarif => sarif::write(findings, rules, options, context, out),
        Format::Csv => csv::write(findings, options, out),
        Format::Junit => junit::write(findings, options, context, out),
    }
}

/// The `line_text` of each finding (see [`Finding::line_text`]), in order: the secrets of the
/// other findings on the same line (same path, line and commit) are redacted too, unless
/// `show_secrets`.
pub fn line_texts(findings: &[Finding], show_secrets: bool) -> Vec<Option<String>> {
    type Place<'a> = (&'a str, usize, Option<&'a str>);
    let mut on_line: std::collections::HashMap<Place<'_>, Vec<(&str, &str)>> = Default::default();
    for f in findings.iter().filter(|f| f.context.is_some()) {
        on_line.entry((&f.path, f.line, f.commit.as_deref())).or_default().push((&f.secret, &f.redacted));
    }
    findings
        .iter()
        .map(|f| {
            let others = on_line.get(&(f.path.as_str(), f.line, f.commit.as_deref()));
            f.line_text(show_secrets, others.map_or(&[][..], Vec::as_slice))
        })
        .collect()
}

/// Shannon entropy of a finding's secret in bits per byte, rounded to 3 decimals for reports.
pub fn rounded_entropy(finding: &Finding) -> f64 {
    (finding.entropy() * 1000.0).round() / 1000.0
}

/// Sorts findings the way every report lists them: path, line, column, rule.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (&a.path, a.line, a.column, &a.rule_id, &a.commit)
            .cmp(&(&b.path, b.line, b.column, &b.rule_id, &b.commit))
    });
}
