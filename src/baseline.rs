//! Baselines: findings a team has accepted (to fix later, or false positives), by fingerprint.
//!
//! The file is JSON: `{"keyfence_baseline": 1, "findings": [{"fingerprint", "rule_id", "path"}]}`.
//! It holds no secret. A fingerprint hashes rule id, path and secret, never the line, so an entry
//! survives edits that move the secret; it stops matching when the secret, the file name or the
//! rule changes, and the scan summary counts such stale entries so they can be pruned.

use crate::config::files::ConfigFiles;
use crate::error::Hinted;
use crate::finding::Finding;
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
    /// Accepted findings, sorted by path then fingerprint.
    pub findings: Vec<BaselineEntry>,
}

impl Baseline {
    /// A baseline accepting every one of `findings` (one entry per fingerprint).
    pub fn from_findings(findings: &[Finding]) -> Baseline {
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
        Baseline { keyfence_baseline: BASELINE_VERSION, findings: entries }
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
        let baseline: Baseline = serde_json::from_str(&text).map_err(|err| {
            Hinted::new(
                format!("{name} is not a keyfence baseline: {err}"),
                "write one with `keyfence baseline FILE [scan arguments]`",
            )
        })?;
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

    /// Writes the baseline as pretty JSON to `path`. Errors name the file.
    pub fn save(&self, path: &Path) -> Result<()> {
        let mut text = Vec::new();
        self.write(&mut text)?;
        if let Some(folder) = path.parent().filter(|f| !f.as_os_str().is_empty()) {
            std::fs::create_dir_all(folder)
                .with_context(|| format!("cannot create the folder of the baseline {}", path.display()))?;
        }
        std::fs::write(path, text).with_context(|| format!("cannot write the baseline {}", path.display()))
    }

    /// Writes the baseline as pretty JSON, then a newline.
    pub fn write(&self, out: &mut dyn std::io::Write) -> Result<()> {
        serde_json::to_writer_pretty(&mut *out, self)?;
        writeln!(out)?;
        Ok(())
    }

    /// Removes the findings this baseline accepts from `findings`; returns how many entries
    /// matched no finding (stale entries).
    pub fn filter(&self, findings: &mut Vec<Finding>) -> usize {
        let accepted: HashSet<&str> = self.findings.iter().map(|e| e.fingerprint.as_str()).collect();
        let mut used: HashSet<String> = HashSet::new();
        findings.retain(|f| {
            if accepted.contains(f.fingerprint.as_str()) {
                used.insert(f.fingerprint.clone());
                false
            } else {
                true
            }
        });
        accepted.len() - used.len()
    }
}
