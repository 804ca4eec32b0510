//! Files and directories on disk, walked in parallel with the `ignore` crate.
//!
//! Rules of the walk (what a git user expects):
//! - inside a git work tree, `.gitignore`, `.git/info/exclude` and the global excludes file are
//!   honored, except that a file git tracks is always scanned (git ignores those rules for
//!   tracked files, and a force-added `.env` is exactly what must be found);
//! - `.keyfenceignore` files (gitignore syntax) are honored everywhere; ripgrep's `.ignore`
//!   files are not, since they say what to search, not what may hold secrets; `--no-ignore`
//!   turns git's rules off (not `.keyfenceignore`'s), and the summary counts what they left out;
//! - hidden files such as `.env` are scanned; `.git` directories are not;
//! - symbolic links inside a directory are not followed;
//! - a path named on the command line is always read, even if ignored, a symbolic link, or not a
//!   regular file (a FIFO, `<(…)` process substitution): named means wanted.

use super::keyfenceignore::KeyfenceIgnore;
use super::{classify, Content, Diagnostics, Fragment, Provenance, Size, Skip, SourceOptions};
use crate::error::Hinted;
use anyhow::Result;
use ignore::{WalkBuilder, WalkState};
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashSet;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

/// One path from the command line and how to show the paths under it.
#[derive(Debug, Clone)]
struct Root {
    /// As given.
    given: PathBuf,
    /// What `given` is shown as: its path from the repository root when inside a git work tree
    /// (empty for the root itself), else `given` without a leading `./`.
    shown: PathBuf,
    /// The git work tree holding it, if any.
    workdir: Option<PathBuf>,
    /// A directory (walked) rather than something to read.
    is_dir: bool,
}

type Visit<'a> = dyn Fn(Fragment<'_>) + Sync + 'a;

/// Paths as shown, hashed with a fast non-cryptographic hash: the walk records every path it
/// yields (tens of thousands in a large tree), and the paths are not chosen by an attacker who
/// could gain anything from collisions beyond a slower scan.
type PathSet = HashSet<String, foldhash::fast::RandomState>;

/// Scans `paths`: directories are walked in parallel, anything else is read; every text file is
/// handed to `visit`.
///
/// Errors before scanning if a path does not exist. Files that cannot be read are recorded in
/// `diagnostics` and the scan goes on.
pub fn walk(
    paths: &[PathBuf],
    options: &SourceOptions,
    diagnostics: &Diagnostics,
    visit: &Visit<'_>,
) -> Result<()> {
    let roots = paths.iter().map(|p| resolve_root(p)).collect::<Result<Vec<_>>>()?;
    for root in roots.iter().filter(|r| !r.is_dir) {
        scan_named(&root.given, display(&root.shown), options, diagnostics, visit);
    }
    let dirs: Vec<&Root> = roots.iter().filter(|r| r.is_dir).collect();
    if dirs.is_empty() {
        return Ok(());
    }
    // Every path the walk yields (files and folders, as shown), so the ignored ones can be
    // counted afterwards and the tracked ones among them scanned.
    let seen = Mutex::new(PathSet::default());
    // Git's ignore rules apply only inside a repository (the walker's `require_git`): with none
    // at or above a root and none met on the way, they left nothing out, and the counting walk
    // below is not needed.
    let met_repository = AtomicBool::new(dirs.iter().any(|root| in_repository(&root.given)));
    let mut builder = walk_builder(&dirs, options.no_ignore);
    // 0 lets the walker pick (one thread per core, at most 12).
    builder.threads(options.threads.unwrap_or(0));
    builder.build_parallel().run(|| {
        Box::new(|entry| {
            match entry {
                Ok(entry) => {
                    let shown = shown_path(&roots, entry.path());
                    let is_file = entry.file_type().is_some_and(|t| t.is_file());
                    let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
                    if is_dir && !met_repository.load(Ordering::Relaxed) && holds_repository(entry.path()) {
                        met_repository.store(true, Ordering::Relaxed);
                    }
                    lock(&seen).insert(shown.clone());
                    if is_file {
                        scan_file(entry.path(), shown, options, diagnostics, visit);
                    }
                }
                Err(err) => diagnostics.error(format!("cannot walk: {err}")),
            }
            WalkState::Continue
        })
    });
    let mut seen = seen.into_inner().unwrap_or_else(|e| e.into_inner());
    for root in dirs.iter().filter(|r| r.workdir.is_some()) {
        for path in scan_ignored_but_tracked(root, &seen, options, diagnostics, visit) {
            // The folders above a tracked file count as seen, so the count of ignored paths
            // goes on inside them rather than counting the folder as a whole.
            let mut place = Some(Path::new(&path));
            while let Some(p) = place.filter(|p| !p.as_os_str().is_empty()) {
                seen.insert(display(p));
                place = p.parent();
            }
        }
    }
    if !options.no_ignore && met_repository.into_inner() {
        diagnostics.skipped(Skip::Ignored, count_ignored(&roots, &dirs, &seen));
    }
    Ok(())
}

