//! Allowlists from the configuration: findings to drop by path, commit, secret, line or stopword,
//! for every rule (global) or for one rule.
//!
//! Each allowlist has criteria of five kinds; with the `or` condition (the default) a finding is
//! allowed when any criterion holds, with `and` when every criterion given holds. Paths are
//! globs (keyfence files) or regexes (gitleaks files), matched against the reported path (`/`
//! separators, relative to the repository root). Regexes run over bytes; stopwords are matched
//! ASCII case-insensitively anywhere in the secret.

use anyhow::{bail, Context, Result};
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use regex::bytes::{Regex, RegexBuilder};

/// Globs and regexes over a path.
#[derive(Debug, Clone, Default)]
pub struct PathMatcher {
    globs: Option<GlobSet>,
    regexes: Vec<Regex>,
}

impl PathMatcher {
    /// Compiles globs (gitignore-like: a glob without `/` matches a file name at any depth,
    /// `**` crosses folders) and regexes. Errors name the bad pattern.
    pub fn new(globs: &[String], regexes: &[String]) -> Result<PathMatcher> {
        let globs = if globs.is_empty() {
            None
        } else {
            let mut set = GlobSetBuilder::new();
            for glob in globs {
                let pattern = glob.strip_prefix('/').map(str::to_owned).unwrap_or_else(|| {
                    if glob.contains('/') {
                        glob.clone()
                    } else {
                        format!("**/{glob}")
                    }
                });
                let pattern = pattern.trim_end_matches('/');
                // `dir/` and `dir` also cover everything below the folder.
                for candidate in [pattern.to_owned(), format!("{pattern}/**")] {
                    set.add(
                        GlobBuilder::new(&candidate)
                            .literal_separator(true)
                            .build()
                            // The glob itself is not quoted: the error names its file and line.
                            .map_err(|err| anyhow::anyhow!("invalid path glob: {}", err.kind()))?,
                    );
                }
            }
            Some(set.build().context("cannot build the path globs")?)
        };
        let regexes = regexes.iter().map(|r| compile(r, "path regex")).collect::<Result<_>>()?;
        Ok(PathMatcher { globs, regexes })
    }

    /// True if no glob or regex was given.
    pub fn is_empty(&self) -> bool {
        self.globs.is_none() && self.regexes.is_empty()
    }

    /// True if any glob or regex matches `path`.
    pub fn matches(&self, path: &str) -> bool {
        self.globs.as_ref().is_some_and(|g| g.is_match(path))
            || self.regexes.iter().any(|r| r.is_match(path.as_bytes()))
    }
}

/// Compiles an allowlist regex over bytes (Unicode on, as a user writing `\w` or `.` in a config
/// expects). Errors say what is wrong, not the pattern (a secret pasted there by mistake must
/// not be printed); callers add the file and line.
pub fn compile(pattern: &str, what: &str) -> Result<Regex> {
    RegexBuilder::new(pattern)
        .size_limit(1 << 24)
        .build()
        .map_err(|err| anyhow::anyhow!("invalid {what}: {}", crate::matcher::one_line_regex_error(&err)))
}

/// Checks an allowlist's entries: an empty path, regex or stopword would allow every finding,
/// and a commit must be 7 to 64 hexadecimal digits. `regexes` are (key, entries) pairs. Errors
/// name the entry's key.
pub fn check_entries(
    paths: &[String],
    regexes: &[(&str, &[String])],
    stopwords: &[String],
    commits: &[String],
) -> Result<()> {
    let lists = [("paths", paths), ("stopwords", stopwords), ("commits", commits)];
    for (kind, entries) in lists.into_iter().chain(regexes.iter().copied()) {
        if entries.iter().any(|e| e.trim().is_empty()) {
            bail!("an empty entry in {kind} would allow every finding");
        }
    }
    let is_commit = |c: &str| (7..=64).contains(&c.len()) && c.bytes().all(|b| b.is_ascii_hexdigit());
    if commits.iter().any(|c| !is_commit(c.trim())) {
        bail!("commits: an entry is not a commit id (7 to 64 hexadecimal digits: a full id or a prefix)");
    }
    Ok(())
}

/// How an allowlist's criteria combine.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Condition {
    /// Any criterion allows the finding.
    #[default]
    Or,
    /// Every criterion given must hold.
    And,
}

impl Condition {
    /// Parses `or`/`and` (any case). Errors on anything else.
    pub fn parse(text: &str) -> Result<Condition> {
        match text.to_ascii_lowercase().as_str() {
            "" | "or" => Ok(Condition::Or),
            "and" => Ok(Condition::And),
            _ => bail!("condition must be \"or\" or \"and\""),
        }
    }
}

