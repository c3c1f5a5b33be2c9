//! Community mechanisms: planners map them and record their assessments; readers of the
//! transition see each one's members as counts, representativeness, functionality and
//! support after the departure. Focal points show by pseudonym only to those who may read
//! the focal point registry; others see how many there are.

use chrono::NaiveDate;
use serde::Serialize;

use kinga_domain::people::Permission;
use kinga_domain::transition::{
    Assessment, AssessmentInput, Functionality, Mechanism, MechanismInput, RecordKind,
    Representativeness, SupportState, TransitionRecord, check_mechanism,
};

use super::records::unwrap_records;
use crate::{App, AppError, AppResult, Caller};

/// A mechanism as readers see it.
#[derive(Debug, Clone, Serialize)]
pub struct MechanismView {
    /// The mechanism (its focal point ids emptied for callers who may not read them).
    pub mechanism: Mechanism,
    /// Its place's name.
    pub place_name: String,
    /// Members in all.
    pub members: u32,
    /// Representativeness.
    pub representativeness: Representativeness,
    /// Functionality from the latest assessment.
    pub functionality: Functionality,
    /// Its latest assessment's score (%).
    pub score: Option<f64>,
    /// Support after the departure, on the date asked.
    pub support: SupportState,
    /// How many focal points.
    pub focal_point_count: usize,
    /// Their pseudonyms (only for callers who may read the registry).
    pub focal_points: Option<Vec<String>>,
}

impl App {
    /// Every mechanism (inside `area`, or in an area holding it, when given), states on `on`.
    pub async fn mechanisms(
        &self,
        caller: &Caller,
        area: Option<&str>,
        on: NaiveDate,
    ) -> AppResult<Vec<MechanismView>> {
        caller.require(Permission::ReadTransition)?;
        let gaz = self.gazetteer();
        let mut list = unwrap_records!(self.records_of(RecordKind::Mechanism).await?, Mechanism);
        if let Some(a) = area {
            list.retain(|m| gaz.is_within(&m.place, a) || gaz.is_within(a, &m.place));
        }
        list.sort_by(|a, b| a.place.cmp(&b.place).then_with(|| a.name.cmp(&b.name)));
        let pseudonyms = if caller.role.can(Permission::ReadReporters) {
            Some(self.store.focal_points().await?)
        } else {
            None
        };
        Ok(list
            .into_iter()
            .map(|mut m| {
                let focal_points = pseudonyms.as_ref().map(|all| {
                    m.focal_points
                        .iter()
                        .map(|id| {
                            all.iter()
                                .find(|f| &f.id == id)
                                .map_or_else(|| id.clone(), |f| f.pseudonym.clone())
                        })
                        .collect()
                });
                let count = m.focal_points.len();
                if focal_points.is_none() {
                    m.focal_points.clear();
                }
                MechanismView {
                    place_name: gaz
                        .get(&m.place)
                        .map_or_else(|| m.place.clone(), |p| p.name.clone()),
                    members: m.total(),
                    representativeness: m.representativeness(),
                    functionality: m.functionality(),
                    score: m.latest().and_then(Assessment::percent),
                    support: m.support_state(on),
                    focal_point_count: count,
                    focal_points,
                    mechanism: m,
                }
            })
            .collect())
    }

    /// One mechanism as the caller may see it.
    pub async fn mechanism(
        &self,
        caller: &Caller,
        id: &str,
        on: NaiveDate,
    ) -> AppResult<MechanismView> {
        self.mechanisms(caller, None, on)
            .await?
            .into_iter()
            .find(|m| m.mechanism.id == id)
            .ok_or_else(|| AppError::NotFound(format!("mechanism {id}")))
    }

