//! The queue and an alert worked through its forms.

use super::*;

#[tokio::test]
async fn the_queue_flags_uncovered_alerts() {
    let w = world().await;
    let reference = new_alert(&w, "Hommes armés vus près du marché", Some("Kiwanja"), None).await;
    let b = sign_in(&w, "cla").await;
    let (status, html) = get(&w, &b, "/alerts").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!("id=\"row-{reference}\"")), "{html}");
    assert!(html.contains("data-uncovered=\"true\"") && html.contains(">UNCOVERED</strong>"));
    assert!(html.contains("Kiwanja, Rutshuru, Nord-Kivu"));
    let (_, rows) = get(&w, &b, "/alerts/rows").await;
    assert!(rows.contains("UNCOVERED") && !rows.contains("<html"));
    let (_, detail) = get(&w, &b, &format!("/alerts/{reference}")).await;
    assert!(detail.contains("id=\"uncovered-flag\""));
    // Covered once a responder covers the province and the alert is re-routed.
    w.app
        .save_records(
            &Caller::system(),
            vec![RegistryRecord::Responder(responder("r1", "CD61"))],
        )
        .await
        .expect("responder");
    let covered = new_alert(&w, "Autre alerte à Kiwanja", Some("Kiwanja"), None).await;
    let (_, html) = get(&w, &b, "/alerts?uncovered=1").await;
    assert!(html.contains(&reference) && !html.contains(&format!("row-{covered}\"")));
}

#[tokio::test]
async fn the_page_and_its_refresh_count_the_new_alerts_alike() {
    let w = world().await;
    for text in [
        "Tirs entendus à Kiwanja",
        "Pillage au marché",
        "Hommes armés vus",
    ] {
        new_alert(&w, text, Some("Kiwanja"), None).await;
    }
    let sys = Caller::system();
    let cmd = IntakeCommand {
        text: "Enlèvement signalé".into(),
        place_name: Some("Kiwanja".into()),
        ..Default::default()
    };
    let heard = w.app.intake(&sys, cmd).await.expect("intake").alert;
    let ack = kinga_domain::TransitionRequest {
        to: Some(kinga_domain::AlertState::Acknowledged),
        ..Default::default()
    };
    w.app.transition(&sys, &heard.id, ack).await.expect("ack");
    let b = sign_in(&w, "cla").await;
    let heard_row = format!("id=\"row-{}\"", heard.reference);
    // The default view (counts off the open alerts' tallies) and a narrower one (counted
    // with its lists) agree between the page and the refresh.
    for (paths, new) in [
        (["/alerts", "/alerts/rows"], 3),
        (["/alerts?q=Tirs", "/alerts/rows?q=Tirs"], 1),
    ] {
        for path in paths {
            let (status, html) = get(&w, &b, path).await;
            assert_eq!(status, StatusCode::OK);
            let count = format!("<small id=\"new-total\">({new})</small>");
            assert!(html.contains(&count), "{path}: {html}");
            assert_eq!(html.contains(&heard_row), new == 3, "{path}");
        }
    }
}

