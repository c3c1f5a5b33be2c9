//! How many SMS segments a text costs, by the GSM 03.38 (3GPP TS 23.038) alphabet: texts
//! written only in the GSM 7-bit alphabet take 160 characters in one SMS (153 per part when
//! concatenated); one character outside it switches the whole message to UCS-2, with 70 UTF-16
//! units in one SMS (67 per part). French loses most: `é è à ù É Ç` are GSM, but `ê â î ô û ë
//! ï ç œ` and the typographic `’ « » …` are not.

use serde::Serialize;

/// Character set an SMS is sent in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    /// GSM 03.38 7-bit default alphabet (with its extension table).
    Gsm7,
    /// UCS-2 (UTF-16; characters beyond the BMP take two units).
    Ucs2,
}

/// What a text costs to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SmsSegments {
    /// Encoding the text needs.
    pub encoding: Encoding,
    /// Septets (GSM-7, extension characters count 2) or UTF-16 units (UCS-2).
    pub units: usize,
    /// SMS parts needed; an empty text still goes as one.
    pub segments: usize,
}

const GSM_SINGLE: usize = 160;
const GSM_PART: usize = 153;
const UCS2_SINGLE: usize = 70;
const UCS2_PART: usize = 67;

/// True for characters of the GSM 7-bit default alphabet's basic table.
pub fn is_gsm_basic(c: char) -> bool {
    matches!(c,
        '@' | '£' | '$' | '¥' | 'è' | 'é' | 'ù' | 'ì' | 'ò' | 'Ç' | '\n' | 'Ø' | 'ø' | '\r' | 'Å' | 'å'
        | 'Δ' | '_' | 'Φ' | 'Γ' | 'Λ' | 'Ω' | 'Π' | 'Ψ' | 'Σ' | 'Θ' | 'Ξ' | 'Æ' | 'æ' | 'ß' | 'É'
        | ' ' | '!' | '"' | '#' | '¤' | '%' | '&' | '\'' | '(' | ')' | '*' | '+' | ',' | '-' | '.' | '/'
        | '0'..='9' | ':' | ';' | '<' | '=' | '>' | '?'
        | '¡' | 'A'..='Z' | 'Ä' | 'Ö' | 'Ñ' | 'Ü' | '§'
        | '¿' | 'a'..='z' | 'ä' | 'ö' | 'ñ' | 'ü' | 'à')
}

/// True for characters of the GSM extension table (sent as escape + character, 2 septets).
pub fn is_gsm_extension(c: char) -> bool {
    matches!(
        c,
        '\u{0C}' | '^' | '{' | '}' | '\\' | '[' | '~' | ']' | '|' | '€'
    )
}

/// Septets a character takes in GSM-7, or `None` when it is not in the alphabet.
fn gsm_cost(c: char) -> Option<usize> {
    if is_gsm_basic(c) {
        Some(1)
    } else if is_gsm_extension(c) {
        Some(2)
    } else {
        None
    }
}

/// The encoding, units and number of SMS parts of `text`.
pub fn segments(text: &str) -> SmsSegments {
    let gsm: Option<Vec<usize>> = text.chars().map(gsm_cost).collect();
    let (encoding, costs, single, part) = match gsm {
        Some(costs) => (Encoding::Gsm7, costs, GSM_SINGLE, GSM_PART),
        None => (
            Encoding::Ucs2,
            text.chars().map(char::len_utf16).collect(),
            UCS2_SINGLE,
            UCS2_PART,
        ),
    };
    let units: usize = costs.iter().sum();
    let segments = if units <= single {
        1
    } else {
        parts(&costs, part)
    };
    SmsSegments {
        encoding,
        units,
        segments,
    }
}

/// Parts needed when an escape sequence or a surrogate pair may not be split across parts.
fn parts(costs: &[usize], capacity: usize) -> usize {
    let mut n = 1;
    let mut fill = 0;
    for &c in costs {
        if fill + c > capacity {
            n += 1;
            fill = 0;
        }
        fill += c;
    }
    n
}

