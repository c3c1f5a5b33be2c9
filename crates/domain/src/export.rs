//! One row per alert for exports (CSV with HXL hashtags, GeoJSON, XLSX): which columns, what
//! each holds, and the HXL hashtag of each. The same row feeds every format, so a column
//! means the same in all three.
//!
//! What is never exported: a reporter's name or phone number (they are sealed and never
//! reach this module), the alert's free text (people write names and numbers into it), notes
//! and messages. A reporter appears only as the focal point's pseudonym, and only when the
//! caller may see reporters (the application layer has already withheld it otherwise).

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value, json};

use crate::analysis::steps::steps;
use crate::place::{Gazetteer, PlaceLevel};
use crate::{Alert, AlertState};

/// Column names (the header row), in order.
pub const HEADERS: [&str; 27] = [
    "id",
    "reference",
    "reported_at",
    "received_at",
    "adm1_code",
    "adm1_name",
    "adm2_code",
    "adm2_name",
    "place_code",
    "place_name",
    "lat",
    "lon",
    "geo_level",
    "threat_type",
    "severity",
    "state",
    "outcome_category",
    "channel",
    "language",
    "uncovered",
    "unplaced",
    "responders",
    "acknowledged_at",
    "verified_at",
    "responding_at",
    "closed_at",
    "reporter",
];

/// HXL hashtags (the second row), one per column of [`HEADERS`].
pub const HXL_TAGS: [&str; 27] = [
    "#meta+id",
    "#meta+ref",
    "#date+reported",
    "#date+received",
    "#adm1+code",
    "#adm1+name",
    "#adm2+code",
    "#adm2+name",
    "#loc+code",
    "#loc+name",
    "#geo+lat",
    "#geo+lon",
    "#geo+precision",
    "#event+type",
    "#severity",
    "#status",
    "#status+outcome",
    "#meta+channel",
    "#meta+lang",
    "#meta+uncovered",
    "#meta+unplaced",
    "#org+responder",
    "#date+acknowledged",
    "#date+verified",
    "#date+responding",
    "#date+closed",
    "#meta+reporter",
];

/// One alert as exported.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportRow {
    cells: Vec<Cell>,
    /// Longitude and latitude of the point used, when the place (or an enclosing area) has one.
    pub point: Option<(f64, f64)>,
}

