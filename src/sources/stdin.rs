//! Standard input (`keyfence scan -`), reported as path `-`.

use super::{classify, Content, Fragment, Provenance};
use anyhow::{Context, Result};
use std::borrow::Cow;
use std::io::Read;

/// Reads all of standard input and hands it to `visit` unless it is binary.
///
/// Errors if standard input cannot be read.
pub fn read(visit: &(dyn Fn(Fragment<'_>) + Sync)) -> Result<()> {
    let mut bytes = Vec::new();
    std::io::stdin().lock().read_to_end(&mut bytes).context("cannot read standard input")?;
    if let Content::Text(text) = classify(Cow::Owned(bytes)) {
        visit(Fragment { provenance: Provenance::Stdin, text, added_lines: None });
    }
    Ok(())
}
