//! Analysis 5, "a complete credential set": an App Key, a Client ID and a Client Secret together
//! are everything needed to call the API as the app (the tenant id, if present, says on which
//! tenant), so anyone who can read them can act as the app.
//!
//! "Together" means one file, or one commit (a history finding's commit; for `--staged`, the
//! commit being made): a set split over `.env` and `config.json` of one commit is still handed
//! over at once. Each such group yields ONE extra finding of rule [`RULE_ID`], on top of the
//! members' own findings: exposure `credential-set`, `related` the members' fingerprints, at the
//! first member's place. Its fingerprint hashes the members' fingerprints, so a baseline entry
//! for it survives edits exactly as the members' do.

use super::Context;
use crate::finding::{Exposure, FaqRef, Finding};
use crate::rules::RuleSpec;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The rule of the grouped finding (in `patterns/servicetitan.toml`, `derived = true`).
pub const RULE_ID: &str = "servicetitan-credential-set";

/// The step a set adds to its FAQ rule's (which is about the App Key).
const ROTATE_SECRET_TOO: &str = "Rotate the Client Secret in the developer portal as well: the set is safe again only once both the App Key and the secret are replaced.";

/// The members of a set, in the order the set's secret lists them.
const MEMBERS: [&str; 3] = ["servicetitan-app-key", "servicetitan-client-id", "servicetitan-client-secret"];

/// Adds one credential-set finding for each file or commit holding all of [`MEMBERS`], unless
/// the rule [`RULE_ID`] is not in force (a configuration without the built-in rules).
pub fn apply(findings: &mut Vec<Finding>, context: &Context<'_>) {
    let Some(rule) = context.rules.rules.iter().find(|r| r.id == RULE_ID) else { return };
    let Some(catalog) = context.rules.faq(&rule.faq) else { return };
    let faq = FaqRef { id: catalog.id.clone(), rule: catalog.rule.clone(), url: catalog.url.clone() };
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (index, finding) in findings.iter().enumerate() {
        if MEMBERS.contains(&finding.rule_id.as_str()) {
            let key = match (&finding.commit, context.one_commit) {
                (Some(commit), _) => format!("commit {commit}"),
                (None, true) => "the staged change".to_owned(),
                (None, false) => format!("file {}", finding.path),
            };
            groups.entry(key).or_default().push(index);
        }
    }
    let mut sets = Vec::new();
    for members in groups.values() {
        let complete = MEMBERS.iter().all(|id| members.iter().any(|&i| findings[i].rule_id == *id));
        if complete {
            sets.push(set_finding(rule, (&faq, &catalog.next_steps), findings, members));
        }
    }
    for set in &sets {
        for finding in findings.iter_mut().filter(|f| set.related.contains(&f.fingerprint)) {
            let others = set.related.iter().filter(|&fp| *fp != finding.fingerprint);
            let related: std::collections::BTreeSet<String> =
                finding.related.iter().chain(others).chain([&set.fingerprint]).cloned().collect();
            finding.related = related.into_iter().collect();
        }
    }
    findings.extend(sets);
}

/// The grouped finding for `members` (indexes into `findings`, all of one group).
fn set_finding(
    rule: &RuleSpec,
    (faq, faq_steps): (&FaqRef, &[String]),
    findings: &[Finding],
    members: &[usize],
) -> Finding {
    let mut members: Vec<&Finding> = members.iter().map(|&i| &findings[i]).collect();
    // Members in kind order (App Key, Client ID, Client Secret), then by place; one secret seen
    // twice in the group is one member.
    members
        .sort_by_key(|f| (MEMBERS.iter().position(|id| *id == f.rule_id), f.path.clone(), f.line, f.column));
    members.dedup_by(|a, b| a.rule_id == b.rule_id && a.secret == b.secret);
    let first = members.iter().min_by_key(|f| (f.path.clone(), f.line, f.column)).expect("a set has members");
    let mut related: Vec<String> = members.iter().map(|f| f.fingerprint.clone()).collect();
    related.sort();
    related.dedup();
    let mut set = Finding {
        rule_id: rule.id.clone(),
        description: rule.description.clone(),
        severity: rule.severity,
        secret: members.iter().map(|f| f.secret.as_str()).collect::<Vec<_>>().join(" "),
        redacted: members.iter().map(|f| f.redacted.as_str()).collect::<Vec<_>>().join(" "),
        fingerprint: fingerprint(&related),
        faq: faq.clone(),
        reference: rule.reference.clone(),
        decoded: None,
        exposure: Vec::new(),
        shared_with: Vec::new(),
        related,
        tenants: Vec::new(),
        // The members sit on lines of their own: the set has no one line to show.
        context: None,
        ..(*first).clone()
    };
    set.next_steps = faq_steps.to_vec();
    set.next_steps.push(ROTATE_SECRET_TOO.to_owned());
    set.share(Exposure::CredentialSet, "");
    for member in &members {
        for with in &member.shared_with {
            set.shared_with.push(with.clone());
        }
        set.tenants.extend(member.tenants.iter().cloned());
    }
    set.shared_with.sort();
    set.shared_with.dedup();
    set.tenants.sort();
    set.tenants.dedup();
    set
}

/// `--redact=N` for the credential sets among `findings`: each member is redacted by `percent`
/// as its own finding is, and the results are joined as the set's secret joins the members. (The
/// percentage of the joined text would show the first members whole.) A member whose finding is
/// not among `findings` is hidden entirely.
pub fn redact_by_percent(findings: &mut [Finding], percent: u8) {
    let redacted: Vec<Option<String>> = findings
        .iter()
        .map(|set| {
            let members = set.secret.split(' ').map(|member| redacted_member(findings, member, percent));
            (set.rule_id == RULE_ID).then(|| members.collect::<Vec<_>>().join(" "))
        })
        .collect();
    for (set, redacted) in findings.iter_mut().zip(redacted) {
        if let Some(redacted) = redacted {
            set.redacted = redacted;
        }
    }
}

/// One member of a set redacted by `percent`, using its own finding's prefix.
fn redacted_member(findings: &[Finding], member: &str, percent: u8) -> String {
    findings
        .iter()
        .find(|f| f.secret == member && MEMBERS.contains(&f.rule_id.as_str()))
        .map_or_else(|| "…".to_owned(), |f| f.redacted_by_percent(percent))
}

/// Hex SHA-256 of the members' fingerprints, sorted, NUL-separated: stable while the members
/// are.
pub fn fingerprint(members: &[String]) -> String {
    let mut hasher = Sha256::new();
    for member in members {
        hasher.update(member.as_bytes());
        hasher.update([0u8]);
    }
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}
