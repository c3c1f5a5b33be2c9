//! The senders behind [`kinga_app::delivery::MessageSender`] (feature `send`): the HTTP
//! gateways executing the requests this crate builds ([`HttpSender`]), SMTP for e-mail
//! ([`SmtpSender`]), the demo's log ([`LogSender`]), and the [`Router`] that picks one per
//! message. [`from_settings`] assembles them as `[outbound]` and `[smtp]` say.

pub mod fetch;
mod http;
mod log;
mod router;
mod smtp;
mod whatsapp;

pub use http::HttpSender;
pub use log::LogSender;
pub use router::Router;
pub use smtp::SmtpSender;
pub use whatsapp::WhatsappSender;

use kinga_app::Settings;

/// Why the senders cannot be set up from the settings.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// `outbound.driver` names no known gateway.
    #[error("unknown outbound driver '{0}': use log, twilio, africastalking, rapidpro or kannel")]
    UnknownDriver(String),
    /// A setting the chosen gateway needs is empty.
    #[error("the {driver} driver needs {setting}")]
    Missing {
        /// Driver or section.
        driver: &'static str,
        /// Environment variable naming the setting.
        setting: &'static str,
    },
    /// The HTTP client cannot be built (TLS roots, resolver).
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
    /// The SMTP settings are unusable.
    #[error("invalid SMTP settings: {0}")]
    Smtp(String),
}

/// The router for these settings: SMS through `outbound.driver`, e-mail through `[smtp]`
/// when a host is set, else into the outbox log under the `log` driver, WhatsApp through
/// Twilio when `[whatsapp] from` is set.
pub fn from_settings(settings: &Settings) -> Result<Router, SetupError> {
    let driver = settings.outbound.driver.trim();
    let log = || Box::new(LogSender::new(&settings.data_dir));
    let sms: Box<dyn kinga_app::delivery::MessageSender> = match driver {
        "log" => log(),
        _ => Box::new(HttpSender::new(settings)?),
    };
    let email: Option<Box<dyn kinga_app::delivery::MessageSender>> =
        if !settings.smtp.host.trim().is_empty() {
            Some(Box::new(SmtpSender::new(
                &settings.smtp,
                settings.outbound.timeout_seconds,
            )?))
        } else if driver == "log" {
            Some(log())
        } else {
            None
        };
    let router = Router::new(sms, email);
    if !settings.whatsapp.enabled() {
        return Ok(router);
    }
    // The demo's log driver logs WhatsApp messages too unless a Twilio account is set.
    Ok(
        if driver == "log" && settings.twilio.account_sid.trim().is_empty() {
            router.with_whatsapp(log())
        } else {
            router.with_whatsapp(Box::new(WhatsappSender::new(settings)?))
        },
    )
}

/// A non-empty setting, or the error naming it.
fn required<'a>(
    value: &'a str,
    driver: &'static str,
    setting: &'static str,
) -> Result<&'a str, SetupError> {
    let v = value.trim();
    if v.is_empty() {
        Err(SetupError::Missing { driver, setting })
    } else {
        Ok(v)
    }
}
