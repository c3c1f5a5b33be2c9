//! Helpers shared by the store backends (not meant for application code): the indexed columns
//! of an alert, JSON documents, chain sealing, page limits and group-commit batching.

use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::sync::mpsc;

use kinga_domain::Alert;
use kinga_domain::compartment::{CompartmentKey, UserGrant};
use kinga_domain::incident::Incident;
use kinga_domain::incident::care::Referral;
use kinga_domain::incident::report::{IncidentTally, PerpetratorTally, Tallies, VictimTally};
use kinga_domain::transition::{CapacityPlan, TransitionRecord, WithdrawalPlan};
use kinga_ledger::{DraftEvent, Event, GENESIS};

use crate::{Projection, StoreError, StoreResult, Write};

/// Most alerts one page may hold, whatever the query asks.
pub const MAX_PAGE: usize = 1000;

/// Most jobs one group-commit transaction takes from the queue, unless a backend needs fewer.
pub const MAX_BATCH: usize = 512;

/// The last event of every origin's chain, in SQL both stores run: the origins are found by
/// skipping through the `(origin, seq)` index one origin at a time and each head by one
/// descent of it, so the cost grows with the number of origins, not of events. (A join on
/// `GROUP BY origin` read the whole ledger at each call: it took 58 % of a sync puller's time,
/// and every batch, which asks for the heads three times, was slower than the last.)
pub const CHAIN_HEADS_SQL: &str = "WITH RECURSIVE origins (origin) AS (
        SELECT min(origin) FROM events
        UNION ALL
        SELECT (SELECT min(e.origin) FROM events e WHERE e.origin > o.origin)
        FROM origins o WHERE o.origin IS NOT NULL
    )
    SELECT o.origin,
        (SELECT e.seq FROM events e WHERE e.origin = o.origin ORDER BY e.seq DESC LIMIT 1),
        (SELECT e.hash FROM events e WHERE e.origin = o.origin ORDER BY e.seq DESC LIMIT 1)
    FROM origins o WHERE o.origin IS NOT NULL";

/// Page size actually served for an alert query.
pub fn page_limit(limit: usize) -> usize {
    limit.min(MAX_PAGE)
}

/// A count or offset as an SQL integer; values past `i64::MAX` mean "no bound" anyway.
pub fn sql_count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// A sequence number or version as an SQL integer.
pub fn to_sql_int(n: u64, what: &str) -> StoreResult<i64> {
    i64::try_from(n).map_err(|_| StoreError::Backend(format!("{what} {n} is too large to store")))
}

/// An SQL integer read back as a sequence number, position or version.
pub fn from_sql_int(n: i64, what: &str) -> StoreResult<u64> {
    u64::try_from(n).map_err(|_| StoreError::Corrupt(format!("{what} is negative ({n})")))
}

/// A record as JSON text for a `doc` column.
pub fn encode<T: Serialize + ?Sized>(value: &T, what: &str) -> StoreResult<String> {
    serde_json::to_string(value)
        .map_err(|e| StoreError::Corrupt(format!("cannot encode {what}: {e}")))
}

/// A record decoded from a `doc` column.
pub fn decode<T: DeserializeOwned>(text: &str, what: &str) -> StoreResult<T> {
    serde_json::from_str(text)
        .map_err(|e| StoreError::Corrupt(format!("cannot decode {what}: {e}")))
}

/// A value of a tally row (compartment, state, violation, sex, …) from its serde name.
pub fn tally_value<T: DeserializeOwned>(text: &str, what: &str) -> StoreResult<T> {
    serde_json::from_value(serde_json::Value::String(text.to_string()))
        .map_err(|e| StoreError::Corrupt(format!("{what} '{text}': {e}")))
}

