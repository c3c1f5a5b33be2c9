//! The SMS grammar measured against a corpus written blind to it (`sms_blind_corpus.tsv`,
//! provenance in `sms_blind_corpus.md`), resolved against the demo's gazetteer. It prints
//! per-field accuracy and fails only when a field falls below its floor: the floors are the
//! figures reached, less a small margin, so a regression shows while the labels (one
//! analyst's judgement) are never asserted in full. Figures over time:
//! `docs/sms-grammar-accuracy.md`.
//!
//! Scoring, per field:
//! - threat type: the label, or none for `-`;
//! - severity: what the alert gets (the severity read, else the type's default, else 2, as
//!   the intake does) equals the label, or is within 1 of it; for `-` ("cannot tell"), right
//!   when the parser read no severity;
//! - place: what the alert gets (`place`, else the enclosing area `place_area`) equals the
//!   label; a GeoNames town the demo holds as `<territory>-Snnn` counts for its territory's
//!   label (the corpus labels such towns by territory); `?` is right when no place is picked
//!   and at least two candidates are kept or ambiguity is flagged; `-` when no place is set;
//! - language: the label; where the notes say it cannot be told, none is right too.
//!
//! Both entry points are measured: `parse` (an SMS) and `read_text` (a form, the call log,
//! the API) must read every message alike.

#[path = "support/demo.rs"]
mod demo;
// Only the readers of the shared files are used here, not the reference gazetteer.
#[allow(dead_code)]
mod support;

use kinga_domain::place::{Gazetteer, PlaceLevel};
use kinga_domain::sms::{ParseContext, ParsedSms, parse, read_text};

/// Floors, in per cent of the rows scored (see `docs/sms-grammar-accuracy.md`).
const FLOOR_THREAT: f64 = 73.0;
const FLOOR_SEVERITY: f64 = 62.0;
const FLOOR_SEVERITY_NEAR: f64 = 95.0;
const FLOOR_PLACE: f64 = 95.5;
const FLOOR_LANGUAGE: f64 = 95.0;

struct Row {
    line: usize,
    text: String,
    lang: String,
    threat: Option<String>,
    severity: Option<u8>,
    place: String,
    notes: String,
}

fn corpus() -> Vec<Row> {
    let mut rows = Vec::new();
    for (i, line) in include_str!("sms_blind_corpus.tsv").lines().enumerate() {
        if i == 0 || line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        assert!(f.len() >= 5, "line {}: {} fields", i + 1, f.len());
        let dash = |s: &str| (s.trim() != "-").then(|| s.trim().to_string());
        rows.push(Row {
            line: i + 1,
            text: f[0].to_string(),
            lang: f[1].trim().to_string(),
            threat: dash(f[2]),
            severity: dash(f[3]).map(|s| s.parse().expect("severity is 1-4")),
            place: f[4].trim().to_string(),
            notes: f.get(5).copied().unwrap_or("").to_string(),
        });
    }
    rows
}

/// One field's tally.
#[derive(Default)]
struct Tally {
    right: usize,
    scored: usize,
}

impl Tally {
    fn add(&mut self, ok: bool) {
        self.scored += 1;
        self.right += usize::from(ok);
    }
    fn share(&self) -> f64 {
        100.0 * self.right as f64 / self.scored.max(1) as f64
    }
}

/// What a text says, less the flags about its form (a keyword is only expected by SMS).
fn reading(p: &ParsedSms) -> impl PartialEq + std::fmt::Debug + '_ {
    (
        p.threat_type,
        p.severity,
        &p.language,
        &p.place,
        &p.place_area,
        &p.place_candidates,
        &p.place_name,
    )
}

/// The severity the alert gets, as the intake decides it.
fn effective_severity(got: &ParsedSms) -> u8 {
    got.severity
        .or_else(|| got.threat_type.map(|t| t.default_severity()))
        .map_or(2, |s| s.level())
}

