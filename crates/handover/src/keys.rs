//! Instance identity (an Ed25519 key pair), the public-key text people paste into
//! `RECIPIENT.pub` files, and the wrapping of 32-byte secrets for a recipient.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload as AeadPayload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use curve25519_dalek::montgomery::MontgomeryPoint;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

/// Prefix of a public key in its text form.
pub const PUBLIC_KEY_PREFIX: &str = "kinga-ed25519:";

/// Name of the only key-wrapping algorithm of format version 1.
pub const WRAP_ALG: &str = "x25519-blake3-xchacha20poly1305";

/// BLAKE3 `derive_key` context of the key-encryption key.
pub const WRAP_CONTEXT: &str = "kinga-handover-v1 key wrap";

/// What can go wrong with keys and key files.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The text is not a Kinga public key.
    #[error("not a Kinga public key: {0}")]
    BadPublicKey(String),
    /// The key file cannot be read or written.
    #[error("key file {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The key file does not hold a key.
    #[error("key file {path}: {reason}")]
    BadKeyFile {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// A wrapped key cannot be opened with this instance's key.
    #[error("wrapped key {key_id}: {reason}")]
    Unwrap {
        /// Its id.
        key_id: String,
        /// Why.
        reason: String,
    },
}

/// An instance's Ed25519 public key: who signs packages, and whom they are wrapped for.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PublicKey(VerifyingKey);

impl PublicKey {
    /// A key from its 32 bytes; refuses points that are not on the curve or of small order,
    /// which would make every signature or key wrap for them meaningless.
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<PublicKey, KeyError> {
        let key = VerifyingKey::from_bytes(bytes)
            .map_err(|_| KeyError::BadPublicKey("the 32 bytes are not an Ed25519 key".into()))?;
        if key.is_weak() {
            return Err(KeyError::BadPublicKey(
                "the key is a small-order point, which anyone could sign for".into(),
            ));
        }
        Ok(PublicKey(key))
    }

    /// The 32 bytes (compressed Edwards y).
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    /// Whether `sig` is this key's signature of `msg` (RFC 8032 with the strict checks).
    pub fn verify(&self, msg: &[u8], sig: &[u8; 64]) -> bool {
        self.0
            .verify_strict(msg, &Signature::from_bytes(sig))
            .is_ok()
    }

    /// The X25519 (Montgomery u) form of this key, the point keys are wrapped to.
    pub fn to_x25519(&self) -> [u8; 32] {
        self.0.to_montgomery().to_bytes()
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{PUBLIC_KEY_PREFIX}{}",
            URL_SAFE_NO_PAD.encode(self.0.as_bytes())
        )
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({self})")
    }
}

impl FromStr for PublicKey {
    type Err = KeyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let body = s.strip_prefix(PUBLIC_KEY_PREFIX).ok_or_else(|| {
            KeyError::BadPublicKey(format!(
                "expected text starting with '{PUBLIC_KEY_PREFIX}', found '{}'",
                s.chars().take(24).collect::<String>()
            ))
        })?;
        // The decoder refuses non-zero trailing bits, so one key has exactly one text form.
        let bytes = URL_SAFE_NO_PAD.decode(body).map_err(|e| {
            KeyError::BadPublicKey(format!(
                "the part after '{PUBLIC_KEY_PREFIX}' is not unpadded base64url: {e}"
            ))
        })?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|b: Vec<u8>| {
            KeyError::BadPublicKey(format!("expected 32 bytes, found {}", b.len()))
        })?;
        PublicKey::from_bytes(&bytes)
    }
}

/// The content of a `.pub` file: a key and, optionally, the instance's name after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKeyLine {
    /// The key.
    pub key: PublicKey,
    /// Who it belongs to, as its instance calls itself (free text, may be empty).
    pub name: String,
}

impl PublicKeyLine {
    /// Parse a `.pub` file: the first line that is neither blank nor a `#` comment holds
    /// `kinga-ed25519:<base64url>` and then, after a space, an optional name.
    pub fn parse(text: &str) -> Result<PublicKeyLine, KeyError> {
        let line = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('#'))
            .ok_or_else(|| KeyError::BadPublicKey("the text holds no key".into()))?;
        let (key, name) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        Ok(PublicKeyLine {
            key: key.parse()?,
            name: name.trim().to_string(),
        })
    }
}

