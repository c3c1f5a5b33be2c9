//! Community protection mechanisms — local protection committees, community alert
//! networks, women's protection networks, youth groups — place by place: how many members
//! and who they are (counts, no names), their focal points (from the registry), how
//! representative they are, how well they work (dated, scored assessments), and who supports
//! them now and after the mission leaves. A mechanism nobody will support after the
//! departure is a gap, as a capacity without a successor is.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

use super::check::{known, names, text};
use super::{MAX_ITEMS, Stamp};
use crate::DomainError;
use crate::limits;
use crate::place::Gazetteer;

macro_rules! ids {
    ($t:ident, $field:literal, $($v:ident = $s:literal),+ $(,)?) => {
        impl $t {
            /// Every value.
            pub const ALL: &'static [$t] = &[$($t::$v),+];
            /// The snake_case identifier.
            pub fn as_str(self) -> &'static str {
                match self { $($t::$v => $s),+ }
            }
        }
        impl FromStr for $t {
            type Err = DomainError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let s = s.trim().to_lowercase().replace(['-', ' '], "_");
                $t::ALL
                    .iter()
                    .copied()
                    .find(|x| x.as_str() == s)
                    .ok_or_else(|| DomainError::invalid($field, format!("unknown value '{s}'")))
            }
        }
    };
}
pub(crate) use ids;

/// What kind of community mechanism.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum MechanismKind {
    /// Local protection committee.
    ProtectionCommittee,
    /// Community alert network.
    AlertNetwork,
    /// Women's protection network.
    WomenNetwork,
    /// Youth group.
    YouthGroup,
    /// Another mechanism (its name says what).
    Other,
}
ids!(
    MechanismKind,
    "mechanism_kind",
    ProtectionCommittee = "protection_committee",
    AlertNetwork = "alert_network",
    WomenNetwork = "women_network",
    YouthGroup = "youth_group",
    Other = "other",
);

/// Sex of a group of members.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Sex {
    /// Women and girls.
    Female,
    /// Men and boys.
    Male,
}
ids!(Sex, "sex", Female = "female", Male = "male");

/// Age band of a group of members.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AgeBand {
    /// 15–24.
    Youth,
    /// 25–59.
    Adult,
    /// 60 and over.
    Elder,
}
ids!(
    AgeBand,
    "age",
    Youth = "youth",
    Adult = "adult",
    Elder = "elder"
);

/// Which community a group of members comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Community {
    /// The resident majority.
    Resident,
    /// Displaced people.
    Displaced,
    /// A minority (ethnic, religious, indigenous).
    Minority,
}
ids!(
    Community,
    "group",
    Resident = "resident",
    Displaced = "displaced",
    Minority = "minority"
);

/// A count of members sharing sex, age band and community.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberCount {
    /// Sex.
    pub sex: Sex,
    /// Age band.
    pub age: AgeBand,
    /// Community.
    pub group: Community,
    /// How many.
    pub count: u32,
}

/// A criterion a mechanism's functionality is assessed on, each scored 0–3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Criterion {
    /// Meets regularly.
    MeetsRegularly,
    /// Raises alerts.
    RaisesAlerts,
    /// Obtains responses from authorities or responders.
    ObtainsResponses,
    /// Includes women, youth and minorities in decisions.
    Inclusive,
    /// Members trained.
    Trained,
    /// Works without the mission's help (transport, phones, credit).
    SelfReliant,
}
ids!(
    Criterion,
    "criterion",
    MeetsRegularly = "meets_regularly",
    RaisesAlerts = "raises_alerts",
    ObtainsResponses = "obtains_responses",
    Inclusive = "inclusive",
    Trained = "trained",
    SelfReliant = "self_reliant",
);

/// One criterion's score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Score {
    /// The criterion.
    pub criterion: Criterion,
    /// 0 (absent) to 3 (fully).
    pub score: u8,
}

