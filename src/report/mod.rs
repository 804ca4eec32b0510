//! Reporters: sorted findings in, one output format out.
//!
//! Every format redacts secrets unless `show_secrets` is set. A reporter writes only the
//! findings; the one-line summary and diagnostics go to standard error (see `commands::scan`),
//! so standard output stays machine-readable.

mod human;
mod json;
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
    }
}

/// Sorts findings the way every report lists them: path, line, column, rule.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (&a.path, a.line, a.column, &a.rule_id, &a.commit)
            .cmp(&(&b.path, b.line, b.column, &b.rule_id, &b.commit))
    });
}