/// A value of one column.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Text(String),
    Number(f64),
    Int(i64),
    Bool(bool),
    Empty,
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn opt_text(s: Option<impl Into<String>>) -> Cell {
    s.map_or(Cell::Empty, text)
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn opt_time(t: Option<DateTime<Utc>>) -> Cell {
    t.map_or(Cell::Empty, |t| text(time(t)))
}

/// A text cell made safe for spreadsheets (OWASP "CSV injection"): a cell starting with
/// `=`, `+`, `-`, `@`, a tab or a carriage return is read as a formula by Excel and
/// LibreOffice, so it is prefixed with a single quote. Numbers Kinga writes itself are not
/// text cells and are left alone (a longitude of -1.16 stays a number).
pub fn safe_cell(s: &str) -> std::borrow::Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{s}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

impl ExportRow {
    /// The row of `alert` (already withheld as the caller may see it), with places named from
    /// `gaz` and responders named by `responder_name` (their id when unknown).
    pub fn new(alert: &Alert, gaz: &Gazetteer, responder_name: impl Fn(&str) -> String) -> Self {
        let lineage = alert
            .place
            .as_deref()
            .map(|p| gaz.lineage(p))
            .unwrap_or_default();
        let at_level = |level: PlaceLevel| lineage.iter().find(|p| p.level == level);
        let adm1 = at_level(PlaceLevel::Admin1);
        let adm2 = at_level(PlaceLevel::Admin2);
        let located = lineage
            .iter()
            .find_map(|p| Some(((p.lon?, p.lat?), p.level)));
        let st = steps(alert);
        let responders: Vec<String> = st.responders.iter().map(|r| responder_name(r)).collect();
        let outcome = (alert.state == AlertState::Closed)
            .then(|| alert.outcome_category.map(|c| c.as_str()))
            .flatten();
        let cells = vec![
            text(&alert.id),
            text(&alert.reference),
            text(time(alert.reported_at)),
            text(time(alert.received_at)),
            opt_text(adm1.map(|p| p.pcode.clone())),
            opt_text(adm1.map(|p| p.name.clone())),
            opt_text(adm2.map(|p| p.pcode.clone())),
            opt_text(adm2.map(|p| p.name.clone())),
            opt_text(alert.place.clone()),
            opt_text(lineage.first().map(|p| p.name.clone())),
            located.map_or(Cell::Empty, |((_, lat), _)| Cell::Number(lat)),
            located.map_or(Cell::Empty, |((lon, _), _)| Cell::Number(lon)),
            opt_text(located.map(|(_, level)| level.as_str())),
            opt_text(alert.threat_type.map(|t| t.as_str())),
            Cell::Int(i64::from(alert.severity.level())),
            text(alert.state.as_str()),
            opt_text(outcome),
            text(alert.channel.as_str()),
            opt_text(alert.language.clone()),
            Cell::Bool(alert.uncovered),
            Cell::Bool(alert.place.is_none()),
            if responders.is_empty() {
                Cell::Empty
            } else {
                text(responders.join("; "))
            },
            opt_time(st.acknowledged.map(|r| r.at)),
            opt_time(st.verified.map(|r| r.at)),
            opt_time(st.responding.map(|r| r.at)),
            opt_time(st.closed),
            if alert.reporter.hidden {
                Cell::Empty
            } else {
                opt_text(alert.reporter.pseudonym.clone())
            },
        ];
        ExportRow {
            cells,
            point: located.map(|(p, _)| p),
        }
    }

    /// The cells as spreadsheet-safe text, in [`HEADERS`] order (empty for no value).
    pub fn cells(&self) -> Vec<String> {
        self.cells
            .iter()
            .map(|c| match c {
                Cell::Text(s) => safe_cell(s).into_owned(),
                Cell::Number(n) => n.to_string(),
                Cell::Int(i) => i.to_string(),
                Cell::Bool(b) => b.to_string(),
                Cell::Empty => String::new(),
            })
            .collect()
    }

    /// The cells as typed values, for formats that keep types (XLSX, GeoJSON).
    pub fn values(&self) -> Vec<ExportValue> {
        self.cells
            .iter()
            .map(|c| match c {
                Cell::Text(s) => ExportValue::Text(safe_cell(s).into_owned()),
                Cell::Number(n) => ExportValue::Number(*n),
                Cell::Int(i) => ExportValue::Number(*i as f64),
                Cell::Bool(b) => ExportValue::Bool(*b),
                Cell::Empty => ExportValue::Empty,
            })
            .collect()
    }

    /// A GeoJSON Feature: a Point at the place (or its nearest enclosing area with a point),
    /// or `null` geometry for an alert with no located place, so that the file holds every
    /// alert the CSV holds. Properties are the columns of [`HEADERS`], typed.
    pub fn feature(&self) -> Value {
        let mut props = Map::new();
        for (k, c) in HEADERS.iter().zip(&self.cells) {
            let v = match c {
                // GeoJSON is not opened as a spreadsheet: text stays as written.
                Cell::Text(s) => Value::String(s.clone()),
                Cell::Number(n) => json!(n),
                Cell::Int(i) => json!(i),
                Cell::Bool(b) => Value::Bool(*b),
                Cell::Empty => Value::Null,
            };
            props.insert((*k).to_string(), v);
        }
        let geometry = match self.point {
            Some((lon, lat)) => json!({"type": "Point", "coordinates": [lon, lat]}),
            None => Value::Null,
        };
        json!({"type": "Feature", "geometry": geometry, "properties": props})
    }
}

/// A typed cell value.
#[derive(Debug, Clone, PartialEq)]
pub enum ExportValue {
    /// Text (already spreadsheet-safe).
    Text(String),
    /// A number.
    Number(f64),
    /// True or false.
    Bool(bool),
    /// No value.
    Empty,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Reporter;
    use crate::ThreatType;
    use crate::analysis::testkit::{alert, at, mv};
    use crate::place::Place;

    fn place(pcode: &str, name: &str, level: PlaceLevel, parent: Option<&str>, pt: bool) -> Place {
        Place {
            pcode: pcode.into(),
            name: name.into(),
            alt_names: vec![],
            level,
            parent: parent.map(String::from),
            country: "COD".into(),
            lat: pt.then_some(-1.163),
            lon: pt.then_some(29.455),
        }
    }

    fn gaz() -> Gazetteer {
        Gazetteer::new(vec![
            place("CD61", "Nord-Kivu", PlaceLevel::Admin1, None, false),
            place(
                "CD6111",
                "Rutshuru",
                PlaceLevel::Admin2,
                Some("CD61"),
                false,
            ),
            place(
                "CD6111-V001",
                "=Kiwanja",
                PlaceLevel::Settlement,
                Some("CD6111"),
                true,
            ),
        ])
    }

    #[test]
    fn headers_and_hashtags_line_up() {
        assert_eq!(HEADERS.len(), HXL_TAGS.len());
        assert!(HXL_TAGS.iter().all(|t| t.starts_with('#')));
        for want in [
            "#adm1+code",
            "#adm2+code",
            "#geo+lat",
            "#geo+lon",
            "#event+type",
        ] {
            assert!(HXL_TAGS.contains(&want), "{want}");
        }
    }

    #[test]
    fn a_row_names_its_areas_and_never_a_number_or_the_text() {
        let mut a = alert(
            "1",
            at(0),
            4,
            Some("CD6111-V001"),
            Some(ThreatType::ArmedPresence),
        );
        mv(&mut a, AlertState::Acknowledged, at(10), &[]);
        mv(&mut a, AlertState::Verified, at(20), &[]);
        mv(&mut a, AlertState::Assigned, at(30), &["clp"]);
        let row = ExportRow::new(&a, &gaz(), |r| r.to_uppercase());
        let cells = row.cells();
        let col = |h: &str| cells[HEADERS.iter().position(|x| *x == h).unwrap()].clone();
        assert_eq!(col("adm1_code"), "CD61");
        assert_eq!(col("adm2_name"), "Rutshuru");
        // A place name beginning with '=' would be a formula in a spreadsheet.
        assert_eq!(col("place_name"), "'=Kiwanja");
        assert_eq!(col("lat"), "-1.163");
        assert_eq!(col("lon"), "29.455");
        assert_eq!(col("geo_level"), "settlement");
        assert_eq!(col("acknowledged_at"), "2026-03-01T08:10:00Z");
        assert_eq!(col("responders"), "CLP");
        assert_eq!(col("reporter"), "FP-TW3KD");
        assert_eq!(col("unplaced"), "false");
        let all = cells.join(",");
        assert!(!all.contains("243990001001") && !all.contains("Jean") && !all.contains("sealed"));
        let f = row.feature();
        assert_eq!(f["geometry"]["coordinates"], json!([29.455, -1.163]));
        assert_eq!(f["properties"]["severity"], json!(4));
    }

    #[test]
    fn a_hidden_reporter_and_an_unplaced_alert() {
        let mut a = alert("2", at(0), 2, None, None);
        a.reporter = Reporter::withheld();
        let row = ExportRow::new(&a, &gaz(), |r| r.to_string());
        let cells = row.cells();
        let col = |h: &str| cells[HEADERS.iter().position(|x| *x == h).unwrap()].clone();
        assert_eq!(col("reporter"), "");
        assert_eq!(col("unplaced"), "true");
        assert_eq!(col("lat"), "");
        assert_eq!(row.feature()["geometry"], Value::Null);
    }

    #[test]
    fn formulas_are_defused() {
        for s in ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert!(safe_cell(s).starts_with('\''), "{s}");
        }
        assert_eq!(safe_cell("Kiwanja"), "Kiwanja");
    }
}
