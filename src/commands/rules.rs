//! `keyfence rules [FILTER]`: every rule (or those FILTER names) with the FAQ rule it enforces,
//! the ServiceTitan family first.

use crate::cli::{RulesArgs, RulesFormat as Format};
use crate::finding::escape_controls;
use anyhow::{Context, Result};
use serde::Serialize;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

#[derive(Serialize)]
struct RuleRow<'a> {
    id: &'a str,
    description: &'a str,
    severity: &'a str,
    family: &'a str,
    keywords: &'a [String],
    regex: &'a str,
    reference: &'a str,
    faq: FaqRow<'a>,
}

#[derive(Serialize)]
struct FaqRow<'a> {
    id: &'a str,
    rule: &'a str,
    url: &'a str,
}

/// Prints the built-in rules in `args.format`, or with `--check FILE` checks a rule file; exits 0
/// unless standard output fails or a checked rule fails its examples (1). A filter that matches
/// no rule is an error (exit 2).
pub fn run(args: RulesArgs) -> Result<ExitCode> {
    if let Some(file) = &args.check {
        return check(file, args.show_secrets);
    }
    let config = crate::config::Config::discover(args.config.as_deref(), None)?;
    config.print_warnings();
    let rules = config.rules;
    let filter = args.filter.as_deref().map(RuleFilter::new).transpose()?;
    let rows: Vec<RuleRow<'_>> = rules
        .listed()
        .into_iter()
        .filter(|rule| filter.as_ref().is_none_or(|f| f.keeps(rule)))
        .map(|rule| {
            let faq = rules.faq(&rule.faq).expect("RuleSet::validate checked every FAQ id");
            RuleRow {
                id: &rule.id,
                description: &rule.description,
                severity: rule.severity.as_str(),
                family: rule.family(),
                keywords: &rule.keywords,
                regex: &rule.regex,
                reference: &rule.reference,
                faq: FaqRow { id: &faq.id, rule: &faq.rule, url: &faq.url },
            }
        })
        .collect();
    // A filter that keeps nothing is a usage error (exit 2): exit 1 means "secrets found".
    if let (Some(filter), true) = (&args.filter, rows.is_empty()) {
        return Err(crate::error::Hinted::new(
            format!("no rule matches {filter:?}"),
            "match part of a rule id (`app-key`), a family (`aws`) or a FAQ rule id (`ST-FAQ-`); `keyfence rules` lists them all",
        )
        .into());
    }
    let mut out = std::io::stdout().lock();
    let written = match args.format {
        Format::Json => serde_json::to_writer_pretty(&mut out, &rows)
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(out)),
        // A configuration's own rules come from the repository: escape their texts.
        Format::Human => rows.iter().try_for_each(|row| {
            let e = escape_controls;
            writeln!(out, "{} ({}) {}", e(row.id), row.severity, e(row.description))?;
            writeln!(out, "  breaks     {}: {}", e(row.faq.id), e(row.faq.rule))?;
            writeln!(out, "             {}", e(row.faq.url))?;
            if row.reference.is_empty() {
                Ok(())
            } else {
                writeln!(out, "  format     {}", e(row.reference))
            }
        }),
    };
    match written {
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        other => other.context("cannot write to standard output").map(|()| ExitCode::SUCCESS),
    }
}

/// What `keyfence rules FILTER` keeps: a case-insensitive substring, or a glob when FILTER has
/// glob characters, tried on the rule id, its family and its FAQ rule id.
enum RuleFilter {
    Substring(String),
    Glob(globset::GlobMatcher),
}

impl RuleFilter {
    /// Errors (exit 2) on a glob that does not parse.
    fn new(text: &str) -> Result<RuleFilter> {
        if !text.contains(['*', '?', '[']) {
            return Ok(RuleFilter::Substring(text.to_lowercase()));
        }
        let glob = globset::GlobBuilder::new(text).case_insensitive(true).build().map_err(|err| {
            crate::error::Hinted::new(
                format!("the rule filter {text:?} is not a valid glob: {}", err.kind()),
                "use a plain word (`aws`) or a glob like 'servicetitan-*'",
            )
        })?;
        Ok(RuleFilter::Glob(glob.compile_matcher()))
    }

    fn keeps(&self, rule: &crate::rules::RuleSpec) -> bool {
        let fields = [rule.id.as_str(), rule.family(), rule.faq.as_str()];
        match self {
            RuleFilter::Substring(word) => fields.iter().any(|f| f.to_lowercase().contains(word.as_str())),
            RuleFilter::Glob(glob) => fields.iter().any(|f| glob.is_match(f)),
        }
    }
}

/// `keyfence rules --check FILE`: loads FILE on top of the built-in rules (errors, exit 2, name
/// the file, line and rule), then runs the examples of FILE's rules (quoted only with
/// `show_secrets`). Problems go to standard
/// output, one per line, and make the exit status 1.
fn check(file: &Path, show_secrets: bool) -> Result<ExitCode> {
    let loaded = crate::config::Config::load(file)?;
    loaded.print_warnings();
    if loaded.own_rules.is_empty() {
        return Err(crate::error::Hinted::new(
            format!("{} defines no rules ([[rule]] or, in a gitleaks file, [[rules]])", file.display()),
            "`keyfence rules --check` checks the rules a file defines",
        )
        .into());
    }
    let problems =
        crate::rules::check::check_examples(&loaded.rules, |id| loaded.own_rules.contains(id), show_secrets)?;
    let mut out = std::io::stdout().lock();
    for problem in &problems {
        let line = loaded.line_of(&problem.rule_id).map(|l| format!(":{l}")).unwrap_or_default();
        let text = format!("{}{line}: rule {}: {}", file.display(), problem.rule_id, problem.message);
        writeln!(out, "{}", escape_controls(&text))?;
    }
    let examples: usize = loaded
        .rules
        .rules
        .iter()
        .filter(|r| loaded.own_rules.contains(&r.id))
        .map(|r| r.examples.len() + r.negative_examples.len())
        .sum();
    let count = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    crate::say!(
        "keyfence: {}: {}, {} checked, {}",
        file.display(),
        count(loaded.own_rules.len(), "rule", "rules"),
        count(examples, "example", "examples"),
        count(problems.len(), "problem", "problems")
    );
    Ok(if problems.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