/// `text` unchanged when it fits in `max_segments` SMS; otherwise cut (at a word boundary
/// when one is near) and ended with an ellipsis so it does. The ellipsis is "..." for GSM-7
/// texts, since "…" is not in the GSM alphabet and would halve the room left.
pub fn fit(text: &str, max_segments: usize) -> String {
    if max_segments == 0 {
        return String::new();
    }
    if segments(text).segments <= max_segments {
        return text.to_string();
    }
    let bounds: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
    let candidate = |n: usize| -> String {
        let prefix = text[..bounds.get(n).copied().unwrap_or(text.len())].trim_end();
        let ellipsis = if segments(prefix).encoding == Encoding::Gsm7 {
            "..."
        } else {
            "…"
        };
        format!("{prefix}{ellipsis}")
    };
    let fits = |n: usize| segments(&candidate(n)).segments <= max_segments;
    // Longer prefixes never cost fewer parts, so the longest one that fits is found by bisection.
    let (mut lo, mut hi) = (0usize, bounds.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if fits(mid) { lo = mid } else { hi = mid - 1 }
    }
    // Prefer ending on a whole word if that costs at most a few characters.
    let cut = bounds.get(lo).copied().unwrap_or(text.len());
    let head = &text[..cut];
    if let Some(space) = head.rfind(char::is_whitespace) {
        let dropped = head[space..].chars().count();
        let next_is_break = text[cut..].chars().next().is_none_or(char::is_whitespace);
        if !next_is_break && dropped <= 15 && space > 0 {
            let n = head[..space].chars().count();
            return candidate(n);
        }
    }
    candidate(lo)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_accents() {
        for s in [
            "é è à ù É Ç",
            "ALERTE Kalehe: hommes armés à Numbi, déplacés",
        ] {
            assert_eq!(segments(s).encoding, Encoding::Gsm7, "{s}");
        }
        for s in ["ê", "â", "î", "ô", "û", "ç", "ë", "œ", "’", "«", "…", "É ç"] {
            assert_eq!(segments(s).encoding, Encoding::Ucs2, "{s}");
        }
        assert_eq!(
            segments("Kinga : alerte K-12 reçue.").encoding,
            Encoding::Ucs2
        );
    }

    #[test]
    fn limits() {
        let s = |n: usize, c: &str| c.repeat(n);
        assert_eq!(
            segments(&s(160, "a")),
            SmsSegments {
                encoding: Encoding::Gsm7,
                units: 160,
                segments: 1
            }
        );
        assert_eq!(segments(&s(161, "a")).segments, 2);
        assert_eq!(segments(&s(306, "a")).segments, 2);
        assert_eq!(segments(&s(307, "a")).segments, 3);
        assert_eq!(
            segments(&s(80, "€")),
            SmsSegments {
                encoding: Encoding::Gsm7,
                units: 160,
                segments: 1
            }
        );
        assert_eq!(segments(&s(81, "€")).segments, 2);
        // 152 septets then an escape pair: the pair moves whole to part two.
        assert_eq!(
            segments(&format!("{}€{}", s(152, "a"), s(7, "a"))).segments,
            2
        );
        assert_eq!(
            segments(&format!("{}€{}", s(152, "a"), s(152, "a"))).segments,
            3
        );
        assert_eq!(
            segments(&s(70, "ê")),
            SmsSegments {
                encoding: Encoding::Ucs2,
                units: 70,
                segments: 1
            }
        );
        assert_eq!(segments(&s(71, "ê")).segments, 2);
        assert_eq!(segments(&s(134, "ê")).segments, 2);
        assert_eq!(segments(&s(135, "ê")).segments, 3);
        assert_eq!(segments("😀").units, 2);
        assert_eq!(segments(&s(35, "😀")).segments, 1);
        assert_eq!(segments(&s(36, "😀")).segments, 2);
        assert_eq!(segments("").segments, 1);
    }

    #[test]
    fn fit_truncates_with_the_right_ellipsis() {
        let short = "Kinga : alerte K-12 reçue.";
        assert_eq!(fit(short, 1), short);
        let long = "Kinga: alerte K-1042 cloturee. Ce qui a ete fait: une patrouille de la MONUSCO est passee a Kanyabayonga et a rencontre le comite local de protection. Merci pour votre alerte.";
        let f = fit(long, 1);
        assert!(f.ends_with("...") && !f.contains('…'), "{f}");
        assert_eq!(segments(&f).segments, 1);
        assert!(f.len() > 140, "{f}");
        assert!(long.starts_with(f.trim_end_matches("...")));
        let accented = format!("{long} Très bien reçue, à bientôt.");
        let f = fit(&accented, 1);
        assert_eq!(segments(&f).segments, 1);
        assert_eq!(f, fit(&accented, 1));
        let ucs = "ê".repeat(200);
        let f = fit(&ucs, 2);
        assert!(f.ends_with('…'));
        assert_eq!(
            segments(&f),
            SmsSegments {
                encoding: Encoding::Ucs2,
                units: 134,
                segments: 2
            }
        );
        assert_eq!(fit(&ucs, 0), "");
        assert_eq!(segments(&fit(&"x".repeat(1000), 3)).segments, 3);
    }
}