fn place_right(row: &Row, got: &ParsedSms, gaz: &Gazetteer) -> bool {
    let given = got.place.as_deref().or(got.place_area.as_deref());
    match row.place.as_str() {
        "-" => given.is_none(),
        "?" => {
            got.place.is_none()
                && (got.place_candidates.len() >= 2
                    || got.flags.iter().any(|f| f == "place_ambiguous"))
        }
        label => given.is_some_and(|g| {
            g == label || {
                let (Some(p), Some(l)) = (gaz.get(g), gaz.get(label)) else {
                    return false;
                };
                // A GeoNames town, labelled by the territory holding it.
                l.level == PlaceLevel::Admin2
                    && p.level == PlaceLevel::Settlement
                    && p.pcode.starts_with(&format!("{label}-S"))
            }
        }),
    }
}

fn language_right(row: &Row, got: &ParsedSms) -> bool {
    let undeterminable =
        row.notes.contains("undeterminable") || row.notes.contains("not determinable");
    got.language.as_deref() == Some(row.lang.as_str()) || (undeterminable && got.language.is_none())
}

#[test]
fn blind_corpus_accuracy() {
    let gaz = demo::gazetteer();
    let ctx = ParseContext {
        gazetteer: &gaz,
        default_place: None,
        default_language: None,
    };
    let rows = corpus();
    assert_eq!(rows.len(), 305, "the blind corpus has 305 messages");
    let (mut threat, mut severity, mut near, mut place, mut language, mut whole) = (
        Tally::default(),
        Tally::default(),
        Tally::default(),
        Tally::default(),
        Tally::default(),
        Tally::default(),
    );
    for row in &rows {
        let got = parse(&row.text, &ctx);
        let typed = read_text(&row.text, &ctx);
        assert_eq!(
            reading(&got),
            reading(&typed),
            "line {}: one reading whatever the channel",
            row.line
        );
        let t_ok = got.threat_type.map(|t| t.as_str().to_string()) == row.threat;
        let eff = effective_severity(&got);
        let (s_ok, n_ok) = match row.severity {
            Some(s) => (eff == s, eff.abs_diff(s) <= 1),
            None => (got.severity.is_none(), got.severity.is_none()),
        };
        let p_ok = place_right(row, &got, &gaz);
        let l_ok = language_right(row, &got);
        threat.add(t_ok);
        severity.add(s_ok);
        near.add(n_ok);
        place.add(p_ok);
        language.add(l_ok);
        whole.add(t_ok && s_ok && p_ok && l_ok);
        if !(t_ok && s_ok && p_ok && l_ok) {
            let mut why = Vec::new();
            if !t_ok {
                why.push(format!(
                    "threat {:?} want {:?}",
                    got.threat_type.map(|t| t.as_str()),
                    row.threat
                ));
            }
            if !s_ok {
                why.push(format!(
                    "severity {eff} (read {:?}) want {:?}",
                    got.severity.map(|s| s.level()),
                    row.severity
                ));
            }
            if !p_ok {
                let cands: Vec<String> = got
                    .place_candidates
                    .iter()
                    .map(|c| format!("{} {} {}", c.pcode, c.name, c.score))
                    .collect();
                why.push(format!(
                    "place {:?}/{:?} want {} [{}] {:?}",
                    got.place,
                    got.place_area,
                    row.place,
                    cands.join("; "),
                    got.flags
                ));
            }
            if !l_ok {
                why.push(format!("language {:?} want {}", got.language, row.lang));
            }
            eprintln!(
                "line {}: {}\n    {}",
                row.line,
                row.text,
                why.join("\n    ")
            );
        }
    }
    eprintln!("\nblind corpus, {} messages, demo gazetteer", rows.len());
    eprintln!("| field | right | share |");
    eprintln!("| --- | ---: | ---: |");
    for (name, t) in [
        ("threat type", &threat),
        ("severity (exact)", &severity),
        ("severity (within 1)", &near),
        ("place", &place),
        ("language", &language),
        ("all four", &whole),
    ] {
        eprintln!("| {name} | {}/{} | {:.1} % |", t.right, t.scored, t.share());
    }
    for (name, t, floor) in [
        ("threat type", &threat, FLOOR_THREAT),
        ("severity", &severity, FLOOR_SEVERITY),
        ("severity within 1", &near, FLOOR_SEVERITY_NEAR),
        ("place", &place, FLOOR_PLACE),
        ("language", &language, FLOOR_LANGUAGE),
    ] {
        assert!(
            t.share() >= floor,
            "{name}: {:.1} % is below the floor of {floor} %",
            t.share()
        );
    }
}
