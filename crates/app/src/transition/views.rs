//! What readers see of the transition: the state of every capacity per place on a date, the
//! cliff (places and capacities uncovered on a date, with the alerts of the twelve months
//! before it there) and a place's dossier.

use chrono::{Months, NaiveDate};
use serde::Serialize;

use kinga_domain::compartment::Compartment;
use kinga_domain::people::Permission;
use kinga_domain::place::Gazetteer;
use kinga_domain::transition::after_closure::Span;
use kinga_domain::transition::{
    BaseClosure, Book, Capacity, CapacityPlan, CapacityStatus, HandoverReversal, WithdrawalPlan,
    anchors, cliff,
};
use kinga_domain::{Alert, AlertState, Severity, ThreatType};

use crate::{App, AppError, AppResult, Caller};

/// One place and the state of each capacity known there.
#[derive(Debug, Clone, Serialize)]
pub struct PlaceState {
    /// P-code.
    pub pcode: String,
    /// Name.
    pub name: String,
    /// Where it lies ("Kalehe, Sud-Kivu").
    pub context: String,
    /// Each capacity a plan or a closure concerns here, in the order of the ten.
    pub capacities: Vec<CapacityStatus>,
}

/// The state of the transition on a date, place by place.
#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    /// The date.
    pub date: NaiveDate,
    /// The places a plan or closure names (inside the area asked for, the area first).
    pub places: Vec<PlaceState>,
}

/// An alert of the twelve months before the cliff's date in an uncovered place.
#[derive(Debug, Clone, Serialize)]
pub struct CliffAlert {
    /// Id.
    pub id: String,
    /// Reference (`K-1042`).
    pub reference: String,
    /// Reported on (local date).
    pub reported_on: NaiveDate,
    /// Threat type.
    pub threat_type: Option<ThreatType>,
    /// Severity.
    pub severity: Severity,
    /// State now.
    pub state: AlertState,
    /// P-code.
    pub place: String,
}

/// One place of the cliff.
#[derive(Debug, Clone, Serialize)]
pub struct CliffEntry {
    /// P-code.
    pub pcode: String,
    /// Name.
    pub name: String,
    /// Capacity ids uncovered on the date.
    pub capacities: Vec<Capacity>,
    /// Alerts reported there (the place and every place inside it) in the twelve months
    /// before the date (before today for a date to come), duplicates merged into another
    /// left out.
    pub alerts_12m: u64,
    /// Incidents that occurred there in the same twelve months, counted only in the
    /// compartments the caller may see; none when the caller sees no compartment.
    pub incidents_12m: Option<u64>,
    /// Of those incidents, the verified ones (allegations and verified cases apart).
    pub incidents_verified_12m: Option<u64>,
    /// Those alerts, newest first (only for callers who may read alerts; not in the API).
    #[serde(skip)]
    pub alerts: Vec<CliffAlert>,
}

/// The places and capacities uncovered on a date.
#[derive(Debug, Clone, Serialize)]
pub struct Cliff {
    /// The date.
    pub date: NaiveDate,
    /// The places, by P-code.
    pub places: Vec<CliffEntry>,
    /// False when the caller sees no incident compartment (alert figures only).
    pub incidents_visible: bool,
}

/// Everything about the transition of one place: its printable dossier.
#[derive(Debug, Clone, Serialize)]
pub struct Dossier {
    /// The place's state on the date.
    pub place: PlaceState,
    /// The date.
    pub date: NaiveDate,
    /// The plans holding there (its own, or inherited from the area above), by capacity.
    pub plans: Vec<CapacityPlan>,
    /// The base closures whose areas hold the place or lie inside it, with their mission.
    pub closures: Vec<(String, BaseClosure)>,
    /// Places inside it with plans or closures of their own, and their states.
    pub inside: Vec<PlaceState>,
    /// Alerts reported there in the twelve months before the date.
    pub alerts_12m: u64,
    /// Those alerts per threat type (unknown type as `None`), most first.
    pub alerts_by_threat: Vec<(Option<ThreatType>, u64)>,
    /// Incidents that occurred there in the same twelve months, in the caller's visible
    /// compartments only; none when the caller sees no compartment.
    pub incidents_12m: Option<u64>,
    /// Of them, verified.
    pub incidents_verified_12m: Option<u64>,
}

