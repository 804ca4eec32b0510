//! The per-fragment pipeline: matcher → filters → findings.
//!
//! For one fragment: the matcher proposes raw matches; each passes the rule's value checks and
//! the inline allow marker or is dropped; a generic rule's match yields to any other match on the
//! same bytes (the provider rule says more); a change's fragment keeps only matches touching an
//! added line; the survivors become findings with positions, redaction and fingerprints.

use crate::assign;
use crate::decode;
use crate::filters;
use crate::filters::allowlist::{Allowlist, Candidate, PathMatcher};
use crate::filters::AllowMarkers;
use crate::finding::{Finding, FindingSite};
use crate::lines::LineIndex;
use crate::matcher::{Matcher, RawMatch};
use crate::rules::RuleSet;
use crate::sources::Fragment;
use crate::sources::LineSet;
use anyhow::{Context, Result};
use std::cell::OnceCell;
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

/// What the filters of one fragment need.
struct Check<'t, 'f> {
    text: &'t [u8],
    path: &'f str,
    commit: Option<&'f str>,
    /// The allow markers of the text, found on first use (most texts have no candidate).
    markers: &'f dyn Fn() -> &'f AllowMarkers,
    lines: &'f dyn Fn() -> &'f LineIndex<'t>,
    /// Per rule: false if the rule's path scope excludes this fragment (empty: no rule has a
    /// path scope, so every rule is in scope).
    in_scope: &'f [bool],
}

/// Byte range of the lines of `text` holding the non-empty `range`, newlines included (as
/// [`LineIndex::byte_range`] of their line numbers, without indexing the whole text).
fn lines_holding(text: &[u8], range: &Range<usize>) -> Range<usize> {
    let start = memchr::memrchr(b'\n', &text[..range.start]).map_or(0, |p| p + 1);
    let last = range.end - 1;
    let end = memchr::memchr(b'\n', &text[last..]).map_or(text.len(), |p| last + p + 1);
    start..end
}

/// How many encodings deep a secret is looked for (base64 of percent-encoded text is 2).
pub const MAX_DECODE_DEPTH: usize = 2;

/// Bytes of the encoded segment's line kept on each side when it is scanned decoded.
pub const DECODE_CONTEXT: usize = 256;

/// A match in a decoded text: the rewritten text it was found in, and the encodings peeled off,
/// outermost first.
struct DecodedHit {
    text: Vec<u8>,
    found: RawMatch,
    encodings: Vec<decode::Encoding>,
}

/// Byte ranges sorted by start, answering "does anything overlap this range?" in O(log n).
struct Intervals {
    starts: Vec<usize>,
    /// `max_end[i]`: the largest end among the first `i + 1` ranges.
    max_end: Vec<usize>,
}

impl Intervals {
    /// From ranges in any order.
    fn from_unsorted(mut ranges: Vec<Range<usize>>) -> Intervals {
        ranges.sort_by_key(|r| r.start);
        Intervals::new(ranges.into_iter())
    }

    /// From ranges sorted by start.
    fn new(ranges: impl Iterator<Item = Range<usize>>) -> Intervals {
        let mut intervals = Intervals { starts: Vec::new(), max_end: Vec::new() };
        for range in ranges {
            let end = intervals.max_end.last().map_or(range.end, |&e| e.max(range.end));
            intervals.starts.push(range.start);
            intervals.max_end.push(end);
        }
        intervals
    }

    fn overlaps(&self, range: &Range<usize>) -> bool {
        let before = self.starts.partition_point(|&start| start < range.end);
        before > 0 && self.max_end[before - 1] > range.start
    }
}

/// The allowlists of a configuration, compiled (see [`crate::filters::allowlist`]).
#[derive(Debug, Clone, Default)]
pub struct Allowlists {
    /// Allowlists for every rule.
    pub global: Vec<Allowlist>,
    /// Allowlists for one rule each: (rule id, allowlist).
    pub per_rule: Vec<(String, Allowlist)>,
}

/// Compiled rules, ready to scan any number of fragments from any number of threads.
#[derive(Debug)]
pub struct Scanner {
    rules: RuleSet,
    matcher: Matcher,
    /// Whether the inline `keyfence:allow` marker suppresses findings (off only to test rules).
    honor_allow_marker: bool,
    /// Global allowlists with path criteria only: decided once per fragment.
    skip_paths: Vec<Allowlist>,
    /// Other global allowlists: decided per finding.
    global: Vec<Allowlist>,
    /// Per rule (by index): its own allowlists.
    per_rule: Vec<Vec<Allowlist>>,
    /// Per rule (by index): the paths it is limited to, if any.
    scopes: Vec<Option<PathMatcher>>,
}

