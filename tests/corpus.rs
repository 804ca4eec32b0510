//! The labeled corpus (`tests/corpus/generate.py`): fake secrets of every kind in realistic
//! files, plus decoys that are not secrets. keyfence must find nearly all of them and report
//! nothing else. `tests/corpus/evaluate.py` scores it; the closing notes compare with gitleaks.

use crate::common::keyfence_path;
use std::path::Path;
use std::process::Command;

fn python(args: &[&str], cwd: &Path) -> std::process::Output {
    let output = Command::new("python3").args(args).current_dir(cwd).output().expect("python3 is installed");
    assert!(output.status.success(), "python3 {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    output
}

#[test]
fn the_labeled_corpus_is_found_with_no_false_positives() {
    let scripts = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    let scores = dir.path().join("scores.json");
    for seed in ["1", "2"] {
        python(
            &["generate.py", "--out", corpus.to_str().unwrap(), "--seed", seed, "--per-kind", "2"],
            &scripts,
        );
        python(
            &[
                "evaluate.py",
                "--corpus",
                corpus.to_str().unwrap(),
                "--keyfence",
                keyfence_path().to_str().unwrap(),
                "--json",
                scores.to_str().unwrap(),
            ],
            &scripts,
        );
        let scores: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&scores).unwrap()).unwrap();
        let ours = &scores["scanners"]["keyfence"];
        assert_eq!(ours["total"]["false_positives"], 0, "seed {seed}: {:#}", ours["false_positives"]);
        let recall = ours["total"]["recall"].as_f64().unwrap();
        assert!(recall >= 0.95, "seed {seed}: recall {recall}; missed {:#}", ours["missed"]);
        for (family, row) in ours["families"].as_object().unwrap() {
            if let Some(recall) = row["recall"].as_f64() {
                assert!(
                    recall >= 0.75,
                    "seed {seed}: family {family} recall {recall}; missed {:#}",
                    ours["missed"]
                );
            }
        }
        std::fs::remove_dir_all(&corpus).unwrap();
    }
}
