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
pub fn check_examples(all: &RuleSet, check: impl Fn(&str) -> bool) -> Result<Vec<Problem>> {
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
            check_derived(&full, all, rule, &mut problem);
            continue;
        }
        let alone = Scanner::new(RuleSet { rules: vec![rule.clone()], faqs: all.faqs.clone() })?
            .ignoring_allow_marker();
        for example in &rule.examples {
            let found = scan(&alone, &example.text);
            if !found.iter().any(|(_, secret)| *secret == example.secret) {
                let lower = example.text.to_ascii_lowercase();
                let no_keyword = !rule.keywords.is_empty()
                    && !rule.keywords.iter().any(|k| lower.contains(&k.to_ascii_lowercase()));
                problem(format!(
                    "example {:?} should yield secret {:?}, got {:?}{}",
                    example.text,
                    example.secret,
                    found.iter().map(|(_, s)| s).collect::<Vec<_>>(),
                    if no_keyword { " (none of the rule's keywords occurs in it)" } else { "" }
                ));
                continue;
            }
            let found = scan(&full, &example.text);
            if !found.iter().any(|(id, secret)| *id == rule.id && *secret == example.secret) {
                problem(format!(
                    "with every rule loaded, example {:?} is reported as {:?}",
                    example.text, found
                ));
            }
        }
        for text in &rule.negative_examples {
            let found = scan(&alone, text);
            if !found.is_empty() {
                let secrets: Vec<&String> = found.iter().map(|(_, s)| s).collect();
                problem(format!("negative example {text:?} matched {secrets:?}"));
            }
        }
    }
    Ok(problems)
}

/// A derived rule (reported by a key-sharing analysis) is checked through the whole pipeline:
/// each example, scanned by every rule and then judged by the analyses, must yield the rule's
/// finding with the example's secret; each negative example must not yield the rule at all.
fn check_derived(full: &Scanner, all: &RuleSet, rule: &RuleSpec, problem: &mut dyn FnMut(String)) {
    for example in &rule.examples {
        let found = scan_and_judge(full, all, &example.text);
        if !found.iter().any(|(id, secret)| *id == rule.id && *secret == example.secret) {
            problem(format!(
                "example {:?} should yield secret {:?} after the key-sharing analyses, got {found:?}",
                example.text, example.secret
            ));
        }
    }
    for text in &rule.negative_examples {
        let found = scan_and_judge(full, all, text);
        if found.iter().any(|(id, _)| *id == rule.id) {
            problem(format!("negative example {text:?} yielded {}", rule.id));
        }
    }
}

/// The fragment a rule example is scanned as.
fn example_fragment(text: &str) -> Fragment<'_> {
    Fragment {
        provenance: Provenance::File { path: "example".into() },
        text: Cow::Borrowed(text.as_bytes()),
        added_lines: None,
        lines_before: 0,
    }
}

/// (rule id, secret) of every finding in `text`.
fn scan(scanner: &Scanner, text: &str) -> Vec<(String, String)> {
    scanner.scan(&example_fragment(text)).into_iter().map(|f| (f.rule_id, f.secret)).collect()
}

/// (rule id, secret) of every finding in `text`, after the key-sharing analyses.
fn scan_and_judge(scanner: &Scanner, rules: &RuleSet, text: &str) -> Vec<(String, String)> {
    let fragment = example_fragment(text);
    let mut findings = scanner.scan(&fragment);
    crate::sharing::observe(&fragment, &mut findings, rules);
    crate::sharing::apply(&mut findings, &crate::sharing::Context { rules, org: None, one_commit: false });
    findings.into_iter().map(|f| (f.rule_id, f.secret)).collect()
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
