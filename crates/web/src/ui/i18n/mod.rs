//! The French/English catalogue of the pages. One table, one row per key with both
//! languages side by side, so a missing translation shows in review and in the tests.

use std::collections::HashMap;
use std::sync::LazyLock;

use kinga_domain::alert::{OutcomeCategory, VerificationMethod};
use kinga_domain::deadline::DeadlineKind;
use kinga_domain::outbox::{MessageKind, MessageStatus};
use kinga_domain::people::Role;
use kinga_domain::place::PlaceLevel;
use kinga_domain::registry::{ActorKind, ResponderKind};
use kinga_domain::{AlertState, Channel, Severity};

mod analysis;
mod conflicts;
mod core;
mod dashboard;
mod map;
mod monitoring;
mod monitoring_more;
mod transition;
mod transition_more;
mod transition_reasons;
mod transition_routing;
mod work;

pub use transition_reasons::reason_words;

/// Every table of the catalogue: `(key, English, French)` rows.
const CATALOGUES: &[&[(&str, &str, &str)]] = &[
    core::CATALOGUE,
    work::CATALOGUE,
    analysis::CATALOGUE,
    monitoring::CATALOGUE,
    map::CATALOGUE,
    transition::CATALOGUE,
    transition_routing::CATALOGUE,
    transition_more::CATALOGUE,
    conflicts::CATALOGUE,
    dashboard::CATALOGUE,
    monitoring_more::CATALOGUE,
    transition_reasons::CATALOGUE,
];

static INDEX: LazyLock<HashMap<&'static str, (&'static str, &'static str)>> = LazyLock::new(|| {
    CATALOGUES
        .iter()
        .flat_map(|c| c.iter())
        .map(|(k, en, fr)| (*k, (*en, *fr)))
        .collect()
});

/// The string for `key` in `lang` (`fr`, else English); the key itself when unknown, so a
/// gap shows on the page instead of failing it (the tests make sure there is none).
pub fn tr<'a>(lang: &str, key: &'a str) -> &'a str {
    match INDEX.get(key) {
        Some((en, fr)) => {
            if lang == "fr" {
                fr
            } else {
                en
            }
        }
        None => key,
    }
}

/// Whether the catalogue has `key`.
pub fn has(key: &str) -> bool {
    INDEX.contains_key(key)
}

/// Key of an alert state.
pub fn state_key(s: AlertState) -> &'static str {
    match s {
        AlertState::Received => "state_received",
        AlertState::Acknowledged => "state_acknowledged",
        AlertState::Verified => "state_verified",
        AlertState::Unverifiable => "state_unverifiable",
        AlertState::FalseAlarm => "state_false_alarm",
        AlertState::Assigned => "state_assigned",
        AlertState::Responding => "state_responding",
        AlertState::Closed => "state_closed",
        AlertState::Merged => "state_merged",
    }
}

/// Key of a deadline.
pub fn deadline_key(k: DeadlineKind) -> &'static str {
    match k {
        DeadlineKind::Acknowledge => "dl_acknowledge",
        DeadlineKind::Verify => "dl_verify",
        DeadlineKind::Respond => "dl_respond",
    }
}

/// Key of a channel.
pub fn channel_key(c: Channel) -> &'static str {
    match c {
        Channel::Sms => "ch_sms",
        Channel::Call => "ch_call",
        Channel::Web => "ch_web",
        Channel::Api => "ch_api",
        Channel::Form => "ch_form",
        Channel::Ussd => "ch_ussd",
        Channel::Voice => "ch_voice",
        Channel::Whatsapp => "ch_whatsapp",
    }
}

/// Key of a severity.
pub fn severity_key(s: Severity) -> &'static str {
    match s.level() {
        1 => "sev_1",
        2 => "sev_2",
        3 => "sev_3",
        _ => "sev_4",
    }
}

/// Key of a role.
pub fn role_key(r: Role) -> &'static str {
    match r {
        Role::Administrator => "role_administrator",
        Role::Coordinator => "role_coordinator",
        Role::TriageOfficer => "role_triage_officer",
        Role::Monitor => "role_monitor",
        Role::Analyst => "role_analyst",
        Role::Responder => "role_responder",
        Role::Viewer => "role_viewer",
    }
}

/// Key of a responder kind (`rk_` + its identifier).
pub fn responder_kind_key(k: ResponderKind) -> &'static str {
    match k {
        ResponderKind::MissionMilitary => "rk_mission_military",
        ResponderKind::MissionPolice => "rk_mission_police",
        ResponderKind::CommunityLiaison => "rk_community_liaison",
        ResponderKind::StatePolice => "rk_state_police",
        ResponderKind::CivilProtection => "rk_civil_protection",
        ResponderKind::UnAgency => "rk_un_agency",
        ResponderKind::Ngo => "rk_ngo",
        ResponderKind::LocalProtectionCommittee => "rk_local_protection_committee",
        ResponderKind::CommunityNetwork => "rk_community_network",
    }
}

