//! What every match of a rule's regex must contain, read off the parsed pattern, so the matcher
//! can skip a window that cannot match without compiling or running the regex.
//!
//! Most windows a rule's keyword wakes hold no match (on a cargo registry, 99.9% of them), and a
//! lazy DFA pays for each: a few instructions per byte once warm, far more while it builds its
//! states, and a regex compilation the first time. The conditions here cost one `memchr` or
//! `memmem` pass each (a byte loop for a run), and each is implied by the pattern's structure:
//! - a byte set: every match holds one byte of it (a required `@`, the `=`/`:` of an assignment,
//!   a required quote), found with `memchr`/`memchr2`/`memchr3`;
//! - a literal: every match holds these bytes in a row (`://`, `password`), found with `memmem`;
//! - a run: every match holds this many consecutive bytes of a class (`[A-Za-z0-9]{20,}`).
//!
//! The derivation is conservative: a construct it does not understand (a look-around, an
//! optional part, a class with non-ASCII characters) adds no condition, so a condition can only
//! be missing, never wrong.

use regex_syntax::hir::{Class, Hir, HirKind};

/// Conditions every match of one regex satisfies (see the module doc). An empty set of
/// conditions holds in every text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Necessary {
    /// Byte sets of one to three bytes: every match holds a byte of each.
    sets: Vec<Vec<u8>>,
    /// Byte strings every match holds (at least two bytes long).
    literals: Vec<Vec<u8>>,
    /// The longest run of one class every match holds: the class (a table by byte) and length.
    run: Option<Run>,
}

/// At least `length` consecutive bytes of `class`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Run {
    class: [bool; 256],
    length: usize,
}

/// Sets checked per window at most (each is one `memchr` pass).
const MAX_SETS: usize = 3;
/// Literals checked per window at most (each is one `memmem` pass).
const MAX_LITERALS: usize = 2;
/// Shorter runs reject too few windows to pay for their byte loop.
const MIN_RUN: usize = 8;

impl Necessary {
    /// The conditions of `pattern` read the way [`crate::matcher::compile_rule_regex`] compiles
    /// it: a bytes regex, Unicode off unless the pattern needs it. (That function also falls back
    /// to Unicode when the ASCII regex exceeds its size limit; the Unicode one is larger, so it
    /// fails too and the rule is rejected.) A pattern that does not parse has no condition.
    pub fn of(pattern: &str) -> Necessary {
        let parse = |unicode: bool| {
            regex_syntax::ParserBuilder::new().unicode(unicode).utf8(false).build().parse(pattern).ok()
        };
        let Some(hir) = parse(false).or_else(|| parse(true)) else {
            return Necessary::default();
        };
        let mut found = required(&hir);
        // A set with a letter or digit is almost always on a keyword's line (the keyword has
        // them): only punctuation sets are worth a pass.
        found.sets.retain(|set| !set.iter().any(u8::is_ascii_alphanumeric));
        found.sets.sort();
        found.sets.dedup();
        found.sets.sort_by_key(Vec::len);
        found.sets.truncate(MAX_SETS);
        found.literals.sort();
        found.literals.dedup();
        found.literals.sort_by_key(|literal| std::cmp::Reverse(literal.len()));
        found.literals.truncate(MAX_LITERALS);
        found.run = found.run.filter(|run| run.length >= MIN_RUN);
        found
    }

    /// True if `text` satisfies every condition (a match may be in it); false if no match can be.
    pub fn holds_in(&self, text: &[u8]) -> bool {
        let set_found = |set: &Vec<u8>| match set[..] {
            [a] => memchr::memchr(a, text).is_some(),
            [a, b] => memchr::memchr2(a, b, text).is_some(),
            [a, b, c] => memchr::memchr3(a, b, c, text).is_some(),
            _ => true,
        };
        self.sets.iter().all(set_found)
            && self.literals.iter().all(|literal| memchr::memmem::find(text, literal).is_some())
            && self.run.as_ref().is_none_or(|run| run.found_in(text))
    }

    /// True if there is no condition (every text passes).
    pub fn is_empty(&self) -> bool {
        self.sets.is_empty() && self.literals.is_empty() && self.run.is_none()
    }
}

impl Run {
    /// True if `text` holds `length` consecutive bytes of the class. Each candidate run is read
    /// from its last byte backwards: a byte outside the class at `p` rules out every run through
    /// `p`, so the next candidate starts at `p + 1` (on code, most candidates fail on their last
    /// byte or close to it, and most bytes are never read).
    fn found_in(&self, text: &[u8]) -> bool {
        let mut start = 0;
        while start + self.length <= text.len() {
            let candidate = &text[start..start + self.length];
            match candidate.iter().rposition(|&b| !self.class[usize::from(b)]) {
                None => return true,
                Some(outside) => start += outside + 1,
            }
        }
        false
    }
}

