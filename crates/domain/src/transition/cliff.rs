//! The cliff: on a chosen day, the places and the capacities nobody will provide there.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Book, Capacity};
use crate::place::Gazetteer;

/// One place with the capacities uncovered there on the day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CliffPlace {
    /// P-code.
    pub pcode: String,
    /// Its name (the P-code when the gazetteer does not know it).
    pub name: String,
    /// Capacities in a gap on the day, in the order of [`Capacity::ALL`].
    pub capacities: Vec<Capacity>,
}

/// The places a plan or a closure names, those inside `area` only when one is given.
pub fn anchors<'a>(book: &Book<'a>, gaz: &Gazetteer, area: Option<&str>) -> Vec<&'a str> {
    book.places()
        .into_iter()
        .filter(|p| area.is_none_or(|a| *p == a || gaz.is_within(p, a)))
        .collect()
}

/// Every place a plan or closure names where some capacity is in a gap on `on`, by P-code.
/// Places inside another listed place are listed on their own: a territory's own plan may
/// differ from its province's.
pub fn cliff(book: &Book<'_>, gaz: &Gazetteer, on: NaiveDate) -> Vec<CliffPlace> {
    anchors(book, gaz, None)
        .into_iter()
        .filter_map(|pcode| {
            let capacities: Vec<Capacity> = book
                .statuses(gaz, pcode, on)
                .into_iter()
                .filter(|s| s.state == super::State::Gap)
                .map(|s| s.capacity)
                .collect();
            (!capacities.is_empty()).then(|| CliffPlace {
                pcode: pcode.to_string(),
                name: gaz
                    .get(pcode)
                    .map_or_else(|| pcode.to_string(), |p| p.name.clone()),
                capacities,
            })
        })
        .collect()
}
