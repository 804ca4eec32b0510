//! Where history findings stand at HEAD, and which repository and revision a report describes.
//!
//! SARIF locations are read against the analyzed commit (HEAD), while a history finding's line
//! is the line in the commit that added it. This step runs once after the scan and before
//! reporting, so reporters never open the repository (data flows one way).

use crate::finding::Finding;
use crate::lines::LineIndex;
use git2::{ObjectType, Repository, Tree};
use std::collections::HashMap;

/// Where a history finding's secret is at HEAD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeadPlace {
    /// Still in the same file at HEAD: 1-based line and column of its first character and of
    /// its last (inclusive), columns in Unicode code points.
    Present {
        /// Line of the first character.
        line: usize,
        /// Column of the first character.
        column: usize,
        /// Line of the last character.
        end_line: usize,
        /// Column of the last character.
        end_column: usize,
    },
    /// The file is at HEAD but no longer holds the secret.
    Removed,
    /// The file is not at HEAD (deleted or renamed since).
    FileGone,
    /// The file is at HEAD, but the secret was found decoded (base64, …) and its place there
    /// cannot be told by searching the text.
    Unknown,
}

/// The repository and revision a report describes (SARIF `versionControlProvenance`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionControl {
    /// The `origin` remote's URL (else the first remote's), without any user name or password.
    pub repository_uri: String,
    /// HEAD's commit id (hex).
    pub revision: String,
    /// HEAD's branch name, when HEAD is on a branch.
    pub branch: Option<String>,
}

/// One [`HeadPlace`] per finding of `findings` (same order): `None` for findings that do not
/// come from a commit, or that report a change to keyfence's own files. Each file is read from HEAD's tree once; an unborn HEAD makes every
/// file gone.
pub fn places(repo: &Repository, findings: &[Finding]) -> Vec<Option<HeadPlace>> {
    let tree = repo.head().and_then(|h| h.peel_to_tree()).ok();
    let mut files: HashMap<&str, Option<Vec<u8>>> = HashMap::new();
    findings
        .iter()
        .map(|f| {
            f.commit.as_ref()?;
            // A change to keyfence's own files is about the commit, not a place in the file.
            if f.rule_id == super::config_changes::RULE_ID {
                return None;
            }
            let text =
                files.entry(&f.path).or_insert_with(|| tree.as_ref().and_then(|t| blob_at(repo, t, &f.path)));
            Some(match text {
                None => HeadPlace::FileGone,
                Some(_) if f.decoded.is_some() => HeadPlace::Unknown,
                Some(text) => locate(text, &f.secret),
            })
        })
        .collect()
}

/// The bytes of the blob at `path` in `tree`, if there is one.
fn blob_at(repo: &Repository, tree: &Tree<'_>, path: &str) -> Option<Vec<u8>> {
    let entry = tree.get_path(std::path::Path::new(path)).ok()?;
    if entry.kind() != Some(ObjectType::Blob) {
        return None;
    }
    repo.find_blob(entry.id()).ok().map(|b| b.content().to_vec())
}

/// The first place of `secret` in `text`, or [`HeadPlace::Removed`].
fn locate(text: &[u8], secret: &str) -> HeadPlace {
    let Some(start) = memchr::memmem::find(text, secret.as_bytes()) else { return HeadPlace::Removed };
    let lines = LineIndex::new(text);
    let last_len = secret.chars().last().map_or(1, char::len_utf8);
    let (line, column) = lines.position(start);
    let (end_line, end_column) = lines.position(start + secret.len() - last_len);
    HeadPlace::Present { line, column, end_line, end_column }
}

/// The repository's remote, HEAD commit and branch; `None` without a HEAD commit or a remote
/// (SARIF requires the repository's URI, and a local path would say nothing to a dashboard).
pub fn version_control(repo: &Repository) -> Option<VersionControl> {
    let head = repo.head().ok()?;
    let revision = head.peel_to_commit().ok()?.id().to_string();
    let branch = head.is_branch().then(|| head.shorthand().map(str::to_owned)).flatten();
    let remote = repo
        .find_remote("origin")
        .ok()
        .or_else(|| repo.remotes().ok()?.get(0).and_then(|name| repo.find_remote(name).ok()));
    let repository_uri = without_credentials(remote?.url()?);
    Some(VersionControl { repository_uri, revision, branch })
}

/// `url` without a user name or password: `https://user:token@host/o/r` becomes
/// `https://host/o/r`, and the scp-like `git@host:o/r.git` becomes `ssh://host/o/r.git` (a URI,
/// as SARIF asks).
pub fn without_credentials(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://") {
        let (authority, path) = rest.split_once('/').map_or((rest, ""), |(a, p)| (a, p));
        let host = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
        return if path.is_empty() && !rest.contains('/') {
            format!("{scheme}://{host}")
        } else {
            format!("{scheme}://{host}/{path}")
        };
    }
    match url.split_once(':') {
        // scp-like syntax: [user@]host:path (a path with a folder before any colon is local).
        Some((authority, path)) if !authority.contains('/') && authority.len() > 1 => {
            let host = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
            format!("ssh://{host}/{}", path.trim_start_matches('/'))
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_stripped_from_remote_urls() {
        assert_eq!(without_credentials("https://user:tok@github.com/o/r.git"), "https://github.com/o/r.git");
        assert_eq!(without_credentials("https://github.com/o/r"), "https://github.com/o/r");
        assert_eq!(without_credentials("git@github.com:o/r.git"), "ssh://github.com/o/r.git");
        assert_eq!(without_credentials("ssh://git@host:22/o/r"), "ssh://host:22/o/r");
        assert_eq!(without_credentials("/srv/git/r.git"), "/srv/git/r.git");
    }

    #[test]
    fn secrets_are_located_by_line_and_column() {
        assert_eq!(
            locate(b"a\nxx KEY y\n", "KEY"),
            HeadPlace::Present { line: 2, column: 4, end_line: 2, end_column: 6 }
        );
        assert_eq!(locate(b"a\n", "KEY"), HeadPlace::Removed);
    }
}
