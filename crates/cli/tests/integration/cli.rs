//! The operator's commands: users, tokens, imports and ledger verification.

use serde_json::json;

use crate::harness::{Backend, Server, as_written};
use crate::on_both_stores;

async fn verify_finds_the_first_broken_link(backend: Backend) {
    let Some(s) = Server::start(backend).await else {
        return;
    };
    for i in 0..5 {
        let (st, _) = s
            .post(
                "/api/v1/alerts",
                json!({"text": format!("Alerte {i} à Kiwanja"), "place": "CD6111-V001"}),
            )
            .await;
        assert_eq!(st, 201);
    }
    let ok = s.cli(&["verify"], None);
    let text = String::from_utf8_lossy(&ok.stdout);
    assert!(ok.status.success(), "{text}");
    assert!(text.contains("no broken link"), "{text}");
    // Alter one stored event behind Kinga's back, as an intruder with database access would.
    let sql = "UPDATE events SET payload = replace(payload, 'Alerte 2', 'Alerte 9') WHERE payload LIKE '%Alerte 2 %'";
    match backend {
        Backend::Sqlite => {
            let c = rusqlite::Connection::open(&s.database).expect("open sqlite");
            assert_eq!(c.execute(sql, []).expect("tamper"), 1);
        }
        Backend::Postgres => {
            let (c, conn) = tokio_postgres::connect(&s.database, tokio_postgres::NoTls)
                .await
                .expect("connect");
            tokio::spawn(conn);
            assert_eq!(c.execute(sql, &[]).await.expect("tamper"), 1);
        }
    }
    let bad = s.cli(&["verify"], None);
    let text = String::from_utf8_lossy(&bad.stdout);
    assert!(!bad.status.success(), "tampering must fail verification");
    assert!(
        text.contains("BROKEN") && text.contains("altered"),
        "{text}"
    );
}
on_both_stores!(
    verify_finds_the_first_broken_link,
    super::verify_finds_the_first_broken_link
);

async fn users_passwords_and_tokens(backend: Backend) {
    let Some(s) = Server::start(backend).await else {
        return;
    };
    let short = s.cli(&["user", "add", "amani", "--role", "cla"], Some("short\n"));
    assert!(!short.status.success(), "short passwords are refused");
    s.add_user("amani", "cla", "amani-password-1");
    let dup = s.cli(
        &["user", "add", "amani", "--role", "viewer"],
        Some("another-password\n"),
    );
    assert!(!dup.status.success());
    assert!(String::from_utf8_lossy(&dup.stderr).contains("already exists"));
    let bad_role = s.cli(
        &["user", "add", "x1", "--role", "warlord"],
        Some("long-enough-pw\n"),
    );
    assert!(!bad_role.status.success());
    let list = String::from_utf8_lossy(&s.cli(&["user", "list"], None).stdout).to_string();
    assert!(list.contains("amani\ttriage_officer"), "{list}");
    let t = s.token_for("amani");
    assert!(
        t.starts_with("kinga_") && t.len() > 40,
        "256-bit token: {t}"
    );
    let tokens =
        String::from_utf8_lossy(&s.cli(&["token", "list", "amani"], None).stdout).to_string();
    assert!(!tokens.contains(&t), "secrets are never listed");
    let id = tokens.split('\t').next().expect("token id").to_string();
    let ok = reqwest::Client::new()
        .get(format!("{}/api/v1/alerts", s.base))
        .bearer_auth(&t)
        .send()
        .await
        .expect("get");
    assert_eq!(ok.status(), 200);
    assert!(
        s.cli(&["token", "revoke", "amani", &id], None)
            .status
            .success()
    );
    // Revoked by another process: the server trusts an accepted token for one second.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let revoked = reqwest::Client::new()
        .get(format!("{}/api/v1/alerts", s.base))
        .bearer_auth(&t)
        .send()
        .await
        .expect("get");
    assert_eq!(revoked.status(), 401);
    assert!(
        s.cli(&["user", "reset", "amani"], Some("new-password-2\n"))
            .status
            .success()
    );
}

on_both_stores!(users_and_tokens, super::users_passwords_and_tokens);

