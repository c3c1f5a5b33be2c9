//! WhatsApp's rules for the messages Kinga starts (questions, closing feedback): free text
//! only within 24 hours of the person's last message to us (the customer-service window), an
//! approved template outside it, and SMS when neither is possible. The clock is passed in.

use chrono::{DateTime, Duration, Utc};

use crate::alert::{Alert, AlertEvent, Channel};

/// Length of WhatsApp's customer-service window, from the person's last inbound message.
pub const WINDOW_HOURS: i64 = 24;

/// Outbox channel of a message sent on WhatsApp as free text.
pub const CHANNEL_WHATSAPP: &str = "whatsapp";
/// Outbox channel of a message sent on WhatsApp through an approved template.
pub const CHANNEL_WHATSAPP_TEMPLATE: &str = "whatsapp_template";

/// How a message goes out on WhatsApp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// Any text: the window is open.
    FreeText,
    /// The approved template of the message's language, the text as its variable.
    Template {
        /// The template's Content SID (`HX…`).
        content_sid: String,
    },
}

impl Mode {
    /// The outbox channel that records this mode.
    pub fn channel(&self) -> &'static str {
        match self {
            Mode::FreeText => CHANNEL_WHATSAPP,
            Mode::Template { .. } => CHANNEL_WHATSAPP_TEMPLATE,
        }
    }
}

/// Why a message to someone who wrote on WhatsApp goes by SMS instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SmsBecause {
    /// The window is closed and no template is configured in the message's language.
    NoTemplate {
        /// The message's language.
        language: String,
    },
}

impl std::fmt::Display for SmsBecause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SmsBecause::NoTemplate { language } => write!(
                f,
                "WhatsApp window closed and no template for '{language}': sent by SMS"
            ),
        }
    }
}

/// What to do with a message to a reporter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// The reporter never wrote on WhatsApp (about this alert): SMS, as always.
    Sms,
    /// WhatsApp, in this mode.
    Whatsapp(Mode),
    /// SMS although the reporter wrote on WhatsApp, for this reason.
    SmsInstead(SmsBecause),
}

/// When the reporter last wrote to us on WhatsApp about this alert: its intake or a later
/// message attached to it. The time is Kinga's receipt, the one the timeline records.
pub fn last_inbound(alert: &Alert) -> Option<DateTime<Utc>> {
    alert
        .timeline
        .iter()
        .filter(|t| match &t.event {
            AlertEvent::Received(new) => new.channel == Channel::Whatsapp,
            AlertEvent::MessageAttached { channel, .. } => *channel == Channel::Whatsapp,
            _ => false,
        })
        .map(|t| t.at)
        .max()
}

/// True while free text may still be sent at `now`: less than 24 hours since `last`, less
/// `margin` (a message must reach WhatsApp before the window closes, not just leave Kinga).
/// A `last` in the future (clocks of two servers apart) counts as just now.
pub fn window_open(last: DateTime<Utc>, now: DateTime<Utc>, margin: Duration) -> bool {
    let margin = margin.clamp(Duration::zero(), Duration::hours(WINDOW_HOURS));
    now < last + Duration::hours(WINDOW_HOURS) - margin
}

