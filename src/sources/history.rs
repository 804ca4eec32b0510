//! Commit ranges and whole history, through libgit2's revwalk (no `git` subprocess).
//!
//! Each commit is compared with its parents and only what it adds is scanned: a root commit adds
//! every line; a commit with one parent adds the lines its diff adds (renames detected); a merge
//! adds only lines that are in none of its parents (the intersection of what it adds against
//! each), so merging main into a branch reports nothing new while a conflict resolution that
//! adds a key is reported.
//!
//! Commits are processed in parallel (one thread and one repository handle per core). A blob pair (old
//! blob, new blob) is scanned once however many commits hold it: its findings are remembered and
//! relocated to each later commit; clean pairs are remembered in a set whose size is capped, so
//! memory stays bounded whatever the history length.

use super::gitdiff::{self, BlobChange};
use super::history_filter::{HistoryFilter, PathFilter};
use super::keyfenceignore::KeyfenceIgnore;
use super::tree_diff;
use super::{repo, CommitInfo, Diagnostics, Fragment, LineSet, Provenance, Reuse, SourceOptions};
use crate::error::Hinted;
use crate::finding::Finding;
use anyhow::{Context, Result};
use git2::{Commit, Oid, Repository, RevparseMode, Sort};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Which commits to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// A rev range as git understands it: `A..B`, `A...B`, or one revision and its ancestors.
    Range(String),
    /// Every commit reachable from any reference (and HEAD).
    All,
    /// What a push publishes: commits reachable from the pushed objects that the remote does
    /// not have (see [`super::push`]).
    Pushed(super::push::PushPlan),
}

/// Scans a fragment and returns its findings; the history source calls it for each new blob.
pub type ScanFn<'a> = dyn Fn(&Fragment<'_>) -> Vec<Finding> + Sync + 'a;

/// What the history source tells a progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressEvent {
    /// The walk is listed: this many commits will be scanned.
    Start(usize),
    /// One more commit is done.
    CommitDone,
}

/// Consecutive commits a worker takes at a time (see [`scan`]).
const COMMITS_PER_RUN: usize = 64;

/// How many clean blob pairs are remembered before the set is cleared (about 64 MiB at most).
const CLEAN_PAIRS_CAP: usize = 1 << 20;

/// Scans the selected commits and returns their findings (unsorted).
///
/// Tells `progress` the number of commits, then each commit done (from any thread). Errors (exit 2) if the repository
/// cannot be opened, the range does not resolve, or a range reaches a shallow clone's boundary
/// (whole history scans the boundary as roots and records a partial scan, see
/// [`check_shallow_boundary`]); a commit or blob that cannot be read is recorded in `diagnostics`.
pub fn scan(
    selection: &Selection,
    options: &SourceOptions,
    diagnostics: &Diagnostics,
    scan: &ScanFn<'_>,
    progress: &(dyn Fn(ProgressEvent) + Sync),
) -> Result<Vec<Finding>> {
    gitdiff::tune_libgit2();
    let repo = repo::open("run history scans inside a clone of the repository")?;
    let keyfenceignore = KeyfenceIgnore::for_history(&repo, options.ignore_files_at)?;
    let commits = list_commits(&repo, selection, &options.history)?;
    check_shallow_boundary(&repo, selection, &commits, diagnostics)?;
    progress(ProgressEvent::Start(commits.len()));
    let git_dir = repo.path().to_path_buf();
    let paths = options.history.paths()?;
    let job = Job {
        options,
        diagnostics,
        scan,
        memo: Memo::default(),
        keyfenceignore,
        paths,
        kept_by_pathspecs: AtomicBool::new(false),
    };
    // One repository handle per worker thread, each pulling the next commit from a shared
    // counter; results land in their commit's slot, so the report does not depend on timing.
    let next = AtomicUsize::new(0);
    let slots: Vec<Mutex<Vec<Finding>>> = commits.iter().map(|_| Mutex::new(Vec::new())).collect();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let workers = options.threads.unwrap_or(cores).min(commits.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                let worker = Repository::open(&git_dir);
                // Runs of consecutive commits: a commit's parent tree is the next commit's tree, so
                // one worker walking a run reads each tree once (and keeps it in libgit2's cache).
                let runs = std::iter::from_fn(|| {
                    let start = next.fetch_add(COMMITS_PER_RUN, Ordering::Relaxed);
                    (start < commits.len()).then(|| start..commits.len().min(start + COMMITS_PER_RUN))
                });
                for at in runs.flatten() {
                    let oid = commits[at];
                    let found = match &worker {
                        Ok(repo) => scan_commit(repo, oid, &job),
                        Err(err) => Err(anyhow::anyhow!("cannot open the repository: {err}")),
                    };
                    progress(ProgressEvent::CommitDone);
                    match found {
                        Ok(found) => *lock(&slots[at]) = found,
                        Err(err) => {
                            diagnostics.error(format!("cannot scan commit {}: {err:#}", gitdiff::short(oid)))
                        }
                    }
                }
            });
        }
    });
    if job.paths.is_some() && !commits.is_empty() && !job.kept_by_pathspecs.into_inner() {
        // A typo in a pathspec must not read as a clean scan.
        diagnostics.warning(
            "no file changed by the scanned commits matches the pathspecs after `--` (they count from the current folder)"
                .to_owned(),
        );
    }
    let findings =
        slots.into_iter().flat_map(|slot| slot.into_inner().unwrap_or_else(|e| e.into_inner())).collect();
    Ok(findings)
}