/// One compiled allowlist.
#[derive(Debug, Clone, Default)]
pub struct Allowlist {
    /// How criteria combine.
    pub condition: Condition,
    /// Paths whose findings are allowed.
    pub paths: PathMatcher,
    /// Commit ids (full, or a prefix of at least 7 hex digits) whose findings are allowed.
    pub commits: Vec<String>,
    /// Regexes on the secret.
    pub secret_regexes: Vec<Regex>,
    /// Regexes on the whole line(s) holding the secret.
    pub line_regexes: Vec<Regex>,
    /// Regexes on the rule's whole regex match (gitleaks `regexTarget = "match"`).
    pub match_regexes: Vec<Regex>,
    /// Lowercase words; a secret containing one is allowed.
    pub stopwords: Vec<String>,
}

/// What an allowlist looks at for one candidate finding.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    /// Reported path.
    pub path: &'a str,
    /// Commit id in hex, for history scans.
    pub commit: Option<&'a str>,
    /// The secret.
    pub secret: &'a [u8],
    /// The line(s) holding the secret, without the final newline.
    pub line: &'a [u8],
    /// The rule's whole regex match.
    pub whole: &'a [u8],
}

impl Allowlist {
    /// True if the allowlist has path criteria only (so it can be decided per file).
    pub fn is_path_only(&self) -> bool {
        !self.paths.is_empty()
            && self.commits.is_empty()
            && self.secret_regexes.is_empty()
            && self.line_regexes.is_empty()
            && self.match_regexes.is_empty()
            && self.stopwords.is_empty()
    }

    /// True if the candidate is allowed (see the module doc for how criteria combine).
    pub fn allows(&self, candidate: &Candidate<'_>) -> bool {
        let mut results = [
            (!self.paths.is_empty()).then(|| self.paths.matches(candidate.path)),
            (!self.commits.is_empty()).then(|| {
                candidate.commit.is_some_and(|sha| self.commits.iter().any(|c| commit_matches(c, sha)))
            }),
            (!self.secret_regexes.is_empty())
                .then(|| self.secret_regexes.iter().any(|r| r.is_match(candidate.secret))),
            (!self.line_regexes.is_empty())
                .then(|| self.line_regexes.iter().any(|r| r.is_match(candidate.line))),
            (!self.match_regexes.is_empty())
                .then(|| self.match_regexes.iter().any(|r| r.is_match(candidate.whole))),
            (!self.stopwords.is_empty()).then(|| {
                let lower = candidate.secret.to_ascii_lowercase();
                self.stopwords.iter().any(|w| memchr::memmem::find(&lower, w.as_bytes()).is_some())
            }),
        ]
        .into_iter()
        .flatten()
        .peekable();
        if results.peek().is_none() {
            return false;
        }
        match self.condition {
            Condition::Or => results.any(|held| held),
            Condition::And => results.all(|held| held),
        }
    }
}

/// A listed commit matches the full id or, if it has at least 7 hex digits, a prefix of it.
fn commit_matches(listed: &str, sha: &str) -> bool {
    let listed = listed.trim().to_ascii_lowercase();
    listed == sha || (listed.len() >= 7 && sha.starts_with(&listed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate<'a>(path: &'a str, secret: &'a [u8], line: &'a [u8]) -> Candidate<'a> {
        Candidate {
            path,
            commit: Some("0123456789abcdef0123456789abcdef01234567"),
            secret,
            line,
            whole: line,
        }
    }

    #[test]
    fn globs_match_names_at_any_depth_and_folders_below() {
        let paths =
            PathMatcher::new(&["*.lock".into(), "tests/fixtures/".into(), "/top.env".into()], &[]).unwrap();
        assert!(paths.matches("Cargo.lock"));
        assert!(paths.matches("a/b/yarn.lock"));
        assert!(paths.matches("tests/fixtures/a/b.txt"));
        assert!(paths.matches("top.env"));
        assert!(!paths.matches("sub/top.env"));
        assert!(!paths.matches("src/lock.rs"));
    }

    #[test]
    fn or_and_and_conditions() {
        let mut list = Allowlist {
            paths: PathMatcher::new(&["docs/**".into()], &[]).unwrap(),
            stopwords: vec!["sandbox".into()],
            ..Allowlist::default()
        };
        assert!(list.allows(&candidate("docs/a.md", b"k1", b"")));
        assert!(list.allows(&candidate("src/a.rs", b"SANDBOX1", b"")));
        assert!(!list.allows(&candidate("src/a.rs", b"k1", b"")));
        list.condition = Condition::And;
        assert!(!list.allows(&candidate("docs/a.md", b"k1", b"")));
        assert!(list.allows(&candidate("docs/a.md", b"sandbox-k1", b"")));
    }

    #[test]
    fn commits_match_by_prefix_of_seven_or_more() {
        let list = Allowlist { commits: vec!["0123456".into()], ..Allowlist::default() };
        assert!(list.allows(&candidate("a", b"s", b"")));
        let list = Allowlist { commits: vec!["012345".into()], ..Allowlist::default() };
        assert!(!list.allows(&candidate("a", b"s", b"")));
    }

    #[test]
    fn an_empty_allowlist_allows_nothing() {
        assert!(!Allowlist::default().allows(&candidate("a", b"s", b"l")));
    }
}
