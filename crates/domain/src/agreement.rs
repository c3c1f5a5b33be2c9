//! Data-sharing agreements: what this instance's organisation may hand to another (a paired
//! instance) — which incident compartments, which fields never leave, records or aggregates
//! only, for what purpose, from when until when. Handover exports and sync apply them; this
//! module holds the rules, the application the streams.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::compartment::Compartment;
use crate::error::DomainError;

/// Longest purpose or organisation text.
pub const MAX_TEXT: usize = 500;

/// Most fields withheld per record type.
pub const MAX_FIELDS: usize = 64;

/// How much of the records may cross.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Individual records (alerts, incidents, referrals…), less what the agreement withholds.
    Records,
    /// Only what describes no individual: places, plans, the referral directory and the
    /// daily digests' counts. Every alert, incident and person stays home.
    Aggregates,
}

impl Level {
    /// The snake_case identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Records => "records",
            Level::Aggregates => "aggregates",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Level {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "records" => Ok(Level::Records),
            "aggregates" => Ok(Level::Aggregates),
            other => Err(DomainError::invalid(
                "level",
                format!("'{other}' is not a level: records or aggregates"),
            )),
        }
    }
}

/// The kinds of record an agreement can let cross. Users, API tokens, the outbox, the audit
/// trail, grants, compartment keys, pairings and agreements are the instance's own business
/// and never cross under any agreement.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordType {
    /// Community alerts and everything that happens to them.
    Alert,
    /// Protection-monitoring incidents.
    Incident,
    /// Referrals of an incident's survivors.
    Referral,
    /// The interview log of an incident's survivors.
    Interview,
    /// Places of the gazetteer.
    Place,
    /// Threat actors.
    Actor,
    /// Responders.
    Responder,
    /// Community focal points.
    FocalPoint,
    /// The referral directory.
    ServiceProvider,
    /// Transition capacity plans.
    CapacityPlan,
    /// Withdrawal plans.
    WithdrawalPlan,
    /// Daily alert-tracking digests (counts).
    Digest,
    /// Transition records: benchmarks, mission indicators and their values, community
    /// mechanisms, the staff roster, knowledge notes, and broadcasts to communities.
    TransitionRecord,
}

impl RecordType {
    /// Every record type.
    pub const ALL: [RecordType; 13] = [
        RecordType::Alert,
        RecordType::Incident,
        RecordType::Referral,
        RecordType::Interview,
        RecordType::Place,
        RecordType::Actor,
        RecordType::Responder,
        RecordType::FocalPoint,
        RecordType::ServiceProvider,
        RecordType::CapacityPlan,
        RecordType::WithdrawalPlan,
        RecordType::Digest,
        RecordType::TransitionRecord,
    ];

    /// The snake_case identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordType::Alert => "alert",
            RecordType::Incident => "incident",
            RecordType::Referral => "referral",
            RecordType::Interview => "interview",
            RecordType::Place => "place",
            RecordType::Actor => "actor",
            RecordType::Responder => "responder",
            RecordType::FocalPoint => "focal_point",
            RecordType::ServiceProvider => "service_provider",
            RecordType::CapacityPlan => "capacity_plan",
            RecordType::WithdrawalPlan => "withdrawal_plan",
            RecordType::Digest => "digest",
            RecordType::TransitionRecord => "transition_record",
        }
    }

    /// Whether a record of this type describes an individual (a person, a report, a case):
    /// such records stay home under an aggregates-only agreement.
    pub fn is_individual(self) -> bool {
        matches!(
            self,
            RecordType::Alert
                | RecordType::Incident
                | RecordType::Referral
                | RecordType::Interview
                | RecordType::Responder
                | RecordType::FocalPoint
                | RecordType::Actor
        )
    }
}

impl fmt::Display for RecordType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RecordType {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        RecordType::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| {
                let known: Vec<&str> = RecordType::ALL.iter().map(|t| t.as_str()).collect();
                DomainError::invalid(
                    "fields",
                    format!("'{s}' is not a record type: one of {}", known.join(", ")),
                )
            })
    }
}

