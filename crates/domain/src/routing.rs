//! Routing: which responders cover an alert's place, threat type and hour.

use serde::{Deserialize, Serialize};

/// Result of routing one alert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Routing {
    /// Responder ids, best first.
    pub proposed: Vec<String>,
    /// No responder covers the place and threat type at all.
    pub uncovered: bool,
}
