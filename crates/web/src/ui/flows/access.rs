//! Who may see and do what.

use super::*;

#[tokio::test]
async fn roles_see_only_their_actions_and_are_refused_the_rest() {
    let w = world().await;
    let reference = new_alert(&w, "Tension entre communautés", Some("Minova"), None).await;
    let v = sign_in(&w, "viewer").await;
    let (_, html) = get(&w, &v, &format!("/alerts/{reference}")).await;
    assert!(!html.contains("data-action=\"acknowledge\""));
    let r = post(
        &w,
        &v,
        &format!("/alerts/{reference}/transition"),
        &[("to", "acknowledged")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(body(r).await.contains("Not allowed"));
    let (status, _) = get(&w, &v, "/users").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let cla = sign_in(&w, "cla").await;
    let (status, _) = get(&w, &cla, "/digest").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let coord = sign_in(&w, "coord").await;
    let r = post(&w, &coord, "/digest", &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (status, html) = get(&w, &coord, "/digest").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("class=\"digest\""), "{html}");
}

#[tokio::test]
async fn focal_point_identities_open_only_on_an_audited_request() {
    let w = world().await;
    let admin = sign_in(&w, "admin").await;
    let r = post(
        &w,
        &admin,
        "/focal-points",
        &[
            ("name", "Amani Bahati"),
            ("phone", "0997654321"),
            ("place", "Minova"),
            ("language", "sw"),
            ("pseudonym", ""),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", body(r).await);
    let (_, html) = get(&w, &admin, "/focal-points").await;
    assert!(!html.contains("Amani"), "lists show pseudonyms only");
    let id = html
        .split("id=\"fp-")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or("")
        .to_string();
    let cla = sign_in(&w, "cla").await;
    // Without a reason, nothing is revealed and nothing is audited.
    let r = post(&w, &cla, &format!("/focal-points/{id}/reveal"), &[]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!body(r).await.contains("Amani Bahati"));
    let why = "call back about K-12";
    let r = post(
        &w,
        &cla,
        &format!("/focal-points/{id}/reveal"),
        &[("reason", why)],
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = body(r).await;
    assert!(html.contains("Amani Bahati") && html.contains("id=\"audit-note\""));
    let log = w
        .app
        .audit_log(&Caller::system(), 10)
        .await
        .expect("audit log");
    let reads: Vec<_> = log
        .iter()
        .filter(|e| e.action == "read" && e.record == format!("focal_point:{id}"))
        .collect();
    assert_eq!(reads.len(), 1, "one reveal, one audit entry");
    assert_eq!(
        (reads[0].actor.as_str(), reads[0].context.as_str()),
        ("cla", why)
    );
    let v = sign_in(&w, "viewer").await;
    let r = post(
        &w,
        &v,
        &format!("/focal-points/{id}/reveal"),
        &[("reason", why)],
    )
    .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn users_are_managed_by_administrators() {
    let w = world().await;
    let admin = sign_in(&w, "admin").await;
    let r = post(
        &w,
        &admin,
        "/users",
        &[
            ("name", "bahati"),
            ("display_name", "Bahati"),
            ("role", "triage_officer"),
            ("language", "fr"),
            ("password", "short"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = post(
        &w,
        &admin,
        "/users",
        &[
            ("name", "bahati"),
            ("display_name", "Bahati"),
            ("role", "triage_officer"),
            ("language", "fr"),
            ("password", PASSWORD),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let b = sign_in(&w, "bahati").await;
    let (_, html) = get(&w, &b, "/alerts").await;
    assert!(html.contains("lang=\"fr\"") && html.contains("File des alertes"));
    let r = post(&w, &admin, "/users/bahati/disable", &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // Her open session ended with the disabling.
    let r = send(
        &w,
        Request::get("/alerts")
            .header(header::COOKIE, &b.cookie)
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert!(
        location(&r).starts_with("/login"),
        "the session must be gone"
    );
    assert_eq!(
        post_login(&w, "bahati", PASSWORD, "/").await.status(),
        StatusCode::UNAUTHORIZED
    );
    // A new password does not bring a disabled user back.
    let r = post(
        &w,
        &admin,
        "/users/bahati/password",
        &[("password", "another long password")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        post_login(&w, "bahati", "another long password", "/")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    // Only an explicit enable does.
    let r = post(&w, &admin, "/users/bahati/enable", &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        post_login(&w, "bahati", "another long password", "/")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    // The old session never comes back.
    let r = send(
        &w,
        Request::get("/alerts")
            .header(header::COOKIE, &b.cookie)
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert!(location(&r).starts_with("/login"));
    // A password that crackers try first is refused.
    let r = post(
        &w,
        &admin,
        "/users/bahati/password",
        &[("password", "P@ssw0rd2024")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}
#[tokio::test]
async fn only_the_network_roles_see_messages_reporters_and_contacts() {
    let w = world().await;
    w.app
        .save_records(
            &Caller::system(),
            vec![RegistryRecord::Responder(responder(
                "tob-rutshuru",
                "CD6102",
            ))],
        )
        .await
        .expect("responder");
    let reference = new_alert(
        &w,
        "Hommes armés à Kiwanja",
        Some("Kiwanja"),
        Some("+243990001777"),
    )
    .await;
    let cla = sign_in(&w, "cla").await;
    let (_, html) = get(&w, &cla, &format!("/alerts/{reference}")).await;
    assert!(html.contains("id=\"messages\"") && html.contains("id=\"alert-outbox\""));
    assert!(
        html.contains("/outbox"),
        "the CLA has the outbox in the menu"
    );
    let (_, html) = get(&w, &cla, "/responders").await;
    assert!(html.contains("tob-rutshuru"));
    let viewer = sign_in(&w, "viewer").await;
    let (_, html) = get(&w, &viewer, &format!("/alerts/{reference}")).await;
    assert!(
        !html.contains("id=\"messages\""),
        "no messages section for a viewer"
    );
    assert!(!html.contains("Kinga :"), "no message text either");
    assert!(
        html.contains("Not shown to your role"),
        "who reported is withheld"
    );
    assert!(!html.contains("href=\"/outbox\"") && !html.contains("href=\"/focal-points\""));
    let (status, _) = get(&w, &viewer, "/outbox").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = get(&w, &viewer, "/focal-points").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let responders = w
        .app
        .responders(&Caller::acting("viewer", Role::Viewer))
        .expect("responders");
    assert!(
        responders
            .iter()
            .all(|r| r.phone.is_none() && r.email.is_none())
    );
    let mine = w
        .app
        .responders(&Caller::acting("cla", Role::TriageOfficer))
        .expect("responders");
    assert!(
        mine.iter().any(|r| r.phone.is_some()),
        "the CLA calls responders"
    );
}
