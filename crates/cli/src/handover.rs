//! `kinga instance` and `kinga handover`: this instance's identity, and the signed packages that
//! hand a whole ledger to another organisation (export, verify, import), each with a progress
//! bar on standard error; `kinga backup` and `kinga restore`, the same package addressed to
//! this instance's own key.

use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};

use kinga_app::handover::{self, Progress, PublicKey, PublicKeyLine, ReaderOptions};
use kinga_app::{Caller, Settings};

use crate::runtime;

/// This instance's identity.
#[derive(Subcommand)]
pub enum InstanceCmd {
    /// Print this instance's public key and name (the line of its `.pub` file); the key is
    /// made on first use.
    Key,
    /// Print this instance's name, or give it a new one.
    Name {
        /// The new name.
        name: Option<String>,
    },
}

/// Handover packages.
#[derive(Subcommand)]
pub enum HandoverCmd {
    /// Write the whole ledger, with its keys wrapped for the recipient, as a signed package.
    Export {
        /// The recipient's public key file (what `kinga instance key` printed there).
        #[arg(long)]
        to: PathBuf,
        /// The package to write.
        #[arg(long)]
        out: PathBuf,
        /// The data-sharing agreement to apply (by id). Without it, the agreement in force
        /// with the paired instance holding the recipient's key applies, if there is one.
        #[arg(long)]
        agreement: Option<String>,
    },
    /// Check a package; exit 0 only when it is intact (and signed by SENDER when given),
    /// otherwise name its first fault.
    Verify {
        /// The package.
        file: PathBuf,
        /// The sender's public key file: refuse a package signed by any other key.
        #[arg(long)]
        from: Option<PathBuf>,
    },
    /// Load a package made for this instance into its empty database: all of it or nothing.
    Import {
        /// The package.
        file: PathBuf,
        /// The sender's public key file: refuse a package signed by any other key.
        #[arg(long)]
        from: Option<PathBuf>,
    },
}

fn read_pub(path: &Path) -> anyhow::Result<PublicKeyLine> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the public key file {}", path.display()))?;
    PublicKeyLine::parse(&text).with_context(|| format!("{}", path.display()))
}

fn sender_key(from: Option<&Path>) -> anyhow::Result<Option<PublicKey>> {
    from.map(|p| read_pub(p).map(|l| l.key)).transpose()
}

/// A progress bar on standard error when it is a terminal (hidden otherwise).
fn bar(template: &str) -> ProgressBar {
    let bar = if std::io::stderr().is_terminal() {
        ProgressBar::new(0)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

fn progress_of(bar: &ProgressBar) -> Progress {
    let bar = bar.clone();
    Arc::new(move |done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })
}

const BYTES: &str = "{msg} {bar:40} {bytes}/{total_bytes} ({bytes_per_sec}, {eta})";

/// Run an instance command.
pub async fn instance(
    settings: &Settings,
    caller: &Caller,
    cmd: InstanceCmd,
) -> anyhow::Result<()> {
    let store = runtime::open_store(settings).await?;
    match cmd {
        InstanceCmd::Key => {
            let me = handover::identity(store.as_ref(), settings, caller).await?;
            println!("{}", me.public_line());
        }
        InstanceCmd::Name { name: None } => {
            println!(
                "{}",
                handover::instance_name(store.as_ref(), settings).await?
            );
        }
        InstanceCmd::Name { name: Some(n) } => {
            let n = handover::set_instance_name(store.as_ref(), caller, &n).await?;
            println!("this instance is now called {n}");
        }
    }
    Ok(())
}

/// Run a handover command.
pub async fn run(settings: &Settings, caller: &Caller, cmd: HandoverCmd) -> anyhow::Result<()> {
    match cmd {
        HandoverCmd::Export { to, out, agreement } => {
            export(
                settings,
                caller,
                &read_pub(&to)?,
                &out,
                agreement.as_deref(),
            )
            .await
        }
        HandoverCmd::Verify { file, from } => verify(&file, from.as_deref()),
        HandoverCmd::Import { file, from } => {
            import(settings, caller, &file, sender_key(from.as_deref())?).await
        }
    }
}

/// `kinga backup --out FILE`: the whole ledger, attachments and keys as a handover package
/// addressed to this instance's own key, which only the holder of its key file can restore.
pub async fn backup(settings: &Settings, caller: &Caller, out: &Path) -> anyhow::Result<()> {
    let me = own_identity(settings, caller).await?;
    export(settings, caller, &me.public_line(), out, None).await?;
    println!(
        "  restore it with `kinga --database NEW restore {}`, with this instance's key file ({}) \
         in place: keep a copy of that file apart from the backups",
        out.display(),
        handover::instance_key_path(settings).display()
    );
    Ok(())
}

/// `kinga restore FILE`: a backup of this instance (signed with its own key) loaded into an
/// empty database.
pub async fn restore(settings: &Settings, caller: &Caller, file: &Path) -> anyhow::Result<()> {
    let me = own_identity(settings, caller).await?;
    import(settings, caller, file, Some(me.key.public())).await
}

/// This instance's identity, read from its store and key file.
async fn own_identity(settings: &Settings, caller: &Caller) -> anyhow::Result<handover::Identity> {
    let store = runtime::open_store(settings).await?;
    Ok(handover::identity(store.as_ref(), settings, caller).await?)
}

async fn export(
    settings: &Settings,
    caller: &Caller,
    recipient: &PublicKeyLine,
    out: &Path,
    agreement: Option<&str>,
) -> anyhow::Result<()> {
    let app = runtime::open_app(settings).await?;
    let me = app.identity(caller).await?;
    let sharing = app.agreement_for(caller, &recipient.key, agreement).await?;
    let under = sharing.as_ref().map(|a| {
        format!(
            "  under agreement {} with {} ({}, {}): what it does not allow is withheld",
            a.id, a.organisation, a.peer, a.level
        )
    });
    let bar = bar("exporting {bar:40} {pos}/{len} events ({per_sec}, {eta})");
    let done = app
        .export_handover(caller, &me, recipient, out, sharing, progress_of(&bar))
        .await;
    bar.finish_and_clear();
    let done = done?;
    println!("wrote {}: {}", done.path.display(), done.package.one_line());
    println!("  for {} ({})", recipient.name, recipient.key);
    println!("  signed digest {}", done.package.digest);
    if let Some(u) = under {
        println!("{u}");
    }
    Ok(())
}

async fn import(
    settings: &Settings,
    caller: &Caller,
    file: &Path,
    expected: Option<PublicKey>,
) -> anyhow::Result<()> {
    let store = runtime::open_store(settings).await?;
    let me = handover::identity(store.as_ref(), settings, caller).await?;
    let bar = bar(BYTES);
    bar.set_message("importing");
    let done = handover::import_handover(
        store.clone(),
        settings,
        caller,
        &me,
        file,
        expected,
        progress_of(&bar),
    )
    .await;
    bar.finish_and_clear();
    let done = done?;
    drop(store);
    // Open as any command would: the imported master key must open every compartment
    // key, and the anchor now covers the imported chains.
    let app = runtime::open_app(settings).await?;
    app.anchor_heads(
        done.heads
            .iter()
            .map(|(o, (seq, hash))| (o.as_str(), *seq, hash.as_str())),
    )?;
    println!(
        "imported {} events in {} chain(s) and rebuilt {} table rows from {}",
        done.events,
        done.heads.len(),
        done.rows,
        file.display()
    );
    println!("  {}", done.package.one_line());
    if expected.is_none() {
        println!(
            "  no --from given: the package is intact and signed by the key its header \
             names, which nothing here ties to its sender"
        );
    }
    Ok(())
}

/// Counts the bytes read for the progress bar.
struct Counted<R> {
    inner: R,
    bar: ProgressBar,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bar.inc(n as u64);
        Ok(n)
    }
}

