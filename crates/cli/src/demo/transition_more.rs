//! The demo's transition records beyond plans and closures: a community alert network per
//! territory the withdrawal touches (some with a supporter after the departure, some with
//! none; women, youth, displaced or minorities missing from a few), the liaison roster with
//! contract end dates (several before their place's handover), two mission indicators — one
//! computed from the alerts, one recorded by hand — and two benchmarks on them with their
//! evidence, and knowledge notes on the armed groups and on past responses.

use chrono::{Datelike, Days, NaiveDate};

use kinga_app::{App, AppError, Caller};

use super::calendar::Calendar;
use kinga_domain::people::Role;
use kinga_domain::place::PlaceLevel;
use kinga_domain::transition::{
    AgeBand, AssessmentInput, BenchmarkInput, BenchmarkKind, Community, Criterion, Figure,
    IndicatorInput, IndicatorSource, MechanismInput, MechanismKind, MemberCount, NoteInput,
    NoteKind, Outcome, Score, Sex, StaffInput, StaffRole, TargetInput, ValueInput,
};

/// The territories the withdrawal touches: each closure's areas, a province standing for its
/// territories.
fn territories(app: &App) -> Vec<(String, String)> {
    const AREAS: &[&str] = &[
        "CD62", "CD6101", "CD6102", "CD6103", "CD6104", "CD6111", "CD6109", "CD6107", "CD6105",
        "CD6110", "CD54",
    ];
    let gaz = app.gazetteer();
    let mut out = Vec::new();
    for a in AREAS {
        match gaz.get(a) {
            Some(p) if p.level == PlaceLevel::Admin1 => out.extend(
                gaz.places()
                    .iter()
                    .filter(|c| c.parent.as_deref() == Some(*a) && c.level == PlaceLevel::Admin2)
                    .map(|c| (c.pcode.clone(), c.name.clone())),
            ),
            Some(p) => out.push((p.pcode.clone(), p.name.clone())),
            None => {}
        }
    }
    out
}

fn members(seed: usize) -> Vec<MemberCount> {
    let m = |sex, age, group, count| MemberCount {
        sex,
        age,
        group,
        count,
    };
    let mut v = vec![
        m(
            Sex::Male,
            AgeBand::Adult,
            Community::Resident,
            6 + (seed % 4) as u32,
        ),
        m(Sex::Male, AgeBand::Elder, Community::Resident, 2),
    ];
    // Every third network has no women; every fourth no youth; displaced in most,
    // minorities in half.
    if seed % 3 != 1 {
        v.push(m(
            Sex::Female,
            AgeBand::Adult,
            Community::Resident,
            2 + (seed % 3) as u32,
        ));
    }
    if seed % 4 != 2 {
        v.push(m(
            Sex::Female,
            AgeBand::Youth,
            Community::Displaced,
            1 + (seed % 2) as u32,
        ));
        v.push(m(Sex::Male, AgeBand::Youth, Community::Resident, 2));
    }
    if seed % 5 != 0 {
        v.push(m(Sex::Male, AgeBand::Adult, Community::Displaced, 2));
    }
    if seed % 2 == 0 {
        v.push(m(Sex::Male, AgeBand::Adult, Community::Minority, 1));
    }
    v
}

