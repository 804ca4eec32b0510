//! The assignment extractor (issue 11): every common way of writing a name and its value, split
//! and escaped literals, and the names that use a secret word in another sense. Values are built
//! at run time.

use crate::common::{app_key, body, client_id, client_secret, run, Repo};

/// A mixed-case random value of `len` characters (a generic secret's shape).
fn random(seed: u64, len: usize) -> String {
    body(seed, len)
        .chars()
        .enumerate()
        .map(|(i, c)| if i % 3 == 0 { c.to_ascii_uppercase() } else { c })
        .collect()
}

/// `len` lowercase hexadecimal digits from `seed`.
fn hex(seed: u64, len: usize) -> String {
    let mut state = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    (0..len)
        .map(|_| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            char::from(b"0123456789abcdef"[((state >> 33) % 16) as usize])
        })
        .collect()
}

/// (rule, line, column, secret) of every finding in a repository holding `files`.
fn findings(files: &[(&str, String)]) -> Vec<(String, u64, u64, String)> {
    let repo = Repo::new();
    for (path, content) in files {
        repo.write(path, content);
    }
    let (code, stdout, stderr) =
        run(repo.keyfence().args(["scan", ".", "--format", "json", "--show-secrets"]));
    assert!(code < 2, "{stderr}");
    let found: Vec<serde_json::Value> = serde_json::from_str(&stdout).unwrap();
    found
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["secret"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The secrets found in one file.
fn secrets(path: &str, content: String) -> Vec<String> {
    findings(&[(path, content)]).into_iter().map(|f| f.3).collect()
}

#[test]
fn every_word_that_names_a_secret_is_read_in_env_yaml_and_code() {
    let value = random(1, 40);
    for (path, line) in [
        (".env", format!("SECRET={value}")),
        (".env", format!("JWT_SECRET={value}")),
        ("config.yml", format!("app_secret: {value}")),
        ("settings.py", format!("SESSION_SECRET = '{value}'")),
        ("app.js", format!("const accessKey = \"{value}\";")),
        ("config.yml", format!("private_key: \"{value}\"")),
        (".env", format!("signing_key={value}")),
        ("config.toml", format!("auth_key = \"{value}\"")),
        (".env", format!("credentials={value}")),
    ] {
        assert_eq!(secrets(path, format!("{line}\n")), [value.as_str()], "{line}");
    }
}

#[test]
fn names_using_the_words_in_another_sense_stay_silent() {
    let value = random(2, 40);
    for line in [
        format!("primary_key = '{value}'"),
        format!("sortKey: \"{value}\""),
        format!("CACHE_KEY={value}"),
        format!("foreign_key: {value}"),
        format!("public_key = \"{value}\""),
        format!("partitionKey: '{value}'"),
        format!("idempotency_key = \"{value}\""),
        format!("\"next_page_token\": \"{value}\""),
    ] {
        assert!(secrets("fixture.txt", format!("{line}\n")).is_empty(), "{line}");
    }
}

#[test]
fn a_servicetitan_key_split_into_literals_is_found_whole_at_its_first_literal() {
    let key = app_key(3);
    let (a, b) = key.split_at(17);
    let cases = [
        ("Keys.java", format!("String key = \"{a}\" + \"{b}\";\n"), 1, 14),
        ("Keys.cs", format!("var key = \"{a}\" +\n    \"{b}\";\n"), 1, 11),
        ("keys.ts", format!("const key = '{a}'\n  + '{b}';\n"), 1, 13),
        ("keys.go", format!("key := \"{a}\" + \"{b}\"\n"), 1, 8),
        ("Keys.kt", format!("val key = \"{a}\" + \"{b}\"\n"), 1, 11),
    ];
    for (path, content, line, column) in cases {
        let found = findings(&[(path, content.clone())]);
        assert_eq!(found, [("servicetitan-app-key".to_owned(), line, column + 1, key.clone())], "{content}");
    }
    let id = client_id(4);
    let (head, rest) = id.split_at(4);
    let (mid, tail) = rest.split_at(12);
    let found = findings(&[("a.js", format!("const id = '{head}' + '{mid}' + '{tail}';\n"))]);
    assert_eq!(found, [("servicetitan-client-id".to_owned(), 1, 13, id)]);
    let secret = client_secret(5);
    let parts: Vec<&str> = vec![&secret[..20], &secret[20..40], &secret[40..]];
    let python =
        format!("APP_SECRET = (\n    \"{}\"\n    \"{}\"\n    \"{}\"\n)\n", parts[0], parts[1], parts[2]);
    let found = findings(&[("settings.py", python)]);
    assert_eq!(found, [("servicetitan-client-secret".to_owned(), 2, 6, secret)]);
}

#[test]
fn concatenations_that_are_not_secrets_stay_silent() {
    for content in [
        "String url = \"https://api.example.com/\" + \"v2/secrets/\" + \"rotate\";\n",
        "const key = \"abc\" + \"def\";\n",
        "token_url = (\n    \"https://auth.example.com\"\n    \"/oauth/token\"\n)\n",
    ] {
        assert!(secrets("a.js", content.to_owned()).is_empty(), "{content}");
    }
}

#[test]
fn escaped_strings_are_read_unescaped() {
    let value = random(6, 40);
    let notebook = format!("{{\"cells\": [{{\"source\": [\"client_secret = \\\"{value}\\\"\\n\"]}}]}}\n");
    assert_eq!(secrets("nb.ipynb", notebook), [value.as_str()]);
    let java = format!("String body = \"{{\\\"client_secret\\\":\\\"{value}\\\"}}\";\n");
    let found = findings(&[("Body.java", java)]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!((found[0].2, &found[0].3), (37, &value), "the column is the value's");
    let plain = "msg = \"the key holder said \\\"hello world 2024\\\" twice\"\n".to_owned();
    assert!(secrets("a.py", plain).is_empty());
}

#[test]
fn xml_and_name_value_pairs_are_read() {
    let value = random(7, 40);
    for (path, line) in [
        ("web.config", format!("<add key=\"ApiToken\" value=\"{value}\" />")),
        ("settings.xml", format!("  <password>{value}</password>")),
        ("beans.xml", format!("<property name=\"clientSecret\" value=\"{value}\"/>")),
        ("task.json", format!("{{\"name\": \"CLIENT_SECRET\", \"value\": \"{value}\"}}")),
        ("deploy.yaml", format!("        - {{name: API_TOKEN, value: \"{value}\"}}")),
    ] {
        assert_eq!(secrets(path, format!("{line}\n")), [value.as_str()], "{line}");
    }
    let silent = "<add assembly=\"System.Web, PublicKeyToken=b03f5f7f11d50a3a\" />\n".to_owned();
    assert!(secrets("web.config", silent).is_empty());
    let other = format!("<add key=\"LogLevel\" value=\"{value}\" />\n");
    assert!(secrets("web.config", other).is_empty());
}

#[test]
fn typed_declarations_and_string_prefixes_are_read() {
    let value = random(8, 40);
    for (path, line) in [
        ("Config.cs", format!("private const string ClientSecret = @\"{value}\";")),
        ("config.c", format!("char password[41] = \"{value}\";")),
        ("Config.swift", format!("let clientSecret: String = \"{value}\"")),
        ("Config.kt", format!("val clientSecret: String = \"{value}\"")),
        ("config.ts", format!("const clientSecret: string = \"{value}\";")),
        ("config.py", format!("CLIENT_SECRET: str = \"{value}\"")),
    ] {
        assert_eq!(secrets(path, format!("{line}\n")), [value.as_str()], "{line}");
    }
    let types = "let privateKey: P256.Signing.PrivateKey\nprivate String clientSecret;\n".to_owned();
    assert!(secrets("Config.swift", types).is_empty());
}

#[test]
fn subscripts_and_defines_are_read() {
    let value = random(9, 40);
    for (path, line) in [
        ("config.php", format!("$config['client_secret'] = '{value}';")),
        ("wp-config.php", format!("define('DB_PASSWORD', '{value}');")),
        ("setup.py", format!("os.environ[\"API_TOKEN\"] = \"{value}\"")),
        ("config.rb", format!("settings[:api_key] = \"{value}\"")),
    ] {
        assert_eq!(secrets(path, format!("{line}\n")), [value.as_str()], "{line}");
    }
    let reference = "$config['client_secret'] = getenv('CLIENT_SECRET');\ndefine('DB_PASSWORD', '');\n";
    assert!(secrets("config.php", reference.to_owned()).is_empty());
}

#[test]
fn dockerfile_env_and_arg_and_yaml_tags_are_read() {
    let value = random(10, 40);
    for (path, line) in [
        ("Dockerfile", format!("ENV API_TOKEN {value}")),
        ("Dockerfile", format!("ENV DB_PASSWORD \"{value}\"")),
        ("Dockerfile", format!("ARG CLIENT_SECRET={value}")),
        ("values.yml", format!("api_key: !!str {value}")),
    ] {
        assert_eq!(secrets(path, format!("{line}\n")), [value.as_str()], "{line}");
    }
    let silent = "ENV API_TOKEN_FILE /run/secrets/api_token\nENV LOG_LEVEL debug\n".to_owned();
    assert!(secrets("Dockerfile", silent).is_empty());
}

#[test]
fn quoted_passwords_keep_their_symbols() {
    let (a, b) = (random(11, 12), random(12, 12));
    for symbol in ["?", "(", "[", "<", ">", ":", "|", "&", ";", ","] {
        let password = format!("{a}{symbol}{b}");
        assert_eq!(secrets("db.py", format!("password = \"{password}\"\n")), [password.as_str()], "{symbol}");
    }
    assert_eq!(secrets("db.py", format!("password = '%{a}?'\n")), [format!("%{a}?")]);
    assert!(secrets("db.py", "password = input(\"Password (again): \")\n".to_owned()).is_empty());
}

/// Fresh-user trial: a quoted value under a secret-like name other than `password` was cut at
/// `&` or `,`, or missed, when it held a symbol or a blank.
#[test]
fn quoted_values_under_every_secret_name_keep_their_symbols_and_blanks() {
    let (a, b) = (random(21, 12), random(22, 12));
    let symbols = [",", "&", ";", "?", "(", ")", "[", "]", "<", ">", ":", "|", "%", " "];
    let lines: Vec<(String, String)> = symbols
        .iter()
        .zip(
            ["client_secret = \"{}\"", "api_token: '{}'", "signing_key = '{}'", "ACCESS_KEY=\"{}\""]
                .iter()
                .cycle(),
        )
        .map(|(symbol, form)| {
            let value = format!("{a}{symbol}{b}");
            (form.replace("{}", &value), value)
        })
        .collect();
    let files: Vec<(String, String)> =
        lines.iter().enumerate().map(|(i, (line, _))| (format!("f{i}.py"), format!("{line}\n"))).collect();
    let files: Vec<(&str, String)> = files.iter().map(|(p, c)| (p.as_str(), c.clone())).collect();
    let mut found: Vec<String> = findings(&files).into_iter().map(|f| f.3).collect();
    let mut expected: Vec<String> = lines.into_iter().map(|(_, value)| value).collect();
    found.sort();
    expected.sort();
    assert_eq!(found, expected);
    // Plain values keep their own rule (and so their fingerprints).
    let plain = findings(&[("p.py", format!("client_secret = \"{a}{b}\"\n"))]);
    assert_eq!(plain.iter().map(|f| f.0.as_str()).collect::<Vec<_>>(), ["generic-client-secret"]);
}

/// The assignment forms hand a quoted value on whole: the name/value object form cut it at a
/// comma, and every form left the original closing quote after its rewrite (`"…""`).
#[test]
fn quoted_values_with_symbols_are_read_whole_in_every_assignment_form() {
    let value =
        format!("{}&{},{};{}?{}", random(31, 8), random(32, 6), random(33, 5), random(34, 4), random(35, 3));
    let lines = [
        format!("<add key=\"ApiToken\" value=\"{value}\" />"),
        format!("<property name=\"clientSecret\" value=\"{value}\"/>"),
        format!("  {{\"name\": \"CLIENT_SECRET\", \"value\": \"{value}\"}}"),
        format!("  - {{name: API_TOKEN, value: \"{value}\"}}"),
        format!("private const string ClientSecret = @\"{value}\";"),
        format!("$config['client_secret'] = '{value}';"),
        format!("os.environ[\"API_TOKEN\"] = \"{value}\""),
        format!("token = os.getenv('API_TOKEN', '{value}')"),
    ];
    let files: Vec<(String, String)> =
        lines.iter().enumerate().map(|(i, line)| (format!("form{i}.txt"), format!("{line}\n"))).collect();
    let files: Vec<(&str, String)> = files.iter().map(|(p, c)| (p.as_str(), c.clone())).collect();
    let found = findings(&files);
    assert_eq!(found.len(), lines.len(), "{found:?}");
    assert!(found.iter().all(|f| f.3 == value), "{found:?}");
    // A plain value in a name/value object still ends at the comma.
    let plain = random(36, 32);
    let found = secrets("deploy.yaml", format!("  - {{name: API_TOKEN, value: {plain}, x: 1}}\n"));
    assert_eq!(found, [plain]);
}

#[test]
fn urls_sentences_and_placeholders_in_quotes_are_not_secrets() {
    let lines = [
        "callback_url = \"https://app.acme.test/cb?a=1&b=2\"",
        "api_key_docs = \"https://docs.acme.test/keys?page=3&sort=2\"",
        "token_endpoint = \"https://auth.acme.test/connect/token?x=1&y=2\"",
        "token_description = \"Token used by the nightly job, 2 per tenant\"",
        // A credential helper is a command (git's `credential.helper`), not a credential.
        "\t-c credential.helper=\"!f() { echo quit=1; }; f\" \\",
        "secret_manager = \"aws:sm://prod/app?region=us-east-1&v=2\"",
        "tokenHelp: 'Paste it here (valid 15 min)'",
        "client_secret = \"<paste the client secret here, 50 chars>\"",
        "api_key: \"{{ vault.api_key_2 }}\"",
        "access_token = \"Bearer {token_1}\"",
        "password = \"must be at least 12 characters, 1 digit\"",
        "KmsKeyId: \"arn:aws:kms:us-west-2:417498243647:key/c9fe2447-0795-4fda\"",
        "\"output_token\": \"NextMarker || Contents[-1].Key\",",
        "\"chatToken\": \"ACEGmnoq#1rstu2...BDFH3vxwy!4hlm!#5\",",
        "\"SessionToken\": \"AgoGb3JpZ2luENz2...EXAMPLETOKEN==\",",
    ];
    let found = findings(&[("decoys.py", lines.join("\n") + "\n")]);
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn hex_under_a_key_name_is_a_key_and_under_a_digest_name_is_not() {
    let hex = hex(13, 40);
    assert_eq!(secrets("c.yml", format!("partner_api_key: '{hex}'\n")), [hex.as_str()]);
    assert!(secrets("c.yml", format!("api_key_sha1: '{hex}'\n")).is_empty());
}

#[test]
fn an_aws_secret_passed_after_its_key_id_is_found_without_a_name() {
    let id = format!("AKIA{}", body(14, 16).to_ascii_uppercase().replace(['0', '1', '8', '9'], "Q"));
    let secret = random(15, 40);
    for line in [
        format!("creds := credentials.NewStaticCredentials(\"{id}\", \"{secret}\", \"\")"),
        format!("session = boto3.Session(\"{id}\", \"{secret}\")"),
        format!("AWSCredentials c = new BasicAWSCredentials(\"{id}\", \"{secret}\");"),
    ] {
        let found = findings(&[("aws.txt", format!("{line}\n"))]);
        assert!(
            found.iter().any(|f| f.0 == "aws-secret-access-key-positional" && f.3 == secret),
            "{found:?}"
        );
    }
    let alone = findings(&[("aws.txt", format!("boto3.Session(\"{id}\", region_name=\"us-east-1\")\n"))]);
    assert!(alone.iter().all(|f| f.0 != "aws-secret-access-key-positional"));
}

#[test]
fn the_published_sample_jwt_is_dropped_and_a_real_one_is_not() {
    let parts = [
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9",
        "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ",
        "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
    ];
    let sample = parts.join(".");
    assert!(findings(&[("README.md", format!("Authorization: Bearer {sample}\n"))]).is_empty());
    let real = format!("{}.{}.{}", parts[0], parts[1], random(16, 43));
    let found = findings(&[("README.md", format!("Authorization: Bearer {real}\n"))]);
    assert_eq!(found.iter().map(|f| f.3.as_str()).collect::<Vec<_>>(), [real.as_str()]);
}

#[test]
fn bodies_that_walk_the_alphabet_and_digits_in_step_are_placeholders() {
    let stepped = ["ak1.abc123def456ghi789jkl0123", "cid.a1b2c3d4e5f6g7h8i9j0k1l2m"];
    for value in stepped {
        assert!(secrets("config.yml", format!("key: {value}\n")).is_empty(), "{value}");
    }
    let key = app_key(17);
    assert_eq!(secrets("config.yml", format!("key: {key}\n")), [key]);
}

#[test]
fn a_table_row_naming_a_credential_in_one_column_holds_it_in_another() {
    let hex = hex(18, 32);
    let csv = format!("name,environment,value,rotated_at\ninternal_api_key,prod,{hex},2024-09-12\n");
    assert_eq!(findings(&[("keys.csv", csv)]), [("generic-api-key".to_owned(), 2, 23, hex.clone())]);
    let tsv = format!("credential\tvalue\nsmtp_password\t{}\n", random(19, 24));
    assert_eq!(secrets("creds.tsv", tsv).len(), 1);
    let no_header = format!("id,environment,notes\ninternal_api_key,prod,{hex}\n");
    assert!(secrets("keys.csv", no_header).is_empty());
}

/// A fake Telegram bot token: a bot id, a colon, 35 characters starting `AA`.
fn telegram_token(seed: u64) -> String {
    format!("{}:AA{}", 4_000_000_000 + seed * 7919, random(seed, 33))
}

/// Shannon entropy of `value` in bits per character.
fn entropy(value: &str) -> f64 {
    let mut counts = [0usize; 256];
    value.bytes().for_each(|b| counts[b as usize] += 1);
    let n = value.len() as f64;
    counts.iter().filter(|&&c| c > 0).map(|&c| c as f64 / n).map(|p| -p * p.log2()).sum()
}

#[test]
fn kubernetes_env_entries_in_block_style_are_read_by_every_rule() {
    let bot = telegram_token(40);
    let password = format!("{}#+{}", random(41, 10), random(42, 10));
    let plain = random(43, 40);
    let manifest = format!(
        "env:\n  - name: TELEGRAM_BOT_TOKEN\n    value: \"{bot}\"\n  - name: SMTP_PASS\n    value: \
         '{password}'\n  - name: API_TOKEN\n    value: {plain} # rotated monthly\n"
    );
    let found = findings(&[("deploy.yaml", manifest)]);
    let found: Vec<(&str, u64, &str)> = found.iter().map(|f| (f.0.as_str(), f.1, f.3.as_str())).collect();
    assert!(found.contains(&("telegram-bot-token", 3, bot.as_str())), "{found:?}");
    assert!(found.iter().any(|f| f.1 == 5 && f.2 == password), "{found:?}");
    assert!(found.iter().any(|f| f.1 == 7 && f.2 == plain), "{found:?}");
    let silent = format!(
        "env:\n  - name: LOG_LEVEL\n    value: \"{bot}\"\n  - name: TELEGRAM_BOT_TOKEN\n    valueFrom:\n      \
         secretKeyRef:\n        name: bot\n        key: token\n"
    );
    assert!(secrets("deploy.yaml", silent).is_empty());
}

#[test]
fn an_environment_read_with_a_default_is_read_under_the_variable_name() {
    let bot = telegram_token(44);
    for (path, line) in [
        ("config.py", format!("TG_BOT_TOKEN = os.environ.get(\"TG_BOT_TOKEN\", \"{bot}\")")),
        ("config.py", format!("token = os.getenv('TELEGRAM_TOKEN', '{bot}')")),
        ("bot.js", format!("const token = process.env.TELEGRAM_TOKEN || \"{bot}\";")),
        ("bot.rb", format!("token = ENV.fetch(\"TELEGRAM_BOT_TOKEN\", \"{bot}\")")),
    ] {
        let found = findings(&[(path, format!("{line}\n"))]);
        assert!(found.iter().any(|f| f.0 == "telegram-bot-token" && f.3 == bot), "{line}: {found:?}");
    }
    let other_name = format!("level = os.environ.get(\"LOG_LEVEL\", \"{bot}\")\n");
    assert!(secrets("config.py", other_name).is_empty());
    assert!(secrets("config.py", "t = os.environ.get(\"TG_BOT_TOKEN\", \"\")\n".to_owned()).is_empty());
}

/// A corpus miss: when the variable's own name is a secret name (`masterKey`), a rule read
/// `process.env.MASTER_KEY` as its value, then went past the name the rewrite is for.
#[test]
fn a_default_under_a_secret_named_variable_is_read_under_the_environment_name() {
    let value = random(45, 40);
    for line in [
        format!("const masterKey = process.env.MASTER_KEY || \"{value}\";"),
        format!("sessionKey = os.environ.get(\"SESSION_KEY\", \"{value}\")"),
    ] {
        assert_eq!(secrets("config.js", format!("{line}\n")), [value.as_str()], "{line}");
    }
    let no_default = "const masterKey = process.env.MASTER_KEY || \"\";\n".to_owned();
    assert!(secrets("config.js", no_default).is_empty());
}

#[test]
fn hex_keys_are_held_to_a_hex_entropy_floor_not_a_mixed_alphabet_one() {
    // A random 32-digit hex key under 3.5 bits per character (one in five are).
    let uneven = (100..).map(|seed| hex(seed, 32)).find(|h| (3.0..3.4).contains(&entropy(h))).unwrap();
    assert_eq!(secrets("c.yml", format!("partner_api_key: '{uneven}'\n")), [uneven.as_str()]);
    let csv = format!("name,environment,value,rotated_at\ninternal_api_key,prod,{uneven},2024-09-12\n");
    assert_eq!(secrets("keys.csv", csv), [uneven.as_str()]);
    // Too even for a key of any alphabet, and a digest under a digest's name.
    let repeated = "deadbeef0".repeat(4);
    assert!(entropy(&repeated) < 3.0);
    assert!(secrets("c.yml", format!("partner_api_key: '{repeated}'\n")).is_empty());
    assert!(secrets("c.yml", format!("api_key_sha1: '{uneven}'\n")).is_empty());
}

/// Two halves of a fake secret with `&`, `,` and `#` in it (the shape a fresh user tried), put
/// together at run time.
const SYMBOLIC: (&str, &str) = ("Zq7&hT2,p", "X9mK4#vR8");

#[test]
fn a_quote_of_the_other_kind_or_an_escaped_quote_stays_inside_a_quoted_value() {
    let (head, tail) = SYMBOLIC;
    for (path, line, secret) in [
        ("app.py", format!("client_secret = '{head}\"{tail}'"), format!("{head}\"{tail}")),
        ("app.py", format!("client_secret = \"{head}'{tail}\""), format!("{head}'{tail}")),
        ("App.java", format!("client_secret = \"{head}{tail}\\\"mK4\""), format!("{head}{tail}\\\"mK4")),
        ("app.json", format!("{{\"client_secret\": \"{head}'{tail}\"}}"), format!("{head}'{tail}")),
        ("app.py", format!("password = '{head}\"{tail}'"), format!("{head}\"{tail}")),
    ] {
        assert_eq!(secrets(path, format!("{line}\n")), [secret.as_str()], "{line}");
    }
}

#[test]
fn a_quoted_value_does_not_run_into_the_next_string() {
    let (head, tail) = SYMBOLIC;
    let plain = random(46, 32);
    for line in [
        format!("api_token = \"x1\".strip(\"{head}{tail}\")"),
        format!("password = \"x1\"+suffix+\"{head}{tail}\""),
        "token_note = \"Don't share it, it's rotated (2024)\"".to_owned(),
    ] {
        assert!(secrets("app.py", format!("{line}\n")).is_empty(), "{line}");
    }
    // A short value before a real one on the same line neither hides nor swallows it.
    let json = format!("{{\"token_type\":\"bearer\",\"access_token\":\"{plain}\"}}\n");
    assert_eq!(secrets("resp.json", json), [plain.as_str()]);
}

#[test]
fn a_passphrase_with_a_random_word_is_a_secret_though_other_words_are_plain() {
    let random_word = format!("Kx8mq&{}", 7);
    for line in [
        format!("password = \"{random_word},plover fence\""),
        format!("client_secret = \"{random_word},plover fence\""),
        format!("db_password = \"Tr0ub4dor&{},horse battery\"", 3),
        format!("password = \"{random_word} ploverfence\""),
        format!("password = \"{random_word},plover fence9\""),
    ] {
        let expected = line.split('"').nth(1).unwrap().to_owned();
        assert_eq!(secrets("app.py", format!("{line}\n")), [expected], "{line}");
    }
}

#[test]
fn sentences_with_digits_versions_and_schemes_in_quotes_stay_silent() {
    for line in [
        "password_hint = \"see the docs (v2) for the 2 rules\"",
        "client_secret: \"Use OAuth2 client credentials, 1 per app\"",
        "api_token = \"Token {token_1}\"",
        "password = \"at least 12 characters, upper-case and 1 digit\"",
        "token_help = 'Paste it here, e.g. from the vault (valid 15 min)'",
    ] {
        assert!(secrets("app.py", format!("{line}\n")).is_empty(), "{line}");
    }
}

#[test]
fn a_dotenv_value_runs_past_ampersands_and_commas_to_a_blank() {
    let (head, tail) = SYMBOLIC;
    let amp = format!("{}{}", head.replace(',', ""), tail.replace('#', "Lw"));
    let comma = amp.replace('&', ",");
    let password = format!("Kx8mq&{},plover", 7);
    for (line, secret) in [
        (format!("CLIENT_SECRET={amp}"), amp.clone()),
        (format!("CLIENT_SECRET={comma}"), comma.clone()),
        (format!("DB_PASSWORD={password}"), password.clone()),
        (format!("export CLIENT_SECRET={amp} # rotated monthly"), amp.clone()),
    ] {
        assert_eq!(secrets(".env", format!("{line}\n")), [secret.as_str()], "{line}");
    }
}

#[test]
fn a_query_string_in_a_dotenv_line_is_not_read_as_one_value() {
    let plain = random(47, 24);
    for line in [
        "TOKEN_ENDPOINT=https://auth.acme.test/token?state=Zq7hT2&code=pX9mK4vR8Lw".to_owned(),
        "NEXT_PAGE=cursor=Zq7hT2pX9&token_type=bearer,x".to_owned(),
        "  note: CLIENT_SECRET=x7&y".to_owned(),
    ] {
        assert!(secrets(".env", format!("{line}\n")).is_empty(), "{line}");
    }
    // The secret parameter of a query is found as the plain rules read it, not with the rest.
    let query = format!("AUTH_PARAMS=client_id=acme&client_secret={plain}&scope=read,write\n");
    assert_eq!(secrets(".env", query), [plain.as_str()]);
}

/// Each form's regex only runs on lines past a cheap gate read off the regex (`assign::gates`):
/// the less common spellings each gate must let through are still read.
#[test]
fn every_spelling_a_form_reads_passes_its_gate() {
    let value = random(48, 40);
    let (head, tail) = (random(49, 12), random(50, 8));
    let symbolic = format!("{head}&{tail}");
    let listed = format!("{head},{tail}");
    for (path, line, secret) in [
        ("config.py", format!("CLIENT_SECRET: Optional[str] = \"{value}\""), &value),
        ("config.go", format!("apiToken := b\"{value}\""), &value),
        ("main.go", format!("os.Setenv(\"API_TOKEN\", \"{value}\")"), &value),
        ("web.config", format!("<add key = \"ApiToken\"   value = \"{value}\" />"), &value),
        ("config.c", format!("char password[] = \"{symbolic}\";"), &symbolic),
        ("config.php", format!("$cfg[ \"db_pass\" ]= \"{symbolic}\";"), &symbolic),
        (".env", format!("export\tDB_PASSWORD={listed}"), &listed),
        ("deploy.yml", format!("env:\n  - name: SMTP_PASS\r\n    value: \"{symbolic}\""), &symbolic),
    ] {
        assert_eq!(secrets(path, format!("{line}\n")), [secret.as_str()], "{line}");
    }
}
