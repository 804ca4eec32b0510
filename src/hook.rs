//! Installs and removes the pre-commit hook, following git's own rules for where hooks live.
//!
//! The hooks folder is `core.hooksPath` when set (relative to the work tree root, as git reads
//! it), else `hooks/` in the common git directory, which linked worktrees share. Two styles:
//! - plain: `<hooks>/pre-commit` is our script (`hooks/pre-commit`, embedded). A hook that was
//!   there is renamed `pre-commit.keyfence-chained` and runs first; uninstalling puts it back.
//! - husky: when `core.hooksPath` points into `.husky/` (husky v5+), the user-owned
//!   `.husky/pre-commit` script gets a marked block that runs keyfence, since husky rewrites
//!   `.husky/_/` on every install.

use crate::error::Hinted;
use anyhow::{bail, Context, Result};
use git2::Repository;
use std::path::{Path, PathBuf};

/// The hook script, from `hooks/pre-commit`.
pub const HOOK_SCRIPT: &str = include_str!("../hooks/pre-commit");

/// The line that marks a hook file as ours.
const MARKER: &str = "# keyfence-managed-hook";
/// Name a replaced hook is kept under, next to ours.
const CHAINED: &str = "pre-commit.keyfence-chained";
const BLOCK_START: &str = "# >>> keyfence (keyfence hook install; remove with keyfence hook uninstall) >>>";
const BLOCK_END: &str = "# <<< keyfence <<<";

/// Where the hook goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HookLocation {
    /// `<dir>/pre-commit` is ours.
    Plain {
        /// The hooks folder.
        dir: PathBuf,
    },
    /// A marked block in husky's `<dir>/pre-commit`.
    Husky {
        /// The `.husky` folder.
        dir: PathBuf,
    },
}

impl HookLocation {
    /// The file the hook lives in.
    pub fn file(&self) -> PathBuf {
        match self {
            HookLocation::Plain { dir } | HookLocation::Husky { dir } => dir.join("pre-commit"),
        }
    }
}

/// What `install` did, for the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Installed {
    /// A new hook.
    New(PathBuf),
    /// Ours was there and was rewritten.
    Updated(PathBuf),
    /// A hook was there; it now runs before keyfence from the given path.
    Chained {
        /// Our hook.
        hook: PathBuf,
        /// Where the previous hook now is.
        previous: PathBuf,
    },
    /// A keyfence block was added to husky's script.
    HuskyBlock(PathBuf),
}

/// Finds the hook location of the repository around the current directory.
///
/// Errors (exit 2) outside a repository or on a bare one without `core.hooksPath`.
pub fn locate() -> Result<HookLocation> {
    let repo = Repository::open_from_env().map_err(|_| {
        Hinted::new("not a git repository: no hook to install", "run `keyfence hook install` inside a clone")
    })?;
    let configured = repo.config()?.get_path("core.hooksPath").ok();
    let dir = match configured {
        Some(path) if path.is_absolute() => path,
        Some(path) => repo.workdir().unwrap_or_else(|| repo.path()).join(path),
        None => repo.commondir().join("hooks"),
    };
    let husky = dir.components().any(|c| c.as_os_str() == ".husky");
    if husky {
        let husky_dir =
            if dir.file_name().is_some_and(|n| n == "_") { dir.parent().unwrap().to_path_buf() } else { dir };
        return Ok(HookLocation::Husky { dir: husky_dir });
    }
    Ok(HookLocation::Plain { dir })
}

/// Installs the hook. `keyfence_path` is written into the script as the fallback when
/// `keyfence` is not on `PATH`. Without `force`, refuses a hook it cannot chain safely (a
/// symbolic link or a name clash with an earlier chained hook).
pub fn install(location: &HookLocation, keyfence_path: &Path, force: bool) -> Result<Installed> {
    match location {
        HookLocation::Plain { dir } => install_plain(dir, keyfence_path, force),
        HookLocation::Husky { dir } => install_husky(dir, keyfence_path),
    }
}

fn script(keyfence_path: &Path) -> String {
    let quoted = keyfence_path.display().to_string().replace('\'', "'\\''");
    HOOK_SCRIPT.replacen("installed_at=''", &format!("installed_at='{quoted}'"), 1)
}

fn install_plain(dir: &Path, keyfence_path: &Path, force: bool) -> Result<Installed> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the hooks folder {}", dir.display()))?;
    let hook = dir.join("pre-commit");
    let chained = dir.join(CHAINED);
    let existing = std::fs::symlink_metadata(&hook).ok();
    let outcome = match existing {
        None => Installed::New(hook.clone()),
        Some(_) if is_ours(&hook) => Installed::Updated(hook.clone()),
        Some(meta) => {
            if meta.is_dir() {
                bail!("{} is a folder, not a hook script", hook.display());
            }
            let clash = std::fs::symlink_metadata(&chained).is_ok();
            if (meta.file_type().is_symlink() || clash) && !force {
                let why = if clash {
                    format!("{} already exists", chained.display())
                } else {
                    format!("{} is a symbolic link", hook.display())
                };
                return Err(Hinted::new(
                    format!("refusing to chain the existing pre-commit hook: {why}"),
                    "check the hooks folder, then run `keyfence hook install --force` to move the hook aside and chain it anyway",
                )
                .into());
            }
            if clash {
                std::fs::remove_file(&chained)
                    .with_context(|| format!("cannot replace {}", chained.display()))?;
            }
            std::fs::rename(&hook, &chained)
                .with_context(|| format!("cannot move {} aside", hook.display()))?;
            Installed::Chained { hook: hook.clone(), previous: chained }
        }
    };
    write_executable(&hook, &script(keyfence_path))?;
    Ok(outcome)
}

