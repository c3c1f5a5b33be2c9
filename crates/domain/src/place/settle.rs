//! From ranked candidates to the place a record gets: the one rule every channel applies (an
//! SMS's place words, a `place_name` typed in the web form, sent to the API or noted from a
//! call), so one name settles alike whatever brought it.
//!
//! A candidate is taken only when it is unambiguous ([`pick`]). When equally good candidates
//! nest (Rutshuru the town inside Rutshuru the territory), the record gets the enclosing area:
//! wherever the reporter meant, it is inside it, which lets routing start while a person picks
//! the village among the candidates. Anything else is left for a person, with flags saying why.

use super::resolve::{PICK_MIN_GAP, PICK_MIN_SCORE, pick};
use super::{Gazetteer, PlaceCandidate};

/// Flags that say how a place was settled, the same for every channel.
pub mod flag {
    /// Several places fit equally well; see the candidates.
    pub const PLACE_AMBIGUOUS: &str = "place_ambiguous";
    /// The best candidate is only a loose match; see the candidates.
    pub const PLACE_UNCERTAIN: &str = "place_uncertain";
    /// The place is the area sure to contain all the equally good candidates, not a village.
    pub const PLACE_IS_AREA: &str = "place_is_area";
    /// The place was taken although the name matches none of its spellings exactly (a letter
    /// dropped, added or swapped, "tch" for "tsh", …): one place was clearly the closest.
    pub const PLACE_FUZZY: &str = "place_fuzzy";
}

/// The place settled from candidates, and what a person should know about it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settled {
    /// The P-code the record gets: the clear candidate, or the area enclosing equally good
    /// nested candidates (flag [`flag::PLACE_IS_AREA`]); none when a person must choose.
    pub place: Option<String>,
    /// Any of [`flag`]'s flags, in a stable order.
    pub flags: Vec<&'static str>,
}

impl Settled {
    /// True when `place` is an area holding the candidates rather than a chosen place.
    pub fn is_area(&self) -> bool {
        self.flags.contains(&flag::PLACE_IS_AREA)
    }
}

/// Settle the place of ranked candidates (best first, as [`Gazetteer::resolve`] or
/// [`Gazetteer::find_in_text`] give them). No candidates settle nothing and flag nothing: the
/// caller knows whether a name was given at all.
pub fn settle(candidates: &[PlaceCandidate], gaz: &Gazetteer) -> Settled {
    let Some(best) = candidates
        .iter()
        .map(|c| c.score)
        .filter(|s| !s.is_nan())
        .reduce(f64::max)
    else {
        return Settled::default();
    };
    // 1.0 means a spelling matched exactly; anything taken below it was a correction.
    let fuzzy = best < 1.0;
    let with_fuzzy = |mut flags: Vec<&'static str>| {
        if fuzzy {
            flags.push(flag::PLACE_FUZZY);
        }
        flags
    };
    if let Some(p) = pick(candidates) {
        return Settled {
            place: Some(p.pcode.clone()),
            flags: with_fuzzy(Vec::new()),
        };
    }
    if best < PICK_MIN_SCORE {
        return Settled {
            place: None,
            flags: vec![flag::PLACE_UNCERTAIN],
        };
    }
    match enclosing(gaz, candidates, best) {
        Some(area) => Settled {
            place: Some(area),
            flags: with_fuzzy(vec![flag::PLACE_AMBIGUOUS, flag::PLACE_IS_AREA]),
        },
        None => Settled {
            place: None,
            flags: vec![flag::PLACE_AMBIGUOUS],
        },
    }
}

/// The candidates scoring within [`PICK_MIN_GAP`] of the best: those a person must choose
/// among.
pub(crate) fn top_tier(candidates: &[PlaceCandidate], best: f64) -> Vec<&PlaceCandidate> {
    candidates
        .iter()
        .filter(|c| best - c.score < PICK_MIN_GAP - 1e-9)
        .collect()
}

