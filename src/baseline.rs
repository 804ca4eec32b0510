//! Baselines: findings a team has accepted (to fix later, or false positives), by fingerprint.
//!
//! The file is JSON:
//! `{"keyfence_baseline": 1, "fingerprint_kind": "hmac-sha256", "fingerprint_key": "<64 hex>",
//! "findings": [{"fingerprint", "rule_id", "path"}]}`. It holds no secret. A fingerprint is keyed
//! with the header's key (or `[scan] fingerprint_key`, and then the header has no key; see
//! [`crate::fingerprint`]) and covers rule id, path and secret, never the line, so an entry
//! survives edits that move the secret; it stops matching when the secret, the file name or the
//! rule changes, and the scan summary counts such stale entries so they can be pruned.
//!
//! Baselines of keyfence 0.1 have no `fingerprint_kind`: their fingerprints are plain SHA-256.
//! They are still read and matched (with a notice to write the file again, which keys it).

use crate::config::files::ConfigFiles;
use crate::error::Hinted;
use crate::finding::Finding;
use crate::fingerprint::{self, FingerprintKey, KeySource};
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::Path;

/// The format version this build writes and reads.
pub const BASELINE_VERSION: u32 = 1;

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineEntry {
    /// The finding's fingerprint (hex SHA-256).
    pub fingerprint: String,
    /// The rule that found it, for people reading the file.
    pub rule_id: String,
    /// Where it was, for people reading the file.
    pub path: String,
}

/// A baseline file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// Format version, [`BASELINE_VERSION`].
    pub keyfence_baseline: u32,
    /// How the fingerprints were made ([`fingerprint::KEYED`]); absent in old, unkeyed baselines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint_kind: Option<String>,
    /// The key of the fingerprints, when it is the baseline's own (not `[scan] fingerprint_key`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint_key: Option<String>,
    /// Accepted findings, sorted by path then fingerprint.
    pub findings: Vec<BaselineEntry>,
}

impl Baseline {
    /// A baseline accepting every one of `findings` (one entry per fingerprint), which must be
    /// fingerprinted with `key`; `own_key` is the key's text when the file carries it (it came
    /// from no configuration).
    pub fn from_findings(findings: &[Finding], key: &FingerprintKey, own_key: Option<String>) -> Baseline {
        let mut entries: Vec<BaselineEntry> = findings
            .iter()
            .map(|f| BaselineEntry {
                fingerprint: f.fingerprint.clone(),
                rule_id: f.rule_id.clone(),
                path: f.path.clone(),
            })
            .collect();
        entries.sort_by(|a, b| (&a.path, &a.fingerprint).cmp(&(&b.path, &b.fingerprint)));
        entries.dedup_by(|a, b| a.fingerprint == b.fingerprint);
        Baseline {
            keyfence_baseline: BASELINE_VERSION,
            fingerprint_kind: Some(key.kind().to_owned()),
            fingerprint_key: own_key,
            findings: entries,
        }
    }

    /// True for a baseline of keyfence 0.1, whose fingerprints are plain SHA-256.
    pub fn is_unkeyed(&self) -> bool {
        self.fingerprint_kind.is_none()
    }

    /// The key of a scan with this baseline, given `[scan] fingerprint_key` (`configured`): the
    /// configured key, else the baseline's own, else the built-in one. Errors when the baseline
    /// was keyed with a configured key that is not set any more, or holds a bad key.
    pub fn scan_key(
        baseline: Option<&Baseline>,
        configured: Option<&str>,
        name: &Path,
    ) -> Result<FingerprintKey> {
        if let Some(text) = configured {
            return FingerprintKey::from_text(text, KeySource::Config)
                .map_err(|err| anyhow::anyhow!("[scan] fingerprint_key: {err:#}"));
        }
        let Some(baseline) = baseline.filter(|b| !b.is_unkeyed()) else {
            return Ok(FingerprintKey::builtin());
        };
        match (&baseline.fingerprint_key, baseline.fingerprint_kind.as_deref()) {
            (Some(key), _) => FingerprintKey::from_text(key, KeySource::Baseline)
                .map_err(|err| anyhow::anyhow!("the baseline {}: fingerprint_key: {err:#}", name.display())),
            (None, Some(fingerprint::BUILTIN_KEY)) => Ok(FingerprintKey::builtin()),
            (None, _) => Err(Hinted::new(
                format!(
                    "the baseline {} was keyed with [scan] fingerprint_key, which is not set",
                    name.display()
                ),
                "set the same fingerprint_key in the configuration, or write the baseline again",
            )
            .into()),
        }
    }

