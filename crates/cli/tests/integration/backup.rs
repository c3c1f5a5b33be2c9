//! `kinga backup` and `kinga restore`: an instance with a recorded voice call is backed up,
//! its database lost, and restored into a new database on the same store kind with the
//! instance's key file in place: the ledger verifies, the recording is back in the attachments
//! folder byte for byte, and a backup signed by another instance's key is refused.

use crate::harness::{Backend, Server, fresh_postgres_db, run_cli};
use crate::on_both_stores;
use crate::voice::{StandIn, media_of, recorded_call, voice_server};

fn said(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

async fn backup_and_restore(backend: Backend) {
    let media = tempfile::tempdir().expect("media dir");
    let Some(mut s) = voice_server(backend, media.path()).await else {
        return;
    };
    let stand_in = StandIn::start().await;
    let a = recorded_call(&s, &stand_in, "CA0901", "+243810000071").await;
    let (digest, _) = media_of(&a);
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("kinga.backup");
    let file_s = file.to_str().expect("utf-8");
    let media_s = media.path().to_str().expect("utf-8");
    let out = s.cli_env(
        &["backup", "--out", file_s],
        &[("KINGA_ATTACHMENTS_DIR", media_s)],
    );
    assert!(out.status.success(), "backup: {}", said(&out));
    assert!(said(&out).contains(", 1 attachments"), "{}", said(&out));
    s.stop();

    // The database is lost; a new one is restored on the same store kind.
    let restored_db = match backend {
        Backend::Sqlite => None,
        Backend::Postgres => Some(fresh_postgres_db().await.expect("a database")),
    };
    let restored = match &restored_db {
        None => dir.path().join("restored.db").display().to_string(),
        Some(db) => db.url.clone(),
    };
    let new_media = tempfile::tempdir().expect("new media dir");
    let new_media_s = new_media.path().to_str().expect("utf-8");
    // The instance key is what a restore needs from the lost machine: beside the old SQLite
    // file (or in the data folder for PostgreSQL) unless `[instance] key_file` says otherwise.
    let key_file = if s.database.starts_with("postgres") {
        s.dir().join("kinga.instance-key")
    } else {
        std::path::PathBuf::from(format!("{}.instance-key", s.database))
    };
    assert!(key_file.exists(), "{}", key_file.display());
    let restore = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_kinga"))
            .arg("--database")
            .arg(&restored)
            .args(args)
            .env("KINGA_DATA_DIR", s.dir())
            .env("KINGA_LOG", "warn")
            .env("KINGA_ATTACHMENTS_DIR", new_media_s)
            .env("KINGA_INSTANCE_KEY_FILE", &key_file)
            .output()
            .expect("kinga runs")
    };
    let out = restore(&["restore", file_s]);
    assert!(out.status.success(), "restore: {}", said(&out));
    let out = restore(&["verify"]);
    assert!(
        out.status.success() && said(&out).contains("ledger verified"),
        "{}",
        said(&out)
    );
    let back: Vec<_> = walk(new_media.path())
        .into_iter()
        .filter(|p| p.to_string_lossy().contains(&digest))
        .collect();
    assert_eq!(back.len(), 1, "the recording is restored: {back:?}");
    // A second restore into the same database is refused: it is no longer empty.
    let out = restore(&["restore", file_s]);
    assert!(!out.status.success(), "{}", said(&out));

    // A backup is only restored by the instance whose key signed it.
    let Some(other) = Server::empty(backend).await else {
        return;
    };
    let out = run_cli(&other.database, other.dir(), &["restore", file_s], None);
    assert!(!out.status.success(), "{}", said(&out));
}
on_both_stores!(backup_restore, super::backup_and_restore);

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}