/// The commits of `selection` that `filter`'s dates and branches keep, newest first
/// (topological, then time).
pub(crate) fn list_commits(
    repo: &Repository,
    selection: &Selection,
    filter: &HistoryFilter,
) -> Result<Vec<Oid>> {
    let from_branches = matches!(selection, Selection::All) && !filter.branches.is_empty();
    let commits = walk_selection(repo, selection, filter)?;
    filter.keep_commits(repo, commits, from_branches)
}

/// The commits of `selection`; whole history with `--branch` starts from those branches only.
fn walk_selection(repo: &Repository, selection: &Selection, filter: &HistoryFilter) -> Result<Vec<Oid>> {
    let mut walk = repo.revwalk()?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME)?;
    match selection {
        Selection::All if !filter.branches.is_empty() => {
            for tip in filter.branch_tips(repo)? {
                walk.push(tip)?;
            }
        }
        Selection::All => {
            let mut pushed = 0;
            for reference in repo.references()? {
                let reference = reference?;
                let name = String::from_utf8_lossy(reference.name_bytes()).into_owned();
                // A ref that cannot be read is an error (fail closed); one naming a tree or a
                // blob (some tags) holds no commits and is skipped.
                let target = reference
                    .peel(git2::ObjectType::Any)
                    .with_context(|| format!("cannot read the ref {name}"))?;
                if target.kind() != Some(git2::ObjectType::Commit) {
                    continue;
                }
                let commit = target
                    .peel_to_commit()
                    .with_context(|| format!("cannot read the commit of ref {name}"))?;
                walk.push(commit.id())?;
                pushed += 1;
            }
            if let Ok(head) = repo.head().and_then(|h| h.peel_to_commit()) {
                walk.push(head.id())?;
                pushed += 1;
            }
            if pushed == 0 {
                return Ok(Vec::new());
            }
        }
        Selection::Range(range) => push_range(repo, &mut walk, range)?,
        Selection::Pushed(plan) => {
            if !push_plan(repo, &mut walk, plan)? {
                return Ok(Vec::new());
            }
        }
    }
    walk.collect::<std::result::Result<Vec<_>, _>>().context("cannot walk the commit history")
}

fn push_range(repo: &Repository, walk: &mut git2::Revwalk<'_>, range: &str) -> Result<()> {
    let spec = repo.revparse(range).map_err(|err| {
        let message = format!("cannot resolve the commit range {range:?}: {}", err.message());
        let hint = if before_first_commit(&err, range) && !repo.is_shallow() {
            return Hinted::new(
                format!("the commit range {range:?} reaches before the first commit"),
                "count fewer commits back (`git rev-list --count HEAD` says how many there are), or scan them all with --all-history",
            )
            .into();
        } else if repo.is_shallow() {
            "this is a shallow clone: fetch the full history (actions/checkout: fetch-depth: 0; or `git fetch --unshallow`)"
        } else if matches!(err.code(), git2::ErrorCode::NotFound | git2::ErrorCode::InvalidSpec | git2::ErrorCode::Ambiguous) {
            "use a range keyfence understands: A..B, A...B, or one revision (its ancestors); not ^! or ^@ forms"
        } else {
            return anyhow::anyhow!("{message} (an object in it cannot be read)");
        };
        Hinted::new(message, hint).into()
    })?;
    let peel = |object: Option<&git2::Object<'_>>| -> Result<Option<Oid>> {
        object
            .map(|o| o.peel_to_commit().map(|c| c.id()))
            .transpose()
            .context("the range does not name commits")
    };
    let (from, to) = (peel(spec.from())?, peel(spec.to())?);
    let mode = spec.mode();
    if mode.contains(RevparseMode::MERGE_BASE) {
        let (a, b) = (from.expect("A...B has a left side"), to.expect("A...B has a right side"));
        walk.push(a)?;
        walk.push(b)?;
        // Every merge base, not just one: with criss-cross merges there are several.
        if let Ok(bases) = repo.merge_bases(a, b) {
            for base in bases.iter() {
                walk.hide(*base)?;
            }
        }
    } else if mode.contains(RevparseMode::RANGE) {
        if let Some(to) = to {
            walk.push(to)?;
        }
        if let Some(from) = from {
            walk.hide(from)?;
        }
    } else if let Some(single) = from {
        walk.push(single)?;
    }
    Ok(())
}

