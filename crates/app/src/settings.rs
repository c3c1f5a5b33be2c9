//! Every setting of a deployment, declared once. The `kinga` binary fills this from a TOML file
//! (`--config`) and `KINGA_<SECTION>_<KEY>` environment variables.

use serde::{Deserialize, Serialize};

use chrono::Duration;

use kinga_domain::deadline::{DeadlinePolicy, StepMinutes};
use kinga_domain::outbox::RetryPolicy;

/// All settings; every field has a default so an empty file is a valid configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// A SQLite path or a `postgres://` URL.
    pub database: String,
    /// Address the web server listens on.
    pub listen: String,
    /// Base URL gateways call; webhook signatures are checked against it.
    pub public_url: String,
    /// Folder for the key file and, by default, the SQLite database.
    pub data_dir: String,
    /// The deployment's time zone (IANA name, e.g. `Africa/Lubumbashi` for Goma and Bukavu,
    /// `Africa/Kinshasa`, `Africa/Juba`, `Africa/Bangui`): times are shown in it (or in each
    /// user's own), and responders' hours are read in it.
    pub time_zone: String,
    /// Security settings.
    pub security: Security,
    /// Alert deadlines.
    pub deadlines: Deadlines,
    /// Daily digest.
    pub digest: DigestSettings,
    /// Phone numbers.
    pub phone: PhoneSettings,
    /// Inbound SMS.
    pub sms: SmsSettings,
    /// Outbound SMS.
    pub outbound: Outbound,
    /// Twilio.
    pub twilio: Twilio,
    /// Africa's Talking.
    pub africastalking: AfricasTalking,
    /// RapidPro / TextIt.
    pub rapidpro: RapidPro,
    /// Kannel.
    pub kannel: Kannel,
    /// SMTP server for e-mail to responders.
    pub smtp: Smtp,
    /// The HTTP server.
    pub http: Http,
    /// Protection analysis (spike detection).
    pub analysis: Analysis,
    /// Protection monitoring (reports).
    pub monitoring: Monitoring,
    /// This instance's identity (handover, peers).
    pub instance: InstanceSettings,
    /// Attachments (recordings, photos).
    pub attachments: Attachments,
    /// The voice hotline.
    pub voice: Voice,
    /// Messages to reporters who wrote on WhatsApp.
    pub whatsapp: Whatsapp,
}

impl Settings {
    /// The deployment's time zone; UTC when the name is unknown (refused at start-up by
    /// [`Settings::check`]).
    pub fn zone(&self) -> chrono_tz::Tz {
        self.time_zone.parse().unwrap_or(chrono_tz::Tz::UTC)
    }

    /// Refuse settings that cannot work, naming the setting.
    pub fn check(&self) -> Result<(), String> {
        if self.time_zone.parse::<chrono_tz::Tz>().is_err() {
            return Err(format!(
                "time_zone '{}' is not an IANA time zone name (e.g. Africa/Lubumbashi)",
                self.time_zone
            ));
        }
        let prefix = &self.instance.reference_prefix;
        if prefix.is_empty() || prefix.len() > 8 || !prefix.chars().all(|c| c.is_ascii_uppercase())
        {
            return Err(format!(
                "instance.reference_prefix '{prefix}' must be 1 to 8 capital letters (K, KF, KB)"
            ));
        }
        Ok(())
    }

    /// Whether session cookies carry `Secure`: always behind an https public URL.
    pub fn secure_cookies(&self) -> bool {
        self.security.secure_cookies
            || self
                .public_url
                .trim()
                .to_ascii_lowercase()
                .starts_with("https://")
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            database: "kinga-data/kinga.db".into(),
            listen: "127.0.0.1:8080".into(),
            public_url: "http://127.0.0.1:8080".into(),
            data_dir: "kinga-data".into(),
            time_zone: "Africa/Lubumbashi".into(),
            security: Security::default(),
            deadlines: Deadlines::default(),
            digest: DigestSettings::default(),
            phone: PhoneSettings::default(),
            sms: SmsSettings::default(),
            outbound: Outbound::default(),
            twilio: Twilio::default(),
            africastalking: AfricasTalking::default(),
            rapidpro: RapidPro::default(),
            kannel: Kannel::default(),
            smtp: Smtp::default(),
            http: Http::default(),
            analysis: Analysis::default(),
            monitoring: Monitoring::default(),
            instance: InstanceSettings::default(),
            attachments: Attachments::default(),
            voice: Voice::default(),
            whatsapp: Whatsapp::default(),
        }
    }
}

