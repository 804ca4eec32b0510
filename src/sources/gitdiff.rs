//! What a git diff adds: the blobs a tree-to-tree or tree-to-index diff brings in, and the lines
//! each adds. Shared by the staged source and the history source.

use super::common_lines::{self, Middle};
use super::{classify, Content, Diagnostics, LineSet, SourceOptions};
use anyhow::Result;
use git2::{Blob, Delta, DiffDelta, DiffOptions, FileMode, Oid, Patch, Repository};
use std::borrow::Cow;

/// Bytes of a pack file libgit2 maps at a time.
const MWINDOW_SIZE: usize = 32 << 20;
/// Bytes of parsed objects libgit2 caches at most (per process).
const OBJECT_CACHE_SIZE: usize = 24 << 20;
/// Bytes of pack files libgit2 keeps mapped at most, over all threads. Mapped pack pages count
/// in the resident size; at 128 MiB a git/git history scan (a 500 MB pack) spent 10% of its time
/// unmapping and faulting windows back in, at 256 MiB it peaks near 200 MiB resident.
const MWINDOW_MAPPED_LIMIT: usize = 256 << 20;

/// Sets libgit2 up for scanning, once per process: objects are not re-hashed on every read.
///
/// git itself does not re-hash objects when it reads them either; with verification on, SHA-1
/// (with collision detection) was a quarter of a history scan's time. Objects still come only
/// from the local repository, and a corrupt object still fails to inflate or parse. Pack maps
/// are kept small (see [`MWINDOW_MAPPED_LIMIT`]).
pub fn tune_libgit2() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        git2::opts::strict_hash_verification(false);
        // Pack files are read through memory maps; libgit2's defaults (1 GiB windows, up to
        // 8 GiB mapped) let a history scan's resident memory grow with the pack size once per
        // worker thread. Small windows under a small cap keep it bounded.
        // SAFETY: global libgit2 options, set once, before this process opens a repository.
        unsafe {
            let _ = git2::opts::set_mwindow_size(MWINDOW_SIZE);
            let _ = git2::opts::set_mwindow_mapped_limit(MWINDOW_MAPPED_LIMIT);
            // The object cache (trees and commits) defaults to 256 MiB per repository handle,
            // and a history scan holds one handle per thread. The git2 crate does not expose
            // this option; the C call takes an ssize_t.
            libgit2_sys::git_libgit2_opts(
                libgit2_sys::GIT_OPT_SET_CACHE_MAX_SIZE as std::ffi::c_int,
                OBJECT_CACHE_SIZE as isize,
            );
        }
    });
}

/// One blob a diff brings in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobChange {
    /// Path on the new side, relative to the repository root, `/`-separated.
    pub path: String,
    /// The blob it replaces, if the old side was a regular file (a modification or rename).
    pub old: Option<Oid>,
    /// The new blob.
    pub new: Oid,
}

/// The diff options every keyfence diff uses: typechanges reported, submodules ignored, no
/// binary sniffing by libgit2 (keyfence sniffs itself, after `.gitattributes` had no say).
pub fn diff_options() -> DiffOptions {
    let mut options = DiffOptions::new();
    options.include_typechange(true).ignore_submodules(true).skip_binary_check(true);
    options
}

/// The change a delta makes, if it may add lines: a regular file that is added, modified,
/// renamed with changes, copied, or turned into a file. Deletions, pure renames, mode changes,
/// submodules, symbolic links and empty intent-to-add entries return `None`.
pub fn blob_change(delta: &DiffDelta<'_>) -> Option<BlobChange> {
    let adds = matches!(
        delta.status(),
        Delta::Added | Delta::Modified | Delta::Renamed | Delta::Copied | Delta::Typechange
    );
    let new = delta.new_file();
    let old = delta.old_file();
    let old_blob = (is_regular(old.mode()) && !old.id().is_zero()).then(|| old.id());
    if !adds || !is_regular(new.mode()) || new.id().is_zero() || old_blob == Some(new.id()) {
        return None;
    }
    let path = String::from_utf8_lossy(new.path_bytes()?).into_owned();
    Some(BlobChange { path, old: old_blob, new: new.id() })
}

fn is_regular(mode: FileMode) -> bool {
    matches!(mode, FileMode::Blob | FileMode::BlobExecutable)
}

/// A changed blob, read and classified, with the lines it adds.
pub struct LoadedChange<'repo> {
    /// The new blob.
    pub blob: Blob<'repo>,
    /// The blob's text decoded from UTF-16, when it had a byte-order mark.
    pub decoded: Option<Vec<u8>>,
    /// Lines the change adds; `None` means every line (a new file). An estimate when
    /// `estimated_from` is set.
    pub added_lines: Option<LineSet>,
    /// Set (to the old blob) when `added_lines` is every line between the lines both versions
    /// share at their start and end: a superset of what the line diff adds, found without one.
    /// [`LoadedChange::exact_added_lines`] runs the diff.
    pub estimated_from: Option<Oid>,
}

