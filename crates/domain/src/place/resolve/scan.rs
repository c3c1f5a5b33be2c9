//! Finding the places a message names in running text.

use std::collections::HashSet;
use std::ops::Range;

use super::words::{canonical, filler, is_qualifier, is_stop_word};
use super::{
    Hit, LEVEL_MISMATCH, MAX_NAME_WORD, MAX_NGRAM, MAX_TEXT_WORDS, Query, TEXT_FUZZY_MIN_LEN,
    TEXT_MIN_SCORE, rank,
};
use crate::place::{Gazetteer, PlaceCandidate};
use crate::text;

/// Multiplier of a place named only where a message says where people go or come from, when
/// it names another place too.
const ASIDE: f64 = 0.9;

/// A stretch of a message searched for place names.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stretch<'a> {
    /// The words.
    pub text: &'a str,
    /// The stretch says where people go or come from ("vers Goma", "kutoka Sake"), not where
    /// something happened.
    pub aside: bool,
}

impl Gazetteer {
    /// Places named in a free-text message, found by scanning its runs of one to three
    /// words; best first, at most `limit`, none below [`TEXT_MIN_SCORE`]. Where runs overlap
    /// ("Kiwanja, Rutshuru"), the better and longer one wins, so a village given with its
    /// territory is not reported beside that territory; an area named elsewhere in the text
    /// around a place found inside it scores 10 % lower than it would alone.
    pub fn find_in_text(&self, text: &str, limit: usize) -> Vec<PlaceCandidate> {
        self.find_in_stretches(&[Stretch { text, aside: false }], limit)
    }

    /// Like [`Gazetteer::find_in_text`] over the stretches of one message (runs never
    /// cross from one to the next). A place named only in stretches `aside`, when another
    /// place is named elsewhere, scores 10 % lower: "ils fuient vers Goma" says where people
    /// go, not where something happened.
    pub(crate) fn find_in_stretches(
        &self,
        stretches: &[Stretch],
        limit: usize,
    ) -> Vec<PlaceCandidate> {
        if limit == 0 {
            return Vec::new();
        }
        // Runs of up to three words are scored from every word: bound the words read.
        let mut words: Vec<String> = Vec::new();
        let mut aside: Vec<bool> = Vec::new();
        // The stretch each word comes from: a run of words never crosses two.
        let mut stretch_of: Vec<usize> = Vec::new();
        for (i, st) in stretches.iter().enumerate() {
            for w in text::words(st.text) {
                if words.len() >= MAX_TEXT_WORDS {
                    break;
                }
                words.push(w);
                aside.push(st.aside);
                stretch_of.push(i);
            }
        }
        let crosses = |r: &Range<usize>| stretch_of[r.start] != stretch_of[r.end - 1];
        let is_edge_noise = |w: &str| is_stop_word(w) || filler(canonical(w)) == Some(0);
        let mut found: Vec<(Range<usize>, Hit)> = Vec::new();
        let mut counts = Vec::new();
        for start in 0..words.len() {
            for end in start + 1..=(start + MAX_NGRAM).min(words.len()) {
                let run = &words[start..end];
                let (Some(first), Some(last)) = (run.first(), run.last()) else {
                    continue;
                };
                if crosses(&(start..end))
                    || is_edge_noise(first)
                    || is_edge_noise(last)
                    || run.iter().any(|w| w.len() > MAX_NAME_WORD)
                {
                    continue;
                }
                let q = Query::new(run.iter().map(String::as_str));
                let substantive = q
                    .tokens
                    .iter()
                    .any(|t| !is_qualifier(t) && filler(t).is_none() && !is_stop_word(t));
                if !substantive || q.squashed.len() < 3 {
                    continue;
                }
                for hit in self.score_query(&q, None, &mut counts) {
                    let fuzzy_ok = hit.score >= 1.0 || q.squashed.len() >= TEXT_FUZZY_MIN_LEN;
                    if hit.score >= TEXT_MIN_SCORE && fuzzy_ok {
                        found.push((start..end, hit));
                    }
                }
            }
        }
        found.sort_by(|(ra, a), (rb, b)| {
            b.score
                .total_cmp(&a.score)
                .then(rb.len().cmp(&ra.len()))
                .then(ra.start.cmp(&rb.start))
                .then_with(|| rank(self, a, b))
        });
        let named_here: HashSet<usize> = found
            .iter()
            .filter(|(span, _)| !aside[span.start])
            .map(|(_, h)| h.place)
            .collect();
        let mut spans: Vec<Range<usize>> = Vec::new();
        let mut kept: Vec<(Range<usize>, Hit)> = Vec::new();
        for (span, hit) in found {
            let overlaps =
                |s: &Range<usize>| *s != span && s.start < span.end && span.start < s.end;
            if spans.iter().any(overlaps) {
                continue;
            }
            if !spans.contains(&span) {
                spans.push(span.clone());
            }
            if !kept.iter().any(|(_, k)| k.place == hit.place) {
                kept.push((span, hit));
            }
        }
        // A correction never outweighs a name spelt exactly elsewhere in the message: an
        // unknown village one letter from a known one ("Kainama", "Kaniama") is common, and
        // so are words of other languages. It falls back to its plain score, still listed.
        if kept.iter().any(|(_, h)| h.exact && h.score >= 1.0) {
            for (_, h) in &mut kept {
                h.score = h.score.min(h.plain);
            }
        }
        if kept.iter().any(|(_, h)| named_here.contains(&h.place)) {
            for (_, h) in &mut kept {
                if !named_here.contains(&h.place) {
                    h.score *= ASIDE;
                }
            }
        }
        // "Sake ... Masisi": an area named beside a place inside it is that place's context,
        // so it drops below it (still listed, for the person triaging). Places of one name
        // found at one span ("Djugu" the town and the territory) stay tied.
        let places: Vec<(Range<usize>, usize)> = kept
            .iter()
            .map(|(span, h)| (span.clone(), h.place))
            .collect();
        for (span, hit) in &mut kept {
            let named_inside = places
                .iter()
                .any(|(s, i)| s != span && *i != hit.place && self.inside(*i, hit.place));
            if named_inside {
                hit.score *= LEVEL_MISMATCH;
            }
        }
        kept.sort_by(|a, b| b.1.score.total_cmp(&a.1.score));
        kept.truncate(limit);
        kept.iter().map(|(_, h)| self.candidate(h)).collect()
    }
}
