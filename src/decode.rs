//! Encoded secrets: finds candidate segments (base64, percent-encoding, Kubernetes Secret
//! `data:` values, `Authorization: Basic` credentials) and decodes them, so the scanner can run
//! the rules on what they hide.
//!
//! Plain text must not pay for this, so candidates are found with cheap byte tests, and only
//! candidates are decoded:
//! - base64 runs of at least [`MIN_BASE64_RUN`] characters, found by sampling every
//!   [`SAMPLE_STRIDE`]th byte (a run that long always covers two consecutive samples and the
//!   bytes between them, so a run is looked at only where both samples are base64 characters);
//! - shorter base64 values where the context says they are encoded: after `Basic ` and, in a
//!   text with `kind: Secret`, as the value of a `key: value` line;
//! - percent-encoded segments: a `%` followed by two hex digits, widened to the run of
//!   non-blank, non-quote bytes around it.
//!
//! A decoded segment is kept only if it is mostly printable text (so images, compressed data
//! and hashes, which decode to noise, are dropped after their first bytes).

use std::ops::Range;

/// Shortest base64 run looked at without context (30 decoded bytes: the shortest prefixed
/// tokens, `npm_` + 36, encode to 54 characters).
pub const MIN_BASE64_RUN: usize = 40;
/// Shortest base64 value decoded after `Basic ` or in a Kubernetes Secret (6 decoded bytes).
pub const MIN_CONTEXT_BASE64: usize = 8;
/// Distance between sampled bytes when looking for base64 runs; half of [`MIN_BASE64_RUN`].
pub const SAMPLE_STRIDE: usize = MIN_BASE64_RUN / 2;
/// Longest segment decoded (longer runs are data, not credentials).
pub const MAX_SEGMENT: usize = 64 * 1024;

/// Literals (ASCII case-insensitive) whose positions tell where short base64 values are
/// encoded credentials; the matcher's keyword pass finds them at no extra cost.
pub const CONTEXT_KEYWORDS: [&str; 2] = ["basic ", "kind: secret"];

/// Where the [`CONTEXT_KEYWORDS`] occur in a text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hints {
    /// Offsets of `basic ` (any case).
    pub basic: Vec<usize>,
    /// True if `kind: secret` (any case) occurs.
    pub kubernetes: bool,
    /// Offsets of the words that wake the assignment extractor (see [`crate::assign`]), in the
    /// prefilter's order.
    pub assign: Vec<usize>,
}

impl Hints {
    /// The hints that fall in `range`, with offsets relative to its start.
    pub fn within(&self, range: Range<usize>) -> Hints {
        Hints {
            basic: self.basic.iter().filter(|&&at| range.contains(&at)).map(|at| at - range.start).collect(),
            kubernetes: self.kubernetes,
            assign: self
                .assign
                .iter()
                .filter(|&&at| range.contains(&at))
                .map(|at| at - range.start)
                .collect(),
        }
    }

    /// Finds the context keywords in `text` by itself (for short decoded texts, which the
    /// matcher's pass did not see).
    pub fn search(text: &[u8]) -> Hints {
        let lower = text.to_ascii_lowercase();
        Hints {
            basic: memchr::memmem::find_iter(&lower, CONTEXT_KEYWORDS[0].as_bytes()).collect(),
            kubernetes: memchr::memmem::find(&lower, CONTEXT_KEYWORDS[1].as_bytes()).is_some(),
            assign: Vec::new(),
        }
    }
}

/// How a segment was encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// RFC 4648 base64, standard or URL-safe alphabet, padding optional.
    Base64,
    /// RFC 3986 percent-encoding.
    Percent,
}

impl Encoding {
    /// The name reports use.
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Base64 => "base64",
            Encoding::Percent => "percent",
        }
    }
}

/// An encoded segment of a text and what it decodes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// Byte range of the encoded text.
    pub range: Range<usize>,
    /// How it was encoded.
    pub encoding: Encoding,
    /// The decoded bytes (mostly printable text).
    pub bytes: Vec<u8>,
}

/// Marks a byte outside both base64 alphabets in [`BASE64_VALUES`].
const NOT_BASE64: u8 = 0xFF;

