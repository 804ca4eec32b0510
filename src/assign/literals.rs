//! String literals: where one starts and ends, adjacent literals joined into one value
//! (`"ak1.6nd" + "psh"`, Python's implicit concatenation in parentheses, C#'s `"…" +` at a line
//! end), and backslash-escaped text unescaped (`"{\"client_secret\":\"…\"}"`).

use super::Rewrite;
use memchr::memmem::Finder;
use std::sync::LazyLock;

/// Most literals joined into one value (longer chains are data tables, not one credential).
const MAX_PIECES: usize = 16;
/// Longest joined value looked at.
const MAX_JOINED: usize = 2048;

/// A string literal at `quote..end` (`end` just past the closing quote), its content at
/// `content`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Literal {
    /// Offset of the opening quote.
    pub quote: usize,
    /// Byte range of the text between the quotes (escapes left as written).
    pub content: std::ops::Range<usize>,
    /// Offset just past the closing quote.
    pub end: usize,
}

/// The literal opening at `at` (a `"`, `'` or `` ` ``), if it closes on the same line. A
/// backslash escapes the next byte.
pub fn literal_at(text: &[u8], at: usize) -> Option<Literal> {
    let quote = *text.get(at)?;
    if !matches!(quote, b'"' | b'\'' | b'`') {
        return None;
    }
    let mut i = at + 1;
    // Only three bytes end or interrupt a literal: jump from one to the next.
    while let Some(offset) = text.get(i..).and_then(|rest| memchr::memchr3(b'\\', b'\n', quote, rest)) {
        i += offset;
        match text[i] {
            b'\\' => i += 2,
            b'\n' => return None,
            _ => return Some(Literal { quote: at, content: at + 1..i, end: i + 1 }),
        }
    }
    None
}

/// Skips blanks (and, with `newlines`, line ends and a `\` line continuation) from `at`.
fn skip_blanks(text: &[u8], mut at: usize, newlines: bool) -> usize {
    while at < text.len() {
        match text[at] {
            b' ' | b'\t' => at += 1,
            b'\r' | b'\n' if newlines => at += 1,
            b'\\' if newlines && matches!(text.get(at + 1), Some(b'\n' | b'\r')) => at += 1,
            _ => break,
        }
    }
    at
}

/// Skips a concatenation operator (`+`, `.`, `..`, `&`, `~`) and the blanks around it, from just
/// past a literal. `in_parens`: Python and C join literals that only blanks separate, across
/// lines inside parentheses. Returns where the next literal must start.
fn skip_join(text: &[u8], after: usize, in_parens: bool) -> Option<usize> {
    let at = skip_blanks(text, after, in_parens);
    let operator = match text.get(at) {
        Some(b'+' | b'&' | b'~') => 1,
        Some(b'.') if text.get(at + 1) == Some(&b'.') => 2,
        Some(b'.') => 1,
        Some(b'"' | b'\'' | b'`') if in_parens || at > after => return Some(at),
        // An operator at the next line's start (`"…"\n  + "…"`).
        _ => {
            let next = skip_blanks(text, after, true);
            return (next > at && text.get(next) == Some(&b'+')).then(|| skip_blanks(text, next + 1, true));
        }
    };
    Some(skip_blanks(text, at + operator, true))
}

/// The literals joined from the one at `first`: at least two, or none. `in_parens` if the first
/// literal opens a parenthesised group.
fn chain(text: &[u8], first: Literal, in_parens: bool) -> Vec<Literal> {
    // Most literals stand alone: look for a second piece before allocating a chain.
    let Some(second) = next_piece(text, &first, in_parens) else {
        return Vec::new();
    };
    let mut length = second.content.len();
    let mut pieces = vec![first, second];
    while pieces.len() < MAX_PIECES && length < MAX_JOINED {
        let last = pieces.last().expect("chain starts with two pieces");
        let Some(next) = next_piece(text, last, in_parens) else {
            break;
        };
        length += next.content.len();
        pieces.push(next);
    }
    pieces
}

/// The literal joined to `last`, if any. Only literals of the same quote join (a `'` after `"` is
/// another token).
fn next_piece(text: &[u8], last: &Literal, in_parens: bool) -> Option<Literal> {
    let next = skip_join(text, last.end, in_parens).and_then(|at| literal_at(text, at))?;
    (text[next.quote] == text[last.quote]).then_some(next)
}

/// The offset of the opening parenthesis right before `at` (only blanks and line ends between):
/// the literal starts a parenthesised group.
fn group_opening(text: &[u8], at: usize) -> Option<usize> {
    let before = text[..at].iter().rposition(|b| !b.is_ascii_whitespace())?;
    (text[before] == b'(').then_some(before)
}

