//! How a "shared with a third party" verdict reads on a finding, for every analysis that finds
//! one (an outside remote, an outside author).
//!
//! A finding cites one FAQ rule. A ServiceTitan credential handed to another organization breaks
//! ST-FAQ-NO-SHARED-APP-KEY, so that becomes its citation; the second rule the FAQ adds,
//! ST-FAQ-CONTACT-BEFORE-3P (talk to ServiceTitan Integrations before engaging an outside
//! developer), goes into the first next step with the verdict. Other credentials keep their own
//! citation and get the verdict as their first next step.

use crate::finding::{Exposure, FaqRef, Finding};
use crate::rules::FaqRule;

/// The FAQ rule a ServiceTitan credential shared with a third party cites.
pub const PRIMARY_FAQ: &str = "ST-FAQ-NO-SHARED-APP-KEY";
/// The FAQ rule named in the verdict's next step.
pub const CONTACT_FAQ: &str = "ST-FAQ-CONTACT-BEFORE-3P";

/// Marks `finding` as shared with `with` (`exposure`), `why` saying in a few words how it is
/// outside (e.g. "outside [org] remotes").
pub fn mark(finding: &mut Finding, exposure: Exposure, with: &str, why: &str, faqs: &[FaqRule]) {
    finding.share(exposure, with);
    let step = if is_servicetitan(finding) {
        if let Some(primary) = faqs.iter().find(|f| f.id == PRIMARY_FAQ) {
            finding.faq =
                FaqRef { id: primary.id.clone(), rule: primary.rule.clone(), url: primary.url.clone() };
        }
        let contact = faqs.iter().find(|f| f.id == CONTACT_FAQ).map(|f| f.url.as_str()).unwrap_or_default();
        format!(
            "Shared with {with} ({why}): handing a ServiceTitan credential to another organization is forbidden; talk to ServiceTitan Integrations before engaging an outside developer ({CONTACT_FAQ}, {contact})."
        )
    } else {
        format!("Shared with {with} ({why}): treat the secret as leaked to that party and rotate it.")
    };
    if !finding.next_steps.contains(&step) {
        let first_other = finding.next_steps.iter().take_while(|s| s.starts_with("Shared with ")).count();
        finding.next_steps.insert(first_other, step);
    }
}

/// True for the ServiceTitan rules (ids `servicetitan-…`), the credentials the FAQ is about.
fn is_servicetitan(finding: &Finding) -> bool {
    finding.rule_id.starts_with("servicetitan-")
}
