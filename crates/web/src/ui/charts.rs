//! Charts drawn on the server as inline SVG (no script, a few kilobytes, printable): stacked
//! bars of counts and bars of shares. Every bar carries a `<title>` with its figures, and the
//! pages keep the numbers in tables beside the charts for screen readers.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use kinga_domain::ThreatType;
use kinga_domain::analysis::indicators::ResponseReport;
use kinga_domain::analysis::trends::{Day, Week};

use super::escape;
use super::i18n::tr;

/// Threat types drawn as their own series; the others are summed as one.
const TOP_SERIES: usize = 5;

/// A chart's legend: `(colour, name, total)` of each series drawn.
pub type Legend = Vec<(String, String, u32)>;

/// The weekly chart of alerts by threat type (the five most frequent, then the rest) and its
/// legend `(colour, name, total)`.
pub fn weekly_threats(lang: &str, weeks: &[Week]) -> (String, Legend) {
    let periods: Vec<Period<'_>> = weeks
        .iter()
        .map(|w| Period {
            label: w.monday.format("%d/%m/%Y").to_string(),
            by_threat: &w.by_threat,
            total: w.total,
            href: None,
        })
        .collect();
    threat_bars("chart-weekly", tr(lang, "ch_weekly"), lang, &periods)
}

/// The chart of alerts per day by threat type, each day's bar a link to `href(day)`.
pub fn daily_threats(
    lang: &str,
    id: &str,
    title: &str,
    days: &[Day],
    href: &dyn Fn(NaiveDate) -> String,
) -> (String, Legend) {
    let periods: Vec<Period<'_>> = days
        .iter()
        .map(|d| Period {
            label: d.day.format("%d/%m").to_string(),
            by_threat: &d.by_threat,
            total: d.total,
            href: Some(href(d.day)),
        })
        .collect();
    threat_bars(id, title, lang, &periods)
}

/// One bar's worth of alerts by threat type.
struct Period<'a> {
    label: String,
    by_threat: &'a BTreeMap<Option<ThreatType>, u32>,
    total: u32,
    href: Option<String>,
}

