//! The keyword prefilter: every occurrence of every rule keyword in a text, ASCII case-insensitive,
//! in one pass over the text.
//!
//! The automaton is aho-corasick's DFA over the lowercased keywords; the search loop is ours. The
//! crate's overlapping iterator keeps its position in a state struct in memory and re-checks it
//! on every byte (about 19 instructions per byte on a directory scan, 60% of all instructions);
//! the loop below keeps the state in a register and does a lowercase lookup, a class lookup, a
//! transition and one comparison per byte. Lowercasing through a table in the loop also spares the
//! lowercased copy of each text that a case-sensitive automaton would otherwise need. Hits come
//! out exactly as the crate's overlapping search reports them: by end offset, then in the order
//! the automaton lists the patterns of a match state.
//!
//! Why lowercase keywords and a case-sensitive automaton rather than the crate's ASCII
//! case-insensitive mode: the automaton then has about half the byte classes, so its transition
//! table (one row per state, a column per class) is half as wide and stays in the CPU caches.

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::dfa::DFA;
use aho_corasick::{Anchored, MatchKind};
use anyhow::{Context, Result};

/// One keyword occurrence: byte offsets `start..end` into the searched text, and the keyword's
/// index in the list given to [`Keywords::new`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    /// Index of the keyword in [`Keywords::new`]'s list.
    pub pattern: usize,
    /// Byte offset of the keyword's first byte.
    pub start: usize,
    /// Byte offset just past the keyword's last byte.
    pub end: usize,
}

/// ASCII lowercase of every byte (other bytes unchanged): one load, independent of the DFA state.
const LOWERCASE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut byte = 0;
    while byte < 256 {
        table[byte] = (byte as u8).to_ascii_lowercase();
        byte += 1;
    }
    table
};

/// Texts at least this long (bytes) are searched as two walks in step (see
/// [`Keywords::find_two_streams`]); shorter ones are not worth the second walk's overlap.
const TWO_STREAMS_FROM: usize = 1024;

/// A compiled keyword set (see the module documentation).
#[derive(Debug)]
pub struct Keywords {
    dfa: DFA,
    start: StateID,
}

impl Keywords {
    /// Compiles `keywords` (lowercased here; matching ignores ASCII case). Errors if the
    /// automaton cannot be built (more states than its 32-bit ids can name).
    pub fn new(keywords: &[String]) -> Result<Keywords> {
        let lowered: Vec<String> = keywords.iter().map(|k| k.to_ascii_lowercase()).collect();
        // No prefilter: with one, start states are "special" and the loop would stop on every
        // byte spent in the start state; hundreds of keywords leave it nothing to skip anyway.
        let dfa = DFA::builder()
            .match_kind(MatchKind::Standard)
            .prefilter(false)
            .build(&lowered)
            .context("could not build the keyword prefilter")?;
        let start = dfa.start_state(Anchored::No).context("the keyword prefilter has no unanchored start")?;
        Ok(Keywords { dfa, start })
    }

    /// Appends every keyword occurrence in `text` to `hits`, overlapping ones included, in order
    /// of their end offset (several ending at one offset: in the automaton's order).
    pub fn find_all(&self, text: &[u8], hits: &mut Vec<Hit>) {
        if text.len() < TWO_STREAMS_FROM {
            self.find_one_stream(text, hits);
        } else {
            self.find_two_streams(text, hits);
        }
    }

    /// The automaton state after `byte`.
    #[inline(always)]
    fn next(&self, state: StateID, byte: u8) -> StateID {
        self.dfa.next_state(Anchored::No, state, LOWERCASE[usize::from(byte)])
    }

    /// [`Keywords::find_all`] in one walk over `text`.
    ///
    /// Not inlined: inlined into its caller the loop's state went to the stack and its cost per
    /// byte doubled.
    #[inline(never)]
    fn find_one_stream(&self, text: &[u8], hits: &mut Vec<Hit>) {
        let mut state = self.start;
        for (at, &byte) in text.iter().enumerate() {
            state = self.next(state, byte);
            // Without a prefilter, the only special states of a standard unanchored DFA are its
            // match states (and the dead state, which it never enters).
            if self.dfa.is_special(state) {
                self.push_matches(state, at + 1, hits);
            }
        }
    }

