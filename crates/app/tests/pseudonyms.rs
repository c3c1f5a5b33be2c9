//! Focal points' pseudonyms through the use cases: codes given, names refused, a record saved
//! before the rule repaired on its next save or by the repair, and alerts shown with the
//! pseudonym their reporter has now.

mod support;

use support::{cla, place};

use kinga_app::import::ImportKind;
use kinga_app::registry::{FocalPointInput, RegistryRecord};
use kinga_app::sms_intake::InboundSmsCommand;
use kinga_app::{App, AppError, Caller};
use kinga_domain::AlertEvent;
use kinga_domain::place::PlaceLevel;
use kinga_domain::registry::pseudonym;

async fn with_places(app: &App) {
    app.save_records(
        &Caller::system(),
        [
            place("COD", "RDC", PlaceLevel::Country, None),
            place("CD61", "Nord-Kivu", PlaceLevel::Admin1, Some("COD")),
            place("CD6103", "Masisi", PlaceLevel::Admin2, Some("CD61")),
            place(
                "CD6103-V003",
                "Kitshanga",
                PlaceLevel::Settlement,
                Some("CD6103"),
            ),
        ]
        .into_iter()
        .map(RegistryRecord::Place)
        .collect(),
    )
    .await
    .expect("places");
}

fn input(name: &str, phone: &str, pseudonym: Option<&str>) -> FocalPointInput {
    FocalPointInput {
        name: name.into(),
        phone: phone.into(),
        place: Some("CD6103-V003".into()),
        language: "sw".into(),
        pseudonym: pseudonym.map(Into::into),
        ..Default::default()
    }
}

async fn register(app: &App, i: &FocalPointInput) -> Result<String, AppError> {
    let sys = Caller::system();
    let fp = app.seal_focal_point(&sys, i).await?;
    app.save_records(&sys, vec![RegistryRecord::FocalPoint(fp.clone())])
        .await?;
    Ok(fp.pseudonym)
}

fn is_code(p: &str, gaz: &kinga_domain::place::Gazetteer) -> bool {
    p.len() == pseudonym::PREFIX.len() + pseudonym::CODE_LEN
        && p.starts_with(pseudonym::PREFIX)
        && pseudonym::place_named(p, gaz).is_none()
}

#[tokio::test]
async fn codes_are_given_and_names_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    let (app, _) = support::open_app(&dir).await;
    with_places(&app).await;
    let gaz = app.gazetteer();
    let a = register(&app, &input("Furaha Kambale", "+243990001001", None))
        .await
        .expect("no pseudonym");
    let b = register(&app, &input("Jeanne Masika", "+243990001002", Some("  ")))
        .await
        .expect("empty pseudonym");
    assert!(is_code(&a, &gaz) && is_code(&b, &gaz) && a != b, "{a} {b}");
    for (bad, why) in [
        ("FP-Kitshanga", "names the place Kitshanga (CD6103-V003)"),
        ("fp_masisi_2", "names the place Masisi (CD6103)"),
        ("FP-Neema", "own name"),
        ("KAVIRA-1", "own name"),
        (a.as_str(), "already another focal point's"),
    ] {
        let e = register(&app, &input("Neema Kavira", "+243990001003", Some(bad)))
            .await
            .expect_err(bad)
            .to_string();
        assert!(e.contains("pseudonym") && e.contains(why), "{bad}: {e}");
    }
    // A whole file: unique codes for each row, and a bad row named by its line.
    let n = app
        .import_csv(
            &Caller::system(),
            ImportKind::FocalPoints,
            "name,phone\nAmani Paluku,+243990001011\nSifa Lokana,+243990001012\n",
        )
        .await
        .expect("import");
    assert_eq!(n, 2);
    let all = app.focal_points(&cla()).await.expect("list");
    let mut codes: Vec<&str> = all.iter().map(|f| f.pseudonym.as_str()).collect();
    assert!(codes.iter().all(|p| is_code(p, &gaz)), "{codes:?}");
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), 4);
    let e = app
        .import_csv(
            &Caller::system(),
            ImportKind::FocalPoints,
            "name,phone,pseudonym\nA Paluku,+243990001021,\nB Lokana,+243990001022,Kitshanga-7\n",
        )
        .await
        .expect_err("refused")
        .to_string();
    assert!(e.starts_with("line 3: invalid pseudonym:"), "{e}");
    assert_eq!(app.focal_points(&cla()).await.expect("list").len(), 4);
    support::assert_verified(&app).await;
}

