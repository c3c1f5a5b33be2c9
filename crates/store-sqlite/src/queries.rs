//! The read side: every query of the store trait, on a read connection.

use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Params, params, params_from_iter};
use serde::de::DeserializeOwned;

use kinga_domain::outbox::OutboxMessage;
use kinga_domain::people::ApiToken;
use kinga_domain::transition::broadcast::Broadcast;
use kinga_domain::{Alert, AlertState};
use kinga_ledger::Event;
use kinga_store::support::{
    decode, from_sql_int, like_pattern, page_limit, prefix_upper_bound, sql_count, to_sql_int,
    variant_name,
};
use kinga_store::{
    AlertPage, AlertQuery, AlertSort, AlertTallies, AuditEntry, IdempotentAnswer, OutboxQuery,
    StoreError,
};

use crate::error::Result;
use crate::rows::{EVENT_COLUMNS, doc, event, parse_ts, ts};

/// Every row's JSON document from a query selecting `doc` first.
pub(crate) fn docs<T: DeserializeOwned>(
    conn: &Connection,
    sql: &str,
    params: impl Params,
    what: &str,
) -> Result<Vec<T>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query(params)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(doc(row, 0, what)?);
    }
    Ok(out)
}

/// The first row's JSON document, if any.
pub(crate) fn one_doc<T: DeserializeOwned>(
    conn: &Connection,
    sql: &str,
    params: impl Params,
    what: &str,
) -> Result<Option<T>> {
    let text: Option<String> = conn
        .prepare_cached(sql)?
        .query_row(params, |r| r.get(0))
        .optional()?;
    text.map(|t| decode(&t, what))
        .transpose()
        .map_err(Into::into)
}

/// A user's API tokens.
pub(crate) fn tokens_of(conn: &Connection, user: &str) -> Result<Vec<ApiToken>> {
    docs(
        conn,
        "SELECT doc FROM api_tokens WHERE user_id = ?1 ORDER BY id",
        [user],
        "API token",
    )
}

/// The newest `limit` digests.
pub(crate) fn digests(conn: &Connection, limit: usize) -> Result<Vec<serde_json::Value>> {
    let limit = sql_count(limit);
    docs(
        conn,
        "SELECT doc FROM digests ORDER BY day DESC LIMIT ?1",
        params![limit],
        "digest",
    )
}

/// A `meta` value.
pub(crate) fn meta(conn: &Connection, name: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT value FROM meta WHERE name = ?1")?
        .query_row([name], |r| r.get(0))
        .optional()?)
}

/// The outbox messages whose ids `ids` holds as one JSON array, so one query serves any
/// number of them.
pub(crate) fn outbox_messages(conn: &Connection, ids: &str) -> Result<Vec<OutboxMessage>> {
    docs::<OutboxMessage>(
        conn,
        "SELECT doc FROM outbox WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY id",
        [ids],
        "outbox message",
    )
}

/// Every broadcast, newest first.
pub(crate) fn broadcasts(conn: &Connection) -> Result<Vec<Broadcast>> {
    let mut all: Vec<Broadcast> = docs(
        conn,
        "SELECT doc FROM broadcasts ORDER BY id",
        [],
        "broadcast",
    )?;
    all.sort_by(|a, b| {
        b.created_at
            .cmp(&a.created_at)
            .then_with(|| b.id.cmp(&a.id))
    });
    Ok(all)
}

/// Events after `after`, in ledger order.
pub(crate) fn events(conn: &Connection, after: u64, limit: usize) -> Result<Vec<(u64, Event)>> {
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM events WHERE position > ?1 ORDER BY position LIMIT ?2"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params![to_sql_int(after, "position")?, sql_count(limit)])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(event(row)?);
    }
    Ok(out)
}

/// Number of events.
pub(crate) fn event_count(conn: &Connection) -> Result<u64> {
    let n: i64 = conn
        .prepare_cached("SELECT count(*) FROM events")?
        .query_row([], |r| r.get(0))?;
    Ok(from_sql_int(n, "event count")?)
}

