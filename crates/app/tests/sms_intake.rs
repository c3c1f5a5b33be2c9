//! Inbound SMS through the use case, with a clock the test moves: new alerts, replies by
//! reference and by time window, retries, unknown and unreadable senders, linking.

mod support;

use std::sync::Arc;
use support::{cla, place};

use chrono::Duration;

use kinga_app::OutboxQuery;
use kinga_app::alerts::IntakeCommand;
use kinga_app::registry::{FocalPointInput, RegistryRecord};
use kinga_app::sms_intake::{InboundSmsCommand, MAX_FOLLOW_UPS, SmsOutcome};
use kinga_app::{App, AppError, Caller, FixedClock};
use kinga_domain::outbox::MessageStatus;
use kinga_domain::place::PlaceLevel;
use kinga_domain::{AlertEvent, AlertState, ThreatType, TransitionRequest};

const FP_PHONE: &str = "+243990001001";

async fn app(dir: &tempfile::TempDir) -> (App, Arc<FixedClock>) {
    let (app, clock) = support::open_app(dir).await;
    let places = vec![
        place("COD", "RDC", PlaceLevel::Country, None),
        place("CD61", "Nord-Kivu", PlaceLevel::Admin1, Some("COD")),
        place("CD6111", "Rutshuru", PlaceLevel::Admin2, Some("CD61")),
        place("CD6103", "Masisi", PlaceLevel::Admin2, Some("CD61")),
        place(
            "CD6111-V001",
            "Kiwanja",
            PlaceLevel::Settlement,
            Some("CD6111"),
        ),
        place(
            "CD6111-V002",
            "Rutshuru",
            PlaceLevel::Settlement,
            Some("CD6111"),
        ),
        place(
            "CD6103-V003",
            "Kitshanga",
            PlaceLevel::Settlement,
            Some("CD6103"),
        ),
    ];
    app.save_records(
        &Caller::system(),
        places.into_iter().map(RegistryRecord::Place).collect(),
    )
    .await
    .expect("places");
    let fp = app
        .seal_focal_point(
            &Caller::system(),
            &FocalPointInput {
                name: "Furaha Kambale".into(),
                phone: "0990001001".into(),
                place: Some("CD6111-V001".into()),
                language: "sw".into(),
                pseudonym: Some("FP-TW3KD".into()),
                ..Default::default()
            },
        )
        .await
        .expect("seal");
    app.save_records(&Caller::system(), vec![RegistryRecord::FocalPoint(fp)])
        .await
        .expect("focal point");
    (app, clock)
}

fn sms(id: &str, from: &str, text: &str) -> InboundSmsCommand {
    InboundSmsCommand {
        message_id: id.into(),
        from: from.into(),
        to: Some("22384".into()),
        text: text.into(),
        received_at: None,
        reply_inline: false,
    }
}

