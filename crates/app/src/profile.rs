//! A user's own settings: how they are reached outside Kinga (phone, e-mail, which of them),
//! the time zone they read times in, and the working area their queue opens on. A user edits
//! their own; an administrator edits anyone's.

use email_address::EmailAddress;

use kinga_domain::people::{NotifyChannel, Permission, User};

use crate::{App, AppError, AppResult, Caller, limits};

/// Changes to a user's settings; `None` leaves a field as it is, an empty value clears it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ProfileUpdate {
    /// Name shown in the UI and timelines.
    pub display_name: Option<String>,
    /// UI language (`fr` or `en`).
    pub language: Option<String>,
    /// Phone number for escalations by SMS (national or international form); empty clears.
    pub phone: Option<String>,
    /// E-mail address for escalations and digests; empty clears.
    pub email: Option<String>,
    /// Ways to be reached besides the inbox (`sms`, `email`); empty: the inbox only.
    pub notify: Option<Vec<NotifyChannel>>,
    /// IANA time zone (`Africa/Lubumbashi`); empty: the deployment's.
    pub time_zone: Option<String>,
    /// Working area: P-codes of provinces, territories or places; empty: everywhere.
    pub areas: Option<Vec<String>>,
}

/// Most places in one working area: a CLA covers a few territories, not a country.
const MAX_AREAS: usize = 50;

/// Trimmed, with empty meaning "none".
fn cleared(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

impl App {
    /// Change a user's settings (their own, or anyone's for an administrator). Every field
    /// is checked before anything is saved; a way of being reached needs its contact.
    pub async fn update_profile(
        &self,
        caller: &Caller,
        name: &str,
        update: ProfileUpdate,
    ) -> AppResult<User> {
        if caller.name != name {
            caller.require(Permission::ManageUsers)?;
        }
        let mut u = self.named_user(name).await?;
        if let Some(d) = &update.display_name {
            limits::check("display_name", d, limits::NAME)?;
            u.display_name = cleared(d).unwrap_or_else(|| u.name.clone());
        }
        if let Some(l) = &update.language {
            u.language = match l.trim() {
                "fr" | "en" => l.trim().to_string(),
                other => {
                    return Err(AppError::Invalid(format!(
                        "unknown language '{}' (fr or en)",
                        other.chars().take(16).collect::<String>()
                    )));
                }
            };
        }
        if let Some(p) = &update.phone {
            limits::check("phone", p, 32)?;
            u.phone = cleared(p).map(|p| self.normalize_phone(&p)).transpose()?;
        }
        if let Some(e) = &update.email {
            limits::check("email", e, 254)?;
            u.email = cleared(e)
                .map(|e| {
                    EmailAddress::parse_with_options(&e, email_address::Options::default())
                        .map(|a| a.to_string())
                        .map_err(|err| {
                            AppError::Invalid(format!("'{e}' is not an e-mail address: {err}"))
                        })
                })
                .transpose()?;
        }
        if let Some(z) = &update.time_zone {
            limits::check("time_zone", z, 64)?;
            u.time_zone = cleared(z)
                .map(|z| {
                    z.parse::<chrono_tz::Tz>()
                        .map(|tz| tz.name().to_string())
                        .map_err(|_| {
                            AppError::Invalid(format!(
                                "'{z}' is not a time zone (an IANA name such as Africa/Lubumbashi)"
                            ))
                        })
                })
                .transpose()?;
        }
        if let Some(areas) = &update.areas {
            if areas.len() > MAX_AREAS {
                return Err(AppError::Invalid(format!(
                    "a working area has at most {MAX_AREAS} places"
                )));
            }
            let gaz = self.caches.gazetteer();
            let mut codes = Vec::new();
            for a in areas.iter().filter_map(|a| cleared(a)) {
                limits::check("areas", &a, limits::NAME)?;
                if gaz.get(&a).is_none() {
                    return Err(AppError::Invalid(format!(
                        "unknown place '{a}' in the working area"
                    )));
                }
                if !codes.contains(&a) {
                    codes.push(a);
                }
            }
            u.areas = codes;
        }
        if let Some(n) = &update.notify {
            let mut channels: Vec<NotifyChannel> = Vec::new();
            for c in n {
                if !channels.contains(c) {
                    channels.push(*c);
                }
            }
            u.notify = channels;
        }
        for c in &u.notify {
            let missing = match c {
                NotifyChannel::Sms => u.phone.is_none().then_some("a phone number"),
                NotifyChannel::Email => u.email.is_none().then_some("an e-mail address"),
            };
            if let Some(what) = missing {
                return Err(AppError::Invalid(format!(
                    "to be reached by {} Kinga needs {what}",
                    c.as_str()
                )));
            }
        }
        self.save_user(caller, u.clone()).await?;
        self.audit(caller, "profile_changed", &format!("user:{name}"), "")
            .await?;
        Ok(redacted(u))
    }

    /// A user's settings as the caller may see them: their own, or anyone's for an
    /// administrator; the password hash never leaves the store.
    pub async fn profile(&self, caller: &Caller, name: &str) -> AppResult<User> {
        if caller.name != name {
            caller.require(Permission::ManageUsers)?;
        }
        Ok(redacted(self.named_user(name).await?))
    }
}

/// A user record without its password hash.
fn redacted(mut u: User) -> User {
    u.password_hash.clear();
    u
}
