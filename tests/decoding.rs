//! Encoded secrets: base64 (long runs anywhere, Kubernetes Secret `data:` values, Basic
//! credentials) and percent-encoding are decoded and scanned, nested up to two levels; findings
//! point at the encoded text and say it was decoded; plain text is unaffected.

use crate::common::{body, github_pat, run, Repo};

fn b64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |acc, (i, &b)| acc | (b as u32) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    while !out.len().is_multiple_of(4) {
        out.push('=');
    }
    out
}

fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

/// (rule, line, column, end_column, decoded, secret in clear) of a finding.
type Row = (String, u64, u64, u64, Option<String>, String);

/// Every finding of a scan of the repository, as [`Row`]s.
fn scan(repo: &Repo) -> (i32, Vec<Row>) {
    let (code, stdout, stderr) =
        run(repo.keyfence().args(["scan", ".", "--format", "json", "--show-secrets"]));
    assert!(code < 2, "{stderr}");
    let findings: Vec<serde_json::Value> = serde_json::from_str(&stdout).unwrap();
    let rows = findings
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["end_column"].as_u64().unwrap(),
                f["decoded"].as_str().map(str::to_owned),
                f["secret"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    (code, rows)
}

#[test]
fn a_base64_blob_is_decoded_and_the_finding_points_at_the_encoded_text() {
    let repo = Repo::new();
    let token = github_pat(1);
    let encoded = b64(format!("GITHUB_TOKEN={token}\n").as_bytes());
    repo.write("ci.yml", format!("env:\n  BLOB: {encoded}\n"));
    let (code, found) = scan(&repo);
    assert_eq!(code, 1);
    let column = "  BLOB: ".len() as u64 + 1;
    assert_eq!(
        found,
        [("github-pat".into(), 2, column, column + encoded.len() as u64 - 1, Some("base64".into()), token)]
    );
}

#[test]
fn kubernetes_secret_data_values_are_decoded_with_their_keys_as_context() {
    let repo = Repo::new();
    let password = format!("{}Q7", body(2, 14));
    repo.write(
        "k8s/secret.yaml",
        format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n  DB_PASSWORD: {}\n  DB_HOST: {}\n",
            b64(password.as_bytes()),
            b64(b"db.internal.acme.invalid")
        ),
    );
    let (_, found) = scan(&repo);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].0.as_str(), found[0].1, found[0].4.as_deref()),
        ("generic-password", 6, Some("base64"))
    );
    assert_eq!(found[0].5, password);
}

#[test]
fn basic_credentials_are_decoded() {
    let repo = Repo::new();
    let password = format!("{}X9", body(3, 14));
    let header = b64(format!("deploy:{password}").as_bytes());
    repo.write("deploy.sh", format!("curl -H 'Authorization: Basic {header}' https://api.acme.invalid\n"));
    let (_, found) = scan(&repo);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!((found[0].0.as_str(), found[0].4.as_deref()), ("http-basic-auth-header", Some("base64")));
    assert_eq!(found[0].5, password);
}

#[test]
fn percent_encoded_and_nested_encodings_are_decoded() {
    let repo = Repo::new();
    let (a, b) = (github_pat(4), github_pat(5));
    let nested = b64(format!("callback=https://x.invalid/?t={}", percent(&b)).as_bytes());
    repo.write("notes.md", format!("see https://x.invalid/login?t={}\n\nstate: {nested}\n", percent(&a)));
    let (_, found) = scan(&repo);
    let summary: Vec<(&str, u64, Option<&str>, &str)> =
        found.iter().map(|f| (f.0.as_str(), f.1, f.4.as_deref(), f.5.as_str())).collect();
    assert_eq!(
        summary,
        [
            ("github-pat", 1, Some("percent"), a.as_str()),
            ("github-pat", 3, Some("base64 > percent"), b.as_str())
        ]
    );
}

#[test]
fn a_secret_in_clear_is_not_reported_twice_and_markers_cover_encoded_text() {
    let repo = Repo::new();
    let token = github_pat(6);
    // The token itself is not encoded: the plain scan reports it once.
    repo.write("a.txt", format!("url https://x.invalid/?a=%20&t={token}\n"));
    repo.write(
        "b.txt",
        format!("blob {} # keyfence:allow\n", b64(format!("token={}", github_pat(7)).as_bytes())),
    );
    let (_, found) = scan(&repo);
    let summary: Vec<(&str, u64, Option<&str>)> =
        found.iter().map(|f| (f.0.as_str(), f.1, f.4.as_deref())).collect();
    assert_eq!(summary, [("github-pat", 1, None)]);
}

#[test]
fn images_hashes_and_placeholders_in_base64_are_quiet() {
    let repo = Repo::new();
    let png: Vec<u8> = (0..600u32).map(|i| (i * 7919 % 251) as u8).collect();
    repo.write(
        "page.html",
        format!(
            "<img src=\"data:image/png;base64,{}\">\n<p>{}</p>\nAuthorization: Basic {}\n",
            b64(&png),
            b64(b"just some ordinary words that are not secret"),
            b64(b"user:password")
        ),
    );
    repo.write("package-lock.json", "\"integrity\": \"sha512-9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a089f86d081884c7d659a2feaa0c55ad015==\"\n");
    let (code, found) = scan(&repo);
    assert_eq!((code, found.len()), (0, 0), "{found:?}");
}

#[test]
fn decoding_reports_the_right_lines_in_a_staged_change() {
    let repo = Repo::new();
    repo.write("a.yaml", "x: 1\n");
    repo.commit_all("init");
    repo.write("a.yaml", format!("x: 1\ny: {}\n", b64(format!("token={}", github_pat(8)).as_bytes())));
    repo.git(&["add", "a.yaml"]);
    let (code, stdout, _) = run(repo.keyfence().args(["scan", "--staged", "--format", "json"]));
    assert_eq!(code, 1);
    let found: Vec<serde_json::Value> = serde_json::from_str(&stdout).unwrap();
    assert_eq!((found[0]["line"].as_u64(), found[0]["decoded"].as_str()), (Some(2), Some("base64")));
}

#[test]
fn a_token_right_after_an_escape_is_found() {
    let repo = Repo::new();
    let token = github_pat(9);
    repo.write("a.txt", format!("https://x.invalid/cb?state=token%3D{token}%26x%3D1\n"));
    let (_, found) = scan(&repo);
    let summary: Vec<(&str, Option<&str>, &str)> =
        found.iter().map(|f| (f.0.as_str(), f.4.as_deref(), f.5.as_str())).collect();
    assert_eq!(summary, [("github-pat", Some("percent"), token.as_str())]);
}
