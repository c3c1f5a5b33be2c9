//! Intake's fast paths give the alert the straightforward computation gives. On random
//! alerts (texts of the blind SMS corpus, places given as P-codes, as names, misspelt, or
//! not at all, random threat types, severities and times), each alert taken in by a warm
//! server (remembered place queries, recent alerts filed in buckets) is compared with:
//! - the same command taken in by a second server whose caches are rebuilt before every
//!   alert (no remembered query): same place, place candidates, threat type and severity;
//! - duplicate suggestions computed pair by pair over every alert stored before it (no
//!   bucket, no cutoff): the same top five, by score;
//! - routing computed afresh from the stored responders and a fresh gazetteer, and the
//!   deadline policy applied to its severity: the same responders, cover and deadlines.

#[path = "../../domain/tests/support/mod.rs"]
mod reference;
mod support;

use chrono::Duration;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use kinga_app::alerts::IntakeCommand;
use kinga_app::registry::RegistryRecord;
use kinga_app::{App, Caller, Settings};
use kinga_domain::dedup::{self, AlertSketch};
use kinga_domain::registry::{ContactPreference, Hours, Responder, ResponderKind};
use kinga_domain::{Alert, Channel, Severity, ThreatType, routing};

const BLIND: &str = include_str!("../../domain/tests/sms_blind_corpus.tsv");
/// Alerts taken in: few enough that no bucket passes its cutoff, so that the bucketed search
/// and the pairwise one must agree exactly.
const ALERTS: usize = 160;

fn texts() -> Vec<String> {
    BLIND
        .lines()
        .skip(1)
        .filter_map(|l| l.split('\t').next())
        .filter(|t| !t.trim().is_empty())
        .map(str::to_string)
        .collect()
}

/// Responders of a few territories and threat types, some with hours, so that routing has
/// choices to make.
fn responders() -> Vec<Responder> {
    let r = |id: &str, places: &[&str], threats: Vec<ThreatType>, hours: (u16, u16)| Responder {
        id: id.into(),
        name: id.into(),
        kind: ResponderKind::CommunityLiaison,
        places: places.iter().map(|p| p.to_string()).collect(),
        threat_types: threats,
        hours: Hours {
            start: hours.0,
            end: hours.1,
        },
        phone: Some("+243990000001".into()),
        email: None,
        prefers: ContactPreference::Sms,
        community_consent: true,
        active: true,
    };
    vec![
        r("rutshuru-cla", &["CD6111"], vec![], (0, 0)),
        r(
            "masisi-police",
            &["CD6103"],
            vec![ThreatType::LootingExtortion, ThreatType::ArrestDetention],
            (6 * 60, 18 * 60),
        ),
        r("nord-kivu-night", &["CD61"], vec![], (18 * 60, 6 * 60)),
        r(
            "ituri-cp",
            &["CD54"],
            vec![ThreatType::ChildRecruitment],
            (0, 0),
        ),
    ]
}

async fn server(dir: &tempfile::TempDir) -> App {
    let (app, _) = support::open_app(dir).await;
    let mut records: Vec<RegistryRecord> = reference::gazetteer()
        .places()
        .iter()
        .cloned()
        .map(RegistryRecord::Place)
        .collect();
    records.extend(responders().into_iter().map(RegistryRecord::Responder));
    app.save_records(&Caller::system(), records)
        .await
        .expect("registries");
    app
}

/// A misspelling: one letter dropped.
fn typo(name: &str, rng: &mut StdRng) -> String {
    let chars: Vec<char> = name.chars().collect();
    if chars.len() < 5 {
        return name.to_string();
    }
    let drop = rng.random_range(1..chars.len() - 1);
    chars
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != drop)
        .map(|(_, c)| c)
        .collect()
}

fn command(rng: &mut StdRng, texts: &[String], app: &App) -> IntakeCommand {
    if rng.random_range(0..2) == 0 {
        // A flood: a few messages about a few villages, repeated within hours, as when a
        // town is attacked; these are what duplicate scoring is for.
        let text = texts[rng.random_range(0..8)].clone();
        return IntakeCommand {
            channel: Some(Channel::Api),
            text,
            reported_at: Some(app.now() - Duration::minutes(rng.random_range(0..6 * 60))),
            ..IntakeCommand::default()
        };
    }
    let gaz = app.gazetteer();
    let places = gaz.places();
    let place = &places[rng.random_range(0..places.len())];
    let (pcode, name) = match rng.random_range(0..4) {
        0 => (None, None),
        1 => (Some(place.pcode.clone()), None),
        2 => (None, Some(place.name.clone())),
        _ => (None, Some(typo(&place.name, rng))),
    };
    let threat = (rng.random_range(0..3) > 0)
        .then(|| ThreatType::ALL[rng.random_range(0..ThreatType::ALL.len())]);
    let severity =
        (rng.random_range(0..3) == 0).then(|| Severity::new(rng.random_range(1..=4)).expect("1-4"));
    IntakeCommand {
        channel: Some(Channel::Api),
        text: texts[rng.random_range(0..texts.len())].clone(),
        threat_type: threat,
        severity,
        place: pcode,
        place_name: name,
        reporter_phone: None,
        reported_at: Some(app.now() - Duration::minutes(rng.random_range(0..36 * 60))),
        language: None,
        idempotency_key: None,
    }
}

