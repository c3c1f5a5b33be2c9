//! Duplicate suggestions: alerts close in space, time and words are proposed for merging.
//!
//! The rule, in the order it is applied (merging stays a person's decision):
//!
//! 1. **Time**: alerts more than [`WINDOW_HOURS`] apart are never compared.
//! 2. **Distance**: alerts whose places are provably more than [`MAX_DISTANCE_KM`] apart are
//!    never proposed ([`Geography::Far`]): two settlements with their own points further
//!    apart than that; otherwise (a territory, or a place with no point) two territories; or
//!    two provinces or countries. An Ituri alert is never proposed for a Walikale one.
//! 3. **Score** `0.60 · space · time + 0.25 · threat + 0.15 · text`. Space and time are
//!    multiplied because an event is one place at one time: two alerts about one village three
//!    days apart are two events however alike they read. Threat and words then tell apart two
//!    events at one place and hour. A pair is proposed from [`DUPLICATE_THRESHOLD`] (0.6): one
//!    place and hour with nothing against it, or a few kilometres and hours apart with the same
//!    threat type.
//! 4. **Doubtful pairs** need [`STRICT_THRESHOLD`] (0.65): when the place of either alert is
//!    unknown or known only to its province ([`Geography::Unknown`]; space then counts as
//!    [`UNKNOWN`], so the pair stands on its threat type, time and words), or when the threat
//!    types contradict (no witness would report one as the other). With no place, 0.65 takes
//!    one threat type, two-thirds of the words shared and hardly any time apart: a message
//!    sent twice or forwarded, not two alike but general reports ("hommes armés vus ce matin").
//!    And an alert with no place is proposed for a placed one only when its text names that
//!    place or its territory ([`names_place`]): if it names another, it is about another place.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeSet;

use crate::ThreatType;
use crate::place::Gazetteer;
use crate::text;

mod atlas;
mod geography;
#[cfg(test)]
mod properties;
#[cfg(test)]
mod tests;
mod walk;

pub use atlas::{Atlas, PlaceIndex};
pub use geography::{
    Bucket, Buckets, DISTANCE_SCALE_KM, Geography, MAX_DISTANCE_KM, Search, geography,
    haversine_km, is_placed, names_place, place_name_stems, space_closeness,
};
#[cfg(test)]
use walk::same;
pub use walk::{PlaceGroup, candidates_prepared, group_by_place};

/// An alert that may report the same event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DuplicateCandidate {
    /// Alert id.
    pub alert: String,
    /// Its reference.
    pub reference: String,
    /// 0–1 likelihood that both report one event.
    pub score: f64,
}

/// What duplicate scoring needs to know of an alert.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertSketch<'a> {
    /// Alert id.
    pub id: &'a str,
    /// Reference.
    pub reference: &'a str,
    /// P-code.
    pub place: Option<&'a str>,
    /// Threat type.
    pub threat_type: Option<ThreatType>,
    /// When reported.
    pub reported_at: DateTime<Utc>,
    /// Text.
    pub text: &'a str,
}

impl<'a> From<&'a crate::Alert> for AlertSketch<'a> {
    fn from(a: &'a crate::Alert) -> Self {
        AlertSketch {
            id: &a.id,
            reference: &a.reference,
            place: a.place.as_deref(),
            threat_type: a.threat_type,
            reported_at: a.reported_at,
            text: &a.text,
        }
    }
}

