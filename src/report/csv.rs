//! CSV: a header row, then one row per finding, quoted per RFC 4180 by the `csv` crate. The
//! columns follow gitleaks' CSV report where they mean the same thing, so spreadsheets and
//! scripts built for it need few changes; lists (`exposure`, `shared_with`) are joined by `;`.

use super::ReportOptions;
use crate::finding::Finding;
use std::io::{self, Write};

/// The header row, in column order.
const COLUMNS: [&str; 19] = [
    "rule_id",
    "file",
    "line",
    "column",
    "end_line",
    "end_column",
    "commit",
    "author",
    "email",
    "date",
    "message",
    "fingerprint",
    "secret",
    "line_text",
    "entropy",
    "severity",
    "faq_id",
    "exposure",
    "shared_with",
];

/// Writes `findings` as CSV with a header row (the header alone when there are none).
pub fn write(findings: &[Finding], options: ReportOptions, out: &mut dyn Write) -> io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(COLUMNS)?;
    let line_texts = super::line_texts(findings, options.show_secrets);
    for (f, line_text) in findings.iter().zip(line_texts) {
        let exposure: Vec<&str> = f.exposure.iter().map(|e| e.as_str()).collect();
        let record = [
            f.rule_id.as_str(),
            &f.path,
            &f.line.to_string(),
            &f.column.to_string(),
            &f.end_line.to_string(),
            &f.end_column.to_string(),
            f.commit.as_deref().unwrap_or(""),
            f.author_name.as_deref().unwrap_or(""),
            f.author.as_deref().unwrap_or(""),
            f.date.as_deref().unwrap_or(""),
            f.commit_message.as_deref().unwrap_or(""),
            &f.fingerprint,
            f.shown_secret(options.show_secrets),
            line_text.as_deref().unwrap_or(""),
            &super::rounded_entropy(f).to_string(),
            f.severity.as_str(),
            &f.faq.id,
            &exposure.join(";"),
            &f.shared_with.join(";"),
        ];
        writer.write_record(record.iter().map(|field| safe_cell(field)))?;
    }
    writer.flush()
}

/// `field` as a spreadsheet may safely open it: control characters escaped (author names, commit
/// messages and paths come from the scanned repository), and a leading `=`, `+`, `-`, `@`, tab
/// or carriage return quoted with `'` so the cell is text, not a formula (OWASP's CSV injection
/// advice). Numbers (`-1` never occurs; lines and columns start at 1) are left alone.
fn safe_cell(field: &str) -> String {
    let escaped = crate::finding::escape_controls(field);
    let formula = escaped.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if formula && escaped.parse::<f64>().is_err() {
        format!("'{escaped}")
    } else {
        escaped
    }
}

#[cfg(test)]
mod tests {
    use super::safe_cell;

    #[test]
    fn cells_from_the_repository_cannot_be_formulas_or_escapes() {
        assert_eq!(safe_cell("=HYPERLINK(1).env"), "'=HYPERLINK(1).env");
        assert_eq!(safe_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(safe_cell("Ev\u{1b}[31mil"), "Ev\\u{1b}[31mil");
        assert_eq!(safe_cell("src/app.env"), "src/app.env");
        assert_eq!(safe_cell("4.25"), "4.25");
    }
}
