//! Key sharing (issue 9, analyses 3–6): with whom a ServiceTitan credential is shared — every
//! browser, several tenants, anyone holding a complete credential set — and access tokens.

use crate::common::{app_key, client_id, client_secret, json_findings, run, Repo};
use serde_json::Value;

/// The findings of `keyfence scan ARGS --format json` with rule `rule`.
fn findings_of(repo: &Repo, args: &[&str], rule: &str) -> Vec<Value> {
    let (code, stdout, stderr) = run(repo.keyfence().args(args).args(["--format", "json"]));
    assert!(code <= 1, "{stderr}");
    if stdout.is_empty() {
        return Vec::new();
    }
    json_findings(&stdout).into_iter().filter(|f| f["rule_id"] == rule).collect()
}

fn strings(value: &Value) -> Vec<String> {
    value.as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect()
}

/// Asserts that `keyfence scan .` finds `count` secrets and no sharing verdict on any.
fn assert_unshared(repo: &Repo, count: usize) {
    let (code, stdout, _) = run(repo.keyfence().args(["scan", ".", "--format", "json"]));
    assert_eq!(code, 1);
    let findings = json_findings(&stdout);
    assert_eq!(findings.len(), count, "{stdout}");
    for finding in findings {
        assert_eq!(strings(&finding["exposure"]), Vec::<String>::new(), "{finding}");
    }
}

const SECRET: &str = "servicetitan-client-secret";
const CLIENT_ID: &str = "servicetitan-client-id";
const SET: &str = "servicetitan-credential-set";

// Analysis 3: shipped to every browser.

#[test]
fn a_secret_in_a_next_public_variable_is_shipped_to_every_browser() {
    let repo = Repo::new();
    repo.write("web/.env.production", format!("NEXT_PUBLIC_ST_CLIENT_ID={}\n", client_id(900)));
    let found = findings_of(&repo, &["scan", "."], CLIENT_ID);
    assert_eq!(found.len(), 1);
    assert_eq!(strings(&found[0]["exposure"]), ["browser"]);
    assert_eq!(strings(&found[0]["shared_with"]), ["every visitor of the web app"]);
    assert_eq!(found[0]["severity"], "critical", "a client id is high, but not in a browser");
    assert_eq!(found[0]["faq"]["id"], "ST-PORTAL-NEVER-PUBLISH-CLIENT-CREDS");
    let (_, human, _) = run(repo.keyfence().args(["scan", ".", "--color", "never"]));
    assert!(human.contains("  shared  shipped to every browser\n"), "{human}");
}

#[test]
fn a_secret_staged_in_a_built_bundle_is_shipped_to_every_browser() {
    let repo = Repo::new();
    repo.write("README.md", "app\n");
    repo.commit_all("init");
    repo.write("dist/assets/index-4f2a.js", format!("const s=\"{}\";\n", client_secret(901)));
    repo.git(&["add", "."]);
    let found = findings_of(&repo, &["scan", "--staged"], SECRET);
    assert_eq!(found.len(), 1);
    assert_eq!(strings(&found[0]["exposure"]), ["browser"]);
}

#[test]
fn one_blob_copied_into_public_is_browser_only_there_in_history() {
    let repo = Repo::new();
    let content = format!("module.exports = {{ secret: '{}' }};\n", client_secret(904));
    repo.write("server/config.js", &content);
    repo.commit_all("server config");
    repo.write("public/config.js", &content);
    repo.commit_all("copy it where the web server serves it");
    let found = findings_of(&repo, &["scan", "--all-history"], SECRET);
    let exposure = |path: &str| strings(&found.iter().find(|f| f["path"] == path).unwrap()["exposure"]);
    assert_eq!(exposure("public/config.js"), ["browser"], "{found:?}");
    assert_eq!(exposure("server/config.js"), Vec::<String>::new());
}

#[test]
fn a_server_env_file_with_a_plain_name_is_not_browser() {
    let repo = Repo::new();
    repo.write(".env", format!("ST_CLIENT_SECRET={}\nMY_VITE_NOTE={}\n", client_secret(902), client_id(902)));
    repo.write("server/index.js", format!("const id = '{}';\n", client_id(903)));
    assert_unshared(&repo, 3);
}

// Analysis 4: one client pair for several tenants.

