//! Drawdown benchmarks: planners set them (area, owner, timeline, targets on mission
//! indicators); readers of the transition see each target's progress on a date, read from
//! the indicator's values in the benchmark's place with their evidence.

use chrono::NaiveDate;
use serde::Serialize;

use kinga_domain::people::Permission;
use kinga_domain::transition::{
    Benchmark, BenchmarkInput, IndicatorDef, IndicatorValue, Progress, RecordKind, Target,
    TransitionRecord, check_benchmark, progress, series,
};

use super::records::unwrap_records;
use crate::{App, AppError, AppResult, Caller, limits};

/// One target of a benchmark with its indicator, progress and series of values.
#[derive(Debug, Clone, Serialize)]
pub struct TargetView {
    /// The target.
    pub target: Target,
    /// Its indicator.
    pub indicator: IndicatorDef,
    /// Its progress on the date.
    pub progress: Progress,
    /// The indicator's values in the benchmark's place, oldest first.
    pub values: Vec<IndicatorValue>,
}

/// A benchmark and where each of its targets stands.
#[derive(Debug, Clone, Serialize)]
pub struct BenchmarkView {
    /// The benchmark.
    pub benchmark: Benchmark,
    /// Its place's name.
    pub place_name: String,
    /// Its targets.
    pub targets: Vec<TargetView>,
}

impl App {
    /// Every benchmark, with its progress on `on` (earliest due first).
    pub async fn benchmarks(
        &self,
        caller: &Caller,
        on: NaiveDate,
    ) -> AppResult<Vec<BenchmarkView>> {
        caller.require(Permission::ReadTransition)?;
        let mut list = unwrap_records!(self.records_of(RecordKind::Benchmark).await?, Benchmark);
        list.sort_by(|a, b| a.due_on.cmp(&b.due_on).then_with(|| a.title.cmp(&b.title)));
        let defs = self.indicators(caller).await?;
        let values = self.indicator_values(caller, None).await?;
        let gaz = self.gazetteer();
        Ok(list
            .into_iter()
            .map(|b| {
                let targets = b
                    .targets
                    .iter()
                    .filter_map(|t| {
                        let def = defs.iter().find(|d| d.id == t.indicator)?;
                        Some(TargetView {
                            target: t.clone(),
                            indicator: def.clone(),
                            progress: progress(&b, t, def, &values, on),
                            values: series(&values, &t.indicator, &b.place)
                                .into_iter()
                                .cloned()
                                .collect(),
                        })
                    })
                    .collect();
                BenchmarkView {
                    place_name: gaz
                        .get(&b.place)
                        .map_or_else(|| b.place.clone(), |p| p.name.clone()),
                    benchmark: b,
                    targets,
                }
            })
            .collect())
    }

    /// One benchmark with its progress on `on`.
    pub async fn benchmark(
        &self,
        caller: &Caller,
        id: &str,
        on: NaiveDate,
    ) -> AppResult<BenchmarkView> {
        self.benchmarks(caller, on)
            .await?
            .into_iter()
            .find(|b| b.benchmark.id == id)
            .ok_or_else(|| AppError::NotFound(format!("benchmark {id}")))
    }

    /// Create a benchmark or change it (targets absent keep the stored ones).
    pub async fn save_benchmark(
        &self,
        caller: &Caller,
        input: BenchmarkInput,
    ) -> AppResult<Benchmark> {
        caller.require(Permission::PlanTransition)?;
        let (id, stamp, stored) = self
            .next_stamp(
                caller,
                RecordKind::Benchmark,
                input.id.as_deref(),
                input.version,
            )
            .await?;
        let stored = stored.and_then(|s| match s {
            TransitionRecord::Benchmark(b) => Some(b),
            _ => None,
        });
        let targets = match input.targets {
            Some(list) => list
                .into_iter()
                .map(|t| {
                    let id = match t.id.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()) {
                        Some(id) => {
                            limits::check("id", &id, limits::ID)?;
                            id
                        }
                        None => self.new_id(),
                    };
                    Ok(Target {
                        id,
                        indicator: t.indicator.trim().to_string(),
                        baseline: t.baseline,
                        target: t.target,
                        due_on: t.due_on,
                    })
                })
                .collect::<AppResult<Vec<_>>>()?,
            None => stored
                .as_ref()
                .map(|s| s.targets.clone())
                .unwrap_or_default(),
        };
        let mut b = Benchmark {
            id,
            kind: input.benchmark_kind,
            title: input.title,
            place: input.place.trim().to_string(),
            owner: input.owner,
            starts_on: input.starts_on,
            due_on: input.due_on,
            targets,
            note: input.note,
            stamp,
        };
        let defs = unwrap_records!(self.records_of(RecordKind::Indicator).await?, Indicator);
        check_benchmark(&mut b, &self.gazetteer(), &defs)?;
        let expected = stored.map(|s| s.stamp.version);
        self.write_record(caller, TransitionRecord::Benchmark(b.clone()), expected)
            .await?;
        Ok(b)
    }

    /// Remove a benchmark (its indicator's values stay).
    pub async fn remove_benchmark(&self, caller: &Caller, id: &str, version: u64) -> AppResult<()> {
        caller.require(Permission::PlanTransition)?;
        self.remove_record(caller, RecordKind::Benchmark, id, version)
            .await
    }
}