impl Scanner {
    /// Compiles `rules`. Errors name a rule whose path globs do not compile; regexes are
    /// compiled on first use (see [`crate::matcher`]).
    pub fn new(rules: RuleSet) -> Result<Scanner> {
        let matcher = Matcher::new(&rules)?;
        let scopes = rules
            .rules
            .iter()
            .map(|rule| {
                let regexes: Vec<String> = rule.path_regex.iter().cloned().collect();
                let scope = PathMatcher::new(&rule.paths, &regexes)
                    .with_context(|| format!("rule {} has an invalid path", rule.id))?;
                Ok((!scope.is_empty()).then_some(scope))
            })
            .collect::<Result<Vec<_>>>()?;
        let per_rule = vec![Vec::new(); rules.rules.len()];
        Ok(Scanner {
            rules,
            matcher,
            honor_allow_marker: true,
            skip_paths: Vec::new(),
            global: Vec::new(),
            per_rule,
            scopes,
        })
    }

    /// Adds the configuration's allowlists. A per-rule allowlist naming no rule in force is
    /// ignored (the configuration loader warns about it).
    pub fn with_allowlists(mut self, allowlists: Allowlists) -> Scanner {
        let (skip_paths, global) = allowlists.global.into_iter().partition(Allowlist::is_path_only);
        self.skip_paths = skip_paths;
        self.global = global;
        for (id, list) in allowlists.per_rule {
            if let Some(index) = self.rules.rules.iter().position(|r| r.id == id) {
                self.per_rule[index].push(list);
            }
        }
        self
    }

    /// Turns the inline allow marker off; rule examples carry it so keyfence scans itself clean.
    pub fn ignoring_allow_marker(mut self) -> Scanner {
        self.honor_allow_marker = false;
        self
    }

