//! Rules prove themselves: every example must yield its secret and no negative example may yield
//! anything. The test suite runs this on the built-in rules; `keyfence rules --check FILE` runs
//! it on a user's rule file.

use super::{RuleSet, RuleSpec};
use crate::scanner::Scanner;
use crate::sources::{Fragment, Provenance};
use anyhow::Result;
use std::borrow::Cow;
use std::collections::HashSet;

/// Examples and negative examples each rule must carry (the built-in bar, also asked of a
/// user's rule file by `keyfence rules --check`).
pub const MIN_EXAMPLES: usize = 2;

/// One way a rule failed its own examples.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The rule.
    pub rule_id: String,
    /// What went wrong, one line.
    pub message: String,
}

/// Runs the examples of the rules of `all` selected by `check`.
///
/// Each example is scanned by its rule alone (it must yield the example's secret) and by every
/// rule of `all` (it must still be reported under its rule: a generic rule never takes a
/// provider's finding). Each negative example is scanned by its rule alone and must yield
/// nothing. Rules with fewer than [`MIN_EXAMPLES`] of either kind are a problem too. The inline
/// allow marker is ignored, since example lines carry it. Errors if a regex does not compile.
///
/// Unless `show_secrets`, messages name an example by its number (1-based, in the file's order)
/// and show found secrets redacted: the examples of a user's file may be real secrets.
pub fn check_examples(
    all: &RuleSet,
    check: impl Fn(&str) -> bool,
    show_secrets: bool,
) -> Result<Vec<Problem>> {
    let full = Scanner::new(all.clone())?.ignoring_allow_marker();
    let mut problems = Vec::new();
    for rule in all.rules.iter().filter(|r| check(&r.id)) {
        crate::matcher::compile_rule_regex(rule)?;
        let mut problem = |message: String| problems.push(Problem { rule_id: rule.id.clone(), message });
        // Repeated or empty texts do not count towards the bar.
        let distinct = |texts: Vec<&str>| {
            texts.into_iter().filter(|t| !t.trim().is_empty()).collect::<HashSet<_>>().len()
        };
        let examples = distinct(rule.examples.iter().map(|e| e.text.as_str()).collect());
        if examples < MIN_EXAMPLES {
            problem(format!("needs at least {MIN_EXAMPLES} distinct examples, has {examples}"));
        }
        let negatives = distinct(rule.negative_examples.iter().map(String::as_str).collect());
        if negatives < MIN_EXAMPLES {
            problem(format!(
                "needs at least {MIN_EXAMPLES} distinct, non-empty negative examples, has {negatives}"
            ));
        }
        if rule.derived {
            check_derived(&full, all, rule, show_secrets, &mut problem);
            continue;
        }
        let alone = Scanner::new(RuleSet { rules: vec![rule.clone()], faqs: all.faqs.clone() })?
            .ignoring_allow_marker();
        let quote = |text: &str, what: &str| if show_secrets { format!("{text:?}") } else { what.to_owned() };
        let shown = |found: &[Found]| -> Vec<String> {
            found.iter().map(|f| if show_secrets { f.secret.clone() } else { f.redacted.clone() }).collect()
        };
        for (n, example) in rule.examples.iter().enumerate() {
            let found = scan(&alone, &example.text);
            if !found.iter().any(|f| f.secret == example.secret) {
                let lower = example.text.to_ascii_lowercase();
                let no_keyword = !rule.keywords.is_empty()
                    && !rule.keywords.iter().any(|k| lower.contains(&k.to_ascii_lowercase()));
                problem(format!(
                    "example {} should yield {}, got {:?}{}",
                    quote(&example.text, &format!("{}", n + 1)),
                    quote(&example.secret, "its secret"),
                    shown(&found),
                    if no_keyword { " (none of the rule's keywords occurs in it)" } else { "" }
                ));
                continue;
            }
            let found = scan(&full, &example.text);
            if !found.iter().any(|f| f.rule_id == rule.id && f.secret == example.secret) {
                let reported: Vec<(&str, String)> =
                    found.iter().zip(shown(&found)).map(|(f, s)| (f.rule_id.as_str(), s)).collect();
                problem(format!(
                    "with every rule loaded, example {} is reported as {reported:?}",
                    quote(&example.text, &format!("{}", n + 1)),
                ));
            }
        }
        for (n, text) in rule.negative_examples.iter().enumerate() {
            let found = scan(&alone, text);
            if !found.is_empty() {
                problem(format!(
                    "negative example {} matched {:?}",
                    quote(text, &format!("{}", n + 1)),
                    shown(&found)
                ));
            }
        }
    }
    Ok(problems)
}

