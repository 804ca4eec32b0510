//! Installs and removes the pre-commit and pre-push hooks ([`HookKind`]), following git's own
//! rules for where hooks live. Both kinds follow the same rules; below, `<hook>` is
//! `pre-commit` or `pre-push`.
//!
//! The hooks folder is `core.hooksPath` when set (relative to the work tree root, as git reads
//! it), else `hooks/` in the common git directory, which linked worktrees share. Two styles:
//! - plain: `<hooks>/<hook>` is our script (`hooks/<hook>`, embedded). A hook that was
//!   there is renamed `<hook>.keyfence-chained` and runs first; uninstalling puts it back.
//!   Hooks that cannot be chained that way are refused unless `--force`: symbolic links, and
//!   dispatcher scripts that pick what to run from their own name (`basename "$0"`, as husky v4
//!   and yorkie do), which a rename would silently turn off.
//! - husky: when `core.hooksPath` points into `.husky/` (husky v5+), the user-owned
//!   `.husky/<hook>` script gets a marked block near its top, since husky rewrites
//!   `.husky/_/` on every install.
//!
//! Nothing is ever deleted: a hook in the way of `--force` is kept under a numbered backup name,
//! and a keyfence hook edited by hand is left alone unless `--force`.

use crate::error::Hinted;
use anyhow::{bail, Context, Result};
use git2::{ConfigLevel, Repository};
use std::path::{Path, PathBuf};

/// The pre-commit hook script, from `hooks/pre-commit`.
pub const HOOK_SCRIPT: &str = include_str!("../hooks/pre-commit");
/// The pre-push hook script, from `hooks/pre-push`.
pub const PRE_PUSH_SCRIPT: &str = include_str!("../hooks/pre-push");

/// The line that marks a hook file as ours.
const MARKER: &str = "# keyfence-managed-hook";

/// Which git hook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookKind {
    /// `pre-commit`: `keyfence scan --staged`.
    PreCommit,
    /// `pre-push`: `keyfence scan --pre-push REMOTE URL` with git's ref lines on standard input.
    PrePush,
}

impl HookKind {
    /// The hook's file name, as git names it.
    pub fn name(self) -> &'static str {
        match self {
            HookKind::PreCommit => "pre-commit",
            HookKind::PrePush => "pre-push",
        }
    }

    fn template(self) -> &'static str {
        match self {
            HookKind::PreCommit => HOOK_SCRIPT,
            HookKind::PrePush => PRE_PUSH_SCRIPT,
        }
    }

    /// Name a replaced hook is kept under, next to ours.
    fn chained(self) -> String {
        format!("{}.keyfence-chained", self.name())
    }

    /// Where the pre-commit framework keeps the hook it replaced.
    fn framework_legacy(self) -> String {
        format!("{}.legacy", self.name())
    }

    /// The keyfence command line the hook runs, for hints.
    fn command(self) -> &'static str {
        match self {
            HookKind::PreCommit => "keyfence scan --staged",
            HookKind::PrePush => "keyfence scan --pre-push \"$1\" \"$2\"",
        }
    }

    /// What the hook blocks.
    fn blocked(self) -> &'static str {
        match self {
            HookKind::PreCommit => "commit",
            HookKind::PrePush => "push",
        }
    }
}
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
        /// Whether husky's runner folder (`core.hooksPath`, usually `.husky/_`) exists yet.
        runner_exists: bool,
    },
}

impl HookLocation {
    /// The file the `kind` hook lives in.
    pub fn file(&self, kind: HookKind) -> PathBuf {
        match self {
            HookLocation::Plain { dir } | HookLocation::Husky { dir, .. } => dir.join(kind.name()),
        }
    }
}

/// Where the hook goes, and what the user should know about that place.
#[derive(Debug, Clone)]
pub struct Located {
    /// The place.
    pub location: HookLocation,
    /// The work tree root, if any (to tell whether the hook file is tracked).
    pub workdir: Option<PathBuf>,
    /// Things worth a warning (a global `core.hooksPath`, a missing husky runner...).
    pub warnings: Vec<String>,
}

/// What `install` did, for the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Installed {
    /// A new hook.
    New(PathBuf),
    /// Ours was there and was rewritten.
    Updated(PathBuf),
    /// A hook was there; it now runs before keyfence from `previous`.
    Chained {
        /// Our hook.
        hook: PathBuf,
        /// Where the previous hook now is.
        previous: PathBuf,
    },
    /// A keyfence block was added to husky's script.
    HuskyBlock(PathBuf),
    /// The pre-commit framework's hook already runs ours (kept as its legacy hook).
    ThroughFramework(PathBuf),
}

