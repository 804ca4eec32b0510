//! The command line: what the user typed, as clap derive structs and nothing else. Options flow
//! one way: these structs → `settings` (resolved against environment and files) → `commands`,
//! which run them; `commands::run` dispatches and maps the outcome onto the exit status.

use crate::report::Format;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// keyfence: stops API credentials (ServiceTitan App Keys, Client IDs and Secrets, and the common
/// secrets of other services) from being shared through git.
#[derive(Debug, Parser)]
#[command(name = "keyfence", version, about, arg_required_else_help = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan files, directories, standard input or the staged change for secrets.
    ///
    /// Exit status: 0 no findings, 1 findings (a commit is blocked), 2 error (the scan could not
    /// read everything, so nothing can be concluded).
    Scan(ScanArgs),
    /// List every rule with the FAQ rule it enforces.
    Rules(RulesArgs),
    /// Write today's findings to a baseline file, so later scans (--baseline FILE) hide them.
    Baseline(BaselineArgs),
    /// Install or remove the git pre-commit (and pre-push) hook.
    #[command(subcommand)]
    Hook(HookCommand),
    /// Explain a rule id, a FAQ rule id (ST-…) or a fingerprint of the last scan's report: the
    /// rule, the FAQ rule, its page, and what to do for that kind of credential.
    #[command(override_usage = "keyfence explain [OPTIONS] <ID>")]
    Explain(ExplainArgs),
    /// Print a shell completion script (e.g. `keyfence completions bash > ~/.local/share/bash-completion/completions/keyfence`).
    Completions(CompletionsArgs),
    /// Print the man page (roff), e.g. `keyfence man > ~/.local/share/man/man1/keyfence.1`.
    Man,
    /// Not a command: `keyfence install` (or `uninstall`) is taken so that the error can point
    /// to `keyfence hook install` instead of clap's bare "unrecognized subcommand".
    #[command(name = "install", hide = true, alias = "uninstall", disable_help_flag = true)]
    MisplacedInstall {
        /// Whatever followed, ignored: the command fails anyway.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
        rest: Vec<String>,
    },
}

/// `keyfence hook`.
#[derive(Debug, Subcommand)]
pub enum HookCommand {
    /// Install the pre-commit hook (honors core.hooksPath, linked worktrees and husky; an
    /// existing hook is kept and runs first).
    Install {
        /// Chain an existing hook even when that is not clearly safe (a symbolic link, or an
        /// earlier chained hook in the way).
        #[arg(long)]
        force: bool,
        /// Also install the pre-push hook: it scans the commits a push publishes and, with
        /// `[org] remotes`, says when they go outside the organization.
        #[arg(long)]
        pre_push: bool,
        /// Install only the pre-push hook (commits are checked when they leave the machine).
        #[arg(long, conflicts_with = "pre_push")]
        pre_push_only: bool,
    },
    /// Remove the keyfence pre-commit and pre-push hooks and put back the hooks they replaced.
    Uninstall,
}

/// `keyfence baseline`.
#[derive(Debug, Args)]
pub struct BaselineArgs {
    /// Where to write the baseline (JSON, no secrets); `-` writes it to standard output.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// What to scan, as for `keyfence scan`.
    #[command(flatten)]
    pub scan: ScanArgs,
}