/// Load them; returns (mechanisms, staff, benchmarks).
pub async fn load(app: &App) -> anyhow::Result<(usize, usize, usize)> {
    let coord = Caller::acting("coord", Role::Coordinator);
    let today = app.local_today();
    let focal = app.focal_points(&Caller::system()).await?;
    let gaz = app.gazetteer();
    let places = territories(app);
    let successors = [
        "Diocèse de Goma (Caritas)",
        "Division provinciale du genre",
        "UNHCR / INTERSOS",
    ];
    for (i, (pcode, name)) in places.iter().enumerate() {
        let fps: Vec<String> = focal
            .iter()
            .filter(|f| f.place.as_deref().is_some_and(|p| gaz.is_within(p, pcode)))
            .take(3)
            .map(|f| f.id.clone())
            .collect();
        let m = app
            .save_mechanism(
                &coord,
                MechanismInput {
                    id: None,
                    mechanism_kind: if i % 4 == 3 {
                        MechanismKind::WomenNetwork
                    } else {
                        MechanismKind::AlertNetwork
                    },
                    name: format!("Réseau communautaire d'alerte de {name}"),
                    place: pcode.clone(),
                    members: members(i),
                    focal_points: fps,
                    supporters_now: vec!["MONUSCO — assistants de liaison communautaire".into()],
                    // A third will have nobody once the mission leaves: the gap.
                    supporters_after: if i % 3 == 0 {
                        vec![]
                    } else {
                        vec![successors[i % successors.len()].to_string()]
                    },
                    note: String::new(),
                    version: None,
                },
            )
            .await?;
        let score = |c, s: u8| Score {
            criterion: c,
            score: s,
        };
        let level = (i % 4) as u8;
        app.assess_mechanism(
            &coord,
            &m.id,
            AssessmentInput {
                on: today
                    .checked_sub_days(Days::new(30 + 7 * i as u64))
                    .unwrap_or(today),
                scores: vec![
                    score(Criterion::MeetsRegularly, level.min(3)),
                    score(Criterion::RaisesAlerts, (level + 1).min(3)),
                    score(Criterion::ObtainsResponses, level.saturating_sub(1)),
                    score(Criterion::Inclusive, if i % 3 == 1 { 0 } else { 2 }),
                    score(Criterion::Trained, 2),
                    score(Criterion::SelfReliant, level / 2),
                ],
                note: "Évaluation conjointe avec l'assistant de liaison communautaire.".into(),
            },
        )
        .await?;
    }
    let cal = Calendar::of(today);
    let staff = load_roster(app, &coord, &places, cal).await?;
    let benchmarks = load_benchmarks(app, &coord, today, cal).await?;
    load_notes(app, &coord).await?;
    Ok((places.len(), staff, benchmarks))
}

async fn load_roster(
    app: &App,
    coord: &Caller,
    places: &[(String, String)],
    cal: Calendar,
) -> anyhow::Result<usize> {
    const LANGS: &[&[&str]] = &[
        &["fr", "sw"],
        &["fr", "sw", "kinyarwanda"],
        &["fr", "sw", "lingala"],
        &["fr", "kinande", "sw"],
        &["fr", "swahili", "kilendu"],
    ];
    // A third of the contracts end with the quarter the plan was written in: before most
    // handovers.
    const ENDS: &[&str] = &["2026-12-31", "2027-06-30", "2027-12-31"];
    let mut n = 0;
    for (i, (pcode, name)) in places.iter().enumerate() {
        let role = if i % 5 == 4 {
            StaffRole::ProtectionOfficer
        } else {
            StaffRole::LiaisonAssistant
        };
        app.save_staff(
            coord,
            StaffInput {
                id: None,
                name: format!("CLA {name}"),
                role,
                sex: if i % 3 == 0 { Sex::Female } else { Sex::Male },
                languages: LANGS[i % LANGS.len()]
                    .iter()
                    .map(|s| s.to_string())
                    .collect(),
                places: vec![pcode.clone()],
                contract_ends_on: Some(cal.day(ENDS[i % ENDS.len()])?),
                note: String::new(),
                version: None,
            },
        )
        .await?;
        n += 1;
    }
    Ok(n)
}

