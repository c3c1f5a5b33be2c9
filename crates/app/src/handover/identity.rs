//! The instance's identity: an Ed25519 key kept in a private file beside the master key
//! (never in the database), made on first use, and a name kept in the database's `meta`.

use std::path::{Path, PathBuf};

use kinga_domain::people::Permission;
use kinga_handover::{InstanceKey, KeyError, PublicKeyLine};
use kinga_store::Store;

use crate::{AppError, AppResult, Caller, Settings};

/// Name of the instance's name in the store's `meta` table.
const NAME: &str = "instance_name";

/// Longest instance name (it travels in package headers and `.pub` files).
const MAX_NAME: usize = 200;

/// Who this instance is.
#[derive(Debug, Clone)]
pub struct Identity {
    /// The instance id: the origin of the events made here.
    pub instance: String,
    /// The name people know it by.
    pub name: String,
    /// Its key pair.
    pub key: InstanceKey,
}

impl Identity {
    /// The line of its `.pub` file: the public key, then the name.
    pub fn public_line(&self) -> PublicKeyLine {
        PublicKeyLine {
            key: self.key.public(),
            name: self.name.clone(),
        }
    }
}

/// Where the instance key lives: the configured file, else beside the master key file
/// (`kinga.key` → `kinga.instance-key`).
pub fn instance_key_path(settings: &Settings) -> PathBuf {
    if !settings.instance.key_file.is_empty() {
        return PathBuf::from(&settings.instance.key_file);
    }
    let master = crate::key_path(settings).display().to_string();
    let stem = master.strip_suffix(".key").unwrap_or(&master);
    PathBuf::from(format!("{stem}.instance-key"))
}

fn key_err(e: KeyError) -> AppError {
    AppError::Crypto(e.to_string())
}

/// The key at `path`, made (and saved, readable by its owner only) when there is none.
fn load_or_create(path: &Path) -> AppResult<InstanceKey> {
    if path.exists() {
        return InstanceKey::load(path).map_err(key_err);
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| AppError::Crypto(format!("cannot create {}: {e}", dir.display())))?;
    }
    let key = InstanceKey::from_seed(rand::random());
    match key.save(path) {
        Ok(()) => {
            tracing::info!(path = %path.display(), key = %key.public(), "instance key created");
            Ok(key)
        }
        // Another process made it first: that one is the instance's.
        Err(KeyError::Io { source, .. }) if source.kind() == std::io::ErrorKind::AlreadyExists => {
            InstanceKey::load(path).map_err(key_err)
        }
        Err(e) => Err(key_err(e)),
    }
}

/// The instance's name, given on first use (`instance.name`, else `Kinga <instance id>`).
pub async fn instance_name(store: &dyn Store, settings: &Settings) -> AppResult<String> {
    if let Some(name) = store.meta(NAME).await? {
        return Ok(name);
    }
    let name = match settings.instance.name.trim() {
        "" => format!("Kinga {}", store.instance_id().await?),
        given => checked_name(given)?,
    };
    store.set_meta(NAME, &name).await?;
    Ok(name)
}

fn checked_name(name: &str) -> AppResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME || name.chars().any(char::is_control) {
        return Err(AppError::Invalid(format!(
            "an instance name is one line of 1 to {MAX_NAME} characters"
        )));
    }
    Ok(name.to_string())
}

/// This instance's identity, its key and name made on first use. Administrators only: the
/// key speaks for the instance.
pub async fn identity(
    store: &dyn Store,
    settings: &Settings,
    caller: &Caller,
) -> AppResult<Identity> {
    caller.require(Permission::Handover)?;
    let key = load_or_create(&instance_key_path(settings))?;
    Ok(Identity {
        instance: store.instance_id().await?,
        name: instance_name(store, settings).await?,
        key,
    })
}

/// Give the instance a new name (packages made from now on carry it).
pub async fn set_instance_name(
    store: &dyn Store,
    caller: &Caller,
    name: &str,
) -> AppResult<String> {
    caller.require(Permission::Handover)?;
    let name = checked_name(name)?;
    store.set_meta(NAME, &name).await?;
    Ok(name)
}

impl crate::App {
    /// This instance's identity (see [`identity`]).
    pub async fn identity(&self, caller: &Caller) -> AppResult<Identity> {
        identity(self.store.as_ref(), &self.settings, caller).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_instance_key_sits_beside_the_master_key() {
        let mut s = Settings {
            database: "/data/kinga.db".into(),
            ..Settings::default()
        };
        assert_eq!(
            instance_key_path(&s),
            PathBuf::from("/data/kinga.db.instance-key")
        );
        s.database = "postgres://kinga@db/kinga".into();
        s.data_dir = "/srv/kinga".into();
        assert_eq!(
            instance_key_path(&s),
            PathBuf::from("/srv/kinga/kinga.instance-key")
        );
        s.instance.key_file = "/etc/kinga/id".into();
        assert_eq!(instance_key_path(&s), PathBuf::from("/etc/kinga/id"));
    }

    #[test]
    fn a_key_is_made_once_and_kept() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("sub").join("kinga.instance-key");
        let first = load_or_create(&path).unwrap_or_else(|e| panic!("{e}"));
        let again = load_or_create(&path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(first.public(), again.public());
        assert!(checked_name("Commission nationale").is_ok());
        assert!(checked_name("two\nlines").is_err());
        assert!(checked_name("  ").is_err());
    }
}
