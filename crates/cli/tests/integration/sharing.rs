//! Data-sharing agreements, as two organisations would use them: an agreement is recorded with
//! a paired instance (CLI and API), and a handover export for that instance carries only what
//! it allows — the bytes of the package hold no withheld field, no compartment it does not
//! share, no user or token — while the package still verifies, chain by chain, with Kinga and
//! with the independent Python verifier. A revoked agreement lets nothing cross.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::{Value, json};

use crate::harness::{Backend, Server};
use crate::on_both_stores;

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

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// The Python verifier's exit code and first line, when `KINGA_PYTHON` is set.
fn py_verify(pkg: &Path, from: &Path) -> Option<(i32, String)> {
    let Some(py) = std::env::var_os("KINGA_PYTHON").map(PathBuf::from) else {
        kinga_testing::skip(
            "sharing: the independent Python verifier",
            "set KINGA_PYTHON to a Python with blake3 and cryptography",
        );
        return None;
    };
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../handover/tests/verify_package.py");
    let out = std::process::Command::new(py)
        .arg(script)
        .arg(pkg)
        .arg("--from")
        .arg(from)
        .output()
        .expect("python runs");
    let first = String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    Some((out.status.code().unwrap_or(-1), first))
}

/// The decoded payloads of the package's full events.
fn payloads(pkg: &[u8]) -> Vec<Value> {
    pkg.split(|b| *b == b'\n')
        .filter(|l| l.starts_with(b"{\"t\":\"event\""))
        .map(|l| {
            let line: Value = serde_json::from_slice(l).expect("an event line");
            serde_json::from_str(line["payload"].as_str().expect("payload")).expect("payload json")
        })
        .collect()
}

