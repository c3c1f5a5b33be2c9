//! Africa's Talking voice: the notification callback AT posts for a call to the hotline's
//! number (form fields `isActive`, `sessionId`, `direction`, `callerNumber`,
//! `destinationNumber`, and in the final request, `isActive=0`, `recordingUrl` and
//! `durationInSeconds`), and the voice XML that answers it: the greeting, then `<Record>`.
//! AT signs nothing: the callback URL carries `?secret=` as for SMS and USSD.

use crate::ChannelError;
use crate::form::{self, Params};
use crate::twilio::xml_escape;

use super::check_query_secret;

/// One notification about a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoiceCallback {
    /// AT's id of the call session, the same on every request of one call: the idempotency
    /// key of the recording it leaves.
    pub session_id: String,
    /// False in the final request, sent once the call has ended.
    pub active: bool,
    /// `Inbound` (a person called the hotline) or `Outbound`.
    pub direction: String,
    /// The caller's number (international format, with `+`).
    pub caller_number: String,
    /// The hotline's number.
    pub destination_number: Option<String>,
    /// Where AT serves the recording (MP3); in the final request, empty when none was made.
    pub recording_url: Option<String>,
    /// The call's length in seconds, in the final request.
    pub duration: Option<u32>,
}

impl VoiceCallback {
    /// True for a call a person made to the hotline.
    pub fn inbound(&self) -> bool {
        !self.direction.eq_ignore_ascii_case("outbound")
    }
}

fn callback_of(params: &Params) -> Result<VoiceCallback, ChannelError> {
    Ok(VoiceCallback {
        session_id: form::required_nonempty(params, "sessionId")?
            .trim()
            .to_string(),
        // AT sends 1 while the call is up and 0 in the last request; anything else is read as
        // up, so a call is never taken for over before it is.
        active: form::get(params, "isActive").is_none_or(|v| v.trim() != "0"),
        direction: form::get(params, "direction")
            .unwrap_or("Inbound")
            .trim()
            .to_string(),
        caller_number: form::required_nonempty(params, "callerNumber")?
            .trim()
            .to_string(),
        destination_number: form::optional(params, "destinationNumber"),
        recording_url: form::optional(params, "recordingUrl").filter(|u| !u.trim().is_empty()),
        duration: form::get(params, "durationInSeconds").and_then(|d| d.trim().parse().ok()),
    })
}

/// Read a voice callback body without checking any secret.
pub fn parse_callback(body: &[u8]) -> Result<VoiceCallback, ChannelError> {
    callback_of(&form::parse(body)?)
}

/// Check the callback URL's `secret`, then read the body.
pub fn verify_callback(
    expected_secret: Option<&str>,
    query: &str,
    body: &[u8],
) -> Result<VoiceCallback, ChannelError> {
    check_query_secret(expected_secret, query)?;
    parse_callback(body)
}

/// What a caller hears and how long they may speak.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Greeting {
    /// A recording played first (the greeting in languages the gateway cannot speak).
    pub play_url: Option<String>,
    /// Spoken greetings, one `<Say>` each.
    pub say: Vec<String>,
    /// Longest recording, in seconds.
    pub max_seconds: u32,
}

/// The voice XML answering a call: the greeting, then a recording after a beep, ended by `#`,
/// the time limit, or hanging up. No `callbackUrl`: AT then posts the recording's URL in the
/// call's final request to the same URL, secret included.
pub fn xml_record(g: &Greeting) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response>");
    if let Some(url) = &g.play_url {
        out.push_str(&format!("<Play url=\"{}\"/>", xml_escape(url)));
    }
    for words in &g.say {
        out.push_str(&format!("<Say>{}</Say>", xml_escape(words)));
    }
    out.push_str(&format!(
        "<Record finishOnKey=\"#\" maxLength=\"{}\" trimSilence=\"true\" playBeep=\"true\"/>",
        g.max_seconds.max(1)
    ));
    out.push_str("</Response>");
    out
}

/// The answer to the final request: the call is over, nothing more is said.
pub fn xml_empty() -> String {
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>".to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_and_final_requests() {
        let first = parse_callback(
            b"isActive=1&sessionId=ATVId_42&direction=Inbound&callerNumber=%2B243990001001&destinationNumber=%2B243970000000",
        )
        .unwrap();
        assert!(first.active && first.inbound());
        assert_eq!(first.session_id, "ATVId_42");
        assert_eq!(first.caller_number, "+243990001001");
        assert_eq!(first.destination_number.as_deref(), Some("+243970000000"));
        assert_eq!(first.recording_url, None);
        let last = parse_callback(
            b"isActive=0&sessionId=ATVId_42&direction=Inbound&callerNumber=%2B243990001001&destinationNumber=%2B243970000000&recordingUrl=https%3A%2F%2Fvoice.africastalking.com%2Frec%2F42.mp3&durationInSeconds=17&currencyCode=USD&amount=0.05",
        )
        .unwrap();
        assert!(!last.active);
        assert_eq!(
            last.recording_url.as_deref(),
            Some("https://voice.africastalking.com/rec/42.mp3")
        );
        assert_eq!(last.duration, Some(17));
        let none = parse_callback(
            b"isActive=0&sessionId=ATVId_43&direction=Inbound&callerNumber=%2B243990001001&recordingUrl=",
        )
        .unwrap();
        assert_eq!(none.recording_url, None);
        let out = parse_callback(
            b"isActive=1&sessionId=ATVId_44&direction=Outbound&callerNumber=%2B243990001001",
        )
        .unwrap();
        assert!(!out.inbound());
        assert_eq!(
            parse_callback(b"isActive=1&callerNumber=x"),
            Err(ChannelError::MissingField("sessionId"))
        );
    }

    #[test]
    fn secret_first() {
        let body = b"isActive=1&sessionId=ATVId_42&callerNumber=%2B243990001001";
        assert!(verify_callback(Some("s3"), "secret=s3", body).is_ok());
        assert!(verify_callback(Some("s3"), "secret=no", body).is_err());
        assert!(verify_callback(Some("s3"), "", body).is_err());
    }

    #[test]
    fn xml() {
        let x = xml_record(&Greeting {
            play_url: Some("https://k.example/greeting-sw.mp3?a=1&b=2".into()),
            say: vec!["Après le bip, parlez.".into()],
            max_seconds: 90,
        });
        assert_eq!(
            x,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Play url=\"https://k.example/greeting-sw.mp3?a=1&amp;b=2\"/><Say>Après le bip, parlez.</Say><Record finishOnKey=\"#\" maxLength=\"90\" trimSilence=\"true\" playBeep=\"true\"/></Response>"
        );
        assert!(xml_empty().ends_with("<Response/>"));
    }
}
