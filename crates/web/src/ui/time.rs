//! Times as the people reading a page live them: in their time zone (their own, else the
//! deployment's), with the year, in the date format their language uses.

use chrono::{DateTime, Datelike, NaiveDateTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

/// Abbreviated month names, January first.
const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const MONTHS_FR: [&str; 12] = [
    "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
    "déc.",
];

/// A reader's time zone and language.
#[derive(Debug, Clone, Copy)]
pub struct Local {
    tz: Tz,
    lang: &'static str,
}

impl Local {
    /// Times in `tz`, worded in `lang`.
    pub fn new(tz: Tz, lang: &'static str) -> Local {
        Local { tz, lang }
    }

    /// The zone.
    pub fn tz(&self) -> Tz {
        self.tz
    }

    /// `29 Nov 2026, 14:05` / `29 nov. 2026, 14:05`.
    pub fn show(&self, t: DateTime<Utc>) -> String {
        let l = t.with_timezone(&self.tz);
        format!("{}, {:02}:{:02}", self.date(t), l.hour(), l.minute())
    }

    /// `29 Nov 2026` / `29 nov. 2026`.
    pub fn date(&self, t: DateTime<Utc>) -> String {
        let l = t.with_timezone(&self.tz);
        let months = if self.lang == "fr" {
            &MONTHS_FR
        } else {
            &MONTHS_EN
        };
        let month = months[l.month0() as usize];
        format!("{} {month} {}", l.day(), l.year())
    }

    /// A calendar day with its year: `29 Nov 2026` / `29 nov. 2026`.
    pub fn day(&self, d: chrono::NaiveDate) -> String {
        let months = if self.lang == "fr" {
            &MONTHS_FR
        } else {
            &MONTHS_EN
        };
        format!("{} {} {}", d.day(), months[d.month0() as usize], d.year())
    }

    /// The zone as a person knows it: `Africa/Lubumbashi (UTC+02:00)`.
    pub fn zone_label(&self, at: DateTime<Utc>) -> String {
        let offset = self.tz.offset_from_utc_datetime(&at.naive_utc());
        format!("{} (UTC{})", self.tz.name(), offset_text(&offset))
    }

    /// A time typed into a form (`YYYY-MM-DDTHH:MM`, as `datetime-local` sends it), read in
    /// this zone; none when it is not one (or falls in a gap of a daylight change).
    pub fn parse(&self, typed: &str) -> Option<DateTime<Utc>> {
        let typed = typed.trim();
        let naive = NaiveDateTime::parse_from_str(typed, "%Y-%m-%dT%H:%M")
            .or_else(|_| NaiveDateTime::parse_from_str(typed, "%Y-%m-%d %H:%M"))
            .ok()?;
        self.tz
            .from_local_datetime(&naive)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
    }

    /// The value of a `datetime-local` input for `t`.
    pub fn input_value(&self, t: DateTime<Utc>) -> String {
        t.with_timezone(&self.tz)
            .format("%Y-%m-%dT%H:%M")
            .to_string()
    }
}

fn offset_text(offset: &impl chrono::Offset) -> String {
    let secs = offset.fix().local_minus_utc();
    let sign = if secs < 0 { '-' } else { '+' };
    let secs = secs.unsigned_abs();
    format!("{sign}{:02}:{:02}", secs / 3600, secs % 3600 / 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_carry_the_year_the_zone_and_the_language() {
        let t = Utc.with_ymd_and_hms(2026, 11, 29, 12, 5, 0).unwrap();
        let goma = Local::new(chrono_tz::Africa::Lubumbashi, "fr");
        assert_eq!(goma.show(t), "29 nov. 2026, 14:05");
        let juba = Local::new(chrono_tz::Africa::Juba, "en");
        assert_eq!(juba.show(t), "29 Nov 2026, 14:05");
        let kin = Local::new(chrono_tz::Africa::Kinshasa, "en");
        assert_eq!(kin.show(t), "29 Nov 2026, 13:05");
        assert_eq!(goma.zone_label(t), "Africa/Lubumbashi (UTC+02:00)");
        // A time typed in Goma is Goma time.
        assert_eq!(goma.parse("2026-11-29T14:05"), Some(t));
        assert_eq!(goma.input_value(t), "2026-11-29T14:05");
        assert_eq!(goma.parse("yesterday"), None);
        // Just before midnight UTC is already the next day in Goma.
        let late = Utc.with_ymd_and_hms(2026, 12, 31, 23, 30, 0).unwrap();
        assert_eq!(goma.date(late), "1 janv. 2027");
    }
}