fn threat_bars(id: &str, title: &str, lang: &str, periods: &[Period<'_>]) -> (String, Legend) {
    let mut totals: BTreeMap<Option<ThreatType>, u32> = BTreeMap::new();
    for p in periods {
        for (t, n) in p.by_threat {
            *totals.entry(*t).or_default() += n;
        }
    }
    let mut order: Vec<(Option<ThreatType>, u32)> =
        totals.into_iter().filter(|(t, _)| t.is_some()).collect();
    order.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    order.truncate(TOP_SERIES);
    let top: Vec<Option<ThreatType>> = order.iter().map(|(t, _)| *t).collect();
    let mut names: Vec<String> = top
        .iter()
        .map(|t| t.map_or_else(String::new, |t| t.label(lang).to_string()))
        .collect();
    names.push(tr(lang, "ch_other").to_string());
    let bars: Vec<Bar> = periods
        .iter()
        .map(|p| {
            let mut values: Vec<u32> = top
                .iter()
                .map(|t| p.by_threat.get(t).copied().unwrap_or(0))
                .collect();
            values.push(p.total - values.iter().sum::<u32>());
            Bar {
                label: p.label.clone(),
                values,
                href: p.href.clone(),
            }
        })
        .collect();
    let svg = stacked_bars(id, title, &names, &bars);
    let sums: Vec<u32> = (0..names.len())
        .map(|k| bars.iter().map(|b| b.values[k]).sum())
        .collect();
    let legend = names
        .into_iter()
        .enumerate()
        .map(|(k, n)| (SERIES[k.min(SERIES.len() - 1)].to_string(), n, sums[k]))
        .filter(|(_, _, n)| *n > 0)
        .collect();
    (svg, legend)
}

/// The monthly chart of the share of responses within deadline.
pub fn monthly_response(lang: &str, report: &ResponseReport) -> String {
    let bars: Vec<(String, Option<f64>)> = report
        .by_month
        .iter()
        .map(|g| (g.key.clone(), g.figures.respond.share_met))
        .collect();
    share_bars("chart-monthly", tr(lang, "ch_monthly"), &bars)
}

/// Width and height of a chart's drawing, in its own units (it scales to the page).
const W: f64 = 640.0;
const H: f64 = 200.0;
/// Margins: left for the axis labels, bottom for the bar labels.
const LEFT: f64 = 34.0;
const BOTTOM: f64 = 22.0;
const TOP: f64 = 8.0;

/// Colours of the series (ColorBrewer "Set2" then greys), colour-blind safe for the first six.
pub const SERIES: [&str; 8] = [
    "#66c2a5", "#fc8d62", "#8da0cb", "#e78ac3", "#a6d854", "#ffd92f", "#b3b3b3", "#666666",
];

/// One bar: its label and the height of each series in it.
pub struct Bar {
    /// Under the bar (shown for some bars when there are many).
    pub label: String,
    /// Value of each series, in the order of the legend.
    pub values: Vec<u32>,
    /// Where the bar leads (the alerts it counts), when it is a link.
    pub href: Option<String>,
}

fn open(id: &str, title: &str) -> String {
    format!(
        r#"<svg id="{}" class="chart" viewBox="0 0 {W} {H}" role="img" aria-label="{}" preserveAspectRatio="xMidYMid meet">"#,
        escape(id),
        escape(title)
    )
}

/// A horizontal grid line with its label at `value` of `max`.
fn grid(value: f64, max: f64, label: &str) -> String {
    let y = TOP + (H - TOP - BOTTOM) * (1.0 - value / max);
    format!(
        r##"<line x1="{LEFT}" x2="{W}" y1="{y:.1}" y2="{y:.1}" stroke="#ccc"/><text x="{}" y="{:.1}" font-size="10" text-anchor="end">{}</text>"##,
        LEFT - 3.0,
        y + 3.5,
        escape(label)
    )
}

/// Every `step`-th label shown so that labels never overlap (about 12 at most).
fn label_step(n: usize) -> usize {
    n.div_ceil(12).max(1)
}

/// Stacked bars: one bar per entry, one colour per series (`names`, legend order).
pub fn stacked_bars(id: &str, title: &str, names: &[String], bars: &[Bar]) -> String {
    let mut out = open(id, title);
    let max = bars
        .iter()
        .map(|b| b.values.iter().sum::<u32>())
        .max()
        .unwrap_or(0)
        .max(1);
    out.push_str(&grid(0.0, f64::from(max), "0"));
    out.push_str(&grid(f64::from(max), f64::from(max), &max.to_string()));
    let slot = (W - LEFT) / bars.len().max(1) as f64;
    let step = label_step(bars.len());
    let plot = H - TOP - BOTTOM;
    for (i, b) in bars.iter().enumerate() {
        let x = LEFT + slot * i as f64 + slot * 0.1;
        let mut y = H - BOTTOM;
        let total: u32 = b.values.iter().sum();
        let mut parts = vec![];
        if let Some(h) = &b.href {
            out.push_str(&format!(r#"<a href="{}">"#, escape(h)));
        }
        for (k, v) in b.values.iter().enumerate().filter(|(_, v)| **v > 0) {
            let h = plot * f64::from(*v) / f64::from(max);
            y -= h;
            let name = names.get(k).map_or("", String::as_str);
            parts.push(format!("{name} {v}"));
            out.push_str(&format!(
                r#"<rect x="{x:.1}" y="{y:.1}" width="{:.1}" height="{h:.1}" fill="{}"><title>{}: {} {}</title></rect>"#,
                slot * 0.8,
                SERIES[k.min(SERIES.len() - 1)],
                escape(&b.label),
                escape(name),
                v
            ));
        }
        if b.href.is_some() {
            out.push_str("</a>");
        }
        out.push_str(&format!(
            r#"<g class="bar" data-label="{}" data-total="{total}"></g>"#,
            escape(&b.label)
        ));
        if i % step == 0 {
            out.push_str(&format!(
                r#"<text x="{:.1}" y="{}" font-size="10" text-anchor="middle">{}</text>"#,
                x + slot * 0.4,
                H - 6.0,
                escape(&b.label)
            ));
        }
    }
    out.push_str("</svg>");
    out
}

/// Bars of shares (0–1), a gap where there is none, with the 0, 50 and 100 % lines.
pub fn share_bars(id: &str, title: &str, bars: &[(String, Option<f64>)]) -> String {
    let mut out = open(id, title);
    for (v, l) in [(0.0, "0 %"), (0.5, "50 %"), (1.0, "100 %")] {
        out.push_str(&grid(v, 1.0, l));
    }
    let slot = (W - LEFT) / bars.len().max(1) as f64;
    let step = label_step(bars.len());
    let plot = H - TOP - BOTTOM;
    for (i, (label, share)) in bars.iter().enumerate() {
        let x = LEFT + slot * i as f64 + slot * 0.15;
        if let Some(s) = share {
            let s = s.clamp(0.0, 1.0);
            let h = plot * s;
            out.push_str(&format!(
                r##"<rect x="{x:.1}" y="{:.1}" width="{:.1}" height="{h:.1}" fill="#2b8cbe" data-share="{s:.3}"><title>{}: {:.0} %</title></rect>"##,
                H - BOTTOM - h,
                slot * 0.7,
                escape(label),
                s * 100.0
            ));
        }
        if i % step == 0 {
            out.push_str(&format!(
                r#"<text x="{:.1}" y="{}" font-size="10" text-anchor="middle">{}</text>"#,
                x + slot * 0.35,
                H - 6.0,
                escape(label)
            ));
        }
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stacked_bars_scale_to_the_tallest() {
        let names = vec!["killing".to_string(), "<b>".to_string()];
        let svg = stacked_bars(
            "c",
            "Alerts & weeks",
            &names,
            &[
                Bar {
                    label: "2026-03-02".into(),
                    values: vec![3, 1],
                    href: None,
                },
                Bar {
                    label: "2026-03-09".into(),
                    values: vec![0, 2],
                    href: Some("/alerts?from=2026-03-09&to=2026-03-09".into()),
                },
            ],
        );
        // The tallest bar (4) fills the plot: 200 − 8 − 22 = 170 units; 3 of 4 is 127.5.
        assert!(svg.contains(r#"height="127.5""#), "{svg}");
        assert!(svg.contains(r#"height="42.5""#) && svg.contains(r#"height="85.0""#));
        assert!(svg.contains(r#"data-total="4""#) && svg.contains(r#"data-total="2""#));
        assert!(svg.contains("&lt;b&gt;") && !svg.contains("<b>"));
        assert!(svg.contains(r#"aria-label="Alerts &amp; weeks""#));
        // No bar drawn for a zero.
        assert_eq!(svg.matches("<rect").count(), 3);
        // A bar with an address is a link to the alerts it counts.
        assert!(svg.contains(r#"<a href="/alerts?from=2026-03-09&amp;to=2026-03-09">"#));
        assert_eq!(svg.matches("<a ").count(), 1);
    }

    #[test]
    fn share_bars_leave_a_gap_for_nothing_due() {
        let svg = share_bars(
            "s",
            "t",
            &[
                ("2026-01".into(), Some(0.5)),
                ("2026-02".into(), None),
                ("2026-03".into(), Some(1.0)),
            ],
        );
        assert_eq!(svg.matches("<rect").count(), 2);
        assert!(svg.contains(r#"height="85.0""#) && svg.contains(r#"height="170.0""#));
        assert!(svg.contains("2026-02"), "every month is labelled");
        assert_eq!(label_step(12), 1);
        assert_eq!(label_step(13), 2);
        assert_eq!(label_step(53), 5);
    }
}
