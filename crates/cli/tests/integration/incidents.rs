//! Protection monitoring through the real binary on both stores: a user without a
//! compartment's grant learns nothing of its records (detail, list, search, counts, moves);
//! grants and revocations take effect at once; identifying fields are sealed at rest; key
//! rotation keeps every record readable; reads of sensitive records are audited; and
//! `kinga verify` rebuilds every table from the ledger.

use reqwest::Method;
use serde_json::{Value, json};

use crate::harness::{Backend, Server, call, query_column};
use crate::on_both_stores;

/// Identifying words that must never reach the database in clear.
const VICTIM: &str = "Neema Bahati Kavira";
const CONTACT: &str = "+243990777123";
const NARRATIVE: &str = "Quatre hommes armés sont entrés chez Neema la nuit";

fn cli_ok(s: &Server, args: &[&str]) -> String {
    let out = s.cli(args, None);
    assert!(
        out.status.success(),
        "kinga {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

fn crsv_incident() -> Value {
    json!({
        "occurred_on": "2026-09-14",
        "place": "CD6111-V001",
        "narrative": NARRATIVE,
        "compartment": "crsv",
        "violations": ["rape"],
        "victims": [{"sex": "female", "age_group": "18-59", "name": VICTIM, "displaced": true}],
        "perpetrators": [{"category": "armed_group", "actor": "Zebra Brigade", "unit": "3e bataillon"}],
        "sources": [{"kind": "victim", "reliability": "reliable", "contact": CONTACT},
                    {"kind": "witness", "reliability": "reliable", "remote": true}]
    })
}

fn general_incident() -> Value {
    json!({
        "occurred_on": "2026-08-01",
        "date_precision": "month",
        "place": "CD6111",
        "narrative": "Houses burnt in the market of Kiwanja",
        "compartment": "general",
        "violations": ["destruction_of_property"],
        "victims": [{"sex": "unknown", "age_group": "unknown"}],
        "perpetrators": [{"category": "unidentified"}],
        "sources": [{"kind": "community", "reliability": "usually_reliable"}]
    })
}

/// Users: `hro` (monitor, granted crsv), `other` (monitor, no grant); their tokens.
async fn setup(backend: Backend) -> Option<(Server, String, String)> {
    let s = Server::start(backend).await?;
    s.add_user("hro", "monitor", "hro-password-123");
    s.add_user("other", "monitor", "other-password-123");
    cli_ok(&s, &["user", "grant", "hro", "crsv"]);
    let (hro, other) = (s.token_for("hro"), s.token_for("other"));
    Some((s, hro, other))
}

fn ids(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|i| i["id"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

async fn ungranted_users_learn_nothing(backend: Backend) {
    let Some((s, hro, other)) = setup(backend).await else {
        return;
    };
    let (st, general) = call(
        &s,
        &hro,
        Method::POST,
        "/api/v1/incidents",
        Some(general_incident()),
    )
    .await;
    assert_eq!(st, 201, "{general}");
    assert_eq!(general["occurred_on"], "2026-08-01");
    let (_, before) = call(&s, &other, Method::GET, "/api/v1/incidents", None).await;
    assert_eq!(before["total"], 1);
    let (_, before_search) = call(&s, &other, Method::GET, "/api/v1/incidents?q=zebra", None).await;

    // Recording in a compartment one does not hold is refused.
    let (st, _) = call(
        &s,
        &other,
        Method::POST,
        "/api/v1/incidents",
        Some(crsv_incident()),
    )
    .await;
    assert_eq!(st, 403);
    let (st, crsv) = call(
        &s,
        &hro,
        Method::POST,
        "/api/v1/incidents",
        Some(crsv_incident()),
    )
    .await;
    assert_eq!(st, 201, "{crsv}");
    assert_eq!(crsv["state"], "reported");
    assert_eq!(crsv["victims"][0]["name"], VICTIM);
    let id = crsv["id"].as_str().expect("id").to_string();

    // Detail: the same answer as a record that does not exist, reason or not.
    for reason in ["", "?reason=checking"] {
        let hidden = call(
            &s,
            &other,
            Method::GET,
            &format!("/api/v1/incidents/{id}{reason}"),
            None,
        )
        .await;
        let missing = call(
            &s,
            &other,
            Method::GET,
            &format!("/api/v1/incidents/01J0000000000000000000000{reason}"),
            None,
        )
        .await;
        assert_eq!(hidden.0, 404);
        assert_eq!(
            hidden, missing,
            "a hidden record answers exactly like a missing one"
        );
    }
    // An administrator holds no compartment by role.
    let (st, _) = call(
        &s,
        &s.token,
        Method::GET,
        &format!("/api/v1/incidents/{id}?reason=audit"),
        None,
    )
    .await;
    assert_eq!(st, 404);
    // Moves: the same.
    let mv = json!({"to": "under_verification"});
    let hidden = call(
        &s,
        &other,
        Method::POST,
        &format!("/api/v1/incidents/{id}/verification"),
        Some(mv.clone()),
    )
    .await;
    let missing = call(
        &s,
        &other,
        Method::POST,
        "/api/v1/incidents/01J0000000000000000000000/verification",
        Some(mv.clone()),
    )
    .await;
    assert_eq!(hidden.0, 404);
    assert_eq!(hidden, missing);
    // Lists, searches, compartment filters and counts do not move.
    let (_, after) = call(&s, &other, Method::GET, "/api/v1/incidents", None).await;
    assert_eq!(after["total"], before["total"]);
    assert_eq!(after["counts"], before["counts"]);
    assert!(!ids(&after).contains(&id));
    for q in [
        "q=zebra",
        "q=rape",
        "violation=rape",
        "compartment=crsv",
        "state=reported&q=CD6111-V001",
    ] {
        let (st, l) = call(
            &s,
            &other,
            Method::GET,
            &format!("/api/v1/incidents?{q}"),
            None,
        )
        .await;
        assert_eq!(st, 200, "{q}: {l}");
        assert!(!ids(&l).contains(&id), "{q}");
        if q == "q=zebra" {
            assert_eq!(l, before_search);
        }
    }
    // The granted user finds it, identities withheld in the list.
    let (_, mine) = call(&s, &hro, Method::GET, "/api/v1/incidents?q=zebra", None).await;
    assert_eq!(ids(&mine), vec![id.clone()]);
    assert_eq!(mine["items"][0]["narrative"], "");
    assert!(mine["items"][0]["victims"][0].get("name").is_none());

    // Opening a sensitive record needs a reason, and is audited.
    let (st, _) = call(
        &s,
        &hro,
        Method::GET,
        &format!("/api/v1/incidents/{id}"),
        None,
    )
    .await;
    assert_eq!(st, 422);
    let r = reqwest::Client::new()
        .get(format!("{}/api/v1/incidents/{id}", s.base))
        .bearer_auth(&hro)
        .header("X-Kinga-Reason", "preparing the referral")
        .send()
        .await
        .expect("request");
    assert_eq!(r.status().as_u16(), 200);
    let full: Value = r.json().await.expect("json");
    assert_eq!(full["narrative"], NARRATIVE);
    assert_eq!(full["sources"][0]["contact"], CONTACT);
    let audit = query_column(
        &s.database,
        &format!("SELECT actor || '|' || context FROM audit WHERE action = 'read' AND record = 'incident:{id}'"),
    )
    .await;
    assert_eq!(audit, vec!["hro|preparing the referral".to_string()]);

    // Verification: reported → under verification → verified, dates kept apart.
    let (st, moved) = call(
        &s,
        &hro,
        Method::POST,
        &format!("/api/v1/incidents/{id}/verification"),
        Some(mv),
    )
    .await;
    assert_eq!(
        (st, moved["state"].as_str()),
        (200, Some("under_verification")),
        "{moved}"
    );
    let verify = json!({"to": "verified", "method": "victim_interview", "sources": [0, 1], "note": "Neema confirmed"});
    let (st, moved) = call(
        &s,
        &hro,
        Method::POST,
        &format!("/api/v1/incidents/{id}/verification"),
        Some(verify),
    )
    .await;
    assert_eq!(st, 200, "{moved}");
    assert_eq!(moved["state"], "verified");
    assert_eq!(moved["verification"][1]["by"], "hro");
    assert_eq!(moved["occurred_on"], "2026-09-14");
    assert!(moved["verification"][1]["verified_on"].is_string());
    let (_, counts) = call(&s, &hro, Method::GET, "/api/v1/incidents", None).await;
    assert_eq!(counts["counts"], json!({"reported": 1, "verified": 1}));
    let (_, still) = call(&s, &other, Method::GET, "/api/v1/incidents", None).await;
    assert_eq!(
        still["counts"], before["counts"],
        "verified elsewhere moves no count here"
    );

    // A grant opens the compartment at once; its revocation closes it at once.
    cli_ok(&s, &["user", "grant", "other", "crsv"]);
    let (st, _) = call(
        &s,
        &other,
        Method::GET,
        &format!("/api/v1/incidents/{id}?reason=handover"),
        None,
    )
    .await;
    assert_eq!(st, 200);
    let grants = cli_ok(&s, &["user", "grants", "other"]);
    assert!(grants.starts_with("crsv"), "{grants}");
    cli_ok(&s, &["user", "revoke-grant", "other", "crsv"]);
    let hidden = call(
        &s,
        &other,
        Method::GET,
        &format!("/api/v1/incidents/{id}?reason=handover"),
        None,
    )
    .await;
    let missing = call(
        &s,
        &other,
        Method::GET,
        "/api/v1/incidents/01J0000000000000000000000?reason=handover",
        None,
    )
    .await;
    assert_eq!(hidden, missing);
    let (_, last) = call(&s, &other, Method::GET, "/api/v1/incidents", None).await;
    assert_eq!(last["total"], before["total"]);

    let (passed, said) = s.verify();
    assert!(passed, "verify: {said}");
}
on_both_stores!(ungranted, super::ungranted_users_learn_nothing);

/// Every stored text that could hold an identity: events, incident rows, audit.
async fn stored_texts(s: &Server) -> String {
    let mut all = String::new();
    for sql in [
        "SELECT payload FROM events",
        "SELECT CAST(doc AS TEXT) FROM incidents",
        "SELECT search FROM incidents",
        "SELECT CAST(doc AS TEXT) FROM compartment_keys",
    ] {
        all.push_str(&query_column(&s.database, sql).await.join("\n"));
    }
    all
}

async fn sealed_at_rest_and_rotated(backend: Backend) {
    let Some((mut s, hro, _)) = setup(backend).await else {
        return;
    };
    let mut ids = Vec::new();
    for _ in 0..2 {
        let (st, i) = call(
            &s,
            &hro,
            Method::POST,
            "/api/v1/incidents",
            Some(crsv_incident()),
        )
        .await;
        assert_eq!(st, 201, "{i}");
        ids.push(i["id"].as_str().expect("id").to_string());
    }
    let texts = stored_texts(&s).await;
    assert!(
        texts.contains("c1.crsv.1."),
        "fields sealed with the crsv key, version 1"
    );
    for secret in [VICTIM, CONTACT, NARRATIVE, "Neema"] {
        assert!(!texts.contains(secret), "'{secret}' is stored in clear");
    }

    // Rotation: every record re-sealed under version 2 in one commit, all still readable.
    let out = cli_ok(&s, &["keys", "rotate-compartment", "crsv"]);
    assert!(
        out.contains("version 2") && out.contains("2 incident"),
        "{out}"
    );
    let docs = query_column(&s.database, "SELECT CAST(doc AS TEXT) FROM incidents").await;
    assert!(
        docs.iter()
            .all(|d| d.contains("c1.crsv.2.") && !d.contains("c1.crsv.1."))
    );
    for id in &ids {
        let (st, i) = call(
            &s,
            &hro,
            Method::GET,
            &format!("/api/v1/incidents/{id}?reason=rotation+check"),
            None,
        )
        .await;
        assert_eq!(st, 200, "{i}");
        assert_eq!(i["victims"][0]["name"], VICTIM);
    }
    // Recorded after the rotation: sealed with the new key by the running server.
    let (st, _) = call(
        &s,
        &hro,
        Method::POST,
        "/api/v1/incidents",
        Some(crsv_incident()),
    )
    .await;
    assert_eq!(st, 201);
    let docs = query_column(&s.database, "SELECT CAST(doc AS TEXT) FROM incidents").await;
    assert!(docs.iter().all(|d| !d.contains("c1.crsv.1.")));
    let out = s.cli(&["verify"], None);
    assert!(
        out.status.success(),
        "verify: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    // An allegation turned into a verified case behind Kinga's back is found.
    let sql = format!(
        "UPDATE incidents SET state = 'verified' WHERE id = '{}'",
        ids[0]
    );
    assert_eq!(s.sql(&sql, &sql).await, 1);
    // A violation deleted from the rows reports count.
    let sql = format!(
        "DELETE FROM incident_violations WHERE incident_id = '{}'",
        ids[1]
    );
    assert_eq!(s.sql(&sql, &sql).await, 1);
    // A count of the MRM/MARA table's day tallies changed behind Kinga's back.
    let sql = "UPDATE incident_tally_states SET n = n + 7";
    assert!(s.sql(sql, sql).await >= 1);
    let (passed, said) = s.verify();
    assert!(!passed);
    assert!(said.contains("incidents row"), "{said}");
    assert!(said.contains("incident_violations of incident"), "{said}");
    assert!(said.contains("incident_tally_states:"), "{said}");

    s.stop();
    if backend == Backend::Sqlite {
        // The file and its write-ahead log, before and after a checkpoint: no identity.
        let grep = |label: &str| {
            for path in [s.database.clone(), format!("{}-wal", s.database)] {
                if let Ok(bytes) = std::fs::read(&path) {
                    for secret in [VICTIM, CONTACT, NARRATIVE] {
                        assert!(
                            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                            "{label}: '{secret}' is in {path} in clear"
                        );
                    }
                }
            }
        };
        grep("before checkpoint");
        let c = rusqlite::Connection::open(&s.database).expect("open");
        c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .expect("checkpoint");
        drop(c);
        grep("after checkpoint");
    }
    // A wrong master key fails loudly, before anything is read.
    let key = if backend == Backend::Postgres {
        s.dir().join("kinga.key")
    } else {
        std::path::PathBuf::from(format!("{}.key", s.database))
    };
    let kept = std::fs::read(&key).expect("key file");
    std::fs::write(&key, "22".repeat(32)).expect("write key");
    let out = s.cli(&["user", "list"], None);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not match"));
    std::fs::write(&key, kept).expect("restore key");
}
on_both_stores!(sealed, super::sealed_at_rest_and_rotated);
