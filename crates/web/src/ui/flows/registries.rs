//! Registries edited through the pages.

use super::*;

#[tokio::test]
async fn registries_take_place_names_or_codes() {
    let w = world().await;
    let admin = sign_in(&w, "admin").await;
    let r = post(
        &w,
        &admin,
        "/responders",
        &[
            ("name", "Comité de Minova"),
            ("kind", "local_protection_committee"),
            ("places", "Minova, CD6102"),
            ("threat_types", "abduction"),
            ("threat_types", "killing"),
            ("hours_start", "06:00"),
            ("hours_end", "18:00"),
            ("consent", "1"),
            ("active", "1"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", body(r).await);
    let saved = w.app.responders(&Caller::system()).expect("responders");
    let c = saved
        .iter()
        .find(|r| r.id == "comite-de-minova")
        .expect("saved with a slug id");
    assert_eq!(
        c.places,
        vec!["CD6201-S1".to_string(), "CD6102".to_string()]
    );
    assert_eq!(
        c.threat_types,
        vec![ThreatType::Abduction, ThreatType::Killing]
    );
    assert_eq!(
        c.hours,
        Hours {
            start: 360,
            end: 1080
        }
    );
    let r = post(
        &w,
        &admin,
        "/responders",
        &[("name", "X"), ("kind", "ngo"), ("places", "Atlantis")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(r).await.contains("Unknown place"));
    let r = post(
        &w,
        &admin,
        "/actors",
        &[
            ("name", "Groupe X"),
            ("kind", "militia"),
            ("aliases", "GX, Les X"),
            ("areas", "Kalehe"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = get(&w, &admin, "/actors").await;
    assert!(html.contains("GX, Les X") && html.contains("Kalehe, Sud-Kivu"));
    let (_, html) = get(&w, &admin, "/places?q=kiwanja").await;
    assert!(html.contains("CD6102-S1"));
}
#[tokio::test]
async fn a_coordinator_adds_a_village_that_intake_then_resolves() {
    let w = world().await;
    let coord = sign_in(&w, "coord").await;
    let r = post(
        &w,
        &coord,
        "/places",
        &[
            ("name", "Kibirizi"),
            ("alt_names", "Kibilizi; Kibrizi"),
            ("parent", "CD6102"),
            ("lat", "-0,875"),
            ("lon", "29.296"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(location(&r).contains("notice=notice_saved"));
    let added = w
        .app
        .gazetteer()
        .get("CD6102-V001")
        .cloned()
        .expect("added");
    assert_eq!(added.name, "Kibirizi");
    assert_eq!(added.lat, Some(-0.875));
    assert_eq!(added.alt_names, ["Kibilizi", "Kibrizi"]);
    let c = w
        .app
        .find_places(&Caller::system(), "kibilizi", 3)
        .expect("places");
    assert_eq!(c[0].pcode, "CD6102-V001");
    // Bad coordinates or no territory: a clear error and nothing saved.
    let before = w.app.gazetteer().places().len();
    for bad in [
        [("name", "X"), ("parent", "CD6102"), ("lat", "95")],
        [("name", "X"), ("parent", "nowhere"), ("lat", "")],
    ] {
        let r = post(&w, &coord, "/places", &bad).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body(r).await.contains("id=\"error\""));
    }
    assert_eq!(w.app.gazetteer().places().len(), before);
    // A viewer sees no form and may not post one.
    let viewer = sign_in(&w, "viewer").await;
    let (_, html) = get(&w, &viewer, "/places").await;
    assert!(!html.contains("id=\"place-form\""));
    let r = post(
        &w,
        &viewer,
        "/places",
        &[("name", "Y"), ("parent", "CD6102")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_focal_point_list_pages_and_finds_by_pseudonym_or_place() {
    let w = world().await;
    let sys = Caller::system();
    let mut records = Vec::new();
    for i in 0..120 {
        let input = kinga_app::registry::FocalPointInput {
            id: None,
            name: format!("Personne {i}"),
            phone: format!("+2439900{i:05}"),
            place: Some(if i < 5 { "CD6201-S1" } else { "CD6102-S1" }.into()),
            language: "fr".into(),
            pseudonym: None,
        };
        records.push(RegistryRecord::FocalPoint(
            w.app.seal_focal_point(&sys, &input).await.expect("sealed"),
        ));
    }
    w.app.save_records(&sys, records).await.expect("saved");
    let b = sign_in(&w, "cla").await;
    let rows = |html: &str| html.matches("<tr id=\"fp-").count();
    let (_, first) = get(&w, &b, "/focal-points").await;
    assert_eq!(rows(&first), 100);
    assert!(first.contains("page=1\" rel=\"next\""), "a next page");
    let (_, second) = get(&w, &b, "/focal-points?page=1").await;
    assert_eq!(rows(&second), 20);
    let (_, minova) = get(&w, &b, "/focal-points?q=minova").await;
    assert_eq!(rows(&minova), 5, "found by place");
    let pseudonym = minova
        .split("<tr id=\"fp-")
        .nth(1)
        .and_then(|r| r.split("<td>").nth(1))
        .and_then(|c| c.split("</td>").next())
        .unwrap_or("")
        .to_string();
    let (_, one) = get(
        &w,
        &b,
        &format!("/focal-points?q={}", pseudonym.to_lowercase()),
    )
    .await;
    assert_eq!(rows(&one), 1, "found by pseudonym {pseudonym}");
}
