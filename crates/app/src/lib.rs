//! Application services: the use cases of Kinga. Each takes a command, asks the domain what
//! it means, and appends the resulting events (with their projection rows) through the store.
//! Time, identifiers and keys come from here, so the domain can stay pure.

pub mod alerts;
pub mod auth;
pub mod caches;
pub mod clock;
pub mod crypto;
pub mod delivery;
pub mod error;
pub mod import;
pub mod jobs;
pub mod registry;
pub mod settings;
pub mod sms_intake;

use std::sync::Arc;

pub use caches::Caches;
pub use clock::{Clock, FixedClock, SystemClock};
pub use crypto::Sealer;
pub use error::{AppError, AppResult};
pub use settings::Settings;

use kinga_domain::people::{Permission, Role, User};
use kinga_ledger::{DraftEvent, Payload};
use kinga_store::Store;

/// Who is asking: a signed-in user, a gateway, or the system itself.
#[derive(Debug, Clone, PartialEq)]
pub struct Caller {
    /// Name recorded as the actor of events.
    pub name: String,
    /// Role, which decides what the caller may do.
    pub role: Role,
    /// Responder the caller acts for (responder role).
    pub responder: Option<String>,
}

impl Caller {
    /// The caller for a signed-in user.
    pub fn user(u: &User) -> Caller {
        Caller {
            name: u.name.clone(),
            role: u.role,
            responder: u.responder.clone(),
        }
    }

    /// Kinga's own background jobs and loaders.
    pub fn system() -> Caller {
        Caller {
            name: "system".into(),
            role: Role::Administrator,
            responder: None,
        }
    }

    /// An SMS gateway delivering a community message.
    pub fn gateway(name: &str) -> Caller {
        Caller {
            name: format!("gateway:{name}"),
            role: Role::Monitor,
            responder: None,
        }
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

/// The application: the store plus everything a use case needs that is not pure.
#[derive(Clone)]
pub struct App {
    /// Persistence.
    pub store: Arc<dyn Store>,
    /// Settings.
    pub settings: Arc<Settings>,
    /// Time source.
    pub clock: Arc<dyn Clock>,
    /// Encryption of sensitive fields.
    pub sealer: Arc<Sealer>,
    /// In-memory views that every intake needs (places, responders, recent alerts).
    pub caches: Arc<Caches>,
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
        let app = App {
            store,
            settings: Arc::new(settings),
            clock,
            sealer: Arc::new(sealer),
            caches,
        };
        app.caches
            .reload(app.store.as_ref(), app.clock.now())
            .await?;
        Ok(app)
    }

    /// A new ULID, time-ordered by the app's clock.
    pub fn new_id(&self) -> String {
        ulid::Ulid::from_parts(
            self.clock.now().timestamp_millis().max(0) as u64,
            rand::random(),
        )
        .to_string()
    }

    /// A draft event stamped now by `actor`.
    pub fn draft(&self, actor: &str, payload: Payload) -> DraftEvent {
        DraftEvent {
            id: self.new_id(),
            actor: actor.to_string(),
            at: self.clock.now(),
            payload,
        }
    }
}
