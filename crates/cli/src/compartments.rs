//! `kinga user grant|revoke-grant|grants` and `kinga keys rotate-compartment`: who may see
//! which compartment, and the keys that seal compartments' identifying fields.

use clap::Subcommand;

use kinga_app::{App, Caller};
use kinga_domain::compartment::Compartment;

/// Key management.
#[derive(Subcommand)]
pub enum KeysCmd {
    /// Replace a compartment's key: every record of the compartment is re-sealed under a new
    /// random key in one commit (with its ledger events); the old key is retired, kept so that
    /// older events stay readable.
    RotateCompartment {
        /// general, human_rights, crsv or children.
        compartment: String,
    },
}

/// Grant a compartment.
pub async fn grant(
    app: &App,
    caller: &Caller,
    name: &str,
    compartment: &str,
) -> anyhow::Result<()> {
    let c: Compartment = compartment.parse()?;
    app.grant(caller, name, c).await?;
    if c == Compartment::General {
        println!("user {name} granted {c} (every role that reads incidents sees general anyway)");
    } else {
        println!("user {name} granted {c}");
    }
    Ok(())
}

/// Revoke a compartment.
pub async fn revoke(
    app: &App,
    caller: &Caller,
    name: &str,
    compartment: &str,
) -> anyhow::Result<()> {
    let c: Compartment = compartment.parse()?;
    if app.revoke_grant(caller, name, c).await? {
        println!("user {name} no longer holds {c}");
    } else {
        println!("user {name} held no grant of {c}; nothing changed");
    }
    Ok(())
}

/// List a user's grants, one compartment a line.
pub async fn list(app: &App, caller: &Caller, name: &str) -> anyhow::Result<()> {
    for g in app.grants_of(caller, name).await? {
        println!("{}\t{}\t{}", g.compartment, g.granted_by, g.granted_at);
    }
    Ok(())
}

/// Run a key command.
pub async fn keys(app: &App, caller: &Caller, cmd: KeysCmd) -> anyhow::Result<()> {
    match cmd {
        KeysCmd::RotateCompartment { compartment } => {
            let c: Compartment = compartment.parse()?;
            let (version, n) = app.rotate_compartment_key(caller, c).await?;
            println!("compartment {c}: key version {version} in use; {n} incident(s) re-sealed");
        }
    }
    Ok(())
}
