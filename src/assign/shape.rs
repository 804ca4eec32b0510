//! What a line is made of, read once for all the lexers: which of the few bytes their gates ask
//! about it holds. Every line holding a secret-like word wakes the extractor (hundreds of
//! thousands in a source tree, `token` and `key` are common words in code), and each lexer
//! needs some byte most of them lack; one pass through the line answers all the lexers, where a
//! search per lexer and per form cost more than the line itself.

/// A class of bytes a line may hold (a bit of [`LineShape::holds`]).
pub type Class = u16;

/// `"`, `'` or `` ` ``: every string literal and every quoted value.
pub const QUOTE: Class = 1;
/// `=`.
pub const EQUALS: Class = 1 << 1;
/// `]`.
pub const CLOSE_BRACKET: Class = 1 << 2;
/// `(`.
pub const OPEN_PAREN: Class = 1 << 3;
/// `<`.
pub const LESS_THAN: Class = 1 << 4;
/// `!`.
pub const BANG: Class = 1 << 5;
/// `:`.
pub const COLON: Class = 1 << 6;
/// `,`.
pub const COMMA: Class = 1 << 7;
/// `\`: every escape.
pub const BACKSLASH: Class = 1 << 8;
/// A tab.
pub const TAB: Class = 1 << 9;

/// The bytes the gates ask about, each with its class.
const CLASSIFIED: [(u8, Class); 12] = [
    (b'"', QUOTE),
    (b'\'', QUOTE),
    (b'`', QUOTE),
    (b'=', EQUALS),
    (b']', CLOSE_BRACKET),
    (b'(', OPEN_PAREN),
    (b'<', LESS_THAN),
    (b'!', BANG),
    (b':', COLON),
    (b',', COMMA),
    (b'\\', BACKSLASH),
    (b'\t', TAB),
];

/// The class of each byte value (0 for the bytes no gate asks about).
static CLASSES: [Class; 256] = {
    let mut classes = [0; 256];
    let mut i = 0;
    while i < CLASSIFIED.len() {
        classes[CLASSIFIED[i].0 as usize] = CLASSIFIED[i].1;
        i += 1;
    }
    classes
};

/// A line and the classes of bytes it holds.
#[derive(Debug, Clone, Copy)]
pub struct LineShape<'a> {
    /// The line's bytes, without its newline.
    pub bytes: &'a [u8],
    /// The line without its leading ASCII blanks ([`u8::is_ascii_whitespace`]).
    pub opening: &'a [u8],
    classes: Class,
}

impl<'a> LineShape<'a> {
    /// The shape of `bytes` (one line).
    pub fn read(bytes: &'a [u8]) -> LineShape<'a> {
        let classes = bytes.iter().fold(0, |classes, &b| classes | CLASSES[b as usize]);
        LineShape { bytes, opening: bytes.trim_ascii_start(), classes }
    }

    /// True if the line holds a byte of every class in `classes`.
    pub fn holds(&self, classes: Class) -> bool {
        self.classes & classes == classes
    }

    /// True if the line holds a byte of any class in `classes`.
    pub fn holds_any(&self, classes: Class) -> bool {
        self.classes & classes != 0
    }

    /// True if the line holds the needle `finder` looks for (a searcher built once: building
    /// one per line costs more than the search).
    pub fn contains(&self, finder: &memchr::memmem::Finder<'_>) -> bool {
        finder.find(self.bytes).is_some()
    }

    /// Offsets where the line holds `pair` (two bytes, the first a rare one).
    pub fn pairs(&self, pair: [u8; 2]) -> impl Iterator<Item = usize> + '_ {
        memchr::memchr_iter(pair[0], self.bytes).filter(move |&at| self.bytes.get(at + 1) == Some(&pair[1]))
    }
}

/// True for the bytes a regex's `\s` matches without Unicode: `[\t\n\x0B\x0C\r ]` (unlike
/// [`u8::is_ascii_whitespace`], which leaves out `\x0B`).
pub fn is_regex_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0B' | b'\x0C' | b'\r')
}

/// The offset of the first byte at or after `at` in `bytes` that is not a regex `\s`.
pub fn skip_spaces(bytes: &[u8], at: usize) -> usize {
    at + bytes.get(at..).map_or(0, |rest| rest.iter().take_while(|&&b| is_regex_space(b)).count())
}

/// The offset just past the last byte before `end` in `bytes` that is not a regex `\s`.
pub fn skip_spaces_back(bytes: &[u8], end: usize) -> usize {
    end - bytes[..end].iter().rev().take_while(|&&b| is_regex_space(b)).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_holds_the_classes_of_its_bytes() {
        let line = LineShape::read(br#"x["k"] = 'v'"#);
        assert!(line.holds(QUOTE | EQUALS | CLOSE_BRACKET));
        assert!(!line.holds(QUOTE | OPEN_PAREN));
        assert!(line.holds_any(OPEN_PAREN | EQUALS));
        assert!(!LineShape::read(b"let token = next()").holds(QUOTE));
    }

    #[test]
    fn spaces_are_those_of_a_regex() {
        assert_eq!(skip_spaces(b"= \x0B\t'v'", 1), 4);
        assert_eq!(skip_spaces(b"=", 1), 1);
        assert_eq!(skip_spaces_back(b"name \t=", 6), 4);
    }
}
