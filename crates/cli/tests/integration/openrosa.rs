//! OpenRosa through the real binary on both stores, as ODK Collect uses it: the form list,
//! the form `pyxform` builds from the shipped XLSForm (the same bytes Kinga serves), the
//! submission as Collect sends it (multipart, `xml_submission_file`, one photo), the incident
//! seen by a granted user and by nobody else, and a retry that records nothing new.

use std::path::Path;
use std::process::Command;

use base64::Engine;
use reqwest::Method;
use serde_json::Value;

use crate::harness::{Backend, Server, call};
use crate::on_both_stores;

const VICTIM: &str = "Furaha Neema Kahindo";
const INSTANCE: &str = "uuid:3f1c9a52-8d2e-4b7a-9c61-0d5e2f7a9b14";
const PHOTO: &str = "1764501234567.jpg";
/// The first bytes of a JPEG file (SOI, APP0/JFIF), enough for a part Collect would send.
pub(crate) const JPEG: &[u8] =
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9";

/// The XForm and its MD5 as `pyxform` makes them from `forms/protection_monitoring/`, or
/// `None` after kinga-testing's skip.
fn pyxform_form() -> Option<(String, String)> {
    let Ok(py) = std::env::var("KINGA_PYTHON") else {
        kinga_testing::skip(
            "OpenRosa round trip",
            "KINGA_PYTHON is not set (scripts/test makes a venv with pyxform)",
        );
        return None;
    };
    let probe = Command::new(&py)
        .args(["-c", "import pyxform, openpyxl"])
        .output();
    if !probe.as_ref().is_ok_and(|o| o.status.success()) {
        kinga_testing::skip(
            "OpenRosa round trip",
            &format!("{py} cannot import pyxform and openpyxl"),
        );
        return None;
    }
    let forms = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../forms/protection_monitoring");
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("form.xml");
    let run = Command::new(&py)
        .arg(forms.join("build.py"))
        .arg(&out)
        .output()
        .expect("run pyxform");
    assert!(
        run.status.success(),
        "pyxform: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let xml = std::fs::read_to_string(&out).expect("form.xml");
    let md5 = Command::new(&py)
        .args([
            "-c",
            "import hashlib,sys; print(hashlib.md5(open(sys.argv[1],'rb').read()).hexdigest())",
        ])
        .arg(&out)
        .output()
        .expect("md5");
    Some((xml, String::from_utf8_lossy(&md5.stdout).trim().to_string()))
}

pub(crate) fn basic(name: &str, password: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{name}:{password}"))
    )
}

/// A filled instance of the form, as Collect writes it.
pub(crate) fn instance(id: &str, violations: &str) -> String {
    format!(
        "<?xml version='1.0' ?><data id=\"protection_monitoring\" version=\"2026113001\" \
         xmlns:jr=\"http://openrosa.org/javarosa\" xmlns:orx=\"http://openrosa.org/xforms\" \
         xmlns:odk=\"http://www.opendatakit.org/xforms\">\
         <violations>{violations}</violations><occurred_on>2026-09-20</occurred_on>\
         <date_precision>day</date_precision><place>CD6111-V001</place>\
         <narrative>Deux hommes armés l'ont attaquée au champ</narrative>\
         <perpetrator_category>armed_group</perpetrator_category>\
         <perpetrator_actor>Zebra Brigade</perpetrator_actor><perpetrator_unit />\
         <source_kind>victim</source_kind><source_reliability>reliable</source_reliability>\
         <source_remote>no</source_remote><source_contact>+243990555321</source_contact>\
         <victims><victim_sex>female</victim_sex><victim_age_group>age_18_59</victim_age_group>\
         <victim_disability>no</victim_disability><victim_displaced>yes</victim_displaced>\
         <victim_name>{VICTIM}</victim_name></victims>\
         <photo>{PHOTO}</photo>\
         <meta><instanceID>{id}</instanceID></meta></data>"
    )
}

