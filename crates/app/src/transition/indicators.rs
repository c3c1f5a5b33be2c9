//! Mission indicators and their values. Planners define indicators and record values;
//! everyone who reads the transition reads them. A computed indicator's value is computed
//! here, at the moment it is recorded, from the response indicators of the alerts received
//! in the place, and keeps that figure as its evidence.

use chrono::{Days, NaiveDate};

use kinga_domain::analysis::indicators::Indicators;
use kinga_domain::people::Permission;
use kinga_domain::transition::{
    Evidence, Figure, IndicatorDef, IndicatorInput, IndicatorSource, IndicatorValue, RecordKind,
    TransitionRecord, ValueInput, check_indicator, check_value,
};
use kinga_store::{AlertQuery, AlertSort};

use super::records::unwrap_records;
use crate::analysis::EXPORT_PAGE;
use crate::{App, AppError, AppResult, Caller};

/// Days a computed value covers when no start is given.
pub const DEFAULT_PERIOD_DAYS: u64 = 90;

impl App {
    /// Every mission indicator.
    pub async fn indicators(&self, caller: &Caller) -> AppResult<Vec<IndicatorDef>> {
        caller.require(Permission::ReadTransition)?;
        Ok(unwrap_records!(
            self.records_of(RecordKind::Indicator).await?,
            Indicator
        ))
    }

    /// Every value of every indicator (or of one), oldest first.
    pub async fn indicator_values(
        &self,
        caller: &Caller,
        indicator: Option<&str>,
    ) -> AppResult<Vec<IndicatorValue>> {
        caller.require(Permission::ReadTransition)?;
        let mut v = unwrap_records!(
            self.records_of(RecordKind::IndicatorValue).await?,
            IndicatorValue
        );
        if let Some(i) = indicator {
            v.retain(|x| x.indicator == i);
        }
        v.sort_by(|a, b| {
            a.on.cmp(&b.on)
                .then_with(|| a.stamp.updated_at.cmp(&b.stamp.updated_at))
        });
        Ok(v)
    }

    /// Create a mission indicator or change its definition.
    pub async fn save_indicator(
        &self,
        caller: &Caller,
        input: IndicatorInput,
    ) -> AppResult<IndicatorDef> {
        caller.require(Permission::PlanTransition)?;
        let (id, stamp, stored) = self
            .next_stamp(
                caller,
                RecordKind::Indicator,
                input.id.as_deref(),
                input.version,
            )
            .await?;
        let mut def = IndicatorDef {
            id,
            name_fr: input.name_fr,
            name_en: input.name_en,
            unit: input.unit,
            source: input.source,
            higher_is_better: input.higher_is_better.unwrap_or(true),
            note: input.note,
            stamp,
        };
        check_indicator(&mut def)?;
        let expected = stored.map(|s| s.stamp().version);
        self.write_record(caller, TransitionRecord::Indicator(def.clone()), expected)
            .await?;
        Ok(def)
    }

    /// Remove a mission indicator: refused while values or benchmarks refer to it.
    pub async fn remove_indicator(&self, caller: &Caller, id: &str, version: u64) -> AppResult<()> {
        caller.require(Permission::PlanTransition)?;
        let values = unwrap_records!(
            self.records_of(RecordKind::IndicatorValue).await?,
            IndicatorValue
        );
        let benchmarks = unwrap_records!(self.records_of(RecordKind::Benchmark).await?, Benchmark);
        if values.iter().any(|v| v.indicator == id)
            || benchmarks
                .iter()
                .any(|b| b.targets.iter().any(|t| t.indicator == id))
        {
            return Err(AppError::Invalid(
                "this indicator has values or benchmark targets; remove them first".into(),
            ));
        }
        self.remove_record(caller, RecordKind::Indicator, id, version)
            .await
    }

