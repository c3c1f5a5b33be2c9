//! Focal points' pseudonyms: codes that name neither a place nor a person.
//!
//! A handful of focal points live in each village, so a pseudonym such as `FP-Kiwanja-01`
//! all but names its informant to anyone who reads a list. A pseudonym Kinga makes is `FP-`
//! and five characters, and one a person types is refused when it holds a place of the
//! gazetteer or the focal point's own name.
//!
//! Reading a pseudonym: case and accents are folded, punctuation separates words, and so do
//! the points where letters meet digits or a small letter meets a capital (`Masisi1`,
//! `fp_walikale_2`, `FpKitshanga`). A place is found when a run of those whole words spells
//! one of its names exactly, as place resolution reads an exact spelling (`de`, `village`
//! dropped, `North` read as `Nord`), and only for names of at least [`MIN_PLACE_LETTERS`]
//! letters: short names are too often ordinary syllables. Nothing fuzzy: a near miss is not a
//! place.

use std::collections::HashSet;

use crate::DomainError;
use crate::place::{Gazetteer, Place};
use crate::text;

/// What every pseudonym Kinga makes starts with.
pub const PREFIX: &str = "FP-";
/// Characters of a code Kinga makes, after [`PREFIX`].
pub const CODE_LEN: usize = 5;
/// Place names shorter than this are not looked for: "Aru", "Ise" are syllables of many codes.
pub const MIN_PLACE_LETTERS: usize = 4;
/// Parts of a person's name shorter than this are not looked for ("de", "wa").
pub const MIN_NAME_LETTERS: usize = 3;

/// Consonants and digits a reader cannot take for one another (no 0/O, 1/I/L, 2/Z, 5/S, 8/B,
/// Q/9) and no vowel at all, so that no code spells a word: no place, no name, no insult.
/// Twenty symbols, five places: 3.2 million codes.
const ALPHABET: &[u8; 20] = b"CDFGHJKMNPRTVWX34679";
/// Most words of a run read as one name ("Kasongo Lunda", "Nord Kivu", or `Ki-Wanja`).
const MAX_RUN: usize = 6;
/// Most words of a pseudonym read (a pseudonym is at most 64 characters).
const MAX_WORDS: usize = 40;
/// Codes tried at each length before the code grows by one character.
const TRIES_PER_LENGTH: u64 = 256;
/// Longest code tried; beyond it generation gives up (never, with a finite registry).
const MAX_CODE_LEN: usize = 12;

/// Why a pseudonym cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PseudonymFault {
    /// It holds the name of a place of the gazetteer.
    #[error(
        "'{pseudonym}' names the place {place} ({pcode}): a pseudonym must carry no place \
         name, or it points to its focal point; leave it empty and Kinga gives a code"
    )]
    NamesPlace {
        /// The pseudonym as given.
        pseudonym: String,
        /// The place's main name.
        place: String,
        /// Its P-code.
        pcode: String,
    },
    /// It holds the focal point's own name (or part of it).
    #[error(
        "'{pseudonym}' holds the focal point's own name; leave it empty and Kinga gives a code"
    )]
    NamesPerson {
        /// The pseudonym as given.
        pseudonym: String,
    },
    /// Every code tried was taken (only with an absurdly large registry).
    #[error("no free pseudonym could be made")]
    Exhausted,
}

impl From<PseudonymFault> for DomainError {
    fn from(f: PseudonymFault) -> Self {
        DomainError::invalid("pseudonym", f.to_string())
    }
}

/// The words of a pseudonym as a reader takes them apart (see the module's documentation).
fn words(s: &str) -> Vec<String> {
    let mut spaced = String::with_capacity(s.len() + 8);
    let mut prev: Option<char> = None;
    for c in s.chars() {
        if let Some(p) = prev {
            let boundary = (p.is_alphabetic() && c.is_numeric())
                || (p.is_numeric() && c.is_alphabetic())
                || (p.is_lowercase() && c.is_uppercase());
            if boundary {
                spaced.push(' ');
            }
        }
        spaced.push(c);
        prev = Some(c);
    }
    let mut w = text::words(&spaced);
    w.truncate(MAX_WORDS);
    w
}

/// Every run of one to [`MAX_RUN`] consecutive words.
fn runs(words: &[String]) -> impl Iterator<Item = &[String]> {
    (0..words.len()).flat_map(move |start| {
        (start + 1..=(start + MAX_RUN).min(words.len())).map(move |end| &words[start..end])
    })
}

