//! Pushed to someone else's repository: a push's destination against `[org] remotes`.
//!
//! git hands a pre-push hook the remote's name and URL. The URL can take every form git accepts:
//! `https://[user[:token]@]host[:port]/owner/repo(.git)`, `ssh://[user@]host[:port]/owner/repo`,
//! `git://host/owner/repo`, scp-like `[user@]host:owner/repo`, `<helper>::<address>`, and local
//! paths or `file://` URLs. Each becomes a [`Destination`]: a host and a path, or a folder on
//! this machine. Credentials in a URL are dropped while parsing, so no report or message can
//! print them.
//!
//! Decisions:
//! - The destination is who receives the commits: `host/owner` (the first path segment), the
//!   unit `[org] remotes` patterns name. A port does not change who the host is.
//! - A local path is this machine's disk: never a third party, whatever `[org] remotes` says.
//! - The URL git passes has had `url.<base>.insteadOf` rewrites applied (a hand-typed one is
//!   rewritten here as git would). The remote's own push URLs (`remote.<name>.pushurl`, else
//!   `url`) are checked too, rewritten the same way, except when the rewrite turns a server
//!   into a local path (a mirror or test set-up): then the configured server is what the push
//!   stands for. If any of them is outside `[org] remotes`, the push is.
//! - A URL keyfence cannot parse is outside (it cannot be shown to be inside).

use super::third_party;
use crate::config::Org;
use crate::finding::{Exposure, Finding};
use crate::rules::FaqRule;
use anyhow::{bail, Result};
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

/// Where a push goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// A server: lowercase `host` (no port, no user) and the repository `path` without leading
    /// `/`, trailing `/` or `.git`.
    Hosted {
        /// Host name or address.
        host: String,
        /// `owner/repo` (or `group/subgroup/repo`).
        path: String,
    },
    /// A folder on this machine (a path or a `file://` URL).
    Local,
    /// A URL keyfence does not understand.
    Unrecognized,
}

impl Destination {
    /// Parses a remote URL in any form git accepts (see the module doc).
    pub fn parse(url: &str) -> Destination {
        let url = url.trim();
        if url.is_empty() {
            return Destination::Unrecognized;
        }
        if let Some((scheme, rest)) = url.split_once("://") {
            if !scheme.is_empty() && scheme.bytes().all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
            {
                return match scheme.to_ascii_lowercase().as_str() {
                    "file" => Destination::Local,
                    _ => hosted_from_authority(rest),
                };
            }
        }
        // `<helper>::<address>` runs a remote helper on the address.
        if let Some((helper, address)) = url.split_once("::") {
            if !helper.is_empty() && helper.bytes().all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
            {
                return Destination::parse(address);
            }
        }
        if let Some(scp) = scp_like(url) {
            return scp;
        }
        Destination::Local
    }

    /// `host/owner`, lowercase (hosts and the big forges' owner names ignore case), or `host`
    /// when the path is empty; `None` for a local folder.
    pub fn owner(&self) -> Option<String> {
        match self {
            Destination::Hosted { host, path } => match path.split('/').next().filter(|o| !o.is_empty()) {
                Some(owner) => Some(format!("{host}/{}", owner.to_ascii_lowercase())),
                None => Some(host.clone()),
            },
            Destination::Local => None,
            Destination::Unrecognized => Some("an unrecognized remote".to_owned()),
        }
    }
}

/// `[userinfo@]host[:port][/path]` after a scheme.
fn hosted_from_authority(rest: &str) -> Destination {
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    // The last `@` ends the user information (a password may hold `@` only escaped, but be safe).
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    hosted(strip_port(host_port), path)
}

/// git's scp-like syntax: a `:` before any `/` (`[user@]host:path`, `[host:port]:path`), except
/// a one-letter "host", which is a Windows drive (`C:\repo`).
fn scp_like(url: &str) -> Option<Destination> {
    let colon = url.find(':')?;
    if url[..colon].contains('/') {
        return None;
    }
    let (host_part, path) = if url.starts_with('[') {
        let close = url.find("]:")?;
        (&url[1..close], &url[close + 2..])
    } else {
        (&url[..colon], &url[colon + 1..])
    };
    let host = host_part.rsplit_once('@').map_or(host_part, |(_, host)| host);
    if host.len() <= 1 {
        return None;
    }
    Some(hosted(strip_port(host), path))
}

/// `host` without `:port`; an IPv6 address (more than one `:`, bracketed or not) is kept whole.
fn strip_port(host_port: &str) -> &str {
    if let Some(inner) = host_port.strip_prefix('[') {
        return inner.split(']').next().unwrap_or(inner);
    }
    if host_port.matches(':').count() > 1 {
        return host_port;
    }
    match host_port.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => host_port,
    }
}

