//! Loading the settings: defaults, then the TOML file, then `KINGA_*` environment variables,
//! then command-line flags.

use anyhow::Context;
use figment::providers::{Env, Format, Serialized, Toml};
use figment::value::{Dict, Map, Value};
use figment::{Figment, Metadata, Profile, Provider};

use kinga_app::Settings;

/// Settings keys that sit at the top level rather than in a section.
const TOP_LEVEL: [&str; 5] = ["database", "listen", "public_url", "data_dir", "time_zone"];

/// Map `KINGA_TWILIO_AUTH_TOKEN` to `twilio.auth_token` and `KINGA_PUBLIC_URL` to `public_url`:
/// the first word after the prefix is the section unless the whole name is a top-level key.
fn env_key(key: &str) -> String {
    let k = key.to_ascii_lowercase();
    if TOP_LEVEL.contains(&k.as_str()) {
        return k;
    }
    match k.split_once('_') {
        Some((section, rest)) => format!("{section}.{rest}"),
        None => k,
    }
}

/// The `KINGA_*` variables, each under its settings key. A value that reads as a number is
/// kept as the text it was written as: phone numbers (`KINGA_TWILIO_FROM=+15005550006`), short
/// codes and numeric passwords are strings, and the lossy extraction in [`load`] reads the
/// text back as a number where a setting is one. Lists and booleans are parsed as usual.
struct EnvText;

impl Provider for EnvText {
    fn metadata(&self) -> Metadata {
        Metadata::named("`KINGA_` environment variable(s)")
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        // KINGA_CONFIG names the file, and is no setting itself.
        let env = Env::prefixed("KINGA_")
            .ignore(&["config"])
            .map(|k| env_key(k.as_str()).into());
        let mut fig = Figment::new();
        for (key, raw) in env.iter() {
            let Ok(parsed) = raw.parse::<Value>();
            let value = match parsed {
                Value::Num(..) => Value::from(raw),
                other => other,
            };
            fig = fig.merge(Serialized::global(key.as_str(), value));
        }
        fig.data()
    }
}

/// Load settings from `file` (if any) and the environment.
pub fn load(file: Option<&str>) -> anyhow::Result<Settings> {
    let mut fig = Figment::from(Serialized::defaults(Settings::default()));
    if let Some(f) = file {
        anyhow::ensure!(
            std::path::Path::new(f).exists(),
            "config file {f} does not exist"
        );
        fig = fig.merge(Toml::file(f));
    }
    let settings: Settings = fig
        .merge(EnvText)
        .extract_lossy()
        .context("invalid settings")?;
    settings.check().map_err(anyhow::Error::msg)?;
    Ok(settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_names_map_to_sections() {
        assert_eq!(env_key("TWILIO_AUTH_TOKEN"), "twilio.auth_token");
        assert_eq!(env_key("AFRICASTALKING_API_KEY"), "africastalking.api_key");
        assert_eq!(env_key("KANNEL_SECRET"), "kannel.secret");
        assert_eq!(env_key("PUBLIC_URL"), "public_url");
        assert_eq!(env_key("DATABASE"), "database");
        assert_eq!(env_key("TIME_ZONE"), "time_zone");
        assert_eq!(env_key("SECURITY_SESSION_HOURS"), "security.session_hours");
    }

    // figment's Jail fixes the closure's error type to figment::Error, a large value.
    #[allow(clippy::result_large_err)]
    #[test]
    fn file_then_environment() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("k.toml", "listen = \"0.0.0.0:9\"\n[twilio]\nauth_token = \"file\"\n[deadlines]\nseverity_4 = [5, 10, 20]\n")?;
            jail.set_env("KINGA_TWILIO_AUTH_TOKEN", "env");
            jail.set_env("KINGA_PUBLIC_URL", "https://kinga.example.org");
            let s = load(Some("k.toml")).map_err(|e| e.to_string())?;
            assert_eq!(s.listen, "0.0.0.0:9");
            assert_eq!(s.twilio.auth_token, "env");
            assert_eq!(s.public_url, "https://kinga.example.org");
            assert_eq!(s.deadlines.severity_4, [5, 10, 20]);
            jail.set_env("KINGA_TWILIO_FROM", "+15005550006");
            jail.set_env("KINGA_KANNEL_PASSWORD", "12345");
            jail.set_env("KINGA_SMTP_PORT", "2525");
            jail.set_env("KINGA_SMTP_STARTTLS", "false");
            jail.set_env("KINGA_DEADLINES_SEVERITY_2", "[60, 120, 240]");
            let s = load(Some("k.toml")).map_err(|e| e.to_string())?;
            assert_eq!(
                s.twilio.from, "+15005550006",
                "numbers that are text stay text"
            );
            assert_eq!(s.kannel.password, "12345");
            assert_eq!(s.smtp.port, 2525);
            assert!(!s.smtp.starttls);
            assert_eq!(s.deadlines.severity_2, [60, 120, 240]);
            assert_eq!(s.deadlines.severity_4, [5, 10, 20]);
            assert_eq!(
                s.deadlines.severity_1,
                Settings::default().deadlines.severity_1
            );
            Ok(())
        });
    }
}
