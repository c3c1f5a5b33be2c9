//! Trends for charts: alerts per week by threat type (by the day reported), and per day by
//! the day received (the alert list's own date filter, so a day's bar leads to its alerts).

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate};
use chrono_tz::Tz;
use serde::Serialize;

use crate::{Alert, AlertState, ThreatType};

/// Alerts of one week (Monday to Sunday, local days of the time reported).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Week {
    /// Its Monday.
    pub monday: NaiveDate,
    /// Alerts per threat type (`None`: no type yet), in `ThreatType` order.
    pub by_threat: BTreeMap<Option<ThreatType>, u32>,
    /// All alerts of the week.
    pub total: u32,
}

/// The Monday of the week holding `day`.
pub fn monday_of(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// Every week from the one holding `first` to the one holding `last` (empty weeks too), with
/// the alerts reported in them; merged duplicates and false alarms are left out.
pub fn weekly_by_threat(
    alerts: &[Alert],
    zone: Tz,
    first: NaiveDate,
    last: NaiveDate,
) -> Vec<Week> {
    let mut weeks: Vec<Week> = vec![];
    let mut m = monday_of(first);
    while m <= last {
        weeks.push(Week {
            monday: m,
            by_threat: BTreeMap::new(),
            total: 0,
        });
        m += Duration::days(7);
    }
    let Some(start) = weeks.first().map(|w| w.monday) else {
        return weeks;
    };
    for a in alerts {
        if matches!(a.state, AlertState::Merged | AlertState::FalseAlarm) {
            continue;
        }
        let day = a.reported_at.with_timezone(&zone).date_naive();
        if day < first || day > last {
            continue;
        }
        let i = ((monday_of(day) - start).num_days() / 7) as usize;
        if let Some(w) = weeks.get_mut(i) {
            *w.by_threat.entry(a.threat_type).or_default() += 1;
            w.total += 1;
        }
    }
    weeks
}

/// Alerts received on one local day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Day {
    /// The day.
    pub day: NaiveDate,
    /// Alerts per threat type (`None`: no type yet), in `ThreatType` order.
    pub by_threat: BTreeMap<Option<ThreatType>, u32>,
    /// All alerts of the day.
    pub total: u32,
}

/// Every local day from `first` to `last` (empty days too) with the alerts received on it;
/// merged duplicates and false alarms are left out, as in [`weekly_by_threat`].
pub fn daily_by_threat(alerts: &[Alert], zone: Tz, first: NaiveDate, last: NaiveDate) -> Vec<Day> {
    let mut days: Vec<Day> = first
        .iter_days()
        .take_while(|d| *d <= last)
        .map(|day| Day {
            day,
            by_threat: BTreeMap::new(),
            total: 0,
        })
        .collect();
    for a in alerts {
        if matches!(a.state, AlertState::Merged | AlertState::FalseAlarm) {
            continue;
        }
        let day = a.received_at.with_timezone(&zone).date_naive();
        if day < first || day > last {
            continue;
        }
        if let Some(d) = days.get_mut((day - first).num_days() as usize) {
            *d.by_threat.entry(a.threat_type).or_default() += 1;
            d.total += 1;
        }
    }
    days
}