/// Plans, withdrawal plans and reversals, as read from the store.
type TransitionBook = (
    Vec<CapacityPlan>,
    Vec<WithdrawalPlan>,
    Vec<HandoverReversal>,
);

fn place_state(book: &Book<'_>, gaz: &Gazetteer, pcode: &str, on: NaiveDate) -> PlaceState {
    let place = gaz.get(pcode);
    PlaceState {
        pcode: pcode.to_string(),
        name: place.map_or_else(|| pcode.to_string(), |p| p.name.clone()),
        context: gaz
            .lineage(pcode)
            .iter()
            .skip(1)
            .filter(|p| p.parent.is_some())
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        capacities: book.statuses(gaz, pcode, on),
    }
}

impl App {
    /// The plans, withdrawal plans and handover reversals the states are computed from.
    async fn transition_records(&self) -> AppResult<TransitionBook> {
        Ok((
            self.store.capacity_plans().await?,
            self.store.withdrawal_plans().await?,
            self.store.handover_reversals().await?,
        ))
    }

    pub(crate) fn known_place(&self, pcode: &str) -> AppResult<()> {
        crate::limits::check("place", pcode, crate::limits::ID)?;
        if self.gazetteer().get(pcode).is_none() {
            return Err(AppError::NotFound(format!("place {pcode}")));
        }
        Ok(())
    }

    /// The state of every capacity on `on`, for each place a plan or closure names (inside
    /// `area` when given, the area itself first whether or not it has a plan of its own).
    pub async fn transition_overview(
        &self,
        caller: &Caller,
        area: Option<&str>,
        on: NaiveDate,
    ) -> AppResult<Overview> {
        caller.require(Permission::ReadTransition)?;
        if let Some(a) = area {
            self.known_place(a)?;
        }
        let (plans, withdrawals, reversals) = self.transition_records().await?;
        let book = Book::new(&plans, &withdrawals).with_reversals(&reversals);
        let gaz = self.gazetteer();
        let mut codes: Vec<&str> = anchors(&book, &gaz, area);
        if let Some(a) = area {
            codes.retain(|c| *c != a);
            codes.insert(0, a);
        }
        Ok(Overview {
            date: on,
            places: codes
                .into_iter()
                .map(|c| place_state(&book, &gaz, c, on))
                .collect(),
        })
    }

    /// The twelve months before `on` as local days (the day after the last as `until`); for
    /// a day still to come, the last twelve months up to today included.
    fn twelve_months_before(&self, on: NaiveDate) -> AppResult<Span> {
        let today = self.local_today();
        let last = on.min(today);
        let from = last
            .checked_sub_months(Months::new(12))
            .ok_or_else(|| AppError::Invalid(format!("no date twelve months before {on}")))?;
        let until = if on > today {
            today.succ_opt().unwrap_or(today)
        } else {
            on
        };
        Ok(Span { from, until })
    }

    /// Incidents that occurred in `pcode` (or inside it) in the twelve months before `on`,
    /// and the verified ones, in `compartments` only; none when the caller sees none, so
    /// that no count moves for compartments the caller lacks.
    async fn incidents_before(
        &self,
        compartments: &[Compartment],
        pcode: &str,
        on: NaiveDate,
    ) -> AppResult<(Option<u64>, Option<u64>)> {
        if compartments.is_empty() {
            return Ok((None, None));
        }
        let span = self.twelve_months_before(on)?;
        let (n, verified) = self
            .incidents_in(compartments, &[pcode.to_string()], span)
            .await?;
        Ok((Some(n), Some(verified)))
    }

    /// Alerts reported in the twelve months before `on` (local days), merged ones left out;
    /// for a day still to come, the last twelve months up to now (nothing later is known).
    async fn alerts_before(&self, on: NaiveDate) -> AppResult<Vec<Alert>> {
        let today = self.local_today();
        let from = self.local_midnight(self.twelve_months_before(on)?.from)?;
        let to = if on > today {
            self.now()
        } else {
            self.local_midnight(on)?
        };
        let mut alerts = self.store.alerts_reported_between(from, to).await?;
        alerts.retain(|a| a.state != AlertState::Merged && a.place.is_some());
        Ok(alerts)
    }

