//! Trends for charts: alerts per week by threat type.

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
}
