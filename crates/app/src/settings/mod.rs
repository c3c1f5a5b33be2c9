//! Every setting of a deployment, declared once. The `kinga` binary fills this from a TOML file
//! (`--config`) and `KINGA_<SECTION>_<KEY>` environment variables.

use serde::{Deserialize, Serialize};

mod channels;
mod server;
mod tracking;

pub use channels::{
    AfricasTalking, Kannel, Outbound, PhoneSettings, RapidPro, SmsSettings, Smtp, Twilio, Voice,
    Whatsapp,
};
pub use server::{Attachments, Http, InstanceSettings, Security};
pub use tracking::{Analysis, Deadlines, DigestSettings, Monitoring};

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
