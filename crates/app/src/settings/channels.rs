//! How messages come in and go out: phone numbers, inbound and outbound SMS, the gateways'
//! accounts, e-mail, the voice hotline and WhatsApp.

use serde::{Deserialize, Serialize};

use chrono::Duration;

use kinga_domain::outbox::RetryPolicy;

/// Phone number handling.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct PhoneSettings {
    /// Country calling code assumed for local numbers (243 = DR Congo).
    pub default_country_code: String,
}

impl Default for PhoneSettings {
    fn default() -> Self {
        PhoneSettings {
            default_country_code: "243".into(),
        }
    }
}

/// How inbound SMS are read.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct SmsSettings {
    /// A message without an alert keyword that comes within this many minutes of the same
    /// number's latest open alert is attached to that alert rather than opening a new one.
    pub reply_window_minutes: u32,
}

impl Default for SmsSettings {
    fn default() -> Self {
        SmsSettings {
            reply_window_minutes: 30,
        }
    }
}

/// Which gateway sends outbound SMS, and how failed sends are retried.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Outbound {
    /// `log` (write to the log and `<data_dir>/outbox.log`, for the demo), `twilio`,
    /// `africastalking`, `rapidpro` or `kannel`.
    pub driver: String,
    /// Sender id or number.
    pub sender: String,
    /// Seconds between two runs of the delivery worker.
    pub interval_seconds: u64,
    /// Messages one run of the worker sends at most.
    pub batch: usize,
    /// Seconds a gateway may take to answer one send.
    pub timeout_seconds: u64,
    /// Wait after the first failed attempt, in seconds; doubled after each further one.
    pub retry_base_seconds: u64,
    /// Longest wait between two attempts, in seconds.
    pub retry_max_seconds: u64,
    /// Attempts before a message is marked failed.
    pub max_attempts: u32,
}

impl Default for Outbound {
    fn default() -> Self {
        Outbound {
            driver: "log".into(),
            sender: "KINGA".into(),
            interval_seconds: 5,
            batch: 20,
            timeout_seconds: 20,
            retry_base_seconds: 60,
            retry_max_seconds: 3600,
            max_attempts: 8,
        }
    }
}

impl Outbound {
    /// The retry policy these settings describe.
    pub fn retry_policy(&self) -> RetryPolicy {
        // A year is longer than any sensible wait and keeps the value in chrono's range.
        let secs = |s: u64| Duration::seconds(s.clamp(1, 31_536_000) as i64);
        RetryPolicy {
            base: secs(self.retry_base_seconds),
            max_delay: secs(self.retry_max_seconds),
            max_attempts: self.max_attempts.max(1),
        }
    }
}

/// Twilio account.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Twilio {
    /// Account SID.
    pub account_sid: String,
    /// Auth token (signs webhooks).
    pub auth_token: String,
    /// Sending number, or a Messaging Service SID (`MG…`).
    pub from: String,
    /// Base URL of the REST API (a local stand-in in tests).
    pub api_base: String,
    /// Hosts recordings and media may be fetched from (`KINGA_TWILIO_MEDIA_HOSTS`): the URLs
    /// come in signed webhooks, and still go nowhere else.
    pub media_hosts: Vec<String>,
}

impl Default for Twilio {
    fn default() -> Self {
        Twilio {
            account_sid: String::new(),
            auth_token: String::new(),
            from: String::new(),
            api_base: "https://api.twilio.com".into(),
            media_hosts: vec!["api.twilio.com".into()],
        }
    }
}

/// Africa's Talking account.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AfricasTalking {
    /// Username.
    pub username: String,
    /// API key.
    pub api_key: String,
    /// Shared secret expected in the callback URL (AT does not sign callbacks).
    pub callback_secret: String,
    /// Base URL of the API; empty: the sandbox for the user `sandbox`, production otherwise.
    pub api_base: String,
    /// Hosts the voice hotline's recordings may be fetched from
    /// (`KINGA_AFRICASTALKING_MEDIA_HOSTS`): the host of the `recordingUrl` AT sends. Empty:
    /// none is fetched, and voice alerts are flagged `recording_missing`.
    pub media_hosts: Vec<String>,
}

