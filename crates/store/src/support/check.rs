//! What `kinga verify` compares: the columns and side-table rows a record implies, and the
//! sentences that name each difference from what is stored.

use chrono::{DateTime, Utc};

use kinga_domain::Alert;
use kinga_domain::compartment::{CompartmentKey, UserGrant};
use kinga_domain::incident::Incident;
use kinga_domain::incident::care::Referral;
use kinga_domain::transition::{CapacityPlan, TransitionRecord, WithdrawalPlan};

use super::codec::{encode, variant_name};
use super::columns::{AlertColumns, IncidentColumns};
use crate::{Projection, StoreError, StoreResult};

/// A time as every backend's column check writes it: RFC 3339, UTC, microseconds (what
/// PostgreSQL keeps; both the stored and the expected value are truncated alike).
pub fn canonical_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// The indexed columns a backend keeps beside a projection's record, each as canonical text
/// (times by [`canonical_time`], booleans `true`/`false`, JSON compact), derived from the
/// record exactly as writing derives them. `kinga verify` compares them with the stored ones.
pub fn expected_columns(
    table: Projection,
    doc: &serde_json::Value,
) -> StoreResult<Vec<(&'static str, Option<String>)>> {
    let text = |v: &serde_json::Value, field: &str| {
        v.get(field).and_then(|x| x.as_str()).map(String::from)
    };
    Ok(match table {
        Projection::Alerts => {
            let alert: Alert = serde_json::from_value(doc.clone())
                .map_err(|e| StoreError::Corrupt(format!("alert record: {e}")))?;
            let c = AlertColumns::of(&alert)?;
            vec![
                ("id", Some(alert.id.clone())),
                ("reference", Some(alert.reference.clone())),
                ("state", Some(c.state.to_string())),
                ("open", Some(c.open.to_string())),
                ("severity", Some(c.severity.to_string())),
                ("threat_type", c.threat_type.map(String::from)),
                ("place", c.place),
                ("uncovered", Some(c.uncovered.to_string())),
                ("reported_at", Some(canonical_time(c.reported_at))),
                ("received_at", Some(canonical_time(c.received_at))),
                ("next_deadline", c.next_deadline.map(canonical_time)),
                ("reporter_digest", c.reporter_digest),
                (
                    "assigned",
                    Some(encode(&alert.assigned, "assigned responders")?),
                ),
                ("version", Some(c.version.to_string())),
                ("taken_by", c.taken_by),
            ]
        }
        Projection::Places => vec![("pcode", text(doc, "pcode"))],
        Projection::Actors | Projection::Responders => vec![("id", text(doc, "id"))],
        Projection::FocalPoints => vec![
            ("id", text(doc, "id")),
            ("phone_digest", text(doc, "phone_digest")),
        ],
        Projection::Users => vec![("id", text(doc, "id")), ("name", text(doc, "name"))],
        Projection::Tokens => vec![
            ("id", text(doc, "id")),
            ("user_id", text(doc, "user")),
            ("digest", text(doc, "digest")),
        ],
        Projection::Outbox => {
            let m: kinga_domain::outbox::OutboxMessage = serde_json::from_value(doc.clone())
                .map_err(|e| StoreError::Corrupt(format!("outbox record: {e}")))?;
            vec![
                ("id", Some(m.id.clone())),
                ("status", Some(variant_name(&m.status)?)),
                ("alert", m.alert.clone()),
                ("created_at", Some(canonical_time(m.created_at))),
                ("next_attempt_at", m.next_attempt_at.map(canonical_time)),
                ("provider", m.provider.clone()),
                ("provider_message_id", m.provider_message_id.clone()),
                ("inbox_user", m.inbox_user().map(str::to_string)),
            ]
        }
        Projection::Digests => vec![("day", text(doc, "day"))],
        // Audit rows have no record apart from their columns.
        Projection::Audit => vec![],
        Projection::Incidents => {
            let i: Incident = serde_json::from_value(doc.clone())
                .map_err(|e| StoreError::Corrupt(format!("incident record: {e}")))?;
            let c = IncidentColumns::of(&i)?;
            vec![
                ("id", Some(i.id.clone())),
                ("compartment", Some(c.compartment.to_string())),
                ("state", Some(c.state.to_string())),
                ("occurred_on", Some(c.occurred_on)),
                ("place", Some(i.place.clone())),
                ("recorded_at", Some(canonical_time(i.recorded_at))),
                ("version", Some(c.version.to_string())),
                ("search", Some(c.search)),
            ]
        }
        Projection::Grants => {
            let g: UserGrant = serde_json::from_value(doc.clone())
                .map_err(|e| StoreError::Corrupt(format!("grant record: {e}")))?;
            vec![
                ("id", Some(g.key())),
                ("user_id", Some(g.user.clone())),
                ("compartment", Some(g.compartment.to_string())),
            ]
        }
        Projection::CompartmentKeys => {
            let k: CompartmentKey = serde_json::from_value(doc.clone())
                .map_err(|e| StoreError::Corrupt(format!("compartment key record: {e}")))?;
            vec![
                ("id", Some(k.key())),
                ("compartment", Some(k.compartment.to_string())),
                ("version", Some(k.version.to_string())),
            ]
        }
        Projection::ServiceProviders => vec![("id", text(doc, "id"))],
        Projection::Referrals => {
            let r: Referral = serde_json::from_value(doc.clone())
                .map_err(|e| StoreError::Corrupt(format!("referral record: {e}")))?;
            vec![
                ("id", Some(r.id.clone())),
                ("incident_id", Some(r.incident.clone())),
                ("status", Some(variant_name(&r.status)?)),
            ]
        }
        Projection::Interviews => vec![
            ("id", text(doc, "id")),
            ("incident_id", text(doc, "incident")),
        ],
        Projection::CapacityPlans => {
            let p: CapacityPlan = serde_json::from_value(doc.clone())
                .map_err(|e| StoreError::Corrupt(format!("capacity plan record: {e}")))?;
            vec![
                ("id", Some(p.id.clone())),
                ("place", Some(p.place.clone())),
                ("capacity", Some(p.capacity.to_string())),
                ("version", Some(p.version.to_string())),
            ]
        }
        Projection::WithdrawalPlans => {
            let p: WithdrawalPlan = serde_json::from_value(doc.clone())
                .map_err(|e| StoreError::Corrupt(format!("withdrawal plan record: {e}")))?;
            vec![
                ("id", Some(p.id.clone())),
                ("mission", Some(p.mission.clone())),
                ("version", Some(p.version.to_string())),
            ]
        }
        Projection::Peers => vec![("name", text(doc, "name"))],
        Projection::HandoverReversals => vec![("plan", text(doc, "plan"))],
        Projection::Broadcasts => vec![("id", text(doc, "id"))],
        Projection::TransitionRecords => {
            let r: TransitionRecord = serde_json::from_value(doc.clone())
                .map_err(|e| StoreError::Corrupt(format!("transition record: {e}")))?;
            vec![
                ("id", Some(r.id().to_string())),
                ("kind", Some(r.kind().to_string())),
                ("place", r.place().map(str::to_string)),
                ("version", Some(r.stamp().version.to_string())),
            ]
        }
        Projection::Agreements => vec![("id", text(doc, "id")), ("peer", text(doc, "peer"))],
        Projection::RecordConflicts => vec![
            ("id", text(doc, "id")),
            ("kind", text(doc, "kind")),
            ("record", text(doc, "record")),
            ("compartment", text(doc, "compartment")),
        ],
        Projection::HrddpScreenings => vec![("id", text(doc, "id")), ("unit", text(doc, "unit"))],
        Projection::GbvimsImports => {
            vec![("id", text(doc, "id")), ("provider", text(doc, "provider"))]
        }
        Projection::ContextEvents => vec![
            ("id", text(doc, "id")),
            ("dataset", text(doc, "dataset")),
            ("occurred_on", text(doc, "date")),
        ],
    })
}

