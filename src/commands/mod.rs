//! One module per subcommand; each returns the exit status or an error for `cli::run` to print.

pub mod rules;
pub mod scan;