impl fmt::Display for PublicKeyLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.name.is_empty() {
            write!(f, "{}", self.key)
        } else {
            write!(f, "{} {}", self.key, self.name)
        }
    }
}

/// An instance's identity: the Ed25519 key pair that signs its packages and opens the keys
/// wrapped for it.
#[derive(Clone)]
pub struct InstanceKey(SigningKey);

impl fmt::Debug for InstanceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "InstanceKey({})", self.public())
    }
}

impl InstanceKey {
    /// The key pair of a 32-byte seed; the caller supplies the randomness (e.g. `rand::random()`).
    pub fn from_seed(seed: [u8; 32]) -> InstanceKey {
        InstanceKey(SigningKey::from_bytes(&seed))
    }

    /// The public half.
    pub fn public(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }

    /// Sign `msg`.
    pub fn sign(&self, msg: &[u8]) -> [u8; 64] {
        self.0.sign(msg).to_bytes()
    }

    /// Read a key file written by [`InstanceKey::save`]: the seed in hex on one line. Refuses
    /// a file that other users can read, as ssh does, because the key speaks for the instance.
    pub fn load(path: &Path) -> Result<InstanceKey, KeyError> {
        let shown = path.display().to_string();
        let io = |source| KeyError::Io {
            path: shown.clone(),
            source,
        };
        let bad = |reason: String| KeyError::BadKeyFile {
            path: shown.clone(),
            reason,
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path).map_err(io)?.permissions().mode();
            if mode & 0o077 != 0 {
                return Err(bad(format!(
                    "other users may read it (mode {:o}); run chmod 600 on it",
                    mode & 0o777
                )));
            }
        }
        let text = std::fs::read_to_string(path).map_err(io)?;
        let bytes = hex::decode(text.trim())
            .map_err(|e| bad(format!("expected 64 hexadecimal digits: {e}")))?;
        let seed: [u8; 32] = bytes
            .try_into()
            .map_err(|b: Vec<u8>| bad(format!("expected 32 bytes, found {}", b.len())))?;
        Ok(InstanceKey::from_seed(seed))
    }

    /// Write the key to a new file readable only by its owner (0600 from the moment it exists);
    /// refuses to overwrite, since losing a key loses the instance's identity.
    pub fn save(&self, path: &Path) -> Result<(), KeyError> {
        use std::io::Write;
        let io = |source| KeyError::Io {
            path: path.display().to_string(),
            source,
        };
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(path).map_err(io)?;
        f.write_all(format!("{}\n", hex::encode(self.0.to_bytes())).as_bytes())
            .map_err(io)?;
        f.sync_all().map_err(io)
    }

    /// The X25519 secret of this key pair: the first half of SHA-512 of the seed, as Ed25519
    /// uses it; X25519 clamps it.
    fn x25519_secret(&self) -> [u8; 32] {
        self.0.to_scalar_bytes()
    }
}

/// A 32-byte secret encrypted for one recipient, as a `key` record carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrappedKey {
    /// What the secret is (`field-sealing`, `compartment:crsv`, …); bound to the ciphertext.
    pub key_id: String,
    /// The sender's one-time X25519 public key.
    pub ephemeral: [u8; 32],
    /// XChaCha20-Poly1305 nonce.
    pub nonce: [u8; 24],
    /// The encrypted secret and its 16-byte tag.
    pub sealed: [u8; 48],
}

fn kek(shared: &[u8; 32], ephemeral: &[u8; 32], recipient_x: &[u8; 32]) -> [u8; 32] {
    let mut material = [0u8; 96];
    material[..32].copy_from_slice(shared);
    material[32..64].copy_from_slice(ephemeral);
    material[64..].copy_from_slice(recipient_x);
    blake3::derive_key(WRAP_CONTEXT, &material)
}

