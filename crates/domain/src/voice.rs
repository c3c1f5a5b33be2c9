//! The voice hotline's words: the greeting a caller hears before the beep, in each of the
//! line's languages, and the goodbye carrying the alert's reference. A recorded call becomes
//! an alert whose words nobody has heard yet: it is flagged [`UNTRANSCRIBED`] and
//! heads the queue's new alerts (see [`unheard`]) until a person listens, types what was said
//! and triages it.

/// Flag of an alert whose recording nobody has transcribed yet.
pub const UNTRANSCRIBED: &str = "untranscribed";

/// Flag of a voice alert whose recording could not be fetched from the gateway.
pub const RECORDING_MISSING: &str = "recording_missing";

/// A call nobody has listened to yet: a voice alert still flagged [`UNTRANSCRIBED`]. The
/// queue's new alerts put these first whatever their age, without touching their severity
/// (the stores' `AlertSort::Arrivals` says the same in SQL).
pub fn unheard(alert: &crate::Alert) -> bool {
    alert.channel == crate::Channel::Voice && alert.parse_flags.iter().any(|f| f == UNTRANSCRIBED)
}

/// What a caller hears before the beep, in `lang` (`fr`, `en`, `sw`).
pub fn greeting(lang: &str) -> &'static str {
    match lang {
        "en" => {
            "Kinga alert line. After the beep, say what is happening, where, and when. Hang up when you have finished."
        }
        "sw" => {
            "Laini ya taarifa ya Kinga. Baada ya mlio, sema kinachotokea, wapi, na lini. Kata simu ukimaliza."
        }
        _ => {
            "Ligne d'alerte Kinga. Après le bip, dites ce qui se passe, où, et quand. Raccrochez quand vous avez fini."
        }
    }
}

/// What a caller hears once the recording is kept, with the alert's reference spelt out
/// letter by letter so it can be noted down.
pub fn goodbye(lang: &str, reference: &str) -> String {
    let spelt: Vec<String> = reference
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_string())
        .collect();
    let spelt = spelt.join(" ");
    match lang {
        "en" => format!("Thank you. Your alert is recorded under {spelt}. We are looking into it."),
        "sw" => format!("Asante. Taarifa yako imehifadhiwa kwa nambari {spelt}. Tunaifuatilia."),
        _ => format!("Merci. Votre alerte est enregistrée sous {spelt}. Nous nous en occupons."),
    }
}

/// The language tag a text-to-speech `<Say>` uses for `lang`, when the gateway speaks it.
/// Languages it does not speak (Swahili, Lingala) are better served by a greeting recorded by
/// staff and played first.
pub fn speech_tag(lang: &str) -> Option<&'static str> {
    match lang {
        "fr" => Some("fr-FR"),
        "en" => Some("en-GB"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words() {
        assert!(greeting("fr").starts_with("Ligne d'alerte Kinga."));
        assert!(greeting("sw").contains("Baada ya mlio"));
        assert_eq!(greeting("xx"), greeting("fr"));
        assert_eq!(
            goodbye("en", "K-1042"),
            "Thank you. Your alert is recorded under K 1 0 4 2. We are looking into it."
        );
        assert_eq!(speech_tag("sw"), None);
        assert_eq!(speech_tag("fr"), Some("fr-FR"));
    }
}
