//! Finds candidate secrets: a keyword prefilter over all rules, then each candidate rule's regex.
//!
//! The prefilter is one ASCII case-insensitive pass over the text for every rule's keywords (see
//! [`crate::keywords`]). A rule runs only on windows around its keywords' hits (see
//! [`Matcher::find`]); rules without keywords run on the whole text. Nothing here judges a match:
//! that is `filters`' job.

use crate::decode;
use crate::keywords::Keywords;
use crate::rules::{Origin, RuleSet, RuleSpec};
use anyhow::Result;
use regex::bytes::{CaptureLocations, Regex, RegexBuilder};
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::OnceLock;

/// A rule's regex, compiled on first use, with the capture groups the pipeline reads.
///
/// Compiling every rule up front was three quarters of a small scan's start-up; most texts
/// wake only a few rules, so each is compiled when its keyword first shows up.
#[derive(Debug)]
struct CompiledRule {
    source: RuleSpec,
    compiled: OnceLock<(Regex, SecretGroup, Option<usize>)>,
}

/// Which capture group holds the secret.
#[derive(Debug, Clone, Copy)]
enum SecretGroup {
    /// This group (0: the whole match).
    Index(usize),
    /// The first group that matched something, else the whole match (gitleaks' rule).
    FirstNonEmpty,
}

impl CompiledRule {
    /// The regex, the secret group (0 = the whole match) and the body group.
    ///
    /// Panics if the regex does not compile: built-in rules are compiled by the test suite, and
    /// a panic while scanning is caught and fails the scan closed.
    fn get(&self) -> &(Regex, SecretGroup, Option<usize>) {
        self.compiled.get_or_init(|| {
            let regex = compile_rule_regex(&self.source).unwrap_or_else(|err| panic!("{err:#}"));
            let named = regex.capture_names().position(|n| n == Some("secret"));
            let secret = match (self.source.secret_group, named) {
                (Some(index), _) => SecretGroup::Index(index),
                (None, Some(index)) => SecretGroup::Index(index),
                (None, None) if self.source.origin == Origin::Gitleaks => SecretGroup::FirstNonEmpty,
                (None, None) => SecretGroup::Index(0),
            };
            let body = regex.capture_names().position(|n| n == Some("body"));
            (regex, secret, body)
        })
    }
}

/// One regex match of one rule, before any filter. Ranges are byte offsets into the scanned text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawMatch {
    /// Index of the rule in [`RuleSet::rules`].
    pub rule: usize,
    /// The secret.
    pub secret: Range<usize>,
    /// The random part of the secret (equal to `secret` when the rule has no `body` group).
    pub body: Range<usize>,
    /// The rule's whole regex match (allowlists with gitleaks' `regexTarget = "match"`).
    pub whole: Range<usize>,
}

impl RawMatch {
    /// The same match with every range moved `offset` bytes on.
    pub fn shifted(self, offset: usize) -> RawMatch {
        let shift = |r: Range<usize>| r.start + offset..r.end + offset;
        RawMatch {
            rule: self.rule,
            secret: shift(self.secret),
            body: shift(self.body),
            whole: shift(self.whole),
        }
    }
}

/// Bytes searched on each side of a keyword hit when its line is longer (minified files).
pub const LINE_REACH: usize = 4096;
/// Bytes searched past a keyword hit for a multi-line rule (a PEM block is a few KiB).
pub const MULTILINE_REACH: usize = 64 * 1024;

/// Where a window around a hit at `hit` starts: its line's start, or, on a long line, just
/// after the last delimiter in the [`LINE_REACH`] bytes before it.
fn window_start(text: &[u8], hit: usize) -> usize {
    let floor = hit.saturating_sub(LINE_REACH);
    match memchr::memrchr(b'\n', &text[floor..hit]) {
        Some(newline) => floor + newline + 1,
        None if floor == 0 => 0,
        None => text[floor..hit]
            .iter()
            .position(|b| matches!(b, b' ' | b'\t' | b'"' | b'\'' | b',' | b';'))
            .map_or(floor, |p| floor + p + 1),
    }
}

/// Where a window around a hit ending at `hit_end` ends: just past its line's newline (at most
/// [`LINE_REACH`] bytes on), or [`MULTILINE_REACH`] bytes on for a multi-line rule.
fn window_end(text: &[u8], hit_end: usize, multiline: bool) -> usize {
    if multiline {
        return text.len().min(hit_end + MULTILINE_REACH);
    }
    let ceiling = text.len().min(hit_end + LINE_REACH);
    memchr::memchr(b'\n', &text[hit_end..ceiling]).map_or(ceiling, |p| hit_end + p + 1)
}

