//! JSON shapes of the API. The domain stays free of HTTP and schema concerns: these views are
//! built from domain values and are what OpenAPI documents.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use kinga_domain::place::{Gazetteer, PlaceCandidate};
use kinga_domain::{Alert, AlertEvent, TimelineEntry};

/// A ranked place candidate.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PlaceCandidateView {
    /// P-code.
    pub pcode: String,
    /// Main name.
    pub name: String,
    /// Where it lies.
    pub context: String,
    /// 0–1.
    pub score: f64,
}

impl From<&PlaceCandidate> for PlaceCandidateView {
    fn from(c: &PlaceCandidate) -> Self {
        PlaceCandidateView {
            pcode: c.pcode.clone(),
            name: c.name.clone(),
            context: c.context.clone(),
            score: c.score,
        }
    }
}

/// A possible duplicate.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DuplicateView {
    /// Alert id.
    pub alert: String,
    /// Reference.
    pub reference: String,
    /// 0–1.
    pub score: f64,
}

/// Who reported (never the number). Roles that may not see reporters get `hidden: true` and
/// nothing else: not even whether the number is known.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ReporterView {
    /// Withheld from the caller's role.
    pub hidden: bool,
    /// True when the number belongs to no registered focal point (null when hidden).
    pub unknown: Option<bool>,
    /// Focal point id.
    pub focal_point: Option<String>,
    /// Pseudonym.
    pub pseudonym: Option<String>,
    /// A number was given (null when hidden).
    pub has_phone: Option<bool>,
}

/// The deadlines of an alert.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DeadlinesView {
    /// Acknowledge by.
    pub acknowledge: DateTime<Utc>,
    /// Verify by.
    pub verify: DateTime<Utc>,
    /// Responder acting by.
    pub respond: DateTime<Utc>,
}

/// One line of history.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TimelineView {
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub actor: String,
    /// Event kind (`received`, `transitioned`, `triaged`, `escalated`, …).
    pub kind: String,
    /// Event details.
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

impl From<&TimelineEntry> for TimelineView {
    fn from(t: &TimelineEntry) -> Self {
        let mut detail = serde_json::to_value(&t.event).unwrap_or_default();
        let kind = detail
            .get("kind")
            .and_then(|k| k.as_str())
            .unwrap_or("event")
            .to_string();
        if let AlertEvent::Received(_) = t.event {
            // The intake snapshot repeats the alert itself, reporter seal included; keep it out.
            detail = serde_json::json!({ "kind": "received" });
        }
        TimelineView {
            at: t.at,
            actor: t.actor.clone(),
            kind,
            detail,
        }
    }
}

/// An alert as the API shows it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AlertView {
    /// ULID.
    pub id: String,
    /// Reference such as `K-1042`.
    pub reference: String,
    /// Lifecycle state.
    #[schema(example = "received")]
    pub state: String,
    /// Channel.
    pub channel: String,
    /// Text as received.
    pub text: String,
    /// Language.
    pub language: Option<String>,
    /// Resolved P-code.
    pub place: Option<String>,
    /// "Minova, Kalehe, Sud-Kivu".
    pub place_label: Option<String>,
    /// Place name as given.
    pub place_name: Option<String>,
    /// Place candidates, best first.
    pub place_candidates: Vec<PlaceCandidateView>,
    /// Threat type.
    pub threat_type: Option<String>,
    /// Severity 1–4.
    pub severity: u8,
    /// When reported.
    pub reported_at: DateTime<Utc>,
    /// When received.
    pub received_at: DateTime<Utc>,
    /// Deadlines.
    pub deadlines: DeadlinesView,
    /// The deadline that applies now (`acknowledge`, `verify`, `respond`).
    pub next_deadline: Option<String>,
    /// When it falls due.
    pub next_deadline_at: Option<DateTime<Utc>>,
    /// Deadlines missed and escalated.
    pub escalated: Vec<String>,
    /// Responders proposed by routing.
    pub proposed_responders: Vec<String>,
    /// Responders assigned.
    pub assigned: Vec<String>,
    /// No responder covers this place and threat type.
    pub uncovered: bool,
    /// Possible duplicates.
    pub duplicate_candidates: Vec<DuplicateView>,
    /// What the SMS grammar found missing or doubtful (`place_ambiguous`, `no_keyword`, …).
    #[serde(default)]
    pub parse_flags: Vec<String>,
    /// Words of an SMS the grammar did not read.
    #[serde(default)]
    pub unparsed: Option<String>,
    /// Outcome.
    pub outcome: Option<String>,
    /// Alert it was merged into.
    pub merged_into: Option<String>,
    /// Reporter.
    pub reporter: ReporterView,
    /// Version (events folded in).
    pub version: u64,
    /// History (only on single-alert answers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeline: Option<Vec<TimelineView>>,
}

impl AlertView {
    /// The view of an alert; `with_timeline` for single-alert answers.
    pub fn new(a: &Alert, gaz: &Gazetteer, with_timeline: bool) -> AlertView {
        let next = a.next_deadline();
        AlertView {
            id: a.id.clone(),
            reference: a.reference.clone(),
            state: a.state.to_string(),
            channel: a.channel.as_str().to_string(),
            text: a.text.clone(),
            language: a.language.clone(),
            place: a.place.clone(),
            place_label: a.place.as_deref().map(|p| gaz.label(p)),
            place_name: a.place_name.clone(),
            place_candidates: a.place_candidates.iter().map(Into::into).collect(),
            threat_type: a.threat_type.map(|t| t.to_string()),
            severity: a.severity.level(),
            reported_at: a.reported_at,
            received_at: a.received_at,
            deadlines: DeadlinesView {
                acknowledge: a.deadlines.acknowledge,
                verify: a.deadlines.verify,
                respond: a.deadlines.respond,
            },
            next_deadline: next.map(|(k, _)| k.as_str().to_string()),
            next_deadline_at: next.map(|(_, t)| t),
            escalated: a.escalated.iter().map(|k| k.as_str().to_string()).collect(),
            proposed_responders: a.proposed_responders.clone(),
            assigned: a.assigned.clone(),
            uncovered: a.uncovered,
            duplicate_candidates: a
                .duplicate_candidates
                .iter()
                .map(|d| DuplicateView {
                    alert: d.alert.clone(),
                    reference: d.reference.clone(),
                    score: d.score,
                })
                .collect(),
            parse_flags: a.parse_flags.clone(),
            unparsed: a.unparsed.clone(),
            outcome: a.outcome.clone(),
            merged_into: a.merged_into.clone(),
            reporter: ReporterView {
                hidden: a.reporter.hidden,
                unknown: (!a.reporter.hidden).then(|| a.reporter.is_unknown()),
                focal_point: a.reporter.focal_point.clone(),
                pseudonym: a.reporter.pseudonym.clone(),
                has_phone: (!a.reporter.hidden).then_some(a.reporter.phone_digest.is_some()),
            },
            version: a.version,
            timeline: with_timeline.then(|| a.timeline.iter().map(Into::into).collect()),
        }
    }
}

/// A page of alerts.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AlertList {
    /// Alerts on this page.
    pub items: Vec<AlertView>,
    /// Alerts matching in all.
    pub total: u64,
    /// Page size.
    pub limit: usize,
    /// Offset of this page.
    pub offset: usize,
}
