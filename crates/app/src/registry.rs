//! Registries: places, threat actors, responders and community focal points.

use serde::{Deserialize, Serialize};

use kinga_domain::people::Permission;
pub use kinga_domain::registry::RegistryRecord;
use kinga_domain::registry::{FocalPoint, check_records};
use kinga_ledger::Payload;
use kinga_store::{Commit, Write};

use crate::limits;

use crate::{App, AppError, AppResult, Caller};

/// Rows written per commit by bulk saves: large enough to share fsyncs, small enough to keep
/// one transaction short.
const BATCH: usize = 500;

/// A focal point as a person registers it, before its identity is sealed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FocalPointInput {
    /// Existing id, to update; none to register a new one.
    pub id: Option<String>,
    /// Full name (sealed at rest).
    pub name: String,
    /// Phone number (sealed at rest; matched through a keyed digest).
    pub phone: String,
    /// Default place (P-code).
    pub place: Option<String>,
    /// Language (`fr`, `en`, `sw`, `ar`); French when empty.
    #[serde(default)]
    pub language: String,
    /// Pseudonym; generated from the place when empty.
    pub pseudonym: Option<String>,
}

/// A focal point with its identity opened, for those allowed to see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FocalPointIdentity {
    /// The stored record.
    pub focal_point: FocalPoint,
    /// Name in clear.
    pub name: String,
    /// Phone in clear.
    pub phone: String,
}

fn into_parts(r: RegistryRecord) -> (Payload, Write) {
    match r {
        RegistryRecord::Place(p) => (Payload::PlaceSaved { place: p.clone() }, Write::Place(p)),
        RegistryRecord::Actor(a) => (Payload::ActorSaved { actor: a.clone() }, Write::Actor(a)),
        RegistryRecord::Responder(r) => (
            Payload::ResponderSaved {
                responder: r.clone(),
            },
            Write::Responder(r),
        ),
        RegistryRecord::FocalPoint(f) => (
            Payload::FocalPointSaved {
                focal_point: f.clone(),
            },
            Write::FocalPoint(f),
        ),
    }
}

impl App {
    /// Save registry records through the ledger, in batches, and refresh the caches. Every
    /// record is checked first (the same checks whatever brought it); one bad record saves
    /// nothing.
    pub async fn save_records(
        &self,
        caller: &Caller,
        records: Vec<RegistryRecord>,
    ) -> AppResult<usize> {
        let single = records.len() == 1;
        self.save_numbered(caller, records, |i| {
            if single {
                String::new()
            } else {
                format!("record {}: ", i + 1)
            }
        })
        .await
    }

    /// [`App::save_records`], naming a bad record with `label(index)` (a CSV line number).
    pub(crate) async fn save_numbered(
        &self,
        caller: &Caller,
        records: Vec<RegistryRecord>,
        label: impl Fn(usize) -> String,
    ) -> AppResult<usize> {
        caller.require(Permission::ManageRegistries)?;
        let gaz = self.caches.gazetteer();
        let n = records.len();
        check_records(&records, &gaz)
            .map_err(|(i, e)| AppError::Invalid(format!("{}{e}", label(i))))?;
        let mut places_changed = false;
        let mut responders_changed = false;
        let mut batch = Commit::default();
        for r in records {
            places_changed |= matches!(r, RegistryRecord::Place(_));
            responders_changed |= matches!(r, RegistryRecord::Responder(_));
            let (payload, write) = into_parts(r);
            batch.events.push(self.draft(&caller.name, payload));
            batch.writes.push(write);
            if batch.writes.len() >= BATCH {
                self.commit(std::mem::take(&mut batch)).await?;
            }
        }
        if !batch.writes.is_empty() {
            self.commit(batch).await?;
        }
        if places_changed {
            self.caches.reload_places(self.store.as_ref()).await?;
        }
        if responders_changed {
            self.caches.reload_responders(self.store.as_ref()).await?;
        }
        Ok(n)
    }

    /// Seal a focal point's identity, keeping its id and pseudonym when it already exists.
    pub async fn seal_focal_point(
        &self,
        caller: &Caller,
        input: &FocalPointInput,
    ) -> AppResult<FocalPoint> {
        caller.require(Permission::ManageRegistries)?;
        limits::check("name", &input.name, limits::NAME)?;
        limits::check("phone", &input.phone, limits::PHONE)?;
        limits::check_opt("pseudonym", input.pseudonym.as_deref(), 64)?;
        limits::check_opt("id", input.id.as_deref(), limits::ID)?;
        if input.name.trim().is_empty() {
            return Err(kinga_domain::DomainError::Missing("name").into());
        }
        let msisdn = self.normalize_phone(&input.phone)?;
        let digest = self.sealer.phone_digest(&msisdn);
        let existing = match &input.id {
            Some(id) => self
                .store
                .focal_points()
                .await?
                .into_iter()
                .find(|f| &f.id == id),
            None => self.store.focal_point_by_phone(&digest).await?,
        };
        if let (None, Some(other)) = (&input.id, &existing) {
            return Err(AppError::Invalid(format!(
                "this phone number is already registered ({})",
                other.pseudonym
            )));
        }
        let pseudonym = match (&input.pseudonym, &existing) {
            (Some(p), _) if !p.trim().is_empty() => p.trim().to_string(),
            (_, Some(e)) => e.pseudonym.clone(),
            // Random letters only: a pseudonym naming a village would point at its informant.
            _ => format!("FP-{}", &self.new_id()[20..]),
        };
        Ok(FocalPoint {
            id: existing.map(|e| e.id).unwrap_or_else(|| self.new_id()),
            pseudonym,
            name_sealed: self.sealer.seal(input.name.trim())?,
            phone_sealed: self.sealer.seal(&msisdn)?,
            phone_digest: digest,
            place: input.place.clone(),
            language: if input.language.is_empty() {
                "fr".into()
            } else {
                input.language.clone()
            },
            active: true,
        })
    }

    /// Open a focal point's identity; allowed to few, only with a reason, and every opening
    /// is audited (who, when, which focal point, why).
    pub async fn focal_point_identity(
        &self,
        caller: &Caller,
        id: &str,
        reason: &str,
    ) -> AppResult<FocalPointIdentity> {
        caller.require(Permission::ReadIdentities)?;
        limits::check("id", id, limits::ID)?;
        limits::check("reason", reason, limits::REASON)?;
        if reason.trim().is_empty() {
            return Err(kinga_domain::DomainError::Missing("reason").into());
        }
        let fp = self
            .store
            .focal_points()
            .await?
            .into_iter()
            .find(|f| f.id == id)
            .ok_or_else(|| AppError::NotFound(format!("focal point {id}")))?;
        self.audit(caller, "read", &format!("focal_point:{id}"), reason.trim())
            .await?;
        Ok(FocalPointIdentity {
            name: self.sealer.open(&fp.name_sealed)?,
            phone: self.sealer.open(&fp.phone_sealed)?,
            focal_point: fp,
        })
    }
}