    /// Reads a baseline. Errors (exit 2) name the file: missing, not JSON of this shape, or a
    /// version this build does not know.
    pub fn load(path: &Path) -> Result<Baseline> {
        Baseline::load_from(&ConfigFiles::work_tree(), path)
    }

    /// [`Baseline::load`] of `path` in `files` (a commit's tree for the baseline a range's base
    /// configuration names, or the disk).
    pub fn load_from(files: &ConfigFiles, path: &Path) -> Result<Baseline> {
        let name = files.name(path);
        let text = files.read_to_string(path).with_context(|| format!("cannot read the baseline {name}"))?;
        if serde_json::from_str::<Vec<serde_json::Value>>(&text).is_ok() {
            return Err(Hinted::new(
                format!("{name} is a findings report, not a baseline"),
                "write a baseline with `keyfence baseline FILE [scan arguments]`",
            )
            .into());
        }
        // The error names the place, never the content: a baseline may be any file a
        // configuration names, and CI logs are read by many.
        let baseline: Baseline = serde_json::from_str(&text).map_err(|err| {
            let what = match err.classify() {
                serde_json::error::Category::Data => "a field is missing, unknown or of the wrong type",
                _ => "it is not valid JSON",
            };
            Hinted::new(
                format!("{}:{}:{}: not a keyfence baseline: {what}", name, err.line(), err.column()),
                "write one with `keyfence baseline FILE [scan arguments]`",
            )
        })?;
        let known = [fingerprint::KEYED, fingerprint::BUILTIN_KEY];
        if baseline.fingerprint_kind.as_deref().is_some_and(|kind| !known.contains(&kind)) {
            return Err(Hinted::new(
                format!("{name}: fingerprint_kind is not one this keyfence knows"),
                "write the baseline again with `keyfence baseline`",
            )
            .into());
        }
        if baseline.keyfence_baseline != BASELINE_VERSION {
            return Err(Hinted::new(
                format!(
                    "{name} is a version {} baseline; this keyfence reads version {BASELINE_VERSION}",
                    baseline.keyfence_baseline
                ),
                "write it again with `keyfence baseline`",
            )
            .into());
        }
        Ok(baseline)
    }

    /// Writes the baseline as pretty JSON to `path`, whose folder must exist (it is not
    /// created: a missing folder is more likely a typo). Errors name the file.
    pub fn save(&self, path: &Path) -> Result<()> {
        let mut text = Vec::new();
        self.write(&mut text)?;
        std::fs::write(path, text).with_context(|| format!("cannot write the baseline {}", path.display()))
    }

    /// Writes the baseline as pretty JSON, then a newline.
    pub fn write(&self, out: &mut dyn std::io::Write) -> Result<()> {
        serde_json::to_writer_pretty(&mut *out, self)?;
        writeln!(out)?;
        Ok(())
    }

    /// Removes the findings this baseline accepts from `findings` (matched by their unkeyed
    /// fingerprint when the baseline is an old, unkeyed one); returns how many entries matched
    /// no finding (stale entries).
    pub fn filter(&self, findings: &mut Vec<Finding>) -> usize {
        let accepted: HashSet<&str> = self.findings.iter().map(|e| e.fingerprint.as_str()).collect();
        let mut used: HashSet<String> = HashSet::new();
        findings.retain(|f| {
            let fingerprint = if self.is_unkeyed() { f.unkeyed_fingerprint() } else { f.fingerprint.clone() };
            if accepted.contains(fingerprint.as_str()) {
                used.insert(fingerprint);
                false
            } else {
                true
            }
        });
        accepted.len() - used.len()
    }
}