impl LoadedChange<'_> {
    /// The text to scan.
    pub fn text(&self) -> &[u8] {
        self.decoded.as_deref().unwrap_or_else(|| self.blob.content())
    }

    /// The lines the change adds as the line diff finds them (`None`: every line): `added_lines`
    /// itself unless that is an estimate, else the diff from the old blob. Errors if the old blob
    /// cannot be read or diffed.
    pub fn exact_added_lines(&self, repo: &Repository) -> Result<Option<LineSet>> {
        match self.estimated_from {
            None => Ok(self.added_lines.clone()),
            Some(old) => added_since(repo, old, self).map(Some),
        }
    }
}

/// What [`load`] found in a change's new blob.
pub enum Loaded<'repo> {
    /// Text with lines to scan.
    Text(LoadedChange<'repo>),
    /// A binary blob (of any size): skipped, as git's diff skips it.
    Binary,
    /// Nothing to scan: a text blob over the size limit (a warning is recorded) or one that adds
    /// no line.
    Nothing,
}

impl<'repo> Loaded<'repo> {
    /// The text to scan, if any.
    pub fn text(self) -> Option<LoadedChange<'repo>> {
        match self {
            Loaded::Text(loaded) => Some(loaded),
            Loaded::Binary | Loaded::Nothing => None,
        }
    }
}

/// How [`load`] finds the lines a modification adds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    /// The line diff's lines (the staged source: few files, each diffed).
    Exact,
    /// Where only a line diff could say which of the middle lines are added, all of them (see
    /// [`LoadedChange::estimated_from`]): a history's thousands of changes mostly hold no
    /// secret there, and then the diff is never run.
    Estimate,
}

/// Reads `change` from `repo`, once, and says whether it holds text to scan (see [`Loaded`]),
/// with its added lines found as `lines` asks.
pub fn load<'repo>(
    repo: &'repo Repository,
    change: &BlobChange,
    options: &SourceOptions,
    diagnostics: &Diagnostics,
    lines: Lines,
) -> Result<Loaded<'repo>> {
    // One read of the object: asking libgit2 for the size first would resolve a packed
    // object's delta chain twice.
    let blob = repo.find_blob(change.new)?;
    let size = blob.size();
    if size as u64 > options.max_file_size {
        // Only a big text blob is worth reporting; a big binary is skipped like any binary.
        let head = &blob.content()[..super::BINARY_SNIFF_LEN.min(size)];
        if matches!(classify(Cow::Borrowed(head)), Content::Binary) {
            return Ok(Loaded::Binary);
        }
        options.report_oversized(
            diagnostics,
            &format!("{} ({})", change.path, short(change.new)),
            size as u64,
        );
        return Ok(Loaded::Nothing);
    }
    let decoded = match classify(Cow::Borrowed(blob.content())) {
        Content::Binary => return Ok(Loaded::Binary),
        Content::Text(Cow::Borrowed(_)) => None,
        Content::Text(Cow::Owned(decoded)) => Some(decoded),
    };
    let mut loaded = LoadedChange { blob, decoded, added_lines: None, estimated_from: None };
    if let Some(old) = change.old {
        let old_blob = repo.find_blob(old)?;
        let old_text = text_of(old_blob.content());
        let middle = common_lines::middle(&old_text, loaded.text());
        let (added, estimated) = match (added_without_diff(&middle), lines) {
            (Some(added), _) => (added, false),
            (None, Lines::Exact) => (line_diff(repo, &old_blob, &old_text, &loaded)?, false),
            (None, Lines::Estimate) => (middle_lines(&middle), true),
        };
        if added.is_empty() {
            return Ok(Loaded::Nothing);
        }
        loaded.added_lines = Some(added);
        loaded.estimated_from = estimated.then_some(old);
    }
    Ok(Loaded::Text(loaded))
}

/// Every line of `middle`'s new side, numbered in the whole new text.
fn middle_lines(middle: &Middle<'_>) -> LineSet {
    let mut lines = LineSet::default();
    let first = middle.lines_before + 1;
    lines.push(first, first + line_count(middle.new) - 1);
    lines
}

