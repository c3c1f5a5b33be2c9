//! Registry pages: places, responders, threat actors, focal points (pseudonymous, identity
//! opened only on an audited request) and the outbox.
//!
//! This module holds what the pages share: the kinds forms offer, the notice after a
//! redirect, place codes as typed, hours and the saving of one record.

mod actors;
mod focal_points;
mod places;
mod responders;

pub use actors::{actors, save_actor};
pub use focal_points::{focal_points, register_focal_point, reveal};
pub use places::{places, save_place};
pub use responders::{responders, save_responder};

use serde::Deserialize;

use kinga_app::AppError;
use kinga_app::registry::RegistryRecord;
use kinga_domain::place::{self, Gazetteer};
use kinga_domain::registry::{ActorKind, ResponderKind};

use super::alert::error_text;
use super::i18n::{self, tr};
use super::{Ctx, UiError};

/// Every responder kind, in the order forms offer them.
pub const RESPONDER_KINDS: [ResponderKind; 9] = [
    ResponderKind::MissionMilitary,
    ResponderKind::MissionPolice,
    ResponderKind::CommunityLiaison,
    ResponderKind::StatePolice,
    ResponderKind::CivilProtection,
    ResponderKind::UnAgency,
    ResponderKind::Ngo,
    ResponderKind::LocalProtectionCommittee,
    ResponderKind::CommunityNetwork,
];

/// Every actor kind, in the order forms offer them.
pub const ACTOR_KINDS: [ActorKind; 6] = [
    ActorKind::StateForces,
    ActorKind::NonStateArmedGroup,
    ActorKind::Militia,
    ActorKind::ParallelForces,
    ActorKind::PrivateSecurity,
    ActorKind::CriminalGroup,
];

/// A notice after a redirect (`?notice=…`), only from the catalogue's `notice_` keys so a
/// link cannot put arbitrary words on the page.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NoticeQuery {
    /// Catalogue key of the notice.
    pub notice: Option<String>,
    /// Search text (places page).
    pub q: Option<String>,
    /// Record to edit.
    pub edit: Option<String>,
    /// Page of a long list, from 0 (focal points).
    pub page: Option<usize>,
}

/// The notice a `?notice=` key names, in the page language.
pub fn notice<'a>(lang: &str, key: Option<&'a str>) -> Option<&'a str> {
    key.filter(|k| k.starts_with("notice_") && i18n::has(k))
        .map(|k| tr(lang, k))
}

/// A P-code as typed, or a place name that resolves to one place without doubt.
pub fn place_code(gaz: &Gazetteer, lang: &str, typed: &str) -> Result<String, UiError> {
    let typed = typed.trim();
    if let Some(p) = gaz.get(typed).or_else(|| gaz.get(&typed.to_uppercase())) {
        return Ok(p.pcode.clone());
    }
    let candidates = gaz.resolve(typed, 5);
    if let Some(p) = place::pick(&candidates) {
        return Ok(p.pcode.clone());
    }
    let options: Vec<String> = candidates
        .iter()
        .map(|c| format!("{} ({}, {})", c.name, c.context, c.pcode))
        .collect();
    let mut msg = tr(lang, "err_unknown_place").replace("{p}", typed);
    if !options.is_empty() {
        msg.push_str(&format!(
            " {} {}",
            tr(lang, "did_you_mean"),
            options.join("; ")
        ));
    }
    Err(UiError::invalid(msg))
}

fn hhmm(m: u16) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

fn parse_hhmm(s: &str) -> Option<u16> {
    let (h, m) = s.trim().split_once(':')?;
    let (h, m) = (h.parse::<u16>().ok()?, m.parse::<u16>().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

fn labels(gaz: &Gazetteer, codes: &[String]) -> Vec<String> {
    codes.iter().map(|p| gaz.label(p)).collect()
}

/// Save one registry record: `None` once saved, or the message of a refusal the person can
/// fix on the form (an unknown place, a bad value); other failures are errors.
async fn save_one(cx: &Ctx, record: RegistryRecord) -> Result<Option<String>, UiError> {
    match cx.st.app.save_records(&cx.caller(), vec![record]).await {
        Ok(_) => Ok(None),
        Err(e @ (AppError::Invalid(_) | AppError::Domain(_))) => Ok(Some(error_text(cx.lang, &e))),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_parse_and_print() {
        assert_eq!(parse_hhmm("06:30"), Some(390));
        assert_eq!(parse_hhmm("24:00"), None);
        assert_eq!(parse_hhmm("nine"), None);
        assert_eq!(hhmm(390), "06:30");
    }

    #[test]
    fn notices_come_only_from_the_catalogue() {
        assert!(notice("fr", Some("notice_saved")).is_some());
        assert_eq!(notice("fr", Some("<b>pwned</b>")), None);
        assert_eq!(notice("fr", Some("login_failed")), None);
    }
}
