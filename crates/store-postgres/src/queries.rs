//! The read side: every query of the store trait that needs more than a lookup by key.

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use serde::de::DeserializeOwned;
use tokio_postgres::Row;
use tokio_postgres::types::{Json, ToSql};

use kinga_domain::outbox::OutboxMessage;
use kinga_domain::{Alert, AlertState};
use kinga_ledger::Event;
use kinga_store::support::{
    from_sql_int, like_pattern, page_limit, prefix_upper_bound, sql_count, to_sql_int, variant_name,
};
use kinga_store::{
    AlertPage, AlertQuery, AlertSort, AlertTallies, AuditEntry, IdempotentAnswer, MessageLookup,
    OutboxQuery, StoreError,
};

use crate::error::{Result, corrupt};

/// A bound query argument.
type Arg = Box<dyn ToSql + Sync + Send>;

/// The JSON document in column `idx`.
pub(crate) fn doc<T: DeserializeOwned>(row: &Row, idx: usize) -> Result<T> {
    row.try_get::<_, Json<T>>(idx).map(|j| j.0).map_err(corrupt)
}

/// Every row's JSON document from a query selecting `doc` first.
pub(crate) async fn docs<T: DeserializeOwned>(
    client: &impl GenericClient,
    sql: &str,
    args: &[&(dyn ToSql + Sync)],
) -> Result<Vec<T>> {
    let stmt = client.prepare_cached(sql).await?;
    client
        .query(&stmt, args)
        .await?
        .iter()
        .map(|r| doc(r, 0))
        .collect()
}

/// The first row's JSON document, if any.
pub(crate) async fn one_doc<T: DeserializeOwned>(
    client: &impl GenericClient,
    sql: &str,
    args: &[&(dyn ToSql + Sync)],
) -> Result<Option<T>> {
    let stmt = client.prepare_cached(sql).await?;
    client
        .query_opt(&stmt, args)
        .await?
        .map(|r| doc(&r, 0))
        .transpose()
}

/// Events after `after`, in ledger order.
pub(crate) async fn events(
    client: &impl GenericClient,
    after: u64,
    limit: usize,
) -> Result<Vec<(u64, Event)>> {
    let stmt = client
        .prepare_cached(
            "SELECT position, id, origin, seq, actor, at, payload, prev_hash, hash
             FROM events WHERE position > $1 ORDER BY position LIMIT $2",
        )
        .await?;
    let rows = client
        .query(&stmt, &[&to_sql_int(after, "position")?, &sql_count(limit)])
        .await?;
    rows.iter().map(event).collect()
}

fn event(r: &Row) -> Result<(u64, Event)> {
    let position = from_sql_int(r.try_get(0).map_err(corrupt)?, "event position")?;
    let event = Event {
        id: r.try_get(1).map_err(corrupt)?,
        origin: r.try_get(2).map_err(corrupt)?,
        seq: from_sql_int(r.try_get(3).map_err(corrupt)?, "event sequence number")?,
        actor: r.try_get(4).map_err(corrupt)?,
        at: r.try_get(5).map_err(corrupt)?,
        payload: r.try_get(6).map_err(corrupt)?,
        prev_hash: r.try_get(7).map_err(corrupt)?,
        hash: r.try_get(8).map_err(corrupt)?,
    };
    Ok((position, event))
}

/// Numbered placeholders and their arguments, built up clause by clause.
#[derive(Default)]
pub(crate) struct Filter {
    pub(crate) clauses: Vec<String>,
    args: Vec<Arg>,
}

impl Filter {
    /// Add an argument; returns its placeholder.
    pub(crate) fn arg(&mut self, value: impl ToSql + Sync + Send + 'static) -> String {
        self.args.push(Box::new(value));
        format!("${}", self.args.len())
    }

    pub(crate) fn sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", self.clauses.join(" AND "))
        }
    }

    pub(crate) fn refs(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.args
            .iter()
            .map(|a| a.as_ref() as &(dyn ToSql + Sync))
            .collect()
    }
}

