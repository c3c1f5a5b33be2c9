//! Handover between instances, as two organisations would do it with the `kinga` binary: the
//! demo instance exports its whole ledger for a new instance on the other kind of store; the
//! package verifies with Kinga and with the independent Python verifier; tampered packages are
//! refused by both, naming the first fault, and their import changes nothing; an import killed
//! at random points leaves nothing half-done; the imported instance shows the same alerts,
//! incidents (sealed fields still readable) and places, passes `kinga verify`, and seals its
//! own later events under its own chain.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use serde_json::{Value, json};

use crate::harness::{Backend, Server};
use crate::on_both_stores;
use crate::openrosa;

fn other(b: Backend) -> Backend {
    match b {
        Backend::Sqlite => Backend::Postgres,
        Backend::Postgres => Backend::Sqlite,
    }
}

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

fn python() -> Option<PathBuf> {
    match std::env::var_os("KINGA_PYTHON") {
        Some(p) => Some(PathBuf::from(p)),
        None => {
            kinga_testing::skip(
                "handover: the independent Python verifier",
                "set KINGA_PYTHON to a Python with blake3 and cryptography",
            );
            None
        }
    }
}

/// The Python verifier's exit code and first line.
fn py_verify(py: &Path, pkg: &Path, from: &Path) -> (i32, String) {
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
    (out.status.code().unwrap_or(-1), first)
}

async fn events_held(s: &Server) -> i64 {
    let n = s
        .sql_column("SELECT count(*) FROM events", "SELECT count(*) FROM events")
        .await;
    n[0].parse().expect("a count")
}

/// Alerts as the list shows them, newest first: what must be the same on both sides.
async fn alert_rows(s: &Server) -> Vec<Value> {
    let mut rows = Vec::new();
    for offset in (0..2000).step_by(500) {
        let (st, page) = s
            .get(&format!(
                "/api/v1/alerts?sort=newest&limit=500&offset={offset}"
            ))
            .await;
        assert_eq!(st, 200, "{page}");
        let items = page["items"].as_array().cloned().unwrap_or_default();
        if items.is_empty() {
            break;
        }
        rows.extend(items.into_iter().map(|a| {
            json!([
                a["id"],
                a["reference"],
                a["state"],
                a["place"],
                a["severity"],
                a["threat_type"]
            ])
        }));
    }
    rows
}

/// The package's lines (each with its line feed).
fn lines(pkg: &Path) -> Vec<Vec<u8>> {
    let bytes = std::fs::read(pkg).expect("package");
    bytes
        .split_inclusive(|b| *b == b'\n')
        .map(<[u8]>::to_vec)
        .collect()
}

/// Tampered copies of `pkg`, each with the fault both verifiers must name first.
fn tampered(pkg: &Path, dir: &Path) -> Vec<(PathBuf, &'static str, &'static str)> {
    let all = lines(pkg);
    let events: Vec<usize> = (0..all.len())
        .filter(|&i| all[i].starts_with(b"{\"t\":\"event\""))
        .collect();
    assert!(events.len() > 40, "the demo package holds events");
    let (a, b) = (events[20], events[21]);
    let write = |name: &str, lines: &[Vec<u8>]| {
        let p = dir.join(name);
        std::fs::write(&p, lines.concat()).expect("write");
        p
    };
    let mut changed = all.clone();
    let at = find(&changed[a], b"\"actor\":\"") + 9;
    changed[a][at] = if changed[a][at] == b'x' { b'y' } else { b'x' };
    let mut removed = all.clone();
    removed.remove(a);
    let mut swapped = all.clone();
    swapped.swap(a, b);
    let whole = all.concat();
    let cut = dir.join("truncated.kinga-handover");
    std::fs::write(&cut, &whole[..whole.len() / 2]).expect("write");
    vec![
        (
            write("changed.kinga-handover", &changed),
            "altered",
            "one byte changed",
        ),
        (
            write("removed.kinga-handover", &removed),
            "sequence",
            "one event removed",
        ),
        (
            write("swapped.kinga-handover", &swapped),
            "sequence",
            "two events reordered",
        ),
        (cut, "truncated", "cut in half"),
    ]
}

