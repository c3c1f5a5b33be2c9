//! Twilio Programmable Voice: the call webhook, answered with TwiML that greets the caller in
//! the line's languages and records them, and the `<Record>` action callback that carries the
//! recording's URL. Both are signed like SMS webhooks (`X-Twilio-Signature`).

use crate::form::{self, Params};
use crate::{ChannelError, twilio::xml_escape};

/// A call's parameters, as every Twilio voice webhook carries them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoiceCall {
    /// Twilio's call id (`CA…`): the idempotency key of the recording it leaves.
    pub call_sid: String,
    /// The caller's number.
    pub from: String,
    /// The hotline's number.
    pub to: Option<String>,
}

/// The `<Record>` action callback: the call and its recording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordingDone {
    /// The call.
    pub call: VoiceCall,
    /// Where Twilio serves the recording (WAV when fetched as is).
    pub recording_url: Option<String>,
    /// Length in seconds.
    pub duration: Option<u32>,
}

fn call_of(params: &Params) -> Result<VoiceCall, ChannelError> {
    Ok(VoiceCall {
        call_sid: form::required_nonempty(params, "CallSid")?
            .trim()
            .to_string(),
        from: form::required_nonempty(params, "From")?.trim().to_string(),
        to: form::optional(params, "To"),
    })
}

/// Read a call webhook body (form-encoded: `CallSid`, `From`, `To`, …).
pub fn parse_call(body: &[u8]) -> Result<VoiceCall, ChannelError> {
    call_of(&form::parse(body)?)
}

/// Read a `<Record>` action callback (`RecordingUrl`, `RecordingDuration` beside the call's
/// fields). A caller who hung up before the beep leaves no URL.
pub fn parse_recording(body: &[u8]) -> Result<RecordingDone, ChannelError> {
    let params = form::parse(body)?;
    Ok(RecordingDone {
        call: call_of(&params)?,
        recording_url: form::optional(&params, "RecordingUrl").filter(|u| !u.trim().is_empty()),
        duration: form::get(&params, "RecordingDuration").and_then(|d| d.trim().parse().ok()),
    })
}

/// What the caller hears and how long they may speak.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Greeting {
    /// A recording played first (the greeting in languages the gateway cannot speak).
    pub play_url: Option<String>,
    /// Spoken greetings: (language tag such as `fr-FR`, words).
    pub say: Vec<(String, String)>,
    /// Longest recording, in seconds.
    pub max_seconds: u32,
    /// Where Twilio posts when the recording ends.
    pub action_url: String,
}

/// The TwiML answering a call: the greeting, then a recording after a beep.
pub fn twiml_record(g: &Greeting) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response>");
    if let Some(url) = &g.play_url {
        out.push_str(&format!("<Play>{}</Play>", xml_escape(url)));
    }
    for (tag, words) in &g.say {
        out.push_str(&format!(
            "<Say language=\"{}\">{}</Say>",
            xml_escape(tag),
            xml_escape(words)
        ));
    }
    out.push_str(&format!(
        "<Record maxLength=\"{}\" playBeep=\"true\" timeout=\"10\" action=\"{}\" method=\"POST\"/>",
        g.max_seconds.max(1),
        xml_escape(&g.action_url)
    ));
    out.push_str("</Response>");
    out
}

/// The TwiML ending a call with spoken words (none: hang up).
pub fn twiml_goodbye(say: &[(String, String)]) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response>");
    for (tag, words) in say {
        out.push_str(&format!(
            "<Say language=\"{}\">{}</Say>",
            xml_escape(tag),
            xml_escape(words)
        ));
    }
    out.push_str("<Hangup/></Response>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_and_recording() {
        let body = b"AccountSid=AC1&CallSid=CA42&From=%2B243990001001&To=%2B243970000000&CallStatus=ringing&Direction=inbound";
        let c = parse_call(body).unwrap();
        assert_eq!(c.call_sid, "CA42");
        assert_eq!(c.from, "+243990001001");
        let r = parse_recording(b"CallSid=CA42&From=%2B243990001001&RecordingUrl=https%3A%2F%2Fapi.twilio.com%2F2010-04-01%2FAccounts%2FAC1%2FRecordings%2FRE1&RecordingDuration=12&Digits=hangup").unwrap();
        assert_eq!(
            r.recording_url.as_deref(),
            Some("https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1")
        );
        assert_eq!(r.duration, Some(12));
        assert!(
            parse_recording(b"CallSid=CA42&From=x&RecordingUrl=")
                .unwrap()
                .recording_url
                .is_none()
        );
        assert_eq!(
            parse_call(b"From=x"),
            Err(ChannelError::MissingField("CallSid"))
        );
    }

    #[test]
    fn twiml() {
        let t = twiml_record(&Greeting {
            play_url: Some("https://k.example/greeting-sw.mp3".into()),
            say: vec![("fr-FR".into(), "Après le bip, parlez.".into())],
            max_seconds: 90,
            action_url: "https://k.example/channels/twilio/voice/recording?a=1&b=2".into(),
        });
        assert_eq!(
            t,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Play>https://k.example/greeting-sw.mp3</Play><Say language=\"fr-FR\">Après le bip, parlez.</Say><Record maxLength=\"90\" playBeep=\"true\" timeout=\"10\" action=\"https://k.example/channels/twilio/voice/recording?a=1&amp;b=2\" method=\"POST\"/></Response>"
        );
        assert!(twiml_goodbye(&[]).ends_with("<Hangup/></Response>"));
    }
}
