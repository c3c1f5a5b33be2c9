//! Context events: `kinga import context --format ucdp-ged|acled FILE` reads UCDP GED and
//! ACLED CSV files in their published column layouts (fixtures in `context/`), keeps each
//! event with its source and licence note as a ledger event that `kinga verify` rebuilds,
//! and the map shows them beside the alerts (`/api/v1/map/context`, diamonds and a table on
//! `/map`) without counting them with the alerts.

use std::collections::BTreeSet;
use std::path::PathBuf;

use chrono::{Duration, NaiveDate, Utc};
use reqwest::Method;
use serde_json::{Value, json};

use crate::harness::{Backend, Server, call};
use crate::on_both_stores;

/// The fixtures' file, in the data set's published column layout.
fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/integration/context")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The fixture with its November 2026 days moved so that its newest day (2026-11-25) is
/// `newest` days before today: the map's windows count back from today.
pub fn recent(name: &str, newest: i64) -> String {
    let base = NaiveDate::from_ymd_opt(2026, 11, 25).expect("day");
    let shift = (Utc::now().date_naive() - Duration::days(newest)) - base;
    let mut text = fixture(name);
    // Later days first, so a moved day is never moved again.
    for d in (18..=25).rev() {
        let from = format!("2026-11-{d}");
        let to = (NaiveDate::from_ymd_opt(2026, 11, d).expect("day") + shift).to_string();
        text = text.replace(&from, &format!("@{to}@"));
    }
    text.replace('@', "")
}

/// Write `text` beside the server's database and import it as `format`.
pub fn import(s: &Server, format: &str, name: &str, text: &str) -> std::process::Output {
    let path = s.dir().join(name);
    std::fs::write(&path, text).expect("write fixture");
    let p = path.to_string_lossy().to_string();
    s.cli(&["import", "context", &p, "--format", format], None)
}

fn items(v: &Value) -> &Vec<Value> {
    v["items"].as_array().expect("items")
}

