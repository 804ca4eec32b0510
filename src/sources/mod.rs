//! Where the bytes come from: files and directories, the git index, standard input.
//!
//! Every source turns what it reads into [`Fragment`]s (text plus a typed record of where it came
//! from) and hands each to a visitor; nothing downstream reopens a file or the repository.
//! Problems that stop a source from reading something are recorded in [`Diagnostics`] so the run
//! can fail closed (exit 2) after reporting what it did find.

pub mod common_lines;
pub mod config_changes;
pub mod files;
pub mod gitdiff;
pub mod head;
pub mod history;
pub mod history_filter;
pub mod index_diff;
pub mod keyfenceignore;
pub mod push;
pub mod range_forms;
pub mod repo;
pub mod staged;
pub mod stdin;
pub mod tree_diff;

use std::borrow::Cow;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Where a fragment came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Provenance {
    /// A file on disk; `path` is relative to the repository root when the file is inside a git
    /// work tree, else as given on the command line.
    File {
        /// Reported path.
        path: String,
    },
    /// A blob in the git index (what `git commit` would record); `path` is relative to the
    /// repository root.
    Staged {
        /// Path in the index.
        path: String,
    },
    /// Standard input, reported as path `-`.
    Stdin,
    /// A blob as a commit introduced it (history scans).
    Commit {
        /// Path in the commit's tree.
        path: String,
        /// The commit.
        commit: CommitInfo,
    },
}

/// The commit a history finding comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitInfo {
    /// Full hex object id.
    pub sha: String,
    /// Author email (lossy UTF-8).
    pub author: String,
    /// Committer email (lossy UTF-8): who wrote the commit into history, often the author.
    pub committer: String,
    /// Author date, RFC 3339 in the author's time zone.
    pub date: String,
    /// Author name (lossy UTF-8).
    pub author_name: String,
    /// First line of the commit message (lossy UTF-8, trimmed).
    pub message: String,
}

impl Provenance {
    /// The path findings report, with `/` separators.
    pub fn path(&self) -> &str {
        match self {
            Provenance::File { path } | Provenance::Staged { path } | Provenance::Commit { path, .. } => path,
            Provenance::Stdin => "-",
        }
    }
}

/// 1-based inclusive line ranges, sorted and disjoint: the lines a change added.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineSet {
    ranges: Vec<(usize, usize)>,
}

impl LineSet {
    /// Adds lines `first..=last` (1-based). Ranges must be added in increasing order.
    pub fn push(&mut self, first: usize, last: usize) {
        debug_assert!(first <= last);
        match self.ranges.last_mut() {
            Some(previous) if previous.1 + 1 >= first => previous.1 = previous.1.max(last),
            _ => self.ranges.push((first, last)),
        }
    }

    /// True if any line of `first..=last` is in the set.
    pub fn intersects(&self, first: usize, last: usize) -> bool {
        let after = self.ranges.partition_point(|&(_, end)| end < first);
        self.ranges.get(after).is_some_and(|&(start, _)| start <= last)
    }

    /// The lines in both `self` and `other`.
    pub fn intersection(&self, other: &LineSet) -> LineSet {
        let mut both = LineSet::default();
        let (mut i, mut j) = (0, 0);
        while i < self.ranges.len() && j < other.ranges.len() {
            let (a, b) = (self.ranges[i], other.ranges[j]);
            let (first, last) = (a.0.max(b.0), a.1.min(b.1));
            if first <= last {
                both.push(first, last);
            }
            if a.1 < b.1 {
                i += 1;
            } else {
                j += 1;
            }
        }
        both
    }

    /// The ranges, 1-based inclusive, in increasing order.
    pub fn ranges(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.ranges.iter().copied()
    }

    /// True if no line is in the set.
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }
}

/// A unit of text to scan, with where it came from.
#[derive(Debug, Clone)]
pub struct Fragment<'a> {
    /// Where the bytes came from.
    pub provenance: Provenance,
    /// The text (already decoded from UTF-16 when it had a byte-order mark).
    pub text: Cow<'a, [u8]>,
    /// When set, only findings touching these lines are reported (the lines a change added).
    pub added_lines: Option<LineSet>,
    /// Lines of the source before `text` (a chunk of a stream): added to reported line numbers.
    pub lines_before: usize,
}

/// Bytes read from some source, classified before scanning.
#[derive(Debug)]
pub enum Content<'a> {
    /// Text to scan.
    Text(Cow<'a, [u8]>),
    /// Binary data (a NUL byte in the first 8 KiB): not scanned, like git's own heuristic.
    Binary,
}

