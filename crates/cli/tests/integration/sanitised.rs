//! A sanitised alert derived from a CRSV incident, through the real binary on both stores: it
//! reaches the alert queue with the incident's place, date and threat and nothing identifying;
//! deriving again answers the same alert; the derivation is audited; a user without the grant
//! cannot derive (404, as for a missing record).

use reqwest::Method;
use serde_json::json;

use crate::harness::{Backend, Server, call};
use crate::on_both_stores;

const NAME: &str = "Mapendo Kyakimwa";
const NARRATIVE: &str = "Trois hommes en uniforme ont emmené Mapendo derrière l'école";

async fn a_sanitised_alert_carries_place_time_and_threat_only(backend: Backend) {
    let Some(s) = Server::start(backend).await else {
        return;
    };
    s.add_user("hro", "monitor", "hro-password-123");
    s.add_user("other", "monitor", "other-password-123");
    let out = s.cli(&["user", "grant", "hro", "crsv"], None);
    assert!(out.status.success(), "{out:?}");
    let (hro, other) = (s.token_for("hro"), s.token_for("other"));
    let (st, i) = call(&s, &hro, Method::POST, "/api/v1/incidents", Some(json!({
        "occurred_on": "2026-09-14", "date_precision": "month", "place": "CD6111-V001",
        "narrative": NARRATIVE, "compartment": "crsv", "violations": ["rape", "looting"],
        "victims": [{"sex": "female", "age_group": "18-59", "name": NAME}],
        "perpetrators": [{"category": "armed_group", "actor": "Brigade Zèbre", "unit": "3e bataillon"}],
        "sources": [{"kind": "victim", "reliability": "reliable", "contact": "+243990111222"}]
    }))).await;
    assert_eq!(st, 201, "{i}");
    let id = i["id"].as_str().expect("id").to_string();

    let path = format!("/api/v1/incidents/{id}/alert");
    let (st, hidden) = call(&s, &other, Method::POST, &path, Some(json!({}))).await;
    let missing = call(
        &s,
        &other,
        Method::POST,
        "/api/v1/incidents/01J0000000000000000000000/alert",
        Some(json!({})),
    )
    .await;
    assert_eq!(st, 404);
    assert_eq!(
        (st, hidden),
        missing,
        "a hidden incident derives nothing and says so like a missing one"
    );

    let (st, derived) = call(&s, &hro, Method::POST, &path, Some(json!({}))).await;
    assert_eq!(st, 201, "{derived}");
    assert_eq!(
        derived["threat_type"], "sexual_violence",
        "the gravest threat"
    );
    assert_eq!(derived["place"], "CD6111-V001");
    let reference = derived["reference"]
        .as_str()
        .expect("reference")
        .to_string();
    let (st, again) = call(&s, &hro, Method::POST, &path, Some(json!({}))).await;
    assert_eq!(st, 201);
    assert_eq!(
        again["reference"],
        reference.as_str(),
        "deriving again answers the same alert"
    );

    let (st, alert) = s.get(&format!("/api/v1/alerts/{reference}")).await;
    assert_eq!(st, 200, "{alert}");
    let text = alert.to_string();
    for secret in [
        NAME,
        "Mapendo",
        "uniforme",
        "+243990111222",
        "Zèbre",
        "3e bataillon",
        &id,
    ] {
        assert!(
            !text.contains(secret),
            "the alert carries '{secret}': {text}"
        );
    }
    assert!(
        alert["text"].as_str().unwrap_or("").contains("2026-09"),
        "{alert}"
    );
    assert_eq!(alert["place"], "CD6111-V001");

    let audit = s
        .sql_column(
            &format!("SELECT count(*) FROM audit WHERE action = 'derive_alert' AND record = 'incident:{id}'"),
            &format!("SELECT count(*) FROM audit WHERE action = 'derive_alert' AND record = 'incident:{id}'"),
        )
        .await;
    assert_eq!(audit, vec!["1".to_string()], "derived once, audited once");
    let verify = s.cli(&["verify"], None);
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stderr)
    );
}
on_both_stores!(
    sanitised_alert,
    super::a_sanitised_alert_carries_place_time_and_threat_only
);
