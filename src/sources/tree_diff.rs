//! Which files a commit changes, found by comparing tree ids the way git does: a folder whose tree
//! id is the same on both sides is skipped unread, so the cost follows what a commit changed, not
//! the size of its tree.
//!
//! Against one parent, files are added, modified or deleted, and renames are paired the way git
//! bounds them (`diff.renameLimit`): exact renames first (the same blob id: a pure rename adds
//! nothing), then similarity through libgit2 only while added × deleted files stay within
//! [`RENAME_LIMIT`]²; above it the remaining new files count as added (every line), so a commit
//! that moves and edits 10,000 files never costs 10,000² comparisons.
//!
//! A merge follows git's combined diff (`git log --cc`): only a path whose blob differs from the
//! one of *every* parent can add a line, and a folder whose tree equals some parent's is skipped
//! whole. Most merges have no such path and cost a few tree reads.

use super::gitdiff::{self, BlobChange};
use anyhow::Result;
use git2::{DiffFindOptions, ObjectType, Oid, Repository, Tree, TreeEntry};
use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

/// Rename detection by similarity runs only while (added files) × (deleted files), after exact
/// renames are paired, is at most this squared; git's `diff.renameLimit` default is the same.
pub const RENAME_LIMIT: usize = 1000;

/// Above this many candidate paths, libgit2's similarity pass compares whole trees instead of a
/// path list: its path filter costs (paths listed) × (entries compared).
const PATHSPEC_MAX: usize = 4 * RENAME_LIMIT;

/// Whether similarity (inexact rename) detection may run on `added` new and `deleted` old files.
pub fn similarity_allowed(added: usize, deleted: usize) -> bool {
    added.saturating_mul(deleted) <= RENAME_LIMIT * RENAME_LIMIT
}

/// The blob changes from `old` (none: the empty tree, as for a root commit) to `new` that may add
/// lines: added, modified, renamed-with-edits files and files that became regular files.
///
/// Errors if a tree cannot be read or libgit2's similarity pass fails.
pub fn changes(repo: &Repository, old: Option<&Tree<'_>>, new: &Tree<'_>) -> Result<Vec<BlobChange>> {
    changes_of(repo, old, new, None)
}

/// [`changes`], or with `targets`, only the added files at those paths (each paired with its
/// rename source if it has one): the rename search then compares those files alone with the
/// deleted ones, not every added file.
fn changes_of(
    repo: &Repository,
    old: Option<&Tree<'_>>,
    new: &Tree<'_>,
    targets: Option<&HashSet<&str>>,
) -> Result<Vec<BlobChange>> {
    let mut found = TreeChanges::default();
    found.compare(repo, "", old, Some(new))?;
    let Some(old) = old else {
        // A root commit: no rename sources.
        found.changed.append(&mut found.added);
        return Ok(found.changed);
    };
    found.pair_exact_renames();
    let TreeChanges { mut changed, mut added, deleted } = found;
    if let Some(targets) = targets {
        changed.clear();
        added.retain(|change| targets.contains(change.path.as_str()));
    }
    if added.is_empty() {
        return Ok(changed);
    }
    if deleted.is_empty() || !similarity_allowed(added.len(), deleted.len()) {
        changed.extend(added);
        return Ok(changed);
    }
    changed.extend(similar(repo, old, new, &added, &deleted)?);
    Ok(changed)
}

/// A path of a merge whose blob differs from every parent's, and what it replaces in each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeChange {
    /// Path relative to the repository root, `/`-separated.
    pub path: String,
    /// The merge's blob.
    pub new: Oid,
    /// Per parent, in parent order: the blob the path replaces there (`None`: the file is new
    /// against that parent, so every line is added against it).
    pub old: Vec<Option<Oid>>,
}

