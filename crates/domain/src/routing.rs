//! Routing: which responders cover an alert's place, threat type and hour.
//!
//! A responder covers an alert when it is active, communities consent to alerts being passed
//! to it, one of its areas is the alert's place or contains it, and it covers the threat type
//! (an alert of unknown type only goes to responders covering every type, since nobody knows
//! yet whether it is theirs). A responder without consent is never proposed, whatever else
//! is true: an alert network must be able to keep a party to the conflict out of its routing.
//!
//! Proposals are ranked: on duty at the alert's time first, then the most specific area
//! (a local protection committee of the village before the provincial office), then name.
//! An alert with no place proposes nobody: it is *unplaced*, not uncovered, until a triage
//! officer sets the place (guessing from a country-wide responder would hide the gap, and
//! counting it uncovered would blame a gap in coverage for a gap in reading).

use chrono::{DateTime, Timelike, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;

use crate::ThreatType;
use crate::place::{Gazetteer, PlaceLevel};
use crate::registry::Responder;

/// Result of routing one alert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Routing {
    /// Responder ids, best first.
    pub proposed: Vec<String>,
    /// A known place that no responder covers for this threat type at all.
    pub uncovered: bool,
}

/// How specific a responder's cover of a place is: its area's level, then depth.
type Specificity = (Option<PlaceLevel>, usize);
/// Off duty (on duty sorts first), specificity (reversed: most specific first), folded name.
type RankKey = (bool, Reverse<Specificity>, String);

/// Responders covering an alert at `place` of type `threat` at `minute` of the local day
/// (responders' hours are local times: see [`minute_of_day`]), best first; `uncovered` when
/// none covers it at any hour.
pub fn route(
    place: Option<&str>,
    threat: Option<ThreatType>,
    minute: u16,
    responders: &[Responder],
    gaz: &Gazetteer,
) -> Routing {
    let Some(place) = place.map(str::trim).filter(|p| !p.is_empty()) else {
        return Routing::default();
    };
    let mut covering: Vec<(RankKey, &Responder)> = responders
        .iter()
        .filter_map(|r| {
            let depth = coverage_depth(r, place, threat, gaz)?;
            let key = (
                !r.hours.covers(minute),
                Reverse(depth),
                crate::text::fold(&r.name),
            );
            Some((key, r))
        })
        .collect();
    covering.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.id.cmp(&b.1.id)));
    let mut proposed: Vec<String> = Vec::with_capacity(covering.len());
    for (_, r) in covering {
        if !proposed.contains(&r.id) {
            proposed.push(r.id.clone());
        }
    }
    Routing {
        uncovered: proposed.is_empty(),
        proposed,
    }
}

/// True when `responder` may be proposed for an alert at `place` of type `threat`, at any
/// hour.
pub fn covers(
    responder: &Responder,
    place: &str,
    threat: Option<ThreatType>,
    gaz: &Gazetteer,
) -> bool {
    coverage_depth(responder, place, threat, gaz).is_some()
}

/// Minute of the day in the deployment's time zone, as responders' hours count it (people
/// enter "06:00–18:00" as they live it, not in UTC).
pub fn minute_of_day(at: DateTime<Utc>, tz: Tz) -> u16 {
    let local = at.with_timezone(&tz);
    // hour() < 24 and minute() < 60, so this fits in u16.
    (local.hour() * 60 + local.minute()) as u16
}

/// How specific the responder's most specific area containing `place` is (level, then depth
/// in the hierarchy), when it covers the alert at all.
fn coverage_depth(
    r: &Responder,
    place: &str,
    threat: Option<ThreatType>,
    gaz: &Gazetteer,
) -> Option<Specificity> {
    if !(r.active && r.community_consent && covers_threat(r, threat)) {
        return None;
    }
    let lineage = gaz.lineage(place);
    r.places
        .iter()
        .filter_map(|area| {
            let area = area.trim();
            if area == place {
                // The place itself, even when the gazetteer does not know it.
                let level = gaz
                    .get(place)
                    .map(|p| p.level)
                    .or(Some(PlaceLevel::Settlement));
                return Some((level, lineage.len().max(1)));
            }
            let i = lineage.iter().position(|p| p.pcode == area)?;
            Some((Some(lineage[i].level), lineage.len() - i))
        })
        .max()
}

