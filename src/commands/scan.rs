//! `keyfence scan` and `keyfence baseline`: source → scanner → baseline → sort → reporters →
//! exit status.

use crate::baseline::Baseline;
use crate::cli::{BaselineArgs, ScanArgs};
use crate::config::{Config, Org};
use crate::error::Hinted;
use crate::finding::Finding;
use crate::report;
use crate::rules::RuleSet;
use crate::scanner::Scanner;
use crate::settings::{ScanSettings, Target};
use crate::sharing;
use crate::sources::history::{self, ProgressEvent, Selection};
use crate::sources::{self, Diagnostics, Fragment};
use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

/// Runs a scan and reports it. Returns 0 (clean), 1 (findings) or 2 (something could not be
/// scanned: fail closed, even when findings were printed).
pub fn run(args: ScanArgs) -> Result<ExitCode> {
    let config = load_config(&args)?;
    let mut settings = ScanSettings::resolve(args, &config)?;
    let baseline = settings.baseline.as_deref().map(Baseline::load).transpose()?;
    let org = config.org.clone();
    let scanner = scanner(config)?;
    settings.source.reuse = scanner.reuse();
    let diagnostics = Diagnostics::default();
    let mut outcome = collect(&scanner, &settings, &diagnostics)?;
    let context = sharing_context(&settings, org);
    sharing::apply(&mut outcome.findings, &context, &scanner.rules().faqs);

    let stale = baseline.map(|b| (b.filter(&mut outcome.findings), b.findings.len()));
    let findings = &mut outcome.findings;
    report::sort(findings);
    let errors = diagnostics.errors();
    write_reports(&settings, scanner.rules(), findings, &errors)?;
    report::last::save(findings);

    let errors = print_diagnostics(&diagnostics);
    print_summary(&settings, findings, outcome.scanned, errors);
    // Only a scan of everything can tell that an entry matches nothing any more: a staged
    // change or a commit range sees a slice of the repository.
    let whole = match &settings.target {
        Target::Paths(paths) => paths.len() == 1 && is_repository_root(&paths[0]),
        Target::History(Selection::All) => true,
        _ => false,
    };
    if let Some((stale, total)) = stale.filter(|&(stale, _)| stale > 0 && whole) {
        crate::say!(
            "keyfence: {stale} of {total} baseline entries match no finding any more; prune them by writing the baseline again"
        );
    }
    Ok(exit_status(errors, findings.len()))
}

