//! `keyfence scan` and `keyfence baseline`: source → scanner → baseline → sort → reporters →
//! exit status.

use crate::baseline::Baseline;
use crate::cli::{BaselineArgs, ScanArgs};
use crate::config::files::ConfigFiles;
use crate::config::{self, Config, Org};
use crate::error::Hinted;
use crate::finding::Finding;
use crate::fingerprint::{FingerprintKey, KeySource};
use crate::report;
use crate::report::ScanContext;
use crate::rules::RuleSet;
use crate::scanner::Scanner;
use crate::settings::{ScanSettings, Target};
use crate::sharing;
use crate::sources::config_changes::{self, Watched};
use crate::sources::head::{self, HeadPlace, VersionControl};
use crate::sources::history::{self, ProgressEvent, Selection};
use crate::sources::{self, Diagnostics, Fragment, SkipCounts};
use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

/// Runs a scan and reports it. Returns 0 (clean), 1 (findings) or 2 (something could not be
/// scanned: fail closed, even when findings were printed).
///
/// A scan that fails before its report is written (a missing path, a bad configuration, an
/// unknown range) still writes a JUnit or SARIF report that says so (see [`FailedScanReport`]),
/// so a CI step reading the report finds the error instead of no file.
pub fn run(args: ScanArgs) -> Result<ExitCode> {
    let failed = FailedScanReport { format: args.format, file: args.report.clone() };
    let mut reporting = false;
    let result = scan_and_report(args, &mut reporting);
    if let (Err(err), false) = (&result, reporting) {
        failed.write(err);
    }
    result
}

/// The report of a scan that stopped on an error before reporting: formats that can say "the
/// scan failed" (JUnit: a test case with an `<error>`; SARIF: a run whose invocation was not
/// successful) write that to standard output and to `--report FILE`; JSON, CSV and the text
/// formats write nothing, since an empty list of findings would read as a clean scan.
struct FailedScanReport {
    format: report::Format,
    file: Option<PathBuf>,
}

impl FailedScanReport {
    /// Best effort: the error itself is what the user sees and the exit status (2) what CI acts
    /// on, so a report that cannot be written is left unwritten.
    fn write(&self, err: &anyhow::Error) {
        if !matches!(self.format, report::Format::Junit | report::Format::Sarif) {
            return;
        }
        let Ok(rules) = RuleSet::builtin_faqs() else { return };
        let errors = [format!("{err:#}")];
        let context = ScanContext { errors: &errors, head_places: &[], version_control: None };
        let options = report::ReportOptions { show_secrets: false };
        let mut out = std::io::stdout().lock();
        let _ =
            report::write(self.format, &[], &rules, options, &context, &mut out).and_then(|()| out.flush());
        if let Some(path) = &self.file {
            if let Ok(mut file) = std::fs::File::create(path) {
                let _ = report::write(self.format, &[], &rules, options, &context, &mut file);
            }
        }
    }
}

