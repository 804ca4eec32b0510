//! Providers whose keys carry no prefix, as one table (`[[provider]]` in `patterns/providers.toml`
//! or a user's rule file), expanded into ordinary rules when the file is loaded.
//!
//! Many services issue a fixed-length hex or alphanumeric key that is only recognisable by the
//! provider's name in the variable it is assigned to (`OPENWEATHER_API_KEY=…`). An entry states
//! the provider's name keywords, the value's alphabet and length(s), and its examples; the
//! generated regex asks for an identifier holding a keyword and a secret word (key, token,
//! secret, …) in either order, an assignment (`=`, `:`, `:=`, `=>`, an env fallback `||` / `??`,
//! or the default argument of `getenv("X", …)`), optional quotes, then exactly the value.

use super::{default_faq, default_severity, RuleExample, RuleSpec, Severity};
use anyhow::{bail, Result};
use serde::{Deserialize, Serialize};

/// The characters a provider's key is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Alphabet {
    /// `0-9a-f`.
    Hex,
    /// `0-9A-F`.
    HexUpper,
    /// `0-9a-fA-F`.
    HexAnyCase,
    /// `A-Za-z0-9`.
    Alnum,
    /// `a-z0-9`.
    AlnumLower,
    /// `A-Z0-9`.
    AlnumUpper,
    /// `A-Za-z0-9_-` (base64url without padding).
    Base64url,
    /// A UUID, 8-4-4-4-12 hex digits of either case (`length` is ignored).
    Uuid,
}

impl Alphabet {
    /// The regex for a value of `length` characters of this alphabet.
    fn value_regex(self, length: usize) -> String {
        let class = match self {
            Alphabet::Hex => "[0-9a-f]",
            Alphabet::HexUpper => "[0-9A-F]",
            Alphabet::HexAnyCase => "[0-9a-fA-F]",
            Alphabet::Alnum => "[A-Za-z0-9]",
            Alphabet::AlnumLower => "[a-z0-9]",
            Alphabet::AlnumUpper => "[A-Z0-9]",
            Alphabet::Base64url => "[A-Za-z0-9_\\-]",
            Alphabet::Uuid => {
                return "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
                    .to_owned()
            }
        };
        format!("{class}{{{length}}}")
    }
}

/// A run of at least `length` consecutive characters of `alphabet`: what every value of a
/// provider's key holds. Looking for it costs a pass over a line; the rule's regex costs its
/// compilation the first time it runs and a lazily built automaton per thread, and a provider's
/// name in code (`polygon`, `consul`, `drip`) is mostly not next to a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValueRun {
    /// The key's characters.
    pub alphabet: Alphabet,
    /// The shortest run of them a key holds (its shortest length; 12 for a UUID's last group).
    pub length: usize,
}

impl ValueRun {
    /// True if `text` holds at least [`ValueRun::length`] consecutive characters of the alphabet.
    pub fn found_in(&self, text: &[u8]) -> bool {
        let mut run = 0;
        for &b in text {
            run = if self.alphabet.admits(b) { run + 1 } else { 0 };
            if run >= self.length {
                return true;
            }
        }
        false
    }
}

impl Alphabet {
    /// True if `b` is one of the alphabet's characters (for a UUID: a hex digit, its groups'
    /// characters between the dashes).
    pub fn admits(self, b: u8) -> bool {
        match self {
            Alphabet::Hex => b.is_ascii_digit() || (b'a'..=b'f').contains(&b),
            Alphabet::HexUpper => b.is_ascii_digit() || (b'A'..=b'F').contains(&b),
            Alphabet::HexAnyCase | Alphabet::Uuid => b.is_ascii_hexdigit(),
            Alphabet::Alnum => b.is_ascii_alphanumeric(),
            Alphabet::AlnumLower => b.is_ascii_digit() || b.is_ascii_lowercase(),
            Alphabet::AlnumUpper => b.is_ascii_digit() || b.is_ascii_uppercase(),
            Alphabet::Base64url => b.is_ascii_alphanumeric() || b == b'_' || b == b'-',
        }
    }
}