fn install_husky(dir: &Path, keyfence_path: &Path) -> Result<Installed> {
    let file = dir.join("pre-commit");
    let current = match std::fs::read_to_string(&file) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(err) => return Err(err).with_context(|| format!("cannot read {}", file.display())),
    };
    let mut text = remove_block(&current);
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    let quoted = keyfence_path.display().to_string().replace('\'', "'\\''");
    text.push_str(&format!(
        "{BLOCK_START}\nkeyfence=\"${{KEYFENCE:-keyfence}}\"\ncommand -v \"$keyfence\" >/dev/null 2>&1 || keyfence='{quoted}'\nif [ -x \"$keyfence\" ] || command -v \"$keyfence\" >/dev/null 2>&1; then\n    \"$keyfence\" scan --staged || exit 1\nelse\n    echo \"keyfence: not found, so the staged change could not be scanned: commit blocked (git commit --no-verify bypasses once)\" >&2\n    exit 1\nfi\n{BLOCK_END}\n"
    ));
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    write_executable(&file, &text)?;
    Ok(Installed::HuskyBlock(file))
}

/// What `uninstall` did, for the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Uninstalled {
    /// Our hook was removed; nothing was there before.
    Removed(PathBuf),
    /// Our hook was removed and the previous one put back.
    Restored(PathBuf),
    /// The keyfence block was removed from husky's script.
    HuskyBlockRemoved(PathBuf),
    /// No keyfence hook was installed.
    NothingInstalled(PathBuf),
}

/// Removes the hook and restores what it replaced. Errors (exit 2) if the pre-commit hook there
/// is not ours (it is left alone).
pub fn uninstall(location: &HookLocation) -> Result<Uninstalled> {
    let file = location.file();
    match location {
        HookLocation::Husky { .. } => {
            let Ok(current) = std::fs::read_to_string(&file) else {
                return Ok(Uninstalled::NothingInstalled(file));
            };
            let stripped = remove_block(&current);
            if stripped == current {
                return Ok(Uninstalled::NothingInstalled(file));
            }
            if stripped.trim().is_empty() {
                std::fs::remove_file(&file).with_context(|| format!("cannot remove {}", file.display()))?;
            } else {
                std::fs::write(&file, stripped)
                    .with_context(|| format!("cannot write {}", file.display()))?;
            }
            Ok(Uninstalled::HuskyBlockRemoved(file))
        }
        HookLocation::Plain { dir } => {
            if std::fs::symlink_metadata(&file).is_err() {
                return Ok(Uninstalled::NothingInstalled(file));
            }
            if !is_ours(&file) {
                return Err(Hinted::new(
                    format!("{} was not installed by keyfence; leaving it alone", file.display()),
                    "remove the `keyfence scan --staged` line from it by hand if you added one",
                )
                .into());
            }
            std::fs::remove_file(&file).with_context(|| format!("cannot remove {}", file.display()))?;
            let chained = dir.join(CHAINED);
            if std::fs::symlink_metadata(&chained).is_ok() {
                std::fs::rename(&chained, &file)
                    .with_context(|| format!("cannot restore {}", chained.display()))?;
                return Ok(Uninstalled::Restored(file));
            }
            Ok(Uninstalled::Removed(file))
        }
    }
}

fn is_ours(hook: &Path) -> bool {
    std::fs::symlink_metadata(hook).is_ok_and(|m| m.is_file())
        && std::fs::read_to_string(hook).is_ok_and(|text| text.lines().take(3).any(|l| l.starts_with(MARKER)))
}

/// `text` without the keyfence block (and the newline after it).
fn remove_block(text: &str) -> String {
    let Some(start) = text.find(BLOCK_START) else { return text.to_owned() };
    let Some(end_offset) = text[start..].find(BLOCK_END) else { return text.to_owned() };
    let mut end = start + end_offset + BLOCK_END.len();
    if text[end..].starts_with('\n') {
        end += 1;
    }
    format!("{}{}", &text[..start], &text[end..])
}

fn write_executable(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
            .with_context(|| format!("cannot make {} executable", path.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_removal_keeps_the_rest() {
        let text = format!("npm test\n{BLOCK_START}\nx\n{BLOCK_END}\necho after\n");
        assert_eq!(remove_block(&text), "npm test\necho after\n");
        assert_eq!(remove_block("plain\n"), "plain\n");
    }

    #[test]
    fn the_embedded_script_is_marked_and_takes_the_install_path() {
        assert!(HOOK_SCRIPT.lines().nth(1).unwrap().starts_with(MARKER));
        let text = script(Path::new("/opt/it's/keyfence"));
        assert!(text.contains("installed_at='/opt/it'\\''s/keyfence'"), "{text}");
    }
}
