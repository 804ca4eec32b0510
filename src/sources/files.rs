//! Files and directories on disk, walked in parallel with the `ignore` crate.
//!
//! Rules of the walk (what a git user expects): `.gitignore`, `.git/info/exclude`, the global
//! excludes file, `.ignore` and `.keyfenceignore` files are honored inside git work trees; hidden
//! files such as `.env` are scanned; `.git` directories are not; symbolic links are not followed
//! except when named on the command line; a path named on the command line is always scanned,
//! even if ignored.

use super::{classify, Content, Diagnostics, Fragment, Provenance, SourceOptions};
use crate::error::Hinted;
use anyhow::Result;
use ignore::{WalkBuilder, WalkState};
use std::borrow::Cow;
use std::path::{Path, PathBuf};

/// One path from the command line and how to show the paths under it.
#[derive(Debug, Clone)]
struct Root {
    /// As given.
    given: PathBuf,
    /// What `given` is shown as: its path from the repository root when inside a git work tree
    /// (empty for the root itself), else `given` without a leading `./`.
    shown: PathBuf,
}

/// Walks `paths` in parallel and hands every text file to `visit`.
///
/// Errors before the walk starts if a path does not exist. Files that cannot be read are
/// recorded in `diagnostics` and the walk goes on.
pub fn walk(
    paths: &[PathBuf],
    options: &SourceOptions,
    diagnostics: &Diagnostics,
    visit: &(dyn Fn(Fragment<'_>) + Sync),
) -> Result<()> {
    let roots = paths.iter().map(|p| resolve_root(p)).collect::<Result<Vec<_>>>()?;
    let mut builder = WalkBuilder::new(&roots[0].given);
    for root in &roots[1..] {
        builder.add(&root.given);
    }
    builder.hidden(false).follow_links(false).add_custom_ignore_filename(".keyfenceignore").filter_entry(
        |entry| !(entry.file_name() == ".git" && entry.file_type().is_some_and(|t| t.is_dir())),
    );

    builder.build_parallel().run(|| {
        Box::new(|entry| {
            match entry {
                Ok(entry) => {
                    let is_root = entry.depth() == 0;
                    let kind = entry.file_type();
                    let wanted = kind.is_some_and(|t| t.is_file())
                        || (is_root && kind.is_some_and(|t| t.is_symlink()) && entry.path().is_file());
                    if wanted {
                        let shown = shown_path(&roots, entry.path());
                        scan_file(entry.path(), shown, options, diagnostics, visit);
                    }
                }
                Err(err) => diagnostics.error(format!("cannot walk: {err}")),
            }
            WalkState::Continue
        })
    });
    Ok(())
}

/// Reads one file and hands it to `visit` unless it is too large or binary.
fn scan_file(
    path: &Path,
    shown: String,
    options: &SourceOptions,
    diagnostics: &Diagnostics,
    visit: &(dyn Fn(Fragment<'_>) + Sync),
) {
    let size = match std::fs::metadata(path) {
        Ok(meta) => meta.len(),
        Err(err) => return diagnostics.error(format!("cannot read {shown}: {err}")),
    };
    if size > options.max_file_size {
        // Big binaries (build output, media) are skipped silently like any binary; only a big
        // text file is worth a warning, since it may hold a secret we did not look at.
        if !starts_binary(path) {
            diagnostics.warning(format!(
                "skipped {shown}: {size} bytes is over the {} byte limit (--max-file-size)",
                options.max_file_size
            ));
        }
        return;
    }
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(err) => return diagnostics.error(format!("cannot read {shown}: {err}")),
    };
    if let Content::Text(text) = classify(Cow::Owned(bytes)) {
        visit(Fragment { provenance: Provenance::File { path: shown }, text, added_lines: None });
    }
}

/// True if the first block of the file says binary (see [`classify`]); unreadable counts as not.
fn starts_binary(path: &Path) -> bool {
    use std::io::Read;
    let mut head = Vec::with_capacity(super::BINARY_SNIFF_LEN);
    let read =
        std::fs::File::open(path).and_then(|f| f.take(super::BINARY_SNIFF_LEN as u64).read_to_end(&mut head));
    read.is_ok() && matches!(classify(Cow::Owned(head)), Content::Binary)
}

/// Checks that `given` exists and works out how to show paths under it.
fn resolve_root(given: &Path) -> Result<Root> {
    let absolute = std::fs::canonicalize(given).map_err(|err| {
        Hinted::new(
            format!("cannot read {}: {err}", given.display()),
            "check the path; `keyfence scan` with no path scans the current directory",
        )
    })?;
    let shown = repository_relative(&absolute).unwrap_or_else(|| strip_dot(given));
    Ok(Root { given: given.to_path_buf(), shown })
}

/// The path of `absolute` from the root of the git work tree holding it, if any.
fn repository_relative(absolute: &Path) -> Option<PathBuf> {
    let start = if absolute.is_dir() { absolute } else { absolute.parent()? };
    let repo = git2::Repository::discover(start).ok()?;
    let workdir = std::fs::canonicalize(repo.workdir()?).ok()?;
    absolute.strip_prefix(&workdir).ok().map(Path::to_path_buf)
}

fn strip_dot(path: &Path) -> PathBuf {
    let stripped: PathBuf =
        path.components().skip_while(|c| matches!(c, std::path::Component::CurDir)).collect();
    stripped
}

/// The path findings report for `path`, a path the walker produced under one of `roots`.
fn shown_path(roots: &[Root], path: &Path) -> String {
    let under_root =
        roots.iter().find_map(|root| path.strip_prefix(&root.given).ok().map(|rest| (root, rest)));
    let joined = match under_root {
        Some((root, rest)) if rest.as_os_str().is_empty() => root.shown.clone(),
        Some((root, rest)) => root.shown.join(rest),
        // The walker only yields paths under its roots; show the path as it is if not.
        None => path.to_path_buf(),
    };
    let text = joined.to_string_lossy().into_owned();
    if std::path::MAIN_SEPARATOR == '\\' {
        text.replace('\\', "/")
    } else {
        text
    }
}
