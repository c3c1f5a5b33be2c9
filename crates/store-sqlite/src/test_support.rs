//! What the unit tests of this crate's modules share.

use rusqlite::Connection;

/// A new in-memory database with the whole schema migrated.
pub(crate) fn migrated() -> Connection {
    let mut conn = Connection::open_in_memory().expect("memory");
    crate::migrate::migrate(&mut conn).expect("migrate");
    conn
}

/// The detail lines of `EXPLAIN QUERY PLAN sql` (parameters left unbound: NULL; the plan
/// does not depend on them).
pub(crate) fn query_plan(conn: &Connection, sql: &str) -> Vec<String> {
    let mut stmt = conn
        .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .expect("plan");
    let mut rows = stmt.raw_query();
    let mut plan = Vec::new();
    while let Some(row) = rows.next().expect("plan row") {
        plan.push(row.get::<_, String>(3).expect("detail"));
    }
    plan
}
