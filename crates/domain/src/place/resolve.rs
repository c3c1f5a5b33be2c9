//! Resolving the place names people type into P-codes.
//!
//! People write "territoire de Rutshuru", "North Kivu", "Bunangana" or "Kiwanja village". The
//! resolver folds case and accents, drops words that only say what kind of place it is
//! ("territoire", "village", "de"), treats "north" and "nord" alike, and scores what is left
//! with Jaro-Winkler and an edit distance, both over whole names and word by word. Words of
//! the query that name one of a candidate's ancestors ("Kiwanja, Rutshuru") are read as
//! context and not held against it, which is how two villages of one name are told apart.
//!
//! Names are written by ear ("Kitchanga", "Kiwandja", "Rutchuru"): a near miss whose spelling
//! key ([`sound`]) equals the name's, or is one edit from it, is a correction. When no name
//! matched exactly, the places closest in key score just under an exact match, so one of
//! them stands out and several stay tied.
//!
//! It ranks; it does not decide. [`pick`] chooses only when one candidate clearly stands out,
//! so ambiguity reaches the person triaging instead of being guessed silently.
//!
//! Ranking: score; then a candidate whose whole folded name (kind words included) is what was
//! typed; then the more specific level, a village before the territory of the same name,
//! because alerts report where something happens, which is usually a village, and the broader
//! area stays in the list right after it; then name and P-code, so the order is stable.

use std::cmp::Ordering;

use super::{Gazetteer, Place, PlaceCandidate};
use crate::text;

mod index;
mod memo;
mod scan;
mod score;
mod sound;
mod words;
pub(crate) use index::NameIndex;
use index::trigrams;
pub(crate) use scan::Stretch;
use words::core_tokens;

/// Candidates scoring below this are not returned by [`Gazetteer::resolve`].
pub const MIN_SCORE: f64 = 0.75;
/// [`pick`] only chooses a candidate scoring at least this.
pub const PICK_MIN_SCORE: f64 = 0.95;
/// [`pick`] only chooses a candidate at least this far above the next place.
pub const PICK_MIN_GAP: f64 = 0.08;
/// [`Gazetteer::find_in_text`] keeps matches scoring at least this: running text holds many
/// ordinary words that look a little like some village's name.
pub const TEXT_MIN_SCORE: f64 = 0.85;

/// Multiplier when the query says which kind of place it means ("territoire") and a candidate
/// is of another level: still shown, but no longer tied with the one meant.
const LEVEL_MISMATCH: f64 = 0.9;
/// In running text, inexact matches need at least this many letters: short words are too
/// easily one letter away from some village.
const TEXT_FUZZY_MIN_LEN: usize = 5;
/// Longest word sequence scanned in running text.
const MAX_NGRAM: usize = 3;
/// Deepest ancestry walked; guards against cycles in imported data.
const MAX_DEPTH: usize = 16;

/// A typed name, prepared once and scored against many names.
struct Query {
    tokens: Vec<String>,
    squashed: String,
    /// All folded words, to recognise a name typed in full.
    full: String,
    /// The words as given, apart: what the memo knows the query by.
    words: String,
    grams: Vec<u32>,
    /// Spelling key of each of `tokens`.
    sounds: Vec<String>,
    /// Their keys run together, the key of the whole query.
    sound: String,
    hint: u8,
}

impl Query {
    fn new<'a>(words: impl IntoIterator<Item = &'a str> + Clone) -> Query {
        let given: Vec<&str> = words.clone().into_iter().collect();
        let full = given.join(" ");
        let (tokens, hint) = core_tokens(words);
        let sounds: Vec<String> = tokens.iter().map(|t| sound::key(t)).collect();
        Query {
            squashed: tokens.concat(),
            grams: trigrams(&tokens),
            sound: sounds.concat(),
            sounds,
            words: given.join("\u{1f}"),
            full,
            tokens,
            hint,
        }
    }
}

/// The best score of one place for one query.
#[derive(Debug, Clone, Copy)]
struct Hit {
    place: usize,
    score: f64,
    /// The whole folded spelling, kind words included, was typed.
    full: bool,
    /// Some spelling matched exactly (whatever the level).
    exact: bool,
    /// A near miss: the distance of the spelling keys and the score taken if closest.
    fuzzy: Option<(u8, f64)>,
    /// The score before a correction raised it ([`score::take_closest_spelling`]).
    plain: f64,
}

