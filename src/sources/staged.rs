//! The staged change: exactly what `git commit` would record, read through libgit2 (no `git`
//! subprocess).
//!
//! Blobs come from the index — the one named by `GIT_INDEX_FILE` when set, because `git commit -a`
//! and `git commit -- path` run the pre-commit hook with a temporary index — and are compared
//! with HEAD's tree. Only lines the index adds relative to HEAD count, numbered as in the staged
//! blob (never the working copy). On an unborn HEAD (first commit) every staged line is added.
//! Deletions, pure renames, mode changes, submodules, symbolic links and intent-to-add entries
//! (which carry no content) add nothing.

use super::{classify, Content, Diagnostics, Fragment, LineSet, Provenance, SourceOptions};
use crate::error::Hinted;
use anyhow::{Context, Result};
use git2::{
    Delta, DiffDelta, DiffFindOptions, DiffOptions, ErrorCode, FileMode, Index, Patch, Repository, Tree,
};
use std::borrow::Cow;
use std::path::PathBuf;

/// Reads the staged change of the repository around the current directory and hands each added
/// blob to `visit`, with the added lines set.
///
/// Errors (exit 2) if there is no repository, the repository is bare, or the index, HEAD or the
/// diff cannot be read. A blob that cannot be read is recorded in `diagnostics`.
pub fn read(
    options: &SourceOptions,
    diagnostics: &Diagnostics,
    visit: &(dyn Fn(Fragment<'_>) + Sync),
) -> Result<()> {
    let repo = open_repository()?;
    let index = open_index(&repo)?;
    let head = head_tree(&repo)?;

    let mut diff_options = DiffOptions::new();
    diff_options.include_typechange(true).ignore_submodules(true).skip_binary_check(true);
    let mut diff = repo
        .diff_tree_to_index(head.as_ref(), Some(&index), Some(&mut diff_options))
        .context("cannot compare the index with HEAD")?;
    diff.find_similar(Some(DiffFindOptions::new().renames(true)))
        .context("cannot detect renames in the staged change")?;

    for delta in diff.deltas() {
        if let Some(path) = added_blob_path(&delta) {
            if let Err(err) = read_delta(&repo, &delta, &path, options, diagnostics, visit) {
                diagnostics.error(format!("cannot read staged {path}: {err:#}"));
            }
        }
    }
    Ok(())
}

/// The path of the delta's new side if it may add lines: a regular file that is added, modified,
/// renamed with changes, copied, or turned into a file.
fn added_blob_path(delta: &DiffDelta<'_>) -> Option<String> {
    let adds = matches!(
        delta.status(),
        Delta::Added | Delta::Modified | Delta::Renamed | Delta::Copied | Delta::Typechange
    );
    let new = delta.new_file();
    let regular = matches!(new.mode(), FileMode::Blob | FileMode::BlobExecutable);
    let unchanged = is_regular(delta.old_file().mode()) && delta.old_file().id() == new.id();
    if !adds || !regular || unchanged || new.id().is_zero() {
        return None;
    }
    Some(String::from_utf8_lossy(new.path_bytes()?).into_owned())
}

fn is_regular(mode: FileMode) -> bool {
    matches!(mode, FileMode::Blob | FileMode::BlobExecutable)
}

fn read_delta(
    repo: &Repository,
    delta: &DiffDelta<'_>,
    path: &str,
    options: &SourceOptions,
    diagnostics: &Diagnostics,
    visit: &(dyn Fn(Fragment<'_>) + Sync),
) -> Result<()> {
    let new_id = delta.new_file().id();
    let (size, _) = repo.odb()?.read_header(new_id)?;
    if size as u64 > options.max_file_size {
        diagnostics.warning(format!(
            "skipped staged {path}: {size} bytes is over the {} byte limit (--max-file-size)",
            options.max_file_size
        ));
        return Ok(());
    }
    let new_blob = repo.find_blob(new_id)?;
    let raw = new_blob.content();
    let text = match classify(Cow::Borrowed(raw)) {
        Content::Text(text) => text,
        Content::Binary => return Ok(()),
    };
    let old = delta.old_file();
    let added_lines = if is_regular(old.mode()) && !old.id().is_zero() && matches!(text, Cow::Borrowed(_)) {
        let old_blob = repo.find_blob(old.id())?;
        let lines = added_lines(&old_blob, &new_blob)?;
        if lines.is_empty() {
            return Ok(());
        }
        Some(lines)
    } else {
        // A new file, or one decoded from UTF-16 (whose raw line breaks need not match the
        // decoded ones): every line counts as added.
        None
    };
    visit(Fragment { provenance: Provenance::Staged { path: path.to_owned() }, text, added_lines });
    Ok(())
}

/// The lines of `new` that a diff from `old` adds (1-based, numbered in `new`).
///
/// With zero context lines every hunk's new side is exactly the lines it adds. The diff is forced
/// to text so a `.gitattributes` `binary` or `-diff` cannot hide a secret.
pub fn added_lines(old: &git2::Blob<'_>, new: &git2::Blob<'_>) -> Result<LineSet> {
    let mut options = DiffOptions::new();
    options.context_lines(0).interhunk_lines(0).force_text(true);
    let patch = Patch::from_blobs(old, None, new, None, Some(&mut options))?;
    let mut lines = LineSet::default();
    for hunk_index in 0..patch.num_hunks() {
        let (hunk, _) = patch.hunk(hunk_index)?;
        if hunk.new_lines() > 0 {
            let first = hunk.new_start() as usize;
            lines.push(first, first + hunk.new_lines() as usize - 1);
        }
    }
    Ok(lines)
}

/// Opens the repository the way git would for a hook: `GIT_DIR` and friends first, else the
/// current directory and its parents.
fn open_repository() -> Result<Repository> {
    let repo = Repository::open_from_env().map_err(|err| {
        let cwd = std::env::current_dir().map(|d| d.display().to_string()).unwrap_or_default();
        if err.code() == ErrorCode::NotFound {
            anyhow::Error::new(Hinted::new(
                format!("not a git repository (or any parent up to the root): {cwd}"),
                "run `keyfence scan --staged` inside a git work tree, or scan files with `keyfence scan PATH`",
            ))
        } else {
            anyhow::Error::new(err).context(format!("cannot open the git repository at {cwd}"))
        }
    })?;
    if repo.is_bare() {
        return Err(Hinted::new(
            format!("{} is a bare repository: it has no index to scan", repo.path().display()),
            "run `keyfence scan --staged` in a work tree, or scan history with a commit range",
        )
        .into());
    }
    Ok(repo)
}

/// The index `git commit` is about to record: `GIT_INDEX_FILE` (relative to the current
/// directory, as git resolves it) when set, else the repository's own.
fn open_index(repo: &Repository) -> Result<Index> {
    let Some(path) = std::env::var_os("GIT_INDEX_FILE").filter(|p| !p.is_empty()) else {
        return repo.index().context("cannot read the git index");
    };
    let path = PathBuf::from(path);
    // libgit2 would open a missing file as an empty index and the scan would pass: fail closed.
    if !path.is_file() {
        return Err(Hinted::new(
            format!("GIT_INDEX_FILE names {}, which does not exist", path.display()),
            "unset GIT_INDEX_FILE, or point it at an existing index file",
        )
        .into());
    }
    Index::open(&path).with_context(|| format!("cannot read the index {}", path.display()))
}

/// HEAD's tree, or `None` on an unborn branch (the first commit).
fn head_tree(repo: &Repository) -> Result<Option<Tree<'_>>> {
    match repo.head() {
        Ok(head) => Ok(Some(head.peel_to_tree().context("cannot read HEAD's tree")?)),
        Err(err) if matches!(err.code(), ErrorCode::UnbornBranch | ErrorCode::NotFound) => Ok(None),
        Err(err) => Err(anyhow::Error::new(err).context("cannot read HEAD")),
    }
}
