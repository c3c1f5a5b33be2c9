//! Demo registries for the Kivus and Ituri: armed actors with aliases, responders with the
//! coverage they had in 2026 (the mission gone from South Kivu), community focal points.

use rand::Rng;
use rand::rngs::StdRng;

use kinga_app::registry::FocalPointInput;
use kinga_domain::ThreatType;
use kinga_domain::registry::{
    ActorKind, ContactPreference, Hours, Responder, ResponderKind, ThreatActor,
};

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

/// Threat actors active in the demo area, with the names communities use for them.
pub fn actors() -> Vec<ThreatActor> {
    let a =
        |id: &str, name: &str, kind, aliases: &[&str], areas: &[&str], notes: &str| ThreatActor {
            id: id.into(),
            name: name.into(),
            kind,
            aliases: s(aliases),
            areas: s(areas),
            notes: notes.into(),
        };
    use ActorKind::*;
    vec![
        a(
            "m23",
            "M23 / AFC",
            NonStateArmedGroup,
            &[
                "M23",
                "AFC",
                "ARC",
                "Mouvement du 23 mars",
                "Alliance Fleuve Congo",
            ],
            &["CD6111", "CD6103", "CD6102", "CD6205", "CD6201"],
            "Holds Rutshuru, Masisi, Nyiragongo; Goma and Bukavu since early 2025.",
        ),
        a(
            "adf",
            "Allied Democratic Forces",
            NonStateArmedGroup,
            &["ADF", "ADF-NALU", "ISCAP", "Madina"],
            &["CD6107", "CD6105", "CD5402", "CD5403"],
            "Attacks on villages around Beni, Lubero, Irumu and Mambasa.",
        ),
        a(
            "codeco",
            "CODECO",
            Militia,
            &["URDPC", "Coopérative pour le développement du Congo"],
            &["CD5405", "CD5407"],
            "Lendu-based militia factions in Djugu and Mahagi.",
        ),
        a(
            "zaire",
            "Zaïre",
            Militia,
            &["ALC", "Autodéfense des Communautés Congolaises"],
            &["CD5405"],
            "Hema self-defence group, Djugu.",
        ),
        a(
            "fdlr",
            "FDLR",
            NonStateArmedGroup,
            &["FOCA", "Forces démocratiques de libération du Rwanda"],
            &["CD6111", "CD6103", "CD6104"],
            "",
        ),
        a(
            "wazalendo",
            "Wazalendo",
            Militia,
            &[
                "VDP",
                "Mai-Mai",
                "Mayi-Mayi",
                "Volontaires pour la défense de la patrie",
            ],
            &["CD6103", "CD6104", "CD6105", "CD6205"],
            "Coalition of self-defence groups allied with the FARDC.",
        ),
        a(
            "raia",
            "Raia Mutomboki",
            Militia,
            &["Raïa Mutomboki", "RM"],
            &["CD6203", "CD6205"],
            "",
        ),
        a(
            "twirwaneho",
            "Twirwaneho",
            Militia,
            &["Twiganeho"],
            &["CD6210", "CD6212"],
            "Hauts Plateaux of Fizi and Mwenga.",
        ),
        a(
            "nyatura",
            "Nyatura",
            Militia,
            &["CMC", "Collectif des mouvements pour le changement"],
            &["CD6103", "CD6111"],
            "",
        ),
        a(
            "apcls",
            "APCLS",
            Militia,
            &["Alliance des patriotes pour un Congo libre et souverain"],
            &["CD6103"],
            "",
        ),
        a(
            "fardc",
            "FARDC",
            StateForces,
            &["Forces armées de la RDC", "militaires", "soldats"],
            &["CD61", "CD62", "CD54"],
            "State forces; some units reported for abuses.",
        ),
        a(
            "coupeurs",
            "Coupeurs de route",
            CriminalGroup,
            &["bandits", "kidnappeurs", "road bandits"],
            &["CD6111", "CD6208", "CD5402"],
            "Kidnapping for ransom on main roads.",
        ),
    ]
}

