//! The rows of an import, many per statement: runs of new alerts go in by one `INSERT …
//! SELECT FROM UNNEST` over arrays, one round trip for a thousand rows instead of one each;
//! any other row is written as every commit writes it. A run that meets a duplicate is undone
//! and written row by row, which refuses the duplicate with the very error a single write
//! gives.
//!
//! A new alert's columns and JSON document are encoded beforehand ([`Prepared::of`], on the
//! import's preparing thread) so that the server inserts one batch while the next is encoded:
//! encoded at the insertion, the documents left the server idle a quarter of the time.

use bytes::{BufMut, BytesMut};
use chrono::{DateTime, Utc};
use deadpool_postgres::Transaction;
use tokio_postgres::types::{IsNull, ToSql, Type, accepts, to_sql_checked};

use kinga_store::Write;
use kinga_store::support::AlertColumns;

use crate::error::Result;
use crate::project;

/// A JSON text already encoded, sent as a `json` or `jsonb` value.
#[derive(Debug)]
pub(crate) struct RawJson(String);

impl RawJson {
    fn of<T: serde::Serialize>(value: &T) -> Result<RawJson> {
        serde_json::to_string(value).map(RawJson).map_err(|e| {
            kinga_store::StoreError::Backend(format!("cannot encode a row: {e}")).into()
        })
    }
}

impl ToSql for RawJson {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        // jsonb's binary form is a version byte before the text; json's is the text.
        if *ty == Type::JSONB {
            out.put_u8(1);
        }
        out.put_slice(self.0.as_bytes());
        Ok(IsNull::No)
    }

    accepts!(JSON, JSONB);
    to_sql_checked!();
}

/// A new alert's columns and document, encoded.
#[derive(Debug)]
struct Encoded {
    columns: AlertColumns,
    assigned: RawJson,
    doc: RawJson,
}

/// Rows of an import, each new alert encoded.
pub(crate) struct Prepared {
    writes: Vec<Write>,
    /// One per write: `Some` for a new alert.
    encoded: Vec<Option<Encoded>>,
}

impl Prepared {
    /// Encode the new alerts among `writes`.
    pub(crate) fn of(writes: Vec<Write>) -> Result<Prepared> {
        let encoded = writes
            .iter()
            .map(|w| match w {
                Write::Alert {
                    alert,
                    expected_version: None,
                } => Ok(Some(Encoded {
                    columns: AlertColumns::of(alert)?,
                    assigned: RawJson::of(&alert.assigned)?,
                    doc: RawJson::of(alert.as_ref())?,
                })),
                _ => Ok(None),
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Prepared { writes, encoded })
    }

    /// How many rows.
    pub(crate) fn len(&self) -> usize {
        self.writes.len()
    }
}

/// Write `rows` in order.
pub(crate) async fn apply_rows(tx: &Transaction<'_>, rows: &Prepared) -> Result<()> {
    let mut i = 0;
    while i < rows.writes.len() {
        let run = rows.encoded[i..].iter().take_while(|e| e.is_some()).count();
        if run > 1 {
            let run = i..i + run;
            insert_alerts(tx, &rows.writes[run.clone()], &rows.encoded[run.clone()]).await?;
            i = run.end;
        } else {
            project::apply(tx, &rows.writes[i]).await?;
            i += 1;
        }
    }
    Ok(())
}

/// Insert new alerts (every write given is one, `encoded` beside it) with one statement.
async fn insert_alerts(
    tx: &Transaction<'_>,
    writes: &[Write],
    encoded: &[Option<Encoded>],
) -> Result<()> {
    let alerts: Vec<&kinga_domain::Alert> = writes
        .iter()
        .filter_map(|w| match w {
            Write::Alert { alert, .. } => Some(alert.as_ref()),
            _ => None,
        })
        .collect();
    let encoded: Vec<&Encoded> = encoded.iter().flatten().collect();
    let cols: Vec<&AlertColumns> = encoded.iter().map(|e| &e.columns).collect();
    let ids: Vec<&str> = alerts.iter().map(|a| a.id.as_str()).collect();
    let references: Vec<&str> = alerts.iter().map(|a| a.reference.as_str()).collect();
    let states: Vec<&str> = cols.iter().map(|c| c.state).collect();
    let open: Vec<bool> = cols.iter().map(|c| c.open).collect();
    let severities: Vec<i16> = cols.iter().map(|c| c.severity).collect();
    let threats: Vec<Option<&str>> = cols.iter().map(|c| c.threat_type).collect();
    let places: Vec<Option<&str>> = cols.iter().map(|c| c.place.as_deref()).collect();
    let uncovered: Vec<bool> = cols.iter().map(|c| c.uncovered).collect();
    let reported: Vec<DateTime<Utc>> = cols.iter().map(|c| c.reported_at).collect();
    let received: Vec<DateTime<Utc>> = cols.iter().map(|c| c.received_at).collect();
    let deadlines: Vec<Option<DateTime<Utc>>> = cols.iter().map(|c| c.next_deadline).collect();
    let digests: Vec<Option<&str>> = cols.iter().map(|c| c.reporter_digest.as_deref()).collect();
    let assigned: Vec<&RawJson> = encoded.iter().map(|e| &e.assigned).collect();
    let versions: Vec<i64> = cols.iter().map(|c| c.version).collect();
    let docs: Vec<&RawJson> = encoded.iter().map(|e| &e.doc).collect();
    let taken: Vec<Option<&str>> = cols.iter().map(|c| c.taken_by.as_deref()).collect();
    let unheard: Vec<bool> = cols.iter().map(|c| c.unheard).collect();
    let args: [&(dyn ToSql + Sync); 17] = [
        &ids,
        &references,
        &states,
        &open,
        &severities,
        &threats,
        &places,
        &uncovered,
        &reported,
        &received,
        &deadlines,
        &digests,
        &assigned,
        &versions,
        &docs,
        &taken,
        &unheard,
    ];
    let stmt = tx
        .prepare_cached(
            "INSERT INTO alerts (id, reference, state, open, severity, threat_type, place,
                 uncovered, reported_at, received_at, next_deadline, reporter_digest, assigned,
                 version, doc, taken_by, unheard)
             SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::boolean[],
                 $5::smallint[], $6::text[], $7::text[], $8::boolean[], $9::timestamptz[],
                 $10::timestamptz[], $11::timestamptz[], $12::text[], $13::jsonb[],
                 $14::bigint[], $15::json[], $16::text[], $17::boolean[])
             ON CONFLICT DO NOTHING",
        )
        .await?;
    // A savepoint only so that a run with a duplicate can be written again row by row.
    tx.batch_execute("SAVEPOINT kinga_bulk").await?;
    let n = tx.execute(&stmt, &args).await?;
    if n == writes.len() as u64 {
        tx.batch_execute("RELEASE SAVEPOINT kinga_bulk").await?;
        return Ok(());
    }
    tx.batch_execute("ROLLBACK TO SAVEPOINT kinga_bulk; RELEASE SAVEPOINT kinga_bulk")
        .await?;
    for w in writes {
        project::apply(tx, w).await?;
    }
    Ok(())
}