/// The paths through which a merge of `parents` into `merge` may add lines (see the module
/// documentation); a file that is a pure rename of some parent's file adds nothing and is left
/// out.
///
/// Errors if a tree cannot be read.
pub fn merge_changes(repo: &Repository, merge: &Tree<'_>, parents: &[Tree<'_>]) -> Result<Vec<MergeChange>> {
    let mut candidates = Vec::new();
    let sides: Vec<Option<Tree<'_>>> = parents.iter().cloned().map(Some).collect();
    combined(repo, "", merge, &sides, &mut candidates)?;
    // Against a parent that lacks the path, the file may be a rename: that parent's own diff
    // (renames paired) says what it replaces. Only the candidates absent from that parent are
    // rename targets: a merge of a long-lived branch adds thousands of files against one
    // parent, and a rename search over all of them read every one (minutes on git/git).
    let mut renamed: Vec<HashMap<String, BlobChange>> = Vec::with_capacity(parents.len());
    for (index, parent) in parents.iter().enumerate() {
        let absent: HashSet<&str> = candidates
            .iter()
            .filter(|c| matches!(c.sides[index], Side::Absent))
            .map(|c| c.path.as_str())
            .collect();
        let found = match absent.is_empty() {
            true => Vec::new(),
            false => changes_of(repo, Some(parent), merge, Some(&absent))?,
        };
        renamed.push(found.into_iter().map(|c| (c.path.clone(), c)).collect());
    }
    let mut found = Vec::with_capacity(candidates.len());
    'candidate: for candidate in candidates {
        let mut old = Vec::with_capacity(parents.len());
        for (index, side) in candidate.sides.iter().enumerate() {
            match side {
                Side::Blob(blob) => old.push(Some(*blob)),
                Side::NotAFile => old.push(None),
                Side::Absent => match renamed[index].get(&candidate.path) {
                    Some(change) => old.push(change.old),
                    // A pure rename of that parent's file adds nothing.
                    None => continue 'candidate,
                },
            }
        }
        found.push(MergeChange { path: candidate.path, new: candidate.new, old });
    }
    Ok(found)
}

/// What a parent holds at a merge candidate's path.
enum Side {
    /// A regular file with this blob (different from the merge's).
    Blob(Oid),
    /// A symbolic link or submodule: the file is new against this parent, but no rename.
    NotAFile,
    /// Nothing, or a folder: the file is new against this parent, perhaps renamed.
    Absent,
}

struct Candidate {
    path: String,
    new: Oid,
    sides: Vec<Side>,
}

