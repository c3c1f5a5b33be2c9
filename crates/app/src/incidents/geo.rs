//! Incidents on the map and in exports: the full rows (identities withheld) of the
//! compartments the caller may see, and for the others only counts per territory with small
//! counts hidden (the MRM/MARA table's threshold), never a record, an id or a date.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use kinga_domain::compartment::Compartment;
use kinga_domain::incident::geo::{IncidentRow, count_area, shown_counts};
use kinga_domain::people::Permission;
use kinga_store::IncidentQuery;

use super::withhold_identities;
use crate::{App, AppResult, Caller};

/// Incidents read from the store per page.
const PAGE: usize = 1_000;

/// Which incidents the map and the exports take.
#[derive(Debug, Clone, Default)]
pub struct IncidentGeoFilter {
    /// First day of occurrence (included).
    pub from: Option<NaiveDate>,
    /// Last day of occurrence (included).
    pub to: Option<NaiveDate>,
    /// Only incidents naming this perpetrator (part of the actor's name or its category).
    pub actor: Option<String>,
}

impl App {
    /// The rows of the incidents that occurred in the filter's days: one per incident of a
    /// compartment the caller may see (newest first), then one per territory counting the
    /// others, a count below the suppression threshold hidden. Needs the right to read
    /// incidents; a caller with no grant gets counts only.
    pub async fn incident_rows(
        &self,
        caller: &Caller,
        f: &IncidentGeoFilter,
    ) -> AppResult<Vec<IncidentRow>> {
        caller.require(Permission::ReadIncidents)?;
        let visible = self.visible_compartments(caller).await?;
        let gaz = self.caches.gazetteer();
        let actor = f
            .actor
            .as_deref()
            .map(kinga_domain::text::fold)
            .filter(|a| !a.is_empty());
        let mut rows = Vec::new();
        let mut outside: BTreeMap<String, u64> = BTreeMap::new();
        let mut q = IncidentQuery {
            // Every compartment: the application, not the store, decides what leaves as a
            // record and what only as a count.
            compartments: Compartment::ALL.to_vec(),
            occurred_from: f.from,
            occurred_to: f.to,
            limit: PAGE,
            ..IncidentQuery::default()
        };
        loop {
            let page = self.store.incidents(&q).await?;
            let n = page.items.len();
            for mut i in page.items {
                let names = |a: &str| {
                    i.perpetrators.iter().any(|p| {
                        p.category.as_str().contains(a)
                            || p.actor
                                .as_deref()
                                .is_some_and(|x| kinga_domain::text::fold(x).contains(a))
                    })
                };
                if actor.as_deref().is_some_and(|a| !names(a)) {
                    continue;
                }
                if visible.contains(&i.compartment) {
                    withhold_identities(&mut i);
                    rows.push(IncidentRow::record(&i, &gaz));
                } else {
                    *outside.entry(count_area(&i.place, &gaz)).or_default() += 1;
                }
            }
            if n < q.limit {
                break;
            }
            q.offset += n;
        }
        let threshold = self.settings.monitoring.suppression_threshold;
        rows.extend(
            shown_counts(&outside, threshold)
                .into_iter()
                .map(|(area, shown)| IncidentRow::aggregate(&area, shown, &gaz)),
        );
        Ok(rows)
    }

    /// [`App::incident_rows`] for an export: also needs the right to export.
    pub async fn export_incidents(
        &self,
        caller: &Caller,
        f: &IncidentGeoFilter,
    ) -> AppResult<Vec<IncidentRow>> {
        caller.require(Permission::ExportAlerts)?;
        self.incident_rows(caller, f).await
    }
}
