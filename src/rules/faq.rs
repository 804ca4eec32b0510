//! The FAQ catalog: the policies a finding cites, paraphrased in our own words (`patterns/faq.toml`).

use serde::{Deserialize, Serialize};

/// One policy from ServiceTitan's developer FAQ or portal (or our general rule), as written in
/// `patterns/faq.toml`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FaqRule {
    /// Stable UPPER-KEBAB id, e.g. `ST-FAQ-NO-SHARED-APP-KEY`.
    pub id: String,
    /// One-line paraphrase of the policy.
    pub rule: String,
    /// The page the policy comes from.
    pub url: String,
    /// What to do now, in order.
    pub next_steps: Vec<String>,
}
