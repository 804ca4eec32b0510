//! Embeds every `patterns/*.toml` file in the binary.
//!
//! Writes `$OUT_DIR/embedded_patterns.rs`: a sorted table of (file name, contents) pairs built
//! with `include_str!`, so the rules ship inside the binary and a rule change rebuilds it.
//! `tests/rules.rs` checks that the table and the folder agree.
//!
//! Also writes `$OUT_DIR/embedded_patterns.json`, the same files converted to one JSON array
//! (in name order): parsing JSON at start-up takes a fraction of parsing the TOML, which matters
//! to a pre-commit hook. A TOML syntax error fails the build, naming the file.

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

    let out_dir = std::env::var("OUT_DIR").unwrap();
    std::fs::write(Path::new(&out_dir).join("embedded_patterns.rs"), table)
        .expect("write embedded_patterns.rs");

    let parsed: Vec<toml::Table> = files
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).expect("readable pattern file");
            toml::from_str(&text).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
        })
        .collect();
    let json = serde_json::to_string(&parsed).expect("pattern files convert to JSON");
    std::fs::write(Path::new(&out_dir).join("embedded_patterns.json"), json)
        .expect("write embedded_patterns.json");
}