/// `keyfence baseline FILE [scan args]`: writes today's findings as a baseline. Writes nothing
/// and exits 2 if the scan could not read everything.
pub fn write_baseline(args: BaselineArgs) -> Result<ExitCode> {
    let scan = &args.scan;
    if scan.report.is_some() || scan.baseline.is_some() || scan.format != report::Format::Human {
        return Err(Hinted::new(
            "`keyfence baseline` writes only the baseline file: --report, --format and --baseline do not apply",
            "run `keyfence scan` with those options for a report",
        )
        .into());
    }
    let config = load_config(&args.scan)?;
    let mut settings = ScanSettings::resolve(args.scan, &config)?;
    let scanner = scanner(config)?;
    settings.source.reuse = scanner.reuse();
    let diagnostics = Diagnostics::default();
    let outcome = collect(&scanner, &settings, &diagnostics)?;
    let errors = print_diagnostics(&diagnostics);
    if errors > 0 {
        crate::say!("keyfence: the scan is incomplete, so no baseline was written");
        return Ok(ExitCode::from(2));
    }
    let baseline = Baseline::from_findings(&outcome.findings);
    let entries = format!(
        "{} baseline {}",
        baseline.findings.len(),
        plural(baseline.findings.len(), "entry", "entries")
    );
    if args.file.as_os_str() == "-" {
        baseline
            .write(&mut std::io::stdout().lock())
            .context("cannot write the baseline to standard output")?;
        crate::say!("keyfence: wrote {entries} to standard output");
    } else {
        baseline.save(&args.file)?;
        crate::say!("keyfence: wrote {entries} to {}", args.file.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// The configuration for `args` (see [`Config::discover`]): the one of the repository of the
/// first path scanned, or of the current one; its warnings printed.
fn load_config(args: &ScanArgs) -> Result<Config> {
    let git_target = args.staged || args.commits.is_some() || args.all_history || args.pre_push.is_some();
    let near = args.paths.first().filter(|p| !git_target && p.as_os_str() != "-");
    let config = Config::discover(args.config.as_deref(), near.map(PathBuf::as_path))?;
    config.print_warnings();
    Ok(config)
}

/// The scanner for a configuration: its rules and allowlists.
fn scanner(config: Config) -> Result<Scanner> {
    Ok(Scanner::new(config.rules)?.with_allowlists(config.allowlists))
}

fn exit_status(errors: usize, findings: usize) -> ExitCode {
    ExitCode::from(match (errors, findings) {
        (0, 0) => 0,
        (0, _) => 1,
        _ => 2,
    })
}

/// What the key-sharing analyses need to know besides the findings: `[org]`, where a push goes,
/// who a staged commit will be recorded as. Read from the repository's git configuration; a
/// configuration that cannot be read leaves the verdicts out (the scan itself already failed
/// closed if the repository cannot be read).
fn sharing_context(settings: &ScanSettings, org: Option<Org>) -> sharing::Context {
    let mut context = sharing::Context { org, ..Default::default() };
    let needs_git_config = matches!(settings.target, Target::Push { .. } | Target::Staged);
    if context.org.is_none() || !needs_git_config {
        return context;
    }
    let config = sources::repo::open("").ok().and_then(|repo| repo.config().ok());
    match &settings.target {
        Target::Push { remote, url } => {
            context.push_outside =
                sharing::remote::outside_owners(context.org.as_ref(), config.as_ref(), remote, url);
        }
        Target::Staged => {
            context.staged_emails = config.as_ref().map(sharing::author::staged_emails).unwrap_or_default();
        }
        _ => {}
    }
    context
}

/// What the sources and the scanner produced.
struct Outcome {
    findings: Vec<Finding>,
    /// Fragments (files, blobs, stdin) or commits scanned.
    scanned: usize,
}

/// Runs the target's source, scanning each fragment as it arrives (in parallel for directories
/// and history).
fn collect(scanner: &Scanner, settings: &ScanSettings, diagnostics: &Diagnostics) -> Result<Outcome> {
    let scanned = AtomicUsize::new(0);
    // A panic while scanning one fragment must not pass silently: record it, fail closed.
    let scan_one = |fragment: &Fragment<'_>| -> Vec<Finding> {
        catch_unwind(AssertUnwindSafe(|| scanner.scan(fragment))).unwrap_or_else(|_| {
            diagnostics.error(format!("internal error while scanning {}", fragment.provenance.path()));
            Vec::new()
        })
    };
    let selection = match &settings.target {
        Target::History(selection) => Some(selection.clone()),
        Target::Push { remote, .. } => Some(Selection::Pushed(sources::push::read_stdin(remote)?)),
        _ => None,
    };
    if let Some(selection) = &selection {
        let bar = HistoryProgress::new(settings.quiet);
        let progress = |event: ProgressEvent| bar.on(event);
        let findings = history::scan(selection, &settings.source, diagnostics, &scan_one, &progress)?;
        bar.finish();
        return Ok(Outcome { findings, scanned: bar.total() });
    }

    let findings = Mutex::new(Vec::new());
    let visit = |fragment: Fragment<'_>| {
        scanned.fetch_add(1, Ordering::Relaxed);
        let found = scan_one(&fragment);
        if !found.is_empty() {
            findings.lock().unwrap_or_else(|e| e.into_inner()).extend(found);
        }
    };
    match &settings.target {
        Target::Paths(paths) => sources::files::walk(paths, &settings.source, diagnostics, &visit)?,
        Target::Staged => sources::staged::read(&settings.source, diagnostics, &visit)?,
        Target::Stdin => sources::stdin::read(&visit)?,
        Target::History(_) | Target::Push { .. } => unreachable!("handled above"),
    }
    Ok(Outcome {
        findings: findings.into_inner().unwrap_or_else(|e| e.into_inner()),
        scanned: scanned.into_inner(),
    })
}

/// A progress bar of commits done, drawn on standard error only when it is a terminal.
struct HistoryProgress {
    bar: OnceLock<ProgressBar>,
    visible: bool,
}

impl HistoryProgress {
    fn new(quiet: bool) -> HistoryProgress {
        HistoryProgress { bar: OnceLock::new(), visible: !quiet && std::io::stderr().is_terminal() }
    }

    fn on(&self, event: ProgressEvent) {
        match event {
            ProgressEvent::Start(total) => {
                let bar = ProgressBar::with_draw_target(Some(total as u64), self.target());
                if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} commits {elapsed}") {
                    bar.set_style(style);
                }
                let _ = self.bar.set(bar);
            }
            ProgressEvent::CommitDone => {
                if let Some(bar) = self.bar.get() {
                    bar.inc(1);
                }
            }
        }
    }

    fn target(&self) -> ProgressDrawTarget {
        if self.visible {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        }
    }

    fn total(&self) -> usize {
        self.bar.get().and_then(|b| b.length()).unwrap_or(0) as usize
    }

    fn finish(&self) {
        if let Some(bar) = self.bar.get() {
            bar.finish_and_clear();
        }
    }
}

