//! Compartment keys: one random key per compartment and version, wrapped by the master key and
//! kept in the database (as ledger events and rows); identifying fields of incidents are
//! sealed with the current key of their compartment. Rotation re-seals every record of a
//! compartment under a new key in one commit.

use std::collections::HashMap;
use std::sync::RwLock;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload as AeadPayload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

use kinga_domain::compartment::{Compartment, CompartmentKey};
use kinga_domain::incident::Incident;
use kinga_domain::people::Permission;
use kinga_ledger::Payload;
use kinga_store::{Commit, IncidentQuery, StoreError, Write};

use crate::{App, AppError, AppResult, Caller};

/// Prefix of a value sealed with a compartment key: `c1.<compartment>.<version>.<base64>`.
const PREFIX: &str = "c1";

/// The opened compartment keys, by compartment and version, and each compartment's current
/// version. Filled from the store on demand, so keys made by another server are found.
#[derive(Default)]
pub struct Keyring {
    keys: RwLock<HashMap<(Compartment, u32), XChaCha20Poly1305>>,
    current: RwLock<HashMap<Compartment, u32>>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keyring(..)")
    }
}

/// The label a key is wrapped under: a wrapped key moved to another row does not open.
pub(crate) fn label(c: Compartment, version: u32) -> String {
    format!("{c}:{version}")
}

/// The associated data of a sealed field: a value moved to another compartment does not open.
fn aad(c: Compartment) -> Vec<u8> {
    format!("kinga incident field {c}").into_bytes()
}

fn poisoned() -> AppError {
    AppError::Crypto("the keyring lock was poisoned".into())
}

/// What a read shows of a sealed field that no key held here opens: the record was sealed by
/// another instance and came by sync (which carries no key). It opens there, or here once that
/// instance's records are handed over with their keys.
pub const SEALED_ELSEWHERE: &str =
    "[sealed by the instance that recorded it: its key is not held here]";

impl App {
    /// Load every compartment key from the store, unwrapping each with the master key; a
    /// wrong master key fails here, loudly.
    pub(crate) async fn load_keys(&self) -> AppResult<()> {
        let stored = self.store.compartment_keys().await?;
        let mut keys = HashMap::new();
        let mut current: HashMap<Compartment, u32> = HashMap::new();
        for k in &stored {
            let raw = self
                .sealer
                .unwrap_key(&label(k.compartment, k.version), &k.wrapped)?;
            keys.insert(
                (k.compartment, k.version),
                XChaCha20Poly1305::new(&raw.into()),
            );
            if !k.retired {
                let v = current.entry(k.compartment).or_insert(k.version);
                *v = (*v).max(k.version);
            }
        }
        *self.keyring.keys.write().map_err(|_| poisoned())? = keys;
        *self.keyring.current.write().map_err(|_| poisoned())? = current;
        Ok(())
    }

    fn current_version(&self, c: Compartment) -> AppResult<Option<u32>> {
        Ok(self
            .keyring
            .current
            .read()
            .map_err(|_| poisoned())?
            .get(&c)
            .copied())
    }

    /// The current key version of a compartment, creating the first key when there is none.
    /// The keys are read again first: another process (a rotation at the command line,
    /// another server) may have made a new one.
    pub(crate) async fn key_for(&self, c: Compartment) -> AppResult<u32> {
        self.load_keys().await?;
        if let Some(v) = self.current_version(c)? {
            return Ok(v);
        }
        let (_, write, event) = self.new_key(c, 1)?;
        match self
            .commit(Commit {
                events: vec![event],
                writes: vec![write],
            })
            .await
        {
            // Another server made the first key at the same moment: use that one.
            Ok(_) | Err(StoreError::Duplicate(_)) => {}
            Err(e) => return Err(e.into()),
        }
        self.load_keys().await?;
        self.current_version(c)?
            .ok_or_else(|| AppError::Crypto(format!("no key for compartment {c}")))
    }

    /// A new random key for a compartment at `version`, wrapped, with its row and event.
    fn new_key(
        &self,
        c: Compartment,
        version: u32,
    ) -> AppResult<(CompartmentKey, Write, kinga_ledger::DraftEvent)> {
        let raw: [u8; 32] = rand::random();
        let key = CompartmentKey {
            compartment: c,
            version,
            wrapped: self.sealer.wrap_key(&label(c, version), &raw)?,
            created_at: self.now(),
            retired: false,
        };
        let event = self.draft("system", Payload::CompartmentKeySaved { key: key.clone() });
        Ok((key.clone(), Write::CompartmentKey(key), event))
    }