    /// When findings in one blob may stand for the same blob elsewhere: not at another path if a
    /// rule or allowlist looks at paths, never if an allowlist looks at commits.
    pub fn reuse(&self) -> crate::sources::Reuse {
        let lists = || self.global.iter().chain(self.per_rule.iter().flatten());
        if lists().any(|l| !l.commits.is_empty()) {
            crate::sources::Reuse::Never
        } else if !self.skip_paths.is_empty()
            || self.scopes.iter().any(Option::is_some)
            || lists().any(|l| !l.paths.is_empty())
        {
            crate::sources::Reuse::SamePath
        } else {
            crate::sources::Reuse::Anywhere
        }
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
        let path = fragment.provenance.path();
        if self.skip_paths.iter().any(|list| list.paths.matches(path)) {
            return Vec::new();
        }
        // Most configurations scope no rule by path: then no per-file vector is needed.
        let in_scope: Vec<bool> = if self.scopes.iter().any(Option::is_some) {
            self.scopes.iter().map(|s| s.as_ref().is_none_or(|s| s.matches(path))).collect()
        } else {
            Vec::new()
        };
        let commit = match &fragment.provenance {
            crate::sources::Provenance::Commit { commit, .. } => Some(commit),
            _ => None,
        };
        // Line starts are needed for windows, allow markers and findings; a clean file without
        // markers needs none of them.
        let lines = OnceCell::new();
        let lines = || lines.get_or_init(|| LineIndex::new(text));
        let windows = match &fragment.added_lines {
            Some(added) => windows(lines(), added),
            None => std::iter::once(0..text.len()).collect(),
        };
        let markers = OnceCell::new();
        let markers = || {
            markers.get_or_init(|| {
                if self.honor_allow_marker {
                    AllowMarkers::find(text, lines)
                } else {
                    AllowMarkers::default()
                }
            })
        };
        let check = Check {
            text,
            path,
            commit: commit.map(|c| c.sha.as_str()),
            markers: &markers,
            lines: &lines,
            in_scope: &in_scope,
        };
        let mut accepted: Vec<RawMatch> = Vec::new();
        let mut decoded: Vec<(Range<usize>, Finding)> = Vec::new();
        let mut rewritten: Vec<(Range<usize>, Finding)> = Vec::new();
        // Encoded segments are looked for on the added lines only (a finding must touch one),
        // not in the context around them.
        let added_ranges: Option<Vec<Range<usize>>> = fragment
            .added_lines
            .as_ref()
            .map(|added| added.ranges().map(|(first, last)| lines().byte_range(first, last)).collect());
        for window in windows {
            let (matches, hints) = self.accepted_matches(&check, window.clone());
            accepted.extend(matches);
            rewritten.extend(self.rewritten_findings(&check, window.clone(), &hints.assign));
            match &added_ranges {
                None => decoded.extend(self.decoded_findings(&check, window, &hints)),
                Some(ranges) => {
                    for range in ranges.iter().filter(|r| r.start < window.end && r.end > window.start) {
                        let part = range.start.max(window.start)..range.end.min(window.end);
                        let hints = hints.within(part.start - window.start..part.end - window.start);
                        decoded.extend(self.decoded_findings(&check, part, &hints));
                    }
                }
            }
        }
        // Encoded text and its decoding can both match. A provider rule's finding on the encoded
        // text (the jwt rule on a token whose payload holds a client id) covers the decoded ones;
        // a decoded finding replaces a generic one on its encoded text (a generic password rule
        // on a Kubernetes Secret's base64 value).
        let provider_spans = Intervals::from_unsorted(
            accepted.iter().filter(|m| !self.rules.rules[m.rule].generic).map(|m| m.secret.clone()).collect(),
        );
        decoded.retain(|(range, _)| !provider_spans.overlaps(range));
        let decoded_spans = Intervals::from_unsorted(decoded.iter().map(|(r, _)| r.clone()).collect());
        accepted.retain(|m| !(self.rules.rules[m.rule].generic && decoded_spans.overlaps(&m.secret)));
        // A value the plain scan found as written is the plain scan's; a plain match inside a
        // rewritten finding saw only part of the value (one piece of a split key).
        if !rewritten.is_empty() {
            let mut plain: Vec<(usize, usize)> =
                accepted.iter().map(|m| (m.secret.start, m.secret.end)).collect();
            plain.sort_unstable();
            rewritten.retain(|(range, _)| plain.binary_search(&(range.start, range.end)).is_err());
        }
        let rewritten_spans = Intervals::from_unsorted(rewritten.iter().map(|(r, _)| r.clone()).collect());
        accepted.retain(|m| !rewritten_spans.overlaps(&m.secret));
        let mut findings: Vec<Finding> = accepted
            .into_iter()
            .map(|m| self.finding(text, path, &m, lines()))
            .chain(decoded.into_iter().map(|(_, f)| f))
            .chain(rewritten.into_iter().map(|(_, f)| f))
            .filter_map(|mut finding| {
                if let Some(commit) = commit {
                    finding = finding.in_commit(commit);
                }
                let added = fragment
                    .added_lines
                    .as_ref()
                    .is_none_or(|set| set.intersects(finding.line, finding.end_line));
                finding.line += fragment.lines_before;
                finding.end_line += fragment.lines_before;
                added.then_some(finding)
            })
            .collect();
        findings.sort_by(|a, b| (a.line, a.column, &a.rule_id).cmp(&(b.line, b.column, &b.rule_id)));
        findings
    }

    /// Findings hidden in encoded segments of `window` (see [`crate::decode`]), reported at the
    /// encoded text with the decoded secret.
    ///
    /// Each segment's line is scanned again with the segment replaced by its decoding, so the
    /// context around it still counts (`password: <base64>` in a Kubernetes Secret becomes
    /// `password: <the password>`). Matches outside the decoded part are the plain scan's
    /// business; `scan` drops those a provider rule also found in the encoded text. Decoded text
    /// is searched again for encoded segments, [`MAX_DECODE_DEPTH`] levels deep.
    fn decoded_findings(
        &self,
        check: &Check<'_, '_>,
        window: Range<usize>,
        hints: &decode::Hints,
    ) -> Vec<(Range<usize>, Finding)> {
        let mut findings = Vec::new();
        for segment in decode::segments(&check.text[window.clone()], Some(hints)) {
            let range = segment.range.start + window.start..segment.range.end + window.start;
            let lines = (check.lines)();
            let (first, last) = (lines.line_of(range.start), lines.line_of(range.end - 1));
            if (check.markers)().covers(first, last) {
                continue;
            }
            // The segment's lines are the context, cut to DECODE_CONTEXT bytes on each side (a
            // minified line may be megabytes long).
            let line = lines.byte_range(first, last);
            let line = line.start.max(range.start.saturating_sub(DECODE_CONTEXT))
                ..line.end.min(range.end + DECODE_CONTEXT);
            let mut hits = Vec::new();
            self.decoded_hits(check, line.clone(), range.clone(), segment, 1, &mut hits);
            for hit in hits {
                let rule = &self.rules.rules[hit.found.rule];
                let faq = self.rules.faq(&rule.faq).expect("RuleSet::validate checked every FAQ id");
                let hit_lines = LineIndex::new(&hit.text);
                let site = FindingSite {
                    text: &hit.text,
                    path: check.path,
                    secret: hit.found.secret.clone(),
                    body: hit.found.body.clone(),
                };
                let mut finding = Finding::new(rule, faq, &site, &hit_lines);
                (finding.line, finding.column) = lines.position(range.start);
                (finding.end_line, finding.end_column) = lines.position(range.end - 1);
                finding.decoded =
                    Some(hit.encodings.iter().map(|e| e.as_str()).collect::<Vec<_>>().join(" > "));
                findings.push((range.clone(), finding));
            }
        }
        findings
    }

