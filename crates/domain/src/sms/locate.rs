//! Where a message says something happened: the words after the keyword, else a place
//! named anywhere in the text, else the sender's registered place. Ambiguity is reported,
//! never settled by guessing; the only tie broken is one the sender's own area settles, and
//! that is flagged.

use std::ops::Range;

use super::lexicon;
use super::parse::{ParseContext, Role, flag};
use super::token::{Token, gap, is_hard_break};
use crate::place::{self, Gazetteer, PICK_MIN_SCORE, PlaceCandidate, PlaceLevel, Stretch};

/// Candidates kept.
const CANDIDATES: usize = 5;
/// Longest place name read after a keyword, in words ("territoire de Rutshuru").
const SLOT_MAX: usize = 4;
/// Words of running text searched for place names; an SMS has far fewer, and this bounds
/// the work on pasted documents.
const SCAN_MAX_TOKENS: usize = 300;

/// The place of a message.
#[derive(Debug, Clone, Default)]
pub(super) struct Located {
    /// P-code, when unambiguous or taken from the sender.
    pub place: Option<String>,
    /// Candidates, best first.
    pub candidates: Vec<PlaceCandidate>,
    /// Words read as the place.
    pub place_name: Option<String>,
    /// Tokens of the resolved place words, removed from `unparsed`.
    pub slot: Option<Range<usize>>,
    /// The smallest area sure to contain the place (see [`super::ParsedSms::place_area`]).
    pub area: Option<String>,
}

/// Find the place; `keyword_end` is the index of the keyword, after which the grammar puts
/// the place.
pub(super) fn locate(
    text: &str,
    tokens: &[Token],
    roles: &[Role],
    keyword_end: Option<usize>,
    ctx: &ParseContext,
    flags: &mut Vec<&'static str>,
) -> Located {
    let gaz = ctx.gazetteer;
    let default_place = ctx.default_place.filter(|p| !p.trim().is_empty());
    let (lead, slot) = match keyword_end.map(|k| slot_after(text, tokens, roles, k)) {
        Some((lead, r)) if !r.is_empty() => (lead, Some(r)),
        _ => (0, None),
    };
    let best_slot = slot.as_ref().and_then(|s| {
        let ends =
            (s.start + 1..=s.end).filter(|&e| !lexicon::is_place_joiner(&tokens[e - 1].norm));
        best_name(text, tokens, gaz, ends.map(|e| s.start..e))
    });
    let slot_top = best_slot.as_ref().map_or(0.0, |(_, c)| top(c));
    // "Minova: des hommes armés venant de Sake": a message opening with a place and a colon
    // says first where it is about; the other places it names stay candidates.
    let head = if slot_top >= PICK_MIN_SCORE {
        None
    } else {
        head_before_colon(text, tokens, roles, keyword_end).and_then(|h| {
            best_name(text, tokens, gaz, (h.start..h.end).map(|s| s..h.end))
                .filter(|(_, c)| top(c) >= PICK_MIN_SCORE)
        })
    };
    // Words where the grammar puts the place, that name one, settle it: also through a
    // correction ("ALERTE Minowa"), which elsewhere in the text would count for less.
    let (candidates, used, others) = if slot_top >= PICK_MIN_SCORE {
        match best_slot {
            Some((r, c)) => (c, Some(r), Vec::new()),
            None => (Vec::new(), None, Vec::new()),
        }
    } else if let Some((r, c)) = head {
        let mut others = search_text(text, tokens, roles, gaz);
        others.retain(|o| !c.iter().any(|h| h.pcode == o.pcode));
        (c, Some(r), others)
    } else {
        let found = search_text(text, tokens, roles, gaz);
        match best_slot {
            Some((r, c)) if top(&found) <= slot_top => (c, Some(r), Vec::new()),
            _ => (found, None, Vec::new()),
        }
    };
    let in_text = used.is_none();
    let words = |r: &Range<usize>| text[tokens[r.start].start..tokens[r.end - 1].end].to_string();
    let mut out = Located {
        place: None,
        place_name: used.as_ref().map(words),
        candidates: shown(&candidates, others),
        slot: used.map(|r| lead.min(r.start)..r.end),
        area: None,
    };
    // Loose matches in another country than the sender's are a village the gazetteer does
    // not know ("Kiwanja" is not "Kināna" in Sudan): shown, but the sender's place is used.
    let sender_country = ctx
        .default_place
        .and_then(|dp| gaz.get(dp))
        .map(|p| p.country.as_str());
    let foreign_only = !candidates.is_empty()
        && top(&candidates) < PICK_MIN_SCORE
        && sender_country.is_some_and(|sc| {
            candidates
                .iter()
                .all(|c| gaz.get(&c.pcode).is_some_and(|p| p.country != sc))
        });
    if candidates.is_empty() || foreign_only {
        flags.push(if slot.is_some() {
            flag::PLACE_UNKNOWN
        } else {
            flag::PLACE_MISSING
        });
        out.place_name = slot.as_ref().map(words);
        out.slot = None;
        if let Some(dp) = default_place {
            if gaz.get(dp).is_some() {
                out.place = Some(dp.to_string());
                flags.push(flag::PLACE_FROM_SENDER);
            } else {
                flags.push(flag::SENDER_PLACE_UNKNOWN);
            }
        }
    } else if let Some(area) = in_text.then(|| between(text, tokens, roles, gaz)).flatten() {
        // "entre Mbau et Kamango", "axe Mbau-Kamango": neither place, but the stretch
        // between them, inside the area holding both.
        out.area = Some(area);
        flags.push(flag::PLACE_BETWEEN);
    } else {
        let settled = place::settle(&candidates, gaz);
        if settled.place.is_some() && !settled.is_area() {
            out.place = settled.place;
            flags.extend(settled.flags);
        } else if let Some(p) = by_sender_area(gaz, &candidates, default_place) {
            flags.push(flag::PLACE_DISAMBIGUATED_BY_SENDER);
            if candidates.iter().any(|c| c.pcode == p && c.score < 1.0) {
                flags.push(flag::PLACE_FUZZY);
            }
            out.place = Some(p);
        } else {
            // The intake records the area itself (and says so): the parse reports it beside
            // the candidates, as `place_area`.
            if settled.is_area() {
                out.area.clone_from(&settled.place);
            }
            flags.extend(
                settled
                    .flags
                    .into_iter()
                    .filter(|f| *f != place::flag::PLACE_IS_AREA),
            );
        }
    }
    if out.place.is_some() {
        out.area.clone_from(&out.place);
    }
    out
}

