//! `keyfence scan -`: standard input, reported as path `-`.

use crate::common::{app_key, locations, run};

#[test]
fn reads_standard_input() {
    let dir = tempfile::tempdir().unwrap();
    let input = format!("hello\nST-App-Key: {}\n", app_key(60));
    let (code, stdout, _) =
        run(crate::common::keyfence(dir.path()).args(["scan", "-", "--format", "json"]).write_stdin(input));
    assert_eq!(code, 1);
    assert_eq!(locations(&stdout), [("-".to_owned(), 2, "servicetitan-app-key".to_owned())]);
}

#[test]
fn clean_standard_input_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, _) =
        run(crate::common::keyfence(dir.path()).args(["scan", "-"]).write_stdin("nothing here\n"));
    assert_eq!((code, stdout.as_str()), (0, ""));
}

#[test]
fn a_long_stream_is_read_in_chunks_without_losing_or_repeating_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let filler = "filler line of text that holds no secret at all\n";
    let lines_per_chunk = keyfence::sources::stdin::CHUNK / filler.len();
    let mut input = String::new();
    let mut expected = Vec::new();
    let mut line = 1;
    for part in 0..3 {
        // A key a few lines before each chunk boundary (inside the carried overlap) ...
        for _ in 0..lines_per_chunk - 40 - part {
            input.push_str(filler);
            line += 1;
        }
        input.push_str(&format!("KEY={}\n", app_key(700 + part as u64)));
        expected.push(line);
        line += 1;
        // ... and a private key block straddling the boundary.
        let block: Vec<String> = (0..60).map(|i| crate::common::body(800 + i, 64)).collect();
        input.push_str(&format!(
            "-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----\n",
            block.join("\n")
        ));
        expected.push(line);
        line += 62;
    }
    let (code, stdout, _) =
        run(crate::common::keyfence(dir.path()).args(["scan", "-", "--format", "json"]).write_stdin(input));
    assert_eq!(code, 1);
    let lines: Vec<u64> = locations(&stdout).iter().map(|l| l.1).collect();
    assert_eq!(lines, expected);
}