/// The perpetrator categories of an incident as the `incident_perpetrators` side table holds
/// them: each category once, sorted; `unidentified` when none is recorded (the MRM/MARA
/// table counts such an incident so).
pub fn perpetrator_categories(i: &kinga_domain::incident::Incident) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = i.perpetrators.iter().map(|p| p.category.as_str()).collect();
    if out.is_empty() {
        out.push(kinga_domain::incident::PerpetratorCategory::Unidentified.as_str());
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Rows of one tally query: its text columns and its count.
pub type TallyRows = Vec<(Vec<String>, i64)>;

/// The tallies of a report from the rows of its four queries ([`crate::tally::TALLY_SQL`]:
/// per state, per violation, per violation, sex and age group, per violation and
/// perpetrator category), each row its text columns and its count.
pub fn build_tallies(queries: [TallyRows; 4]) -> StoreResult<Tallies> {
    let [by_state, incidents, victims, perpetrators] = queries;
    let mut t = Tallies::default();
    let col = |r: &[String], i: usize| -> StoreResult<String> {
        r.get(i)
            .cloned()
            .ok_or_else(|| StoreError::Corrupt("tally row too short".into()))
    };
    for (r, n) in by_state {
        t.by_state.push((
            tally_value(&col(&r, 0)?, "compartment")?,
            tally_value(&col(&r, 1)?, "state")?,
            from_sql_int(n, "tally")?,
        ));
    }
    for (r, n) in incidents {
        t.incidents.push(IncidentTally {
            compartment: tally_value(&col(&r, 0)?, "compartment")?,
            state: tally_value(&col(&r, 1)?, "state")?,
            violation: tally_value(&col(&r, 2)?, "violation")?,
            n: from_sql_int(n, "tally")?,
        });
    }
    for (r, n) in victims {
        t.victims.push(VictimTally {
            compartment: tally_value(&col(&r, 0)?, "compartment")?,
            state: tally_value(&col(&r, 1)?, "state")?,
            violation: tally_value(&col(&r, 2)?, "violation")?,
            sex: tally_value(&col(&r, 3)?, "sex")?,
            age_group: tally_value(&col(&r, 4)?, "age group")?,
            n: from_sql_int(n, "tally")?,
        });
    }
    for (r, n) in perpetrators {
        t.perpetrators.push(PerpetratorTally {
            compartment: tally_value(&col(&r, 0)?, "compartment")?,
            state: tally_value(&col(&r, 1)?, "state")?,
            violation: tally_value(&col(&r, 2)?, "violation")?,
            category: tally_value(&col(&r, 3)?, "perpetrator category")?,
            n: from_sql_int(n, "tally")?,
        });
    }
    Ok(t)
}

/// The snake_case name serde gives a unit enum variant (statuses, kinds).
pub fn variant_name<T: Serialize>(value: &T) -> StoreResult<String> {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => Ok(s),
        _ => Err(StoreError::Corrupt("value has no plain name".into())),
    }
}

/// The scalar columns of an alert that queries filter and sort on; the rest lives in its JSON
/// document (and the assigned responders in a JSON array column).
#[derive(Debug, Clone)]
pub struct AlertColumns {
    /// Lifecycle state identifier.
    pub state: &'static str,
    /// Not closed and not merged.
    pub open: bool,
    /// Severity level 1–4.
    pub severity: i16,
    /// Threat type identifier.
    pub threat_type: Option<&'static str>,
    /// P-code.
    pub place: Option<String>,
    /// No responder covers it.
    pub uncovered: bool,
    /// When reported.
    pub reported_at: DateTime<Utc>,
    /// When received.
    pub received_at: DateTime<Utc>,
    /// The deadline that governs the current state (none once nothing is due).
    pub next_deadline: Option<DateTime<Utc>>,
    /// Keyed digest of the reporter's phone.
    pub reporter_digest: Option<String>,
    /// Version after the change.
    pub version: i64,
    /// User who took it.
    pub taken_by: Option<String>,
    /// A voice call nobody has transcribed yet ([`kinga_domain::voice::unheard`]): it heads
    /// the queue's new alerts.
    pub unheard: bool,
}

impl AlertColumns {
    /// Derive the stored columns of an alert.
    pub fn of(alert: &Alert) -> StoreResult<AlertColumns> {
        Ok(AlertColumns {
            state: alert.state.as_str(),
            open: alert.state.is_open(),
            severity: i16::from(alert.severity.level()),
            threat_type: alert.threat_type.map(|t| t.as_str()),
            place: alert.place.clone(),
            uncovered: alert.uncovered,
            reported_at: alert.reported_at,
            received_at: alert.received_at,
            next_deadline: alert.next_deadline().map(|(_, at)| at),
            reporter_digest: alert.reporter.phone_digest.clone(),
            version: to_sql_int(alert.version, "alert version")?,
            taken_by: alert.taken_by.clone(),
            unheard: kinga_domain::voice::unheard(alert),
        })
    }
}

