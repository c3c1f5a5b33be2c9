//! Context events: rows of public conflict data sets (UCDP GED, ACLED) imported so that the
//! map can show them beside the community's own alerts. They are someone else's record, kept
//! with their source and licence note, and never counted in Kinga's own figures (alert
//! counts, hotspots, risk, indicators, spikes): only the map draws them, in a layer of
//! their own.
//!
//! This module reads one CSV row, given as column name → value, in the column layouts the
//! data sets publish (UCDP GED's `id, relid, year, …, date_start, date_end, …, best, …`;
//! ACLED's `event_id_cnty, event_date, year, …, latitude, longitude, …, fatalities, …`).
//! Extra columns are ignored, so newer releases with more columns still read.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Longest text kept of a free-text column (notes, names), in characters.
pub const MAX_TEXT: usize = 500;

/// The data set a context event comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ContextDataset {
    /// The Uppsala Conflict Data Program's Georeferenced Event Dataset.
    UcdpGed,
    /// Armed Conflict Location & Event Data, or a CSV in its column layout.
    Acled,
}

impl ContextDataset {
    /// The snake_case identifier (`ucdp_ged`, `acled`).
    pub fn as_str(self) -> &'static str {
        match self {
            ContextDataset::UcdpGed => "ucdp_ged",
            ContextDataset::Acled => "acled",
        }
    }

    /// How people name it.
    pub fn label(self) -> &'static str {
        match self {
            ContextDataset::UcdpGed => "UCDP GED",
            ContextDataset::Acled => "ACLED",
        }
    }

    /// The licence note kept with every event when the importer gives none.
    pub fn default_licence(self) -> &'static str {
        match self {
            ContextDataset::UcdpGed => {
                "UCDP Georeferenced Event Dataset (GED), Uppsala Conflict Data Program, \
                 ucdp.uu.se. Licence CC BY 4.0: cite Sundberg & Melander (2013), Journal of \
                 Peace Research 50(4), and the release used."
            }
            ContextDataset::Acled => {
                "Armed Conflict Location & Event Data (ACLED), acleddata.com. ACLED's Terms of \
                 Use apply: attribute ACLED; the data set itself is not redistributed."
            }
        }
    }

    /// Columns a file of this data set must have.
    pub fn required_columns(self) -> &'static [&'static str] {
        match self {
            ContextDataset::UcdpGed => &[
                "id",
                "type_of_violence",
                "latitude",
                "longitude",
                "date_start",
            ],
            ContextDataset::Acled => &[
                "event_id_cnty",
                "event_date",
                "event_type",
                "latitude",
                "longitude",
            ],
        }
    }
}

impl fmt::Display for ContextDataset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ContextDataset {
    type Err = ContextError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "ucdp_ged" | "ucdp" | "ged" => Ok(ContextDataset::UcdpGed),
            "acled" => Ok(ContextDataset::Acled),
            other => Err(ContextError::Format(other.to_string())),
        }
    }
}

/// Why a file or a row of one cannot be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ContextError {
    /// Not a data set Kinga reads.
    #[error("unknown context format '{0}' (ucdp-ged, acled)")]
    Format(String),
    /// The header lacks a column the data set always has.
    #[error("the file has no '{column}' column: is it a {dataset} CSV?")]
    MissingColumn {
        /// The data set.
        dataset: &'static str,
        /// The column.
        column: &'static str,
    },
    /// One row is wrong.
    #[error("row {row}: {reason}")]
    Row {
        /// Row number in the file (the header is row 1).
        row: usize,
        /// What is wrong.
        reason: String,
    },
}

