//! Six months of protection monitoring, recorded and verified through the real use cases with
//! a moving clock: human-rights violations, conflict-related sexual violence and grave
//! violations against children, each in its compartment, in every verification state, some
//! heard only by phone, and a few caused by peacekeepers or private security — recorded like
//! any other harm.

mod cases;

use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use rand::rngs::StdRng;

use kinga_app::incidents::{InterviewRequest, ReferralRequest};
use kinga_app::{App, Caller, FixedClock};
use kinga_domain::incident::care::{
    ProviderKind, ReferralService, ReferralStatus, ServiceProvider, is_sexual_violence,
};
use kinga_domain::incident::{
    PerpetratorCategory, VerificationMethod, VerificationMove, VerificationState,
};
use kinga_domain::people::Role;

use super::alerts::Village;
use cases::{CASES, Case, draft, pick};

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
