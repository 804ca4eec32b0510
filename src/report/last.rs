//! The last report: the findings of the latest scan run inside a repository, redacted, kept in
//! `<git dir>/keyfence/last-report.json` so `keyfence explain FINGERPRINT` can say what one of
//! them means without scanning again.
//!
//! The file is the JSON report with secrets redacted whatever `--show-secrets` said, so no
//! clear secret is ever written to disk by keyfence. Saving is best effort: a scan does not fail
//! because its copy could not be kept (a read-only clone, no repository).

use super::ReportOptions;
use crate::finding::Finding;
use std::collections::HashMap;
use std::path::PathBuf;

/// Where the last report of the repository around the current directory (or `GIT_DIR`) lives;
/// `None` outside a repository.
pub fn path() -> Option<PathBuf> {
    let repo = git2::Repository::open_from_env().ok()?;
    Some(repo.path().join("keyfence").join("last-report.json"))
}

/// Writes `findings`, redacted, as the last report (see the module doc). `default_redactions`
/// maps a fingerprint to its finding's default redaction, which replaces whatever `--redact=N`
/// made of it (`--redact=0` shows the whole secret on screen, never on disk).
pub fn save(findings: &[Finding], default_redactions: &HashMap<String, String>) {
    let Some(path) = path() else { return };
    let findings: Vec<Finding> = findings
        .iter()
        .map(|finding| {
            let mut finding = finding.clone();
            if let Some(redacted) = default_redactions.get(&finding.fingerprint) {
                finding.redacted = redacted.clone();
            }
            finding
        })
        .collect();
    let mut text = Vec::new();
    if super::json::write(&findings, ReportOptions { show_secrets: false }, &mut text).is_err() {
        return;
    }
    if let Some(folder) = path.parent() {
        let _ = std::fs::create_dir_all(folder);
    }
    let temporary = path.with_extension("json.tmp");
    if std::fs::write(&temporary, text).is_ok() {
        let _ = std::fs::rename(&temporary, &path);
    }
}

/// The findings of the last report, as JSON objects; `None` if there is none or it cannot be
/// read.
pub fn load() -> Option<Vec<serde_json::Value>> {
    let text = std::fs::read_to_string(path()?).ok()?;
    serde_json::from_str::<Vec<serde_json::Value>>(&text).ok()
}
