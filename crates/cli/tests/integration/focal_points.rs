//! Focal points' pseudonyms name no place: codes given on import, place names and the
//! person's own name refused, and `kinga focal-points repseudonymise` for pseudonyms recorded
//! before the rule.

use serde_json::{Value, json};

use crate::harness::{Backend, Server};
use crate::on_both_stores;

/// Twenty symbols, no vowel: what Kinga's codes are made of.
const ALPHABET: &str = "CDFGHJKMNPRTVWX34679";

fn is_code(p: &str) -> bool {
    p.strip_prefix("FP-")
        .is_some_and(|c| c.len() == 5 && c.chars().all(|ch| ALPHABET.contains(ch)))
}

async fn focal_points(s: &Server) -> Vec<Value> {
    let (st, fps) = s.get("/api/v1/focal-points").await;
    assert_eq!(st, 200, "{fps}");
    fps["items"].as_array().expect("items").clone()
}

fn import(s: &Server, csv: &str) -> std::process::Output {
    let f = s.dir().join("focal-points-test.csv");
    std::fs::write(&f, csv).expect("write csv");
    s.cli(
        &["import", "focal-points", f.to_str().expect("utf-8 path")],
        None,
    )
}

async fn codes_are_given_and_place_names_refused(backend: Backend) {
    let Some(s) = Server::start(backend).await else {
        return;
    };
    // No pseudonym column at all: Kinga gives codes, unique and naming no place.
    let out = import(
        &s,
        "name,phone,place,language\n\
         Amani Paluku,+243990002001,CD6104-V006,sw\n\
         Neema Kavira,+243990002002,CD6104-V006,sw\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let at_pinga: Vec<String> = focal_points(&s)
        .await
        .iter()
        .filter(|f| f["place"] == "CD6104-V006")
        .map(|f| f["pseudonym"].as_str().expect("pseudonym").to_string())
        .collect();
    assert_eq!(at_pinga.len(), 2, "{at_pinga:?}");
    assert_ne!(at_pinga[0], at_pinga[1]);
    for p in &at_pinga {
        assert!(is_code(p), "{p}");
    }
    // A pseudonym naming a place is refused: the line, the field, the place and why.
    for (bad, place) in [
        ("FP-Kitshanga", "Kitshanga"),
        ("fp_walikale_2", "Walikale"),
        ("Masisi1", "Masisi"),
        ("FP-KICHANGA", "Kitshanga"),
    ] {
        let out = import(
            &s,
            &format!(
                "name,phone,place,language,pseudonym\n\
                 Baraka Muhindo,+243990002003,CD6103-V003,sw,FP-Mzee-3\n\
                 Sifa Masika,+243990002004,CD6103-V003,sw,{bad}\n"
            ),
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{bad} was accepted");
        assert!(
            err.contains("line 3")
                && err.contains("pseudonym")
                && err.contains(&format!("names the place {place}")),
            "{bad}: {err}"
        );
    }
    // The person's own name is refused as well.
    let out = import(
        &s,
        "name,phone,pseudonym\nBaraka Muhindo,+243990002003,FP-Baraka\n",
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("line 2") && err.contains("own name"),
        "{err}"
    );
    // All rows or none: the good row of each refused file was not saved.
    let all = focal_points(&s).await;
    assert!(all.iter().all(|f| f["place"] != "CD6103-V003"), "{all:?}");
    // The API refuses the same, and gives a code when none is given.
    let (st, e) = s
        .post(
            "/api/v1/focal-points",
            json!({"name": "Sifa Masika", "phone": "+243990002004", "pseudonym": "fp_walikale_2"}),
        )
        .await;
    assert_eq!(st, 422, "{e}");
    assert!(e.to_string().contains("Walikale"), "{e}");
    let (st, fp) = s
        .post(
            "/api/v1/focal-points",
            json!({"name": "Sifa Masika", "phone": "+243990002004", "pseudonym": "FP-Mzee-3"}),
        )
        .await;
    assert_eq!(
        (st, fp["pseudonym"].as_str()),
        (200, Some("FP-Mzee-3")),
        "{fp}"
    );
    let (st, e) = s
        .post(
            "/api/v1/focal-points",
            json!({"name": "Baraka Muhindo", "phone": "+243990002003", "pseudonym": "fp-mzee-3"}),
        )
        .await;
    assert_eq!(st, 422, "no two focal points share a pseudonym: {e}");
}
on_both_stores!(
    codes_given_place_names_refused,
    super::codes_are_given_and_place_names_refused
);

/// A pseudonym recorded before its place was in the gazetteer names a place once the place is
/// added, as a deployment's older pseudonyms do: the repair gives it a code, through the
/// ledger, and old alerts are shown with the new one.
async fn repseudonymise_replaces_place_bearing_pseudonyms(backend: Backend) {
    let Some(mut s) = Server::start(backend).await else {
        return;
    };
    let (st, fp) = s
        .post(
            "/api/v1/focal-points",
            json!({"name": "Kavira Balume", "phone": "+243990003001", "place": "CD6103-V003", "pseudonym": "FP-Mweso-01"}),
        )
        .await;
    assert_eq!(st, 200, "Mweso is no place yet: {fp}");
    let id = fp["id"].as_str().expect("id").to_string();
    let (st, a) = s
        .post(
            "/api/v1/alerts",
            json!({"text": "Hommes armés vus ce matin", "reporter_phone": "+243990003001"}),
        )
        .await;
    assert_eq!(st, 201, "{a}");
    assert_eq!(a["reporter"]["pseudonym"], "FP-Mweso-01");
    let alert = a["id"].as_str().expect("id").to_string();
    let (st, p) = s
        .post(
            "/api/v1/places",
            json!({"pcode": "CD6103-V010", "name": "Mweso", "alt_names": [], "level": "settlement",
                   "parent": "CD6103", "country": "COD", "lat": null, "lon": null}),
        )
        .await;
    assert_eq!(st, 200, "{p}");
    // From now on the rule holds for new pseudonyms.
    let (st, _) = s
        .post(
            "/api/v1/focal-points",
            json!({"name": "Paluku Tsongo", "phone": "+243990003002", "pseudonym": "FP-Mweso-02"}),
        )
        .await;
    assert_eq!(st, 422);
    let count = "SELECT count(*) FROM events";
    let events_before = s.sql_column(count, count).await;
    // A dry run says which, and changes nothing.
    let dry = s.cli(&["focal-points", "repseudonymise", "--dry-run"], None);
    let text = String::from_utf8_lossy(&dry.stdout).to_string();
    assert!(dry.status.success(), "{text}");
    assert!(
        text.contains(&id) && text.contains("FP-Mweso-01") && text.contains("Mweso (CD6103-V010)"),
        "{text}"
    );
    assert!(
        text.contains("1 of 3") && text.contains("dry run"),
        "{text}"
    );
    assert_eq!(events_before, s.sql_column(count, count).await);
    // The repair.
    let run = s.cli(&["focal-points", "repseudonymise"], None);
    let text = String::from_utf8_lossy(&run.stdout).to_string();
    assert!(
        run.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(
        text.contains("1 of 3") && text.contains("given new codes"),
        "{text}"
    );
    let fps = focal_points(&s).await;
    let new = fps
        .iter()
        .find(|f| f["id"] == id.as_str())
        .and_then(|f| f["pseudonym"].as_str())
        .expect("still registered")
        .to_string();
    assert!(is_code(&new), "{new}");
    assert!(text.contains(&new), "{text}");
    let others: Vec<&str> = fps
        .iter()
        .filter(|f| f["id"] != id.as_str())
        .filter_map(|f| f["pseudonym"].as_str())
        .collect();
    assert!(others.contains(&crate::harness::FURAHA), "{others:?}");
    // Recorded as a registry change by the operator, and audited.
    let last_saved = "SELECT actor FROM events WHERE payload LIKE '%\"focal_point_saved\"%' \
                      ORDER BY position DESC LIMIT 1";
    let actors = s.sql_column(last_saved, last_saved).await;
    assert_eq!(actors, vec!["cli".to_string()]);
    let replaced = "SELECT context FROM audit WHERE action = 'pseudonyms_replaced'";
    let audited = s.sql_column(replaced, replaced).await;
    assert_eq!(audited.len(), 1, "{audited:?}");
    assert!(!audited[0].contains("Mweso"), "{audited:?}");
    let verify = s.cli(&["verify"], None);
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
    // A second run finds nothing to do.
    let again = s.cli(&["focal-points", "repseudonymise"], None);
    let text = String::from_utf8_lossy(&again.stdout).to_string();
    assert!(again.status.success() && text.contains("0 of 3"), "{text}");
    // The old alert is shown with the new pseudonym (a running server takes the change in at
    // its next cache refresh; a restart at once).
    s.stop();
    s.spawn().await;
    let (st, a) = s.get(&format!("/api/v1/alerts/{alert}")).await;
    assert_eq!(st, 200);
    assert_eq!(a["reporter"]["pseudonym"], new.as_str(), "{a}");
    assert!(!a.to_string().contains("FP-Mweso"), "{a}");
}
on_both_stores!(
    repseudonymise,
    super::repseudonymise_replaces_place_bearing_pseudonyms
);
