//! The indexed scalar columns stored beside an alert's or an incident's JSON document.

use chrono::{DateTime, Utc};

use kinga_domain::Alert;
use kinga_domain::incident::Incident;

use super::sql::to_sql_int;
use crate::StoreResult;

/// The scalar columns of an alert that queries filter and sort on; the rest lives in its JSON
/// document (and the assigned responders in a JSON array column).
#[derive(Debug, Clone)]
pub struct AlertColumns {
    /// Lifecycle state identifier.
    pub state: &'static str,
    /// Not closed and not merged.
    pub open: bool,
    /// Severity level 1–4.
    pub severity: i16,
    /// Threat type identifier.
    pub threat_type: Option<&'static str>,
    /// P-code.
    pub place: Option<String>,
    /// No responder covers it.
    pub uncovered: bool,
    /// When reported.
    pub reported_at: DateTime<Utc>,
    /// When received.
    pub received_at: DateTime<Utc>,
    /// The deadline that governs the current state (none once nothing is due).
    pub next_deadline: Option<DateTime<Utc>>,
    /// Keyed digest of the reporter's phone.
    pub reporter_digest: Option<String>,
    /// Version after the change.
    pub version: i64,
    /// User who took it.
    pub taken_by: Option<String>,
    /// A voice call nobody has transcribed yet ([`kinga_domain::voice::unheard`]): it heads
    /// the queue's new alerts.
    pub unheard: bool,
}

impl AlertColumns {
    /// Derive the stored columns of an alert.
    pub fn of(alert: &Alert) -> StoreResult<AlertColumns> {
        Ok(AlertColumns {
            state: alert.state.as_str(),
            open: alert.state.is_open(),
            severity: i16::from(alert.severity.level()),
            threat_type: alert.threat_type.map(|t| t.as_str()),
            place: alert.place.clone(),
            uncovered: alert.uncovered,
            reported_at: alert.reported_at,
            received_at: alert.received_at,
            next_deadline: alert.next_deadline().map(|(_, at)| at),
            reporter_digest: alert.reporter.phone_digest.clone(),
            version: to_sql_int(alert.version, "alert version")?,
            taken_by: alert.taken_by.clone(),
            unheard: kinga_domain::voice::unheard(alert),
        })
    }
}

/// The scalar columns of an incident that queries filter and sort on; the rest (and its
/// sealed fields) lives in its JSON document.
#[derive(Debug, Clone)]
pub struct IncidentColumns {
    /// Compartment identifier.
    pub compartment: &'static str,
    /// Verification state identifier.
    pub state: &'static str,
    /// Date of occurrence, `YYYY-MM-DD` (text order is date order).
    pub occurred_on: String,
    /// Version.
    pub version: i64,
    /// Lower-case searchable text: nothing sealed is in it.
    pub search: String,
}

impl IncidentColumns {
    /// Derive the stored columns of an incident.
    pub fn of(i: &Incident) -> StoreResult<IncidentColumns> {
        Ok(IncidentColumns {
            compartment: i.compartment.as_str(),
            state: i.state.as_str(),
            occurred_on: i.occurred_on.format("%Y-%m-%d").to_string(),
            version: to_sql_int(i.version, "incident version")?,
            search: i.search_text(),
        })
    }
}
