//! Compartments: need-to-know partitions of protection records, the grants that open them to
//! a user, and the (wrapped) keys that seal their identifying fields.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::DomainError;

/// The compartment a record belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Compartment {
    /// Records without identities, seen by every role that reads incidents.
    General,
    /// Human-rights and IHL violations with identities.
    HumanRights,
    /// Conflict-related sexual violence.
    Crsv,
    /// Grave violations against children.
    Children,
}

impl Compartment {
    /// Every compartment.
    pub const ALL: [Compartment; 4] = [
        Compartment::General,
        Compartment::HumanRights,
        Compartment::Crsv,
        Compartment::Children,
    ];

    /// The snake_case identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            Compartment::General => "general",
            Compartment::HumanRights => "human_rights",
            Compartment::Crsv => "crsv",
            Compartment::Children => "children",
        }
    }

    /// Sensitive compartments hold identities; their narratives are sealed and every read of
    /// one of their records is audited.
    pub fn is_sensitive(self) -> bool {
        self != Compartment::General
    }
}

impl fmt::Display for Compartment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Compartment {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim().to_lowercase().replace(['-', ' '], "_");
        Compartment::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| {
                DomainError::invalid(
                    "compartment",
                    format!(
                        "unknown compartment '{s}'; one of general, human_rights, crsv, children"
                    ),
                )
            })
    }
}

/// A user's grant to see one compartment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserGrant {
    /// User id.
    pub user: String,
    /// The compartment.
    pub compartment: Compartment,
    /// Who granted it (user name).
    pub granted_by: String,
    /// When.
    pub granted_at: DateTime<Utc>,
}

impl UserGrant {
    /// The grant's key (`<user id>:<compartment>`): one grant per user and compartment.
    pub fn key(&self) -> String {
        grant_key(&self.user, self.compartment)
    }
}

/// The key of a user's grant of a compartment.
pub fn grant_key(user: &str, compartment: Compartment) -> String {
    format!("{user}:{compartment}")
}

/// One version of a compartment's key, wrapped (sealed) by the instance's master key; the
/// key itself never reaches the database in clear.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompartmentKey {
    /// The compartment.
    pub compartment: Compartment,
    /// Version, from 1; sealed values name the version that sealed them.
    pub version: u32,
    /// The key, wrapped by the master key.
    pub wrapped: String,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// A retired key seals nothing new; it is kept so older ledger events stay readable.
    #[serde(default)]
    pub retired: bool,
}

impl CompartmentKey {
    /// The key's row key (`<compartment>:<version>`, version zero-padded so text order is
    /// version order).
    pub fn key(&self) -> String {
        format!("{}:{:06}", self.compartment, self.version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compartments_parse_and_only_general_is_open() {
        assert_eq!("CRSV".parse::<Compartment>(), Ok(Compartment::Crsv));
        assert_eq!(
            "human-rights".parse::<Compartment>(),
            Ok(Compartment::HumanRights)
        );
        assert!("secret".parse::<Compartment>().is_err());
        for c in Compartment::ALL {
            assert_eq!(c.is_sensitive(), c != Compartment::General);
            assert_eq!(c.as_str().parse::<Compartment>(), Ok(c));
        }
    }
}
