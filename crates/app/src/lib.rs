//! Application services: the use cases of Kinga. Each takes a command, asks the domain what
//! it means, and appends the resulting events (with their projection rows) through the store.
//! Time, identifiers and keys come from here, so the domain can stay pure.

pub mod agreements;
pub mod alerts;
pub mod analysis;
pub mod anchor;
pub mod audit;
pub mod auth;
pub mod caches;
pub mod clock;
pub mod context;
pub mod crypto;
pub mod dashboard;
pub mod delivery;
pub mod error;
pub mod files;
pub mod handover;
pub mod import;
pub mod inbox;
pub mod incidents;
pub mod jobs;
pub mod login;
pub mod map;
pub mod media;
pub mod moves;
pub mod profile;
pub mod pseudonyms;
pub mod reads;
pub mod registry;
pub mod settings;
pub mod sms_intake;
pub mod sync;
pub mod transition;
mod turns;
pub mod ussd;
pub mod verify;
pub mod voice;
pub mod whatsapp;
pub mod work;

use std::sync::Arc;

pub use caches::Caches;
pub use clock::{Clock, FixedClock, SystemClock};
pub use crypto::Sealer;
pub use error::{AppError, AppResult};
pub use kinga_domain::limits;
pub use settings::Settings;

use chrono::{DateTime, Timelike, Utc};

use kinga_domain::people::{Permission, Role, User};
use kinga_domain::place::Gazetteer;
use kinga_ledger::{DraftEvent, Payload};
use kinga_store::Store;

/// Query and record shapes the pages and the API pass through the application, re-exported
/// so that the web layer depends on the application alone, never on the store.
pub use kinga_store::{
    AlertPage, AlertQuery, AlertSort, AlertTallies, AuditEntry, IncidentPage, IncidentQuery,
    OutboxQuery, Session, StoreError,
};

/// Who is asking: a signed-in user, a gateway, or the system itself.
#[derive(Debug, Clone, PartialEq)]
pub struct Caller {
    /// Name recorded as the actor of events.
    pub name: String,
    /// Role, which decides what the caller may do.
    pub role: Role,
    /// Responder the caller acts for (responder role).
    pub responder: Option<String>,
    /// An SMS gateway delivering a community member's own message: it may match the sender
    /// to a focal point whatever its role says.
    pub gateway: bool,
}

impl Caller {
    /// The caller for a signed-in user.
    pub fn user(u: &User) -> Caller {
        Caller {
            name: u.name.clone(),
            role: u.role,
            responder: u.responder.clone(),
            gateway: false,
        }
    }

    /// A person acting with a role but no user record (operators at the command line, the
    /// demo's players, tests).
    pub fn acting(name: &str, role: Role) -> Caller {
        Caller {
            name: name.to_string(),
            role,
            responder: None,
            gateway: false,
        }
    }

    /// Kinga's own background jobs and loaders.
    pub fn system() -> Caller {
        Caller::acting("system", Role::Administrator)
    }

    /// An SMS gateway delivering a community message.
    pub fn gateway(name: &str) -> Caller {
        Caller {
            name: format!("gateway:{name}"),
            role: Role::Monitor,
            responder: None,
            gateway: true,
        }
    }

    /// Whether the caller may see who reported an alert (a gateway matches its own sender).
    pub fn may_see_reporters(&self) -> bool {
        self.gateway || self.role.can(Permission::ReadReporters)
    }

    /// Fail unless the caller holds `p`.
    pub fn require(&self, p: Permission) -> AppResult<()> {
        if self.role.can(p) {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "the role '{}' may not do this",
                self.role
            )))
        }
    }
}

/// The application: the store plus everything a use case needs that is not pure. The store,
/// the caches and the keys are private: every read and every write goes through a use case
/// that checks the caller's permission itself, whatever page, route or command asked.
#[derive(Clone)]
pub struct App {
    store: Arc<dyn Store>,
    /// Settings.
    pub settings: Arc<Settings>,
    clock: Arc<dyn Clock>,
    sealer: Arc<Sealer>,
    caches: Arc<Caches>,
    anchor: Arc<anchor::Anchor>,
    limiter: Arc<login::LoginLimiter>,
    keyring: Arc<incidents::Keyring>,
    turns: Arc<turns::Turns>,
}