/// Best first: score, full spelling, more specific level, name, P-code.
fn rank(gaz: &Gazetteer, a: &Hit, b: &Hit) -> Ordering {
    let (pa, pb) = (gaz.at(a.place), gaz.at(b.place));
    b.score
        .total_cmp(&a.score)
        .then(b.full.cmp(&a.full))
        .then(pb.level.cmp(&pa.level))
        .then_with(|| pa.name.cmp(&pb.name))
        .then_with(|| pa.pcode.cmp(&pb.pcode))
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Longest query read by resolution (longer ones are cut, never refused here).
pub const MAX_QUERY_CHARS: usize = 200;
/// Most words of a query read by resolution.
const MAX_QUERY_WORDS: usize = 12;
/// Most words of a message scanned for place names (an SMS thread of 5,000 characters fits).
const MAX_TEXT_WORDS: usize = 1_200;
/// Longest word read as part of a place name: no name has a word near this long, so a
/// longer one is pasted noise, which must not drown the name typed beside it.
const MAX_NAME_WORD: usize = 40;

/// Choose the top candidate only when it is unambiguous: it scores at least
/// [`PICK_MIN_SCORE`] and at least [`PICK_MIN_GAP`] above every other place. Two exact
/// matches (Rutshuru the town and Rutshuru the territory) are ambiguous, so `None`.
pub fn pick(candidates: &[PlaceCandidate]) -> Option<&PlaceCandidate> {
    let best = candidates
        .iter()
        .max_by(|a, b| a.score.total_cmp(&b.score))?;
    if best.score.is_nan() || best.score < PICK_MIN_SCORE {
        return None;
    }
    let clear = candidates
        .iter()
        .filter(|c| c.pcode != best.pcode)
        .all(|c| best.score - c.score >= PICK_MIN_GAP - 1e-9);
    clear.then_some(best)
}

impl Gazetteer {
    /// Ranked places whose names match `query`, best first, at most `limit`, none below
    /// [`MIN_SCORE`]; an exact name or spelling scores 1.0.
    pub fn resolve(&self, query: &str, limit: usize) -> Vec<PlaceCandidate> {
        self.resolve_filtered(query, None, limit)
    }

    /// Like [`Gazetteer::resolve`], keeping only places inside `area` (a P-code), as when a
    /// focal point's province is known. An unknown `area` yields nothing.
    pub fn resolve_within(&self, query: &str, area: &str, limit: usize) -> Vec<PlaceCandidate> {
        match self.by_code.get(area) {
            Some(&i) => self.resolve_filtered(query, Some(i), limit),
            None => Vec::new(),
        }
    }

    fn resolve_filtered(
        &self,
        query: &str,
        within: Option<usize>,
        limit: usize,
    ) -> Vec<PlaceCandidate> {
        if limit == 0 {
            return Vec::new();
        }
        // Bounded whatever comes in: a name is never longer than this, and the work below
        // grows with the words of the query.
        let query: String = query.chars().take(MAX_QUERY_CHARS).collect();
        let folded = text::fold(&query);
        if folded.is_empty() {
            return Vec::new();
        }
        let q = Query::new(
            folded
                .split(' ')
                .filter(|w| w.len() <= MAX_NAME_WORD)
                .take(MAX_QUERY_WORDS),
        );
        let mut counts = Vec::new();
        let mut hits: Vec<Hit> = self
            .score_query(&q, within, &mut counts)
            .into_iter()
            .filter(|h| h.score >= MIN_SCORE)
            .collect();
        // A triage officer may type the P-code itself.
        let code = query.trim();
        let typed_code = self
            .by_code
            .get(code)
            .or_else(|| self.by_code.get(&code.to_ascii_uppercase()));
        if let Some(&i) = typed_code {
            if within.is_none_or(|area| self.inside(i, area)) {
                hits.retain(|h| h.place != i);
                hits.push(Hit {
                    place: i,
                    score: 1.0,
                    full: true,
                    exact: true,
                    fuzzy: None,
                    plain: 1.0,
                });
            }
        }
        hits.sort_by(|a, b| rank(self, a, b));
        hits.truncate(limit);
        hits.iter().map(|h| self.candidate(h)).collect()
    }

    fn candidate(&self, hit: &Hit) -> PlaceCandidate {
        let p = self.at(hit.place);
        PlaceCandidate {
            pcode: p.pcode.clone(),
            name: p.name.clone(),
            context: self.context(&p.pcode),
            score: round3(hit.score),
        }
    }

    /// Places one of whose names or spellings is exactly `words`, read as resolution reads
    /// an exact spelling (kind words dropped, compass words spelled one way: "de Nord-Kivu"
    /// is Nord-Kivu) but with no fuzziness, when that spelling has at least `min_letters`
    /// letters. Each place once.
    pub(crate) fn spelled_exactly<'a>(
        &self,
        words: impl IntoIterator<Item = &'a str>,
        min_letters: usize,
    ) -> Vec<&Place> {
        let key = core_tokens(words).0.concat();
        if key.chars().filter(char::is_ascii_alphabetic).count() < min_letters {
            return Vec::new();
        }
        let mut out: Vec<&Place> = Vec::new();
        let entries = self.index.exact.get(&key).map(Vec::as_slice);
        for &e in entries.unwrap_or_default() {
            if let Some(&(_, i)) = self.names.get(e as usize) {
                let p = self.at(i);
                if !out.iter().any(|q| q.pcode == p.pcode) {
                    out.push(p);
                }
            }
        }
        out
    }

    /// True when place `i` is place `area` or lies inside it.
    fn inside(&self, i: usize, area: usize) -> bool {
        let mut cur = Some(i);
        for _ in 0..MAX_DEPTH {
            match cur {
                Some(p) if p == area => return true,
                Some(p) => cur = self.index.parent.get(p).copied().flatten(),
                None => return false,
            }
        }
        false
    }
}

#[cfg(test)]
mod scale_tests;
#[cfg(test)]
mod tests;