/// All rules compiled, with their keyword prefilter.
#[derive(Debug)]
pub struct Matcher {
    rules: Vec<CompiledRule>,
    prefilter: Keywords,
    /// For each prefilter pattern, the rules that listed it as a keyword.
    keyword_rules: Vec<Vec<usize>>,
    /// Rules without keywords: they run on every text.
    unconditional: Vec<usize>,
    /// Prefilter pattern ids of [`decode::CONTEXT_KEYWORDS`], in that order.
    context_patterns: [usize; 2],
    /// Per prefilter pattern: true if it wakes the assignment extractor (a generic rule's keyword
    /// or one of [`crate::assign::HINT_KEYWORDS`]).
    assign_patterns: Vec<bool>,
}

/// Compiles one rule's regex the way every rule is compiled: over bytes, Unicode off (ASCII
/// classes, fast); a pattern that needs Unicode (`\p{L}`, a non-ASCII literal, as in a gitleaks
/// rule written for Go) is compiled with Unicode on instead. A `secret_group` must exist.
///
/// Errors name the rule id and the regex syntax error, on one line.
pub fn compile_rule_regex(rule: &RuleSpec) -> Result<Regex> {
    let build = |unicode: bool| RegexBuilder::new(&rule.regex).unicode(unicode).size_limit(1 << 26).build();
    let regex = build(false).or_else(|ascii_err| build(true).map_err(|_| ascii_err)).map_err(|err| {
        anyhow::anyhow!("rule {} has an invalid regex: {}", rule.id, one_line_regex_error(&err))
    })?;
    if let Some(group) = rule.secret_group {
        if group >= regex.captures_len() {
            anyhow::bail!(
                "rule {}: secret group {group} does not exist (the regex has {} groups)",
                rule.id,
                regex.captures_len() - 1
            );
        }
    }
    Ok(regex)
}

/// A regex error on one line: the syntax error's message without the pattern drawing.
pub fn one_line_regex_error(err: &regex::Error) -> String {
    let text = err.to_string();
    match text.lines().rev().find_map(|line| line.trim().strip_prefix("error: ")) {
        Some(message) => message.to_owned(),
        None => text.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" "),
    }
}

impl Matcher {
    /// Prepares every rule of `rules`; regexes are compiled on first use (see [`CompiledRule`]).
    /// Errors if the keyword prefilter cannot be built.
    pub fn new(rules: &RuleSet) -> Result<Matcher> {
        let mut compiled = Vec::with_capacity(rules.rules.len());
        let mut keywords: Vec<String> = Vec::new();
        // Where each keyword sits in `keywords` (hundreds of rules share a few hundred keywords).
        let mut keyword_index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        let mut keyword_rules: Vec<Vec<usize>> = Vec::new();
        let mut unconditional = Vec::new();
        for (index, rule) in rules.rules.iter().enumerate() {
            compiled.push(CompiledRule { source: rule.clone(), compiled: OnceLock::new() });
            // A derived rule is reported by a key-sharing analysis, never by its regex.
            if rule.derived {
                continue;
            }
            if rule.keywords.is_empty() {
                unconditional.push(index);
            }
            for keyword in &rule.keywords {
                let keyword = keyword.to_ascii_lowercase();
                match keyword_index.get(&keyword) {
                    Some(&existing) => keyword_rules[existing].push(index),
                    None => {
                        keyword_index.insert(keyword.clone(), keywords.len());
                        keywords.push(keyword);
                        keyword_rules.push(vec![index]);
                    }
                }
            }
        }
        // The decoder's context keywords ride along in the same pass.
        let mut context_patterns = [0; 2];
        for (slot, keyword) in context_patterns.iter_mut().zip(decode::CONTEXT_KEYWORDS) {
            *slot = match keywords.iter().position(|k| k == keyword) {
                Some(existing) => existing,
                None => {
                    keywords.push(keyword.to_owned());
                    keyword_rules.push(Vec::new());
                    keywords.len() - 1
                }
            };
        }
        // So do the assignment extractor's: every generic rule's keywords (a rewritten line can
        // only matter to a rule whose keyword it holds) and the ServiceTitan prefixes.
        let mut assign_patterns = vec![false; keywords.len()];
        for (slot, rules_of_keyword) in assign_patterns.iter_mut().zip(&keyword_rules) {
            *slot = rules_of_keyword.iter().any(|&index| rules.rules[index].generic);
        }
        for keyword in crate::assign::HINT_KEYWORDS {
            match keywords.iter().position(|k| k == keyword) {
                Some(existing) => assign_patterns[existing] = true,
                None => {
                    keywords.push((*keyword).to_owned());
                    keyword_rules.push(Vec::new());
                    assign_patterns.push(true);
                }
            }
        }
        let prefilter = Keywords::new(&keywords)?;
        Ok(Matcher {
            rules: compiled,
            prefilter,
            keyword_rules,
            unconditional,
            context_patterns,
            assign_patterns,
        })
    }

