//! `keyfence hook install|uninstall`.

use crate::cli::HookCommand;
use crate::hook::{self, Installed, Uninstalled};
use anyhow::{Context, Result};
use std::process::ExitCode;

/// Installs or removes the hook and says what it did (and any warning) on standard error.
pub fn run(command: HookCommand) -> Result<ExitCode> {
    let located = hook::locate()?;
    match command {
        HookCommand::Install { force } => {
            let exe = std::env::current_exe().context("cannot find the keyfence binary's own path")?;
            let (installed, warnings) = hook::install(&located, &exe, force)?;
            match installed {
                Installed::New(path) => crate::say!("keyfence: installed the pre-commit hook {}", path.display()),
                Installed::Updated(path) => crate::say!("keyfence: the pre-commit hook {} is up to date", path.display()),
                Installed::Chained { hook, previous } => crate::say!(
                    "keyfence: installed the pre-commit hook {}; the hook that was there is kept as {} and runs first",
                    hook.display(),
                    previous.display()
                ),
                Installed::HuskyBlock(path) => {
                    crate::say!("keyfence: added a keyfence step near the top of husky's {}", path.display())
                }
                Installed::ThroughFramework(path) => crate::say!(
                    "keyfence: already installed: the pre-commit framework runs the keyfence hook kept as {}",
                    path.display()
                ),
            }
            for warning in warnings {
                crate::say!("keyfence: warning: {warning}");
            }
        }
        HookCommand::Uninstall => match hook::uninstall(&located.location)? {
            Uninstalled::Removed(path) => {
                crate::say!("keyfence: removed the pre-commit hook {}", path.display())
            }
            Uninstalled::Restored(path) => {
                crate::say!(
                    "keyfence: removed the keyfence hook and restored the previous {}",
                    path.display()
                )
            }
            Uninstalled::HuskyBlockRemoved(path) => {
                crate::say!("keyfence: removed the keyfence step from {}", path.display())
            }
            Uninstalled::NothingInstalled(path) => {
                crate::say!("keyfence: no keyfence hook is installed at {}", path.display())
            }
        },
    }
    Ok(ExitCode::SUCCESS)
}
