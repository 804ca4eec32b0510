//! `keyfence rules`: every rule with the FAQ rule it enforces.

use crate::cli::{RulesArgs, RulesFormat as Format};
use crate::rules::RuleSet;
use anyhow::{Context, Result};
use serde::Serialize;
use std::io::Write;
use std::process::ExitCode;

#[derive(Serialize)]
struct RuleRow<'a> {
    id: &'a str,
    description: &'a str,
    severity: &'a str,
    keywords: &'a [String],
    reference: &'a str,
    faq: FaqRow<'a>,
}

#[derive(Serialize)]
struct FaqRow<'a> {
    id: &'a str,
    rule: &'a str,
    url: &'a str,
}

/// Prints the built-in rules in `args.format`; always exits 0 unless standard output fails.
pub fn run(args: RulesArgs) -> Result<ExitCode> {
    let rules = RuleSet::builtin()?;
    let rows: Vec<RuleRow<'_>> = rules
        .rules
        .iter()
        .map(|rule| {
            let faq = rules.faq(&rule.faq).expect("RuleSet::validate checked every FAQ id");
            RuleRow {
                id: &rule.id,
                description: &rule.description,
                severity: rule.severity.as_str(),
                keywords: &rule.keywords,
                reference: &rule.reference,
                faq: FaqRow { id: &faq.id, rule: &faq.rule, url: &faq.url },
            }
        })
        .collect();
    let mut out = std::io::stdout().lock();
    let written = match args.format {
        Format::Json => serde_json::to_writer_pretty(&mut out, &rows)
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(out)),
        Format::Human => rows.iter().try_for_each(|row| {
            writeln!(out, "{} ({}) {}", row.id, row.severity, row.description)?;
            writeln!(out, "  breaks     {}: {}", row.faq.id, row.faq.rule)?;
            writeln!(out, "             {}", row.faq.url)?;
            writeln!(out, "  format     {}", row.reference)
        }),
    };
    match written {
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        other => other.context("cannot write to standard output").map(|()| ExitCode::SUCCESS),
    }
}
