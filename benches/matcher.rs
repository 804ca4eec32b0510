//! Matcher throughput on fixed inputs, so a regression shows up in a diff of `cargo bench`
//! output. Inputs are generated deterministically here (fake secrets only).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use keyfence::rules::RuleSet;
use keyfence::scanner::Scanner;
use keyfence::sources::{Fragment, Provenance};
use std::borrow::Cow;

/// Deterministic pseudo-random words (no secrets).
fn code(bytes: usize, seed: u64) -> String {
    const WORDS: &[&str] =
        &["def", "class", "return", "import", "value", "config", "data", "user", "item", "self"];
    let mut state = seed;
    let mut out = String::with_capacity(bytes + 64);
    while out.len() < bytes {
        for _ in 0..8 {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            out.push_str(WORDS[(state >> 33) as usize % WORDS.len()]);
            out.push(' ');
        }
        out.push('\n');
    }
    out
}

/// Code where every tenth line is a keyword-bearing assignment, some holding fake keys.
fn dense(bytes: usize) -> String {
    let mut out = String::new();
    for (i, line) in code(bytes, 2).lines().enumerate() {
        out.push_str(line);
        out.push('\n');
        if i % 10 == 0 {
            let body: String =
                format!("{:025}", i as u64 * 7919).chars().map(|c| (b'a' + c as u8 - b'0') as char).collect();
            out.push_str(&format!("api_token = '{}{}'\n", "ak1.", &body[..23]));
            out.push_str("password = get_password()\n");
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let scanner = Scanner::new(RuleSet::builtin().unwrap()).unwrap();
    let inputs = [("plain-code", code(4 << 20, 1)), ("keyword-dense", dense(4 << 20))];
    let mut group = c.benchmark_group("scan");
    for (name, text) in &inputs {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(name), text, |b, text| {
            b.iter(|| {
                let fragment = Fragment {
                    provenance: Provenance::File { path: "bench".into() },
                    text: Cow::Borrowed(text.as_bytes()),
                    added_lines: None,
                    lines_before: 0,
                };
                scanner.scan(&fragment)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