/// Finds the hook location of the repository around the current directory.
///
/// Errors (exit 2) outside a repository, or when `core.hooksPath` is set but empty (git then runs
/// no hooks at all).
pub fn locate() -> Result<Located> {
    let repo = Repository::open_from_env().map_err(|_| {
        Hinted::new("not a git repository: no hook to install", "run `keyfence hook install` inside a clone")
    })?;
    let config = repo.config()?;
    let mut warnings = Vec::new();
    let configured = match config.get_entry("core.hooksPath") {
        Ok(entry) => {
            let value = entry.value().unwrap_or("").to_owned();
            if value.trim().is_empty() {
                return Err(Hinted::new(
                    "core.hooksPath is set but empty, so git runs no hooks at all",
                    "unset it (`git config --unset core.hooksPath`) or set it to a folder, then install again",
                )
                .into());
            }
            if matches!(entry.level(), ConfigLevel::Global | ConfigLevel::XDG | ConfigLevel::System) {
                warnings.push(format!(
                    "core.hooksPath ({value}) comes from your global or system git configuration: this hook applies to every repository that uses it"
                ));
            }
            Some(config.get_path("core.hooksPath")?)
        }
        Err(_) => None,
    };
    let dir = match configured {
        Some(path) if path.is_absolute() => path,
        Some(path) => repo.workdir().unwrap_or_else(|| repo.path()).join(path),
        None => repo.commondir().join("hooks"),
    };
    let workdir = repo.workdir().map(Path::to_path_buf);
    if dir.components().any(|c| c.as_os_str() == ".husky") {
        let runner_exists = dir.is_dir();
        let husky_dir = if dir.file_name().is_some_and(|n| n == "_") {
            dir.parent().unwrap_or(&dir).to_path_buf()
        } else {
            dir
        };
        if !runner_exists {
            warnings.push(
                "husky's runner folder (core.hooksPath) does not exist yet, so git runs no hook until husky creates it: run `npx husky` (or your package manager's install)".to_owned(),
            );
        }
        return Ok(Located {
            location: HookLocation::Husky { dir: husky_dir, runner_exists },
            workdir,
            warnings,
        });
    }
    Ok(Located { location: HookLocation::Plain { dir }, workdir, warnings })
}

/// Installs the hook. `keyfence_path` is written into the script as the fallback when
/// `keyfence` is not on `PATH`. Returns what it did and warnings to show.
///
/// Without `force`, refuses a hook it cannot chain safely (a symbolic link, a dispatcher script,
/// a clash with an earlier chained hook) and a keyfence hook edited by hand.
pub fn install(
    located: &Located,
    kind: HookKind,
    keyfence_path: &Path,
    force: bool,
) -> Result<(Installed, Vec<String>)> {
    let mut warnings = located.warnings.clone();
    check_folder_stays_inside(located)?;
    let installed = match &located.location {
        HookLocation::Plain { dir } => install_plain(dir, kind, keyfence_path, force, &mut warnings)?,
        HookLocation::Husky { dir, .. } => install_husky(dir, kind, keyfence_path)?,
    };
    let file = located.location.file(kind);
    if let Some(workdir) = &located.workdir {
        if is_tracked(workdir, &file) {
            warnings.push(format!(
                "{} is tracked by git: the change (with this machine's keyfence path as fallback) shows in `git status`, and committing it gives the hook to everyone who uses this repository",
                file.display()
            ));
        }
    }
    Ok((installed, warnings))
}

fn is_tracked(workdir: &Path, file: &Path) -> bool {
    let Ok(relative) = file.strip_prefix(workdir) else { return false };
    let Ok(repo) = Repository::open(workdir) else { return false };
    repo.index().is_ok_and(|index| index.get_path(relative, 0).is_some())
}

fn script(kind: HookKind, keyfence_path: &Path) -> String {
    let quoted = shell_quote(keyfence_path);
    kind.template().replacen("installed_at=''", &format!("installed_at={quoted}"), 1)
}

fn shell_quote(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', "'\\''"))
}