async fn load_benchmarks(
    app: &App,
    coord: &Caller,
    today: NaiveDate,
    cal: Calendar,
) -> anyhow::Result<usize> {
    let response = app
        .save_indicator(
            coord,
            IndicatorInput {
                id: None,
                name_fr: "Part des alertes communautaires ayant reçu une réponse à temps".into(),
                name_en: "Share of community alerts that received a response in time".into(),
                unit: "%".into(),
                source: IndicatorSource::Computed(Figure::ResponseShare),
                higher_is_better: Some(true),
                note: "Calculé par Kinga sur les alertes reçues dans les 90 jours précédents."
                    .into(),
                version: None,
            },
        )
        .await?;
    let children = app
        .save_indicator(
            coord,
            IndicatorInput {
                id: None,
                name_fr: "Enfants libérés des groupes armés".into(),
                name_en: "Children released from armed groups".into(),
                unit: "enfants".into(),
                source: IndicatorSource::Manual,
                higher_is_better: Some(true),
                note: "Chiffres de la section protection de l'enfant, par trimestre.".into(),
                version: None,
            },
        )
        .await?;
    let year = today.year();
    app.save_benchmark(
        coord,
        BenchmarkInput {
            id: None,
            benchmark_kind: BenchmarkKind::Core,
            title: "Les alertes du Nord-Kivu reçoivent une réponse des acteurs nationaux".into(),
            place: "CD61".into(),
            owner: "Gouvernorat du Nord-Kivu et PNC".into(),
            starts_on: NaiveDate::from_ymd_opt(year, 1, 1),
            due_on: cal.day("2027-03-31")?,
            targets: Some(vec![TargetInput {
                id: None,
                indicator: response.id.clone(),
                baseline: None,
                target: 70.0,
                due_on: None,
            }]),
            note: "Condition du retrait de la base de Goma.".into(),
            version: None,
        },
    )
    .await?;
    // Evidence: the figure computed over each past quarter, as it would have been recorded.
    for back in [120u64, 60, 0] {
        let on = today.checked_sub_days(Days::new(back)).unwrap_or(today);
        match app
            .record_indicator_value(
                coord,
                ValueInput {
                    indicator: response.id.clone(),
                    place: "CD61".into(),
                    on: Some(on),
                    value: None,
                    from: on.checked_sub_days(Days::new(60)),
                    source_note: String::new(),
                },
            )
            .await
        {
            // A quarter without alerts has no figure: nothing to record.
            Ok(_) | Err(AppError::Invalid(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    app.save_benchmark(
        coord,
        BenchmarkInput {
            id: None,
            benchmark_kind: BenchmarkKind::Contextual,
            title: "Les groupes armés de l'Ituri libèrent les enfants de leurs rangs".into(),
            place: "CD54".into(),
            owner: "Section protection de l'enfant et UNICEF".into(),
            starts_on: cal.day("2026-01-01").ok(),
            due_on: cal.day("2027-09-30")?,
            targets: Some(vec![TargetInput {
                id: None,
                indicator: children.id.clone(),
                baseline: Some(0.0),
                target: 400.0,
                due_on: None,
            }]),
            note: String::new(),
            version: None,
        },
    )
    .await?;
    for (on, value) in [
        ("2026-03-31", 85.0),
        ("2026-06-30", 160.0),
        ("2026-09-30", 210.0),
    ] {
        let on = cal.day(on)?;
        let source = format!("Rapport trimestriel MRM, {}", Calendar::quarter_name(on));
        if on > today {
            continue;
        }
        app.record_indicator_value(
            coord,
            ValueInput {
                indicator: children.id.clone(),
                place: "CD54".into(),
                on: Some(on),
                value: Some(value),
                from: None,
                source_note: source,
            },
        )
        .await?;
    }
    Ok(2)
}

async fn load_notes(app: &App, coord: &Caller) -> anyhow::Result<()> {
    let notes = [
        NoteInput {
            id: None,
            note_kind: NoteKind::ThreatActor,
            title: "M23/AFC : chaîne de commandement à Rutshuru".into(),
            places: vec!["CD6111".into()],
            actors: vec!["m23".into()],
            happened_on: None,
            body: "Les commandants de secteur changent tous les trois mois ; les chefs de groupement restent les seuls interlocuteurs stables. Les barrières sur la RN2 sont levées contre paiement.".into(),
            tried: String::new(),
            outcome: None,
            why: String::new(),
            version: None,
        },
        NoteInput {
            id: None,
            note_kind: NoteKind::PastResponse,
            title: "Patrouilles de nuit à Eringeti".into(),
            places: vec!["CD6109".into()],
            actors: vec!["adf".into()],
            happened_on: NaiveDate::from_ymd_opt(2025, 11, 15),
            body: String::new(),
            tried: "Patrouilles conjointes FARDC–MONUSCO de nuit, alertes relayées par le réseau communautaire.".into(),
            outcome: Some(Outcome::Partly),
            why: "Les attaques ont baissé près de la route mais se sont déplacées vers les champs ; le réseau n'avait pas de crédit téléphonique la nuit.".into(),
            version: None,
        },
        NoteInput {
            id: None,
            note_kind: NoteKind::PastResponse,
            title: "Médiation entre communautés à Djugu".into(),
            places: vec!["CD5402".into()],
            actors: vec!["codeco".into()],
            happened_on: NaiveDate::from_ymd_opt(2025, 6, 1),
            body: String::new(),
            tried: "Dialogue intercommunautaire facilité par la section des affaires civiles, avec les chefs coutumiers hema et lendu.".into(),
            outcome: Some(Outcome::Worked),
            why: "Les chefs coutumiers ont accepté un mécanisme de vérification des rumeurs ; il tient tant qu'un facilitateur neutre le réunit.".into(),
            version: None,
        },
    ];
    for n in notes {
        app.save_note(coord, n).await?;
    }
    Ok(())
}
