//! The demo's kinds of incident, how often each is drawn, and the draft each makes: its
//! compartment, violations, victims, perpetrators, narrative and sources.

use rand::Rng;
use rand::rngs::StdRng;

use kinga_domain::compartment::Compartment;
use kinga_domain::incident::{
    AgeGroup, DatePrecision, IncidentDraft, Perpetrator, PerpetratorCategory, Reliability, Sex,
    Source, SourceKind, Victim, Violation,
};

use super::super::alerts::Village;

/// What kind of incident a draw makes.
#[derive(Clone, Copy)]
pub(super) enum Case {
    Pillage,
    Checkpoint,
    Massacre,
    Detention,
    Crossfire,
    RegionalForce,
    MineGuards,
    Rape,
    Slavery,
    Recruitment,
    Abduction,
    SchoolAttack,
    ChildRape,
}

pub(super) const CASES: [(Case, u32); 13] = [
    (Case::Pillage, 18),
    (Case::Checkpoint, 12),
    (Case::Massacre, 10),
    (Case::Detention, 10),
    (Case::Crossfire, 2),
    (Case::RegionalForce, 2),
    (Case::MineGuards, 2),
    (Case::Rape, 16),
    (Case::Slavery, 4),
    (Case::Recruitment, 9),
    (Case::Abduction, 6),
    (Case::SchoolAttack, 4),
    (Case::ChildRape, 5),
];

const GROUPS: [&str; 6] = [
    "M23",
    "ADF",
    "CODECO",
    "Wazalendo",
    "FDLR",
    "Raia Mutomboki",
];
const NAMES: [&str; 10] = [
    "Neema Kavira",
    "Aline Masika",
    "Furaha Kahambu",
    "Sifa Mbusa",
    "Esperance Kasoki",
    "Jeanne Muhindo",
    "Consolata Bahati",
    "Riziki Nzanzu",
    "Mapendo Kyakimwa",
    "Dorcas Kavugho",
];

pub(super) fn pick<'a, T>(rng: &mut StdRng, items: &'a [(T, u32)]) -> &'a T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut x = rng.random_range(0..total.max(1));
    for (t, w) in items {
        if x < *w {
            return t;
        }
        x -= w;
    }
    &items[0].0
}

fn victim(sex: Sex, age_group: AgeGroup, name: Option<&str>) -> Victim {
    Victim {
        sex,
        age_group,
        disability: false,
        displaced: false,
        name: name.map(String::from),
    }
}

fn armed(group: &str) -> Perpetrator {
    Perpetrator {
        category: PerpetratorCategory::ArmedGroup,
        actor: Some(group.to_string()),
        unit: None,
    }
}

fn source(kind: SourceKind, reliability: Reliability, remote: bool) -> Source {
    Source {
        kind,
        reliability,
        remote,
        contact: None,
    }
}