/// A derived rule (reported by a key-sharing analysis) is checked through the whole pipeline:
/// each example, scanned by every rule and then judged by the analyses, must yield the rule's
/// finding with the example's secret; each negative example must not yield the rule at all.
/// Texts are quoted only with `show_secrets`, as for other rules.
fn check_derived(
    full: &Scanner,
    all: &RuleSet,
    rule: &RuleSpec,
    show_secrets: bool,
    problem: &mut dyn FnMut(String),
) {
    let quote = |text: &str, n: usize| if show_secrets { format!("{text:?}") } else { format!("{n}") };
    for (n, example) in rule.examples.iter().enumerate() {
        let found = scan_and_judge(full, all, &example.text);
        if !found.iter().any(|f| f.rule_id == rule.id && f.secret == example.secret) {
            let ids: Vec<&str> = found.iter().map(|f| f.rule_id.as_str()).collect();
            problem(format!(
                "example {} should yield its secret after the key-sharing analyses, got {ids:?}",
                quote(&example.text, n + 1)
            ));
        }
    }
    for (n, text) in rule.negative_examples.iter().enumerate() {
        if scan_and_judge(full, all, text).iter().any(|f| f.rule_id == rule.id) {
            problem(format!("negative example {} yielded {}", quote(text, n + 1), rule.id));
        }
    }
}

/// Every finding in `text`, after the key-sharing analyses.
fn scan_and_judge(scanner: &Scanner, rules: &RuleSet, text: &str) -> Vec<Found> {
    let fragment = Fragment {
        provenance: Provenance::File { path: "example".into() },
        text: Cow::Borrowed(text.as_bytes()),
        added_lines: None,
        lines_before: 0,
    };
    let mut findings = scanner.scan(&fragment);
    crate::sharing::observe(&fragment, &mut findings, rules);
    crate::sharing::apply(
        &mut findings,
        &crate::sharing::Context {
            rules,
            org: None,
            one_commit: false,
            push_outside: Vec::new(),
            staged_emails: Vec::new(),
        },
    );
    findings
        .into_iter()
        .map(|f| Found { rule_id: f.rule_id, secret: f.secret, redacted: f.redacted })
        .collect()
}

/// What an example yielded: a finding's rule, its secret and its redacted form.
struct Found {
    rule_id: String,
    secret: String,
    redacted: String,
}

/// Every finding in `text`.
fn scan(scanner: &Scanner, text: &str) -> Vec<Found> {
    let fragment = Fragment {
        provenance: Provenance::File { path: "example".into() },
        text: Cow::Borrowed(text.as_bytes()),
        added_lines: None,
        lines_before: 0,
    };
    scanner
        .scan(&fragment)
        .into_iter()
        .map(|f| Found { rule_id: f.rule_id, secret: f.secret, redacted: f.redacted })
        .collect()
}

/// The 1-based line of `text` where the rule `id` is defined (its `id = "…"` line), for error
/// messages that point into a rule file.
pub fn rule_line(text: &str, id: &str) -> Option<usize> {
    text.lines()
        .position(|line| {
            let line = line.trim_start();
            line.strip_prefix("id").is_some_and(|rest| {
                let rest = rest.trim_start();
                rest.starts_with('=')
                    && (rest.contains(&format!("\"{id}\"")) || rest.contains(&format!("'{id}'")))
            })
        })
        .map(|index| index + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_line_finds_the_id_line() {
        let text = "[[rule]]\nid = \"a-b\"\n[[rule]]\n  id='c'\n";
        assert_eq!(rule_line(text, "a-b"), Some(2));
        assert_eq!(rule_line(text, "c"), Some(4));
        assert_eq!(rule_line(text, "a"), None);
    }
}
