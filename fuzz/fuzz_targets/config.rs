//! The configuration parsers (keyfence's schema and the gitleaks mapping, with its RE2
//! translation) on arbitrary text: an error or a configuration, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = keyfence::config::keyfence::load("fuzz.toml", text);
    // A path whose folder does not exist: `[extend] path` reads fail instead of touching files.
    let _ = keyfence::config::gitleaks::load(Path::new("/nonexistent/keyfence-fuzz/.gitleaks.toml"), text, 0);
    let _ = keyfence::config::gitleaks::translate_re2(text);
});