/// The 6-bit value of each byte in the base64 alphabets (standard and URL-safe: `+` and `-`
/// are 62, `/` and `_` are 63), [`NOT_BASE64`] for any other byte. One table serves both the
/// run search (is it a base64 byte?) and decoding (what is it worth?), so neither runs a chain
/// of range tests per byte.
static BASE64_VALUES: [u8; 256] = {
    let mut table = [NOT_BASE64; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => NOT_BASE64,
        };
        b += 1;
    }
    table
};

fn is_base64(b: u8) -> bool {
    BASE64_VALUES[b as usize] != NOT_BASE64
}

/// Every decodable candidate segment in `text`, in text order, without overlaps. `hints` are
/// the context keywords' positions when the caller has them (else they are searched for).
pub fn segments(text: &[u8], hints: Option<&Hints>) -> Vec<Decoded> {
    let searched;
    let hints = match hints {
        Some(hints) => hints,
        None => {
            searched = Hints::search(text);
            &searched
        }
    };
    let mut found: Vec<Decoded> = Vec::new();
    base64_runs(text, &mut found);
    basic_credentials(text, &hints.basic, &mut found);
    if hints.kubernetes {
        kubernetes_secret_values(text, &mut found);
    }
    percent_segments(text, &mut found);
    found.sort_by_key(|d| (d.range.start, std::cmp::Reverse(d.range.end)));
    let mut end = 0;
    found.retain(|d| {
        let keep = d.range.start >= end;
        if keep {
            end = d.range.end;
        }
        keep
    });
    found
}

/// Long base64 runs, found by sampling (see the module doc).
fn base64_runs(text: &[u8], out: &mut Vec<Decoded>) {
    let mut sample = SAMPLE_STRIDE;
    while sample < text.len() {
        if !is_base64(text[sample]) {
            // This sample fails, and so would the next one, whose previous sample it is: skip
            // both (the same samples as stepping one stride at a time, for half the work).
            sample += 2 * SAMPLE_STRIDE;
            continue;
        }
        let previous = sample - SAMPLE_STRIDE;
        if !is_base64(text[previous]) {
            sample += SAMPLE_STRIDE;
            continue;
        }
        // Check the bytes between the two samples from the right: a non-base64 byte there moves
        // the search past it.
        if let Some(gap) = last_non_base64(&text[previous..sample]) {
            let after_gap = previous + gap + 1;
            sample = after_gap + SAMPLE_STRIDE;
            continue;
        }
        let start = last_non_base64(&text[..previous]).map_or(0, |p| p + 1);
        let mut end = base64_value_end(text, start);
        if end - start >= MIN_BASE64_RUN {
            match wrapped_continuation(text, start, end) {
                Some((last_end, joined)) => push_base64_bytes(start..last_end, &joined, out),
                None => push_base64(text, start..end, out),
            }
            end = end.max(out.last().map_or(end, |d| d.range.end));
        }
        sample = end + SAMPLE_STRIDE;
    }
}

/// Offset of the last byte of `bytes` outside the base64 alphabets, if any.
fn last_non_base64(bytes: &[u8]) -> Option<usize> {
    let mut at = bytes.len();
    while at > 0 {
        at -= 1;
        if !is_base64(bytes[at]) {
            return Some(at);
        }
    }
    None
}

/// Length of the run of base64 alphabet bytes at the start of `bytes`.
fn base64_prefix_len(bytes: &[u8]) -> usize {
    // Eight bytes a round while all are in the alphabet (long runs are the ones that reach
    // here), then byte by byte to the first that is not.
    let mut len = 0;
    for block in bytes.chunks_exact(8) {
        // Values are below 64: any high bit is a byte outside the alphabets.
        if block.iter().fold(0, |any, &b| any | BASE64_VALUES[b as usize]) & 0x80 != 0 {
            break;
        }
        len += 8;
    }
    len + bytes[len..].iter().take_while(|&&b| is_base64(b)).count()
}

/// Shortest line of a wrapped base64 block (the `base64` tool wraps at 76, PEM at 64).
const MIN_WRAP_WIDTH: usize = 60;