    /// Findings in the views of [`assign::rewrites`] (joined literals, unescaped strings, other
    /// ways of writing a name and its value) on the lines of `window` holding one of `hints`,
    /// reported at the original bytes of the secret, one per value (the first found).
    fn rewritten_findings(
        &self,
        check: &Check<'_, '_>,
        window: Range<usize>,
        hints: &[usize],
    ) -> Vec<(Range<usize>, Finding)> {
        let hints: Vec<usize> = hints.iter().map(|at| at + window.start).collect();
        let mut findings: Vec<(Range<usize>, Finding)> = Vec::new();
        for rewrite in assign::rewrites(check.text, window, &hints) {
            let range = rewrite.range.clone();
            let context = lines_holding(check.text, &range);
            let context = context.start.max(range.start.saturating_sub(DECODE_CONTEXT))
                ..context.end.min(range.end + DECODE_CONTEXT);
            let view = assign::View::new(check.text, context, rewrite);
            let view_lines = OnceCell::new();
            let view_lines = || view_lines.get_or_init(|| LineIndex::new(&view.text));
            let no_markers = AllowMarkers::default();
            let no_markers = || &no_markers;
            let inner = Check { text: &view.text, lines: &view_lines, markers: &no_markers, ..*check };
            let mut found = self.accepted_matches(&inner, 0..view.text.len()).0;
            found.retain(|found| found.secret.start < view.part.end && found.secret.end > view.part.start);
            // Most views hold nothing: the text's lines and markers are only read for one that does.
            if found.is_empty() {
                continue;
            }
            let lines = (check.lines)();
            if (check.markers)().covers(lines.line_of(range.start), lines.line_of(range.end - 1)) {
                continue;
            }
            for found in found {
                let original = view.original_range(&found.secret);
                if findings.iter().any(|(r, _)| r.start < original.end && original.start < r.end) {
                    continue;
                }
                let mut finding = self.finding(&view.text, check.path, &found, view_lines());
                (finding.line, finding.column) = lines.position(original.start);
                (finding.end_line, finding.end_column) = lines.position(original.end - 1);
                findings.push((original, finding));
            }
        }
        findings
    }

    /// Scans `line` of `check.text` with `segment` (at `range`) replaced by its decoding, then
    /// the encoded segments inside the decoding, down to [`MAX_DECODE_DEPTH`].
    fn decoded_hits(
        &self,
        check: &Check<'_, '_>,
        line: Range<usize>,
        range: Range<usize>,
        segment: decode::Decoded,
        depth: usize,
        out: &mut Vec<DecodedHit>,
    ) {
        let text = check.text;
        let mut rewritten = Vec::with_capacity(line.len() + segment.bytes.len());
        rewritten.extend_from_slice(&text[line.start..range.start]);
        let decoded = rewritten.len()..rewritten.len() + segment.bytes.len();
        rewritten.extend_from_slice(&segment.bytes);
        rewritten.extend_from_slice(&text[range.end..line.end]);
        let lines = OnceCell::new();
        let lines = || lines.get_or_init(|| LineIndex::new(&rewritten));
        let no_markers = AllowMarkers::default();
        let no_markers = || &no_markers;
        let inner = Check { text: &rewritten, lines: &lines, markers: &no_markers, ..*check };
        for found in self.accepted_matches(&inner, 0..rewritten.len()).0 {
            // A match outside the decoded part is the plain scan's; one that a provider rule also
            // found in the encoded text is dropped by `scan`.
            let inside = found.secret.start < decoded.end && found.secret.end > decoded.start;
            if inside {
                out.push(DecodedHit { text: rewritten.clone(), found, encodings: vec![segment.encoding] });
            }
        }
        if depth >= MAX_DECODE_DEPTH {
            return;
        }
        for nested in decode::segments(&rewritten[decoded.clone()], None) {
            let nested_range = nested.range.start + decoded.start..nested.range.end + decoded.start;
            let mut deeper = Vec::new();
            let whole = 0..rewritten.len();
            self.decoded_hits(&inner, whole, nested_range, nested, depth + 1, &mut deeper);
            for mut hit in deeper {
                hit.encodings.insert(0, segment.encoding);
                out.push(hit);
            }
        }
    }

