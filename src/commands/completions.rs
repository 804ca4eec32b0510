//! `keyfence completions SHELL` and `keyfence man`: generated from the same clap definitions as
//! the parser, so they never drift from it.

use crate::cli::{Cli, CompletionsArgs};
use anyhow::{Context, Result};
use clap::CommandFactory;
use std::process::ExitCode;

/// Prints the completion script for `args.shell`.
pub fn completions(args: CompletionsArgs) -> Result<ExitCode> {
    let mut command = Cli::command();
    clap_complete::generate(args.shell, &mut command, "keyfence", &mut std::io::stdout());
    Ok(ExitCode::SUCCESS)
}

/// Prints the man page (roff) of `keyfence`.
pub fn man() -> Result<ExitCode> {
    clap_mangen::Man::new(Cli::command())
        .render(&mut std::io::stdout())
        .context("cannot write the man page")?;
    Ok(ExitCode::SUCCESS)
}