/// If the run `start..end` fills its line and the next lines continue it (base64 wrapped at a
/// fixed width, as `base64` prints it), the end of the block and its characters joined; `None`
/// for a run that is not the first line of such a block.
fn wrapped_continuation(text: &[u8], start: usize, end: usize) -> Option<(usize, Vec<u8>)> {
    let width = end - start;
    let at_line_end =
        |at: usize| text.get(at..).is_some_and(|r| r.starts_with(b"\n") || r.starts_with(b"\r\n"));
    if width < MIN_WRAP_WIDTH || text[start..end].contains(&b'=') || !at_line_end(end) {
        return None;
    }
    let indent = start - text[..start].iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    let mut joined = text[start..end].to_vec();
    let (mut line_end, mut next) = (end, end + if text[end] == b'\r' { 2 } else { 1 });
    while joined.len() < MAX_SEGMENT {
        let line_start = next + indent;
        if line_start > text.len() || !text[next..line_start].iter().all(|b| b.is_ascii_whitespace()) {
            break;
        }
        let run = base64_value_end(text, line_start) - line_start;
        if run == 0
            || run > width
            || (run < width && !at_line_end(line_start + run) && line_start + run != text.len())
        {
            break;
        }
        joined.extend_from_slice(&text[line_start..line_start + run]);
        line_end = line_start + run;
        if run < width || !at_line_end(line_end) || text[line_start..line_end].contains(&b'=') {
            break;
        }
        next = line_end + if text[line_end] == b'\r' { 2 } else { 1 };
    }
    (line_end > end).then_some((line_end, joined))
}

/// `Basic <base64>` (HTTP basic authentication) at each offset of `basic ` in `at`.
fn basic_credentials(text: &[u8], at: &[usize], out: &mut Vec<Decoded>) {
    for &at in at {
        let start = (at + CONTEXT_KEYWORDS[0].len()).min(text.len());
        let run = base64_value_end(text, start);
        if run - start >= MIN_CONTEXT_BASE64 {
            push_base64(text, start..run, out);
        }
    }
}

/// Values of `key: value` lines in a text that declares `kind: Secret` (a Kubernetes Secret's
/// `data:` entries are base64).
fn kubernetes_secret_values(text: &[u8], out: &mut Vec<Decoded>) {
    for line in line_ranges(text) {
        let bytes = &text[line.clone()];
        let Some(colon) = memchr::memchr(b':', bytes) else { continue };
        let key = bytes[..colon].trim_ascii();
        if key.is_empty()
            || !key.iter().all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
        {
            continue;
        }
        let value_start =
            colon + 1 + bytes[colon + 1..].iter().take_while(|b| b.is_ascii_whitespace()).count();
        let value = bytes[value_start..].trim_ascii_end();
        let value = value.strip_prefix(b"\"").and_then(|v| v.strip_suffix(b"\"")).unwrap_or(value);
        let offset = line.start + value_start + usize::from(bytes.get(value_start) == Some(&b'"'));
        if value.len() >= MIN_CONTEXT_BASE64 && base64_value_end(value, 0) == value.len() {
            push_base64(text, offset..offset + value.len(), out);
        }
    }
}

/// Percent-encoded segments (see the module doc).
fn percent_segments(text: &[u8], out: &mut Vec<Decoded>) {
    let mut from = 0;
    while let Some(found) = memchr::memchr(b'%', &text[from..]) {
        let at = from + found;
        from = at + 1;
        if !(text.get(at + 1).is_some_and(u8::is_ascii_hexdigit)
            && text.get(at + 2).is_some_and(u8::is_ascii_hexdigit))
        {
            continue;
        }
        let is_part = |b: u8| !(b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b'`' | b'<' | b'>'));
        let start = text[..at].iter().rposition(|&b| !is_part(b)).map_or(0, |p| p + 1);
        let end = at + text[at..].iter().position(|&b| !is_part(b)).unwrap_or(text.len() - at);
        from = end;
        if end - start > MAX_SEGMENT {
            continue;
        }
        let bytes = percent_decode(&text[start..end]);
        if mostly_printable(&bytes) {
            out.push(Decoded { range: start..end, encoding: Encoding::Percent, bytes });
        }
    }
}

/// End of the base64 value starting at `start`: its characters, then `=` padding.
fn base64_value_end(text: &[u8], start: usize) -> usize {
    let mut end = start + base64_prefix_len(&text[start..]);
    while end < text.len() && text[end] == b'=' && end - start < MAX_SEGMENT {
        end += 1;
    }
    end
}

/// Decodes `text[range]` if its first bytes decode to text, then all of it; pushes it if the
/// result is mostly printable.
fn push_base64(text: &[u8], range: Range<usize>, out: &mut Vec<Decoded>) {
    push_base64_bytes(range.clone(), &text[range], out);
}