    /// Raw matches in `window` that pass the filters, minus generic matches that overlap a
    /// provider rule's match or an earlier generic one. A provider match suppresses a generic one
    /// even when its own filters rejected it: the provider rule knows the format, so a value it
    /// calls a placeholder is not a generic secret. Returned in text order.
    fn accepted_matches(
        &self,
        check: &Check<'_, '_>,
        window: Range<usize>,
    ) -> (Vec<RawMatch>, decode::Hints) {
        let offset = window.start;
        let (raw, hints) = self.matcher.find_with_hints(&check.text[window]);
        let (mut generic, mut provider): (Vec<RawMatch>, Vec<RawMatch>) = raw
            .into_iter()
            .filter(|m| check.in_scope.get(m.rule).copied().unwrap_or(true))
            .map(|m| m.shifted(offset))
            .partition(|m| self.rules.rules[m.rule].generic);
        provider.sort_by_key(|m| (m.secret.start, m.rule));
        let blockers = Intervals::new(provider.iter().map(|m| m.secret.clone()));
        let mut accepted: Vec<RawMatch> = provider.into_iter().filter(|m| self.passes(check, m)).collect();
        // A rule with JWT claims (a ServiceTitan access token) refines the rules without (any JWT)
        // on the same token: one finding, under the more specific rule.
        let has_claims = |m: &RawMatch| !self.rules.rules[m.rule].jwt_claims.is_empty();
        let refined: Vec<Range<usize>> =
            accepted.iter().filter(|m| has_claims(m)).map(|m| m.secret.clone()).collect();
        if !refined.is_empty() {
            accepted.retain(|m| has_claims(m) || !refined.contains(&m.secret));
        }
        // At one start, the longest value wins (a quoted password read past a `;` over the same
        // password cut at it), then the earlier rule.
        generic.sort_by_key(|m| (m.secret.start, std::cmp::Reverse(m.secret.end), m.rule));
        let mut generic_end = 0;
        for m in generic {
            // One generic finding per value, and none where a provider rule matched.
            if m.secret.start < generic_end || blockers.overlaps(&m.secret) || !self.passes(check, &m) {
                continue;
            }
            generic_end = m.secret.end;
            accepted.push(m);
        }
        accepted.sort_by_key(|m| (m.secret.start, m.rule));
        (accepted, hints)
    }

    /// The rule's value checks, the allowlists and the inline allow markers.
    fn passes(&self, check: &Check<'_, '_>, m: &RawMatch) -> bool {
        let rule = &self.rules.rules[m.rule];
        let text = check.text;
        let name = &text[m.whole.start..m.secret.start.max(m.whole.start)];
        if !filters::value_passes(rule, &text[m.secret.clone()], &text[m.body.clone()], name) {
            return false;
        }
        let own = &self.per_rule[m.rule];
        if !(self.global.is_empty() && own.is_empty()) {
            let lines = (check.lines)();
            let (first, last) = (lines.line_of(m.secret.start), lines.line_of(m.secret.end - 1));
            let line = &text[lines.byte_range(first, last)];
            let line = line.strip_suffix(b"\n").unwrap_or(line);
            let candidate = Candidate {
                path: check.path,
                commit: check.commit,
                secret: &text[m.secret.clone()],
                line: line.strip_suffix(b"\r").unwrap_or(line),
                whole: &text[m.whole.clone()],
            };
            if self.global.iter().chain(own).any(|list| list.allows(&candidate)) {
                return false;
            }
        }
        let markers = (check.markers)();
        if markers.is_empty() {
            return true;
        }
        let lines = (check.lines)();
        !markers.covers(lines.line_of(m.secret.start), lines.line_of(m.secret.end - 1))
    }

    fn finding(&self, text: &[u8], path: &str, m: &RawMatch, lines: &LineIndex<'_>) -> Finding {
        let rule = &self.rules.rules[m.rule];
        let faq = self.rules.faq(&rule.faq).expect("RuleSet::validate checked every FAQ id");
        let site = FindingSite { text, path, secret: m.secret.clone(), body: m.body.clone() };
        Finding::new(rule, faq, &site, lines)
    }
}
