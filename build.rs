//! Embeds every `patterns/*.toml` file in the binary.
//!
//! Writes `$OUT_DIR/embedded_patterns.rs`: a sorted table of (file name, contents) pairs built
//! with `include_str!`, so the rules ship inside the binary and a rule change rebuilds it.
//! `tests/rules.rs` checks that the table and the folder agree.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let patterns = Path::new(&manifest_dir).join("patterns");
    println!("cargo:rerun-if-changed={}", patterns.display());

    let mut files: Vec<_> = std::fs::read_dir(&patterns)
        .expect("patterns/ exists")
        .map(|entry| entry.expect("readable patterns/ entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    files.sort();

    let mut table =
        String::from("/// (file name, TOML text) of every file in `patterns/`, sorted by name.\n");
    table.push_str("pub static EMBEDDED_PATTERNS: &[(&str, &str)] = &[\n");
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let name = path.file_name().unwrap().to_string_lossy();
        writeln!(table, "    ({name:?}, include_str!({:?})),", path.display().to_string()).unwrap();
    }
    table.push_str("];\n");

    let out = Path::new(&std::env::var("OUT_DIR").unwrap()).join("embedded_patterns.rs");
    std::fs::write(out, table).expect("write embedded_patterns.rs");
}