/// Dashes and conjunctions tried as a stretch between two places: each costs a few
/// resolutions, and a message has one or two.
const BETWEEN_TRIES: usize = 4;

/// Words that open a stretch between two places: "entre A et B", "between A and B", "kati ya
/// A na B".
fn opens_between(w: &str) -> bool {
    matches!(w, "entre" | "between" | "kati")
}

/// The area holding a stretch between two places the text names ("axe Mbau-Kamango",
/// "Numbi - Minova", "entre Lulingu et Shabunda", "between A and B"), when it is a territory
/// or smaller: a road across a province says too little to route by.
fn between(text: &str, tokens: &[Token], roles: &[Role], gaz: &Gazetteer) -> Option<String> {
    let n = tokens.len().min(SCAN_MAX_TOKENS);
    let free = |r: &Range<usize>| {
        roles[r.clone()]
            .iter()
            .all(|r| matches!(r, Role::Free | Role::Function))
    };
    let settled = |r: Option<(Range<usize>, Vec<PlaceCandidate>)>| {
        r.filter(|(_, c)| top(c) >= PICK_MIN_SCORE)
            .and_then(|(_, c)| place::settle(&c, gaz).place)
    };
    let mut tries = 0;
    for k in 0..n.saturating_sub(1) {
        let g = gap(text, &tokens[k], &tokens[k + 1]);
        let dash = g.contains(['-', '–', '—']) && !is_hard_break(g) && !g.contains(',');
        let opened = || (k.saturating_sub(3)..k).any(|j| opens_between(&tokens[j].norm));
        let right_start = if dash {
            k + 1
        } else if matches!(tokens[k + 1].norm.as_str(), "et" | "and" | "na") && opened() {
            k + 2
        } else {
            continue;
        };
        tries += 1;
        if tries > BETWEEN_TRIES {
            break;
        }
        let lefts = (k.saturating_sub(2)..=k)
            .map(|s| s..k + 1)
            .filter(|r| free(r));
        let rights = (right_start + 1..=n.min(right_start + 3))
            .map(|e| right_start..e)
            .filter(|r| free(r));
        let (Some(a), Some(b)) = (
            settled(best_name(text, tokens, gaz, lefts)),
            settled(best_name(text, tokens, gaz, rights)),
        ) else {
            continue;
        };
        // One name written with a dash ("Kalehe-Centre") is not two places, nor is a place
        // given with its area ("Kiwanja-Rutshuru"); "entre Lulingu et Shabunda" says it is.
        let whole = best_name(text, tokens, gaz, std::iter::once(k..right_start + 1));
        let nested = gaz.is_within(&a, &b) || gaz.is_within(&b, &a);
        if a == b || whole.is_some_and(|(_, c)| top(&c) >= 1.0) || (dash && nested) {
            continue;
        }
        let area = gaz.common_area(&a, &b)?;
        if area.level >= PlaceLevel::Admin2 {
            return Some(area.pcode.clone());
        }
    }
    None
}

