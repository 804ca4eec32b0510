//! `keyfence completions SHELL` and `keyfence man`: generated from the same clap definitions as
//! the parser, so they never drift from it.

use crate::cli::{Cli, CompletionsArgs};
use anyhow::{Context, Result};
use clap::CommandFactory;
use std::io::Write;
use std::process::ExitCode;

/// Prints the completion script for `args.shell`. The script is generated into memory first:
/// clap_complete panics on a failed write, and a reader that stops early (`| head`) is not an
/// error.
pub fn completions(args: CompletionsArgs) -> Result<ExitCode> {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "keyfence", &mut script);
    write_stdout(&script, "cannot write the completion script")
}

/// Writes `bytes` to standard output; a closed pipe ends quietly with status 0.
fn write_stdout(bytes: &[u8], what: &'static str) -> Result<ExitCode> {
    match std::io::stdout().lock().write_all(bytes) {
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        other => other.context(what).map(|()| ExitCode::SUCCESS),
    }
}

/// Prints the man page (roff): the top-level page from `clap_mangen`, then a section per
/// subcommand with its options, exit status and environment.
pub fn man() -> Result<ExitCode> {
    let command = Cli::command();
    let mut page = Vec::new();
    let man = clap_mangen::Man::new(command.clone());
    man.render_title(&mut page)?;
    man.render_name_section(&mut page)?;
    man.render_synopsis_section(&mut page)?;
    man.render_description_section(&mut page)?;
    for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
        render_subcommand(&mut page, "keyfence", sub)?;
    }
    page.extend_from_slice(EXTRA_SECTIONS.as_bytes());
    man.render_version_section(&mut page)?;
    write_stdout(&page, "cannot write the man page")
}

fn render_subcommand(page: &mut Vec<u8>, parent: &str, sub: &clap::Command) -> std::io::Result<()> {
    let name = format!("{parent} {}", sub.get_name());
    writeln!(page, ".SH \"{}\"", name.to_uppercase())?;
    if let Some(about) = sub.get_long_about().or(sub.get_about()) {
        writeln!(page, "{}", escape(&about.to_string()))?;
    }
    for arg in sub.get_arguments().filter(|a| !a.is_hide_set() && a.get_id() != "help") {
        writeln!(page, ".TP")?;
        let values =
            arg.get_value_names().map(|v| v.iter().map(|n| format!(" \\fI{n}\\fR")).collect::<String>());
        let takes_value = arg.get_action().takes_values();
        let label = match (arg.get_short(), arg.get_long()) {
            (Some(s), Some(l)) => format!("\\fB\\-{s}\\fR, \\fB\\-\\-{l}\\fR"),
            (None, Some(l)) => format!("\\fB\\-\\-{l}\\fR"),
            (Some(s), None) => format!("\\fB\\-{s}\\fR"),
            (None, None) => values.clone().unwrap_or_default().trim().to_owned(),
        };
        let shown_values = if arg.get_long().is_some() || arg.get_short().is_some() {
            values.filter(|_| takes_value).unwrap_or_default()
        } else {
            String::new()
        };
        writeln!(page, "{label}{shown_values}")?;
        if let Some(help) = arg.get_long_help().or(arg.get_help()) {
            writeln!(page, "{}", escape(&help.to_string()))?;
        }
        if let Some(env) = arg.get_env() {
            writeln!(page, "(environment: {})", escape(&env.to_string_lossy()))?;
        }
    }
    for nested in sub.get_subcommands().filter(|s| s.get_name() != "help") {
        render_subcommand(page, &name, nested)?;
    }
    Ok(())
}

/// Roff text: a leading dot or quote would start a request, and backslashes escape.
fn escape(text: &str) -> String {
    text.lines()
        .map(|line| {
            let line = line.replace('\\', "\\e").replace('-', "\\-");
            if line.starts_with('.') || line.starts_with('\'') {
                format!("\\&{line}")
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

const EXTRA_SECTIONS: &str = r#".SH "EXIT STATUS"
.TP
\fB0\fR
No findings.
.TP
\fB1\fR
Findings: as a pre-commit hook, the commit is blocked.
.TP
\fB2\fR
Usage, configuration, I/O or git error. A scan that could not read everything exits 2 even when it found nothing (fail closed).
.SH ENVIRONMENT
.TP
\fBKEYFENCE\fR
Path of the keyfence binary the installed hook runs.
.TP
\fBKEYFENCE_CONFIG\fR
Configuration file, as \fB\-\-config\fR (which wins); else .keyfence.toml, then .gitleaks.toml, at the repository root. Empty means unset.
.TP
\fBKEYFENCE_BASELINE\fR
Baseline file for \fBscan \-\-baseline\fR (so the hook can use one). Empty means unset.
.TP
\fBKEYFENCE_MAX_FILE_SIZE\fR
Size limit in MiB for \fBscan \-\-max\-file\-size\fR (which wins). Empty means unset.
.TP
\fBGIT_INDEX_FILE\fR, \fBGIT_DIR\fR, \fBGIT_WORK_TREE\fR
Honored by \fBscan \-\-staged\fR as git sets them for hooks.
.TP
\fBNO_COLOR\fR
Turns color off for \fB\-\-color auto\fR.
.SH FILES
.TP
\fB.keyfenceignore\fR
Paths not to scan (gitignore syntax), in any folder of the work tree.
.TP
\fBkeyfence:allow\fR
Not a file: a line holding this marker yields no finding.
"#;
