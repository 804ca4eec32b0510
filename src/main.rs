//! The `keyfence` binary: everything lives in the library; see `keyfence::commands::run`.

fn main() -> std::process::ExitCode {
    keyfence::commands::run()
}
