//! Six months of community alerts, played through the real use cases with a moving clock, so
//! every alert has a true timeline, a sealed reporter, deadlines, routing and ledger events.

use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use rand::rngs::StdRng;

use kinga_app::alerts::IntakeCommand;
use kinga_app::{App, Caller, FixedClock};
use kinga_domain::alert::TriageUpdate;
use kinga_domain::people::Role;
use kinga_domain::{AlertState, Channel, ThreatType, TransitionRequest};

/// A demo village: P-code, name, and how often alerts come from it.
pub struct Village {
    /// P-code.
    pub pcode: String,
    /// Name as people write it.
    pub name: String,
    /// Relative weight.
    pub weight: u32,
}

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

const THREATS: [(ThreatType, u32); 13] = [
    (ThreatType::ArmedPresence, 22),
    (ThreatType::AttackOnCivilians, 10),
    (ThreatType::Clashes, 10),
    (ThreatType::Abduction, 8),
    (ThreatType::SexualViolence, 6),
    (ThreatType::Killing, 7),
    (ThreatType::LootingExtortion, 9),
    (ThreatType::Displacement, 9),
    (ThreatType::ArrestDetention, 4),
    (ThreatType::ChildRecruitment, 3),
    (ThreatType::IntercommunalTension, 4),
    (ThreatType::ExplosiveOrdnance, 3),
    (ThreatType::ThreatIntimidation, 5),
];

/// (French, English, Swahili) text of an alert; `{p}` is the place, `{a}` an armed group.
fn text(t: ThreatType) -> (&'static str, &'static str, &'static str) {
    use ThreatType::*;
    match t {
        ArmedPresence => (
            "Présence d'une trentaine d'hommes armés en tenue militaire à {p} depuis ce matin, la population a peur.",
            "About thirty armed men in uniform seen at {p} since this morning; people are afraid.",
            "Watu wenye silaha karibu thelathini wameonekana {p} tangu asubuhi, watu wanaogopa.",
        ),
        AttackOnCivilians => (
            "Attaque contre le village de {p} cette nuit par {a}, des maisons brûlées et plusieurs blessés.",
            "Attack on {p} last night by {a}; houses burned and several people wounded.",
            "Shambulio kijiji cha {p} usiku huu na {a}, nyumba zimechomwa, watu wamejeruhiwa.",
        ),
        Clashes => (
            "Affrontements entre {a} et les FARDC près de {p}, tirs entendus depuis 5h du matin.",
            "Clashes between {a} and FARDC near {p}; gunfire heard since 5am.",
            "Mapigano kati ya {a} na FARDC karibu na {p}, risasi zinasikika tangu saa kumi na moja.",
        ),
        Abduction => (
            "Enlèvement de quatre agriculteurs sur la route de {p} par des hommes armés, rançon demandée.",
            "Four farmers abducted on the road to {p} by armed men; ransom demanded.",
            "Wakulima wanne wametekwa nyara barabarani kwenda {p}, wanadai fidia.",
        ),
        SexualViolence => (
            "Deux femmes agressées en allant au champ près de {p}, elles ont besoin de soins.",
            "Two women assaulted on the way to the fields near {p}; they need care.",
            "Wanawake wawili wameshambuliwa wakienda shambani karibu na {p}.",
        ),
        Killing => (
            "Trois civils tués à {p}, les corps retrouvés près de la rivière. Auteurs présumés : {a}.",
            "Three civilians killed at {p}; bodies found near the river. Suspected: {a}.",
            "Raia watatu wameuawa {p}, miili imepatikana karibu na mto.",
        ),
        LootingExtortion => (
            "Pillage des boutiques du marché de {p} par des éléments armés, taxes illégales à la barrière.",
            "Market shops in {p} looted by armed elements; illegal taxes at the roadblock.",
            "Uporaji wa maduka sokoni {p} na watu wenye silaha.",
        ),
        Displacement => (
            "Des centaines de familles fuient {p} vers le site de déplacés après les tirs d'hier.",
            "Hundreds of families fleeing {p} towards the displacement site after yesterday's shooting.",
            "Mamia ya familia wanakimbia {p} kwenda kambi ya wakimbizi.",
        ),
        ArrestDetention => (
            "Arrestation arbitraire de six jeunes à {p}, détenus sans motif au cachot.",
            "Six young men arbitrarily arrested in {p}, held without charge.",
            "Vijana sita wamekamatwa {p} bila sababu.",
        ),
        ChildRecruitment => (
            "Des enfants recrutés de force par {a} à {p}, au moins cinq garçons de moins de 15 ans.",
            "Children forcibly recruited by {a} at {p}; at least five boys under 15.",
            "Watoto wamesajiliwa kwa nguvu na {a} huko {p}.",
        ),
        IntercommunalTension => (
            "Forte tension entre éleveurs et agriculteurs à {p} après un vol de vaches, risque de violence.",
            "High tension between herders and farmers in {p} after cattle theft; risk of violence.",
            "Mvutano mkubwa kati ya wafugaji na wakulima {p}.",
        ),
        ExplosiveOrdnance => (
            "Engin non explosé trouvé près de l'école de {p}, les enfants jouent à côté.",
            "Unexploded device found near the school in {p}; children play next to it.",
            "Bomu ambalo halijalipuka limepatikana karibu na shule ya {p}.",
        ),
        ThreatIntimidation | Other => (
            "Lettre de menaces déposée contre le chef de {p} et sa famille.",
            "Threat letter left against the chief of {p} and his family.",
            "Barua ya vitisho dhidi ya chifu wa {p} na familia yake.",
        ),
    }
}