    /// Every match of every candidate rule in `text`, in rule order, then text order.
    ///
    /// A rule's regex runs only on windows around its keywords' hits: the line holding the hit
    /// (at most [`LINE_REACH`] bytes either side of it, for minified files), or for a multi-line
    /// rule from that line's start to [`MULTILINE_REACH`] bytes past the hit. Windows start at a
    /// line start (or a delimiter) and end at a line end, where the rules' boundary classes see
    /// what they would see in the whole text. Rules without keywords run on the whole text.
    pub fn find(&self, text: &[u8]) -> Vec<RawMatch> {
        self.find_with_hints(text).0
    }

    /// [`Matcher::find`], plus where the decoder's context keywords are (same pass).
    pub fn find_with_hints(&self, text: &[u8]) -> (Vec<RawMatch>, decode::Hints) {
        let mut hints = decode::Hints::default();
        // Windows of the rules woken so far, by rule (most texts wake a few of the hundreds of
        // rules: a map keeps short texts, such as the extractor's views, from paying for all).
        let mut windows: BTreeMap<usize, Vec<Range<usize>>> = BTreeMap::new();
        for &index in &self.unconditional {
            windows.insert(index, std::iter::once(0..text.len()).collect());
        }
        let mut hits = Vec::new();
        self.prefilter.find_all(text, &mut hits);
        for hit in hits {
            let pattern = hit.pattern;
            if pattern == self.context_patterns[0] {
                hints.basic.push(hit.start);
            } else if pattern == self.context_patterns[1] {
                hints.kubernetes = true;
            }
            if self.assign_patterns[pattern] {
                hints.assign.push(hit.start);
            }
            for &index in &self.keyword_rules[pattern] {
                let multiline = self.rules[index].source.multiline;
                let rule_windows = windows.entry(index).or_default();
                match rule_windows.last_mut() {
                    // Hits on a line already covered only push the window's end further.
                    Some(last) if hit.start < last.end => {
                        last.end = last.end.max(window_end(text, hit.end, multiline))
                    }
                    _ => {
                        let window = window_start(text, hit.start)..window_end(text, hit.end, multiline);
                        match rule_windows.last_mut() {
                            Some(last) if window.start <= last.end => last.end = last.end.max(window.end),
                            _ => rule_windows.push(window),
                        }
                    }
                }
            }
        }
        let mut matches = Vec::new();
        for (&index, rule_windows) in &windows {
            for window in rule_windows {
                self.find_rule(index, text, window.clone(), &mut matches);
            }
        }
        (matches, hints)
    }

    /// Appends the matches of rule `index` to `out`.
    ///
    /// Rules consume one boundary character on each side of the secret, so the search resumes
    /// right after the secret, not after the match: two secrets separated by a single comma are
    /// both found.
    fn find_rule(&self, index: usize, whole_text: &[u8], window: Range<usize>, out: &mut Vec<RawMatch>) {
        let offset = window.start;
        let text = &whole_text[window];
        // A window without the run of key characters every match holds cannot match: the regex
        // is neither run nor, if no window ever has one, compiled.
        if let Some(run) = &self.rules[index].source.value_run {
            if !run.found_in(text) {
                return;
            }
        }
        let (regex, secret_group, body_group) = self.rules[index].get();
        let mut locations: CaptureLocations = regex.capture_locations();
        let mut at = 0;
        while at <= text.len() {
            let Some(whole) = regex.captures_read_at(&mut locations, text, at) else {
                break;
            };
            let secret = match *secret_group {
                SecretGroup::Index(group) => locations.get(group),
                SecretGroup::FirstNonEmpty => (1..locations.len())
                    .filter_map(|g| locations.get(g))
                    .find(|(s, e)| e > s)
                    .or(Some((whole.start(), whole.end()))),
            };
            let Some((start, end)) = secret.filter(|(s, e)| e > s) else {
                at = whole.end().max(whole.start() + 1);
                continue;
            };
            let body = body_group.and_then(|g| locations.get(g)).unwrap_or((start, end));
            out.push(RawMatch {
                rule: index,
                secret: start + offset..end + offset,
                body: body.0 + offset..body.1 + offset,
                whole: whole.start() + offset..whole.end() + offset,
            });
            at = end.max(whole.start() + 1);
        }
    }
}
