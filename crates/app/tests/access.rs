//! Who keeps access and for how long: disabling ends sessions and tokens for good, a password
//! reset ends the other sessions, single-session sign-in, and the key file that must match
//! the sealed data it opens.

mod support;

use std::sync::Arc;

use kinga_app::registry::{FocalPointInput, RegistryRecord};
use kinga_app::{AppError, Caller, Sealer, Settings};
use kinga_domain::people::Role;
use kinga_domain::place::PlaceLevel;
use kinga_store::Store;
use kinga_store_sqlite::SqliteStore;

const PW: &str = "correct horse battery";

#[tokio::test]
async fn disabling_ends_sessions_and_tokens_for_good() {
    let dir = tempfile::tempdir().expect("tmp");
    let (app, _) = support::open_app(&dir).await;
    let sys = Caller::system();
    let user = app
        .add_user(&sys, "esther", "Esther", Role::TriageOfficer, "fr", PW)
        .await
        .expect("user");
    let s1 = app.open_session(&user).await.expect("session");
    let (token, _) = app
        .create_token(&sys, "esther", "phone")
        .await
        .expect("token");
    assert!(app.user_for_token(&token).await.is_ok());
    app.disable_user(&sys, "esther").await.expect("disable");
    assert!(app.session_user(&s1.secret).await.expect("read").is_none());
    assert!(app.user_for_token(&token).await.is_err());
    assert!(app.authenticate("esther", PW).await.is_err());
    // A new password does not bring her back; only enabling does, with nothing of before.
    app.reset_password(&sys, "esther", "a brand new passphrase", None)
        .await
        .expect("reset");
    assert!(
        app.authenticate("esther", "a brand new passphrase")
            .await
            .is_err()
    );
    app.enable_user(&sys, "esther").await.expect("enable");
    assert!(
        app.authenticate("esther", "a brand new passphrase")
            .await
            .is_ok()
    );
    assert!(app.session_user(&s1.secret).await.expect("read").is_none());
    assert!(
        app.user_for_token(&token).await.is_err(),
        "the old token stays revoked"
    );
    assert!(
        matches!(
            app.create_token(&sys, "nobody-here", "x").await,
            Err(AppError::NotFound(_))
        ),
        "no token for a missing user"
    );
    let log = app.audit_log(&sys, 50).await.expect("audit");
    for action in [
        "user_disabled",
        "user_enabled",
        "password_reset",
        "token_created",
    ] {
        assert!(
            log.iter().any(|e| e.action == action),
            "{action} is audited"
        );
    }
}

#[tokio::test]
async fn a_password_reset_ends_the_other_sessions() {
    let dir = tempfile::tempdir().expect("tmp");
    let (app, _) = support::open_app(&dir).await;
    let sys = Caller::system();
    let user = app
        .add_user(&sys, "john", "John", Role::TriageOfficer, "en", PW)
        .await
        .expect("user");
    let here = app.open_session(&user).await.expect("session");
    let lost_phone = app.open_session(&user).await.expect("session");
    let me = Caller::user(&user);
    app.reset_password(
        &me,
        "john",
        "another good passphrase",
        Some(&here.session.digest),
    )
    .await
    .expect("reset");
    assert!(
        app.session_user(&here.secret)
            .await
            .expect("read")
            .is_some()
    );
    assert!(
        app.session_user(&lost_phone.secret)
            .await
            .expect("read")
            .is_none()
    );
    // An administrator's reset ends every session.
    app.reset_password(
        &sys,
        "john",
        "yet another passphrase",
        Some(&here.session.digest),
    )
    .await
    .expect("reset");
    assert!(
        app.session_user(&here.secret)
            .await
            .expect("read")
            .is_none()
    );
}

#[tokio::test]
async fn single_session_sign_in_ends_earlier_sessions() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut settings = Settings::default();
    settings.security.single_session = true;
    let (app, _) = support::open_app_with(&dir, settings).await;
    let sys = Caller::system();
    app.add_user(&sys, "amani", "Amani", Role::Monitor, "fr", PW)
        .await
        .expect("user");
    let (_, first) = app.sign_in("amani", PW, "10.0.0.1").await.expect("sign in");
    let (_, second) = app.sign_in("amani", PW, "10.0.0.2").await.expect("sign in");
    assert!(
        app.session_user(&first.secret)
            .await
            .expect("read")
            .is_none()
    );
    assert!(
        app.session_user(&second.secret)
            .await
            .expect("read")
            .is_some()
    );
    let log = app.audit_log(&sys, 10).await.expect("audit");
    assert_eq!(log.iter().filter(|e| e.action == "login").count(), 2);
}

#[tokio::test]
async fn the_key_file_must_match_the_sealed_data() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("k.db");
    let key = dir.path().join("k.key");
    {
        let (app, _) = support::open_app(&dir).await;
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&db).expect("store"));
        // A new database: the key is created and its check value kept.
        let sealer = Sealer::for_store(&key, store.as_ref()).await.expect("key");
        assert!(key.exists());
        assert_eq!(
            store.meta("key_check").await.expect("meta").as_deref(),
            Some(sealer.check_value())
        );
        let sys = Caller::system();
        app.save_records(
            &sys,
            vec![RegistryRecord::Place(support::place(
                "CD61",
                "Nord-Kivu",
                PlaceLevel::Admin1,
                None,
            ))],
        )
        .await
        .expect("place");
        let fp = app
            .seal_focal_point(
                &sys,
                &FocalPointInput {
                    name: "Furaha".into(),
                    phone: "+243990001001".into(),
                    place: Some("CD61".into()),
                    ..Default::default()
                },
            )
            .await
            .expect("seal");
        app.save_records(&sys, vec![RegistryRecord::FocalPoint(fp)])
            .await
            .expect("save");
    }
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&db).expect("store"));
    let kept = std::fs::read(&key).expect("key");
    std::fs::remove_file(&key).expect("rm");
    let err = Sealer::for_store(&key, store.as_ref())
        .await
        .expect_err("missing key");
    assert!(
        err.to_string().contains("missing") && err.to_string().contains("Restore"),
        "{err}"
    );
    assert!(!key.exists(), "no new key is written beside sealed data");
    std::fs::write(&key, hex_of([9u8; 32])).expect("write");
    let err = Sealer::for_store(&key, store.as_ref())
        .await
        .expect_err("wrong key");
    assert!(err.to_string().contains("does not match"), "{err}");
    std::fs::write(&key, kept).expect("restore");
    assert!(Sealer::for_store(&key, store.as_ref()).await.is_ok());
}

fn hex_of(bytes: [u8; 32]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