/// Decodes `encoded` (the base64 text at `range`) as [`push_base64`] does.
fn push_base64_bytes(range: Range<usize>, encoded: &[u8], out: &mut Vec<Decoded>) {
    if encoded.len() > MAX_SEGMENT {
        return;
    }
    let head = &encoded[..encoded.len().min(32) / 4 * 4];
    if !head.is_empty() && !head_decodes_to_text(head) {
        return;
    }
    if let Some(bytes) = base64_decode(encoded).filter(|b| mostly_printable(b)) {
        out.push(Decoded { range, encoding: Encoding::Base64, bytes });
    }
}

/// True if `head` (at most 32 base64 characters) decodes, as [`base64_decode`] does, to mostly
/// printable text; decoded on the stack, since most heads are noise and go no further.
fn head_decodes_to_text(head: &[u8]) -> bool {
    let mut buffer = [0u8; 24];
    let data = without_padding(head);
    let Some(decoded) = buffer.get_mut(..decoded_len(data)) else { return false };
    data.len() % 4 != 1 && decode_into(data, decoded).is_some() && mostly_printable(decoded)
}

/// Decodes base64 in the standard or URL-safe alphabet, with or without padding. `None` if a
/// byte is outside the alphabet or the length cannot be base64.
pub fn base64_decode(encoded: &[u8]) -> Option<Vec<u8>> {
    let data = without_padding(encoded);
    if data.len() % 4 == 1 {
        return None;
    }
    let mut out = vec![0; decoded_len(data)];
    decode_into(data, &mut out)?;
    Some(out)
}

/// `encoded` without its `=` padding (one or two).
fn without_padding(encoded: &[u8]) -> &[u8] {
    encoded.strip_suffix(b"==").or_else(|| encoded.strip_suffix(b"=")).unwrap_or(encoded)
}

/// Bytes that `data.len()` base64 characters (no padding) decode to: 3 for each 4, and one
/// less than the characters of a last partial group.
fn decoded_len(data: &[u8]) -> usize {
    data.len() * 3 / 4
}

/// Decodes `data` (base64 without padding, length not 1 mod 4) into `out`, which holds
/// [`decoded_len`] bytes; `None` if a byte is outside the alphabets. The bits of a last partial
/// group beyond its bytes are dropped.
fn decode_into(data: &[u8], out: &mut [u8]) -> Option<()> {
    let value = |b: u8| BASE64_VALUES[b as usize];
    let group = |chars: &[u8]| -> Option<u32> {
        let mut acc = 0u32;
        let mut invalid = 0u8;
        for (i, &c) in chars.iter().enumerate() {
            let v = value(c);
            invalid |= v;
            acc |= u32::from(v) << (18 - 6 * i);
        }
        // Values are below 64, so a high bit means a byte outside the alphabets.
        (invalid & 0x80 == 0).then_some(acc)
    };
    let mut groups = data.chunks_exact(4);
    let mut slots = out.chunks_exact_mut(3);
    for (chars, slot) in (&mut groups).zip(&mut slots) {
        slot.copy_from_slice(&group(chars)?.to_be_bytes()[1..]);
    }
    let rest = groups.remainder();
    if !rest.is_empty() {
        let bytes = group(rest)?.to_be_bytes();
        slots.into_remainder().copy_from_slice(&bytes[1..rest.len()]);
    }
    Some(())
}

/// Decodes `%XX` escapes (and leaves everything else, `+` included, as it is).
pub fn percent_decode(encoded: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(encoded.len());
    let mut i = 0;
    while i < encoded.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if encoded[i] == b'%' {
            if let (Some(h), Some(l)) =
                (encoded.get(i + 1).and_then(|&b| hex(b)), encoded.get(i + 2).and_then(|&b| hex(b)))
            {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(encoded[i]);
        i += 1;
    }
    out
}

/// Bytes that count as bad in [`mostly_printable`] wherever they stand: ASCII controls but tab,
/// newline and carriage return (a character each), and the bytes UTF-8 never uses (C0, C1,
/// F5–FF: an invalid sequence each, unless they end the text).
static SURELY_BAD: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = (c < b' ' && !matches!(c, b'\n' | b'\r' | b'\t'))
            || c == 0x7F
            || matches!(c, 0xC0 | 0xC1 | 0xF5..=0xFF);
        b += 1;
    }
    table
};

