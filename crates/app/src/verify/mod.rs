//! `kinga verify`: the ledger's chains, the anchor of their heads kept outside the database,
//! and every projection table rebuilt from the events and compared with what is stored. A
//! text changed in a table, a user made administrator behind Kinga's back, an audit entry
//! deleted or the newest events cut off are each found and named.

mod rebuilt;

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use serde_json::Value;

use kinga_domain::people::Permission;
use kinga_ledger::ChainVerifier;
use kinga_store::Projection;

use rebuilt::Expected;
pub(crate) use rebuilt::Rebuilt;

use crate::{App, AppResult, Caller};

/// Events read per page.
const PAGE: usize = 2_000;
/// Faults listed in full; beyond this only counted.
const MAX_LISTED: usize = 50;

/// What verification found.
#[derive(Debug, Clone, Default)]
pub struct VerifyReport {
    /// Events checked.
    pub events: u64,
    /// Head (last seq, hash) of each origin's chain.
    pub heads: BTreeMap<String, (u64, String)>,
    /// When the anchor was written, if there is one.
    pub anchored_at: Option<DateTime<Utc>>,
    /// Projection rows compared.
    pub rows: u64,
    /// What is wrong, first fault first (at most [`MAX_LISTED`]).
    pub faults: Vec<String>,
    /// How many faults in all.
    pub fault_count: usize,
}

impl VerifyReport {
    /// True when nothing is wrong.
    pub fn intact(&self) -> bool {
        self.fault_count == 0
    }

    fn fault(&mut self, f: String) {
        self.fault_count += 1;
        if self.faults.len() < MAX_LISTED {
            self.faults.push(f);
        }
    }
}

/// The first top-level field in which two records differ, in words.
fn first_difference(stored: &Value, expected: &Value) -> String {
    if let (Some(s), Some(e)) = (stored.as_object(), expected.as_object()) {
        let mut keys: Vec<&String> = s.keys().chain(e.keys()).collect();
        keys.sort();
        keys.dedup();
        for k in keys {
            let (a, b) = (s.get(k), e.get(k));
            if a != b {
                return format!(
                    "field '{k}' is {} but the ledger says {}",
                    short(a),
                    short(b)
                );
            }
        }
    }
    "the record differs from the ledger".into()
}

fn short(v: Option<&Value>) -> String {
    let text = v.map_or_else(|| "absent".to_string(), Value::to_string);
    if text.chars().count() > 80 {
        format!("{}…", text.chars().take(80).collect::<String>())
    } else {
        text
    }
}

impl App {
    /// Verify the whole ledger and everything derived from it; `progress` is told how many
    /// events have been checked out of how many.
    pub async fn verify(
        &self,
        caller: &Caller,
        progress: &(dyn Fn(u64, u64) + Sync),
    ) -> AppResult<VerifyReport> {
        caller.require(Permission::ManageUsers)?;
        let total = self.store.event_count().await?;
        let mut report = VerifyReport::default();
        let anchor = match self.anchor_file() {
            Ok(a) => a,
            Err(e) => {
                report.fault(e.to_string());
                None
            }
        };
        // The hashes of the anchored events, as found while reading the chains.
        let mut anchored_hashes: HashMap<(String, u64), String> = HashMap::new();
        let mut chains = ChainVerifier::new();
        let mut rebuilt = Rebuilt::default();
        let (mut after, mut checked) = (0, 0);
        loop {
            let page = self.store.events(after, PAGE).await?;
            let Some((last, _)) = page.last() else { break };
            after = *last;
            for (_, e) in &page {
                if let Err(b) = chains.check(e) {
                    report.events = checked;
                    report.fault(b.to_string());
                    return Ok(report);
                }
                checked += 1;
                let is_anchored = anchor
                    .as_ref()
                    .and_then(|a| a.heads.get(&e.origin))
                    .is_some_and(|h| h.seq == e.seq);
                if is_anchored {
                    anchored_hashes.insert((e.origin.clone(), e.seq), e.hash.clone());
                }
                if let Err(f) = rebuilt.fold(e) {
                    report.fault(f);
                }
            }
            progress(checked, total);
        }
        let chain = chains.finish();
        report.events = chain.events;
        report.heads = chain.heads.into_iter().collect();
        if let Some(a) = &anchor {
            check_anchor(a, &anchored_hashes, &mut report);
        }
        self.compare_projections(rebuilt.finish(), &mut report)
            .await?;
        for f in self.store.column_faults(MAX_LISTED).await? {
            report.fault(f);
        }
        Ok(report)
    }

    async fn compare_projections(
        &self,
        mut expected: Expected,
        report: &mut VerifyReport,
    ) -> AppResult<()> {
        for table in Projection::ALL {
            let mut after: Option<String> = None;
            loop {
                let page = self
                    .store
                    .projection_rows(table, after.as_deref(), 1_000)
                    .await?;
                let Some(last) = page.last() else { break };
                after = Some(last.key.clone());
                for row in page {
                    report.rows += 1;
                    match expected.take(table, &row.key) {
                        None => report.fault(format!(
                            "{} row {} has no event in the ledger: it was added behind Kinga's back",
                            table.table(),
                            row.key
                        )),
                        Some(v) if v != row.doc => report.fault(format!(
                            "{} row {} was changed behind Kinga's back: {}",
                            table.table(),
                            row.key,
                            first_difference(&row.doc, &v)
                        )),
                        Some(_) => {}
                    }
                }
            }
            for key in expected.rest(table) {
                report.fault(format!(
                    "{} row {key} is missing: the ledger has it, the table does not (deleted behind Kinga's back)",
                    table.table()
                ));
            }
        }
        Ok(())
    }
}

/// The anchor's heads against the chains read: an anchored event must still be there, with
/// the hash it had when it was anchored.
fn check_anchor(
    file: &crate::anchor::AnchorFile,
    hashes: &HashMap<(String, u64), String>,
    report: &mut VerifyReport,
) {
    report.anchored_at = Some(file.written_at);
    let at = file.written_at.format("%Y-%m-%d %H:%M:%S UTC");
    for (origin, anchored) in &file.heads {
        match report.heads.get(origin).map(|(seq, _)| *seq) {
            None => report.fault(format!(
                "the chain of origin {origin} is gone: it was anchored at event {} on {at}",
                anchored.seq
            )),
            Some(seq) if seq < anchored.seq => report.fault(format!(
                "the chain of origin {origin} ends at event {seq}, but it reached event {} on \
                 {at}: the newest events were deleted",
                anchored.seq
            )),
            Some(_) => {
                let found = hashes.get(&(origin.clone(), anchored.seq));
                if found != Some(&anchored.hash) {
                    report.fault(format!(
                        "event {} of origin {origin} is not the one anchored on {at}: the ledger \
                         was rewritten from there",
                        anchored.seq
                    ));
                }
            }
        }
    }
}
