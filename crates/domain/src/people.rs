//! Users, roles and what each role may do.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::DomainError;

/// A user's role; each grants a fixed set of permissions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Manages users, registries and settings.
    Administrator,
    /// Oversees the network; receives escalations and digests.
    Coordinator,
    /// Community liaison assistant: triages, verifies, assigns, closes.
    TriageOfficer,
    /// Protection monitor or human-rights officer: records and reads alerts, records and
    /// verifies incidents (in the compartments granted).
    Monitor,
    /// Reads everything non-sensitive, for analysis.
    Analyst,
    /// Responder: sees and updates alerts assigned to it.
    Responder,
    /// Reads the queue.
    Viewer,
}

/// Something a user may be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// See alerts.
    ReadAlerts,
    /// Create alerts (web form, API, logged calls).
    CreateAlerts,
    /// Acknowledge, verify, assign, close, merge, correct.
    TriageAlerts,
    /// Mark assigned alerts as responding.
    RespondAlerts,
    /// Edit places, actors, responders, focal points.
    ManageRegistries,
    /// See focal points' identities (audited).
    ReadIdentities,
    /// See who reported an alert (the focal point, its pseudonym) and the focal-point list.
    ReadReporters,
    /// See responders' phone numbers and e-mail addresses.
    ReadContacts,
    /// Read the outbox: messages to reporters, responders and coordinators.
    ReadOutbox,
    /// Manage users and tokens.
    ManageUsers,
    /// Receive escalations and digests.
    Coordinate,
    /// Read incidents (only in the compartments the user may see).
    ReadIncidents,
    /// Record incidents.
    RecordIncidents,
    /// Move incidents through verification.
    VerifyIncidents,
    /// Export alert lists (CSV/HXL, GeoJSON, XLSX): no reporter identity ever leaves in them.
    ExportAlerts,
    /// Read analysis reports: response indicators and spikes.
    ReadReports,
    /// Read transition plans: capacities, states, withdrawal plans, the cliff.
    ReadTransition,
    /// Plan the transition: providers, successors, milestones, base closures.
    PlanTransition,
    /// Hand the whole ledger over (with the keys that open it), take one in, pair instances:
    /// the administrator's alone.
    Handover,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 7] = [
        Role::Administrator,
        Role::Coordinator,
        Role::TriageOfficer,
        Role::Monitor,
        Role::Analyst,
        Role::Responder,
        Role::Viewer,
    ];

    /// The snake_case identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Administrator => "administrator",
            Role::Coordinator => "coordinator",
            Role::TriageOfficer => "triage_officer",
            Role::Monitor => "monitor",
            Role::Analyst => "analyst",
            Role::Responder => "responder",
            Role::Viewer => "viewer",
        }
    }

    /// Whether this role grants `p`.
    pub fn can(self, p: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Administrator => true,
            Role::Coordinator => !matches!(p, ManageUsers | Handover),
            Role::TriageOfficer => matches!(
                p,
                ReadAlerts
                    | CreateAlerts
                    | TriageAlerts
                    | RespondAlerts
                    | ReadIdentities
                    | ReadReporters
                    | ReadContacts
                    | ReadOutbox
                    | ExportAlerts
            ),
            Role::Monitor => matches!(
                p,
                ReadAlerts | CreateAlerts | ReadIncidents | RecordIncidents | VerifyIncidents
            ),
            // Analysis is the analyst's whole job: figures and exports, never identities.
            Role::Analyst => matches!(
                p,
                ReadAlerts | ReadIncidents | ExportAlerts | ReadReports | ReadTransition
            ),
            Role::Responder => matches!(p, ReadAlerts | RespondAlerts),
            Role::Viewer => matches!(p, ReadAlerts | ReadTransition),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim().to_lowercase().replace(['-', ' '], "_");
        let s = match s.as_str() {
            "admin" => "administrator",
            "cla" | "triage" => "triage_officer",
            other => other,
        };
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| DomainError::invalid("role", format!("unknown role '{s}'")))
    }
}