fn covers_threat(r: &Responder, threat: Option<ThreatType>) -> bool {
    let every_type =
        r.threat_types.is_empty() || ThreatType::ALL.iter().all(|t| r.threat_types.contains(t));
    every_type || threat.is_some_and(|t| r.threat_types.contains(&t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::place::testdata::gazetteer;
    use crate::registry::{ContactPreference, Hours, ResponderKind};
    use chrono::TimeZone;
    use proptest::prelude::*;

    const BUNAGANA: &str = "CD6111-S900";
    const MINOVA: &str = "CD6205-S900";

    /// Minute `h:m` of the local day.
    fn at(h: u32, m: u32) -> u16 {
        (h * 60 + m) as u16
    }

    #[test]
    fn hours_are_local_times() {
        let utc = Utc.with_ymd_and_hms(2026, 3, 1, 4, 30, 0).unwrap();
        assert_eq!(minute_of_day(utc, Tz::UTC), 270);
        // Goma is two hours ahead of UTC all year.
        assert_eq!(minute_of_day(utc, chrono_tz::Africa::Lubumbashi), 390);
        assert_eq!(minute_of_day(utc, chrono_tz::Africa::Kinshasa), 330);
    }

    fn responder(id: &str, name: &str, places: &[&str], hours: Hours) -> Responder {
        Responder {
            id: id.into(),
            name: name.into(),
            kind: ResponderKind::MissionMilitary,
            places: places.iter().map(|p| p.to_string()).collect(),
            threat_types: vec![],
            hours,
            phone: None,
            email: None,
            prefers: ContactPreference::Sms,
            community_consent: true,
            active: true,
        }
    }

    fn network() -> Vec<Responder> {
        let day = Hours {
            start: 6 * 60,
            end: 18 * 60,
        };
        let night = Hours {
            start: 18 * 60,
            end: 6 * 60,
        };
        let mut armed_party = responder("fardc", "Armed party unit", &[BUNAGANA], Hours::ALWAYS);
        armed_party.community_consent = false;
        let mut departed = responder("old-base", "Departed base", &["CD6111"], Hours::ALWAYS);
        departed.active = false;
        let mut child = responder(
            "ngo-child",
            "Child protection NGO",
            &["CD61"],
            Hours::ALWAYS,
        );
        child.threat_types = vec![ThreatType::ChildRecruitment, ThreatType::Abduction];
        vec![
            responder("base", "Rutshuru base", &["CD6111"], Hours::ALWAYS),
            responder("lpc", "Bunagana protection committee", &[BUNAGANA], day),
            responder("office", "Goma office", &["CD61"], night),
            armed_party,
            departed,
            child,
        ]
    }

    fn ids(r: &Routing) -> Vec<&str> {
        r.proposed.iter().map(String::as_str).collect()
    }

    #[test]
    fn available_first_then_most_specific_area() {
        let g = gazetteer();
        let day = route(
            Some(BUNAGANA),
            Some(ThreatType::Killing),
            at(10, 0),
            &network(),
            g,
        );
        assert_eq!(ids(&day), ["lpc", "base", "office"]);
        assert!(!day.uncovered);
        let night = route(
            Some(BUNAGANA),
            Some(ThreatType::Killing),
            at(23, 30),
            &network(),
            g,
        );
        assert_eq!(
            ids(&night),
            ["base", "office", "lpc"],
            "off-duty responders come last"
        );
    }

    #[test]
    fn hours_across_midnight() {
        let g = gazetteer();
        let only_office = |h, m| {
            let r = route(
                Some("CD6105"),
                Some(ThreatType::Clashes),
                at(h, m),
                &network()[2..3],
                g,
            );
            r.proposed == ["office"] && !r.uncovered
        };
        assert!(only_office(3, 0) && only_office(18, 0) && only_office(12, 0));
        let office = &network()[2];
        assert!(office.hours.covers(at(0, 0)));
        assert!(office.hours.covers(at(5, 59)));
        assert!(!office.hours.covers(at(6, 0)));
        assert!(office.hours.covers(at(18, 0)));
        // Off duty still covers: the alert is routed, just not first.
        let r = route(Some(BUNAGANA), None, at(12, 0), &network()[1..3], g);
        assert_eq!(ids(&r), ["lpc", "office"]);
    }

    #[test]
    fn a_responder_without_consent_is_never_proposed() {
        let g = gazetteer();
        let net = network();
        for h in [0, 6, 12, 18] {
            for t in ThreatType::ALL.into_iter().map(Some).chain([None]) {
                let r = route(Some(BUNAGANA), t, at(h, 0), &net, g);
                assert!(!r.proposed.contains(&"fardc".to_string()));
            }
        }
        let alone = route(
            Some(BUNAGANA),
            Some(ThreatType::Killing),
            at(12, 0),
            &net[3..4],
            g,
        );
        assert_eq!(
            alone,
            Routing {
                proposed: vec![],
                uncovered: true
            }
        );
        assert!(!covers(&net[3], BUNAGANA, None, g));
    }

    #[test]
    fn inactive_responders_are_not_proposed() {
        let g = gazetteer();
        let r = route(
            Some(BUNAGANA),
            Some(ThreatType::Killing),
            at(12, 0),
            &network()[4..5],
            g,
        );
        assert!(r.uncovered && r.proposed.is_empty());
    }

    #[test]
    fn threat_types_limit_cover_and_unknown_needs_every_type() {
        let g = gazetteer();
        let net = network();
        let recruitment = route(
            Some(BUNAGANA),
            Some(ThreatType::ChildRecruitment),
            at(12, 0),
            &net,
            g,
        );
        assert!(recruitment.proposed.contains(&"ngo-child".to_string()));
        let killing = route(
            Some(BUNAGANA),
            Some(ThreatType::Killing),
            at(12, 0),
            &net,
            g,
        );
        assert!(!killing.proposed.contains(&"ngo-child".to_string()));
        let unknown = route(Some(BUNAGANA), None, at(12, 0), &net, g);
        assert_eq!(ids(&unknown), ["lpc", "base", "office"]);
        let mut all_listed = net[5].clone();
        all_listed.threat_types = ThreatType::ALL.to_vec();
        assert!(
            covers(&all_listed, BUNAGANA, None, g),
            "listing every type is covering every type"
        );
    }

    #[test]
    fn places_outside_every_area_are_uncovered() {
        let g = gazetteer();
        let r = route(
            Some(MINOVA),
            Some(ThreatType::Killing),
            at(12, 0),
            &network(),
            g,
        );
        assert_eq!(
            r,
            Routing {
                proposed: vec![],
                uncovered: true
            }
        );
    }

    #[test]
    fn no_place_proposes_nobody_and_is_not_counted_uncovered() {
        let g = gazetteer();
        for place in [None, Some(""), Some("  ")] {
            let r = route(place, Some(ThreatType::Killing), at(12, 0), &network(), g);
            assert_eq!(r, Routing::default(), "unplaced, not uncovered");
        }
    }

    #[test]
    fn a_place_unknown_to_the_gazetteer_is_covered_by_name() {
        let g = gazetteer();
        let r = vec![responder(
            "x",
            "Camp committee",
            &["XYZ-NEW-1"],
            Hours::ALWAYS,
        )];
        assert_eq!(ids(&route(Some("XYZ-NEW-1"), None, at(1, 0), &r, g)), ["x"]);
        assert!(route(Some("XYZ-NEW-2"), None, at(1, 0), &r, g).uncovered);
    }

    #[test]
    fn equal_responders_are_ordered_by_name_then_id() {
        let g = gazetteer();
        let r = vec![
            responder("b2", "Beta", &["CD6111"], Hours::ALWAYS),
            responder("a1", "alpha", &["CD6111"], Hours::ALWAYS),
            responder("b1", "Beta", &["CD6111"], Hours::ALWAYS),
            responder("a1", "alpha", &["CD61"], Hours::ALWAYS),
        ];
        assert_eq!(
            ids(&route(Some(BUNAGANA), None, at(1, 0), &r, g)),
            ["a1", "b1", "b2"]
        );
    }

    proptest! {
        #[test]
        fn proposals_are_exactly_the_covering_responders(
            mask in proptest::collection::vec(any::<bool>(), 6),
            hour in 0u32..24, minute in 0u32..60,
            threat in proptest::option::of(proptest::sample::select(ThreatType::ALL.to_vec())),
            place in proptest::sample::select(vec![BUNAGANA, MINOVA, "CD6111", "CD61", "CD6105"]),
        ) {
            let g = gazetteer();
            let net: Vec<Responder> = network().into_iter().zip(&mask).filter(|(_, m)| **m).map(|(r, _)| r).collect();
            let r = route(Some(place), threat, at(hour, minute), &net, g);
            let expected: Vec<&str> = net.iter().filter(|x| covers(x, place, threat, g)).map(|x| x.id.as_str()).collect();
            prop_assert_eq!(r.proposed.len(), expected.len());
            prop_assert!(r.proposed.iter().all(|p| expected.contains(&p.as_str())));
            prop_assert_eq!(r.uncovered, expected.is_empty());
            prop_assert!(net.iter().filter(|x| !x.community_consent || !x.active).all(|x| !r.proposed.contains(&x.id)));
            let on_duty: Vec<bool> = r.proposed.iter().map(|id| {
                net.iter().find(|x| &x.id == id).is_some_and(|x| x.hours.covers(at(hour, minute)))
            }).collect();
            prop_assert!(on_duty.windows(2).all(|w| w[0] >= w[1]), "on-duty responders come first");
        }
    }
}