fn hosted(host: &str, path: &str) -> Destination {
    if host.is_empty() {
        return Destination::Unrecognized;
    }
    let path = path.trim_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path).trim_end_matches('/');
    Destination::Hosted { host: host.to_ascii_lowercase(), path: path.to_owned() }
}

/// `url` with any user name, password or token taken out, for messages.
pub fn without_credentials(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://") {
        let (authority, path) = rest.split_once('/').map_or((rest, None), |(a, p)| (a, Some(p)));
        let host = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
        return match path {
            Some(path) => format!("{scheme}://{host}/{path}"),
            None => format!("{scheme}://{host}"),
        };
    }
    url.to_owned()
}

/// `[org] remotes`, compiled: case-insensitive globs over `host/path`, where `*` also matches
/// `/` (so `gitlab.acme.example/*` covers subgroups). A pattern without a wildcard names a whole
/// host or owner: `github.com/acme` is `github.com/acme` and `github.com/acme/*`.
#[derive(Debug, Clone)]
pub struct RemotePatterns {
    set: GlobSet,
}

impl RemotePatterns {
    /// Compiles `patterns`. Errors on an empty pattern, a URL instead of `host/owner/*` (a
    /// scheme or user), or an invalid glob.
    pub fn new(patterns: &[String]) -> Result<RemotePatterns> {
        let mut builder = GlobSetBuilder::new();
        for pattern in patterns {
            let pattern = pattern.trim().trim_end_matches('/');
            if pattern.is_empty() {
                bail!("is empty: write host/owner/*, e.g. github.com/acme/*");
            }
            if pattern.contains("://") || pattern.contains('@') {
                bail!("is a URL: write host/owner/*, e.g. github.com/acme/* (no scheme, no user)");
            }
            let pattern = pattern.to_ascii_lowercase();
            let mut forms = vec![pattern.clone()];
            if !pattern.contains(['*', '?', '[', '{']) {
                forms.push(format!("{pattern}/*"));
            }
            for form in forms {
                let glob = GlobBuilder::new(&form)
                    .case_insensitive(true)
                    .literal_separator(false)
                    .build()
                    .map_err(|e| anyhow::anyhow!("is not a valid pattern: {}", e.kind()))?;
                builder.add(glob);
            }
        }
        Ok(RemotePatterns { set: builder.build()? })
    }

    /// True if `destination` is one of the organization's: a local folder always is; a server
    /// when `host/path` matches a pattern.
    pub fn is_inside(&self, destination: &Destination) -> bool {
        match destination {
            Destination::Local => true,
            Destination::Hosted { host, path } => self.set.is_match(format!("{host}/{path}")),
            Destination::Unrecognized => false,
        }
    }
}

/// The `host/owner` of every destination of a push to `remote` (a name or a URL) at `url` that
/// is outside `[org] remotes`, sorted without repeats; empty when all are inside or when there
/// is no `[org] remotes` (nothing is guessed). `config` is the repository's git configuration,
/// for the remote's own URLs and `insteadOf` rewrites.
pub fn outside_owners(
    org: Option<&Org>,
    config: Option<&git2::Config>,
    remote: &str,
    url: &str,
) -> Vec<String> {
    let Some(org) = org.filter(|o| !o.remotes.is_empty()) else { return Vec::new() };
    let Ok(patterns) = RemotePatterns::new(&org.remotes) else { return Vec::new() };
    let urls = match config {
        Some(config) => {
            let mut urls = vec![rewrite(config, url)];
            for configured in configured_push_urls(config, remote) {
                let rewritten = rewrite(config, &configured);
                // A local path standing in for a server is a mirror or a test set-up: the
                // configured server is what the push stands for.
                let local = Destination::parse(&rewritten) == Destination::Local;
                urls.push(if local { configured } else { rewritten });
            }
            urls
        }
        None => vec![url.to_owned()],
    };
    let mut outside: Vec<String> = urls
        .iter()
        .map(|u| Destination::parse(u))
        .filter(|d| !patterns.is_inside(d))
        .filter_map(|d| d.owner())
        .collect();
    outside.sort();
    outside.dedup();
    outside
}

/// The URLs git pushes to for the remote named `remote`: its `pushurl`s, else its `url`s, as
/// written in the configuration (none for a URL or an unknown name).
fn configured_push_urls(config: &git2::Config, remote: &str) -> Vec<String> {
    let push = multivar(config, &format!("remote.{remote}.pushurl"));
    if push.is_empty() {
        multivar(config, &format!("remote.{remote}.url"))
    } else {
        push
    }
}

