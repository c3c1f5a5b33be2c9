//! Records and commits built from the domain's own constructors, as the application makes them.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Duration, TimeZone, Utc};

use kinga_domain::alert::NewAlert;
use kinga_domain::deadline::DeadlinePolicy;
use kinga_domain::outbox::{MessageKind, MessageStatus, OutboxMessage, Recipient};
use kinga_domain::people::{ApiToken, Role, User};
use kinga_domain::place::{Place, PlaceCandidate, PlaceLevel};
use kinga_domain::registry::{
    ActorKind, ContactPreference, FocalPoint, Hours, Responder, ResponderKind, ThreatActor,
};
use kinga_domain::{Alert, AlertState, Channel, Reporter, Severity, ThreatType, TransitionRequest};
use kinga_ledger::{DraftEvent, Payload};

use crate::{Commit, Write};

/// A string no other fixture of this process uses (ids, names, digests).
pub fn unique(tag: &str) -> String {
    static STAMP: OnceLock<u64> = OnceLock::new();
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let stamp = *STAMP.get_or_init(|| {
        // Distinct runs against one database must not collide either.
        let now = Utc::now();
        now.timestamp_micros().unsigned_abs() % 1_000_000_000_000
    });
    format!("{tag}{stamp:x}x{}", COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// A short upper-case P-code namespace (`Z17X`) that prefixes no other namespace.
pub fn namespace() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(1);
    format!("Z{}X", COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// A fixed instant, whole seconds so every backend keeps it exactly.
pub fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
    match Utc.with_ymd_and_hms(y, mo, d, h, mi, s) {
        chrono::LocalResult::Single(t) => t,
        _ => panic!("fixture date {y}-{mo}-{d} {h}:{mi}:{s} does not exist"),
    }
}

/// A draft event.
pub fn draft(actor: &str, when: DateTime<Utc>, payload: Payload) -> DraftEvent {
    DraftEvent {
        id: unique("01EV"),
        actor: actor.to_string(),
        at: when,
        payload,
    }
}

/// What a new test alert looks like.
#[derive(Debug, Clone)]
pub struct AlertSpec {
    /// P-code.
    pub place: Option<String>,
    /// Threat type.
    pub threat: Option<ThreatType>,
    /// Severity 1–4.
    pub severity: u8,
    /// When received (reported five minutes earlier).
    pub received_at: DateTime<Utc>,
    /// No responder covers it.
    pub uncovered: bool,
    /// Reporter phone digest.
    pub phone_digest: Option<String>,
}

impl AlertSpec {
    /// A severity-`severity` alert of `threat` at `place`, received at `received_at`.
    pub fn new(place: &str, threat: ThreatType, severity: u8, received_at: DateTime<Utc>) -> Self {
        AlertSpec {
            place: Some(place.to_string()),
            threat: Some(threat),
            severity,
            received_at,
            uncovered: false,
            phone_digest: None,
        }
    }
}

/// A freshly received alert, made the way intake makes it.
pub fn alert(spec: &AlertSpec, reference: u64) -> Alert {
    let severity = Severity::new(spec.severity).unwrap_or(Severity::IMMINENT);
    let new = NewAlert {
        id: unique("01AL"),
        reference: format!("K-{reference}"),
        channel: Channel::Sms,
        reporter: Reporter {
            focal_point: None,
            pseudonym: Some("FP-Test-01".into()),
            phone_digest: spec.phone_digest.clone(),
            phone_sealed: Some("sealed:+243000000000".into()),
            language: Some("fr".into()),
            hidden: false,
        },
        text: "Hommes armés vus près du marché, ça tire \"fort\" ; 100% sûr".into(),
        language: Some("fr".into()),
        place: spec.place.clone(),
        place_name: Some("marché".into()),
        place_candidates: vec![PlaceCandidate {
            pcode: spec.place.clone().unwrap_or_default(),
            name: "Marché".into(),
            context: "Kalehe, Sud-Kivu".into(),
            score: 0.87,
        }],
        threat_type: spec.threat,
        severity,
        reported_at: spec.received_at - Duration::minutes(5),
        received_at: spec.received_at,
        deadlines: DeadlinePolicy::default().deadlines(severity, spec.received_at),
        proposed_responders: vec![],
        uncovered: spec.uncovered,
        duplicate_candidates: vec![],
        parse_flags: vec!["place_uncertain".into()],
        unparsed: Some("vus près du marché".into()),
        severity_set: false,
    };
    Alert::received(new, "gateway:test")
}

/// The commit intake makes for a new alert.
pub fn intake(alert: &Alert) -> Commit {
    let event = match alert.timeline.first() {
        Some(entry) => entry.event.clone(),
        None => panic!("fixture alert has no intake event"),
    };
    Commit {
        events: vec![draft(
            "gateway:test",
            alert.received_at,
            Payload::Alert {
                alert: alert.id.clone(),
                event,
            },
        )],
        writes: vec![Write::Alert {
            alert: Box::new(alert.clone()),
            expected_version: None,
        }],
    }
}

/// Move `alert` to `to` as a person would, returning the commit that records it.
pub fn transition(alert: &mut Alert, req: TransitionRequest, when: DateTime<Utc>) -> Commit {
    let expected = alert.version;
    let event = match alert.decide_transition(&req) {
        Ok(Some(e)) => e,
        Ok(None) => panic!("fixture transition of {} changes nothing", alert.id),
        Err(e) => panic!("fixture transition of {} refused: {e}", alert.id),
    };
    alert.apply(event.clone(), "cla1", when);
    Commit {
        events: vec![draft(
            "cla1",
            when,
            Payload::Alert {
                alert: alert.id.clone(),
                event,
            },
        )],
        writes: vec![Write::Alert {
            alert: Box::new(alert.clone()),
            expected_version: Some(expected),
        }],
    }
}

/// A request to move to `to`, with whatever that move requires.
pub fn to(to: AlertState) -> TransitionRequest {
    TransitionRequest {
        to: Some(to),
        reason: Some("confirmed by a second source".into()),
        outcome: Some("patrol sent, calm restored".into()),
        ..TransitionRequest::default()
    }
}

/// Every lifecycle step from `received` to reach `state`, on the usual path.
pub fn path_to(state: AlertState) -> Vec<AlertState> {
    use AlertState::*;
    match state {
        Received => vec![],
        Acknowledged => vec![Acknowledged],
        Verified => vec![Acknowledged, Verified],
        Unverifiable => vec![Acknowledged, Unverifiable],
        FalseAlarm => vec![Acknowledged, FalseAlarm],
        Assigned => vec![Acknowledged, Verified, Assigned],
        Responding => vec![Acknowledged, Verified, Assigned, Responding],
        Closed => vec![Acknowledged, FalseAlarm, Closed],
        Merged => vec![Merged],
    }
}

/// A place.
pub fn place(pcode: &str, name: &str, level: PlaceLevel, parent: Option<&str>) -> Place {
    Place {
        pcode: pcode.to_string(),
        name: name.to_string(),
        alt_names: vec![format!("{name} centre"), "Kalehé".into()],
        level,
        parent: parent.map(str::to_string),
        country: "COD".into(),
        lat: Some(-1.9234567),
        lon: Some(29.1234567),
    }
}

/// A threat actor.
pub fn actor() -> ThreatActor {
    ThreatActor {
        id: unique("actor"),
        name: "Groupe armé « Test »".into(),
        kind: ActorKind::NonStateArmedGroup,
        aliases: vec!["GAT".into(), "les gens du test".into()],
        areas: vec!["CD62".into()],
        notes: "Seen near the market.".into(),
    }
}

/// A responder covering `places`.
pub fn responder(places: &[&str]) -> Responder {
    Responder {
        id: unique("resp"),
        name: "Base Test".into(),
        kind: ResponderKind::MissionMilitary,
        places: places.iter().map(|p| p.to_string()).collect(),
        threat_types: vec![ThreatType::Killing, ThreatType::Clashes],
        hours: Hours {
            start: 1200,
            end: 360,
        },
        phone: Some("+243000000001".into()),
        email: None,
        prefers: ContactPreference::Sms,
        community_consent: true,
        active: true,
    }
}

/// A focal point with phone digest `digest`.
pub fn focal_point(digest: &str) -> FocalPoint {
    FocalPoint {
        id: unique("fp"),
        pseudonym: "FP-TX3WD".into(),
        name_sealed: "sealed:name".into(),
        phone_sealed: "sealed:phone".into(),
        phone_digest: digest.to_string(),
        place: Some("CD6201".into()),
        language: "sw".into(),
        active: true,
    }
}

/// A user named `name`.
pub fn user(name: &str) -> User {
    User {
        id: unique("user"),
        name: name.to_string(),
        display_name: "Test Coordinator".into(),
        role: Role::Coordinator,
        language: "fr".into(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        disabled: false,
        responder: None,
        created_at: at(2030, 1, 1, 9, 0, 0),
        areas: vec![],
        phone: None,
        email: None,
        notify: vec![],
        time_zone: None,
        inbox_seen_at: None,
    }
}

/// An API token of `user`.
pub fn token(user: &str) -> ApiToken {
    ApiToken {
        id: unique("tok"),
        user: user.to_string(),
        label: "gateway".into(),
        digest: unique("sha256:"),
        created_at: at(2030, 1, 1, 9, 30, 0),
        revoked: false,
    }
}

/// An outbox message about `alert`.
pub fn message(
    alert: Option<&str>,
    status: MessageStatus,
    created_at: DateTime<Utc>,
) -> OutboxMessage {
    OutboxMessage {
        id: unique("msg"),
        kind: MessageKind::Feedback,
        recipient: Recipient::Reporter {
            phone_sealed: Some("sealed:phone".into()),
            pseudonym: Some("FP-Test-01".into()),
        },
        alert: alert.map(str::to_string),
        language: "fr".into(),
        body: "Kinga : alerte K-1 clôturée.".into(),
        status,
        attempts: 1,
        last_error: None,
        created_at,
        next_attempt_at: None,
        provider: None,
        provider_message_id: None,
        channel: None,
    }
}
