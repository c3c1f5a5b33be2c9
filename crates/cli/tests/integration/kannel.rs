//! A real Kannel between a phone and Kinga: bearerbox with a fake SMSC, smsbox with an
//! `sms-service` that calls Kinga's receive route, and Kannel's own `fakesmsc` standing in for
//! the mobile network. A message typed on the "phone" becomes an alert; the acknowledgement
//! comes back in smsbox's answer, and the feedback, once the alert is closed, through
//! Kinga's delivery worker and Kannel's `sendsms`; Kannel's delivery report then marks it
//! delivered.
//!
//! Needs Debian's `kannel` (bearerbox, smsbox) and `kannel-extras` (fakesmsc); without them
//! the test is skipped with a notice, except under CI=true, where it fails.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::harness::{Backend, Server, free_port};

const SECRET: &str = "kannel-e2e-secret";
const USER: &str = "kinga";
const PASSWORD: &str = "sendsms-pw";
/// Furaha Kambale of the harness's focal points (at Kiwanja).
const PHONE: &str = "+243990001001";
const SHORT_CODE: &str = "1234";

/// Kannel's programs, when installed.
struct Programs {
    bearerbox: PathBuf,
    smsbox: PathBuf,
    fakesmsc: PathBuf,
}

fn find(candidates: &[&str]) -> Option<PathBuf> {
    candidates.iter().map(PathBuf::from).find(|p| p.is_file())
}

/// The programs, or None (with a notice) when Kannel is missing outside CI.
fn programs() -> Option<Programs> {
    let found = (|| {
        Some(Programs {
            bearerbox: find(&["/usr/sbin/bearerbox", "/usr/local/sbin/bearerbox"])?,
            smsbox: find(&["/usr/sbin/smsbox", "/usr/local/sbin/smsbox"])?,
            fakesmsc: find(&[
                "/usr/lib/kannel/test/fakesmsc",
                "/usr/local/lib/kannel/test/fakesmsc",
            ])?,
        })
    })();
    if found.is_none() {
        kinga_testing::skip(
            "kannel",
            "Kannel (bearerbox, smsbox, fakesmsc) is not installed; scripts/test installs kannel kannel-extras",
        );
    }
    found
}

