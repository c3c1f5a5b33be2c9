//! A database of its own for each test on the test PostgreSQL server, dropped afterwards.
//!
//! Tests and benchmarks that start Kinga on PostgreSQL each need an empty database. Left
//! behind, they filled a machine's disk: a day of runs on one machine had left 106 of them,
//! 6 GB. A [`TestDatabase`] drops its database when it is dropped, whether the test passed
//! or panicked.

use tokio_postgres::NoTls;

/// An empty database made for one test; dropped (connections and all) with this value.
pub struct TestDatabase {
    admin_url: String,
    name: String,
    /// The database's URL.
    pub url: String,
}

/// Make an empty database named `PREFIX_<random>` on the server at `admin_url` (a URL of
/// any database there); the error says why the server could not be reached.
pub async fn fresh_database(admin_url: &str, prefix: &str) -> Result<TestDatabase, String> {
    let (client, conn) = tokio_postgres::connect(admin_url, NoTls)
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(conn);
    let name = format!("{prefix}_{}", random_suffix());
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .map_err(|e| format!("CREATE DATABASE {name}: {e}"))?;
    let (base, _) = admin_url
        .rsplit_once('/')
        .ok_or_else(|| format!("{admin_url} has no database path"))?;
    Ok(TestDatabase {
        admin_url: admin_url.to_string(),
        url: format!("{base}/{name}"),
        name,
    })
}

/// Sixteen hex digits that differ between databases made at once by parallel tests.
fn random_suffix() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    format!("{:016x}", h.finish())
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        // Dropped inside a test's runtime, which cannot block on itself: a thread of its own.
        let dropped = std::thread::spawn(move || -> Result<(), String> {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            rt.block_on(async {
                let (client, conn) = tokio_postgres::connect(&admin_url, NoTls)
                    .await
                    .map_err(|e| e.to_string())?;
                tokio::spawn(conn);
                client
                    .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await
                    .map_err(|e| e.to_string())
            })
        })
        .join();
        match dropped {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("could not drop test database {}: {e}", self.name),
            Err(_) => eprintln!("could not drop test database {}", self.name),
        }
    }
}