#[tokio::test]
async fn live_rows_answer_not_modified_when_nothing_changed() {
    let w = world().await;
    new_alert(&w, "Tirs entendus", Some("Minova"), None).await;
    let b = sign_in(&w, "cla").await;
    let req = Request::get("/alerts/rows")
        .header(header::COOKIE, &b.cookie)
        .body(Body::empty())
        .expect("request");
    let r = send(&w, req).await;
    assert_eq!(r.status(), StatusCode::OK);
    let etag = r
        .headers()
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert!(etag.starts_with('"'));
    let req = Request::get("/alerts/rows")
        .header(header::COOKIE, &b.cookie)
        .header(header::IF_NONE_MATCH, &etag)
        .body(Body::empty())
        .expect("request");
    assert_eq!(send(&w, req).await.status(), StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn a_cla_takes_an_alert_from_received_to_closed_through_the_forms() {
    let w = world().await;
    w.app
        .save_records(
            &Caller::system(),
            vec![RegistryRecord::Responder(responder(
                "base-rutshuru",
                "CD6102",
            ))],
        )
        .await
        .expect("responder");
    let b = sign_in(&w, "cla").await;

    // Logged as a phone call through the web form.
    let (_, page) = get(&w, &b, "/alerts/new?channel=call").await;
    let form_id = page
        .split("name=\"form_id\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or("")
        .to_string();
    let fields = [
        ("channel", "call"),
        ("text", "Des hommes armés pillent le marché de Kiwanja"),
        ("place_name", "Kiwanja"),
        ("threat_type", "looting_extortion"),
        ("severity", "3"),
        ("reporter_phone", "0991234567"),
        ("reported_at", ""),
        ("form_id", form_id.as_str()),
    ];
    let r = post(&w, &b, "/alerts/new", &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let at = location(&r);
    assert!(at.starts_with("/alerts/K-"), "{at}");
    // A second tap on a slow link lands on the same alert.
    let again = post(&w, &b, "/alerts/new", &fields).await;
    assert_eq!(location(&again), at);

    let (_, html) = get(&w, &b, &at).await;
    assert!(
        html.contains("data-action=\"acknowledge\"") && !html.contains("data-action=\"close\"")
    );
    assert!(html.contains("unknown number"));
    let step = |to: &'static str, extra: Vec<(&'static str, &'static str)>| {
        let mut f = vec![("to", to)];
        f.extend(extra);
        f
    };
    for (to, extra, next_action) in [
        ("acknowledged", vec![], "verify"),
        ("verified", vec![], "assign"),
        (
            "assigned",
            vec![("responders", "base-rutshuru")],
            "responding",
        ),
        ("responding", vec![], "close"),
    ] {
        let r = post(&w, &b, &format!("{at}/transition"), &step(to, extra)).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{to}: {}", body(r).await);
        let (_, html) = get(&w, &b, &at).await;
        assert!(
            html.contains(&format!("data-action=\"{next_action}\"")),
            "after {to}, {next_action} is offered"
        );
    }
    // Closing a responded alert needs an outcome: refused on the page, not as JSON.
    let r = post(
        &w,
        &b,
        &format!("{at}/transition"),
        &step("closed", vec![("outcome", "")]),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(r).await;
    assert!(
        html.contains("class=\"err\"") && html.contains("Outcome"),
        "{html}"
    );
    let outcome = "Une patrouille est passée au marché; les pillards sont partis";
    let r = post(
        &w,
        &b,
        &format!("{at}/transition"),
        &step("closed", vec![("outcome", outcome)]),
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = get(&w, &b, &at).await;
    assert!(html.contains("data-state=\"closed\""));
    assert!(
        html.contains("data-kind=\"feedback\" data-status=\"queued\""),
        "the reporter's feedback is queued"
    );
    assert!(html.contains("les pillards sont partis"));
    assert!(html.contains("data-kind=\"assignment\""));
    let (_, outbox) = get(&w, &b, "/outbox").await;
    assert!(outbox.contains("data-kind=\"feedback\""));
    // And a move the lifecycle forbids is explained on the page.
    let r = post(
        &w,
        &b,
        &format!("{at}/transition"),
        &step("responding", vec![]),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(r).await.contains("cannot become"));
    // Sending the same close again changes nothing and says so.
    let r = post(
        &w,
        &b,
        &format!("{at}/transition"),
        &step("closed", vec![("outcome", outcome)]),
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(location(&r).contains("already=closed"), "{}", location(&r));
    let (_, html) = get(&w, &b, &location(&r)).await;
    assert!(html.contains("Nothing changed"), "{html}");
    // A closed alert is reopened with a reason.
    let r = post(
        &w,
        &b,
        &format!("{at}/transition"),
        &step("acknowledged", vec![("reason", "the armed men came back")]),
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = get(&w, &b, &location(&r)).await;
    assert!(html.contains("data-state=\"acknowledged\"") && html.contains("id=\"notice\""));
}
#[tokio::test]
async fn a_full_queue_page_stays_small() {
    let w = world().await;
    for i in 0..60 {
        new_alert(&w, &format!("Alerte numéro {i}: des hommes armés ont été vus près de l'école et du marché, la population a peur"), Some("Kiwanja"), None).await;
    }
    let b = sign_in(&w, "cla").await;
    let req = Request::get("/alerts")
        .header(header::COOKIE, &b.cookie)
        .header(header::ACCEPT_ENCODING, "gzip")
        .body(Body::empty())
        .expect("request");
    let r = send(&w, req).await;
    assert_eq!(
        r.headers()
            .get(header::CONTENT_ENCODING)
            .and_then(|v| v.to_str().ok()),
        Some("gzip")
    );
    let bytes = axum::body::to_bytes(r.into_body(), 10 << 20)
        .await
        .expect("body");
    assert!(bytes.len() < 60 * 1024, "{} bytes gzipped", bytes.len());
    println!("queue page with 50 rows: {} bytes gzipped", bytes.len());
    let (_, html) = get(&w, &b, "/alerts").await;
    // New alerts come first, in their own section, with a way to all of them.
    assert_eq!(html.matches("<tr id=\"row-").count(), 20);
    assert!(html.contains("id=\"new-alerts\"") && html.contains("id=\"all-new\""));
    let (_, html) = get(&w, &b, "/alerts?state=received").await;
    assert_eq!(html.matches("<tr id=\"row-").count(), 50);
    assert!(html.contains("id=\"next-page\""));
}

#[tokio::test]
async fn triage_corrections_reasons_merges_and_resent_forms() {
    let w = world().await;
    let first = new_alert(&w, "Hommes armés à Kiwanja", Some("Kiwanja"), None).await;
    let second = new_alert(
        &w,
        "Encore des hommes armés à Kiwanja",
        Some("Kiwanja"),
        None,
    )
    .await;
    let b = sign_in(&w, "cla").await;

    // The place is changed after looking another name up, and the severity raised.
    let (_, html) = get(&w, &b, &format!("/alerts/{first}?q=minova")).await;
    assert!(
        html.contains("id=\"found-1\" value=\"CD6201-S1\""),
        "{html}"
    );
    let r = post(
        &w,
        &b,
        &format!("/alerts/{first}/triage"),
        &[("place", "CD6201-S1")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = post(
        &w,
        &b,
        &format!("/alerts/{first}/triage"),
        &[("threat_type", "armed_presence"), ("severity", "4")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let a = w.app.alert(&Caller::system(), &first).await.expect("alert");
    assert_eq!(
        (a.place.as_deref(), a.severity.level()),
        (Some("CD6201-S1"), 4)
    );
    let triaged = a
        .timeline
        .iter()
        .filter(|e| matches!(e.event, kinga_domain::AlertEvent::Triaged { .. }))
        .count();
    assert_eq!(
        triaged, 2,
        "unchanged fields are not recorded as corrections"
    );

    // A reason is required to call an alert unverifiable.
    post(
        &w,
        &b,
        &format!("/alerts/{second}/transition"),
        &[("to", "acknowledged")],
    )
    .await;
    let r = post(
        &w,
        &b,
        &format!("/alerts/{second}/transition"),
        &[("to", "unverifiable"), ("reason", " ")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(r).await.contains("“Reason” is required"));

    // A duplicate is merged into the first alert by typing its reference.
    let r = post(
        &w,
        &b,
        &format!("/alerts/{second}/transition"),
        &[
            ("to", "merged"),
            ("merged_into_other", &first.to_lowercase()),
            ("reason", "même événement"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", body(r).await);
    let (_, html) = get(&w, &b, &format!("/alerts/{second}")).await;
    assert!(
        html.contains("data-state=\"merged\"")
            && html.contains(&format!("href=\"/alerts/{first}\""))
    );

    // The same new-alert form sent again with other words is not silently merged with the first.
    let (_, page) = get(&w, &b, "/alerts/new").await;
    let form_id = page
        .split("name=\"form_id\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or("")
        .to_string();
    let r = post(
        &w,
        &b,
        "/alerts/new",
        &[
            ("channel", "web"),
            ("text", "Enlèvement à Minova"),
            ("form_id", &form_id),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = post(
        &w,
        &b,
        "/alerts/new",
        &[
            ("channel", "web"),
            ("text", "Enlèvement de deux enfants à Minova"),
            ("form_id", &form_id),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(r).await;
    assert!(html.contains("already sent") && !html.contains(&format!("value=\"{form_id}\"")));
}
