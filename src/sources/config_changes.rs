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
use git2::{Commit, Delta, Diff, Oid, Repository, Tree};
use std::collections::BTreeSet;
use std::path::Path;

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

/// One finding per watched file each commit of `commits` changes (a merge: only files that
/// differ from every parent's version). Errors if a commit or tree cannot be read.
pub fn in_commits(
    repo: &Repository,
    commits: &[Oid],
    watched: &Watched,
    faq: &FaqRule,
) -> Result<Vec<Finding>> {
    let mut findings = Vec::new();
    for &oid in commits {
        let commit = repo.find_commit(oid)?;
        let parents: Vec<Tree<'_>> = commit.parents().map(|p| p.tree()).collect::<Result<_, _>>()?;
        let tree = commit.tree()?;
        let diff = repo.diff_tree_to_tree(parents.first(), Some(&tree), None)?;
        let info = super::history::commit_info(&commit);
        for (path, change) in watched_changes(&diff, watched) {
            if merged_from_another_parent(&commit, &parents, &tree, &path) {
                continue;
            }
            findings.push(finding(path, change, Some(&info), faq));
        }
    }
    Ok(findings)
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

/// True if a merge's version of `path` is some other parent's version (the merge brings in a
/// change made elsewhere, reported in that commit if it is in the range).
fn merged_from_another_parent(
    commit: &Commit<'_>,
    parents: &[Tree<'_>],
    tree: &Tree<'_>,
    path: &str,
) -> bool {
    if commit.parent_count() < 2 {
        return false;
    }
    let at = |tree: &Tree<'_>| tree.get_path(Path::new(path)).ok().map(|e| e.id());
    let ours = at(tree);
    parents[1..].iter().any(|parent| at(parent) == ours)
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