/// The first place of `gaz` that `pseudonym` names, if any.
pub fn place_named<'g>(pseudonym: &str, gaz: &'g Gazetteer) -> Option<&'g Place> {
    let w = words(pseudonym);
    runs(&w).find_map(|run| {
        gaz.spelled_exactly(run.iter().map(String::as_str), MIN_PLACE_LETTERS)
            .into_iter()
            .next()
    })
}

/// True when `pseudonym` holds `name`: one of its words of at least [`MIN_NAME_LETTERS`]
/// letters, or several run together, as whole words ("FP-Furaha", "FurahaK-2" and
/// "FP-FurahaKambale" hold Furaha Kambale's name; "FP-Furah" does not).
pub fn names_person(pseudonym: &str, name: &str) -> bool {
    let name_words = words(name);
    let parts: HashSet<String> = runs(&name_words)
        .map(<[String]>::concat)
        .filter(|p| p.chars().filter(char::is_ascii_alphabetic).count() >= MIN_NAME_LETTERS)
        .collect();
    if parts.is_empty() {
        return false;
    }
    let w = words(pseudonym);
    runs(&w).any(|run| parts.contains(&run.concat()))
}

/// Refuse a pseudonym that names a place of `gaz`: the check every saved focal point passes.
pub fn check_place(pseudonym: &str, gaz: &Gazetteer) -> Result<(), PseudonymFault> {
    match place_named(pseudonym, gaz) {
        Some(p) => Err(PseudonymFault::NamesPlace {
            pseudonym: pseudonym.to_string(),
            place: p.name.clone(),
            pcode: p.pcode.clone(),
        }),
        None => Ok(()),
    }
}

/// Refuse a pseudonym that holds the focal point's own `name`. The name is sealed at rest, so
/// only the layer that still holds it in clear can ask this.
pub fn check_person(pseudonym: &str, name: &str) -> Result<(), PseudonymFault> {
    if names_person(pseudonym, name) {
        Err(PseudonymFault::NamesPerson {
            pseudonym: pseudonym.to_string(),
        })
    } else {
        Ok(())
    }
}

/// A pseudonym for the focal point `id`: `FP-` and [`CODE_LEN`] characters of [`ALPHABET`],
/// none taken (`taken` says; compare without case) and naming no place of `gaz`.
///
/// Derived from the id rather than drawn at random: the domain has no randomness of its own,
/// the same focal point always gets the same code (a repeated import or repair changes
/// nothing), and tests can pin it. This gives nothing away: ids are random ULIDs shown
/// beside the pseudonym to exactly the people who see the pseudonym, and the code is a hash
/// of the id, so it says no more than the id does. A code already taken is followed by the
/// next one derived from the id; after [`TRIES_PER_LENGTH`] taken codes they grow a character.
pub fn generate(
    id: &str,
    gaz: &Gazetteer,
    taken: impl Fn(&str) -> bool,
) -> Result<String, PseudonymFault> {
    let mut attempt: u64 = 0;
    loop {
        let longer = usize::try_from(attempt / TRIES_PER_LENGTH).unwrap_or(usize::MAX);
        let len = CODE_LEN.saturating_add(longer);
        if len > MAX_CODE_LEN {
            return Err(PseudonymFault::Exhausted);
        }
        let code = code(id, attempt, len);
        if !taken(&code) && place_named(&code, gaz).is_none() {
            return Ok(code);
        }
        attempt += 1;
    }
}

/// The `attempt`-th code of `len` characters for `id`.
fn code(id: &str, attempt: u64, len: usize) -> String {
    // FNV-1a over the id and the attempt, then a 64-bit finaliser so that ids differing only
    // in their last characters give unrelated codes. 20^12 < 2^64: one hash is enough.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes().chain([0xff]).chain(attempt.to_le_bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^= h >> 33;
    let mut out = String::with_capacity(PREFIX.len() + len);
    out.push_str(PREFIX);
    let n = ALPHABET.len() as u64;
    for _ in 0..len {
        let i = usize::try_from(h % n).unwrap_or(0);
        out.push(char::from(ALPHABET[i]));
        h /= n;
    }
    out
}

#[cfg(test)]
#[path = "pseudonym_tests.rs"]
mod tests;
