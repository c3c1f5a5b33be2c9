//! Six months of protection monitoring, recorded and verified through the real use cases with
//! a moving clock: human-rights violations, conflict-related sexual violence and grave
//! violations against children, each in its compartment, in every verification state, some
//! heard only by phone, and a few caused by peacekeepers or private security — recorded like
//! any other harm.

use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use rand::rngs::StdRng;

use kinga_app::incidents::{InterviewRequest, ReferralRequest};
use kinga_app::{App, Caller, FixedClock};
use kinga_domain::compartment::Compartment;
use kinga_domain::incident::care::{
    ProviderKind, ReferralService, ReferralStatus, ServiceProvider, is_sexual_violence,
};
use kinga_domain::incident::{
    AgeGroup, DatePrecision, IncidentDraft, Perpetrator, PerpetratorCategory, Reliability, Sex,
    Source, SourceKind, VerificationMethod, VerificationMove, VerificationState, Victim, Violation,
};
use kinga_domain::people::Role;

use super::alerts::Village;

/// What kind of incident a draw makes.
#[derive(Clone, Copy)]
enum Case {
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

const CASES: [(Case, u32); 13] = [
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

fn pick<'a, T>(rng: &mut StdRng, items: &'a [(T, u32)]) -> &'a T {
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
fn draft(rng: &mut StdRng, case: Case, place: &Village, day: chrono::NaiveDate) -> IncidentDraft {
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

/// The directory of service providers of the demo's provinces.
pub fn providers() -> Vec<ServiceProvider> {
    use ReferralService::*;
    let p = |id: &str,
             name: &str,
             kind: ProviderKind,
             services: Vec<ReferralService>,
             places: &[&str]| {
        ServiceProvider {
            id: id.into(),
            name: name.into(),
            kind,
            services,
            places: places.iter().map(|s| s.to_string()).collect(),
        }
    };
    vec![
        p(
            "osc-goma",
            "Centre intégré (one-stop) de Goma",
            ProviderKind::OneStopCentre,
            vec![Medical, Psychosocial, Legal],
            &["CD61"],
        ),
        p(
            "hopital-heal-africa",
            "Hôpital HEAL Africa",
            ProviderKind::Health,
            vec![Medical],
            &["CD61"],
        ),
        p(
            "panzi-bukavu",
            "Fondation Panzi",
            ProviderKind::OneStopCentre,
            vec![Medical, Psychosocial, Legal, SocioEconomic],
            &["CD62"],
        ),
        p(
            "cpe-ituri",
            "Réseau de protection de l'enfance d'Ituri",
            ProviderKind::ChildProtection,
            vec![Psychosocial, SafetyShelter],
            &["CD54"],
        ),
        p(
            "clinique-juridique-beni",
            "Clinique juridique de Beni",
            ProviderKind::Ngo,
            vec![Legal],
            &["CD61"],
        ),
        p(
            "maison-ecoute-bunia",
            "Maison d'écoute de Bunia",
            ProviderKind::Ngo,
            vec![Psychosocial, SafetyShelter, SocioEconomic],
            &["CD54"],
        ),
    ]
}

/// Record `count` incidents over the `days` before `now` and verify many of them, as the
/// demo's monitor; answers how many were recorded and how many verified. Most survivors of
/// sexual violence are referred (with consent) and their interviews logged.
pub async fn play(
    app: &App,
    rng: &mut StdRng,
    villages: &[Village],
    now: DateTime<Utc>,
    count: usize,
    days: i64,
) -> anyhow::Result<(usize, usize)> {
    let clock = std::sync::Arc::new(FixedClock::new(now));
    let app = app.with_clock(clock.clone());
    let monitor = Caller::acting("monitor", Role::Monitor);
    let zone = app.settings.zone();
    let (mut recorded, mut verified) = (0, 0);
    let mut times: Vec<DateTime<Utc>> = (0..count)
        .map(|_| now - Duration::minutes(rng.random_range(60..days * 1440)))
        .collect();
    times.sort();
    for t in times {
        // Recorded a few days after it happened, during the working day.
        let occurred = t - Duration::days(rng.random_range(0..6));
        clock.set(t);
        let village = &villages[rng.random_range(0..villages.len())];
        let case = *pick(rng, &CASES);
        let d = draft(
            rng,
            case,
            village,
            occurred.with_timezone(&zone).date_naive(),
        );
        let i = app.record_incident(&monitor, d).await?;
        recorded += 1;
        care(&app, rng, &monitor, &i, &clock, t, now).await?;
        // Every state: the older the case, the likelier a conclusion, reached weeks later.
        let age = (now - t).num_days();
        let roll = rng.random_range(0..100);
        let target = match (age, roll) {
            (a, r) if a < 10 && r < 60 => VerificationState::Reported,
            (_, r) if r < 15 => VerificationState::Reported,
            (_, r) if r < 35 => VerificationState::UnderVerification,
            (a, r) if a > 20 && r < 80 => VerificationState::Verified,
            (a, r) if a > 20 && r < 90 => VerificationState::NotVerified,
            (a, _) if a > 20 => VerificationState::Unfounded,
            _ => VerificationState::UnderVerification,
        };
        if target == VerificationState::Reported {
            continue;
        }
        if target != VerificationState::Unfounded || roll % 2 == 0 {
            clock.set(t + Duration::days(1));
            app.move_incident(
                &monitor,
                &i.id,
                step(VerificationState::UnderVerification, None, 0),
            )
            .await?;
        }
        if target.is_conclusion() {
            let later = (t + Duration::days(rng.random_range(5..20))).min(now);
            clock.set(later);
            let remote = i.sources.first().is_some_and(|s| s.remote);
            let method = match (remote, case) {
                (true, _) => VerificationMethod::RemoteInterview,
                (_, Case::Pillage | Case::SchoolAttack | Case::RegionalForce) => {
                    VerificationMethod::SiteVisit
                }
                (_, Case::Crossfire | Case::ChildRape) => VerificationMethod::MedicalEvidence,
                _ => VerificationMethod::VictimInterview,
            };
            let mut mv = step(target, Some(method), i.sources.len());
            mv.verified_on = Some(later.with_timezone(&zone).date_naive());
            app.move_incident(&monitor, &i.id, mv).await?;
            if target == VerificationState::Verified {
                verified += 1;
            }
        }
    }
    clock.set(now);
    screen_busiest_unit(&app, &monitor).await?;
    Ok((recorded, verified))
}

/// One Human Rights Due Diligence screening: the FARDC battalion with the most incidents
/// attributed to it, proposed for fuel and rations for a joint operation.
async fn screen_busiest_unit(app: &App, monitor: &Caller) -> anyhow::Result<()> {
    let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
    let mut offset = 0;
    loop {
        let page = app
            .incidents(
                monitor,
                kinga_app::IncidentQuery {
                    text: Some("bataillon".into()),
                    limit: 1000,
                    offset,
                    ..Default::default()
                },
            )
            .await?;
        for i in &page.items {
            for p in &i.perpetrators {
                if let (PerpetratorCategory::StateForces, Some(u)) = (p.category, &p.unit) {
                    *counts.entry(u.clone()).or_default() += 1;
                }
            }
        }
        offset += page.items.len();
        if page.items.len() < 1000 {
            break;
        }
    }
    let Some((unit, _)) = counts
        .into_iter()
        .max_by_key(|(u, n)| (*n, std::cmp::Reverse(u.clone())))
    else {
        return Ok(());
    };
    app.screen_unit(
        monitor,
        kinga_domain::incident::hrddp::ScreeningDraft {
            unit,
            actor: Some("FARDC".into()),
            support: "Carburant et rations pour une opération conjointe contre les groupes armés \
                      autour de Rutshuru"
                .into(),
            mitigation: vec![
                "Observateurs des droits de l'homme de la mission présents pendant l'opération"
                    .into(),
                "Engagement écrit du commandant sur la conduite des troupes".into(),
                "Appui suspendu si une nouvelle allégation grave est reçue".into(),
            ],
        },
    )
    .await?;
    Ok(())
}

/// The survivors' interviews and, for sexual violence, referrals with consent, most of them
/// followed up.
async fn care(
    app: &App,
    rng: &mut StdRng,
    monitor: &Caller,
    i: &kinga_domain::incident::Incident,
    clock: &FixedClock,
    t: DateTime<Utc>,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    if i.victims.is_empty() || !i.compartment.is_sensitive() {
        return Ok(());
    }
    clock.set((t + Duration::hours(2)).min(now));
    app.log_interview(
        monitor,
        &i.id,
        InterviewRequest {
            victim: 0,
            shared_with: if rng.random_range(0..3) == 0 {
                vec!["UNFPA".into()]
            } else {
                vec![]
            },
            ..Default::default()
        },
    )
    .await?;
    if !i.violations.iter().any(|v| is_sexual_violence(*v)) || rng.random_range(0..10) < 2 {
        return Ok(());
    }
    let child = i.victims[0].age_group.is_child();
    let (provider, service) = match (child, i.place.get(..4)) {
        (true, _) => ("cpe-ituri", ReferralService::Psychosocial),
        (_, Some("CD62")) => ("panzi-bukavu", ReferralService::Medical),
        _ => ("osc-goma", ReferralService::Medical),
    };
    let r = app
        .refer(
            monitor,
            &i.id,
            ReferralRequest {
                victim: 0,
                provider: provider.into(),
                service,
                consent: true,
                by_guardian: child,
            },
        )
        .await?;
    let later = (t + Duration::days(rng.random_range(1..6))).min(now);
    if later >= now {
        return Ok(());
    }
    clock.set(later);
    let first = match rng.random_range(0..10) {
        0 => ReferralStatus::Declined,
        1 => ReferralStatus::LostToFollowUp,
        _ => ReferralStatus::Accepted,
    };
    app.follow_up_referral(monitor, &i.id, &r.id, first).await?;
    if first == ReferralStatus::Accepted && rng.random_range(0..3) > 0 {
        clock.set((later + Duration::days(7)).min(now));
        app.follow_up_referral(monitor, &i.id, &r.id, ReferralStatus::Completed)
            .await?;
    }
    // Now and then a second interview, for a stated reason.
    if rng.random_range(0..6) == 0 {
        app.log_interview(
            monitor,
            &i.id,
            InterviewRequest {
                victim: 0,
                by: Some("Clinique juridique".into()),
                reason: Some("Préparation de la plainte devant l'auditorat militaire".into()),
                ..Default::default()
            },
        )
        .await?;
    }
    Ok(())
}

/// A verification move to `to`, resting on the first sources.
fn step(
    to: VerificationState,
    method: Option<VerificationMethod>,
    sources: usize,
) -> VerificationMove {
    let conclusion = to.is_conclusion();
    VerificationMove {
        to,
        method: if conclusion { method } else { None },
        sources: if to == VerificationState::Verified {
            (0..sources.clamp(1, 2)).collect()
        } else {
            vec![]
        },
        verified_on: None,
        note: None,
    }
}
