//! Key sharing: who receives a credential, as a pass over the findings of a scan (source →
//! scanner → findings → **sharing verdicts** → baseline → report).
//!
//! Each analysis is its own module and adds [`crate::finding::Exposure`] verdicts and
//! `shared_with` to findings; none of them guesses: without `[org]` in the configuration, no
//! inside/outside verdict is made.

pub mod author;
pub mod remote;
pub mod third_party;

use crate::config::Org;
use crate::finding::Finding;
use crate::rules::FaqRule;

/// What the analyses know about the scan, besides its findings.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// `[org]` of the configuration, if any.
    pub org: Option<Org>,
    /// For `scan --pre-push`: the `host/owner` of each destination outside `[org] remotes`
    /// (empty: the push stays inside, or no `[org] remotes`). See [`remote::outside_owners`].
    pub push_outside: Vec<String>,
    /// For `scan --staged`: the e-mail addresses the commit will record (author, committer).
    pub staged_emails: Vec<String>,
}

/// Applies every analysis to `findings`; `faqs` is the catalog a verdict cites from.
pub fn apply(findings: &mut [Finding], context: &Context, faqs: &[FaqRule]) {
    remote::apply(findings, &context.push_outside, faqs);
    if let Some(org) = &context.org {
        author::apply(findings, &org.domains, &context.staged_emails, faqs);
    }
}
