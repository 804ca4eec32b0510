//! Turns what the user typed into what a scan will do, checking combinations once.

use crate::cli::{ColorChoice, ScanArgs};
use crate::config::{non_empty_env, Config};
use crate::error::Hinted;
use crate::report::{Format, ReportOptions};
use crate::sources::history::Selection;
use crate::sources::history_filter::{parse_date, rooted_pathspecs, DayEnd, HistoryFilter};
use crate::sources::SourceOptions;
use anyhow::{Context, Result};
use std::io::IsTerminal;
use std::path::PathBuf;

/// Text files larger than this many MiB are not scanned unless configured otherwise.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 25;

/// The size limit in MiB and where it was set: `--max-file-size`, then
/// `KEYFENCE_MAX_FILE_SIZE` (if set and not empty), then `[scan] max_file_size` (checked when the
/// configuration was read), then [`DEFAULT_MAX_FILE_SIZE`]. An error names the knob it came from
/// (`crate::config::size`).
fn resolve_max_file_size(flag: Option<&str>, config: &Config) -> Result<(u64, &'static str)> {
    use crate::config::size::parse_mib;
    let one_line = |message: String| anyhow::anyhow!(message);
    if let Some(value) = flag {
        let size = parse_mib(value, &format!("--max-file-size {value}")).map_err(one_line)?;
        return Ok((size, "set by --max-file-size"));
    }
    if let Some(value) = non_empty_env("KEYFENCE_MAX_FILE_SIZE") {
        let size = parse_mib(&value, &format!("KEYFENCE_MAX_FILE_SIZE={value:?}")).map_err(one_line)?;
        return Ok((size, "set by KEYFENCE_MAX_FILE_SIZE"));
    }
    Ok(match config.max_file_size {
        Some(size) => (size, "set by [scan] max_file_size in the configuration"),
        None => (DEFAULT_MAX_FILE_SIZE, "the default"),
    })
}

/// What to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Files and directories.
    Paths(Vec<PathBuf>),
    /// The staged change of the repository around the current directory.
    Staged,
    /// Standard input.
    Stdin,
    /// Commits: a range or all history.
    History(Selection),
    /// What a push publishes (git's pre-push lines on standard input).
    Push {
        /// The remote's name, or its URL when git pushes to a URL.
        remote: String,
        /// The URL git pushes to (may hold credentials: never printed).
        url: String,
    },
}

/// A resolved `keyfence scan`.
#[derive(Debug, Clone)]
pub struct ScanSettings {
    /// What to read.
    pub target: Target,
    /// Source limits.
    pub source: SourceOptions,
    /// Format of standard output and of the report file.
    pub format: Format,
    /// Where to write a copy of the report.
    pub report_file: Option<PathBuf>,
    /// How findings render.
    pub report: ReportOptions,
    /// Whether standard output gets color.
    pub color: bool,
    /// Say nothing on standard error when there is nothing to report.
    pub quiet: bool,
    /// `--redact=N`: the percent of each secret's body hidden, instead of the default redaction.
    pub redact_percent: Option<u8>,
    /// The exit status for "findings reported" (`--exit-code`, default 1).
    pub findings_status: u8,
    /// Baseline file whose findings are hidden.
    pub baseline: Option<PathBuf>,
    /// True if `baseline` is the configuration's `[scan] baseline` (read where the
    /// configuration was read: a range's base commit, or the disk).
    pub baseline_from_config: bool,
    /// The configuration file in force, if any (named in the summary).
    pub config_file: Option<PathBuf>,
    /// The commit the configuration was read from (a range's base), if any.
    pub config_base: Option<crate::config::files::RangeBase>,
    /// `[org] security_contact`: whom the summary tells the user to inform about a leak.
    pub security_contact: Option<String>,
}

