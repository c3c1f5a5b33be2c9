//! From a message to what it reports: keyword, threat type, severity, language, place,
//! reference to an earlier alert, and the words left for a human.

use std::ops::Range;

use serde::Serialize;

use super::codes::read_codes;
use super::keyword::{KEYWORD_WINDOW, read_keyword, split_glued_keyword};
use super::lexicon::{self, Lang, PRIORITY};
use super::locate::{self, Located};
use super::matcher;
use super::token::{self, Token, gap, is_hard_break};
use crate::place::{Gazetteer, PlaceCandidate};
use crate::{Severity, ThreatType};

/// Flags that say what a parse is missing or unsure of.
pub mod flag {
    /// No keyword opened the message: read as plain text.
    pub const NO_KEYWORD: &str = "no_keyword";
    /// The keyword was recognised despite a typo.
    pub const KEYWORD_MISSPELT: &str = "keyword_misspelt";
    /// No threat type could be read.
    pub const THREAT_UNKNOWN: &str = "threat_unknown";
    /// Threat words were all negated ("pas de morts").
    pub const THREAT_NEGATED: &str = "threat_negated";
    /// A code such as `A15` or `S7` is out of range (left in `unparsed`).
    pub const INVALID_CODE: &str = "invalid_code";
    /// Words were given as the place but match no known place.
    pub const PLACE_UNKNOWN: &str = "place_unknown";
    /// The message names no place.
    pub const PLACE_MISSING: &str = "place_missing";
    /// How the place was settled, as for every channel: `place_ambiguous`,
    /// `place_uncertain`, `place_fuzzy` (see [`crate::place::flag`]).
    pub use crate::place::flag::{PLACE_AMBIGUOUS, PLACE_FUZZY, PLACE_UNCERTAIN};
    /// The text names a stretch between two places ("axe Mbau-Kamango"): no place is set,
    /// and `place_area` is the area holding both.
    pub const PLACE_BETWEEN: &str = "place_between";
    /// No place in the text: the sender's registered place was used.
    pub const PLACE_FROM_SENDER: &str = "place_from_sender";
    /// Of equally good candidates, the only one in the sender's area was taken.
    pub const PLACE_DISAMBIGUATED_BY_SENDER: &str = "place_disambiguated_by_sender";
    /// The sender's registered place is not in the gazetteer.
    pub const SENDER_PLACE_UNKNOWN: &str = "sender_place_unknown";
    /// Nothing told the language: the sender's registered language was used.
    pub const LANGUAGE_FROM_SENDER: &str = "language_from_sender";
    /// Two languages are used heavily.
    pub const MIXED_LANGUAGE: &str = "mixed_language";
    /// The message cites an earlier alert (`reference`).
    pub const REPLY: &str = "reply";
    /// The message is empty.
    pub const EMPTY: &str = "empty";
}

/// What the parser knows besides the text: the places, and the sender's registration.
#[derive(Debug, Clone, Copy)]
pub struct ParseContext<'a> {
    /// Places to resolve names against.
    pub gazetteer: &'a Gazetteer,
    /// P-code of the registered focal point's place, used when the text names none.
    pub default_place: Option<&'a str>,
    /// Language of the registered focal point, used when the text does not tell.
    pub default_language: Option<&'a str>,
}

/// What a message says, as `kinga sms parse` prints it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParsedSms {
    /// Threat type, from a code or words.
    pub threat_type: Option<ThreatType>,
    /// Severity the reporter gave (1–4), from a code or words; none when not given (the
    /// intake then applies the type's default).
    pub severity: Option<Severity>,
    /// `fr`, `en`, `sw` (or `ar` for Arabic script).
    pub language: Option<String>,
    /// P-code, only when the place is unambiguous (or taken from the sender).
    pub place: Option<String>,
    /// Places the text may mean, best first.
    pub place_candidates: Vec<PlaceCandidate>,
    /// The smallest area sure to contain the place: `place` when set; else, when the best
    /// candidates nest (Beni the town inside Beni the territory), the outermost of them;
    /// else none. Enough to route an alert while a person settles `place`.
    pub place_area: Option<String>,
    /// The message less its keyword, codes, reference and resolved place words, verbatim.
    pub unparsed: String,
    /// Canonical keyword ("ALERTE", "ALERT", "HATARI", …).
    pub keyword: Option<String>,
    /// Earlier alert cited ("K-1042").
    pub reference: Option<String>,
    /// The words read as the place.
    pub place_name: Option<String>,
    /// What is missing or doubtful; see [`flag`].
    pub flags: Vec<String>,
}

