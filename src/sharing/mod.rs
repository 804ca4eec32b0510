//! Key sharing: with whom a credential is being shared, decided after the scan.
//!
//! Data flows one way: findings → sharing verdicts → baseline → report. Verdicts that need the
//! scanned text (the variable a secret is assigned to, tenant ids next to it) are taken per
//! fragment by [`observe`], while the fragment is still at hand; they depend on the text only,
//! so they stay true where a history scan reports the same blob at another path. Verdicts on
//! paths and across findings (front-end files, one client pair for several tenants, a complete
//! credential set) are taken by [`apply`] once every finding is in. Each analysis is its own module and sets [`crate::finding::Exposure`],
//! `shared_with` and, where the verdict breaks a more specific FAQ rule, the cited rule.

pub mod browser;
pub mod set;
pub mod tenant;

use crate::config::Org;
use crate::finding::Finding;
use crate::rules::RuleSet;
use crate::sources::Fragment;

/// What the verdicts across findings need to know about the scan.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The rules and FAQ catalog in force (verdicts cite catalog entries; the credential-set
    /// finding is built from its rule, and is skipped if that rule is not in force).
    pub rules: &'a RuleSet,
    /// `[org]` of the configuration, if any.
    pub org: Option<&'a Org>,
    /// True if every finding belongs to one future commit (`--staged`): a credential set may
    /// then span files.
    pub one_commit: bool,
}

/// Verdicts that need `fragment`'s text, on the findings `fragment` yielded.
pub fn observe(fragment: &Fragment<'_>, findings: &mut [Finding], rules: &RuleSet) {
    if findings.is_empty() {
        return;
    }
    browser::observe(fragment, findings, rules);
    tenant::observe(fragment, findings);
}

/// Verdicts across all findings of a scan; may add credential-set findings.
pub fn apply(findings: &mut Vec<Finding>, context: &Context<'_>) {
    browser::apply(findings, context);
    tenant::apply(findings, context);
    set::apply(findings, context);
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
