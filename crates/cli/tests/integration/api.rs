//! The HTTP surface of DESIGN.md, driven as a client would.

use futures::future::join_all;
use reqwest::Method;
use serde_json::{Value, json};

use crate::harness::{Backend, Server};
use crate::on_both_stores;

fn ids(v: &Value, key: &str) -> Vec<String> {
    v[key]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

async fn total(s: &Server) -> u64 {
    s.get("/api/v1/alerts?limit=1").await.1["total"]
        .as_u64()
        .expect("total")
}

async fn auth_and_documentation(backend: Backend) {
    let Some(s) = Server::start(backend).await else {
        return;
    };
    let health = reqwest::get(format!("{}/healthz", s.base))
        .await
        .expect("healthz");
    assert_eq!(health.status(), 200);
    let doc: Value = reqwest::get(format!("{}/api/openapi.json", s.base))
        .await
        .expect("openapi")
        .json()
        .await
        .expect("json");
    for path in [
        "/api/v1/alerts",
        "/api/v1/alerts/{id}",
        "/api/v1/alerts/{id}/transitions",
        "/api/v1/places/resolve",
    ] {
        assert!(doc["paths"].get(path).is_some(), "OpenAPI lacks {path}");
    }
    let anon = reqwest::Client::new()
        .post(format!("{}/api/v1/alerts", s.base))
        .json(&json!({"text": "x"}))
        .send()
        .await
        .expect("post");
    assert_eq!(anon.status(), 401);
    let forged = reqwest::Client::new()
        .post(format!("{}/api/v1/alerts", s.base))
        .bearer_auth("kinga_forged")
        .json(&json!({"text": "x"}))
        .send()
        .await
        .expect("post");
    assert_eq!(forged.status(), 401);
    s.add_user("watcher", "viewer", "viewer-password-1");
    let viewer = s.token_for("watcher");
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/alerts", s.base))
        .bearer_auth(&viewer)
        .json(&json!({"text": "hommes armés"}))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 403, "a viewer may not create alerts");
    assert_eq!(total(&s).await, 0);
    // A disabled user's token stops working within a second.
    let out = s.cli(&["user", "disable", "watcher"], None);
    assert!(out.status.success());
    // Another process changed the user: the server trusts an accepted token for one second.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let r = reqwest::Client::new()
        .get(format!("{}/api/v1/alerts", s.base))
        .bearer_auth(&viewer)
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 401);
}
on_both_stores!(auth_and_documentation, super::auth_and_documentation);

