//! A handover import names the first fault of a package and leaves the database empty: the
//! events are folded on a thread of their own, behind the reading, so a fault the fold finds
//! must still be named before a fault the reading finds later in the file.

mod support;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{TimeZone, Utc};

use kinga_app::handover::{self, InstanceKey, PublicKey};
use kinga_app::{Caller, Settings};
use kinga_domain::alert::{AlertEvent, AlertState};
use kinga_domain::people::Role;
use kinga_domain::place::PlaceLevel;
use kinga_handover::{HeaderFields, PackageWriter, Scope};
use kinga_ledger::{DraftEvent, GENESIS, Payload, seal};
use kinga_store::Store;
use kinga_store_sqlite::SqliteStore;

const ORIGIN: &str = "kinga-field-office";

/// Event `i`: a place saved.
fn place_saved(i: u64) -> Payload {
    Payload::PlaceSaved {
        place: support::place(
            &format!("CD61{i:06}"),
            &format!("Village {i}"),
            PlaceLevel::Settlement,
            None,
        ),
    }
}

/// A change of an alert no event received: the fold refuses it.
fn orphan_change() -> Payload {
    Payload::Alert {
        alert: "01JQORPHAN0000000000000000".into(),
        event: AlertEvent::Transitioned {
            from: AlertState::Received,
            to: AlertState::Acknowledged,
            reason: None,
            responders: vec![],
            outcome: None,
            merged_into: None,
            outcome_category: None,
            referred_to: None,
            verification: None,
            feedback_withheld: None,
            deadlines: None,
        },
    }
}

/// A signed package of `payloads` from a new sender for `recipient`, at `path`.
fn package(path: &Path, recipient: &PublicKey, payloads: Vec<Payload>) {
    let sender = InstanceKey::from_seed([3; 32]);
    let mut file = std::fs::File::create(path).expect("create");
    let fields = HeaderFields {
        sender_instance: ORIGIN.into(),
        sender_name: "Field office".into(),
        recipient_name: "Successor".into(),
        created_at: Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap(),
        scope: Scope::Full,
    };
    let mut w = PackageWriter::new(&mut file, &sender, fields, recipient, [7; 32]).expect("writer");
    w.wrapped_key(handover::FIELD_SEALING, &[9; 32])
        .expect("key");
    let mut prev = GENESIS.to_string();
    for (i, payload) in payloads.into_iter().enumerate() {
        let draft = DraftEvent {
            id: format!("01JQ{i:022}"),
            actor: "cla.amani".into(),
            at: Utc.with_ymd_and_hms(2026, 2, 1, 0, 0, 0).unwrap()
                + chrono::Duration::seconds(i as i64),
            payload,
        };
        let e = seal(&draft, ORIGIN, i as u64 + 1, &prev).expect("seal");
        prev.clone_from(&e.hash);
        w.event_owned(e).expect("event");
    }
    w.finish(None).expect("finish");
}

/// The package at `path` without its last `bytes` bytes (its signature, then its manifest).
fn cut(path: &Path, bytes: u64) -> PathBuf {
    let data = std::fs::read(path).expect("read");
    let short = path.with_extension("cut");
    let keep = data.len() - usize::try_from(bytes).expect("small");
    std::fs::write(&short, &data[..keep]).expect("write");
    short
}

/// The settings of an instance whose database and keys are in `dir`.
fn settings(dir: &Path) -> Settings {
    Settings {
        database: dir.join("successor.db").display().to_string(),
        data_dir: dir.display().to_string(),
        ..Settings::default()
    }
}

/// The successor instance in `dir` (created empty at first): its store, the administrator
/// acting on it and its identity.
async fn successor(dir: &Path) -> (Settings, Arc<dyn Store>, Caller, handover::Identity) {
    let settings = settings(dir);
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&settings.database).expect("open"));
    let caller = Caller::acting("admin", Role::Administrator);
    let me = handover::identity(store.as_ref(), &settings, &caller)
        .await
        .expect("identity");
    (settings, store, caller, me)
}

/// The import of `file` into the successor in `dir`: the refusal's text, and the events the
/// database holds afterwards.
async fn import(dir: &Path, file: &Path) -> (Result<u64, String>, u64) {
    let (settings, store, caller, me) = successor(dir).await;
    let done = handover::import_handover(
        store.clone(),
        &settings,
        &caller,
        &me,
        file,
        None,
        Arc::new(|_, _| {}),
    )
    .await
    .map(|s| s.events)
    .map_err(|e| e.to_string());
    let held = store.event_count().await.expect("count");
    (done, held)
}

/// The successor's key, to address a package to it.
async fn recipient(dir: &Path) -> PublicKey {
    successor(dir).await.3.key.public()
}

#[tokio::test]
async fn a_sound_package_is_imported_whole() {
    let dir = tempfile::tempdir().expect("dir");
    let to = recipient(dir.path()).await;
    let pkg = dir.path().join("sound.kinga-handover");
    // More events than one batch, so that several cross from the reading to the fold.
    package(&pkg, &to, (0..4_500).map(place_saved).collect());
    let (done, held) = import(dir.path(), &pkg).await;
    assert_eq!(done, Ok(4_500));
    assert_eq!(held, 4_500);
}

#[tokio::test]
async fn a_fault_of_the_fold_is_named_before_a_later_fault_of_the_reading() {
    // The orphan change in the first batch, in a later one, and in the last, partial one
    // (handed to the fold only when the reading stops at the cut).
    for at in [10, 2_500, 4_490] {
        let dir = tempfile::tempdir().expect("dir");
        let to = recipient(dir.path()).await;
        let pkg = dir.path().join("faulty.kinga-handover");
        let mut payloads: Vec<Payload> = (0..4_500).map(place_saved).collect();
        payloads[at] = orphan_change();
        package(&pkg, &to, payloads);
        let short = cut(&pkg, 40);
        let (done, held) = import(dir.path(), &short).await;
        let why = done.expect_err("refused");
        assert!(
            why.contains("01JQORPHAN0000000000000000") && why.contains("never received"),
            "event {at}: {why}"
        );
        assert_eq!(held, 0, "nothing imported");
        // Whole, the same package is refused for the same reason.
        let (done, held) = import(dir.path(), &pkg).await;
        let whole = done.expect_err("refused");
        assert!(whole.contains("never received"), "{whole}");
        assert_eq!(held, 0);
    }
}

#[tokio::test]
async fn a_fault_of_the_reading_is_named_when_every_event_folds() {
    let dir = tempfile::tempdir().expect("dir");
    let to = recipient(dir.path()).await;
    let pkg = dir.path().join("cut.kinga-handover");
    package(&pkg, &to, (0..4_500).map(place_saved).collect());
    let short = cut(&pkg, 40);
    let (done, held) = import(dir.path(), &short).await;
    let why = done.expect_err("refused");
    assert!(why.contains("truncated"), "{why}");
    assert_eq!(held, 0, "nothing imported");
}