/// This instance's identity: the Ed25519 key that signs its handover packages and opens
/// the keys wrapped for it, and the name people know it by.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct InstanceSettings {
    /// The name given to the instance when its identity is first made (`kinga instance name`
    /// changes it later). Empty: `Kinga <instance id>`.
    pub name: String,
    /// File holding the instance's Ed25519 seed; created on first use. Empty: beside the
    /// key file (`kinga.key` → `kinga.instance-key`, `<database>.key` →
    /// `<database>.instance-key`).
    pub key_file: String,
    /// Seconds between two syncs with every paired instance in `kinga serve` (0: never).
    pub sync_seconds: u64,
    /// Letters before the number of this instance's alert references (`K` → `K-1042`). Give
    /// each instance that syncs its own, so references made while cut off never collide.
    pub reference_prefix: String,
}

impl Default for InstanceSettings {
    fn default() -> Self {
        InstanceSettings {
            name: String::new(),
            key_file: String::new(),
            sync_seconds: 300,
            reference_prefix: "K".into(),
        }
    }
}

/// Spike detection: how often it runs and what a spike is (see `analysis/spikes.rs`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Analysis {
    /// Minutes between two runs of the spike job in `kinga serve` (0: never).
    pub spike_check_minutes: u64,
    /// Days before a day that make its baseline.
    pub spike_baseline_days: u32,
    /// A count whose probability under the baseline is at most this is a spike.
    pub spike_alpha: f64,
    /// Fewest alerts in one day that may be a spike.
    pub spike_min_count: u32,
}

impl Default for Analysis {
    fn default() -> Self {
        let p = kinga_domain::analysis::spikes::SpikeParams::default();
        Analysis {
            spike_check_minutes: 15,
            spike_baseline_days: p.baseline_days,
            spike_alpha: p.alpha,
            spike_min_count: p.min_count,
        }
    }
}

impl Analysis {
    /// The detection's parameters.
    pub fn params(&self) -> kinga_domain::analysis::spikes::SpikeParams {
        kinga_domain::analysis::spikes::SpikeParams {
            baseline_days: self.spike_baseline_days.clamp(1, 365),
            alpha: self.spike_alpha,
            min_count: self.spike_min_count.max(1),
        }
    }
}

/// The HTTP server.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Http {
    /// A connection that sends nothing (half-sent headers, a stalled body, an idle
    /// keep-alive) or reads nothing of our answer for this long is closed.
    pub idle_seconds: u64,
}

impl Default for Http {
    fn default() -> Self {
        Http { idle_seconds: 30 }
    }
}

/// Keys, sessions and login limits.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Security {
    /// File holding the 32-byte key that seals sensitive fields; created on first start.
    /// Empty: `<data_dir>/kinga.key`.
    pub key_file: String,
    /// Hours a browser session lasts.
    pub session_hours: u32,
    /// Failed logins allowed per user and per address in `login_window_minutes`.
    pub login_attempts: u32,
    /// Window of the login limit.
    pub login_window_minutes: u32,
    /// Mark session cookies `Secure` even when `public_url` is not https (a TLS proxy that
    /// forwards to a plain `public_url`); they always are when `public_url` is https.
    pub secure_cookies: bool,
    /// Signing in ends the user's other sessions (one device at a time).
    pub single_session: bool,
    /// File holding the signed chain heads of the ledger, outside the database, so that a
    /// deleted tail of events is found by `kinga verify`. Empty: beside the SQLite file
    /// (`<database>.anchor`), or `<data_dir>/ledger.anchor` on PostgreSQL.
    pub anchor_file: String,
}

