//! Which commits and which paths a history scan keeps: `--since`, `--until`, `--branch` and the
//! pathspecs after `--` (what gitleaks users pass through `--log-opts`).
//!
//! The filters sit in the commit walk and right after each commit's tree comparison, before any
//! blob is read: a commit outside the dates or the branches is never opened past its header, and
//! a file outside the pathspecs is never loaded or diffed. A kept commit is still compared with
//! its real parents, so it reports what it added whatever the filters left out around it.

use crate::error::Hinted;
use anyhow::{Context, Result};
use git2::{Oid, Repository};
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use std::collections::HashSet;
use std::path::Path;

/// The accepted date forms, for error messages and help.
pub const DATE_FORMS: &str = "2024-01-31, 2024-01-31T10:00:00Z (RFC 3339, any offset; without one, UTC), @UNIX-SECONDS, or a relative date like 2.weeks.ago, \"3 days ago\" or yesterday";

/// What `--since`, `--until`, `--branch` and `-- PATH…` ask of a history scan. Empty: everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryFilter {
    /// Keep commits whose committer time is at or after this (Unix seconds, UTC), as `git log
    /// --since` does.
    pub since: Option<i64>,
    /// Keep commits whose committer time is at or before this (Unix seconds, UTC).
    pub until: Option<i64>,
    /// Keep only commits reachable from these refs or revisions (as typed; resolved by git).
    pub branches: Vec<String>,
    /// Keep only files under these git pathspecs (a folder, a file, or a glob where `*` also
    /// matches `/`; `:!PATTERN` or `:(exclude)PATTERN` leaves paths out).
    pub pathspecs: Vec<String>,
}

/// The pathspecs as typed, made relative to the repository's root as git reads them: a
/// relative pathspec counts from `cwd` (`cd src; … -- app.env` means `src/app.env`), an absolute
/// one must lie inside `root`. `root` is the work tree (`None` for a bare repository, where
/// pathspecs are taken from the root as typed).
///
/// Errors (exit 2) on git's pathspec magic other than `:!`/`:(exclude)` (`:(glob)`, `:(icase)`,
/// `:/`…), which would otherwise match nothing and pass silently, and on a path outside the
/// repository.
pub fn rooted_pathspecs(specs: &[String], root: Option<&Path>, cwd: &Path) -> Result<Vec<String>> {
    let root = root.map(|r| std::fs::canonicalize(r).unwrap_or_else(|_| r.to_path_buf()));
    let cwd = std::fs::canonicalize(cwd).unwrap_or_else(|_| cwd.to_path_buf());
    let prefix = root.as_ref().and_then(|r| cwd.strip_prefix(r).ok()).map(Path::to_path_buf);
    specs
        .iter()
        .map(|spec| {
            let (magic, pattern) = match spec.strip_prefix(":!").or_else(|| spec.strip_prefix(":(exclude)")) {
                Some(rest) => (":!", rest),
                None if spec.starts_with(':') => return Err(unsupported_magic(spec)),
                None => ("", spec.as_str()),
            };
            let path = Path::new(pattern);
            let joined = match (&root, path.is_absolute()) {
                (Some(root), true) => {
                    path.strip_prefix(root).map(Path::to_path_buf).map_err(|_| outside(spec))?
                }
                (_, true) => return Err(outside(spec)),
                (_, false) => prefix.clone().unwrap_or_default().join(path),
            };
            let normal = normalized(&joined).ok_or_else(|| outside(spec))?;
            Ok(format!("{magic}{normal}"))
        })
        .collect()
}

fn unsupported_magic(spec: &str) -> anyhow::Error {
    Hinted::new(
        format!("the pathspec {spec:?} uses git pathspec magic keyfence does not support"),
        "pass folders, files or globs (`*` also matches `/`), and `:!PATH` or `:(exclude)PATH` to leave paths out",
    )
    .into()
}

fn outside(spec: &str) -> anyhow::Error {
    Hinted::new(
        format!("the pathspec {spec:?} is outside the repository"),
        "pathspecs name paths inside the repository, relative to the current folder",
    )
    .into()
}

/// `path` with `.` and `..` resolved, joined with `/`; `None` if it climbs above its start.
fn normalized(path: &Path) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    for component in path.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                parts.pop()?;
            }
            std::path::Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
            std::path::Component::RootDir | std::path::Component::Prefix(_) => return None,
        }
    }
    Some(if parts.is_empty() { ".".to_owned() } else { parts.join("/") })
}

impl HistoryFilter {
    /// True if nothing is filtered.
    pub fn is_empty(&self) -> bool {
        *self == HistoryFilter::default()
    }