/// Days gathered into their weeks (Monday to Sunday), in order; a week only partly covered by
/// the days counts what they hold.
pub fn weeks_of(days: &[Day]) -> Vec<Week> {
    let mut weeks: Vec<Week> = vec![];
    for d in days {
        let monday = monday_of(d.day);
        if weeks.last().is_none_or(|w| w.monday != monday) {
            weeks.push(Week {
                monday,
                by_threat: BTreeMap::new(),
                total: 0,
            });
        }
        if let Some(w) = weeks.last_mut() {
            for (t, n) in &d.by_threat {
                *w.by_threat.entry(*t).or_default() += n;
            }
            w.total += d.total;
        }
    }
    weeks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testkit::{alert, mv};
    use chrono::{TimeZone, Utc};

    #[test]
    fn alerts_fall_in_their_local_week() {
        let zone: Tz = "Africa/Lubumbashi".parse().unwrap();
        // Sunday 1 March 2026 23:30 UTC is Monday 2 March 01:30 in Goma (UTC+2): week of 2 March.
        let late_sunday = Utc.with_ymd_and_hms(2026, 3, 1, 23, 30, 0).unwrap();
        let a = alert("1", late_sunday, 3, None, Some(ThreatType::Killing));
        let b = alert(
            "2",
            late_sunday - Duration::hours(3),
            3,
            None,
            Some(ThreatType::Killing),
        );
        let c = alert("3", late_sunday + Duration::days(8), 2, None, None);
        let mut merged = alert("4", late_sunday, 2, None, Some(ThreatType::Killing));
        mv(&mut merged, AlertState::Merged, late_sunday, &[]);
        let first = NaiveDate::from_ymd_opt(2026, 2, 25).unwrap();
        let last = NaiveDate::from_ymd_opt(2026, 3, 12).unwrap();
        let w = weekly_by_threat(&[a, b, c, merged], zone, first, last);
        let mondays: Vec<String> = w.iter().map(|w| w.monday.to_string()).collect();
        assert_eq!(mondays, ["2026-02-23", "2026-03-02", "2026-03-09"]);
        assert_eq!(w[0].total, 1, "Sunday 22:30 local");
        assert_eq!(w[0].by_threat.get(&Some(ThreatType::Killing)), Some(&1));
        assert_eq!(w[1].total, 1);
        assert_eq!(w[2].by_threat.get(&None), Some(&1));
        assert_eq!(
            monday_of(NaiveDate::from_ymd_opt(2026, 3, 8).unwrap()).to_string(),
            "2026-03-02"
        );
    }

    #[test]
    fn days_count_local_receipt_and_fold_into_weeks() {
        let zone: Tz = "Africa/Lubumbashi".parse().unwrap();
        // Saturday 28 February 2026 22:30 UTC is Sunday 1 March 00:30 in Goma.
        let t = Utc.with_ymd_and_hms(2026, 2, 28, 22, 30, 0).unwrap();
        let a = alert("1", t, 3, None, Some(ThreatType::Killing));
        let b = alert("2", t - Duration::hours(1), 2, None, None);
        let c = alert(
            "3",
            t + Duration::days(1),
            2,
            None,
            Some(ThreatType::Killing),
        );
        let mut false_alarm = alert("4", t, 2, None, Some(ThreatType::Killing));
        mv(&mut false_alarm, AlertState::FalseAlarm, t, &[]);
        let late = alert("5", t + Duration::days(9), 2, None, None);
        let first = NaiveDate::from_ymd_opt(2026, 2, 28).unwrap();
        let last = NaiveDate::from_ymd_opt(2026, 3, 3).unwrap();
        let days = daily_by_threat(&[a, b, c, false_alarm, late], zone, first, last);
        let totals: Vec<(String, u32)> =
            days.iter().map(|d| (d.day.to_string(), d.total)).collect();
        assert_eq!(
            totals,
            [
                ("2026-02-28".to_string(), 1),
                ("2026-03-01".to_string(), 1),
                ("2026-03-02".to_string(), 1),
                ("2026-03-03".to_string(), 0)
            ]
        );
        assert_eq!(days[1].by_threat.get(&Some(ThreatType::Killing)), Some(&1));
        assert_eq!(days[0].by_threat.get(&None), Some(&1));
        let weeks = weeks_of(&days);
        let w: Vec<(String, u32)> = weeks
            .iter()
            .map(|w| (w.monday.to_string(), w.total))
            .collect();
        assert_eq!(
            w,
            [("2026-02-23".to_string(), 2), ("2026-03-02".to_string(), 1)]
        );
        assert_eq!(weeks[0].by_threat.get(&Some(ThreatType::Killing)), Some(&1));
        assert!(weeks_of(&[]).is_empty());
    }
}
