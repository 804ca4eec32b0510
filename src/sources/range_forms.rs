//! Which spellings of `--commits RANGE` keyfence takes, checked before git sees them.
//!
//! A range is one libgit2 revision spec: `A..B`, `A...B` or one revision (it and its
//! ancestors). git's command line knows more (`X^!`, `X^@`, `X^-N`, `^A B`, `--all`) that libgit2
//! either rejects with "invalid pattern" or, worse, reads as something else; each is named here
//! with the accepted form that says the same thing.

use crate::error::Hinted;
use anyhow::Result;

/// The forms keyfence accepts, for every message about one it does not.
const ACCEPTED: &str = "--commits takes A..B (commits in B but not in A), A...B (both sides since their merge base) or one revision (it and its ancestors)";

/// Errors (exit 2) with a one-line message and a hint if `range` uses a revision syntax keyfence
/// does not support; `Ok` otherwise (the range may still fail to resolve in the repository).
pub fn check(range: &str) -> Result<()> {
    match unsupported(range.trim()) {
        Some((what, instead)) => Err(Hinted::new(
            format!("--commits {range:?}: {what} is not supported"),
            format!("{ACCEPTED}; {instead}"),
        )
        .into()),
        None => Ok(()),
    }
}

/// What in `range` is unsupported and what to write instead, if anything is.
fn unsupported(range: &str) -> Option<(&'static str, &'static str)> {
    if range.is_empty() {
        return Some(("an empty range", "for the current branch's history write HEAD"));
    }
    if range.contains("....") {
        return Some(("a run of four or more dots", "write A..B or A...B"));
    }
    if range_operators(range) > 1 {
        // libgit2 reads `A..B..C` as `A` and `B..C` and fails on an abbreviated object id.
        return Some(("more than one `..` or `...`", "a range has two ends: for A..B..C write A..C"));
    }
    if range == ".." || range == "..." {
        return Some((
            "a range with no ends",
            "write A..B (what B adds since A; an empty end means HEAD, as in main..), or HEAD for the current branch's history",
        ));
    }
    if range.starts_with('-') {
        return Some(("an option in place of a range", "for every ref use --all-history"));
    }
    if range.split_whitespace().nth(1).is_some() {
        return Some(("more than one revision", "give one range, e.g. A..B for `^A B`"));
    }
    if range.starts_with('^') {
        return Some(("excluding with a leading ^", "write A..B for `^A B`"));
    }
    if range.ends_with("^!") {
        return Some(("the X^! form (one commit alone)", "for one commit X write X~1..X"));
    }
    if range.ends_with("^@") {
        return Some(("the X^@ form (the parents of X)", "for the history before X write X~1"));
    }
    if is_parent_exclusion(range) {
        return Some((
            "the X^-N form (X without its N-th parent)",
            "write X^N..X (X^..X for the first parent)",
        ));
    }
    None
}

/// How many `..` / `...` operators `range` holds (`A..B..C` has two).
fn range_operators(range: &str) -> usize {
    range.split("...").map(|part| part.matches("..").count()).sum::<usize>() + range.matches("...").count()
}

/// True for git's `X^-` / `X^-N` (X, excluding its N-th parent's history).
fn is_parent_exclusion(range: &str) -> bool {
    range.rsplit_once("^-").is_some_and(|(base, n)| !base.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_only_forms_are_named_and_libgit2_forms_pass() {
        for bad in [
            "HEAD^!",
            "main^@",
            "HEAD^-",
            "HEAD^-2",
            "^main HEAD",
            "main HEAD",
            "--all",
            "^main",
            "A..B..C",
            "A...B..C",
            "A..B...C",
            "a..b..",
            "A....B",
            "..",
            "...",
            "",
        ] {
            assert!(unsupported(bad).is_some(), "{bad}");
        }
        for good in [
            "main..HEAD",
            "main...HEAD",
            "HEAD",
            "HEAD~3..HEAD",
            "HEAD^2",
            "HEAD^..HEAD",
            "@{u}..",
            "v1^{commit}",
            "HEAD..",
            "..HEAD",
            "...HEAD",
        ] {
            assert!(unsupported(good).is_none(), "{good}");
        }
    }
}
