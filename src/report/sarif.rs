//! SARIF 2.1.0, as GitHub code scanning and GitLab ingest it.
//!
//! One `reportingDescriptor` per rule in force (its `helpUri` is the FAQ page for ServiceTitan
//! rules, the token format's documentation otherwise); one result per finding with a physical
//! location, the redacted secret as snippet, the content fingerprint in `partialFingerprints`
//! (so code scanning tracks an alert across edits), and commit data in `properties`. Columns
//! count Unicode code points, as keyfence's do, and say so in `columnKind`.
//! Spec: https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html

use super::{ReportOptions, ScanContext};
use crate::finding::Finding;
use crate::rules::{RuleSet, Severity};
use crate::sources::head::HeadPlace;
use serde_json::{json, Value};
use std::io::{self, Write};

/// The `$schema` every SARIF log names.
const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Writes a SARIF log with one run: every rule of `rules`, every finding (history findings
/// placed at HEAD by `context.head_places`), the repository and revision scanned, and an
/// invocation whose `executionSuccessful` is false (with `context.errors` as notifications) if
/// the scan was incomplete.
pub fn write(
    findings: &[Finding],
    rules: &RuleSet,
    options: ReportOptions,
    context: &ScanContext<'_>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let listed = rules.listed();
    let descriptors: Vec<Value> = listed.iter().map(|rule| descriptor(rule, rules)).collect();
    let results: Vec<Value> = findings
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let index = listed.iter().position(|r| r.id == f.rule_id);
            let head = context.head_places.get(i).and_then(Option::as_ref);
            result(f, index, head, options)
        })
        .collect();
    let errors = context.errors;
    let mut run = json!({
        "tool": {
            "driver": {
                "name": "keyfence",
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": env!("CARGO_PKG_REPOSITORY"),
                "rules": descriptors,
            }
        },
        "columnKind": "unicodeCodePoints",
        // An incomplete scan must not look like a clean one to a code-scanning dashboard.
        "invocations": [{
            "executionSuccessful": errors.is_empty(),
            "toolExecutionNotifications": errors.iter().map(|e| json!({
                "level": "error",
                "message": { "text": e },
            })).collect::<Vec<_>>(),
        }],
        "results": results,
    });
    if let Some(vc) = context.version_control {
        let mut provenance = json!({ "repositoryUri": vc.repository_uri, "revisionId": vc.revision });
        if let Some(branch) = &vc.branch {
            provenance["branch"] = json!(branch);
        }
        run["versionControlProvenance"] = json!([provenance]);
    }
    let log = json!({ "$schema": SCHEMA, "version": "2.1.0", "runs": [run] });
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

fn descriptor(rule: &crate::rules::RuleSpec, rules: &RuleSet) -> Value {
    let faq = rules.faq(&rule.faq).expect("RuleSet::validate checked every FAQ id");
    let help_uri = if faq.id.starts_with("ST-") { &faq.url } else { &rule.reference };
    let steps: String = faq.next_steps.iter().enumerate().map(|(i, s)| format!("{}. {s}\n", i + 1)).collect();
    json!({
        "id": rule.id,
        "name": camel_case(&rule.id),
        "shortDescription": { "text": rule.description },
        "fullDescription": { "text": format!("{} Breaks {}: {}", sentence(&rule.description), faq.id, sentence(&faq.rule)) },
        "helpUri": help_uri,
        "help": {
            "text": format!("{}\n{}\n\nNext steps:\n{steps}\nToken format: {}", faq.rule, faq.url, rule.reference),
            "markdown": format!("**{}**: {}\n\n[{}]({})\n\n**Next steps**\n\n{steps}\nToken format: <{}>", faq.id, faq.rule, faq.url, faq.url, rule.reference),
        },
        "defaultConfiguration": { "level": level(rule.severity) },
        "properties": {
            "tags": ["security", "secret"],
            "precision": if rule.generic { "medium" } else { "high" },
            "security-severity": security_severity(rule.severity),
            "faq": { "id": faq.id, "rule": faq.rule, "url": faq.url },
        }
    })
}

