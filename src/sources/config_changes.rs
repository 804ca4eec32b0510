//! `keyfence-config-changed`: one finding per change to a file that steers keyfence.
//!
//! A change that adds a key and, in the same breath, disables the rule, allowlists its path,
//! adds a `.keyfenceignore` line or a baseline entry would hide itself. A range scan already
//! reads those files from its base (see [`crate::config::files`]), so the key is still found; this
//! module also tells the reviewer that the rules themselves changed, even when nothing else fires.
//!
//! Watched files: `.keyfence.toml` and `.gitleaks.toml` at the root, every `.keyfenceignore`, and
//! every file the configuration in force read inside the repository (a gitleaks `[extend] path`
//! target, the baseline, a `--config` file in the work tree). The findings bypass baselines and
//! allowlists: only the configuration that is trusted — the range's base, or `--config` — can
//! turn them off, with `[scan] protect_config = false`.

use super::{repo, CommitInfo};
use crate::config::{DEFAULT_FILE, GITLEAKS_FILE};
use crate::finding::{FaqRef, Finding};
use crate::fingerprint::FingerprintKey;
use crate::rules::{FaqRule, Origin, RuleSpec, Severity};
use anyhow::{Context, Result};
use git2::{Delta, Diff, Oid, Repository, Tree, TreeEntry};
use std::collections::BTreeSet;

/// The rule id of these findings.
pub const RULE_ID: &str = "keyfence-config-changed";
/// The catalog entry they cite (`patterns/faq.toml`).
pub const FAQ_ID: &str = "KF-CONFIG-CHANGED";
const DESCRIPTION: &str = "A file that configures keyfence changed in the change being checked";
/// Where protecting configuration files by review is documented.
const REFERENCE: &str = "https://docs.github.com/en/repositories/managing-your-repositorys-settings-and-features/customizing-your-repository/about-code-owners";

/// The files that steer a scan of one repository, by path from the repository root.
#[derive(Debug, Clone)]
pub struct Watched {
    exact: BTreeSet<String>,
}

impl Watched {
    /// The standard files plus `read` (`/`-separated paths from the repository root).
    pub fn new(read: impl IntoIterator<Item = String>) -> Watched {
        let mut exact: BTreeSet<String> = read.into_iter().collect();
        exact.extend([DEFAULT_FILE.to_owned(), GITLEAKS_FILE.to_owned()]);
        Watched { exact }
    }

    /// True if a change to `path` changes what keyfence reports.
    pub fn contains(&self, path: &str) -> bool {
        let name = path.rsplit('/').next().unwrap_or(path);
        name == super::keyfenceignore::FILE_NAME || self.exact.contains(path)
    }
}

/// The rule these findings come from, for reports that describe every rule (SARIF). Its regex
/// is empty: it never runs on text.
pub fn rule() -> RuleSpec {
    RuleSpec {
        description: DESCRIPTION.to_owned(),
        reference: REFERENCE.to_owned(),
        ..RuleSpec::bare(RULE_ID, FAQ_ID, Origin::Keyfence)
    }
}

/// One finding per watched file each commit of `commits` changes against its first parent (a
/// merge: only files whose version is no other parent's either). Errors if a commit or tree
/// cannot be read.
///
/// Trees are compared by id the way [`super::tree_diff`] compares them, so a commit costs what
/// it changed, not the size of its tree: only folders that differ are read (for a merge, only
/// folders that differ from every parent's).
pub fn in_commits(
    repo: &Repository,
    commits: &[Oid],
    watched: &Watched,
    faq: &FaqRule,
) -> Result<Vec<Finding>> {
    let mut findings = Vec::new();
    for &oid in commits {
        let commit = repo.find_commit(oid)?;
        let parents: Vec<Option<Tree<'_>>> =
            commit.parents().map(|p| p.tree().map(Some)).collect::<Result<_, _>>()?;
        let mut changes = Vec::new();
        let walk = WatchedWalk { repo, watched };
        walk.compare("", Some(&commit.tree()?), &parents, &mut changes)?;
        if changes.is_empty() {
            continue;
        }
        let info = super::history::commit_info(&commit);
        findings.extend(changes.into_iter().map(|(path, change)| finding(path, change, Some(&info), faq)));
    }
    Ok(findings)
}

