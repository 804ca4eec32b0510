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