/// The walker over `dirs`: hidden files in, `.git` out, links not followed, `.keyfenceignore`
/// honored, and git's ignore rules too unless `no_ignore`.
fn walk_builder(dirs: &[&Root], no_ignore: bool) -> WalkBuilder {
    let mut builder = WalkBuilder::new(&dirs[0].given);
    for root in &dirs[1..] {
        builder.add(&root.given);
    }
    builder
        .hidden(false)
        .ignore(false)
        .git_ignore(!no_ignore)
        .git_exclude(!no_ignore)
        .git_global(!no_ignore)
        .follow_links(false)
        .add_custom_ignore_filename(".keyfenceignore")
        .filter_entry(|entry| {
            !(entry.file_name() == ".git" && entry.file_type().is_some_and(|t| t.is_dir()))
        });
    builder
}

/// How many paths under `dirs` git's ignore rules left out of the walk that produced `seen`: a
/// second walk without those rules that only counts, and does not descend into an ignored
/// folder (it counts once, as `git status --ignored` shows it).
fn count_ignored(roots: &[Root], dirs: &[&Root], seen: &PathSet) -> usize {
    let ignored = AtomicUsize::new(0);
    walk_builder(dirs, true).build_parallel().run(|| {
        Box::new(|entry| {
            let Ok(entry) = entry else { return WalkState::Continue };
            if seen.contains(&shown_path(roots, entry.path())) {
                return WalkState::Continue;
            }
            ignored.fetch_add(1, Ordering::Relaxed);
            WalkState::Skip
        })
    });
    ignored.into_inner()
}

/// True if `dir` or a folder above it is where a repository starts (see [`holds_repository`]);
/// a path that cannot be resolved counts as inside one.
fn in_repository(dir: &Path) -> bool {
    let Ok(absolute) = std::fs::canonicalize(dir) else { return true };
    absolute.ancestors().any(holds_repository)
}

