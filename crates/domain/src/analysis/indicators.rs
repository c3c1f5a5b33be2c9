//! Response indicators, in the spirit of a mission's performance assessment: whether alerts
//! get answered, and how fast, read from the alerts' own timelines.
//!
//! Over the alerts **received** in `[from, to)`, as things stand at `as_of`:
//!
//! - **Steps** (`acknowledge`, `verify`, `respond`), each against the deadline of that step in
//!   force when it was reached (or now, when not reached yet; see `deadline.rs`):
//!   - *acknowledge*: every alert, except duplicates merged before anyone acknowledged them;
//!   - *verify* (a verification decision: verified, unverifiable or false alarm): the alerts
//!     acknowledged, except those merged before a decision;
//!   - *respond* (a responder is acting: `responding`): the alerts that were verified, so
//!     needed a responder; one closed as "no responder" is a miss, honestly counted.
//!
//!   `met`: reached by its deadline (on the minute counts); `missed`: reached late, or not
//!   reached and the deadline has passed at `as_of`; `pending`: not reached, deadline still
//!   ahead. `share_met = met / (met + missed)`, none when nothing was due.
//!   `median_minutes` and `p90_minutes` are the minutes **from receipt** to the step (the way
//!   deadlines count), over the alerts that reached it: the median of an even count is the
//!   mean of the two middle values; the 90th percentile is the nearest rank,
//!   the ⌈0.9·n⌉-th smallest value.
//! - **Coverage**: `uncovered` (no responder covers place and threat type, as flagged now) and
//!   `unplaced` (no place settled), by area: the territory (admin level 2) of the place, or
//!   the place itself when coarser; an unplaced alert counts in the area its place candidates
//!   share, if any.
//! - **Feedback reaching reporters**: of the alerts closed at `as_of`, how many closing
//!   messages were queued, handed to a gateway (`sent`), confirmed `delivered`, or `failed`;
//!   `share_reached = (sent + delivered) / closed` (a gateway that reports no delivery leaves
//!   its messages `sent`). A feedback withheld for the reporter's safety or an alert with no
//!   reporter number is not reached.
//! - The same figures **by month** (of receipt, in the deployment's time zone) and **by
//!   responder** (every responder an alert was ever assigned to).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::steps::{Reached, Steps, steps};
use crate::Alert;
use crate::outbox::MessageStatus;
use crate::place::{Gazetteer, PlaceLevel};

/// How one step went.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StepFigures {
    /// Reached by the deadline.
    pub met: u32,
    /// Reached late, or not reached with the deadline passed.
    pub missed: u32,
    /// Not reached, deadline still ahead.
    pub pending: u32,
    /// `met / (met + missed)`; none when nothing was due.
    pub share_met: Option<f64>,
    /// Median minutes from receipt to the step.
    pub median_minutes: Option<f64>,
    /// 90th percentile (nearest rank) of minutes from receipt to the step.
    pub p90_minutes: Option<f64>,
}

/// What became of the closing messages.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeedbackFigures {
    /// Alerts closed.
    pub closed: u32,
    /// Closing messages queued for the reporter.
    pub queued: u32,
    /// Handed to a gateway, delivery not (yet) confirmed.
    pub sent: u32,
    /// Delivery confirmed by the gateway.
    pub delivered: u32,
    /// Given up.
    pub failed: u32,
    /// `(sent + delivered) / closed`; none when nothing was closed.
    pub share_reached: Option<f64>,
}

/// The figures of one group of alerts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Figures {
    /// Alerts received.
    pub received: u32,
    /// Of those, uncovered.
    pub uncovered: u32,
    /// Of those, with no place settled.
    pub unplaced: u32,
    /// Acknowledgement.
    pub acknowledge: StepFigures,
    /// Verification decision.
    pub verify: StepFigures,
    /// A responder acting.
    pub respond: StepFigures,
    /// Closing feedback.
    pub feedback: FeedbackFigures,
}

/// Figures of a named group (a month `YYYY-MM`, a responder id).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Group {
    /// The month or the responder.
    pub key: String,
    /// Its figures.
    pub figures: Figures,
}

/// Coverage in one area.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AreaFigures {
    /// P-code of the area; none for alerts whose place is not known even roughly.
    pub area: Option<String>,
    /// Its name.
    pub name: Option<String>,
    /// Alerts received.
    pub received: u32,
    /// Uncovered.
    pub uncovered: u32,
    /// Unplaced.
    pub unplaced: u32,
}