/// Finds the watched files a commit changes, reading only the folders that differ.
struct WatchedWalk<'a> {
    repo: &'a Repository,
    watched: &'a Watched,
}

impl WatchedWalk<'_> {
    /// Collects (path, change) of each watched entry (anything but a folder) that differs between
    /// the first parent's folder at `prefix` and `new` (`None`: that side has no such folder),
    /// as a tree-to-tree diff without rename detection reports it: a new type of entry (a file
    /// become a symbolic link, a folder become a file) is a deletion and an addition. A merge
    /// drops a path whose entry some other parent has too (or lacks too).
    fn compare(
        &self,
        prefix: &str,
        new: Option<&Tree<'_>>,
        parents: &[Option<Tree<'_>>],
        out: &mut Vec<(String, &'static str)>,
    ) -> Result<()> {
        let (first, others) = match parents.split_first() {
            Some((first, others)) => (first.as_ref(), others),
            None => (None, &[][..]),
        };
        let same_as_a_parent = match new {
            // Every entry below is some parent's: nothing the merge alone changed.
            Some(new) => parents.iter().flatten().any(|p| p.id() == new.id()),
            // Gone in the merge and absent in another parent too (or on both sides of the diff).
            None => first.is_none() || others.iter().any(Option::is_none),
        };
        if same_as_a_parent {
            return Ok(());
        }
        for entry in new.into_iter().flat_map(Tree::iter) {
            let before = first.and_then(|t| t.get_name_bytes(entry.name_bytes()));
            if before.as_ref().is_some_and(|b| b.id() == entry.id() && b.filemode() == entry.filemode()) {
                continue;
            }
            let name = entry.name_bytes();
            match &before {
                Some(b) if mode_type(b) == mode_type(&entry) => {}
                Some(b) if is_folder(b) => self.descend(prefix, name, None, parents, out)?,
                Some(_) => self.leaf(prefix, name, "deleted", new, others, out),
                None => {}
            }
            if is_folder(&entry) {
                self.descend(prefix, name, Some(&self.repo.find_tree(entry.id())?), parents, out)?;
            } else {
                let same_type = before.as_ref().is_some_and(|b| mode_type(b) == mode_type(&entry));
                self.leaf(prefix, name, if same_type { "modified" } else { "added" }, new, others, out);
            }
        }
        for entry in first.into_iter().flat_map(Tree::iter) {
            if new.is_some_and(|n| n.get_name_bytes(entry.name_bytes()).is_some()) {
                continue;
            }
            if is_folder(&entry) {
                self.descend(prefix, entry.name_bytes(), None, parents, out)?;
            } else {
                self.leaf(prefix, entry.name_bytes(), "deleted", new, others, out);
            }
        }
        Ok(())
    }

    /// Compares the subfolder `name` of `new` (given) with the same subfolder of each parent.
    fn descend(
        &self,
        prefix: &str,
        name: &[u8],
        new: Option<&Tree<'_>>,
        parents: &[Option<Tree<'_>>],
        out: &mut Vec<(String, &'static str)>,
    ) -> Result<()> {
        let subfolders = parents
            .iter()
            .map(|parent| match parent.as_ref().and_then(|p| p.get_name_bytes(name)) {
                Some(entry) if is_folder(&entry) => self.repo.find_tree(entry.id()).map(Some),
                _ => Ok(None),
            })
            .collect::<Result<Vec<_>, _>>()?;
        self.compare(&super::tree_diff::join(prefix, name), new, &subfolders, out)
    }

    /// Records the entry `name` of the folder at `prefix` if it is watched and, in a merge, no
    /// other parent holds the merge's version of it (`new`: the merge's folder).
    fn leaf(
        &self,
        prefix: &str,
        name: &[u8],
        change: &'static str,
        new: Option<&Tree<'_>>,
        others: &[Option<Tree<'_>>],
        out: &mut Vec<(String, &'static str)>,
    ) {
        let path = super::tree_diff::join(prefix, name);
        if !self.watched.contains(&path) {
            return;
        }
        let id_in = |folder: Option<&Tree<'_>>| folder.and_then(|t| t.get_name_bytes(name)).map(|e| e.id());
        let ours = id_in(new);
        if others.iter().any(|other| id_in(other.as_ref()) == ours) {
            return;
        }
        out.push((path, change));
    }
}

/// The kind of object an entry names (file, symbolic link, submodule, folder), as git's mode
/// bits tell it: a change of kind is a deletion and an addition in a diff.
fn mode_type(entry: &TreeEntry<'_>) -> i32 {
    entry.filemode() & 0o170000
}

fn is_folder(entry: &TreeEntry<'_>) -> bool {
    mode_type(entry) == 0o040000
}

/// One finding per watched file the index changes relative to HEAD (the staged change of the
/// repository around the current directory).
pub fn staged(watched: &Watched, faq: &FaqRule) -> Result<Vec<Finding>> {
    let repo = repo::open("run `keyfence scan --staged` inside a git work tree")?;
    let index = repo::index(repo::index_path(&repo)?.as_deref())?;
    let head = super::staged::head_tree(&repo)?;
    let diff = repo
        .diff_tree_to_index(head.as_ref(), Some(&index), None)
        .context("cannot compare the index with HEAD")?;
    Ok(watched_changes(&diff, watched)
        .into_iter()
        .map(|(path, change)| finding(path, change, None, faq))
        .collect())
}

/// (path, "added" | "modified" | "deleted") of each watched file `diff` touches.
fn watched_changes(diff: &Diff<'_>, watched: &Watched) -> Vec<(String, &'static str)> {
    diff.deltas()
        .filter_map(|delta| {
            let file = if delta.status() == Delta::Deleted { delta.old_file() } else { delta.new_file() };
            let path = String::from_utf8_lossy(file.path_bytes()?).into_owned();
            let change = match delta.status() {
                Delta::Added => "added",
                Delta::Deleted => "deleted",
                _ => "modified",
            };
            watched.contains(&path).then_some((path, change))
        })
        .collect()
}

fn finding(path: String, change: &str, commit: Option<&CommitInfo>, faq: &FaqRule) -> Finding {
    let place = commit.map_or("staged", |c| c.sha.as_str());
    Finding {
        rule_id: RULE_ID.to_owned(),
        description: DESCRIPTION.to_owned(),
        severity: Severity::High,
        // No secret goes in, so the public built-in key is enough (and `Finding::rekey` leaves
        // it alone): the commit keeps one change's finding apart from the next one's.
        fingerprint: FingerprintKey::builtin().fingerprint(RULE_ID, &path, place),
        fingerprint_kind: FingerprintKey::builtin().kind(),
        path,
        line: 1,
        column: 1,
        end_line: 1,
        end_column: 1,
        secret: change.to_owned(),
        redacted: change.to_owned(),
        // Not a secret: `--redact` leaves the description of the change whole.
        prefix_len: change.len(),
        commit: commit.map(|c| c.sha.clone()),
        author: commit.map(|c| c.author.clone()),
        committer: commit.map(|c| c.committer.clone()),
        date: commit.map(|c| c.date.clone()),
        author_name: commit.map(|c| c.author_name.clone()),
        commit_message: commit.map(|c| c.message.clone()),
        context: None,
        faq: FaqRef { id: faq.id.clone(), rule: faq.rule.clone(), url: faq.url.clone() },
        next_steps: faq.next_steps.clone(),
        reference: REFERENCE.to_owned(),
        decoded: None,
        exposure: Vec::new(),
        shared_with: Vec::new(),
        related: Vec::new(),
        tenants: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn watches_the_standard_files_every_ignore_file_and_what_was_read() {
        let watched = Watched::new(["ci/baseline.json".to_owned()]);
        for path in
            [".keyfence.toml", ".gitleaks.toml", ".keyfenceignore", "a/b/.keyfenceignore", "ci/baseline.json"]
        {
            assert!(watched.contains(path), "{path}");
        }
        for path in ["sub/.keyfence.toml", "x.keyfenceignore", "baseline.json", "README.md"] {
            assert!(!watched.contains(path), "{path}");
        }
    }
}