fn find(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len())
        .position(|w| w == needle)
        .expect("member present")
}

/// The demo's whole record moves to a new instance on the other kind of store.
async fn a_handover_moves_the_whole_record(backend: Backend) {
    let Some(py) = python() else { return };
    let Some(mut sender) = Server::start_demo(backend, &[]).await else {
        return;
    };
    let Some(mut recipient) = Server::empty(other(backend)).await else {
        return;
    };
    let dir = tempfile::tempdir().expect("tmp");
    let (to, from) = (
        dir.path().join("recipient.pub"),
        dir.path().join("sender.pub"),
    );
    let line = ok(recipient.cli(&["instance", "key"], None), "recipient key");
    assert!(line.starts_with("kinga-ed25519:"), "{line}");
    std::fs::write(&to, &line).expect("write");
    std::fs::write(
        &from,
        ok(sender.cli(&["instance", "key"], None), "sender key"),
    )
    .expect("write");

    // A sensitive incident: its identifying fields are sealed with the crsv key.
    ok(
        sender.cli(&["user", "grant", "admin", "crsv"], None),
        "grant",
    );
    let (_, places) = sender.get("/api/v1/places?limit=50").await;
    let place = places["items"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["level"] == "settlement"))
        .map(|p| p["pcode"].as_str().unwrap_or_default().to_string())
        .expect("a demo settlement");
    let (st, incident) = sender
        .post(
            "/api/v1/incidents",
            json!({"occurred_on": "2026-09-14", "place": place, "narrative": "Attaque de nuit",
                   "compartment": "crsv", "violations": ["rape"],
                   "victims": [{"sex": "female", "age_group": "18-59", "name": "Neema Furaha"}],
                   "perpetrators": [{"category": "armed_group"}],
                   "sources": [{"kind": "victim", "reliability": "reliable"}]}),
        )
        .await;
    assert_eq!(st, 201, "{incident}");
    let incident_id = incident["id"].as_str().expect("id").to_string();
    let incident_path = format!("/api/v1/incidents/{incident_id}?reason=handover%20check");
    let (_, before_incident) = sender.get(&incident_path).await;
    assert!(
        before_incident.to_string().contains("Neema Furaha"),
        "{before_incident}"
    );

    // A field report with a photo, sent as ODK Collect sends it: the photo travels too.
    sender.add_user("hro", "monitor", "hro-password-123");
    ok(sender.cli(&["user", "grant", "hro", "crsv"], None), "grant");
    let (st, body, _) = openrosa::submit(
        &sender,
        &openrosa::basic("hro", "hro-password-123"),
        &openrosa::instance("uuid:5b0e2c1a-handover", "rape"),
    )
    .await;
    assert_eq!(st, 201, "{body}");
    let (_, listed) = sender.get("/api/v1/incidents?limit=200").await;
    let report = listed["items"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["recorded_by"] == "hro"))
        .and_then(|i| i["id"].as_str())
        .expect("the field report")
        .to_string();
    let (_, opened) = sender
        .get(&format!(
            "/api/v1/incidents/{report}?reason=handover%20check"
        ))
        .await;
    let photo = format!(
        "/api/v1/incidents/{report}/attachments/{}?reason=handover%20check",
        opened["attachments"][0]["digest"].as_str().expect("digest")
    );

    let pkg = dir.path().join("demo.kinga-handover");
    let pkg_s = pkg.to_str().expect("utf-8");
    let (to_s, from_s) = (to.to_str().expect("utf-8"), from.to_str().expect("utf-8"));
    let out = ok(
        sender.cli(&["handover", "export", "--to", to_s, "--out", pkg_s], None),
        "export",
    );
    assert!(
        out.contains("wrote") && out.contains("wrapped keys"),
        "{out}"
    );
    let out = ok(
        recipient.cli(&["handover", "verify", pkg_s, "--from", from_s], None),
        "verify",
    );
    assert!(out.starts_with("OK: intact package"), "{out}");
    let (code, first) = py_verify(&py, &pkg, &from);
    assert_eq!(
        code, 0,
        "the Python verifier refused Kinga's package: {first}"
    );

    // Tampered packages: both verifiers name the same first fault, import changes nothing.
    let mut cases = tampered(&pkg, dir.path());
    let other_key = dir.path().join("other.instance-key");
    let signed_by_other = dir.path().join("other.kinga-handover");
    ok(
        sender.cli_env(
            &[
                "handover",
                "export",
                "--to",
                to_s,
                "--out",
                signed_by_other.to_str().expect("utf-8"),
            ],
            &[(
                "KINGA_INSTANCE_KEY_FILE",
                other_key.to_str().expect("utf-8"),
            )],
        ),
        "export signed by another key",
    );
    cases.push((signed_by_other, "sender", "signed by another key"));
    for (bad, kind, what) in &cases {
        let bad_s = bad.to_str().expect("utf-8");
        let out = recipient.cli(&["handover", "verify", bad_s, "--from", from_s], None);
        let said = String::from_utf8_lossy(&out.stdout).to_string();
        assert_eq!(out.status.code(), Some(1), "{what}: {said}");
        assert!(
            said.starts_with(&format!("FAULT {kind}:")),
            "{what}: {said}"
        );
        let (code, first) = py_verify(&py, bad, &from);
        assert_eq!(code, 1, "{what}: the Python verifier said {first}");
        assert!(
            first.starts_with(&format!("FAULT {kind} ")),
            "{what}: {first}"
        );
        let out = recipient.cli(&["handover", "import", bad_s, "--from", from_s], None);
        assert!(!out.status.success(), "{what} was imported: {}", text(&out));
        assert!(text(&out).contains("refused"), "{what}: {}", text(&out));
        assert_eq!(
            events_held(&recipient).await,
            0,
            "{what}: import wrote events"
        );
    }

    // An import killed at random points leaves nothing, or everything.
    // The sender's server goes on working (deliveries, jobs): count what the package holds.
    let total = lines(&pkg)
        .iter()
        .filter(|l| l.starts_with(b"{\"t\":\"event\""))
        .count() as i64;
    let mut completed = false;
    for _ in 0..4 {
        let mut child = recipient.cli_child(&["handover", "import", pkg_s, "--from", from_s]);
        let wait = 100 + rand::random::<u64>() % 1_500;
        tokio::time::sleep(Duration::from_millis(wait)).await;
        let _ = child.kill();
        let status = child.wait().expect("wait");
        let held = events_held(&recipient).await;
        eprintln!("import killed after {wait} ms ({status}): {held} of {total} events");
        assert!(
            held == 0 || held == total,
            "import killed after {wait} ms ({status}) left {held} of {total} events"
        );
        if held == total {
            completed = true;
            break;
        }
    }
    if !completed {
        let out = ok(
            recipient.cli(&["handover", "import", pkg_s, "--from", from_s], None),
            "import",
        );
        assert!(out.contains(&format!("imported {total} events")), "{out}");
    }
    let again = recipient.cli(&["handover", "import", pkg_s, "--from", from_s], None);
    assert!(
        !again.status.success(),
        "a second import into a full database must be refused"
    );
    let verified = ok(recipient.cli(&["verify"], None), "verify after import");
    assert!(verified.contains("ledger verified"), "{verified}");

    // The same record through the API, with the sender's users and tokens.
    recipient.token = sender.token.clone();
    recipient.spawn().await;
    assert_eq!(alert_rows(&recipient).await, alert_rows(&sender).await);
    let (_, p1) = sender.get("/api/v1/places?limit=500").await;
    let (_, p2) = recipient.get("/api/v1/places?limit=500").await;
    assert_eq!(p1, p2);
    let (_, newest) = sender.get("/api/v1/alerts?sort=newest&limit=1").await;
    let detail = format!(
        "/api/v1/alerts/{}",
        newest["items"][0]["id"].as_str().expect("id")
    );
    let (_, a1) = sender.get(&detail).await;
    let (_, a2) = recipient.get(&detail).await;
    assert_eq!(a1["timeline"], a2["timeline"]);
    let sent = recipient
        .req(reqwest::Method::GET, &photo)
        .send()
        .await
        .expect("photo");
    assert_eq!(
        sent.status().as_u16(),
        200,
        "the photo opens after the handover"
    );
    assert_eq!(
        sent.bytes().await.expect("bytes").to_vec(),
        openrosa::JPEG,
        "the photo as the device sent it"
    );
    let (st, after_incident) = recipient.get(&incident_path).await;
    assert_eq!(st, 200, "{after_incident}");
    assert_eq!(after_incident["victims"], before_incident["victims"]);
    assert!(after_incident.to_string().contains("Neema Furaha"));

    // The new instance's own events start its own chain; references go on after the old ones.
    let (st, created) = recipient
        .post(
            "/api/v1/alerts",
            json!({"text": "Hommes armés vus ce matin", "place": place}),
        )
        .await;
    assert_eq!(st, 201, "{created}");
    let number = |r: &Value| -> u64 {
        r.as_str()
            .and_then(|s| s.rsplit('-').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    let highest = alert_rows(&sender)
        .await
        .iter()
        .map(|r| number(&r[1]))
        .max()
        .unwrap_or(0);
    assert!(number(&created["reference"]) > highest, "{created}");
    recipient.stop();
    let verified = ok(recipient.cli(&["verify"], None), "verify after new events");
    assert!(verified.contains("in 2 chain(s)"), "{verified}");
    sender.stop();
}
on_both_stores!(
    handover_moves_the_record,
    super::a_handover_moves_the_whole_record
);

/// Pairing: `kinga peer add` records the peer in the ledger (so `kinga verify` covers it),
/// refuses malformed keys and a name already paired with another key; `kinga peer list`
/// shows it.
async fn instances_are_paired_by_key(backend: Backend) {
    let Some(mut s) = Server::start(backend).await else {
        return;
    };
    let Some(other) = Server::empty(backend).await else {
        return;
    };
    let line = ok(other.cli(&["instance", "key"], None), "key");
    let key = line.split_whitespace().next().expect("key").to_string();
    let pub_file = s.dir().join("cndh.pub");
    std::fs::write(&pub_file, &line).expect("write");
    let out = ok(
        s.cli(
            &[
                "peer",
                "add",
                "cndh",
                "https://kinga.cndh.example/",
                pub_file.to_str().expect("utf-8"),
            ],
            None,
        ),
        "peer add",
    );
    assert!(out.contains(&key), "{out}");
    for (args, what) in [
        (
            vec![
                "peer",
                "add",
                "cndh",
                "https://kinga.cndh.example",
                "kinga-ed25519:AAAA",
            ],
            "a bad key",
        ),
        (
            vec![
                "peer",
                "add",
                "x y",
                "https://kinga.cndh.example",
                key.as_str(),
            ],
            "a bad name",
        ),
        (
            vec!["peer", "add", "field", "kinga.example", key.as_str()],
            "a bad URL",
        ),
    ] {
        let out = s.cli(&args, None);
        assert!(!out.status.success(), "{what} was accepted: {}", text(&out));
    }
    let mine = ok(s.cli(&["instance", "key"], None), "own key");
    let mine = mine.split_whitespace().next().expect("key");
    let out = s.cli(
        &["peer", "add", "cndh", "https://kinga.cndh.example", mine],
        None,
    );
    assert!(
        !out.status.success(),
        "a name was re-paired with another key"
    );
    let list = ok(s.cli(&["peer", "list"], None), "peer list");
    assert_eq!(list.lines().count(), 1, "{list}");
    assert!(
        list.starts_with(&format!("cndh\thttps://kinga.cndh.example\t{key}\t")),
        "{list}"
    );
    let verified = ok(s.cli(&["verify"], None), "verify");
    assert!(verified.contains("ledger verified"), "{verified}");
    s.stop();
}
on_both_stores!(peers_are_paired, super::instances_are_paired_by_key);