/// [`run`]'s scan; sets `reporting` once the reports start being written (a later error must not
/// add a second document).
fn scan_and_report(args: ScanArgs, reporting: &mut bool) -> Result<ExitCode> {
    let (config, files) = load_config(&args)?;
    let mut settings = ScanSettings::resolve(args, &config)?;
    settings.source.ignore_files_at = files.base().map(|b| b.commit);
    let baseline = load_baseline(&settings, &config, &files)?;
    let key = Baseline::scan_key(
        baseline.as_ref(),
        config.fingerprint_key.as_deref(),
        settings.baseline.as_deref().unwrap_or(Path::new("")),
    )?;
    if let (Some(path), Some(true)) = (&settings.baseline, baseline.as_ref().map(Baseline::is_unkeyed)) {
        crate::say!(
            "keyfence: note: the baseline {} has unkeyed fingerprints (an older keyfence wrote it); write it again with `keyfence baseline` to key them",
            path.display()
        );
    }
    let protected = protected_files(&settings, &config, &files);
    if let Some(report) = &settings.report_file {
        check_writable(report, "report")?;
    }
    let org = config.org.clone();
    let scanner = scanner(config)?;
    settings.source.reuse = scanner.reuse();
    let diagnostics = Diagnostics::default();
    let mut outcome = collect(&scanner, &settings, &diagnostics)?;
    outcome.findings.iter_mut().for_each(|f| f.rekey(&key));
    judge_sharing(&mut outcome.findings, &scanner, &settings, org.as_ref());

    let places = crate::advice::Places::of(&settings.target);
    crate::advice::fit_next_steps(&mut outcome.findings, |path| places.place(path));
    // The last report is written to disk: it keeps the default redaction whatever `--redact`
    // asks for the outputs.
    let default_redactions: std::collections::HashMap<String, String> =
        outcome.findings.iter().map(|f| (f.fingerprint.clone(), f.redacted.clone())).collect();
    if let Some(percent) = settings.redact_percent {
        for finding in &mut outcome.findings {
            finding.redacted = finding.redacted_by_percent(percent);
        }
        crate::sharing::set::redact_by_percent(&mut outcome.findings, percent);
    }
    let before = outcome.findings.len();
    let stale = baseline.as_ref().map(|b| (b.filter(&mut outcome.findings), b.findings.len()));
    let accepted = baseline.as_ref().map(|_| before - outcome.findings.len());
    // After the baseline: a change to the baseline must not be able to hide itself.
    let mut rules = std::borrow::Cow::Borrowed(scanner.rules());
    if let Some(watched) = &protected {
        outcome.findings.extend(config_changes(&settings, watched, &files, &rules)?);
        rules.to_mut().rules.push(config_changes::rule());
    }
    let findings = &mut outcome.findings;
    report::sort(findings);
    let mut errors = diagnostics.errors();
    // A partial scan is not a successful one for SARIF consumers, even with findings.
    errors.extend(diagnostics.partials());
    let facts = GitFacts::gather(&settings, findings);
    let context = ScanContext {
        errors: &errors,
        head_places: &facts.head_places,
        version_control: facts.version_control.as_ref(),
    };
    *reporting = true;
    write_reports(&settings, &rules, findings, &context)?;
    report::last::save(findings, &default_redactions);

    let errors = print_diagnostics(&diagnostics);
    let partial = diagnostics.partials().len();
    let tally =
        Tally { scanned: outcome.scanned, skipped: diagnostics.skip_counts(), accepted, errors, partial };
    print_summary(&settings, findings, &tally);
    // Only a scan of everything can tell that an entry matches nothing any more: a staged
    // change, a commit range or a shallow clone's history sees a slice of the repository.
    let whole = match &settings.target {
        Target::Paths(paths) => paths.len() == 1 && is_repository_root(&paths[0]),
        // History filters (--since, --branch, pathspecs) see a slice too.
        Target::History(Selection::All) => partial == 0 && settings.source.history.is_empty(),
        _ => false,
    };
    if let Some((stale, total)) = stale.filter(|&(stale, _)| stale > 0 && whole) {
        crate::say!(
            "keyfence: {stale} of {total} baseline entries match no finding any more; prune them by writing the baseline again"
        );
    }
    Ok(exit_status(errors, findings.len(), partial, settings.findings_status))
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
    let (config, files) = load_config(&args.scan)?;
    let (key, own_key) = baseline_key(&args.file, config.fingerprint_key.as_deref())?;
    let mut settings = ScanSettings::resolve(args.scan, &config)?;
    settings.source.ignore_files_at = files.base().map(|b| b.commit);
    if args.file.as_os_str() != "-" {
        // A missing folder is not created: it is more likely a typo than a wish (as `--report`).
        check_writable(&args.file, "baseline")?;
    }
    let org = config.org.clone();
    let scanner = scanner(config)?;
    settings.source.reuse = scanner.reuse();
    let diagnostics = Diagnostics::default();
    let mut outcome = collect(&scanner, &settings, &diagnostics)?;
    outcome.findings.iter_mut().for_each(|f| f.rekey(&key));
    judge_sharing(&mut outcome.findings, &scanner, &settings, org.as_ref());
    let errors = print_diagnostics(&diagnostics) + diagnostics.partials().len();
    if errors > 0 {
        crate::say!("keyfence: the scan is incomplete, so no baseline was written");
        return Ok(ExitCode::from(2));
    }
    let baseline = Baseline::from_findings(&outcome.findings, &key, own_key);
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

/// Fails before any scanning if the output file `path` cannot be written (a missing folder, a
/// folder in its place, no permission), so a long scan does not end in that error. A file that
/// did not exist is created and removed again: nothing is left behind if the scan fails.
fn check_writable(path: &Path, what: &str) -> Result<()> {
    let existed = path.symlink_metadata().is_ok();
    std::fs::OpenOptions::new().append(true).create(true).open(path).map_err(|err| {
        Hinted::new(
            format!("cannot write the {what} {}: {err}", path.display()),
            "check the path: its folder must exist and be writable (nothing was scanned)",
        )
    })?;
    if !existed {
        let _ = std::fs::remove_file(path);
    }
    Ok(())
}

/// The key of a baseline about to be written to `file`, and its text when the file carries it:
/// `[scan] fingerprint_key` (not written into the file); else the key of the baseline already at
/// `file`, so a rewrite keeps fingerprints stable; else a new random key.
fn baseline_key(file: &Path, configured: Option<&str>) -> Result<(FingerprintKey, Option<String>)> {
    if let Some(text) = configured {
        return Ok((FingerprintKey::from_text(text, KeySource::Config)?, None));
    }
    let existing = (file.as_os_str() != "-" && file.exists())
        .then(|| Baseline::load(file).ok())
        .flatten()
        .and_then(|b| b.fingerprint_key);
    let text = match existing {
        Some(text) => text,
        None => FingerprintKey::generate()?,
    };
    Ok((FingerprintKey::from_text(&text, KeySource::Baseline)?, Some(text)))
}

/// The configuration for `args` (see [`Config::discover`]): the one of the repository of the
/// first path scanned, or of the current one; for a commit range, the one of the range's base
/// commit (see [`config::files`]); its warnings printed. Also returns where its files were read.
/// A pre-push scan runs on the pusher's machine, whose work tree is trusted: its configuration
/// is the work tree's.
fn load_config(args: &ScanArgs) -> Result<(Config, ConfigFiles)> {
    let git_target = args.staged || args.commits.is_some() || args.all_history || args.pre_push.is_some();
    let near = args.paths.first().filter(|p| !git_target && p.as_os_str() != "-");
    if let Some(range) = &args.commits {
        sources::range_forms::check(range)?;
    }
    let files = match &args.commits {
        Some(range) => range_files(range),
        None => ConfigFiles::work_tree(),
    };
    let config = Config::discover_in(&files, args.config.as_deref(), near.map(PathBuf::as_path))?;
    config.print_warnings();
    Ok((config, files))
}

/// The files of `range`'s base commit, when it has one; else the disk (a range that does not
/// resolve fails in the history scan, with its own message).
fn range_files(range: &str) -> ConfigFiles {
    let Ok(repo) = sources::repo::open("") else {
        return ConfigFiles::work_tree();
    };
    match config::files::range_base(&repo, range) {
        Some(base) => ConfigFiles::at_commit(repo, base),
        None => ConfigFiles::work_tree(),
    }
}

/// The baseline in force: `[scan] baseline` is read where its configuration was (a range's base
/// commit); `--baseline` and `KEYFENCE_BASELINE` name files on disk.
fn load_baseline(settings: &ScanSettings, config: &Config, files: &ConfigFiles) -> Result<Option<Baseline>> {
    let Some(path) = &settings.baseline else {
        return Ok(None);
    };
    if settings.baseline_from_config && config.base.is_some() {
        return Baseline::load_from(files, path).map(Some);
    }
    Baseline::load(path).map(Some)
}

/// The files whose changes are reported as `keyfence-config-changed`, if that check is on: by
/// default for a range read with its base's configuration, for `--staged` only with `[scan]
/// protect_config = true`; `protect_config = false` in the trusted configuration turns it off.
fn protected_files(settings: &ScanSettings, config: &Config, files: &ConfigFiles) -> Option<Watched> {
    let default = match &settings.target {
        Target::History(Selection::Range(_)) if files.base().is_some() => true,
        Target::Staged => false,
        _ => return None,
    };
    if !config.protect_config.unwrap_or(default) {
        return None;
    }
    let workdir = sources::repo::open("")
        .ok()
        .and_then(|repo| repo.workdir().and_then(|w| std::fs::canonicalize(w).ok()));
    let on_disk = |path: &Path| workdir.as_deref().and_then(|w| repo_relative(w, path));
    let in_base = |path: &Path| config::files::normalize(path).ok().map(|p| slashed(&p));
    let mut paths: Vec<String> = files
        .read_paths()
        .iter()
        .filter_map(|p| if files.base().is_some() { in_base(p) } else { on_disk(p) })
        .collect();
    paths.extend(config.source.as_deref().filter(|_| config.base.is_none()).and_then(on_disk));
    if let Some(baseline) = &settings.baseline {
        let from_base = settings.baseline_from_config && config.base.is_some();
        paths.extend(if from_base { in_base(baseline) } else { on_disk(baseline) });
    }
    Some(Watched::new(paths))
}

/// `path` (on disk) relative to the work tree `workdir` (canonical), `/`-separated; `None` if it
/// is outside.
fn repo_relative(workdir: &Path, path: &Path) -> Option<String> {
    let path = std::fs::canonicalize(path).or_else(|_| std::path::absolute(path)).ok()?;
    path.strip_prefix(workdir).ok().map(slashed)
}

fn slashed(path: &Path) -> String {
    path.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

/// The `keyfence-config-changed` findings of the scan's target.
fn config_changes(
    settings: &ScanSettings,
    watched: &Watched,
    files: &ConfigFiles,
    rules: &RuleSet,
) -> Result<Vec<Finding>> {
    let faq = rules.faq(config_changes::FAQ_ID).context("the FAQ catalog lacks KF-CONFIG-CHANGED")?;
    match (&settings.target, files.repository()) {
        (Target::Staged, _) => config_changes::staged(watched, faq),
        (Target::History(selection), Some(repo)) => {
            let commits = history::list_commits(repo, selection, &settings.source.history)?;
            config_changes::in_commits(repo, &commits, watched, faq)
        }
        _ => Ok(Vec::new()),
    }
}

/// The scanner for a configuration: its rules and allowlists.
fn scanner(config: Config) -> Result<Scanner> {
    Ok(Scanner::new(config.rules)?.with_allowlists(config.allowlists))
}

/// 2 on errors; 1 on findings; 2 for a partial scan that found nothing (its "clean" would cover
/// what it never read); else 0.
/// 0 clean, `findings_status` (1 unless `--exit-code`) for findings, 2 for an incomplete scan
/// that found nothing or for errors.
fn exit_status(errors: usize, findings: usize, partial: usize, findings_status: u8) -> ExitCode {
    ExitCode::from(match (errors, findings, partial) {
        (0, 0, 0) => 0,
        (0, 0, _) => 2,
        (0, _, _) => findings_status,
        _ => 2,
    })
}

/// The key-sharing verdicts across all findings (the per-fragment ones were taken while
/// scanning, see [`collect`]), with what they need to know from the repository's git
/// configuration: where a push goes, who a staged commit will be recorded as. A configuration
/// that cannot be read leaves those verdicts out (the scan itself already failed closed if the
/// repository cannot be read).
fn judge_sharing(findings: &mut Vec<Finding>, scanner: &Scanner, settings: &ScanSettings, org: Option<&Org>) {
    let mut context = sharing::Context {
        rules: scanner.rules(),
        org,
        one_commit: settings.target == Target::Staged,
        push_outside: Vec::new(),
        staged_emails: Vec::new(),
    };
    let needs_git_config = matches!(settings.target, Target::Push { .. } | Target::Staged);
    if org.is_some() && needs_git_config {
        let config = sources::repo::open("").ok().and_then(|repo| repo.config().ok());
        match &settings.target {
            Target::Push { remote, url } => {
                context.push_outside = sharing::remote::outside_owners(org, config.as_ref(), remote, url);
            }
            Target::Staged => {
                context.staged_emails =
                    config.as_ref().map(sharing::author::staged_emails).unwrap_or_default();
            }
            _ => {}
        }
    }
    sharing::apply(findings, &context);
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
        catch_unwind(AssertUnwindSafe(|| {
            let mut found = scanner.scan(fragment);
            sharing::observe(fragment, &mut found, scanner.rules());
            found
        }))
        .unwrap_or_else(|_| {
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
        if let (Selection::Range(range), 0) = (selection, bar.total()) {
            // Exit 0 still: a CI run on a push that adds no commit is legitimate.
            crate::say!(
                "keyfence: warning: --commits {range}: the range selects no commit, so nothing was scanned"
            );
        }
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

/// What SARIF says about the repository: where history findings stand at HEAD and which
/// revision was scanned. Gathered only for SARIF, after the scan and before reporting.
#[derive(Default)]
struct GitFacts {
    head_places: Vec<Option<HeadPlace>>,
    version_control: Option<VersionControl>,
}

impl GitFacts {
    fn gather(settings: &ScanSettings, findings: &[Finding]) -> GitFacts {
        if settings.format != report::Format::Sarif {
            return GitFacts::default();
        }
        let repo = match &settings.target {
            Target::Staged | Target::History(_) | Target::Push { .. } => sources::repo::open("").ok(),
            Target::Paths(paths) => git2::Repository::discover(&paths[0]).ok(),
            Target::Stdin => None,
        };
        let Some(repo) = repo else { return GitFacts::default() };
        let head_places = match settings.target {
            Target::History(_) | Target::Push { .. } => head::places(&repo, findings),
            _ => Vec::new(),
        };
        GitFacts { head_places, version_control: head::version_control(&repo) }
    }
}

/// How often the history progress bar is redrawn when no commit finishes.
const PROGRESS_TICK: std::time::Duration = std::time::Duration::from_millis(200);

/// A progress bar of commits done (with commits per second and an estimate of the time left),
/// drawn on standard error only when it is a terminal.
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
                // Rate and estimate tell slow from stuck; the steady tick redraws them (and the
                // elapsed time) while a large commit holds every worker.
                let template = "{bar:40} {pos}/{len} commits, {per_sec}, {elapsed} (about {eta} left)";
                if let Ok(style) = ProgressStyle::with_template(template) {
                    bar.set_style(style);
                }
                if self.visible {
                    bar.enable_steady_tick(PROGRESS_TICK);
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
/// output in human or short format when there are no findings.
fn write_reports(
    settings: &ScanSettings,
    rules: &RuleSet,
    findings: &[Finding],
    context: &ScanContext<'_>,
) -> Result<()> {
    let text = matches!(settings.format, report::Format::Human | report::Format::Short);
    if !(findings.is_empty() && text) {
        colored::control::set_override(settings.color);
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::new(stdout.lock());
        let written = report::write(settings.format, findings, rules, settings.report, context, &mut out)
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
        report::write(settings.format, findings, rules, settings.report, context, &mut file)
            .and_then(|()| file.flush())
            .with_context(|| format!("cannot write the report {}", path.display()))?;
    }
    Ok(())
}

/// Prints warnings and errors on standard error; returns the number of errors.
fn print_diagnostics(diagnostics: &Diagnostics) -> usize {
    for warning in diagnostics.warnings().iter().chain(&diagnostics.partials()) {
        crate::say!("keyfence: warning: {warning}");
    }
    let errors = diagnostics.errors();
    for error in &errors {
        crate::say!("keyfence: error: {error}");
    }
    errors.len()
}

/// The numbers a summary tells besides the findings.
struct Tally {
    /// Fragments (files, blobs, stdin) or commits scanned.
    scanned: usize,
    /// Files left out, by reason.
    skipped: SkipCounts,
    /// Findings the baseline hid, when one was in force.
    accepted: Option<usize>,
    /// Errors printed: the scan is incomplete.
    errors: usize,
    /// Parts that could not be read without an error (a shallow clone's boundary).
    partial: usize,
}

/// One line on standard error saying what happened, and what to do about findings.
fn print_summary(settings: &ScanSettings, findings: &[Finding], tally: &Tally) {
    let Tally { scanned, skipped, accepted, errors, partial } = *tally;
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
    let config = format!("{}{}", skipped_clause(skipped), configuration_note(settings));
    if findings.is_empty() && partial > 0 {
        crate::say!(
            "keyfence: no secrets found in the {scanned} {} read, but the scan is incomplete (see the warning above): failing closed",
            plural(scanned, unit, &format!("{unit}s"))
        );
        crate::say!("  hint: fetch the full history (`git fetch --unshallow`; actions/checkout: fetch-depth: 0) and scan again");
        return;
    }
    let new = if accepted.is_some() { "new " } else { "" };
    if findings.is_empty() {
        if !settings.quiet {
            let accepted = accepted.map(|n| format!("{n} accepted in the baseline; ")).unwrap_or_default();
            crate::say!(
                "keyfence: no {new}secrets found ({accepted}{scanned} {} scanned{config})",
                plural(scanned, unit, &format!("{unit}s"))
            );
        }
        return;
    }
    let accepted = accepted.map(|n| format!(" ({n} accepted in the baseline)")).unwrap_or_default();
    let (changes, secrets): (Vec<&Finding>, Vec<&Finding>) =
        findings.iter().partition(|f| f.rule_id == config_changes::RULE_ID);
    let files = secrets.iter().map(|f| f.path.as_str()).collect::<BTreeSet<_>>().len();
    let mut what = match secrets.len() {
        0 => format!("no {new}secrets found{accepted}"),
        n => format!(
            "{n} {new}{} in {files} {}{accepted}",
            plural(n, "secret", "secrets"),
            plural(
                files,
                if staged { "staged file" } else { "file" },
                if staged { "staged files" } else { "files" }
            )
        ),
    };
    if !changes.is_empty() {
        what.push_str(&format!(
            ", and {} to keyfence's own files to review ({})",
            plural(changes.len(), "a change", &format!("{} changes", changes.len())),
            config_changes::RULE_ID
        ));
    }
    what.push_str(&config);
    if staged {
        crate::say!("keyfence: {what}: commit blocked.");
        crate::say!(
            "  Remove each secret from the file, `git add` it again, and rotate any secret that was ever pushed or shared."
        );
    } else if push {
        crate::say!("keyfence: {what}: push blocked (found in commits the remote does not have yet).");
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

/// `; configuration FILE` for the summary, saying which commit it came from for a range
/// (`.keyfence.toml at 1a2b3c4d5e6f (range base)`); empty with no file and no base.
fn configuration_note(settings: &ScanSettings) -> String {
    let base = settings.config_base.map(|b| (sources::gitdiff::short(b.commit), b.role));
    match (&settings.config_file, base) {
        (Some(file), Some((commit, role))) => {
            format!("; configuration: {} at {commit} (the {role})", file.display())
        }
        (Some(file), None) => format!("; configuration {}", file.display()),
        (None, Some((commit, role))) => {
            format!("; configuration: built-in rules (no configuration file at {commit}, the {role})")
        }
        (None, None) => String::new(),
    }
}

/// `; 3 files skipped: 2 ignored by .gitignore (--no-ignore to include), 1 binary`, or nothing
/// when no file was skipped.
fn skipped_clause(skipped: SkipCounts) -> String {
    if skipped.total() == 0 {
        return String::new();
    }
    let reasons: Vec<String> = [
        (skipped.ignored, "ignored by .gitignore (--no-ignore to include)"),
        (skipped.oversized, "over the size limit"),
        (skipped.binary, "binary"),
    ]
    .into_iter()
    .filter(|&(count, _)| count > 0)
    .map(|(count, reason)| format!("{count} {reason}"))
    .collect();
    format!(
        "; {} {} skipped: {}",
        skipped.total(),
        plural(skipped.total(), "file", "files"),
        reasons.join(", ")
    )
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