/// How much of the start of a file is searched for a NUL byte to call it binary (git uses 8000).
pub const BINARY_SNIFF_LEN: usize = 8192;

/// Classifies raw bytes and decodes what is not UTF-8, keeping every newline so line numbers
/// hold:
/// - a UTF-8 byte-order mark is dropped (it is not a column);
/// - UTF-32 with a byte-order mark, and UTF-16 with one (when the text has the NUL bytes UTF-16
///   of ASCII has; `FF FE` before plain text is just two odd bytes), are decoded;
/// - UTF-16 without a byte-order mark is recognized by NUL bytes in every other position;
/// - any other NUL byte in the first [`BINARY_SNIFF_LEN`] bytes means binary (git's heuristic);
/// - anything else is text, valid UTF-8 or not.
///
/// Invalid code units become U+FFFD.
pub fn classify(bytes: Cow<'_, [u8]>) -> Content<'_> {
    let sniff = &bytes[..bytes.len().min(BINARY_SNIFF_LEN)];
    let has_nul = memchr::memchr(0, sniff).is_some();
    match bytes.as_ref() {
        [0xEF, 0xBB, 0xBF, rest @ ..] if !has_nul => return Content::Text(Cow::Owned(rest.to_vec())),
        [0xFF, 0xFE, 0, 0, rest @ ..] => return Content::Text(Cow::Owned(decode_utf32(rest, true))),
        [0, 0, 0xFE, 0xFF, rest @ ..] => return Content::Text(Cow::Owned(decode_utf32(rest, false))),
        [0xFF, 0xFE, rest @ ..] if has_nul => return Content::Text(Cow::Owned(decode_utf16(rest, true))),
        [0xFE, 0xFF, rest @ ..] if has_nul => return Content::Text(Cow::Owned(decode_utf16(rest, false))),
        _ => {}
    }
    if !has_nul {
        return Content::Text(bytes);
    }
    match utf16_without_bom(sniff) {
        Some(little_endian) => Content::Text(Cow::Owned(decode_utf16(&bytes, little_endian))),
        None => Content::Binary,
    }
}

/// `Some(little_endian)` if NUL bytes sit almost only in the odd (UTF-16LE) or even (UTF-16BE)
/// positions and fill most of them, as in UTF-16 text that is mostly ASCII.
fn utf16_without_bom(sniff: &[u8]) -> Option<bool> {
    let pairs = sniff.len() / 2;
    if pairs < 2 {
        return None;
    }
    let zeros_at = |parity: usize| sniff.iter().skip(parity).step_by(2).filter(|&&b| b == 0).count();
    let (even, odd) = (zeros_at(0), zeros_at(1));
    let mostly = |n: usize| n * 10 >= pairs * 6;
    let hardly = |n: usize| n * 20 <= pairs;
    match (mostly(odd) && hardly(even), mostly(even) && hardly(odd)) {
        (true, _) => Some(true),
        (_, true) => Some(false),
        _ => None,
    }
}

fn decode_utf16(bytes: &[u8], little_endian: bool) -> Vec<u8> {
    let units = bytes.chunks_exact(2).map(|pair| {
        let pair = [pair[0], pair[1]];
        if little_endian {
            u16::from_le_bytes(pair)
        } else {
            u16::from_be_bytes(pair)
        }
    });
    let text: String = char::decode_utf16(units).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)).collect();
    text.into_bytes()
}

fn decode_utf32(bytes: &[u8], little_endian: bool) -> Vec<u8> {
    let text: String = bytes
        .chunks_exact(4)
        .map(|quad| {
            let quad = [quad[0], quad[1], quad[2], quad[3]];
            let value = if little_endian { u32::from_le_bytes(quad) } else { u32::from_be_bytes(quad) };
            char::from_u32(value).unwrap_or(char::REPLACEMENT_CHARACTER)
        })
        .collect();
    text.into_bytes()
}

/// Errors and warnings a source met while reading; shared by the threads of a parallel walk.
#[derive(Debug, Default)]
pub struct Diagnostics {
    errors: Mutex<Vec<String>>,
    warnings: Mutex<Vec<String>>,
    partial: Mutex<Vec<String>>,
    skipped: [AtomicUsize; 3],
}

