//! The keyword prefilter: every occurrence of every rule keyword in a text, ASCII case-insensitive,
//! in one pass over the text.
//!
//! aho-corasick builds the automaton (an NFA over the lowercased keywords); keyfence turns it into
//! its own DFA transition table and runs its own search loop. Three reasons, each measured on a 132 MB
//! directory scan, where this loop is most of the work:
//! - The crate's overlapping iterator keeps its position in a state struct in memory and
//!   re-checks it on every byte (about 19 instructions per byte, 60% of the scan's instructions).
//!   Our loop keeps the state in a register: a class lookup, a transition and one comparison.
//! - Our byte classes fold ASCII case (`A` and `a` share a class), so the loop matches keywords
//!   case-insensitively with the table of a case-sensitive automaton: about half the columns of
//!   an ASCII case-insensitive automaton's table (which stays in the CPU caches better), and no
//!   lowercased copy of each text.
//! - A long text is walked as two halves in step (see [`Keywords::find_two_streams`]).
//!
//! Hits come out exactly as the crate's overlapping search reports them: by end offset, then in
//! the order the automaton lists the patterns of a match state (tests compare the two).

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::nfa::noncontiguous::NFA;
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

/// Texts at least this long (bytes) are searched as two walks in step (see
/// [`Keywords::find_two_streams`]); shorter ones are not worth the second walk's overlap.
const TWO_STREAMS_FROM: usize = 1024;

/// A compiled keyword set (see the module documentation).
///
/// States are numbered premultiplied (a state's number is the index of its row in `transitions`),
/// match states first, so "is this a match state" is one comparison with `match_limit`.
#[derive(Debug)]
pub struct Keywords {
    /// Per byte: its column in `transitions` (the byte lowercased: one column per byte some
    /// keyword holds, column 0 for every other byte).
    classes: [u8; 256],
    /// `transitions[state + class]`: the next state.
    transitions: Vec<u32>,
    /// Where the search starts.
    start: u32,
    /// States below this are match states.
    match_limit: u32,
    /// Columns per state (the number of classes).
    stride: u32,
    /// Match state `state / stride`'s keywords are `matches[match_starts[i]..match_starts[i + 1]]`.
    match_starts: Vec<u32>,
    /// (keyword index, keyword length in bytes), match state by match state.
    matches: Vec<(u32, u32)>,
    /// The longest keyword, in bytes.
    longest: usize,
}

/// The byte classes of `keywords` (already lowercase) with one representative byte per class:
/// every byte some keyword holds has its own class, all others share class 0 (in an
/// Aho-Corasick automaton they all lead every state back to the start). Upper-case ASCII letters
/// take their lower-case letter's class.
fn byte_classes(keywords: &[String]) -> ([u8; 256], Vec<u8>) {
    let mut used = [false; 256];
    for byte in keywords.iter().flat_map(|k| k.bytes()) {
        used[usize::from(byte)] = true;
    }
    // An upper-case letter is in no lowercased keyword: it can stand for "any other byte".
    let mut representatives = vec![b'A'];
    let mut class_of = [0u8; 256];
    for byte in 0..=255u8 {
        if used[usize::from(byte)] {
            class_of[usize::from(byte)] =
                u8::try_from(representatives.len()).expect("at most 231 bytes can be in lowercase keywords");
            representatives.push(byte);
        }
    }
    let classes = std::array::from_fn(|byte| class_of[usize::from((byte as u8).to_ascii_lowercase())]);
    (classes, representatives)
}

impl Keywords {
    /// Compiles `keywords` (lowercased here; matching ignores ASCII case). Errors if the
    /// automaton cannot be built or its table would need more than 32-bit state numbers.
    pub fn new(keywords: &[String]) -> Result<Keywords> {
        let lowered: Vec<String> = keywords.iter().map(|k| k.to_ascii_lowercase()).collect();
        // The crate's NFA, not its DFA: our table is built from the NFA's transitions (the DFA
        // would only be an intermediate copy, built and paged in at every start-up). No
        // prefilter: it is not used, and building one costs start-up time.
        let nfa = NFA::builder()
            .match_kind(MatchKind::Standard)
            .prefilter(false)
            .build(&lowered)
            .context("could not build the keyword prefilter")?;
        let (classes, representatives) = byte_classes(&lowered);
        Keywords::from_automaton(&nfa, classes, &representatives)
    }

