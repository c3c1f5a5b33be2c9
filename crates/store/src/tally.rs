//! Incident counts per day, kept beside the incidents in the same transaction, so that the
//! MRM/MARA table of a quarter sums a few thousand rows of counts instead of joining the
//! hundreds of thousands of incidents, violations and victims of the period (over a million
//! incidents the joins took seconds on SQLite; the target is 200 ms). One table per query
//! of the report, each keyed by the incident's day, compartment and state and the query's
//! dimensions, holding how many incidents (victims, for the victims' table) fall there.
//! Both backends run the same SQL; only the parameter marker differs.

/// One tally table: its name, its key columns, and the select of one incident's counts (or
/// every incident's) for it, over `incidents i` filtered by `{filter}`, with `{sign}`.
struct Table {
    name: &'static str,
    key: &'static str,
    select: &'static str,
}

const TABLES: [Table; 4] = [
    Table {
        name: "incident_tally_states",
        key: "occurred_on, compartment, state",
        select: "SELECT i.occurred_on, i.compartment, i.state, {sign} * count(*) FROM incidents i
                 WHERE {filter} GROUP BY 1, 2, 3",
    },
    Table {
        name: "incident_tally_violations",
        key: "occurred_on, compartment, state, violation",
        select: "SELECT i.occurred_on, i.compartment, i.state, v.violation, {sign} * count(*)
                 FROM incidents i JOIN incident_violations v ON v.incident_id = i.id
                 WHERE {filter} GROUP BY 1, 2, 3, 4",
    },
    Table {
        name: "incident_tally_victims",
        key: "occurred_on, compartment, state, violation, sex, age_group",
        select: "SELECT i.occurred_on, i.compartment, i.state, v.violation, w.sex, w.age_group,
                     {sign} * count(*)
                 FROM incidents i JOIN incident_violations v ON v.incident_id = i.id
                 JOIN incident_victims w ON w.incident_id = i.id
                 WHERE {filter} GROUP BY 1, 2, 3, 4, 5, 6",
    },
    Table {
        name: "incident_tally_perpetrators",
        key: "occurred_on, compartment, state, violation, category",
        select: "SELECT i.occurred_on, i.compartment, i.state, v.violation, p.category,
                     {sign} * count(*)
                 FROM incidents i JOIN incident_violations v ON v.incident_id = i.id
                 JOIN incident_perpetrators p ON p.incident_id = i.id
                 WHERE {filter} GROUP BY 1, 2, 3, 4, 5",
    },
];

/// The report's four queries over the tally tables (aliased `i`, with `i.compartment` and
/// `i.occurred_on` as on `incidents`) filtered by `{where}`: per state; per violation; per
/// violation, sex and age group (victims); per violation and perpetrator category. A group
/// whose counts cancel out (every incident moved away) is left out, as a count would be.
pub const TALLY_SQL: [&str; 4] = [
    "SELECT i.compartment, i.state, CAST(sum(i.n) AS BIGINT) FROM incident_tally_states i
     WHERE {where} GROUP BY 1, 2 HAVING sum(i.n) > 0",
    "SELECT i.compartment, i.state, i.violation, CAST(sum(i.n) AS BIGINT)
     FROM incident_tally_violations i WHERE {where} GROUP BY 1, 2, 3 HAVING sum(i.n) > 0",
    "SELECT i.compartment, i.state, i.violation, i.sex, i.age_group, CAST(sum(i.n) AS BIGINT)
     FROM incident_tally_victims i WHERE {where} GROUP BY 1, 2, 3, 4, 5 HAVING sum(i.n) > 0",
    "SELECT i.compartment, i.state, i.violation, i.category, CAST(sum(i.n) AS BIGINT)
     FROM incident_tally_perpetrators i WHERE {where} GROUP BY 1, 2, 3, 4 HAVING sum(i.n) > 0",
];

fn upsert(t: &Table, sign: &str, filter: &str) -> String {
    format!(
        "INSERT INTO {name} ({key}, n) {select}
         ON CONFLICT ({key}) DO UPDATE SET n = {name}.n + excluded.n",
        name = t.name,
        key = t.key,
        select = t.select.replace("{sign}", sign).replace("{filter}", filter),
    )
}

/// The statements that take one incident's counts out of the tallies (`add` false: run
/// before its rows change) or put them in (`add` true: after), the incident's id bound as
/// the first parameter, written `marker` (`?1` on SQLite, `$1` on PostgreSQL).
pub fn adjust(add: bool, marker: &str) -> [String; 4] {
    let sign = if add { "1" } else { "-1" };
    let filter = format!("i.id = {marker}");
    TABLES.each_ref().map(|t| upsert(t, sign, &filter))
}

/// The statements that rebuild every tally from the incidents and their side tables (after
/// rows were loaded in bulk).
pub fn rebuild() -> Vec<String> {
    let mut out: Vec<String> = TABLES
        .iter()
        .map(|t| format!("DELETE FROM {}", t.name))
        .collect();
    out.extend(TABLES.iter().map(|t| upsert(t, "1", "true")));
    out
}

/// For each tally table, its name and a query counting the rows where it and the counts
/// recomputed from the incidents disagree (zero when they agree), and the violation rows
/// whose day or compartment is not their incident's: `kinga verify` runs them.
pub fn checks() -> Vec<(&'static str, String)> {
    let mut out: Vec<(&'static str, String)> = TABLES
        .iter()
        .map(|t| {
            let fresh = t.select.replace("{sign}", "1").replace("{filter}", "true");
            let kept = format!(
                "SELECT {key}, n FROM {name} WHERE n <> 0",
                key = t.key,
                name = t.name
            );
            (
                t.name,
                format!(
                    "SELECT count(*) FROM (SELECT * FROM ({kept} EXCEPT {fresh}) AS x
                 UNION ALL SELECT * FROM ({fresh} EXCEPT {kept}) AS y) AS d"
                ),
            )
        })
        .collect();
    out.push((
        "incident_violations",
        "SELECT count(*) FROM incident_violations v JOIN incidents i ON i.id = v.incident_id
         WHERE v.occurred_on <> i.occurred_on OR v.compartment <> i.compartment"
            .to_string(),
    ));
    out
}

/// The fault `kinga verify` reports for a tally table that disagrees with the incidents.
pub fn fault(table: &str, rows: i64) -> String {
    format!(
        "{table}: {rows} row(s) disagree with the counts of the incidents (the MRM/MARA table \
         would be wrong; `kinga verify` rebuilt from the ledger holds the right counts)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_incident_is_adjusted_by_its_id_in_every_table() {
        let add = adjust(true, "?1");
        let sub = adjust(false, "$1");
        for (a, s) in add.iter().zip(&sub) {
            assert!(
                a.contains("i.id = ?1") && a.contains("SELECT i.occurred_on"),
                "{a}"
            );
            assert!(
                s.contains("i.id = $1") && s.contains("-1 * count(*)"),
                "{s}"
            );
            assert!(
                a.contains("ON CONFLICT") && a.contains(".n + excluded.n"),
                "{a}"
            );
        }
        assert_eq!(rebuild().len(), 8);
        let checks = checks();
        assert_eq!(checks.len(), TABLES.len() + 1);
        for (t, (name, q)) in TABLES.iter().zip(&checks) {
            assert_eq!(t.name, *name);
            assert!(q.contains("EXCEPT"), "{q}");
        }
        assert_eq!(checks[TABLES.len()].0, "incident_violations");
    }
}
