//! Finding the threat vocabulary of [`super::lexicon::THREATS`] in a message's words, in time
//! proportional to the number of words: exact words and stems by hash lookups, one-typo
//! matches by the symmetric-deletion method (a word and a typo of it share a spelling with at
//! most one letter deleted from each).

use std::collections::HashMap;
use std::sync::LazyLock;

use super::lexicon::{self, ARMED_GROUPS, Lang, THREATS};
use super::token::{Token, gap, is_hard_break};
use crate::ThreatType;

/// Shortest vocabulary word matched with a typo.
const FUZZY_MIN_LEN: usize = 7;
/// Longer tokens are not looked at for typos (no word of the vocabulary is that long).
const FUZZY_MAX_LEN: usize = 24;
/// Shortest stem.
const STEM_MIN_LEN: usize = 3;

/// A threat phrase found in a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    /// First token.
    pub start: usize,
    /// One past the last token.
    pub end: usize,
    /// Type the phrase names.
    pub threat: ThreatType,
    /// Language of the phrase; none for names, which every language shares.
    pub lang: Option<Lang>,
}

struct Phrase {
    words: Vec<u32>,
    threat: ThreatType,
    lang: Option<Lang>,
}

/// The vocabulary, indexed once.
struct Index {
    exact: HashMap<String, Vec<u32>>,
    stems: HashMap<String, Vec<u32>>,
    deletes: HashMap<String, Vec<u32>>,
    words: Vec<String>,
    phrases: Vec<Phrase>,
    by_first: HashMap<u32, Vec<usize>>,
}

static INDEX: LazyLock<Index> = LazyLock::new(Index::build);

fn deletions(w: &str) -> impl Iterator<Item = String> + '_ {
    (0..w.len()).map(move |i| {
        let mut s = String::with_capacity(w.len());
        s.push_str(&w[..i]);
        s.push_str(&w[i + 1..]);
        s
    })
}

impl Index {
    fn build() -> Index {
        let mut ix = Index {
            exact: HashMap::new(),
            stems: HashMap::new(),
            deletes: HashMap::new(),
            words: Vec::new(),
            phrases: Vec::new(),
            by_first: HashMap::new(),
        };
        let mut ids: HashMap<String, u32> = HashMap::new();
        let groups = (ThreatType::ArmedPresence, None, ARMED_GROUPS);
        let lists = THREATS
            .iter()
            .map(|&(threat, lang, list)| (threat, Some(lang), list))
            .chain(std::iter::once(groups));
        for (threat, lang, list) in lists {
            for phrase in list.split('|') {
                let words: Vec<u32> = phrase
                    .split(' ')
                    .filter(|w| !w.is_empty())
                    .map(|w| ix.word_id(&mut ids, w))
                    .collect();
                if let Some(&first) = words.first() {
                    ix.by_first.entry(first).or_default().push(ix.phrases.len());
                    ix.phrases.push(Phrase {
                        words,
                        threat,
                        lang,
                    });
                }
            }
        }
        ix
    }

    fn word_id(&mut self, ids: &mut HashMap<String, u32>, pattern: &str) -> u32 {
        if let Some(&id) = ids.get(pattern) {
            return id;
        }
        let id = self.words.len() as u32;
        ids.insert(pattern.to_string(), id);
        self.words.push(pattern.to_string());
        match pattern.strip_suffix('*') {
            Some(stem) => self.stems.entry(stem.to_string()).or_default().push(id),
            None => {
                self.exact.entry(pattern.to_string()).or_default().push(id);
                if pattern.len() >= FUZZY_MIN_LEN {
                    self.deletes
                        .entry(pattern.to_string())
                        .or_default()
                        .push(id);
                    for d in deletions(pattern) {
                        self.deletes.entry(d).or_default().push(id);
                    }
                }
            }
        }
        id
    }

