//! Registries: places, threat actors, responders and community focal points.

use serde::{Deserialize, Serialize};

use kinga_domain::people::Permission;
use kinga_domain::place::Place;
use kinga_domain::registry::{FocalPoint, Responder, ThreatActor};
use kinga_ledger::Payload;
use kinga_store::{AuditEntry, Commit, Write};

use crate::{App, AppError, AppResult, Caller};

/// Rows written per commit by bulk saves: large enough to share fsyncs, small enough to keep
/// one transaction short.
const BATCH: usize = 500;

/// The first ten ASCII letters and digits of a place name, capitals kept ("Kiwanja").
fn deunicode_tag(name: &str) -> String {
    kinga_domain::text::fold(name)
        .split(' ')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect::<String>()
        .chars()
        .take(10)
        .collect()
}

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

/// One registry record to save.
#[derive(Debug, Clone)]
pub enum RegistryRecord {
    /// A place.
    Place(Place),
    /// A threat actor.
    Actor(ThreatActor),
    /// A responder.
    Responder(Responder),
    /// A focal point (already sealed).
    FocalPoint(FocalPoint),
}

impl RegistryRecord {
    fn into_parts(self) -> (Payload, Write) {
        match self {
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
}

impl App {
    /// Save registry records through the ledger, in batches, and refresh the caches.
    pub async fn save_records(
        &self,
        caller: &Caller,
        records: Vec<RegistryRecord>,
    ) -> AppResult<usize> {
        caller.require(Permission::ManageRegistries)?;
        let gaz = self.caches.gazetteer();
        let n = records.len();
        let mut known_places: std::collections::HashSet<String> =
            gaz.places().iter().map(|p| p.pcode.clone()).collect();
        for r in &records {
            if let RegistryRecord::Place(p) = r {
                known_places.insert(p.pcode.clone());
            }
        }
        for r in &records {
            let (what, places): (&str, Vec<&String>) = match r {
                RegistryRecord::Place(p) => ("place", p.parent.iter().collect()),
                RegistryRecord::Actor(a) => ("actor", a.areas.iter().collect()),
                RegistryRecord::Responder(r) => ("responder", r.places.iter().collect()),
                RegistryRecord::FocalPoint(f) => ("focal point", f.place.iter().collect()),
            };
            if let Some(bad) = places.into_iter().find(|p| !known_places.contains(*p)) {
                return Err(AppError::Invalid(format!(
                    "{what} refers to unknown place P-code '{bad}'"
                )));
            }
        }
        let mut places_changed = false;
        let mut responders_changed = false;
        let mut batch = Commit::default();
        for r in records {
            places_changed |= matches!(r, RegistryRecord::Place(_));
            responders_changed |= matches!(r, RegistryRecord::Responder(_));
            let (payload, write) = r.into_parts();
            batch.events.push(self.draft(&caller.name, payload));
            batch.writes.push(write);
            if batch.writes.len() >= BATCH {
                self.store.commit(std::mem::take(&mut batch)).await?;
            }
        }
        if !batch.writes.is_empty() {
            self.store.commit(batch).await?;
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
        let gaz = self.caches.gazetteer();
        let pseudonym = match (&input.pseudonym, &existing) {
            (Some(p), _) if !p.trim().is_empty() => p.trim().to_string(),
            (_, Some(e)) => e.pseudonym.clone(),
            _ => {
                let area = input
                    .place
                    .as_deref()
                    .and_then(|p| gaz.get(p))
                    .map(|p| p.name.clone())
                    .unwrap_or_else(|| "X".into());
                let tag: String = deunicode_tag(&area);
                let suffix = &self.new_id()[20..];
                format!("FP-{tag}-{suffix}")
            }
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

    /// The audit log of sensitive reads, newest first; for those who oversee the network.
    pub async fn audit_log(&self, caller: &Caller, limit: usize) -> AppResult<Vec<AuditEntry>> {
        caller.require(Permission::Coordinate)?;
        Ok(self.store.audit_log(limit).await?)
    }

    /// Open a focal point's identity; allowed to few, and every opening is audited.
    pub async fn focal_point_identity(
        &self,
        caller: &Caller,
        id: &str,
        context: &str,
    ) -> AppResult<FocalPointIdentity> {
        caller.require(Permission::ReadIdentities)?;
        let fp = self
            .store
            .focal_points()
            .await?
            .into_iter()
            .find(|f| f.id == id)
            .ok_or_else(|| AppError::NotFound(format!("focal point {id}")))?;
        self.store
            .audit(&AuditEntry {
                at: self.clock.now(),
                actor: caller.name.clone(),
                action: "read".into(),
                record: format!("focal_point:{id}"),
                context: context.to_string(),
            })
            .await?;
        Ok(FocalPointIdentity {
            name: self.sealer.open(&fp.name_sealed)?,
            phone: self.sealer.open(&fp.phone_sealed)?,
            focal_point: fp,
        })
    }
}
