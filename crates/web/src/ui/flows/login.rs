//! Signing in, sessions, CSRF and the language switch.

use super::*;

#[tokio::test]
async fn login_sets_a_strict_http_only_cookie_and_follows_only_local_next() {
    let w = world().await;
    let r = post_login(&w, "cla", PASSWORD, "/alerts?state=all").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/alerts?state=all");
    let cookie = r
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(cookie.starts_with("kinga_session="), "{cookie}");
    for part in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(part), "{cookie} lacks {part}");
    }
    assert!(!cookie.contains("Secure"), "Secure only when configured");
    let r = post_login(&w, "cla", PASSWORD, "//evil.example/x").await;
    assert_eq!(location(&r), "/", "to the dashboard");
}

#[tokio::test]
async fn a_wrong_password_sets_no_cookie_and_the_sixth_failure_is_refused() {
    let w = world().await;
    for _ in 0..5 {
        let r = post_login(&w, "cla", "wrong password!", "/alerts").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert!(r.headers().get(header::SET_COOKIE).is_none());
        assert!(body(r).await.contains("Wrong user name or password"));
    }
    // Blocked before the password is even checked: the right one is refused too.
    let r = post_login(&w, "cla", PASSWORD, "/alerts").await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().get(header::SET_COOKIE).is_none());
    let html = body(r).await;
    assert!(
        html.contains("Too many attempts") && html.contains(" seconds"),
        "{html}"
    );
}

#[tokio::test]
async fn pages_need_a_session_and_forms_need_the_csrf_token() {
    let w = world().await;
    let r = send(
        &w,
        Request::get("/alerts?state=all")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        location(&r).starts_with("/login?next=%2Falerts"),
        "{}",
        location(&r)
    );
    let b = sign_in(&w, "cla").await;
    // After signing in again, the login page sends people to the address of the form they were
    // posting; that address leads back to the page.
    let req = Request::get("/alerts/K-1/transition")
        .header(header::COOKIE, &b.cookie)
        .body(Body::empty())
        .expect("request");
    assert_eq!(location(&send(&w, req).await), "/alerts/K-1");
    let forged = Browser {
        cookie: b.cookie.clone(),
        csrf: "0".repeat(64),
    };
    let r = post(
        &w,
        &forged,
        "/alerts/new",
        &[("text", "Hommes armés à Kiwanja"), ("channel", "web")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let html = body(r).await;
    assert!(
        html.contains("<!doctype html>") && html.contains("did not come from Kinga"),
        "{html}"
    );
    let missing = Request::post("/logout")
        .header(header::COOKIE, &b.cookie)
        .body(Body::empty())
        .expect("request");
    assert_eq!(
        send(&w, missing).await.status(),
        StatusCode::FORBIDDEN,
        "no form at all is no token"
    );
    let page = w
        .app
        .alerts(
            &Caller::system(),
            kinga_app::AlertQuery {
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .expect("alerts");
    assert_eq!(page.total, 0, "a refused form creates nothing");
}
#[tokio::test]
async fn the_language_switch_follows_the_user() {
    let w = world().await;
    new_alert(&w, "Hommes armés", Some("Kiwanja"), None).await;
    let b = sign_in(&w, "cla").await;
    let r = post(
        &w,
        &b,
        "/language",
        &[("lang", "fr"), ("next", "/alerts?state=all")],
    )
    .await;
    assert_eq!(location(&r), "/alerts?state=all");
    let (_, html) = get(&w, &b, "/alerts?state=all").await;
    assert!(
        html.contains("NON COUVERTE") && html.contains("Présence d&#x27;hommes armés"),
        "{html}"
    );
    let r = post(&w, &b, "/logout", &[]).await;
    assert_eq!(location(&r), "/login");
    let (status, _) = get(&w, &b, "/alerts").await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "the session is gone after signing out"
    );
}
#[tokio::test]
async fn the_session_cookie_is_secure_behind_an_https_public_url() {
    let w = world_with(Settings {
        public_url: "https://kinga.example.org".into(),
        ..Settings::default()
    })
    .await;
    let r = post_login(&w, "cla", PASSWORD, "/alerts").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let cookie = r
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(
        cookie.contains("; Secure") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
    let plain = world().await;
    let r = post_login(&plain, "cla", PASSWORD, "/alerts").await;
    let cookie = r
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(
        !cookie.contains("Secure"),
        "plain http keeps a cookie the browser sends: {cookie}"
    );
}

#[tokio::test]
async fn unknown_addresses_answer_in_the_readers_language() {
    let w = world().await;
    // Not signed in: the browser's language.
    let req = Request::get("/nowhere")
        .header(header::ACCEPT_LANGUAGE, "fr-CD,fr;q=0.9")
        .body(Body::empty())
        .expect("request");
    let r = send(&w, req).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(r.headers().contains_key(header::CONTENT_SECURITY_POLICY));
    let html = body(r).await;
    assert!(
        html.contains("Introuvable") && html.contains("y a rien à cette adresse"),
        "{html}"
    );
    // Signed in: the user's language, for a missing alert as for a missing page.
    let b = sign_in(&w, "cla").await;
    for path in ["/alerts/K-99999", "/no/such/page"] {
        let (st, html) = get(&w, &b, path).await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{path}");
        assert!(
            html.contains("There is nothing at this address"),
            "{path}: {html}"
        );
        assert!(
            !html.contains("not found"),
            "no English from the application: {html}"
        );
    }
    // The API answers in JSON.
    let r = send(
        &w,
        Request::get("/api/v1/nothing")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(body(r).await.contains("\"not_found\""));
}