/// RapidPro / TextIt channel.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RapidPro {
    /// Shared secret expected on receive calls.
    pub secret: String,
    /// URL of the channel's send endpoint.
    pub send_url: String,
    /// API token sent as `Authorization: Token …` to the send URL.
    pub token: String,
}

/// Kannel smsbox.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Kannel {
    /// Shared secret expected on sms-service calls.
    pub secret: String,
    /// `http://host:13013/cgi-bin/sendsms`.
    pub sendsms_url: String,
    /// sendsms user.
    pub username: String,
    /// sendsms password.
    pub password: String,
}

/// SMTP server for e-mail (assignments of responders who prefer e-mail). No host: e-mail is
/// written to the outbox log under the `log` driver and refused under the others.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Smtp {
    /// Server name.
    pub host: String,
    /// Port (587 for submission with STARTTLS).
    pub port: u16,
    /// Login; empty: no authentication (a relay on the same host).
    pub username: String,
    /// Password.
    pub password: String,
    /// Sender address, e.g. `Kinga <kinga@example.org>`.
    pub from: String,
    /// Require STARTTLS (true), or speak plain SMTP to a trusted local relay (false).
    pub starttls: bool,
}

impl Default for Smtp {
    fn default() -> Self {
        Smtp {
            host: String::new(),
            port: 587,
            username: String::new(),
            password: String::new(),
            from: "Kinga <kinga@localhost>".into(),
            starttls: true,
        }
    }
}

/// The voice hotline.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Voice {
    /// The line's languages, greeted in this order (`KINGA_VOICE_LANGUAGES`); the gateway
    /// speaks French and English, others need `greeting_url`.
    pub languages: Vec<String>,
    /// A recorded greeting played first, e.g. in Swahili or Lingala (`KINGA_VOICE_GREETING_URL`).
    pub greeting_url: String,
    /// Longest recording, in seconds (`KINGA_VOICE_MAX_SECONDS`).
    pub max_seconds: u32,
    /// How long fetching a recording may take, in seconds.
    pub fetch_timeout_seconds: u64,
}

impl Default for Voice {
    fn default() -> Self {
        Voice {
            languages: vec!["fr".into(), "en".into()],
            greeting_url: String::new(),
            max_seconds: 120,
            fetch_timeout_seconds: 30,
        }
    }
}

/// Messages to reporters who wrote on WhatsApp (through Twilio, with `[twilio]`'s account).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Whatsapp {
    /// The WhatsApp sender, `whatsapp:+14155238886` or `+14155238886`
    /// (`KINGA_WHATSAPP_FROM`); empty: every message to reporters goes by SMS.
    pub from: String,
    /// Approved templates by language, each a Content SID (`HX…`) whose one variable `{{1}}`
    /// takes the text (`KINGA_WHATSAPP_TEMPLATES='{fr="HX…",sw="HX…"}'`).
    pub templates: std::collections::BTreeMap<String, String>,
    /// Minutes before the 24-hour window closes from which a template is used instead of
    /// free text, so a message still reaches WhatsApp inside the window.
    pub window_margin_minutes: u32,
}

impl Default for Whatsapp {
    fn default() -> Self {
        Whatsapp {
            from: String::new(),
            templates: Default::default(),
            window_margin_minutes: 10,
        }
    }
}

impl Whatsapp {
    /// True when messages to WhatsApp reporters may go by WhatsApp.
    pub fn enabled(&self) -> bool {
        !self.from.trim().is_empty()
    }

    /// The approved template for `language`, if one is configured.
    pub fn template(&self, language: &str) -> Option<&str> {
        self.templates
            .get(language)
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
    }

    /// The margin before the window closes.
    pub fn margin(&self) -> Duration {
        Duration::minutes(i64::from(self.window_margin_minutes))
    }
}