    /// The commits of `commits` (in order) that the dates and branches keep; `walked_from_branches`
    /// says the walk already started from the branches only (whole history), so reachability
    /// needs no second walk. Errors (exit 2) if a branch does not resolve to a commit or a commit
    /// cannot be read.
    pub fn keep_commits(
        &self,
        repo: &Repository,
        commits: Vec<Oid>,
        walked_from_branches: bool,
    ) -> Result<Vec<Oid>> {
        let reachable = match self.branches.is_empty() || walked_from_branches {
            true => None,
            false => Some(self.reachable_within(repo, &commits)?),
        };
        if self.since.is_none() && self.until.is_none() && reachable.is_none() {
            return Ok(commits);
        }
        let mut kept = Vec::with_capacity(commits.len());
        for oid in commits {
            if reachable.as_ref().is_some_and(|r| !r.contains(&oid)) {
                continue;
            }
            let seconds = repo
                .find_commit(oid)
                .with_context(|| format!("cannot read commit {oid}"))?
                .committer()
                .when()
                .seconds();
            if self.since.is_some_and(|s| seconds < s) || self.until.is_some_and(|u| seconds > u) {
                continue;
            }
            kept.push(oid);
        }
        Ok(kept)
    }

    /// The tips `--branch` names, as commits. Errors (exit 2) on a name git cannot resolve.
    pub fn branch_tips(&self, repo: &Repository) -> Result<Vec<Oid>> {
        self.branches
            .iter()
            .map(|name| {
                repo.revparse_single(name).and_then(|o| o.peel_to_commit()).map(|c| c.id()).map_err(|_| {
                    Hinted::new(
                        format!("--branch {name:?} names no branch, tag or commit of this repository"),
                        "list the branches with `git branch -a` (a remote branch is origin/NAME)",
                    )
                    .into()
                })
            })
            .collect()
    }

    /// The commits of `range` (a rev range's commits) that the branches reach. The walk from the
    /// branch tips hides the range's boundary (the parents of its commits that are not in it):
    /// everything below the boundary is outside the range (it is reachable from the range's
    /// excluded end), so the walk costs what the branches hold above the range's base, not
    /// their whole history. Errors (exit 2) on a branch that does not resolve or a commit that
    /// cannot be read.
    fn reachable_within(&self, repo: &Repository, range: &[Oid]) -> Result<HashSet<Oid>> {
        let in_range: HashSet<Oid> = range.iter().copied().collect();
        let mut walk = repo.revwalk()?;
        for tip in self.branch_tips(repo)? {
            walk.push(tip)?;
        }
        for &oid in range {
            let commit = repo.find_commit(oid).with_context(|| format!("cannot read commit {oid}"))?;
            for parent in commit.parent_ids().filter(|p| !in_range.contains(p)) {
                walk.hide(parent)?;
            }
        }
        let mut reached = HashSet::new();
        for oid in walk {
            let oid = oid.context("cannot walk the history of --branch")?;
            if in_range.contains(&oid) {
                reached.insert(oid);
            }
        }
        Ok(reached)
    }

    /// The path filter of the pathspecs, or `None` when every path is kept. Errors (exit 2) on a
    /// pattern that is not a valid glob.
    pub fn paths(&self) -> Result<Option<PathFilter>> {
        if self.pathspecs.is_empty() {
            return Ok(None);
        }
        let (mut include, mut exclude) = (GlobSetBuilder::new(), GlobSetBuilder::new());
        let mut includes = 0;
        for spec in &self.pathspecs {
            let (pattern, excluded) =
                match spec.strip_prefix(":!").or_else(|| spec.strip_prefix(":(exclude)")) {
                    Some(rest) => (rest, true),
                    None => (spec.as_str(), false),
                };
            let pattern = match pattern.trim_start_matches("./").trim_end_matches('/') {
                "" | "." => "**",
                pattern => pattern,
            };
            let set = if excluded { &mut exclude } else { &mut include };
            includes += usize::from(!excluded);
            // A pathspec names a path or anything under it (`src` keeps `src/a.rs`).
            for glob in [pattern.to_owned(), format!("{pattern}/**")] {
                let glob = GlobBuilder::new(&glob).literal_separator(false).build().map_err(|err| {
                    Hinted::new(
                        format!("the pathspec {spec:?} is not a valid pattern: {}", err.kind()),
                        "pass folders, files or globs after `--`, e.g. `-- src '*.env'`",
                    )
                })?;
                set.add(glob);
            }
        }
        let built = |builder: GlobSetBuilder| builder.build().context("cannot compile the pathspecs");
        Ok(Some(PathFilter {
            include: (includes > 0).then(|| built(include)).transpose()?,
            exclude: built(exclude)?,
        }))
    }
}

/// Compiled pathspecs: which repository paths a history scan reads.
#[derive(Debug, Clone)]
pub struct PathFilter {
    /// `None`: only exclusions were given, so every other path is kept.
    include: Option<GlobSet>,
    exclude: GlobSet,
}

impl PathFilter {
    /// True if `path` (relative to the repository root, `/`-separated) is scanned.
    pub fn keeps(&self, path: &str) -> bool {
        self.include.as_ref().is_none_or(|set| set.is_match(path)) && !self.exclude.is_match(path)
    }
}

/// Which end of the day a plain date (`2024-01-31`) stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayEnd {
    /// 00:00:00 UTC (`--since`: from the start of that day).
    Start,
    /// 23:59:59 UTC (`--until`: through the end of that day).
    End,
}

