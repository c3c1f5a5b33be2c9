//! Saves of one versioned record made on two instances while they were cut off from each other.
//!
//! Incidents, capacity plans, withdrawal plans and transition records carry a version that each
//! save increments. A save received from another instance whose version is not above the one
//! held was made without knowledge of the held one: the two are concurrent. Every instance
//! settles such a pair the same way, whatever order the saves arrived in — the higher version is
//! in force; at equal versions, the one whose canonical JSON text sorts last — and keeps the
//! other version beside it as a conflict for a person to read and merge, never dropping it
//! silently.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The kinds of record that carry a version and can therefore conflict.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VersionedKind {
    /// A protection-monitoring incident.
    Incident,
    /// A capacity plan of one place.
    CapacityPlan,
    /// A mission's withdrawal plan.
    WithdrawalPlan,
    /// A benchmark, indicator, community mechanism, staff member or knowledge note.
    TransitionRecord,
}

impl VersionedKind {
    /// Every kind.
    pub const ALL: [VersionedKind; 4] = [
        VersionedKind::Incident,
        VersionedKind::CapacityPlan,
        VersionedKind::WithdrawalPlan,
        VersionedKind::TransitionRecord,
    ];

    /// The snake_case identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            VersionedKind::Incident => "incident",
            VersionedKind::CapacityPlan => "capacity_plan",
            VersionedKind::WithdrawalPlan => "withdrawal_plan",
            VersionedKind::TransitionRecord => "transition_record",
        }
    }
}

impl std::fmt::Display for VersionedKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One save of a record: its version and the record as JSON.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Version {
    /// The record's version.
    pub version: u64,
    /// The record as saved.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub doc: Value,
}

/// What to do with a save received from another instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A later version of what is held: take it.
    Take,
    /// The same record as held: nothing changes.
    Same,
    /// Concurrent with the held version and in force over it: take it, keep the held one as
    /// the other version of a conflict.
    TakeOverConflict,
    /// Concurrent with the held version, which stays in force: keep the received one as the
    /// other version of a conflict.
    KeepHeldConflict,
}

/// Settle a received save against the held one (if any). The same pair gives the same record
/// in force on every instance, whichever of the two arrived first.
pub fn settle(held: Option<&Version>, received: &Version) -> Outcome {
    let Some(held) = held else {
        return Outcome::Take;
    };
    if received.version > held.version {
        return Outcome::Take;
    }
    if received.doc == held.doc {
        return Outcome::Same;
    }
    if received.version == held.version && canonical(&received.doc) > canonical(&held.doc) {
        Outcome::TakeOverConflict
    } else {
        Outcome::KeepHeldConflict
    }
}

/// The record's JSON text with keys in sorted order (serde_json's maps are sorted), so two
/// instances compare the same bytes.
fn canonical(doc: &Value) -> String {
    doc.to_string()
}

/// Two concurrent versions of one record, as an instance met them: the one in force when they
/// met and the other one, kept to be read and merged by a person.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordConflict {
    /// The id of the received event that met the held version (one conflict per such event).
    pub id: String,
    /// What kind of record.
    pub kind: VersionedKind,
    /// The record's id.
    pub record: String,
    /// The incident's compartment, which decides who may see the conflict; none for others.
    pub compartment: Option<String>,
    /// When the received save was made (its event's time).
    pub found_at: DateTime<Utc>,
    /// The instance the received save came from.
    pub origin: String,
    /// The version in force when the two met.
    pub in_force: Version,
    /// The version not in force.
    pub other: Version,
    /// The top-level fields whose values differ, in key order.
    pub fields: Vec<String>,
}

/// What an instance knows of the received save that met a held version.
#[derive(Debug, Clone, Copy)]
pub struct Meeting<'a> {
    /// The received event's id.
    pub event: &'a str,
    /// Its origin.
    pub origin: &'a str,
    /// Its time.
    pub at: DateTime<Utc>,
}

impl RecordConflict {
    /// The conflict an outcome records, if it records one.
    pub fn of(
        outcome: Outcome,
        kind: VersionedKind,
        record: &str,
        held: &Version,
        received: &Version,
        meeting: Meeting<'_>,
    ) -> Option<RecordConflict> {
        let (in_force, other) = match outcome {
            Outcome::Take | Outcome::Same => return None,
            Outcome::TakeOverConflict => (received, held),
            Outcome::KeepHeldConflict => (held, received),
        };
        let compartment = in_force
            .doc
            .get("compartment")
            .and_then(Value::as_str)
            .map(str::to_string);
        Some(RecordConflict {
            id: meeting.event.to_string(),
            kind,
            record: record.to_string(),
            compartment: compartment.filter(|_| kind == VersionedKind::Incident),
            found_at: meeting.at,
            origin: meeting.origin.to_string(),
            fields: differing_fields(&in_force.doc, &other.doc),
            in_force: in_force.clone(),
            other: other.clone(),
        })
    }
}

