//! Opening the configured store and building the application over it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;

use kinga_app::{App, Sealer, Settings, SystemClock};
use kinga_store::Store;
use kinga_store_postgres::PostgresStore;
use kinga_store_sqlite::SqliteStore;

/// True when the database setting names a PostgreSQL server.
pub fn is_postgres(database: &str) -> bool {
    database.starts_with("postgres://") || database.starts_with("postgresql://")
}

/// Open (and migrate) the store the settings name.
pub async fn open_store(settings: &Settings) -> anyhow::Result<Arc<dyn Store>> {
    if is_postgres(&settings.database) {
        let s = PostgresStore::connect(&settings.database)
            .await
            .context("cannot open the PostgreSQL database")?;
        Ok(Arc::new(s))
    } else {
        let path = Path::new(&settings.database);
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        // The file holds alerts' words: created readable by this user only (SQLite gives its
        // -wal and -shm files the database's permissions).
        if !path.exists() {
            kinga_app::files::private_options()
                .write(true)
                .create(true)
                .truncate(false)
                .open(path)
                .with_context(|| format!("cannot create {}", path.display()))?;
        }
        let s = SqliteStore::open(path)
            .with_context(|| format!("cannot open the SQLite database {}", path.display()))?;
        Ok(Arc::new(s))
    }
}

/// Where the master key lives: the configured file, else beside a SQLite database, else in
/// the data folder.
pub fn key_path(settings: &Settings) -> PathBuf {
    kinga_app::key_path(settings)
}

/// Open the store and build the application.
pub async fn open_app(settings: &Settings) -> anyhow::Result<App> {
    let store = open_store(settings).await?;
    let sealer = Sealer::for_store(&key_path(settings), store.as_ref()).await?;
    Ok(App::new(store, settings.clone(), Arc::new(SystemClock), sealer).await?)
}
