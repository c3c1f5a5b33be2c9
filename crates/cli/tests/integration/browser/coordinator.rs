//! A coordinator's morning over the demo data set: asks for escalations by e-mail too, closes
//! the alerts left behind for weeks in one go, and hears of a missed deadline in the inbox, by
//! SMS (the log driver) and by e-mail, received by a real SMTP server (Python's aiosmtpd).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::Locator;
use serde_json::{Value, json};

use super::{at_width, browser, click, fits, screenshot, sign_in, text_of, type_into};
use crate::harness::{Backend, Server};

/// Password of the demo users (crates/cli/src/demo).
const DEMO_PASSWORD: &str = "kinga-demo-2026";

/// aiosmtpd writing every message it receives into a Maildir; stopped when dropped.
struct SmtpSink {
    child: Child,
    port: u16,
    maildir: tempfile::TempDir,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl SmtpSink {
    fn start() -> Option<SmtpSink> {
        let Ok(python) = std::env::var("KINGA_PYTHON") else {
            kinga_testing::skip(
                "smtp sink",
                "KINGA_PYTHON is not set (scripts/test makes a venv with aiosmtpd)",
            );
            return None;
        };
        let maildir = tempfile::tempdir().expect("maildir");
        for sub in ["tmp", "new", "cur"] {
            std::fs::create_dir(maildir.path().join(sub)).expect("maildir folder");
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("port")
            .port();
        let child = Command::new(python)
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start aiosmtpd");
        let sink = SmtpSink {
            child,
            port,
            maildir,
        };
        let until = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < until, "aiosmtpd did not listen on {port}");
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(sink)
    }

    /// Every message received so far, as raw text.
    fn messages(&self) -> Vec<String> {
        ["new", "cur"]
            .iter()
            .filter_map(|d| std::fs::read_dir(self.maildir.path().join(d)).ok())
            .flatten()
            .filter_map(|e| e.ok())
            .filter_map(|e| std::fs::read(e.path()).ok())
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .collect()
    }
}

/// The alert's escalation copies once one per channel has gone out, polling the API.
async fn escalations_sent(s: &Server, alert: &str) -> Vec<Value> {
    let until = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, out) = s.get(&format!("/api/v1/outbox?alert={alert}")).await;
        let esc: Vec<Value> = out["items"]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter(|m| m["kind"] == "escalation")
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        let done = ["inbox", "sms", "email"].iter().all(|ch| {
            esc.iter()
                .any(|m| m["channel"] == *ch && m["status"] != "queued")
        });
        if done {
            return esc;
        }
        assert!(
            Instant::now() < until,
            "the escalation did not go out on every channel: {esc:#?}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

async fn a_coordinator_closes_stale_alerts_and_hears_of_escalations(backend: Backend) {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let port = sink.port.to_string();
    let Some(s) = Server::start_demo(
        backend,
        &[
            ("KINGA_OUTBOUND_DRIVER", "log"),
            ("KINGA_OUTBOUND_INTERVAL_SECONDS", "1"),
            ("KINGA_OUTBOUND_BATCH", "500"),
            ("KINGA_SMTP_HOST", "127.0.0.1"),
            ("KINGA_SMTP_PORT", &port),
            ("KINGA_SMTP_STARTTLS", "false"),
            ("KINGA_SMTP_FROM", "Kinga <kinga@test.example>"),
            ("KINGA_DEADLINES_CHECK_SECONDS", "5"),
            // A killing must be acknowledged at once: its deadline is missed on arrival.
            ("KINGA_DEADLINES_SEVERITY_4", "[0, 60, 120]"),
        ],
    )
    .await
    else {
        return;
    };
    let profile = tempfile::tempdir().expect("profile");
    let Some((_driver, c)) = browser(profile.path()).await else {
        return;
    };

    // On her phone, Grace asks for a copy of escalations by e-mail as well as by SMS.
    at_width(&c, 360).await;
    sign_in(&c, &s.base, "coord", DEMO_PASSWORD).await;
    fits(&c, "the coordinator's queue").await;
    c.goto(&format!("{}/account", s.base))
        .await
        .expect("account");
    fits(&c, "the settings page").await;
    click(&c, "#notify-email").await;
    click(&c, "[data-action='save-account']").await;
    assert!(
        !text_of(&c, "#notice").await.is_empty(),
        "saving confirms itself"
    );
    let me = c
        .find(Locator::Css("#notify-email"))
        .await
        .expect("box")
        .prop("checked")
        .await
        .expect("checked");
    assert_eq!(me.as_deref(), Some("true"));

    // At her desk: the alerts left overdue for weeks, closed in one go with a reason.
    at_width(&c, 1366).await;
    c.goto(&format!("{}/alerts?view=stale", s.base))
        .await
        .expect("stale view");
    let stale = c
        .find_all(Locator::Css("#queue-rows tr[data-ref]"))
        .await
        .expect("rows");
    assert!(
        !stale.is_empty(),
        "six months of demo history leave stale alerts"
    );
    let first = stale[0]
        .attr("data-ref")
        .await
        .expect("ref")
        .expect("data-ref");
    type_into(
        &c,
        "#stale-reason",
        "Revue de fin de mois : plus d'information, situation dépassée",
    )
    .await;
    click(&c, "#btn-close-stale").await;
    assert!(
        !text_of(&c, "#notice").await.is_empty(),
        "the bulk close says what it did"
    );
    let left = c
        .find_all(Locator::Css("#queue-rows tr[data-ref]"))
        .await
        .expect("rows");
    assert!(left.is_empty(), "{} stale alerts left", left.len());
    let (_, closed) = s.get(&format!("/api/v1/alerts/{first}")).await;
    assert_eq!(closed["state"], "closed", "{closed}");

    // A killing is reported and nobody acknowledges it: the deadline is missed.
    let (st, alert) = s
        .post(
            "/api/v1/alerts",
            json!({"text": "Deux civils tués à Kiwanja cette nuit", "place_name": "Kiwanja", "threat_type": "killing"}),
        )
        .await;
    assert_eq!(st, 201, "{alert}");
    let id = alert["id"].as_str().expect("id");
    let reference = alert["reference"].as_str().expect("reference").to_string();
    let esc = escalations_sent(&s, id).await;
    let by = |ch: &str| {
        esc.iter()
            .find(|m| m["channel"] == ch)
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(by("sms")["provider"], "log", "{esc:#?}");
    assert_eq!(by("sms")["status"], "sent");
    assert_eq!(by("email")["provider"], "smtp");
    assert_eq!(by("email")["status"], "sent");
    assert_eq!(
        by("inbox")["status"],
        "in_inbox",
        "an inbox copy is never 'sent'"
    );
    let mails = sink.messages();
    let mail = mails
        .iter()
        .find(|m| m.contains(&reference))
        .unwrap_or_else(|| panic!("no e-mail names {reference} among {} received", mails.len()));
    assert!(mail.contains("coordination@kinga.example"), "{mail}");

    // Back on the phone, the header counts it and the inbox shows it.
    at_width(&c, 360).await;
    c.goto(&format!("{}/alerts", s.base)).await.expect("queue");
    assert!(
        !text_of(&c, "#unread").await.is_empty(),
        "the header counts unread messages"
    );
    click(&c, "#nav-inbox").await;
    let inbox = text_of(&c, "#inbox").await;
    assert!(inbox.contains(&reference), "{inbox}");
    fits(&c, "the inbox").await;
    screenshot(&c, &format!("coordinator-inbox-360-{backend:?}")).await;
    c.goto(&format!("{}/outbox", s.base)).await.expect("outbox");
    fits(&c, "the outbox").await;
    let _ = c.close().await;
}
crate::on_both_stores!(
    coordinator_day,
    super::a_coordinator_closes_stale_alerts_and_hears_of_escalations
);