impl ScanSettings {
    /// Resolves `args` over `config` (command line and environment win over the file, the file
    /// over defaults). Errors (exit 2) on `-` mixed with other paths, a zero size limit, or a
    /// history filter (`--since`, `--until`, `--branch`, pathspecs) that is misplaced or does not
    /// parse.
    pub fn resolve(mut args: ScanArgs, config: &Config) -> Result<ScanSettings> {
        let history = history_filter(&mut args)?;
        let staged = args.staged;
        if staged && !args.paths.is_empty() {
            return Err(Hinted::new(
                "--staged scans the index (what `git commit` would record) and takes no paths",
                "run `keyfence scan --staged` for the whole staged change, or `keyfence scan PATH` for files on disk",
            )
            .into());
        }
        let target = if let Some([remote, url]) = args.pre_push.as_deref() {
            Target::Push { remote: remote.clone(), url: url.clone() }
        } else if args.staged {
            Target::Staged
        } else if let Some(range) = args.commits {
            Target::History(Selection::Range(range))
        } else if args.all_history {
            Target::History(Selection::All)
        } else if args.paths.iter().any(|p| p.as_os_str() == "-") {
            if args.paths.len() > 1 {
                return Err(Hinted::new(
                    "`-` (standard input) cannot be scanned together with other paths",
                    "run one scan for standard input and another for the paths",
                )
                .into());
            }
            Target::Stdin
        } else if args.paths.is_empty() {
            Target::Paths(vec![PathBuf::from(".")])
        } else {
            Target::Paths(args.paths)
        };
        let (max_file_size, max_file_size_source) =
            resolve_max_file_size(args.max_file_size.as_deref(), config)?;
        Ok(ScanSettings {
            target,
            source: SourceOptions {
                max_file_size: max_file_size.saturating_mul(1024 * 1024),
                oversized_is_error: staged,
                limit_source: max_file_size_source,
                no_ignore: args.no_ignore,
                threads: args.threads.map(usize::from),
                reuse: crate::sources::Reuse::Anywhere,
                // Set by the scan command, which knows the range's base (even under --config).
                ignore_files_at: None,
                history,
            },
            format: args.format,
            report_file: args.report,
            report: ReportOptions { show_secrets: args.show_secrets },
            color: wants_color(args.color),
            quiet: args.quiet,
            redact_percent: args.redact,
            findings_status: args.exit_code,
            baseline_from_config: args.baseline.is_none()
                && non_empty_env("KEYFENCE_BASELINE").is_none()
                && config.baseline.is_some(),
            baseline: args
                .baseline
                .or_else(|| non_empty_env("KEYFENCE_BASELINE").map(PathBuf::from))
                .or_else(|| config.baseline.clone()),
            config_file: config.source.clone(),
            config_base: config.base,
            security_contact: config.org.as_ref().and_then(|o| o.security_contact.clone()),
        })
    }
}

/// The history filters of `args` (`--since`, `--until`, `--branch`, `-- PATH…`). Paths after
/// `--` of a directory scan join its paths instead. Errors (exit 2) on a filter without a history
/// scan, or a date that does not parse.
fn history_filter(args: &mut ScanArgs) -> Result<HistoryFilter> {
    let history = args.all_history || args.commits.is_some();
    if !history && !args.pathspecs.is_empty() && !args.staged && args.pre_push.is_none() {
        args.paths.extend(args.pathspecs.drain(..).map(PathBuf::from));
    }
    let given = [
        (args.since.is_some(), "--since"),
        (args.until.is_some(), "--until"),
        (!args.branches.is_empty(), "--branch"),
        (!args.pathspecs.is_empty(), "pathspecs after `--`"),
    ];
    if let Some((_, option)) = given.iter().find(|(set, _)| *set).filter(|_| !history) {
        return Err(Hinted::new(
            format!("{option} applies only to history scans (--all-history, --commits RANGE)"),
            "add --all-history or --commits RANGE (e.g. `keyfence scan --all-history --since 2.weeks.ago`)",
        )
        .into());
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let date = |option: &str, text: &Option<String>, day: DayEnd| {
        text.as_deref().map(|t| parse_date(option, t, day, now)).transpose()
    };
    let filter = HistoryFilter {
        since: date("--since", &args.since, DayEnd::Start)?,
        until: date("--until", &args.until, DayEnd::End)?,
        branches: std::mem::take(&mut args.branches),
        pathspecs: rooted(&args.pathspecs)?,
    };
    if let (Some(since), Some(until)) = (filter.since, filter.until) {
        if since > until {
            return Err(Hinted::new(
                "--since is later than --until, so no commit could be scanned",
                "swap the two dates",
            )
            .into());
        }
    }
    Ok(filter)
}

/// The pathspecs of a history scan, relative to the root of the current repository (see
/// [`rooted_pathspecs`]).
fn rooted(pathspecs: &[String]) -> Result<Vec<String>> {
    if pathspecs.is_empty() {
        return Ok(Vec::new());
    }
    let cwd = std::env::current_dir().context("cannot read the current folder")?;
    let repo = git2::Repository::discover(&cwd).ok();
    rooted_pathspecs(pathspecs, repo.as_ref().and_then(|r| r.workdir()), &cwd)
}

/// `--always` and `--never` win; `auto` colors a terminal unless NO_COLOR is set and non-empty.
fn wants_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
        }
    }
}
