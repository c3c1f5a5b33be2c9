//! `kinga agreement`: data-sharing agreements with paired instances (add, list, revoke).

use chrono::NaiveDate;
use clap::Subcommand;

use kinga_app::{Caller, Settings};
use kinga_domain::agreement::{Agreement, AgreementInput};
use kinga_domain::compartment::Compartment;

use crate::runtime;

/// Data-sharing agreements.
#[derive(Subcommand)]
pub enum AgreementCmd {
    /// Record an agreement with a paired instance: what may cross to it, for what, until when.
    Add {
        /// The paired instance (its name in `kinga peer list`).
        peer: String,
        /// The other organisation, as it signed.
        #[arg(long)]
        organisation: String,
        /// Incident compartments shared, comma-separated (`general,human_rights`); none
        /// when omitted: no incident crosses.
        #[arg(long, value_delimiter = ',')]
        compartments: Vec<Compartment>,
        /// Fields that never leave, `record_type:field`, comma-separated
        /// (`alert:text,focal_point:name`): a record carrying one stays home whole.
        #[arg(long, value_delimiter = ',')]
        withhold: Vec<String>,
        /// `records` or `aggregates` (no individual record crosses).
        #[arg(long, default_value = "records")]
        level: String,
        /// What the records may be used for.
        #[arg(long)]
        purpose: String,
        /// First day in force (YYYY-MM-DD).
        #[arg(long)]
        from: NaiveDate,
        /// Last day in force (YYYY-MM-DD).
        #[arg(long)]
        until: NaiveDate,
    },
    /// List every agreement with its state today.
    List,
    /// End an agreement before its term.
    Revoke {
        /// The agreement's id.
        id: String,
        /// Why.
        #[arg(long)]
        reason: String,
    },
}

fn line(a: &Agreement, today: NaiveDate) -> String {
    let compartments: Vec<&str> = a.compartments.iter().map(|c| c.as_str()).collect();
    let fields: Vec<String> = a
        .withheld_fields
        .iter()
        .flat_map(|(k, fs)| fs.iter().map(move |f| format!("{k}:{f}")))
        .collect();
    format!(
        "{}\t{}\t{}\t{}\t{}..{}\tcompartments={}\twithheld={}\t{}\t{}",
        a.id,
        a.peer,
        a.state(today),
        a.level,
        a.valid_from,
        a.valid_until,
        if compartments.is_empty() {
            "-".to_string()
        } else {
            compartments.join(",")
        },
        if fields.is_empty() {
            "-".to_string()
        } else {
            fields.join(",")
        },
        a.organisation,
        a.purpose
    )
}

/// Run an agreement command.
pub async fn run(settings: &Settings, caller: &Caller, cmd: AgreementCmd) -> anyhow::Result<()> {
    let app = runtime::open_app(settings).await?;
    let today = app.local_today();
    match cmd {
        AgreementCmd::Add {
            peer,
            organisation,
            compartments,
            withhold,
            level,
            purpose,
            from,
            until,
        } => {
            let input = AgreementInput {
                peer,
                organisation,
                compartments,
                withheld_fields: withhold,
                level,
                purpose,
                valid_from: from,
                valid_until: until,
            };
            let a = app.add_agreement(caller, &input).await?;
            println!("recorded agreement {} with {}", a.id, a.peer);
            println!("{}", line(&a, today));
        }
        AgreementCmd::List => {
            for a in app.agreements(caller).await? {
                println!("{}", line(&a, today));
            }
        }
        AgreementCmd::Revoke { id, reason } => {
            let a = app.revoke_agreement(caller, &id, &reason).await?;
            println!("revoked agreement {} with {}", a.id, a.peer);
        }
    }
    crate::keep_anchor(&app);
    Ok(())
}