    /// [`Keywords::find_all`] as two walks in step, one over each half of `text`.
    ///
    /// One walk is bound by the latency of its transition loads (each needs the state the last
    /// one gave); two independent walks overlap their loads (four were slower: measured in
    /// BENCHMARKS.md). The second walk starts the length of the longest keyword before the
    /// middle, so it sees whole every keyword that ends past the middle; it reports only those,
    /// the first walk the others, so each hit comes once and the hits stay in end order.
    #[inline(never)]
    fn find_two_streams(&self, text: &[u8], hits: &mut Vec<Hit>) {
        let middle = text.len() / 2;
        let second_start = middle.saturating_sub(self.dfa.max_pattern_len().saturating_sub(1));
        let (first, second) = (&text[..middle], &text[second_start..]);
        // `second` is at least as long as `first`: it starts at or before the middle.
        let mut later = Vec::new();
        let (mut state1, mut state2) = (self.start, self.start);
        for (at, (&byte1, &byte2)) in first.iter().zip(second).enumerate() {
            state1 = self.next(state1, byte1);
            state2 = self.next(state2, byte2);
            if self.dfa.is_special(state1) {
                self.push_matches(state1, at + 1, hits);
            }
            if self.dfa.is_special(state2) && second_start + at >= middle {
                self.push_matches(state2, second_start + at + 1, &mut later);
            }
        }
        for (at, &byte) in second.iter().enumerate().skip(first.len()) {
            state2 = self.next(state2, byte);
            if self.dfa.is_special(state2) && second_start + at >= middle {
                self.push_matches(state2, second_start + at + 1, &mut later);
            }
        }
        hits.append(&mut later);
    }

    /// Appends the keywords that end at `end` in match state `state`.
    #[inline(never)]
    fn push_matches(&self, state: StateID, end: usize, hits: &mut Vec<Hit>) {
        let dfa = &self.dfa;
        if !dfa.is_match(state) {
            return;
        }
        for index in 0..dfa.match_len(state) {
            let pattern = dfa.match_pattern(state, index);
            hits.push(Hit { pattern: pattern.as_usize(), start: end - dfa.pattern_len(pattern), end });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aho_corasick::AhoCorasick;

    /// The hits of the crate's own overlapping search, case-insensitive, for comparison.
    fn reference(keywords: &[&str], text: &[u8]) -> Vec<Hit> {
        let ac = AhoCorasick::builder().ascii_case_insensitive(true).build(keywords).unwrap();
        ac.find_overlapping_iter(text)
            .map(|m| Hit { pattern: m.pattern().as_usize(), start: m.start(), end: m.end() })
            .collect()
    }

    fn ours(keywords: &[&str], text: &[u8]) -> Vec<Hit> {
        let owned: Vec<String> = keywords.iter().map(|k| (*k).to_owned()).collect();
        let mut hits = Vec::new();
        Keywords::new(&owned).unwrap().find_all(text, &mut hits);
        hits
    }

    #[test]
    fn hits_are_those_of_the_crates_overlapping_search() {
        let keywords = ["token", "api_token", "key", "api_key", "secret", "client_secret", "ak1.", "k"];
        let text = b"API_TOKEN=x; Client_Secret: y\napi_key ak1.z Key TOKEN tok en\xff\x00kEy";
        let hits = ours(&keywords, text);
        assert_eq!(hits, reference(&keywords, text));
        assert!(hits.len() > 10, "{hits:?}");
    }

    #[test]
    fn long_texts_walked_in_two_halves_report_each_hit_once_in_order() {
        let keywords = ["token", "api_token", "secret", "client_secret", "a", "aa"];
        for len in [TWO_STREAMS_FROM - 1, TWO_STREAMS_FROM, TWO_STREAMS_FROM + 1, 5000, 5001] {
            // A keyword at every offset around the middle, where the second walk's reports begin
            // (ending just before it, at it, just after it, and across it).
            for shift in 0..30 {
                let mut text: Vec<u8> = (0..len).map(|i| b"xyz_-"[i % 5]).collect();
                for at in (shift..len.saturating_sub(16)).step_by(97) {
                    text[at..at + 16].copy_from_slice(b"API_TOKEN secret");
                }
                let at = len / 2 - 16 + shift;
                text[at..at + 15].copy_from_slice(b"client_secretaa");
                assert_eq!(ours(&keywords, &text), reference(&keywords, &text), "len {len} shift {shift}");
            }
        }
    }

    #[test]
    fn case_and_non_ascii_bytes() {
        let keywords = ["password", "pwd"];
        assert_eq!(
            ours(&keywords, b"PassWord p\xc3\xa4ssword PWD"),
            reference(&keywords, b"PassWord p\xc3\xa4ssword PWD")
        );
        assert_eq!(ours(&keywords, b"PassWord").len(), 1);
        assert!(ours(&keywords, b"").is_empty());
    }
}
