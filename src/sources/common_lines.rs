//! The lines two versions of a file share at their start and at their end, found by comparing
//! bytes (memcmp speed), so an edit that only inserts or only removes lines needs no line diff.
//!
//! xdiff (libgit2's line diff) trims the same lines itself, the same way (the longest common run
//! of whole lines at the start, then the longest at the end of what is left), but only after
//! hashing every line of both texts: on a large file with a small edit that hashing was a quarter
//! of a history scan's CPU time. Where both sides keep lines of their own between the shared
//! runs, the diff still runs on the whole texts: xdiff's choices there depend on counts over the
//! whole files (a diff of the middle alone moved hunks in 5% of cargo's file changes).

/// Two texts with their shared leading and trailing whole lines cut off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Middle<'a> {
    /// The old text between the shared lines.
    pub old: &'a [u8],
    /// The new text between the shared lines.
    pub new: &'a [u8],
    /// How many whole lines both texts share at their start: line 1 of `new` is line
    /// `lines_before + 1` of the whole new text.
    pub lines_before: usize,
}

/// `old` and `new` without the whole lines both start with and then the whole lines both end
/// with (those cannot overlap: each byte is cut at most once).
pub fn middle<'a>(old: &'a [u8], new: &'a [u8]) -> Middle<'a> {
    let shared = common_prefix_len(old, new);
    // Back to the end of the last whole line in the shared bytes.
    let start = memchr::memrchr(b'\n', &old[..shared]).map_or(0, |i| i + 1);
    let (old_rest, new_rest) = (&old[start..], &new[start..]);
    let tail = common_suffix_len(old_rest, new_rest);
    let tail = tail_of_whole_lines(old_rest, new_rest, tail);
    Middle {
        old: &old_rest[..old_rest.len() - tail],
        new: &new_rest[..new_rest.len() - tail],
        lines_before: memchr::memchr_iter(b'\n', &old[..start]).count(),
    }
}

/// The part of the last `tail` bytes (shared by both texts) that starts at a line start in both.
fn tail_of_whole_lines(old: &[u8], new: &[u8], tail: usize) -> usize {
    let at_line_start = |text: &[u8]| {
        let start = text.len() - tail;
        start == 0 || text[start - 1] == b'\n'
    };
    if at_line_start(old) && at_line_start(new) {
        return tail;
    }
    // Skip to just after the first line end inside the shared bytes.
    let shared = &old[old.len() - tail..];
    memchr::memchr(b'\n', shared).map_or(0, |i| tail - i - 1)
}

/// Number of bytes `a` and `b` share at their start.
fn common_prefix_len(a: &[u8], b: &[u8]) -> usize {
    const CHUNK: usize = 256;
    let len = a.len().min(b.len());
    let mut at = 0;
    // Whole chunks compare as slices (memcmp), then the first differing chunk byte by byte.
    while at + CHUNK <= len && a[at..at + CHUNK] == b[at..at + CHUNK] {
        at += CHUNK;
    }
    at + a[at..len].iter().zip(&b[at..len]).take_while(|(x, y)| x == y).count()
}

/// Number of bytes `a` and `b` share at their end.
fn common_suffix_len(a: &[u8], b: &[u8]) -> usize {
    const CHUNK: usize = 256;
    let len = a.len().min(b.len());
    let (a, b) = (&a[a.len() - len..], &b[b.len() - len..]);
    let mut shared = 0;
    while shared + CHUNK <= len
        && a[len - shared - CHUNK..len - shared] == b[len - shared - CHUNK..len - shared]
    {
        shared += CHUNK;
    }
    shared
        + a[..len - shared]
            .iter()
            .rev()
            .zip(b[..len - shared].iter().rev())
            .take_while(|(x, y)| x == y)
            .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cut(old: &str, new: &str) -> (String, String, usize) {
        let m = middle(old.as_bytes(), new.as_bytes());
        (
            String::from_utf8(m.old.to_vec()).unwrap(),
            String::from_utf8(m.new.to_vec()).unwrap(),
            m.lines_before,
        )
    }

    #[test]
    fn cuts_whole_shared_lines_at_both_ends() {
        assert_eq!(cut("a\nb\nc\n", "a\nx\nc\n"), ("b\n".into(), "x\n".into(), 1));
        // A shared partial line is kept whole: "abc" and "abd" share "ab".
        assert_eq!(cut("k\nabc\nz\n", "k\nabd\nz\n"), ("abc\n".into(), "abd\n".into(), 1));
        // A shared end that starts inside a line starts at the next line.
        assert_eq!(cut("x1\nend\n", "y1\nend\n"), ("x1\n".into(), "y1\n".into(), 0));
        assert_eq!(cut("a\nb", "z\nb"), ("a\n".into(), "z\n".into(), 0));
    }

    #[test]
    fn an_insertion_leaves_only_the_new_lines() {
        assert_eq!(cut("a\nc\n", "a\nb\nc\n"), ("".into(), "b\n".into(), 1));
        // Repeated lines: the shared start is taken first, as xdiff does.
        assert_eq!(cut("a\na\n", "a\na\na\n"), ("".into(), "a\n".into(), 2));
    }

    #[test]
    fn unterminated_last_lines_differ_from_terminated_ones() {
        assert_eq!(cut("a\nb", "a\nb\n"), ("b".into(), "b\n".into(), 1));
        assert_eq!(cut("same", "same"), ("".into(), "".into(), 0));
        assert_eq!(cut("", "new\n"), ("".into(), "new\n".into(), 0));
    }

    #[test]
    fn long_texts_compare_across_chunks() {
        let body: String = (0..2000).map(|i| format!("line {i}\n")).collect();
        let old = format!("{body}old tail line\n{body}");
        let new = format!("{body}new tail line\n{body}");
        let (o, n, before) = cut(&old, &new);
        assert_eq!((o.as_str(), n.as_str(), before), ("old tail line\n", "new tail line\n", 2000));
    }
}
