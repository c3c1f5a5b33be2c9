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
use std::collections::HashMap;

use super::{Gazetteer, Place, PlaceCandidate};
use crate::text;

mod index;
mod memo;
mod scan;
mod sound;
mod words;
pub(crate) use index::NameIndex;
use index::trigrams;
pub(crate) use scan::Stretch;
use words::{core_tokens, is_qualifier, level_bit};

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
/// Highest score of anything but an exact spelling, so 1.0 always means exact.
const INEXACT_CAP: f64 = 0.99;
/// How well a query word must match an ancestor's name to count as context.
const CONTEXT_MIN: f64 = 0.85;
/// Names scored in full per query, chosen by shared trigrams; keeps resolution independent
/// of the size of the gazetteer.
const SHORTLIST: usize = 400;
/// In running text, inexact matches need at least this many letters: short words are too
/// easily one letter away from some village.
const TEXT_FUZZY_MIN_LEN: usize = 5;
/// An inexact match scoring at least this is a near miss, which a spelling key one edit
/// away ([`sound`]) may confirm as a misspelling of that place.
const NEAR_MISS: f64 = TEXT_MIN_SCORE;
/// The same for an equal spelling key, which says more ("Kichanga" is "Kitshanga" though
/// three letters differ): any candidate will do.
const NEAR_MISS_SAME_KEY: f64 = MIN_SCORE;
/// Score of the near miss closest in spelling, when no name matched exactly: enough to be
/// picked when nothing else comes near, still below any exact match.
const FUZZY_SCORE: f64 = 0.98;
/// Longest word sequence scanned in running text.
const MAX_NGRAM: usize = 3;
/// Deepest ancestry walked; guards against cycles in imported data.
const MAX_DEPTH: usize = 16;

/// Similarity of two folded words or names, 0–1: the mean of Jaro-Winkler (kind to shared
/// beginnings, as in "Bunagana"/"Bunangana") and an edit distance allowing transpositions
/// (strict about length, so "Kasongo" is not "Kasongo-Lunda").
fn similarity(a: &str, b: &str) -> f64 {
    if a == b {
        return 1.0;
    }
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let longest = a.chars().count().max(b.chars().count()) as f64;
    let edit = 1.0 - strsim::osa_distance(a, b) as f64 / longest;
    (strsim::jaro_winkler(a, b) + edit.max(0.0)) / 2.0
}

/// Similarity of two words: compass words and qualifiers match only themselves ("nord" is
/// as far from "kivu" as from "sud"), other words as [`similarity`] says.
fn word_similarity(a: &str, b: &str) -> f64 {
    if is_qualifier(a) || is_qualifier(b) {
        if a == b { 1.0 } else { 0.0 }
    } else {
        similarity(a, b)
    }
}

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
    /// The score before a correction raised it ([`take_closest_spelling`]).
    plain: f64,
}

/// One name's score for a query (see [`Hit`]).
struct Scored {
    score: f64,
    exact: bool,
    fuzzy: Option<(u8, f64)>,
}

impl Scored {
    fn exact(score: f64) -> Scored {
        Scored {
            score,
            exact: true,
            fuzzy: None,
        }
    }
}

