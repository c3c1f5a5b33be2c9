//! The care of survivors through the real binary on both stores: the directory of service
//! providers; referrals only with recorded consent (a guardian's for a child), followed up;
//! the interview log that asks why before a survivor is interviewed again; the SV referral
//! response rate in the MRM table; a user without the compartment's grant learns nothing of
//! them; `kinga verify` rebuilds the new tables from the ledger.

use reqwest::Method;
use serde_json::json;

use crate::harness::{Backend, Server, call};
use crate::on_both_stores;

async fn survivors_are_referred_with_consent_and_not_interviewed_twice(backend: Backend) {
    // Every count shown, so the response rate can be read with one incident.
    let Some(s) =
        Server::start_with_env(backend, &[("KINGA_MONITORING_SUPPRESSION_THRESHOLD", "1")]).await
    else {
        return;
    };
    s.add_user("wpa", "monitor", "wpa-password-1234");
    s.add_user("other", "monitor", "other-password-123");
    let out = s.cli(&["user", "grant", "wpa", "crsv"], None);
    assert!(out.status.success(), "{out:?}");
    let (wpa, other) = (s.token_for("wpa"), s.token_for("other"));

    let (st, p) = call(
        &s,
        &s.token,
        Method::POST,
        "/api/v1/service-providers",
        Some(json!({
            "id": "", "name": "Centre intégré de Goma", "kind": "one_stop_centre",
            "services": ["medical", "psychosocial", "legal"], "places": ["CD61"]
        })),
    )
    .await;
    assert_eq!(st, 200, "{p}");
    let provider = p["id"].as_str().expect("id").to_string();
    let (st, _) = call(
        &s,
        &wpa,
        Method::POST,
        "/api/v1/service-providers",
        Some(json!({
        "name": "x", "kind": "ngo", "services": ["legal"], "places": []})),
    )
    .await;
    assert_eq!(st, 403, "a monitor does not edit the directory");
    let (st, list) = call(&s, &wpa, Method::GET, "/api/v1/service-providers", None).await;
    assert_eq!(st, 200);
    assert_eq!(list.as_array().map(Vec::len), Some(1));

    let (st, i) = call(&s, &wpa, Method::POST, "/api/v1/incidents", Some(json!({
        "occurred_on": "2026-08-10", "place": "CD6111-V001", "narrative": "Agression au champ",
        "compartment": "crsv", "violations": ["rape"],
        "victims": [{"sex": "female", "age_group": "18-59"}, {"sex": "female", "age_group": "12-17"}],
        "sources": [{"kind": "victim", "reliability": "reliable"}]
    }))).await;
    assert_eq!(st, 201, "{i}");
    let id = i["id"].as_str().expect("id").to_string();
    let refs = format!("/api/v1/incidents/{id}/referrals");
    let refer = |victim: u64, consent: bool, guardian: bool| {
        json!({
        "victim": victim, "provider": provider, "service": "medical", "consent": consent, "by_guardian": guardian})
    };

    let (st, e) = call(&s, &wpa, Method::POST, &refs, Some(refer(0, false, false))).await;
    assert_eq!(st, 422, "no referral without consent: {e}");
    let (st, _) = call(&s, &wpa, Method::POST, &refs, Some(refer(1, true, false))).await;
    assert_eq!(st, 422, "a child's referral needs a guardian's consent");
    let (st, e) = call(
        &s,
        &wpa,
        Method::POST,
        &refs,
        Some(json!({
        "victim": 0, "provider": provider, "service": "socio_economic", "consent": true})),
    )
    .await;
    assert_eq!(st, 422, "the provider does not offer it: {e}");
    let (st, r) = call(&s, &wpa, Method::POST, &refs, Some(refer(0, true, false))).await;
    assert_eq!(st, 201, "{r}");
    assert_eq!(r["status"], "pending");
    let rid = r["id"].as_str().expect("id").to_string();
    let fu = format!("{refs}/{rid}/follow-ups");
    let (st, _) = call(
        &s,
        &wpa,
        Method::POST,
        &fu,
        Some(json!({"status": "completed"})),
    )
    .await;
    assert_eq!(st, 422, "pending cannot jump to completed");
    for status in ["accepted", "completed"] {
        let (st, r) = call(&s, &wpa, Method::POST, &fu, Some(json!({"status": status}))).await;
        assert_eq!(st, 200, "{r}");
        assert_eq!(r["status"], status);
    }
    let (_, all) = call(&s, &wpa, Method::GET, &refs, None).await;
    assert_eq!(all[0]["follow_ups"].as_array().map(Vec::len), Some(2));

    let ivs = format!("/api/v1/incidents/{id}/interviews");
    let (st, first) = call(
        &s,
        &wpa,
        Method::POST,
        &ivs,
        Some(json!({"victim": 0, "shared_with": ["UNFPA"]})),
    )
    .await;
    assert_eq!(st, 201, "{first}");
    assert_eq!(first["by"], "wpa");
    let (st, e) = call(
        &s,
        &wpa,
        Method::POST,
        &ivs,
        Some(json!({"victim": 0, "by": "Clinique juridique"})),
    )
    .await;
    assert_eq!(st, 422);
    assert!(
        e.to_string().contains("wpa"),
        "the refusal says who interviewed her: {e}"
    );
    let (st, _) = call(
        &s,
        &wpa,
        Method::POST,
        &ivs,
        Some(json!({"victim": 0, "by": "Clinique juridique", "reason": "Plainte en justice"})),
    )
    .await;
    assert_eq!(st, 201);
    let (st, _) = call(&s, &wpa, Method::POST, &ivs, Some(json!({"victim": 1}))).await;
    assert_eq!(
        st, 201,
        "another survivor's first interview needs no reason"
    );
    let (_, log) = call(&s, &wpa, Method::GET, &ivs, None).await;
    assert_eq!(log.as_array().map(Vec::len), Some(3));

    // Without the grant: nothing, exactly as for a missing incident.
    for (m, path, body) in [
        (Method::GET, refs.clone(), None),
        (Method::POST, refs.clone(), Some(refer(0, true, false))),
        (
            Method::POST,
            fu.clone(),
            Some(json!({"status": "completed"})),
        ),
        (Method::GET, ivs.clone(), None),
        (
            Method::POST,
            ivs.clone(),
            Some(json!({"victim": 0, "reason": "x"})),
        ),
    ] {
        let hidden = call(&s, &other, m.clone(), &path, body.clone()).await;
        let missing = call(
            &s,
            &other,
            m,
            &path.replace(&id, "01J0000000000000000000000"),
            body,
        )
        .await;
        assert_eq!(hidden.0, 404, "{path}");
        assert_eq!(hidden, missing, "{path}");
    }

    let (_, report) = call(
        &s,
        &wpa,
        Method::GET,
        "/api/v1/reports/mrm?period=2026-Q3",
        None,
    )
    .await;
    assert_eq!(
        report["sv_referrals"],
        json!({"incidents": 1, "referred": 1, "rate": 1.0}),
        "{report}"
    );
    let (_, theirs) = call(
        &s,
        &other,
        Method::GET,
        "/api/v1/reports/mrm?period=2026-Q3",
        None,
    )
    .await;
    assert_eq!(
        theirs["sv_referrals"],
        json!({"incidents": 0, "referred": 0, "rate": null})
    );

    let verify = s.cli(&["verify"], None);
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stderr)
    );
}
on_both_stores!(
    care_of_survivors,
    super::survivors_are_referred_with_consent_and_not_interviewed_twice
);