/// The conditions of `hir` before filtering (see [`Necessary::of`]).
fn required(hir: &Hir) -> Necessary {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Necessary::default(),
        HirKind::Literal(literal) => {
            let bytes = &literal.0;
            Necessary {
                sets: bytes.iter().map(|&b| vec![b]).collect(),
                literals: if bytes.len() >= 2 { vec![bytes.to_vec()] } else { Vec::new() },
                run: None,
            }
        }
        HirKind::Class(class) => {
            // Most classes are large (`[A-Za-z0-9]`, `[^"']`): counting first skips their table.
            let sets = match (class_size(class) <= 3).then(|| class_bytes(class)).flatten() {
                Some(table) => vec![members(&table)],
                None => Vec::new(),
            };
            Necessary { sets, ..Necessary::default() }
        }
        // A part that may occur zero times requires nothing; one that occurs at least once
        // requires what it requires, and a class repeated `min` times is a run that long.
        HirKind::Repetition(repetition) if repetition.min == 0 => Necessary::default(),
        HirKind::Repetition(repetition) => {
            let mut found = required(&repetition.sub);
            if let HirKind::Class(class) = repetition.sub.kind() {
                if let Some(class) = class_bytes(class) {
                    let length = usize::try_from(repetition.min).unwrap_or(usize::MAX);
                    found.run = Some(Run { class, length });
                }
            }
            found
        }
        HirKind::Capture(capture) => required(&capture.sub),
        // Every part of a sequence occurs: all their conditions hold (the longest run is kept).
        HirKind::Concat(parts) => {
            let mut found = Necessary::default();
            for part in parts.iter().map(required) {
                found.sets.extend(part.sets);
                found.literals.extend(part.literals);
                if part.run.as_ref().map(|r| r.length) > found.run.as_ref().map(|r| r.length) {
                    found.run = part.run;
                }
            }
            found
        }
        HirKind::Alternation(branches) => alternation(branches),
    }
}

/// One of the branches occurs: a set made of one set of each branch holds, if small enough, and
/// a run of the union of the branches' run classes as long as the shortest of them.
fn alternation(branches: &[Hir]) -> Necessary {
    let found: Vec<Necessary> = branches.iter().map(required).collect();
    let mut union: Vec<u8> = Vec::new();
    for branch in &found {
        // The smallest punctuation set of the branch, else its smallest set.
        let pick = |punctuation: bool| {
            branch
                .sets
                .iter()
                .filter(|set| !punctuation || !set.iter().any(u8::is_ascii_alphanumeric))
                .min_by_key(|set| set.len())
        };
        match pick(true).or_else(|| pick(false)) {
            Some(set) => union.extend(set),
            None => {
                union.clear();
                break;
            }
        }
        union.sort_unstable();
        union.dedup();
    }
    let sets = if !union.is_empty() && union.len() <= 3 { vec![union] } else { Vec::new() };
    let run = found.iter().map(|branch| branch.run.clone()).collect::<Option<Vec<Run>>>().and_then(|runs| {
        runs.into_iter().reduce(|a, b| {
            let mut class = a.class;
            for (slot, other) in class.iter_mut().zip(b.class) {
                *slot |= other;
            }
            Run { class, length: a.length.min(b.length) }
        })
    });
    Necessary { sets, literals: Vec::new(), run }
}

/// The bytes a one-character class can match, by byte; `None` for a class with a non-ASCII
/// character (its UTF-8 bytes are not single bytes of the text).
fn class_bytes(class: &Class) -> Option<[bool; 256]> {
    let mut table = [false; 256];
    match class {
        Class::Bytes(bytes) => {
            for range in bytes.iter() {
                for b in range.start()..=range.end() {
                    table[usize::from(b)] = true;
                }
            }
        }
        Class::Unicode(chars) => {
            for range in chars.iter() {
                if !range.end().is_ascii() {
                    return None;
                }
                for c in range.start()..=range.end() {
                    table[c as usize] = true;
                }
            }
        }
    }
    Some(table)
}

/// How many characters (bytes, for a byte class) `class` matches.
fn class_size(class: &Class) -> usize {
    match class {
        Class::Bytes(bytes) => bytes.iter().map(|r| usize::from(r.end() - r.start()) + 1).sum(),
        Class::Unicode(chars) => {
            chars.iter().map(|r| (u32::from(r.end()) - u32::from(r.start())) as usize + 1).sum()
        }
    }
}