/// At least 95% of the characters are printable (any script) or whitespace, and there is one.
fn mostly_printable(bytes: &[u8]) -> bool {
    // Characters, not bytes: UTF-8 text in any language is text. A sequence cut at the end (a
    // decoded head stops anywhere) is not held against it.
    let (mut good, mut bad) = (0usize, 0usize);
    // Characters and invalid bytes together never outnumber the bytes, so once `bad * 20`
    // passes the length the answer is no whatever follows (noise gets here in a few bytes).
    let too_many_bad = |bad: usize| bad * 20 > bytes.len();
    // First a cheaper count that never exceeds `bad`: bytes that are a bad character or an
    // invalid sequence wherever they stand (the last byte aside, which may end a cut sequence).
    let mut surely_bad = 0;
    for &b in bytes.iter().take(bytes.len().saturating_sub(1)) {
        surely_bad += usize::from(SURELY_BAD[b as usize]);
        if too_many_bad(surely_bad) {
            return false;
        }
    }
    let mut chunks = bytes.utf8_chunks().peekable();
    while let Some(chunk) = chunks.next() {
        let valid = chunk.valid();
        if valid.is_ascii() {
            // One byte, one character: no decoding needed. ASCII controls are below a space,
            // and DEL.
            for &b in valid.as_bytes() {
                if (b < b' ' && !matches!(b, b'\n' | b'\r' | b'\t')) || b == 0x7F {
                    bad += 1;
                } else {
                    good += 1;
                }
            }
        } else {
            for c in valid.chars() {
                if c.is_control() && !matches!(c, '\n' | '\r' | '\t') {
                    bad += 1;
                } else {
                    good += 1;
                }
            }
        }
        let cut_at_end = chunks.peek().is_none() && chunk.invalid().len() < 4;
        if !cut_at_end {
            bad += chunk.invalid().len();
        }
        if too_many_bad(bad) {
            return false;
        }
    }
    good > 0 && bad * 20 <= (good + bad)
}

