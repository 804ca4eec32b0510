//! `keyfence scan`: source → scanner → sort → reporters → exit status.

use crate::cli::ScanArgs;
use crate::finding::Finding;
use crate::report;
use crate::rules::RuleSet;
use crate::scanner::Scanner;
use crate::settings::{ScanSettings, Target};
use crate::sources::{self, Diagnostics, Fragment};
use anyhow::{Context, Result};
use std::collections::BTreeSet;
use std::io::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Runs a scan and reports it. Returns 0 (clean), 1 (findings) or 2 (something could not be
/// scanned: fail closed, even when findings were printed).
pub fn run(args: ScanArgs) -> Result<ExitCode> {
    let settings = ScanSettings::resolve(args)?;
    let scanner = Scanner::new(RuleSet::builtin()?)?;
    let diagnostics = Diagnostics::default();
    let outcome = collect(&scanner, &settings, &diagnostics)?;

    let mut findings = outcome.findings;
    report::sort(&mut findings);
    write_reports(&settings, &findings)?;

    for warning in diagnostics.warnings() {
        eprintln!("keyfence: warning: {warning}");
    }
    let errors = diagnostics.errors();
    for error in &errors {
        eprintln!("keyfence: error: {error}");
    }
    print_summary(&settings, &findings, outcome.scanned, errors.len());
    Ok(ExitCode::from(if !errors.is_empty() {
        2
    } else if !findings.is_empty() {
        1
    } else {
        0
    }))
}

/// What the sources and the scanner produced.
struct Outcome {
    findings: Vec<Finding>,
    /// Fragments (files, blobs, stdin) scanned.
    scanned: usize,
}

/// Runs the target's source, scanning each fragment as it arrives (in parallel for directories).
fn collect(scanner: &Scanner, settings: &ScanSettings, diagnostics: &Diagnostics) -> Result<Outcome> {
    let findings = Mutex::new(Vec::new());
    let scanned = AtomicUsize::new(0);
    let visit = |fragment: Fragment<'_>| {
        scanned.fetch_add(1, Ordering::Relaxed);
        // A panic while scanning one fragment must not pass silently: record it, fail closed.
        match catch_unwind(AssertUnwindSafe(|| scanner.scan(&fragment))) {
            Ok(found) if found.is_empty() => {}
            Ok(found) => findings.lock().unwrap_or_else(|e| e.into_inner()).extend(found),
            Err(_) => {
                diagnostics.error(format!("internal error while scanning {}", fragment.provenance.path()))
            }
        }
    };
    match &settings.target {
        Target::Paths(paths) => sources::files::walk(paths, &settings.source, diagnostics, &visit)?,
        Target::Staged => sources::staged::read(&settings.source, diagnostics, &visit)?,
        Target::Stdin => sources::stdin::read(&visit)?,
    }
    Ok(Outcome {
        findings: findings.into_inner().unwrap_or_else(|e| e.into_inner()),
        scanned: scanned.into_inner(),
    })
}

/// Writes the report file (never colored), then standard output (colored if wanted). Nothing is
/// written to standard output in human format when there are no findings.
fn write_reports(settings: &ScanSettings, findings: &[Finding]) -> Result<()> {
    if let Some(path) = &settings.report_file {
        colored::control::set_override(false);
        let mut file = std::fs::File::create(path)
            .with_context(|| format!("cannot write the report {}", path.display()))?;
        report::write(settings.format, findings, settings.report, &mut file)
            .and_then(|()| file.flush())
            .with_context(|| format!("cannot write the report {}", path.display()))?;
    }
    if findings.is_empty() && settings.format == report::Format::Human {
        return Ok(());
    }
    colored::control::set_override(settings.color);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let written =
        report::write(settings.format, findings, settings.report, &mut out).and_then(|()| out.flush());
    match written {
        // A closed pipe (`| head`) is the reader's choice, not a failed scan.
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write to standard output"),
    }
}

/// One line on standard error saying what happened, and what to do about findings.
fn print_summary(settings: &ScanSettings, findings: &[Finding], scanned: usize, errors: usize) {
    let staged = settings.target == Target::Staged;
    let unit = if staged { "staged file" } else { "file" };
    if errors > 0 {
        eprintln!(
            "keyfence: the scan is incomplete ({errors} {} above){}: failing closed",
            plural(errors, "error", "errors"),
            if staged { ", so the commit is blocked" } else { "" }
        );
        return;
    }
    if findings.is_empty() {
        if !settings.quiet {
            eprintln!(
                "keyfence: no secrets found ({scanned} {} scanned)",
                plural(scanned, unit, &format!("{unit}s"))
            );
        }
        return;
    }
    let files = findings.iter().map(|f| f.path.as_str()).collect::<BTreeSet<_>>().len();
    let what = format!(
        "{} {} in {files} {}",
        findings.len(),
        plural(findings.len(), "secret", "secrets"),
        plural(files, unit, &format!("{unit}s"))
    );
    if staged {
        eprintln!("keyfence: {what}: commit blocked.");
        eprintln!("  Remove each secret from the file, `git add` it again, and rotate any secret that was ever pushed or shared.");
    } else {
        eprintln!("keyfence: {what}.");
    }
    eprintln!("  A false positive? Add `keyfence:allow` in a comment on its line.");
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}