impl App {
    /// Build the application over a migrated store and load its caches.
    pub async fn new(
        store: Arc<dyn Store>,
        settings: Settings,
        clock: Arc<dyn Clock>,
        sealer: Sealer,
    ) -> AppResult<App> {
        let caches = Arc::new(Caches::default());
        let anchor = Arc::new(anchor::Anchor::new(anchor_path(&settings), &sealer));
        let s = &settings.security;
        let limiter = Arc::new(login::LoginLimiter::new(
            s.login_attempts,
            s.login_window_minutes,
        ));
        let app = App {
            store,
            settings: Arc::new(settings),
            clock,
            sealer: Arc::new(sealer),
            caches,
            anchor,
            limiter,
            keyring: Arc::new(incidents::Keyring::default()),
            turns: Arc::new(turns::Turns::default()),
        };
        // Every compartment key opens with the master key, or Kinga does not start.
        app.load_keys().await?;
        app.caches
            .reload(app.store.as_ref(), app.clock.now())
            .await?;
        Ok(app)
    }

    /// The same application seen through another clock (the demo plays six months of
    /// alerts through the real use cases with a moving clock).
    pub fn with_clock(&self, clock: Arc<dyn Clock>) -> App {
        App {
            clock,
            ..self.clone()
        }
    }

    /// The time now, by the application's clock, to the microsecond: the ledger keeps event
    /// times to the microsecond, so records stamped with it rebuild exactly from the ledger.
    pub fn now(&self) -> DateTime<Utc> {
        let t = self.clock.now();
        t.with_nanosecond(t.nanosecond() / 1_000 * 1_000)
            .unwrap_or(t)
    }

    /// The places (reference data, the same for every signed-in person).
    pub fn gazetteer(&self) -> Arc<Gazetteer> {
        self.caches.gazetteer()
    }

    /// Answer when the store answers (`/healthz`).
    pub async fn health(&self) -> AppResult<()> {
        Ok(self.store.health().await?)
    }

    /// Take in what other servers sharing the database changed (registries, new alerts).
    pub async fn refresh_caches(&self) -> AppResult<()> {
        self.caches.refresh(self.store.as_ref(), self.now()).await
    }

    /// Reload every cache from the store (after a bulk load).
    pub async fn reload_caches(&self) -> AppResult<()> {
        self.caches.reload(self.store.as_ref(), self.now()).await
    }

    /// Commit through the store, remembering the chain heads it reached for the anchor.
    pub(crate) async fn commit(
        &self,
        commit: kinga_store::Commit,
    ) -> Result<Vec<kinga_ledger::Event>, kinga_store::StoreError> {
        let events = self.store.commit(commit).await?;
        self.anchor.saw(&events);
        Ok(events)
    }

    /// A new ULID, time-ordered by the app's clock.
    pub fn new_id(&self) -> String {
        ulid::Ulid::from_parts(self.now().timestamp_millis().max(0) as u64, rand::random())
            .to_string()
    }

    /// A draft event stamped now by `actor`.
    pub fn draft(&self, actor: &str, payload: Payload) -> DraftEvent {
        DraftEvent {
            id: self.new_id(),
            actor: actor.to_string(),
            at: self.now(),
            payload,
        }
    }
}

/// Where the chain-head anchor lives: the configured file, else beside a SQLite database,
/// else in the data folder (like the key file).
pub fn anchor_path(settings: &Settings) -> std::path::PathBuf {
    use std::path::{Path, PathBuf};
    if !settings.security.anchor_file.is_empty() {
        PathBuf::from(&settings.security.anchor_file)
    } else if settings.database.starts_with("postgres://")
        || settings.database.starts_with("postgresql://")
    {
        Path::new(&settings.data_dir).join("ledger.anchor")
    } else {
        PathBuf::from(format!("{}.anchor", settings.database))
    }
}

/// Where the master key file lives: the configured file, else beside a SQLite database, else
/// in the data folder.
pub fn key_path(settings: &Settings) -> std::path::PathBuf {
    use std::path::{Path, PathBuf};
    if !settings.security.key_file.is_empty() {
        PathBuf::from(&settings.security.key_file)
    } else if settings.database.starts_with("postgres://")
        || settings.database.starts_with("postgresql://")
    {
        Path::new(&settings.data_dir).join("kinga.key")
    } else {
        PathBuf::from(format!("{}.key", settings.database))
    }
}
