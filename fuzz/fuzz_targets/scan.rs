//! The matcher and the whole per-fragment pipeline (decoders, filters, findings) on arbitrary
//! bytes: no panic, and every match lies inside the input.
#![no_main]

use keyfence::matcher::Matcher;
use keyfence::rules::RuleSet;
use keyfence::scanner::Scanner;
use keyfence::sources::{Fragment, Provenance};
use libfuzzer_sys::fuzz_target;
use std::borrow::Cow;
use std::sync::OnceLock;

fn scanner() -> &'static (Matcher, Scanner) {
    static BOTH: OnceLock<(Matcher, Scanner)> = OnceLock::new();
    BOTH.get_or_init(|| {
        let rules = RuleSet::builtin().unwrap();
        (Matcher::new(&rules).unwrap(), Scanner::new(rules).unwrap())
    })
}

fuzz_target!(|data: &[u8]| {
    let (matcher, scanner) = scanner();
    for m in matcher.find(data) {
        assert!(m.secret.start >= m.whole.start && m.secret.end <= m.whole.end && m.whole.end <= data.len());
    }
    let fragment = Fragment {
        provenance: Provenance::File { path: "fuzz".into() },
        text: Cow::Borrowed(data),
        added_lines: None,
        lines_before: 0,
    };
    for finding in scanner.scan(&fragment) {
        assert!(finding.line >= 1);
    }
});
