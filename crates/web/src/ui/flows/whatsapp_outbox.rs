//! Messages to reporters who wrote on WhatsApp: the delivery worker picks WhatsApp or SMS by
//! WhatsApp's rules, and the outbox page says which went out.

use std::sync::Mutex;

use async_trait::async_trait;

use kinga_app::delivery::{Address, MessageSender, SendError, SendReceipt};
use kinga_domain::AlertState;
use kinga_domain::outbox::OutboxMessage;
use kinga_domain::whatsapp::Mode;

use super::*;

/// Takes everything and remembers how each message was addressed.
#[derive(Default)]
struct Recorder(Mutex<Vec<(String, Option<Mode>)>>);

#[async_trait]
impl MessageSender for Recorder {
    async fn send(&self, to: &Address, m: &OutboxMessage) -> Result<SendReceipt, SendError> {
        let mode = match to {
            Address::Whatsapp { mode, .. } => Some(mode.clone()),
            _ => None,
        };
        self.0
            .lock()
            .expect("recorder")
            .push((m.body.clone(), mode));
        Ok(SendReceipt {
            provider: "twilio".into(),
            provider_message_id: None,
        })
    }
}

async fn whatsapp_alert_closed(w: &World, text: &str, language: &str, phone: &str) {
    let sys = Caller::system();
    let cmd = IntakeCommand {
        channel: Some(Channel::Whatsapp),
        text: text.into(),
        threat_type: Some(ThreatType::ArmedPresence),
        place_name: Some("Kiwanja".into()),
        reporter_phone: Some(phone.into()),
        language: Some(language.into()),
        ..Default::default()
    };
    let id = w.app.intake(&sys, cmd).await.expect("intake").alert.id;
    for (to, reason, outcome) in [
        (AlertState::Acknowledged, None, None),
        (AlertState::FalseAlarm, Some("nobody armed found"), None),
        (AlertState::Closed, None, Some("patrol went, all calm")),
    ] {
        let req = kinga_domain::TransitionRequest {
            to: Some(to),
            reason: reason.map(String::from),
            outcome: outcome.map(String::from),
            ..Default::default()
        };
        w.app.transition(&sys, &id, req).await.expect("move");
    }
}

#[tokio::test]
async fn outside_the_window_a_template_and_the_outbox_says_so() {
    let mut settings = Settings::default();
    settings.whatsapp.from = "whatsapp:+14155238886".into();
    settings.whatsapp.templates = [("fr".to_string(), "HXfr0001".to_string())]
        .into_iter()
        .collect();
    // The whole window as margin: every message is outside it, as a day later.
    settings.whatsapp.window_margin_minutes = 24 * 60;
    let w = world_with(settings).await;
    whatsapp_alert_closed(&w, "Hommes armés à Kiwanja ce matin", "fr", "+243990005001").await;
    let sender = Recorder::default();
    let run = w.app.deliver_due(&sender).await.expect("delivery");
    assert!(run.sent >= 1, "{run:?}");
    let sent = sender.0.lock().expect("recorder").clone();
    assert!(
        sent.iter().any(|(_, m)| *m
            == Some(Mode::Template {
                content_sid: "HXfr0001".into()
            })),
        "the French feedback through the French template: {sent:?}"
    );
    assert!(
        sent.iter().all(|(_, m)| *m != Some(Mode::FreeText)),
        "no free text outside the window: {sent:?}"
    );
    let b = sign_in(&w, "cla").await;
    let (status, html) = get(&w, &b, "/outbox").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("data-channel=\"whatsapp_template\">WhatsApp (template)"),
        "{html}"
    );
    // The SMS fallback (no template for the message's language) is shown by the
    // integration story `whatsapp_outbound_outside_window`, on both stores.
}

#[tokio::test]
async fn inside_the_window_free_text() {
    let mut settings = Settings::default();
    settings.whatsapp.from = "+14155238886".into();
    let w = world_with(settings).await;
    whatsapp_alert_closed(&w, "Hommes armés à Kiwanja ce matin", "fr", "+243990005001").await;
    let sender = Recorder::default();
    w.app.deliver_due(&sender).await.expect("delivery");
    let sent = sender.0.lock().expect("recorder").clone();
    assert!(
        sent.iter().any(|(_, m)| *m == Some(Mode::FreeText)),
        "{sent:?}"
    );
    let b = sign_in(&w, "cla").await;
    let (_, html) = get(&w, &b, "/outbox").await;
    assert!(
        html.contains("data-channel=\"whatsapp\">WhatsApp"),
        "{html}"
    );
}