/// True if `dir` holds a `.git` or `.jj` entry: the walker's test for applying git's ignore
/// rules in it and below.
fn holds_repository(dir: &Path) -> bool {
    dir.join(".git").exists() || dir.join(".jj").exists()
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// Scans the files git tracks under `root` that the walk skipped because an ignore rule matched
/// them (git ignores those rules for tracked files); returns their paths.
fn scan_ignored_but_tracked(
    root: &Root,
    visited: &PathSet,
    options: &SourceOptions,
    diagnostics: &Diagnostics,
    visit: &Visit<'_>,
) -> Vec<String> {
    let mut scanned = Vec::new();
    let Some(workdir) = &root.workdir else { return scanned };
    let Ok(index) = git2::Repository::open(workdir).and_then(|repo| repo.index()) else { return scanned };
    let keyfenceignore = KeyfenceIgnore::new(Some(workdir));
    let prefix = display(&root.shown);
    for entry in index.iter() {
        let path = String::from_utf8_lossy(&entry.path).into_owned();
        let under_root = prefix.is_empty() || path == prefix || path.starts_with(&format!("{prefix}/"));
        if !under_root || visited.contains(&path) || keyfenceignore.is_ignored(&path) {
            continue;
        }
        let on_disk = workdir.join(&path);
        if std::fs::symlink_metadata(&on_disk).is_ok_and(|m| m.is_file()) {
            scan_file(&on_disk, path.clone(), options, diagnostics, visit);
            scanned.push(path);
        }
    }
    scanned
}

/// Reads a path named on the command line that is not a directory: a file, a symbolic link to
/// one, a FIFO or a character device. At most `max_file_size` + 1 bytes are read, so an endless
/// stream cannot exhaust memory.
///
/// A named text file over the limit is an error, not a skip: the user asked for that file, and a
/// scan that silently passes over it would claim it clean (fail closed, as `--staged` does).
/// Binary files are skipped silently, as everywhere.
fn scan_named(
    path: &Path,
    shown: String,
    options: &SourceOptions,
    diagnostics: &Diagnostics,
    visit: &Visit<'_>,
) {
    // A regular file says its size up front: no need to read it to know it is too big.
    let regular_size = std::fs::metadata(path).ok().filter(|m| m.is_file()).map(|m| m.len());
    if let Some(size) = regular_size.filter(|&size| size > options.max_file_size) {
        if !starts_binary(path) {
            options.report_oversized_named(diagnostics, &shown, Size::Exactly(size));
        } else {
            diagnostics.skipped(Skip::Binary, 1);
        }
        return;
    }
    let mut bytes = Vec::new();
    let read =
        std::fs::File::open(path).and_then(|f| f.take(options.max_file_size + 1).read_to_end(&mut bytes));
    if let Err(err) = read {
        return diagnostics.error(format!("cannot read {shown}: {err}"));
    }
    if bytes.len() as u64 > options.max_file_size {
        // A stream (FIFO, process substitution, or a file that grew while read): only the
        // first limit + 1 bytes were read, so its real size is unknown.
        if matches!(
            classify(Cow::Borrowed(&bytes[..super::BINARY_SNIFF_LEN.min(bytes.len())])),
            Content::Binary
        ) {
            diagnostics.skipped(Skip::Binary, 1);
        } else {
            options.report_oversized_named(diagnostics, &shown, Size::MoreThan(options.max_file_size));
        }
        return;
    }
    visit_text(Cow::Owned(bytes), shown, diagnostics, visit);
}

/// Reads one file found by the walk and hands it to `visit` unless it is too large or binary.
fn scan_file(
    path: &Path,
    shown: String,
    options: &SourceOptions,
    diagnostics: &Diagnostics,
    visit: &Visit<'_>,
) {
    // One open, then the size from the open file: a second lookup of the path by name
    // (`metadata`, then `read`) costs a few percent of a scan of many small files.
    let opened = std::fs::File::open(path).and_then(|file| Ok((file.metadata()?.len(), file)));
    let (size, mut file) = match opened {
        Ok(opened) => opened,
        Err(err) => return diagnostics.error(format!("cannot read {shown}: {err}")),
    };
    if size > options.max_file_size {
        // Big binaries (build output, media) are skipped silently like any binary; only a big
        // text file is worth a warning, since it may hold a secret we did not look at.
        if starts_binary(path) {
            diagnostics.skipped(Skip::Binary, 1);
        } else {
            options.report_oversized(diagnostics, &shown, size);
        }
        return;
    }
    let Some(size) = usize::try_from(size).ok().filter(|&size| size < isize::MAX as usize) else {
        return diagnostics.error(format!("cannot read {shown}: too large to hold in memory"));
    };
    if size > KEPT_BUFFER {
        // A rare big file gets a buffer of its own, which std's read_to_end fills without
        // zeroing it first (zeroing a reused buffer is cheap only because it grows once).
        let mut bytes = Vec::with_capacity(size + 1);
        return match file.read_to_end(&mut bytes) {
            Ok(_) => visit_text(Cow::Owned(bytes), shown, diagnostics, visit),
            Err(err) => diagnostics.error(format!("cannot read {shown}: {err}")),
        };
    }
    READ_BUFFER.with_borrow_mut(|buffer| {
        match read_known_size(&mut file, size, buffer) {
            Ok(read) => visit_text(Cow::Borrowed(&buffer[..read]), shown, diagnostics, visit),
            Err(err) => diagnostics.error(format!("cannot read {shown}: {err}")),
        }
        if buffer.capacity() > KEPT_BUFFER + 1 {
            // A file that grew while it was read.
            *buffer = Vec::new();
        }
    });
}

thread_local! {
    /// Each walker thread's buffer for file contents, reused from file to file: most files are
    /// small, and a fresh allocation per file costs more than reading it.
    static READ_BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Largest file read into [`READ_BUFFER`] (bytes); a rare bigger file gets a buffer of its own.
const KEPT_BUFFER: usize = 1 << 20;

/// Reads all of `file`, whose metadata said it holds `size` bytes, into the start of `buffer`
/// (grown as needed, never shrunk); returns how many bytes were read.
///
/// std's `read_to_end` asks the kernel for the size again (`fstat`, `lseek`) and reads once more
/// to see the end. Here the read asks for one byte more than `size`: a read of a regular file
/// comes back short only at its end, so the usual single read returning `size` bytes ends it. A
/// file that grew since its size was taken is read to its end; one that shrank, until a read
/// returns nothing.
fn read_known_size(file: &mut File, size: usize, buffer: &mut Vec<u8>) -> io::Result<usize> {
    if buffer.len() <= size {
        buffer.resize(size + 1, 0);
    }
    let mut filled = 0;
    loop {
        match file.read(&mut buffer[filled..=size]) {
            Ok(0) => return Ok(filled),
            // Short of the byte asked for beyond `size`: the end of the file.
            Ok(read) if filled + read == size => return Ok(size),
            Ok(read) if filled + read > size => {
                buffer.truncate(filled + read);
                return file.read_to_end(buffer).map(|_| buffer.len());
            }
            Ok(read) => filled += read,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
}

/// Hands a file's bytes to `visit` unless they are binary (counted as skipped).
fn visit_text(bytes: Cow<'_, [u8]>, shown: String, diagnostics: &Diagnostics, visit: &Visit<'_>) {
    match classify(bytes) {
        Content::Text(text) => visit(Fragment {
            provenance: Provenance::File { path: shown },
            text,
            added_lines: None,
            lines_before: 0,
        }),
        Content::Binary => diagnostics.skipped(Skip::Binary, 1),
    }
}

/// True if the first block of the file says binary (see [`classify`]); unreadable counts as not.
fn starts_binary(path: &Path) -> bool {
    let mut head = Vec::with_capacity(super::BINARY_SNIFF_LEN);
    let read =
        std::fs::File::open(path).and_then(|f| f.take(super::BINARY_SNIFF_LEN as u64).read_to_end(&mut head));
    read.is_ok() && matches!(classify(Cow::Owned(head)), Content::Binary)
}

/// Checks that `given` exists and works out how to show paths under it.
fn resolve_root(given: &Path) -> Result<Root> {
    let meta = std::fs::metadata(given).map_err(|err| {
        Hinted::new(
            format!("cannot read {}: {err}", given.display()),
            "check the path; `keyfence scan` with no path scans the current directory",
        )
    })?;
    // Process substitutions (/dev/fd/N) and similar have no canonical path: shown as given.
    let (shown, workdir) = match std::fs::canonicalize(given).ok().and_then(|abs| repository_relative(&abs)) {
        Some((relative, workdir)) => (relative, Some(workdir)),
        None => (strip_dot(given), None),
    };
    Ok(Root { given: given.to_path_buf(), shown, workdir, is_dir: meta.is_dir() })
}

/// The path of `absolute` from the root of the git work tree holding it, and that root.
fn repository_relative(absolute: &Path) -> Option<(PathBuf, PathBuf)> {
    let start = if absolute.is_dir() { absolute } else { absolute.parent()? };
    let repo = git2::Repository::discover(start).ok()?;
    let workdir = std::fs::canonicalize(repo.workdir()?).ok()?;
    let relative = absolute.strip_prefix(&workdir).ok()?.to_path_buf();
    Some((relative, workdir))
}

fn strip_dot(path: &Path) -> PathBuf {
    path.components().skip_while(|c| matches!(c, std::path::Component::CurDir)).collect()
}

/// A path as findings show it: `/`-separated.
fn display(path: &Path) -> String {
    let text = path.to_string_lossy().into_owned();
    if std::path::MAIN_SEPARATOR == '\\' {
        text.replace('\\', "/")
    } else {
        text
    }
}

/// The path findings report for `path`, a path the walker produced under one of `roots`.
fn shown_path(roots: &[Root], path: &Path) -> String {
    let under_root = roots.iter().find_map(|root| {
        let rest = joined_rest(&root.given, path).or_else(|| path.strip_prefix(&root.given).ok())?;
        Some((root, rest))
    });
    let joined = match under_root {
        Some((root, rest)) if rest.as_os_str().is_empty() => root.shown.clone(),
        Some((root, rest)) => root.shown.join(rest),
        // The walker only yields paths under its roots; show the path as it is if not.
        None => path.to_path_buf(),
    };
    display(&joined)
}

/// `path` after `root`, found by comparing bytes, when `path` is `root` joined with a relative
/// path that `Path::strip_prefix` would give back unchanged (no separator or `.` at either end);
/// else `None`, and the caller compares components (a dozen times slower, and paid per file).
///
/// The walker builds each path by joining names to its root, so this is the usual case.
#[cfg(unix)]
fn joined_rest<'p>(root: &Path, path: &'p Path) -> Option<&'p Path> {
    use std::os::unix::ffi::OsStrExt;
    let (root, bytes) = (root.as_os_str().as_bytes(), path.as_os_str().as_bytes());
    let rest = bytes.strip_prefix(root)?;
    let rest = if root.ends_with(b"/") { rest } else { rest.strip_prefix(b"/")? };
    let clean_ends = !rest.is_empty()
        && !rest.starts_with(b"/")
        && !rest.starts_with(b"./")
        && !rest.ends_with(b"/")
        && !rest.ends_with(b"/.")
        && rest != b".";
    clean_ends.then(|| Path::new(std::ffi::OsStr::from_bytes(rest)))
}

/// Off Unix, `/` is not the only separator: the components decide (see the Unix version).
#[cfg(not(unix))]
fn joined_rest<'p>(_root: &Path, _path: &'p Path) -> Option<&'p Path> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Seek, Write};

    #[test]
    fn the_byte_comparison_agrees_with_strip_prefix_or_leaves_it_the_call() {
        let cases = [
            ("/tmp/tree", "/tmp/tree/a/b.rs"),
            ("/tmp/tree/", "/tmp/tree/a"),
            ("./tree", "./tree/a/b"),
            (".", "./a"),
            ("./", "./a/b"),
            ("tree/.", "tree/./a"),
            ("a//b", "a//b/c"),
            ("/", "/etc/hosts"),
            ("/tmp/tree", "/tmp/treetop/a"),
            ("/tmp/tree", "/tmp/tree"),
            ("/tmp/tree", "/tmp/tree/a/"),
            ("/tmp/tree", "/tmp/tree//a"),
            ("/tmp/tree", "/tmp/tree/./a"),
            ("/tmp/tree", "/tmp/tree/a/."),
        ];
        let mut by_bytes = 0;
        for (root, path) in cases {
            let (root, path) = (Path::new(root), Path::new(path));
            let Some(rest) = joined_rest(root, path) else { continue };
            by_bytes += 1;
            assert_eq!(Some(rest), path.strip_prefix(root).ok(), "{root:?} {path:?}");
        }
        assert_eq!(by_bytes, 8, "the clean joins are compared by bytes");
        for (root, path) in
            [("/tmp/tree", "/tmp/treetop/a"), ("/tmp/tree", "/tmp/tree/a/"), ("/tmp/tree", "/tmp/tree//a")]
        {
            assert_eq!(joined_rest(Path::new(root), Path::new(path)), None, "{path}");
        }
    }

    #[test]
    fn a_file_is_read_whole_whatever_its_size_said() {
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(b"0123456789").unwrap();
        // A reused buffer holds a longer earlier file: only this file's bytes count.
        let mut buffer = b"stale bytes from a longer file".to_vec();
        for said in [10, 4, 0, 25] {
            file.rewind().unwrap();
            let read = read_known_size(&mut file, said, &mut buffer).unwrap();
            assert_eq!(&buffer[..read], b"0123456789", "size said {said}");
        }
        let mut empty = tempfile::tempfile().unwrap();
        assert_eq!(read_known_size(&mut empty, 0, &mut buffer).unwrap(), 0);
    }
}
