//! Exports read by the ecosystem's own tools — libhxl reads the CSV's hashtags, the
//! `geojson` package parses the FeatureCollection, openpyxl opens the workbook — with the
//! alert list's filters, the same permissions, and no reporter's identity; the response
//! indicators and spikes reports; the spike job telling coordinators once.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde_json::{Value, json};

use crate::harness::{Backend, FURAHA, Server};
use crate::on_both_stores;

/// The venv's Python with libhxl, geojson and openpyxl, or `None` after kinga-testing's skip
/// (which fails under CI).
pub(crate) fn python() -> Option<String> {
    let Ok(py) = std::env::var("KINGA_PYTHON") else {
        kinga_testing::skip(
            "exports read by libhxl, geojson and openpyxl",
            "KINGA_PYTHON is not set (scripts/test makes a venv with them)",
        );
        return None;
    };
    let probe = Command::new(&py)
        .args(["-c", "import hxl, geojson, openpyxl"])
        .output();
    if !probe.as_ref().is_ok_and(|o| o.status.success()) {
        kinga_testing::skip(
            "exports read by libhxl, geojson and openpyxl",
            &format!("{py} cannot import hxl, geojson and openpyxl: {probe:?}"),
        );
        return None;
    }
    Some(py)
}

/// What the Python reader makes of an export saved in `file`.
pub(crate) fn read_with_python(py: &str, kind: &str, file: &Path) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/integration/exports_check.py");
    let out = Command::new(py)
        .arg(script)
        .arg(kind)
        .arg(file)
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "{kind}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("python printed JSON")
}

/// GET with a token; status and body bytes.
async fn fetch(s: &Server, token: &str, path: &str) -> (u16, Vec<u8>, String) {
    let r = reqwest::Client::new()
        .get(format!("{}{path}", s.base))
        .bearer_auth(token)
        .send()
        .await
        .expect("request");
    let status = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (status, r.bytes().await.expect("body").to_vec(), ct)
}

async fn alert(s: &Server, body: Value) -> Value {
    let (st, a) = s.post("/api/v1/alerts", body).await;
    assert_eq!(st, 201, "{a}");
    a
}

fn token_of(s: &Server, name: &str, role: &str) -> String {
    s.add_user(name, role, &format!("{name}-password-7x!"));
    s.token_for(name)
}

