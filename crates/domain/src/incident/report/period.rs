//! Reporting periods: a quarter (`2026-Q3`), a month (`2026-09`) or a year (`2026`), as the
//! MRM and MARA periodic reports are cut.

use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

use crate::DomainError;

/// A reporting period: every day from `from` to `to`, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    /// The period as written (`2026-Q3`, `2026-09`, `2026`).
    #[serde(skip)]
    kind: Kind,
    /// First day.
    pub from: NaiveDate,
    /// Last day (included).
    pub to: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Kind {
    #[default]
    Quarter,
    Month,
    Year,
}

impl Period {
    /// The quarter holding `day`.
    pub fn quarter_of(day: NaiveDate) -> Period {
        let q = (day.month0() / 3) + 1;
        Self::quarter(day.year(), q).unwrap_or(Period {
            kind: Kind::Quarter,
            from: day,
            to: day,
        })
    }

    fn quarter(year: i32, q: u32) -> Option<Period> {
        let from = NaiveDate::from_ymd_opt(year, (q - 1) * 3 + 1, 1)?;
        let to = from.checked_add_months(Months::new(3))?.pred_opt()?;
        Some(Period {
            kind: Kind::Quarter,
            from,
            to,
        })
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            Kind::Quarter => write!(f, "{}-Q{}", self.from.year(), self.from.month0() / 3 + 1),
            Kind::Month => write!(f, "{}", self.from.format("%Y-%m")),
            Kind::Year => write!(f, "{}", self.from.year()),
        }
    }
}

impl FromStr for Period {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim().to_uppercase();
        let bad = || {
            DomainError::invalid(
                "period",
                format!(
                    "'{}' is not a period: write a quarter (2026-Q3), a month (2026-09) or a year (2026)",
                    s.chars().take(20).collect::<String>()
                ),
            )
        };
        let year = |y: &str| y.parse::<i32>().ok().filter(|y| (1900..=2999).contains(y));
        let parts: Vec<&str> = s.split('-').collect();
        let found = match parts.as_slice() {
            [y] if y.len() == 4 => year(y).and_then(|y| {
                Some(Period {
                    kind: Kind::Year,
                    from: NaiveDate::from_ymd_opt(y, 1, 1)?,
                    to: NaiveDate::from_ymd_opt(y, 12, 31)?,
                })
            }),
            [y, q] if q.starts_with('Q') && y.len() == 4 => {
                let q = q[1..].parse::<u32>().ok().filter(|q| (1..=4).contains(q));
                year(y).zip(q).and_then(|(y, q)| Period::quarter(y, q))
            }
            [y, m] if y.len() == 4 && m.len() == 2 => {
                let m = m.parse::<u32>().ok().filter(|m| (1..=12).contains(m));
                year(y).zip(m).and_then(|(y, m)| {
                    let from = NaiveDate::from_ymd_opt(y, m, 1)?;
                    let to = from.checked_add_months(Months::new(1))?.pred_opt()?;
                    Some(Period {
                        kind: Kind::Month,
                        from,
                        to,
                    })
                })
            }
            _ => None,
        };
        found.ok_or_else(bad)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn periods_are_read_and_written_back() {
        let q: Period = "2026-Q3".parse().unwrap();
        assert_eq!((q.from, q.to), (d(2026, 7, 1), d(2026, 9, 30)));
        assert_eq!(q.to_string(), "2026-Q3");
        let q: Period = "2024-q1".parse().unwrap();
        assert_eq!((q.from, q.to), (d(2024, 1, 1), d(2024, 3, 31)));
        let m: Period = "2024-02".parse().unwrap();
        assert_eq!((m.from, m.to), (d(2024, 2, 1), d(2024, 2, 29)), "leap year");
        assert_eq!(m.to_string(), "2024-02");
        let y: Period = "2026".parse().unwrap();
        assert_eq!((y.from, y.to), (d(2026, 1, 1), d(2026, 12, 31)));
        assert_eq!(y.to_string(), "2026");
        let q4 = Period::quarter_of(d(2026, 11, 29));
        assert_eq!((q4.from, q4.to), (d(2026, 10, 1), d(2026, 12, 31)));
        for bad in [
            "",
            "2026-Q5",
            "2026-Q0",
            "2026-13",
            "26-Q1",
            "2026-Q3-1",
            "Q3",
            "99999",
        ] {
            assert!(bad.parse::<Period>().is_err(), "{bad}");
        }
    }
}