fn sketch(a: &Alert) -> AlertSketch<'_> {
    AlertSketch {
        id: &a.id,
        reference: &a.reference,
        place: a.place.as_deref(),
        threat_type: a.threat_type,
        reported_at: a.reported_at,
        text: &a.text,
    }
}

/// Duplicate suggestions of `new` over `earlier`, pair by pair.
fn pairwise(new: &Alert, earlier: &[Alert], app: &App) -> Vec<(String, f64)> {
    let gaz = app.gazetteer();
    let mut all: Vec<(String, f64)> = earlier
        .iter()
        .filter_map(|e| {
            Some((
                e.id.clone(),
                dedup::suggestion(&sketch(new), &sketch(e), &gaz)?,
            ))
        })
        .collect();
    all.sort_by(|a, b| b.1.total_cmp(&a.1));
    all
}

#[tokio::test]
async fn fast_paths_give_the_alert_the_straightforward_computation_gives() {
    let (warm_dir, cold_dir) = (
        tempfile::tempdir().expect("tmp"),
        tempfile::tempdir().expect("tmp"),
    );
    let (warm, cold) = (server(&warm_dir).await, server(&cold_dir).await);
    let texts = texts();
    let policy = Settings::default().deadlines.policy();
    let zone = Settings::default().zone();
    let stored_responders = warm.responders(&Caller::system()).expect("responders");
    let caller = support::cla();
    let mut rng = StdRng::seed_from_u64(20_261_129);
    let mut earlier: Vec<Alert> = vec![];
    let mut compared = (0, 0);
    for i in 0..ALERTS {
        let cmd = command(&mut rng, &texts, &warm);
        let fast = warm
            .intake(&caller, cmd.clone())
            .await
            .expect("warm intake")
            .alert;
        cold.reload_caches().await.expect("reload");
        let slow = cold
            .intake(&caller, cmd.clone())
            .await
            .expect("cold intake")
            .alert;
        let what = format!("alert {i}: {cmd:?}");
        assert_eq!(fast.place, slow.place, "place, {what}");
        assert_eq!(
            fast.place_candidates, slow.place_candidates,
            "candidates, {what}"
        );
        assert_eq!(fast.threat_type, slow.threat_type, "threat, {what}");
        assert_eq!(fast.severity, slow.severity, "severity, {what}");

        let fresh_gaz = reference::gazetteer();
        let route = routing::route(
            fast.place.as_deref(),
            fast.threat_type,
            routing::minute_of_day(fast.received_at, zone),
            &stored_responders,
            &fresh_gaz,
        );
        assert_eq!(fast.proposed_responders, route.proposed, "routing, {what}");
        assert_eq!(fast.uncovered, route.uncovered, "cover, {what}");
        assert_eq!(
            fast.deadlines,
            policy.deadlines(fast.severity, fast.received_at),
            "deadlines, {what}"
        );

        let naive = pairwise(&fast, &earlier, &warm);
        let got = &fast.duplicate_candidates;
        assert_eq!(got.len(), naive.len().min(5), "how many duplicates, {what}");
        for c in got {
            let score = naive
                .iter()
                .find(|(id, _)| *id == c.alert)
                .map(|(_, s)| *s)
                .unwrap_or_else(|| {
                    panic!("{} proposed but not by the pairwise rule, {what}", c.alert)
                });
            assert!(
                (score - c.score).abs() < 1e-9,
                "score of {}, {what}",
                c.alert
            );
        }
        // Nothing left out scores above what was kept.
        if let Some(lowest) = got.iter().map(|c| c.score).reduce(f64::min) {
            let left_out = naive
                .iter()
                .filter(|(id, _)| !got.iter().any(|c| c.alert == *id))
                .map(|(_, s)| *s)
                .fold(f64::MIN, f64::max);
            assert!(
                left_out <= lowest + 1e-9,
                "a better duplicate was left out, {what}"
            );
        }
        compared.0 += usize::from(fast.place.is_some());
        compared.1 += got.len();
        earlier.push(fast);
    }
    // The random inputs exercised what they are meant to.
    assert!(compared.0 > ALERTS / 3, "placed alerts: {}", compared.0);
    assert!(compared.1 > 20, "duplicate suggestions: {}", compared.1);
}