    /// The cliff of `on`: every place a plan or closure names where a capacity is in a gap,
    /// with the alerts of the twelve months before `on` there (listed only for callers who
    /// may read alerts).
    pub async fn transition_cliff(&self, caller: &Caller, on: NaiveDate) -> AppResult<Cliff> {
        caller.require(Permission::ReadTransition)?;
        let (plans, withdrawals, reversals) = self.transition_records().await?;
        let book = Book::new(&plans, &withdrawals).with_reversals(&reversals);
        let gaz = self.gazetteer();
        let gaps = cliff(&book, &gaz, on);
        let alerts = if gaps.is_empty() {
            vec![]
        } else {
            self.alerts_before(on).await?
        };
        let list = caller.role.can(Permission::ReadAlerts);
        let compartments = self.visible_compartments(caller).await?;
        let zone = self.settings.zone();
        let mut places = Vec::with_capacity(gaps.len());
        for g in gaps {
            let (incidents_12m, incidents_verified_12m) =
                self.incidents_before(&compartments, &g.pcode, on).await?;
            let mut inside: Vec<&Alert> = alerts
                .iter()
                .filter(|a| {
                    a.place
                        .as_deref()
                        .is_some_and(|p| gaz.is_within(p, &g.pcode))
                })
                .collect();
            inside.sort_by_key(|a| std::cmp::Reverse(a.reported_at));
            places.push(CliffEntry {
                alerts_12m: inside.len() as u64,
                incidents_12m,
                incidents_verified_12m,
                alerts: if list {
                    inside
                        .iter()
                        .map(|a| CliffAlert {
                            id: a.id.clone(),
                            reference: a.reference.clone(),
                            reported_on: a.reported_at.with_timezone(&zone).date_naive(),
                            threat_type: a.threat_type,
                            severity: a.severity,
                            state: a.state,
                            place: a.place.clone().unwrap_or_default(),
                        })
                        .collect()
                } else {
                    vec![]
                },
                pcode: g.pcode,
                name: g.name,
                capacities: g.capacities,
            });
        }
        Ok(Cliff {
            date: on,
            places,
            incidents_visible: !compartments.is_empty(),
        })
    }

    /// The transition dossier of a place on `on`.
    pub async fn transition_dossier(
        &self,
        caller: &Caller,
        pcode: &str,
        on: NaiveDate,
    ) -> AppResult<Dossier> {
        caller.require(Permission::ReadTransition)?;
        self.known_place(pcode)?;
        let (plans, withdrawals, reversals) = self.transition_records().await?;
        let book = Book::new(&plans, &withdrawals).with_reversals(&reversals);
        let gaz = self.gazetteer();
        let holding: Vec<CapacityPlan> = Capacity::ALL
            .into_iter()
            .filter_map(|c| book.plan_for(&gaz, pcode, c).cloned())
            .collect();
        let inside = anchors(&book, &gaz, Some(pcode))
            .into_iter()
            .filter(|c| *c != pcode)
            .map(|c| place_state(&book, &gaz, c, on))
            .collect();
        let alerts = self.alerts_before(on).await?;
        let mut by_threat: Vec<(Option<ThreatType>, u64)> = Vec::new();
        let mut total = 0;
        for a in alerts
            .iter()
            .filter(|a| a.place.as_deref().is_some_and(|p| gaz.is_within(p, pcode)))
        {
            total += 1;
            match by_threat.iter_mut().find(|(t, _)| *t == a.threat_type) {
                Some((_, n)) => *n += 1,
                None => by_threat.push((a.threat_type, 1)),
            }
        }
        by_threat.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let compartments = self.visible_compartments(caller).await?;
        let (incidents_12m, incidents_verified_12m) =
            self.incidents_before(&compartments, pcode, on).await?;
        Ok(Dossier {
            place: place_state(&book, &gaz, pcode, on),
            date: on,
            plans: holding,
            closures: book
                .closures_touching(&gaz, pcode)
                .into_iter()
                .map(|(m, c)| (m.to_string(), c.clone()))
                .collect(),
            inside,
            alerts_12m: total,
            alerts_by_threat: by_threat,
            incidents_12m,
            incidents_verified_12m,
        })
    }
}