    /// Record a value of an indicator in a place: given for a manual indicator, computed now
    /// (with its evidence) for a computed one.
    pub async fn record_indicator_value(
        &self,
        caller: &Caller,
        input: ValueInput,
    ) -> AppResult<IndicatorValue> {
        caller.require(Permission::PlanTransition)?;
        let def = match self
            .record(RecordKind::Indicator, input.indicator.trim())
            .await?
        {
            TransitionRecord::Indicator(d) => d,
            _ => return Err(AppError::NotFound("indicator".into())),
        };
        let place = input.place.trim().to_string();
        crate::limits::check("place", &place, crate::limits::ID)?;
        let on = input.on.unwrap_or_else(|| self.local_today());
        let (value, evidence) = match def.source {
            IndicatorSource::Manual => (
                input
                    .value
                    .ok_or(kinga_domain::DomainError::Missing("value"))?,
                None,
            ),
            IndicatorSource::Computed(figure) => {
                let from = match input.from {
                    Some(f) => f,
                    None => on
                        .checked_sub_days(Days::new(DEFAULT_PERIOD_DAYS))
                        .ok_or_else(|| AppError::Invalid(format!("no period before {on}")))?,
                };
                let e = self.compute_figure(figure, &place, from, on).await?;
                (e.value, Some(e))
            }
        };
        let (id, stamp, _) = self
            .next_stamp(caller, RecordKind::IndicatorValue, None, None)
            .await?;
        let mut v = IndicatorValue {
            id,
            indicator: def.id.clone(),
            place,
            on,
            value,
            evidence,
            source_note: input.source_note,
            stamp,
        };
        check_value(&mut v, &def, &self.gazetteer())?;
        self.write_record(caller, TransitionRecord::IndicatorValue(v.clone()), None)
            .await?;
        Ok(v)
    }

    /// Remove a recorded value (a mistake).
    pub async fn remove_indicator_value(
        &self,
        caller: &Caller,
        id: &str,
        version: u64,
    ) -> AppResult<()> {
        caller.require(Permission::PlanTransition)?;
        self.remove_record(caller, RecordKind::IndicatorValue, id, version)
            .await
    }

    /// A figure over the alerts received in `place` (and every place inside it) on the local
    /// days `from..to` (to excluded), as things stand now.
    pub async fn compute_figure(
        &self,
        figure: Figure,
        place: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> AppResult<Evidence> {
        let gaz = self.gazetteer();
        if gaz.get(place).is_none() {
            return Err(AppError::NotFound(format!("place {place}")));
        }
        if from >= to {
            return Err(AppError::Invalid("the period ends before it starts".into()));
        }
        let (start, end) = (self.local_midnight(from)?, self.local_midnight(to)?);
        let now = self.now();
        let mut ind = Indicators::new(start, end, now, self.settings.zone());
        let mut q = AlertQuery {
            received_from: Some(start),
            received_to: Some(end),
            sort: AlertSort::Newest,
            limit: EXPORT_PAGE,
            ..AlertQuery::default()
        };
        loop {
            let page = self.store.alerts(&q).await?;
            for a in page
                .items
                .iter()
                .filter(|a| a.place.as_deref().is_some_and(|p| gaz.is_within(p, place)))
            {
                let fb = self.closing_feedback(a).await?;
                ind.add(a, &gaz, fb);
            }
            if page.items.len() < q.limit {
                break;
            }
            q.offset += page.items.len();
        }
        let f = ind.finish().overall;
        let (count, of) = match figure {
            Figure::AlertsReceived => (u64::from(f.received), None),
            Figure::ResponseShare => (
                u64::from(f.respond.met),
                Some(u64::from(f.respond.met + f.respond.missed)),
            ),
            Figure::AcknowledgedShare => (
                u64::from(f.acknowledge.met),
                Some(u64::from(f.acknowledge.met + f.acknowledge.missed)),
            ),
            Figure::UncoveredShare => (u64::from(f.uncovered), Some(u64::from(f.received))),
            Figure::FeedbackShare => (
                u64::from(f.feedback.sent + f.feedback.delivered),
                Some(u64::from(f.feedback.closed)),
            ),
        };
        let value = Evidence::value_of(figure, count, of).ok_or_else(|| {
            AppError::Invalid(format!(
                "no alert in {place} from {from} to {to} to compute this figure on"
            ))
        })?;
        Ok(Evidence {
            figure,
            value,
            count,
            of,
            place: place.to_string(),
            from,
            to,
            computed_at: now,
        })
    }
}