/// The joined chains of literals that start in `range`: each one rewritten as a single literal
/// with the first piece's quote, spanning first to last literal.
pub fn joined(text: &[u8], range: std::ops::Range<usize>) -> Vec<Rewrite> {
    let mut out = Vec::new();
    let mut at = range.start;
    while at < range.end {
        let Some(offset) = memchr::memchr3(b'"', b'\'', b'`', &text[at..range.end]) else {
            break;
        };
        let start = at + offset;
        let Some(first) = literal_at(text, start) else {
            at = start + 1;
            continue;
        };
        let opening = group_opening(text, start);
        let pieces = chain(text, first.clone(), opening.is_some());
        if pieces.is_empty() {
            at = first.end;
            continue;
        }
        let end = pieces.last().expect("non-empty chain").end;
        out.push(join(text, &pieces, opening));
        at = end;
    }
    out
}

/// One literal with the pieces' contents, each byte mapped to where it was written. A group's
/// opening parenthesis (at `opening`) is dropped too, so the name before it reads as assigned the
/// joined value (`API_TOKEN = (` on the line above the pieces).
fn join(text: &[u8], pieces: &[Literal], opening: Option<usize>) -> Rewrite {
    let quote = pieces[0].quote;
    let last = pieces.last().expect("non-empty chain");
    let mut rewrite = Rewrite::new(opening.unwrap_or(quote)..last.end);
    rewrite.push(text[quote], quote);
    for piece in pieces {
        for at in piece.content.clone() {
            rewrite.push(text[at], at);
        }
    }
    rewrite.push(text[last.end - 1], last.end - 1);
    rewrite
}

/// `line` with backslash-escaped quotes and backslashes unescaped (`\"` → `"`), if it has any;
/// a code cell stored in a notebook or JSON held in a string literal then reads as code again.
pub fn unescaped(text: &[u8], line: std::ops::Range<usize>) -> Option<Rewrite> {
    let bytes = &text[line.clone()];
    // Every escape starts with a backslash: one byte search rules most lines out.
    memchr::memchr(b'\\', bytes)?;
    // Searchers built once: this runs on every hinted line, and building one costs more than a
    // short line's search.
    static DOUBLE: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"\\\""));
    static SINGLE: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"\\'"));
    let first = DOUBLE.find(bytes).or_else(|| SINGLE.find(bytes))?;
    let start = line.start + first;
    let mut rewrite = Rewrite::new(start..line.end);
    let mut at = start;
    while at < line.end {
        if text[at] == b'\\' && at + 1 < line.end && matches!(text[at + 1], b'"' | b'\'' | b'\\') {
            rewrite.push(text[at + 1], at + 1);
            at += 2;
        } else {
            rewrite.push(text[at], at);
            at += 1;
        }
    }
    Some(rewrite)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn joined_text(text: &str) -> Vec<String> {
        joined(text.as_bytes(), 0..text.len())
            .into_iter()
            .map(|r| String::from_utf8(r.bytes).unwrap())
            .collect()
    }

    #[test]
    fn concatenations_of_every_family_join() {
        assert_eq!(joined_text(r#"k = "ab" + "cd";"#), [r#""abcd""#]);
        assert_eq!(joined_text("k = \"ab\" +\n    \"cd\";"), [r#""abcd""#]);
        assert_eq!(joined_text("k = \"ab\"\n    + \"cd\";"), [r#""abcd""#]);
        assert_eq!(joined_text("K = (\n    \"ab\"\n    \"cd\"\n    \"ef\"\n)"), [r#""abcdef""#]);
        assert_eq!(joined_text("$k = 'ab' . 'cd';"), ["'abcd'"]);
        assert_eq!(joined_text("k = 'a\\'b' + 'cd'"), ["'a\\'bcd'"]);
    }

    #[test]
    fn lone_literals_and_lists_do_not_join() {
        assert!(joined_text(r#"k = "ab"; j = "cd";"#).is_empty());
        assert!(joined_text("xs = [\n  \"ab\",\n  \"cd\",\n]").is_empty());
        assert!(joined_text("f(\"ab\", \"cd\")").is_empty());
        assert!(joined_text("k = \"ab\"\nj = \"cd\"").is_empty());
    }

    #[test]
    fn positions_map_back_to_the_pieces() {
        let text = br#"x = "ab" + "cd""#;
        let rewrite = &joined(text, 0..text.len())[0];
        assert_eq!(rewrite.range, 4..text.len());
        let text = b"K = (\n  'ab'\n  'cd'\n)";
        assert_eq!(joined(text, 0..text.len())[0].range.start, 4, "from the parenthesis");
        assert_eq!(rewrite.origin[3], 12, "c sits in the second literal");
    }

    #[test]
    fn escaped_quotes_are_unescaped() {
        let text = br#""{\"client_secret\":\"abc\"}""#;
        let rewrite = unescaped(text, 0..text.len()).unwrap();
        assert_eq!(rewrite.bytes, br#""client_secret":"abc"}""#, "from the first escaped quote");
        assert!(unescaped(b"plain \"text\"", 0..12).is_none());
    }
}
