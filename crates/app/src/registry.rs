//! Registries: places, threat actors, responders and community focal points.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use kinga_domain::people::Permission;
use kinga_domain::place::Gazetteer;
pub use kinga_domain::registry::RegistryRecord;
use kinga_domain::registry::{FocalPoint, check_records, pseudonym};
use kinga_ledger::Payload;
use kinga_store::{Commit, Write};

use crate::limits;
use crate::pseudonyms::Held;

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
    /// Pseudonym; when empty Kinga gives a code that names no place and no person.
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
        let focal_points_changed = records
            .iter()
            .any(|r| matches!(r, RegistryRecord::FocalPoint(_)));
        if focal_points_changed {
            // No two focal points share a pseudonym (the batch itself was checked above).
            let held = Held::of(&self.store.focal_points().await?);
            for (i, r) in records.iter().enumerate() {
                if let RegistryRecord::FocalPoint(f) = r {
                    if held.other_holder(&f.pseudonym, &f.id).is_some() {
                        return Err(AppError::Invalid(format!(
                            "{}invalid pseudonym: '{}' is already another focal point's",
                            label(i),
                            f.pseudonym
                        )));
                    }
                }
            }
        }
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
        if focal_points_changed {
            self.caches.reload_pseudonyms(self.store.as_ref()).await?;
        }
        Ok(n)
    }

    /// Seal a focal point's identity, keeping its id and pseudonym when it already exists.
    /// Without a pseudonym it gets a code that names no place and no person; a pseudonym
    /// given must not hold the focal point's own name nor one another focal point holds
    /// (places it names are refused when it is saved, with every registry record).
    pub async fn seal_focal_point(
        &self,
        caller: &Caller,
        input: &FocalPointInput,
    ) -> AppResult<FocalPoint> {
        self.seal_focal_points(caller, std::slice::from_ref(input), |_| String::new())
            .await?
            .pop()
            .ok_or_else(|| AppError::Invalid("no focal point to seal".into()))
    }

    /// [`App::seal_focal_point`] for a batch (an import), naming a bad one with `label(index)`.
    /// Pseudonyms are kept unique across the registry and the batch.
    pub async fn seal_focal_points(
        &self,
        caller: &Caller,
        inputs: &[FocalPointInput],
        label: impl Fn(usize) -> String,
    ) -> AppResult<Vec<FocalPoint>> {
        caller.require(Permission::ManageRegistries)?;
        let all = self.store.focal_points().await?;
        let gaz = self.caches.gazetteer();
        let mut held = Held::of(&all);
        let mut digests: HashSet<String> = HashSet::new();
        let mut out = Vec::with_capacity(inputs.len());
        for (i, input) in inputs.iter().enumerate() {
            // What was wrong with the input is named by its label; other failures stay as
            // they are (a store or key failure is no fault of the row).
            let at = |e: AppError| match (label(i), e) {
                (l, e @ (AppError::Invalid(_) | AppError::Domain(_))) if !l.is_empty() => {
                    AppError::Invalid(format!("{l}{e}"))
                }
                (_, e) => e,
            };
            let fp = self
                .seal_one(input, &all, &gaz, &mut held, &mut digests)
                .map_err(at)?;
            out.push(fp);
        }
        Ok(out)
    }

    fn seal_one(
        &self,
        input: &FocalPointInput,
        all: &[FocalPoint],
        gaz: &Gazetteer,
        held: &mut Held,
        digests: &mut HashSet<String>,
    ) -> AppResult<FocalPoint> {
        limits::check("name", &input.name, limits::NAME)?;
        limits::check("phone", &input.phone, limits::PHONE)?;
        limits::check_opt("pseudonym", input.pseudonym.as_deref(), 64)?;
        limits::check_opt("id", input.id.as_deref(), limits::ID)?;
        let name = input.name.trim();
        if name.is_empty() {
            return Err(kinga_domain::DomainError::Missing("name").into());
        }
        let msisdn = self.normalize_phone(&input.phone)?;
        let digest = self.sealer.phone_digest(&msisdn);
        let existing = match &input.id {
            Some(id) => all.iter().find(|f| &f.id == id),
            None => all.iter().find(|f| f.phone_digest == digest),
        };
        if let (None, Some(other)) = (&input.id, existing) {
            return Err(AppError::Invalid(format!(
                "this phone number is already registered ({})",
                other.pseudonym
            )));
        }
        if !digests.insert(digest.clone()) {
            return Err(AppError::Invalid("this phone number is given twice".into()));
        }
        let id = existing.map_or_else(|| self.new_id(), |e| e.id.clone());
        let given = input
            .pseudonym
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty());
        let pseudonym = match (given, existing) {
            (Some(p), _) => {
                pseudonym::check_person(p, name).map_err(kinga_domain::DomainError::from)?;
                if held.other_holder(p, &id).is_some() {
                    return Err(kinga_domain::DomainError::invalid(
                        "pseudonym",
                        format!("'{p}' is already another focal point's"),
                    )
                    .into());
                }
                p.to_string()
            }
            // Kept unless it names a place or this person: a record saved before such
            // pseudonyms were refused gets a code the next time it is saved.
            (None, Some(e))
                if pseudonym::check_place(&e.pseudonym, gaz).is_ok()
                    && !pseudonym::names_person(&e.pseudonym, name) =>
            {
                e.pseudonym.clone()
            }
            _ => held.fresh(&id, gaz)?,
        };
        held.give(&id, &pseudonym, existing.map(|e| e.pseudonym.as_str()));
        Ok(FocalPoint {
            id,
            pseudonym,
            name_sealed: self.sealer.seal(name)?,
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