fn verify(file: &Path, from: Option<&Path>) -> anyhow::Result<()> {
    let expected = sender_key(from)?;
    let input =
        std::fs::File::open(file).with_context(|| format!("cannot read {}", file.display()))?;
    let bar = bar(BYTES);
    bar.set_message("verifying");
    bar.set_length(input.metadata().map(|m| m.len()).unwrap_or(0));
    let opts = ReaderOptions {
        expected_sender: expected,
        ..ReaderOptions::default()
    };
    let verdict = handover::verify(
        Counted {
            inner: input,
            bar: bar.clone(),
        },
        opts,
    );
    bar.finish_and_clear();
    match verdict {
        Ok(s) => {
            println!("OK: intact package: {}", s.one_line());
            for o in &s.manifest.origins {
                println!(
                    "  origin {}: events {}-{}, head {}",
                    o.origin, o.first, o.last, o.head
                );
            }
            if expected.is_none() {
                println!(
                    "  no --from given: shown intact and signed by the key its header names, \
                     not that this key is the sender's"
                );
            }
            Ok(())
        }
        Err(f) => {
            println!("FAULT {}: {f}", f.kind());
            std::process::exit(1);
        }
    }
}

/// Paired instances.
#[derive(Subcommand)]
pub enum PeerCmd {
    /// Pair this instance with another: its name here, its base URL and its public key (the
    /// key text, or the `.pub` file its `kinga instance key` printed).
    Add {
        /// Short name (letters, digits, `-`, `_`, `.`).
        name: String,
        /// Base URL (`https://kinga.example.org`).
        url: String,
        /// `kinga-ed25519:…`, or a file holding it.
        key: String,
    },
    /// List the paired instances.
    List,
}

/// Run a peer command.
pub async fn peer(settings: &Settings, caller: &Caller, cmd: PeerCmd) -> anyhow::Result<()> {
    let app = runtime::open_app(settings).await?;
    match cmd {
        PeerCmd::Add { name, url, key } => {
            let key = if key.trim().starts_with(handover::PUBLIC_KEY_PREFIX) {
                key
            } else {
                read_pub(Path::new(&key))?.key.to_string()
            };
            let p = app.add_peer(caller, &name, &url, &key).await?;
            println!("paired with {} at {} ({})", p.name, p.url, p.key);
        }
        PeerCmd::List => {
            for p in app.peers(caller).await? {
                println!(
                    "{}\t{}\t{}\t{}",
                    p.name,
                    p.url,
                    p.key,
                    p.added_at.format("%Y-%m-%d %H:%M UTC")
                );
            }
        }
    }
    crate::keep_anchor(&app);
    Ok(())
}