/// Responders and their coverage: mission bases where the mission still is, police, civil
/// protection, NGOs, local protection committees. South Kivu's mission base is closed: alerts
/// there are uncovered unless a committee covers them.
pub fn responders() -> Vec<Responder> {
    let r = |id: &str,
             name: &str,
             kind,
             places: &[&str],
             types: &[ThreatType],
             hours: Hours,
             consent: bool,
             active: bool| Responder {
        id: id.into(),
        name: name.into(),
        kind,
        places: s(places),
        threat_types: types.to_vec(),
        hours,
        phone: Some(format!("+24381{:07}", id.len() * 1_234_567 % 9_999_999)),
        email: Some(format!("{id}@responders.kinga.example")),
        prefers: if matches!(kind, ResponderKind::UnAgency | ResponderKind::Ngo) {
            ContactPreference::Email
        } else {
            ContactPreference::Sms
        },
        community_consent: consent,
        active,
    };
    use ResponderKind::*;
    use ThreatType::*;
    let day = Hours {
        start: 7 * 60,
        end: 18 * 60,
    };
    let all = Hours::ALWAYS;
    vec![
        r(
            "monusco-cob-beni",
            "MONUSCO – COB Beni",
            MissionMilitary,
            &["CD6107", "CD6109", "CD6110"],
            &[],
            all,
            true,
            true,
        ),
        r(
            "monusco-cob-bunia",
            "MONUSCO – COB Bunia",
            MissionMilitary,
            &["CD5401", "CD5402", "CD5405"],
            &[],
            all,
            true,
            true,
        ),
        r(
            "monusco-tob-djugu",
            "MONUSCO – TOB Djugu (Fataki)",
            MissionMilitary,
            &["CD5405", "CD5407"],
            &[
                AttackOnCivilians,
                Killing,
                Clashes,
                ArmedPresence,
                Displacement,
                Abduction,
            ],
            all,
            true,
            true,
        ),
        r(
            "unpol-bunia",
            "UNPOL / FPU Bunia",
            MissionPolice,
            &["CD5401"],
            &[
                LootingExtortion,
                ArrestDetention,
                ThreatIntimidation,
                AttackOnCivilians,
            ],
            all,
            true,
            true,
        ),
        r(
            "monusco-bukavu",
            "MONUSCO – base de Bukavu (fermée 2024)",
            MissionMilitary,
            &["CD62"],
            &[],
            all,
            true,
            false,
        ),
        r(
            "pnc-goma",
            "PNC – commissariat provincial Goma",
            StatePolice,
            &["CD6101"],
            &[LootingExtortion, ArrestDetention, ThreatIntimidation],
            Hours {
                start: 6 * 60,
                end: 22 * 60,
            },
            true,
            true,
        ),
        r(
            "pnc-kitshanga",
            "PNC – sous-commissariat Kitshanga",
            StatePolice,
            &["CD6103"],
            &[],
            all,
            false,
            true,
        ),
        r(
            "protciv-nk",
            "Protection civile Nord-Kivu",
            CivilProtection,
            &["CD61"],
            &[Displacement, ExplosiveOrdnance],
            day,
            true,
            true,
        ),
        r(
            "unmas-east",
            "UNMAS – équipe de déminage Est",
            UnAgency,
            &["CD61", "CD62", "CD54"],
            &[ExplosiveOrdnance],
            day,
            true,
            true,
        ),
        r(
            "child-protection-east",
            "Partenaire protection de l'enfance (MRM)",
            UnAgency,
            &["CD61", "CD54"],
            &[ChildRecruitment, Abduction],
            day,
            true,
            true,
        ),
        r(
            "solidarite-kivu",
            "ONG Solidarité Femmes Kivu",
            Ngo,
            &["CD62", "CD6101"],
            &[SexualViolence, Displacement],
            Hours {
                start: 8 * 60,
                end: 17 * 60,
            },
            true,
            true,
        ),
        r(
            "clp-minova",
            "CLP Minova",
            LocalProtectionCommittee,
            &["CD6205"],
            &[],
            all,
            true,
            true,
        ),
        r(
            "clp-kamanyola",
            "CLP Kamanyola",
            LocalProtectionCommittee,
            &["CD6207"],
            &[],
            all,
            true,
            true,
        ),
        r(
            "clp-drodro",
            "CLP Drodro",
            LocalProtectionCommittee,
            &["CD5405"],
            &[],
            all,
            true,
            true,
        ),
        r(
            "clp-kiwanja",
            "CLP Kiwanja",
            LocalProtectionCommittee,
            &["CD6111"],
            &[],
            all,
            true,
            true,
        ),
        r(
            "rcp-uvira",
            "Réseau communautaire de protection d'Uvira",
            CommunityNetwork,
            &["CD6208"],
            &[],
            all,
            true,
            true,
        ),
        r(
            "clp-kitshanga",
            "CLP Kitshanga",
            LocalProtectionCommittee,
            &["CD6103"],
            &[],
            all,
            true,
            true,
        ),
        r(
            "clp-lubero",
            "CLP Lubero",
            LocalProtectionCommittee,
            &["CD6105"],
            &[],
            all,
            true,
            true,
        ),
        r(
            "femmes-minembwe",
            "Réseau des femmes protectrices de Minembwe",
            CommunityNetwork,
            &["CD6210"],
            &[SexualViolence, Abduction, Displacement],
            day,
            true,
            true,
        ),
        r(
            "cla-beni",
            "Assistant de liaison communautaire – Beni",
            CommunityLiaison,
            &["CD6107", "CD6109"],
            &[],
            day,
            true,
            true,
        ),
        // Registered for Bukavu town only: the province's early warning comes to it through
        // the South Kivu plan, from the day Bukavu's base closed (alert routing follows it).
        r(
            "protciv-sk",
            "Protection civile Sud-Kivu",
            CivilProtection,
            &["CD6201"],
            &[],
            all,
            true,
            true,
        ),
        // A successor of Uvira's physical protection plan.
        r(
            "pnc-uvira",
            "PNC Uvira",
            StatePolice,
            &["CD6208"],
            &[],
            all,
            true,
            true,
        ),
    ]
}

