//! The labeled corpus (`tests/corpus/generate.py`): fake secrets of every kind in realistic
//! files, plus decoys that are not secrets. keyfence must find nearly all of them and report
//! nothing else. `tests/corpus/evaluate.py` scores it; the closing notes compare with gitleaks.

use crate::common::keyfence_path;
use std::collections::HashMap;
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
        assert_found_by_their_family(&ours["found_by"], seed);
        std::fs::remove_dir_all(&corpus).unwrap();
    }
}

/// Rule id → the corpus family of the `patterns/` file that defines it: the file's name, except
/// `aws.toml` (family `cloud`) and `github.toml` (family `code-hosting`).
fn rule_families() -> HashMap<String, String> {
    let mut families = HashMap::new();
    for (name, text) in keyfence::rules::embedded::EMBEDDED_PATTERNS {
        let family = match name.trim_end_matches(".toml") {
            "aws" => "cloud",
            "github" => "code-hosting",
            other => other,
        }
        .to_owned();
        let file: toml::Table = toml::from_str(text).unwrap();
        for rule in file.get("rule").and_then(|r| r.as_array()).into_iter().flatten() {
            families.insert(rule["id"].as_str().unwrap().to_owned(), family.clone());
        }
    }
    families
}

/// Each planted secret that was found is found by a rule of its own family or a generic one
/// (encoded secrets excepted: any rule may find what is inside), so a provider rule broken into
/// matching another family's tokens fails here; a deleted rule fails the rule id list
/// (`tests/rules.rs`).
fn assert_found_by_their_family(found_by: &serde_json::Value, seed: &str) {
    let families = rule_families();
    let mut wrong = Vec::new();
    for label in found_by.as_array().expect("evaluate.py lists found labels") {
        let family = label["family"].as_str().unwrap();
        if family == "encoded" {
            continue;
        }
        let rules: Vec<&str> =
            label["rules"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
        let of = |rule: &str| families.get(rule).map(String::as_str);
        // A generic rule may catch what a provider rule's context misses (a key in a Kubernetes
        // env list); a provider rule of another family may not take it.
        if !rules.iter().any(|r| of(r) == Some(family) || of(r) == Some("generic")) {
            wrong.push(format!(
                "{} ({family}) at {}:{} found by {rules:?}",
                label["kind"], label["path"], label["line"]
            ));
        }
    }
    assert!(wrong.is_empty(), "seed {seed}: found by a rule of another family:\n{}", wrong.join("\n"));
}