    /// Map a mechanism or change it (its assessments are kept).
    pub async fn save_mechanism(
        &self,
        caller: &Caller,
        input: MechanismInput,
    ) -> AppResult<Mechanism> {
        caller.require(Permission::PlanTransition)?;
        let (id, stamp, stored) = self
            .next_stamp(
                caller,
                RecordKind::Mechanism,
                input.id.as_deref(),
                input.version,
            )
            .await?;
        let stored = stored.and_then(|s| match s {
            TransitionRecord::Mechanism(m) => Some(m),
            _ => None,
        });
        let mut m = Mechanism {
            id,
            mechanism_kind: input.mechanism_kind,
            name: input.name,
            place: input.place.trim().to_string(),
            members: input.members,
            focal_points: input.focal_points,
            supporters_now: input.supporters_now,
            supporters_after: input.supporters_after,
            assessments: stored
                .as_ref()
                .map(|s| s.assessments.clone())
                .unwrap_or_default(),
            note: input.note,
            stamp,
        };
        self.write_mechanism(caller, &mut m, stored.map(|s| s.stamp.version))
            .await?;
        Ok(m)
    }

    async fn write_mechanism(
        &self,
        caller: &Caller,
        m: &mut Mechanism,
        expected: Option<u64>,
    ) -> AppResult<()> {
        check_mechanism(m, &self.gazetteer())?;
        if !m.focal_points.is_empty() {
            let known = self.store.focal_points().await?;
            if let Some(id) = m
                .focal_points
                .iter()
                .find(|id| !known.iter().any(|f| &&f.id == id))
            {
                return Err(AppError::Invalid(format!("unknown focal point '{id}'")));
            }
        }
        self.write_record(caller, TransitionRecord::Mechanism(m.clone()), expected)
            .await?;
        Ok(())
    }

    /// Record a functionality assessment of a mechanism (the caller is the assessor).
    pub async fn assess_mechanism(
        &self,
        caller: &Caller,
        id: &str,
        input: AssessmentInput,
    ) -> AppResult<Mechanism> {
        caller.require(Permission::PlanTransition)?;
        let mut m = match self.record(RecordKind::Mechanism, id).await? {
            TransitionRecord::Mechanism(m) => m,
            _ => return Err(AppError::NotFound(format!("mechanism {id}"))),
        };
        let expected = m.stamp.version;
        m.assessments.push(Assessment {
            id: self.new_id(),
            on: input.on,
            scores: input.scores,
            note: input.note,
            by: caller.name.clone(),
        });
        m.stamp.version += 1;
        m.stamp.updated_at = self.now();
        m.stamp.updated_by = caller.name.clone();
        self.write_mechanism(caller, &mut m, Some(expected)).await?;
        Ok(m)
    }

    /// Record who supports a mechanism now and who will after the departure, on the version
    /// read (everything else it holds is kept).
    pub async fn record_mechanism_support(
        &self,
        caller: &Caller,
        id: &str,
        version: u64,
        supporters_now: Vec<String>,
        supporters_after: Vec<String>,
    ) -> AppResult<Mechanism> {
        caller.require(Permission::PlanTransition)?;
        let mut m = match self.record(RecordKind::Mechanism, id).await? {
            TransitionRecord::Mechanism(m) => m,
            _ => return Err(AppError::NotFound(format!("mechanism {id}"))),
        };
        let expected = m.stamp.version;
        if expected != version {
            return Err(super::conflict(&format!("the mechanism {id}")));
        }
        m.supporters_now = supporters_now;
        m.supporters_after = supporters_after;
        m.stamp.version += 1;
        m.stamp.updated_at = self.now();
        m.stamp.updated_by = caller.name.clone();
        self.write_mechanism(caller, &mut m, Some(expected)).await?;
        Ok(m)
    }

    /// Remove a mechanism.
    pub async fn remove_mechanism(&self, caller: &Caller, id: &str, version: u64) -> AppResult<()> {
        caller.require(Permission::PlanTransition)?;
        self.remove_record(caller, RecordKind::Mechanism, id, version)
            .await
    }
}