#[test]
fn one_client_secret_next_to_two_tenants_is_cross_tenant() {
    let repo = Repo::new();
    let secret = client_secret(910);
    repo.write(
        "tenants.json",
        format!(
            "[\n  {{\"tenantId\": 512345678, \"clientSecret\": \"{secret}\"}},\n  {{\"tenantId\": 612345678, \"clientSecret\": \"{secret}\"}}\n]\n"
        ),
    );
    let found = findings_of(&repo, &["scan", "."], SECRET);
    assert_eq!(found.len(), 2);
    for finding in &found {
        assert_eq!(strings(&finding["exposure"]), ["cross-tenant"]);
        assert_eq!(strings(&finding["shared_with"]), ["tenant 512345678", "tenant 612345678"]);
        assert_eq!(finding["faq"]["id"], "ST-FAQ-PER-TENANT-CLIENT-CREDS");
    }
}

#[test]
fn one_client_id_for_two_tenants_in_two_commits_is_cross_tenant_in_history() {
    let repo = Repo::new();
    let id = client_id(911);
    repo.write("acme/.env", format!("ST_TENANT_ID=512345678\nST_CLIENT_ID={id}\n"));
    repo.commit_all("acme");
    repo.write("globex/.env", format!("ST_TENANT_ID=712345678\nST_CLIENT_ID={id}\n"));
    repo.commit_all("globex");
    let found = findings_of(&repo, &["scan", "--all-history"], CLIENT_ID);
    assert_eq!(found.len(), 2);
    for finding in &found {
        assert_eq!(strings(&finding["shared_with"]), ["tenant 512345678", "tenant 712345678"]);
    }
}

#[test]
fn one_pair_with_one_tenant_is_fine_and_phone_numbers_are_no_tenants() {
    let repo = Repo::new();
    repo.write(
        ".env",
        format!(
            "ST_TENANT_ID=512345678\nST_CLIENT_ID={}\nST_CLIENT_SECRET={}\nSUPPORT_PHONE=5551234567\nCREATED=1722315600\n",
            client_id(912),
            client_secret(912)
        ),
    );
    assert_unshared(&repo, 2);
}

#[test]
fn a_tenant_outside_org_tenants_is_cross_tenant_and_an_own_tenant_is_not() {
    let repo = Repo::new();
    repo.write(".keyfence.toml", "[org]\nname = \"Acme\"\ntenants = [\"512345678\"]\n");
    repo.write("ours.env", format!("ST_TENANT_ID=512345678\nST_CLIENT_SECRET={}\n", client_secret(913)));
    repo.write("theirs.env", format!("ST_TENANT_ID=612345678\nST_CLIENT_SECRET={}\n", client_secret(914)));
    let found = findings_of(&repo, &["scan", "."], SECRET);
    let by_path = |path: &str| found.iter().find(|f| f["path"] == path).unwrap().clone();
    assert_eq!(strings(&by_path("ours.env")["exposure"]), Vec::<String>::new());
    assert_eq!(strings(&by_path("theirs.env")["exposure"]), ["cross-tenant"]);
    assert_eq!(strings(&by_path("theirs.env")["shared_with"]), ["tenant 612345678"]);
}

// Analysis 5: a complete credential set.

fn write_set(repo: &Repo, seed: u64, lead: &str) {
    repo.write(
        "config/.env",
        format!(
            "{lead}ST_APP_KEY={}\nST_CLIENT_ID={}\nST_CLIENT_SECRET={}\nST_TENANT_ID=512345678\n",
            app_key(seed),
            client_id(seed),
            client_secret(seed)
        ),
    );
}

#[test]
fn a_complete_set_in_one_file_is_one_extra_finding_with_a_stable_fingerprint() {
    let repo = Repo::new();
    write_set(&repo, 920, "");
    let (_, stdout, _) = run(repo.keyfence().args(["scan", ".", "--format", "json"]));
    let findings = json_findings(&stdout);
    assert_eq!(findings.len(), 4, "{stdout}");
    let sets: Vec<&Value> = findings.iter().filter(|f| f["rule_id"] == SET).collect();
    assert_eq!(sets.len(), 1);
    let set = sets[0];
    assert_eq!(strings(&set["exposure"]), ["credential-set"]);
    assert_eq!(set["severity"], "critical");
    let mut members: Vec<String> = findings
        .iter()
        .filter(|f| f["rule_id"] != SET)
        .map(|f| f["fingerprint"].as_str().unwrap().to_owned())
        .collect();
    members.sort();
    assert_eq!(strings(&set["related"]), members);
    assert!(set["description"].as_str().unwrap().contains("can act as the app on that tenant"));

    // Moving the set down two lines keeps its fingerprint, so a baseline keeps hiding it.
    let fingerprint = set["fingerprint"].clone();
    write_set(&repo, 920, "# moved\n\n");
    let moved = findings_of(&repo, &["scan", "."], SET);
    assert_eq!(moved[0]["fingerprint"], fingerprint);
    assert_eq!(moved[0]["line"], 3);
    let baseline = repo.path().join("baseline.json");
    run(repo.keyfence().args(["baseline"]).arg(&baseline).arg("."));
    let (code, _, _) = run(repo.keyfence().args(["scan", ".", "--baseline"]).arg(&baseline));
    assert_eq!(code, 0, "the set and its members are all in the baseline");
}