/// True if `err` is git's "parent N does not exist" for a `~N`/`^` step of `range` past the root
/// commit (e.g. `HEAD~999..HEAD` on a short history).
fn before_first_commit(err: &git2::Error, range: &str) -> bool {
    err.code() == git2::ErrorCode::NotFound
        && err.message().contains("parent")
        && err.message().contains("does not exist")
        && (range.contains('~') || range.contains('^'))
}

/// Pushes the plan's tips and hides what the remote has; false if no commit is pushed (only
/// deletions, or tags of trees and blobs).
fn push_plan(repo: &Repository, walk: &mut git2::Revwalk<'_>, plan: &super::push::PushPlan) -> Result<bool> {
    let mut pushed = false;
    for tip in &plan.tips {
        // A pushed object missing here cannot be scanned: fail closed.
        let object = repo
            .find_object(*tip, None)
            .with_context(|| format!("cannot read the pushed object {}", gitdiff::short(*tip)))?;
        if let Ok(commit) = object.peel_to_commit() {
            walk.push(commit.id())?;
            pushed = true;
        }
    }
    for known in &plan.known {
        // The remote's sha may be unknown here (a force push over commits made elsewhere).
        if let Ok(commit) = repo.find_object(*known, None).and_then(|o| o.peel_to_commit()) {
            walk.hide(commit.id())?;
        }
    }
    // Everything the remote had at the last fetch; a URL instead of a remote name has no
    // remote-tracking refs.
    let glob = format!("refs/remotes/{}/*", plan.remote);
    if git2::Reference::is_valid_name(&glob.replace('*', "x")) {
        walk.hide_glob(&glob)?;
    }
    Ok(pushed)
}

/// A shallow clone's boundary commits have no parents here (git lists them in `.git/shallow`),
/// so each is compared with the empty tree: everything it holds counts as added.
///
/// For a commit range that reaches one, that would report every line of every file as added:
/// it fails (exit 2) with a hint. For whole history (which the default CI checkout is), the
/// boundary commits are scanned as roots, as gitleaks does, and the scan is marked partial:
/// what is found is reported, and a scan that finds nothing exits 2.
fn check_shallow_boundary(
    repo: &Repository,
    selection: &Selection,
    commits: &[Oid],
    diagnostics: &Diagnostics,
) -> Result<()> {
    if !repo.is_shallow() {
        return Ok(());
    }
    let shallow_file = repo.path().join("shallow");
    let text = std::fs::read_to_string(&shallow_file)
        .with_context(|| format!("cannot read {}", shallow_file.display()))?;
    let boundary: HashSet<Oid> = text.lines().filter_map(|line| Oid::from_str(line.trim()).ok()).collect();
    let reached: Vec<Oid> = commits.iter().copied().filter(|oid| boundary.contains(oid)).collect();
    let Some(&first) = reached.first() else {
        return Ok(());
    };
    if let Selection::Range(_) = selection {
        return Err(Hinted::new(
            format!(
                "the range reaches commit {}, the boundary of this shallow clone, whose parents are missing",
                gitdiff::short(first)
            ),
            "fetch the full history (actions/checkout: fetch-depth: 0; or `git fetch --unshallow`), or scan a shorter range",
        )
        .into());
    }
    let more = match reached.len() {
        1 => String::new(),
        n => format!(" and {} more", n - 1),
    };
    diagnostics.partial(format!(
        "this is a shallow clone: history below commit {}{more} was not read (each boundary commit was scanned as adding every file it holds; `git fetch --unshallow` fetches the rest)",
        gitdiff::short(first)
    ));
    Ok(())
}

/// (old blob or zero, new blob, path hash): what one file change of one commit is; the path's
/// hash is 0 unless findings depend on the path (see [`Reuse`]). when findings depend on the path (see [`Reuse`]).
type BlobPair = (Oid, Oid, u64);