fn alert_filter(q: &AlertQuery) -> Filter {
    let mut f = Filter::default();
    match q.states.as_slice() {
        [] => {}
        // One state as an equality, not `= ANY(array)`: the planner then walks the indexes
        // led by state in their order and stops at the page (the queue's new alerts, in
        // arrival order, read 65,000 rows and sorted them: 100 ms in a flood).
        [one] => {
            let p = f.arg(one.as_str());
            f.clauses.push(format!("state = {p}"));
        }
        many => {
            let states: Vec<String> = many.iter().map(|s| s.as_str().to_string()).collect();
            let p = f.arg(states);
            f.clauses.push(format!("state = ANY({p})"));
            // Spelled out, for the planner: the queue's list below the new alerts then walks
            // the index of the open alerts past acknowledgement, instead of stepping over
            // every unacknowledged alert of a flood (20 ms over 87,000; 0.5 ms with it).
            if !many.contains(&AlertState::Received) {
                f.clauses.push("state <> 'received'".into());
            }
        }
    }
    if q.open_only {
        f.clauses.push("open".into());
    }
    if let Some(prefix) = q.place_prefix.as_deref().filter(|p| !p.is_empty()) {
        // A range on the "C"-collated column rather than LIKE: exact, and uses the index.
        let p = f.arg(prefix.to_string());
        f.clauses.push(format!("place >= {p}"));
        if let Some(upper) = prefix_upper_bound(prefix) {
            let p = f.arg(upper);
            f.clauses.push(format!("place < {p}"));
        }
    }
    if let Some(t) = q.threat_type {
        let p = f.arg(t.as_str());
        f.clauses.push(format!("threat_type = {p}"));
    }
    if q.uncovered_only {
        f.clauses.push("uncovered".into());
    }
    if let Some(t) = q.overdue_at {
        let p = f.arg(t);
        f.clauses.push(format!("next_deadline <= {p}"));
    }
    if let Some(r) = &q.assigned_to {
        let p = f.arg(r.clone());
        f.clauses
            .push(format!("assigned @> jsonb_build_array({p}::text)"));
    }
    let areas: Vec<&String> = q.areas.iter().filter(|a| !a.is_empty()).collect();
    if !areas.is_empty() {
        let mut any = Vec::new();
        for a in areas {
            let lo = f.arg(a.clone());
            match prefix_upper_bound(a) {
                Some(upper) => {
                    let hi = f.arg(upper);
                    any.push(format!("(place >= {lo} AND place < {hi})"));
                }
                None => any.push(format!("place >= {lo}")),
            }
        }
        f.clauses.push(format!("({})", any.join(" OR ")));
    }
    if q.unplaced_only {
        f.clauses.push("place IS NULL".into());
    }
    if let Some(t) = q.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let p = f.arg(like_pattern(t));
        f.clauses.push(format!(
            "((doc->>'text') ILIKE {p} ESCAPE '\\' OR reference ILIKE {p} ESCAPE '\\')"
        ));
    }
    if let Some(t) = q.received_from {
        let p = f.arg(t);
        f.clauses.push(format!("received_at >= {p}"));
    }
    if let Some(t) = q.received_to {
        let p = f.arg(t);
        f.clauses.push(format!("received_at < {p}"));
    }
    if let Some(u) = &q.taken_by {
        let p = f.arg(u.clone());
        f.clauses.push(format!("taken_by = {p}"));
    }
    if let Some((t, id)) = &q.before {
        let (pt, pid) = (f.arg(*t), f.arg(id.clone()));
        f.clauses.push(format!(
            "(received_at < {pt} OR (received_at = {pt} AND id < {pid}))"
        ));
    }
    f
}

/// The queue's counts over the alerts a query matches, in one pass.
pub(crate) async fn alert_tallies(
    client: &deadpool_postgres::Object,
    q: &AlertQuery,
    overdue_at: DateTime<Utc>,
) -> Result<AlertTallies> {
    let mut f = alert_filter(q);
    let filter = f.sql();
    let at = f.arg(overdue_at);
    let stmt = client
        .prepare_cached(&format!(
            "SELECT count(*), count(*) FILTER (WHERE uncovered),
                 count(*) FILTER (WHERE place IS NULL),
                 count(*) FILTER (WHERE next_deadline <= {at}),
                 count(*) FILTER (WHERE state = 'received')
             FROM alerts {filter}"
        ))
        .await?;
    let row = client.query_one(&stmt, &f.refs()).await?;
    let n = |i: usize| -> Result<u64> {
        let v: i64 = row.try_get(i).map_err(corrupt)?;
        Ok(from_sql_int(v, "alert count")?)
    };
    Ok(AlertTallies {
        total: n(0)?,
        uncovered: n(1)?,
        unplaced: n(2)?,
        overdue: n(3)?,
        received: n(4)?,
    })
}

