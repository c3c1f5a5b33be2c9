//! Context events: UCDP GED and ACLED CSV files imported as someone else's record of the
//! conflict, with their source and licence note, for the map to show beside the community's
//! alerts. They are kept apart from alerts in every way that counts: their own ledger event
//! (`context_event_saved`), their own table, their own map layer; no count, hotspot, risk
//! score, indicator or spike of Kinga's reads them.

use chrono::NaiveDate;

use kinga_domain::analysis::context::{ContextDataset, ContextEvent, ContextHeader};
use kinga_domain::people::Permission;
use kinga_ledger::Payload;
use kinga_store::{Commit, ContextQuery, Write};

use crate::{App, AppError, AppResult, Caller};

/// Events written per commit while importing: a file of 100,000 rows is 100 commits.
const IMPORT_BATCH: usize = 1_000;

/// Most events one page of the map's context layer holds.
pub const MAX_CONTEXT_PAGE: usize = 2_000;

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextImport {
    /// The data set.
    pub dataset: ContextDataset,
    /// Rows read and written (a row already imported is replaced).
    pub events: usize,
}

/// Which context events the map asks for.
#[derive(Debug, Clone, Default)]
pub struct ContextFilter {
    /// First day (included).
    pub from: Option<NaiveDate>,
    /// Last day (included).
    pub to: Option<NaiveDate>,
    /// Only this data set.
    pub dataset: Option<ContextDataset>,
    /// Only events naming this actor (part of the name, any case or accent).
    pub actor: Option<String>,
    /// After this `(day, id)` cursor (the previous page's `next`).
    pub after: Option<(NaiveDate, String)>,
    /// Page size (1 to [`MAX_CONTEXT_PAGE`]).
    pub limit: usize,
}

/// One page of context events.
#[derive(Debug, Clone)]
pub struct ContextPage {
    /// The events, newest day first.
    pub items: Vec<ContextEvent>,
    /// The cursor of the next page, when there may be one.
    pub next: Option<(NaiveDate, String)>,
}

impl App {
    /// Import a UCDP GED or ACLED CSV file (their published column layouts; more columns are
    /// fine) as context events, each kept with `licence` (the data set's usual note when
    /// none is given). Every row is read and checked before anything is written, so a file
    /// with one bad row changes nothing and the error names the row. Importing a file again
    /// replaces its events by the data set's own ids.
    pub async fn import_context(
        &self,
        caller: &Caller,
        dataset: ContextDataset,
        csv_text: &str,
        licence: Option<&str>,
    ) -> AppResult<ContextImport> {
        caller.require(Permission::ManageRegistries)?;
        let licence = licence
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .unwrap_or(dataset.default_licence());
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(csv_text.as_bytes());
        let names: Vec<String> = reader
            .headers()
            .map_err(|e| AppError::Invalid(format!("the file's header: {e}")))?
            .iter()
            .map(str::to_string)
            .collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let header =
            ContextHeader::new(dataset, &names).map_err(|e| AppError::Invalid(e.to_string()))?;
        let now = self.now();
        let mut events = Vec::new();
        for (i, record) in reader.records().enumerate() {
            let line = i + 2;
            let record =
                record.map_err(|e| AppError::Invalid(format!("row {line}: not CSV: {e}")))?;
            let row: Vec<&str> = record.iter().collect();
            let e = header
                .event(line, &row, licence, now, &caller.name)
                .map_err(|e| AppError::Invalid(e.to_string()))?;
            events.push(e);
        }
        for chunk in events.chunks(IMPORT_BATCH) {
            self.store
                .commit(Commit {
                    events: chunk
                        .iter()
                        .map(|e| {
                            self.draft(
                                &caller.name,
                                Payload::ContextEventSaved { event: e.clone() },
                            )
                        })
                        .collect(),
                    writes: chunk
                        .iter()
                        .map(|e| Write::ContextEvent(Box::new(e.clone())))
                        .collect(),
                })
                .await?;
        }
        Ok(ContextImport {
            dataset,
            events: events.len(),
        })
    }

    /// One page of the context events `f` selects, newest day first, for anyone who reads
    /// the map (they are public data sets); paged by keyset so that page n costs what page 1
    /// does.
    pub async fn context_events(
        &self,
        caller: &Caller,
        f: &ContextFilter,
    ) -> AppResult<ContextPage> {
        caller.require(Permission::ReadAlerts)?;
        let limit = f.limit.clamp(1, MAX_CONTEXT_PAGE);
        let mut q = ContextQuery {
            from: f.from,
            to: f.to,
            dataset: f.dataset,
            after: f.after.clone(),
            limit,
        };
        let actor = f.actor.as_deref().map(str::trim).filter(|a| !a.is_empty());
        let mut items = Vec::new();
        // The actor filter is applied here (actors are a list inside the record), so a page
        // is filled from as many store pages as it takes.
        loop {
            let page = self.store.context_events(&q).await?;
            let full = page.len() == q.limit;
            let Some(last) = page.last() else { break };
            q.after = Some((last.date, last.id.clone()));
            for e in page {
                if items.len() < limit && actor.is_none_or(|a| e.names_actor(a)) {
                    if items.len() + 1 == limit {
                        q.after = Some((e.date, e.id.clone()));
                    }
                    items.push(e);
                }
            }
            if !full || items.len() >= limit || actor.is_none() {
                break;
            }
        }
        let next = (items.len() == limit).then(|| q.after.clone()).flatten();
        Ok(ContextPage { items, next })
    }
}