/// The `WHERE` clause and its arguments for an alert query.
fn alert_filter(q: &AlertQuery) -> (String, Vec<Value>) {
    let mut clauses: Vec<String> = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    // "Open" is asked as its list of states, so that the triage index serves it.
    let states: Option<Vec<AlertState>> = match (q.states.is_empty(), q.open_only) {
        (true, false) => None,
        (true, true) => Some(
            AlertState::ALL
                .into_iter()
                .filter(|s| s.is_open())
                .collect(),
        ),
        (false, open_only) => Some(
            q.states
                .iter()
                .copied()
                .filter(|s| !open_only || s.is_open())
                .collect(),
        ),
    };
    match states {
        None => {}
        Some(states) if states.is_empty() => clauses.push("0".into()),
        Some(states) => {
            clauses.push(format!("state IN ({})", vec!["?"; states.len()].join(", ")));
            args.extend(states.iter().map(|s| Value::Text(s.as_str().into())));
        }
    }
    if let Some(prefix) = q.place_prefix.as_deref().filter(|p| !p.is_empty()) {
        // A range rather than LIKE: exact (case-sensitive, no wildcards) and uses the index.
        clauses.push("place >= ?".into());
        args.push(Value::Text(prefix.into()));
        if let Some(upper) = prefix_upper_bound(prefix) {
            clauses.push("place < ?".into());
            args.push(Value::Text(upper));
        }
    }
    if let Some(t) = q.threat_type {
        clauses.push("threat_type = ?".into());
        args.push(Value::Text(t.as_str().into()));
    }
    if q.uncovered_only {
        clauses.push("uncovered = 1".into());
    }
    if let Some(t) = q.overdue_at {
        clauses.push("next_deadline <= ?".into());
        args.push(Value::Text(ts(t)));
    }
    if let Some(r) = &q.assigned_to {
        clauses.push(
            "EXISTS (SELECT 1 FROM json_each(alerts.assigned) WHERE json_each.value = ?)".into(),
        );
        args.push(Value::Text(r.clone()));
    }
    let areas: Vec<&String> = q.areas.iter().filter(|a| !a.is_empty()).collect();
    if !areas.is_empty() {
        let mut any = Vec::new();
        for a in areas {
            match prefix_upper_bound(a) {
                Some(upper) => {
                    any.push("(place >= ? AND place < ?)".to_string());
                    args.push(Value::Text(a.clone()));
                    args.push(Value::Text(upper));
                }
                None => {
                    any.push("place >= ?".to_string());
                    args.push(Value::Text(a.clone()));
                }
            }
        }
        clauses.push(format!("({})", any.join(" OR ")));
    }
    if q.unplaced_only {
        clauses.push("place IS NULL".into());
    }
    if let Some(t) = q.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        clauses.push(
            "(json_extract(doc, '$.text') LIKE ? ESCAPE '\\' OR reference LIKE ? ESCAPE '\\')"
                .into(),
        );
        let p = like_pattern(t);
        args.push(Value::Text(p.clone()));
        args.push(Value::Text(p));
    }
    if let Some(t) = q.received_from {
        clauses.push("received_at >= ?".into());
        args.push(Value::Text(ts(t)));
    }
    if let Some(t) = q.received_to {
        clauses.push("received_at < ?".into());
        args.push(Value::Text(ts(t)));
    }
    if let Some(u) = &q.taken_by {
        clauses.push("taken_by = ?".into());
        args.push(Value::Text(u.clone()));
    }
    if let Some((t, id)) = &q.before {
        clauses.push("(received_at < ? OR (received_at = ? AND id < ?))".into());
        args.push(Value::Text(ts(*t)));
        args.push(Value::Text(ts(*t)));
        args.push(Value::Text(id.clone()));
    }
    let filter = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    (filter, args)
}