/// How an agreement ended before its term.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revocation {
    /// Who revoked it.
    pub by: String,
    /// When.
    pub at: DateTime<Utc>,
    /// Why, in words.
    pub reason: String,
}

/// A data-sharing agreement between this instance's organisation and a paired instance's.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agreement {
    /// Id (ULID).
    pub id: String,
    /// The paired instance it governs (peer name).
    pub peer: String,
    /// The other organisation, as it signed.
    pub organisation: String,
    /// Incident compartments whose records may cross (none: no incident crosses).
    pub compartments: Vec<Compartment>,
    /// Per record type, the fields that never leave: a record carrying one of them with a
    /// value does not cross at all, not even sealed.
    pub withheld_fields: BTreeMap<RecordType, Vec<String>>,
    /// Records or aggregates only.
    pub level: Level,
    /// What the other organisation may use the records for.
    pub purpose: String,
    /// First day it is in force.
    pub valid_from: NaiveDate,
    /// Last day it is in force.
    pub valid_until: NaiveDate,
    /// Who recorded it.
    pub recorded_by: String,
    /// When.
    pub recorded_at: DateTime<Utc>,
    /// Set when it was revoked before its term.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked: Option<Revocation>,
}

/// What an agreement says of one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Crossing {
    /// It crosses as it is.
    Share,
    /// It stays home; why, in words.
    Withhold(String),
}

impl Agreement {
    /// Whether it is in force on `day`: within its dates and not revoked.
    pub fn in_force(&self, day: NaiveDate) -> bool {
        self.revoked.is_none() && self.valid_from <= day && day <= self.valid_until
    }

    /// Its state on `day`, as one word: `revoked`, `pending`, `expired` or `in_force`.
    pub fn state(&self, day: NaiveDate) -> &'static str {
        if self.revoked.is_some() {
            "revoked"
        } else if day < self.valid_from {
            "pending"
        } else if day > self.valid_until {
            "expired"
        } else {
            "in_force"
        }
    }

    /// The fields of `kind` that never leave.
    pub fn fields_withheld(&self, kind: RecordType) -> &[String] {
        self.withheld_fields.get(&kind).map_or(&[], Vec::as_slice)
    }

    /// The decision for one record of `kind` in `compartment` (incidents and what hangs on
    /// them) whose content is `record`: shared, or withheld and why. A withheld field counts
    /// wherever it sits in the record, at any depth, unless its value is null or empty.
    pub fn decide(
        &self,
        kind: RecordType,
        compartment: Option<Compartment>,
        record: &serde_json::Value,
    ) -> Crossing {
        if self.level == Level::Aggregates && kind.is_individual() {
            return Crossing::Withhold(format!(
                "{kind} records do not cross under an aggregates-only agreement"
            ));
        }
        if let Some(c) = compartment {
            if !self.compartments.contains(&c) {
                return Crossing::Withhold(format!(
                    "compartment {c} is not shared by the agreement"
                ));
            }
        }
        for field in self.fields_withheld(kind) {
            if carries(record, field) {
                return Crossing::Withhold(format!(
                    "the {kind} carries the withheld field {field}"
                ));
            }
        }
        Crossing::Share
    }
}

/// Whether `v` holds member `field` — or its sealed or digested form, `field_sealed`,
/// `field_digest` — with a value (not null, not an empty string or list), at any depth.
fn carries(v: &serde_json::Value, field: &str) -> bool {
    use serde_json::Value;
    match v {
        Value::Object(map) => map.iter().any(|(k, x)| {
            let has_value = match x {
                Value::Null => false,
                Value::String(s) => !s.is_empty(),
                Value::Array(a) => !a.is_empty(),
                _ => true,
            };
            // A sealed or digested form of the field is the field: it never leaves either.
            let named = k == field
                || k.strip_prefix(field)
                    .is_some_and(|rest| rest == "_sealed" || rest == "_digest");
            (named && has_value) || carries(x, field)
        }),
        Value::Array(items) => items.iter().any(|x| carries(x, field)),
        _ => false,
    }
}

