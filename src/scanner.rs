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
use anyhow::Result;

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
    pub fn scan(&self, fragment: &Fragment<'_>) -> Vec<Finding> {
        let text: &[u8] = &fragment.text;
        let accepted = self.accepted_matches(text);
        if accepted.is_empty() {
            return Vec::new();
        }
        let lines = LineIndex::new(text);
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
    fn accepted_matches(&self, text: &[u8]) -> Vec<RawMatch> {
        let (generic, provider): (Vec<RawMatch>, Vec<RawMatch>) =
            self.matcher.find(text).into_iter().partition(|m| self.rules.rules[m.rule].generic);
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