async fn context_events_are_imported_shown_and_never_counted(backend: Backend) {
    let Some(s) = Server::start(backend).await else {
        return;
    };
    let admin = s.token.clone();
    // One community alert in Kiwanja.
    let (st, a) = s
        .post(
            "/api/v1/alerts",
            json!({"text": "Hommes armés à Kiwanja", "place": "CD6111-V001",
                   "threat_type": "armed_presence", "severity": 3}),
        )
        .await;
    assert_eq!(st, 201, "{a}");
    let (_, before) = call(&s, &admin, Method::GET, "/api/v1/map/summary", None).await;
    assert_eq!(before["total"], 1);

    // A file in the other layout is refused by its missing column, and nothing is written.
    let ged = recent("ucdp-ged-sample.csv", 3);
    let acled = recent("acled-sample.csv", 3);
    let out = import(&s, "ucdp-ged", "wrong.csv", &acled);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no 'id' column"), "{err}");
    // A bad row names its row and writes nothing either.
    let bad = acled.replacen("0.7000,29.5167", "97.1,29.5167", 1);
    let out = import(&s, "acled", "bad.csv", &bad);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("row 2"));
    let none = s
        .sql_column(
            "SELECT count(*) FROM context_events",
            "SELECT count(*) FROM context_events",
        )
        .await[0]
        .parse::<u64>()
        .expect("a count");
    assert_eq!(none, 0);

    for (format, name, text) in [
        ("ucdp-ged", "ged.csv", &ged),
        ("acled", "acled.csv", &acled),
    ] {
        let out = import(&s, format, name, text);
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{said}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(said.contains("imported 3"), "{said}");
    }
    // Importing a release again replaces its events by their ids.
    assert!(import(&s, "ucdp-ged", "ged.csv", &ged).status.success());

    let today = Utc::now().date_naive();
    let window = format!("from={}&to={today}", today - Duration::days(29));
    let (st, all) = call(
        &s,
        &admin,
        Method::GET,
        &format!("/api/v1/map/context?{window}"),
        None,
    )
    .await;
    assert_eq!(st, 200, "{all}");
    assert_eq!(items(&all).len(), 6, "{all}");
    let ged_events: Vec<&Value> = items(&all)
        .iter()
        .filter(|e| e["dataset"] == "ucdp_ged")
        .collect();
    assert_eq!(ged_events.len(), 3);
    assert!(
        ged_events
            .iter()
            .all(|e| e["licence"].as_str().unwrap_or("").contains("CC BY 4.0"))
    );
    let kiwanja = items(&all)
        .iter()
        .find(|e| e["id"] == "acled:DRC34002")
        .expect("the ACLED clash at Kiwanja");
    assert_eq!(kiwanja["event_type"], "Battles");
    assert_eq!(kiwanja["location"], "Kiwanja");
    assert!(kiwanja["licence"].as_str().unwrap_or("").contains("ACLED"));
    // Newest day first.
    let days: Vec<&str> = items(&all)
        .iter()
        .filter_map(|e| e["date"].as_str())
        .collect();
    assert!(days.windows(2).all(|w| w[0] >= w[1]), "{days:?}");

    // Filters: the data set, an actor (any of the names an event gives), the window.
    let (_, acled_only) = call(
        &s,
        &admin,
        Method::GET,
        &format!("/api/v1/map/context?{window}&dataset=acled"),
        None,
    )
    .await;
    assert_eq!(items(&acled_only).len(), 3);
    let (_, m23) = call(
        &s,
        &admin,
        Method::GET,
        &format!("/api/v1/map/context?{window}&actor=m23"),
        None,
    )
    .await;
    let m23: BTreeSet<&str> = items(&m23)
        .iter()
        .filter_map(|e| e["id"].as_str())
        .collect();
    assert_eq!(
        m23,
        BTreeSet::from(["acled:DRC34002", "ucdp_ged:512001", "ucdp_ged:512002"])
    );
    let old = format!(
        "from={}&to={}",
        today - Duration::days(400),
        today - Duration::days(60)
    );
    let (_, none) = call(
        &s,
        &admin,
        Method::GET,
        &format!("/api/v1/map/context?{old}"),
        None,
    )
    .await;
    assert!(items(&none).is_empty());
    // Keyset pages of two, without gap or repeat.
    let mut seen = Vec::new();
    let mut path = format!("/api/v1/map/context?{window}&limit=2");
    loop {
        let (st, page) = call(&s, &admin, Method::GET, &path, None).await;
        assert_eq!(st, 200, "{page}");
        seen.extend(
            items(&page)
                .iter()
                .filter_map(|e| e["id"].as_str().map(String::from)),
        );
        match page["next"].as_str() {
            Some(next) => path = format!("/api/v1/map/context?{window}&limit=2&after={next}"),
            None => break,
        }
    }
    let all_ids: Vec<String> = items(&all)
        .iter()
        .filter_map(|e| e["id"].as_str().map(String::from))
        .collect();
    assert_eq!(seen, all_ids);
    let (st, _) = call(
        &s,
        &admin,
        Method::GET,
        "/api/v1/map/context?after=nonsense",
        None,
    )
    .await;
    assert_eq!(st, 422);

    // Never counted with the alerts: the map's summary, the alert list and the exports.
    let (_, after) = call(&s, &admin, Method::GET, "/api/v1/map/summary", None).await;
    assert_eq!(after["total"], 1);
    assert_eq!(after["hotspots"], before["hotspots"]);
    let (_, list) = call(&s, &admin, Method::GET, "/api/v1/alerts", None).await;
    assert_eq!(list["total"], 1, "{list}");

    // A viewer reads them (public data sets) but may not import.
    s.add_user("vera", "viewer", "correct horse battery staple");
    let viewer = s.token_for("vera");
    let (st, v) = call(
        &s,
        &viewer,
        Method::GET,
        &format!("/api/v1/map/context?{window}"),
        None,
    )
    .await;
    assert_eq!((st, items(&v).len()), (200, 6));

    // The page's diamonds, table and actor filter are clicked in `browser/map_context.rs`.

    // Stored as ledger events: verify rebuilds the table from them.
    let (ok, said) = s.verify();
    assert!(ok, "{said}");
    let n = s
        .sql_column(
            "SELECT count(*) FROM events WHERE json_extract(payload, '$.type') = 'context_event_saved'",
            "SELECT count(*) FROM events WHERE payload::json->>'type' = 'context_event_saved'",
        )
        .await[0]
        .parse::<u64>()
        .expect("a count");
    assert_eq!(n, 9, "three events a file, the GED file twice");
}
on_both_stores!(
    context_events_are_imported_shown_and_never_counted,
    super::context_events_are_imported_shown_and_never_counted
);