/// What an administrator asks for when recording an agreement.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AgreementInput {
    /// The paired instance.
    pub peer: String,
    /// The other organisation.
    pub organisation: String,
    /// Compartments shared.
    #[serde(default)]
    pub compartments: Vec<Compartment>,
    /// Withheld fields, as `record_type:field` (`alert:text`, `focal_point:name`).
    #[serde(default)]
    pub withheld_fields: Vec<String>,
    /// `records` or `aggregates`.
    pub level: String,
    /// Purpose.
    pub purpose: String,
    /// First day (`YYYY-MM-DD`).
    pub valid_from: NaiveDate,
    /// Last day.
    pub valid_until: NaiveDate,
}

fn field_name_ok(f: &str) -> bool {
    !f.is_empty()
        && f.len() <= 64
        && f.starts_with(|c: char| c.is_ascii_lowercase())
        && f.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn text(field: &'static str, v: &str) -> Result<String, DomainError> {
    let t = v.trim();
    if t.is_empty() || t.chars().count() > MAX_TEXT || t.chars().any(|c| c.is_control()) {
        return Err(DomainError::invalid(
            field,
            format!("1 to {MAX_TEXT} characters on one line"),
        ));
    }
    Ok(t.to_string())
}

/// The checked parts of an agreement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// The other organisation.
    pub organisation: String,
    /// The purpose.
    pub purpose: String,
    /// Records or aggregates.
    pub level: Level,
    /// Compartments shared, sorted, once each.
    pub compartments: Vec<Compartment>,
    /// Withheld fields grouped by record type, sorted.
    pub withheld_fields: BTreeMap<RecordType, Vec<String>>,
}