impl Default for Security {
    fn default() -> Self {
        Security {
            key_file: String::new(),
            session_hours: 12,
            login_attempts: 5,
            login_window_minutes: 15,
            secure_cookies: false,
            single_session: false,
            anchor_file: String::new(),
        }
    }
}

/// Deadlines in minutes per severity, as `[acknowledge, verify, respond]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Deadlines {
    /// Severity 1.
    pub severity_1: [u32; 3],
    /// Severity 2.
    pub severity_2: [u32; 3],
    /// Severity 3.
    pub severity_3: [u32; 3],
    /// Severity 4 (imminent threat to life).
    pub severity_4: [u32; 3],
    /// Seconds between two runs of the escalation job.
    pub check_seconds: u64,
}

impl Default for Deadlines {
    fn default() -> Self {
        let p = DeadlinePolicy::default().by_severity;
        let a = |s: StepMinutes| [s.acknowledge, s.verify, s.respond];
        Deadlines {
            severity_1: a(p[0]),
            severity_2: a(p[1]),
            severity_3: a(p[2]),
            severity_4: a(p[3]),
            check_seconds: 60,
        }
    }
}

impl Deadlines {
    /// The domain policy these settings describe.
    pub fn policy(&self) -> DeadlinePolicy {
        let s = |m: [u32; 3]| StepMinutes {
            acknowledge: m[0],
            verify: m[1],
            respond: m[2],
        };
        DeadlinePolicy {
            by_severity: [
                s(self.severity_1),
                s(self.severity_2),
                s(self.severity_3),
                s(self.severity_4),
            ],
        }
    }
}

/// When the daily alert tracking digest is issued.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct DigestSettings {
    /// Hour of the day, in the deployment's time zone, after which yesterday's digest (a
    /// local day, midnight to midnight) is issued.
    #[serde(alias = "hour_utc")]
    pub hour: u32,
}

impl Default for DigestSettings {
    fn default() -> Self {
        DigestSettings { hour: 7 }
    }
}

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

/// Protection monitoring.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Monitoring {
    /// In aggregate reports, a count of sensitive records below this (but not zero) is shown
    /// as `<N` (`KINGA_MONITORING_SUPPRESSION_THRESHOLD`; at least 1, which hides nothing).
    pub suppression_threshold: u64,
}

impl Default for Monitoring {
    fn default() -> Self {
        Monitoring {
            suppression_threshold: kinga_domain::incident::report::DEFAULT_THRESHOLD,
        }
    }
}

/// Attachments: files kept beside the database, named by their BLAKE3 digest.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Attachments {
    /// Folder of the files (`KINGA_ATTACHMENTS_DIR`); empty: `attachments` beside the SQLite
    /// file, or `<data_dir>/attachments` on PostgreSQL.
    pub dir: String,
    /// Largest file accepted, in bytes (`KINGA_ATTACHMENTS_MAX_BYTES`).
    pub max_bytes: u64,
    /// MIME types accepted (`KINGA_ATTACHMENTS_TYPES`); `audio/*` accepts every audio type.
    pub types: Vec<String>,
}

impl Default for Attachments {
    fn default() -> Self {
        Attachments {
            dir: String::new(),
            max_bytes: 16 * 1024 * 1024,
            types: [
                "audio/*",
                "image/jpeg",
                "image/png",
                "image/webp",
                "image/gif",
            ]
            .map(String::from)
            .to_vec(),
        }
    }
}

impl Settings {
    /// The folder attachments are kept in.
    pub fn attachments_dir(&self) -> std::path::PathBuf {
        use std::path::{Path, PathBuf};
        if !self.attachments.dir.trim().is_empty() {
            return PathBuf::from(self.attachments.dir.trim());
        }
        let db = self.database.trim();
        if db.starts_with("postgres://") || db.starts_with("postgresql://") || db.is_empty() {
            return Path::new(&self.data_dir).join("attachments");
        }
        Path::new(db)
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or_else(|| Path::new("."))
            .join("attachments")
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