/// Words of which one must be part of the variable name next to the provider's keyword (a
/// `CITY_ID` or `BASE_URL` of the same provider is not a secret).
pub const SECRET_WORDS: &[&str] =
    &["key", "token", "secret", "auth", "pass", "pwd", "credential", "access", "apikey"];

/// One provider entry of `patterns/providers.toml`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderSpec {
    /// The service's display name, e.g. `OpenWeather`.
    pub provider: String,
    /// Rule id (kebab-case), e.g. `openweather-api-key`.
    pub id: String,
    /// Case-insensitive names of the provider as they appear in variable names (`openweather`,
    /// `owm`); each is a prefilter keyword. Letters, digits, `_` and `-` only.
    pub keywords: Vec<String>,
    /// The key's alphabet.
    pub alphabet: Alphabet,
    /// The key's length(s) in characters (ignored for `uuid`).
    #[serde(default)]
    pub length: Vec<usize>,
    /// Where the key's format is documented (https URL).
    pub reference: String,
    /// How bad a leak is; default `high`.
    #[serde(default = "default_severity")]
    pub severity: Severity,
    /// FAQ catalog id a finding cites; default `KF-NO-SECRETS-IN-GIT`.
    #[serde(default = "default_faq")]
    pub faq: String,
    /// What the key is, if not "API key" (e.g. `access token`).
    #[serde(default)]
    pub kind: Option<String>,
    /// Texts the rule must find, with the secret it must extract.
    pub examples: Vec<RuleExample>,
    /// Texts the rule must not report.
    pub negative_examples: Vec<String>,
}