/// The top-level keys whose values differ between two JSON objects, in key order.
pub fn differing_fields(a: &Value, b: &Value) -> Vec<String> {
    let (Some(a), Some(b)) = (a.as_object(), b.as_object()) else {
        return if a == b {
            Vec::new()
        } else {
            vec![String::new()]
        };
    };
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| a.get(k.as_str()) != b.get(k.as_str()))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn v(version: u64, doc: Value) -> Version {
        Version { version, doc }
    }

    fn meeting(event: &str) -> Meeting<'_> {
        Meeting {
            event,
            origin: "field",
            at: DateTime::parse_from_rfc3339("2026-11-30T08:00:00Z")
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_default(),
        }
    }

    #[test]
    fn a_later_version_or_a_first_save_is_taken() {
        let held = v(2, json!({"id": "p", "version": 2, "note": "a"}));
        assert_eq!(settle(None, &held), Outcome::Take);
        let next = v(3, json!({"id": "p", "version": 3, "note": "b"}));
        assert_eq!(settle(Some(&held), &next), Outcome::Take);
    }

    #[test]
    fn the_same_save_changes_nothing() {
        let held = v(2, json!({"id": "p", "version": 2}));
        assert_eq!(settle(Some(&held), &held.clone()), Outcome::Same);
    }

    #[test]
    fn equal_versions_settle_the_same_way_in_either_order() {
        let a = v(3, json!({"id": "p", "version": 3, "note": "HQ's words"}));
        let b = v(
            3,
            json!({"id": "p", "version": 3, "note": "the field's words"}),
        );
        let at_hq = settle(Some(&a), &b);
        let at_field = settle(Some(&b), &a);
        // Whichever arrived first, one of them is in force on both sides.
        let in_force_at_hq = if at_hq == Outcome::TakeOverConflict {
            &b
        } else {
            &a
        };
        let in_force_at_field = if at_field == Outcome::TakeOverConflict {
            &a
        } else {
            &b
        };
        assert_eq!(in_force_at_hq, in_force_at_field);
        assert_ne!(at_hq, at_field);
        // "the field's words" sorts after "HQ's words".
        assert_eq!(in_force_at_hq, &b);
    }

    #[test]
    fn an_older_concurrent_version_stays_visible_beside_the_held_line() {
        let held = v(5, json!({"id": "p", "version": 5, "note": "line went on"}));
        let late = v(
            3,
            json!({"id": "p", "version": 3, "note": "edited offline"}),
        );
        let outcome = settle(Some(&held), &late);
        assert_eq!(outcome, Outcome::KeepHeldConflict);
        let c = RecordConflict::of(
            outcome,
            VersionedKind::CapacityPlan,
            "p",
            &held,
            &late,
            meeting("ev1"),
        );
        let c = c.expect("a conflict is kept");
        assert_eq!(c.in_force, held);
        assert_eq!(c.other, late);
        assert_eq!(c.fields, vec!["note".to_string(), "version".to_string()]);
        assert_eq!(c.compartment, None);
        assert_eq!(c.id, "ev1");
    }

    #[test]
    fn an_incident_conflict_keeps_its_compartment() {
        let held = v(
            2,
            json!({"id": "i", "version": 2, "compartment": "crsv", "n": 1}),
        );
        let got = v(
            2,
            json!({"id": "i", "version": 2, "compartment": "crsv", "n": 2}),
        );
        let outcome = settle(Some(&held), &got);
        let c = RecordConflict::of(
            outcome,
            VersionedKind::Incident,
            "i",
            &held,
            &got,
            meeting("ev2"),
        )
        .expect("a conflict is kept");
        assert_eq!(c.compartment.as_deref(), Some("crsv"));
        assert_eq!(c.fields, vec!["n".to_string()]);
    }

    #[test]
    fn no_conflict_is_kept_for_a_plain_update() {
        let held = v(1, json!({"v": 1}));
        let next = v(2, json!({"v": 2}));
        let outcome = settle(Some(&held), &next);
        assert!(
            RecordConflict::of(
                outcome,
                VersionedKind::Incident,
                "i",
                &held,
                &next,
                meeting("e")
            )
            .is_none()
        );
    }
}