async fn outbox_statuses(app: &App, alert: &str) -> Vec<MessageStatus> {
    app.outbox(
        &Caller::system(),
        OutboxQuery {
            alert: Some(alert.into()),
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .expect("outbox")
    .items
    .into_iter()
    .map(|m| m.status)
    .collect()
}

#[tokio::test]
async fn a_focal_point_message_becomes_a_parsed_alert() {
    let dir = tempfile::tempdir().expect("tmp");
    let (app, _) = app(&dir).await;
    let r = app
        .intake_sms(
            "africastalking",
            sms(
                "AT-1",
                "+243 990 001 001",
                "HATARI Kitchanga watu wenye silaha",
            ),
        )
        .await
        .expect("intake");
    assert_eq!(r.outcome, SmsOutcome::Created);
    let a = &r.alert;
    assert_eq!(a.place.as_deref(), Some("CD6103-V003"), "misspelt village");
    assert_eq!(a.threat_type, Some(ThreatType::ArmedPresence));
    assert_eq!(a.reporter.pseudonym.as_deref(), Some("FP-TW3KD"));
    assert_eq!(a.language.as_deref(), Some("sw"));
    assert_eq!(a.text, "HATARI Kitchanga watu wenye silaha");
    assert!(r.reply.is_none(), "AT does not reply inline");
    assert_eq!(
        outbox_statuses(&app, &a.id).await,
        vec![MessageStatus::Queued]
    );
    // No place in the text: the focal point's own place, flagged.
    let r = app
        .intake_sms("africastalking", sms("AT-2", FP_PHONE, "ALERTE A6 S4"))
        .await
        .expect("intake");
    assert_eq!(r.alert.place.as_deref(), Some("CD6111-V001"));
    assert!(r.alert.parse_flags.contains(&"place_from_sender".into()));
    assert_eq!(r.alert.severity.level(), 4);
    support::assert_verified(&app).await;
}

#[tokio::test]
async fn an_inline_acknowledgement_is_recorded_as_sent_and_retries_repeat_it() {
    let dir = tempfile::tempdir().expect("tmp");
    let (app, _) = app(&dir).await;
    let mut m = sms("SM1", FP_PHONE, "ALERTE Kiwanja A7 pillage au marché");
    m.reply_inline = true;
    let first = app.intake_sms("twilio", m.clone()).await.expect("first");
    let reply = first.reply.clone().expect("reply inline");
    assert!(reply.contains(&first.alert.reference), "{reply}");
    let again = app.intake_sms("twilio", m.clone()).await.expect("retry");
    assert!(again.replayed);
    assert_eq!(again.alert.id, first.alert.id);
    assert_eq!(again.reply.as_deref(), Some(reply.as_str()));
    assert_eq!(
        outbox_statuses(&app, &first.alert.id).await,
        vec![MessageStatus::Sent],
        "recorded for audit, never sent twice"
    );
    m.text.push('!');
    assert!(matches!(
        app.intake_sms("twilio", m).await,
        Err(AppError::KeyReused(_))
    ));
    // An unknown number is answered in the language it wrote in.
    let mut en = sms("SM2", "+243810000004", "ALERT armed men at Kiwanja market");
    en.reply_inline = true;
    let r = app.intake_sms("twilio", en).await.expect("english");
    assert!(r.alert.reporter.is_unknown());
    assert_eq!(r.alert.reporter.language.as_deref(), Some("en"));
    assert!(r.reply.is_some_and(|t| t.contains("received")));
    support::assert_verified(&app).await;
}

#[tokio::test]
async fn replies_attach_by_reference_and_within_the_window() {
    let dir = tempfile::tempdir().expect("tmp");
    let (app, clock) = app(&dir).await;
    let first = app
        .intake_sms(
            "kannel",
            sms("k1", FP_PHONE, "ALERTE Kiwanja A2 hommes armés"),
        )
        .await
        .expect("first")
        .alert;
    clock.set(app.now() + Duration::minutes(10));
    let follow = app
        .intake_sms(
            "kannel",
            sms("k2", FP_PHONE, "ils sont partis vers Rutshuru"),
        )
        .await
        .expect("follow-up");
    assert_eq!(follow.outcome, SmsOutcome::Attached);
    assert_eq!(follow.alert.id, first.id);
    // The retry of an attached message attaches nothing more.
    let retry = app
        .intake_sms(
            "kannel",
            sms("k2", FP_PHONE, "ils sont partis vers Rutshuru"),
        )
        .await
        .expect("retry");
    assert!(retry.replayed && retry.outcome == SmsOutcome::Attached);
    let a = app.alert(&cla(), &first.id).await.expect("alert");
    let attached = a
        .timeline
        .iter()
        .filter(|t| matches!(t.event, AlertEvent::MessageAttached { .. }))
        .count();
    assert_eq!(attached, 1);
    // A keyword of its own opens a new alert, even inside the window.
    let other = app
        .intake_sms("kannel", sms("k3", FP_PHONE, "ALERTE Kitshanga tirs"))
        .await
        .expect("new");
    assert_eq!(other.outcome, SmsOutcome::Created);
    // Past the window a plain message is a new alert; citing the reference still attaches.
    clock.set(app.now() + Duration::minutes(45));
    let late = app
        .intake_sms("kannel", sms("k4", FP_PHONE, "encore des coups de feu"))
        .await
        .expect("late");
    assert_eq!(late.outcome, SmsOutcome::Created);
    let cited = app
        .intake_sms(
            "kannel",
            sms(
                "k5",
                FP_PHONE,
                &format!("REPONSE {} la MONUSCO est arrivée", first.reference),
            ),
        )
        .await
        .expect("cited");
    assert_eq!(
        (cited.outcome, cited.alert.id.as_str()),
        (SmsOutcome::Attached, first.id.as_str())
    );
    // Another number citing the same reference does not reach that alert.
    let stranger = app
        .intake_sms(
            "kannel",
            sms(
                "k6",
                "+243810000001",
                &format!("REPONSE {} ok", first.reference),
            ),
        )
        .await
        .expect("stranger");
    assert_eq!(stranger.outcome, SmsOutcome::Created);
    assert!(stranger.alert.reporter.is_unknown());
    assert!(
        stranger
            .alert
            .parse_flags
            .contains(&"reference_unmatched".into())
    );
    support::assert_verified(&app).await;
}

/// A phone stuck resending (or a number used to flood) fills one alert up to the limit, then
/// opens a new one that takes the next messages; a retry is answered from a stored answer
/// that does not grow with the alert.
#[tokio::test]
async fn follow_ups_stop_at_the_limit_and_go_on_in_a_new_alert() {
    let dir = tempfile::tempdir().expect("tmp");
    let (app, clock) = app(&dir).await;
    let first = app
        .intake_sms(
            "kannel",
            sms("f0", FP_PHONE, "ALERTE Kiwanja A2 hommes armés"),
        )
        .await
        .expect("first")
        .alert;
    // A retry of the message that opened it is answered from its id, reference and reporter.
    let again = app
        .intake_sms(
            "kannel",
            sms("f0", FP_PHONE, "ALERTE Kiwanja A2 hommes armés"),
        )
        .await
        .expect("retry of the first");
    assert!(again.replayed && again.outcome == SmsOutcome::Created);
    assert_eq!(
        (again.alert.id.as_str(), again.alert.reference.as_str()),
        (first.id.as_str(), first.reference.as_str())
    );
    assert!(
        again.alert.timeline.is_empty(),
        "the stored answer holds no timeline"
    );
    for i in 1..=MAX_FOLLOW_UPS {
        let r = app
            .intake_sms(
                "kannel",
                sms(&format!("f{i}"), FP_PHONE, "ils tirent encore"),
            )
            .await
            .expect("follow-up");
        assert_eq!(
            (r.outcome, r.alert.id.as_str()),
            (SmsOutcome::Attached, first.id.as_str())
        );
    }
    let last = format!("f{MAX_FOLLOW_UPS}");
    let retry = app
        .intake_sms("kannel", sms(&last, FP_PHONE, "ils tirent encore"))
        .await
        .expect("retry");
    assert!(retry.replayed && retry.outcome == SmsOutcome::Attached);
    assert_eq!(retry.alert.reference, first.reference);
    assert!(
        matches!(
            retry.alert.timeline.as_slice(),
            [entry] if matches!(entry.event, AlertEvent::MessageAttached { .. })
        ),
        "the stored answer keeps only the entry the message added"
    );
    let full = app.alert(&cla(), &first.id).await.expect("alert");
    let attached = |a: &kinga_domain::Alert| {
        a.timeline
            .iter()
            .filter(|t| matches!(t.event, AlertEvent::MessageAttached { .. }))
            .count()
    };
    assert_eq!(attached(&full), MAX_FOLLOW_UPS);
    // A minute on: with one fixed time for all, which of two alerts is the number's latest
    // would be left to their random ids.
    clock.set(app.now() + Duration::minutes(1));
    let over = app
        .intake_sms("kannel", sms("over", FP_PHONE, "ils tirent encore"))
        .await
        .expect("one more");
    assert_eq!(over.outcome, SmsOutcome::Created);
    assert!(over.alert.parse_flags.contains(&"follow_ups_full".into()));
    assert_eq!(over.alert.text, "ils tirent encore");
    let next = app
        .intake_sms("kannel", sms("next", FP_PHONE, "ils sont partis"))
        .await
        .expect("next");
    assert_eq!(
        (next.outcome, next.alert.id.as_str()),
        (SmsOutcome::Attached, over.alert.id.as_str())
    );
    let full = app.alert(&cla(), &first.id).await.expect("alert");
    assert_eq!(attached(&full), MAX_FOLLOW_UPS);
    support::assert_verified(&app).await;
}

#[tokio::test]
async fn nothing_a_community_sends_is_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    let (app, _) = app(&dir).await;
    let empty = app
        .intake_sms("kannel", sms("e1", "+243810000002", "   "))
        .await
        .expect("empty");
    assert_eq!(empty.outcome, SmsOutcome::Created);
    assert!(empty.alert.parse_flags.contains(&"empty".into()));
    let odd = app
        .intake_sms("kannel", sms("e2", "VODACOM", "Hommes armés à Kiwanja"))
        .await
        .expect("unreadable sender");
    assert!(odd.alert.parse_flags.contains(&"sender_unreadable".into()));
    assert!(odd.alert.reporter.phone_digest.is_none());
    // Rutshuru is both a territory and a town in it: the territory is a fact, not a guess.
    let area = app
        .intake_sms("kannel", sms("e3", "+243810000003", "ALERTE Rutshuru tirs"))
        .await
        .expect("area");
    assert_eq!(area.alert.place.as_deref(), Some("CD6111"));
    assert!(area.alert.parse_flags.contains(&"place_is_area".into()));
    assert!(area.alert.place_candidates.len() >= 2);
    support::assert_verified(&app).await;
}

#[tokio::test]
async fn an_unknown_number_is_linked_to_a_focal_point() {
    let dir = tempfile::tempdir().expect("tmp");
    let (app, _) = app(&dir).await;
    let a = app
        .intake_sms(
            "kannel",
            sms("u1", "0810000009", "ALERTE Kiwanja enlèvement"),
        )
        .await
        .expect("unknown")
        .alert;
    assert!(a.reporter.is_unknown() && a.reporter.phone_digest.is_some());
    let fp = app.focal_points(&cla()).await.expect("fps")[0].clone();
    let gateway = Caller::gateway("kannel");
    assert!(matches!(
        app.link_reporter(&gateway, &a.reference, &fp.id).await,
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(
        app.link_reporter(&cla(), &a.reference, "nobody").await,
        Err(AppError::NotFound(_))
    ));
    let linked = app
        .link_reporter(&cla(), &a.reference, &fp.id)
        .await
        .expect("link");
    assert_eq!(linked.reporter.focal_point.as_deref(), Some(fp.id.as_str()));
    assert_eq!(linked.reporter.pseudonym.as_deref(), Some("FP-TW3KD"));
    let stored = app.alert(&cla(), &a.id).await.expect("stored");
    assert!(matches!(
        stored.timeline.last().map(|t| &t.event),
        Some(AlertEvent::ReporterLinked { .. })
    ));
    // Linking again to the same focal point changes nothing.
    let again = app
        .link_reporter(&cla(), &a.id, &fp.id)
        .await
        .expect("again");
    assert_eq!(again.version, stored.version);
    support::assert_verified(&app).await;
}

/// A phone's burst of follow-ups (a long SMS split in parts, several messages sent at once)
/// all reach the alert they follow, whatever order the commits race in: none is answered
/// with a conflict, which a gateway such as Twilio would not send again.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_follow_ups_all_attach() {
    let dir = tempfile::tempdir().expect("tmp");
    let (app, clock) = app(&dir).await;
    let first = app
        .intake_sms(
            "twilio",
            sms("b0", FP_PHONE, "ALERTE Kiwanja A2 hommes armés"),
        )
        .await
        .expect("first")
        .alert;
    clock.set(app.now() + Duration::minutes(2));
    const BURST: usize = 24;
    let tasks: Vec<_> = (0..BURST)
        .map(|i| {
            let app = app.clone();
            tokio::spawn(async move {
                app.intake_sms(
                    "twilio",
                    sms(
                        &format!("b{}", i + 1),
                        FP_PHONE,
                        &format!("partie {i} ils avancent"),
                    ),
                )
                .await
            })
        })
        .collect();
    let mut attached = 0;
    for t in tasks {
        let r = t.await.expect("join").expect("every message is taken in");
        if r.outcome == SmsOutcome::Attached {
            assert_eq!(r.alert.id, first.id);
            attached += 1;
        } else {
            assert!(
                r.alert.parse_flags.iter().any(|f| f == "reply_unattached"),
                "a follow-up kept apart says why: {:?}",
                r.alert.parse_flags
            );
        }
    }
    let alert = app.alert(&cla(), &first.id).await.expect("alert");
    let on_alert = app
        .events(&Caller::system(), 0, 10_000)
        .await
        .expect("events")
        .iter()
        .filter(|(_, e)| e.payload.contains("\"message_attached\""))
        .count();
    assert_eq!(on_alert, attached, "each attached message once: {alert:?}");
    assert!(attached >= BURST / 2, "most attach: {attached} of {BURST}");
    support::assert_verified(&app).await;
}

#[tokio::test]
async fn a_retry_after_the_window_is_answered_from_the_alert_as_it_is_now() {
    let dir = tempfile::tempdir().expect("tmp");
    let (app, clock) = app(&dir).await;
    let mut m = sms("SM9", FP_PHONE, "ALERTE Kiwanja A7 pillage au marché");
    m.reply_inline = true;
    let first = app.intake_sms("twilio", m.clone()).await.expect("first");
    let api_key = Some("client-retry-1".to_string());
    let api = IntakeCommand {
        text: "Tirs entendus à Kitshanga".into(),
        idempotency_key: api_key.clone(),
        ..Default::default()
    };
    let api_first = app.intake(&cla(), api.clone()).await.expect("api");
    app.transition(
        &cla(),
        &first.alert.id,
        TransitionRequest {
            to: Some(AlertState::Acknowledged),
            ..Default::default()
        },
    )
    .await
    .expect("ack");

    // Within the window nothing is thinned, and a retry gets the first answer word for word.
    clock.set(app.now() + Duration::days(29));
    assert_eq!(app.thin_retry_answers().await.expect("thin"), 0);
    let early = app.intake_sms("twilio", m.clone()).await.expect("retry");
    assert_eq!(early.alert.state, AlertState::Received);

    clock.set(app.now() + Duration::days(2));
    assert_eq!(app.thin_retry_answers().await.expect("thin"), 2);
    assert_eq!(app.thin_retry_answers().await.expect("again"), 0);
    let late = app
        .intake_sms("twilio", m.clone())
        .await
        .expect("late retry");
    assert!(late.replayed, "recognised, not a second alert");
    assert_eq!(late.alert.id, first.alert.id);
    assert_eq!(late.alert.state, AlertState::Acknowledged, "as it is now");
    assert_eq!(late.reply, first.reply, "the same acknowledgement");
    let api_late = app.intake(&cla(), api.clone()).await.expect("api retry");
    assert!(api_late.replayed);
    assert_eq!(api_late.alert.id, api_first.alert.id);
    // The fingerprint outlives the copy: another request under the key is still refused.
    m.text.push('!');
    assert!(matches!(
        app.intake_sms("twilio", m).await,
        Err(AppError::KeyReused(_))
    ));
    let other = IntakeCommand {
        text: "autre chose".into(),
        ..api
    };
    assert!(matches!(
        app.intake(&cla(), other).await,
        Err(AppError::KeyReused(_))
    ));
    let all = app
        .alerts(&cla(), kinga_app::AlertQuery::default())
        .await
        .expect("alerts");
    assert_eq!(all.total, 2, "no retry made an alert");
    support::assert_verified(&app).await;
}