/// A page of alerts and the number matching.
pub(crate) fn alerts(conn: &Connection, q: &AlertQuery) -> Result<AlertPage> {
    let (filter, mut args) = alert_filter(q);
    let order = match q.sort {
        AlertSort::Queue => "severity DESC, next_deadline ASC NULLS LAST, received_at ASC, id ASC",
        AlertSort::Newest => "received_at DESC, id DESC",
        // Unheard calls first (a column, not the documents: in a flood every alert is new).
        AlertSort::Arrivals => "unheard DESC, received_at DESC, id DESC",
    };
    // One snapshot, so the total and the page agree.
    let tx = conn.unchecked_transaction()?;
    let total: i64 = if q.no_total {
        0
    } else {
        tx.prepare_cached(&format!("SELECT count(*) FROM alerts {filter}"))?
            .query_row(params_from_iter(args.iter()), |r| r.get(0))?
    };
    let limit = page_limit(q.limit);
    let mut items = Vec::with_capacity(limit);
    if limit > 0 {
        // Sort on the narrow columns first and read the documents of the page only.
        args.push(Value::Integer(sql_count(limit)));
        args.push(Value::Integer(sql_count(q.offset)));
        let sql = format!("SELECT rowid FROM alerts {filter} ORDER BY {order} LIMIT ? OFFSET ?");
        let rowids: Vec<i64> = tx
            .prepare_cached(&sql)?
            .query_map(params_from_iter(args.iter()), |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut stmt = tx.prepare_cached("SELECT doc FROM alerts WHERE rowid = ?1")?;
        for rowid in rowids {
            let text: String = stmt.query_row([rowid], |r| r.get(0))?;
            items.push(decode::<Alert>(&text, "alert")?);
        }
    }
    Ok(AlertPage {
        items,
        total: from_sql_int(total, "alert count")?,
    })
}

/// The queue's counts over the alerts a query matches, in one pass.
pub(crate) fn alert_tallies(
    conn: &Connection,
    q: &AlertQuery,
    overdue_at: DateTime<Utc>,
) -> Result<AlertTallies> {
    let (filter, filter_args) = alert_filter(q);
    // The select list's placeholder comes first in the text, so its argument does too.
    let mut args = vec![Value::Text(ts(overdue_at))];
    args.extend(filter_args);
    let sql = format!(
        "SELECT count(*), coalesce(sum(uncovered = 1), 0), coalesce(sum(place IS NULL), 0),
             coalesce(sum(next_deadline <= ?), 0), coalesce(sum(state = 'received'), 0)
         FROM alerts {filter}"
    );
    let counts: [i64; 5] = conn
        .prepare_cached(&sql)?
        .query_row(params_from_iter(args.iter()), |r| {
            Ok([r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?])
        })?;
    let n = |v: i64| from_sql_int(v, "alert count");
    Ok(AlertTallies {
        total: n(counts[0])?,
        uncovered: n(counts[1])?,
        unplaced: n(counts[2])?,
        overdue: n(counts[3])?,
        received: n(counts[4])?,
    })
}

/// Alerts reported in `[from, to)`.
pub(crate) fn alerts_reported_between(
    conn: &Connection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Alert>> {
    docs(
        conn,
        "SELECT doc FROM alerts WHERE reported_at >= ?1 AND reported_at < ?2 ORDER BY reported_at, id",
        params![ts(from), ts(to)],
        "alert",
    )
}

/// Open alerts whose deadline is at or before `now`, most overdue first.
pub(crate) fn alerts_due(conn: &Connection, now: DateTime<Utc>) -> Result<Vec<Alert>> {
    docs(
        conn,
        "SELECT doc FROM alerts WHERE open = 1 AND next_deadline IS NOT NULL AND next_deadline <= ?1
         ORDER BY next_deadline, id",
        [ts(now)],
        "alert",
    )
}

/// The newest open alert from a phone digest, received at or after `since`.
pub(crate) fn latest_alert_from(
    conn: &Connection,
    digest: &str,
    since: DateTime<Utc>,
) -> Result<Option<Alert>> {
    one_doc(
        conn,
        LATEST_ALERT_FROM_SQL,
        params![digest, ts(since)],
        "alert",
    )
}

/// A number's newest open alert since a time: one entry of the partial index
/// `alerts_reporter`, which holds the open alerts in this order (migration 29).
const LATEST_ALERT_FROM_SQL: &str =
    "SELECT doc FROM alerts WHERE reporter_digest = ?1 AND open = 1 AND received_at >= ?2
     ORDER BY received_at DESC, id DESC LIMIT 1";

/// The stored answer for an idempotency key.
pub(crate) fn idempotent(conn: &Connection, key: &str) -> Result<Option<IdempotentAnswer>> {
    let row = conn
        .prepare_cached(
            "SELECT key, fingerprint, status, body, created_at FROM idempotency WHERE key = ?1",
        )?
        .query_row([key], answer_row)
        .optional()?;
    row.map(answer_of).transpose()
}

/// Answers given before `before` whose bodies were never thinned, oldest first.
pub(crate) fn idempotent_to_thin(
    conn: &Connection,
    before: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<IdempotentAnswer>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut stmt = conn.prepare_cached(
        "SELECT key, fingerprint, status, body, created_at FROM idempotency
         WHERE thinned = 0 AND created_at < ?1 ORDER BY created_at LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![ts(before), limit], answer_row)?;
    rows.map(|r| answer_of(r?)).collect()
}

type AnswerRow = (String, String, i64, String, String);

fn answer_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AnswerRow> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
}

fn answer_of((key, fingerprint, status, body, created_at): AnswerRow) -> Result<IdempotentAnswer> {
    let status = u16::try_from(status)
        .map_err(|_| StoreError::Corrupt(format!("HTTP status {status} for key {key}")))?;
    Ok(IdempotentAnswer {
        key,
        fingerprint,
        status,
        body: decode(&body, "idempotent answer")?,
        created_at: parse_ts(&created_at)?,
    })
}

/// Outbox messages, newest first.
pub(crate) fn outbox(conn: &Connection, q: &OutboxQuery) -> Result<Vec<OutboxMessage>> {
    let mut clauses = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    if !q.statuses.is_empty() {
        clauses.push(format!(
            "status IN ({})",
            vec!["?"; q.statuses.len()].join(", ")
        ));
        for s in &q.statuses {
            args.push(Value::Text(variant_name(s)?));
        }
    }
    if let Some(alert) = &q.alert {
        clauses.push("alert = ?".to_string());
        args.push(Value::Text(alert.clone()));
    }
    if let Some(user) = &q.inbox_of {
        clauses.push("inbox_user = ?".to_string());
        args.push(Value::Text(user.clone()));
    }
    if let Some(after) = q.after {
        clauses.push("created_at > ?".to_string());
        args.push(Value::Text(ts(after)));
    }
    let filter = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    args.push(Value::Integer(sql_count(q.limit)));
    args.push(Value::Integer(sql_count(q.offset)));
    let sql = format!(
        "SELECT doc FROM outbox {filter} ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?"
    );
    docs(conn, &sql, params_from_iter(args.iter()), "outbox message")
}

/// The newest message a gateway knows by this id.
pub(crate) fn outbox_by_provider_id(
    conn: &Connection,
    provider: &str,
    provider_message_id: &str,
) -> Result<Option<OutboxMessage>> {
    one_doc(
        conn,
        "SELECT doc FROM outbox WHERE provider = ?1 AND provider_message_id = ?2
         ORDER BY created_at DESC, id DESC LIMIT 1",
        params![provider, provider_message_id],
        "outbox message",
    )
}

/// Lease queued messages due at `now` that nobody holds, oldest first; runs on the writer.
pub(crate) fn claim_outbox(
    conn: &Connection,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<OutboxMessage>> {
    let mut stmt = conn.prepare_cached(
        "UPDATE outbox SET lease_until = ?2
         WHERE id IN (SELECT id FROM outbox
                      WHERE status = 'queued'
                        AND (next_attempt_at IS NULL OR next_attempt_at <= ?1)
                        AND (lease_until IS NULL OR lease_until <= ?1)
                      ORDER BY created_at, id LIMIT ?3)
         RETURNING doc",
    )?;
    let mut rows = stmt.query(params![ts(now), ts(lease_until), sql_count(limit)])?;
    let mut out: Vec<OutboxMessage> = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(doc(row, 0, "outbox message")?);
    }
    // RETURNING gives rows in no promised order.
    out.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    Ok(out)
}

/// Audit entries, newest first.
pub(crate) fn audit_log(conn: &Connection, limit: usize) -> Result<Vec<AuditEntry>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, at, actor, action, record, context FROM audit
         ORDER BY at DESC, id DESC LIMIT ?1",
    )?;
    let mut rows = stmt.query([sql_count(limit)])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(audit_entry(r)?);
    }
    Ok(out)
}

/// An audit entry from a row of `id, at, actor, action, record, context`.
pub(crate) fn audit_entry(r: &rusqlite::Row<'_>) -> Result<AuditEntry> {
    let at: String = r.get(1)?;
    Ok(AuditEntry {
        id: r.get(0)?,
        at: parse_ts(&at)?,
        actor: r.get(2)?,
        action: r.get(3)?,
        record: r.get(4)?,
        context: r.get(5)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{migrated, query_plan};

    /// Reply detection reads the partial index in its order: no row of another alert of the
    /// number, and no sort (which read every alert of the window, documents included).
    #[test]
    fn reply_detection_walks_the_open_alerts_index_without_sorting() {
        let conn = migrated();
        let plan = query_plan(&conn, LATEST_ALERT_FROM_SQL);
        assert!(
            plan.iter()
                .any(|l| l.starts_with("SEARCH alerts USING INDEX alerts_reporter")),
            "{plan:?}"
        );
        assert!(!plan.iter().any(|l| l.contains("TEMP B-TREE")), "{plan:?}");
    }
}
