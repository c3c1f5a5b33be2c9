//! Spelling keys: what is left of a folded word once the ways people of the region spell one
//! sound are made one. Names of eastern DR Congo are written by ear, in French, English or
//! Swahili habits: "Kitchanga", "Kitshanga", "Kichanga" and "Kitsanga" are one village, as are
//! "Kiwandja" and "Kiwanja", "Lulingou" and "Lulingu", "Nyanzare" and "Nyanzale", "Fattaki"
//! and "Fataki", "Bunagan" and "Bunagana".
//!
//! A key alone never names a place: it only confirms a near miss the scorer already found
//! (see `NEAR_MISS` in the resolver), so ordinary words sharing a key with a village are not
//! taken for it.

/// The spelling key of one folded word (lower-case ASCII letters and digits).
///
/// In order: `tch`, `tsh`, `ch`, `sh` and `ts` become `c`; `dj` becomes `j`; `ou` becomes `u`;
/// `y` becomes `i` and `w` becomes `u` (the glides written either way, "Kamaniola" for
/// "Kamanyola", "Mutuanga" for "Mutwanga"); `l` becomes `r` (one sound in the region's
/// languages: "Uvila" for "Uvira"); an `h` after a consonant goes ("Bogha", "Rhoo"); doubled
/// letters become one; and a final vowel goes, since it is often dropped or changed
/// ("Kamang", "Bulengu", "Kasindy").
pub(super) fn key(word: &str) -> String {
    let b = word.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let rest = &b[i..];
        let (sound, used): (u8, usize) = if rest.starts_with(b"tch") || rest.starts_with(b"tsh") {
            (b'c', 3)
        } else if rest.starts_with(b"ch") || rest.starts_with(b"sh") || rest.starts_with(b"ts") {
            (b'c', 2)
        } else if rest.starts_with(b"dj") {
            (b'j', 2)
        } else if rest.starts_with(b"ou") {
            (b'u', 2)
        } else {
            let c = match rest[0] {
                b'y' => b'i',
                b'w' => b'u',
                b'l' => b'r',
                other => other,
            };
            (c, 1)
        };
        i += used;
        let after_consonant = out.last().is_some_and(|&p| !is_vowel(p));
        if sound == b'h' && after_consonant {
            continue;
        }
        if out.last() != Some(&sound) {
            out.push(sound);
        }
    }
    if out.len() > 3 && out.last().is_some_and(|&c| is_vowel(c)) {
        out.pop();
    }
    String::from_utf8(out).unwrap_or_default()
}

fn is_vowel(c: u8) -> bool {
    matches!(c, b'a' | b'e' | b'i' | b'o' | b'u')
}

/// The key of a name or query: its words' keys, run together.
pub(super) fn key_of<'a>(words: impl IntoIterator<Item = &'a str>) -> String {
    words.into_iter().map(key).collect()
}

/// How many edits apart two keys are, when that is 0 or 1 and the keys are long enough for
/// it to mean something: equal keys of at least 3 letters, or one edit (a letter dropped,
/// added, changed or two swapped) between keys of at least 4.
pub(super) fn distance(a: &str, b: &str) -> Option<u8> {
    let shorter = a.len().min(b.len());
    if a == b {
        return (shorter >= 3).then_some(0);
    }
    if shorter < 4 || a.len().abs_diff(b.len()) > 1 {
        return None;
    }
    (strsim::osa_distance(a, b) == 1).then_some(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_sound_share_a_key() {
        for group in [
            &["kitshanga", "kitchanga", "kichanga", "kitsanga"][..],
            &["kiwanja", "kiwandja"],
            &["rutshuru", "rutchuru"],
            &["bunagana", "bunagan"],
            &["fataki", "fattaki", "fatak"],
            &["kamanyola", "kamaniola"],
            &["mutwanga", "mutuanga", "mutwang"],
            &["nyanzale", "nyanzare", "niyanzale"],
            &["lulingu", "lulingou"],
            &["uvira", "uvila"],
            &["boga", "bogha"],
            &["kasindi", "kasindy"],
            &["bulengo", "bulengu"],
            &["nyabiondo", "nyabyondo", "nyabiyondo"],
            &["manguredjipa", "mangurejipa"],
        ] {
            let k = key(group[0]);
            for w in group {
                assert_eq!(key(w), k, "{w} and {}", group[0]);
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn any_word_has_a_key_no_longer_than_itself(w in "\\PC{0,30}") {
            let k = key(&w);
            proptest::prop_assert!(k.len() <= w.len());
            proptest::prop_assert_eq!(key_of([w.as_str()]), k);
        }
    }

    #[test]
    fn one_edit_apart_only_when_long_enough() {
        assert_eq!(distance(&key("rutshru"), &key("rutshuru")), Some(1));
        assert_eq!(distance(&key("eringiti"), &key("eringeti")), Some(1));
        assert_eq!(distance(&key("minowa"), &key("minova")), Some(1));
        assert_eq!(distance(&key("bogha"), &key("boga")), Some(0));
        assert_eq!(distance(&key("mbo"), &key("mba")), None);
        assert_eq!(distance(&key("kibumba"), &key("kirumba")), Some(1));
        assert_eq!(distance(&key("goma"), &key("kiwanja")), None);
        assert_eq!(key(""), "");
    }
}