async fn a_bad_import_row_changes_nothing(backend: Backend) {
    let Some(s) = Server::start(backend).await else {
        return;
    };
    let f = tempfile::NamedTempFile::new().expect("tmp");
    std::fs::write(
        f.path(),
        "id,name,kind,places,threat_types,hours,phone,email,prefers,community_consent,active\n\
         ok-1,Good responder,ngo,CD6111,,,,,,yes,\n\
         bad-1,Bad responder,ngo,CD6111,fire,,,,,yes,\n",
    )
    .expect("write");
    let out = s.cli(
        &["import", "responders", f.path().to_str().expect("path")],
        None,
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 3"));
    let (_, r) = s.get("/api/v1/responders").await;
    assert!(
        r["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|x| x["id"] != "ok-1"),
        "nothing of the file was saved"
    );
}

on_both_stores!(bad_import_row, super::a_bad_import_row_changes_nothing);

/// The quick start's data set loads, verifies, covers every lifecycle state, and is loaded once.
async fn the_demo_loads_every_state_and_only_once(backend: Backend) {
    let dir = tempfile::tempdir().expect("tmp");
    let pg = match backend {
        Backend::Sqlite => None,
        Backend::Postgres => match crate::harness::fresh_postgres_db().await {
            Some(pg) => Some(pg),
            None => return,
        },
    };
    let db = match &pg {
        None => dir.path().join("demo.db").display().to_string(),
        Some(pg) => pg.url.clone(),
    };
    let first = crate::harness::run_cli(&db, dir.path(), &["demo", "--no-serve"], None);
    let summary = String::from_utf8_lossy(&first.stdout).to_string();
    assert!(
        first.status.success(),
        "{summary}{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(
        summary.contains("420 alerts") && summary.contains("52 focal points"),
        "{summary}"
    );
    let states = crate::harness::query_column(&db, "SELECT DISTINCT state FROM alerts").await;
    for s in [
        "received",
        "acknowledged",
        "verified",
        "assigned",
        "responding",
        "closed",
        "merged",
        "false_alarm",
        "unverifiable",
    ] {
        assert!(
            states.iter().any(|x| x == s),
            "no demo alert is {s}: {states:?}"
        );
    }
    let uncovered = crate::harness::query_column(
        &db,
        "SELECT count(*) FROM alerts WHERE uncovered AND state NOT IN ('closed', 'merged')",
    )
    .await;
    let uncovered: i64 = uncovered[0].parse().expect("a count");
    assert!(uncovered > 0, "the demo shows the protection cliff");
    assert!(summary.contains("320 incidents"), "{summary}");
    for (column, values) in [
        (
            "state",
            &[
                "reported",
                "under_verification",
                "verified",
                "not_verified",
                "unfounded",
            ][..],
        ),
        (
            "compartment",
            &["general", "human_rights", "crsv", "children"][..],
        ),
    ] {
        let found =
            crate::harness::query_column(&db, &format!("SELECT DISTINCT {column} FROM incidents"))
                .await;
        for v in values {
            assert!(
                found.iter().any(|x| x == v),
                "no demo incident has {column} {v}: {found:?}"
            );
        }
    }
    let verify = crate::harness::run_cli(&db, dir.path(), &["verify"], None);
    assert!(verify.status.success());
    let again = crate::harness::run_cli(&db, dir.path(), &["demo", "--no-serve"], None);
    assert!(String::from_utf8_lossy(&again.stdout).contains("not loaded again"));
}
on_both_stores!(demo_loads, super::the_demo_loads_every_state_and_only_once);

/// The demo's South Kivu early-warning plan names a registered successor: since Bukavu's base
/// closed, alerts of its area are routed to the provincial civil protection, the demo's
/// alerts as well as a new one, and the routing API shows the handover in force.
async fn the_demo_routes_south_kivu_to_the_successor(backend: Backend) {
    let Some(s) = Server::start_demo(backend, &[]).await else {
        return;
    };
    let (st, r) = s.get("/api/v1/transition/routing").await;
    assert_eq!(st, 200, "{r}");
    let plans = r["plans"].as_array().cloned().unwrap_or_default();
    let sk = plans
        .iter()
        .find(|p| p["place"] == "CD62" && p["capacity"] == "early_warning")
        .unwrap_or_else(|| panic!("no South Kivu early-warning plan: {r}"));
    assert_eq!(sk["state"], "in_force", "{sk}");
    let successors = sk["successors"].as_array().cloned().unwrap_or_default();
    assert!(
        successors
            .iter()
            .any(|n| n["responders"] == json!(["protciv-sk"])),
        "the successor is a registered responder: {sk}"
    );
    assert!(
        successors
            .iter()
            .any(|n| n["responders"].as_array().is_some_and(Vec::is_empty)),
        "an unregistered successor is flagged: {sk}"
    );

    // A new alert in Kabare (South Kivu, outside Bukavu town where the office is registered).
    let (st, a) = s
        .post(
            "/api/v1/alerts",
            json!({"text": "Hommes armés signalés près du marché de Kavumu", "place": "CD6202", "threat_type": "attack_on_civilians"}),
        )
        .await;
    assert_eq!(st, 201, "{a}");
    assert_eq!(a["proposed_responders"], json!(["protciv-sk"]), "{a}");
    assert_eq!(a["uncovered"], json!(false), "{a}");

    // The demo's own alerts of South Kivu since the closure went to the successor too.
    let (st, list) = s
        .get(&format!(
            "/api/v1/alerts?area=CD62&from={}&limit=500",
            as_written("2026-07-01")
        ))
        .await;
    assert_eq!(st, 200, "{list}");
    let routed = list["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter(|x| x["id"] != a["id"])
                .filter(|a| {
                    a["proposed_responders"]
                        .as_array()
                        .is_some_and(|r| r.iter().any(|x| x == "protciv-sk"))
                })
                .count()
        })
        .unwrap_or(0);
    assert!(routed > 0, "demo alerts routed to the successor: {list}");
}
on_both_stores!(
    demo_routing_follows_the_plan,
    super::the_demo_routes_south_kivu_to_the_successor
);