impl WrappedKey {
    /// Encrypt `secret` for `recipient`. `ephemeral_secret` and `nonce` must be fresh random
    /// bytes (the package writer derives them from its entropy and the secret itself).
    pub fn wrap(
        recipient: &PublicKey,
        key_id: &str,
        secret: &[u8; 32],
        ephemeral_secret: [u8; 32],
        nonce: [u8; 24],
    ) -> Result<WrappedKey, KeyError> {
        let fail = |reason: &str| KeyError::Unwrap {
            key_id: key_id.to_string(),
            reason: reason.to_string(),
        };
        let recipient_x = recipient.to_x25519();
        let ephemeral = MontgomeryPoint::mul_base_clamped(ephemeral_secret).to_bytes();
        let shared = MontgomeryPoint(recipient_x)
            .mul_clamped(ephemeral_secret)
            .to_bytes();
        let cipher = XChaCha20Poly1305::new(&kek(&shared, &ephemeral, &recipient_x).into());
        let ct = cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                AeadPayload {
                    msg: secret,
                    aad: key_id.as_bytes(),
                },
            )
            .map_err(|_| fail("encryption failed"))?;
        let sealed: [u8; 48] = ct
            .try_into()
            .map_err(|_| fail("the cipher gave an unexpected length"))?;
        Ok(WrappedKey {
            key_id: key_id.to_string(),
            ephemeral,
            nonce,
            sealed,
        })
    }

    /// Open the secret with the recipient's key pair.
    pub fn unwrap_key(&self, recipient: &InstanceKey) -> Result<[u8; 32], KeyError> {
        let fail = |reason: &str| KeyError::Unwrap {
            key_id: self.key_id.clone(),
            reason: reason.to_string(),
        };
        let recipient_x = recipient.public().to_x25519();
        let shared = MontgomeryPoint(self.ephemeral)
            .mul_clamped(recipient.x25519_secret())
            .to_bytes();
        if shared == [0u8; 32] {
            return Err(fail("the ephemeral key is a small-order point"));
        }
        let cipher = XChaCha20Poly1305::new(&kek(&shared, &self.ephemeral, &recipient_x).into());
        let plain = cipher
            .decrypt(
                XNonce::from_slice(&self.nonce),
                AeadPayload {
                    msg: &self.sealed,
                    aad: self.key_id.as_bytes(),
                },
            )
            .map_err(|_| fail("it was not wrapped for this instance's key, or it was altered"))?;
        plain
            .try_into()
            .map_err(|_| fail("the secret is not 32 bytes"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_key_text_round_trips_with_a_name() {
        let k = InstanceKey::from_seed([7; 32]);
        let line = PublicKeyLine {
            key: k.public(),
            name: "Kinga Goma (MONUSCO)".into(),
        };
        let text = format!("# handed over 2026-03\n{line}\n");
        assert_eq!(PublicKeyLine::parse(&text).unwrap(), line);
        assert!(line.to_string().starts_with("kinga-ed25519:"));
        assert_eq!(line.to_string().split(' ').next().unwrap().len(), 14 + 43);
    }

    #[test]
    fn public_key_parsing_says_what_is_wrong() {
        let msg = |t: &str| PublicKeyLine::parse(t).unwrap_err().to_string();
        assert!(msg("").contains("no key"));
        assert!(msg("ssh-ed25519 AAAA").contains("kinga-ed25519:"));
        assert!(msg("kinga-ed25519:***").contains("base64url"));
        assert!(msg("kinga-ed25519:AAAA").contains("32 bytes"));
        // The identity point is of small order.
        let mut id = [0u8; 32];
        id[0] = 1;
        let t = format!("kinga-ed25519:{}", URL_SAFE_NO_PAD.encode(id));
        assert!(msg(&t).contains("small-order"));
    }

    #[test]
    fn a_wrapped_key_opens_only_for_its_recipient_and_its_id() {
        let bob = InstanceKey::from_seed([2; 32]);
        let eve = InstanceKey::from_seed([3; 32]);
        let secret = [42u8; 32];
        let w =
            WrappedKey::wrap(&bob.public(), "field-sealing", &secret, [9; 32], [5; 24]).unwrap();
        assert_eq!(w.unwrap_key(&bob).unwrap(), secret);
        assert!(w.unwrap_key(&eve).is_err());
        let mut renamed = w.clone();
        renamed.key_id = "compartment:crsv".into();
        assert!(renamed.unwrap_key(&bob).is_err());
    }

    #[test]
    fn key_files_are_private_and_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("instance.key");
        let k = InstanceKey::from_seed([11; 32]);
        k.save(&path).unwrap();
        assert_eq!(InstanceKey::load(&path).unwrap().public(), k.public());
        assert!(InstanceKey::from_seed([12; 32]).save(&path).is_err());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            assert!(
                InstanceKey::load(&path)
                    .unwrap_err()
                    .to_string()
                    .contains("chmod 600")
            );
        }
    }
}
