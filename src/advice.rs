//! Next steps fitted to where a finding is: the FAQ catalog says what to do in general, but a
//! key in a tracked `.env` file is fixed by untracking the file, one in an untracked `.env` by
//! ignoring it, and "`git add` it again" or any git step means nothing outside a git work tree.

use crate::finding::Finding;
use crate::settings::Target;
use git2::Repository;
use std::path::Path;

/// The catalog's words for "stage the edit", dropped from steps outside git.
const GIT_ADD_AGAIN: &str = " (edit the file, then `git add` it again)";

/// Where a finding's file stands with git, which decides its first next step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// In git's index or in a commit: it is (or will be) shared with the repository.
    Tracked,
    /// In a work tree, neither tracked nor ignored: the next `git add .` would take it.
    Untracked,
    /// In a work tree, untracked and matched by git's ignore rules.
    Ignored,
    /// Not in a git work tree (or standard input).
    OutsideGit,
}

/// Rewrites the first next step of each finding for its place (`place_of` gets the finding's
/// path as reported): a `.env` file (see [`is_dotenv`]) is untracked and ignored when tracked,
/// ignored when untracked, and given no git step outside git; other files lose the git step
/// outside git.
pub fn fit_next_steps(findings: &mut [Finding], place_of: impl Fn(&str) -> Place) {
    for finding in findings {
        let Some(first) = finding.next_steps.first_mut() else { continue };
        let place = place_of(&finding.path);
        if is_dotenv(&finding.path) {
            *first = dotenv_step(&finding.path, place);
        } else if place == Place::OutsideGit {
            *first = first.replace(GIT_ADD_AGAIN, "");
        }
    }
}

/// The first next step for a key in the dotenv file `path` standing at `place`.
fn dotenv_step(path: &str, place: Place) -> String {
    match place {
        Place::Tracked => format!(
            "Stop tracking the file: `git rm --cached {path}`, add {path} to .gitignore and commit; keep the secret only in the untracked file or a secret store."
        ),
        Place::Untracked => format!(
            "The file is not tracked yet: add {path} to .gitignore so it is never committed, and keep the secret only in this file or a secret store."
        ),
        Place::Ignored => format!(
            "The file is untracked and ignored, so commits leave it out: keep it that way, and never copy the secret from {path} into a tracked file."
        ),
        Place::OutsideGit => format!(
            "Keep the secret only in {path} or a secret store, and keep the file out of any repository or shared folder."
        ),
    }
}

/// Finds the [`Place`] of the files a scan of `target` reported.
pub struct Places {
    /// The git work trees holding the scanned paths (empty outside git).
    repos: Vec<Repository>,
    /// The place of every file, when the target decides it (staged blobs and commits are
    /// tracked; standard input is outside git).
    fixed: Option<Place>,
}

impl Places {
    /// The places for `target`. A path scan looks each reported path up in the index of the
    /// work tree(s) around the scanned paths; paths are reported relative to their work tree's
    /// root, so with roots in several work trees a path is tracked if any index lists it.
    pub fn of(target: &Target) -> Places {
        let fixed = |place| Places { repos: Vec::new(), fixed: Some(place) };
        match target {
            Target::Staged | Target::History(_) | Target::Push { .. } => fixed(Place::Tracked),
            Target::Stdin => fixed(Place::OutsideGit),
            Target::Paths(paths) => Places { repos: work_trees(paths), fixed: None },
        }
    }

    /// Where `path` (as a finding reports it) stands.
    pub fn place(&self, path: &str) -> Place {
        if let Some(place) = self.fixed {
            return place;
        }
        let Some(first) = self.repos.first() else { return Place::OutsideGit };
        let tracked = self
            .repos
            .iter()
            .any(|repo| repo.index().is_ok_and(|index| index.get_path(Path::new(path), 0).is_some()));
        if tracked {
            Place::Tracked
        } else if first.is_path_ignored(Path::new(path)).unwrap_or(false) {
            Place::Ignored
        } else {
            Place::Untracked
        }
    }
}

/// The distinct git work trees holding `paths` (a file counts by its folder).
fn work_trees(paths: &[std::path::PathBuf]) -> Vec<Repository> {
    let mut repos: Vec<Repository> = Vec::new();
    for path in paths {
        let folder = if path.is_dir() { path.as_path() } else { path.parent().unwrap_or(path) };
        let folder = if folder.as_os_str().is_empty() { Path::new(".") } else { folder };
        let Ok(repo) = Repository::discover(folder) else { continue };
        let Some(workdir) = repo.workdir().and_then(|w| std::fs::canonicalize(w).ok()) else { continue };
        let known = repos
            .iter()
            .any(|r| r.workdir().and_then(|w| std::fs::canonicalize(w).ok()).as_deref() == Some(&workdir));
        if !known {
            repos.push(repo);
        }
    }
    repos
}

/// True for a dotenv file holding real values (`.env`, `.env.local`, `config/.env.production`);
/// false for the templates meant to be committed (`.env.example`, `.env.sample`,
/// `.env.template`, `.env.dist`).
pub fn is_dotenv(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let template = [".example", ".sample", ".template", ".dist", ".defaults"];
    (name == ".env" || name.starts_with(".env.")) && !template.iter().any(|t| name.ends_with(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotenv_files_but_not_templates() {
        assert!(is_dotenv(".env"));
        assert!(is_dotenv("app/.env.local"));
        assert!(!is_dotenv(".env.example"));
        assert!(!is_dotenv("x.env"));
        assert!(!is_dotenv(".environment"));
    }

    #[test]
    fn only_a_tracked_dotenv_file_is_told_to_leave_the_index() {
        let steps = |place| dotenv_step(".env", place);
        assert!(steps(Place::Tracked).contains("git rm --cached .env"));
        for place in [Place::Untracked, Place::Ignored, Place::OutsideGit] {
            assert!(!steps(place).contains("git rm"), "{place:?}: {}", steps(place));
        }
        assert!(steps(Place::Untracked).contains(".gitignore"));
        assert!(!steps(Place::OutsideGit).contains("git"), "{}", steps(Place::OutsideGit));
    }
}
