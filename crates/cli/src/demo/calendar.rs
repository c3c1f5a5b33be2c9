//! The demo's dates. Its withdrawal plan, rosters and benchmarks were written in the last
//! quarter of 2026; every quarter since moves each of their dates a quarter later, so that the
//! demo shows, whenever it is loaded, bases still to close, handovers to come and milestones
//! due, as on the day it was written (a fixed 2027 plan would be all past, and a benchmark
//! starting this year would end before it starts, from 2028 on).

use chrono::{Datelike, NaiveDate};

use kinga_domain::transition::{quarters_between, shift_quarters};

/// The day the demo's plan was written; `crates/cli/tests/integration/harness.rs` moves the
/// tests' expectations from the same day.
const WRITTEN_ON: NaiveDate = NaiveDate::from_ymd_opt(2026, 12, 1).expect("a calendar day");

/// The plan's dates as of one day.
#[derive(Debug, Clone, Copy)]
pub struct Calendar {
    quarters: i32,
}

impl Calendar {
    /// The calendar of the demo loaded on `today`.
    pub fn of(today: NaiveDate) -> Calendar {
        Calendar {
            quarters: quarters_between(WRITTEN_ON, today),
        }
    }

    /// A date of the plan as written (`YYYY-MM-DD`), moved to this calendar.
    pub fn day(&self, written: &str) -> anyhow::Result<NaiveDate> {
        let d = NaiveDate::parse_from_str(written, "%Y-%m-%d")?;
        shift_quarters(d, self.quarters)
            .ok_or_else(|| anyhow::anyhow!("{written} moved by {} quarters", self.quarters))
    }

    /// The quarter of a moved date as reports name it: `T3 2027`.
    pub fn quarter_name(day: NaiveDate) -> String {
        format!("T{} {}", day.month0() / 3 + 1, day.year())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn the_plan_stands_as_written_in_its_own_quarter() {
        let c = Calendar::of(d("2026-12-31"));
        assert_eq!(c.day("2027-03-31").expect("day"), d("2027-03-31"));
    }

    #[test]
    fn a_year_later_the_plan_is_a_year_later() {
        let c = Calendar::of(d("2027-11-02"));
        assert_eq!(c.day("2027-03-31").expect("day"), d("2028-03-31"));
        assert_eq!(c.day("2026-09-30").expect("day"), d("2027-09-30"));
        assert_eq!(Calendar::quarter_name(d("2027-09-30")), "T3 2027");
    }
}