/// Collects the regular files under `new` whose blob differs from each of `parents` (the same
/// folder in each parent, `None` where a parent has none), descending only into folders whose
/// tree differs from every parent's.
fn combined(
    repo: &Repository,
    prefix: &str,
    new: &Tree<'_>,
    parents: &[Option<Tree<'_>>],
    out: &mut Vec<Candidate>,
) -> Result<()> {
    let per_parent: Vec<Vec<Option<TreeEntry<'_>>>> =
        parents.iter().map(|parent| pairs(parent.as_ref(), Some(new)).before).collect();
    for (index, entry) in new.iter().enumerate() {
        let before: Vec<Option<&TreeEntry<'_>>> = per_parent.iter().map(|b| b[index].as_ref()).collect();
        // Equal to some parent's: nothing under it is new to every parent.
        if before.iter().flatten().any(|b| b.id() == entry.id()) {
            continue;
        }
        match kind(&entry) {
            Kind::Tree => {
                let subtrees = before
                    .iter()
                    .map(|b| match b {
                        Some(b) if matches!(kind(b), Kind::Tree) => repo.find_tree(b.id()).map(Some),
                        _ => Ok(None),
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                combined(
                    repo,
                    &join(prefix, entry.name_bytes()),
                    &repo.find_tree(entry.id())?,
                    &subtrees,
                    out,
                )?;
            }
            Kind::Regular => {
                let sides = before
                    .iter()
                    .map(|b| match b.map(kind) {
                        Some(Kind::Regular) => Side::Blob(b.expect("matched Some").id()),
                        Some(Kind::Other) => Side::NotAFile,
                        Some(Kind::Tree) | None => Side::Absent,
                    })
                    .collect();
                out.push(Candidate { path: join(prefix, entry.name_bytes()), new: entry.id(), sides });
            }
            Kind::Other => {}
        }
    }
    Ok(())
}

/// What a tree-to-tree comparison finds, regular files only.
#[derive(Default)]
struct TreeChanges {
    /// Files modified in place, or that became regular files (old `None`): never rename targets.
    changed: Vec<BlobChange>,
    /// Files the new tree has where the old one had none: rename targets (old `None`).
    added: Vec<BlobChange>,
    /// (path, blob) of files the old tree has where the new one has none: rename sources.
    deleted: Vec<(String, Oid)>,
}

impl TreeChanges {
    /// Compares the folder at `prefix` of both sides (`None`: that side has no such folder).
    fn compare(
        &mut self,
        repo: &Repository,
        prefix: &str,
        old: Option<&Tree<'_>>,
        new: Option<&Tree<'_>>,
    ) -> Result<()> {
        if let (Some(old), Some(new)) = (old, new) {
            if old.id() == new.id() {
                return Ok(());
            }
        }
        let Pairs { new: entries, before: befores, gone } = pairs(old, new);
        for (entry, before) in entries.into_iter().zip(befores) {
            if before.as_ref().is_some_and(|b| b.id() == entry.id()) {
                continue;
            }
            let path = join(prefix, entry.name_bytes());
            let before_kind = before.as_ref().map(kind);
            // A folder replaced by something else: every file in it is gone.
            let old_folder = match &before {
                Some(b) if matches!(before_kind, Some(Kind::Tree)) => Some(repo.find_tree(b.id())?),
                _ => None,
            };
            match kind(&entry) {
                Kind::Tree => {
                    if let (Some(b), Some(Kind::Regular)) = (&before, &before_kind) {
                        self.deleted.push((path.clone(), b.id()));
                    }
                    self.compare(repo, &path, old_folder.as_ref(), Some(&repo.find_tree(entry.id())?))?;
                }
                Kind::Regular => {
                    let new = entry.id();
                    match (&before, before_kind) {
                        (Some(b), Some(Kind::Regular)) => {
                            self.changed.push(BlobChange { path, old: Some(b.id()), new });
                        }
                        (Some(_), Some(Kind::Other)) => {
                            self.changed.push(BlobChange { path, old: None, new })
                        }
                        _ => {
                            self.compare(repo, &path, old_folder.as_ref(), None)?;
                            self.added.push(BlobChange { path, old: None, new });
                        }
                    }
                }
                Kind::Other => self.compare(repo, &path, old_folder.as_ref(), None)?,
            }
        }
        for entry in gone {
            let path = join(prefix, entry.name_bytes());
            match kind(&entry) {
                Kind::Regular => self.deleted.push((path, entry.id())),
                Kind::Tree => self.compare(repo, &path, Some(&repo.find_tree(entry.id())?), None)?,
                Kind::Other => {}
            }
        }
        Ok(())
    }

    /// Drops added files whose blob a deleted file had (pure renames add nothing), each deleted
    /// file pairing with one added file, in path order.
    fn pair_exact_renames(&mut self) {
        if self.added.is_empty() || self.deleted.is_empty() {
            return;
        }
        let mut sources: HashMap<Oid, usize> = HashMap::new();
        for (_, blob) in &self.deleted {
            *sources.entry(*blob).or_default() += 1;
        }
        let mut paired: HashMap<Oid, usize> = HashMap::new();
        self.added.retain(|change| match sources.get_mut(&change.new) {
            Some(left) if *left > 0 => {
                *left -= 1;
                *paired.entry(change.new).or_default() += 1;
                false
            }
            _ => true,
        });
        self.deleted.retain(|(_, blob)| match paired.get_mut(blob) {
            Some(left) if *left > 0 => {
                *left -= 1;
                false
            }
            _ => true,
        });
    }
}

/// The changes of `added` files after libgit2's similarity pass pairs them with `deleted` files
/// (a renamed file with edits becomes a modification of its source).
fn similar(
    repo: &Repository,
    old: &Tree<'_>,
    new: &Tree<'_>,
    added: &[BlobChange],
    deleted: &[(String, Oid)],
) -> Result<Vec<BlobChange>> {
    let mut options = gitdiff::diff_options();
    let listed = added.len() + deleted.len() <= PATHSPEC_MAX;
    if listed {
        options.disable_pathspec_match(true);
        for path in added.iter().map(|c| &c.path).chain(deleted.iter().map(|(p, _)| p)) {
            options.pathspec(path.as_str());
        }
    }
    let mut diff = repo.diff_tree_to_tree(Some(old), Some(new), Some(&mut options))?;
    diff.find_similar(Some(DiffFindOptions::new().renames(true)))?;
    let targets: HashMap<&str, Oid> = added.iter().map(|c| (c.path.as_str(), c.new)).collect();
    let found = diff.deltas().filter_map(|delta| gitdiff::blob_change(&delta));
    // Without a path list the diff holds every change: keep only the added files asked about.
    Ok(found.filter(|c| targets.get(c.path.as_str()) == Some(&c.new)).collect())
}

/// The entries of two folders paired by name in one pass over both, as git keeps a folder's
/// entries sorted. libgit2's lookup by name (`Tree::get_name_bytes`) copied each name into a C
/// string and searched the other folder for it: a tenth of a history scan's time on git/git.
struct Pairs<'t> {
    /// The new folder's entries, in order.
    new: Vec<TreeEntry<'t>>,
    /// For each of `new`, the old folder's entry of the same name, if any.
    before: Vec<Option<TreeEntry<'t>>>,
    /// The old folder's entries no new entry is named like, in order.
    gone: Vec<TreeEntry<'t>>,
}

/// Pairs the entries of `old` and `new` (`None`: no such folder) by name.
fn pairs<'t>(old: Option<&'t Tree<'_>>, new: Option<&'t Tree<'_>>) -> Pairs<'t> {
    let mut olds: Vec<Option<TreeEntry<'t>>> = old.into_iter().flat_map(Tree::iter).map(Some).collect();
    let new: Vec<TreeEntry<'t>> = new.into_iter().flat_map(Tree::iter).collect();
    let mut match_of: Vec<Option<usize>> = vec![None; new.len()];
    let (mut i, mut j) = (0, 0);
    while i < olds.len() && j < new.len() {
        let older = olds[i].as_ref().expect("not taken yet");
        match git_order(older, &new[j]) {
            Ordering::Less => i += 1,
            Ordering::Greater => j += 1,
            Ordering::Equal => {
                match_of[j] = Some(i);
                (i, j) = (i + 1, j + 1);
            }
        }
    }
    pair_leftovers_by_name(&olds, &new, &mut match_of);
    let before = match_of.iter().map(|m| m.and_then(|i| olds[i].take())).collect();
    let gone = olds.into_iter().flatten().collect();
    Pairs { new, before, gone }
}

/// Pairs entries the sorted walk left apart: a file and a folder of the same name sort apart
/// (a folder's name sorts as if it ended in `/`), and a folder stored out of order is paired
/// all the same.
fn pair_leftovers_by_name(
    olds: &[Option<TreeEntry<'_>>],
    new: &[TreeEntry<'_>],
    match_of: &mut [Option<usize>],
) {
    let mut taken = vec![false; olds.len()];
    match_of.iter().flatten().for_each(|&i| taken[i] = true);
    if !match_of.iter().any(Option::is_none) || taken.iter().all(|&t| t) {
        return;
    }
    let left: HashMap<&[u8], usize> = olds
        .iter()
        .enumerate()
        .filter(|(i, _)| !taken[*i])
        .filter_map(|(i, entry)| entry.as_ref().map(|e| (e.name_bytes(), i)))
        .collect();
    for (j, entry) in new.iter().enumerate() {
        if match_of[j].is_none() {
            match_of[j] = left.get(entry.name_bytes()).copied();
        }
    }
}

/// git's order of entries in a tree: by name, a folder's name compared as if it ended in `/`.
fn git_order(a: &TreeEntry<'_>, b: &TreeEntry<'_>) -> Ordering {
    let (x, y) = (a.name_bytes(), b.name_bytes());
    let shared = x.len().min(y.len());
    let next = |entry: &TreeEntry<'_>, name: &[u8]| {
        name.get(shared).copied().unwrap_or(match entry.kind() {
            Some(ObjectType::Tree) => b'/',
            _ => 0,
        })
    };
    x[..shared].cmp(&y[..shared]).then_with(|| next(a, x).cmp(&next(b, y)))
}

enum Kind {
    Regular,
    Tree,
    /// A symbolic link or a submodule.
    Other,
}

fn kind(entry: &TreeEntry<'_>) -> Kind {
    match entry.kind() {
        Some(ObjectType::Tree) => Kind::Tree,
        Some(ObjectType::Blob) if matches!(entry.filemode(), 0o100644 | 0o100755) => Kind::Regular,
        _ => Kind::Other,
    }
}

/// `prefix/name` (`name` alone at the root), a path as keyfence reports it.
pub(super) fn join(prefix: &str, name: &[u8]) -> String {
    let name = String::from_utf8_lossy(name);
    if prefix.is_empty() {
        name.into_owned()
    } else {
        format!("{prefix}/{name}")
    }
}