/// One event of a public conflict data set, as Kinga keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContextEvent {
    /// `<dataset>:<the data set's own id>` (`ucdp_ged:512345`, `acled:COD12345`): importing
    /// the same release again replaces, never doubles.
    pub id: String,
    /// Which data set.
    pub dataset: ContextDataset,
    /// The data set's own id of the event.
    pub source_id: String,
    /// Day it happened (UCDP: `date_start`).
    pub date: NaiveDate,
    /// Last day, when the data set gives a span (UCDP's `date_end`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_end: Option<NaiveDate>,
    /// Type of event: ACLED's `event_type`; UCDP's type of violence in words
    /// (`state-based`, `non-state`, `one-sided`).
    pub event_type: String,
    /// ACLED's `sub_event_type`; UCDP's `conflict_name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_event_type: Option<String>,
    /// The actors named, as the data set names them (UCDP `side_a`, `side_b`; ACLED
    /// `actor1`, `actor2`).
    #[serde(default)]
    pub actors: Vec<String>,
    /// Country, as the data set writes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// First-level area, as the data set writes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin1: Option<String>,
    /// Second-level area.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin2: Option<String>,
    /// Place name (ACLED `location`, UCDP `where_coordinates`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Latitude, degrees (WGS84).
    pub lat: f64,
    /// Longitude, degrees.
    pub lon: f64,
    /// Deaths: UCDP's best estimate (`best`), ACLED's `fatalities`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fatalities: Option<u32>,
    /// The data set's own sources (ACLED `source`, UCDP `source_office`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// ACLED's `notes`; UCDP's `where_description`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// The licence note of the data set, as given at import.
    pub licence: String,
    /// When it was imported.
    pub imported_at: DateTime<Utc>,
    /// Who imported it (user id).
    pub imported_by: String,
}

/// The columns of a header, by name.
#[derive(Debug, Clone)]
pub struct ContextHeader {
    dataset: ContextDataset,
    index: HashMap<String, usize>,
}

impl ContextHeader {
    /// Read a header row, checking that the data set's required columns are there.
    pub fn new(dataset: ContextDataset, names: &[&str]) -> Result<Self, ContextError> {
        let index: HashMap<String, usize> = names
            .iter()
            .enumerate()
            // A file saved by a spreadsheet may start with a byte-order mark.
            .map(|(i, n)| {
                (
                    n.trim().trim_start_matches('\u{feff}').to_ascii_lowercase(),
                    i,
                )
            })
            .collect();
        for column in dataset.required_columns() {
            if !index.contains_key(*column) {
                return Err(ContextError::MissingColumn {
                    dataset: dataset.label(),
                    column,
                });
            }
        }
        Ok(ContextHeader { dataset, index })
    }

    /// The data set.
    pub fn dataset(&self) -> ContextDataset {
        self.dataset
    }

