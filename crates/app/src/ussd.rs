//! USSD sessions: each request of a session is answered with the next screen, derived by the
//! domain from the answers the gateway re-sends (`kinga_domain::ussd`); the confirmed session
//! becomes an alert through the same intake as every channel (idempotency, routing,
//! deduplication, feedback), with channel `ussd` and every field as the person picked it.

use kinga_domain::people::Permission;
use kinga_domain::ussd::{self, Answer};
use kinga_domain::{Alert, Channel};

use crate::alerts::{IntakeCommand, IntakeExtras};
use crate::{App, AppResult, Caller, limits};

/// Longest `text` a session may re-send (40 answers of a place name's length).
const MAX_TEXT: usize = limits::TEXT;

/// One request of a USSD session, as the gateway posts it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UssdRequest {
    /// The gateway's session id: one per dialling, the same on every request of it.
    pub session_id: String,
    /// The code dialled (`*384*123#`).
    pub service_code: String,
    /// The caller's number.
    pub phone_number: String,
    /// Every answer so far, `*`-joined; empty on the first request.
    pub text: String,
}

/// The screen to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UssdScreen {
    /// A screen awaiting an answer.
    Continue(String),
    /// The last screen of the session.
    End(String),
}

/// The answer to one USSD request.
#[derive(Debug, Clone)]
pub struct UssdReply {
    /// What the phone shows.
    pub screen: UssdScreen,
    /// The alert the session recorded, on its last screen.
    pub alert: Option<Alert>,
    /// True when the session's alert had already been recorded (a retried last request).
    pub replayed: bool,
}

impl UssdReply {
    /// The body USSD gateways expect: `CON <screen>` or `END <screen>`.
    pub fn body(&self) -> String {
        match &self.screen {
            UssdScreen::Continue(s) => format!("CON {s}"),
            UssdScreen::End(s) => format!("END {s}"),
        }
    }

    fn screen(screen: UssdScreen) -> UssdReply {
        UssdReply {
            screen,
            alert: None,
            replayed: false,
        }
    }
}

impl App {
    /// Answer one request of a USSD session carried by `provider`. The confirmed session's
    /// alert is keyed by `<provider>-ussd:<session id>`, so a retried or replayed last request
    /// answers the same reference and records nothing more, also when retries race.
    pub async fn ussd(&self, provider: &str, req: UssdRequest) -> AppResult<UssdReply> {
        let caller = Caller::gateway(provider);
        caller.require(Permission::CreateAlerts)?;
        let session = req.session_id.trim();
        if session.is_empty() {
            return Err(kinga_domain::DomainError::Missing("sessionId").into());
        }
        limits::check("sessionId", session, limits::ID)?;
        limits::check("serviceCode", &req.service_code, limits::ID)?;
        limits::check("phoneNumber", &req.phone_number, limits::PHONE)?;
        limits::check("text", &req.text, MAX_TEXT)?;
        let mut flags = Vec::new();
        let sender = self.sender(&req.phone_number, &mut flags).await?;
        let gazetteer = self.caches.gazetteer();
        let home = sender.focal_point.as_ref().and_then(|f| f.place.clone());
        let ctx = ussd::Context {
            gazetteer: &gazetteer,
            home_place: home.as_deref(),
        };
        let report = match ussd::answer(&req.text, &ctx) {
            Answer::Continue(s) => return Ok(UssdReply::screen(UssdScreen::Continue(s))),
            Answer::End(s) => return Ok(UssdReply::screen(UssdScreen::End(s))),
            Answer::Submit(report) => report,
        };
        let lang = report.language;
        let mut reporter = sender.reporter;
        // The person chose the language of this session: feedback about it speaks it too.
        reporter.language = Some(lang.code().to_string());
        let cmd = IntakeCommand {
            channel: Some(Channel::Ussd),
            text: report.text,
            threat_type: Some(report.threat_type),
            severity: Some(report.severity),
            place: Some(report.place),
            place_name: report.place_typed,
            reporter_phone: None,
            reported_at: None,
            language: Some(lang.code().to_string()),
            idempotency_key: Some(format!("{provider}-ussd:{session}")),
        };
        let extras = IntakeExtras {
            place_candidates: Some(report.candidates),
            parse_flags: flags,
            unparsed: None,
            reporter: Some(reporter),
            acknowledged_by: None,
            allow_empty_text: false,
            fingerprint: Some(fingerprint(provider, &req)),
            idempotency_checked: false,
        };
        let intake = self.intake_with(&caller, cmd, extras).await?;
        let end = ussd::submitted(lang, &intake.alert.reference);
        Ok(UssdReply {
            screen: UssdScreen::End(end),
            alert: Some(intake.alert),
            replayed: intake.replayed,
        })
    }
}

/// What a retry of a session's last request must repeat: the session and its caller, not the
/// answers (a person pressing "send" twice sends "…*1*1": still the one alert of the session).
fn fingerprint(provider: &str, req: &UssdRequest) -> String {
    let mut h = blake3::Hasher::new();
    for part in [
        provider,
        "ussd",
        req.session_id.trim(),
        req.phone_number.trim(),
        req.service_code.trim(),
    ] {
        h.update(part.as_bytes());
        h.update(&[0]);
    }
    h.finalize().to_hex().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_and_fingerprints() {
        let r = UssdReply::screen(UssdScreen::Continue("Où ?".into()));
        assert_eq!(r.body(), "CON Où ?");
        let r = UssdReply::screen(UssdScreen::End("Merci".into()));
        assert_eq!(r.body(), "END Merci");
        let a = UssdRequest {
            session_id: "ATUid_1".into(),
            service_code: "*384*1#".into(),
            phone_number: "+243990001001".into(),
            text: "1*2".into(),
        };
        let b = UssdRequest {
            text: "1*2*1".into(),
            ..a.clone()
        };
        assert_eq!(
            fingerprint("africastalking", &a),
            fingerprint("africastalking", &b)
        );
        let c = UssdRequest {
            phone_number: "+243990001002".into(),
            ..a.clone()
        };
        assert_ne!(
            fingerprint("africastalking", &a),
            fingerprint("africastalking", &c)
        );
    }
}