/// Every value of a multi-valued configuration key (none when unset or unreadable).
fn multivar(config: &git2::Config, name: &str) -> Vec<String> {
    let mut values = Vec::new();
    if let Ok(mut entries) = config.multivar(name, None) {
        while let Some(Ok(entry)) = entries.next() {
            if let Some(value) = entry.value() {
                values.push(value.to_owned());
            }
        }
    }
    values
}

/// `url` after git's `url.<base>.pushInsteadOf`, then `url.<base>.insteadOf` rewrite: the
/// longest matching prefix is replaced by its base.
pub fn rewrite(config: &git2::Config, url: &str) -> String {
    let mut url = url.to_owned();
    for key in ["pushinsteadof", "insteadof"] {
        let mut best: Option<(String, String)> = None;
        if let Ok(mut entries) = config.entries(Some(&format!("url\\..*\\.{key}"))) {
            while let Some(Ok(entry)) = entries.next() {
                let (Some(name), Some(prefix)) = (entry.name(), entry.value()) else { continue };
                let Some(base) = name.strip_prefix("url.").and_then(|n| n.strip_suffix(&format!(".{key}")))
                else {
                    continue;
                };
                if url.starts_with(prefix) && best.as_ref().is_none_or(|(p, _)| prefix.len() > p.len()) {
                    best = Some((prefix.to_owned(), base.to_owned()));
                }
            }
        }
        if let Some((prefix, base)) = best {
            url = format!("{base}{}", &url[prefix.len()..]);
        }
    }
    url
}

/// Marks every finding of a push as shared with each outside destination (`outside` from
/// [`outside_owners`]).
pub fn apply(findings: &mut [Finding], outside: &[String], faqs: &[FaqRule]) {
    for finding in findings.iter_mut() {
        for owner in outside {
            third_party::mark(finding, Exposure::ThirdPartyRemote, owner, "outside [org] remotes", faqs);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owner(url: &str) -> Option<String> {
        Destination::parse(url).owner()
    }

    #[test]
    fn every_url_form_git_accepts_names_host_and_owner() {
        let expected = Some("github.com/contractor-co".to_owned());
        for url in [
            "https://github.com/contractor-co/app.git",
            "https://user:tok3n@github.com/contractor-co/app.git",
            "https://x-access-token:tok3n@GitHub.com:443/contractor-co/app/",
            "http://github.com/contractor-co/app",
            "ssh://git@github.com/contractor-co/app.git",
            "ssh://git@github.com:2222/contractor-co/app.git",
            "git://github.com/contractor-co/app.git",
            "git@github.com:contractor-co/app.git",
            "github.com:contractor-co/app",
            "git+ssh://github.com/contractor-co/app",
            "persistent-https::https://github.com/contractor-co/app",
        ] {
            assert_eq!(owner(url), expected, "{url}");
        }
        assert_eq!(owner("[::1]:acme/app"), Some("::1/acme".to_owned()));
        assert_eq!(
            owner("https://gitlab.acme.example/group/sub/repo.git"),
            Some("gitlab.acme.example/group".to_owned())
        );
    }

    #[test]
    fn local_paths_are_this_machine() {
        for url in ["/srv/git/app.git", "../app.git", "file:///srv/git/app.git", "C:\\repos\\app", "./a:b"] {
            assert_eq!(Destination::parse(url), Destination::Local, "{url}");
        }
    }

    #[test]
    fn credentials_never_survive() {
        let url = "https://user:s3cret@github.com/acme/app.git"; // keyfence:allow (a test URL)
        assert_eq!(without_credentials(url), "https://github.com/acme/app.git");
        assert!(!format!("{:?}", Destination::parse(url)).contains("s3cret"));
    }

    #[test]
    fn patterns_match_owners_case_insensitively() {
        let patterns =
            RemotePatterns::new(&["github.com/acme/*".to_owned(), "gitlab.acme.example".to_owned()]).unwrap();
        assert!(patterns.is_inside(&Destination::parse("git@github.com:ACME/app.git")));
        assert!(patterns.is_inside(&Destination::parse("https://gitlab.acme.example/g/sub/app")));
        assert!(!patterns.is_inside(&Destination::parse("https://github.com/acme-evil/app")));
        assert!(!patterns.is_inside(&Destination::parse("https://github.com/contractor-co/app")));
        assert!(patterns.is_inside(&Destination::parse("/srv/app.git")));
        assert!(RemotePatterns::new(&["https://github.com/acme/*".to_owned()]).is_err());
        assert!(RemotePatterns::new(&[" ".to_owned()]).is_err());
    }
}