/// Remembered blob pairs: findings of pairs that had some, and a capped set of clean ones.
#[derive(Default)]
struct Memo {
    with_findings: Mutex<HashMap<BlobPair, Arc<Vec<Finding>>>>,
    clean: Mutex<HashSet<BlobPair>>,
}

impl Memo {
    fn key(change: &BlobChange, reuse: Reuse) -> BlobPair {
        let path = match reuse {
            Reuse::SamePath => {
                use std::hash::{Hash, Hasher};
                let mut hasher = std::collections::hash_map::DefaultHasher::new();
                change.path.hash(&mut hasher);
                hasher.finish()
            }
            _ => 0,
        };
        (change.old.unwrap_or_else(Oid::zero), change.new, path)
    }

    /// `Some(findings)` if the pair was scanned before and its findings may be reused.
    fn get(&self, key: BlobPair, reuse: Reuse) -> Option<Arc<Vec<Finding>>> {
        if reuse == Reuse::Never {
            return None;
        }
        if lock(&self.clean).contains(&key) {
            return Some(Arc::new(Vec::new()));
        }
        lock(&self.with_findings).get(&key).cloned()
    }

    fn put(&self, key: BlobPair, findings: &[Finding]) {
        if findings.is_empty() {
            let mut clean = lock(&self.clean);
            if clean.len() >= CLEAN_PAIRS_CAP {
                clean.clear();
            }
            clean.insert(key);
        } else {
            lock(&self.with_findings).insert(key, Arc::new(findings.to_vec()));
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// Id, author email, name and date, committer email and message summary of `commit`, as
/// findings carry them.
pub(crate) fn commit_info(commit: &Commit<'_>) -> CommitInfo {
    let author = commit.author();
    let when = author.when();
    let offset = chrono::FixedOffset::east_opt(when.offset_minutes() * 60)
        .unwrap_or_else(|| chrono::FixedOffset::east_opt(0).expect("zero offset is valid"));
    let date = chrono::DateTime::from_timestamp(when.seconds(), 0)
        .map(|utc| utc.with_timezone(&offset).to_rfc3339())
        .unwrap_or_default();
    CommitInfo {
        sha: commit.id().to_string(),
        author: String::from_utf8_lossy(author.email_bytes()).into_owned(),
        committer: String::from_utf8_lossy(commit.committer().email_bytes()).into_owned(),
        date,
        author_name: String::from_utf8_lossy(author.name_bytes()).into_owned(),
        message: String::from_utf8_lossy(commit.message_bytes())
            .lines()
            .map(str::trim)
            .find(|line| !line.is_empty())
            .unwrap_or_default()
            .to_owned(),
    }
}

/// What every commit's scan shares.
struct Job<'a> {
    options: &'a SourceOptions,
    diagnostics: &'a Diagnostics,
    scan: &'a ScanFn<'a>,
    memo: Memo,
    keyfenceignore: KeyfenceIgnore,
    /// The pathspecs after `--`, if any.
    paths: Option<PathFilter>,
    /// Set once the pathspecs keep any changed path (else the scan warns that they matched none).
    kept_by_pathspecs: AtomicBool,
}

impl Job<'_> {
    /// True if the file at `path` is left out (`.keyfenceignore`, or outside the pathspecs).
    fn skips(&self, path: &str) -> bool {
        if let Some(paths) = &self.paths {
            if !paths.keeps(path) {
                return true;
            }
            self.kept_by_pathspecs.store(true, Ordering::Relaxed);
        }
        self.keyfenceignore.is_ignored(path)
    }
}

/// The findings of what one commit adds.
fn scan_commit(repo: &Repository, oid: Oid, job: &Job<'_>) -> Result<Vec<Finding>> {
    let (options, diagnostics, memo) = (job.options, job.diagnostics, &job.memo);
    let commit = repo.find_commit(oid)?;
    let info = commit_info(&commit);
    if commit.parent_count() > 1 {
        return scan_merge(repo, &commit, &info, job);
    }
    let parent_tree = match commit.parent_count() {
        0 => None,
        _ => Some(commit.parent(0)?.tree()?),
    };
    let mut findings = Vec::new();
    for change in changes(repo, parent_tree.as_ref(), &commit.tree()?, job)? {
        let key = Memo::key(&change, options.reuse);
        let found = match memo.get(key, options.reuse) {
            Some(known) => known.iter().map(|f| f.relocated(&change.path, &info)).collect(),
            None => match scan_change(repo, &change, &info, job) {
                Ok(found) => {
                    memo.put(key, &found);
                    found
                }
                Err(err) => {
                    diagnostics.error(format!(
                        "cannot read {} in commit {}: {err:#}",
                        change.path,
                        gitdiff::short(oid)
                    ));
                    Vec::new()
                }
            },
        };
        findings.extend(found);
    }
    Ok(findings)
}

/// The findings on the lines `change` adds. When those lines are an estimate (every line between
/// the lines both versions share at start and end), the estimate is scanned first, and only a
/// change with findings there pays for the line diff and a scan of its exact lines.
fn scan_change(
    repo: &Repository,
    change: &BlobChange,
    info: &CommitInfo,
    job: &Job<'_>,
) -> Result<Vec<Finding>> {
    let Some(loaded) =
        gitdiff::load(repo, change, job.options, job.diagnostics, gitdiff::Lines::Estimate)?.text()
    else {
        return Ok(Vec::new());
    };
    let found = scan_loaded(&loaded, &change.path, info, loaded.added_lines.clone(), job.scan);
    if found.is_empty() || loaded.estimated_from.is_none() {
        return Ok(found);
    }
    match loaded.exact_added_lines(repo)? {
        Some(lines) if lines.is_empty() => Ok(Vec::new()),
        exact => Ok(scan_loaded(&loaded, &change.path, info, exact, job.scan)),
    }
}

/// A merge adds the lines that every parent's diff adds: only paths whose blob differs from every
/// parent's are read (see [`tree_diff::merge_changes`]).
fn scan_merge(
    repo: &Repository,
    commit: &Commit<'_>,
    info: &CommitInfo,
    job: &Job<'_>,
) -> Result<Vec<Finding>> {
    let (options, diagnostics, scan) = (job.options, job.diagnostics, job.scan);
    let parents = commit.parents().map(|p| p.tree()).collect::<Result<Vec<_>, _>>()?;
    let mut findings = Vec::new();
    for merged in tree_diff::merge_changes(repo, &commit.tree()?, &parents)? {
        if job.skips(&merged.path) {
            continue;
        }
        let (first, others) = merged.old.split_first().expect("a merge has parents");
        let change = BlobChange { path: merged.path, old: *first, new: merged.new };
        let loaded = match gitdiff::load(repo, &change, options, diagnostics, gitdiff::Lines::Estimate) {
            Ok(gitdiff::Loaded::Text(loaded)) => loaded,
            Ok(gitdiff::Loaded::Binary | gitdiff::Loaded::Nothing) => continue,
            Err(err) => {
                diagnostics.error(format!(
                    "cannot read {} in merge {}: {err:#}",
                    change.path,
                    gitdiff::short(commit.id())
                ));
                continue;
            }
        };
        // What the merge adds against its first parent (estimated or exact) holds what it adds
        // against all of them: with no finding there, no parent's line diff is needed.
        if scan_loaded(&loaded, &change.path, info, loaded.added_lines.clone(), scan).is_empty() {
            continue;
        }
        let mut added = loaded.exact_added_lines(repo)?;
        for other in others {
            let theirs = match other {
                Some(old) => Some(gitdiff::added_since(repo, *old, &loaded)?),
                None => None,
            };
            added = match (added, theirs) {
                (Some(a), Some(b)) => Some(a.intersection(&b)),
                (a, b) => a.or(b),
            };
        }
        if added.as_ref().is_some_and(LineSet::is_empty) {
            continue;
        }
        findings.extend(scan_loaded(&loaded, &change.path, info, added, scan));
    }
    Ok(findings)
}

fn scan_loaded(
    loaded: &gitdiff::LoadedChange<'_>,
    path: &str,
    info: &CommitInfo,
    added_lines: Option<LineSet>,
    scan: &ScanFn<'_>,
) -> Vec<Finding> {
    let fragment = Fragment {
        provenance: Provenance::Commit { path: path.to_owned(), commit: info.clone() },
        text: Cow::Borrowed(loaded.text()),
        added_lines,
        lines_before: 0,
    };
    scan(&fragment)
}

/// The blob changes from `old` (none: the empty tree) to `new`, renames detected (bounded, see
/// [`tree_diff`]), minus the paths the job skips (`.keyfenceignore`, pathspecs).
fn changes(
    repo: &Repository,
    old: Option<&git2::Tree<'_>>,
    new: &git2::Tree<'_>,
    job: &Job<'_>,
) -> Result<Vec<BlobChange>> {
    let changes = tree_diff::changes(repo, old, new)?;
    Ok(changes.into_iter().filter(|c| !job.skips(&c.path)).collect())
}