/// Why a file was left out of a scan without an error, for the summary's "N files skipped".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// Matched by `.gitignore`, `.git/info/exclude` or the global excludes file (a directory
    /// counts once, as `git status --ignored` lists it); `--no-ignore` includes these.
    Ignored,
    /// Over the size limit (text; a warning or error says which).
    Oversized,
    /// Binary (a NUL byte near the start).
    Binary,
}

/// How many files each [`Skip`] reason left out, in the order ignored, oversized, binary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SkipCounts {
    /// Paths left out by git's ignore rules.
    pub ignored: usize,
    /// Text files over the size limit.
    pub oversized: usize,
    /// Binary files.
    pub binary: usize,
}

impl SkipCounts {
    /// All skipped files.
    pub fn total(&self) -> usize {
        self.ignored + self.oversized + self.binary
    }
}

impl Diagnostics {
    /// Records that something could not be scanned; the run will exit 2 (fail closed).
    pub fn error(&self, message: String) {
        self.errors.lock().unwrap_or_else(|e| e.into_inner()).push(message);
    }

    /// Records something worth telling that does not make the scan incomplete by our contract
    /// (e.g. a file over the size limit).
    pub fn warning(&self, message: String) {
        self.warnings.lock().unwrap_or_else(|e| e.into_inner()).push(message);
    }

    /// Records that part of the input was out of reach (history below a shallow clone's
    /// boundary): what was read is reported, and a run that found nothing exits 2, since its
    /// "clean" would cover what it never read.
    pub fn partial(&self, message: String) {
        self.partial.lock().unwrap_or_else(|e| e.into_inner()).push(message);
    }

    /// What [`Diagnostics::partial`] recorded, sorted.
    pub fn partials(&self) -> Vec<String> {
        let mut partial = self.partial.lock().unwrap_or_else(|e| e.into_inner()).clone();
        partial.sort();
        partial
    }

    /// All errors, sorted (parallel walks record them in any order).
    pub fn errors(&self) -> Vec<String> {
        let mut errors = self.errors.lock().unwrap_or_else(|e| e.into_inner()).clone();
        errors.sort();
        errors
    }

    /// All warnings, sorted.
    pub fn warnings(&self) -> Vec<String> {
        let mut warnings = self.warnings.lock().unwrap_or_else(|e| e.into_inner()).clone();
        warnings.sort();
        warnings
    }

    /// Records that `count` files were left out for `reason`.
    pub fn skipped(&self, reason: Skip, count: usize) {
        self.skipped[reason as usize].fetch_add(count, Ordering::Relaxed);
    }

    /// How many files were left out, by reason.
    pub fn skip_counts(&self) -> SkipCounts {
        let count = |reason: Skip| self.skipped[reason as usize].load(Ordering::Relaxed);
        SkipCounts {
            ignored: count(Skip::Ignored),
            oversized: count(Skip::Oversized),
            binary: count(Skip::Binary),
        }
    }
}

/// Options every source honors.
#[derive(Debug, Clone)]
pub struct SourceOptions {
    /// Text files (and blobs) larger than this many bytes are not scanned.
    pub max_file_size: u64,
    /// Whether an oversized text file is an error (the staged change: the hook fails closed)
    /// rather than a warning (directories and history, where the limit is a policy).
    pub oversized_is_error: bool,
    /// Where the limit came from (`--max-file-size`, `KEYFENCE_MAX_FILE_SIZE`, the configuration
    /// or `the default`), for the message.
    pub limit_source: &'static str,
    /// Scan files git's ignore rules leave out (`--no-ignore`); `.keyfenceignore` still holds.
    pub no_ignore: bool,
    /// Threads that scan files or commits (`-j`); `None` means one per core.
    pub threads: Option<usize>,
    /// When a history scan may reuse the findings of a blob pair seen before.
    pub reuse: Reuse,
    /// The commit whose `.keyfenceignore` files a history scan honors (a range's base); `None`:
    /// the work tree's.
    pub ignore_files_at: Option<git2::Oid>,
    /// Which commits and paths a history scan keeps (`--since`, `--until`, `--branch`, `-- PATH…`).
    pub history: history_filter::HistoryFilter,
}

/// When the findings of a blob pair may be reused for the same pair elsewhere in history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Reuse {
    /// At any path, in any commit (nothing in the configuration depends on either).
    #[default]
    Anywhere,
    /// Only at the same path (path globs in rules or allowlists).
    SamePath,
    /// Never (allowlists by commit).
    Never,
}

/// How big something not scanned for its size is, for the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    /// Its size in bytes (a file's metadata, a blob's header).
    Exactly(u64),
    /// More than this many bytes: a stream read up to the limit, whose end was never reached.
    MoreThan(u64),
}