/// Parses a `--since`/`--until` value into Unix seconds (UTC), relative forms counting back from
/// `now` (Unix seconds): `yesterday` is 24 hours ago, a month is 30 days and a year 365 days. Errors (exit 2) name the
/// accepted forms ([`DATE_FORMS`]).
pub fn parse_date(option: &str, text: &str, day: DayEnd, now: i64) -> Result<i64> {
    let trimmed = text.trim();
    let parsed = if let Ok(at) = chrono::DateTime::parse_from_rfc3339(trimmed) {
        Some(at.timestamp())
    } else if let Some(at) = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|form| chrono::NaiveDateTime::parse_from_str(trimmed, form).ok())
    {
        Some(at.and_utc().timestamp())
    } else if let Some(seconds) = trimmed.strip_prefix('@') {
        seconds.parse::<i64>().ok()
    } else if trimmed == "now" {
        Some(now)
    } else if trimmed == "yesterday" {
        Some(now - 86_400)
    } else if let Ok(date) = chrono::NaiveDate::parse_from_str(trimmed, "%Y-%m-%d") {
        let time = match day {
            DayEnd::Start => chrono::NaiveTime::MIN,
            DayEnd::End => chrono::NaiveTime::from_hms_opt(23, 59, 59).expect("a valid time"),
        };
        Some(date.and_time(time).and_utc().timestamp())
    } else {
        relative_seconds(trimmed).map(|ago| now.saturating_sub(ago))
    };
    parsed.ok_or_else(|| {
        Hinted::new(
            format!("{option} {text:?} is not a date keyfence understands"),
            format!("use {DATE_FORMS}"),
        )
        .into()
    })
}

/// `2.weeks.ago`, `3 days ago`, `1 hour ago`: how many seconds back; `None` for anything else.
fn relative_seconds(text: &str) -> Option<i64> {
    let words: Vec<&str> = text.split(['.', ' ']).filter(|w| !w.is_empty()).collect();
    let [count, unit, "ago"] = words.as_slice() else { return None };
    let count: i64 = count.parse().ok()?;
    let unit_seconds = match unit.strip_suffix('s').unwrap_or(unit) {
        "second" | "sec" => 1,
        "minute" | "min" => 60,
        "hour" => 3600,
        "day" => 86_400,
        "week" => 7 * 86_400,
        "month" => 30 * 86_400,
        "year" => 365 * 86_400,
        _ => return None,
    };
    count.checked_mul(unit_seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_706_700_000;

    #[test]
    fn dates_in_every_accepted_form() {
        let at = |text, day| parse_date("--since", text, day, NOW).unwrap();
        assert_eq!(at("2024-01-31", DayEnd::Start), 1_706_659_200);
        assert_eq!(at("2024-01-31", DayEnd::End), 1_706_659_200 + 86_399);
        assert_eq!(at("2024-01-31T10:00:00Z", DayEnd::Start), 1_706_695_200);
        assert_eq!(at("2024-01-31T12:00:00+02:00", DayEnd::Start), 1_706_695_200);
        assert_eq!(at("2.weeks.ago", DayEnd::Start), NOW - 14 * 86_400);
        assert_eq!(at("3 days ago", DayEnd::Start), NOW - 3 * 86_400);
        assert_eq!(at("1 hour ago", DayEnd::Start), NOW - 3600);
        assert_eq!(at("2024-01-31 10:00", DayEnd::Start), 1_706_695_200);
        assert_eq!(at("2024-01-31T10:00:00", DayEnd::End), 1_706_695_200, "a time is never widened");
        assert_eq!(at("@1706695200", DayEnd::Start), 1_706_695_200);
        assert_eq!((at("yesterday", DayEnd::Start), at("now", DayEnd::End)), (NOW - 86_400, NOW));
        for bad in ["yesterday-ish", "2024-13-01", "3 fortnights ago", "", "weeks.ago"] {
            assert!(parse_date("--since", bad, DayEnd::Start, NOW).is_err(), "{bad}");
        }
    }

    #[test]
    fn pathspecs_keep_folders_files_and_globs() {
        let filter = HistoryFilter {
            pathspecs: vec!["src".into(), "*.env".into(), ":!src/vendor".into()],
            ..HistoryFilter::default()
        };
        let paths = filter.paths().unwrap().unwrap();
        assert!(paths.keeps("src/a.rs"));
        assert!(paths.keeps("deploy/prod.env"));
        assert!(!paths.keeps("src/vendor/x.rs"));
        assert!(!paths.keeps("srcs/a.rs"));
        assert!(!paths.keeps("docs/a.md"));
        let only_exclusions =
            HistoryFilter { pathspecs: vec![":(exclude)docs".into()], ..HistoryFilter::default() };
        let paths = only_exclusions.paths().unwrap().unwrap();
        assert!(paths.keeps("src/a.rs") && !paths.keeps("docs/a.md"));
    }
}
