//! The SMS grammar against a corpus of realistic messages (French, English, Swahili; typos,
//! missing fields, mixed languages, codes, replies, plain text), resolved against the
//! reference gazetteer built from the shared P-code and GeoNames files.
//!
//! `tests/sms_corpus.tsv` has one message a line, tab-separated: message, sender's place,
//! sender's language, expected threat type, severity, language, place, a P-code that must be
//! among the candidates, the K-reference, and the gazetteer (empty for the reference one,
//! `demo` for the demo's, which the rows taken from the blind corpus name). Empty expected
//! fields mean "none"; an empty candidate column and a place of `*` mean "not checked"; a
//! place of `~CODE` means no place but the area `CODE`. At least 95% of rows must match in
//! full; failures are printed.

#[path = "support/demo.rs"]
mod demo;
mod support;

use kinga_domain::sms::{ParseContext, ParsedSms, parse};

struct Row {
    line: usize,
    message: String,
    sender_place: Option<String>,
    sender_language: Option<String>,
    threat_type: Option<String>,
    severity: Option<u8>,
    language: Option<String>,
    place: Option<String>,
    candidate: Option<String>,
    reference: Option<String>,
    demo: bool,
}

fn opt(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn corpus() -> Vec<Row> {
    let text = include_str!("sms_corpus.tsv");
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.is_empty() || line.starts_with('#') || line.starts_with("message\t") {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        assert!(
            f.len() >= 8,
            "line {}: expected at least 8 tab-separated fields, got {}",
            i + 1,
            f.len()
        );
        rows.push(Row {
            line: i + 1,
            message: f[0].replace("\\n", "\n"),
            sender_place: opt(f.get(1).copied()),
            sender_language: opt(f.get(2).copied()),
            threat_type: opt(f.get(3).copied()),
            severity: opt(f.get(4).copied()).map(|s| s.parse().expect("severity is a number")),
            language: opt(f.get(5).copied()),
            place: opt(f.get(6).copied()),
            candidate: opt(f.get(7).copied()),
            reference: opt(f.get(8).copied()),
            demo: opt(f.get(9).copied()).as_deref() == Some("demo"),
        });
    }
    rows
}

fn mismatches(row: &Row, got: &ParsedSms) -> Vec<String> {
    let mut out = Vec::new();
    let threat = got.threat_type.map(|t| t.as_str().to_string());
    if threat != row.threat_type {
        out.push(format!("threat_type {threat:?} != {:?}", row.threat_type));
    }
    let severity = got.severity.map(|s| s.level());
    if severity != row.severity {
        out.push(format!("severity {severity:?} != {:?}", row.severity));
    }
    if got.language != row.language {
        out.push(format!("language {:?} != {:?}", got.language, row.language));
    }
    match row.place.as_deref().map(|p| (p, p.strip_prefix('~'))) {
        Some(("*", _)) => {}
        Some((_, Some(area))) => {
            if got.place.is_some() || got.place_area.as_deref() != Some(area) {
                out.push(format!(
                    "place {:?} (area {:?}) != area {area}",
                    got.place, got.place_area
                ));
            }
        }
        _ => {
            if got.place != row.place {
                out.push(format!("place {:?} != {:?}", got.place, row.place));
            }
        }
    }
    if let Some(c) = &row.candidate {
        if !got.place_candidates.iter().any(|p| &p.pcode == c) {
            out.push(format!("candidates lack {c}"));
        }
    }
    if got.reference != row.reference {
        out.push(format!(
            "reference {:?} != {:?}",
            got.reference, row.reference
        ));
    }
    out
}

#[test]
fn corpus_parses() {
    let gazetteer = support::gazetteer();
    let demo_gazetteer = demo::gazetteer();
    let rows = corpus();
    assert!(
        rows.len() >= 200,
        "the corpus has {} messages; it should have at least 200",
        rows.len()
    );
    let mut failed = 0;
    // Per field: (name, right, scored).
    let mut fields: Vec<(&str, usize, usize)> = [
        "threat type",
        "severity",
        "language",
        "place",
        "candidate",
        "reference",
    ]
    .iter()
    .map(|f| (*f, 0, 0))
    .collect();
    for row in &rows {
        let ctx = ParseContext {
            gazetteer: if row.demo {
                &demo_gazetteer
            } else {
                &gazetteer
            },
            default_place: row.sender_place.as_deref(),
            default_language: row.sender_language.as_deref(),
        };
        let got = parse(&row.message, &ctx);
        let m = mismatches(row, &got);
        for (name, right, scored) in &mut fields {
            let key = match *name {
                "threat type" => "threat_type",
                "candidate" => "candidates",
                other => other,
            };
            let checked = match *name {
                "place" => row.place.as_deref() != Some("*"),
                "candidate" => row.candidate.is_some(),
                _ => true,
            };
            if checked {
                *scored += 1;
                *right += usize::from(!m.iter().any(|x| x.starts_with(key)));
            }
        }
        if !m.is_empty() {
            failed += 1;
            eprintln!(
                "line {}: {:?}\n  {}\n  got {}",
                row.line,
                row.message,
                m.join("; "),
                serde_json::to_string(&got).unwrap_or_default()
            );
        }
    }
    eprintln!("| field | right | share |\n| --- | ---: | ---: |");
    for (name, right, scored) in &fields {
        let share = 100.0 * *right as f64 / (*scored).max(1) as f64;
        eprintln!("| {name} | {right}/{scored} | {share:.1} % |");
    }
    let passed = rows.len() - failed;
    let rate = passed as f64 / rows.len() as f64;
    eprintln!(
        "SMS corpus: {passed} of {} messages parsed as expected ({:.1}%)",
        rows.len(),
        rate * 100.0
    );
    assert!(
        rate >= 0.95,
        "only {:.1}% of the corpus parsed as expected (95% required)",
        rate * 100.0
    );
}