/// The draft of one incident of `case` at `place`.
pub(super) fn draft(
    rng: &mut StdRng,
    case: Case,
    place: &Village,
    day: chrono::NaiveDate,
) -> IncidentDraft {
    let group = GROUPS[rng.random_range(0..GROUPS.len())];
    let name = NAMES[rng.random_range(0..NAMES.len())];
    // About one in five was heard only by phone: the place was out of reach.
    let remote = rng.random_range(0..5) == 0;
    let p = &place.name;
    let adults = |rng: &mut StdRng, sex: Sex, n: std::ops::RangeInclusive<usize>| -> Vec<Victim> {
        (0..rng.random_range(n))
            .map(|_| victim(sex, AgeGroup::Age18To59, None))
            .collect()
    };
    let (compartment, violations, victims, perpetrators, narrative, sources) = match case {
        Case::Pillage => (
            Compartment::General,
            vec![Violation::Looting, Violation::DestructionOfProperty],
            vec![],
            vec![armed(group)],
            format!("Des éléments armés ({group}) ont pillé et incendié des maisons à {p}."),
            vec![source(
                SourceKind::Community,
                Reliability::UsuallyReliable,
                remote,
            )],
        ),
        Case::Checkpoint => (
            Compartment::General,
            vec![Violation::Extortion, Violation::RestrictionOfMovement],
            vec![],
            vec![Perpetrator {
                category: PerpetratorCategory::StateForces,
                actor: Some("FARDC".into()),
                unit: Some(format!("{}e bataillon", rng.random_range(1..40))),
            }],
            format!("Barrière illégale sur la route de {p} : taxes exigées aux passants."),
            vec![source(SourceKind::Community, Reliability::Reliable, remote)],
        ),
        Case::Massacre => {
            let mut v = adults(rng, Sex::Male, 1..=4);
            v.extend(adults(rng, Sex::Female, 0..=2));
            v.push(victim(Sex::Unknown, AgeGroup::Age60Plus, None));
            (
                Compartment::HumanRights,
                vec![Violation::Killing, Violation::AttackOnCivilians],
                v,
                vec![armed(group)],
                format!(
                    "Attaque nocturne à {p} attribuée au groupe {group} ; des civils tués à la machette."
                ),
                vec![
                    source(SourceKind::Witness, Reliability::Reliable, remote),
                    source(SourceKind::Authorities, Reliability::UsuallyReliable, false),
                ],
            )
        }
        Case::Detention => (
            Compartment::HumanRights,
            vec![Violation::ArbitraryDetention, Violation::IllTreatment],
            adults(rng, Sex::Male, 1..=3),
            vec![Perpetrator {
                category: PerpetratorCategory::StateForces,
                actor: Some("PNC".into()),
                unit: Some(format!("Commissariat de {p}")),
            }],
            format!("Arrestations sans mandat à {p} ; les personnes détenues ont été battues."),
            vec![source(
                SourceKind::Family,
                Reliability::UsuallyReliable,
                remote,
            )],
        ),
        Case::Crossfire => (
            Compartment::HumanRights,
            vec![Violation::Injury],
            vec![victim(Sex::Female, AgeGroup::Age18To59, None)],
            vec![Perpetrator {
                category: PerpetratorCategory::UnPeacekeeping,
                actor: Some("Contingent de la mission".into()),
                unit: None,
            }],
            format!(
                "Une femme blessée par balle lors d'un échange de tirs impliquant une patrouille de la mission près de {p}."
            ),
            vec![source(
                SourceKind::ServiceProvider,
                Reliability::Reliable,
                false,
            )],
        ),
        Case::RegionalForce => (
            Compartment::HumanRights,
            vec![
                Violation::ForcedDisplacement,
                Violation::DestructionOfProperty,
            ],
            vec![],
            vec![Perpetrator {
                category: PerpetratorCategory::OtherPeacekeeping,
                actor: Some("Force régionale".into()),
                unit: None,
            }],
            format!(
                "Habitants de {p} sommés de quitter leurs maisons avant une opération de la force régionale."
            ),
            vec![source(
                SourceKind::Humanitarian,
                Reliability::UsuallyReliable,
                remote,
            )],
        ),
        Case::MineGuards => (
            Compartment::HumanRights,
            vec![Violation::IllTreatment, Violation::Extortion],
            adults(rng, Sex::Male, 1..=2),
            vec![Perpetrator {
                category: PerpetratorCategory::Pmsc,
                actor: Some("Société de gardiennage du site minier".into()),
                unit: None,
            }],
            format!(
                "Creuseurs frappés et rançonnés par les gardes privés du site minier près de {p}."
            ),
            vec![source(SourceKind::Victim, Reliability::Reliable, remote)],
        ),
        Case::Rape => {
            let girl = rng.random_range(0..4) == 0;
            let age = if girl {
                AgeGroup::Age12To17
            } else {
                AgeGroup::Age18To59
            };
            let by = if rng.random_range(0..4) == 0 {
                Perpetrator {
                    category: PerpetratorCategory::Unidentified,
                    actor: None,
                    unit: None,
                }
            } else {
                armed(group)
            };
            let mut v = victim(Sex::Female, age, Some(name));
            v.displaced = rng.random_range(0..2) == 0;
            (
                Compartment::Crsv,
                vec![Violation::Rape],
                vec![v],
                vec![by],
                format!("{name} a été violée par des hommes armés en allant au champ près de {p}."),
                vec![
                    source(SourceKind::Victim, Reliability::Reliable, remote),
                    source(SourceKind::ServiceProvider, Reliability::Reliable, false),
                ],
            )
        }
        Case::Slavery => (
            Compartment::Crsv,
            vec![Violation::SexualSlavery, Violation::ForcedMarriage],
            vec![victim(Sex::Female, AgeGroup::Age18To59, Some(name))],
            vec![armed(group)],
            format!(
                "{name}, enlevée près de {p}, a été retenue plusieurs mois dans un camp du groupe {group}."
            ),
            vec![source(SourceKind::Victim, Reliability::Reliable, false)],
        ),
        Case::Recruitment => (
            Compartment::Children,
            vec![Violation::RecruitmentAndUse],
            (0..rng.random_range(1..=3))
                .map(|_| victim(Sex::Male, AgeGroup::Age12To17, None))
                .collect(),
            vec![armed(group)],
            format!(
                "Des garçons de {p} enrôlés par le groupe {group} comme porteurs et éclaireurs."
            ),
            vec![source(
                SourceKind::Family,
                Reliability::UsuallyReliable,
                remote,
            )],
        ),
        Case::Abduction => (
            Compartment::Children,
            vec![Violation::Abduction],
            vec![victim(
                if rng.random_range(0..2) == 0 {
                    Sex::Female
                } else {
                    Sex::Male
                },
                AgeGroup::Age5To11,
                None,
            )],
            vec![armed(group)],
            format!("Un enfant enlevé sur le chemin de l'école à {p}."),
            vec![source(SourceKind::Family, Reliability::Reliable, remote)],
        ),
        Case::SchoolAttack => (
            Compartment::Children,
            vec![Violation::AttacksOnSchoolsAndHospitals],
            vec![],
            vec![armed(group)],
            format!("L'école primaire de {p} occupée puis incendiée."),
            vec![source(
                SourceKind::Community,
                Reliability::UsuallyReliable,
                remote,
            )],
        ),
        Case::ChildRape => (
            Compartment::Children,
            vec![Violation::SexualViolenceAgainstChildren],
            vec![victim(Sex::Female, AgeGroup::Age12To17, Some(name))],
            vec![armed(group)],
            format!(
                "{name}, 14 ans, agressée sexuellement près de {p} ; prise en charge au centre de santé."
            ),
            vec![source(
                SourceKind::ServiceProvider,
                Reliability::Reliable,
                false,
            )],
        ),
    };
    // Old cases are sometimes known only to the month.
    let date_precision = if rng.random_range(0..10) == 0 {
        DatePrecision::Month
    } else {
        DatePrecision::Day
    };
    IncidentDraft {
        compartment,
        occurred_on: day,
        date_precision,
        place: place.pcode.clone(),
        narrative,
        sources,
        alerts: vec![],
        perpetrators,
        victims,
        violations,
    }
}
