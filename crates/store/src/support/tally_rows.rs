//! Report tallies from the rows of the tally queries, and the perpetrator categories an
//! incident counts under.

use serde::de::DeserializeOwned;

use kinga_domain::incident::report::{IncidentTally, PerpetratorTally, Tallies, VictimTally};

use super::sql::from_sql_int;
use crate::{StoreError, StoreResult};

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
