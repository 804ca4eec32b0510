//! The staged change: exactly what `git commit` would record, read through libgit2 (no `git`
//! subprocess).
//!
//! Blobs come from the index — the one named by `GIT_INDEX_FILE` when set, because `git commit -a`
//! and `git commit -- path` run the pre-commit hook with a temporary index — and are compared
//! with HEAD's tree. Only lines the index adds relative to HEAD count, numbered as in the staged
//! blob (never the working copy). On an unborn HEAD (first commit) every staged line is added.
//! Deletions, pure renames, mode changes, submodules, symbolic links and intent-to-add entries
//! (which carry no content) add nothing.

use super::gitdiff::{BlobChange, Lines, Loaded};
use super::index_diff::{self, Comparison};
use super::keyfenceignore::KeyfenceIgnore;
use super::{gitdiff, repo, Diagnostics, Fragment, Provenance, Skip, SourceOptions};
use crate::error::Hinted;
use anyhow::{Context, Result};
use git2::{DiffFindOptions, ErrorCode, Repository, Tree};
use std::borrow::Cow;
use std::path::Path;

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
    let repo = repo::open(
        "run `keyfence scan --staged` inside a git work tree, or scan files with `keyfence scan PATH`",
    )?;
    // libgit2 does not take a work tree from GIT_WORK_TREE (`git --git-dir=r.git --work-tree=wt
    // commit` runs the hook so): only a bare repository without one has nothing staged, even
    // with an index file (left by `git read-tree`).
    if repo.workdir().is_none() && std::env::var_os("GIT_WORK_TREE").is_none_or(|w| w.is_empty()) {
        return Err(Hinted::new(
            format!("{} is a bare repository: a bare repository has no index to scan", repo.path().display()),
            "run `keyfence scan --staged` in a work tree, where files are staged",
        )
        .into());
    }
    let index_path = repo::index_path(&repo)?;
    let keyfenceignore = KeyfenceIgnore::new(repo.workdir());
    let head = head_tree(&repo)?;

    let fast = match &index_path {
        Some(path) => index_diff::compare(&repo, path, head.as_ref()).map_err(repo::with_format_hint)?,
        None => Comparison::Changes(Vec::new()),
    };
    let changes = match fast {
        Comparison::Changes(changes) => changes,
        Comparison::NeedsRenameDetection => diff_with_renames(&repo, index_path.as_deref(), head.as_ref())?,
    };
    for change in changes.into_iter().filter(|c| !keyfenceignore.is_ignored(&c.path)) {
        match gitdiff::load(&repo, &change, options, diagnostics, Lines::Exact) {
            Ok(Loaded::Text(loaded)) => visit(Fragment {
                provenance: Provenance::Staged { path: change.path },
                text: Cow::Borrowed(loaded.text()),
                added_lines: loaded.added_lines.clone(),
                lines_before: 0,
            }),
            // Counted in the summary, as a directory scan does: a staged file with a NUL byte must
            // not pass unmentioned.
            Ok(Loaded::Binary) => diagnostics.skipped(Skip::Binary, 1),
            Ok(Loaded::Nothing) => {}
            Err(err) => diagnostics.error(format!("cannot read staged {}: {err:#}", change.path)),
        }
    }
    Ok(())
}

/// The staged changes through libgit2's tree-to-index diff with rename detection (a renamed file
/// with edits counts as a modification, so only its edits are scanned).
fn diff_with_renames(
    repo: &Repository,
    index_path: Option<&Path>,
    head: Option<&Tree<'_>>,
) -> Result<Vec<BlobChange>> {
    let index = repo::index(index_path)?;
    let mut diff = repo
        .diff_tree_to_index(head, Some(&index), Some(&mut gitdiff::diff_options()))
        .context("cannot compare the index with HEAD")?;
    diff.find_similar(Some(DiffFindOptions::new().renames(true)))
        .context("cannot detect renames in the staged change")?;
    Ok(diff.deltas().filter_map(|delta| gitdiff::blob_change(&delta)).collect())
}

/// HEAD's tree, or `None` on an unborn branch (the first commit).
pub(crate) fn head_tree(repo: &Repository) -> Result<Option<Tree<'_>>> {
    match repo.head() {
        Ok(head) => Ok(Some(head.peel_to_tree().context("cannot read HEAD's tree")?)),
        Err(err) if matches!(err.code(), ErrorCode::UnbornBranch | ErrorCode::NotFound) => Ok(None),
        Err(err) => Err(anyhow::Error::new(err).context("cannot read HEAD")),
    }
}
