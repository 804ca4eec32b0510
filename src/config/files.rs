//! Where the files that steer a scan are read from: the work tree, or the tree of one commit.
//!
//! A commit range is checked with the configuration of its base (the commit the range excludes),
//! so a pull request cannot loosen the rules that check it: `.keyfence.toml` / `.gitleaks.toml`,
//! the files a gitleaks `[extend] path` names, the `[scan] baseline` file and `.keyfenceignore`
//! files all come from that commit's tree. Paths are relative to the repository root; in a
//! commit, a path cannot leave the tree (`..` past the root, an absolute path) and a symbolic
//! link is not followed.
//!
//! Every file read is remembered, so a scan can tell when the range changes one of them (see
//! [`crate::sources::config_changes`]).

use crate::sources::gitdiff::short;
use git2::{ObjectType, Oid, Repository, RevparseMode};
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

/// The source of configuration files for one scan.
pub struct ConfigFiles {
    commit: Option<CommitTree>,
    /// Every path read (as given), for [`ConfigFiles::read_paths`].
    read: Mutex<Vec<PathBuf>>,
}

/// A commit whose tree holds the configuration.
struct CommitTree {
    repo: Repository,
    base: RangeBase,
}

/// The commit a range scan takes its configuration from, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RangeBase {
    /// The commit.
    pub commit: Oid,
    /// Which commit of the range it is: `"range base"` (`A` of `A..B`) or `"merge base"` (of
    /// `A...B`).
    pub role: &'static str,
}

impl std::fmt::Debug for ConfigFiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConfigFiles").field("commit", &self.base()).finish()
    }
}

impl ConfigFiles {
    /// Files on disk (the work tree, or wherever `--config` points).
    pub fn work_tree() -> ConfigFiles {
        ConfigFiles { commit: None, read: Mutex::new(Vec::new()) }
    }

    /// Files in the tree of `base.commit` of `repo`.
    pub fn at_commit(repo: Repository, base: RangeBase) -> ConfigFiles {
        ConfigFiles { commit: Some(CommitTree { repo, base }), read: Mutex::new(Vec::new()) }
    }

    /// The commit files are read from (`None`: the disk).
    pub fn base(&self) -> Option<RangeBase> {
        self.commit.as_ref().map(|c| c.base)
    }

    /// The repository of the commit (`None`: the disk).
    pub fn repository(&self) -> Option<&Repository> {
        self.commit.as_ref().map(|c| &c.repo)
    }

    /// How messages name `path`: `1a2b3c4d5e6f:ci/keyfence.toml` in a commit (git's own `REV:PATH`
    /// spelling), the path as given on disk.
    pub fn name(&self, path: &Path) -> String {
        match &self.commit {
            Some(commit) => format!("{}:{}", short(commit.base.commit), path.display()),
            None => path.display().to_string(),
        }
    }

    /// True if something is at `path` (on disk: anything, even a dangling link, so that it
    /// fails loudly when loaded). Errors if the commit's tree cannot be read: a base that
    /// cannot be read must not pass for one without configuration.
    pub fn exists(&self, path: &Path) -> io::Result<bool> {
        match &self.commit {
            Some(commit) => match commit.entry(path) {
                Ok(_) => Ok(true),
                Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(false),
                Err(err) => Err(err),
            },
            None => Ok(path.symlink_metadata().is_ok()),
        }
    }

