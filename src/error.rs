//! An error with a known fix, printed as `error: …` then `hint: …`.

use std::fmt;

/// An error message and the hint that tells the user how to fix it.
///
/// Raise it with `Err(Hinted::new(..).into())` or `map_err`; `commands::run` finds it anywhere in an
/// `anyhow` chain and prints the hint on its own line.
#[derive(Debug, Clone)]
pub struct Hinted {
    /// What failed, one line.
    pub message: String,
    /// How to fix it, one line.
    pub hint: String,
}

impl Hinted {
    /// A new hinted error.
    pub fn new(message: impl Into<String>, hint: impl Into<String>) -> Hinted {
        Hinted { message: message.into(), hint: hint.into() }
    }
}

impl fmt::Display for Hinted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Hinted {}
