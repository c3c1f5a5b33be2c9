//! A person's own settings and inbox through the pages.

use super::*;

#[tokio::test]
async fn a_coordinator_sets_how_to_be_reached_and_reads_the_inbox() {
    let w = world().await;
    let b = sign_in(&w, "coord").await;
    let (st, html) = get(&w, &b, "/account").await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        html.contains("id=\"account-form\"") && html.contains("Lubumbashi"),
        "{html}"
    );
    assert!(!html.contains("id=\"unread\""), "nothing unread yet");

    // A wrong time zone and a copy by SMS without a number: the form comes back as typed.
    let r = post(
        &w,
        &b,
        "/account",
        &[
            ("display_name", "Grace"),
            ("language", "en"),
            ("time_zone", "Mars/Olympus"),
            ("phone", ""),
            ("email", "grace@example.org"),
            ("notify", "sms"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(r).await;
    assert!(html.contains("Olympus"), "the refused value is shown again");
    assert!(html.contains("id=\"error\""));
    let saved = w
        .app
        .profile(&Caller::system(), "coord")
        .await
        .expect("profile");
    assert_eq!(saved.email, None, "a refused form saves nothing");

    let r = post(
        &w,
        &b,
        "/account",
        &[
            ("display_name", "Grace"),
            ("language", "fr"),
            ("time_zone", "Africa/Kinshasa"),
            ("phone", "0990000900"),
            ("email", "grace@example.org"),
            ("notify", "sms"),
            ("notify", "email"),
            ("areas", "CD61"),
            ("areas", "CD6201"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", body(r).await);
    let u = w
        .app
        .profile(&Caller::system(), "coord")
        .await
        .expect("profile");
    assert_eq!(u.phone.as_deref(), Some("+243990000900"));
    assert_eq!(u.notify.len(), 2);
    assert_eq!(u.time_zone.as_deref(), Some("Africa/Kinshasa"));
    assert_eq!(u.areas, vec!["CD61", "CD6201"]);
    let (_, html) = get(&w, &b, "/account?notice=notice_saved").await;
    assert!(html.contains("Enregistré") && html.contains("value=\"CD6201\" checked"));

    // Yesterday's digest goes to every coordinator: the inbox, and a copy by SMS and e-mail.
    let r = post(&w, &b, "/digest", &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = get(&w, &b, "/alerts").await;
    assert!(
        html.contains("id=\"unread\""),
        "the header counts the new message"
    );
    let (_, html) = get(&w, &b, "/inbox").await;
    assert!(
        html.contains("data-kind=\"digest\" data-new=\"true\""),
        "{html}"
    );
    let (_, html) = get(&w, &b, "/alerts").await;
    assert!(!html.contains("id=\"unread\""), "opening the inbox read it");
    let (_, html) = get(&w, &b, "/inbox").await;
    assert!(html.contains("data-new=\"false\""));

    // The outbox says how each copy goes; the inbox copy is never "sent".
    let (_, html) = get(&w, &b, "/outbox").await;
    for channel in ["inbox", "sms", "email"] {
        assert!(
            html.contains(&format!("data-channel=\"{channel}\"")),
            "{channel} column missing"
        );
    }
    assert!(html.contains("dans la boîte"));
}

#[tokio::test]
async fn a_password_change_needs_the_current_one() {
    let w = world().await;
    let b = sign_in(&w, "cla").await;
    let r = post(
        &w,
        &b,
        "/account/password",
        &[
            ("current", "not the password"),
            ("password", "a new long passphrase 7"),
            ("again", "a new long passphrase 7"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = post(
        &w,
        &b,
        "/account/password",
        &[
            ("current", PASSWORD),
            ("password", "a new long passphrase 7"),
            ("again", "another one entirely 8"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = post(
        &w,
        &b,
        "/account/password",
        &[
            ("current", PASSWORD),
            ("password", "a new long passphrase 7"),
            ("again", "a new long passphrase 7"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (st, _) = get(&w, &b, "/account").await;
    assert_eq!(st, StatusCode::OK, "this session stays signed in");
    assert!(
        w.app
            .authenticate("cla", "a new long passphrase 7")
            .await
            .is_ok()
    );
}