/// Suggest a merge at or above this score.
pub const DUPLICATE_THRESHOLD: f64 = 0.6;
/// Suggest a doubtful pair (no usable place on one side, or contradicting threat types) at or
/// above this score. With space unknown (0.5) the score is at most 0.7, so 0.65 asks for
/// nearly all the rest: one threat type and, at one hour, two-thirds of the words shared
/// (seven in ten three hours apart; past ten hours, no words suffice). At one place and hour
/// with contradicting threat types, a third of the words shared.
pub const STRICT_THRESHOLD: f64 = 0.65;
/// Alerts further apart in time are never compared (intake keeps this much of the past). The
/// score already falls below the threshold after about a day; three days leave room for
/// reports that come in late.
pub const WINDOW_HOURS: i64 = 72;
/// Weight of closeness in space and time together (their product: an event far away in
/// either is another event, however alike the words).
pub const WEIGHT_PROXIMITY: f64 = 0.60;
/// Weight of the threat types.
pub const WEIGHT_THREAT: f64 = 0.25;
/// Weight of shared words; low, because two reporters rarely describe one event alike, and
/// often not in one language.
pub const WEIGHT_TEXT: f64 = 0.15;
/// Time apart at which time closeness has fallen to 1/e (Gaussian decay).
pub const TIME_SCALE_HOURS: f64 = 24.0;
/// Closeness, threat or text score when one side does not say: neither for nor against.
pub const UNKNOWN: f64 = 0.5;

/// How alike two alerts are, factor by factor; `score` combines them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DuplicateFactors {
    /// Closeness in space, 0–1.
    pub space: f64,
    /// Closeness in time, 0–1.
    pub time: f64,
    /// Agreement of threat types, 0–1.
    pub threat: f64,
    /// Shared words, 0–1.
    pub text: f64,
    /// `WEIGHT_PROXIMITY·space·time + WEIGHT_THREAT·threat + WEIGHT_TEXT·text`, 0–1.
    pub score: f64,
}

/// Each factor of the duplicate score of two alerts, so a triage officer can see why.
pub fn factors(a: &AlertSketch, b: &AlertSketch, gaz: &Gazetteer) -> DuplicateFactors {
    let space = space_closeness(a.place, b.place, gaz);
    let time = time_closeness(a.reported_at, b.reported_at);
    let threat = threat_agreement(a.threat_type, b.threat_type);
    let text = text_similarity(a.text, b.text);
    let score = WEIGHT_PROXIMITY * space * time + WEIGHT_THREAT * threat + WEIGHT_TEXT * text;
    DuplicateFactors {
        space,
        time,
        threat,
        text,
        score: score.clamp(0.0, 1.0),
    }
}

/// Likelihood, 0–1, that two alerts report one event; symmetric, highest for an alert and
/// itself, and never higher when one moves further away in space or time. Whether the pair
/// is proposed is [`suggestion`]'s call.
pub fn score(a: &AlertSketch, b: &AlertSketch, gaz: &Gazetteer) -> f64 {
    factors(a, b, gaz).score
}

/// The score of `b` as a duplicate of `a` when the rule of this module proposes it, else
/// `None`; symmetric. [`candidates`] proposes exactly these.
pub fn suggestion(a: &AlertSketch, b: &AlertSketch, gaz: &Gazetteer) -> Option<f64> {
    if !within_window(a.reported_at, b.reported_at) {
        return None;
    }
    let geo = geography(a.place, b.place, gaz);
    match geo {
        Geography::Far => return None,
        Geography::Near => {}
        Geography::Unknown => {
            let silent = |vague: &AlertSketch, placed: &AlertSketch| {
                is_placed(placed.place, gaz)
                    && !is_placed(vague.place, gaz)
                    && placed
                        .place
                        .is_some_and(|p| !names_place(p, &text_stems(vague.text), gaz))
            };
            if silent(a, b) || silent(b, a) {
                return None;
            }
        }
    }
    let s = score(a, b, gaz);
    (s >= threshold(geo, a.threat_type, b.threat_type)).then_some(s)
}

/// The threshold a pair must reach: strict when it is doubtful (see the module comment).
fn threshold(geo: Geography, a: Option<ThreatType>, b: Option<ThreatType>) -> f64 {
    if geo == Geography::Unknown || contradict(a, b) {
        STRICT_THRESHOLD
    } else {
        DUPLICATE_THRESHOLD
    }
}