/// Key of an actor kind (`ak_` + its identifier).
pub fn actor_kind_key(k: ActorKind) -> &'static str {
    match k {
        ActorKind::StateForces => "ak_state_forces",
        ActorKind::NonStateArmedGroup => "ak_non_state_armed_group",
        ActorKind::Militia => "ak_militia",
        ActorKind::ParallelForces => "ak_parallel_forces",
        ActorKind::PrivateSecurity => "ak_private_security",
        ActorKind::CriminalGroup => "ak_criminal_group",
    }
}

/// Key of a message kind (`mk_` + its identifier).
pub fn message_kind_key(k: MessageKind) -> &'static str {
    match k {
        MessageKind::Acknowledgement => "mk_acknowledgement",
        MessageKind::Feedback => "mk_feedback",
        MessageKind::Question => "mk_question",
        MessageKind::Assignment => "mk_assignment",
        MessageKind::Escalation => "mk_escalation",
        MessageKind::Digest => "mk_digest",
        MessageKind::Analysis => "mk_analysis",
        MessageKind::Broadcast => "mk_broadcast",
    }
}

/// Key of a message status (`ms_` + its identifier).
pub fn message_status_key(s: MessageStatus) -> &'static str {
    match s {
        MessageStatus::Queued => "ms_queued",
        MessageStatus::Sent => "ms_sent",
        MessageStatus::Delivered => "ms_delivered",
        MessageStatus::Failed => "ms_failed",
    }
}

/// Key of an outcome category (`oc_` + its identifier).
pub fn outcome_key(c: OutcomeCategory) -> &'static str {
    match c {
        OutcomeCategory::Responded => "oc_responded",
        OutcomeCategory::Referred => "oc_referred",
        OutcomeCategory::NoResponder => "oc_no_responder",
        OutcomeCategory::FalseAlarm => "oc_false_alarm",
        OutcomeCategory::ResolvedItself => "oc_resolved_itself",
        OutcomeCategory::Other => "oc_other",
    }
}

/// Key of a verification method (`vm_` + its identifier).
pub fn method_key(m: VerificationMethod) -> &'static str {
    match m {
        VerificationMethod::CallBack => "vm_call_back",
        VerificationMethod::SecondSource => "vm_second_source",
        VerificationMethod::FieldVisit => "vm_field_visit",
        VerificationMethod::MissionPatrol => "vm_mission_patrol",
        VerificationMethod::Other => "vm_other",
    }
}

/// Key of the channel a message went out by (`sms`, `email`, `inbox`).
pub fn channel_name_key(c: &str) -> &'static str {
    match c {
        "sms" => "via_sms",
        "email" => "via_email",
        "whatsapp" => "via_whatsapp",
        "whatsapp_template" => "via_whatsapp_template",
        _ => "via_inbox",
    }
}

