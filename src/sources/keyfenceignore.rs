//! `.keyfenceignore` files (gitignore syntax) for sources that do not walk the disk: the staged
//! change, history, and the tracked-file pass of a directory scan. The directory walk itself
//! reads them through the `ignore` crate.
//!
//! The files are read from the work tree (not from the index or each commit), so the team's
//! current rules apply to every source alike — except in a commit range scan, which reads them
//! from the range's base commit ([`KeyfenceIgnore::at_commit`]), so the change being checked
//! cannot exclude its own files. As in git, a deeper file overrides a shallower one and a later
//! line overrides an earlier one (`!pattern` re-includes).

use git2::{Oid, Repository};
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::Match;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The file name.
pub const FILE_NAME: &str = ".keyfenceignore";

/// Lazily loaded `.keyfenceignore` files of one work tree.
pub struct KeyfenceIgnore {
    workdir: Option<PathBuf>,
    /// Read the files from this commit's tree instead of the work tree.
    commit: Option<Mutex<(Repository, Oid)>>,
    /// Folder (relative, `/`-separated, "" for the root) → its parsed file, if it has one.
    files: Mutex<HashMap<String, Option<Gitignore>>>,
}

impl std::fmt::Debug for KeyfenceIgnore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let commit = self.commit.as_ref().map(|c| c.lock().unwrap_or_else(|e| e.into_inner()).1);
        f.debug_struct("KeyfenceIgnore").field("workdir", &self.workdir).field("commit", &commit).finish()
    }
}

impl KeyfenceIgnore {
    /// Rules of the work tree at `workdir`; `None` (a bare repository) ignores nothing.
    pub fn new(workdir: Option<&Path>) -> KeyfenceIgnore {
        KeyfenceIgnore {
            workdir: workdir.map(Path::to_path_buf),
            commit: None,
            files: Mutex::new(HashMap::new()),
        }
    }

    /// The rules a history scan of `repo` honors: those of `commit` (a range's base) when set,
    /// else the work tree's.
    pub fn for_history(repo: &Repository, commit: Option<Oid>) -> Result<KeyfenceIgnore, git2::Error> {
        match commit {
            Some(commit) => KeyfenceIgnore::at_commit(repo.path(), commit),
            None => Ok(KeyfenceIgnore::new(repo.workdir())),
        }
    }

    /// Rules of the tree of `commit` in the repository at `git_dir` (a range's base). Errors if
    /// the repository cannot be opened.
    pub fn at_commit(git_dir: &Path, commit: Oid) -> Result<KeyfenceIgnore, git2::Error> {
        let repo = Repository::open(git_dir)?;
        Ok(KeyfenceIgnore {
            // Matching needs a root; tree paths are relative, so any absolute one serves.
            workdir: Some(PathBuf::from("/")),
            commit: Some(Mutex::new((repo, commit))),
            files: Mutex::new(HashMap::new()),
        })
    }

    /// True if `path` (relative to the work tree root, `/`-separated) is excluded.
    pub fn is_ignored(&self, path: &str) -> bool {
        let Some(workdir) = &self.workdir else { return false };
        let mut folders = vec![String::new()];
        let mut at = 0;
        while let Some(slash) = path[at..].find('/') {
            folders.push(path[..at + slash].to_owned());
            at += slash + 1;
        }
        // Deepest folder first: the first file that has a say decides.
        for folder in folders.iter().rev() {
            let verdict = self.with_file(workdir, folder, |rules| {
                let relative = if folder.is_empty() { path } else { &path[folder.len() + 1..] };
                rules.matched_path_or_any_parents(relative, false)
            });
            match verdict {
                Some(Match::Ignore(_)) => return true,
                Some(Match::Whitelist(_)) => return false,
                _ => {}
            }
        }
        false
    }

    fn with_file(
        &self,
        workdir: &Path,
        folder: &str,
        check: impl Fn(&Gitignore) -> Match<&ignore::gitignore::Glob>,
    ) -> Option<Match<()>> {
        let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        let rules = files.entry(folder.to_owned()).or_insert_with(|| {
            let dir = workdir.join(folder);
            let mut builder = GitignoreBuilder::new(&dir);
            if let Some(commit) = &self.commit {
                let (repo, commit) = &*commit.lock().unwrap_or_else(|e| e.into_inner());
                let path = Path::new(folder).join(FILE_NAME);
                let bytes = crate::config::files::read_in_commit(repo, *commit, &path).ok()?;
                for line in String::from_utf8_lossy(&bytes).lines() {
                    let _ = builder.add_line(None, line);
                }
                return builder.build().ok();
            }
            let file = dir.join(FILE_NAME);
            if !file.is_file() {
                return None;
            }
            builder.add(&file);
            builder.build().ok()
        });
        rules.as_ref().map(|r| match check(r) {
            Match::None => Match::None,
            Match::Ignore(_) => Match::Ignore(()),
            Match::Whitelist(_) => Match::Whitelist(()),
        })
    }
}