async fn agreements_decide_what_crosses(backend: Backend) {
    let Some(mut sender) = Server::start_demo(backend, &[]).await else {
        return;
    };
    let Some(recipient) = Server::empty(backend).await else {
        return;
    };
    let dir = tempfile::tempdir().expect("tmp");
    let (to, from) = (dir.path().join("cndh.pub"), dir.path().join("goma.pub"));
    std::fs::write(&to, ok(recipient.cli(&["instance", "key"], None), "key")).expect("write");
    std::fs::write(&from, ok(sender.cli(&["instance", "key"], None), "key")).expect("write");
    let (to_s, from_s) = (to.to_str().expect("utf-8"), from.to_str().expect("utf-8"));

    // Records the agreement must keep home: an alert's text, a CRSV incident.
    let secret = "ZX-SECRET-4471 hommes armés au marché";
    let (st, alert) = sender
        .post("/api/v1/alerts", json!({"text": secret, "place": "CD6111"}))
        .await;
    assert_eq!(st, 201, "{alert}");
    ok(
        sender.cli(&["user", "grant", "admin", "crsv"], None),
        "grant",
    );
    let (st, incident) = sender
        .post(
            "/api/v1/incidents",
            json!({"occurred_on": "2026-09-14", "place": "CD6111", "narrative": "Attaque de nuit",
                   "compartment": "crsv", "violations": ["rape"],
                   "victims": [{"sex": "female", "age_group": "18-59", "name": "Neema Furaha"}],
                   "perpetrators": [{"category": "armed_group"}],
                   "sources": [{"kind": "victim", "reliability": "reliable"}]}),
        )
        .await;
    assert_eq!(st, 201, "{incident}");

    // No agreement with an unpaired instance; then pairing and the agreement.
    let add = |extra: &[&str]| {
        let mut args = vec![
            "agreement",
            "add",
            "cndh",
            "--organisation",
            "Commission nationale des droits de l'homme",
            "--compartments",
            "general,human_rights",
            "--withhold",
            "alert:text,focal_point:name",
            "--purpose",
            "Suivi de la protection après le départ de la mission",
            "--from",
            "2020-01-01",
            "--until",
            "2099-12-31",
        ];
        args.extend_from_slice(extra);
        sender.cli(&args, None)
    };
    let out = add(&[]);
    assert!(!out.status.success(), "an unpaired peer: {}", text(&out));
    ok(
        sender.cli(
            &["peer", "add", "cndh", "https://kinga.cndh.example", to_s],
            None,
        ),
        "peer add",
    );
    for (bad, what) in [
        (vec!["--level", "everything"], "a bad level"),
        (
            vec!["--withhold", "user:password"],
            "an unknown record type",
        ),
    ] {
        let out = add(&bad);
        assert!(!out.status.success(), "{what} was accepted: {}", text(&out));
    }
    let out = ok(add(&[]), "agreement add");
    let id = out
        .split_whitespace()
        .nth(2)
        .expect("recorded agreement ID")
        .to_string();
    let list = ok(sender.cli(&["agreement", "list"], None), "agreement list");
    assert!(
        list.contains(&format!(
            "{id}\tcndh\tin_force\trecords\t2020-01-01..2099-12-31"
        )) && list.contains("alert:text,focal_point:name"),
        "{list}"
    );
    let (st, listed) = sender.get("/api/v1/agreements").await;
    assert_eq!(st, 200, "{listed}");
    assert_eq!(listed[0]["id"], json!(id), "{listed}");
    assert_eq!(listed[0]["withheld_fields"]["alert"], json!(["text"]));
    let (st, refused) = sender
        .post(
            "/api/v1/agreements",
            json!({"peer": "nobody", "organisation": "X", "level": "records", "purpose": "p",
                   "valid_from": "2026-01-01", "valid_until": "2026-12-31"}),
        )
        .await;
    assert_eq!(st, 422, "{refused}");

    // The export for the paired instance applies the agreement.
    let pkg = dir.path().join("cndh.kinga-handover");
    let pkg_s = pkg.to_str().expect("utf-8");
    let out = ok(
        sender.cli(&["handover", "export", "--to", to_s, "--out", pkg_s], None),
        "export",
    );
    assert!(out.contains(&format!("under agreement {id}")), "{out}");
    let bytes = std::fs::read(&pkg).expect("package");
    assert!(
        !contains(&bytes, "ZX-SECRET-4471"),
        "the withheld text left"
    );
    assert!(!contains(&bytes, "Neema Furaha"));
    assert!(
        !contains(&bytes, "\"key_id\":\"field-sealing\""),
        "the master key left"
    );
    assert!(!contains(&bytes, "compartment:crsv"), "the CRSV key left");
    let shared = payloads(&bytes);
    let kinds: Vec<&str> = shared.iter().filter_map(|p| p["type"].as_str()).collect();
    for never in [
        "user_saved",
        "token_saved",
        "message_queued",
        "audited",
        "focal_point_saved",
        "compartment_key_saved",
        "peer_saved",
        "agreement_saved",
    ] {
        assert!(!kinds.contains(&never), "a {never} event crossed");
    }
    assert!(kinds.contains(&"place_saved"), "places cross: {kinds:?}");
    for p in &shared {
        if p["type"] == "incident_saved" {
            let c = p["incident"]["compartment"].as_str().unwrap_or_default();
            assert!(c == "general" || c == "human_rights", "{c} crossed");
        }
        if p["type"] == "alert" {
            assert!(!p.to_string().contains("\"text\":\"Z"), "{p}");
        }
    }
    let out = ok(
        recipient.cli(&["handover", "verify", pkg_s, "--from", from_s], None),
        "verify the filtered package",
    );
    assert!(out.starts_with("OK: intact package"), "{out}");
    let withheld = bytes
        .split(|b| *b == b'\n')
        .filter(|l| l.starts_with(b"{\"t\":\"withheld\""))
        .count();
    assert!(withheld > 0 && !shared.is_empty(), "{withheld} withheld");
    if let Some((code, first)) = py_verify(&pkg, &from) {
        assert_eq!(
            code, 0,
            "the Python verifier refused the filtered package: {first}"
        );
    }
    // A package with withheld events does not build a new instance.
    let out = recipient.cli(&["handover", "import", pkg_s, "--from", from_s], None);
    assert!(!out.status.success(), "{}", text(&out));

    // Revoked (through the API): nothing may be sent to the peer any more.
    let (st, revoked) = sender
        .post(
            &format!("/api/v1/agreements/{id}/revoke"),
            json!({"reason": "the commission asked for aggregates only"}),
        )
        .await;
    assert_eq!(st, 200, "{revoked}");
    assert_eq!(revoked["revoked"]["by"], json!("admin"), "{revoked}");
    let again = dir.path().join("again.kinga-handover");
    let again_s = again.to_str().expect("utf-8");
    for extra in [vec![], vec!["--agreement", id.as_str()]] {
        let mut args = vec!["handover", "export", "--to", to_s, "--out", again_s];
        args.extend(extra);
        let out = sender.cli(&args, None);
        assert!(
            !out.status.success(),
            "export after revocation: {}",
            text(&out)
        );
        assert!(!again.exists());
    }
    let list = ok(sender.cli(&["agreement", "list"], None), "agreement list");
    assert!(list.contains("\trevoked\t"), "{list}");
    sender.stop();
    let verified = ok(sender.cli(&["verify"], None), "verify");
    assert!(verified.contains("ledger verified"), "{verified}");
}
on_both_stores!(
    agreements_filter_exports,
    super::agreements_decide_what_crosses
);