/// A dated functionality assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Assessment {
    /// Stable id within its mechanism.
    pub id: String,
    /// The day of the assessment.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub on: NaiveDate,
    /// Scores (0–3) per criterion; a criterion not assessed is absent.
    pub scores: Vec<Score>,
    /// What the assessors saw.
    #[serde(default)]
    pub note: String,
    /// Who assessed (user name).
    pub by: String,
}

/// How well a mechanism works, from its latest assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Functionality {
    /// Never assessed.
    NotAssessed,
    /// Average score 2 or more.
    Functional,
    /// Average score from 1 to under 2.
    PartlyFunctional,
    /// Average score under 1.
    NotFunctional,
}

impl Assessment {
    /// The scores' share of the best possible (0–100 %), none when nothing was scored.
    pub fn percent(&self) -> Option<f64> {
        if self.scores.is_empty() {
            return None;
        }
        let sum: u32 = self.scores.iter().map(|s| u32::from(s.score)).sum();
        Some(f64::from(sum) * 100.0 / (3.0 * self.scores.len() as f64))
    }

    /// Its band.
    pub fn functionality(&self) -> Functionality {
        match self.percent() {
            None => Functionality::NotAssessed,
            Some(p) if p >= 200.0 / 3.0 - 1e-9 => Functionality::Functional,
            Some(p) if p >= 100.0 / 3.0 - 1e-9 => Functionality::PartlyFunctional,
            Some(_) => Functionality::NotFunctional,
        }
    }
}

/// A community protection mechanism in a place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Mechanism {
    /// Stable id.
    pub id: String,
    /// What kind.
    pub mechanism_kind: MechanismKind,
    /// Its name ("CLP de Minova").
    pub name: String,
    /// Where it works (P-code).
    pub place: String,
    /// Members, counted by sex, age band and community.
    #[serde(default)]
    pub members: Vec<MemberCount>,
    /// Its focal points (ids of registered focal points).
    #[serde(default)]
    pub focal_points: Vec<String>,
    /// Who supports it today (transport, training, phones, credit).
    #[serde(default)]
    pub supporters_now: Vec<String>,
    /// Who will support it after the mission leaves.
    #[serde(default)]
    pub supporters_after: Vec<String>,
    /// Functionality assessments, oldest first.
    #[serde(default)]
    pub assessments: Vec<Assessment>,
    /// Free notes.
    #[serde(default)]
    pub note: String,
    /// Version and last change.
    #[serde(flatten)]
    pub stamp: Stamp,
}

/// A group whose presence among the members is looked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Represented {
    /// Women.
    Women,
    /// Youth (15–24).
    Youth,
    /// Displaced people.
    Displaced,
    /// Minorities.
    Minorities,
}

/// One group's members and share.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupShare {
    /// The group.
    pub group: Represented,
    /// Members of it.
    pub count: u32,
    /// Their share of all members (%), none without members.
    pub share: Option<f64>,
}

/// How representative a mechanism is: each group's count and share of the members, and the
/// groups absent from it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Representativeness {
    /// Members in all.
    pub total: u32,
    /// Per group: how many and their share, women, youth, displaced, minorities.
    pub groups: Vec<GroupShare>,
    /// Groups with no member (empty when the mechanism has no members recorded).
    pub absent: Vec<Represented>,
}

/// Whether a mechanism will be supported after the departure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum SupportState {
    /// Someone will support it, and it works.
    Covered,
    /// Someone will support it, but it is not (known to be) functional.
    AtRisk,
    /// Nobody will support it after the departure.
    Gap,
}

impl Mechanism {
    /// Members in all.
    pub fn total(&self) -> u32 {
        self.members.iter().map(|m| m.count).sum()
    }