/// The rows an incident's record implies in the side tables, as a backend's check reads them
/// back: violations sorted and comma-joined; victims `n:sex:age_group:disability:displaced`
/// (booleans 0/1) comma-joined in order; an empty table part is `None`.
pub fn incident_side_rows(
    doc: &serde_json::Value,
) -> StoreResult<(Option<String>, Option<String>)> {
    let i: Incident = serde_json::from_value(doc.clone())
        .map_err(|e| StoreError::Corrupt(format!("incident record: {e}")))?;
    let mut violations: Vec<&str> = i.violations.iter().map(|v| v.as_str()).collect();
    violations.sort_unstable();
    let victims: Vec<String> = i
        .victims
        .iter()
        .enumerate()
        .map(|(n, v)| {
            format!(
                "{n}:{}:{}:{}:{}",
                v.sex.as_str(),
                v.age_group.as_str(),
                u8::from(v.disability),
                u8::from(v.displaced)
            )
        })
        .collect();
    let joined = |v: Vec<String>| (!v.is_empty()).then(|| v.join(","));
    Ok((
        joined(violations.into_iter().map(String::from).collect()),
        joined(victims),
    ))
}

/// Differences between an incident's side-table rows as stored and as its record implies.
pub fn side_row_faults(
    key: &str,
    doc: &serde_json::Value,
    violations: Option<String>,
    victims: Option<String>,
) -> Vec<String> {
    match incident_side_rows(doc) {
        Err(e) => vec![format!("incidents row {key}: {e}")],
        Ok((want_violations, want_victims)) => {
            let mut out = Vec::new();
            if violations != want_violations {
                out.push(format!(
                    "incident_violations of incident {key} hold {} but its record says {}",
                    show(violations.as_deref()),
                    show(want_violations.as_deref())
                ));
            }
            if victims != want_victims {
                out.push(format!(
                    "incident_victims of incident {key} hold {} but its record says {}",
                    show(victims.as_deref()),
                    show(want_victims.as_deref())
                ));
            }
            out
        }
    }
}

/// Compare stored columns with the expected ones; a sentence per difference.
pub fn column_differences(
    table: Projection,
    key: &str,
    stored: &[(&'static str, Option<String>)],
    expected: &[(&'static str, Option<String>)],
) -> Vec<String> {
    expected
        .iter()
        .filter_map(|(name, want)| {
            let have = stored.iter().find(|(n, _)| n == name).map(|(_, v)| v);
            match have {
                Some(have) if have == want => None,
                have => Some(format!(
                    "{} row {key}: column {name} holds {} but its record says {}",
                    table.table(),
                    show(have.and_then(|h| h.as_deref())),
                    show(want.as_deref())
                )),
            }
        })
        .collect()
}

fn show(v: Option<&str>) -> String {
    v.map_or_else(|| "nothing".to_string(), |v| format!("'{v}'"))
}
