//! The index over a gazetteer's names, built once so resolution stays fast: each name's
//! identifying words and spelling key, exact spellings, and a trigram index.

use std::collections::HashMap;
use std::ops::Range;

use super::sound;
use super::words::core_tokens;
use crate::place::Place;

/// Padded trigrams of each word, packed in a u32, sorted and unique.
pub(super) fn trigrams(tokens: &[String]) -> Vec<u32> {
    let mut out = Vec::new();
    for t in tokens {
        let mut padded = Vec::with_capacity(t.len() + 2);
        padded.push(b'$');
        padded.extend_from_slice(t.as_bytes());
        padded.push(b'$');
        for w in padded.windows(3) {
            out.push(u32::from(w[0]) << 16 | u32::from(w[1]) << 8 | u32::from(w[2]));
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// A name or spelling reduced to what identifies it.
#[derive(Debug, Clone, Default)]
pub(super) struct NameKey {
    pub(super) tokens: Vec<String>,
    /// Words run together, so "Mai-Ndombe" and "Maindombe" meet.
    pub(super) squashed: String,
    /// Spelling key of the words ([`sound::key_of`]).
    pub(super) sound: String,
    pub(super) grams: u32,
}

/// Lookup structures over the gazetteer's names, built once in [`Gazetteer::new`].
#[derive(Debug, Clone, Default)]
pub(crate) struct NameIndex {
    /// One key per entry of `Gazetteer::names`, same order.
    pub(super) keys: Vec<NameKey>,
    /// Squashed key to entries: exact spellings are always considered.
    pub(super) exact: HashMap<String, Vec<u32>>,
    /// Trigram to entries having it.
    pub(super) grams: HashMap<u32, Vec<u32>>,
    /// Parent place index of each place.
    pub(super) parent: Vec<Option<usize>>,
    /// Entries (names) of each place; `names` holds a place's names together.
    pub(super) entries_of: Vec<Range<usize>>,
    /// Hits of the queries scored so far.
    pub(super) memo: super::memo::Memo,
}

impl NameIndex {
    /// Index the folded names of `places`.
    pub(crate) fn build(
        places: &[Place],
        by_code: &rustc_hash::FxHashMap<String, usize>,
        names: &[(String, usize)],
    ) -> NameIndex {
        let parent = places
            .iter()
            .map(|p| p.parent.as_deref().and_then(|c| by_code.get(c).copied()))
            .collect();
        let mut entries_of = vec![0..0; places.len()];
        let mut keys = Vec::with_capacity(names.len());
        let mut exact: HashMap<String, Vec<u32>> = HashMap::new();
        let mut grams: HashMap<u32, Vec<u32>> = HashMap::new();
        for (e, (folded, place)) in names.iter().enumerate() {
            let Ok(id) = u32::try_from(e) else { break };
            if let Some(range) = entries_of.get_mut(*place) {
                *range = if range.start == range.end {
                    e..e + 1
                } else {
                    range.start..e + 1
                };
            }
            let (tokens, _) = core_tokens(folded.split(' '));
            let squashed = tokens.concat();
            let g = trigrams(&tokens);
            for &gram in &g {
                grams.entry(gram).or_default().push(id);
            }
            exact.entry(squashed.clone()).or_default().push(id);
            keys.push(NameKey {
                sound: sound::key_of(tokens.iter().map(String::as_str)),
                tokens,
                squashed,
                grams: g.len() as u32,
            });
        }
        NameIndex {
            keys,
            exact,
            grams,
            parent,
            entries_of,
            memo: Default::default(),
        }
    }
}
