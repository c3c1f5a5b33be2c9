//! `kinga user` and `kinga token`: users, their settings and compartment grants, and API
//! tokens.

use std::io::{BufRead, IsTerminal};

use anyhow::{Context, bail};
use clap::Subcommand;

use kinga_app::profile::ProfileUpdate;
use kinga_app::{App, Caller};
use kinga_domain::people::{NotifyChannel, Role};

use crate::compartments;

/// `kinga user`: users, their settings and compartment grants.
#[derive(Subcommand)]
pub enum UserCmd {
    /// Add a user; the password is read from standard input.
    Add {
        /// Login name.
        name: String,
        /// administrator, coordinator, triage_officer (cla), monitor, analyst, responder, viewer.
        #[arg(long)]
        role: String,
        /// Name shown in the UI.
        #[arg(long, default_value = "")]
        display_name: String,
        /// UI language, en or fr.
        #[arg(long, default_value = "fr")]
        language: String,
    },
    /// Disable a user: sign-in refused, every session ended, every token revoked.
    Disable {
        /// Login name.
        name: String,
    },
    /// Let a disabled user sign in again (their old sessions and tokens stay ended).
    Enable {
        /// Login name.
        name: String,
    },
    /// Set a new password, read from standard input; the user's sessions end. A disabled
    /// user stays disabled.
    Reset {
        /// Login name.
        name: String,
    },
    /// Change a user's settings: how escalations and digests reach them, their time zone,
    /// working area. Options left out stay as they are; an empty value clears.
    Set {
        /// Login name.
        name: String,
        /// Name shown in the UI.
        #[arg(long)]
        display_name: Option<String>,
        /// UI language, en or fr.
        #[arg(long)]
        language: Option<String>,
        /// Phone number for escalations by SMS.
        #[arg(long)]
        phone: Option<String>,
        /// E-mail address for escalations and digests.
        #[arg(long)]
        email: Option<String>,
        /// Copies besides the inbox: comma-separated `sms`, `email`; empty for the inbox only.
        #[arg(long)]
        notify: Option<String>,
        /// IANA time zone (Africa/Lubumbashi); empty for the deployment's.
        #[arg(long)]
        time_zone: Option<String>,
        /// Working area: comma-separated P-codes; empty for everywhere.
        #[arg(long)]
        areas: Option<String>,
    },
    /// List users.
    List,
    /// Let a user see a compartment (general, human_rights, crsv, children); audited.
    Grant {
        /// Login name.
        name: String,
        /// The compartment.
        compartment: String,
    },
    /// Take a compartment back from a user; audited.
    RevokeGrant {
        /// Login name.
        name: String,
        /// The compartment.
        compartment: String,
    },
    /// List a user's compartment grants.
    Grants {
        /// Login name.
        name: String,
    },
}

/// `kinga token`: API tokens.
#[derive(Subcommand)]
pub enum TokenCmd {
    /// Create an API token for a user; the token is printed once, as the last line.
    Create {
        /// Login name.
        name: String,
        /// Label.
        #[arg(long, default_value = "cli")]
        label: String,
    },
    /// List a user's tokens (never the secrets).
    List {
        /// Login name.
        name: String,
    },
    /// Revoke a token.
    Revoke {
        /// Login name.
        name: String,
        /// Token id.
        id: String,
    },
}

fn read_password() -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("Password: ");
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    let pw = line.trim_end_matches(['\r', '\n']).to_string();
    if pw.is_empty() {
        bail!("no password given on standard input");
    }
    Ok(pw)
}

/// Run a user command.
pub async fn user(app: &App, caller: &Caller, cmd: UserCmd) -> anyhow::Result<()> {
    match cmd {
        UserCmd::Add {
            name,
            role,
            display_name,
            language,
        } => {
            let role: Role = role.parse()?;
            let pw = read_password()?;
            let u = app
                .add_user(caller, &name, &display_name, role, &language, &pw)
                .await?;
            println!("user {} added with role {}", u.name, u.role);
        }
        UserCmd::Disable { name } => {
            app.disable_user(caller, &name).await?;
            println!("user {name} disabled");
        }
        UserCmd::Enable { name } => {
            app.enable_user(caller, &name).await?;
            println!("user {name} enabled");
        }
        UserCmd::Reset { name } => {
            let pw = read_password()?;
            app.reset_password(caller, &name, &pw, None).await?;
            println!("password of {name} reset; their sessions have ended");
        }
        UserCmd::Set {
            name,
            display_name,
            language,
            phone,
            email,
            notify,
            time_zone,
            areas,
        } => {
            let list = |s: &str| -> Vec<String> {
                s.split(',')
                    .map(str::trim)
                    .filter(|x| !x.is_empty())
                    .map(String::from)
                    .collect()
            };
            let notify = notify
                .map(|n| {
                    list(&n)
                        .iter()
                        .map(|c| match c.as_str() {
                            "sms" => Ok(NotifyChannel::Sms),
                            "email" => Ok(NotifyChannel::Email),
                            other => {
                                Err(anyhow::anyhow!("unknown channel '{other}' (sms or email)"))
                            }
                        })
                        .collect::<anyhow::Result<Vec<_>>>()
                })
                .transpose()?;
            let update = ProfileUpdate {
                display_name,
                language,
                phone,
                email,
                notify,
                time_zone,
                areas: areas.map(|a| list(&a)),
            };
            let u = app.update_profile(caller, &name, update).await?;
            println!(
                "user {}: phone {}, e-mail {}, copies by {}, time zone {}, working area {}",
                u.name,
                u.phone.as_deref().unwrap_or("-"),
                u.email.as_deref().unwrap_or("-"),
                if u.notify.is_empty() {
                    "nothing (inbox only)".to_string()
                } else {
                    u.notify
                        .iter()
                        .map(|c| c.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                },
                u.time_zone.as_deref().unwrap_or("of the deployment"),
                if u.areas.is_empty() {
                    "everywhere".to_string()
                } else {
                    u.areas.join(", ")
                }
            );
        }
        UserCmd::Grant { name, compartment } => {
            compartments::grant(app, caller, &name, &compartment).await?
        }
        UserCmd::RevokeGrant { name, compartment } => {
            compartments::revoke(app, caller, &name, &compartment).await?
        }
        UserCmd::Grants { name } => compartments::list(app, caller, &name).await?,
        UserCmd::List => {
            for u in app.users(caller).await? {
                println!(
                    "{}\t{}\t{}\t{}",
                    u.name,
                    u.role,
                    u.language,
                    if u.disabled { "disabled" } else { "active" }
                );
            }
        }
    }
    Ok(())
}

/// Run a token command.
pub async fn token(app: &App, caller: &Caller, cmd: TokenCmd) -> anyhow::Result<()> {
    match cmd {
        TokenCmd::Create { name, label } => {
            let (secret, t) = app.create_token(caller, &name, &label).await?;
            eprintln!("token {} created for {name}; it is shown only once:", t.id);
            println!("{secret}");
        }
        TokenCmd::List { name } => {
            for t in app.tokens(caller, &name).await? {
                println!(
                    "{}\t{}\t{}\t{}",
                    t.id,
                    t.label,
                    t.created_at,
                    if t.revoked { "revoked" } else { "active" }
                );
            }
        }
        TokenCmd::Revoke { name, id } => {
            app.revoke_token(caller, &name, &id).await?;
            println!("token {id} revoked");
        }
    }
    Ok(())
}