/// Check what an administrator asks for: organisation, purpose and dates, the withheld
/// fields grouped by record type. The peer name is checked by the caller (it must be paired).
pub fn check(input: &AgreementInput) -> Result<Checked, DomainError> {
    let organisation = text("organisation", &input.organisation)?;
    let purpose = text("purpose", &input.purpose)?;
    let level: Level = input.level.parse()?;
    if input.valid_until < input.valid_from {
        return Err(DomainError::invalid(
            "valid_until",
            format!(
                "the agreement ends ({}) before it starts ({})",
                input.valid_until, input.valid_from
            ),
        ));
    }
    let mut compartments = input.compartments.clone();
    compartments.sort_by_key(|c| c.as_str());
    compartments.dedup();
    let mut fields: BTreeMap<RecordType, Vec<String>> = BTreeMap::new();
    for spec in &input.withheld_fields {
        let (kind, field) = spec.trim().split_once(':').ok_or_else(|| {
            DomainError::invalid(
                "withheld_fields",
                format!("'{spec}' is not record_type:field (alert:text, focal_point:name)"),
            )
        })?;
        let kind: RecordType = kind.parse()?;
        let field = field.trim();
        if !field_name_ok(field) {
            return Err(DomainError::invalid(
                "withheld_fields",
                format!("'{field}' is not a field name (lower-case letters, digits, '_')"),
            ));
        }
        let list = fields.entry(kind).or_default();
        if !list.iter().any(|f| f == field) {
            list.push(field.to_string());
        }
        if list.len() > MAX_FIELDS {
            return Err(DomainError::invalid(
                "withheld_fields",
                format!("at most {MAX_FIELDS} fields per record type"),
            ));
        }
    }
    for list in fields.values_mut() {
        list.sort();
    }
    Ok(Checked {
        organisation,
        purpose,
        level,
        compartments,
        withheld_fields: fields,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn agreement(level: Level) -> Agreement {
        let input = AgreementInput {
            peer: "cndh".into(),
            organisation: "Commission nationale".into(),
            compartments: vec![Compartment::General, Compartment::HumanRights],
            withheld_fields: vec!["alert:text".into(), "focal_point:name".into()],
            level: level.as_str().into(),
            purpose: "Protection monitoring handover".into(),
            valid_from: day("2026-01-01"),
            valid_until: day("2026-12-31"),
        };
        let Checked {
            organisation,
            purpose,
            level,
            compartments,
            withheld_fields,
        } = check(&input).unwrap();
        Agreement {
            id: "A1".into(),
            peer: input.peer,
            organisation,
            compartments,
            withheld_fields,
            level,
            purpose,
            valid_from: input.valid_from,
            valid_until: input.valid_until,
            recorded_by: "admin".into(),
            recorded_at: DateTime::<Utc>::MIN_UTC,
            revoked: None,
        }
    }

    #[test]
    fn in_force_between_its_dates_until_revoked() {
        let mut a = agreement(Level::Records);
        assert!(!a.in_force(day("2025-12-31")));
        assert_eq!(a.state(day("2025-12-31")), "pending");
        assert!(a.in_force(day("2026-01-01")) && a.in_force(day("2026-12-31")));
        assert_eq!(a.state(day("2027-01-01")), "expired");
        a.revoked = Some(Revocation {
            by: "admin".into(),
            at: DateTime::<Utc>::MIN_UTC,
            reason: "ended".into(),
        });
        assert!(!a.in_force(day("2026-06-01")));
        assert_eq!(a.state(day("2026-06-01")), "revoked");
    }

    #[test]
    fn a_withheld_field_keeps_the_whole_record_home_at_any_depth() {
        let a = agreement(Level::Records);
        let with_text = json!({"event": {"received": {"text": "secret", "place": "CD61"}}});
        assert!(matches!(
            a.decide(RecordType::Alert, None, &with_text),
            Crossing::Withhold(_)
        ));
        let empty = json!({"event": {"received": {"text": "", "place": "CD61"}}});
        assert_eq!(a.decide(RecordType::Alert, None, &empty), Crossing::Share);
        // The field is withheld for alerts only: a place may carry a `text` member.
        assert_eq!(
            a.decide(RecordType::Place, None, &json!({"text": "x"})),
            Crossing::Share
        );
        let sealed = json!({"focal_point": {"name_sealed": "v1:abc"}});
        assert!(matches!(
            a.decide(RecordType::FocalPoint, None, &sealed),
            Crossing::Withhold(_)
        ));
        let listed = json!([{"name": "Amani"}]);
        assert!(matches!(
            a.decide(RecordType::FocalPoint, None, &listed),
            Crossing::Withhold(_)
        ));
    }

    #[test]
    fn compartments_and_level_decide_before_fields() {
        let a = agreement(Level::Records);
        let r = json!({"id": "I1"});
        assert_eq!(
            a.decide(RecordType::Incident, Some(Compartment::General), &r),
            Crossing::Share
        );
        assert!(matches!(
            a.decide(RecordType::Incident, Some(Compartment::Crsv), &r),
            Crossing::Withhold(_)
        ));
        let agg = agreement(Level::Aggregates);
        assert!(matches!(
            agg.decide(RecordType::Alert, None, &r),
            Crossing::Withhold(_)
        ));
        assert_eq!(agg.decide(RecordType::Place, None, &r), Crossing::Share);
        assert_eq!(agg.decide(RecordType::Digest, None, &r), Crossing::Share);
    }

    #[test]
    fn inputs_are_checked() {
        let good = AgreementInput {
            peer: "cndh".into(),
            organisation: "CNDH".into(),
            withheld_fields: vec!["alert:text".into(), "alert:text".into()],
            level: "records".into(),
            purpose: "p".into(),
            valid_from: day("2026-01-01"),
            valid_until: day("2026-01-01"),
            ..AgreementInput::default()
        };
        let fields = check(&good).unwrap().withheld_fields;
        assert_eq!(fields[&RecordType::Alert], vec!["text".to_string()]);
        for bad in [
            AgreementInput {
                level: "all".into(),
                ..good.clone()
            },
            AgreementInput {
                valid_until: day("2025-12-31"),
                ..good.clone()
            },
            AgreementInput {
                withheld_fields: vec!["user:password".into()],
                ..good.clone()
            },
            AgreementInput {
                withheld_fields: vec!["alert".into()],
                ..good.clone()
            },
            AgreementInput {
                withheld_fields: vec!["alert:Text Body".into()],
                ..good.clone()
            },
            AgreementInput {
                purpose: " ".into(),
                ..good.clone()
            },
        ] {
            assert!(check(&bad).is_err(), "{bad:?}");
        }
    }
}
