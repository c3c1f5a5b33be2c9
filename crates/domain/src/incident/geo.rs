//! Incidents on the map and in exports (CSV with HXL hashtags, GeoJSON): one row per incident
//! of a compartment the reader may see, and, for every other compartment, only counts per
//! territory with small counts hidden, as the MRM/MARA table hides them. Identifying fields
//! (victims' names, sources, the narrative) never reach a row.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::Incident;
use super::report::Shown;
use crate::export::safe_cell;
use crate::place::{Gazetteer, Place, PlaceLevel};

/// Column names (the header row), in order.
pub const HEADERS: [&str; 18] = [
    "kind",
    "id",
    "occurred_on",
    "compartment",
    "adm1_code",
    "adm1_name",
    "adm2_code",
    "adm2_name",
    "place_code",
    "place_name",
    "lat",
    "lon",
    "violations",
    "state",
    "victims",
    "perpetrators",
    "incidents",
    "suppressed",
];

/// HXL hashtags (the second row), one per column of [`HEADERS`].
pub const HXL_TAGS: [&str; 18] = [
    "#meta+kind",
    "#meta+id",
    "#date+occurred",
    "#meta+compartment",
    "#adm1+code",
    "#adm1+name",
    "#adm2+code",
    "#adm2+name",
    "#loc+code",
    "#loc+name",
    "#geo+lat",
    "#geo+lon",
    "#event+type",
    "#status",
    "#affected+num",
    "#group+perpetrator",
    "#indicator+incidents+num",
    "#meta+suppressed",
];

/// One exported row: an incident, or the count of a territory's incidents in compartments
/// the reader may not see.
#[derive(Debug, Clone, PartialEq)]
pub struct IncidentRow {
    values: Vec<Value>,
    /// Longitude and latitude of the point used, when there is one.
    pub point: Option<(f64, f64)>,
}

/// The area an incident is counted in outside its compartment: its territory (admin 2), or
/// its place when that is coarser.
pub fn count_area(place: &str, gaz: &Gazetteer) -> String {
    let lineage = gaz.lineage(place);
    lineage
        .iter()
        .find(|p| p.level == PlaceLevel::Admin2)
        .or_else(|| lineage.first())
        .map_or_else(|| place.to_string(), |p| p.pcode.clone())
}

fn located(lineage: &[&Place]) -> Option<(f64, f64)> {
    lineage.iter().find_map(|p| Some((p.lon?, p.lat?)))
}

fn text(s: Option<&str>) -> Value {
    s.map_or(Value::Null, |s| Value::String(s.to_string()))
}

fn admin_cells(lineage: &[&Place]) -> [Value; 4] {
    let at = |level: PlaceLevel| lineage.iter().find(|p| p.level == level);
    let (a1, a2) = (at(PlaceLevel::Admin1), at(PlaceLevel::Admin2));
    [
        text(a1.map(|p| p.pcode.as_str())),
        text(a1.map(|p| p.name.as_str())),
        text(a2.map(|p| p.pcode.as_str())),
        text(a2.map(|p| p.name.as_str())),
    ]
}

impl IncidentRow {
    /// The row of an incident the reader may see (identities already withheld or not: no
    /// identifying field is read).
    pub fn record(i: &Incident, gaz: &Gazetteer) -> IncidentRow {
        let lineage = gaz.lineage(&i.place);
        let point = located(&lineage);
        let violations: Vec<&str> = i.violations.iter().map(|v| v.as_str()).collect();
        let perpetrators: Vec<String> = i
            .perpetrators
            .iter()
            .map(|p| match (&p.actor, &p.unit) {
                (Some(a), Some(u)) => format!("{a} ({u})"),
                (Some(a), None) => a.clone(),
                _ => p.category.as_str().to_string(),
            })
            .collect();
        let mut values = vec![
            json!("record"),
            json!(i.id),
            json!(i.occurred_on.to_string()),
            json!(i.compartment.as_str()),
        ];
        values.extend(admin_cells(&lineage));
        values.extend([
            json!(i.place),
            text(lineage.first().map(|p| p.name.as_str())),
            point.map_or(Value::Null, |(_, lat)| json!(lat)),
            point.map_or(Value::Null, |(lon, _)| json!(lon)),
            json!(violations.join("; ")),
            json!(i.state.as_str()),
            json!(i.victims.len()),
            json!(perpetrators.join("; ")),
            json!(1),
            json!(false),
        ]);
        IncidentRow { values, point }
    }

    /// The row counting the incidents of `area` (a P-code) the reader may not see: the
    /// figure, or nothing and `suppressed` when it is small.
    pub fn aggregate(area: &str, count: Shown, gaz: &Gazetteer) -> IncidentRow {
        let lineage = gaz.lineage(area);
        let point = located(&lineage);
        let mut values = vec![json!("aggregate"), Value::Null, Value::Null, Value::Null];
        values.extend(admin_cells(&lineage));
        let (n, suppressed) = match count {
            Shown::Count(n) => (json!(n), false),
            Shown::Suppressed(_) => (Value::Null, true),
        };
        values.extend([
            json!(area),
            text(lineage.first().map(|p| p.name.as_str())),
            point.map_or(Value::Null, |(_, lat)| json!(lat)),
            point.map_or(Value::Null, |(lon, _)| json!(lon)),
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null,
            n,
            json!(suppressed),
        ]);
        IncidentRow { values, point }
    }

    /// The cells as spreadsheet-safe text, in [`HEADERS`] order (empty for no value).
    pub fn cells(&self) -> Vec<String> {
        self.values
            .iter()
            .map(|v| match v {
                Value::String(s) => safe_cell(s).into_owned(),
                Value::Null => String::new(),
                other => other.to_string(),
            })
            .collect()
    }

    /// A GeoJSON Feature (a Point, or `null` geometry when nothing is located), properties
    /// typed as in [`HEADERS`].
    pub fn feature(&self) -> Value {
        let props: Map<String, Value> = HEADERS
            .iter()
            .zip(&self.values)
            .map(|(k, v)| ((*k).to_string(), v.clone()))
            .collect();
        let geometry = match self.point {
            Some((lon, lat)) => json!({"type": "Point", "coordinates": [lon, lat]}),
            None => Value::Null,
        };
        json!({"type": "Feature", "geometry": geometry, "properties": props})
    }
}

/// Counts of incidents per area, as they may leave their compartments: a count below
/// `threshold` (not zero) is hidden. No total is given beside them, so a hidden count
/// cannot be found by subtraction.
pub fn shown_counts(counts: &BTreeMap<String, u64>, threshold: u64) -> Vec<(String, Shown)> {
    counts
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(area, n)| {
            let shown = if *n < threshold {
                Shown::Suppressed(threshold)
            } else {
                Shown::Count(*n)
            };
            (area.clone(), shown)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_counts_are_hidden_and_zeros_left_out() {
        let counts = BTreeMap::from([
            ("CD6111".to_string(), 4),
            ("CD6103".to_string(), 5),
            ("CD6104".to_string(), 0),
        ]);
        assert_eq!(
            shown_counts(&counts, 5),
            vec![
                ("CD6103".to_string(), Shown::Count(5)),
                ("CD6111".to_string(), Shown::Suppressed(5)),
            ]
        );
    }

    #[test]
    fn headers_and_tags_match() {
        assert_eq!(HEADERS.len(), HXL_TAGS.len());
        assert!(HXL_TAGS.iter().all(|t| t.starts_with('#')));
    }
}
