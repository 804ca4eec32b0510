//! Analysis 4, "one client pair used for several tenants": each ServiceTitan tenant has its own
//! Client ID and Client Secret (ST-FAQ-PER-TENANT-CLIENT-CREDS), so the same Client ID or Client
//! Secret next to two or more different tenant ids is a pair shared between tenants.
//!
//! A tenant id is 9–10 digits, which phone numbers and Unix timestamps are too, so a number
//! counts only in tenant context ([`tenant_ids`]): as the value of a name containing `tenant`
//! (`tenant`, `tenantId`, `ST_TENANT_ID`, `"tenant": 123456789`) or in a ServiceTitan API path
//! (`/tenant/123456789/`). "Next to" means within [`TENANT_REACH`] lines of the credential, in
//! the same file: a config object or `.env` block keeps a tenant's values together, while a file
//! listing many tenants' objects puts each pair next to its own tenant.
//!
//! The verdict is taken across the whole scan: one Client Secret next to tenant A in one file
//! and tenant B in another is shared too. With `[org] tenants`, a credential next to a tenant
//! that is not the organization's is shared with that tenant even when it is the only one.

use super::{local_line, Context};
use crate::finding::{Exposure, Finding};
use crate::lines::LineIndex;
use crate::sources::Fragment;
use regex::bytes::Regex;
use std::collections::{BTreeSet, HashMap};
use std::sync::OnceLock;

/// Lines on each side of a credential searched for tenant ids.
pub const TENANT_REACH: usize = 10;

/// The FAQ rule a cross-tenant pair breaks.
pub const FAQ: &str = "ST-FAQ-PER-TENANT-CLIENT-CREDS";

/// The rules whose secrets belong to one tenant.
const PER_TENANT_RULES: [&str; 2] = ["servicetitan-client-id", "servicetitan-client-secret"];

/// Tenant ids in tenant context: a name containing `tenant` assigned a 9–10 digit number, or
/// `tenant/<digits>` in a URL path. Case-insensitive.
fn tenant_pattern() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        Regex::new(
            r#"(?i)(?:tenant[a-z0-9_\-]*["']?\s*(?:=|:=|:|=>)\s*["']?|tenants?/)([0-9]{9,10})(?:[^0-9]|$)"#,
        )
        .expect("the tenant pattern compiles")
    })
}

/// Every tenant id in tenant context in `text`, with its 1-based line.
pub fn tenant_ids(text: &[u8], lines: &LineIndex<'_>) -> Vec<(usize, String)> {
    tenant_pattern()
        .captures_iter(text)
        .filter_map(|c| c.get(1))
        .map(|m| (lines.line_of(m.start()), String::from_utf8_lossy(m.as_bytes()).into_owned()))
        .collect()
}

/// Notes on each Client ID and Client Secret finding of `fragment` the tenant ids named within
/// [`TENANT_REACH`] lines of it ([`Finding::tenants`]).
pub fn observe(fragment: &Fragment<'_>, findings: &mut [Finding]) {
    if !findings.iter().any(is_per_tenant) {
        return;
    }
    let lines = LineIndex::new(&fragment.text);
    let tenants = tenant_ids(&fragment.text, &lines);
    for finding in findings.iter_mut().filter(|f| is_per_tenant(f)) {
        let line = local_line(fragment, finding);
        let near = tenants.iter().filter(|(at, _)| at.abs_diff(line) <= TENANT_REACH).map(|(_, id)| id);
        let ids: BTreeSet<String> = finding.tenants.iter().cloned().chain(near.cloned()).collect();
        finding.tenants = ids.into_iter().collect();
    }
}

/// Marks every Client ID or Client Secret seen next to two or more tenants in the scan, or next
/// to a tenant outside `[org] tenants`: exposure `cross-tenant`, `shared_with` the tenants
/// ("tenant 123456789"), citing [`FAQ`] unless a browser verdict already cites its own rule.
pub fn apply(findings: &mut [Finding], context: &Context<'_>) {
    let mut by_secret: HashMap<(&str, &str), BTreeSet<&str>> = HashMap::new();
    for finding in findings.iter().filter(|f| is_per_tenant(f)) {
        let seen = by_secret.entry((&finding.rule_id, &finding.secret)).or_default();
        seen.extend(finding.tenants.iter().map(String::as_str));
    }
    let org_tenants: &[String] = context.org.map_or(&[], |org| &org.tenants);
    let shared: HashMap<(String, String), Vec<String>> = by_secret
        .into_iter()
        .filter_map(|(key, tenants)| {
            let outside =
                tenants.iter().any(|t| !org_tenants.is_empty() && !org_tenants.iter().any(|o| o == t));
            (tenants.len() >= 2 || outside).then(|| {
                ((key.0.to_owned(), key.1.to_owned()), tenants.into_iter().map(str::to_owned).collect())
            })
        })
        .collect();
    let Some(faq) = context.rules.faq(FAQ) else { return };
    for finding in findings.iter_mut() {
        let Some(tenants) = shared.get(&(finding.rule_id.clone(), finding.secret.clone())) else { continue };
        for tenant in tenants {
            finding.share(Exposure::CrossTenant, format!("tenant {tenant}"));
        }
        if !finding.exposure.contains(&Exposure::Browser) {
            finding.cite(faq, false);
        }
    }
}

fn is_per_tenant(finding: &Finding) -> bool {
    PER_TENANT_RULES.contains(&finding.rule_id.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(text: &str) -> Vec<String> {
        let lines = LineIndex::new(text.as_bytes());
        tenant_ids(text.as_bytes(), &lines).into_iter().map(|(_, id)| id).collect()
    }

    #[test]
    fn tenant_ids_need_tenant_context() {
        assert_eq!(ids("ST_TENANT_ID=123456789\n"), ["123456789"]);
        assert_eq!(ids("  \"tenantId\": 1234567890,\n"), ["1234567890"]);
        assert_eq!(ids("GET https://api.servicetitan.io/crm/v2/tenant/987654321/customers"), ["987654321"]);
        assert!(ids("phone = 5551234567\ncreated = 1722315600\n").is_empty());
        assert!(ids("tenant = 12345678901\n").is_empty(), "11 digits is no tenant id");
    }
}