/// The lines of `new`'s text that a diff from the blob `old` adds (see [`added_lines`]).
///
/// When both texts are the blobs' own bytes (no UTF-16 decoding), libgit2 diffs the blobs
/// directly: their ids are known, so neither buffer is hashed again. Errors if `old` cannot be
/// read.
pub fn added_since(repo: &Repository, old: Oid, new: &LoadedChange<'_>) -> Result<LineSet> {
    let old_blob = repo.find_blob(old)?;
    let old_text = text_of(old_blob.content());
    match added_without_diff(&common_lines::middle(&old_text, new.text())) {
        Some(lines) => Ok(lines),
        None => line_diff(repo, &old_blob, &old_text, new),
    }
}

/// libgit2's line diff from `old_blob` to `new`; `old_text` is the old blob's text as keyfence
/// scans it (decoded from UTF-16 when it differs from the blob's bytes: then the texts are diffed).
fn line_diff(
    repo: &Repository,
    old_blob: &Blob<'_>,
    old_text: &[u8],
    new: &LoadedChange<'_>,
) -> Result<LineSet> {
    if new.decoded.is_some() || !std::ptr::eq(old_text, old_blob.content()) {
        return diff_buffers(old_text, new.text());
    }
    let mut lines = LineSet::default();
    let mut on_hunk = |_: DiffDelta<'_>, hunk: git2::DiffHunk<'_>| {
        push_hunk(&mut lines, hunk.new_start(), hunk.new_lines());
        true
    };
    repo.diff_blobs(
        Some(old_blob),
        None,
        Some(&new.blob),
        None,
        Some(&mut line_diff_options()),
        None,
        None,
        Some(&mut on_hunk),
        None,
    )?;
    Ok(lines)
}

/// A blob's text as keyfence scans it: decoded when [`classify`] decodes it, else as is (binary
/// included, which the diff then treats as text).
pub fn text_of(bytes: &[u8]) -> Cow<'_, [u8]> {
    match classify(Cow::Borrowed(bytes)) {
        Content::Text(text) => text,
        Content::Binary => Cow::Borrowed(bytes),
    }
}

/// The lines of `new` that a diff from `old` adds (1-based, numbered in `new`). Both are texts as
/// keyfence scans them ([`text_of`]), so a UTF-16 file's lines are compared decoded.
///
/// With zero context lines every hunk's new side is exactly the lines it adds. The diff is forced
/// to text so a `.gitattributes` `binary` or `-diff` cannot hide a secret.
pub fn added_lines(old: &[u8], new: &[u8]) -> Result<LineSet> {
    match added_without_diff(&common_lines::middle(old, new)) {
        Some(lines) => Ok(lines),
        None => diff_buffers(old, new),
    }
}

/// The added lines when the new text only inserts lines into the old one, or only removes
/// lines from it (the commonest edits: appended or deleted lines): what lies between the lines
/// both share at either end. `None` when both texts have lines of their own there, which only
/// a line diff can align.
///
/// The answer is xdiff's: xdiff cuts the same shared lines first, and a run of inserted lines
/// between maximal shared runs cannot slide (a slide would lengthen the shared start).
fn added_without_diff(middle: &Middle<'_>) -> Option<LineSet> {
    if middle.new.is_empty() {
        return Some(LineSet::default());
    }
    if !middle.old.is_empty() {
        return None;
    }
    Some(middle_lines(middle))
}

/// The lines `new` adds to `old` by libgit2's line diff of the two buffers.
fn diff_buffers(old: &[u8], new: &[u8]) -> Result<LineSet> {
    let patch = Patch::from_buffers(old, None, new, None, Some(&mut line_diff_options()))?;
    let mut lines = LineSet::default();
    for hunk_index in 0..patch.num_hunks() {
        let (hunk, _) = patch.hunk(hunk_index)?;
        push_hunk(&mut lines, hunk.new_start(), hunk.new_lines());
    }
    Ok(lines)
}

/// Lines in `text` (not empty), the last one counted whether or not it ends with a newline.
fn line_count(text: &[u8]) -> usize {
    memchr::memchr_iter(b'\n', text).count() + usize::from(text.last().is_some_and(|&b| b != b'\n'))
}

/// Zero context lines, so every hunk's new side is exactly the lines it adds; forced to text.
fn line_diff_options() -> DiffOptions {
    let mut options = DiffOptions::new();
    options.context_lines(0).interhunk_lines(0).force_text(true);
    options
}

/// Adds a hunk's new side (`count` lines from 1-based `start`) to `lines`.
fn push_hunk(lines: &mut LineSet, start: u32, count: u32) {
    if count > 0 {
        let first = start as usize;
        lines.push(first, first + count as usize - 1);
    }
}

/// The first 12 hex digits of an object id, for messages.
pub fn short(oid: Oid) -> String {
    oid.to_string()[..12].to_owned()
}
