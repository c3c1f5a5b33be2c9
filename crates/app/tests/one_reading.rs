//! One reading of a text, whatever the channel: every message of the SMS corpus, sent by an
//! unregistered number through the SMS intake and typed into the web form with nothing but
//! its text, gives the same threat type, severity, place, place candidates and language.
//! Places are the reference gazetteer built from the shared P-code and GeoNames files.

#[path = "../../domain/tests/support/mod.rs"]
mod reference;
mod support;

use kinga_app::alerts::IntakeCommand;
use kinga_app::registry::RegistryRecord;
use kinga_app::sms_intake::InboundSmsCommand;
use kinga_app::{App, Caller};
use kinga_domain::{Alert, Channel};

/// What a reading decided about an alert.
#[derive(Debug, PartialEq)]
struct Reading {
    threat: Option<String>,
    severity: u8,
    place: Option<String>,
    candidates: Vec<String>,
    language: Option<String>,
}

fn reading(a: &Alert) -> Reading {
    let mut candidates: Vec<String> = a.place_candidates.iter().map(|c| c.pcode.clone()).collect();
    candidates.sort();
    Reading {
        threat: a.threat_type.map(|t| t.as_str().to_string()),
        severity: a.severity.level(),
        place: a.place.clone(),
        candidates,
        language: a.language.clone(),
    }
}

/// Corpus messages that open an alert on their own: no sender defaults, no reply to a
/// reference.
fn messages() -> Vec<String> {
    include_str!("../../domain/tests/sms_corpus.tsv")
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with("message\t"))
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            let blank = |i: usize| f.get(i).is_none_or(|v| v.trim().is_empty());
            (blank(1) && blank(2) && blank(8)).then(|| f[0].replace("\\n", "\n"))
        })
        .filter(|m| !m.trim().is_empty())
        .collect()
}

async fn app(dir: &tempfile::TempDir) -> App {
    let (app, _) = support::open_app(dir).await;
    let places = reference::gazetteer().places().to_vec();
    app.save_records(
        &Caller::system(),
        places.into_iter().map(RegistryRecord::Place).collect(),
    )
    .await
    .expect("reference places");
    app
}

#[tokio::test]
async fn the_web_form_reads_a_text_as_the_sms_intake_does() {
    let dir = tempfile::tempdir().expect("tmp");
    let app = app(&dir).await;
    let messages = messages();
    assert!(messages.len() > 100, "{} messages", messages.len());
    let mut differ = Vec::new();
    for (i, text) in messages.iter().enumerate() {
        let sms = app
            .intake_sms(
                "test",
                InboundSmsCommand {
                    message_id: format!("SM{i}"),
                    // A new number each time: no reply window, no registration.
                    from: format!("+24397{:07}", 1_000_000 + i),
                    to: None,
                    text: text.clone(),
                    received_at: None,
                    reply_inline: false,
                },
            )
            .await
            .expect("sms intake")
            .alert;
        let form = app
            .intake(
                &support::cla(),
                IntakeCommand {
                    channel: Some(Channel::Web),
                    text: text.clone(),
                    ..Default::default()
                },
            )
            .await
            .expect("form intake")
            .alert;
        let (by_sms, by_form) = (reading(&sms), reading(&form));
        if by_sms != by_form {
            differ.push(format!("{text:?}\n  sms:  {by_sms:?}\n  form: {by_form:?}"));
        }
    }
    assert!(
        differ.is_empty(),
        "{} of {} messages read differently:\n{}",
        differ.len(),
        messages.len(),
        differ.join("\n")
    );
    println!(
        "{} messages read the same by SMS and by the form",
        messages.len()
    );
}