/// The response indicators of a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResponseReport {
    /// Start (included).
    pub from: DateTime<Utc>,
    /// End (excluded).
    pub to: DateTime<Utc>,
    /// The moment the figures describe.
    pub as_of: DateTime<Utc>,
    /// All alerts of the period.
    pub overall: Figures,
    /// By month of receipt, oldest first.
    pub by_month: Vec<Group>,
    /// By responder, most alerts first.
    pub by_responder: Vec<Group>,
    /// By area, most alerts first.
    pub by_area: Vec<AreaFigures>,
}

/// Median of sorted values (mean of the two middle ones for an even count).
pub fn median(sorted: &[f64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

/// The `p`-th percentile (0 < p ≤ 100) of sorted values by nearest rank: the ⌈p/100·n⌉-th.
pub fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let rank = ((p / 100.0) * n as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, n) - 1])
}

/// Accumulates one step.
#[derive(Default)]
struct StepAcc {
    fig: StepFigures,
    minutes: Vec<f64>,
}

impl StepAcc {
    /// An alert for which the step was due: reached (or not) with its deadline.
    fn add(
        &mut self,
        reached: Option<Reached>,
        due_now: DateTime<Utc>,
        r: &Record,
        as_of: DateTime<Utc>,
    ) {
        match reached {
            Some(x) => {
                self.minutes.push(x.minutes_after(r.received_at));
                if x.in_time() {
                    self.fig.met += 1;
                } else {
                    self.fig.missed += 1;
                }
            }
            None if due_now <= as_of => self.fig.missed += 1,
            None => self.fig.pending += 1,
        }
    }

    fn finish(mut self) -> StepFigures {
        self.minutes.sort_by(f64::total_cmp);
        let due = self.fig.met + self.fig.missed;
        self.fig.share_met = (due > 0).then(|| f64::from(self.fig.met) / f64::from(due));
        self.fig.median_minutes = median(&self.minutes);
        self.fig.p90_minutes = percentile(&self.minutes, 90.0);
        self.fig
    }
}

/// One alert, read once.
struct Record {
    received_at: DateTime<Utc>,
    steps: Steps,
    uncovered: bool,
    unplaced: bool,
    closed: bool,
    feedback: Option<MessageStatus>,
}

#[derive(Default)]
struct Acc {
    received: u32,
    uncovered: u32,
    unplaced: u32,
    ack: StepAcc,
    verify: StepAcc,
    respond: StepAcc,
    feedback: FeedbackFigures,
}

impl Acc {
    fn add(&mut self, r: &Record, as_of: DateTime<Utc>) {
        let s = &r.steps;
        self.received += 1;
        self.uncovered += u32::from(r.uncovered);
        self.unplaced += u32::from(r.unplaced);
        if !s.merged_unacknowledged {
            self.ack
                .add(s.acknowledged, s.deadlines.acknowledge, r, as_of);
        }
        if s.acknowledged.is_some() && !s.merged_unverified {
            self.verify.add(s.verified, s.deadlines.verify, r, as_of);
        }
        if s.needed_response {
            self.respond
                .add(s.responding, s.deadlines.respond, r, as_of);
        }
        if r.closed {
            let f = &mut self.feedback;
            f.closed += 1;
            match r.feedback {
                None => {}
                Some(st) => {
                    f.queued += 1;
                    match st {
                        MessageStatus::Queued => {}
                        MessageStatus::Sent => f.sent += 1,
                        MessageStatus::Delivered => f.delivered += 1,
                        MessageStatus::Failed => f.failed += 1,
                    }
                }
            }
        }
    }

    fn finish(self) -> Figures {
        let mut feedback = self.feedback;
        feedback.share_reached = (feedback.closed > 0)
            .then(|| f64::from(feedback.sent + feedback.delivered) / f64::from(feedback.closed));
        Figures {
            received: self.received,
            uncovered: self.uncovered,
            unplaced: self.unplaced,
            acknowledge: self.ack.finish(),
            verify: self.verify.finish(),
            respond: self.respond.finish(),
            feedback,
        }
    }
}