/// Writes standard output (colored if wanted), then the report file (never colored), so an
/// unwritable report file still leaves the findings on screen. Nothing is written to standard
/// output in human format when there are no findings.
fn write_reports(
    settings: &ScanSettings,
    rules: &RuleSet,
    findings: &[Finding],
    errors: &[String],
) -> Result<()> {
    if !(findings.is_empty() && settings.format == report::Format::Human) {
        colored::control::set_override(settings.color);
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::new(stdout.lock());
        let written = report::write(settings.format, findings, rules, settings.report, errors, &mut out)
            .and_then(|()| out.flush());
        match written {
            // A closed pipe (`| head`) is the reader's choice, not a failed scan.
            Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => {}
            other => other.context("cannot write to standard output")?,
        }
    }
    if let Some(path) = &settings.report_file {
        colored::control::set_override(false);
        let mut file = std::fs::File::create(path)
            .with_context(|| format!("cannot write the report {}", path.display()))?;
        report::write(settings.format, findings, rules, settings.report, errors, &mut file)
            .and_then(|()| file.flush())
            .with_context(|| format!("cannot write the report {}", path.display()))?;
    }
    Ok(())
}

/// Prints warnings and errors on standard error; returns the number of errors.
fn print_diagnostics(diagnostics: &Diagnostics) -> usize {
    for warning in diagnostics.warnings() {
        crate::say!("keyfence: warning: {warning}");
    }
    let errors = diagnostics.errors();
    for error in &errors {
        crate::say!("keyfence: error: {error}");
    }
    errors.len()
}

/// One line on standard error saying what happened, and what to do about findings.
fn print_summary(settings: &ScanSettings, findings: &[Finding], scanned: usize, errors: usize) {
    let staged = settings.target == Target::Staged;
    let push = matches!(settings.target, Target::Push { .. });
    let unit = match settings.target {
        Target::Staged => "staged file",
        Target::History(_) | Target::Push { .. } => "commit",
        _ => "file",
    };
    if errors > 0 {
        crate::say!(
            "keyfence: the scan is incomplete ({errors} {} above){}: failing closed",
            plural(errors, "error", "errors"),
            if staged {
                ", so the commit is blocked"
            } else if push {
                ", so the push is blocked"
            } else {
                ""
            }
        );
        return;
    }
    let config =
        settings.config_file.as_ref().map(|c| format!("; configuration {}", c.display())).unwrap_or_default();
    if findings.is_empty() {
        if !settings.quiet {
            crate::say!(
                "keyfence: no secrets found ({scanned} {} scanned{config})",
                plural(scanned, unit, &format!("{unit}s"))
            );
        }
        return;
    }
    let files = findings.iter().map(|f| f.path.as_str()).collect::<BTreeSet<_>>().len();
    let what = format!(
        "{} {} in {files} {}{config}",
        findings.len(),
        plural(findings.len(), "secret", "secrets"),
        plural(
            files,
            if staged { "staged file" } else { "file" },
            if staged { "staged files" } else { "files" }
        )
    );
    if staged {
        crate::say!("keyfence: {what}: commit blocked.");
        crate::say!(
            "  Remove each secret from the file, `git add` it again, and rotate any secret that was ever pushed or shared."
        );
    } else if push {
        crate::say!("keyfence: {what}, in commits this push publishes: push blocked.");
        crate::say!(
            "  Remove each secret from those commits (amend, or rebase and edit), push again, and rotate any secret that was ever pushed or shared."
        );
    } else {
        crate::say!("keyfence: {what}.");
    }
    print_sharing(findings);
    if let Some(contact) = &settings.security_contact {
        crate::say!("  If a secret was ever pushed or shared, tell {contact}.");
    }
    crate::say!(
        "  A false positive? Add `keyfence:allow` in a comment on its line, or accept it in a baseline."
    );
}

/// One line per party that receives the findings' credentials (`shared_with`), if any.
fn print_sharing(findings: &[Finding]) {
    use crate::finding::Exposure;
    let third_party = |f: &&Finding| {
        f.exposure.iter().any(|e| matches!(e, Exposure::ThirdPartyRemote | Exposure::ThirdPartyAuthor))
    };
    let parties: BTreeSet<&str> =
        findings.iter().filter(third_party).flat_map(|f| f.shared_with.iter().map(String::as_str)).collect();
    if parties.is_empty() {
        return;
    }
    let list = parties.into_iter().collect::<Vec<_>>().join(", ");
    crate::say!(
        "  Shared with {list}, outside the organization ([org]): see `keyfence explain {}` and `keyfence explain {}`.",
        sharing::third_party::PRIMARY_FAQ,
        sharing::third_party::CONTACT_FAQ
    );
}

/// True if `path` is the top of a work tree (holds `.git`), so a scan of it sees every file a
/// baseline can name.
fn is_repository_root(path: &std::path::Path) -> bool {
    path.join(".git").exists()
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}
