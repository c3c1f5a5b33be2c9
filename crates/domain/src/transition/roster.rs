//! The staff roster: the liaison assistants and protection staff whose knowledge leaves with
//! them — sex, languages, places known, and when their contract ends — and, for a place, how
//! many women liaison staff it has and how many contracts end before its handover.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

use super::check::{known, names, text};
use super::community::ids;
use super::{Sex, Stamp};
use crate::DomainError;
use crate::limits;
use crate::place::Gazetteer;

/// What a staff member does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum StaffRole {
    /// Community liaison assistant.
    LiaisonAssistant,
    /// Protection officer (civilian or uniformed).
    ProtectionOfficer,
    /// Human rights officer.
    HumanRightsOfficer,
    /// Anyone else whose knowledge matters.
    Other,
}
ids!(
    StaffRole,
    "role",
    LiaisonAssistant = "liaison_assistant",
    ProtectionOfficer = "protection_officer",
    HumanRightsOfficer = "human_rights_officer",
    Other = "other",
);

/// A member of the liaison and protection staff.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffMember {
    /// Stable id.
    pub id: String,
    /// Name or post title ("CLA Uvira 2").
    pub name: String,
    /// What they do.
    pub role: StaffRole,
    /// Sex.
    pub sex: Sex,
    /// Languages spoken ("fr", "sw", "Kinyarwanda"…).
    #[serde(default)]
    pub languages: Vec<String>,
    /// Places known (P-codes), the first being where they are posted.
    #[serde(default)]
    pub places: Vec<String>,
    /// The last day of their contract (none: no end known).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub contract_ends_on: Option<NaiveDate>,
    /// Free notes.
    #[serde(default)]
    pub note: String,
    /// Version and last change.
    #[serde(flatten)]
    pub stamp: Stamp,
}

impl StaffMember {
    /// Whether they know `pcode`: one of their places holds it or lies inside it.
    pub fn knows(&self, gaz: &Gazetteer, pcode: &str) -> bool {
        self.places
            .iter()
            .any(|p| gaz.is_within(pcode, p) || gaz.is_within(p, pcode))
    }

    /// Whether their contract ends before `day` (they are gone on that day).
    pub fn gone_before(&self, day: NaiveDate) -> bool {
        self.contract_ends_on.is_some_and(|e| e < day)
    }
}

/// The roster of a place.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RosterSummary {
    /// Staff who know the place.
    pub staff: u32,
    /// Of them, liaison assistants.
    pub liaison: u32,
    /// Of those, women.
    pub women_liaison: u32,
    /// Staff whose contract ends before the handover date (none without a date).
    pub ending_before_handover: u32,
    /// The handover date compared with.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub handover_on: Option<NaiveDate>,
    /// Languages the staff who know the place speak, sorted.
    pub languages: Vec<String>,
}

/// The roster summary of `pcode`, contracts compared with its handover date.
pub fn roster_summary(
    staff: &[StaffMember],
    gaz: &Gazetteer,
    pcode: &str,
    handover_on: Option<NaiveDate>,
) -> RosterSummary {
    let mut s = RosterSummary {
        handover_on,
        ..RosterSummary::default()
    };
    for m in staff.iter().filter(|m| m.knows(gaz, pcode)) {
        s.staff += 1;
        if m.role == StaffRole::LiaisonAssistant {
            s.liaison += 1;
            if m.sex == Sex::Female {
                s.women_liaison += 1;
            }
        }
        if handover_on.is_some_and(|h| m.gone_before(h)) {
            s.ending_before_handover += 1;
        }
        for l in &m.languages {
            if !s.languages.contains(l) {
                s.languages.push(l.clone());
            }
        }
    }
    s.languages.sort();
    s
}

/// Tidy a staff member and refuse what cannot stand: no name, an unknown place, lists or
/// texts past their limits.
pub fn check_staff(m: &mut StaffMember, gaz: &Gazetteer) -> Result<(), DomainError> {
    text("name", &mut m.name, limits::NAME)?;
    if m.name.is_empty() {
        return Err(DomainError::Missing("name"));
    }
    text("note", &mut m.note, limits::TEXT)?;
    names("languages", &mut m.languages)?;
    names("places", &mut m.places)?;
    for p in &m.places {
        known(gaz, "places", p)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn member(id: &str, role: StaffRole, sex: Sex, place: &str, ends: Option<&str>) -> StaffMember {
        StaffMember {
            id: id.into(),
            name: id.into(),
            role,
            sex,
            languages: vec!["sw".into(), "fr".into()],
            places: vec![place.into()],
            contract_ends_on: ends.map(d),
            note: String::new(),
            stamp: Stamp {
                version: 1,
                updated_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
                updated_by: "c".into(),
            },
        }
    }

    #[test]
    fn the_summary_counts_women_liaison_and_contracts_ending_before_handover() {
        let gaz = super::super::tests::gaz();
        let staff = vec![
            member(
                "a",
                StaffRole::LiaisonAssistant,
                Sex::Female,
                "CD6102",
                Some("2026-06-30"),
            ),
            member(
                "b",
                StaffRole::LiaisonAssistant,
                Sex::Male,
                "CD6102-S1",
                Some("2027-06-30"),
            ),
            member("c", StaffRole::ProtectionOfficer, Sex::Female, "CD61", None),
            member(
                "d",
                StaffRole::LiaisonAssistant,
                Sex::Female,
                "CD6105",
                Some("2026-01-31"),
            ),
        ];
        // Minova: a (Kalehe holds it), b (posted there), c (the province holds it).
        let s = roster_summary(&staff, &gaz, "CD6102-S1", Some(d("2026-12-31")));
        assert_eq!(
            (
                s.staff,
                s.liaison,
                s.women_liaison,
                s.ending_before_handover
            ),
            (3, 2, 1, 1)
        );
        assert_eq!(s.languages, vec!["fr".to_string(), "sw".to_string()]);
        // Sud-Kivu holds every one of them.
        let s = roster_summary(&staff, &gaz, "CD61", Some(d("2026-12-31")));
        assert_eq!(
            (s.staff, s.women_liaison, s.ending_before_handover),
            (4, 2, 2)
        );
        // No handover date: nothing compared.
        let s = roster_summary(&staff, &gaz, "CD61", None);
        assert_eq!(s.ending_before_handover, 0);
        // A contract ending on the handover day itself is not gone before it.
        assert!(!staff[0].gone_before(d("2026-06-30")));
    }

    #[test]
    fn a_member_needs_a_name_and_known_places() {
        let gaz = super::super::tests::gaz();
        let mut m = member("a", StaffRole::Other, Sex::Male, "CD54", None);
        m.languages = vec![" sw ".into(), "".into()];
        check_staff(&mut m, &gaz).unwrap();
        assert_eq!(m.languages, vec!["sw".to_string()]);
        m.places.push("nowhere".into());
        assert!(check_staff(&mut m, &gaz).is_err());
        let mut m = member("", StaffRole::Other, Sex::Male, "CD54", None);
        assert_eq!(check_staff(&mut m, &gaz), Err(DomainError::Missing("name")));
    }
}