impl ParsedSms {
    /// The severity an alert gets from this reading: the one given, else the threat type's
    /// default; none when neither was read.
    pub fn severity_or_default(&self) -> Option<Severity> {
        self.severity
            .or_else(|| self.threat_type.map(ThreatType::default_severity))
    }
}

/// Words after the keyword within which a type is declared before the severity code: the
/// place's, up to four, and the type's own ("ALERTE Mahagi Port tension S2").
const DECLARED_WITHIN: usize = 6;

/// What a word was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    /// Not understood (yet): may be part of a place or of the details.
    Free,
    /// A message keyword.
    Keyword,
    /// Part of a K-number.
    Reference,
    /// A type or severity code, or a severity level ("niveau 4").
    Code,
    /// A severity word ("urgent").
    Severity,
    /// Part of threat vocabulary.
    Threat,
    /// A common word of some language.
    Function,
}

/// Read a message. Never fails: whatever is not understood stays in `unparsed`.
pub fn parse(text: &str, ctx: &ParseContext) -> ParsedSms {
    let mut tokens = token::tokenize(text);
    split_glued_keyword(text, &mut tokens);
    let tokens = tokens;
    let mut roles = vec![Role::Free; tokens.len()];
    let mut flags: Vec<&'static str> = Vec::new();
    let mut votes = [0u32; 3];
    if tokens.is_empty() {
        flags.push(flag::EMPTY);
    }

    let codes = read_codes(text, &tokens, &mut roles, &mut flags);
    let keyword = read_keyword(&tokens, &mut roles, &mut votes, &mut flags);
    let keyword_end = roles
        .iter()
        .rposition(|r| *r == Role::Keyword)
        .filter(|&i| i < KEYWORD_WINDOW);
    let named = read_threats(text, &tokens, &mut roles, &mut votes);
    let mut word_severity = keyword.as_ref().and_then(|k| k.severity);
    // "RAS", "calme", "hakuna shida": nothing (more) to fear is a severity too, the lowest;
    // any word of urgency outweighs it.
    if read_calm(&tokens, &mut roles) {
        word_severity = word_severity.max(Some(1));
    }
    for (t, role) in tokens.iter().zip(roles.iter_mut()) {
        if let Some(s) = lexicon::severity_word(&t.norm) {
            word_severity = word_severity.max(Some(s));
            if matches!(role, Role::Free | Role::Function) {
                *role = Role::Severity;
            }
        }
        if let Some(lang) = lexicon::function_word(&t.norm) {
            votes[lang.index()] += 1;
            if *role == Role::Free {
                *role = Role::Function;
            }
        }
    }

    // The threat is chosen once the place words are known; its flag keeps its place.
    let threat_flag_at = flags.len();
    let severity = codes
        .severity
        .or(word_severity)
        .and_then(|s| Severity::new(s).ok());
    let language = decide_language(
        text,
        votes,
        keyword.as_ref().and_then(|k| k.lang),
        ctx.default_language.filter(|l| !l.trim().is_empty()),
        &mut flags,
    );
    if codes.reference.is_some() {
        flags.push(flag::REPLY);
    }

    let located = locate::locate(text, &tokens, &roles, keyword_end, ctx, &mut flags);
    let (threat_type, negated_only) =
        choose_threat(&named, &tokens, &roles, keyword_end, located.slot.as_ref());
    let threat_type = codes.threat.or(threat_type);
    if threat_type.is_none() {
        let f = if negated_only {
            flag::THREAT_NEGATED
        } else {
            flag::THREAT_UNKNOWN
        };
        flags.insert(threat_flag_at.min(flags.len()), f);
    }
    let unparsed = unparsed(text, &tokens, &roles, &located);

    ParsedSms {
        threat_type,
        severity,
        language,
        place: located.place,
        place_candidates: located.candidates,
        place_area: located.area,
        unparsed,
        keyword: keyword.map(|k| k.canonical.to_string()),
        reference: codes.reference,
        place_name: located.place_name,
        flags: flags.into_iter().map(str::to_string).collect(),
    }
}

