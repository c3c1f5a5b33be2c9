//! The senders behind [`kinga_app::delivery::MessageSender`] (feature `send`): the HTTP
//! gateways executing the requests this crate builds ([`HttpSender`]), SMTP for e-mail
//! ([`SmtpSender`]), the demo's log ([`LogSender`]), and the [`Router`] that picks one per
//! message. [`from_settings`] assembles them as `[outbound]` and `[smtp]` say.

pub mod fetch;
mod http;
mod log;
mod router;
mod smtp;

pub use http::HttpSender;
pub use log::LogSender;
pub use router::Router;
pub use smtp::SmtpSender;

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
/// when a host is set, else into the outbox log under the `log` driver.
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
    Ok(Router::new(sms, email))
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