impl std::fmt::Display for Size {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Size::Exactly(bytes) => write!(f, "{bytes} bytes"),
            Size::MoreThan(bytes) => write!(f, "more than {bytes} bytes"),
        }
    }
}

impl SourceOptions {
    /// Records that the text file or blob `what` (`size` bytes) met in a walk or a history was
    /// not scanned for its size: an error when [`SourceOptions::oversized_is_error`], else a
    /// warning.
    pub fn report_oversized(&self, diagnostics: &Diagnostics, what: &str, size: u64) {
        self.record_oversized(diagnostics, what, Size::Exactly(size), self.oversized_is_error);
    }

    /// Records that the text file `what` (`size`), named on the command line, was not scanned
    /// for its size: always an error, since the user asked for exactly that file.
    pub fn report_oversized_named(&self, diagnostics: &Diagnostics, what: &str, size: Size) {
        self.record_oversized(diagnostics, what, size, true);
    }

    fn record_oversized(&self, diagnostics: &Diagnostics, what: &str, size: Size, is_error: bool) {
        let message = format!(
            "{what} was not scanned: {size} is over the limit of {} MiB ({}); to scan it, raise KEYFENCE_MAX_FILE_SIZE (MiB, also read by the hook) or pass --max-file-size",
            self.max_file_size / (1024 * 1024),
            self.limit_source
        );
        diagnostics.skipped(Skip::Oversized, 1);
        if is_error {
            diagnostics.error(message);
        } else {
            diagnostics.warning(message);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_set_merges_and_intersects() {
        let mut set = LineSet::default();
        set.push(2, 3);
        set.push(4, 4);
        set.push(10, 12);
        assert_eq!(set.ranges, vec![(2, 4), (10, 12)]);
        assert!(set.intersects(1, 2));
        assert!(set.intersects(4, 9));
        assert!(!set.intersects(5, 9));
        assert!(set.intersects(12, 20));
        assert!(!set.intersects(13, 20));
        assert!(!set.intersects(1, 1));
    }

    #[test]
    fn line_set_intersection() {
        let mut a = LineSet::default();
        a.push(1, 5);
        a.push(10, 20);
        let mut b = LineSet::default();
        b.push(4, 12);
        b.push(18, 30);
        assert_eq!(a.intersection(&b).ranges, vec![(4, 5), (10, 12), (18, 20)]);
        assert!(a.intersection(&LineSet::default()).is_empty());
    }

    #[test]
    fn utf16_is_decoded_and_nul_is_binary() {
        let utf16: Vec<u8> =
            [0xFF, 0xFE].into_iter().chain("a=1\n".encode_utf16().flat_map(u16::to_le_bytes)).collect();
        match classify(Cow::Owned(utf16)) {
            Content::Text(text) => assert_eq!(&*text, b"a=1\n"),
            Content::Binary => panic!("UTF-16 with BOM is text"),
        }
        assert!(matches!(classify(Cow::Borrowed(b"a\0b")), Content::Binary));
        assert!(matches!(classify(Cow::Borrowed(b"\xff\xfe")), Content::Text(_)));
        assert!(matches!(classify(Cow::Borrowed(b"caf\xe9")), Content::Text(_)));
        let text = |bytes: &[u8]| match classify(Cow::Owned(bytes.to_vec())) {
            Content::Text(text) => text.into_owned(),
            Content::Binary => b"<binary>".to_vec(),
        };
        let le: Vec<u8> = "k=1\nv=2\n".encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(text(&le), b"k=1\nv=2\n", "UTF-16LE without a BOM");
        let be: Vec<u8> = "k=1\nv=2\n".encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(text(&be), b"k=1\nv=2\n", "UTF-16BE without a BOM");
        let utf32: Vec<u8> = [0xFF, 0xFE, 0, 0]
            .into_iter()
            .chain("k=1\n".chars().flat_map(|c| (c as u32).to_le_bytes()))
            .collect();
        assert_eq!(text(&utf32), b"k=1\n");
        assert_eq!(text(b"\xff\xfek=1\n"), b"\xff\xfek=1\n", "FF FE before plain text is not UTF-16");
        assert_eq!(text(b"\xef\xbb\xbfk=1\n"), b"k=1\n", "the UTF-8 BOM is dropped");
        assert_eq!(text(b"\x00\x01\x02\x03\x04\x05"), b"<binary>");
    }
}
