//! SMS: understanding what community focal points send, and what sending costs.
//!
//! The grammar is short and forgiving, in French, English and Swahili:
//!
//! ```text
//! ALERTE <place> <type> [S<severity>] <details>      ALERTE Kiwanja A2 S3 hommes armés vus
//! ALERT / TAHADHARI / HATARI / URGENCE / SOS …        HATARI Yei risasi usiku
//! REPONSE K-1042 <details>                            a reply about an earlier alert
//! <plain text>                                        Des hommes armés ont pillé Minova
//! ```
//!
//! Keywords may be misspelt ("ALRTE", "alertte") or missing. The type is a code `A1`…`A14`
//! (the types of [`crate::ThreatType::ALL`] in order: A1 attack on civilians, A2 armed
//! presence, A3 clashes, A4 abduction, A5 sexual violence, A6 killing, A7 looting or
//! extortion, A8 displacement, A9 arrest or detention, A10 child recruitment, A11
//! intercommunal tension, A12 explosive ordnance, A13 threats and intimidation, A14 other) or
//! words in any of the three languages. Severity is `S1`…`S4` or `N1`…`N4`, "niveau 4",
//! "level 3", or words ("urgent", "haraka": 4; "grave": 3). The place is looked up in the
//! gazetteer, and only taken when unambiguous. Nothing is ever rejected: what is not
//! understood stays in `unparsed` and `flags` say what is missing or doubtful.
//!
//! Texts that come by other channels (the web form, the call log, the API) are read by the
//! same grammar through [`read_text`], so a text means the same whatever brought it.

mod codes;
mod keyword;
pub mod lexicon;
mod locate;
pub mod matcher;
pub mod parse;
pub mod segments;
pub mod token;

pub use parse::{ParseContext, ParsedSms, parse, read_text};
pub use segments::{Encoding, SmsSegments, fit, segments};

/// The language a text is written in (`fr`, `en`, `sw`, `ar`), as the grammar reads it;
/// none when the words do not tell.
pub fn language_of(text: &str) -> Option<&'static str> {
    let places = crate::place::Gazetteer::default();
    let ctx = ParseContext {
        gazetteer: &places,
        default_place: None,
        default_language: None,
    };
    match parse(text, &ctx).language.as_deref() {
        Some("fr") => Some("fr"),
        Some("en") => Some("en"),
        Some("sw") => Some("sw"),
        Some("ar") => Some("ar"),
        _ => None,
    }
}