async fn exports_are_read_by_their_ecosystems_tools(backend: Backend) {
    let Some(s) = Server::start(backend).await else {
        return;
    };
    let Some(py) = python() else { return };
    // Furaha (a registered focal point) reports armed men in Kiwanja, Rutshuru, North Kivu.
    let a = alert(
        &s,
        json!({"text": "Hommes armés vus à Kiwanja", "place": "CD6111-V001",
               "threat_type": "armed_presence", "reporter_phone": "+243990001001"}),
    )
    .await;
    let (st, _) = s
        .post(
            &format!(
                "/api/v1/alerts/{}/transitions",
                a["id"].as_str().expect("id")
            ),
            json!({"to": "acknowledged"}),
        )
        .await;
    assert_eq!(st, 200);
    // Looting in Minova, Kalehe, South Kivu; and an alert nobody could place.
    alert(
        &s,
        json!({"text": "Pillage à Minova", "place": "CD6205-V004", "threat_type": "looting_extortion"}),
    )
    .await;
    alert(
        &s,
        json!({"text": "=cmd|' /C calc'!A0 quelque part", "threat_type": "other"}),
    )
    .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let save = |name: &str, bytes: &[u8]| {
        let f = dir.path().join(name);
        std::fs::write(&f, bytes).expect("write export");
        f
    };

    // CSV: libhxl finds the hashtags of DESIGN.md and the three alerts.
    let (st, csv, ct) = fetch(&s, &s.token, "/api/v1/exports/alerts.csv").await;
    assert_eq!(st, 200, "{}", String::from_utf8_lossy(&csv));
    assert!(ct.starts_with("text/csv"), "{ct}");
    let text = String::from_utf8(csv.clone()).expect("utf-8");
    let mut lines = text.lines();
    assert!(
        lines
            .next()
            .expect("header row")
            .starts_with("id,reference,")
    );
    assert!(lines.next().expect("hxl row").starts_with("#meta+id,"));
    let hxl = read_with_python(&py, "csv", &save("alerts.csv", &csv));
    let tags: Vec<&str> = hxl["tags"]
        .as_array()
        .expect("tags")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for want in [
        "#date",
        "#adm1",
        "#adm2",
        "#loc",
        "#geo",
        "#event",
        "#severity",
        "#status",
        "#meta",
        "#org",
    ] {
        assert!(tags.contains(&want), "{want} not in {tags:?}");
    }
    let display: Vec<&str> = hxl["display_tags"]
        .as_array()
        .expect("tags")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for want in [
        "#adm1+code",
        "#adm2+code",
        "#geo+lat",
        "#geo+lon",
        "#event+type",
        "#loc+name",
    ] {
        assert!(display.contains(&want), "{want} not in {display:?}");
    }
    assert_eq!(hxl["rows"], 3, "{hxl}");
    assert_eq!(hxl["adm1"], json!(["", "CD61", "CD62"]), "{hxl}");
    // Never a number, a name or the text; the reporter only as a pseudonym, to an administrator.
    for secret in ["990001001", "Furaha", "Hommes armés", "calc"] {
        assert!(!text.contains(secret), "{secret} leaked into the CSV");
    }
    assert!(text.contains(FURAHA), "{text}");

    // Compressed on the way (as browsers and schemathesis ask), the streams end cleanly.
    for path in [
        "/api/v1/exports/alerts.csv",
        "/api/v1/exports/alerts.geojson",
    ] {
        let r = reqwest::Client::new()
            .get(format!("{}{path}?q=nothing-matches-this", s.base))
            .bearer_auth(&s.token)
            .header("accept-encoding", "gzip")
            .send()
            .await
            .expect("request");
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(
            r.headers()
                .get("content-encoding")
                .and_then(|v| v.to_str().ok()),
            Some("gzip")
        );
        assert!(!r.bytes().await.expect("a whole body").is_empty(), "{path}");
    }

    // GeoJSON: a valid FeatureCollection; the unplaced alert has a null geometry.
    let (st, gj, ct) = fetch(&s, &s.token, "/api/v1/exports/alerts.geojson").await;
    assert_eq!((st, ct.as_str()), (200, "application/geo+json"));
    let g = read_with_python(&py, "geojson", &save("alerts.geojson", &gj));
    assert_eq!(
        (
            &g["type"],
            &g["valid"],
            &g["features"],
            &g["null_geometry"],
            &g["points"]
        ),
        (
            &json!("FeatureCollection"),
            &json!(true),
            &json!(3),
            &json!(1),
            &json!(2)
        ),
        "{g}"
    );

    // XLSX: openpyxl opens it: the header row, the HXL row, three alerts.
    let (st, x, _) = fetch(&s, &s.token, "/api/v1/exports/alerts.xlsx").await;
    assert_eq!(st, 200);
    let wb = read_with_python(&py, "xlsx", &save("alerts.xlsx", &x));
    let rows = wb["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 5, "{wb}");
    // Both header rows whole, as in the CSV.
    let csv_head: Vec<Vec<&str>> = text
        .lines()
        .take(2)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(rows[0], json!(csv_head[0]), "{wb}");
    assert_eq!(rows[1], json!(csv_head[1]), "{wb}");
    assert!(rows[2..].iter().any(|r| r[1] == a["reference"]), "{wb}");

    // The alert list's filters apply.
    let (_, one, _) = fetch(
        &s,
        &s.token,
        "/api/v1/exports/alerts.csv?threat_type=armed_presence",
    )
    .await;
    let one = read_with_python(&py, "csv", &save("one.csv", &one));
    assert_eq!(
        (&one["rows"], &one["threats"]),
        (&json!(1), &json!(["armed_presence"]))
    );
    let (_, south, _) = fetch(&s, &s.token, "/api/v1/exports/alerts.geojson?area=CD62").await;
    let south = read_with_python(&py, "geojson", &save("south.geojson", &south));
    assert_eq!(south["features"], 1, "{south}");
    let (_, unplaced, _) = fetch(&s, &s.token, "/api/v1/exports/alerts.xlsx?unplaced=true").await;
    let unplaced = read_with_python(&py, "xlsx", &save("unplaced.xlsx", &unplaced));
    assert_eq!(unplaced["rows"].as_array().map(Vec::len), Some(3));
    let (st, _, _) = fetch(&s, &s.token, "/api/v1/exports/alerts.csv?state=nonsense").await;
    assert_eq!(st, 422);

    // Permissions: the analyst exports without reporters; a viewer and a responder may not.
    let analyst = token_of(&s, "ana", "analyst");
    let (st, csv, _) = fetch(&s, &analyst, "/api/v1/exports/alerts.csv").await;
    assert_eq!(st, 200);
    assert!(!String::from_utf8_lossy(&csv).contains(FURAHA));
    for role in ["viewer", "responder"] {
        let t = token_of(&s, &format!("{role}1"), role);
        for path in [
            "/api/v1/exports/alerts.csv",
            "/api/v1/exports/alerts.geojson",
            "/api/v1/exports/alerts.xlsx",
            "/api/v1/reports/response",
            "/api/v1/reports/spikes",
        ] {
            let (st, _, _) = fetch(&s, &t, path).await;
            assert_eq!(st, 403, "{role} {path}");
        }
    }

    // Response indicators: three received, one acknowledged in time, one unplaced.
    let (st, body, _) = fetch(&s, &analyst, "/api/v1/reports/response").await;
    assert_eq!(st, 200);
    let r: Value = serde_json::from_slice(&body).expect("json");
    let o = &r["overall"];
    assert_eq!(
        (&o["received"], &o["unplaced"]),
        (&json!(3), &json!(1)),
        "{r}"
    );
    assert_eq!(o["acknowledge"]["met"], 1, "{r}");
    assert_eq!(o["acknowledge"]["pending"], 2, "{r}");
    let (st, _, _) = fetch(
        &s,
        &analyst,
        "/api/v1/reports/response?from=2026-02-01&to=2026-01-01",
    )
    .await;
    assert_eq!(st, 422);

    // All of it is in the OpenAPI document.
    let (_, doc) = s.get("/api/openapi.json").await;
    for p in [
        "/api/v1/exports/alerts.csv",
        "/api/v1/exports/alerts.geojson",
        "/api/v1/exports/alerts.xlsx",
        "/api/v1/reports/response",
        "/api/v1/reports/spikes",
    ] {
        assert!(
            doc["paths"].get(p).is_some(),
            "{p} missing from the OpenAPI document"
        );
    }
}
on_both_stores!(
    exports_read_by_ecosystem_tools,
    super::exports_are_read_by_their_ecosystems_tools
);

async fn analysis_inbox(s: &Server) -> Vec<Value> {
    let (st, inbox) = s.get("/api/v1/inbox?limit=200").await;
    assert_eq!(st, 200, "{inbox}");
    inbox["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|m| m["kind"] == "analysis")
        .cloned()
        .collect()
}

async fn a_spike_is_raised_to_coordinators_once(backend: Backend) {
    let Some(mut s) = Server::start(backend).await else {
        return;
    };
    // Four armed-presence alerts in Rutshuru today, none in the 28 days before: a spike.
    for i in 0..4 {
        alert(
            &s,
            json!({"text": format!("Hommes armés {i}"), "place": "CD6111-V001",
                   "threat_type": "armed_presence"}),
        )
        .await;
    }
    let (st, spikes) = s.get("/api/v1/reports/spikes").await;
    assert_eq!(st, 200, "{spikes}");
    let items = spikes["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "{spikes}");
    assert_eq!(
        (
            &items[0]["area"],
            &items[0]["threat_type"],
            &items[0]["count"]
        ),
        (&json!("CD6111"), &json!("armed_presence"), &json!(4))
    );
    // The job runs when the server starts: the administrator (a coordinator) is told.
    let mut told = vec![];
    for restart in 0..2 {
        s.stop();
        s.spawn().await;
        for _ in 0..100 {
            told = analysis_inbox(&s).await;
            if !told.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        if restart == 1 {
            // Give a second run time to (wrongly) raise it again.
            tokio::time::sleep(Duration::from_millis(1500)).await;
            told = analysis_inbox(&s).await;
        }
        assert_eq!(told.len(), 1, "run {restart}: {told:?}");
    }
    let body = told[0]["body"].as_str().unwrap_or_default();
    assert!(
        body.contains("Rutshuru") && body.contains("CD6111"),
        "{body}"
    );
}
on_both_stores!(
    spike_raised_once,
    super::a_spike_is_raised_to_coordinators_once
);