    fn seal_with(&self, c: Compartment, version: u32, plain: &str) -> AppResult<String> {
        let keys = self.keyring.keys.read().map_err(|_| poisoned())?;
        let cipher = keys
            .get(&(c, version))
            .ok_or_else(|| AppError::Crypto(format!("no key {c}:{version}")))?;
        let nonce: [u8; 24] = rand::random();
        let ct = cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                AeadPayload {
                    msg: plain.as_bytes(),
                    aad: &aad(c),
                },
            )
            .map_err(|_| AppError::Crypto("encryption failed".into()))?;
        let mut buf = nonce.to_vec();
        buf.extend_from_slice(&ct);
        Ok(format!(
            "{PREFIX}.{c}.{version}.{}",
            URL_SAFE_NO_PAD.encode(buf)
        ))
    }

    fn open_with(&self, c: Compartment, sealed: &str) -> AppResult<String> {
        let bad = || AppError::Crypto(format!("a sealed field of compartment {c} does not open"));
        let mut parts = sealed.splitn(4, '.');
        let (Some(PREFIX), Some(comp), Some(version), Some(body)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        if comp != c.as_str() {
            return Err(bad());
        }
        let version: u32 = version.parse().map_err(|_| bad())?;
        let buf = URL_SAFE_NO_PAD.decode(body).map_err(|_| bad())?;
        if buf.len() < 24 {
            return Err(bad());
        }
        let (nonce, ct) = buf.split_at(24);
        let keys = self.keyring.keys.read().map_err(|_| poisoned())?;
        let cipher = keys.get(&(c, version)).ok_or_else(bad)?;
        let plain = cipher
            .decrypt(
                XNonce::from_slice(nonce),
                AeadPayload {
                    msg: ct,
                    aad: &aad(c),
                },
            )
            .map_err(|_| bad())?;
        String::from_utf8(plain).map_err(|_| bad())
    }

    /// Seal one text with a compartment's current key.
    pub(crate) async fn seal_text(&self, c: Compartment, plain: &str) -> AppResult<String> {
        let version = self.key_for(c).await?;
        self.seal_with(c, version, plain)
    }

    /// Seal an incident's identifying fields with its compartment's current key.
    pub(crate) async fn seal_incident(&self, i: &mut Incident) -> AppResult<()> {
        let c = i.compartment;
        if i.identifying_mut().is_empty() {
            return Ok(());
        }
        let version = self.key_for(c).await?;
        for field in i.identifying_mut() {
            *field = self.seal_with(c, version, field)?;
        }
        Ok(())
    }

    /// Open an incident's sealed fields (reloading the keys once if one is new to us). A
    /// field no key held here opens — a record another instance sealed, received by sync,
    /// which never carries keys — reads [`SEALED_ELSEWHERE`], and the answer is `false`.
    pub(crate) async fn open_incident(&self, i: &mut Incident) -> AppResult<bool> {
        let c = i.compartment;
        let needs_reload = {
            let keys = self.keyring.keys.read().map_err(|_| poisoned())?;
            i.identifying_mut().iter().any(|f| {
                let version = f.split('.').nth(2).and_then(|v| v.parse::<u32>().ok());
                version.is_some_and(|v| !keys.contains_key(&(c, v)))
            })
        };
        if needs_reload {
            self.load_keys().await?;
        }
        let mut all = true;
        let id = i.id.clone();
        for field in i.identifying_mut() {
            match self.open_with(c, field) {
                Ok(plain) => *field = plain,
                Err(AppError::Crypto(_)) => {
                    *field = SEALED_ELSEWHERE.to_string();
                    all = false;
                }
                Err(e) => return Err(e),
            }
        }
        if !all {
            tracing::info!(incident = %id, "fields sealed by another instance stay sealed");
        }
        Ok(all)
    }

    /// Replace a compartment's key: a new random key becomes current, the old one is retired
    /// (kept, so older ledger events stay readable), and every incident of the compartment is
    /// re-sealed under the new key, all in one commit with its events and an audit entry.
    /// Returns the new version and the number of incidents re-sealed.
    pub async fn rotate_compartment_key(
        &self,
        caller: &Caller,
        c: Compartment,
    ) -> AppResult<(u32, usize)> {
        caller.require(Permission::ManageUsers)?;
        self.load_keys().await?;
        let stored = self.store.compartment_keys().await?;
        let version = stored
            .iter()
            .filter(|k| k.compartment == c)
            .map(|k| k.version)
            .max()
            .unwrap_or(0)
            + 1;
        let (_, key_write, key_event) = self.new_key(c, version)?;
        let mut commit = Commit {
            events: vec![key_event],
            writes: vec![key_write.clone()],
        };
        for old in stored.iter().filter(|k| k.compartment == c && !k.retired) {
            let mut retired = old.clone();
            retired.retired = true;
            commit.events.push(self.draft(
                &caller.name,
                Payload::CompartmentKeySaved {
                    key: retired.clone(),
                },
            ));
            commit.writes.push(Write::CompartmentKey(retired));
        }
        // Every record opened first (with the keys as stored), then sealed under the new key.
        let mut opened = Vec::new();
        let mut offset = 0;
        loop {
            let page = self
                .store
                .incidents(&IncidentQuery {
                    compartments: vec![c],
                    limit: 1000,
                    offset,
                    ..Default::default()
                })
                .await?;
            if page.items.is_empty() {
                break;
            }
            offset += page.items.len();
            for mut i in page.items {
                // A record sealed by another instance stays sealed with that instance's key:
                // it cannot be resealed here, and is left as it came.
                if self.open_incident(&mut i).await? {
                    opened.push(i);
                }
            }
        }
        // The new key must seal before the commit that stores it.
        if let Write::CompartmentKey(k) = &key_write {
            let raw = self.sealer.unwrap_key(&label(c, version), &k.wrapped)?;
            self.keyring
                .keys
                .write()
                .map_err(|_| poisoned())?
                .insert((c, version), XChaCha20Poly1305::new(&raw.into()));
        }
        let resealed = opened.len();
        for mut i in opened {
            let expected = i.version;
            for field in i.identifying_mut() {
                *field = self.seal_with(c, version, field)?;
            }
            i.version += 1;
            i.updated_at = self.now();
            commit.events.push(self.draft(
                &caller.name,
                Payload::IncidentSaved {
                    incident: i.clone(),
                },
            ));
            commit.writes.push(Write::Incident {
                incident: Box::new(i),
                expected_version: Some(expected),
            });
        }
        let (event, write) = self.audit_parts(
            caller,
            "rotate_compartment_key",
            &format!("compartment:{c}"),
            &format!("new key version {version}; {resealed} incident(s) re-sealed"),
        );
        commit.events.push(event);
        commit.writes.push(write);
        let done = self.commit(commit).await;
        // Whatever happened, the keyring goes back to what the store holds.
        self.load_keys().await?;
        done?;
        Ok((version, resealed))
    }
}
