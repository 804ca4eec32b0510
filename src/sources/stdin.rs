//! Standard input (`keyfence scan -`), reported as path `-`, read as a stream.
//!
//! UTF-8 input is scanned in chunks of about [`CHUNK`] bytes cut at line ends, so memory stays
//! bounded however long the stream is. Each chunk starts with the last [`OVERLAP`] bytes (whole
//! lines) of the one before, marked as already seen: a secret spanning the cut (a PEM block) is
//! found whole in the later chunk, and one inside the overlap is not reported twice. Input that
//! must be decoded (UTF-16 or UTF-32) is read whole, then decoded; binary input is not scanned.

use super::{classify, Content, Fragment, LineSet, Provenance};
use anyhow::{Context, Result};
use std::borrow::Cow;
use std::io::Read;

/// Bytes read per chunk.
pub const CHUNK: usize = 8 << 20;
/// Bytes of the previous chunk carried into the next (at least a PEM block).
pub const OVERLAP: usize = 64 << 10;

/// Reads all of standard input and hands it to `visit` in chunks.
///
/// Errors if standard input cannot be read.
pub fn read(visit: &(dyn Fn(Fragment<'_>) + Sync)) -> Result<()> {
    let mut input = std::io::stdin().lock();
    let mut buffer = Vec::with_capacity(CHUNK + OVERLAP);
    let mut eof = fill(&mut input, &mut buffer, CHUNK)?;
    match classify(Cow::Borrowed(&buffer[..buffer.len().min(super::BINARY_SNIFF_LEN)])) {
        Content::Binary => return Ok(()),
        Content::Text(Cow::Owned(_)) => return read_whole(input, buffer, visit),
        Content::Text(Cow::Borrowed(_)) => {}
    }
    let mut lines_before = 0;
    // Bytes at the start of `buffer` that the previous chunk already scanned.
    let mut seen = 0;
    loop {
        let cut =
            if eof { buffer.len() } else { memchr::memrchr(b'\n', &buffer).map_or(buffer.len(), |i| i + 1) };
        let chunk = &buffer[..cut];
        let seen_lines = memchr::memchr_iter(b'\n', &chunk[..seen]).count();
        let total_lines = memchr::memchr_iter(b'\n', chunk).count() + 1;
        let mut fresh = LineSet::default();
        if seen_lines < total_lines {
            fresh.push(seen_lines + 1, total_lines);
        }
        visit(Fragment {
            provenance: Provenance::Stdin,
            text: Cow::Borrowed(chunk),
            added_lines: Some(fresh),
            lines_before,
        });
        if eof {
            return Ok(());
        }
        // Carry the last whole lines (about OVERLAP bytes) into the next chunk.
        let floor = cut.saturating_sub(OVERLAP);
        // On a line longer than OVERLAP the carry starts mid-line: a secret across the cut is
        // still found, at the price of reporting again one that lies wholly in the carry.
        let carry_from = memchr::memchr(b'\n', &buffer[floor..cut]).map_or(floor, |i| floor + i + 1);
        lines_before += memchr::memchr_iter(b'\n', &buffer[..carry_from]).count();
        buffer.drain(..carry_from);
        seen = cut - carry_from;
        eof = fill(&mut input, &mut buffer, CHUNK)?;
    }
}

/// Appends up to `want` more bytes to `buffer`; returns true at the end of the input.
fn fill(input: &mut impl Read, buffer: &mut Vec<u8>, want: usize) -> Result<bool> {
    let before = buffer.len();
    input.take(want as u64).read_to_end(buffer).context("cannot read standard input")?;
    Ok(buffer.len() - before < want)
}

/// Reads the rest of the input and scans it whole (input that must be decoded first).
fn read_whole(mut input: impl Read, mut bytes: Vec<u8>, visit: &(dyn Fn(Fragment<'_>) + Sync)) -> Result<()> {
    input.read_to_end(&mut bytes).context("cannot read standard input")?;
    if let Content::Text(text) = classify(Cow::Owned(bytes)) {
        visit(Fragment { provenance: Provenance::Stdin, text, added_lines: None, lines_before: 0 });
    }
    Ok(())
}
