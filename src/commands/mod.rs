//! One module per subcommand; each returns the exit status or an error for `cli::run` to print.

pub mod completions;
pub mod explain;
pub mod hook;
pub mod rules;
pub mod scan;