/// The bytes marked in `table`, in order.
fn members(table: &[bool; 256]) -> Vec<u8> {
    (0..=255u8).filter(|&b| table[usize::from(b)]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn necessary(pattern: &str) -> Necessary {
        Necessary::of(pattern)
    }

    #[test]
    fn a_required_at_sign_rejects_a_url_without_one_and_passes_a_url_with_a_password() {
        let rule = necessary(
            r"(?i)(?:^|[^a-z0-9])(?:https?|ftps?)://[a-z0-9._\-]{0,128}:(?P<secret>[^\s:/@]{1,256})@[a-z0-9]",
        );
        assert_eq!(rule.sets, vec![b"/".to_vec(), b":".to_vec(), b"@".to_vec()]);
        assert!(!rule.holds_in(b"see https://example.invalid/docs for more"));
        let with_password = b"url = https://user:hunter22@db.example.invalid/x"; // keyfence:allow
        assert!(rule.holds_in(with_password));
    }

    #[test]
    fn an_assignment_operator_alternation_becomes_one_set() {
        let rule = necessary(r#"name\s*(?:=|:=|:|=>)\s*["'`](?P<secret>[^"'`]{0,100})["'`]"#);
        assert!(rule.sets.contains(&b":=".to_vec()), "{rule:?}");
        assert!(rule.sets.contains(&b"\"'`".to_vec()), "{rule:?}");
        assert!(!rule.holds_in(b"/// Returns the name of the user"));
        assert!(!rule.holds_in(b"let name = other.name();"), "no quote");
        assert!(rule.holds_in(b"name => 'Qx7vR2mK9&pL4'"));
    }

    #[test]
    fn a_counted_class_is_a_run_and_an_alternation_of_runs_keeps_the_shortest() {
        let rule = necessary(r"token\s*=\s*(?P<secret>[A-Za-z0-9]{20,500})");
        assert_eq!(rule.run.as_ref().map(|r| r.length), Some(20));
        assert!(!rule.holds_in(b"token = get(self.a_b)"));
        assert!(rule.holds_in(format!("token = {}", "aB3".repeat(7)).as_bytes()));
        let either = necessary(r"key=(?:[0-9a-f]{40}|[0-9a-f]{32})");
        assert_eq!(either.run.as_ref().map(|r| r.length), Some(32));
        assert!(either.holds_in(format!("key={}", "0a1b2c3d".repeat(4)).as_bytes()));
        assert!(!either.holds_in(format!("key={}", "0a1b2c3d".repeat(3)).as_bytes()));
    }

    #[test]
    fn a_run_is_found_wherever_it_sits_and_one_byte_short_is_not() {
        let rule = necessary(r"=(?P<secret>[a-z]{8,})");
        for text in ["=abcdefgh", "x y=abcdefgh", "ab cd=abcdefgh!", "abcdefg =abcdefghij z"] {
            assert!(rule.holds_in(text.as_bytes()), "{text}");
        }
        for text in ["=abcdefg", "abcdefg=abcdefg", "=abc1defgh", "=", ""] {
            assert!(!rule.holds_in(text.as_bytes()), "{text}");
        }
    }

    #[test]
    fn literals_are_required_but_optional_parts_and_letters_are_not() {
        let rule = necessary(r"machine\s+\S+\s+login\s+\S+\s+password\s+(?P<secret>\S{6,256})(?:#x)?");
        assert_eq!(rule.literals, vec![b"password".to_vec(), b"machine".to_vec()]);
        assert!(rule.sets.is_empty(), "letters and the optional `#` are not sets: {rule:?}");
        assert!(!rule.holds_in(b"machine learning login page"));
        let entry = b"machine h.invalid login bob password Qx7vR2mK9"; // keyfence:allow
        assert!(rule.holds_in(entry));
    }

    #[test]
    fn every_builtin_rule_example_holds_its_rules_conditions() {
        let rules = crate::rules::RuleSet::builtin().unwrap();
        let mut with_conditions = 0;
        for rule in &rules.rules {
            let found = Necessary::of(&rule.regex);
            with_conditions += usize::from(!found.is_empty());
            for example in &rule.examples {
                assert!(
                    found.holds_in(example.text.as_bytes()),
                    "{}: {:?} blocks {:?}",
                    rule.id,
                    found,
                    example.text
                );
            }
        }
        assert!(with_conditions > rules.rules.len() / 2, "only {with_conditions} rules have a condition");
    }

    #[test]
    fn a_construct_it_cannot_read_adds_no_condition() {
        assert!(necessary(r"(?:a|\w+)").is_empty());
        assert!(necessary(r"(?:@|)x").is_empty(), "a branch may be empty");
        assert!(necessary(r"\p{L}{20}").is_empty(), "non-ASCII class");
        assert!(necessary(r"(unclosed").is_empty());
        assert!(necessary(r"(unclosed").holds_in(b""));
    }
}
