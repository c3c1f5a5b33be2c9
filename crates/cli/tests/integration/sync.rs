//! Sync between instances, as an organisation would run it: HQ, a field office and a successor
//! are separate `kinga serve` processes on loopback, paired by key, each with an agreement with
//! the other. The field office works cut off while HQ changes the same alert; when the link
//! comes back, `kinga sync` both ways brings all three to the same alert (state never going
//! back, both moves in the timeline), each instance's own alerts with their own references,
//! nothing the agreements withhold, and `kinga verify` passing on all three. Syncing again
//! changes nothing; a pull killed at random points resumes with nothing lost or duplicated.

use std::process::Output;
use std::time::Duration;

use serde_json::{Value, json};

use crate::harness::{Backend, Server};
use crate::openrosa;

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn ok(out: Output, what: &str) -> String {
    assert!(out.status.success(), "{what}: {}", text(&out));
    String::from_utf8_lossy(&out.stdout).to_string()
}

async fn instance(backend: Backend, prefix: &str) -> Option<Server> {
    Server::start_with_env(
        backend,
        &[
            ("KINGA_INSTANCE_SYNC_SECONDS", "0"),
            ("KINGA_INSTANCE_REFERENCE_PREFIX", prefix),
        ],
    )
    .await
}

fn key(s: &Server) -> String {
    let line = ok(s.cli(&["instance", "key"], None), "instance key");
    line.split_whitespace().next().expect("key").to_string()
}

/// Pair `a` with `b` under `name` and record the agreement `a` keeps with it.
fn pair(a: &Server, name: &str, b: &Server) {
    let url = b.base.clone();
    ok(
        a.cli(&["peer", "add", name, &url, &key(b)], None),
        "peer add",
    );
    ok(
        a.cli(
            &[
                "agreement",
                "add",
                name,
                "--organisation",
                "Mission and partners",
                "--compartments",
                "general,human_rights",
                "--withhold",
                "focal_point:name",
                "--purpose",
                "Alert network continuity",
                "--from",
                "2020-01-01",
                "--until",
                "2099-12-31",
            ],
            None,
        ),
        "agreement add",
    );
}

fn sync(s: &Server, peer: &str) -> String {
    ok(s.cli(&["sync", peer], None), &format!("sync {peer}"))
}

async fn alert(s: &Server, id: &str) -> Value {
    let (st, a) = s.get(&format!("/api/v1/alerts/{id}")).await;
    assert_eq!(st, 200, "{a}");
    a
}

async fn move_to(s: &Server, id: &str, body: Value) {
    let (st, v) = s
        .post(&format!("/api/v1/alerts/{id}/transitions"), body.clone())
        .await;
    assert_eq!(st, 200, "{body} -> {v}");
}

async fn count(s: &Server, sql: &str) -> i64 {
    s.sql_column(sql, sql).await[0].parse().expect("a count")
}

