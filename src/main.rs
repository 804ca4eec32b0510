//! The `keyfence` binary: everything lives in the library; see `keyfence::cli::run`.

fn main() -> std::process::ExitCode {
    keyfence::cli::run()
}