fn install_plain(
    dir: &Path,
    kind: HookKind,
    keyfence_path: &Path,
    force: bool,
    warnings: &mut Vec<String>,
) -> Result<Installed> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the hooks folder {}", dir.display()))?;
    let hook = dir.join(kind.name());
    let chained = dir.join(kind.chained());
    // `pre-commit install` moves an existing hook (ours) to <hook>.legacy and runs it.
    let legacy = dir.join(kind.framework_legacy());
    if is_ours(&legacy) && !is_ours(&hook) {
        return Ok(Installed::ThroughFramework(legacy));
    }
    let Some(meta) = std::fs::symlink_metadata(&hook).ok() else {
        write_executable(&hook, &script(kind, keyfence_path))?;
        return Ok(Installed::New(hook));
    };
    if meta.is_dir() {
        bail!("{} is a folder, not a hook script", hook.display());
    }
    if is_ours(&hook) {
        let current = std::fs::read_to_string(&hook).unwrap_or_default();
        if !is_unedited(&current, kind) {
            if !force {
                return Err(Hinted::new(
                    format!("{} is a keyfence hook edited by hand; leaving it as it is", hook.display()),
                    "keep your edits, or run `keyfence hook install --force` to replace it (your version is kept as a backup)",
                )
                .into());
            }
            let backup = backup_path(dir, kind);
            std::fs::rename(&hook, &backup)
                .with_context(|| format!("cannot move {} aside", hook.display()))?;
            warnings.push(format!("your edited hook is kept as {}", backup.display()));
        }
        write_executable(&hook, &script(kind, keyfence_path))?;
        return Ok(Installed::Updated(hook));
    }
    let refusal = if meta.file_type().is_symlink() {
        Some(format!("{} is a symbolic link", hook.display()))
    } else if is_dispatcher(&hook) {
        Some(format!(
            "{} picks what to run from its own file name (basename \"$0\"), so renaming it to chain it would turn it off",
            hook.display()
        ))
    } else if std::fs::symlink_metadata(&chained).is_ok() {
        Some(format!("{} already exists", chained.display()))
    } else {
        None
    };
    if let Some(why) = refusal {
        if !force {
            return Err(Hinted::new(
                format!("refusing to chain the existing {} hook: {why}", kind.name()),
                format!(
                    "add `{} || exit 1` to that hook by hand, or run `keyfence hook install --force` to move it aside and chain it anyway",
                    kind.command()
                ),
            )
            .into());
        }
    }
    if std::fs::symlink_metadata(&chained).is_ok() {
        let backup = backup_path(dir, kind);
        std::fs::rename(&chained, &backup)
            .with_context(|| format!("cannot move {} aside", chained.display()))?;
        warnings.push(format!("the hook that was chained before is kept as {} (not run)", backup.display()));
    }
    if !is_executable(&hook) {
        warnings.push(format!(
            "the previous hook {} is not executable: git did not run it, and keyfence will not either",
            hook.display()
        ));
    }
    std::fs::rename(&hook, &chained).with_context(|| format!("cannot move {} aside", hook.display()))?;
    write_executable(&hook, &script(kind, keyfence_path))?;
    Ok(Installed::Chained { hook, previous: chained })
}

/// A free `<hook>.keyfence-backup-N` name in `dir`.
fn backup_path(dir: &Path, kind: HookKind) -> PathBuf {
    (1..)
        .map(|n| dir.join(format!("{}.keyfence-backup-{n}", kind.name())))
        .find(|p| std::fs::symlink_metadata(p).is_err())
        .expect("some backup name is free")
}

/// True if `text` is our script as some install wrote it (only the install path differs).
fn is_unedited(text: &str, kind: HookKind) -> bool {
    let normalize = |t: &str| -> String {
        t.lines()
            .map(|l| if l.starts_with("installed_at=") { "installed_at=" } else { l })
            .collect::<Vec<_>>()
            .join("\n")
    };
    normalize(text) == normalize(kind.template())
}

/// Scripts that dispatch on their own name (husky v4, yorkie, hand-made multiplexers).
fn is_dispatcher(hook: &Path) -> bool {
    std::fs::read(hook).is_ok_and(|bytes| {
        let text = String::from_utf8_lossy(&bytes);
        text.contains("basename") && text.contains("$0")
    })
}

fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}