/// The multipart body ODK Collect sends: the instance, then each file under its own name.
fn multipart(xml: &str) -> (String, Vec<u8>) {
    let boundary = "----KingaOdkBoundary7d93a1f0";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"xml_submission_file\"; \
             filename=\"protection_monitoring_2026-09-20_10-15-00.xml\"\r\n\
             Content-Type: text/xml\r\n\r\n{xml}\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{PHOTO}\"; \
             filename=\"{PHOTO}\"\r\nContent-Type: image/jpeg\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(JPEG);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

pub(crate) async fn submit(
    s: &Server,
    auth: &str,
    xml: &str,
) -> (u16, String, reqwest::header::HeaderMap) {
    let (content_type, body) = multipart(xml);
    let r = reqwest::Client::new()
        .post(format!("{}/submission", s.base))
        .header("authorization", auth)
        .header("x-openrosa-version", "1.0")
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("submission");
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    (status, r.text().await.unwrap_or_default(), headers)
}

async fn get(
    s: &Server,
    auth: Option<&str>,
    path: &str,
) -> (u16, String, reqwest::header::HeaderMap) {
    let mut r = reqwest::Client::new().get(format!("{}{path}", s.base));
    if let Some(a) = auth {
        r = r.header("authorization", a);
    }
    let r = r.send().await.expect("request");
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    (status, r.text().await.unwrap_or_default(), headers)
}

fn total(list: &Value) -> u64 {
    list["total"].as_u64().unwrap_or(u64::MAX)
}

async fn collect_round_trip(backend: Backend) {
    let Some((form, md5)) = pyxform_form() else {
        return;
    };
    let Some(s) = Server::start(backend).await else {
        return;
    };
    s.add_user("hro", "monitor", "hro-password-123");
    s.add_user("other", "monitor", "other-password-123");
    let grant = s.cli(&["user", "grant", "hro", "crsv"], None);
    assert!(grant.status.success());
    let (hro_token, other_token) = (s.token_for("hro"), s.token_for("other"));
    let hro = basic("hro", "hro-password-123");
    let other = basic("other", "other-password-123");

    // Without credentials, or with wrong ones, the device is asked for Basic credentials.
    for auth in [None, Some(basic("hro", "wrong-password-1").as_str())] {
        let (st, _, h) = get(&s, auth, "/formList").await;
        assert_eq!(st, 401);
        assert!(
            h["www-authenticate"]
                .to_str()
                .unwrap_or("")
                .starts_with("Basic")
        );
        assert_eq!(h["x-openrosa-version"], "1.0");
    }

    // The form list names the form with the MD5 of the very bytes served, which are what
    // pyxform makes of the shipped XLSForm.
    let (st, list, h) = get(&s, Some(&hro), "/formList").await;
    assert_eq!(st, 200, "{list}");
    assert_eq!(h["x-openrosa-version"], "1.0");
    assert!(
        list.contains("<formID>protection_monitoring</formID>"),
        "{list}"
    );
    assert!(list.contains(&format!("<hash>md5:{md5}</hash>")), "{list}");
    assert!(
        list.contains("/forms/protection_monitoring</downloadUrl>"),
        "{list}"
    );
    let (st, served, _) = get(&s, Some(&hro), "/forms/protection_monitoring").await;
    assert_eq!(st, 200);
    assert_eq!(
        served, form,
        "the served XForm is what pyxform builds from the XLSForm"
    );

    let r = reqwest::Client::new()
        .head(format!("{}/submission", s.base))
        .header("authorization", &hro)
        .send()
        .await
        .expect("head");
    assert_eq!(r.status().as_u16(), 204);
    assert_eq!(r.headers()["x-openrosa-version"], "1.0");
    assert!(r.headers().contains_key("x-openrosa-accept-content-length"));

    // A monitor without the CRSV grant cannot file a CRSV report, and nothing is kept.
    let (st, body, _) = submit(&s, &other, &instance("uuid:other-0001", "rape")).await;
    assert_eq!(st, 403, "{body}");

    let xml = instance(INSTANCE, "rape looting");
    let (st, body, h) = submit(&s, &hro, &xml).await;
    assert_eq!(st, 201, "{body}");
    assert_eq!(h["x-openrosa-version"], "1.0");
    assert!(body.contains("OpenRosaResponse"), "{body}");

    let (_, mine) = call(&s, &hro_token, Method::GET, "/api/v1/incidents", None).await;
    assert_eq!(total(&mine), 1, "{mine}");
    let item = &mine["items"][0];
    assert_eq!(item["compartment"], "crsv");
    assert_eq!(item["recorded_by"], "hro");
    let id = item["id"].as_str().expect("id").to_string();
    let (st, opened) = call(
        &s,
        &hro_token,
        Method::GET,
        &format!("/api/v1/incidents/{id}?reason=follow-up"),
        None,
    )
    .await;
    assert_eq!(st, 200, "{opened}");
    assert_eq!(opened["victims"][0]["name"], VICTIM);
    assert_eq!(opened["violations"], serde_json::json!(["looting", "rape"]));
    assert_eq!(opened["attachments"][0]["media_type"], "image/jpeg");
    assert_eq!(opened["attachments"][0]["sealed"], true);

    // The ungranted user sees nothing of it: not in the list, the search or the counts, and
    // its page answers like a missing record.
    let (_, theirs) = call(
        &s,
        &other_token,
        Method::GET,
        "/api/v1/incidents?q=zebra",
        None,
    )
    .await;
    assert_eq!(total(&theirs), 0, "{theirs}");
    let hidden = call(
        &s,
        &other_token,
        Method::GET,
        &format!("/api/v1/incidents/{id}"),
        None,
    )
    .await;
    let missing = call(
        &s,
        &other_token,
        Method::GET,
        "/api/v1/incidents/01J0000000000000000000000",
        None,
    )
    .await;
    assert_eq!(hidden.0, 404);
    assert_eq!(hidden, missing);

    // The photo: opened for a reason by a reader of the compartment (audited), missing to
    // anyone else exactly like a file that does not exist.
    let digest = opened["attachments"][0]["digest"]
        .as_str()
        .expect("digest")
        .to_string();
    let file = format!("/api/v1/incidents/{id}/attachments/{digest}");
    let fetch = |token: &str, path: String| {
        let r = reqwest::Client::new()
            .get(format!("{}{path}", s.base))
            .bearer_auth(token)
            .send();
        async move {
            let r = r.await.expect("request");
            let status = r.status().as_u16();
            let kind = r.headers().get("content-type").cloned();
            (status, kind, r.bytes().await.unwrap_or_default().to_vec())
        }
    };
    let (st, _, body) = fetch(&hro_token, file.clone()).await;
    assert_eq!(st, 422, "{}", String::from_utf8_lossy(&body));
    const AUDITED: [&str; 2] = [
        "SELECT count(*) FROM events WHERE payload LIKE '%media_opened%'",
        "SELECT count(*)::text FROM events WHERE payload::text LIKE '%media_opened%'",
    ];
    assert_eq!(
        s.sql_column(AUDITED[0], AUDITED[1]).await,
        vec!["0".to_string()]
    );
    let (st, kind, body) = fetch(&hro_token, format!("{file}?reason=case%20review")).await;
    assert_eq!(st, 200);
    assert_eq!(body, JPEG, "the photo as the device sent it");
    assert_eq!(kind.expect("content type"), "image/jpeg");
    assert_eq!(
        s.sql_column(AUDITED[0], AUDITED[1]).await,
        vec!["1".to_string()]
    );
    let hidden = fetch(&other_token, format!("{file}?reason=x")).await;
    let missing = fetch(
        &other_token,
        format!("/api/v1/incidents/01J0000000000000000000000/attachments/{digest}?reason=x"),
    )
    .await;
    assert_eq!(hidden.0, 404);
    assert_eq!(hidden, missing);
    let (st, _, _) = fetch(&hro_token, format!("{file}0?reason=x")).await;
    assert_eq!(st, 404, "a digest the incident does not name");

    // Collect sends again when it missed the answer: 201 again, nothing new.
    let (st, body, _) = submit(&s, &hro, &xml).await;
    assert_eq!(st, 201, "{body}");
    let (_, again) = call(&s, &hro_token, Method::GET, "/api/v1/incidents", None).await;
    assert_eq!(total(&again), 1, "{again}");
    let rows = s
        .sql_column(
            "SELECT count(*) FROM incidents",
            "SELECT count(*)::text FROM incidents",
        )
        .await;
    assert_eq!(rows, vec!["1".to_string()]);
    // The name never reaches the database in clear.
    let clear = s
        .sql_column(
            &format!("SELECT count(*) FROM incidents WHERE doc LIKE '%{VICTIM}%'"),
            &format!("SELECT count(*)::text FROM incidents WHERE doc::text LIKE '%{VICTIM}%'"),
        )
        .await;
    assert_eq!(clear, vec!["0".to_string()]);

    // A malformed instance is refused, and the ledger still verifies.
    let (st, _, _) = submit(&s, &hro, "<data id=\"protection_monitoring\"><oops").await;
    assert_eq!(st, 400);
    let (ok, out) = s.verify();
    assert!(ok, "{out}");
}

on_both_stores!(collect_round_trip_story, super::collect_round_trip);
