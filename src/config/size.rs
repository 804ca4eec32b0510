//! The size limit for scanned files, as users write it: a whole number of MiB, from
//! `--max-file-size`, `KEYFENCE_MAX_FILE_SIZE` or `[scan] max_file_size`. One checker for all
//! three, so each error names the knob the value came from and says the allowed range.

/// Largest size limit accepted, in MiB (1 TiB). A file is read whole into memory to be scanned,
/// so a larger limit means nothing; it also keeps the limit in bytes far from `u64` overflow.
pub const MAX_MIB: u64 = 1024 * 1024;

/// The allowed range, as error messages state it.
fn range() -> String {
    format!("sizes are a whole number of MiB from 1 to {MAX_MIB} (e.g. 50), no unit or fraction")
}

/// Parses `value` as a size limit in MiB. `shown` is how the error names the value and the knob
/// it came from, as the user wrote them (`--max-file-size 5M`, `KEYFENCE_MAX_FILE_SIZE="0"`).
/// Errors are one line: not a whole number, zero, or too large, with the allowed range.
pub fn parse_mib(value: &str, shown: &str) -> Result<u64, String> {
    let text = value.trim();
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{shown} is not a size: {}", range()));
    }
    // All digits: the only parse failure left is overflow, which is "too large" too.
    check_mib(text.parse::<u64>().unwrap_or(u64::MAX), shown)
}

/// Checks a size limit in MiB already read as a number (`shown` as for [`parse_mib`]).
pub fn check_mib(size: u64, shown: &str) -> Result<u64, String> {
    if size == 0 {
        Err(format!("{shown} is too small: {}", range()))
    } else if size > MAX_MIB {
        Err(format!("{shown} is too large: {}", range()))
    } else {
        Ok(size)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_whole_mib_within_range() {
        assert_eq!(parse_mib(" 50 ", "x"), Ok(50));
        assert_eq!(parse_mib(&MAX_MIB.to_string(), "x"), Ok(MAX_MIB));
        let huge = parse_mib("99999999999999999999", "--max-file-size 99999999999999999999").unwrap_err();
        assert!(huge.starts_with("--max-file-size 99999999999999999999 is too large"), "{huge}");
        assert!(huge.contains("from 1 to 1048576"), "{huge}");
        assert!(parse_mib(&(MAX_MIB + 1).to_string(), "x").unwrap_err().contains("too large"));
        assert!(parse_mib("0", "x").unwrap_err().contains("too small"));
        for bad in ["-1", "5M", "1.5", ""] {
            assert!(parse_mib(bad, "x").unwrap_err().contains("is not a size"), "{bad}");
        }
    }
}