/// The scalar columns of an incident that queries filter and sort on; the rest (and its
/// sealed fields) lives in its JSON document.
#[derive(Debug, Clone)]
pub struct IncidentColumns {
    /// Compartment identifier.
    pub compartment: &'static str,
    /// Verification state identifier.
    pub state: &'static str,
    /// Date of occurrence, `YYYY-MM-DD` (text order is date order).
    pub occurred_on: String,
    /// Version.
    pub version: i64,
    /// Lower-case searchable text: nothing sealed is in it.
    pub search: String,
}

impl IncidentColumns {
    /// Derive the stored columns of an incident.
    pub fn of(i: &Incident) -> StoreResult<IncidentColumns> {
        Ok(IncidentColumns {
            compartment: i.compartment.as_str(),
            state: i.state.as_str(),
            occurred_on: i.occurred_on.format("%Y-%m-%d").to_string(),
            version: to_sql_int(i.version, "incident version")?,
            search: i.search_text(),
        })
    }
}

/// The last event of one origin's chain: what the next event links to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainHead {
    /// Sequence number of the last event (0 before the first).
    pub seq: u64,
    /// Its hash ([`GENESIS`] before the first).
    pub hash: String,
}

impl Default for ChainHead {
    fn default() -> Self {
        ChainHead {
            seq: 0,
            hash: GENESIS.to_string(),
        }
    }
}

impl ChainHead {
    /// Seal drafts one after the other, advancing the head past each.
    pub fn seal(&mut self, origin: &str, drafts: &[DraftEvent]) -> StoreResult<Vec<Event>> {
        let mut sealed = Vec::with_capacity(drafts.len());
        for draft in drafts {
            let event =
                kinga_ledger::seal(draft, origin, self.seq + 1, &self.hash).map_err(|e| {
                    StoreError::Corrupt(format!("cannot encode event {}: {e}", draft.id))
                })?;
            self.seq = event.seq;
            self.hash.clone_from(&event.hash);
            sealed.push(event);
        }
        Ok(sealed)
    }
}

/// A short name for what a write touches, for error messages.
pub fn describe(write: &Write) -> String {
    match write {
        Write::Alert { alert, .. } => format!("alert {} ({})", alert.reference, alert.id),
        Write::Place(p) => format!("place {}", p.pcode),
        Write::Actor(a) => format!("actor {}", a.id),
        Write::Responder(r) => format!("responder {}", r.id),
        Write::FocalPoint(f) => format!("focal point {}", f.id),
        Write::User(u) => format!("user name '{}'", u.name),
        Write::Token(t) => format!("API token {}", t.id),
        Write::Outbox(m) => format!("outbox message {}", m.id),
        Write::Digest { day, .. } => format!("digest of {day}"),
        Write::Idempotency(a) => format!("idempotency key {}", a.key),
        Write::Audit(a) => format!("audit entry {}", a.id),
        Write::Incident { incident, .. } => format!("incident {}", incident.id),
        Write::Grant(g) => format!("grant {}", g.key()),
        Write::RevokeGrant { user, compartment } => format!("grant {user}:{compartment}"),
        Write::CompartmentKey(k) => format!("compartment key {}", k.key()),
        Write::ServiceProvider(p) => format!("service provider {}", p.id),
        Write::Referral(r) => format!("referral {}", r.id),
        Write::Interview(i) => format!("interview {}", i.id),
        Write::CapacityPlan { plan, .. } => format!("capacity plan {}", plan.id),
        Write::RemoveCapacityPlan { id, .. } => format!("capacity plan {id}"),
        Write::WithdrawalPlan { plan, .. } => format!("withdrawal plan {}", plan.id),
        Write::Peer(p) => format!("peer {}", p.name),
        Write::HandoverReversal(r) => format!("handover reversal of {}", r.plan),
        Write::Broadcast(b) => format!("broadcast {}", b.id),
        Write::TransitionRecord { record, .. } => {
            format!("{} {}", record.kind(), record.id())
        }
        Write::RemoveTransitionRecord { id, .. } => format!("transition record {id}"),
        Write::Agreement(a) => format!("agreement {}", a.id),
        Write::RecordConflict(c) => format!("conflict {} on {} {}", c.id, c.kind, c.record),
        Write::HrddpScreening(s) => format!("HRDDP screening {}", s.id),
        Write::GbvimsImport(i) => format!("GBVIMS import {}", i.id),
        Write::ContextEvent(e) => format!("context event {}", e.id),
    }
}

