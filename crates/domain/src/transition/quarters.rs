//! Dates moved by whole quarters, a month's last day staying its month's last day: a plan
//! written in one quarter (the demo's withdrawal, the tests' dates) is moved forward with the
//! calendar, so that what was to come stays to come and quarter ends stay quarter ends.

use chrono::{Datelike, Months, NaiveDate};

/// Quarters from `from`'s quarter to `to`'s (negative when `to` is earlier).
pub fn quarters_between(from: NaiveDate, to: NaiveDate) -> i32 {
    let quarter = |d: NaiveDate| d.year() * 4 + (d.month0() / 3) as i32;
    quarter(to) - quarter(from)
}

/// `day` moved by `quarters` (back when negative); `None` past the calendar's range.
pub fn shift_quarters(day: NaiveDate, quarters: i32) -> Option<NaiveDate> {
    let months = Months::new(quarters.unsigned_abs().checked_mul(3)?);
    let moved = if quarters >= 0 {
        day.checked_add_months(months)?
    } else {
        day.checked_sub_months(months)?
    };
    if day
        .succ_opt()
        .is_some_and(|next| next.month() == day.month())
    {
        return Some(moved);
    }
    // A month's end (30 September) stays one (31 December), as quarter ends do.
    last_of_month(moved)
}

fn last_of_month(d: NaiveDate) -> Option<NaiveDate> {
    let first = d.with_day(1)?;
    first.checked_add_months(Months::new(1))?.pred_opt()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn quarters_are_counted_by_the_calendar() {
        assert_eq!(quarters_between(d("2026-12-01"), d("2026-10-01")), 0);
        assert_eq!(quarters_between(d("2026-12-01"), d("2026-12-31")), 0);
        assert_eq!(quarters_between(d("2026-12-01"), d("2027-01-01")), 1);
        assert_eq!(quarters_between(d("2026-12-01"), d("2028-02-29")), 5);
        assert_eq!(quarters_between(d("2026-12-01"), d("2026-09-30")), -1);
    }

    #[test]
    fn month_ends_stay_month_ends() {
        assert_eq!(shift_quarters(d("2026-09-30"), 1), Some(d("2026-12-31")));
        assert_eq!(shift_quarters(d("2026-12-31"), 1), Some(d("2027-03-31")));
        assert_eq!(shift_quarters(d("2027-03-31"), 1), Some(d("2027-06-30")));
        assert_eq!(shift_quarters(d("2027-11-30"), 1), Some(d("2028-02-29")));
        assert_eq!(shift_quarters(d("2027-06-30"), -1), Some(d("2027-03-31")));
    }

    #[test]
    fn other_days_keep_their_number() {
        assert_eq!(shift_quarters(d("2027-01-15"), 0), Some(d("2027-01-15")));
        assert_eq!(shift_quarters(d("2027-01-15"), 2), Some(d("2027-07-15")));
        assert_eq!(shift_quarters(d("2027-06-01"), 3), Some(d("2028-03-01")));
        assert_eq!(shift_quarters(d("2027-06-01"), -4), Some(d("2026-06-01")));
        // The day before a first of the month moves with it.
        let first = d("2027-06-01");
        for q in -8..8 {
            let moved = shift_quarters(first, q).expect("in range");
            assert_eq!(
                shift_quarters(first.pred_opt().expect("day"), q),
                moved.pred_opt()
            );
        }
    }

    #[test]
    fn the_calendar_edge_is_none() {
        assert_eq!(shift_quarters(NaiveDate::MAX, 1), None);
        assert_eq!(shift_quarters(d("2027-01-15"), i32::MAX), None);
    }
}
