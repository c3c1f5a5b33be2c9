//! The keyword that opens a message ("ALERTE", "HATARI", "URGENT", "REPONSE" …), also when
//! misspelt ("ALRTE") or run into the next word ("ALERTEMasisi").

use super::lexicon::{self, KEYWORDS, Keyword, Lang};
use super::parse::{Role, flag};
use super::token::Token;

/// First words searched for a keyword ("Bonjour URGENT ALERTE …").
pub(super) const KEYWORD_WINDOW: usize = 3;
/// First words tried as a misspelt keyword.
const FUZZY_KEYWORD_WINDOW: usize = 2;

/// Collapse repeated letters: "alerteee" and "allerte" both give "alerte".
fn squeeze(w: &str) -> String {
    let mut out = String::with_capacity(w.len());
    for c in w.chars() {
        if !out.ends_with(c) {
            out.push(c);
        }
    }
    out
}

fn keyword_exact(w: &str) -> Option<&'static Keyword> {
    KEYWORDS.iter().find(|k| k.spellings.contains(&w))
}

fn keyword_fuzzy(w: &str) -> Option<&'static Keyword> {
    if w.len() < 4 || w.len() > 14 || !w.bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    let sw = squeeze(w);
    KEYWORDS.iter().find(|k| {
        k.spellings.iter().any(|s| {
            s.len() >= 5
                && (strsim::osa_distance(s, w) <= 1 || strsim::osa_distance(&squeeze(s), &sw) <= 1)
        })
    })
}

/// "ALERTEMasisi": a keyword run into the next word is cut off it, when the keyword is
/// written in plain ASCII so the cut falls on the same bytes in the text.
pub(super) fn split_glued_keyword(text: &str, tokens: &mut Vec<Token>) {
    let Some(first) = tokens.first() else { return };
    if keyword_exact(&first.norm).is_some() {
        return;
    }
    let mut spellings: Vec<&str> = KEYWORDS
        .iter()
        .flat_map(|k| k.spellings.iter().copied())
        .filter(|s| s.len() >= 5)
        .collect();
    spellings.sort_by_key(|s| std::cmp::Reverse(s.len()));
    let raw = text.get(first.start..first.end).unwrap_or("");
    for s in spellings {
        let n = s.len();
        if first.norm.len() >= n + 3
            && first.norm.starts_with(s)
            && raw
                .get(..n)
                .is_some_and(|head| head.eq_ignore_ascii_case(s))
        {
            let rest = Token {
                start: first.start + n,
                end: first.end,
                norm: first.norm[n..].to_string(),
            };
            tokens[0] = Token {
                start: first.start,
                end: first.start + n,
                norm: s.to_string(),
            };
            tokens.insert(1, rest);
            return;
        }
    }
}

/// True for words the grammar knows, which are never taken for a misspelt keyword
/// ("habari" is a greeting, not "hatari").
fn is_known_word(w: &str) -> bool {
    lexicon::function_word(w).is_some()
        || lexicon::severity_word(w).is_some()
        || lexicon::is_negator(w)
}

/// The keyword of a message.
#[derive(Debug, Clone, Copy)]
pub(super) struct KeywordFound {
    pub(super) canonical: &'static str,
    pub(super) lang: Option<Lang>,
    pub(super) severity: Option<u8>,
}

/// The keyword among the first words. All keywords there are consumed ("URGENT ALERTE"):
/// the most telling one is reported (ALERTE rather than URGENT), with the urgency of any.
pub(super) fn read_keyword(
    tokens: &[Token],
    roles: &mut [Role],
    votes: &mut [u32; 3],
    flags: &mut Vec<&'static str>,
) -> Option<KeywordFound> {
    let mut found: Vec<&'static Keyword> = Vec::new();
    for (i, t) in tokens.iter().enumerate().take(KEYWORD_WINDOW) {
        if roles[i] == Role::Free {
            if let Some(k) = keyword_exact(&t.norm) {
                roles[i] = Role::Keyword;
                found.push(k);
            }
        }
    }
    if found.is_empty() {
        for (i, t) in tokens.iter().enumerate().take(FUZZY_KEYWORD_WINDOW) {
            if roles[i] == Role::Free && !is_known_word(&t.norm) {
                if let Some(k) = keyword_fuzzy(&t.norm) {
                    roles[i] = Role::Keyword;
                    found.push(k);
                    flags.push(flag::KEYWORD_MISSPELT);
                    break;
                }
            }
        }
    }
    for k in &found {
        if let Some(l) = k.lang {
            votes[l.index()] += 2;
        }
    }
    let best = found
        .iter()
        .find(|k| k.severity.is_none())
        .or(found.first())
        .copied();
    if best.is_none() {
        flags.push(flag::NO_KEYWORD);
    }
    best.map(|k| KeywordFound {
        canonical: k.canonical,
        lang: k.lang.or_else(|| found.iter().find_map(|f| f.lang)),
        severity: found.iter().filter_map(|f| f.severity).max(),
    })
}
