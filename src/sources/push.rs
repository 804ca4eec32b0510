//! What a `git push` publishes: the lines git hands a pre-push hook on standard input.
//!
//! Each line is `<local ref> SP <local sha> SP <remote ref> SP <remote sha>` (githooks(5)).
//! A local sha of zeros is a deletion (nothing to scan); a remote sha of zeros is a new branch
//! or tag. The commits to scan are those reachable from the pushed shas that the remote does
//! not have: the remote's current shas (when this repository has them: a force push over
//! commits made elsewhere names shas we cannot read) and every remote-tracking ref of the
//! remote (`refs/remotes/<remote>/*`) are hidden from the walk (see
//! [`super::history::Selection::Pushed`]).

use crate::error::Hinted;
use anyhow::Result;
use git2::Oid;
use std::io::Read;

/// One line of git's pre-push input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushUpdate {
    /// The local ref pushed (`refs/heads/main`, `refs/tags/v1`, or `(delete)`).
    pub local_ref: String,
    /// What is pushed; zero for a deletion.
    pub local_sha: Oid,
    /// The ref updated on the remote.
    pub remote_ref: String,
    /// What the remote has there now; zero for a new ref.
    pub remote_sha: Oid,
}

/// What a push asks the history walk for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushPlan {
    /// The remote's name as git passes it (or its URL when pushing to a URL).
    pub remote: String,
    /// The objects pushed (commits or tags), deletions left out.
    pub tips: Vec<Oid>,
    /// What the remote has now at the updated refs (non-zero remote shas).
    pub known: Vec<Oid>,
}

/// Reads and parses standard input (see [`parse`]).
pub fn read_stdin(remote: &str) -> Result<PushPlan> {
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text).map_err(|err| {
        Hinted::new(
            format!("cannot read the pushed refs from standard input: {err}"),
            "`keyfence scan --pre-push REMOTE URL` reads the lines git gives a pre-push hook",
        )
    })?;
    parse(remote, &text)
}

/// Parses git's pre-push lines into a plan. Errors (exit 2, the push is blocked) on a line
/// that does not have four fields with two object ids.
pub fn parse(remote: &str, text: &str) -> Result<PushPlan> {
    let mut plan = PushPlan { remote: remote.to_owned(), tips: Vec::new(), known: Vec::new() };
    for (number, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let update = parse_line(line).ok_or_else(|| {
            Hinted::new(
                format!("line {} of the pushed refs is not `<local ref> <local sha> <remote ref> <remote sha>`", number + 1),
                "`keyfence scan --pre-push REMOTE URL` reads the lines git gives a pre-push hook on standard input",
            )
        })?;
        if !update.local_sha.is_zero() {
            plan.tips.push(update.local_sha);
        }
        if !update.remote_sha.is_zero() {
            plan.known.push(update.remote_sha);
        }
    }
    Ok(plan)
}

fn parse_line(line: &str) -> Option<PushUpdate> {
    let mut fields = line.split_whitespace();
    let (local_ref, local_sha, remote_ref, remote_sha) =
        (fields.next()?, fields.next()?, fields.next()?, fields.next()?);
    if fields.next().is_some() {
        return None;
    }
    let oid = |text: &str| {
        (text.len() >= 40 && text.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| Oid::from_str(text).ok())
            .flatten()
    };
    Some(PushUpdate {
        local_ref: local_ref.to_owned(),
        local_sha: oid(local_sha)?,
        remote_ref: remote_ref.to_owned(),
        remote_sha: oid(remote_sha)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "1111111111111111111111111111111111111111";
    const B: &str = "2222222222222222222222222222222222222222";
    const Z: &str = "0000000000000000000000000000000000000000";

    #[test]
    fn deletions_push_nothing_and_new_refs_know_nothing() {
        let text = format!("refs/heads/a {A} refs/heads/a {B}\n(delete) {Z} refs/heads/old {B}\nrefs/tags/v1 {A} refs/tags/v1 {Z}\n\n");
        let plan = parse("origin", &text).unwrap();
        let (a, b) = (Oid::from_str(A).unwrap(), Oid::from_str(B).unwrap());
        assert_eq!(plan.tips, vec![a, a]);
        assert_eq!(plan.known, vec![b, b]);
    }

    #[test]
    fn malformed_lines_are_errors() {
        assert!(parse("origin", "refs/heads/a 123 refs/heads/a 456\n").is_err());
        assert!(parse("origin", &format!("refs/heads/a {A} refs/heads/a\n")).is_err());
        assert!(parse("origin", "").unwrap().tips.is_empty());
    }
}