/// When the candidates tied at the top nest, the outermost.
fn enclosing(gaz: &Gazetteer, candidates: &[PlaceCandidate], best: f64) -> Option<String> {
    let tier = top_tier(candidates, best);
    tier.iter()
        .find(|outer| tier.iter().all(|c| gaz.is_within(&c.pcode, &outer.pcode)))
        .map(|c| c.pcode.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::place::PlaceLevel;
    use crate::place::testdata::place;
    use proptest::prelude::*;

    fn gaz() -> Gazetteer {
        Gazetteer::new(vec![
            place("COD", "RDC", PlaceLevel::Country, None, None),
            place("CD61", "Nord-Kivu", PlaceLevel::Admin1, Some("COD"), None),
            place("CD6111", "Rutshuru", PlaceLevel::Admin2, Some("CD61"), None),
            place("CD6103", "Masisi", PlaceLevel::Admin2, Some("CD61"), None),
            place(
                "CD6111-S1",
                "Rutshuru",
                PlaceLevel::Settlement,
                Some("CD6111"),
                None,
            ),
            place(
                "CD6111-S2",
                "Kibabi",
                PlaceLevel::Settlement,
                Some("CD6111"),
                None,
            ),
            place(
                "CD6103-S1",
                "Kibabi",
                PlaceLevel::Settlement,
                Some("CD6103"),
                None,
            ),
        ])
    }

    fn c(pcode: &str, score: f64) -> PlaceCandidate {
        PlaceCandidate {
            pcode: pcode.into(),
            name: String::new(),
            context: String::new(),
            score,
        }
    }

    fn settled(place: Option<&str>, flags: &[&'static str]) -> Settled {
        Settled {
            place: place.map(str::to_string),
            flags: flags.to_vec(),
        }
    }

    #[test]
    fn a_clear_candidate_is_taken_and_a_correction_is_flagged() {
        let g = gaz();
        assert_eq!(
            settle(&[c("CD6111-S2", 1.0)], &g),
            settled(Some("CD6111-S2"), &[])
        );
        assert_eq!(
            settle(&[c("CD6111-S2", 0.97), c("CD6103", 0.8)], &g),
            settled(Some("CD6111-S2"), &[flag::PLACE_FUZZY])
        );
        assert_eq!(settle(&[], &g), Settled::default());
    }

    #[test]
    fn nested_equals_give_the_enclosing_area() {
        let g = gaz();
        let s = settle(&[c("CD6111-S1", 1.0), c("CD6111", 1.0)], &g);
        assert_eq!(
            s,
            settled(
                Some("CD6111"),
                &[flag::PLACE_AMBIGUOUS, flag::PLACE_IS_AREA]
            )
        );
        assert!(s.is_area());
        // The same through a correction ("Rutchuru").
        assert_eq!(
            settle(&[c("CD6111-S1", 0.97), c("CD6111", 0.97)], &g).flags,
            [
                flag::PLACE_AMBIGUOUS,
                flag::PLACE_IS_AREA,
                flag::PLACE_FUZZY
            ]
        );
    }

    #[test]
    fn equals_that_do_not_nest_are_left_to_a_person() {
        let g = gaz();
        let s = settle(&[c("CD6111-S2", 1.0), c("CD6103-S1", 1.0)], &g);
        assert_eq!(s, settled(None, &[flag::PLACE_AMBIGUOUS]));
        assert!(!s.is_area());
        // A loose best match is never taken, nor is an area made of loose matches.
        assert_eq!(
            settle(&[c("CD6111-S1", 0.9), c("CD6111", 0.9)], &g),
            settled(None, &[flag::PLACE_UNCERTAIN])
        );
        // Too close a second keeps both.
        assert_eq!(
            settle(&[c("CD6111-S2", 1.0), c("CD6103-S1", 0.95)], &g),
            settled(None, &[flag::PLACE_AMBIGUOUS])
        );
    }

    proptest! {
        #[test]
        fn a_settled_place_holds_every_equally_good_candidate(
            scores in proptest::collection::vec((0usize..7, 0.0f64..=1.0), 0..6),
        ) {
            let g = gaz();
            let codes = ["CD61", "CD6111", "CD6103", "CD6111-S1", "CD6111-S2", "CD6103-S1", "COD"];
            let cands: Vec<PlaceCandidate> = scores.iter().map(|&(i, s)| c(codes[i], s)).collect();
            let s = settle(&cands, &g);
            let best = cands.iter().map(|c| c.score).fold(0.0, f64::max);
            match &s.place {
                Some(p) if s.is_area() => {
                    prop_assert!(best >= PICK_MIN_SCORE);
                    for t in top_tier(&cands, best) {
                        prop_assert!(g.is_within(&t.pcode, p), "{p} does not hold {}", t.pcode);
                    }
                }
                Some(p) => prop_assert_eq!(pick(&cands).map(|c| &c.pcode), Some(p)),
                None => prop_assert!(pick(&cands).is_none()),
            }
            prop_assert!(!(s.flags.contains(&flag::PLACE_AMBIGUOUS) && s.flags.contains(&flag::PLACE_UNCERTAIN)));
            prop_assert_eq!(s.flags.contains(&flag::PLACE_FUZZY), s.place.is_some() && best < 1.0);
        }
    }
}
