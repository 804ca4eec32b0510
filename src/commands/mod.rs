//! One module per subcommand, and the top-level [`run`] that dispatches to them, prints errors on
//! one line with a hint, and maps everything onto the exit status: 0 clean, 1 findings, 2 usage,
//! configuration, I/O or git error (fail closed).

pub mod completions;
pub mod explain;
pub mod hook;
pub mod rules;
pub mod scan;

use crate::cli::{Cli, Command};
use crate::error::Hinted;
use clap::Parser;
use std::process::ExitCode;

/// Parses the command line, runs it, and returns the exit status.
///
/// A panic anywhere is caught and turned into status 2: a hook that could not scan must block.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let outcome = std::panic::catch_unwind(|| {
        match cli.command {
        Command::Scan(args) => scan::run(args),
        Command::Rules(args) => rules::run(args),
        Command::Baseline(args) => scan::write_baseline(args),
        Command::Hook(command) => hook::run(command),
        Command::Explain(args) => explain::run(args),
        Command::Completions(args) => completions::completions(args),
        Command::Man => completions::man(),
        Command::MisplacedInstall { .. } => Err(Hinted::new(
            "there is no `keyfence install` or `keyfence uninstall`: the git hook commands are under `keyfence hook`",
            "run `keyfence hook install` (or `keyfence hook uninstall`)",
        )
        .into()),
    }
    });
    match outcome {
        Ok(Ok(code)) => code,
        Ok(Err(err)) => {
            print_error(&err);
            ExitCode::from(2)
        }
        Err(_) => {
            crate::say!(
                "keyfence: error: internal error (panic above); the scan did not finish, so it fails closed"
            );
            ExitCode::from(2)
        }
    }
}

/// Prints `keyfence: error: <chain>` and, if the chain holds a [`Hinted`], `hint: <hint>`.
fn print_error(err: &anyhow::Error) {
    crate::say!("keyfence: error: {err:#}");
    // A hint attached as context is found by `downcast_ref`; one raised as the error itself (or
    // wrapped by later context) is found in the chain.
    let hinted =
        err.downcast_ref::<Hinted>().or_else(|| err.chain().find_map(|e| e.downcast_ref::<Hinted>()));
    if let Some(hinted) = hinted {
        crate::say!("hint: {}", hinted.hint);
    }
}
