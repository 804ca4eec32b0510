//! `keyfence hook install|uninstall`.

use crate::cli::HookCommand;
use crate::installer::{self, HookKind, Installed, Uninstalled};
use anyhow::{Context, Result};
use std::process::ExitCode;

/// Installs or removes the hooks and says what it did (and any warning) on standard error.
pub fn run(command: HookCommand) -> Result<ExitCode> {
    let located = installer::locate()?;
    match command {
        HookCommand::Install { force, pre_push, pre_push_only } => {
            let kinds: &[HookKind] = match (pre_push, pre_push_only) {
                (_, true) => &[HookKind::PrePush],
                (true, false) => &[HookKind::PreCommit, HookKind::PrePush],
                (false, false) => &[HookKind::PreCommit],
            };
            let exe = std::env::current_exe().context("cannot find the keyfence binary's own path")?;
            for &kind in kinds {
                let (installed, warnings) = installer::install(&located, kind, &exe, force)?;
                say_installed(kind, installed);
                for warning in warnings {
                    crate::say!("keyfence: warning: {warning}");
                }
            }
        }
        HookCommand::Uninstall => {
            // A pre-push hook that is not keyfence's was never ours to remove: left alone
            // quietly. The pre-commit hook keeps its stricter rule (a foreign one is an error).
            if installer::is_installed(&located.location, HookKind::PrePush) {
                say_uninstalled(
                    HookKind::PrePush,
                    installer::uninstall(&located.location, HookKind::PrePush)?,
                );
            }
            say_uninstalled(
                HookKind::PreCommit,
                installer::uninstall(&located.location, HookKind::PreCommit)?,
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn say_installed(kind: HookKind, installed: Installed) {
    let name = kind.name();
    match installed {
        Installed::New(path) => crate::say!("keyfence: installed the {name} hook {}", path.display()),
        Installed::Updated(path) => crate::say!("keyfence: the {name} hook {} is up to date", path.display()),
        Installed::Chained { hook, previous } => crate::say!(
            "keyfence: installed the {name} hook {}; the hook that was there is kept as {} and runs first",
            hook.display(),
            previous.display()
        ),
        Installed::HuskyBlock(path) => {
            crate::say!("keyfence: added a keyfence step near the top of husky's {}", path.display())
        }
        Installed::ThroughFramework(path) => crate::say!(
            "keyfence: already installed: the pre-commit framework runs the keyfence {name} hook kept as {}",
            path.display()
        ),
    }
}

fn say_uninstalled(kind: HookKind, uninstalled: Uninstalled) {
    let name = kind.name();
    match uninstalled {
        Uninstalled::Removed(path) => crate::say!("keyfence: removed the {name} hook {}", path.display()),
        Uninstalled::Restored(path) => {
            crate::say!("keyfence: removed the keyfence hook and restored the previous {}", path.display())
        }
        Uninstalled::HuskyBlockRemoved(path) => {
            crate::say!("keyfence: removed the keyfence step from {}", path.display())
        }
        Uninstalled::NothingInstalled(path) => {
            crate::say!("keyfence: no keyfence hook is installed at {}", path.display())
        }
    }
}
