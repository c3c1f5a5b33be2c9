//! Sealing of sensitive fields (focal points' names and numbers, reporters' numbers) with the
//! instance key, and keyed digests that let a number be matched without being stored in clear.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

use kinga_domain::phone::normalize_msisdn;
use kinga_store::{AlertQuery, Store};

use crate::{AppError, AppResult};

/// Holds the instance key. Sealed values are `v1.<base64(nonce || ciphertext)>`.
pub struct Sealer {
    cipher: XChaCha20Poly1305,
    wrap: XChaCha20Poly1305,
    digest_key: [u8; 32],
    anchor_key: [u8; 32],
    check: String,
    /// The key itself: a handover wraps it for the recipient, who seals and opens with it.
    master: [u8; 32],
}

/// Name of the stored key check value in the store's `meta` table.
pub const KEY_CHECK: &str = "key_check";

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(..)")
    }
}

impl Sealer {
    /// A sealer over a 32-byte key.
    pub fn new(key: [u8; 32]) -> Sealer {
        // Separate keys for encryption and digests, so neither use weakens the other.
        let enc = blake3::derive_key("kinga 2026 field encryption", &key);
        let digest_key = blake3::derive_key("kinga 2026 phone digest", &key);
        let anchor_key = blake3::derive_key("kinga 2026 ledger anchor", &key);
        let wrap = blake3::derive_key("kinga 2026 compartment key wrap", &key);
        // A check value tells which key a database was sealed with without revealing it.
        let check = hex::encode(&blake3::derive_key("kinga 2026 key check value", &key)[..8]);
        Sealer {
            cipher: XChaCha20Poly1305::new(&enc.into()),
            wrap: XChaCha20Poly1305::new(&wrap.into()),
            digest_key,
            anchor_key,
            check,
            master: key,
        }
    }

    /// The key check value of a key, without building a sealer.
    pub fn check_value_of(key: &[u8; 32]) -> String {
        Sealer::new(*key).check
    }

    /// The master key, to be wrapped for the recipient of a handover.
    pub(crate) fn master_key(&self) -> &[u8; 32] {
        &self.master
    }

    /// The key check value stored beside sealed data (16 hex digits).
    pub fn check_value(&self) -> &str {
        &self.check
    }

    /// Key of the chain-head anchor's MAC.
    pub(crate) fn anchor_key(&self) -> &[u8; 32] {
        &self.anchor_key
    }

    /// Open the key of a database: the key file must exist and match the check value kept in
    /// the database whenever the database holds sealed data; a new key is written only for a
    /// database that holds none, so a lost key file is never silently replaced.
    pub async fn for_store(path: &std::path::Path, store: &dyn Store) -> AppResult<Sealer> {
        let stored = store.meta(KEY_CHECK).await?;
        if let Some(check) = &stored {
            complete_key_swap(path, check)?;
        }
        if !path.exists() {
            let sealed = stored.is_some() || holds_sealed_data(store).await?;
            if sealed {
                return Err(AppError::Crypto(format!(
                    "the database holds sealed data (focal points' names and numbers, reporters' \
                     numbers) but the key file {} is missing. Restore it from your backup (the file \
                     created at first start, kept apart from the database) to that path, or point \
                     security.key_file (KINGA_SECURITY_KEY_FILE) at it. Kinga will not create a \
                     new key beside sealed data: nothing sealed could be read with it.",
                    path.display()
                )));
            }
        }
        let sealer = Sealer::load_or_create(path)?;
        match stored {
            Some(check) if check != sealer.check_value() => Err(AppError::Crypto(format!(
                "the key file {} does not match this database (its key check value is {}, the \
                 database was sealed with the key whose check value is {check}). Restore the \
                 right key file from your backup.",
                path.display(),
                sealer.check_value()
            ))),
            Some(_) => Ok(sealer),
            None => {
                store.set_meta(KEY_CHECK, sealer.check_value()).await?;
                Ok(sealer)
            }
        }
    }

    /// Load the key from `path`, creating it (mode 0600) when missing.
    pub fn load_or_create(path: &std::path::Path) -> AppResult<Sealer> {
        let err = |e: std::io::Error| AppError::Crypto(format!("key file {}: {e}", path.display()));
        if path.exists() {
            return Ok(Sealer::new(read_key_file(path)?));
        }
        let key: [u8; 32] = rand::random();
        crate::files::replace_private(path, hex::encode(key).as_bytes()).map_err(err)?;
        Ok(Sealer::new(key))
    }

    /// Encrypt a value.
    pub fn seal(&self, plain: &str) -> AppResult<String> {
        let nonce: [u8; 24] = rand::random();
        let ct = self
            .cipher
            .encrypt(XNonce::from_slice(&nonce), plain.as_bytes())
            .map_err(|_| AppError::Crypto("encryption failed".into()))?;
        let mut buf = nonce.to_vec();
        buf.extend_from_slice(&ct);
        Ok(format!("v1.{}", URL_SAFE_NO_PAD.encode(buf)))
    }