#[test]
fn two_of_three_credential_kinds_are_not_a_set() {
    let repo = Repo::new();
    repo.write(".env", format!("ST_CLIENT_ID={}\nST_CLIENT_SECRET={}\n", client_id(921), client_secret(921)));
    repo.write("other/.env", format!("ST_APP_KEY={}\n", app_key(921)));
    assert!(findings_of(&repo, &["scan", "."], SET).is_empty(), "two files, neither complete");
}

#[test]
fn a_set_staged_across_two_files_is_one_commit() {
    let repo = Repo::new();
    repo.write("README.md", "app\n");
    repo.commit_all("init");
    repo.write(".env", format!("ST_APP_KEY={}\n", app_key(922)));
    repo.write(
        "config.json",
        format!("{{\"id\": \"{}\", \"secret\": \"{}\"}}\n", client_id(922), client_secret(922)),
    );
    repo.git(&["add", "."]);
    let sets = findings_of(&repo, &["scan", "--staged"], SET);
    assert_eq!(sets.len(), 1);
    assert_eq!(strings(&sets[0]["related"]).len(), 3);
}

#[test]
fn a_set_in_one_commit_is_found_in_history_but_not_one_spread_over_two() {
    let repo = Repo::new();
    repo.write(".env", format!("ST_APP_KEY={}\n", app_key(923)));
    repo.commit_all("key");
    repo.write(
        "config.json",
        format!("{{\"id\": \"{}\", \"secret\": \"{}\"}}\n", client_id(923), client_secret(923)),
    );
    repo.commit_all("pair");
    assert!(findings_of(&repo, &["scan", "--all-history"], SET).is_empty());
    repo.write(
        "deploy/.env",
        format!("A={}\nB={}\nC={}\n", app_key(924), client_id(924), client_secret(924)),
    );
    repo.commit_all("everything");
    let sets = findings_of(&repo, &["scan", "--all-history"], SET);
    assert_eq!(sets.len(), 1);
    assert_eq!(sets[0]["path"], "deploy/.env");
    assert!(sets[0]["commit"].is_string());
}

// Analysis 6: access tokens.