const GROUPS: [&str; 8] = [
    "M23",
    "ADF",
    "CODECO",
    "Wazalendo",
    "Raia Mutomboki",
    "FDLR",
    "Twirwaneho",
    "Zaïre",
];

const OUTCOMES: [(&str, &str); 6] = [
    (
        "Patrouille envoyée ; les hommes armés se sont retirés.",
        "Patrol sent; the armed men withdrew.",
    ),
    (
        "Patrouille conjointe déployée ; la situation est calme.",
        "Joint patrol deployed; the situation is calm.",
    ),
    (
        "Blessés référés vers l'hôpital le plus proche.",
        "Wounded referred to the nearest hospital.",
    ),
    (
        "Le comité local de protection a mené une médiation.",
        "The local protection committee mediated.",
    ),
    (
        "Familles assistées et orientées vers le site d'accueil.",
        "Families assisted and guided to the reception site.",
    ),
    (
        "Zone balisée et signalée à l'équipe de déminage.",
        "Area marked and reported to the demining team.",
    ),
];

/// How far along the lifecycle a demo alert goes.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Fate {
    Stay(AlertState),
    Closed,
    Unverifiable,
    FalseAlarm,
}

/// Where alerts of the last two weeks end, with their weights.
const RECENT_FATES: [(Fate, u32); 8] = [
    (Fate::Stay(AlertState::Received), 16),
    (Fate::Stay(AlertState::Acknowledged), 14),
    (Fate::Stay(AlertState::Verified), 14),
    (Fate::Stay(AlertState::Assigned), 14),
    (Fate::Stay(AlertState::Responding), 10),
    (Fate::Closed, 20),
    (Fate::FalseAlarm, 6),
    (Fate::Unverifiable, 6),
];

fn fate(rng: &mut StdRng, age_days: i64) -> Fate {
    use AlertState::*;
    let old = [
        (Fate::Closed, 74),
        (Fate::Unverifiable, 8),
        (Fate::FalseAlarm, 7),
        (Fate::Stay(Verified), 4),
        (Fate::Stay(Acknowledged), 3),
        (Fate::Stay(Responding), 4),
    ];
    *pick(rng, if age_days > 14 { &old } else { &RECENT_FATES })
}

fn typo(rng: &mut StdRng, name: &str) -> String {
    // People type place names as they say them: drop a letter, lose the accents, shout.
    let chars: Vec<char> = name.chars().collect();
    match rng.random_range(0..6) {
        0 if chars.len() > 5 => {
            let i = rng.random_range(1..chars.len() - 1);
            chars
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, c)| *c)
                .collect()
        }
        1 => name.to_uppercase(),
        2 => name.to_lowercase(),
        _ => name.to_string(),
    }
}

/// What the history loader did.
#[derive(Debug, Default)]
pub struct History {
    /// Alerts created.
    pub alerts: usize,
    /// Of which merged into another.
    pub merged: usize,
    /// Lifecycle moves made.
    pub transitions: usize,
}

