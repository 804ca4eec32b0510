//! Finds candidate secrets: a keyword prefilter over all rules, then each candidate rule's regex.
//!
//! The prefilter is one Aho-Corasick pass (ASCII case-insensitive) over the text for every rule's
//! keywords. A rule runs only if one of its keywords occurs anywhere in the text; rules without
//! keywords always run. The regexes then run over the whole text, so a match may sit anywhere,
//! not only next to a keyword hit. Nothing here judges a match: that is `filters`' job.

use crate::rules::{RuleSet, RuleSpec};
use aho_corasick::AhoCorasick;
use anyhow::{Context, Result};
use regex::bytes::{CaptureLocations, Regex, RegexBuilder};
use std::ops::Range;
use std::sync::OnceLock;

/// A rule's regex, compiled on first use, with the capture groups the pipeline reads.
///
/// Compiling every rule up front was three quarters of a small scan's start-up; most texts
/// wake only a few rules, so each is compiled when its keyword first shows up.
#[derive(Debug)]
struct CompiledRule {
    source: RuleSpec,
    compiled: OnceLock<(Regex, usize, Option<usize>)>,
}

impl CompiledRule {
    /// The regex, the secret group (0 = the whole match) and the body group.
    ///
    /// Panics if the regex does not compile: built-in rules are compiled by the test suite, and
    /// a panic while scanning is caught and fails the scan closed.
    fn get(&self) -> &(Regex, usize, Option<usize>) {
        self.compiled.get_or_init(|| {
            let regex = compile_rule_regex(&self.source).unwrap_or_else(|err| panic!("{err:#}"));
            let secret = regex.capture_names().position(|n| n == Some("secret")).unwrap_or(0);
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
}

/// All rules compiled, with their keyword prefilter.
#[derive(Debug)]
pub struct Matcher {
    rules: Vec<CompiledRule>,
    prefilter: AhoCorasick,
    /// For each prefilter pattern, the rules that listed it as a keyword.
    keyword_rules: Vec<Vec<usize>>,
    /// Rules without keywords: they run on every text.
    unconditional: Vec<usize>,
}

/// Compiles one rule's regex the way every rule is compiled: over bytes, Unicode off.
///
/// Errors name the rule id and the regex syntax error.
pub fn compile_rule_regex(rule: &RuleSpec) -> Result<Regex> {
    RegexBuilder::new(&rule.regex)
        .unicode(false)
        .size_limit(1 << 24)
        .build()
        .with_context(|| format!("rule {} has an invalid regex", rule.id))
}

impl Matcher {
    /// Prepares every rule of `rules`; regexes are compiled on first use (see [`CompiledRule`]).
    /// Errors if the keyword prefilter cannot be built.
    pub fn new(rules: &RuleSet) -> Result<Matcher> {
        let mut compiled = Vec::with_capacity(rules.rules.len());
        let mut keywords: Vec<String> = Vec::new();
        let mut keyword_rules: Vec<Vec<usize>> = Vec::new();
        let mut unconditional = Vec::new();
        for (index, rule) in rules.rules.iter().enumerate() {
            compiled.push(CompiledRule { source: rule.clone(), compiled: OnceLock::new() });
            if rule.keywords.is_empty() {
                unconditional.push(index);
            }
            for keyword in &rule.keywords {
                let keyword = keyword.to_ascii_lowercase();
                match keywords.iter().position(|k| *k == keyword) {
                    Some(existing) => keyword_rules[existing].push(index),
                    None => {
                        keywords.push(keyword);
                        keyword_rules.push(vec![index]);
                    }
                }
            }
        }
        let prefilter = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(&keywords)
            .context("could not build the keyword prefilter")?;
        Ok(Matcher { rules: compiled, prefilter, keyword_rules, unconditional })
    }

    /// Indices of the rules whose keywords occur in `text` (plus the keyword-less ones), sorted.
    pub fn candidate_rules(&self, text: &[u8]) -> Vec<usize> {
        let mut wanted = vec![false; self.rules.len()];
        for &index in &self.unconditional {
            wanted[index] = true;
        }
        let mut remaining_keywords = self.keyword_rules.len();
        let mut seen_keyword = vec![false; self.keyword_rules.len()];
        for hit in self.prefilter.find_overlapping_iter(text) {
            let pattern = hit.pattern().as_usize();
            if seen_keyword[pattern] {
                continue;
            }
            seen_keyword[pattern] = true;
            for &index in &self.keyword_rules[pattern] {
                wanted[index] = true;
            }
            remaining_keywords -= 1;
            if remaining_keywords == 0 {
                break;
            }
        }
        wanted.iter().enumerate().filter(|(_, w)| **w).map(|(i, _)| i).collect()
    }

    /// Every match of every candidate rule in `text`, in rule order, then text order.
    pub fn find(&self, text: &[u8]) -> Vec<RawMatch> {
        let mut matches = Vec::new();
        for index in self.candidate_rules(text) {
            self.find_rule(index, text, &mut matches);
        }
        matches
    }

    /// Appends the matches of rule `index` to `out`.
    ///
    /// Rules consume one boundary character on each side of the secret, so the search resumes
    /// right after the secret, not after the match: two secrets separated by a single comma are
    /// both found.
    fn find_rule(&self, index: usize, text: &[u8], out: &mut Vec<RawMatch>) {
        let (regex, secret_group, body_group) = self.rules[index].get();
        let mut locations: CaptureLocations = regex.capture_locations();
        let mut at = 0;
        while at <= text.len() {
            let Some(whole) = regex.captures_read_at(&mut locations, text, at) else {
                break;
            };
            let Some((start, end)) = locations.get(*secret_group) else {
                at = whole.end().max(whole.start() + 1);
                continue;
            };
            let body = body_group.and_then(|g| locations.get(g)).unwrap_or((start, end));
            out.push(RawMatch { rule: index, secret: start..end, body: body.0..body.1 });
            at = end.max(whole.start() + 1);
        }
    }
}