/// Unpadded base64url, as JWTs use.
fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |acc, (i, &b)| acc | (b as u32) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// A fake signed token with these claims and a random-looking signature.
fn token(claims: &str, seed: u64) -> String {
    let header = base64url(br#"{"alg":"RS256","typ":"at+jwt"}"#);
    let signature = base64url(crate::common::body(seed, 60).to_uppercase().as_bytes())
        + &base64url(crate::common::body(seed + 1, 30).as_bytes());
    format!("{header}.{}.{signature}", base64url(claims.as_bytes()))
}

#[test]
fn a_servicetitan_access_token_is_its_own_rule_and_other_jwts_stay_generic() {
    let repo = Repo::new();
    let st = token(
        &format!(
            r#"{{"iss":"https://auth.servicetitan.io","client_id":"{}","tenant":"512345678","exp":1764480900}}"#,
            client_id(930)
        ),
        930,
    );
    let other = token(r#"{"iss":"https://login.example.org","client_id":"portal-7","exp":1764480900}"#, 931);
    repo.write("notes.txt", format!("Authorization: Bearer {st}\nother = {other}\n"));
    let (code, stdout, _) = run(repo.keyfence().args(["scan", ".", "--format", "json"]));
    assert_eq!(code, 1);
    let findings = json_findings(&stdout);
    let rules: Vec<&str> = findings.iter().map(|f| f["rule_id"].as_str().unwrap()).collect();
    assert_eq!(rules, ["servicetitan-access-token", "jwt"], "{stdout}");
    assert_eq!(findings[0]["faq"]["id"], "ST-DOC-TOKEN-CONFIDENTIAL");
    assert!(findings[0]["next_steps"].to_string().contains("900 seconds"));
    // No claim of the payload in any output: not the client id, not its base64.
    let payload = st.split('.').nth(1).unwrap();
    for format in ["json", "human", "short", "sarif"] {
        let (_, out, _) = run(repo.keyfence().args(["scan", ".", "--format", format]));
        let tail = &payload[24..44];
        assert!(!out.contains(tail) && !out.contains(&client_id(930)[4..]), "{format}: {out}");
    }
}

// Human output grouped per credential, and --format short.

#[test]
fn one_secret_in_eight_files_is_one_short_block() {
    let repo = Repo::new();
    let secret = client_secret(940);
    for i in 0..8 {
        repo.write(&format!("svc{i}/settings.yml"), format!("client_secret: {secret}\n"));
    }
    let (code, stdout, _) = run(repo.keyfence().args(["scan", ".", "--color", "never"]));
    assert_eq!(code, 1);
    assert!(stdout.lines().count() <= 16, "{stdout}");
    assert_eq!(stdout.matches("breaks  ST-PORTAL-NEVER-PUBLISH-CLIENT-CREDS").count(), 1, "{stdout}");
    assert_eq!(stdout.matches("next    1.").count(), 1);
    assert!(stdout.starts_with("svc0/settings.yml:1:16: servicetitan-client-secret (critical)"), "{stdout}");
    assert!(stdout.contains("  also at svc1/settings.yml:1:16\n"), "{stdout}");
    assert!(stdout.contains("          svc7/settings.yml:1:16\n"), "{stdout}");
}

#[test]
fn different_secrets_get_their_own_blocks() {
    let repo = Repo::new();
    repo.write("a.yml", format!("client_secret: {}\n", client_secret(941)));
    repo.write("b.yml", format!("client_secret: {}\n", client_secret(942)));
    let (_, stdout, _) = run(repo.keyfence().args(["scan", ".", "--color", "never"]));
    assert_eq!(stdout.matches("breaks  ").count(), 2, "{stdout}");
    assert!(!stdout.contains("also at"), "{stdout}");
}

#[test]
fn format_short_is_one_line_per_finding_redacted_unless_asked() {
    let repo = Repo::new();
    let secret = client_secret(943);
    repo.write("a.yml", format!("client_secret: {secret}\n"));
    repo.write("b/c.env", format!("\nST_APP_KEY={}\n", app_key(943)));
    let (code, stdout, _) = run(repo.keyfence().args(["scan", ".", "--format", "short"]));
    assert_eq!(code, 1);
    let redacted = format!("{}…", &secret[..6]);
    let expected = format!(
        "a.yml:1:16: servicetitan-client-secret {redacted}\nb/c.env:2:12: servicetitan-app-key {}…\n",
        &app_key(943)[..6]
    );
    assert_eq!(stdout, expected);
    let (_, clear, _) = run(repo.keyfence().args(["scan", "a.yml", "--format", "short", "--show-secrets"]));
    assert_eq!(clear, format!("a.yml:1:16: servicetitan-client-secret {secret}\n"));
    let (code, clean, _) = run(repo.keyfence().args(["scan", "--format", "short", "README.none"]));
    assert!(code == 2 && clean.is_empty(), "a missing path is an error, with nothing on stdout");
}

#[test]
fn the_set_and_access_token_rules_are_listed_and_described_in_sarif() {
    let repo = Repo::new();
    write_set(&repo, 950, "");
    let (_, rules, _) = run(repo.keyfence().args(["rules"]));
    assert!(rules.contains("servicetitan-credential-set (critical)"), "{rules}");
    assert!(rules.contains("servicetitan-access-token (high)"), "{rules}");
    let (code, stdout, _) = run(repo.keyfence().args(["scan", ".", "--format", "sarif"]));
    assert_eq!(code, 1);
    let log: Value = serde_json::from_str(&stdout).unwrap();
    let run0 = &log["runs"][0];
    let set = run0["results"].as_array().unwrap().iter().find(|r| r["ruleId"] == SET).expect("a set result");
    let index = set["ruleIndex"].as_u64().expect("the set's rule is described") as usize;
    assert_eq!(run0["tool"]["driver"]["rules"][index]["id"], SET);
    assert_eq!(strings(&set["properties"]["exposure"]), ["credential-set"]);
    assert_eq!(strings(&set["properties"]["related"]).len(), 3);
}

#[test]
fn a_derived_rule_that_no_analysis_reports_is_an_error() {
    let repo = Repo::new();
    repo.write("rules.toml", "[[rule]]\nid = \"acme-set\"\nderived = true\nregex = 'acme_[a-z0-9]{8}'\n");
    let (code, _, stderr) = run(repo.keyfence().args(["rules", "--check", "rules.toml"]));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("acme-set") && stderr.contains("derived"), "{stderr}");
}
