//! Alerts read back: one or a page as the caller may see them, the queue's counts, and the
//! places a typed name may mean.

use chrono::{DateTime, Utc};

use kinga_domain::people::Permission;
use kinga_domain::place::{self, PlaceCandidate};
use kinga_domain::{Alert, AlertEvent, Reporter};
use kinga_store::{AlertPage, AlertQuery, AlertTallies};

use crate::{App, AppError, AppResult, Caller, limits};

impl App {
    /// One alert by id or reference, as the caller may see it.
    pub async fn alert(&self, caller: &Caller, id_or_ref: &str) -> AppResult<Alert> {
        let a = self.visible_alert(caller, id_or_ref).await?;
        Ok(self.shown_to(caller, a))
    }

    /// What a caller who may not see reporters is shown of an alert: no focal point, no
    /// pseudonym, no language or place flag that came from the sender's registration.
    pub fn shown_to(&self, caller: &Caller, a: Alert) -> Alert {
        let mut a = Self::notes_for(caller, a);
        if caller.may_see_reporters() {
            self.current_pseudonyms(&mut a);
            return a;
        }
        a.reporter = Reporter::withheld();
        for t in &mut a.timeline {
            match &mut t.event {
                AlertEvent::Received(new) => new.reporter = Reporter::withheld(),
                AlertEvent::ReporterLinked {
                    focal_point,
                    pseudonym,
                    language,
                } => {
                    focal_point.clear();
                    *pseudonym = None;
                    *language = None;
                }
                _ => {}
            }
        }
        a.parse_flags.retain(|f| !f.contains("sender"));
        a
    }

    /// What a caller is shown of an alert: reporters withheld as [`App::shown_to`] says, and
    /// internal notes only to those who work the alert.
    fn notes_for(caller: &Caller, mut a: Alert) -> Alert {
        if !crate::moves::sees_notes(caller.role) {
            a.timeline
                .retain(|t| !matches!(t.event, AlertEvent::NoteAdded { .. }));
        }
        a
    }

    /// The alert itself, when the caller may read it (responders: only those assigned to
    /// them; anyone else who may not: not found, as if it did not exist).
    pub(crate) async fn visible_alert(&self, caller: &Caller, id_or_ref: &str) -> AppResult<Alert> {
        caller.require(Permission::ReadAlerts)?;
        limits::check("id", id_or_ref, limits::ID)?;
        // References are `<prefix>-<number>` (ids are ULIDs, which hold no '-').
        let found = if id_or_ref.contains('-') {
            self.store
                .alert_by_reference(&id_or_ref.to_uppercase())
                .await?
        } else {
            self.store.alert(id_or_ref).await?
        };
        let alert = found.ok_or_else(|| AppError::NotFound(format!("alert {id_or_ref}")))?;
        if caller.role == kinga_domain::people::Role::Responder
            && !caller
                .responder
                .as_ref()
                .is_some_and(|r| alert.assigned.contains(r))
        {
            return Err(AppError::NotFound(format!("alert {id_or_ref}")));
        }
        Ok(alert)
    }

    /// A page of alerts. Responders only ever see alerts assigned to them.
    pub async fn alerts(&self, caller: &Caller, mut q: AlertQuery) -> AppResult<AlertPage> {
        caller.require(Permission::ReadAlerts)?;
        if caller.role == kinga_domain::people::Role::Responder {
            q.assigned_to = Some(caller.responder.clone().unwrap_or_else(|| "-".into()));
        }
        if q.limit == 0 {
            q.limit = 50;
        }
        limits::check_opt("place", q.place_prefix.as_deref(), limits::ID)?;
        let mut page = self.store.alerts(&q).await?;
        page.items = page
            .items
            .into_iter()
            .map(|a| self.shown_to(caller, a))
            .collect();
        Ok(page)
    }

    /// The queue's counts over what `q` matches for the caller (its page ignored): in all,
    /// uncovered, with no place, and due at or before `overdue_at`; one pass over the rows.
    pub async fn alert_tallies(
        &self,
        caller: &Caller,
        mut q: AlertQuery,
        overdue_at: DateTime<Utc>,
    ) -> AppResult<AlertTallies> {
        caller.require(Permission::ReadAlerts)?;
        // A responder counts what [`App::alerts`] shows them: their own alerts.
        if caller.role == kinga_domain::people::Role::Responder {
            q.assigned_to = Some(caller.responder.clone().unwrap_or_else(|| "-".into()));
        }
        limits::check_opt("place", q.place_prefix.as_deref(), limits::ID)?;
        Ok(self.store.alert_tallies(&q, overdue_at).await?)
    }

    /// The P-codes a place name as people type it may mean (every candidate about as good
    /// as the best), for searching alerts by place name rather than by code.
    pub fn places_meant(&self, caller: &Caller, name: &str) -> AppResult<Vec<String>> {
        let c = self.find_places(caller, name, 10)?;
        let Some(best) = c.first().map(|b| b.score) else {
            return Ok(vec![]);
        };
        Ok(c.into_iter()
            .filter(|x| best - x.score < place::PICK_MIN_GAP && x.score >= place::MIN_SCORE)
            .map(|x| x.pcode)
            .collect())
    }

    /// Ranked place candidates for a name as typed (bounded: a long query costs no more
    /// than a long place name).
    pub fn find_places(
        &self,
        caller: &Caller,
        q: &str,
        limit: usize,
    ) -> AppResult<Vec<PlaceCandidate>> {
        caller.require(Permission::ReadAlerts)?;
        limits::check("q", q, limits::PLACE_NAME)?;
        Ok(self.caches.gazetteer().resolve(q, limit.clamp(1, 50)))
    }
}