    /// Copies the states of `automaton` reachable from its unanchored start into our table,
    /// match states first. Its `next_state` must be total (an NFA's follows failure transitions).
    fn from_automaton(
        automaton: &impl Automaton,
        classes: [u8; 256],
        representatives: &[u8],
    ) -> Result<Keywords> {
        let stride = representatives.len();
        let start =
            automaton.start_state(Anchored::No).context("the keyword prefilter has no unanchored start")?;
        let too_big = || anyhow::anyhow!("the keyword prefilter has too many states");
        // Breadth first from the start: `states` lists every state reached. The crate's state ids
        // are indices or offsets into its tables, which are smaller than its memory use in u32s:
        // `number[id]` is 0 until the state with that id is reached (then 1), and our number
        // for it once renumbered. (Each table stays as small as it can: at start-up every
        // page touched is a page fault, and a hook's scan of one file pays for all of them.)
        let mut number = vec![0u32; automaton.memory_usage() / 4 + 1];
        let mut states: Vec<StateID> = vec![start];
        number[start.as_usize()] = 1;
        let mut at = 0;
        while at < states.len() {
            for &byte in representatives {
                let to = automaton.next_state(Anchored::No, states[at], byte);
                if number[to.as_usize()] == 0 {
                    number[to.as_usize()] = 1;
                    states.push(to);
                }
            }
            at += 1;
        }
        // Renumber: match states first, then the others, each in breadth-first order.
        let (mut order, others): (Vec<StateID>, Vec<StateID>) =
            states.into_iter().partition(|&s| automaton.is_match(s));
        let match_count = order.len();
        order.extend(others);
        u32::try_from(order.len() * stride).map_err(|_| too_big())?;
        for (new, state) in order.iter().enumerate() {
            number[state.as_usize()] = (new * stride) as u32;
        }
        let mut transitions = Vec::with_capacity(order.len() * stride);
        for &state in &order {
            for &byte in representatives {
                transitions.push(number[automaton.next_state(Anchored::No, state, byte).as_usize()]);
            }
        }
        let mut match_starts = vec![0u32];
        let mut matches = Vec::new();
        for &state in &order[..match_count] {
            for i in 0..automaton.match_len(state) {
                let pattern = automaton.match_pattern(state, i);
                matches.push((pattern.as_u32(), automaton.pattern_len(pattern) as u32));
            }
            match_starts.push(matches.len() as u32);
        }
        Ok(Keywords {
            classes,
            transitions,
            start: number[start.as_usize()],
            match_limit: (match_count * stride) as u32,
            stride: stride as u32,
            match_starts,
            matches,
            longest: automaton.max_pattern_len(),
        })
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

    /// The state after `byte`.
    #[inline(always)]
    fn next(&self, state: u32, byte: u8) -> u32 {
        self.transitions[state as usize + usize::from(self.classes[usize::from(byte)])]
    }

    /// [`Keywords::find_all`] in one walk over `text`.
    ///
    /// The loop only walks; it stops at a match state for [`Keywords::push_matches`] and goes on
    /// (a call inside the loop left too few registers: its state went to the stack).
    #[inline(never)]
    fn find_one_stream(&self, text: &[u8], hits: &mut Vec<Hit>) {
        let mut state = self.start;
        let mut at = 0;
        while at < text.len() {
            while at < text.len() {
                state = self.next(state, text[at]);
                if state < self.match_limit {
                    break;
                }
                at += 1;
            }
            if at < text.len() {
                self.push_matches(state, at + 1, hits);
                at += 1;
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
        let second_start = middle.saturating_sub(self.longest.saturating_sub(1));
        let (first, second) = (&text[..middle], &text[second_start..]);
        // `second` is at least as long as `first`: it starts at or before the middle.
        let second_head = &second[..first.len()];
        let mut later = Vec::new();
        let (mut state1, mut state2) = (self.start, self.start);
        let mut at = 0;
        while at < first.len() {
            at = self.walk_two(first, second_head, at, (&mut state1, &mut state2));
            if at == first.len() {
                break;
            }
            if state1 < self.match_limit {
                self.push_matches(state1, at + 1, hits);
            }
            if state2 < self.match_limit && second_start + at >= middle {
                self.push_matches(state2, second_start + at + 1, &mut later);
            }
            at += 1;
        }
        for (at, &byte) in second.iter().enumerate().skip(first.len()) {
            state2 = self.next(state2, byte);
            if state2 < self.match_limit && second_start + at >= middle {
                self.push_matches(state2, second_start + at + 1, &mut later);
            }
        }
        hits.append(&mut later);
    }

    /// Walks `first` and `second` (of one length) in step from offset `at` until either walk is
    /// in a match state; returns that offset (or the length) with both states updated.
    ///
    /// A function of its own, with the table in locals, so that the loop gets every register
    /// (inlined into its caller, its states and pointers went to the stack).
    #[inline(never)]
    fn walk_two(&self, first: &[u8], second: &[u8], mut at: usize, states: (&mut u32, &mut u32)) -> usize {
        let (classes, transitions, limit) = (&self.classes, &self.transitions[..], self.match_limit as usize);
        let (mut state1, mut state2) = (*states.0 as usize, *states.1 as usize);
        let second = &second[..first.len()];
        while at < first.len() {
            state1 = transitions[state1 + usize::from(classes[usize::from(first[at])])] as usize;
            state2 = transitions[state2 + usize::from(classes[usize::from(second[at])])] as usize;
            if (state1 < limit) | (state2 < limit) {
                break;
            }
            at += 1;
        }
        (*states.0, *states.1) = (state1 as u32, state2 as u32);
        at
    }

    /// Appends the keywords that end at `end` in match state `state`.
    #[inline(never)]
    fn push_matches(&self, state: u32, end: usize, hits: &mut Vec<Hit>) {
        let row = (state / self.stride) as usize;
        let range = self.match_starts[row] as usize..self.match_starts[row + 1] as usize;
        for &(pattern, len) in &self.matches[range] {
            hits.push(Hit { pattern: pattern as usize, start: end - len as usize, end });
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