/// Of the word ranges tried, the one naming a place best (ties to the later range tried, the
/// longer name when ranges grow: "Kasongo Lunda" over "Kasongo"), with its candidates.
fn best_name(
    text: &str,
    tokens: &[Token],
    gaz: &Gazetteer,
    ranges: impl Iterator<Item = Range<usize>>,
) -> Option<(Range<usize>, Vec<PlaceCandidate>)> {
    let mut best: Option<(Range<usize>, Vec<PlaceCandidate>)> = None;
    for r in ranges.filter(|r| !r.is_empty()) {
        let q = &text[tokens[r.start].start..tokens[r.end - 1].end];
        let found = without_countries(gaz, gaz.resolve(q, CANDIDATES));
        if !found.is_empty() && top(&found) >= best.as_ref().map_or(0.0, |(_, c)| top(c)) {
            best = Some((r, found));
        }
    }
    best
}

/// The words before a colon opening the message (after its keyword, if any), when they are
/// few enough to be a place's name ("Minova:", "Ici Kisangani:", "Kanyaruchinya site:").
fn head_before_colon(
    text: &str,
    tokens: &[Token],
    roles: &[Role],
    keyword_end: Option<usize>,
) -> Option<Range<usize>> {
    let start = keyword_end.map_or(0, |k| k + 1);
    let last = tokens.len().saturating_sub(1).min(start + SLOT_MAX);
    for end in start + 1..=last {
        if matches!(roles[end - 1], Role::Keyword | Role::Code | Role::Reference) {
            return None;
        }
        let g = gap(text, &tokens[end - 1], &tokens[end]);
        if g.contains(':') {
            return Some(start..end);
        }
        if is_hard_break(g) {
            return None;
        }
    }
    None
}

/// The candidates shown: those a place is settled among, the best of them first, then the
/// other places the message names, then the rest; at most [`CANDIDATES`].
fn shown(deciding: &[PlaceCandidate], others: Vec<PlaceCandidate>) -> Vec<PlaceCandidate> {
    let tier: Vec<PlaceCandidate> = place::top_tier(deciding, top(deciding))
        .into_iter()
        .cloned()
        .collect();
    let mut out = tier;
    out.extend(others);
    for c in deciding {
        if !out.iter().any(|o| o.pcode == c.pcode) {
            out.push(c.clone());
        }
    }
    out.truncate(CANDIDATES);
    out
}

fn top(c: &[PlaceCandidate]) -> f64 {
    c.iter().map(|c| c.score).fold(0.0, f64::max)
}

/// A country is never where an alert happened, and its name collides with ordinary words
/// ("mali" is Swahili for property).
fn without_countries(gaz: &Gazetteer, mut c: Vec<PlaceCandidate>) -> Vec<PlaceCandidate> {
    c.retain(|c| {
        gaz.get(&c.pcode)
            .is_none_or(|p| p.level != PlaceLevel::Country)
    });
    c
}