/// A person who signs in to Kinga.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    /// Stable id.
    pub id: String,
    /// Login name.
    pub name: String,
    /// Name shown in the UI and timelines.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// UI language (`en` or `fr`).
    pub language: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// Disabled users cannot sign in and their tokens stop working.
    pub disabled: bool,
    /// Responder this user acts for, when the role is responder.
    #[serde(default)]
    pub responder: Option<String>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Working area (P-codes): the places a liaison assistant covers, their queue's filter.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub areas: Vec<String>,
    /// Phone number for escalations and digests by SMS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// E-mail address for escalations and digests by e-mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// How escalations and digests reach this user besides the inbox.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notify: Vec<NotifyChannel>,
    /// Time zone the user reads times in (IANA name); the deployment's when none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// When the user last opened their inbox (what came after is unread).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inbox_seen_at: Option<DateTime<Utc>>,
}

/// A way to reach a user outside Kinga.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotifyChannel {
    /// A text message to the user's phone.
    Sms,
    /// An e-mail.
    Email,
}

impl NotifyChannel {
    /// The snake_case identifier (also the outbox channel it goes out by).
    pub fn as_str(self) -> &'static str {
        match self {
            NotifyChannel::Sms => "sms",
            NotifyChannel::Email => "email",
        }
    }
}

impl User {
    /// Whether this user may do `p` now.
    pub fn can(&self, p: Permission) -> bool {
        !self.disabled && self.role.can(p)
    }
}

/// An API bearer token; only the SHA-256 digest of its secret is kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiToken {
    /// Stable id.
    pub id: String,
    /// Owner's user id.
    pub user: String,
    /// Label given at creation.
    pub label: String,
    /// Hex SHA-256 of the secret.
    pub digest: String,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Revoked tokens are refused.
    pub revoked: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_with_common_names() {
        assert_eq!("CLA".parse::<Role>(), Ok(Role::TriageOfficer));
        assert_eq!("triage-officer".parse::<Role>(), Ok(Role::TriageOfficer));
        assert_eq!("admin".parse::<Role>(), Ok(Role::Administrator));
        assert!("warlord".parse::<Role>().is_err());
    }

    #[test]
    fn monitors_record_and_verify_incidents_analysts_read_them() {
        use Permission::*;
        for p in [ReadIncidents, RecordIncidents, VerifyIncidents] {
            assert!(Role::Monitor.can(p));
            assert!(!Role::TriageOfficer.can(p));
            assert!(!Role::Viewer.can(p));
            assert!(!Role::Responder.can(p));
        }
        assert!(Role::Analyst.can(ReadIncidents));
        assert!(!Role::Analyst.can(RecordIncidents));
    }

    #[test]
    fn only_triage_roles_triage() {
        assert!(Role::TriageOfficer.can(Permission::TriageAlerts));
        assert!(!Role::Viewer.can(Permission::TriageAlerts));
        assert!(!Role::Analyst.can(Permission::ReadIdentities));
        assert!(!Role::Coordinator.can(Permission::ManageUsers));
        assert!(Role::Administrator.can(Permission::ManageUsers));
    }

    #[test]
    fn analysts_and_coordinators_read_reports_viewers_and_responders_do_not() {
        for r in Role::ALL {
            let reads = matches!(r, Role::Administrator | Role::Coordinator | Role::Analyst);
            assert_eq!(r.can(Permission::ReadReports), reads, "{r}");
        }
        assert!(Role::Analyst.can(Permission::ExportAlerts));
        assert!(Role::TriageOfficer.can(Permission::ExportAlerts));
        assert!(!Role::Viewer.can(Permission::ExportAlerts));
        assert!(!Role::Responder.can(Permission::ExportAlerts));
        assert!(!Role::Monitor.can(Permission::ExportAlerts));
    }

    #[test]
    fn coordinators_plan_the_transition_analysts_and_viewers_read_it() {
        for r in Role::ALL {
            let plans = matches!(r, Role::Administrator | Role::Coordinator);
            assert_eq!(r.can(Permission::PlanTransition), plans, "{r}");
            let reads = plans || matches!(r, Role::Analyst | Role::Viewer);
            assert_eq!(r.can(Permission::ReadTransition), reads, "{r}");
        }
    }

    #[test]
    fn only_the_network_roles_see_reporters_contacts_and_messages() {
        for p in [
            Permission::ReadReporters,
            Permission::ReadContacts,
            Permission::ReadOutbox,
        ] {
            for r in Role::ALL {
                let network = matches!(
                    r,
                    Role::Administrator | Role::Coordinator | Role::TriageOfficer
                );
                assert_eq!(r.can(p), network, "{r} {p:?}");
            }
        }
    }
}