    /// The text of the file at `path`. Errors like `std::fs::read_to_string`; in a commit also
    /// for a path outside the tree, a folder, a symbolic link or a submodule.
    pub fn read_to_string(&self, path: &Path) -> io::Result<String> {
        self.read.lock().unwrap_or_else(|e| e.into_inner()).push(path.to_path_buf());
        let Some(commit) = &self.commit else {
            return std::fs::read_to_string(path);
        };
        let bytes = commit.blob(path)?;
        String::from_utf8(bytes).map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "not valid UTF-8"))
    }

    /// Every path read so far, in order, as given to [`ConfigFiles::read_to_string`].
    pub fn read_paths(&self) -> Vec<PathBuf> {
        self.read.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl CommitTree {
    /// The tree entry at `path` (normalized inside the tree): (object id, file mode).
    fn entry(&self, path: &Path) -> io::Result<(Oid, i32)> {
        entry_in_commit(&self.repo, self.base.commit, path)
    }

    /// The bytes of the regular file at `path`.
    fn blob(&self, path: &Path) -> io::Result<Vec<u8>> {
        read_in_commit(&self.repo, self.base.commit, path)
    }
}

/// The tree entry at `path` (normalized inside the tree) of `commit`: (object id, file mode).
fn entry_in_commit(repo: &Repository, commit: Oid, path: &Path) -> io::Result<(Oid, i32)> {
    let inside = normalize(path)?;
    let tree = repo.find_commit(commit).and_then(|c| c.tree()).map_err(io::Error::other)?;
    let entry = tree
        .get_path(&inside)
        .map_err(|_| io::Error::new(io::ErrorKind::NotFound, format!("not in commit {}", short(commit))))?;
    Ok((entry.id(), entry.filemode()))
}

/// The bytes of the regular file at `path` in `commit`'s tree. Errors for a path outside the
/// tree or missing, a folder, a symbolic link (not followed) or a submodule.
pub fn read_in_commit(repo: &Repository, commit: Oid, path: &Path) -> io::Result<Vec<u8>> {
    let (id, mode) = entry_in_commit(repo, commit, path)?;
    if mode != 0o100644 && mode != 0o100755 {
        let what = if mode == 0o120000 { "a symbolic link, which is not followed" } else { "not a file" };
        return Err(io::Error::new(io::ErrorKind::InvalidInput, what));
    }
    let object = repo.find_object(id, Some(ObjectType::Blob)).map_err(io::Error::other)?;
    let blob = object.peel_to_blob().map_err(io::Error::other)?;
    Ok(blob.content().to_vec())
}

/// `path` with `.` and `..` resolved, relative to the tree's root; an error if it leaves it.
pub(crate) fn normalize(path: &Path) -> io::Result<PathBuf> {
    let outside = || io::Error::new(io::ErrorKind::PermissionDenied, "outside the repository");
    let mut inside = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => inside.push(part),
            Component::CurDir => {}
            Component::ParentDir => {
                if !inside.pop() {
                    return Err(outside());
                }
            }
            Component::RootDir | Component::Prefix(_) => return Err(outside()),
        }
    }
    Ok(inside)
}

/// The commit a scan of `range` takes its configuration from: `A` of `A..B` (the commit the
/// range excludes), the merge base of `A...B`. `None` when the range excludes nothing (one
/// revision and its ancestors; `A...B` of unrelated histories), or does not resolve (the history
/// scan then reports why).
pub fn range_base(repo: &Repository, range: &str) -> Option<RangeBase> {
    let spec = repo.revparse(range).ok()?;
    let commit = |object: Option<&git2::Object<'_>>| object?.peel_to_commit().ok().map(|c| c.id());
    let mode = spec.mode();
    if mode.contains(RevparseMode::MERGE_BASE) {
        let base = repo.merge_base(commit(spec.from())?, commit(spec.to())?).ok()?;
        Some(RangeBase { commit: base, role: "merge base" })
    } else if mode.contains(RevparseMode::RANGE) {
        Some(RangeBase { commit: commit(spec.from())?, role: "range base" })
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_the_tree() {
        assert_eq!(normalize(Path::new("ci/../a.toml")).unwrap(), PathBuf::from("a.toml"));
        assert_eq!(normalize(Path::new("./ci/b.toml")).unwrap(), PathBuf::from("ci/b.toml"));
        assert!(normalize(Path::new("../a.toml")).is_err());
        assert!(normalize(Path::new("ci/../../a.toml")).is_err());
        assert!(normalize(Path::new("/etc/passwd")).is_err());
    }
}
