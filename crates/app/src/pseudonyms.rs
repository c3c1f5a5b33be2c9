//! Focal points' pseudonyms: the codes Kinga gives, the pseudonyms it refuses, and the repair
//! of pseudonyms recorded before place names were refused (`kinga focal-points
//! repseudonymise`). The rules themselves are the domain's
//! ([`kinga_domain::registry::pseudonym`]).

use std::collections::HashMap;

use serde::Serialize;

use kinga_domain::AlertEvent;
use kinga_domain::alert::Alert;
use kinga_domain::people::Permission;
use kinga_domain::place::Gazetteer;
use kinga_domain::registry::pseudonym::{self, PseudonymFault};
use kinga_domain::registry::{FocalPoint, RegistryRecord};

use crate::{App, AppError, AppResult, Caller};

/// The pseudonyms in use, compared without case, each with the focal point holding it.
#[derive(Debug, Default)]
pub(crate) struct Held {
    by_key: HashMap<String, String>,
}

fn key(p: &str) -> String {
    p.trim().to_lowercase()
}

impl Held {
    /// The pseudonyms of these focal points.
    pub(crate) fn of(fps: &[FocalPoint]) -> Held {
        Held {
            by_key: fps
                .iter()
                .map(|f| (key(&f.pseudonym), f.id.clone()))
                .collect(),
        }
    }

    /// The focal point other than `id` that holds `p`.
    pub(crate) fn other_holder(&self, p: &str, id: &str) -> Option<&str> {
        self.by_key
            .get(&key(p))
            .map(String::as_str)
            .filter(|h| *h != id)
    }

    /// `id` now holds `p` instead of `old`.
    pub(crate) fn give(&mut self, id: &str, p: &str, old: Option<&str>) {
        if let Some(o) = old {
            if self.by_key.get(&key(o)).is_some_and(|h| h == id) {
                self.by_key.remove(&key(o));
            }
        }
        self.by_key.insert(key(p), id.to_string());
    }

    /// A new code for `id`, free here and naming no place of `gaz`.
    pub(crate) fn fresh(&self, id: &str, gaz: &Gazetteer) -> AppResult<String> {
        pseudonym::generate(id, gaz, |c| self.by_key.contains_key(&key(c)))
            .map_err(|e| AppError::Invalid(e.to_string()))
    }
}

/// A pseudonym that named a place, and the code that replaces it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Repseudonymised {
    /// Focal point id.
    pub id: String,
    /// The pseudonym it had.
    pub old: String,
    /// The code it has now.
    pub new: String,
    /// The place the old pseudonym named (main name and P-code).
    pub place: String,
}

/// What a repair found and did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RepseudonymiseReport {
    /// Focal points looked at.
    pub checked: usize,
    /// Those given a new code (or that would be, in a dry run).
    pub changed: Vec<Repseudonymised>,
    /// Nothing was saved.
    pub dry_run: bool,
}

impl App {
    /// Give every focal point whose pseudonym names a place of the gazetteer a fresh code
    /// ([`pseudonym::generate`]), saved as ordinary registry changes (a `focal_point_saved`
    /// event each, by `caller`) and one audit entry saying how many. A dry run only says
    /// which. Running it again changes nothing. Names are not opened for this: a pseudonym
    /// holding its focal point's own name is replaced when that focal point is next saved.
    pub async fn repseudonymise(
        &self,
        caller: &Caller,
        dry_run: bool,
    ) -> AppResult<RepseudonymiseReport> {
        caller.require(Permission::ManageRegistries)?;
        let gaz = self.caches.gazetteer();
        let all = self.store.focal_points().await?;
        let mut held = Held::of(&all);
        let mut changed = vec![];
        let mut records = vec![];
        for fp in &all {
            let Err(PseudonymFault::NamesPlace { place, pcode, .. }) =
                pseudonym::check_place(&fp.pseudonym, &gaz)
            else {
                continue;
            };
            let new = held.fresh(&fp.id, &gaz)?;
            held.give(&fp.id, &new, Some(&fp.pseudonym));
            changed.push(Repseudonymised {
                id: fp.id.clone(),
                old: fp.pseudonym.clone(),
                new: new.clone(),
                place: format!("{place} ({pcode})"),
            });
            records.push(RegistryRecord::FocalPoint(FocalPoint {
                pseudonym: new,
                ..fp.clone()
            }));
        }
        if !dry_run && !records.is_empty() {
            self.save_records(caller, records).await?;
            // The count only: the old pseudonyms are what must stop being shown.
            self.audit(
                caller,
                "pseudonyms_replaced",
                "focal_points",
                &format!(
                    "{} of {} focal points' pseudonyms named a place and were replaced",
                    changed.len(),
                    all.len()
                ),
            )
            .await?;
        }
        Ok(RepseudonymiseReport {
            checked: all.len(),
            changed,
            dry_run,
        })
    }

    /// An alert keeps the pseudonym its reporter had when it came in; it is shown with the
    /// one the focal point has now, so a pseudonym replaced (one that named a place) is not
    /// shown again on old alerts.
    pub(crate) fn current_pseudonyms(&self, a: &mut Alert) {
        let now = |fp: Option<&str>, p: &mut Option<String>| {
            if let Some(current) = fp.and_then(|id| self.caches.pseudonym(id)) {
                *p = Some(current);
            }
        };
        now(a.reporter.focal_point.as_deref(), &mut a.reporter.pseudonym);
        for t in &mut a.timeline {
            match &mut t.event {
                AlertEvent::Received(new) => {
                    let r = &mut new.reporter;
                    now(r.focal_point.as_deref(), &mut r.pseudonym);
                }
                AlertEvent::ReporterLinked {
                    focal_point,
                    pseudonym,
                    ..
                } => now(Some(focal_point.as_str()), pseudonym),
                _ => {}
            }
        }
    }
}