/// Byte ranges of the lines of `text`, without their newline.
fn line_ranges(text: &[u8]) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= text.len() {
            return None;
        }
        let end = memchr::memchr(b'\n', &text[start..]).map_or(text.len(), |p| start + p);
        let line = start..end;
        start = end + 1;
        Some(line)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips() {
        assert_eq!(base64_decode(b"aGVsbG8gd29ybGQ=").unwrap(), b"hello world");
        assert_eq!(base64_decode(b"aGVsbG8gd29ybGQ").unwrap(), b"hello world");
        assert_eq!(base64_decode(b"YWJj").unwrap(), b"abc");
        assert_eq!(base64_decode(b"-_-_").unwrap(), base64_decode(b"+/+/").unwrap());
        assert!(base64_decode(b"a").is_none());
        assert!(base64_decode(b"a*bc").is_none());
    }

    #[test]
    fn wrapped_base64_and_utf8_text_are_decoded_whole() {
        // The token is put together at run time so this file holds none.
        let plain = format!(
            "{{\"name\":\"Müller Größe café\",\"token\":\"{}{}\"}} and more text to wrap",
            "ghp_", "p7CgQ0PBQFI14zGtSnovm14TUOizwd1iaeOV"
        );
        let encoded: String = {
            const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
            let mut out = String::new();
            for chunk in plain.as_bytes().chunks(3) {
                let n = chunk.iter().enumerate().fold(0u32, |acc, (i, &b)| acc | (b as u32) << (16 - 8 * i));
                for i in 0..=chunk.len() {
                    out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
                }
            }
            while !out.len().is_multiple_of(4) {
                out.push('=');
            }
            out
        };
        let wrapped: Vec<&str> =
            encoded.as_bytes().chunks(64).map(|c| std::str::from_utf8(c).unwrap()).collect();
        let text = format!("data: |\n  {}\nnext: 1\n", wrapped.join("\n  "));
        let found = segments(text.as_bytes(), None);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].bytes, plain.as_bytes());
    }

    #[test]
    fn the_value_table_decodes_both_alphabets_and_nothing_else() {
        const STANDARD: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        // `=` is padding, not a character (see base64_round_trips).
        for b in (0..=255u8).filter(|&b| b != b'=') {
            let value = STANDARD.iter().position(|&c| c == b).or(match b {
                b'-' => Some(62),
                b'_' => Some(63),
                _ => None,
            });
            // "AAA" then `b`: the last character's value is the low 6 bits of the last byte.
            let decoded = base64_decode(&[b'A', b'A', b'A', b]);
            assert_eq!(decoded.map(|d| usize::from(d[2])), value, "byte {b}");
            assert_eq!(is_base64(b), value.is_some(), "byte {b}");
        }
        assert_eq!(base64_decode(b"YWJjZA").unwrap(), b"abcd");
        assert_eq!(base64_decode(b"YWJjZA==").unwrap(), b"abcd");
        assert!(base64_decode(b"YW=jZA").is_none());
    }

    #[test]
    fn printable_text_is_counted_in_characters_and_noise_stops_early() {
        let mut text = b"nineteen characters".to_vec();
        assert!(mostly_printable(&text));
        text.push(0x07); // 1 bad in 20: 5%
        assert!(mostly_printable(&text));
        text[0] = 0x01; // 2 bad in 20
        assert!(!mostly_printable(&text));
        // A C1 control is a control; a letter outside ASCII is text.
        assert!(!mostly_printable("ab\u{85}cd".as_bytes()));
        assert!(mostly_printable("Größe".as_bytes()));
        // A sequence cut at the end is not held against the text; invalid bytes before it are.
        assert!(mostly_printable(b"abcd\xE2\x82"));
        assert!(!mostly_printable(b"ab\xFFcd"));
        assert!(!mostly_printable(b""));
        assert!(!mostly_printable(b"\xFF\xFE\x01\x02 and then a long run of ordinary text after the noise"));
    }

    #[test]
    fn a_padded_head_decodes_on_the_stack() {
        assert!(head_decodes_to_text(b"YWxpY2U="));
        assert!(head_decodes_to_text(b"dG9rZW49Z2hwX3NvbWV0aGluZ19sb25n"));
        assert!(!head_decodes_to_text(b"/////////////w=="));
        assert!(!head_decodes_to_text(b"YWxpY2U*"));
    }

    #[test]
    fn percent_decoding_keeps_what_is_not_an_escape() {
        assert_eq!(percent_decode(b"a%2Fb%3d%zz%"), b"a/b=%zz%");
    }

    #[test]
    fn long_base64_runs_are_found_wherever_they_start() {
        let encoded = "dG9rZW49Z2hwX3NvbWV0aGluZ19sb25nX2Vub3VnaF90b19tYXR0ZXI=";
        for pad in 0..40 {
            let text = format!("{}x = \"{encoded}\" and more words here", " ".repeat(pad));
            let found = segments(text.as_bytes(), None);
            assert_eq!(found.len(), 1, "pad {pad}");
            assert_eq!(&text.as_bytes()[found[0].range.clone()], encoded.as_bytes());
            assert!(found[0].bytes.starts_with(b"token=ghp_"));
        }
    }

    #[test]
    fn noise_and_short_runs_are_not_decoded() {
        // A hex digest decodes to bytes that are not text; an identifier is too short.
        let text =
            b"sha = 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 name = someIdentifier";
        assert!(segments(text, None).is_empty());
    }

    #[test]
    fn basic_credentials_and_kubernetes_values_are_decoded_in_context() {
        let found = segments(b"Authorization: Basic YWxpY2U6czNjcjN0", None);
        assert_eq!(found[0].bytes, b"alice:s3cr3t");
        let manifest =
            b"apiVersion: v1\nkind: Secret\ndata:\n  password: aHVudGVyMjI=\n  user: \"YWxpY2U=\"\n";
        let found = segments(manifest, None);
        let decoded: Vec<&[u8]> = found.iter().map(|d| d.bytes.as_slice()).collect();
        assert_eq!(decoded, [&b"hunter22"[..], b"alice"]);
    }

    #[test]
    fn percent_segments_cover_the_token_around_the_escape() {
        let text = b"curl 'https://x.invalid/cb?code=a%2Bb&x=1' -H 'A: b'";
        let found = segments(text, None);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].encoding, Encoding::Percent);
        assert_eq!(found[0].bytes, b"https://x.invalid/cb?code=a+b&x=1");
    }
}