/// A pseudonym that came to name a place (the place was added later, as a deployment's
/// older pseudonyms do) is replaced by the repair, and alerts show the new one.
#[tokio::test]
async fn the_repair_replaces_place_bearing_pseudonyms_and_alerts_follow() {
    let dir = tempfile::tempdir().expect("tmp");
    let (app, _) = support::open_app(&dir).await;
    with_places(&app).await;
    let sys = Caller::system();
    register(
        &app,
        &input("Furaha Kambale", "+243990001001", Some("FP-Mweso-01")),
    )
    .await
    .expect("Mweso is no place yet");
    register(
        &app,
        &input("Jeanne Masika", "+243990001002", Some("FP-Pinga-02")),
    )
    .await
    .expect("Pinga is no place yet");
    let kept = register(&app, &input("Neema Kavira", "+243990001003", None))
        .await
        .expect("code");
    let alert = app
        .intake_sms(
            "kannel",
            InboundSmsCommand {
                message_id: "m1".into(),
                from: "+243990001001".into(),
                to: None,
                text: "ALERTE Kitshanga hommes armés".into(),
                received_at: None,
                reply_inline: false,
            },
        )
        .await
        .expect("sms")
        .alert;
    assert_eq!(alert.reporter.pseudonym.as_deref(), Some("FP-Mweso-01"));
    app.save_records(
        &sys,
        vec![
            RegistryRecord::Place(place(
                "CD6103-V010",
                "Mweso",
                PlaceLevel::Settlement,
                Some("CD6103"),
            )),
            RegistryRecord::Place(place(
                "CD6103-V011",
                "Pinga",
                PlaceLevel::Settlement,
                Some("CD6103"),
            )),
        ],
    )
    .await
    .expect("places added later");
    // A dry run changes nothing.
    let dry = app.repseudonymise(&sys, true).await.expect("dry run");
    assert_eq!((dry.checked, dry.changed.len()), (3, 2));
    assert!(
        app.focal_points(&cla())
            .await
            .expect("list")
            .iter()
            .any(|f| f.pseudonym == "FP-Mweso-01")
    );
    // Only those who manage registries may repair.
    assert!(matches!(
        app.repseudonymise(&cla(), false).await,
        Err(AppError::Forbidden(_))
    ));
    let r = app.repseudonymise(&sys, false).await.expect("repair");
    assert_eq!(r.changed.len(), 2);
    let furaha = r
        .changed
        .iter()
        .find(|c| c.old == "FP-Mweso-01")
        .expect("Furaha's was replaced");
    assert_eq!(furaha.place, "Mweso (CD6103-V010)");
    let furaha = furaha.new.clone();
    let gaz = app.gazetteer();
    let all = app.focal_points(&cla()).await.expect("list");
    assert!(all.iter().all(|f| is_code(&f.pseudonym, &gaz)), "{all:?}");
    assert!(
        all.iter().any(|f| f.pseudonym == kept),
        "a neutral one is kept"
    );
    // The old alert is shown with the new pseudonym, also in its history.
    let shown = app.alert(&cla(), &alert.id).await.expect("alert");
    assert_eq!(shown.reporter.pseudonym.as_deref(), Some(furaha.as_str()));
    let AlertEvent::Received(first) = &shown.timeline[0].event else {
        panic!("first line is the alert received")
    };
    assert_eq!(first.reporter.pseudonym.as_deref(), Some(furaha.as_str()));
    let listed = app.alerts(&cla(), Default::default()).await.expect("list");
    assert!(
        listed
            .items
            .iter()
            .all(|a| a.reporter.pseudonym.as_deref() == Some(furaha.as_str()))
    );
    let log = app.audit_log(&sys, 10).await.expect("audit");
    assert!(log.iter().any(|e| e.action == "pseudonyms_replaced"));
    // Idempotent, and the ledger agrees with every table.
    assert!(
        app.repseudonymise(&sys, false)
            .await
            .expect("again")
            .changed
            .is_empty()
    );
    support::assert_verified(&app).await;
}

/// Saving a focal point recorded before the rule, without naming a pseudonym, gives it a code
/// instead of refusing the save.
#[tokio::test]
async fn an_old_pseudonym_is_replaced_when_its_focal_point_is_next_saved() {
    let dir = tempfile::tempdir().expect("tmp");
    let (app, _) = support::open_app(&dir).await;
    with_places(&app).await;
    let sys = Caller::system();
    register(
        &app,
        &input("Furaha Kambale", "+243990001001", Some("FP-Mweso-01")),
    )
    .await
    .expect("Mweso is no place yet");
    app.save_records(
        &sys,
        vec![RegistryRecord::Place(place(
            "CD6103-V010",
            "Mweso",
            PlaceLevel::Settlement,
            Some("CD6103"),
        ))],
    )
    .await
    .expect("place");
    let id = app.focal_points(&cla()).await.expect("list")[0].id.clone();
    let mut update = input("Furaha Kambale", "+243990001001", None);
    update.id = Some(id.clone());
    update.language = "fr".into();
    let p = register(&app, &update).await.expect("saved");
    assert!(is_code(&p, &app.gazetteer()), "{p}");
    let again = register(&app, &update).await.expect("saved again");
    assert_eq!(p, again, "a code is kept");
    update.pseudonym = Some("FP-Mweso-01".into());
    assert!(register(&app, &update).await.is_err());
}
