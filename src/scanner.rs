//! The per-fragment pipeline: matcher → filters → findings.
//!
//! For one fragment: the matcher proposes raw matches; each passes the rule's value checks and
//! the inline allow marker or is dropped; a generic rule's match yields to any other match on the
//! same bytes (the provider rule says more); a change's fragment keeps only matches touching an
//! added line; the survivors become findings with positions, redaction and fingerprints.

use crate::filters;
use crate::finding::{Finding, FindingSite, LineIndex};
use crate::matcher::{Matcher, RawMatch};
use crate::rules::RuleSet;
use crate::sources::Fragment;
use crate::sources::LineSet;
use anyhow::Result;
use std::ops::Range;

/// Lines of context searched on each side of a change's added lines (see [`Scanner::scan`]).
pub const WINDOW_CONTEXT_LINES: usize = 64;

/// Byte ranges of the added lines widened by [`WINDOW_CONTEXT_LINES`], merged where they touch.
fn windows(lines: &LineIndex<'_>, added: &LineSet) -> Vec<Range<usize>> {
    let mut windows: Vec<Range<usize>> = Vec::new();
    for (first, last) in added.ranges() {
        let first = first.saturating_sub(WINDOW_CONTEXT_LINES).max(1);
        let last = (last + WINDOW_CONTEXT_LINES).min(lines.line_count());
        let range = lines.byte_range(first, last);
        match windows.last_mut() {
            Some(previous) if previous.end >= range.start => previous.end = previous.end.max(range.end),
            _ => windows.push(range),
        }
    }
    windows
}

/// Compiled rules, ready to scan any number of fragments from any number of threads.
#[derive(Debug)]
pub struct Scanner {
    rules: RuleSet,
    matcher: Matcher,
    /// Whether the inline `keyfence:allow` marker suppresses findings (off only to test rules).
    honor_allow_marker: bool,
}

impl Scanner {
    /// Compiles `rules`. Errors name a rule whose regex does not compile.
    pub fn new(rules: RuleSet) -> Result<Scanner> {
        let matcher = Matcher::new(&rules)?;
        Ok(Scanner { rules, matcher, honor_allow_marker: true })
    }

    /// Turns the inline allow marker off; rule examples carry it so keyfence scans itself clean.
    pub fn ignoring_allow_marker(mut self) -> Scanner {
        self.honor_allow_marker = false;
        self
    }

    /// The rules in force.
    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    /// All findings in `fragment`, in text order.
    ///
    /// For a change (added lines set) only windows around the added lines are searched: each
    /// added range widened by [`WINDOW_CONTEXT_LINES`] on both sides, so a multi-line secret (a
    /// PEM block) that a change touches is still seen whole, while a one-line edit of a large file
    /// costs what the edit costs.
    pub fn scan(&self, fragment: &Fragment<'_>) -> Vec<Finding> {
        let text: &[u8] = &fragment.text;
        // Line starts are needed for windows and for findings; a clean file needs neither.
        let mut lines = None;
        let windows = match &fragment.added_lines {
            Some(added) => windows(lines.insert(LineIndex::new(text)), added),
            None => Vec::from([0..text.len()]),
        };
        let accepted: Vec<RawMatch> =
            windows.into_iter().flat_map(|w| self.accepted_matches(text, w)).collect();
        if accepted.is_empty() {
            return Vec::new();
        }
        let lines = lines.unwrap_or_else(|| LineIndex::new(text));
        let path = fragment.provenance.path();
        let commit = match &fragment.provenance {
            crate::sources::Provenance::Commit { commit, .. } => Some(commit),
            _ => None,
        };
        let mut findings: Vec<Finding> = accepted
            .into_iter()
            .filter_map(|m| {
                let mut finding = self.finding(text, path, &m, &lines);
                if let Some(commit) = commit {
                    finding = finding.in_commit(commit);
                }
                let added = fragment
                    .added_lines
                    .as_ref()
                    .is_none_or(|set| set.intersects(finding.line, finding.end_line));
                added.then_some(finding)
            })
            .collect();
        findings.sort_by(|a, b| (a.line, a.column, &a.rule_id).cmp(&(b.line, b.column, &b.rule_id)));
        findings
    }

    /// Raw matches that pass the filters, minus generic matches that overlap a provider rule's
    /// match. A provider match suppresses a generic one even when its own filters rejected it: the
    /// provider rule knows the format, so a value it calls a placeholder is not a generic secret.
    fn accepted_matches(&self, text: &[u8], window: Range<usize>) -> Vec<RawMatch> {
        let offset = window.start;
        let (generic, provider): (Vec<RawMatch>, Vec<RawMatch>) = self
            .matcher
            .find(&text[window])
            .into_iter()
            .map(|m| RawMatch {
                rule: m.rule,
                secret: m.secret.start + offset..m.secret.end + offset,
                body: m.body.start + offset..m.body.end + offset,
            })
            .partition(|m| self.rules.rules[m.rule].generic);
        let mut accepted: Vec<RawMatch> = provider.iter().filter(|m| self.passes(text, m)).cloned().collect();
        for m in generic {
            let overlaps =
                |other: &RawMatch| other.secret.start < m.secret.end && m.secret.start < other.secret.end;
            // One generic finding per value, and none where a provider rule matched.
            if provider.iter().any(overlaps) || accepted.iter().any(overlaps) || !self.passes(text, &m) {
                continue;
            }
            accepted.push(m);
        }
        accepted
    }

    /// The rule's value checks and the inline allow marker.
    fn passes(&self, text: &[u8], m: &RawMatch) -> bool {
        let rule = &self.rules.rules[m.rule];
        filters::value_passes(rule, &text[m.secret.clone()], &text[m.body.clone()])
            && !(self.honor_allow_marker && filters::has_allow_marker(text, m.secret.clone()))
    }

    fn finding(&self, text: &[u8], path: &str, m: &RawMatch, lines: &LineIndex<'_>) -> Finding {
        let rule = &self.rules.rules[m.rule];
        let faq = self.rules.faq(&rule.faq).expect("RuleSet::validate checked every FAQ id");
        let site = FindingSite { text, path, secret: m.secret.clone(), body: m.body.clone() };
        Finding::new(rule, faq, &site, lines)
    }
}