    /// Ids of the vocabulary words a token matches.
    fn matches(&self, token: &str) -> Vec<u32> {
        let mut out: Vec<u32> = self.exact.get(token).cloned().unwrap_or_default();
        for len in STEM_MIN_LEN..=token.len().min(FUZZY_MAX_LEN) {
            if let Some(ids) = token.get(..len).and_then(|p| self.stems.get(p)) {
                out.extend(ids);
            }
        }
        // A common word is not a typo of a threat word ("walikuwa", they were, is one letter
        // from "walikufa", they died).
        let common = lexicon::function_word(token).is_some();
        if out.is_empty() && !common && (FUZZY_MIN_LEN - 1..=FUZZY_MAX_LEN).contains(&token.len()) {
            let mut cands: Vec<u32> = self.deletes.get(token).cloned().unwrap_or_default();
            for d in deletions(token) {
                if let Some(ids) = self.deletes.get(&d) {
                    cands.extend(ids);
                }
            }
            cands.sort_unstable();
            cands.dedup();
            out.extend(cands.into_iter().filter(|&id| {
                self.words
                    .get(id as usize)
                    .is_some_and(|w| strsim::osa_distance(w, token) <= 1)
            }));
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// Every threat phrase in the tokens. A phrase may skip one word between two of its words
/// ("hommes lourdement armés"), but not across a full stop or colon. Phrases inside a longer
/// phrase are dropped ("mort" inside "menaces de mort").
pub fn find(text: &str, tokens: &[Token]) -> Vec<Hit> {
    let ix = &*INDEX;
    let sets: Vec<Vec<u32>> = tokens.iter().map(|t| ix.matches(&t.norm)).collect();
    let has = |pos: usize, w: u32| sets.get(pos).is_some_and(|s| s.binary_search(&w).is_ok());
    let joined = |a: usize, b: usize| match (tokens.get(a), tokens.get(b)) {
        (Some(x), Some(y)) => !is_hard_break(gap(text, x, y)),
        _ => false,
    };
    let mut hits = Vec::new();
    for (i, set) in sets.iter().enumerate() {
        for w in set {
            for &p in ix.by_first.get(w).map(Vec::as_slice).unwrap_or_default() {
                let phrase = &ix.phrases[p];
                let mut pos = i + 1;
                let mut skipped = false;
                let mut ok = true;
                for &next in &phrase.words[1..] {
                    if has(pos, next) && joined(pos - 1, pos) {
                        pos += 1;
                    } else if !skipped
                        && has(pos + 1, next)
                        && joined(pos - 1, pos)
                        && joined(pos, pos + 1)
                    {
                        skipped = true;
                        pos += 2;
                    } else {
                        ok = false;
                        break;
                    }
                }
                if ok {
                    hits.push(Hit {
                        start: i,
                        end: pos,
                        threat: phrase.threat,
                        lang: phrase.lang,
                    });
                }
            }
        }
    }
    hits.sort_by_key(|h| (h.start, std::cmp::Reverse(h.end)));
    hits.dedup();
    let outer: Vec<(usize, usize)> = hits
        .iter()
        .filter(|h| h.end - h.start > 1)
        .map(|h| (h.start, h.end))
        .collect();
    hits.retain(|h| {
        !outer
            .iter()
            .any(|&(s, e)| s <= h.start && h.end <= e && (s, e) != (h.start, h.end))
    });
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sms::token::tokenize;

    fn types(text: &str) -> Vec<ThreatType> {
        find(text, &tokenize(text))
            .iter()
            .map(|h| h.threat)
            .collect()
    }

    #[test]
    fn words_stems_typos_and_phrases() {
        assert_eq!(types("hommes armés"), [ThreatType::ArmedPresence]);
        assert_eq!(
            types("hommes lourdement armés"),
            [ThreatType::ArmedPresence]
        );
        assert_eq!(types("Pilage du marché"), [ThreatType::LootingExtortion]);
        assert_eq!(types("wameuwa"), [ThreatType::Killing]);
        assert_eq!(types("menaces de mort"), [ThreatType::ThreatIntimidation]);
        assert_eq!(types("coupeurs de route"), [ThreatType::LootingExtortion]);
        assert_eq!(types("they looked"), []);
        assert_eq!(types("pills"), []);
        assert!(types("attaquent").contains(&ThreatType::AttackOnCivilians));
        assert_eq!(types("coupeurs. de route"), []);
        assert_eq!(
            types("watoto walikuwa wanacheza"),
            [],
            "they were, not they died"
        );
        assert_eq!(types("walikufa"), [ThreatType::Killing]);
    }
}