/// Play `count` alerts over the `days` before `now` through the application.
pub async fn play(
    app: &App,
    rng: &mut StdRng,
    villages: &[Village],
    phones: &[String],
    now: DateTime<Utc>,
    count: usize,
    days: i64,
) -> anyhow::Result<History> {
    let clock = std::sync::Arc::new(FixedClock::new(now));
    let app = app.with_clock(clock.clone());
    let cla = [
        Caller::acting("cla1", Role::TriageOfficer),
        Caller::acting("cla2", Role::TriageOfficer),
    ];
    let gateway = Caller::gateway("twilio");
    let fallbacks = [
        ("CD61", "protciv-nk"),
        ("CD62", "solidarite-kivu"),
        ("CD54", "monusco-cob-bunia"),
    ];
    let weighted: Vec<(&Village, u32)> = villages.iter().map(|v| (v, v.weight)).collect();
    let mut times: Vec<DateTime<Utc>> = (0..count)
        .map(|_| {
            // More alerts recently: the situation is deteriorating as the mission draws down.
            let f: f64 = rng.random::<f64>().powf(1.6);
            now - Duration::minutes((f * days as f64 * 1440.0) as i64) - Duration::minutes(5)
        })
        .collect();
    times.sort();
    let mut h = History::default();
    let mut previous: Vec<(String, String, DateTime<Utc>, ThreatType)> = vec![];
    // Fates not yet shown by an alert of the last week: the first new events of that week
    // take them in turn, so the demo shows every state whatever the draws (a false alarm
    // older than a week is closed, and few alerts are that recent).
    let mut unshown: Vec<Fate> = RECENT_FATES.iter().map(|(f, _)| *f).collect();
    for t in times {
        clock.set(t);
        let village = *pick(rng, &weighted);
        let threat = *pick(rng, &THREATS);
        let group = GROUPS[rng.random_range(0..GROUPS.len())];
        let (fr, en, sw) = text(threat);
        let lang = pick(rng, &[("fr", 55), ("sw", 25), ("en", 20)]);
        let body = match *lang {
            "en" => en,
            "sw" => sw,
            _ => fr,
        };
        let channel = *pick(
            rng,
            &[
                (Channel::Sms, 60),
                (Channel::Call, 25),
                (Channel::Web, 10),
                (Channel::Api, 5),
            ],
        );
        // A second report of the same event, minutes later, is the duplicate a CLA must merge.
        let duplicate_of = previous
            .last()
            .filter(|(_, _, at, _)| t - *at < Duration::hours(3) && rng.random_bool(0.5))
            .cloned();
        // The second witness names the threat the first did, in their own words: a rape and
        // a looting at one village the same hour are two events, not a duplicate.
        let (threat, body) = match &duplicate_of {
            Some((_, _, _, first)) => {
                let (fr, en, sw) = text(*first);
                let body = match *lang {
                    "en" => en,
                    "sw" => sw,
                    _ => fr,
                };
                (*first, body)
            }
            None => (threat, body),
        };
        let (place_name, place, text_used) = match &duplicate_of {
            Some((_, pname, _, _)) => (
                pname.clone(),
                None,
                body.replace("{p}", pname).replace("{a}", group),
            ),
            None => (
                village.name.clone(),
                Some(village.pcode.clone()),
                body.replace("{p}", &village.name).replace("{a}", group),
            ),
        };
        let sms = channel == Channel::Sms;
        let text_used = if sms {
            format!("ALERTE {} {}", typo(rng, &place_name), text_used)
        } else {
            text_used
        };
        let phone = match channel {
            Channel::Sms | Channel::Call if rng.random_bool(0.85) => {
                Some(phones[rng.random_range(0..phones.len())].clone())
            }
            Channel::Sms | Channel::Call => Some(format!(
                "+24397{:07}",
                rng.random_range(1_000_000..9_999_999)
            )),
            _ => None,
        };
        let cmd = IntakeCommand {
            channel: Some(channel),
            text: text_used,
            threat_type: if sms && rng.random_bool(0.3) {
                None
            } else {
                Some(threat)
            },
            severity: None,
            place: if sms { None } else { place.clone() },
            place_name: if sms {
                Some(typo(rng, &place_name))
            } else {
                None
            },
            reporter_phone: phone,
            reported_at: Some(t - Duration::minutes(rng.random_range(0..20))),
            language: Some(lang.to_string()),
            idempotency_key: sms.then(|| format!("demo:SM{:032x}", rng.random::<u128>())),
        };
        let who = if sms {
            &gateway
        } else {
            &cla[rng.random_range(0..2)]
        };
        let alert = app.intake(who, cmd).await?.alert;
        h.alerts += 1;
        let true_place = match &duplicate_of {
            Some(_) => previous.last().map(|p| p.0.clone()),
            None => Some(village.pcode.clone()),
        };
        let age = (now - t).num_days();
        let cla_now = &cla[rng.random_range(0..2)];
        let mut at = t;
        let mut step = |minutes: std::ops::Range<i64>, rng: &mut StdRng| {
            at += Duration::minutes(rng.random_range(minutes));
            clock.set(at.min(now));
        };
        let f = fate(rng, age);
        let f = match unshown.pop() {
            Some(forced) if age <= 7 && duplicate_of.is_none() => forced,
            Some(other) => {
                unshown.push(other);
                f
            }
            None => f,
        };
        if f == Fate::Stay(AlertState::Received) {
            previous.push((
                true_place.clone().unwrap_or_default(),
                place_name,
                t,
                threat,
            ));
            continue;
        }
        step(3..40, rng);
        let mv = |to: AlertState| TransitionRequest {
            to: Some(to),
            ..Default::default()
        };
        app.transition(cla_now, &alert.id, mv(AlertState::Acknowledged))
            .await?;
        h.transitions += 1;
        if let Some(dup) = alert
            .duplicate_candidates
            .first()
            .filter(|_| duplicate_of.is_some() && age > 1)
        {
            step(5..30, rng);
            let req = TransitionRequest {
                to: Some(AlertState::Merged),
                merged_into: Some(dup.alert.clone()),
                reason: Some("Même événement signalé par un autre point focal".into()),
                ..Default::default()
            };
            if app.transition(cla_now, &alert.id, req).await.is_ok() {
                h.merged += 1;
                h.transitions += 1;
                continue;
            }
        }
        // The CLA settles the place the text names, whatever the typo or homonym made of it.
        if alert.place != true_place {
            if let Some(p) = &true_place {
                app.triage(
                    cla_now,
                    &alert.id,
                    TriageUpdate {
                        place: Some(p.clone()),
                        threat_type: Some(threat),
                        severity: None,
                    },
                )
                .await?;
            }
        }
        previous.push((
            true_place.clone().unwrap_or_default(),
            place_name,
            t,
            threat,
        ));
        if f == Fate::Stay(AlertState::Acknowledged) {
            continue;
        }
        step(20..180, rng);
        if f == Fate::Unverifiable || f == Fate::FalseAlarm {
            let (to, reason) = if f == Fate::Unverifiable {
                (
                    AlertState::Unverifiable,
                    "Pas de réseau dans la zone, impossible de joindre une deuxième source.",
                )
            } else {
                (
                    AlertState::FalseAlarm,
                    "Le chef de village confirme qu'il s'agissait d'une patrouille des FARDC.",
                )
            };
            app.transition(
                cla_now,
                &alert.id,
                TransitionRequest {
                    to: Some(to),
                    reason: Some(reason.into()),
                    ..Default::default()
                },
            )
            .await?;
            h.transitions += 1;
            if age > 7 {
                step(60..600, rng);
                app.transition(
                    cla_now,
                    &alert.id,
                    TransitionRequest {
                        to: Some(AlertState::Closed),
                        reason: Some(reason.into()),
                        ..Default::default()
                    },
                )
                .await?;
                h.transitions += 1;
            }
            continue;
        }
        let verified = app
            .transition(cla_now, &alert.id, mv(AlertState::Verified))
            .await?;
        h.transitions += 1;
        if f == Fate::Stay(AlertState::Verified) {
            continue;
        }
        // Uncovered: a CLA may reach a province-wide actor outside its usual cover; some
        // alerts find nobody and wait, overdue — the protection cliff.
        let fallback = verified
            .alert
            .place
            .as_deref()
            .and_then(|p| fallbacks.iter().find(|(area, _)| p.starts_with(area)))
            .map(|(_, r)| r.to_string());
        let responder = verified
            .alert
            .proposed_responders
            .first()
            .cloned()
            .or_else(|| fallback.filter(|_| rng.random_bool(0.6)));
        let Some(responder) = responder else { continue };
        step(10..90, rng);
        let responders = vec![responder];
        app.transition(
            cla_now,
            &alert.id,
            TransitionRequest {
                to: Some(AlertState::Assigned),
                responders,
                ..Default::default()
            },
        )
        .await?;
        h.transitions += 1;
        if f == Fate::Stay(AlertState::Assigned) {
            continue;
        }
        step(15..240, rng);
        app.transition(cla_now, &alert.id, mv(AlertState::Responding))
            .await?;
        h.transitions += 1;
        if f == Fate::Stay(AlertState::Responding) {
            continue;
        }
        step(60..1440, rng);
        let (ofr, oen) = OUTCOMES[rng.random_range(0..OUTCOMES.len())];
        let outcome = if *lang == "en" { oen } else { ofr };
        app.transition(
            cla_now,
            &alert.id,
            TransitionRequest {
                to: Some(AlertState::Closed),
                outcome: Some(outcome.into()),
                ..Default::default()
            },
        )
        .await?;
        h.transitions += 1;
    }
    Ok(h)
}
