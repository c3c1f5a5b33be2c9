//! Codes in a message: K-numbers of earlier alerts, type and severity codes (`A3`, `S4`,
//! `a3s4`, `A-3`) and severity levels ("niveau 4").

use super::lexicon;
use super::parse::{Role, flag};
use super::token::{Token, gap};
use crate::ThreatType;

/// Longest K-number.
const REFERENCE_DIGITS: usize = 9;

/// Codes found in a message.
#[derive(Debug, Default)]
pub(super) struct Codes {
    pub(super) threat: Option<ThreatType>,
    pub(super) severity: Option<u8>,
    pub(super) reference: Option<String>,
}

fn is_number(s: &str, max_len: usize) -> bool {
    !s.is_empty() && s.len() <= max_len && s.bytes().all(|b| b.is_ascii_digit())
}

/// `A3`, `S4`, `a3s4`: letter and number pairs making up a whole word.
fn code_pairs(word: &str) -> Option<Vec<(u8, u32)>> {
    let b = word.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let letter = b[i];
        if !matches!(letter, b'a' | b's' | b'n') {
            return None;
        }
        i += 1;
        let digits_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == digits_start || i - digits_start > 2 {
            return None;
        }
        out.push((letter, word.get(digits_start..i)?.parse().ok()?));
    }
    (!out.is_empty()).then_some(out)
}

fn code_in_range(letter: u8, n: u32) -> bool {
    match letter {
        b'a' => (1..=ThreatType::ALL.len() as u32).contains(&n),
        _ => (1..=4).contains(&n),
    }
}

/// Read K-numbers, type and severity codes and severity levels; the first of each counts.
pub(super) fn read_codes(
    text: &str,
    tokens: &[Token],
    roles: &mut [Role],
    flags: &mut Vec<&'static str>,
) -> Codes {
    let mut c = Codes::default();
    fn apply(c: &mut Codes, letter: u8, n: u32) {
        match letter {
            b'a' => {
                c.threat = c
                    .threat
                    .or_else(|| ThreatType::ALL.get((n as usize).wrapping_sub(1)).copied())
            }
            _ => c.severity = c.severity.or(u8::try_from(n).ok()),
        }
    }
    let mut i = 0;
    while i < tokens.len() {
        let t = tokens[i].norm.as_str();
        let next = tokens.get(i + 1);
        let g = next.map(|n| gap(text, &tokens[i], n).trim()).unwrap_or("");
        let next_num = |max: usize| {
            next.filter(|n| is_number(&n.norm, max))
                .map(|n| n.norm.as_str())
        };
        if let Some(digits) = t
            .strip_prefix('k')
            .filter(|d| is_number(d, REFERENCE_DIGITS))
        {
            c.reference.get_or_insert_with(|| format!("K-{digits}"));
            roles[i] = Role::Reference;
        } else if let (true, Some(digits), true) = (
            t == "k",
            next_num(REFERENCE_DIGITS),
            matches!(g, "" | "-" | "#" | "_" | "n" | "no"),
        ) {
            c.reference.get_or_insert_with(|| format!("K-{digits}"));
            roles[i] = Role::Reference;
            roles[i + 1] = Role::Reference;
            i += 2;
            continue;
        } else if let Some(pairs) = code_pairs(t) {
            if pairs.iter().all(|&(l, n)| code_in_range(l, n)) {
                for (l, n) in pairs {
                    apply(&mut c, l, n);
                }
                roles[i] = Role::Code;
            } else if !flags.contains(&flag::INVALID_CODE) {
                flags.push(flag::INVALID_CODE);
            }
        } else if let (true, Some(digits), true) = (
            matches!(t, "a" | "s" | "n"),
            next_num(2),
            matches!(g, "-" | ":" | "="),
        ) {
            let (l, n) = (
                t.as_bytes().first().copied().unwrap_or(b'a'),
                digits.parse().unwrap_or(0),
            );
            if code_in_range(l, n) {
                apply(&mut c, l, n);
                roles[i] = Role::Code;
                roles[i + 1] = Role::Code;
                i += 2;
                continue;
            }
        } else if let (true, Some(digits)) = (lexicon::is_level_word(t), next_num(1)) {
            let n: u32 = digits.parse().unwrap_or(0);
            if g.chars().all(|ch| matches!(ch, ':' | '-' | '=')) && (1..=4).contains(&n) {
                c.severity = c.severity.or(u8::try_from(n).ok());
                roles[i] = Role::Code;
                roles[i + 1] = Role::Code;
                i += 2;
                continue;
            }
        }
        i += 1;
    }
    c
}