fn within_window(a: DateTime<Utc>, b: DateTime<Utc>) -> bool {
    (a - b).num_seconds().unsigned_abs() <= WINDOW_SECONDS
}

/// [`WINDOW_HOURS`] in seconds.
const WINDOW_SECONDS: u64 = (WINDOW_HOURS * 3600) as u64;

/// Recent alerts that may report the same event as `new` ([`suggestion`]), best first (then
/// nearest in time, then id), at most `limit`; never `new` itself.
pub fn candidates(
    new: &AlertSketch,
    recent: &[AlertSketch],
    gaz: &Gazetteer,
    limit: usize,
) -> Vec<DuplicateCandidate> {
    let new = Prepared::new(new.clone());
    let groups = group_by_place(recent.iter().map(|r| Prepared::new(r.clone())));
    candidates_prepared(&new, groups, gaz, &Atlas::new(gaz), limit)
}

/// An alert with its text's stems computed once, for comparing it with many others.
#[derive(Debug, Clone)]
pub struct Prepared<'a> {
    /// The alert.
    pub sketch: AlertSketch<'a>,
    /// Its text's word stems as codes ([`stem_codes`]).
    pub stems: Cow<'a, [StemCode]>,
}

impl<'a> Prepared<'a> {
    /// Prepare an alert, computing its stems.
    pub fn new(sketch: AlertSketch<'a>) -> Self {
        let stems = Cow::Owned(stem_codes(sketch.text));
        Prepared { sketch, stems }
    }

    /// Prepare an alert whose stems were computed earlier ([`stem_codes`]).
    pub fn with_stems(sketch: AlertSketch<'a>, stems: &'a [StemCode]) -> Self {
        Prepared {
            sketch,
            stems: Cow::Borrowed(stems),
        }
    }
}

/// Closeness in time, 0–1: Gaussian in the hours apart.
pub fn time_closeness(a: DateTime<Utc>, b: DateTime<Utc>) -> f64 {
    closeness_apart((a - b).num_seconds().unsigned_abs())
}

/// [`time_closeness`] of two times this many whole seconds apart.
fn closeness_apart(seconds: u64) -> f64 {
    let hours = seconds as f64 / 3600.0 / TIME_SCALE_HOURS;
    (-hours * hours).exp()
}

/// Agreement of threat types: 1 when equal, 0 when they [`contradict`], else [`UNKNOWN`]
/// (either is unknown or `other`, or they often describe one event: "clashes" and
/// "displacement").
pub fn threat_agreement(a: Option<ThreatType>, b: Option<ThreatType>) -> f64 {
    agreement(a, b, contradict(a, b))
}

/// [`threat_agreement`] when whether they [`contradict`] is already known.
fn agreement(a: Option<ThreatType>, b: Option<ThreatType>, contradict: bool) -> f64 {
    match (a, b) {
        (Some(x), Some(y)) if x == y => 1.0,
        _ if contradict => 0.0,
        _ => UNKNOWN,
    }
}

/// Whether two threat types speak against one event: both known, neither `other`, and not
/// types two witnesses may give for one event.
pub fn contradict(a: Option<ThreatType>, b: Option<ThreatType>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => {
            x != y && x != ThreatType::Other && y != ThreatType::Other && !related(x, y)
        }
        _ => false,
    }
}

/// Threat types two witnesses may give for one event.
fn related(a: ThreatType, b: ThreatType) -> bool {
    RELATED[a as usize][b as usize]
}

/// The pairs of [`related`] threat types, each once.
const RELATED_PAIRS: [(ThreatType, ThreatType); 17] = {
    use ThreatType::*;
    [
        (ArmedPresence, Clashes),
        (ArmedPresence, AttackOnCivilians),
        (ArmedPresence, ThreatIntimidation),
        (ArmedPresence, LootingExtortion),
        (Clashes, AttackOnCivilians),
        (Clashes, Killing),
        (Clashes, Displacement),
        (AttackOnCivilians, Killing),
        (AttackOnCivilians, Abduction),
        (AttackOnCivilians, SexualViolence),
        (AttackOnCivilians, LootingExtortion),
        (AttackOnCivilians, Displacement),
        (Abduction, ChildRecruitment),
        (Abduction, ArrestDetention),
        (ArrestDetention, ThreatIntimidation),
        (IntercommunalTension, Clashes),
        (IntercommunalTension, ThreatIntimidation),
    ]
};

