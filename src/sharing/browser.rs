//! Analysis 3, "shipped to every browser": a ServiceTitan credential that front-end builds hand
//! to every visitor of a web app (ST-PORTAL-NEVER-PUBLISH-CLIENT-CREDS).
//!
//! Two signs, either enough:
//! - The name it is assigned to carries a prefix that front-end build tools inline into the
//!   bundle: [`BROWSER_PREFIXES`] (Create React App, Next.js, Vite, Expo, Gatsby, Nuxt,
//!   SvelteKit/Astro `PUBLIC_`, Vue CLI). The prefix must start a word (`NEXT_PUBLIC_X`, not
//!   `MY_NEXT_PUBLIC_X`), upper case as the tools require. A plain `ST_CLIENT_SECRET` in a
//!   server-side `.env` is not browser.
//! - The file is a front-end source or a built asset ([`is_front_end_path`]): a folder named
//!   `public`, `static`, `dist`, `build`, `www` or `wwwroot` anywhere in the path (served as is or
//!   the output of a bundler), a page (`*.html`, `*.htm`), a component (`*.jsx`, `*.tsx`,
//!   `*.vue`, `*.svelte`, `*.astro`), or a bundle (`*.min.js`, `*.bundle.js`, `*.chunk.js`).
//!   Plain `*.js` / `*.ts` elsewhere may be server code (Node), so they count only by name.

use super::{is_servicetitan, local_line, Context};
use crate::finding::{Exposure, Finding};
use crate::lines::LineIndex;
use crate::rules::{FaqRule, RuleSet, Severity};
use crate::sources::Fragment;

/// Variable prefixes that front-end build tools expose to the browser.
pub const BROWSER_PREFIXES: [&str; 8] =
    ["REACT_APP_", "NEXT_PUBLIC_", "VITE_", "EXPO_PUBLIC_", "GATSBY_", "NUXT_PUBLIC_", "PUBLIC_", "VUE_APP_"];

/// Who receives a credential shipped to the browser (the `shared_with` entry).
pub const EVERY_VISITOR: &str = "every visitor of the web app";

/// The FAQ rule a browser-exposed credential breaks.
pub const FAQ: &str = "ST-PORTAL-NEVER-PUBLISH-CLIENT-CREDS";

/// Bytes before a secret searched for the name it is assigned to.
pub const NAME_REACH: usize = 256;

/// Folders whose files a web server or a bundler hands to the browser.
const FRONT_END_FOLDERS: [&str; 6] = ["public", "static", "dist", "build", "www", "wwwroot"];

/// File name endings of pages, components and bundles.
const FRONT_END_ENDINGS: [&str; 10] =
    [".html", ".htm", ".jsx", ".tsx", ".vue", ".svelte", ".astro", ".min.js", ".bundle.js", ".chunk.js"];

/// Marks the ServiceTitan findings of `fragment` assigned to a browser-exposed name.
///
/// Only the text decides this, so the verdict holds wherever the same blob is reported again (a
/// history scan reuses one blob's findings at other paths); the path decides in [`apply`].
pub fn observe(fragment: &Fragment<'_>, findings: &mut [Finding], rules: &RuleSet) {
    let Some(faq) = rules.faq(FAQ) else { return };
    let lines = LineIndex::new(&fragment.text);
    for finding in findings.iter_mut().filter(|f| is_servicetitan(f)) {
        let line = local_line(fragment, finding);
        let line = &fragment.text[lines.byte_range(line, line)];
        // The name is what precedes the secret on its line (the whole line for a decoded one),
        // near it: a minified line may be megabytes long.
        let before = find(line, finding.secret.as_bytes()).map_or(line, |at| &line[..at]);
        if has_browser_name(&before[before.len().saturating_sub(NAME_REACH)..]) {
            mark(finding, faq);
        }
    }
}

/// Marks the ServiceTitan findings in front-end files ([`is_front_end_path`]).
pub fn apply(findings: &mut [Finding], context: &Context<'_>) {
    let Some(faq) = context.rules.faq(FAQ) else { return };
    for finding in findings.iter_mut().filter(|f| is_servicetitan(f) && is_front_end_path(&f.path)) {
        mark(finding, faq);
    }
}

/// Exposure `browser`, severity critical, citing [`FAQ`] (an App Key keeps its own next steps:
/// it cannot be rotated like a secret).
fn mark(finding: &mut Finding, faq: &FaqRule) {
    finding.share(Exposure::Browser, EVERY_VISITOR);
    finding.severity = Severity::Critical;
    finding.cite(faq, finding.rule_id == "servicetitan-app-key");
}

/// True if `text` holds a word starting with one of [`BROWSER_PREFIXES`].
pub fn has_browser_name(text: &[u8]) -> bool {
    BROWSER_PREFIXES.iter().any(|prefix| {
        let prefix = prefix.as_bytes();
        (0..text.len()).any(|at| text[at..].starts_with(prefix) && (at == 0 || !is_word_byte(text[at - 1])))
    })
}

/// True if `path` (slash-separated, relative) is a front-end source or built asset (module doc).
pub fn is_front_end_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let mut parts: Vec<&str> = lower.split('/').collect();
    let name = parts.pop().unwrap_or_default();
    parts.iter().any(|folder| FRONT_END_FOLDERS.contains(folder))
        || FRONT_END_ENDINGS.iter().any(|ending| name.ends_with(ending))
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browser_names_start_a_word() {
        assert!(has_browser_name(b"REACT_APP_ST_CLIENT_SECRET="));
        assert!(has_browser_name(b"  \"NEXT_PUBLIC_ST_KEY\": "));
        assert!(has_browser_name(b"export PUBLIC_APP_KEY="));
        assert!(!has_browser_name(b"ST_CLIENT_SECRET="));
        assert!(!has_browser_name(b"MY_VITE_KEY="));
        assert!(!has_browser_name(b"react_app_key="));
    }

    #[test]
    fn front_end_paths() {
        assert!(is_front_end_path("web/public/config.js"));
        assert!(is_front_end_path("dist/main.js"));
        assert!(is_front_end_path("index.html"));
        assert!(is_front_end_path("src/App.tsx"));
        assert!(is_front_end_path("assets/app.min.js"));
        assert!(!is_front_end_path(".env"));
        assert!(!is_front_end_path("server/index.js"));
        assert!(!is_front_end_path("src/publication.py"));
    }
}