/// The instance's id: the origin its own events carry.
pub(crate) async fn instance_id(s: &Server) -> String {
    s.sql_column("SELECT id FROM instance", "SELECT id FROM instance")
        .await[0]
        .clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_instances_converge() {
    let Some(mut hq) = instance(Backend::Sqlite, "K").await else {
        return;
    };
    let Some(mut field) = instance(Backend::Sqlite, "KF").await else {
        return;
    };
    // The successor on PostgreSQL when there is one.
    let mut successor = match instance(Backend::Postgres, "KS").await {
        Some(s) => s,
        None => instance(Backend::Sqlite, "KS")
            .await
            .expect("a SQLite instance"),
    };
    pair(&hq, "field", &field);
    pair(&field, "hq", &hq);
    pair(&hq, "successor", &successor);
    pair(&successor, "hq", &hq);

    let (st, a) = hq
        .post(
            "/api/v1/alerts",
            json!({"text": "Hommes armés vus près de l'école de Kiwanja", "place": "CD6111"}),
        )
        .await;
    assert_eq!(st, 201, "{a}");
    let id = a["id"].as_str().expect("id").to_string();
    let said = sync(&field, "hq");
    assert!(said.contains("received"), "{said}");
    assert_eq!(alert(&field, &id).await["state"], json!("received"));

    // Cut off: both sides move the same alert.
    move_to(&hq, &id, json!({"to": "acknowledged"})).await;
    move_to(
        &hq,
        &id,
        json!({"to": "verified", "reason": "confirmé par le chef de localité"}),
    )
    .await;
    move_to(&field, &id, json!({"to": "acknowledged"})).await;
    move_to(
        &field,
        &id,
        json!({"to": "false_alarm", "reason": "les hommes étaient des chasseurs"}),
    )
    .await;
    let (st, b) = field
        .post(
            "/api/v1/alerts",
            json!({"text": "Enlèvement signalé à Bunagana", "place": "CD6111"}),
        )
        .await;
    assert_eq!(st, 201, "{b}");
    assert!(
        b["reference"]
            .as_str()
            .unwrap_or_default()
            .starts_with("KF-"),
        "{b}"
    );
    let b_id = b["id"].as_str().expect("id").to_string();

    // The link comes back.
    sync(&field, "hq");
    sync(&successor, "hq");
    sync(&field, "hq");
    let again = sync(&successor, "hq");
    assert!(again.contains("received 0"), "{again}");
    let again = sync(&field, "hq");
    assert!(
        again.contains("sent 0") && again.contains("received 0"),
        "{again}"
    );

    let (a_hq, a_field, a_succ) = (
        alert(&hq, &id).await,
        alert(&field, &id).await,
        alert(&successor, &id).await,
    );
    // Both moves of both sides are kept; the state never went back: a false alarm is further
    // along than verified.
    assert_eq!(a_hq["state"], json!("false_alarm"), "{a_hq}");
    for (name, other) in [("field", &a_field), ("successor", &a_succ)] {
        assert_eq!(other["state"], a_hq["state"], "{name}");
        assert_eq!(other["timeline"], a_hq["timeline"], "{name}");
        assert_eq!(other["version"], a_hq["version"], "{name}");
    }
    assert_eq!(a_hq["timeline"].as_array().map(Vec::len), Some(5), "{a_hq}");
    for s in [&hq, &field, &successor] {
        let got = alert(s, &b_id).await;
        assert_eq!(got["reference"], b["reference"]);
        // Each event once, whatever the number of syncs.
        let dup = count(
            s,
            "SELECT count(*) FROM (SELECT origin, seq FROM events GROUP BY origin, seq HAVING count(*) > 1) d",
        )
        .await;
        assert_eq!(dup, 0);
    }
    // The agreements withhold focal points' names: no focal point of another instance crossed.
    let field_id = instance_id(&field).await;
    let crossed = count(
        &field,
        &format!(
            "SELECT count(*) FROM events WHERE origin <> '{field_id}' AND payload LIKE '%focal_point_saved%'"
        ),
    )
    .await;
    assert_eq!(crossed, 0, "a focal point crossed");
    let stubs = count(
        &field,
        &format!("SELECT count(*) FROM events WHERE origin <> '{field_id}' AND payload = ''"),
    )
    .await;
    assert!(
        stubs > 0,
        "users, tokens and focal points travel as withheld stubs"
    );

    for s in [&mut hq, &mut field, &mut successor] {
        s.stop();
        let verified = ok(s.cli(&["verify"], None), "verify");
        assert!(verified.contains("ledger verified"), "{verified}");
        assert!(verified.contains("in 3 chain(s)"), "{verified}");
    }
}

/// A pull killed at random points (`kill -9` of the receiving `kinga sync`) resumes with
/// nothing lost or duplicated.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_killed_sync_resumes() {
    let Some(hq) = instance(Backend::Sqlite, "K").await else {
        return;
    };
    let Some(mut field) = instance(Backend::Sqlite, "KF").await else {
        return;
    };
    pair(&hq, "field", &field);
    pair(&field, "hq", &hq);
    for i in 0..150 {
        let (st, a) = hq
            .post(
                "/api/v1/alerts",
                json!({"text": format!("Alerte numéro {i} à Kiwanja"), "place": "CD6111"}),
            )
            .await;
        assert_eq!(st, 201, "{a}");
    }
    let hq_id = instance_id(&hq).await;
    let held = format!("SELECT count(*) FROM events WHERE origin = '{hq_id}'");
    let total = count(&hq, &held).await;
    field.stop();
    for _ in 0..4 {
        let mut child = field.cli_child(&["sync", "hq"]);
        let wait = 50 + rand::random::<u64>() % 1_500;
        tokio::time::sleep(Duration::from_millis(wait)).await;
        let _ = child.kill();
        let _ = child.wait();
        let n = count(&field, &held).await;
        eprintln!("sync killed after {wait} ms: {n} of {total} events");
        // One batch, one transaction: all of it or none of it.
        assert!(n == 0 || n == total, "{n} of {total} events after a kill");
    }
    sync(&field, "hq");
    assert_eq!(count(&field, &held).await, total);
    let again = sync(&field, "hq");
    assert!(again.contains("received 0"), "{again}");
    let verified = ok(field.cli(&["verify"], None), "verify");
    assert!(verified.contains("ledger verified"), "{verified}");
    let (st, page) = hq.get("/api/v1/alerts?limit=500").await;
    assert_eq!(st, 200);
    let shown = page["items"].as_array().map(Vec::len).unwrap_or(0);
    assert!(shown >= 150, "{shown}");
}

