//! Fingerprints: a finding's stable id, for baselines and for code scanning to track a finding
//! across runs.
//!
//! A fingerprint is the hex HMAC-SHA-256 of the rule id, the path and the secret
//! (NUL-separated) under a key. A plain hash of the same fields would let anyone who reads a
//! report or a committed baseline confirm a guessed short password offline; with a key, only
//! someone who also holds the key can. No line number goes in, so an entry survives edits that
//! move the secret; a moved or renamed file, or a rotated secret, is a new finding.
//!
//! Where the key comes from, first found wins: `[scan] fingerprint_key` in the configuration;
//! the `fingerprint_key` in the header of the baseline in use (`keyfence baseline` generates one
//! when it writes a new file, and keeps it when it rewrites one); else keyfence's built-in key,
//! which is public: such fingerprints are stable everywhere but protect a short secret no
//! better than a plain hash, and reports say so (`fingerprint_kind`).

use anyhow::Result;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// `fingerprint_kind` of fingerprints made with a key of the repository's (configuration or
/// baseline).
pub const KEYED: &str = "hmac-sha256";
/// `fingerprint_kind` of fingerprints made with keyfence's public built-in key.
pub const BUILTIN_KEY: &str = "hmac-sha256-builtin-key";
/// `fingerprint_kind` of old baselines: plain SHA-256, no key (read, never written).
pub const UNKEYED: &str = "sha256";

/// The public key used when no key is configured (see the module doc).
const BUILTIN: &[u8] = b"keyfence built-in fingerprint key, version 1";
/// Shortest key accepted from a configuration, in bytes: shorter keys are guessable.
pub const MIN_KEY_LEN: usize = 16;

/// Where a key came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    /// `[scan] fingerprint_key`.
    Config,
    /// The baseline file's header.
    Baseline,
    /// keyfence's public built-in key.
    Builtin,
}

/// A fingerprint key.
#[derive(Clone, PartialEq, Eq)]
pub struct FingerprintKey {
    bytes: Vec<u8>,
    source: KeySource,
}

impl std::fmt::Debug for FingerprintKey {
    // Never print the key itself.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FingerprintKey").field("source", &self.source).finish_non_exhaustive()
    }
}

impl FingerprintKey {
    /// keyfence's public built-in key.
    pub fn builtin() -> FingerprintKey {
        FingerprintKey { bytes: BUILTIN.to_vec(), source: KeySource::Builtin }
    }

    /// A key given as text (its UTF-8 bytes are the key). Errors, without quoting it, when it
    /// is shorter than [`MIN_KEY_LEN`] bytes.
    pub fn from_text(text: &str, source: KeySource) -> Result<FingerprintKey> {
        if text.trim().len() < MIN_KEY_LEN {
            anyhow::bail!("a fingerprint key needs at least {MIN_KEY_LEN} characters");
        }
        Ok(FingerprintKey { bytes: text.trim().as_bytes().to_vec(), source })
    }

    /// A new random key (32 bytes from the operating system), as 64 hex digits, for a new
    /// baseline's header.
    pub fn generate() -> Result<String> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)
            .map_err(|err| anyhow::anyhow!("cannot get random bytes for a key: {err}"))?;
        Ok(hex(&bytes))
    }

    /// Where the key came from.
    pub fn source(&self) -> KeySource {
        self.source
    }

    /// The `fingerprint_kind` of fingerprints made with this key.
    pub fn kind(&self) -> &'static str {
        match self.source {
            KeySource::Builtin => BUILTIN_KEY,
            KeySource::Config | KeySource::Baseline => KEYED,
        }
    }

    /// Hex HMAC-SHA-256 of `rule_id`, `path` and `secret`, each followed by a NUL byte.
    pub fn fingerprint(&self, rule_id: &str, path: &str, secret: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.bytes).expect("HMAC takes a key of any length");
        for part in [rule_id, path, secret] {
            mac.update(part.as_bytes());
            mac.update(&[0]);
        }
        hex(&mac.finalize().into_bytes())
    }
}

/// The unkeyed fingerprint of keyfence 0.1 baselines: hex SHA-256 of the same fields. Used only
/// to match the entries of an old baseline.
pub fn unkeyed(rule_id: &str, path: &str, secret: &str) -> String {
    let mut hasher = Sha256::new();
    for part in [rule_id, path, secret] {
        hasher.update(part.as_bytes());
        hasher.update([0u8]);
    }
    hex(&hasher.finalize())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyed_fingerprints_differ_from_plain_hashes_and_between_keys() {
        let builtin = FingerprintKey::builtin();
        let mine = FingerprintKey::from_text("0123456789abcdef0123", KeySource::Config).unwrap();
        let fp = mine.fingerprint("r", "p", "s");
        assert_eq!(fp, mine.fingerprint("r", "p", "s"), "stable");
        assert_eq!(fp.len(), 64);
        assert_ne!(fp, unkeyed("r", "p", "s"));
        assert_ne!(fp, builtin.fingerprint("r", "p", "s"));
        assert_ne!(mine.fingerprint("r", "ps", ""), fp, "fields are separated");
        assert_eq!(mine.kind(), KEYED);
        assert_eq!(builtin.kind(), BUILTIN_KEY);
    }

    #[test]
    fn short_keys_are_refused_without_quoting_them() {
        let err = FingerprintKey::from_text("hunter2", KeySource::Config).unwrap_err();
        assert!(!format!("{err:#}").contains("hunter2"));
        assert_eq!(FingerprintKey::generate().unwrap().len(), 64);
        assert!(!format!("{:?}", FingerprintKey::builtin()).contains("built-in fingerprint"));
    }
}