/// The plan for a message in `language` to a reporter whose last inbound WhatsApp message
/// was at `last` (none: never), given the approved template of that language, if any.
pub fn plan(
    last: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    margin: Duration,
    language: &str,
    template: Option<&str>,
) -> Plan {
    let Some(last) = last else {
        return Plan::Sms;
    };
    if window_open(last, now, margin) {
        return Plan::Whatsapp(Mode::FreeText);
    }
    match template.map(str::trim).filter(|t| !t.is_empty()) {
        Some(sid) => Plan::Whatsapp(Mode::Template {
            content_sid: sid.to_string(),
        }),
        None => Plan::SmsInstead(SmsBecause::NoTemplate {
            language: language.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, h, m, s).unwrap()
    }

    const HX: Option<&str> = Some("HX0123456789abcdef0123456789abcdef");

    #[test]
    fn free_text_until_the_last_second_of_the_window() {
        let last = at(8, 0, 0);
        let zero = Duration::zero();
        let just_before = last + Duration::hours(24) - Duration::seconds(1);
        let exactly = last + Duration::hours(24);
        assert_eq!(
            plan(Some(last), last, zero, "fr", HX),
            Plan::Whatsapp(Mode::FreeText)
        );
        assert_eq!(
            plan(Some(last), just_before, zero, "fr", HX),
            Plan::Whatsapp(Mode::FreeText)
        );
        // At exactly 24 hours the window has closed.
        assert_eq!(
            plan(Some(last), exactly, zero, "fr", HX),
            Plan::Whatsapp(Mode::Template {
                content_sid: HX.unwrap().into()
            })
        );
    }

    #[test]
    fn the_margin_closes_the_window_earlier() {
        let last = at(8, 0, 0);
        let margin = Duration::minutes(10);
        let inside = last + Duration::hours(24) - Duration::minutes(11);
        let in_margin = last + Duration::hours(24) - Duration::minutes(10);
        assert!(window_open(last, inside, margin));
        assert!(!window_open(last, in_margin, margin));
        // A margin of the whole window (or more) never sends free text.
        assert!(!window_open(last, last, Duration::hours(24)));
        assert!(!window_open(last, last, Duration::hours(48)));
        // A negative margin is no margin.
        assert!(!window_open(
            last,
            last + Duration::hours(24),
            -Duration::hours(1)
        ));
    }

    #[test]
    fn a_message_from_the_future_opens_the_window() {
        let last = at(9, 0, 0);
        assert!(window_open(last, at(8, 59, 0), Duration::zero()));
    }

    #[test]
    fn outside_the_window_without_a_template_goes_by_sms() {
        let last = at(8, 0, 0);
        let later = last + Duration::hours(30);
        assert_eq!(
            plan(Some(last), later, Duration::zero(), "sw", None),
            Plan::SmsInstead(SmsBecause::NoTemplate {
                language: "sw".into()
            })
        );
        assert_eq!(
            plan(Some(last), later, Duration::zero(), "sw", Some("  ")),
            Plan::SmsInstead(SmsBecause::NoTemplate {
                language: "sw".into()
            })
        );
        assert!(
            SmsBecause::NoTemplate {
                language: "sw".into()
            }
            .to_string()
            .contains("no template for 'sw'")
        );
    }

    #[test]
    fn never_on_whatsapp_stays_sms() {
        assert_eq!(
            plan(None, at(8, 0, 0), Duration::zero(), "fr", HX),
            Plan::Sms
        );
    }

    fn alert(channel: Channel, t: DateTime<Utc>) -> Alert {
        use crate::alert::NewAlert;
        use crate::deadline::DeadlinePolicy;
        use crate::{Reporter, Severity};
        let sev = Severity::IMMINENT;
        Alert::received(
            NewAlert {
                id: "01ALERT".into(),
                reference: "K-1001".into(),
                channel,
                reporter: Reporter::default(),
                text: "HATARI Bunagana".into(),
                language: Some("sw".into()),
                place: None,
                place_name: None,
                place_candidates: vec![],
                threat_type: None,
                severity: sev,
                reported_at: t,
                received_at: t,
                deadlines: DeadlinePolicy::default().deadlines(sev, t),
                proposed_responders: vec![],
                uncovered: false,
                duplicate_candidates: vec![],
                parse_flags: vec![],
                unparsed: None,
                severity_set: false,
            },
            "gateway:twilio",
        )
    }

    #[test]
    fn the_window_opens_at_the_last_whatsapp_message() {
        let t = at(8, 0, 0);
        let mut a = alert(Channel::Whatsapp, t);
        assert_eq!(last_inbound(&a), Some(t));
        let later = at(12, 0, 0);
        a.apply(
            AlertEvent::MessageAttached {
                text: "Wameondoka".into(),
                channel: Channel::Whatsapp,
            },
            "reporter",
            later,
        );
        // An SMS from the same person later does not reopen WhatsApp's window.
        a.apply(
            AlertEvent::MessageAttached {
                text: "sms".into(),
                channel: Channel::Sms,
            },
            "reporter",
            at(13, 0, 0),
        );
        assert_eq!(last_inbound(&a), Some(later));
        // An SMS alert answered later on WhatsApp: the window opens then.
        let mut b = alert(Channel::Sms, t);
        assert_eq!(last_inbound(&b), None);
        b.apply(
            AlertEvent::MessageAttached {
                text: "picha".into(),
                channel: Channel::Whatsapp,
            },
            "reporter",
            later,
        );
        assert_eq!(last_inbound(&b), Some(later));
    }

    #[test]
    fn modes_name_their_outbox_channel() {
        assert_eq!(Mode::FreeText.channel(), "whatsapp");
        assert_eq!(
            Mode::Template {
                content_sid: "HX1".into()
            }
            .channel(),
            "whatsapp_template"
        );
    }
}