    fn get<'a>(&self, row: &[&'a str], column: &str) -> Option<&'a str> {
        let v = row.get(*self.index.get(column)?)?.trim();
        (!v.is_empty()).then_some(v)
    }

    fn text(&self, row: &[&str], column: &str) -> Option<String> {
        self.get(row, column).map(|v| clip(v, MAX_TEXT))
    }

    /// One data row (`line` is its row number, for errors) as a context event stamped with
    /// the licence note, the time and the importer.
    pub fn event(
        &self,
        line: usize,
        row: &[&str],
        licence: &str,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<ContextEvent, ContextError> {
        let bad = |reason: String| ContextError::Row { row: line, reason };
        let need = |column: &str| {
            self.get(row, column)
                .ok_or_else(|| bad(format!("'{column}' is empty")))
        };
        let coord = |column: &str, limit: f64| -> Result<f64, ContextError> {
            let v = need(column)?;
            let x: f64 = v
                .parse()
                .map_err(|_| bad(format!("'{column}' is not a number: '{v}'")))?;
            if !x.is_finite() || x.abs() > limit {
                return Err(bad(format!("'{column}' is out of range: {v}")));
            }
            Ok(x)
        };
        let (lat, lon) = (coord("latitude", 90.0)?, coord("longitude", 180.0)?);
        let count = |column: &str| -> Result<Option<u32>, ContextError> {
            match self.get(row, column) {
                None => Ok(None),
                Some(v) => v
                    .parse::<f64>()
                    .ok()
                    .filter(|x| x.is_finite() && *x >= 0.0 && *x <= f64::from(u32::MAX))
                    // Counts are whole numbers; some exports write them as `3.0`.
                    .map(|x| Some(x.round() as u32))
                    .ok_or_else(|| bad(format!("'{column}' is not a count: '{v}'"))),
            }
        };
        let actors = |a: &str, b: &str| -> Vec<String> {
            [self.text(row, a), self.text(row, b)]
                .into_iter()
                .flatten()
                .collect()
        };
        let (source_id, date, date_end, event_type, sub, acts, location, fatalities, source, notes) =
            match self.dataset {
                ContextDataset::UcdpGed => {
                    let id = need("id")?;
                    let date = day(need("date_start")?).ok_or_else(|| {
                        bad(format!(
                            "'date_start' is not a date: '{}'",
                            need("date_start").unwrap_or("")
                        ))
                    })?;
                    let end = self.get(row, "date_end").and_then(day);
                    let kind = match need("type_of_violence")? {
                        "1" => "state-based",
                        "2" => "non-state",
                        "3" => "one-sided",
                        other => {
                            return Err(bad(format!(
                                "'type_of_violence' is not 1, 2 or 3: '{other}'"
                            )));
                        }
                    };
                    (
                        id.to_string(),
                        date,
                        end,
                        kind.to_string(),
                        self.text(row, "conflict_name"),
                        actors("side_a", "side_b"),
                        self.text(row, "where_coordinates"),
                        count("best")?,
                        self.text(row, "source_office"),
                        self.text(row, "where_description"),
                    )
                }
                ContextDataset::Acled => {
                    let id = need("event_id_cnty")?;
                    let raw = need("event_date")?;
                    let date = day(raw)
                        .ok_or_else(|| bad(format!("'event_date' is not a date: '{raw}'")))?;
                    (
                        id.to_string(),
                        date,
                        None,
                        clip(need("event_type")?, MAX_TEXT),
                        self.text(row, "sub_event_type"),
                        actors("actor1", "actor2"),
                        self.text(row, "location"),
                        count("fatalities")?,
                        self.text(row, "source"),
                        self.text(row, "notes"),
                    )
                }
            };
        if source_id.chars().count() > 100 || source_id.chars().any(char::is_control) {
            return Err(bad(format!(
                "the id '{}' is not an id",
                clip(&source_id, 40)
            )));
        }
        let (admin1, admin2) = match self.dataset {
            ContextDataset::UcdpGed => (self.text(row, "adm_1"), self.text(row, "adm_2")),
            ContextDataset::Acled => (self.text(row, "admin1"), self.text(row, "admin2")),
        };
        Ok(ContextEvent {
            id: format!("{}:{source_id}", self.dataset.as_str()),
            dataset: self.dataset,
            source_id,
            date,
            date_end,
            event_type,
            sub_event_type: sub,
            actors: acts,
            country: self.text(row, "country"),
            admin1,
            admin2,
            location,
            lat,
            lon,
            fatalities,
            source,
            notes,
            licence: clip(licence, MAX_TEXT),
            imported_at: at,
            imported_by: by.to_string(),
        })
    }
}

impl ContextEvent {
    /// Whether one of its actors contains `needle` (case- and accent-insensitive).
    pub fn names_actor(&self, needle: &str) -> bool {
        let n = crate::text::fold(needle);
        !n.is_empty()
            && self
                .actors
                .iter()
                .any(|a| crate::text::fold(a).contains(&n))
    }
}

/// A day written `YYYY-MM-DD` (a time after it ignored, as UCDP writes
/// `2024-01-15 00:00:00.000`), `DD Month YYYY` (older ACLED exports) or `DD/MM/YYYY`.
pub fn day(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    let head: String = s.chars().take(10).collect();
    NaiveDate::parse_from_str(&head, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d %B %Y"))
        .or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y"))
        .ok()
}

fn clip(s: &str, max: usize) -> String {
    let s: String = s
        .chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .collect();
    if s.chars().count() <= max {
        s
    } else {
        s.chars().take(max).collect()
    }
}

#[cfg(test)]
#[path = "context_tests.rs"]
mod tests;