/// The running Kannel processes; all are killed when this is dropped, panics included.
struct Kannel {
    children: Vec<(&'static str, Child)>,
    dir: PathBuf,
}

impl Kannel {
    fn spawn(&mut self, name: &'static str, program: &Path, args: &[&str]) {
        let log = std::fs::File::create(self.dir.join(format!("{name}.log"))).expect("log file");
        let child = Command::new(program)
            .args(args)
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log file"))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", program.display()));
        self.children.push((name, child));
    }

    fn log(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.join(format!("{name}.log"))).unwrap_or_default()
    }

    /// Whether fakesmsc sent its message: false when it exited first (no fake SMSC to talk to).
    async fn phone_sent(&mut self) -> bool {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if self.log("fakesmsc").contains("sent message 1") {
                return true;
            }
            let exited = self
                .children
                .iter_mut()
                .filter(|(name, _)| *name == "fakesmsc")
                .any(|(_, child)| matches!(child.try_wait(), Ok(Some(_))));
            if exited {
                return false;
            }
            assert!(
                Instant::now() < deadline,
                "fakesmsc neither sent nor exited\n{}",
                self.logs()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Every log, for a failure message.
    fn logs(&self) -> String {
        self.children
            .iter()
            .map(|(name, _)| {
                let text = self.log(name);
                let tail: Vec<&str> = text.lines().rev().take(40).collect();
                let tail: Vec<&str> = tail.into_iter().rev().collect();
                format!("--- {name}\n{}", tail.join("\n"))
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The messages fakesmsc received from Kannel, as `from to text …` lines.
    fn phone_received(&self) -> Vec<String> {
        self.log("fakesmsc")
            .lines()
            .filter_map(|l| l.split_once("Got message ").map(|(_, m)| m.to_string()))
            .collect()
    }
}

impl Drop for Kannel {
    fn drop(&mut self) {
        for (_, child) in self.children.iter_mut().rev() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Wait until something listens on `port`.
async fn listening(port: u16, kannel: &Kannel, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "{what} is not listening on {port}\n{}",
            kannel.logs()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Poll `check` until it gives a value.
async fn eventually<T>(
    what: &str,
    kannel: &Kannel,
    mut check: impl AsyncFnMut() -> Option<T>,
) -> T {
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}\n{}",
            kannel.logs()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

struct Ports {
    admin: u16,
    smsbox: u16,
    smsc: u16,
    sendsms: u16,
}

fn config(p: &Ports, kinga: &str) -> String {
    format!(
        r#"group = core
admin-port = {admin}
admin-password = kannel-admin
status-password = kannel-admin
smsbox-port = {smsbox}
box-allow-ip = 127.0.0.1
log-level = 1
dlr-storage = internal

group = smsc
smsc = fake
smsc-id = fake
port = {smsc}
connect-allow-ip = 127.0.0.1

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = {smsbox}
sendsms-port = {sendsms}
log-level = 1

group = sendsms-user
username = {USER}
password = {PASSWORD}

# smsbox sends Kinga's answer (the acknowledgement) back to the phone, and nothing when the
# answer is empty.
group = sms-service
keyword = default
get-url = "{kinga}/channels/kannel/receive?secret={SECRET}&from=%p&to=%P&text=%a&id=%I&time=%T&charset=%C&coding=%c"
omit-empty = true
max-messages = 1
"#,
        admin = p.admin,
        smsbox = p.smsbox,
        smsc = p.smsc,
        sendsms = p.sendsms,
    )
}

async fn outbox(s: &Server, alert: &str) -> Vec<Value> {
    let (_, out) = s.get(&format!("/api/v1/outbox?alert={alert}")).await;
    out["items"].as_array().cloned().unwrap_or_default()
}

async fn sms_round_trip_through_kannel(backend: Backend) {
    let Some(programs) = programs() else {
        return;
    };
    let ports = Ports {
        admin: free_port(),
        smsbox: free_port(),
        smsc: free_port(),
        sendsms: free_port(),
    };
    let sendsms_url = format!("http://127.0.0.1:{}/cgi-bin/sendsms", ports.sendsms);
    let Some(s) = Server::start_with_env(
        backend,
        &[
            ("KINGA_KANNEL_SECRET", SECRET),
            ("KINGA_KANNEL_SENDSMS_URL", &sendsms_url),
            ("KINGA_KANNEL_USERNAME", USER),
            ("KINGA_KANNEL_PASSWORD", PASSWORD),
            ("KINGA_OUTBOUND_DRIVER", "kannel"),
            ("KINGA_OUTBOUND_SENDER", SHORT_CODE),
            ("KINGA_OUTBOUND_INTERVAL_SECONDS", "1"),
        ],
    )
    .await
    else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let conf = dir.path().join("kannel.conf");
    std::fs::write(&conf, config(&ports, &s.base)).expect("write kannel.conf");
    let conf = conf.to_str().expect("utf-8 path").to_string();
    let mut kannel = Kannel {
        children: vec![],
        dir: dir.path().to_path_buf(),
    };
    kannel.spawn("bearerbox", &programs.bearerbox, &["-v", "1", &conf]);
    listening(ports.smsbox, &kannel, "bearerbox").await;
    kannel.spawn("smsbox", &programs.smsbox, &["-v", "1", &conf]);
    listening(ports.sendsms, &kannel, "smsbox").await;

    // fakesmsc gives up for good when the fake SMSC's port is not open yet (it was, once, on a
    // busy CI machine), so wait for the port and start it again should it still exit unsent.
    listening(ports.smsc, &kannel, "bearerbox's fake SMSC").await;

    // The phone sends one alert.
    let smsc_port = ports.smsc.to_string();
    let sms = format!("{PHONE} {SHORT_CODE} text ALERTE Kiwanja hommes armes ce matin");
    let phone_args = [
        "-H",
        "127.0.0.1",
        "-r",
        &smsc_port,
        "-i",
        "0.1",
        "-m",
        "1",
        &sms,
    ];
    for attempt in 1..=5 {
        kannel.spawn("fakesmsc", &programs.fakesmsc, &phone_args);
        if kannel.phone_sent().await {
            break;
        }
        assert!(attempt < 5, "fakesmsc never sent\n{}", kannel.logs());
        println!("fakesmsc exited unsent (attempt {attempt}), starting it again");
        kannel.children.retain(|(name, _)| *name != "fakesmsc");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let alert = eventually("the alert in Kinga", &kannel, async || {
        let (_, list) = s.get("/api/v1/alerts?sort=newest&limit=5").await;
        list["items"].as_array()?.first().cloned()
    })
    .await;
    let id = alert["id"].as_str().expect("id").to_string();
    let reference = alert["reference"].as_str().expect("reference").to_string();
    assert_eq!(alert["channel"], "sms", "{alert}");
    assert!(
        alert["text"]
            .as_str()
            .unwrap_or("")
            .contains("hommes armes"),
        "{alert}"
    );

    // The acknowledgement came back to the phone in smsbox's answer to the receive call.
    let ack = eventually("the acknowledgement on the phone", &kannel, async || {
        kannel
            .phone_received()
            .into_iter()
            .find(|m| m.contains(&reference))
    })
    .await;
    assert!(ack.contains(PHONE) && ack.contains("Kinga"), "{ack}");
    let msgs = outbox(&s, &id).await;
    let ack_msg = msgs
        .iter()
        .find(|m| m["kind"] == "acknowledgement")
        .expect("acknowledgement in the outbox");
    assert_eq!(ack_msg["status"], "sent", "{ack_msg}");

    // Closing the alert sends the feedback through sendsms.
    let state = alert["state"].as_str().unwrap_or("").to_string();
    let mut steps = vec![];
    if state == "received" {
        steps.push(json!({"to": "acknowledged"}));
    }
    steps.push(json!({"to": "false_alarm", "reason": "patrol found nobody"}));
    steps.push(json!({"to": "closed", "outcome": "patrouille passee, calme revenu"}));
    for step in steps {
        let (st, body) = s
            .post(&format!("/api/v1/alerts/{id}/transitions"), step.clone())
            .await;
        assert_eq!(st, 200, "{step}: {body}");
    }
    let feedback = eventually("the feedback on the phone", &kannel, async || {
        kannel
            .phone_received()
            .into_iter()
            .find(|m| m.contains("calme revenu"))
    })
    .await;
    assert!(
        feedback.contains(PHONE) && feedback.contains(&reference),
        "{feedback}"
    );
    assert_eq!(
        kannel.phone_received().len(),
        2,
        "one acknowledgement, one feedback: {:?}",
        kannel.phone_received()
    );
    // Kannel reports delivery to the dlr-url Kinga gave it (the fake SMSC confirms at once).
    let delivered = eventually("Kannel's delivery report", &kannel, async || {
        outbox(&s, &id)
            .await
            .into_iter()
            .find(|m| m["kind"] == "feedback" && m["status"] == "delivered")
    })
    .await;
    assert_eq!(delivered["provider"], "kannel", "{delivered}");
    assert_eq!(delivered["channel"], "sms", "{delivered}");
    assert_eq!(
        delivered["provider_message_id"], delivered["id"],
        "Kannel's reports quote our id"
    );
    assert_eq!(delivered["attempts"], 1, "{delivered}");

    // A late "accepted by the SMSC" report changes nothing.
    let dlr = format!(
        "/channels/kannel/dlr?secret={SECRET}&id={}&type=8",
        delivered["id"].as_str().expect("id")
    );
    let r = reqwest::get(format!("{}{dlr}", s.base)).await.expect("dlr");
    assert_eq!(r.status().as_u16(), 200);
    let after = outbox(&s, &id)
        .await
        .into_iter()
        .find(|m| m["kind"] == "feedback")
        .expect("feedback");
    assert_eq!(after["status"], "delivered", "{after}");
}
crate::on_both_stores!(sms_round_trip, super::sms_round_trip_through_kannel);
