//! keyfence finds API credentials — ServiceTitan App Keys, Client IDs and Client Secrets first,
//! and the common secrets of other services — in what is about to be committed, in commit
//! ranges and in files, and says which FAQ rule forbids sharing each one.
//!
//! Data flows one way: a source ([`sources`]) yields fragments of text with their provenance;
//! the [`scanner`] runs the keyword prefilter and rule regexes ([`matcher`]), then the
//! [`filters`]; survivors become [`finding`]s, on which the key-sharing analyses ([`sharing`])
//! give their verdicts; then the baseline hides known ones, and the rest are sorted and written
//! by a reporter ([`report`]). Rules are data ([`rules`], from `patterns/*.toml`, embedded at build time).

#![deny(missing_docs)]

/// Writes a line to standard error and ignores failure: a closed or full standard error must
/// not turn a scan into a panic (the exit status still says what happened).
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        // Messages quote paths, refs and authors from the repository: control characters are
        // escaped so none can clear the screen or forge a line.
        let line = $crate::finding::escape_controls(&format!($($arg)*));
        let _ = writeln!(std::io::stderr(), "{line}");
    }};
}

pub mod advice;
pub mod assign;
pub mod baseline;
pub mod cli;
pub mod commands;
pub mod config;
pub mod decode;
pub mod error;
pub mod filters;
pub mod finding;
pub mod fingerprint;
pub mod installer;
pub mod keywords;
pub mod lines;
pub mod matcher;
pub mod report;
pub mod rules;
pub mod scanner;
pub mod settings;
pub mod sharing;
pub mod sources;