/// A page of alerts and the number matching, from one snapshot.
pub(crate) async fn alerts(
    client: &mut deadpool_postgres::Object,
    q: &AlertQuery,
) -> Result<AlertPage> {
    let mut f = alert_filter(q);
    let filter = f.sql();
    let tx = client
        .build_transaction()
        .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await?;
    let total: i64 = if q.no_total {
        0
    } else {
        let count = tx
            .prepare_cached(&format!("SELECT count(*) FROM alerts {filter}"))
            .await?;
        tx.query_one(&count, &f.refs())
            .await?
            .try_get(0)
            .map_err(corrupt)?
    };
    let limit = page_limit(q.limit);
    let mut items = Vec::new();
    if limit > 0 {
        let order = match q.sort {
            AlertSort::Queue => {
                "severity DESC, next_deadline ASC NULLS LAST, received_at ASC, id ASC"
            }
            AlertSort::Newest => "received_at DESC, id DESC",
            // Unheard calls first (a column, not the documents: in a flood every alert is new).
            AlertSort::Arrivals => "unheard DESC, received_at DESC, id DESC",
        };
        let (l, o) = (f.arg(sql_count(limit)), f.arg(sql_count(q.offset)));
        let sql = format!("SELECT doc FROM alerts {filter} ORDER BY {order} LIMIT {l} OFFSET {o}");
        let stmt = tx.prepare_cached(&sql).await?;
        items = tx
            .query(&stmt, &f.refs())
            .await?
            .iter()
            .map(|r| doc(r, 0))
            .collect::<Result<_>>()?;
    }
    tx.commit().await?;
    Ok(AlertPage {
        items,
        total: from_sql_int(total, "alert count")?,
    })
}