    /// Its representativeness.
    pub fn representativeness(&self) -> Representativeness {
        let total = self.total();
        let count = |f: &dyn Fn(&MemberCount) -> bool| -> u32 {
            self.members.iter().filter(|m| f(m)).map(|m| m.count).sum()
        };
        let groups: Vec<(Represented, u32)> = vec![
            (Represented::Women, count(&|m| m.sex == Sex::Female)),
            (Represented::Youth, count(&|m| m.age == AgeBand::Youth)),
            (
                Represented::Displaced,
                count(&|m| m.group == Community::Displaced),
            ),
            (
                Represented::Minorities,
                count(&|m| m.group == Community::Minority),
            ),
        ];
        Representativeness {
            total,
            absent: if total == 0 {
                vec![]
            } else {
                groups
                    .iter()
                    .filter(|(_, n)| *n == 0)
                    .map(|(g, _)| *g)
                    .collect()
            },
            groups: groups
                .into_iter()
                .map(|(g, n)| {
                    let share = (total > 0).then(|| f64::from(n) * 100.0 / f64::from(total));
                    GroupShare {
                        group: g,
                        count: n,
                        share,
                    }
                })
                .collect(),
        }
    }

    /// The latest assessment.
    pub fn latest(&self) -> Option<&Assessment> {
        self.assessments.iter().max_by_key(|a| (a.on, a.id.clone()))
    }

    /// Its functionality, from the latest assessment.
    pub fn functionality(&self) -> Functionality {
        self.latest()
            .map_or(Functionality::NotAssessed, Assessment::functionality)
    }

    /// Whether it will be supported after the departure: a gap without a supporter after;
    /// at risk when its latest assessment is not functional or older than a year on `on`.
    pub fn support_state(&self, on: NaiveDate) -> SupportState {
        if self.supporters_after.is_empty() {
            return SupportState::Gap;
        }
        let fresh = self
            .latest()
            .is_some_and(|a| a.on <= on && (on - a.on).num_days() <= 365);
        if fresh && self.functionality() == Functionality::Functional {
            SupportState::Covered
        } else {
            SupportState::AtRisk
        }
    }
}

/// Tidy a mechanism and refuse what cannot stand: an unknown place, no name, a score above
/// 3, a criterion scored twice, an assessment without assessor, lists past their limits.
/// Member counts of the same sex, age band and community are added together.
pub fn check_mechanism(m: &mut Mechanism, gaz: &Gazetteer) -> Result<(), DomainError> {
    known(gaz, "place", &m.place)?;
    text("name", &mut m.name, limits::NAME)?;
    if m.name.is_empty() {
        return Err(DomainError::Missing("name"));
    }
    text("note", &mut m.note, limits::TEXT)?;
    names("focal_points", &mut m.focal_points)?;
    names("supporters_now", &mut m.supporters_now)?;
    names("supporters_after", &mut m.supporters_after)?;
    let mut merged: Vec<MemberCount> = Vec::new();
    for c in &m.members {
        match merged
            .iter_mut()
            .find(|x| x.sex == c.sex && x.age == c.age && x.group == c.group)
        {
            Some(x) => {
                x.count = x
                    .count
                    .checked_add(c.count)
                    .ok_or_else(|| DomainError::invalid("members", "too many"))?
            }
            None => merged.push(*c),
        }
    }
    merged.retain(|c| c.count > 0);
    m.members = merged;
    if m.members.len() > MAX_ITEMS || m.assessments.len() > MAX_ITEMS {
        return Err(DomainError::TooMany {
            field: "assessments",
            max: MAX_ITEMS,
        });
    }
    for a in &mut m.assessments {
        text("note", &mut a.note, limits::TEXT)?;
        if a.by.trim().is_empty() {
            return Err(DomainError::Missing("by"));
        }
        if a.scores.iter().any(|s| s.score > 3) {
            return Err(DomainError::invalid(
                "scores",
                "a score lies between 0 and 3",
            ));
        }
        let mut seen: Vec<Criterion> = a.scores.iter().map(|s| s.criterion).collect();
        seen.sort_by_key(|c| c.as_str());
        if seen.windows(2).any(|w| w[0] == w[1]) {
            return Err(DomainError::invalid(
                "scores",
                "a criterion is scored twice",
            ));
        }
    }
    m.assessments
        .sort_by(|a, b| a.on.cmp(&b.on).then_with(|| a.id.cmp(&b.id)));
    Ok(())
}

#[cfg(test)]
#[path = "community_tests.rs"]
mod tests;
