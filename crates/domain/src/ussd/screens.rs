//! The words of every USSD screen, in French, English and Swahili. Each screen must fit the
//! 182 characters a USSD message holds (see the unit tests, which render every screen in every
//! language, with the longest place names).

use crate::{Severity, ThreatType};

/// Most characters one USSD screen may hold (GSM USSD, 3GPP TS 23.038 7-bit packing).
pub const MAX_SCREEN: usize = 182;

/// Language of a USSD session, chosen on its first screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// French.
    Fr,
    /// English.
    En,
    /// Swahili.
    Sw,
}

impl Lang {
    /// Every language offered, in menu order.
    pub const ALL: [Lang; 3] = [Lang::Fr, Lang::En, Lang::Sw];

    /// The ISO 639-1 code kept on the alert.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
            Lang::Sw => "sw",
        }
    }

    /// Pick one by its number on the language screen.
    pub fn from_choice(n: usize) -> Option<Lang> {
        Lang::ALL.get(n.checked_sub(1)?).copied()
    }
}

/// The threat types offered, in menu order: the commonest, with `other` last. The rest of the
/// fourteen reach Kinga by SMS or the triage officer's correction.
pub const THREATS: [ThreatType; 9] = [
    ThreatType::AttackOnCivilians,
    ThreatType::ArmedPresence,
    ThreatType::Clashes,
    ThreatType::Abduction,
    ThreatType::SexualViolence,
    ThreatType::Killing,
    ThreatType::LootingExtortion,
    ThreatType::Displacement,
    ThreatType::Other,
];

/// A threat type as a USSD menu names it (short: nine fit on one screen).
pub fn threat_label(lang: Lang, t: ThreatType) -> &'static str {
    use ThreatType::*;
    match (lang, t) {
        (Lang::Fr, AttackOnCivilians) => "Attaque de civils",
        (Lang::Fr, ArmedPresence) => "Hommes armés",
        (Lang::Fr, Clashes) => "Affrontements",
        (Lang::Fr, Abduction) => "Enlèvement",
        (Lang::Fr, SexualViolence) => "Violences sexuelles",
        (Lang::Fr, Killing) => "Meurtre",
        (Lang::Fr, LootingExtortion) => "Pillage, extorsion",
        (Lang::Fr, Displacement) => "Déplacement",
        (Lang::Sw, AttackOnCivilians) => "Shambulio dhidi ya raia",
        (Lang::Sw, ArmedPresence) => "Watu wenye silaha",
        (Lang::Sw, Clashes) => "Mapigano",
        (Lang::Sw, Abduction) => "Utekaji nyara",
        (Lang::Sw, SexualViolence) => "Ukatili wa kingono",
        (Lang::Sw, Killing) => "Mauaji",
        (Lang::Sw, LootingExtortion) => "Uporaji",
        (Lang::Sw, Displacement) => "Watu kukimbia",
        (Lang::Sw, _) => "Nyingine",
        (Lang::En, ArmedPresence) => "Armed men seen",
        (Lang::En, LootingExtortion) => "Looting, extortion",
        (Lang::Fr, _) => t.label("fr"),
        (Lang::En, _) => t.label("en"),
    }
}

/// A severity as the severity screen words it.
pub fn severity_label(lang: Lang, s: Severity) -> &'static str {
    match (lang, s.level()) {
        (Lang::Fr, 1) => "Faible",
        (Lang::Fr, 2) => "Moyenne",
        (Lang::Fr, 3) => "Grave",
        (Lang::Fr, _) => "Danger de mort immédiat",
        (Lang::En, 1) => "Low",
        (Lang::En, 2) => "Medium",
        (Lang::En, 3) => "Serious",
        (Lang::En, _) => "Lives in danger now",
        (Lang::Sw, 1) => "Ndogo",
        (Lang::Sw, 2) => "Wastani",
        (Lang::Sw, 3) => "Kubwa",
        (Lang::Sw, _) => "Hatari ya kifo sasa",
    }
}

/// Fixed wording of the screens, one field per line of text.
pub struct Words {
    /// Prefix of a screen shown again after an answer it did not offer.
    pub invalid: &'static str,
    /// Title of the threat menu.
    pub threat: &'static str,
    /// Title of the place screen offering the focal point's own place.
    pub place: &'static str,
    /// The choice "another place".
    pub other_place: &'static str,
    /// Prompt for a typed place name.
    pub type_place: &'static str,
    /// Prompt after a typed name that matched no place.
    pub place_not_found: &'static str,
    /// Title of the candidate list.
    pub choose_place: &'static str,
    /// The choice "type the name again".
    pub retype: &'static str,
    /// Title of the severity menu.
    pub severity: &'static str,
    /// Title of the confirmation screen.
    pub confirm: &'static str,
    /// "Severity" before its number on the confirmation screen.
    pub severity_word: &'static str,
    /// The choice "send".
    pub send: &'static str,
    /// The choice "cancel".
    pub cancel: &'static str,
    /// The end screen of a cancelled session.
    pub cancelled: &'static str,
    /// The end screen of a session that went on too long.
    pub too_long: &'static str,
}