/// The husky step: the same rules as the plain hook (the path keyfence was installed from
/// while it exists, then `KEYFENCE`, then the absolute folders of `PATH`; missing → blocked).
/// PATH is searched in a subshell so the rest of husky's script keeps its own. The pre-push
/// step keeps git's ref lines in a temporary file and gives them back as standard input to the
/// rest of husky's script.
fn husky_block(kind: HookKind, keyfence_path: &Path) -> String {
    let quoted = shell_quote(keyfence_path);
    let blocked = kind.blocked();
    let run = match kind {
        HookKind::PreCommit => "\"$keyfence\" scan --staged || exit 1\n".to_owned(),
        HookKind::PrePush => "keyfence_refs=\"$(mktemp)\" || exit 1
cat > \"$keyfence_refs\"
\"$keyfence\" scan --pre-push \"$1\" \"$2\" < \"$keyfence_refs\" || { rm -f \"$keyfence_refs\"; exit 1; }
exec < \"$keyfence_refs\"
rm -f \"$keyfence_refs\"
"
        .to_owned(),
    };
    format!(
        "{BLOCK_START}
if [ -x {quoted} ]; then
    keyfence={quoted}
else
    keyfence=\"${{KEYFENCE:-keyfence}}\"
    case $keyfence in
        */*) ;;
        *) keyfence=$(IFS=:; set -f; for dir in $PATH; do case $dir in /*) if [ -f \"$dir/$keyfence\" ] && [ -x \"$dir/$keyfence\" ]; then printf '%s\\n' \"$dir/$keyfence\"; exit 0; fi ;; esac; done) ;;
    esac
    if [ -z \"$keyfence\" ] || [ ! -x \"$keyfence\" ]; then
        echo \"keyfence: '${{KEYFENCE:-keyfence}}' was not found, so nothing could be scanned: {blocked} blocked (git {blocked} --no-verify bypasses once)\" >&2
        exit 1
    fi
fi
{run}{BLOCK_END}
"
    )
}

fn install_husky(dir: &Path, kind: HookKind, keyfence_path: &Path) -> Result<Installed> {
    let file = dir.join(kind.name());
    refuse_link(&file)?;
    let current = match std::fs::read_to_string(&file) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(err) => return Err(err).with_context(|| format!("cannot read {}", file.display())),
    };
    let text = insert_block(&remove_block(&current), &husky_block(kind, keyfence_path));
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    // husky runs its scripts with `sh`, so a script that was not executable works as it is: its
    // mode stays the user's.
    replace_file(&file, &text, existing_mode(&file).unwrap_or(0o755))?;
    Ok(Installed::HuskyBlock(file))
}

/// `script` with `block` inserted after its leading shebang, comments and husky set-up lines,
/// before any command, so an early `exit 0` in the script cannot skip it.
fn insert_block(script: &str, block: &str) -> String {
    let mut head_len = 0;
    for line in script.split_inclusive('\n') {
        let trimmed = line.trim();
        let preamble = trimmed.is_empty() || trimmed.starts_with('#') || trimmed.contains("husky.sh");
        if !preamble {
            break;
        }
        head_len += line.len();
    }
    let (head, rest) = script.split_at(head_len);
    let mut text = head.to_owned();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(block);
    text.push_str(rest);
    text
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

/// True if a keyfence `kind` hook (or husky block) is installed at `location`.
pub fn is_installed(location: &HookLocation, kind: HookKind) -> bool {
    let file = location.file(kind);
    match location {
        HookLocation::Plain { .. } => is_ours(&file),
        HookLocation::Husky { .. } => std::fs::read_to_string(&file).is_ok_and(|t| t.contains(BLOCK_START)),
    }
}

/// Removes the `kind` hook and restores what it replaced. Errors (exit 2) if the hook there is
/// not ours (it is left alone).
pub fn uninstall(location: &HookLocation, kind: HookKind) -> Result<Uninstalled> {
    let file = location.file(kind);
    match location {
        HookLocation::Husky { .. } => {
            refuse_link(&file)?;
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
                replace_file(&file, &stripped, existing_mode(&file).unwrap_or(0o644))?;
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
                    format!("remove the `{}` line from it by hand if you added one", kind.command()),
                )
                .into());
            }
            std::fs::remove_file(&file).with_context(|| format!("cannot remove {}", file.display()))?;
            let chained = dir.join(kind.chained());
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
    replace_file(path, text, 0o755)
}

/// Refuses a hook file that is a symbolic link: writing through it would change whatever it
/// points to, which may be outside the repository (a tracked `.husky/pre-commit` link).
fn refuse_link(path: &Path) -> Result<()> {
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(Hinted::new(
            format!("{} is a symbolic link; keyfence does not write through links", path.display()),
            "replace the link with a regular file, or add `keyfence scan --staged || exit 1` to the file it points to by hand",
        )
        .into());
    }
    Ok(())
}

/// The permission bits of the regular file at `path`, if there is one (links not followed).
fn existing_mode(path: &Path) -> Option<u32> {
    let meta = std::fs::symlink_metadata(path).ok().filter(|m| m.is_file())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        Some(meta.permissions().mode() & 0o7777)
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        Some(0o644)
    }
}

/// Writes `text` to `path` with permission bits `mode`, never through a link: the text goes to a
/// new file next to it (created exclusively, so a planted link is not followed), which then
/// replaces `path` itself. Only the new file's mode is set.
fn replace_file(path: &Path, text: &str, mode: u32) -> Result<()> {
    refuse_link(path)?;
    let folder = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temporary = (0..)
        .map(|n| folder.join(format!(".{name}.keyfence-tmp-{}-{n}", std::process::id())))
        .find(|p| std::fs::symlink_metadata(p).is_err())
        .expect("some temporary name is free");
    let written = write_new(&temporary, text, mode)
        .and_then(|()| std::fs::rename(&temporary, path))
        .with_context(|| format!("cannot write {}", path.display()));
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written
}

/// Creates `path` (which must not exist, not even as a link) holding `text`, mode `mode`.
fn write_new(path: &Path, text: &str, mode: u32) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(mode);
        let mut file = options.open(path)?;
        file.write_all(text.as_bytes())?;
        // The umask may have taken bits away: set exactly what was asked, on our own file.
        file.set_permissions(std::fs::Permissions::from_mode(mode))?;
        file.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = mode;
        options.open(path)?.write_all(text.as_bytes())
    }
}

/// Errors when the hooks folder lies inside the work tree but resolves (through a symbolic
/// link the repository may carry, like a tracked `.husky` link) to a place outside it.
fn check_folder_stays_inside(located: &Located) -> Result<()> {
    let Some(workdir) = &located.workdir else { return Ok(()) };
    let dir = match &located.location {
        HookLocation::Plain { dir } | HookLocation::Husky { dir, .. } => dir,
    };
    let climbs = dir.components().any(|c| c == std::path::Component::ParentDir);
    if !dir.starts_with(workdir) || climbs {
        // `.git/hooks` or a folder the user's own git configuration names: theirs to choose.
        return Ok(());
    }
    let (Ok(root), Some(resolved)) = (std::fs::canonicalize(workdir), deepest_existing(dir)) else {
        return Ok(());
    };
    if !resolved.starts_with(&root) {
        return Err(Hinted::new(
            format!("the hooks folder {} leads outside the repository through a symbolic link", dir.display()),
            "the repository's files decide where that link points; replace it with a real folder, or install the hook by hand",
        )
        .into());
    }
    Ok(())
}

/// The canonical form of `path`'s deepest ancestor that exists (itself included).
fn deepest_existing(path: &Path) -> Option<PathBuf> {
    path.ancestors().find_map(|p| std::fs::canonicalize(p).ok())
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
    fn the_block_goes_before_the_first_command() {
        let script = "#!/usr/bin/env sh\n. \"$(dirname -- \"$0\")/_/husky.sh\"\n\nnpm test\nexit 0\n";
        let text = insert_block(script, "BLOCK\n");
        assert_eq!(
            text,
            "#!/usr/bin/env sh\n. \"$(dirname -- \"$0\")/_/husky.sh\"\n\nBLOCK\nnpm test\nexit 0\n"
        );
        assert_eq!(insert_block("", "BLOCK\n"), "BLOCK\n");
    }

    #[test]
    fn the_embedded_script_is_marked_and_takes_the_install_path() {
        assert!(HOOK_SCRIPT.lines().nth(1).unwrap().starts_with(MARKER));
        for kind in [HookKind::PreCommit, HookKind::PrePush] {
            assert!(kind.template().lines().nth(1).unwrap().starts_with(MARKER));
            let text = script(kind, Path::new("/opt/it's/keyfence"));
            assert!(text.contains("installed_at='/opt/it'\\''s/keyfence'"), "{text}");
            assert!(is_unedited(&text, kind));
            assert!(!is_unedited(
                &text.replace("installed_at=", "npm run lint || exit 1\ninstalled_at="),
                kind
            ));
        }
    }
}