/// Read a text that did not come by SMS (a web form, the call log, the API) when a person
/// left its threat type, severity or place unset: the same reading as [`parse`], so a text
/// means the same whatever brought it. Only [`flag::NO_KEYWORD`] is dropped, since such texts
/// are not expected to open with a keyword.
pub fn read_text(text: &str, ctx: &ParseContext) -> ParsedSms {
    let mut read = parse(text, ctx);
    read.flags.retain(|f| f != flag::NO_KEYWORD);
    read
}

/// True when the words say all is calm ("RAS", "rien à signaler", "kila kitu ni shwari", "no
/// problem"), not negated ("pas calme"); the words are marked as severity words.
fn read_calm(tokens: &[Token], roles: &mut [Role]) -> bool {
    let norms: Vec<&str> = tokens.iter().map(|t| t.norm.as_str()).collect();
    let mut calm = false;
    for i in 0..norms.len() {
        let Some(n) = lexicon::calm_phrase(&norms[i..]) else {
            continue;
        };
        let negated = i > 0 && lexicon::is_negator(norms[i - 1]) && n == 1;
        if negated {
            continue;
        }
        calm = true;
        for r in roles.iter_mut().skip(i).take(n) {
            if matches!(r, Role::Free | Role::Function) {
                *r = Role::Severity;
            }
        }
    }
    calm
}

/// A threat phrase of the message, and whether it counts: not negated ("pas de morts"),
/// nor only threatened ("menace d'attaque").
struct Named {
    hit: matcher::Hit,
    counts: bool,
}

/// The threat phrases of a message, marked as threat words; each votes for its language. A
/// word right after "no"/"pas de"/"hakuna" is negated; one right after a threat ("menace
/// d'attaque", "threatened to burn") is only threatened, so the threat counts, not the act;
/// one right after fear, risk or rumour ("par peur des attaques") has not happened.
fn read_threats(
    text: &str,
    tokens: &[Token],
    roles: &mut [Role],
    votes: &mut [u32; 3],
) -> Vec<Named> {
    let hits = matcher::find(text, tokens);
    let joined = |j: usize| {
        tokens
            .get(j + 1)
            .is_some_and(|n| !is_hard_break(gap(text, &tokens[j], n)))
    };
    let threatening: Vec<usize> = hits
        .iter()
        .filter(|h| h.threat == ThreatType::ThreatIntimidation)
        .map(|h| h.end - 1)
        .collect();
    let mut out = Vec::with_capacity(hits.len());
    for h in hits {
        if let Some(lang) = h.lang {
            votes[lang.index()] += 2;
        }
        for r in roles.iter_mut().take(h.end).skip(h.start) {
            if matches!(r, Role::Free | Role::Function) {
                *r = Role::Threat;
            }
        }
        let before = h.start.saturating_sub(2)..h.start;
        let negated = before
            .clone()
            .any(|j| lexicon::is_negator(&tokens[j].norm) && joined(j));
        let hypothetical = h.threat != ThreatType::ThreatIntimidation
            && before
                .clone()
                .any(|j| threatening.contains(&j) && (j + 1..h.start).all(joined));
        // "Les gens ont peur, des hommes armés circulent": a comma ends what is feared.
        let tight = |j: usize| {
            tokens.get(j + 1).is_some_and(|n| {
                gap(text, &tokens[j], n)
                    .chars()
                    .all(|c| c.is_whitespace() || matches!(c, '\'' | '’'))
            })
        };
        let feared = before
            .clone()
            .any(|j| lexicon::is_hedge(&tokens[j].norm) && (j..h.start).all(tight));
        out.push(Named {
            hit: h,
            counts: !negated && !hypothetical && !feared,
        });
    }
    out
}