async fn put_plan(s: &Server, body: Value) -> Value {
    let r = s
        .req(reqwest::Method::PUT, "/api/v1/transition/plans")
        .json(&body)
        .send()
        .await
        .expect("request");
    let status = r.status().as_u16();
    let v: Value = r.json().await.unwrap_or(Value::Null);
    assert_eq!(status, 200, "{body} -> {v}");
    v
}

/// The capacity plan `id` as `s` lists it (null when it has none).
pub(crate) async fn plan(s: &Server, id: &str) -> Value {
    let (st, plans) = s.get("/api/v1/transition/plans").await;
    assert_eq!(st, 200, "{plans}");
    plans
        .as_array()
        .and_then(|all| all.iter().find(|p| p["id"] == id))
        .cloned()
        .unwrap_or(Value::Null)
}

/// HQ on SQLite and a field office on PostgreSQL (SQLite when no server answers), paired
/// both ways with an agreement each.
pub(crate) async fn hq_and_field() -> Option<(Server, Server)> {
    let hq = instance(Backend::Sqlite, "K").await?;
    let field = match instance(Backend::Postgres, "KF").await {
        Some(s) => s,
        None => instance(Backend::Sqlite, "KF")
            .await
            .expect("a SQLite instance"),
    };
    pair(&hq, "field", &field);
    pair(&field, "hq", &hq);
    Some((hq, field))
}

/// What HQ names as the capacity plan's successor while cut off from the field office.
pub(crate) const HQ_SUCCESSOR: &str = "Protection civile";
/// What the field office names instead, at the same time.
pub(crate) const FIELD_SUCCESSOR: &str = "Réseau des femmes de Rutshuru";

/// Nord-Kivu's early-warning plan, saved on HQ and synced, then saved again on each side while
/// cut off, each naming a different successor, then synced both ways: a real conflict on
/// both instances. Returns the plan's id.
pub(crate) async fn plan_saved_on_both_sides(hq: &Server, field: &Server) -> String {
    let first = put_plan(
        hq,
        json!({"place": "CD61", "capacity": "early_warning", "providers": ["MONUSCO CLA"],
               "handover_on": "2027-06-01"}),
    )
    .await;
    let id = first["id"].as_str().expect("plan id").to_string();
    sync(field, "hq");
    assert_eq!(plan(field, &id).await["version"], json!(1));

    // Cut off: each side names a different successor.
    for (s, successor) in [(hq, HQ_SUCCESSOR), (field, FIELD_SUCCESSOR)] {
        put_plan(
            s,
            json!({"place": "CD61", "capacity": "early_warning", "providers": ["MONUSCO CLA"],
                   "successors": [successor], "handover_on": "2027-06-01", "version": 1}),
        )
        .await;
    }
    sync(field, "hq");
    sync(field, "hq");
    id
}

/// A capacity plan saved on both sides while cut off: after sync both instances show the same
/// version in force, and both keep the other one as a conflict, field by field, for a person to
/// merge — never a silent last write wins. The merged save then reaches both.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_record_saved_on_both_sides_keeps_both_versions() {
    let Some((mut hq, mut field)) = hq_and_field().await else {
        return;
    };
    let id = plan_saved_on_both_sides(&hq, &field).await;

    let (on_hq, on_field) = (plan(&hq, &id).await, plan(&field, &id).await);
    assert_eq!(on_hq, on_field, "the same version in force on both");
    assert_eq!(on_hq["version"], json!(2));
    for s in [&hq, &field] {
        let (st, conflicts) = s.get("/api/v1/conflicts").await;
        assert_eq!(st, 200, "{conflicts}");
        let mine: Vec<&Value> = conflicts
            .as_array()
            .map(|a| a.iter().filter(|c| c["record"] == id.as_str()).collect())
            .unwrap_or_default();
        assert_eq!(mine.len(), 1, "{conflicts}");
        let c = mine[0];
        assert_eq!(c["kind"], json!("capacity_plan"));
        assert_eq!(c["in_force"]["doc"], on_hq, "{c}");
        let both = [
            c["in_force"]["doc"]["successors"].to_string(),
            c["other"]["doc"]["successors"].to_string(),
        ]
        .join(" ");
        assert!(
            both.contains(HQ_SUCCESSOR) && both.contains(FIELD_SUCCESSOR),
            "both versions kept: {both}"
        );
        assert!(
            c["fields"]
                .as_array()
                .is_some_and(|f| f.contains(&json!("successors"))),
            "{c}"
        );
    }

    // A person merges them on HQ; the merged version reaches the field office.
    put_plan(
        &hq,
        json!({"place": "CD61", "capacity": "early_warning", "providers": ["MONUSCO CLA"],
               "successors": [HQ_SUCCESSOR, FIELD_SUCCESSOR],
               "handover_on": "2027-06-01", "version": 2}),
    )
    .await;
    sync(&field, "hq");
    let merged = plan(&field, &id).await;
    assert_eq!(merged["version"], json!(3));
    assert_eq!(merged, plan(&hq, &id).await);

    for s in [&mut hq, &mut field] {
        s.stop();
        let verified = ok(s.cli(&["verify"], None), "verify");
        assert!(verified.contains("ledger verified"), "{verified}");
    }
}

