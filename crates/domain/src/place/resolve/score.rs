//! Scoring a query against the gazetteer's names: word and name similarity, the shortlist
//! by shared trigrams, and the score of each shortlisted name.

use std::collections::HashMap;

use super::words::{is_qualifier, level_bit};
use super::{Hit, LEVEL_MISMATCH, MAX_DEPTH, MIN_SCORE, Query, TEXT_MIN_SCORE, sound};
use crate::place::Gazetteer;

/// Highest score of anything but an exact spelling, so 1.0 always means exact.
const INEXACT_CAP: f64 = 0.99;
/// How well a query word must match an ancestor's name to count as context.
const CONTEXT_MIN: f64 = 0.85;
/// Names scored in full per query, chosen by shared trigrams; keeps resolution independent
/// of the size of the gazetteer.
const SHORTLIST: usize = 400;
/// An inexact match scoring at least this is a near miss, which a spelling key one edit
/// away ([`sound`]) may confirm as a misspelling of that place.
const NEAR_MISS: f64 = TEXT_MIN_SCORE;
/// The same for an equal spelling key, which says more ("Kichanga" is "Kitshanga" though
/// three letters differ): any candidate will do.
const NEAR_MISS_SAME_KEY: f64 = MIN_SCORE;
/// Score of the near miss closest in spelling, when no name matched exactly: enough to be
/// picked when nothing else comes near, still below any exact match.
const FUZZY_SCORE: f64 = 0.98;

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
/// `place_fuzzy` by [`crate::place::settle`]); several stay tied, for a person to choose.
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

impl Gazetteer {
    /// Every place scoring above zero for `q`, one hit per place, unsorted. `counts` is
    /// scratch space reused across the queries of one message.
    pub(super) fn score_query(
        &self,
        q: &Query,
        within: Option<usize>,
        counts: &mut Vec<u32>,
    ) -> Vec<Hit> {
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
}
