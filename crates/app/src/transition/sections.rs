//! The dossier's sections beyond capacities and closures: the benchmarks of the place (its
//! own and those of the areas holding it or inside it), its community mechanisms, its
//! roster summary, the latest value of each mission indicator there, and the knowledge
//! notes on it (for those who may read them).

use chrono::NaiveDate;
use serde::Serialize;

use kinga_domain::people::Permission;
use kinga_domain::transition::{
    IndicatorDef, IndicatorValue, KnowledgeNote, NoteQuery, RosterSummary, StaffMember,
};

use super::{BenchmarkView, MechanismView};
use crate::{App, AppResult, Caller};

/// The latest value of an indicator in one place.
#[derive(Debug, Clone, Serialize)]
pub struct LatestValue {
    /// The indicator.
    pub indicator: IndicatorDef,
    /// The place's name.
    pub place_name: String,
    /// Its latest value on or before the date.
    pub value: IndicatorValue,
    /// Values recorded for it in that place up to the date.
    pub count: usize,
}

/// The dossier's further sections.
#[derive(Debug, Clone, Serialize)]
pub struct DossierSections {
    /// Benchmarks of the place, the areas holding it and the places inside it.
    pub benchmarks: Vec<BenchmarkView>,
    /// Community mechanisms there.
    pub mechanisms: Vec<MechanismView>,
    /// The roster summary.
    pub roster: RosterSummary,
    /// The staff who know the place (planners only; empty for other readers).
    pub staff: Vec<StaffMember>,
    /// Latest indicator values in the place and inside it.
    pub indicators: Vec<LatestValue>,
    /// Knowledge notes on the place (none for callers who may not read them).
    pub notes: Option<Vec<KnowledgeNote>>,
}

impl App {
    /// The dossier's further sections for `pcode` on `on`.
    pub async fn dossier_sections(
        &self,
        caller: &Caller,
        pcode: &str,
        on: NaiveDate,
    ) -> AppResult<DossierSections> {
        caller.require(Permission::ReadTransition)?;
        self.known_place(pcode)?;
        let gaz = self.gazetteer();
        let near = |p: &str| gaz.is_within(p, pcode) || gaz.is_within(pcode, p);
        let mut benchmarks = self.benchmarks(caller, on).await?;
        benchmarks.retain(|b| near(&b.benchmark.place));
        let mechanisms = self.mechanisms(caller, Some(pcode), on).await?;
        let roster = self.roster_summary(caller, pcode).await?;
        let staff = if caller.role.can(Permission::PlanTransition) {
            let mut s = self.staff(caller).await?;
            s.retain(|m| m.knows(&gaz, pcode));
            s
        } else {
            vec![]
        };
        let defs = self.indicators(caller).await?;
        let values = self.indicator_values(caller, None).await?;
        let mut indicators = Vec::new();
        for d in &defs {
            let mut places: Vec<&str> = values
                .iter()
                .filter(|v| v.indicator == d.id && v.on <= on && gaz.is_within(&v.place, pcode))
                .map(|v| v.place.as_str())
                .collect();
            places.sort_unstable();
            places.dedup();
            for p in places {
                let s: Vec<&IndicatorValue> = kinga_domain::transition::series(&values, &d.id, p)
                    .into_iter()
                    .filter(|v| v.on <= on)
                    .collect();
                if let Some(last) = s.last() {
                    indicators.push(LatestValue {
                        indicator: d.clone(),
                        place_name: gaz.get(p).map_or_else(|| p.to_string(), |x| x.name.clone()),
                        value: (*last).clone(),
                        count: s.len(),
                    });
                }
            }
        }
        let notes = if self.may_read_notes(caller) {
            let q = NoteQuery {
                place: Some(pcode.to_string()),
                ..NoteQuery::default()
            };
            Some(self.knowledge_notes(caller, &q).await?)
        } else {
            None
        };
        Ok(DossierSections {
            benchmarks,
            mechanisms,
            roster,
            staff,
            indicators,
            notes,
        })
    }
}
