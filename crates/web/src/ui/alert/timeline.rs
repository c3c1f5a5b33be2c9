//! An alert's history and messages, in words for the page.

use kinga_domain::{AlertEvent, AlertState};

use super::super::i18n::{self, tr};

/// What an event did, and why, in words.
pub fn timeline_entry(
    lang: &str,
    e: &AlertEvent,
    gaz: &kinga_domain::place::Gazetteer,
    name_of: &dyn Fn(&str) -> String,
) -> (String, Option<String>) {
    let state = |s: &AlertState| tr(lang, i18n::state_key(*s));
    match e {
        AlertEvent::Received(n) => (
            format!(
                "{} ({})",
                tr(lang, "ev_received"),
                tr(lang, i18n::channel_key(n.channel))
            ),
            None,
        ),
        AlertEvent::Transitioned {
            from,
            to,
            reason,
            responders,
            outcome,
            merged_into,
            outcome_category,
            referred_to,
            verification,
            feedback_withheld,
            ..
        } => {
            let mut what = format!("{} → {}", state(from), state(to));
            if let Some(c) = outcome_category {
                what.push_str(&format!(" — {}", tr(lang, i18n::outcome_key(*c))));
            }
            if let Some(r) = referred_to {
                what.push_str(&format!(" ({} {r})", tr(lang, "referred_to")));
            }
            if let Some(v) = verification {
                what.push_str(&format!(" — {}", tr(lang, i18n::method_key(v.method))));
                if !v.sources.is_empty() {
                    what.push_str(&format!(": {}", v.sources.join(", ")));
                }
            }
            if let Some(w) = feedback_withheld {
                what.push_str(&format!(" — {}: {w}", tr(lang, "feedback_withheld")));
            }
            if !responders.is_empty() {
                let names: Vec<String> = responders.iter().map(|r| name_of(r)).collect();
                what.push_str(&format!(
                    " — {}: {}",
                    tr(lang, "field_responders"),
                    names.join(", ")
                ));
            }
            if let Some(m) = merged_into {
                what.push_str(&format!(" — {} {m}", tr(lang, "merged_into")));
            }
            let why = match (reason, outcome) {
                (Some(r), Some(o)) if r != o => {
                    Some(format!("{r} — {}: {o}", tr(lang, "field_outcome")))
                }
                (_, Some(o)) => Some(format!("{}: {o}", tr(lang, "field_outcome"))),
                (Some(r), None) => Some(r.clone()),
                (None, None) => None,
            };
            (what, why)
        }
        AlertEvent::Triaged {
            update, uncovered, ..
        } => {
            let mut parts = vec![];
            if let Some(p) = &update.place {
                parts.push(format!("{}: {}", tr(lang, "col_place"), gaz.label(p)));
            }
            if let Some(t) = update.threat_type {
                parts.push(format!("{}: {}", tr(lang, "col_threat"), t.label(lang)));
            }
            if let Some(s) = update.severity {
                parts.push(format!("{}: {s}", tr(lang, "col_sev")));
            }
            if *uncovered {
                parts.push(tr(lang, "uncovered").to_string());
            }
            (
                format!("{} — {}", tr(lang, "ev_triaged"), parts.join(", ")),
                None,
            )
        }
        AlertEvent::Escalated { deadline } => (
            format!(
                "{}: {}",
                tr(lang, "ev_escalated"),
                tr(lang, i18n::deadline_key(*deadline))
            ),
            None,
        ),
        AlertEvent::FeedbackQueued { .. } => (tr(lang, "ev_feedback_queued").to_string(), None),
        AlertEvent::NoteAdded { text } => (tr(lang, "ev_note").to_string(), Some(text.clone())),
        AlertEvent::Taken { by: Some(by) } => (format!("{}: {by}", tr(lang, "ev_taken")), None),
        AlertEvent::Taken { by: None } => (tr(lang, "ev_released").to_string(), None),
        AlertEvent::ResponseReported { responder, outcome } => (
            format!("{}: {}", tr(lang, "ev_response"), name_of(responder)),
            Some(outcome.clone()),
        ),
        AlertEvent::MessageAttached { text, channel } => (
            format!(
                "{} ({})",
                tr(lang, "ev_message_attached"),
                tr(lang, i18n::channel_key(*channel))
            ),
            Some(text.clone()),
        ),
        AlertEvent::MediaAttached { media } => (
            format!(
                "{} ({}, {} KB)",
                tr(lang, "ev_media_attached"),
                media.media_type,
                media.size.div_ceil(1024)
            ),
            None,
        ),
        AlertEvent::Transcribed { text } => {
            (tr(lang, "ev_transcribed").to_string(), Some(text.clone()))
        }
        AlertEvent::DuplicateAbsorbed { alert } => (
            format!("{}: {alert}", tr(lang, "ev_duplicate_absorbed")),
            None,
        ),
        AlertEvent::ReporterLinked {
            focal_point,
            pseudonym,
            ..
        } => (
            format!(
                "{}: {}",
                tr(lang, "ev_reporter_linked"),
                pseudonym.as_deref().unwrap_or(focal_point)
            ),
            None,
        ),
    }
}
