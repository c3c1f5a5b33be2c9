//! The digest as plain text for coordinators, in French or English.

use chrono::{DateTime, Utc};

use super::Digest;
use crate::AlertState;

/// References listed in full in the rendered text; the rest are counted.
const LISTED_REFS: usize = 20;

fn state_label(s: AlertState, fr: bool) -> &'static str {
    use AlertState::*;
    match (s, fr) {
        (Received, true) => "reçues",
        (Acknowledged, true) => "accusées de réception",
        (Verified, true) => "vérifiées",
        (Unverifiable, true) => "invérifiables",
        (FalseAlarm, true) => "fausses alertes",
        (Assigned, true) => "assignées",
        (Responding, true) => "en intervention",
        (Closed, true) => "clôturées",
        (Merged, true) => "fusionnées",
        (Received, false) => "received",
        (Acknowledged, false) => "acknowledged",
        (Verified, false) => "verified",
        (Unverifiable, false) => "unverifiable",
        (FalseAlarm, false) => "false alarm",
        (Assigned, false) => "assigned",
        (Responding, false) => "responding",
        (Closed, false) => "closed",
        (Merged, false) => "merged",
    }
}

/// The digest as plain text for coordinators, in French (`fr`, and the languages not yet
/// translated) or English (`en`), as [`crate::outbox::message_language`] decides.
pub fn render_text(d: &Digest, lang: &str) -> String {
    let fr = crate::outbox::message_language(Some(lang)) == "fr";
    let zone: chrono_tz::Tz = d
        .time_zone
        .as_deref()
        .and_then(|z| z.parse().ok())
        .unwrap_or(chrono_tz::Tz::UTC);
    let when = |t: DateTime<Utc>| t.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string();
    let zone = zone.name();
    let mut out = Vec::new();
    if fr {
        out.push(format!("Kinga — suivi des alertes du {}", d.day));
        out.push(format!(
            "Période : {} – {} ({zone})",
            when(d.from),
            when(d.to)
        ));
    } else {
        out.push(format!("Kinga — alert tracking digest for {}", d.day));
        out.push(format!(
            "Period: {} – {} ({zone})",
            when(d.from),
            when(d.to)
        ));
    }

    let mut types: Vec<String> = d
        .by_threat
        .iter()
        .map(|(t, n)| format!("{} {n}", t.label(if fr { "fr" } else { "en" })))
        .collect();
    if d.unknown_threat > 0 {
        types.push(format!(
            "{} {}",
            if fr { "type inconnu" } else { "unknown type" },
            d.unknown_threat
        ));
    }
    let types = if types.is_empty() {
        String::new()
    } else {
        format!(" ({})", types.join(", "))
    };
    out.push(if fr {
        format!("Reçues : {}{types}", d.received)
    } else {
        format!("Received: {}{types}", d.received)
    });

    let median = d.median_minutes_to_acknowledge.map(|m| {
        if fr {
            format!(" ; délai médian {m} min")
        } else {
            format!("; median time {m} min")
        }
    });
    out.push(if fr {
        format!(
            "Accusés de réception : {}, dont {} dans les délais{}",
            d.acknowledged,
            d.acknowledged_in_time,
            median.unwrap_or_default()
        )
    } else {
        format!(
            "Acknowledged: {}, of which {} in time{}",
            d.acknowledged,
            d.acknowledged_in_time,
            median.unwrap_or_default()
        )
    });
    out.push(if fr {
        format!(
            "Répondues (intervention ou clôture) : {} ; clôturées : {}",
            d.answered, d.closed
        )
    } else {
        format!(
            "Answered (responding or closed): {}; closed: {}",
            d.answered, d.closed
        )
    });

    let mut refs = d
        .overdue_refs
        .iter()
        .take(LISTED_REFS)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    let more = d.overdue_refs.len().saturating_sub(LISTED_REFS);
    if more > 0 {
        refs.push_str(&if fr {
            format!(" et {more} autres")
        } else {
            format!(" and {more} more")
        });
    }
    let refs = if refs.is_empty() {
        String::new()
    } else {
        format!(" — {refs}")
    };
    out.push(if fr {
        format!("En retard : {}{refs}", d.overdue)
    } else {
        format!("Overdue: {}{refs}", d.overdue)
    });
    out.push(if fr {
        format!("Alertes ouvertes sans intervenant : {}", d.uncovered_open)
    } else {
        format!("Open alerts no responder covers: {}", d.uncovered_open)
    });
    if d.escalated > 0 {
        out.push(if fr {
            format!("Escalades : {}", d.escalated)
        } else {
            format!("Escalations: {}", d.escalated)
        });
    }
    if !d.by_state.is_empty() {
        let states: Vec<String> = d
            .by_state
            .iter()
            .map(|(s, n)| format!("{} {n}", state_label(*s, fr)))
            .collect();
        out.push(if fr {
            format!("Où en sont les alertes reçues : {}", states.join(", "))
        } else {
            format!("Where the alerts received stand: {}", states.join(", "))
        });
    }
    let mut text = out.join("\n");
    text.push('\n');
    text
}
