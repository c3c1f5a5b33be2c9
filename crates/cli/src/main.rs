//! `kinga`: one binary for the server and every operator task.

mod agreements;
mod cluster;
mod compartments;
mod config;
mod demo;
mod handover;
mod runtime;
mod serve;
mod sync;
mod users;

use std::io::IsTerminal;

use anyhow::Context;
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use kinga_app::Caller;
use kinga_app::import::ImportKind;
use kinga_domain::people::Role;

/// mimalloc instead of glibc's malloc: intake allocates and frees many small values per alert
/// on every worker thread, and glibc's arenas spent a fifth of the server's CPU on it (the
/// README's intake profile). Built without transparent huge pages (`no_thp`): with them its
/// arenas, committed up front, made the idle server 59 MiB resident instead of 36.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Kinga: protection of civilians information system.
#[derive(Parser)]
#[command(name = "kinga", version, about)]
struct Cli {
    /// Settings file (TOML); every key can also be set as KINGA_<SECTION>_<KEY>.
    #[arg(long, global = true, env = "KINGA_CONFIG")]
    config: Option<String>,
    /// SQLite file or postgres:// URL.
    #[arg(long, global = true)]
    database: Option<String>,
    /// Address to listen on.
    #[arg(long, global = true)]
    listen: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server, API and gateways.
    Serve,
    /// Load the demo data set into an empty database, then serve it.
    Demo {
        /// Port to serve on (on 127.0.0.1), instead of --listen.
        #[arg(long)]
        port: Option<u16>,
        /// Load and exit.
        #[arg(long)]
        no_serve: bool,
    },
    /// Recompute every hash chain of the ledger and report the first broken link.
    Verify,
    /// Create or upgrade the database schema.
    Migrate,
    /// Manage users.
    #[command(subcommand)]
    User(users::UserCmd),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(users::TokenCmd),
    /// SMS tools.
    #[command(subcommand)]
    Sms(SmsCmd),
    /// Cluster events in space (and time) as scikit-learn's DBSCAN does; needs no database.
    Cluster {
        /// CSV with a header naming id, lat, lon and optionally time.
        #[arg(long)]
        input: std::path::PathBuf,
        /// Neighbourhood radius in km (great-circle, compared with <=).
        #[arg(long, allow_negative_numbers = true)]
        eps_km: f64,
        /// Neighbours, the event itself included, that make a core event.
        #[arg(long)]
        min_samples: usize,
        /// Events further apart in time than this are never neighbours.
        #[arg(long, allow_negative_numbers = true)]
        window_hours: Option<f64>,
    },
    /// Import a registry from CSV (places, actors, responders, focal-points), or a public
    /// conflict data set as context events for the map (`context --format ucdp-ged|acled`);
    /// all rows or none.
    Import {
        /// What the file holds.
        kind: String,
        /// CSV file.
        file: String,
        /// For `context`: the file's layout, `ucdp-ged` or `acled`.
        #[arg(long)]
        format: Option<String>,
        /// For `context`: the licence note kept with every event (default: the data set's).
        #[arg(long)]
        licence: Option<String>,
    },
    /// Community focal points.
    #[command(subcommand)]
    FocalPoints(FocalPointsCmd),
    /// Compartment keys.
    #[command(subcommand)]
    Keys(compartments::KeysCmd),
    /// This instance's identity: its public key and name.
    #[command(subcommand)]
    Instance(handover::InstanceCmd),
    /// Signed handover packages of the whole ledger: export, verify, import.
    #[command(subcommand)]
    Handover(handover::HandoverCmd),
    /// Instances paired with this one.
    #[command(subcommand)]
    Peer(handover::PeerCmd),
    /// Write a backup: the whole ledger, its attachments and keys, as a signed handover
    /// package addressed to this instance's own key.
    Backup {
        /// The backup file to write.
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Load a backup of this instance into an empty database (this instance's key file must
    /// be in place).
    Restore {
        /// The backup file.
        file: std::path::PathBuf,
    },
    /// Data-sharing agreements with paired instances.
    #[command(subcommand)]
    Agreement(agreements::AgreementCmd),
    /// Exchange events with a paired instance now, both ways, as the agreements allow.
    Sync {
        /// The paired instance (its name in `kinga peer list`).
        peer: String,
    },
}

#[derive(Subcommand)]
enum FocalPointsCmd {
    /// Give every focal point whose pseudonym names a place a new code that names none,
    /// recorded in the ledger like any registry change; prints id, old and new pseudonym.
    #[command(alias = "repseudonymize")]
    Repseudonymise {
        /// Only list the pseudonyms that name a place; change nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
enum SmsCmd {
    /// Read a message as the SMS grammar does and print what it found as one JSON object.
    Parse {
        /// Sender's number: a registered focal point's place and language become defaults.
        #[arg(long)]
        from: Option<String>,
        /// The message (several words are joined with spaces).
        #[arg(required = true, num_args = 1.., allow_hyphen_values = true)]
        text: Vec<String>,
    },
}

/// Write the chain-head anchor after a command; a failure is reported, not fatal: what the
/// command did is committed, and the anchor is only ever a lower bound.
fn keep_anchor(app: &kinga_app::App) {
    if let Err(e) = app.persist_anchor() {
        tracing::warn!(error = %e, "the ledger anchor could not be written");
    }
}

fn cli_caller() -> Caller {
    Caller::acting("cli", Role::Administrator)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // The demo keeps its terminal for the logins table: only warnings unless KINGA_LOG says.
    let default_level = if matches!(cli.command, Command::Demo { .. }) {
        "warn"
    } else {
        "info"
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("KINGA_LOG")
                .unwrap_or_else(|_| default_level.into()),
        )
        .with_writer(std::io::stderr)
        .init();
    if let Command::Cluster {
        input,
        eps_km,
        min_samples,
        window_hours,
    } = cli.command
    {
        // Pure computation over a file: no settings, no store.
        return cluster::run(&cluster::Request {
            input,
            eps_km,
            min_samples,
            window_hours,
        });
    }
    let mut settings = config::load(cli.config.as_deref())?;
    if let Some(d) = cli.database {
        settings.database = d;
    }
    if let Some(l) = cli.listen {
        settings.listen = l;
    }
    match cli.command {
        Command::Serve => {
            let app = runtime::open_app(&settings).await?;
            serve::serve(app, &settings.listen, None).await
        }
        Command::Demo { port, no_serve } => {
            if let Some(p) = port {
                settings.listen = format!("127.0.0.1:{p}");
            }
            let app = runtime::open_app(&settings).await?;
            let summary = demo::load(&app).await?;
            println!("{summary}");
            if no_serve {
                return Ok(());
            }
            serve::serve(app, &settings.listen, Some(demo::logins_banner())).await
        }
        Command::Verify => verify(&settings).await,
        Command::Migrate => {
            let store = runtime::open_store(&settings).await?;
            println!(
                "{} database is migrated; instance {}",
                store.backend(),
                store.instance_id().await?
            );
            Ok(())
        }
        Command::User(cmd) => {
            let app = runtime::open_app(&settings).await?;
            users::user(&app, &cli_caller(), cmd).await?;
            keep_anchor(&app);
            Ok(())
        }
        Command::Keys(cmd) => {
            let app = runtime::open_app(&settings).await?;
            compartments::keys(&app, &cli_caller(), cmd).await?;
            keep_anchor(&app);
            Ok(())
        }
        Command::Token(cmd) => {
            let app = runtime::open_app(&settings).await?;
            users::token(&app, &cli_caller(), cmd).await?;
            keep_anchor(&app);
            Ok(())
        }
        Command::Sms(SmsCmd::Parse { from, text }) => {
            let app = runtime::open_app(&settings).await?;
            let parsed = app.parse_sms(&text.join(" "), from.as_deref()).await?;
            println!("{}", serde_json::to_string(&parsed)?);
            Ok(())
        }
        Command::Instance(cmd) => handover::instance(&settings, &cli_caller(), cmd).await,
        Command::Handover(cmd) => handover::run(&settings, &cli_caller(), cmd).await,
        Command::Peer(cmd) => handover::peer(&settings, &cli_caller(), cmd).await,
        Command::Backup { out } => handover::backup(&settings, &cli_caller(), &out).await,
        Command::Restore { file } => handover::restore(&settings, &cli_caller(), &file).await,
        Command::Agreement(cmd) => agreements::run(&settings, &cli_caller(), cmd).await,
        Command::Sync { peer } => {
            let app = runtime::open_app(&settings).await?;
            let s = sync::sync_with(&app, &cli_caller(), &peer).await?;
            println!("{}", sync::one_line(&peer, &s));
            keep_anchor(&app);
            Ok(())
        }
        Command::Cluster { .. } => unreachable!("handled before the settings are loaded"),
        Command::FocalPoints(FocalPointsCmd::Repseudonymise { dry_run }) => {
            let app = runtime::open_app(&settings).await?;
            let r = app.repseudonymise(&cli_caller(), dry_run).await?;
            for c in &r.changed {
                println!("{}\t{}\t{}\tnamed {}", c.id, c.old, c.new, c.place);
            }
            let done = if r.dry_run {
                "would be given new codes (dry run: nothing changed)"
            } else {
                "given new codes"
            };
            println!(
                "{} of {} focal points' pseudonyms named a place; {done}",
                r.changed.len(),
                r.checked
            );
            keep_anchor(&app);
            Ok(())
        }
        Command::Import {
            kind,
            file,
            format,
            licence,
        } if kind == "context" => {
            let Some(format) = format else {
                anyhow::bail!("kinga import context needs --format ucdp-ged or --format acled");
            };
            let dataset: kinga_domain::analysis::context::ContextDataset = format.parse()?;
            let text =
                std::fs::read_to_string(&file).with_context(|| format!("cannot read {file}"))?;
            let app = runtime::open_app(&settings).await?;
            let r = app
                .import_context(&cli_caller(), dataset, &text, licence.as_deref())
                .await?;
            println!(
                "imported {} {} context events from {file}",
                r.events,
                dataset.label()
            );
            keep_anchor(&app);
            Ok(())
        }
        Command::Import { kind, file, .. } => {
            let kind: ImportKind = kind.parse()?;
            let text =
                std::fs::read_to_string(&file).with_context(|| format!("cannot read {file}"))?;
            let app = runtime::open_app(&settings).await?;
            let n = app.import_csv(&cli_caller(), kind, &text).await?;
            println!("imported {n} records from {file}");
            keep_anchor(&app);
            Ok(())
        }
    }
}

async fn verify(settings: &kinga_app::Settings) -> anyhow::Result<()> {
    let app = runtime::open_app(settings).await?;
    let bar = if std::io::stderr().is_terminal() {
        ProgressBar::new(0)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("verifying {bar:40} {pos}/{len} events")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let progress = |done: u64, total: u64| {
        bar.set_length(total);
        bar.set_position(done);
    };
    let r = app.verify(&cli_caller(), &progress).await?;
    bar.finish_and_clear();
    if !r.intact() {
        println!("BROKEN: {}", r.faults.first().map_or("", String::as_str));
        for f in r.faults.iter().skip(1) {
            println!("  also: {f}");
        }
        if r.fault_count > r.faults.len() {
            println!("  … {} faults in all", r.fault_count);
        }
        std::process::exit(1);
    }
    println!(
        "ledger verified: {} events in {} chain(s), no broken link; {} table rows match the ledger",
        r.events,
        r.heads.len(),
        r.rows
    );
    for (origin, (seq, hash)) in &r.heads {
        println!(
            "  origin {origin}: {seq} events, head {}",
            &hash[..16.min(hash.len())]
        );
    }
    match r.anchored_at {
        Some(at) => println!(
            "  chain heads anchored outside the database ({}), last written {}",
            app.anchor_location().display(),
            at.format("%Y-%m-%d %H:%M:%S UTC")
        ),
        None => println!(
            "  no anchor file at {} yet: a deleted tail of events could not be told",
            app.anchor_location().display()
        ),
    }
    Ok(())
}