/// Tokens after the keyword that may name the place: past codes, severity words and a
/// preposition ("ALERTE S4 à Kiwanja"), up to the first threat word, common word, number or
/// full stop, at most [`SLOT_MAX`] words.
/// Returned with the index of the prepositions before the words, which go with them.
fn slot_after(
    text: &str,
    tokens: &[Token],
    roles: &[Role],
    keyword: usize,
) -> (usize, Range<usize>) {
    let n = tokens.len();
    let mut j = keyword + 1;
    let mut lead = None;
    while j < n {
        if matches!(
            roles[j],
            Role::Keyword | Role::Code | Role::Reference | Role::Severity
        ) {
            lead = None;
        } else if roles[j] != Role::Threat && lexicon::is_place_preposition(&tokens[j].norm) {
            lead.get_or_insert(j);
        } else {
            break;
        }
        j += 1;
    }
    let start = j;
    while j < n && j - start < SLOT_MAX {
        let t = &tokens[j];
        let fits = roles[j] == Role::Free
            || (roles[j] == Role::Function && lexicon::is_place_joiner(&t.norm));
        if !fits || t.norm.bytes().all(|b| b.is_ascii_digit()) {
            break;
        }
        if j > start && is_hard_break(gap(text, &tokens[j - 1], t)) {
            break;
        }
        j += 1;
    }
    while j > start && lexicon::is_place_joiner(&tokens[j - 1].norm) {
        j -= 1;
    }
    (lead.unwrap_or(start), start..j)
}

/// Places named anywhere in the text, searched in the stretches between keywords, codes
/// and threat words (so "pillage" never reaches the resolver as a village name).
fn search_text(
    text: &str,
    tokens: &[Token],
    roles: &[Role],
    gaz: &Gazetteer,
) -> Vec<PlaceCandidate> {
    let n = tokens.len().min(SCAN_MAX_TOKENS);
    let breaks = |r: Role| {
        matches!(
            r,
            Role::Keyword | Role::Code | Role::Reference | Role::Threat
        )
    };
    let mut stretches: Vec<Stretch> = Vec::new();
    let mut i = 0;
    while i < n {
        if breaks(roles[i]) {
            i += 1;
            continue;
        }
        // A stretch runs to the next threat word, code or keyword. One opened by a word of
        // movement ("vers Goma", "kutoka Sake", "from Kibumba") is set aside, up to the next
        // comma or full stop: it says where people go or come from.
        let start = i;
        let aside = lexicon::is_movement_word(&tokens[i].norm);
        i += 1;
        while i < n && !breaks(roles[i]) {
            let g = gap(text, &tokens[i - 1], &tokens[i]);
            if lexicon::is_movement_word(&tokens[i].norm)
                || (aside && (is_hard_break(g) || g.contains(',')))
            {
                break;
            }
            i += 1;
        }
        if roles[start..i].contains(&Role::Free) {
            stretches.push(Stretch {
                text: &text[tokens[start].start..tokens[i - 1].end],
                aside,
            });
        }
    }
    // Countries are dropped below: ask for more, so they do not crowd out the places.
    let mut out = without_countries(gaz, gaz.find_in_stretches(&stretches, 2 * CANDIDATES));
    out.truncate(CANDIDATES);
    out
}

/// Of the candidates tied at the top, the only one inside the sender's territory (or, failing
/// that, province).
fn by_sender_area(
    gaz: &Gazetteer,
    candidates: &[PlaceCandidate],
    default_place: Option<&str>,
) -> Option<String> {
    let lineage = gaz.lineage(default_place?);
    let tier = place::top_tier(candidates, top(candidates));
    for level in [PlaceLevel::Admin2, PlaceLevel::Admin1] {
        let Some(area) = lineage.iter().find(|p| p.level == level) else {
            continue;
        };
        let inside: Vec<&&PlaceCandidate> = tier
            .iter()
            .filter(|c| gaz.is_within(&c.pcode, &area.pcode))
            .collect();
        match inside.as_slice() {
            [one] => return Some(one.pcode.clone()),
            [] => continue,
            _ => return None,
        }
    }
    None
}
