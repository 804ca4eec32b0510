//! Committed by someone outside the organization: e-mail addresses against `[org] domains`.
//!
//! History, range and pre-push scans check each finding's commit author and committer; a
//! staged scan checks the identity `git commit` will record (`Context::staged_emails`, see
//! [`staged_emails`]). An address whose domain is a listed domain or a subdomain of one is
//! inside; any other address marks the finding `third-party-author`, shared with that domain.
//! An address without a domain tells nothing and is skipped.

use super::third_party;
use crate::finding::{Exposure, Finding};
use crate::rules::FaqRule;

/// Why a `[org] domains` entry is not a domain, or `Ok`.
pub fn check_domain(domain: &str) -> Result<(), &'static str> {
    let valid = !domain.is_empty()
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && domain.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    if valid {
        Ok(())
    } else {
        Err("is not an e-mail domain (write e.g. acme.example, without @ or wildcards)")
    }
}

/// The lowercase domain of `email` if it is outside `domains`; `None` if inside or if the
/// address has no domain.
pub fn outside_domain(email: &str, domains: &[String]) -> Option<String> {
    let domain = email.trim().trim_end_matches('>').rsplit_once('@')?.1.to_ascii_lowercase();
    if domain.is_empty() {
        return None;
    }
    let inside = domains.iter().any(|listed| {
        let listed = listed.to_ascii_lowercase();
        domain == listed || domain.strip_suffix(&listed).is_some_and(|rest| rest.ends_with('.'))
    });
    (!inside).then_some(domain)
}

/// The addresses a commit made now would record, author then committer: `GIT_AUTHOR_EMAIL` /
/// `GIT_COMMITTER_EMAIL` (git sets them for hooks, and they win in git too), else
/// `author.email` / `committer.email`, else `user.email` of the repository's configuration.
pub fn staged_emails(config: &git2::Config) -> Vec<String> {
    let user = config.get_string("user.email").ok();
    let mut emails = Vec::new();
    for role in ["author", "committer"] {
        let from_env = crate::config::non_empty_env(&format!("GIT_{}_EMAIL", role.to_ascii_uppercase()));
        let email =
            from_env.or_else(|| config.get_string(&format!("{role}.email")).ok()).or_else(|| user.clone());
        emails.extend(email);
    }
    emails
}

/// Marks each finding whose author or committer (or, when the findings carry no commit, each
/// address of `staged`) is outside `domains`. No domains: nothing happens.
pub fn apply(findings: &mut [Finding], domains: &[String], staged: &[String], faqs: &[FaqRule]) {
    if domains.is_empty() {
        return;
    }
    for finding in findings.iter_mut() {
        let from_commit: Vec<String> =
            finding.author.iter().chain(finding.committer.iter()).cloned().collect();
        let emails = if finding.commit.is_some() { &from_commit } else { staged };
        let mut outside: Vec<String> = emails.iter().filter_map(|e| outside_domain(e, domains)).collect();
        outside.sort();
        outside.dedup();
        for domain in outside {
            third_party::mark(
                finding,
                Exposure::ThirdPartyAuthor,
                &domain,
                "an address outside [org] domains",
                faqs,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subdomains_are_inside_and_look_alikes_are_not() {
        let domains = vec!["acme.example".to_owned()];
        assert_eq!(outside_domain("dev@acme.example", &domains), None);
        assert_eq!(outside_domain("dev@eu.ACME.example", &domains), None);
        assert_eq!(outside_domain("dev@notacme.example", &domains), Some("notacme.example".to_owned()));
        assert_eq!(outside_domain("dev@contractor.example", &domains), Some("contractor.example".to_owned()));
        assert_eq!(outside_domain("no-domain", &domains), None);
    }

    #[test]
    fn domains_are_checked() {
        assert!(check_domain("acme.example").is_ok());
        for bad in ["", "@acme.example", "*.acme.example", ".acme", "a..b"] {
            assert!(check_domain(bad).is_err(), "{bad}");
        }
    }
}
