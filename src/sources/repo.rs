//! Opening the repository the way git would for a hook or a CI job, with errors a person can act
//! on.

use crate::error::Hinted;
use anyhow::Result;
use git2::{ErrorCode, Index, Repository};
use std::path::{Path, PathBuf};

/// Opens the repository: `GIT_DIR`, `GIT_WORK_TREE` and friends first (as git sets them for
/// hooks), else the current directory and its parents. `hint` says what to do outside a
/// repository.
pub fn open(hint: &str) -> Result<Repository> {
    Repository::open_from_env().map_err(|err| {
        let place = match std::env::var_os("GIT_DIR") {
            Some(dir) => format!("GIT_DIR={}", Path::new(&dir).display()),
            None => std::env::current_dir().map(|d| d.display().to_string()).unwrap_or_default(),
        };
        if err.code() == ErrorCode::NotFound {
            Hinted::new(format!("not a git repository (or any parent up to the root): {place}"), hint).into()
        } else {
            with_format_hint(
                anyhow::Error::new(err).context(format!("cannot open the git repository at {place}")),
            )
        }
    })
}

/// The path of the index `git commit` is about to record: `GIT_INDEX_FILE` when set (a
/// relative path is taken from the top of the work tree, where git runs hooks), else the
/// repository's own, which a bare repository used with a separate work tree (`--git-dir` +
/// `--work-tree`) has too.
///
/// Errors (exit 2) if that file is missing: libgit2 would open a missing file as an empty index
/// and the scan would pass, so this fails closed. A repository without an index (nothing ever
/// staged) is the one exception: `Ok(None)`.
pub fn index_path(repo: &Repository) -> Result<Option<PathBuf>> {
    let from_env = std::env::var_os("GIT_INDEX_FILE").filter(|p| !p.is_empty());
    let path = match &from_env {
        Some(path) => {
            let path = PathBuf::from(path);
            match repo.workdir() {
                Some(top) if path.is_relative() => top.join(path),
                _ => path,
            }
        }
        None => repo.path().join("index"),
    };
    if path.is_file() {
        return Ok(Some(path));
    }
    if from_env.is_none() && !repo.is_bare() && !path.exists() {
        return Ok(None);
    }
    let what = if path.is_dir() { "a folder, not an index file" } else { "missing" };
    let hint = if from_env.is_some() {
        "unset GIT_INDEX_FILE, or point it at an existing index file"
    } else {
        "this bare repository has no index: run `keyfence scan --staged` where files are staged"
    };
    Err(Hinted::new(format!("the index {} is {what}", path.display()), hint).into())
}

/// The index at `path` (see [`index_path`]) through libgit2; `None` reads an empty index.
pub fn index(path: Option<&Path>) -> Result<Index> {
    let index = match path {
        Some(path) => Index::open(path),
        None => Index::new(),
    };
    index.map_err(|e| with_format_hint(anyhow::Error::new(e).context("cannot read the git index")))
}

/// Adds a hint to errors from repository formats libgit2 cannot read.
pub fn with_format_hint(err: anyhow::Error) -> anyhow::Error {
    let text = format!("{err:#}");
    let hint = if text.contains("'link'") {
        "the index is split (core.splitIndex): run `git update-index --no-split-index`, then commit again"
    } else if text.contains("'sdir'") {
        "the index is sparse: run `git sparse-checkout init --no-sparse-index` (or disable index.sparse), then commit again"
    } else if text.contains("object format") || text.contains("objectformat") {
        "keyfence cannot read SHA-256 repositories yet (libgit2); bypass once with `git commit --no-verify` after checking the change by hand"
    } else if text.contains("refstorage") {
        "keyfence cannot read reftable repositories yet (libgit2); bypass once with `git commit --no-verify` after checking the change by hand"
    } else {
        return err;
    };
    err.context(Hinted::new("keyfence cannot read this repository's format", hint))
}
