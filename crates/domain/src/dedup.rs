//! Duplicate suggestions: alerts close in space, time and words are proposed for merging.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ThreatType;
use crate::place::Gazetteer;

/// An alert that may report the same event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DuplicateCandidate {
    /// Alert id.
    pub alert: String,
    /// Its reference.
    pub reference: String,
    /// 0–1 likelihood that both report one event.
    pub score: f64,
}

/// What duplicate scoring needs to know of an alert.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertSketch<'a> {
    /// Alert id.
    pub id: &'a str,
    /// Reference.
    pub reference: &'a str,
    /// P-code.
    pub place: Option<&'a str>,
    /// Threat type.
    pub threat_type: Option<ThreatType>,
    /// When reported.
    pub reported_at: DateTime<Utc>,
    /// Text.
    pub text: &'a str,
}

impl<'a> From<&'a crate::Alert> for AlertSketch<'a> {
    fn from(a: &'a crate::Alert) -> Self {
        AlertSketch {
            id: &a.id,
            reference: &a.reference,
            place: a.place.as_deref(),
            threat_type: a.threat_type,
            reported_at: a.reported_at,
            text: &a.text,
        }
    }
}