/// [`RELATED_PAIRS`] as a table, both ways round: read for every pair of alerts compared.
const RELATED: [[bool; ThreatType::ALL.len()]; ThreatType::ALL.len()] = {
    let mut table = [[false; ThreatType::ALL.len()]; ThreatType::ALL.len()];
    let mut i = 0;
    while i < RELATED_PAIRS.len() {
        let (x, y) = RELATED_PAIRS[i];
        table[x as usize][y as usize] = true;
        table[y as usize][x as usize] = true;
        i += 1;
    }
    table
};

/// Shared words, 0–1: Jaccard index of the folded words of three letters or more, cut to
/// their first five letters so "attaque" meets "attaqué" and "attaques"; [`UNKNOWN`] when
/// either text has no such word.
pub fn text_similarity(a: &str, b: &str) -> f64 {
    stem_similarity(&text_stems(a), &text_stems(b))
}

fn stem_similarity(wa: &BTreeSet<String>, wb: &BTreeSet<String>) -> f64 {
    if wa.is_empty() || wb.is_empty() {
        return UNKNOWN;
    }
    let shared = wa.intersection(wb).count();
    let all = wa.union(wb).count();
    shared as f64 / all as f64
}

/// A stem packed in a number: each of its (at most five) characters in its own 22 bits, so
/// two stems share a code exactly when they are equal, and sets of stems compare as sorted
/// numbers instead of strings — intake compares every new alert with hundreds of others.
pub type StemCode = u128;

/// The code of a stem of at most five characters (longer ones are cut, as stems are).
pub fn stem_code(stem: &str) -> StemCode {
    stem.chars()
        .take(5)
        .fold(0, |code, c| code << 22 | (u128::from(u32::from(c)) + 1))
}

/// The codes of [`text_stems`], sorted, each once.
pub fn stem_codes(s: &str) -> Vec<StemCode> {
    codes_of(text_stems(s).iter().map(String::as_str))
}

fn codes_of<'s>(stems: impl Iterator<Item = &'s str>) -> Vec<StemCode> {
    let mut codes: Vec<StemCode> = stems.map(stem_code).collect();
    codes.sort_unstable();
    codes.dedup();
    codes
}

fn contains(codes: &[StemCode], code: StemCode) -> bool {
    codes.binary_search(&code).is_ok()
}

/// [`stem_similarity`] over codes: the same Jaccard index, counted by merging sorted lists.
fn code_similarity(a: &[StemCode], b: &[StemCode]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return UNKNOWN;
    }
    let (mut i, mut j, mut shared) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    shared as f64 / (a.len() + b.len() - shared) as f64
}

/// The words of a text that duplicate scoring compares: stop words dropped, each cut to five
/// letters so "armés"/"armed" and "attaque"/"attaques" meet.
pub fn text_stems(s: &str) -> BTreeSet<String> {
    text::words(s)
        .into_iter()
        .filter(|w| w.len() >= 3 && !STOP_WORDS.contains(&w.as_str()))
        .map(|w| w.chars().take(5).collect())
        .collect()
}

/// Words that say nothing of which event it is.
const STOP_WORDS: [&str; 40] = [
    "les", "des", "une", "est", "sont", "ont", "dans", "sur", "avec", "pour", "par", "qui", "que",
    "pas", "plus", "the", "and", "are", "was", "were", "has", "have", "this", "that", "with",
    "from", "for", "there", "kuna", "wenye", "kwa", "katika", "sana", "leo", "hii", "hapa",
    "alerte", "alert", "urgent", "kinga",
];