    /// Decrypt a value sealed by [`Sealer::seal`] with the same key.
    pub fn open(&self, sealed: &str) -> AppResult<String> {
        let bad =
            || AppError::Crypto("sealed value is damaged or was sealed with another key".into());
        let body = sealed.strip_prefix("v1.").ok_or_else(bad)?;
        let buf = URL_SAFE_NO_PAD.decode(body).map_err(|_| bad())?;
        if buf.len() < 24 {
            return Err(bad());
        }
        let (nonce, ct) = buf.split_at(24);
        let plain = self
            .cipher
            .decrypt(XNonce::from_slice(nonce), ct)
            .map_err(|_| bad())?;
        String::from_utf8(plain).map_err(|_| bad())
    }

    /// Seal a file's bytes (attachments): `nonce || ciphertext`. The nonce is a keyed digest
    /// of the content, so the same file seals to the same bytes and stays content-addressed;
    /// two files share a nonce only when they are the same file.
    pub fn seal_bytes(&self, plain: &[u8]) -> AppResult<Vec<u8>> {
        let nonce_key = blake3::derive_key("kinga 2026 media nonce", &self.master);
        let nonce = blake3::keyed_hash(&nonce_key, plain);
        let nonce = &nonce.as_bytes()[..24];
        let ct = self
            .cipher
            .encrypt(
                XNonce::from_slice(nonce),
                chacha20poly1305::aead::Payload {
                    msg: plain,
                    aad: b"kinga media v1",
                },
            )
            .map_err(|_| AppError::Crypto("encryption failed".into()))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        Ok(out)
    }

    /// Open bytes sealed by [`Sealer::seal_bytes`] with the same key.
    pub fn open_bytes(&self, sealed: &[u8]) -> AppResult<Vec<u8>> {
        if sealed.len() < 24 {
            return Err(AppError::Crypto("sealed file is damaged".into()));
        }
        let (nonce, ct) = sealed.split_at(24);
        self.cipher
            .decrypt(
                XNonce::from_slice(nonce),
                chacha20poly1305::aead::Payload {
                    msg: ct,
                    aad: b"kinga media v1",
                },
            )
            .map_err(|_| {
                AppError::Crypto("sealed file is damaged or was sealed with another key".into())
            })
    }

    /// Wrap a compartment key under the master key, bound to `label` (the compartment and
    /// version), so a wrapped key copied to another row does not open.
    pub fn wrap_key(&self, label: &str, key: &[u8; 32]) -> AppResult<String> {
        let nonce: [u8; 24] = rand::random();
        let ct = self
            .wrap
            .encrypt(
                XNonce::from_slice(&nonce),
                chacha20poly1305::aead::Payload {
                    msg: key,
                    aad: label.as_bytes(),
                },
            )
            .map_err(|_| AppError::Crypto("key wrapping failed".into()))?;
        let mut buf = nonce.to_vec();
        buf.extend_from_slice(&ct);
        Ok(format!("w1.{}", URL_SAFE_NO_PAD.encode(buf)))
    }

    /// Unwrap a key wrapped by [`Sealer::wrap_key`] with the same master key and label.
    pub fn unwrap_key(&self, label: &str, wrapped: &str) -> AppResult<[u8; 32]> {
        let bad = || {
            AppError::Crypto(format!(
                "the compartment key {label} does not open with this master key: the key file \
                 is not the one this database was sealed with, or the key row was altered"
            ))
        };
        let body = wrapped.strip_prefix("w1.").ok_or_else(bad)?;
        let buf = URL_SAFE_NO_PAD.decode(body).map_err(|_| bad())?;
        if buf.len() < 24 {
            return Err(bad());
        }
        let (nonce, ct) = buf.split_at(24);
        let plain = self
            .wrap
            .decrypt(
                XNonce::from_slice(nonce),
                chacha20poly1305::aead::Payload {
                    msg: ct,
                    aad: label.as_bytes(),
                },
            )
            .map_err(|_| bad())?;
        plain.try_into().map_err(|_| bad())
    }

    /// Keyed digest of a normalised phone number.
    pub fn phone_digest(&self, msisdn: &str) -> String {
        blake3::keyed_hash(&self.digest_key, msisdn.as_bytes()).to_hex()[..32].to_string()
    }
}

/// Where a handover import stages the master key it brings until its commit is durable.
pub fn incoming_key_path(path: &std::path::Path) -> std::path::PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(".incoming");
    p.into()
}

