//! The staged change: exactly what `git commit` would record, read through libgit2 (no `git`
//! subprocess).
//!
//! Blobs come from the index — the one named by `GIT_INDEX_FILE` when set, because `git commit -a`
//! and `git commit -- path` run the pre-commit hook with a temporary index — and are compared
//! with HEAD's tree. Only lines the index adds relative to HEAD count, numbered as in the staged
//! blob (never the working copy). On an unborn HEAD (first commit) every staged line is added.
//! Deletions, pure renames, mode changes, submodules, symbolic links and intent-to-add entries
//! (which carry no content) add nothing.

use super::{gitdiff, Diagnostics, Fragment, Provenance, SourceOptions};
use crate::error::Hinted;
use anyhow::{Context, Result};
use git2::{DiffFindOptions, ErrorCode, Index, Repository, Tree};
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
    gitdiff::tune_libgit2();
    let repo = open_repository()?;
    let index = open_index(&repo)?;
    let head = head_tree(&repo)?;

    let mut diff = repo
        .diff_tree_to_index(head.as_ref(), Some(&index), Some(&mut gitdiff::diff_options()))
        .context("cannot compare the index with HEAD")?;
    diff.find_similar(Some(DiffFindOptions::new().renames(true)))
        .context("cannot detect renames in the staged change")?;

    for change in diff.deltas().filter_map(|delta| gitdiff::blob_change(&delta)) {
        match gitdiff::load(&repo, &change, options, diagnostics) {
            Ok(Some(loaded)) => visit(Fragment {
                provenance: Provenance::Staged { path: change.path },
                text: Cow::Borrowed(loaded.text()),
                added_lines: loaded.added_lines.clone(),
            }),
            Ok(None) => {}
            Err(err) => diagnostics.error(format!("cannot read staged {}: {err:#}", change.path)),
        }
    }
    Ok(())
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
