//! Key sharing: with whom a credential is being shared, as a pass over the findings of a scan
//! (source → scanner → findings → **sharing verdicts** → baseline → report).
//!
//! Verdicts that need the scanned text (the variable a secret is assigned to, tenant ids next to
//! it) are taken per fragment by [`observe`], while the fragment is still at hand; they depend on
//! the text only, so they stay true where a history scan reports the same blob at another path.
//! Verdicts on paths, across findings and on who receives the change (front-end files, one client
//! pair for several tenants, a complete credential set, an outside remote or committer) are taken
//! by [`apply`] once every finding is in. Each analysis is its own module and sets
//! [`crate::finding::Exposure`], `shared_with` and, where the verdict breaks a more specific FAQ
//! rule, the cited rule. None of them guesses: without `[org]`, no inside/outside verdict is made.

pub mod author;
pub mod browser;
pub mod remote;
pub mod set;
pub mod tenant;
pub mod third_party;

use crate::config::Org;
use crate::finding::Finding;
use crate::rules::RuleSet;
use crate::sources::Fragment;

/// What the verdicts across findings need to know about the scan.
#[derive(Debug, Clone)]
pub struct Context<'a> {
    /// The rules and FAQ catalog in force (verdicts cite catalog entries; the credential-set
    /// finding is built from its rule, and is skipped if that rule is not in force).
    pub rules: &'a RuleSet,
    /// `[org]` of the configuration, if any.
    pub org: Option<&'a Org>,
    /// True if every finding belongs to one future commit (`--staged`): a credential set may
    /// then span files.
    pub one_commit: bool,
    /// For `scan --pre-push`: the `host/owner` of each destination outside `[org] remotes`
    /// (empty: the push stays inside, or no `[org] remotes`). See [`remote::outside_owners`].
    pub push_outside: Vec<String>,
    /// For `scan --staged`: the e-mail addresses the commit will record (author, committer).
    pub staged_emails: Vec<String>,
}

/// Verdicts that need `fragment`'s text, on the findings `fragment` yielded.
pub fn observe(fragment: &Fragment<'_>, findings: &mut [Finding], rules: &RuleSet) {
    if findings.is_empty() {
        return;
    }
    browser::observe(fragment, findings, rules);
    tenant::observe(fragment, findings);
}

/// Verdicts across all findings of a scan; may add credential-set findings. Who receives the
/// change is judged last, so a credential-set finding carries it too.
pub fn apply(findings: &mut Vec<Finding>, context: &Context<'_>) {
    browser::apply(findings, context);
    tenant::apply(findings, context);
    set::apply(findings, context);
    let faqs = &context.rules.faqs;
    remote::apply(findings, &context.push_outside, faqs);
    if let Some(org) = context.org {
        author::apply(findings, &org.domains, &context.staged_emails, faqs);
    }
}

/// True for the rules of ServiceTitan credentials (not the derived credential-set rule).
fn is_servicetitan(finding: &Finding) -> bool {
    finding.rule_id.starts_with("servicetitan-") && finding.rule_id != set::RULE_ID
}

/// The 1-based line of `finding` within `fragment`'s text (reported lines count the lines
/// before a chunk too).
fn local_line(fragment: &Fragment<'_>, finding: &Finding) -> usize {
    finding.line.saturating_sub(fragment.lines_before).max(1)
}
