//! Post-closure monitoring: for a closed base, the alerts and response times in the places it
//! served over equal windows before and after its closure, so that a joint assessment sees
//! what changed.
//!
//! Windows (local days): *after* runs from the closure day for `n` days, *before* the `n` days
//! just before it, where `n` is the days asked for (default 90) cut to the days elapsed since
//! the closure (today included), so that both windows are always the same length. A closure
//! still to come has no windows.
//!
//! Figures are the response indicators (`analysis::indicators`) over the alerts **received**
//! in each window whose place is one of the closure's areas or lies inside one: count,
//! uncovered, and for acknowledgement and response the median and 90th percentile of minutes
//! from receipt and the share within the deadline. Incidents are counted by the application,
//! within the caller's visible compartments only.

use chrono::{DateTime, Days, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::Alert;
use crate::analysis::indicators::{Indicators, StepFigures};
use crate::place::Gazetteer;

/// Days each window spans when the caller asks for none.
pub const DEFAULT_DAYS: u32 = 90;
/// Most days a window may span.
pub const MAX_DAYS: u32 = 366;

/// One window's first day and the day after its last (local days).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Span {
    /// First day.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub from: NaiveDate,
    /// The day after the last.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub until: NaiveDate,
}

/// The windows before and after a closure on `closes_on`, seen on `today`, of at most `days`
/// days each; none when the closure is still to come.
pub fn windows(closes_on: NaiveDate, today: NaiveDate, days: u32) -> Option<(Span, Span)> {
    if closes_on > today {
        return None;
    }
    let elapsed = (today - closes_on).num_days() + 1;
    let n = i64::from(days.clamp(1, MAX_DAYS)).min(elapsed);
    let n = Days::new(u64::try_from(n).ok()?);
    let before = Span {
        from: closes_on.checked_sub_days(n)?,
        until: closes_on,
    };
    let after = Span {
        from: closes_on,
        until: closes_on.checked_add_days(n)?,
    };
    Some((before, after))
}

/// What one window shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WindowFigures {
    /// The window.
    pub span: Span,
    /// Alerts received in the closure's areas.
    pub alerts: u32,
    /// Of them, flagged uncovered (no responder covers place and threat type).
    pub uncovered: u32,
    /// Acknowledgement: met, missed, pending, share within the deadline, median and p90.
    pub acknowledge: StepFigures,
    /// Response (a responder acting), likewise.
    pub respond: StepFigures,
    /// Incidents that occurred there, in the caller's visible compartments (filled by the
    /// application).
    pub incidents: u64,
    /// Of them, verified.
    pub incidents_verified: u64,
}

/// True when `place` is one of `areas` or lies inside one.
pub fn in_areas(gaz: &Gazetteer, areas: &[String], place: &str) -> bool {
    areas.iter().any(|a| a == place || gaz.is_within(place, a))
}

/// The areas without those inside another listed area (so nothing is counted twice).
pub fn outermost(gaz: &Gazetteer, areas: &[String]) -> Vec<String> {
    let mut out: Vec<String> = areas
        .iter()
        .filter(|a| !areas.iter().any(|b| b != *a && gaz.is_within(a, b)))
        .cloned()
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The figures of one window over `alerts` (any alerts: those outside the areas or the window
/// are left out), as things stand at `as_of`; `start` and `end` are the window's first
/// instant and the instant after its last.
#[allow(clippy::too_many_arguments)]
pub fn window_figures(
    span: Span,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    alerts: &[Alert],
    gaz: &Gazetteer,
    areas: &[String],
    as_of: DateTime<Utc>,
    zone: Tz,
) -> WindowFigures {
    let mut ind = Indicators::new(start, end, as_of, zone);
    for a in alerts {
        if a.received_at >= start
            && a.received_at < end
            && a.place.as_deref().is_some_and(|p| in_areas(gaz, areas, p))
        {
            ind.add(a, gaz, None);
        }
    }
    let f = ind.finish().overall;
    WindowFigures {
        span,
        alerts: f.received,
        uncovered: f.uncovered,
        acknowledge: f.acknowledge,
        respond: f.respond,
        incidents: 0,
        incidents_verified: 0,
    }
}

#[cfg(test)]
#[path = "after_closure_tests.rs"]
mod tests;