async fn intake_resolves_places_and_rejects_bad_input(backend: Backend) {
    let Some(s) = Server::start(backend).await else {
        return;
    };
    let (st, a) = s.post("/api/v1/alerts", json!({"text": "Hommes armés vus", "place_name": "bunangana", "threat_type": "armed_presence"})).await;
    assert_eq!(st, 201, "{a}");
    assert_eq!(
        a["place"], "CD6111-V002",
        "misspelt unique name resolves: {a}"
    );
    assert!(
        a["reference"]
            .as_str()
            .expect("reference")
            .starts_with("K-")
    );
    assert_eq!(a["state"], "received");
    assert_eq!(a["severity"], 3, "severity defaults from the threat type");
    // Two villages are called Kiwanja: the choice is left to a person.
    let (_, a) = s
        .post(
            "/api/v1/alerts",
            json!({"text": "Tirs entendus", "place_name": "KIWANJA"}),
        )
        .await;
    assert!(
        a["place"].is_null(),
        "ambiguous name must not be guessed: {a}"
    );
    let codes: Vec<&str> = a["place_candidates"]
        .as_array()
        .expect("candidates")
        .iter()
        .filter_map(|c| c["pcode"].as_str())
        .collect();
    assert!(
        codes.contains(&"CD6111-V001") && codes.contains(&"CD6205-V007"),
        "{codes:?}"
    );
    let before = total(&s).await;
    for bad in [
        json!({"text": ""}),
        json!({"text": "x", "threat_type": "fire"}),
        json!({"text": "x", "severity": 9}),
        json!({"text": "x", "place": "CD9999"}),
        json!({"text": "x", "reported_at": "2999-01-01T00:00:00Z"}),
        json!({"threat_type": "killing"}),
    ] {
        let (st, e) = s.post("/api/v1/alerts", bad.clone()).await;
        assert_eq!(st, 422, "{bad} -> {e}");
        assert!(
            e["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
    }
    let r = s
        .req(Method::POST, "/api/v1/alerts")
        .body("{not json")
        .header("content-type", "application/json")
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 400);
    assert_eq!(total(&s).await, before, "bad input changes nothing");
    let (st, c) = s.get("/api/v1/places/resolve?q=kitchanga").await;
    assert_eq!(st, 200);
    assert_eq!(c[0]["pcode"], "CD6103-V003", "{c}");
}
on_both_stores!(
    intake_resolves_places_and_rejects_bad_input,
    super::intake_resolves_places_and_rejects_bad_input
);

async fn idempotency_under_concurrent_retries(backend: Backend) {
    let Some(s) = Server::start(backend).await else {
        return;
    };
    let before = total(&s).await;
    let body = json!({"text": "Attaque à Kiwanja", "place": "CD6111-V001", "threat_type": "attack_on_civilians"});
    let tries = (0..24).map(|_| {
        s.req(Method::POST, "/api/v1/alerts")
            .header("Idempotency-Key", "retry-42")
            .json(&body)
            .send()
    });
    let answers = join_all(tries).await;
    let mut bodies = std::collections::HashSet::new();
    for r in answers {
        let r = r.expect("request");
        assert_eq!(r.status(), 201);
        let v: Value = r.json().await.expect("json");
        bodies.insert(v.to_string());
    }
    assert_eq!(bodies.len(), 1, "every retry gets the first answer, whole");
    assert_eq!(total(&s).await, before + 1, "retries create nothing");
    let r = s
        .req(Method::POST, "/api/v1/alerts")
        .header("Idempotency-Key", "retry-42")
        .json(&json!({"text": "something else"}))
        .send()
        .await
        .expect("post");
    assert_eq!(
        r.status(),
        422,
        "a key reused for another request is refused"
    );
}
on_both_stores!(
    idempotency_under_concurrent_retries,
    super::idempotency_under_concurrent_retries
);

async fn lifecycle_routing_feedback(backend: Backend) {
    let Some(s) = Server::start(backend).await else {
        return;
    };
    let (_, a) = s
        .post("/api/v1/alerts", json!({"text": "Enlèvement de 4 agriculteurs", "place": "CD6111-V001", "threat_type": "abduction", "reporter_phone": "+243 990 001 001"}))
        .await;
    let id = a["id"].as_str().expect("id").to_string();
    assert_eq!(
        a["reporter"]["pseudonym"],
        crate::harness::FURAHA,
        "a registered number is recognised: {a}"
    );
    assert_eq!(a["reporter"]["unknown"], false);
    assert!(
        a.to_string().find("990001001").is_none(),
        "the number never appears in answers"
    );
    let proposed = ids(&a, "proposed_responders");
    assert!(
        proposed.contains(&"clp-kiwanja".to_string())
            && proposed.contains(&"monusco-rutshuru".to_string()),
        "{proposed:?}"
    );
    assert_eq!(a["uncovered"], false);
    // The CLA asks the reporter a question; it goes out by SMS naming the alert.
    let (st, q) = s
        .post(
            &format!("/api/v1/alerts/{id}/questions"),
            json!({"text": "Combien de personnes ont été enlevées ?"}),
        )
        .await;
    assert_eq!(st, 200, "{q}");
    let (_, out) = s.get(&format!("/api/v1/outbox?alert={id}")).await;
    let question = out["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|m| m["kind"] == "question")
        .cloned()
        .expect("question queued");
    let reference = a["reference"].as_str().expect("reference");
    assert_eq!(
        question["body"],
        format!("Kinga {reference}: Combien de personnes ont été enlevées ?")
    );
    let (st, _) = s
        .post(
            &format!("/api/v1/alerts/{id}/questions"),
            json!({"text": "  "}),
        )
        .await;
    assert_eq!(st, 422, "an empty question is refused");
    let (_, no_phone) = s
        .post(
            "/api/v1/alerts",
            json!({"text": "Tirs à Kiwanja", "place": "CD6111-V001"}),
        )
        .await;
    let (st, _) = s
        .post(
            &format!(
                "/api/v1/alerts/{}/questions",
                no_phone["id"].as_str().expect("id")
            ),
            json!({"text": "Où exactement ?"}),
        )
        .await;
    assert_eq!(st, 422, "an alert with no number has nobody to ask");
    let (st, e) = s
        .post(
            &format!("/api/v1/alerts/{id}/transitions"),
            json!({"to": "verified"}),
        )
        .await;
    assert_eq!(st, 422);
    assert!(
        e["error"]["message"]
            .as_str()
            .expect("message")
            .contains("acknowledged"),
        "{e}"
    );
    for step in [
        json!({"to": "acknowledged"}),
        json!({"to": "verified", "reason": "confirmé par le chef de localité"}),
        json!({"to": "assigned", "responders": ["clp-kiwanja"]}),
        json!({"to": "responding"}),
    ] {
        let (st, v) = s
            .post(&format!("/api/v1/alerts/{id}/transitions"), step.clone())
            .await;
        assert_eq!(st, 200, "{step} -> {v}");
    }
    let (st, _) = s
        .post(
            &format!("/api/v1/alerts/{id}/transitions"),
            json!({"to": "closed"}),
        )
        .await;
    assert_eq!(st, 422, "closing a responded alert needs an outcome");
    let (st, v) = s
        .post(
            &format!("/api/v1/alerts/{id}/transitions"),
            json!({"to": "closed", "outcome": "patrouille du CLP envoyée, otages libérés"}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["state"], "closed");
    let (_, full) = s
        .get(&format!(
            "/api/v1/alerts/{}",
            a["reference"].as_str().expect("ref")
        ))
        .await;
    let timeline = full["timeline"].as_array().expect("timeline");
    let moves: Vec<&str> = timeline
        .iter()
        .filter(|t| t["kind"] == "transitioned")
        .filter_map(|t| t["detail"]["to"].as_str())
        .collect();
    assert_eq!(
        moves,
        [
            "acknowledged",
            "verified",
            "assigned",
            "responding",
            "closed"
        ]
    );
    assert!(
        timeline
            .iter()
            .all(|t| t["actor"] == "admin" || t["kind"] == "received" || t["actor"] == "system")
    );
    let (_, out) = s.get(&format!("/api/v1/outbox?alert={id}")).await;
    let msgs = out["items"].as_array().expect("items");
    let feedback = msgs
        .iter()
        .find(|m| m["kind"] == "feedback")
        .expect("feedback queued");
    assert_eq!(feedback["status"], "queued");
    // Furaha Kambale reads Swahili: the feedback is in Swahili, and the CLA's French words
    // stay on the timeline rather than make a mixed-language SMS.
    let body = feedback["body"].as_str().expect("body");
    assert_eq!(
        body,
        format!("Kinga: taarifa {reference} imefungwa. Hatua zimechukuliwa. Asante.")
    );
    assert!(
        msgs.iter().any(|m| m["kind"] == "assignment"),
        "the responder is told of its assignment"
    );
    let (st, _) = s
        .post(
            &format!("/api/v1/alerts/{id}/transitions"),
            json!({"to": "acknowledged"}),
        )
        .await;
    assert_eq!(st, 422, "a closed alert stays closed");

    // Coverage: Walikale has no responder; Masisi's police unit lacks community consent.
    let (_, w) = s.post("/api/v1/alerts", json!({"text": "Attaque à Pinga", "place": "CD6104-V006", "threat_type": "attack_on_civilians"})).await;
    assert_eq!(w["uncovered"], true);
    let (_, k) = s.post("/api/v1/alerts", json!({"text": "Tension à Kitshanga", "place": "CD6103-V003", "threat_type": "intercommunal_tension"})).await;
    assert_eq!(
        ids(&k, "proposed_responders"),
        vec!["monusco-rutshuru".to_string()],
        "no consent, no routing"
    );
    let (_, list) = s.get("/api/v1/alerts?uncovered=true").await;
    assert!(
        list["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|x| x["uncovered"] == true)
    );
    assert!(
        list["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|x| x["id"] == w["id"])
    );
    let (_, open) = s.get("/api/v1/alerts?state=received&sort=queue").await;
    let sev: Vec<u64> = open["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|x| x["severity"].as_u64())
        .collect();
    assert!(
        sev.windows(2).all(|p| p[0] >= p[1]),
        "the queue is sorted by severity: {sev:?}"
    );
}
on_both_stores!(
    lifecycle_routing_feedback,
    super::lifecycle_routing_feedback
);

async fn duplicates_are_proposed_and_merged(backend: Backend) {
    let Some(s) = Server::start(backend).await else {
        return;
    };
    let (_, first) = s.post("/api/v1/alerts", json!({"text": "Hommes armés du M23 à Bunagana près du marché", "place": "CD6111-V002", "threat_type": "armed_presence"})).await;
    let (_, second) = s.post("/api/v1/alerts", json!({"text": "Beaucoup d'hommes armés M23 au marché de Bunagana", "place": "CD6111-V002", "threat_type": "armed_presence"})).await;
    let dups = second["duplicate_candidates"].as_array().expect("dups");
    assert!(dups.iter().any(|d| d["alert"] == first["id"]), "{second}");
    let (_, other) = s.post("/api/v1/alerts", json!({"text": "Enfant recruté à Drodro", "place": "CD5405-V005", "threat_type": "child_recruitment"})).await;
    assert!(
        other["duplicate_candidates"]
            .as_array()
            .expect("dups")
            .iter()
            .all(|d| d["alert"] != first["id"])
    );
    let id2 = second["id"].as_str().expect("id");
    let (st, _) = s
        .post(
            &format!("/api/v1/alerts/{id2}/transitions"),
            json!({"to": "merged", "merged_into": id2}),
        )
        .await;
    assert_eq!(st, 422, "an alert cannot absorb itself");
    let (st, m) = s
        .post(
            &format!("/api/v1/alerts/{id2}/transitions"),
            json!({"to": "merged", "merged_into": first["reference"], "reason": "même événement"}),
        )
        .await;
    assert_eq!(st, 200, "{m}");
    assert_eq!(m["merged_into"], first["id"]);
    let (_, f) = s
        .get(&format!(
            "/api/v1/alerts/{}",
            first["id"].as_str().expect("id")
        ))
        .await;
    assert!(
        f["timeline"]
            .as_array()
            .expect("timeline")
            .iter()
            .any(|t| t["kind"] == "duplicate_absorbed")
    );
}
on_both_stores!(
    duplicates_are_proposed_and_merged,
    super::duplicates_are_proposed_and_merged
);

async fn registries_are_managed_through_the_api(backend: Backend) {
    let Some(s) = Server::start(backend).await else {
        return;
    };
    let village = json!({"pcode": "CD6104-V100", "name": "Mpofi", "alt_names": ["Mpofi-centre"],
        "level": "settlement", "parent": "CD6104", "country": "COD", "lat": -1.05, "lon": 28.2});
    let (st, _) = s.post("/api/v1/places", village).await;
    assert_eq!(st, 200);
    let (_, c) = s.get("/api/v1/places/resolve?q=mpofi").await;
    assert_eq!(
        c[0]["pcode"], "CD6104-V100",
        "a new place is resolvable at once: {c}"
    );
    let orphan = json!({"pcode": "CD9-V1", "name": "Nowhere", "level": "settlement",
        "parent": "CD9999", "country": "COD"});
    let (st, _) = s.post("/api/v1/places", orphan).await;
    assert_eq!(st, 422, "a place under an unknown parent is refused");
    let (st, _) = s
        .post("/api/v1/places", json!({"pcode": "X1", "name": "Bad", "level": "settlement", "country": "COD", "lat": 123.0}))
        .await;
    assert_eq!(st, 422);

    let (st, fp) = s
        .post("/api/v1/focal-points", json!({"name": "Neema Bahati", "phone": "0990 555 123", "place": "CD6104-V100", "language": "sw"}))
        .await;
    assert_eq!(st, 200, "{fp}");
    let text = fp.to_string();
    assert!(
        !text.contains("Neema") && !text.contains("555"),
        "identity never answered: {text}"
    );
    let (st, _) = s
        .post(
            "/api/v1/focal-points",
            json!({"name": "Someone Else", "phone": "+243990555123"}),
        )
        .await;
    assert_eq!(st, 422, "one number, one focal point");
    // The new focal point's number now gives its place and language to its alerts.
    let (_, a) = s
        .post(
            "/api/v1/alerts",
            json!({"text": "Watu wenye silaha", "reporter_phone": "+243 990 555 123"}),
        )
        .await;
    assert_eq!(a["reporter"]["pseudonym"], fp["pseudonym"]);
    assert_eq!(a["place"], "CD6104-V100");
    assert_eq!(a["language"], "sw");
}
on_both_stores!(
    registries_are_managed_through_the_api,
    super::registries_are_managed_through_the_api
);