/// When no name matched exactly, the near misses closest in spelling key take
/// [`FUZZY_SCORE`]: one such place is then clearly the closest and can be picked (flagged
/// `place_fuzzy` by [`super::settle`]); several stay tied, for a person to choose.
fn take_closest_spelling(hits: &mut [Hit]) {
    if hits.iter().any(|h| h.exact) {
        return;
    }
    let Some(closest) = hits.iter().filter_map(|h| h.fuzzy.map(|f| f.0)).min() else {
        return;
    };
    for h in hits.iter_mut() {
        if let Some((d, score)) = h.fuzzy {
            if d == closest && score > h.score {
                h.score = score;
            }
        }
    }
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

    /// Every place scoring above zero for `q`, one hit per place, unsorted. `counts` is
    /// scratch space reused across the queries of one message.
    fn score_query(&self, q: &Query, within: Option<usize>, counts: &mut Vec<u32>) -> Vec<Hit> {
        if q.tokens.is_empty() {
            return Vec::new();
        }
        let key = (q.words.clone(), within);
        if let Some(hits) = self.index.memo.get(&key) {
            return hits.to_vec();
        }
        let hits = self.score_query_afresh(q, within, counts);
        self.index.memo.put(key, hits.as_slice().into());
        hits
    }

    /// [`Gazetteer::score_query`] without the memo: every shortlisted name scored.
    fn score_query_afresh(
        &self,
        q: &Query,
        within: Option<usize>,
        counts: &mut Vec<u32>,
    ) -> Vec<Hit> {
        let mut best: HashMap<usize, Hit> = HashMap::new();
        for e in self.shortlist(q, counts) {
            let Some(&(ref folded, place)) = self.indexed_names().get(e) else {
                continue;
            };
            if let Some(area) = within {
                if !self.inside(place, area) {
                    continue;
                }
            }
            let Scored {
                score,
                exact,
                fuzzy,
            } = self.score_entry(q, e, place);
            if score <= 0.0 {
                continue;
            }
            let hit = Hit {
                place,
                score,
                full: *folded == q.full,
                exact,
                fuzzy,
                plain: score,
            };
            best.entry(place)
                .and_modify(|h| {
                    let closer = match (h.fuzzy, fuzzy) {
                        (Some((d, _)), Some((n, _))) => n < d,
                        (None, Some(_)) => true,
                        _ => false,
                    };
                    if closer {
                        h.fuzzy = fuzzy;
                    }
                    h.exact |= exact;
                    if score > h.score || (score == h.score && hit.full) {
                        *h = Hit {
                            fuzzy: h.fuzzy,
                            exact: h.exact,
                            ..hit
                        };
                    }
                })
                .or_insert(hit);
        }
        let mut hits: Vec<Hit> = best.into_values().collect();
        take_closest_spelling(&mut hits);
        hits
    }

    /// Entries worth scoring: the exact spellings, and those sharing the most trigrams
    /// (Dice coefficient) with the query. `counts` is all zeros before and after.
    fn shortlist(&self, q: &Query, counts: &mut Vec<u32>) -> Vec<usize> {
        let ix = &self.index;
        counts.resize(ix.keys.len(), 0);
        let mut touched: Vec<u32> = Vec::new();
        for g in &q.grams {
            for &e in ix.grams.get(g).map(Vec::as_slice).unwrap_or_default() {
                if let Some(c) = counts.get_mut(e as usize) {
                    if *c == 0 {
                        touched.push(e);
                    }
                    *c += 1;
                }
            }
        }
        let nq = q.grams.len() as u64;
        let dice_desc = |a: &u32, b: &u32| {
            let (ca, cb) = (
                u64::from(counts[*a as usize]),
                u64::from(counts[*b as usize]),
            );
            let na = u64::from(ix.keys[*a as usize].grams);
            let nb = u64::from(ix.keys[*b as usize].grams);
            // ca/(nq+na) against cb/(nq+nb), compared without division.
            (cb * (nq + na)).cmp(&(ca * (nq + nb))).then(a.cmp(b))
        };
        if touched.len() > SHORTLIST {
            touched.select_nth_unstable_by(SHORTLIST, dice_desc);
        }
        for &e in &touched {
            if let Some(c) = counts.get_mut(e as usize) {
                *c = 0;
            }
        }
        touched.truncate(SHORTLIST);
        let mut out: Vec<usize> = touched.into_iter().map(|e| e as usize).collect();
        if let Some(exact) = ix.exact.get(&q.squashed) {
            out.extend(exact.iter().map(|&e| e as usize));
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Score of one name for the query, 0–1; 0 when the query only names its ancestors.
    fn score_entry(&self, q: &Query, e: usize, place: usize) -> Scored {
        let Some(key) = self.index.keys.get(e) else {
            return Scored::exact(0.0);
        };
        if key.squashed == q.squashed {
            // A name typed in full, kind word and all ("Abyei Region"), needs no level check.
            let typed_in_full = self
                .indexed_names()
                .get(e)
                .is_some_and(|(n, _)| *n == q.full);
            return Scored::exact(if typed_in_full {
                1.0
            } else {
                self.level_fit(q, place, 0, 1.0)
            });
        }
        let name_best: Vec<f64> = q
            .tokens
            .iter()
            .map(|t| {
                key.tokens
                    .iter()
                    .map(|n| word_similarity(t, n))
                    .fold(0.0, f64::max)
            })
            .collect();
        // Words that fit an ancestor better than the name are context, not noise; the levels
        // of the ancestors they name may satisfy the query's kind words ("Kiwanja territoire
        // de Rutshuru" means a village, in a territory).
        let mut own: Vec<usize> = (0..q.tokens.len()).collect();
        let mut context_levels = 0;
        if q.tokens.len() > 1 && name_best.iter().any(|&s| s < 1.0) {
            let ancestors = self.ancestor_tokens(place);
            own.retain(|&i| {
                let (ctx, level) = ancestors
                    .iter()
                    .map(|(a, level)| (word_similarity(&q.tokens[i], a), *level))
                    .fold((0.0, 0), |best, x| if x.0 > best.0 { x } else { best });
                let is_context = ctx >= CONTEXT_MIN && ctx > name_best[i];
                if is_context {
                    context_levels |= level;
                }
                !is_context
            });
            if own.is_empty() {
                return Scored::exact(0.0);
            }
        }
        let squashed: String = own.iter().map(|&i| q.tokens[i].as_str()).collect();
        if squashed == key.squashed {
            return Scored::exact(self.level_fit(q, place, context_levels, 1.0));
        }
        let whole = similarity(&squashed, &key.squashed);
        // A typed "nord" that matches tells less than the "kivu" beside it: half weight, so a
        // shared compass word alone does not make "Northern" look like "Nord Kivu". A compass
        // word on one side only counts in full: "Rumbek North" is not "Rumbek", nor
        // "Kasai Oriental" "Kasai".
        let typed_weight = |i: usize| {
            let t = &q.tokens[i];
            let matched_qualifier = is_qualifier(t) && name_best[i] >= 1.0;
            t.len() as f64 * if matched_qualifier { 0.5 } else { 1.0 }
        };
        let weight = |t: &str| t.len() as f64;
        let q_len: f64 = own.iter().map(|&i| typed_weight(i)).sum();
        let forward = own
            .iter()
            .map(|&i| typed_weight(i) * name_best[i])
            .sum::<f64>()
            / q_len;
        let n_len: f64 = key.tokens.iter().map(|n| weight(n)).sum();
        let backward = key
            .tokens
            .iter()
            .map(|n| {
                weight(n)
                    * own
                        .iter()
                        .map(|&i| word_similarity(n, &q.tokens[i]))
                        .fold(0.0, f64::max)
            })
            .sum::<f64>()
            / n_len;
        let score = whole.max((forward + backward) / 2.0).min(INEXACT_CAP);
        let fuzzy = if score >= NEAR_MISS_SAME_KEY {
            // Most names are scored with every typed word their own: no key to build.
            let typed: std::borrow::Cow<str> = if own.len() == q.tokens.len() {
                q.sound.as_str().into()
            } else {
                own.iter()
                    .map(|&i| q.sounds[i].as_str())
                    .collect::<String>()
                    .into()
            };
            sound::distance(&typed, &key.sound)
                .filter(|&d| d == 0 || score >= NEAR_MISS)
                .map(|d| (d, self.level_fit(q, place, context_levels, FUZZY_SCORE)))
        } else {
            None
        };
        Scored {
            score: self.level_fit(q, place, context_levels, score),
            exact: false,
            fuzzy,
        }
    }

    /// Lower a score when the query's kind words point to another level than the place's
    /// and than the ancestors named as context (`context_levels`).
    fn level_fit(&self, q: &Query, place: usize, context_levels: u8, score: f64) -> f64 {
        let levels = level_bit(self.at(place).level) | context_levels;
        if q.hint == 0 || q.hint & levels != 0 {
            score
        } else {
            score * LEVEL_MISMATCH
        }
    }

    /// Identifying words of every name of every ancestor of a place, with its level bit.
    fn ancestor_tokens(&self, place: usize) -> Vec<(&str, u8)> {
        let ix = &self.index;
        let mut out = Vec::new();
        let mut cur = ix.parent.get(place).copied().flatten();
        for _ in 0..MAX_DEPTH {
            let Some(p) = cur else { break };
            if p == place {
                break;
            }
            let level = level_bit(self.at(p).level);
            if let Some(range) = ix.entries_of.get(p) {
                for key in ix.keys.get(range.clone()).unwrap_or_default() {
                    out.extend(key.tokens.iter().map(|t| (t.as_str(), level)));
                }
            }
            cur = ix.parent.get(p).copied().flatten();
        }
        out
    }

    /// True when place `i` is place `area` or lies inside it.
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
mod tests;