/// The smallest string greater than every string starting with `prefix`, so a prefix filter
/// becomes an index range `prefix <= x < bound`; `None` when no such bound exists.
pub fn prefix_upper_bound(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let next = (u32::from(last) + 1..=u32::from(char::MAX)).find_map(char::from_u32);
        if let Some(next) = next {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

/// The job just received and whatever else is already queued, up to `max` in all: the group
/// that one transaction (and one fsync) will serve.
pub fn drain_batch<T>(first: T, rx: &mut mpsc::Receiver<T>, max: usize) -> Vec<T> {
    let mut batch = vec![first];
    while batch.len() < max {
        match rx.try_recv() {
            Ok(job) => batch.push(job),
            Err(_) => break,
        }
    }
    batch
}

/// How a group-commit writer has grouped writes so far, for tests and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriterStats {
    /// Transactions committed (on SQLite, each one fsync).
    pub batches: u64,
    /// Writes served by those transactions.
    pub jobs: u64,
    /// Transactions that failed as a whole.
    pub failed_batches: u64,
}

/// The live counters behind [`WriterStats`], shared by a writer and its handle.
#[derive(Debug, Default)]
pub struct WriterCounters {
    batches: AtomicU64,
    jobs: AtomicU64,
    failed_batches: AtomicU64,
}

impl WriterCounters {
    /// A transaction serving `jobs` writes was committed.
    pub fn committed(&self, jobs: u64) {
        self.batches.fetch_add(1, Ordering::Relaxed);
        self.jobs.fetch_add(jobs, Ordering::Relaxed);
    }

    /// A transaction failed as a whole.
    pub fn failed(&self) {
        self.failed_batches.fetch_add(1, Ordering::Relaxed);
    }

    /// The counts so far.
    pub fn snapshot(&self) -> WriterStats {
        WriterStats {
            batches: self.batches.load(Ordering::Relaxed),
            jobs: self.jobs.load(Ordering::Relaxed),
            failed_batches: self.failed_batches.load(Ordering::Relaxed),
        }
    }
}

/// A time as every backend's column check writes it: RFC 3339, UTC, microseconds (what
/// PostgreSQL keeps; both the stored and the expected value are truncated alike).
pub fn canonical_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// The indexed columns a backend keeps beside a projection's record, each as canonical text
/// (times by [`canonical_time`], booleans `true`/`false`, JSON compact), derived from the
/// record exactly as writing derives them. `kinga verify` compares them with the stored ones.
pub fn expected_columns(
    table: Projection,
    doc: &serde_json::Value,
) -> StoreResult<Vec<(&'static str, Option<String>)>> {
    let text = |v: &serde_json::Value, field: &str| {
        v.get(field).and_then(|x| x.as_str()).map(String::from)
    };
    Ok(match table {
        Projection::Alerts => {
            let alert: Alert = serde_json::from_value(doc.clone())
                .map_err(|e| StoreError::Corrupt(format!("alert record: {e}")))?;
            let c = AlertColumns::of(&alert)?;
            vec![
                ("id", Some(alert.id.clone())),
                ("reference", Some(alert.reference.clone())),
                ("state", Some(c.state.to_string())),
                ("open", Some(c.open.to_string())),
                ("severity", Some(c.severity.to_string())),
                ("threat_type", c.threat_type.map(String::from)),
                ("place", c.place),
                ("uncovered", Some(c.uncovered.to_string())),
                ("reported_at", Some(canonical_time(c.reported_at))),
                ("received_at", Some(canonical_time(c.received_at))),
                ("next_deadline", c.next_deadline.map(canonical_time)),
                ("reporter_digest", c.reporter_digest),
                (
                    "assigned",
                    Some(encode(&alert.assigned, "assigned responders")?),
                ),
                ("version", Some(c.version.to_string())),
                ("taken_by", c.taken_by),
            ]
        }
        Projection::Places => vec![("pcode", text(doc, "pcode"))],
        Projection::Actors | Projection::Responders => vec![("id", text(doc, "id"))],
        Projection::FocalPoints => vec![
            ("id", text(doc, "id")),
            ("phone_digest", text(doc, "phone_digest")),
        ],
        Projection::Users => vec![("id", text(doc, "id")), ("name", text(doc, "name"))],
        Projection::Tokens => vec![
            ("id", text(doc, "id")),
            ("user_id", text(doc, "user")),
            ("digest", text(doc, "digest")),
        ],
        Projection::Outbox => {
            let m: kinga_domain::outbox::OutboxMessage = serde_json::from_value(doc.clone())
                .map_err(|e| StoreError::Corrupt(format!("outbox record: {e}")))?;
            vec![
                ("id", Some(m.id.clone())),
                ("status", Some(variant_name(&m.status)?)),
                ("alert", m.alert.clone()),
                ("created_at", Some(canonical_time(m.created_at))),
                ("next_attempt_at", m.next_attempt_at.map(canonical_time)),
                ("provider", m.provider.clone()),
                ("provider_message_id", m.provider_message_id.clone()),
                ("inbox_user", m.inbox_user().map(str::to_string)),
            ]
        }
        Projection::Digests => vec![("day", text(doc, "day"))],
        // Audit rows have no record apart from their columns.
        Projection::Audit => vec![],
        Projection::Incidents => {
            let i: Incident = serde_json::from_value(doc.clone())
                .map_err(|e| StoreError::Corrupt(format!("incident record: {e}")))?;
            let c = IncidentColumns::of(&i)?;
            vec![
                ("id", Some(i.id.clone())),
                ("compartment", Some(c.compartment.to_string())),
                ("state", Some(c.state.to_string())),
                ("occurred_on", Some(c.occurred_on)),
                ("place", Some(i.place.clone())),
                ("recorded_at", Some(canonical_time(i.recorded_at))),
                ("version", Some(c.version.to_string())),
                ("search", Some(c.search)),
            ]
        }
        Projection::Grants => {
            let g: UserGrant = serde_json::from_value(doc.clone())
                .map_err(|e| StoreError::Corrupt(format!("grant record: {e}")))?;
            vec![
                ("id", Some(g.key())),
                ("user_id", Some(g.user.clone())),
                ("compartment", Some(g.compartment.to_string())),
            ]
        }
        Projection::CompartmentKeys => {
            let k: CompartmentKey = serde_json::from_value(doc.clone())
                .map_err(|e| StoreError::Corrupt(format!("compartment key record: {e}")))?;
            vec![
                ("id", Some(k.key())),
                ("compartment", Some(k.compartment.to_string())),
                ("version", Some(k.version.to_string())),
            ]
        }
        Projection::ServiceProviders => vec![("id", text(doc, "id"))],
        Projection::Referrals => {
            let r: Referral = serde_json::from_value(doc.clone())
                .map_err(|e| StoreError::Corrupt(format!("referral record: {e}")))?;
            vec![
                ("id", Some(r.id.clone())),
                ("incident_id", Some(r.incident.clone())),
                ("status", Some(variant_name(&r.status)?)),
            ]
        }
        Projection::Interviews => vec![
            ("id", text(doc, "id")),
            ("incident_id", text(doc, "incident")),
        ],
        Projection::CapacityPlans => {
            let p: CapacityPlan = serde_json::from_value(doc.clone())
                .map_err(|e| StoreError::Corrupt(format!("capacity plan record: {e}")))?;
            vec![
                ("id", Some(p.id.clone())),
                ("place", Some(p.place.clone())),
                ("capacity", Some(p.capacity.to_string())),
                ("version", Some(p.version.to_string())),
            ]
        }
        Projection::WithdrawalPlans => {
            let p: WithdrawalPlan = serde_json::from_value(doc.clone())
                .map_err(|e| StoreError::Corrupt(format!("withdrawal plan record: {e}")))?;
            vec![
                ("id", Some(p.id.clone())),
                ("mission", Some(p.mission.clone())),
                ("version", Some(p.version.to_string())),
            ]
        }
        Projection::Peers => vec![("name", text(doc, "name"))],
        Projection::HandoverReversals => vec![("plan", text(doc, "plan"))],
        Projection::Broadcasts => vec![("id", text(doc, "id"))],
        Projection::TransitionRecords => {
            let r: TransitionRecord = serde_json::from_value(doc.clone())
                .map_err(|e| StoreError::Corrupt(format!("transition record: {e}")))?;
            vec![
                ("id", Some(r.id().to_string())),
                ("kind", Some(r.kind().to_string())),
                ("place", r.place().map(str::to_string)),
                ("version", Some(r.stamp().version.to_string())),
            ]
        }
        Projection::Agreements => vec![("id", text(doc, "id")), ("peer", text(doc, "peer"))],
        Projection::RecordConflicts => vec![
            ("id", text(doc, "id")),
            ("kind", text(doc, "kind")),
            ("record", text(doc, "record")),
            ("compartment", text(doc, "compartment")),
        ],
        Projection::HrddpScreenings => vec![("id", text(doc, "id")), ("unit", text(doc, "unit"))],
        Projection::GbvimsImports => {
            vec![("id", text(doc, "id")), ("provider", text(doc, "provider"))]
        }
        Projection::ContextEvents => vec![
            ("id", text(doc, "id")),
            ("dataset", text(doc, "dataset")),
            ("occurred_on", text(doc, "date")),
        ],
    })
}

/// The rows an incident's record implies in the side tables, as a backend's check reads them
/// back: violations sorted and comma-joined; victims `n:sex:age_group:disability:displaced`
/// (booleans 0/1) comma-joined in order; an empty table part is `None`.
pub fn incident_side_rows(
    doc: &serde_json::Value,
) -> StoreResult<(Option<String>, Option<String>)> {
    let i: Incident = serde_json::from_value(doc.clone())
        .map_err(|e| StoreError::Corrupt(format!("incident record: {e}")))?;
    let mut violations: Vec<&str> = i.violations.iter().map(|v| v.as_str()).collect();
    violations.sort_unstable();
    let victims: Vec<String> = i
        .victims
        .iter()
        .enumerate()
        .map(|(n, v)| {
            format!(
                "{n}:{}:{}:{}:{}",
                v.sex.as_str(),
                v.age_group.as_str(),
                u8::from(v.disability),
                u8::from(v.displaced)
            )
        })
        .collect();
    let joined = |v: Vec<String>| (!v.is_empty()).then(|| v.join(","));
    Ok((
        joined(violations.into_iter().map(String::from).collect()),
        joined(victims),
    ))
}

/// Differences between an incident's side-table rows as stored and as its record implies.
pub fn side_row_faults(
    key: &str,
    doc: &serde_json::Value,
    violations: Option<String>,
    victims: Option<String>,
) -> Vec<String> {
    match incident_side_rows(doc) {
        Err(e) => vec![format!("incidents row {key}: {e}")],
        Ok((want_violations, want_victims)) => {
            let mut out = Vec::new();
            if violations != want_violations {
                out.push(format!(
                    "incident_violations of incident {key} hold {} but its record says {}",
                    show(violations.as_deref()),
                    show(want_violations.as_deref())
                ));
            }
            if victims != want_victims {
                out.push(format!(
                    "incident_victims of incident {key} hold {} but its record says {}",
                    show(victims.as_deref()),
                    show(want_victims.as_deref())
                ));
            }
            out
        }
    }
}

/// Compare stored columns with the expected ones; a sentence per difference.
pub fn column_differences(
    table: Projection,
    key: &str,
    stored: &[(&'static str, Option<String>)],
    expected: &[(&'static str, Option<String>)],
) -> Vec<String> {
    expected
        .iter()
        .filter_map(|(name, want)| {
            let have = stored.iter().find(|(n, _)| n == name).map(|(_, v)| v);
            match have {
                Some(have) if have == want => None,
                have => Some(format!(
                    "{} row {key}: column {name} holds {} but its record says {}",
                    table.table(),
                    show(have.and_then(|h| h.as_deref())),
                    show(want.as_deref())
                )),
            }
        })
        .collect()
}

fn show(v: Option<&str>) -> String {
    v.map_or_else(|| "nothing".to_string(), |v| format!("'{v}'"))
}

/// A text searched for inside a column with `LIKE … ESCAPE '\\'`: its wildcards taken
/// literally, wrapped in `%`.
pub fn like_pattern(text: &str) -> String {
    let mut p = String::with_capacity(text.len() + 2);
    p.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_bound_covers_exactly_the_prefixed_codes() {
        let upper = prefix_upper_bound("CD62").unwrap();
        assert_eq!(upper, "CD63");
        for inside in ["CD62", "CD6201", "CD6201-S003", "CD62\u{10FFFF}"] {
            assert!(inside >= "CD62" && inside < upper.as_str(), "{inside}");
        }
        for outside in ["CD61", "CD63", "CD7", "CD6", "D"] {
            assert!(
                !(outside >= "CD62" && outside < upper.as_str()),
                "{outside}"
            );
        }
        assert_eq!(prefix_upper_bound("a\u{10FFFF}").as_deref(), Some("b"));
        assert_eq!(prefix_upper_bound("\u{D7FF}").as_deref(), Some("\u{E000}"));
        assert_eq!(prefix_upper_bound("\u{10FFFF}"), None);
        assert_eq!(prefix_upper_bound(""), None);
    }

    #[test]
    fn like_patterns_take_wildcards_literally() {
        assert_eq!(like_pattern("Kiwanja"), "%Kiwanja%");
        assert_eq!(like_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
    }

    #[test]
    fn limits_are_capped_and_converted() {
        assert_eq!(page_limit(5000), MAX_PAGE);
        assert_eq!(page_limit(20), 20);
        assert_eq!(sql_count(usize::MAX), i64::MAX);
        assert!(to_sql_int(u64::MAX, "seq").is_err());
        assert!(matches!(
            from_sql_int(-1, "seq"),
            Err(StoreError::Corrupt(_))
        ));
    }
}

/// The chains of an import, checked event by event before anything is written: each event
/// continues its origin's chain (sequence number, previous hash) and its content gives its
/// hash. Own-origin events are refused: an instance seals its own chain itself.
#[derive(Debug)]
pub struct ImportChains {
    own: String,
    heads: std::collections::BTreeMap<String, (u64, String)>,
    events: u64,
    highest_reference: u64,
}

impl ImportChains {
    /// Chains of an import into the instance `own`, whose ledger is empty.
    pub fn new(own: &str) -> ImportChains {
        ImportChains {
            own: own.to_string(),
            heads: std::collections::BTreeMap::new(),
            events: 0,
            highest_reference: 0,
        }
    }

    /// Chains of a sync into the instance `own`, continuing the chains it holds (`heads`: last
    /// sequence number and hash of each origin).
    pub fn continuing(
        own: &str,
        heads: std::collections::BTreeMap<String, (u64, String)>,
    ) -> ImportChains {
        ImportChains {
            own: own.to_string(),
            heads,
            events: 0,
            highest_reference: 0,
        }
    }

    /// Check the next event.
    pub fn check(&mut self, e: &Event) -> StoreResult<()> {
        let refuse = |reason: String| {
            StoreError::Corrupt(format!(
                "imported event {} ({} #{}) {reason}",
                e.id, e.origin, e.seq
            ))
        };
        if e.origin == self.own {
            return Err(refuse(format!(
                "claims this instance's own origin {}: an instance seals its own chain",
                self.own
            )));
        }
        let (seq, hash) = self
            .heads
            .get(&e.origin)
            .map_or((0, GENESIS), |(s, h)| (*s, h.as_str()));
        if e.seq != seq + 1 {
            return Err(refuse(format!(
                "does not continue its chain: sequence number {} expected",
                seq + 1
            )));
        }
        if e.prev_hash != hash {
            return Err(refuse("does not link to the event before it".into()));
        }
        if !e.is_withheld() && e.computed_hash() != e.hash {
            return Err(refuse(
                "was altered: its content does not give its hash".into(),
            ));
        }
        self.heads.insert(e.origin.clone(), (e.seq, e.hash.clone()));
        self.events += 1;
        Ok(())
    }

    /// Note a row written, for the reference counter.
    pub fn row(&mut self, w: &Write) {
        if let Write::Alert { alert, .. } = w {
            self.highest_reference = self
                .highest_reference
                .max(reference_number(&alert.reference).unwrap_or(0));
        }
    }

    /// The highest alert reference number among the rows: new alerts must number after it.
    pub fn highest_reference(&self) -> u64 {
        self.highest_reference
    }

    /// What was imported.
    pub fn report(self, rows: u64) -> crate::ImportReport {
        crate::ImportReport {
            events: self.events,
            rows,
            heads: self.heads,
        }
    }
}

/// The number a reference ends with (`K-1042` → 1042).
pub fn reference_number(reference: &str) -> Option<u64> {
    let digits = reference.len()
        - reference
            .trim_end_matches(|c: char| c.is_ascii_digit())
            .len();
    reference[reference.len() - digits..].parse().ok()
}
