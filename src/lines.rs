//! Line and column arithmetic over a scanned text.

/// Line and column of byte offsets in one text; the line starts are computed once, on demand.
///
/// Columns are counted from the last position asked for when it is earlier on the same line, so
/// many secrets on one long line (a minified file) cost one pass over the line, not one each.
#[derive(Debug)]
pub struct LineIndex<'a> {
    text: &'a [u8],
    starts: Vec<usize>,
    /// (offset, line, column) of the last position computed.
    last: std::cell::Cell<(usize, usize, usize)>,
}

impl<'a> LineIndex<'a> {
    /// Indexes the line starts of `text`.
    pub fn new(text: &'a [u8]) -> LineIndex<'a> {
        let starts = std::iter::once(0).chain(memchr::memchr_iter(b'\n', text).map(|i| i + 1)).collect();
        LineIndex { text, starts, last: std::cell::Cell::new((0, 1, 1)) }
    }

    /// 1-based line of the byte at `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&start| start <= offset)
    }

    /// Number of lines (a text ending in `\n` has an empty last line, counted).
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// Byte range of 1-based lines `first..=last` (clamped to the text), newlines included.
    pub fn byte_range(&self, first: usize, last: usize) -> std::ops::Range<usize> {
        let first = first.clamp(1, self.starts.len());
        let last = last.clamp(first, self.starts.len());
        let end = self.starts.get(last).copied().unwrap_or(self.text.len());
        self.starts[first - 1]..end
    }

    /// 1-based (line, column) of the byte at `offset`. Columns count characters of the line
    /// decoded as lossy UTF-8: each invalid sequence counts as one.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let line = self.line_of(offset);
        let line_start = self.starts[line - 1];
        let (last_offset, last_line, last_column) = self.last.get();
        let (from, base) = if last_line == line && last_offset <= offset && last_offset >= line_start {
            (last_offset, last_column)
        } else {
            (line_start, 1)
        };
        let column = base + char_count(&self.text[from..offset]);
        self.last.set((offset, line, column));
        (line, column)
    }
}

/// Characters in `bytes` decoded as lossy UTF-8 (an invalid sequence counts as one).
fn char_count(bytes: &[u8]) -> usize {
    bytes
        .utf8_chunks()
        .map(|chunk| chunk.valid().chars().count() + usize::from(!chunk.invalid().is_empty()))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let text = "ab\ncé=X\n".as_bytes();
        let index = LineIndex::new(text);
        assert_eq!(index.position(0), (1, 1));
        assert_eq!(index.position(3), (2, 1));
        let x = text.iter().position(|&b| b == b'X').unwrap();
        assert_eq!(index.position(x), (2, 4));
        // Stray continuation bytes count one each; positions asked out of order still agree.
        let text = b"\x80\x80\x80k=X";
        let index = LineIndex::new(text);
        assert_eq!(index.position(5), (1, 6));
        assert_eq!(index.position(3), (1, 4));
        assert_eq!(index.position(5), (1, 6));
    }
}