fn result(f: &Finding, rule_index: Option<usize>, head: Option<&HeadPlace>, options: ReportOptions) -> Value {
    let secret = f.shown_secret(options.show_secrets);
    let decoded = f.decoded.as_ref().map(|d| format!(" [decoded from {d}]")).unwrap_or_default();
    let mut message = format!("{} ({}){decoded} breaks {}: {}", f.description, secret, f.faq.id, f.faq.rule);
    let region = json!({
        "startLine": f.line,
        "startColumn": f.column,
        "endLine": f.end_line,
        "endColumn": f.end_column + 1,
        "snippet": { "text": secret },
    });
    let mut location = json!({ "artifactLocation": { "uri": uri(&f.path) }, "region": region });
    if let (Some(head), Some(commit)) = (head, &f.commit) {
        let added = format!("added in {} at {}:{}", short(commit), f.path, f.line);
        match head {
            HeadPlace::Present { line, column, end_line, end_column } => {
                location["region"] = json!({
                    "startLine": line,
                    "startColumn": column,
                    "endLine": end_line,
                    "endColumn": end_column + 1,
                    "snippet": { "text": secret },
                });
                message.push_str(&format!(" (still at HEAD; {added})"));
            }
            // No region: a line of the commit that added the secret would point at an
            // unrelated line of the file as HEAD has it.
            HeadPlace::Removed => {
                location.as_object_mut().map(|l| l.remove("region"));
                message.push_str(&format!(" (removed from HEAD; {added})"));
            }
            HeadPlace::FileGone => {
                location.as_object_mut().map(|l| l.remove("region"));
                message.push_str(&format!(" (removed from HEAD, file deleted; {added})"));
            }
            HeadPlace::Unknown => {
                location.as_object_mut().map(|l| l.remove("region"));
                message.push_str(&format!(" ({added})"));
            }
        }
    }
    let mut result = json!({
        "ruleId": f.rule_id,
        "level": level(f.severity),
        "message": { "text": message },
        "locations": [{ "physicalLocation": location }],
        "partialFingerprints": { "keyfence/v2": f.fingerprint },
        "properties": {
            "fingerprint_kind": f.fingerprint_kind,
            "commit": f.commit,
            "commit_line": f.commit.as_ref().map(|_| f.line),
            "author": f.author,
            "date": f.date,
            "faq": f.faq.id,
            "exposure": f.exposure,
            "shared_with": f.shared_with,
            "related": f.related,
        }
    });
    if let Some(index) = rule_index {
        result["ruleIndex"] = json!(index);
    }
    result
}

/// The first 12 hex digits of a commit id, as people quote commits.
fn short(commit: &str) -> &str {
    &commit[..commit.len().min(12)]
}

/// `text` ending in a full stop (or other sentence end), so two texts joined read as two
/// sentences.
fn sentence(text: &str) -> String {
    let text = text.trim_end();
    if text.ends_with(['.', '!', '?']) {
        text.to_owned()
    } else {
        format!("{text}.")
    }
}

/// Percent-encodes what a relative URI reference cannot hold as is.
fn uri(path: &str) -> String {
    let mut encoded = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' | b'+' | b'@' => {
                encoded.push(byte as char)
            }
            _ => encoded.push_str(&format!("%{byte:02X}")),
        }
    }
    encoded
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

/// GitHub's `security-severity` scale (0.1-10; 9+ critical, 7+ high).
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "2.0",
    }
}

fn camel_case(id: &str) -> String {
    id.split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(uri("src/a b/ü.env"), "src/a%20b/%C3%BC.env");
        assert_eq!(uri("-"), "-");
    }

    #[test]
    fn descriptions_join_as_sentences() {
        assert_eq!(sentence("ServiceTitan App Key"), "ServiceTitan App Key.");
        assert_eq!(sentence("Done. "), "Done.");
    }

    #[test]
    fn names_are_camel_case() {
        assert_eq!(camel_case("servicetitan-app-key"), "ServicetitanAppKey");
    }
}