/// Key of a place level.
pub fn level_key(l: PlaceLevel) -> &'static str {
    match l {
        PlaceLevel::Country => "lvl_country",
        PlaceLevel::Admin1 => "lvl_admin1",
        PlaceLevel::Admin2 => "lvl_admin2",
        PlaceLevel::Admin3 => "lvl_admin3",
        PlaceLevel::Settlement => "lvl_settlement",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    use crate::ui::registry::{ACTOR_KINDS, RESPONDER_KINDS};

    /// Every source that asks the catalogue for strings.
    const SOURCES: &[&str] = &[
        include_str!("../mod.rs"),
        include_str!("../login.rs"),
        include_str!("../queue/mod.rs"),
        include_str!("../queue/filters.rs"),
        include_str!("../new_alert.rs"),
        include_str!("../alert/mod.rs"),
        include_str!("../alert/actions.rs"),
        include_str!("../alert/timeline.rs"),
        include_str!("../registry/mod.rs"),
        include_str!("../registry/places.rs"),
        include_str!("../registry/responders.rs"),
        include_str!("../registry/actors.rs"),
        include_str!("../registry/focal_points.rs"),
        include_str!("../admin.rs"),
        include_str!("../reports.rs"),
        include_str!("../incidents/mod.rs"),
        include_str!("../incidents/form.rs"),
        include_str!("../incidents/page.rs"),
        include_str!("../incidents/report.rs"),
        include_str!("../incidents/care.rs"),
        include_str!("../map.rs"),
        include_str!("../dashboard/mod.rs"),
        include_str!("../dashboard/work.rs"),
        include_str!("../dashboard/oversight.rs"),
        include_str!("../dashboard/monitoring.rs"),
        include_str!("../dashboard/system.rs"),
    ];

    /// Literal keys after each `marker` in `src`, up to the closing quote, with `prefix`
    /// put back when the marker ends inside the key.
    fn keys_after(src: &str, marker: &str, prefix: &str, out: &mut HashSet<String>) {
        let mut rest = src;
        while let Some(i) = rest.find(marker) {
            rest = &rest[i + marker.len()..];
            if let Some(end) = rest.find(['"', '\'', '&']) {
                let key = &rest[..end];
                if !key.is_empty()
                    && key
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                {
                    out.insert(format!("{prefix}{key}"));
                }
            }
        }
    }

    #[test]
    fn every_key_has_both_languages_and_is_unique() {
        let mut seen = HashSet::new();
        for (k, en, fr) in CATALOGUES.iter().flat_map(|c| c.iter()) {
            assert!(seen.insert(*k), "duplicate key {k}");
            assert!(!en.trim().is_empty(), "{k} has no English");
            assert!(!fr.trim().is_empty(), "{k} has no French");
            assert_eq!(
                en.matches('{').count(),
                fr.matches('{').count(),
                "{k}: placeholders differ"
            );
        }
    }

    #[test]
    fn every_key_used_by_templates_and_code_exists() {
        let mut used = HashSet::new();
        for (_, src) in crate::ui::templates::TEMPLATES {
            keys_after(src, "t(\"", "", &mut used);
            keys_after(src, "t('", "", &mut used);
        }
        for src in SOURCES {
            for m in [
                "tr(lang, \"",
                "tr(cx.lang, \"",
                "tr(self.lang, \"",
                "cx.t(\"",
                "self.t(\"",
                "notice=",
            ] {
                keys_after(src, m, "", &mut used);
            }
            keys_after(src, "(\"dg_", "dg_", &mut used);
        }
        assert!(used.len() > 150, "the scan found only {} keys", used.len());
        let missing: Vec<_> = used.iter().filter(|k| !has(k.as_str())).collect();
        assert!(
            missing.is_empty(),
            "keys missing from the catalogue: {missing:?}"
        );
    }

    #[test]
    fn every_domain_value_has_a_label() {
        let mut keys: Vec<&str> = vec![];
        keys.extend(AlertState::ALL.iter().map(|s| state_key(*s)));
        keys.extend(Role::ALL.iter().map(|r| role_key(*r)));
        keys.extend(RESPONDER_KINDS.iter().map(|k| responder_kind_key(*k)));
        keys.extend(ACTOR_KINDS.iter().map(|k| actor_kind_key(*k)));
        keys.extend(
            [
                DeadlineKind::Acknowledge,
                DeadlineKind::Verify,
                DeadlineKind::Respond,
            ]
            .map(deadline_key),
        );
        keys.extend(
            [
                Channel::Sms,
                Channel::Call,
                Channel::Web,
                Channel::Api,
                Channel::Form,
                Channel::Ussd,
                Channel::Voice,
                Channel::Whatsapp,
            ]
            .map(channel_key),
        );
        keys.extend(
            (1..=4)
                .filter_map(|s| Severity::new(s).ok())
                .map(severity_key),
        );
        keys.extend(
            [
                MessageKind::Acknowledgement,
                MessageKind::Feedback,
                MessageKind::Question,
                MessageKind::Assignment,
                MessageKind::Escalation,
                MessageKind::Digest,
                MessageKind::Analysis,
                MessageKind::Broadcast,
            ]
            .map(message_kind_key),
        );
        keys.extend(
            [
                MessageStatus::Queued,
                MessageStatus::Sent,
                MessageStatus::Delivered,
                MessageStatus::Failed,
            ]
            .map(message_status_key),
        );
        keys.extend(
            [
                PlaceLevel::Country,
                PlaceLevel::Admin1,
                PlaceLevel::Admin2,
                PlaceLevel::Admin3,
                PlaceLevel::Settlement,
            ]
            .map(level_key),
        );
        for k in keys {
            assert!(has(k), "no label for {k}");
        }
        // Identifiers in forms are derived from keys; they must match the serde names.
        for k in RESPONDER_KINDS {
            assert_eq!(
                serde_json::to_value(k)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .as_deref(),
                Some(responder_kind_key(k).trim_start_matches("rk_"))
            );
        }
        for k in ACTOR_KINDS {
            assert_eq!(
                serde_json::to_value(k)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .as_deref(),
                Some(actor_kind_key(k).trim_start_matches("ak_"))
            );
        }
    }

    #[test]
    fn strings_follow_the_language() {
        assert_eq!(tr("fr", "uncovered"), "NON COUVERTE");
        assert_eq!(tr("en", "uncovered"), "UNCOVERED");
        assert_eq!(tr("sw", "uncovered"), "UNCOVERED");
        assert_eq!(tr("fr", "no_such_key"), "no_such_key");
    }
}