const FIRST: [&str; 24] = [
    "Jeanne",
    "Espoir",
    "Furaha",
    "Amani",
    "Neema",
    "Baraka",
    "Josué",
    "Aline",
    "Dieudonné",
    "Riziki",
    "Mapendo",
    "Faustin",
    "Consolée",
    "Zawadi",
    "Patrick",
    "Innocent",
    "Solange",
    "Héritier",
    "Divine",
    "Bienvenu",
    "Esther",
    "Moïse",
    "Sifa",
    "Kasereka",
];
const LAST: [&str; 20] = [
    "Kambale", "Kahindo", "Mumbere", "Masika", "Bahati", "Mirindi", "Bisimwa", "Cirhuza", "Lokana",
    "Ngabo", "Uwimana", "Dhedonga", "Ndjango", "Lonema", "Maliro", "Paluku", "Kavira", "Muhindo",
    "Tsongo", "Balume",
];

/// Focal points: one or two per demo village, with Congolese numbers and their language.
pub fn focal_points(
    rng: &mut StdRng,
    villages: &[(String, String)],
    count: usize,
) -> Vec<FocalPointInput> {
    (0..count)
        .map(|i| {
            let (pcode, _) = &villages[i % villages.len()];
            let name = format!(
                "{} {}",
                FIRST[rng.random_range(0..FIRST.len())],
                LAST[rng.random_range(0..LAST.len())]
            );
            FocalPointInput {
                id: None,
                name,
                phone: demo_phone(i),
                place: Some(pcode.clone()),
                language: if rng.random_bool(0.55) {
                    "sw".into()
                } else {
                    "fr".into()
                },
                // Kinga gives each a code that names no place: a village's name in a
                // pseudonym would point at its few focal points.
                pseudonym: None,
            }
        })
        .collect()
}

/// The phone number of demo focal point `i` (Vodacom-style +24399…).
pub fn demo_phone(i: usize) -> String {
    format!("+24399{:07}", 1_000_000 + i * 7919)
}
