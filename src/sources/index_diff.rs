//! What the index stages relative to HEAD, fast: the index is read with `gix-index` and compared
//! with HEAD's tree folder by folder, skipping every folder whose cache-tree entry (the index's
//! `TREE` extension, which git keeps for `git commit`) still names HEAD's tree for it.
//!
//! Reading a 50,000-entry index this way takes a few milliseconds, where libgit2's index load and
//! tree-to-index diff took tens; the cost follows the folders a change touches, not the size of
//! the repository. When files were both added and deleted (a possible rename with edits), and
//! no more of them than git's rename limit allows, the caller falls back to libgit2's diff, whose
//! similarity detection turns such a rename into a modification; above the limit, only exact
//! renames (same blob) are recognised.

use super::gitdiff::BlobChange;
use super::tree_diff;
use anyhow::{Context, Result};
use git2::{ObjectType, Oid, Repository, Tree};
use gix_index::entry::{Flags, Mode};
use gix_index::extension;
use std::collections::HashSet;
use std::path::Path;

/// The outcome of comparing the index with HEAD.
#[derive(Debug)]
pub enum Comparison {
    /// Every blob the index adds or modifies (pure renames dropped).
    Changes(Vec<BlobChange>),
    /// Files were added and others deleted, few enough for rename detection with similarity
    /// ([`tree_diff::similarity_allowed`]).
    NeedsRenameDetection,
}

/// Compares the index file at `index_path` with `head` (`None`: an unborn branch).
///
/// Errors if the index cannot be read or a tree cannot be loaded.
pub fn compare(repo: &Repository, index_path: &Path, head: Option<&Tree<'_>>) -> Result<Comparison> {
    // The checksum is not verified: git verified the index when it wrote it, and it reads it
    // again (verifying) to make the commit this hook guards.
    let file = gix_index::File::at(index_path, gix_index::hash::Kind::Sha1, true, Default::default())
        .with_context(|| format!("cannot read the index {}", index_path.display()))?;
    let state: &gix_index::State = &file;
    let mut walk = Walk { repo, state, changes: Vec::new(), deleted: HashSet::new(), deleted_files: 0 };
    walk.folder(0, state.entries(), state.tree(), head.cloned())?;

    let deleted = std::mem::take(&mut walk.deleted);
    let mut changes = std::mem::take(&mut walk.changes);
    // A pure rename: the new path holds a blob some deleted path held.
    changes.retain(|c| c.old.is_some() || !deleted.contains(&c.new));
    let added = changes.iter().filter(|c| c.old.is_none()).count();
    // Above git's rename limit, similarity is not tried (see `tree_diff`): moved files with edits
    // count as added, every line scanned.
    if walk.deleted_files > 0 && added > 0 && tree_diff::similarity_allowed(added, walk.deleted_files) {
        return Ok(Comparison::NeedsRenameDetection);
    }
    Ok(Comparison::Changes(changes))
}

struct Walk<'r, 's> {
    repo: &'r Repository,
    state: &'s gix_index::State,
    changes: Vec<BlobChange>,
    /// Blobs of HEAD files the index no longer has (in the folders compared).
    deleted: HashSet<Oid>,
    /// How many HEAD files the index no longer has.
    deleted_files: usize,
}

fn oid(id: &gix_index::hash::ObjectId) -> Oid {
    Oid::from_bytes(id.as_bytes()).expect("a SHA-1 object id is 20 bytes")
}

fn is_regular_mode(mode: i32) -> bool {
    mode == 0o100644 || mode == 0o100755
}

impl<'r, 's> Walk<'r, 's> {
    /// Compares `entries` (all index entries under the folder whose path is the first
    /// `prefix_len` bytes of their paths) with `head` (the folder's tree in HEAD, if any).
    fn folder(
        &mut self,
        prefix_len: usize,
        entries: &'s [gix_index::Entry],
        cache: Option<&extension::Tree>,
        head: Option<Tree<'r>>,
    ) -> Result<()> {
        if let (Some(cache), Some(head)) = (cache, &head) {
            if cache.num_entries.is_some() && cache.id.as_bytes() == head.id().as_bytes() {
                return Ok(());
            }
        }
        let mut seen: HashSet<&'s [u8]> = HashSet::new();
        let mut i = 0;
        while i < entries.len() {
            let path: &'s [u8] = entries[i].path(self.state);
            let rest = &path[prefix_len..];
            match rest.iter().position(|&b| b == b'/') {
                // A sparse-index folder entry (`dir/`) stands for HEAD's tree unless it changed.
                Some(slash) if slash + 1 == rest.len() && entries[i].mode == Mode::DIR => {
                    let name = &rest[..slash];
                    seen.insert(name);
                    let in_head = head.as_ref().and_then(|h| h.get_name_bytes(name)).map(|e| e.id());
                    if in_head != Some(oid(&entries[i].id)) {
                        anyhow::bail!(
                            "the sparse index folder {} differs from HEAD; keyfence cannot expand it",
                            String::from_utf8_lossy(path)
                        );
                    }
                    i += 1;
                }
                Some(slash) => {
                    let name = &rest[..slash];
                    let sub_prefix = &path[..prefix_len + slash + 1];
                    let end =
                        i + entries[i..].partition_point(|e| e.path(self.state).starts_with(sub_prefix));
                    seen.insert(name);
                    let sub_cache = cache.and_then(|c| c.children.iter().find(|t| t.name.as_slice() == name));
                    let sub_head = match head.as_ref().and_then(|h| h.get_name_bytes(name)) {
                        Some(entry) if entry.kind() == Some(ObjectType::Tree) => {
                            Some(self.repo.find_tree(entry.id())?)
                        }
                        _ => None,
                    };
                    self.folder(sub_prefix.len(), &entries[i..end], sub_cache, sub_head)?;
                    i = end;
                }
                None => {
                    seen.insert(rest);
                    self.file(&entries[i], path, rest, head.as_ref());
                    i += 1;
                }
            }
        }
        if let Some(head) = &head {
            for entry in head.iter().filter(|e| !seen.contains(e.name_bytes())) {
                if is_regular_mode(entry.filemode()) {
                    self.deleted.insert(entry.id());
                    self.deleted_files += 1;
                } else if entry.kind() == Some(ObjectType::Tree) {
                    // A folder gone from the index: every file in it is deleted (or moved).
                    let tree = self.repo.find_tree(entry.id())?;
                    tree.walk(git2::TreeWalkMode::PreOrder, |_, e| {
                        if is_regular_mode(e.filemode()) {
                            self.deleted.insert(e.id());
                            self.deleted_files += 1;
                        }
                        git2::TreeWalkResult::Ok
                    })?;
                }
            }
        }
        Ok(())
    }

    /// Records `entry` if it stages a regular file whose blob HEAD does not have at that path.
    fn file(&mut self, entry: &gix_index::Entry, path: &[u8], name: &[u8], head: Option<&Tree<'r>>) {
        // Conflicted entries cannot be committed; intent-to-add entries carry no content;
        // symbolic links and submodules hold no file text.
        let regular = entry.mode == Mode::FILE || entry.mode == Mode::FILE_EXECUTABLE;
        if entry.stage_raw() != 0 || entry.flags.contains(Flags::INTENT_TO_ADD) || !regular {
            return;
        }
        let new = oid(&entry.id);
        let old = head
            .and_then(|h| h.get_name_bytes(name))
            .filter(|e| is_regular_mode(e.filemode()))
            .map(|e| e.id());
        if old == Some(new) {
            return;
        }
        self.changes.push(BlobChange { path: String::from_utf8_lossy(path).into_owned(), old, new });
    }
}
