//! The configuration parsers (keyfence's schema and the gitleaks mapping, with its RE2
//! translation) on arbitrary text: an error or a configuration, never a panic.
#![no_main]

use keyfence::config::files::ConfigFiles;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

/// A path whose folder does not exist: `[extend] path` reads fail instead of touching files.
const GITLEAKS_PATH: &str = "/nonexistent/keyfence-fuzz/.gitleaks.toml";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = keyfence::config::keyfence::load("fuzz.toml", text);
    let _ = keyfence::config::gitleaks::load(&ConfigFiles::work_tree(), Path::new(GITLEAKS_PATH), text, 0);
    let _ = keyfence::config::gitleaks::translate_re2(text);
});