/// The area an alert counts in (see the module's documentation).
fn area_of(alert: &Alert, gaz: &Gazetteer) -> Option<String> {
    let coarse = |pcode: &str| {
        let lineage = gaz.lineage(pcode);
        lineage
            .iter()
            .find(|p| p.level <= PlaceLevel::Admin2)
            .map(|p| p.pcode.clone())
            .or_else(|| Some(pcode.to_string()))
    };
    if let Some(p) = &alert.place {
        return coarse(p);
    }
    let mut shared: Option<String> = None;
    for (i, c) in alert.place_candidates.iter().enumerate() {
        shared = if i == 0 {
            Some(c.pcode.clone())
        } else {
            shared
                .as_deref()
                .and_then(|s| gaz.common_area(s, &c.pcode))
                .map(|p| p.pcode.clone())
        };
        shared.as_ref()?;
    }
    shared
        .as_deref()
        .and_then(|s| gaz.get(s))
        .filter(|p| p.level != PlaceLevel::Country)
        .and_then(|p| coarse(&p.pcode))
}

/// The indicators, built one alert at a time (an export-sized period need not sit in memory).
pub struct Indicators {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    as_of: DateTime<Utc>,
    zone: Tz,
    overall: Acc,
    months: BTreeMap<String, Acc>,
    responders: BTreeMap<String, Acc>,
    areas: BTreeMap<Option<String>, AreaFigures>,
}

impl Indicators {
    /// Indicators of the alerts received in `[from, to)` as they stand at `as_of`; months
    /// are those of `zone`.
    pub fn new(from: DateTime<Utc>, to: DateTime<Utc>, as_of: DateTime<Utc>, zone: Tz) -> Self {
        Indicators {
            from,
            to,
            as_of,
            zone,
            overall: Acc::default(),
            months: BTreeMap::new(),
            responders: BTreeMap::new(),
            areas: BTreeMap::new(),
        }
    }

    /// Count one alert (ignored when received outside the period), with the status of its
    /// latest closing message, if one was queued.
    pub fn add(&mut self, a: &Alert, gaz: &Gazetteer, feedback: Option<MessageStatus>) {
        if a.received_at < self.from || a.received_at >= self.to {
            return;
        }
        let as_of = self.as_of;
        let r = Record {
            received_at: a.received_at,
            steps: steps(a),
            uncovered: a.uncovered,
            unplaced: a.place.is_none(),
            closed: a.state == crate::AlertState::Closed,
            feedback,
        };
        self.overall.add(&r, as_of);
        let month = a
            .received_at
            .with_timezone(&self.zone)
            .format("%Y-%m")
            .to_string();
        self.months.entry(month).or_default().add(&r, as_of);
        for resp in &r.steps.responders {
            self.responders
                .entry(resp.clone())
                .or_default()
                .add(&r, as_of);
        }
        let area = area_of(a, gaz);
        let row = self
            .areas
            .entry(area.clone())
            .or_insert_with(|| AreaFigures {
                name: area
                    .as_deref()
                    .and_then(|p| gaz.get(p))
                    .map(|p| p.name.clone()),
                area,
                received: 0,
                uncovered: 0,
                unplaced: 0,
            });
        row.received += 1;
        row.uncovered += u32::from(r.uncovered);
        row.unplaced += u32::from(r.unplaced);
    }

    /// The report.
    pub fn finish(self) -> ResponseReport {
        let groups = |m: BTreeMap<String, Acc>| -> Vec<Group> {
            m.into_iter()
                .map(|(key, acc)| Group {
                    key,
                    figures: acc.finish(),
                })
                .collect()
        };
        let mut by_responder = groups(self.responders);
        by_responder.sort_by(|a, b| {
            b.figures
                .received
                .cmp(&a.figures.received)
                .then(a.key.cmp(&b.key))
        });
        let mut by_area: Vec<AreaFigures> = self.areas.into_values().collect();
        by_area.sort_by(|a, b| b.received.cmp(&a.received).then(a.area.cmp(&b.area)));
        ResponseReport {
            from: self.from,
            to: self.to,
            as_of: self.as_of,
            overall: self.overall.finish(),
            by_month: groups(self.months),
            by_responder,
            by_area,
        }
    }
}

/// Compute the indicators of the alerts received in `[from, to)` as they stand at `as_of`;
/// `feedback_of` gives the status of an alert's latest closing message, if one was queued.
pub fn compute(
    alerts: &[Alert],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    as_of: DateTime<Utc>,
    zone: Tz,
    gaz: &Gazetteer,
    feedback_of: impl Fn(&Alert) -> Option<MessageStatus>,
) -> ResponseReport {
    let mut ind = Indicators::new(from, to, as_of, zone);
    for a in alerts {
        ind.add(a, gaz, feedback_of(a));
    }
    ind.finish()
}

#[cfg(test)]
#[path = "indicators_tests.rs"]
mod tests;