/// Finish a key swap that an import left half-done: its commit (which stores the new key
/// check value) is durable but the process died before the staged key replaced the old
/// file. The staged key is taken only when the database says it is the one it was sealed
/// with; the replaced key is kept aside, never deleted.
pub fn complete_key_swap(path: &std::path::Path, stored_check: &str) -> AppResult<()> {
    let incoming = incoming_key_path(path);
    if !incoming.exists() {
        return Ok(());
    }
    let err = |e: std::io::Error| AppError::Crypto(format!("key file {}: {e}", path.display()));
    let staged = read_key_file(&incoming)?;
    if Sealer::check_value_of(&staged) != stored_check {
        // An import that never committed: its staged key seals nothing here.
        return Ok(());
    }
    if path.exists() {
        let current = read_key_file(path)?;
        if current != staged {
            let aside = aside_key_path(path);
            std::fs::rename(path, &aside).map_err(err)?;
            tracing::warn!(old = %aside.display(), "the key file was replaced by the one a handover brought; the old one is kept aside");
        }
    }
    std::fs::rename(&incoming, path).map_err(err)
}

/// A name beside `path` for a replaced key file that nothing else uses.
fn aside_key_path(path: &std::path::Path) -> std::path::PathBuf {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    let mut p = path.as_os_str().to_owned();
    p.push(format!(".replaced-{stamp}-{:04x}", rand::random::<u16>()));
    p.into()
}

/// The 32 bytes of a key file (64 hex digits).
pub fn read_key_file(path: &std::path::Path) -> AppResult<[u8; 32]> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| AppError::Crypto(format!("key file {}: {e}", path.display())))?;
    let bytes = hex::decode(text.trim())
        .map_err(|e| AppError::Crypto(format!("key file {} is not hex: {e}", path.display())))?;
    bytes
        .try_into()
        .map_err(|_| AppError::Crypto(format!("key file {} must hold 32 bytes", path.display())))
}

/// True when a database written before key check values existed may hold sealed fields.
async fn holds_sealed_data(store: &dyn Store) -> AppResult<bool> {
    if !store.focal_points().await?.is_empty() || !store.compartment_keys().await?.is_empty() {
        return Ok(true);
    }
    let any = store
        .alerts(&AlertQuery {
            limit: 1,
            ..Default::default()
        })
        .await?;
    Ok(any.total > 0)
}

impl crate::App {
    /// A phone number in E.164, completing national numbers with the deployment's country
    /// code; the digest and seal of a number are always taken of this form.
    pub fn normalize_phone(&self, raw: &str) -> AppResult<String> {
        normalize_msisdn(raw, &self.settings.phone.default_country_code)
            .map_err(|e| AppError::Invalid(format!("'{}' is not a phone number: {e}", raw.trim())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_round_trips_and_differs_each_time() {
        let s = Sealer::new([7; 32]);
        let a = s.seal("+243990000001").unwrap();
        let b = s.seal("+243990000001").unwrap();
        assert_ne!(a, b);
        assert!(!a.contains("243990"));
        assert_eq!(s.open(&a).unwrap(), "+243990000001");
        assert!(Sealer::new([8; 32]).open(&a).is_err());
        assert!(s.open("v1.garbage").is_err());
    }

    #[test]
    fn wrapped_keys_open_only_with_their_master_key_and_label() {
        let s = Sealer::new([7; 32]);
        let w = s.wrap_key("crsv:1", &[42; 32]).unwrap();
        assert_eq!(s.unwrap_key("crsv:1", &w).unwrap(), [42; 32]);
        assert!(s.unwrap_key("crsv:2", &w).is_err());
        assert!(Sealer::new([8; 32]).unwrap_key("crsv:1", &w).is_err());
    }

    #[test]
    fn a_staged_key_replaces_the_file_only_when_the_database_says_so() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("kinga.key");
        let (old, new) = ([1u8; 32], [2u8; 32]);
        crate::files::replace_private(&path, hex::encode(old).as_bytes()).unwrap();
        crate::files::replace_private(&incoming_key_path(&path), hex::encode(new).as_bytes())
            .unwrap();
        // An import that never committed: the database still has the old check value.
        complete_key_swap(&path, &Sealer::check_value_of(&old)).unwrap();
        assert_eq!(read_key_file(&path).unwrap(), old);
        // Its commit is durable: the staged key takes the file's place, the old one kept aside.
        complete_key_swap(&path, &Sealer::check_value_of(&new)).unwrap();
        assert_eq!(read_key_file(&path).unwrap(), new);
        assert!(!incoming_key_path(&path).exists());
        let aside = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().contains(".replaced-"))
            .count();
        assert_eq!(aside, 1);
    }

    #[test]
    fn digest_is_stable_and_keyed() {
        let s = Sealer::new([7; 32]);
        assert_eq!(s.phone_digest("+2431"), s.phone_digest("+2431"));
        assert_ne!(
            s.phone_digest("+2431"),
            Sealer::new([9; 32]).phone_digest("+2431")
        );
    }
}