/// Alerts reported in `[from, to)`.
pub(crate) async fn alerts_reported_between(
    client: &impl GenericClient,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Alert>> {
    let sql = "SELECT doc FROM alerts WHERE reported_at >= $1 AND reported_at < $2 ORDER BY reported_at, id";
    docs(client, sql, &[&from, &to]).await
}

/// Open alerts whose deadline is at or before `now`, most overdue first.
pub(crate) async fn alerts_due(
    client: &impl GenericClient,
    now: DateTime<Utc>,
) -> Result<Vec<Alert>> {
    let sql =
        "SELECT doc FROM alerts WHERE open AND next_deadline IS NOT NULL AND next_deadline <= $1
               ORDER BY next_deadline, id";
    docs(client, sql, &[&now]).await
}

/// The newest open alert from a phone digest, received at or after `since`.
pub(crate) async fn latest_alert_from(
    client: &impl GenericClient,
    digest: &str,
    since: DateTime<Utc>,
) -> Result<Option<Alert>> {
    let sql = "SELECT doc FROM alerts WHERE reporter_digest = $1 AND open AND received_at >= $2
               ORDER BY received_at DESC, id DESC LIMIT 1";
    one_doc(client, sql, &[&digest, &since]).await
}

/// The stored answer for an idempotency key.
pub(crate) async fn idempotent(
    client: &impl GenericClient,
    key: &str,
) -> Result<Option<IdempotentAnswer>> {
    let stmt = client
        .prepare_cached(
            "SELECT key, fingerprint, status, body, created_at FROM idempotency WHERE key = $1",
        )
        .await?;
    let row = client.query_opt(&stmt, &[&key]).await?;
    row.as_ref().map(answer_of).transpose()
}

/// The stored answer for `key` and, when there is none and `sender` is given, that phone
/// digest's latest open alert received at or after the instant given: one round trip where
/// an SMS would otherwise take two before it is taken in.
pub(crate) async fn message_lookup(
    client: &impl GenericClient,
    key: &str,
    sender: Option<(&str, DateTime<Utc>)>,
) -> Result<MessageLookup> {
    let Some((digest, since)) = sender else {
        let answer = idempotent(client, key).await?;
        return Ok(MessageLookup {
            answer,
            latest: None,
        });
    };
    // The alert is looked for only when the key is unknown (a retry needs nothing else).
    let stmt = client
        .prepare_cached(
            "SELECT i.key, i.fingerprint, i.status, i.body, i.created_at,
                    (SELECT doc FROM alerts
                     WHERE i.key IS NULL AND reporter_digest = $2 AND open AND received_at >= $3
                     ORDER BY received_at DESC, id DESC LIMIT 1)
             FROM (SELECT 1) AS one LEFT JOIN idempotency i ON i.key = $1",
        )
        .await?;
    let row = client.query_one(&stmt, &[&key, &digest, &since]).await?;
    let known: Option<String> = row.try_get(0).map_err(corrupt)?;
    let answer = known.map(|_| answer_of(&row)).transpose()?;
    let latest = row
        .try_get::<_, Option<Json<Alert>>>(5)
        .map_err(corrupt)?
        .map(|j| j.0);
    Ok(MessageLookup { answer, latest })
}

/// Answers given before `before` whose bodies were never thinned, oldest first.
pub(crate) async fn idempotent_to_thin(
    client: &impl GenericClient,
    before: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<IdempotentAnswer>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let stmt = client
        .prepare_cached(
            "SELECT key, fingerprint, status, body, created_at FROM idempotency
             WHERE NOT thinned AND created_at < $1 ORDER BY created_at LIMIT $2",
        )
        .await?;
    let rows = client.query(&stmt, &[&before, &limit]).await?;
    rows.iter().map(answer_of).collect()
}

fn answer_of(r: &Row) -> Result<IdempotentAnswer> {
    let key: String = r.try_get(0).map_err(corrupt)?;
    let status: i32 = r.try_get(2).map_err(corrupt)?;
    let status = u16::try_from(status)
        .map_err(|_| StoreError::Corrupt(format!("HTTP status {status} for key {key}")))?;
    Ok(IdempotentAnswer {
        key,
        fingerprint: r.try_get(1).map_err(corrupt)?,
        status,
        body: doc(r, 3)?,
        created_at: r.try_get(4).map_err(corrupt)?,
    })
}

/// Outbox messages, newest first.
pub(crate) async fn outbox(
    client: &impl GenericClient,
    q: &OutboxQuery,
) -> Result<Vec<OutboxMessage>> {
    let mut f = Filter::default();
    if !q.statuses.is_empty() {
        let statuses = q
            .statuses
            .iter()
            .map(variant_name)
            .collect::<std::result::Result<Vec<String>, StoreError>>()?;
        let p = f.arg(statuses);
        f.clauses.push(format!("status = ANY({p})"));
    }
    if let Some(alert) = &q.alert {
        let p = f.arg(alert.clone());
        f.clauses.push(format!("alert = {p}"));
    }
    if let Some(user) = &q.inbox_of {
        let p = f.arg(user.clone());
        f.clauses.push(format!("inbox_user = {p}"));
    }
    if let Some(after) = q.after {
        let p = f.arg(after);
        f.clauses.push(format!("created_at > {p}"));
    }
    let filter = f.sql();
    let l = f.arg(sql_count(q.limit));
    let o = f.arg(sql_count(q.offset));
    let sql = format!(
        "SELECT doc FROM outbox {filter} ORDER BY created_at DESC, id DESC LIMIT {l} OFFSET {o}"
    );
    docs(client, &sql, &f.refs()).await
}

/// The newest message a gateway knows by this id.
pub(crate) async fn outbox_by_provider_id(
    client: &impl GenericClient,
    provider: &str,
    provider_message_id: &str,
) -> Result<Option<OutboxMessage>> {
    one_doc(
        client,
        "SELECT doc FROM outbox WHERE provider = $1 AND provider_message_id = $2
         ORDER BY created_at DESC, id DESC LIMIT 1",
        &[&provider, &provider_message_id],
    )
    .await
}

/// Lease queued messages due at `now` that nobody holds, oldest first. SKIP LOCKED lets
/// servers sharing the database claim side by side without waiting for each other.
pub(crate) async fn claim_outbox(
    client: &impl GenericClient,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<OutboxMessage>> {
    let mut claimed: Vec<OutboxMessage> = docs(
        client,
        "UPDATE outbox SET lease_until = $2
         WHERE id IN (SELECT id FROM outbox
                      WHERE status = 'queued'
                        AND (next_attempt_at IS NULL OR next_attempt_at <= $1)
                        AND (lease_until IS NULL OR lease_until <= $1)
                      ORDER BY created_at, id LIMIT $3
                      FOR UPDATE SKIP LOCKED)
         RETURNING doc",
        &[&now, &lease_until, &sql_count(limit)],
    )
    .await?;
    // RETURNING gives rows in no promised order.
    claimed.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    Ok(claimed)
}

/// Audit entries, newest first.
pub(crate) async fn audit_log(
    client: &impl GenericClient,
    limit: usize,
) -> Result<Vec<AuditEntry>> {
    let stmt = client
        .prepare_cached(
            "SELECT id, at, actor, action, record, context FROM audit
             ORDER BY at DESC, id DESC LIMIT $1",
        )
        .await?;
    let rows = client.query(&stmt, &[&sql_count(limit)]).await?;
    rows.iter()
        .map(|r| {
            Ok(AuditEntry {
                id: r.try_get(0).map_err(corrupt)?,
                at: r.try_get(1).map_err(corrupt)?,
                actor: r.try_get(2).map_err(corrupt)?,
                action: r.try_get(3).map_err(corrupt)?,
                record: r.try_get(4).map_err(corrupt)?,
                context: r.try_get(5).map_err(corrupt)?,
            })
        })
        .collect()
}
