//! Decoding an event's payload. serde's derive reads an internally tagged enum (`Payload`,
//! `AlertEvent`) by first copying the whole value into a buffer of its own, because the tag
//! may come anywhere; an alert's intake is read that way twice (payload, then event). In a
//! handover import that copying was most of the fold's time (a profile of a million-event
//! import: payload decoding 10 % of all samples, 72 % of the fold).
//!
//! Kinga writes every payload compact with its tags first (serde puts an internally tagged
//! enum's tag before the fields), so an alert's payload is read here straight into its types,
//! without the buffer. Anything not in exactly that form — other whitespace, a repeated key,
//! a field after the event, an escaped id — is handed to serde's own reading, which gives the
//! answer or the error; where both read a payload they give the same value (tests below).

use kinga_domain::alert::{AlertEvent, NewAlert};

use crate::Payload;

/// The payload `text` encodes.
pub(crate) fn payload(text: &str) -> Result<Payload, serde_json::Error> {
    match alert_tag_first(text) {
        Some(p) => Ok(p),
        None => serde_json::from_str(text),
    }
}

/// An alert's payload read without serde's buffer, or `None` for serde to read.
fn alert_tag_first(text: &str) -> Option<Payload> {
    let rest = text.strip_prefix(r#"{"type":"alert","alert":""#)?;
    let (alert, rest) = rest.split_once('"')?;
    // A JSON string without escapes or control characters is its own text.
    if alert.bytes().any(|b| b == b'\\' || b < 0x20) {
        return None;
    }
    let event = rest.strip_prefix(r#","event":"#)?.strip_suffix('}')?;
    Some(Payload::Alert {
        alert: alert.to_string(),
        event: alert_event(event)?,
    })
}

/// An alert event: an intake read straight into [`NewAlert`]; the other kinds, all small,
/// by serde.
fn alert_event(text: &str) -> Option<AlertEvent> {
    let Some(fields) = text.strip_prefix(r#"{"kind":"received","#) else {
        return serde_json::from_str(text).ok();
    };
    // serde refuses a second tag; reading the fields alone would ignore it.
    if fields.contains(r#""kind""#) {
        return None;
    }
    let object = format!("{{{fields}");
    let new: NewAlert = serde_json::from_str(&object).ok()?;
    Some(AlertEvent::Received(Box::new(new)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const INTAKE: &str = r#"{"type":"alert","alert":"01JQ0000000000000000001000","event":{"kind":"received","id":"01JQ0000000000000000001000","reference":"K-2000","channel":"sms","reporter":{"focal_point":null,"pseudonym":"FP-K009","phone_digest":"0000000000000000000000000000000000000000000000001a1a75cbb0de1618","phone_sealed":null,"language":"fr"},"text":"Hommes armés à Kitshanga, les déplacés fuient vers Mweso","language":"fr","place":"CD6109-S014","place_name":"Kitshanga","place_candidates":[],"threat_type":"armed_presence","severity":3,"reported_at":"2026-01-01T00:36:33Z","received_at":"2026-01-01T00:36:33Z","deadlines":{"acknowledge":"2026-01-01T01:06:33Z","verify":"2026-01-01T02:36:33Z","respond":"2026-01-01T06:36:33Z"},"proposed_responders":["resp-mweso-cob"],"uncovered":false,"duplicate_candidates":[],"parse_flags":[],"unparsed":null}}"#;

    const MOVE: &str = r#"{"type":"alert","alert":"01JQ0000000000000000001000","event":{"kind":"transitioned","from":"received","to":"acknowledged","reason":"appel au point focal, confirmé","responders":[],"outcome":null,"merged_into":null}}"#;

    /// Both readings of `text`: this module's and serde's alone.
    fn both(text: &str) -> (Result<Payload, String>, Result<Payload, String>) {
        (
            payload(text).map_err(|e| e.to_string()),
            serde_json::from_str::<Payload>(text).map_err(|e| e.to_string()),
        )
    }

    #[test]
    fn kinga_s_own_alert_payloads_take_the_short_path_and_read_the_same() {
        for text in [INTAKE, MOVE] {
            let read = alert_tag_first(text).expect("read without the buffer");
            let slow: Payload = serde_json::from_str(text).expect("serde reads it");
            assert_eq!(read, slow);
            // What Kinga writes again is what it read.
            assert_eq!(serde_json::to_string(&read).expect("encode"), text);
        }
    }

    #[test]
    fn payloads_in_another_form_are_left_to_serde() {
        let cases = [
            // Other whitespace.
            INTAKE.replacen(r#""alert":"#, r#""alert": "#, 1),
            // A field after the event (serde ignores it).
            format!("{},\"note\":1}}", &INTAKE[..INTAKE.len() - 1]),
            // A second tag inside the intake (serde refuses it).
            INTAKE.replacen(r#""text":"#, r#""kind":"received","text":"#, 1),
            // A second alert id after the event (serde refuses it).
            format!("{},\"alert\":\"X\"}}", &INTAKE[..INTAKE.len() - 1]),
            // An escaped id.
            INTAKE.replacen("01JQ0000000000000000001000", r"01JQ\u0030", 1),
            // Cut short, and not an alert at all.
            INTAKE[..INTAKE.len() - 2].to_string(),
            r#"{"type":"capacity_plan_removed","plan":"CD61:health"}"#.to_string(),
        ];
        for text in &cases {
            let (read, slow) = both(text);
            assert_eq!(read, slow, "{text}");
        }
        assert!(alert_tag_first(&cases[0]).is_none());
        assert!(both(&cases[2]).0.is_err(), "a second tag is refused");
        assert!(both(&cases[1]).0.is_ok(), "an unknown field is ignored");
    }

    proptest! {
        /// Any text in the fields, any bytes cut or changed: the same value or the same error.
        #[test]
        fn reads_as_serde_reads(
            words in "\\PC{0,40}",
            cut in 0usize..2_000,
            at in 0usize..2_000,
            byte in any::<u8>(),
        ) {
            let intake: Payload = serde_json::from_str(INTAKE).expect("sample");
            let Payload::Alert { alert, event: AlertEvent::Received(mut new) } = intake else {
                panic!("an intake");
            };
            new.text = words.clone();
            new.unparsed = Some(format!("\"kind\":{words}"));
            let text = serde_json::to_string(&Payload::Alert {
                alert,
                event: AlertEvent::Received(new),
            })
            .expect("encode");
            prop_assert!(alert_tag_first(&text).is_some() || text.contains(r#""kind""#));
            let (read, slow) = both(&text);
            prop_assert_eq!(read, slow);

            let mut bytes = text.into_bytes();
            let at = at % bytes.len();
            bytes[at] = byte;
            bytes.truncate(bytes.len() - cut % bytes.len());
            if let Ok(changed) = String::from_utf8(bytes) {
                let (read, slow) = both(&changed);
                prop_assert_eq!(read.is_ok(), slow.is_ok(), "{}", changed);
                if let (Ok(r), Ok(s)) = (read, slow) {
                    prop_assert_eq!(r, s);
                }
            }
        }
    }
}
