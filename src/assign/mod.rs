//! The assignment extractor: the ways a name and its value are written that a line-shaped rule
//! cannot read, rewritten into views the rules can.
//!
//! - [`literals`]: adjacent string literals of one expression joined (`"ak1.…" + "…"`, Python's
//!   implicit concatenation over several lines) and backslash-escaped strings unescaped (a
//!   notebook cell `"client_secret = \"…\"\n"`, JSON inside a Java string).
//! - [`forms`]: one lexer per syntax family (XML attributes and element text, name/value
//!   objects and Kubernetes `- name:`/`value:` entries, typed declarations, subscripts and
//!   defines, environment reads with a default, Dockerfile `ENV`, YAML tags, dotenv values with
//!   `&` or `,`, CSV/TSV rows under a header with name and value columns), each pair rewritten as
//!   `name = "value"`.
//! - [`names`]: the judgement of a name's words (`primary_key` and `next_page_token` use a secret
//!   word in another sense).
//! - [`shape`] and [`gates`]: the cheap tests that keep most lines away from the lexers.
//! - [`values`]: the judgement of a quoted value that may hold any printable character (a
//!   sentence or a URL under a secret-like name is not a secret).
//!
//! The scanner runs every rule on each view with the rewritten part in place of the original and
//! reports what it finds at the original bytes ([`Rewrite::origin`]): a joined value spans its
//! first to last literal. Only lines holding a generic rule's keyword or one of [`HINT_KEYWORDS`]
//! (found in the matcher's keyword pass, at no extra cost) are looked at, so text without them
//! pays nothing.
//!
//! Code is full of such lines (`token`, `key`), and few hold a pair a lexer reads: each line's
//! [`shape`] is read once, and a lexer or a form's regex only runs on a line holding the bytes
//! it needs ([`gates`], each one a necessary condition read off the form's regex).

pub mod forms;
pub mod gates;
pub mod literals;
pub mod names;
pub mod shape;
pub mod values;

use shape::LineShape;
use std::ops::Range;

/// Words (ASCII case-insensitive) that put a line in the extractor's sight besides the generic
/// rules' keywords (which name secrets): the ServiceTitan prefixes, since a split key's first
/// literal holds one.
pub const HINT_KEYWORDS: &[&str] =
    &["ak1.", "cid.", "cs0", "cs1", "cs2", "cs3", "cs4", "cs5", "cs6", "cs7", "cs8", "cs9"];

/// A rewritten piece of a text: the bytes at `range` as the rules should read them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewrite {
    /// Byte range of the original text this rewrite stands for.
    pub range: Range<usize>,
    /// The rewritten bytes.
    pub bytes: Vec<u8>,
    /// For each byte of `bytes`, the offset in the original text it was written at.
    pub origin: Vec<usize>,
}

impl Rewrite {
    fn new(range: Range<usize>) -> Rewrite {
        Rewrite { range, bytes: Vec::new(), origin: Vec::new() }
    }

    fn push(&mut self, byte: u8, at: usize) {
        self.bytes.push(byte);
        self.origin.push(at);
    }
}

/// A rewrite in place: its line (`context` of the original text) with the rewritten bytes
/// instead of the original ones, ready for the rules.
#[derive(Debug)]
pub struct View {
    /// The text the rules read.
    pub text: Vec<u8>,
    /// Where the rewritten bytes sit in `text`.
    pub part: Range<usize>,
    context: Range<usize>,
    rewrite: Rewrite,
}

impl View {
    /// `rewrite` placed in `context` (a range of `text` holding `rewrite.range`).
    pub fn new(text: &[u8], context: Range<usize>, rewrite: Rewrite) -> View {
        let mut view = Vec::with_capacity(context.len() + rewrite.bytes.len());
        view.extend_from_slice(&text[context.start..rewrite.range.start]);
        let part = view.len()..view.len() + rewrite.bytes.len();
        view.extend_from_slice(&rewrite.bytes);
        view.extend_from_slice(&text[rewrite.range.end..context.end]);
        View { text: view, part, context, rewrite }
    }

    /// The original offset of the view's byte `at`.
    pub fn original(&self, at: usize) -> usize {
        if at < self.part.start {
            self.context.start + at
        } else if at < self.part.end {
            self.rewrite.origin[at - self.part.start]
        } else {
            self.rewrite.range.end + (at - self.part.end)
        }
    }

    /// The original range of the view's range `range` (non-empty).
    pub fn original_range(&self, range: &Range<usize>) -> Range<usize> {
        self.original(range.start)..self.original(range.end - 1) + 1
    }
}

/// Every rewrite of the lines of `text` that hold a hint (offsets in `hints`, any order), within
/// `window`. A literal chain may start on the line after a hint (`APP_KEY = (` then the pieces).
pub fn rewrites(text: &[u8], window: Range<usize>, hints: &[usize]) -> Vec<Rewrite> {
    let mut hints = hints.to_vec();
    hints.sort_unstable();
    let mut out = Vec::new();
    let mut done = window.start;
    // Only a line with a delimiter can be a table row: most texts never read their header.
    let header = std::cell::OnceCell::new();
    // The line after the last hinted one: often the next hinted line, found already.
    let mut next: Option<Range<usize>> = None;
    for hint in hints {
        if hint < done || hint >= window.end {
            continue;
        }
        let line = match next.take() {
            Some(next) if next.contains(&hint) => next,
            _ => line_around(text, hint, &window),
        };
        next = (line.end + 1 < window.end).then(|| line_after(text, line.end, &window));
        let next_end = next.as_ref().map_or(line.end, |next| next.end);
        let shape = LineShape::read(&text[line.clone()]);
        out.extend(literals::joined(text, line.start..next_end));
        if shape.holds(shape::BACKSLASH) {
            out.extend(literals::unescaped(text, line.clone()));
        }
        out.extend(forms::canonical_in(text, line.start, &shape));
        // A `- name:` entry opens its line (after blanks).
        if shape.opening.first() == Some(&b'-') {
            out.extend(forms::name_value_lines(text, line.start..next_end));
        }
        if shape.holds_any(shape::TAB | shape::COMMA) {
            out.extend(forms::table_row(
                text,
                line.clone(),
                header.get_or_init(|| forms::TableHeader::read(text)),
            ));
        }
        done = line.end;
    }
    out
}

/// The line of `text` after the newline at `newline`, without its own newline, kept inside
/// `window` (which holds `newline + 1`).
fn line_after(text: &[u8], newline: usize, window: &Range<usize>) -> Range<usize> {
    let start = newline + 1;
    start..memchr::memchr(b'\n', &text[start..window.end]).map_or(window.end, |p| start + p)
}

/// The line of `text` holding `at`, without its newline, kept inside `window`.
fn line_around(text: &[u8], at: usize, window: &Range<usize>) -> Range<usize> {
    let start =
        memchr::memrchr(b'\n', &text[window.start..at]).map_or(window.start, |p| window.start + p + 1);
    let end = memchr::memchr(b'\n', &text[at..window.end]).map_or(window.end, |p| at + p);
    start..end
}