impl ProviderSpec {
    /// The rule this entry stands for. Errors (naming the entry) on an empty keyword list, a
    /// keyword outside `[A-Za-z0-9_-]`, or a missing length.
    pub fn to_rule(&self) -> Result<RuleSpec> {
        if self.keywords.is_empty() {
            bail!("provider {} has no keywords", self.id);
        }
        if let Some(bad) = self
            .keywords
            .iter()
            .find(|k| k.is_empty() || !k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'))
        {
            bail!("provider {}: keyword {bad:?} must be letters, digits, `_` or `-`", self.id);
        }
        if self.alphabet != Alphabet::Uuid && (self.length.is_empty() || self.length.contains(&0)) {
            bail!("provider {} needs `length`, the key's length(s) in characters", self.id);
        }
        let kind = self.kind.as_deref().unwrap_or("API key");
        Ok(RuleSpec {
            description: format!("{} {kind} in a {}-named variable", self.provider, self.provider),
            severity: self.severity,
            reference: self.reference.clone(),
            keywords: self.keywords.clone(),
            regex: self.regex(),
            entropy: Some(if self.alphabet == Alphabet::Uuid { 2.5 } else { 3.0 }),
            require_digit: true,
            max_repeat: Some(5),
            reject_placeholders: true,
            reject_references: true,
            examples: self.examples.clone(),
            negative_examples: self.negative_examples.clone(),
            value_run: Some(self.value_run()),
            ..RuleSpec::bare(&self.id, &self.faq, super::Origin::Keyfence)
        })
    }

    /// The run every value of this key holds (see [`ValueRun`]).
    fn value_run(&self) -> ValueRun {
        let length = match self.alphabet {
            Alphabet::Uuid => 12,
            _ => self.length.iter().copied().min().unwrap_or(1),
        };
        ValueRun { alphabet: self.alphabet, length }
    }

    /// Identifier holding a keyword and a secret word (either order), an assignment, the value.
    fn regex(&self) -> String {
        // A keyword that holds a secret word (`hec_token`) names a secret on its own.
        let (named, bare): (Vec<&String>, Vec<&String>) = self.keywords.iter().partition(|k| {
            let k = k.to_ascii_lowercase();
            SECRET_WORDS.iter().any(|word| k.contains(word))
        });
        let alternation =
            |list: &[&String]| list.iter().map(|k| regex::escape(k)).collect::<Vec<_>>().join("|");
        let words = SECRET_WORDS.join("|");
        let mut names = Vec::new();
        if !bare.is_empty() {
            let bare = alternation(&bare);
            names.push(format!(
                r"(?:{bare})[A-Za-z0-9_.\-]*?(?:{words})|(?:{words})[A-Za-z0-9_.\-]*?(?:{bare})"
            ));
        }
        if !named.is_empty() {
            names.push(format!("(?:{})", alternation(&named)));
        }
        let name = format!(r"(?i:{})[A-Za-z0-9_.\-]*", names.join("|"));
        // `=`, `:`, `:=`, `=>`, `||` / `??` / `or` (an env fallback), `", "` (a getenv default).
        let assign = r#"["'`\]]?\)?\s*(?:=>|:=|=|:|\|\||\?\?|\bor\b|,)\s*["'`]?"#;
        let mut lengths = self.length.clone();
        lengths.sort_unstable_by(|a, b| b.cmp(a));
        lengths.dedup();
        let value = if self.alphabet == Alphabet::Uuid {
            self.alphabet.value_regex(0)
        } else {
            lengths.iter().map(|&n| self.alphabet.value_regex(n)).collect::<Vec<_>>().join("|")
        };
        format!(r"{name}{assign}(?P<secret>{value})(?:[^A-Za-z0-9_\-]|$)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(alphabet: Alphabet, length: Vec<usize>) -> ProviderSpec {
        ProviderSpec {
            provider: "Acme".into(),
            id: "acme-api-key".into(),
            keywords: vec!["acme".into()],
            alphabet,
            length,
            reference: "https://acme.invalid/docs".into(),
            severity: Severity::High,
            faq: "KF-NO-SECRETS-IN-GIT".into(),
            kind: None,
            examples: Vec::new(),
            negative_examples: Vec::new(),
        }
    }

    #[test]
    fn the_value_has_exactly_one_of_the_lengths() {
        let rule = spec(Alphabet::Hex, vec![32, 40]).to_rule().unwrap();
        let regex = regex::Regex::new(&rule.regex).unwrap();
        let secret = |text: &str| regex.captures(text).map(|c| c["secret"].to_owned());
        let v32 = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
        assert_eq!(secret(&format!("ACME_API_KEY={v32}")).as_deref(), Some(v32));
        assert_eq!(
            secret(&format!("api_key_acme: '{v32}0a1b2c3d'")).as_deref(),
            Some(&*format!("{v32}0a1b2c3d"))
        );
        assert_eq!(secret(&format!("ACME_API_KEY={v32}0")), None);
        assert_eq!(secret(&format!("ACME_BASE_URL={v32}")), None);
    }

    #[test]
    fn every_example_holds_the_value_run_and_a_short_value_does_not() {
        let rule = spec(Alphabet::Hex, vec![40, 32]).to_rule().unwrap();
        let run = rule.value_run.unwrap();
        assert_eq!(run.length, 32);
        assert!(run.found_in(format!("ACME_API_KEY='{}'", "0a1b2c3d".repeat(4)).as_bytes()));
        assert!(!run.found_in(format!("ACME_API_KEY='{}'", "0a1b2c3d".repeat(3)).as_bytes()));
        assert!(!run.found_in(format!("ACME_API_KEY='{}'", "0a1b2c3g".repeat(4)).as_bytes()), "g is not hex");
        let uuid = spec(Alphabet::Uuid, vec![]).to_rule().unwrap().value_run.unwrap();
        let groups = ["0a1b2c3d", "0a1b", "4c3d", "8e9f", "0a1b2c3d4e5f"];
        assert!(uuid.found_in(format!("ACME_TOKEN={}", groups.join("-")).as_bytes()));
        assert!(!uuid.found_in(format!("ACME_TOKEN={}", groups[..4].join("-")).as_bytes()));
    }

    #[test]
    fn an_entry_without_length_or_with_an_odd_keyword_is_an_error() {
        let err = spec(Alphabet::Alnum, vec![]).to_rule().unwrap_err();
        assert!(err.to_string().contains("length"), "{err}");
        let mut odd = spec(Alphabet::Alnum, vec![20]);
        odd.keywords = vec!["a.b".into()];
        assert!(odd.to_rule().unwrap_err().to_string().contains("keyword"));
        assert!(spec(Alphabet::Uuid, vec![]).to_rule().is_ok());
    }
}
