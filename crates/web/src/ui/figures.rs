//! Figures as people read them, shared by the reports page and the dashboards: shares as
//! percentages, durations in minutes, hours and days, and one row of a response step.

use minijinja::{Value, context};

use kinga_domain::analysis::indicators::StepFigures;

use super::Ctx;

/// "75 %" (French puts a space before the sign too), or a dash when nothing was due.
pub fn pct(share: Option<f64>) -> String {
    share.map_or_else(|| "–".into(), |s| format!("{:.0} %", s * 100.0))
}

/// Minutes as people read them: "45 min", "2 h 05", "3 d 4 h".
pub fn minutes(m: Option<f64>, lang: &str) -> String {
    let Some(m) = m else {
        return "–".into();
    };
    let m = m.round() as i64;
    let day = if lang == "fr" { "j" } else { "d" };
    match m {
        m if m < 60 => format!("{m} min"),
        m if m < 24 * 60 => format!("{} h {:02}", m / 60, m % 60),
        m => format!("{} {day} {} h", m / (24 * 60), (m % (24 * 60)) / 60),
    }
}

/// One response step as a row: its name, share within deadline, counts, median and p90.
pub fn step(cx: &Ctx, key: &str, s: &StepFigures) -> Value {
    context! {
        label => cx.t(key),
        share => pct(s.share_met),
        met => s.met, missed => s.missed, pending => s.pending,
        median => minutes(s.median_minutes, cx.lang),
        p90 => minutes(s.p90_minutes, cx.lang),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_and_durations_read_plainly() {
        assert_eq!(pct(Some(0.754)), "75 %");
        assert_eq!(pct(None), "–");
        assert_eq!(minutes(Some(44.6), "en"), "45 min");
        assert_eq!(minutes(Some(125.0), "en"), "2 h 05");
        assert_eq!(minutes(Some(3.0 * 1440.0 + 240.0), "fr"), "3 j 4 h");
        assert_eq!(minutes(None, "fr"), "–");
    }
}