/// The fixed words of `lang`.
pub fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::Fr => &FR,
        Lang::En => &EN,
        Lang::Sw => &SW,
    }
}

const FR: Words = Words {
    invalid: "Choix invalide.",
    threat: "Que se passe-t-il ?",
    place: "Où ?",
    other_place: "Autre lieu",
    type_place: "Tapez le nom du village ou du lieu :",
    place_not_found: "Lieu introuvable. Vérifiez et retapez le nom :",
    choose_place: "Choisissez le lieu :",
    retype: "Retaper le nom",
    severity: "Gravité :",
    confirm: "Envoyer cette alerte ?",
    severity_word: "Gravité",
    send: "Envoyer",
    cancel: "Annuler",
    cancelled: "Alerte annulée. Rien n'a été envoyé.",
    too_long: "Session trop longue. Recommencez.",
};

const EN: Words = Words {
    invalid: "Invalid choice.",
    threat: "What is happening?",
    place: "Where?",
    other_place: "Another place",
    type_place: "Type the name of the village or place:",
    place_not_found: "Place not found. Check and type the name again:",
    choose_place: "Choose the place:",
    retype: "Type again",
    severity: "How serious?",
    confirm: "Send this alert?",
    severity_word: "Severity",
    send: "Send",
    cancel: "Cancel",
    cancelled: "Alert cancelled. Nothing was sent.",
    too_long: "Session too long. Start again.",
};

const SW: Words = Words {
    invalid: "Chaguo si sahihi.",
    threat: "Nini kinatokea?",
    place: "Wapi?",
    other_place: "Mahali pengine",
    type_place: "Andika jina la kijiji au mahali:",
    place_not_found: "Mahali hapajulikani. Hakikisha na uandike jina tena:",
    choose_place: "Chagua mahali:",
    retype: "Andika tena",
    severity: "Ni hatari kiasi gani?",
    confirm: "Tuma taarifa hii?",
    severity_word: "Kiwango",
    send: "Tuma",
    cancel: "Ghairi",
    cancelled: "Taarifa imeghairiwa. Hakuna kilichotumwa.",
    too_long: "Muda umezidi. Anza tena.",
};

/// The first screen, before any language is chosen: every language names itself.
pub const LANGUAGE_SCREEN: &str =
    "Kinga: alerte / alert / taarifa\n1 Français\n2 English\n3 Kiswahili";

/// The prefix of the language screen shown again after a wrong answer.
pub const LANGUAGE_INVALID: &str = "? 1, 2, 3";

/// The end screen of a session whose alert was recorded, carrying its reference.
pub fn submitted(lang: Lang, reference: &str) -> String {
    match lang {
        Lang::Fr => format!("Alerte {reference} enregistrée. Merci, nous nous en occupons."),
        Lang::En => format!("Alert {reference} received. Thank you, we are looking into it."),
        Lang::Sw => format!("Taarifa {reference} imepokelewa. Asante, tunaifuatilia."),
    }
}

/// The text kept on the alert: what the person chose, in the words they saw, since a USSD
/// session carries no message of its own.
pub fn alert_text(
    lang: Lang,
    threat: ThreatType,
    place: &str,
    typed: Option<&str>,
    severity: Severity,
) -> String {
    let w = words(lang);
    let typed = typed
        .map(|t| match lang {
            Lang::Fr => format!(" (tapé : {t})"),
            Lang::En => format!(" (typed: {t})"),
            Lang::Sw => format!(" (imeandikwa: {t})"),
        })
        .unwrap_or_default();
    format!(
        "USSD: {}; {place}{typed}; {} {} ({})",
        threat_label(lang, threat),
        w.severity_word,
        severity.level(),
        severity_label(lang, severity)
    )
}

/// Cut `s` to at most `max` characters, marking the cut with "…".
pub(crate) fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Lay out a screen: an optional first line, the title, then `choices` numbered as given,
/// each choice cut so the whole stays within [`MAX_SCREEN`].
pub(crate) fn menu(prefix: Option<&str>, title: &str, choices: &[(String, String)]) -> String {
    let mut head = String::new();
    if let Some(p) = prefix {
        head.push_str(p);
        head.push('\n');
    }
    head.push_str(title);
    let fixed: usize = head.chars().count()
        + choices
            .iter()
            .map(|(n, _)| n.chars().count() + 2)
            .sum::<usize>();
    let room = MAX_SCREEN.saturating_sub(fixed);
    let longest = room / choices.len().max(1);
    let total: usize = choices.iter().map(|(_, l)| l.chars().count()).sum();
    let mut out = head;
    for (n, label) in choices {
        out.push('\n');
        out.push_str(n);
        out.push(' ');
        if total <= room {
            out.push_str(label);
        } else {
            out.push_str(&clip(label, longest));
        }
    }
    out
}