/// `keyfence explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A rule id (`servicetitan-app-key`), a FAQ rule id (`ST-FAQ-NO-SHARED-APP-KEY`) or a
    /// fingerprint from the last report (8 or more leading hex digits are enough). Required:
    /// `explain` itself says what it takes when it is missing (clap's own message lists nothing
    /// useful), so clap sees it as optional.
    #[arg(value_name = "ID")]
    pub id: Option<String>,

    /// Configuration file, for its own rules (default: as for `keyfence scan`).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// `keyfence completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `keyfence scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files or directories to scan (default: `.`); `-` reads standard input.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Scan exactly what `git commit` would record: blobs from the index, only lines added
    /// relative to HEAD.
    #[arg(long, conflicts_with_all = ["commits", "all_history"])]
    pub staged: bool,

    /// Scan what each commit of a rev range adds (e.g. origin/main..HEAD, A...B). The
    /// configuration, .keyfenceignore files and [scan] baseline come from the range's base (A, or
    /// the merge base of A...B), and a change to them is reported as keyfence-config-changed.
    #[arg(long, value_name = "RANGE", conflicts_with_all = ["paths", "all_history"])]
    pub commits: Option<String>,

    /// Scan what every commit reachable from any reference adds.
    #[arg(long, conflicts_with = "paths")]
    pub all_history: bool,

    /// Scan what a push publishes, as a pre-push hook: git's lines `<local ref> <local sha>
    /// <remote ref> <remote sha>` on standard input; only commits the remote does not have yet.
    /// With `[org] remotes`, findings pushed outside them are `third-party-remote`.
    #[arg(
        long,
        num_args = 2,
        value_names = ["REMOTE", "URL"],
        conflicts_with_all = ["paths", "staged", "commits", "all_history"]
    )]
    pub pre_push: Option<Vec<String>>,

    /// Hide findings whose fingerprint is listed in FILE (see `keyfence baseline`). Default:
    /// KEYFENCE_BASELINE if set and not empty (the hook can take it from there), else
    /// [scan] baseline of the configuration.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Output format of the findings on standard output.
    ///
    /// human (grouped per credential), short (one line per finding), json, sarif, csv (a header
    /// row, then one row per finding) or junit (one failing test case per finding).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Also write the report, in --format, to FILE.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,

    /// When to color human output (NO_COLOR is honored by `auto`).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Print secrets in clear (default: redacted in every format).
    #[arg(long)]
    pub show_secrets: bool,

    /// Hide PERCENT (0-100, default 100 when given without a value) of each secret after its
    /// fixed prefix (`ak1.`), from the end. Without it, reports show the prefix and two
    /// characters.
    #[arg(
        long,
        value_name = "PERCENT",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "100",
        conflicts_with = "show_secrets",
        value_parser = clap::value_parser!(u8).range(0..=100),
        hide_short_help = true
    )]
    pub redact: Option<u8>,

    /// The exit status when findings are reported (default 1; errors are always 2).
    #[arg(long, value_name = "N", default_value_t = 1, hide_short_help = true)]
    pub exit_code: u8,

    /// Threads that scan files or commits (default: one per core).
    #[arg(short = 'j', long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..), hide_short_help = true)]
    pub threads: Option<u16>,

    /// Do not scan text files larger than this many MiB (a whole number, 1 to 1048576): a warning
    /// for files met in a directory or history, an error for --staged (the hook fails closed)
    /// and for a file named on the command line. Default: KEYFENCE_MAX_FILE_SIZE if set and not empty, else
    /// [scan] max_file_size of the configuration, else 25.
    /// Checked when settings are resolved (`crate::config::size`), so its errors say the range.
    #[arg(long, value_name = "MIB", allow_negative_numbers = true)]
    pub max_file_size: Option<String>,

    /// Configuration file (keyfence or gitleaks format). Default: KEYFENCE_CONFIG if set and
    /// not empty, else .keyfence.toml, else .gitleaks.toml, at the repository root, if any.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Print nothing on standard error when there is nothing to report.
    #[arg(short, long)]
    pub quiet: bool,

    /// Also scan files that .gitignore, .git/info/exclude or the global excludes file leave out
    /// (a directory scan counts them in its summary). .keyfenceignore still holds.
    #[arg(long, conflicts_with_all = ["staged", "commits", "all_history"])]
    pub no_ignore: bool,

    /// History scans: only commits made at or after DATE (committer date, as `git log --since`).
    /// DATE is 2024-01-31 (from the start of that day, UTC), 2024-01-31T10:00:00Z (any offset;
    /// none: UTC), @UNIX-SECONDS, or relative: 2.weeks.ago, "3 days ago", yesterday (a month
    /// counts 30 days, a year 365).
    #[arg(long, value_name = "DATE", hide_short_help = true)]
    pub since: Option<String>,

    /// History scans: only commits made at or before DATE (a plain date counts through the end
    /// of that day, UTC); forms as for --since.
    #[arg(long, value_name = "DATE", hide_short_help = true)]
    pub until: Option<String>,

    /// History scans: only commits reachable from REF (a branch, remote branch, tag or commit;
    /// repeat for several). With --all-history, the walk starts from these instead of every ref;
    /// with --commits, the range is narrowed to what they reach.
    #[arg(long = "branch", value_name = "REF", hide_short_help = true)]
    pub branches: Vec<String>,

    /// History scans: only files under these git pathspecs (after `--`).
    ///
    /// Folders, files or globs where `*` also matches `/` (`'*.env'`); `:!PATTERN` or
    /// `:(exclude)PATTERN` leaves paths out. For a directory scan, paths after `--` are scanned
    /// like PATH.
    #[arg(last = true, value_name = "PATHSPEC")]
    pub pathspecs: Vec<String>,
}

/// `keyfence rules`.
#[derive(Debug, Args)]
pub struct RulesArgs {
    /// List only rules whose id, family (`aws`, `servicetitan`) or FAQ rule id (`ST-FAQ-…`)
    /// contains FILTER, ignoring case; with `*`, `?` or `[…]`, FILTER is a glob matched against
    /// each of them whole (`'servicetitan-*'`, `'ST-FAQ-*'`).
    #[arg(value_name = "FILTER", conflicts_with = "check")]
    pub filter: Option<String>,

    /// Instead of listing the rules, check the rules of FILE (a rule file in the schema of
    /// `patterns/*.toml`, a `.keyfence.toml` or a gitleaks config): the file loads, every regex
    /// compiles, every example yields its secret and no negative example matches. Exit status 0
    /// if all is well, 1 if an example fails, 2 if the file does not load.
    #[arg(long, value_name = "FILE")]
    pub check: Option<PathBuf>,

    /// List the rules in force with this configuration file (default: as for `keyfence scan`).
    #[arg(long, value_name = "FILE", conflicts_with = "check")]
    pub config: Option<PathBuf>,

    /// With --check: quote failing examples and print their secrets in clear (by default an
    /// example is named by its number and secrets are redacted).
    #[arg(long, requires = "check")]
    pub show_secrets: bool,

    /// Output format.
    #[arg(long, value_enum, default_value_t = RulesFormat::Human)]
    pub format: RulesFormat,
}

/// `keyfence rules --format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    /// Readable text.
    Human,
    /// A JSON array of rules, each with its regex.
    Json,
}

/// `--color` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Color when standard output is a terminal and NO_COLOR is not set.
    Auto,
    /// Always color.
    Always,
    /// Never color.
    Never,
}