/// The threat type the message names; `true` beside `None` when threat words were there but
/// none counts. Words read as the place are not threat words ("Rubaya mine"). A type written
/// where the grammar puts it, right before the severity code ("ALERTE Minembwe tension S2
/// ..."), is the one reported; otherwise the first by [`PRIORITY`].
fn choose_threat(
    named: &[Named],
    tokens: &[Token],
    roles: &[Role],
    keyword_end: Option<usize>,
    place: Option<&Range<usize>>,
) -> (Option<ThreatType>, bool) {
    let named: Vec<&Named> = named
        .iter()
        .filter(|n| place.is_none_or(|p| n.hit.end <= p.start || p.end <= n.hit.start))
        .collect();
    let declared = keyword_end.and_then(|k| {
        named.iter().find(|n| {
            let h = &n.hit;
            n.counts
                && h.start <= k + 1 + DECLARED_WITHIN
                && roles.get(h.end) == Some(&Role::Code)
                && tokens
                    .get(h.end)
                    .is_some_and(|t| t.norm.starts_with(['s', 'n']))
        })
    });
    if let Some(d) = declared {
        return (Some(d.hit.threat), true);
    }
    let named_type = keyword_end.and_then(|k| {
        (k + 1..tokens.len().min(k + 2 + DECLARED_WITHIN)).find_map(|i| {
            let before_code = roles.get(i + 1) == Some(&Role::Code)
                && tokens
                    .get(i + 1)
                    .is_some_and(|t| t.norm.starts_with(['s', 'n']));
            before_code
                .then(|| lexicon::type_name(&tokens[i].norm))
                .flatten()
        })
    });
    if named_type.is_some() {
        return (named_type, true);
    }
    let best = named
        .iter()
        .filter(|n| n.counts)
        .map(|n| n.hit.threat)
        .min_by_key(|t| {
            PRIORITY
                .iter()
                .position(|p| p == t)
                .unwrap_or(PRIORITY.len())
        });
    (best, !named.is_empty())
}

fn is_arabic(c: char) -> bool {
    matches!(c, '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}' | '\u{08A0}'..='\u{08FF}' | '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}')
}

/// The language with most votes: a keyword or a threat phrase counts 2, a common word 1; a
/// tie goes to the keyword's language (the words say more than the keyword, which people are
/// taught to type whatever language they write in).
fn decide_language(
    text: &str,
    votes: [u32; 3],
    keyword_lang: Option<Lang>,
    default: Option<&str>,
    flags: &mut Vec<&'static str>,
) -> Option<String> {
    let (arabic, letters) = text
        .chars()
        .filter(|c| c.is_alphabetic())
        .fold((0usize, 0usize), |(a, n), c| {
            (a + usize::from(is_arabic(c)), n + 1)
        });
    if arabic * 2 > letters {
        return Some("ar".to_string());
    }
    let top = votes.iter().copied().max().unwrap_or(0);
    if top == 0 {
        return default.map(|d| {
            flags.push(flag::LANGUAGE_FROM_SENDER);
            d.to_string()
        });
    }
    let tied: Vec<Lang> = Lang::ALL
        .into_iter()
        .filter(|l| votes[l.index()] == top)
        .collect();
    let chosen = keyword_lang
        .filter(|k| tied.contains(k))
        .or_else(|| tied.iter().copied().find(|l| Some(l.code()) == default))
        .or(tied.first().copied())?;
    let second = Lang::ALL
        .into_iter()
        .filter(|l| *l != chosen)
        .map(|l| votes[l.index()])
        .max()
        .unwrap_or(0);
    if second >= 2 && second * 2 >= top {
        flags.push(flag::MIXED_LANGUAGE);
    }
    Some(chosen.code().to_string())
}

/// The text less keyword, codes, reference and the place words that were resolved; each
/// removed word takes the punctuation and space after it along.
fn unparsed(text: &str, tokens: &[Token], roles: &[Role], located: &Located) -> String {
    let removed: Vec<bool> = roles
        .iter()
        .enumerate()
        .map(|(i, r)| {
            matches!(r, Role::Keyword | Role::Code | Role::Reference)
                || located.slot.as_ref().is_some_and(|s| s.contains(&i))
        })
        .collect();
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        if !removed[i] {
            continue;
        }
        let from = if i == 0 { 0 } else { t.start };
        let to = match tokens.get(i + 1) {
            Some(n) => n.start,
            None if i > 0 && !removed[i - 1] => {
                // The last word goes with the space before it, not the text before that.
                cuts.push((tokens[i - 1].end, text.len()));
                continue;
            }
            None => text.len(),
        };
        cuts.push((from, to));
    }
    let mut out = String::with_capacity(text.len());
    let mut cursor = 0;
    for (from, to) in cuts {
        if from > cursor {
            out.push_str(&text[cursor..from]);
        }
        cursor = cursor.max(to);
    }
    if cursor < text.len() {
        out.push_str(&text[cursor..]);
    }
    out.trim_start_matches(|c: char| {
        c.is_whitespace() || matches!(c, ':' | ';' | ',' | '-' | '.' | '/' | '#' | '*')
    })
    .trim_end()
    .to_string()
}