/// A field report's photo reaches HQ with the report by sync, so nothing is lost with the
/// field laptop. It stays sealed with the field office's key (sync carries files, never
/// keys): HQ holds it and says plainly why it cannot open it, the field office opens it.
/// The report's sealed fields read as sealed on HQ, and a key rotation there leaves them be.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_field_reports_photo_travels_by_sync() {
    let Some((mut hq, mut field)) = hq_and_field().await else {
        return;
    };
    field.add_user("hro", "monitor", "hro-password-123");
    ok(
        field.cli(&["user", "grant", "hro", "human_rights"], None),
        "grant",
    );
    ok(
        field.cli(&["user", "grant", "admin", "human_rights"], None),
        "grant",
    );
    ok(
        hq.cli(&["user", "grant", "admin", "human_rights"], None),
        "grant",
    );
    let (st, body, _) = openrosa::submit(
        &field,
        &openrosa::basic("hro", "hro-password-123"),
        &openrosa::instance("uuid:9d1f3b7e-field-photo", "killing"),
    )
    .await;
    assert_eq!(st, 201, "{body}");
    let (_, listed) = field.get("/api/v1/incidents").await;
    let id = listed["items"][0]["id"].as_str().expect("id").to_string();
    let (_, opened) = field
        .get(&format!("/api/v1/incidents/{id}?reason=sync%20check"))
        .await;
    let digest = opened["attachments"][0]["digest"]
        .as_str()
        .expect("digest")
        .to_string();
    let photo = format!("/api/v1/incidents/{id}/attachments/{digest}?reason=sync%20check");

    sync(&field, "hq");
    let (st, on_hq) = hq
        .get(&format!("/api/v1/incidents/{id}?reason=sync%20check"))
        .await;
    assert_eq!(st, 200, "{on_hq}");
    assert_eq!(on_hq["attachments"], opened["attachments"]);
    assert_eq!(
        on_hq["victims"][0]["name"],
        json!(kinga_app::incidents::SEALED_ELSEWHERE),
        "the name stays sealed with the field office's key"
    );
    assert_eq!(
        on_hq["narrative"],
        json!(kinga_app::incidents::SEALED_ELSEWHERE)
    );
    let (st, why) = hq.get(&photo).await;
    assert_eq!(st, 422, "HQ holds the file but not the key: {why}");
    assert!(
        why.to_string()
            .contains("sealed with the key of the instance"),
        "{why}"
    );
    let r = field
        .req(reqwest::Method::GET, &photo)
        .send()
        .await
        .expect("photo");
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.bytes().await.expect("bytes").to_vec(), openrosa::JPEG);

    let rotated = ok(
        hq.cli(&["keys", "rotate-compartment", "human_rights"], None),
        "rotation on HQ",
    );
    assert!(rotated.contains("0 incident"), "{rotated}");
    let (_, still) = hq
        .get(&format!("/api/v1/incidents/{id}?reason=sync%20check"))
        .await;
    assert_eq!(still["victims"], on_hq["victims"]);

    // Syncing again brings nothing new; both ledgers verify.
    let again = sync(&field, "hq");
    assert!(!again.contains("error"), "{again}");
    for s in [&mut hq, &mut field] {
        s.stop();
        let verified = ok(s.cli(&["verify"], None), "verify");
        assert!(verified.contains("ledger verified"), "{verified}");
    }
}
