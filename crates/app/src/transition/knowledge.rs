//! Knowledge notes on threat actors and past responses. What was tried with an armed group
//! is not for every reader: planners and analysts (who read reports) read and search them;
//! planners write them. Notes live in the ledger, so a handover carries them.

use kinga_domain::people::Permission;
use kinga_domain::transition::{
    KnowledgeNote, NoteInput, NoteQuery, RecordKind, TransitionRecord, check_note,
};

use super::records::unwrap_records;
use crate::{App, AppError, AppResult, Caller, limits};

fn may_read_notes(caller: &Caller) -> AppResult<()> {
    if caller.role.can(Permission::PlanTransition) || caller.role.can(Permission::ReadReports) {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!(
            "the role '{}' may not read knowledge notes",
            caller.role
        )))
    }
}

impl App {
    /// Whether the caller may read knowledge notes.
    pub fn may_read_notes(&self, caller: &Caller) -> bool {
        may_read_notes(caller).is_ok()
    }

    /// The notes answering `q`, most recently changed first.
    pub async fn knowledge_notes(
        &self,
        caller: &Caller,
        q: &NoteQuery,
    ) -> AppResult<Vec<KnowledgeNote>> {
        may_read_notes(caller)?;
        limits::check("q", &q.text, limits::NAME)?;
        let gaz = self.gazetteer();
        let mut list = unwrap_records!(self.records_of(RecordKind::Note).await?, Note);
        list.retain(|n| n.matches(q, &gaz));
        list.sort_by(|a, b| {
            b.stamp
                .updated_at
                .cmp(&a.stamp.updated_at)
                .then_with(|| a.id.cmp(&b.id))
        });
        Ok(list)
    }

    /// One note.
    pub async fn knowledge_note(&self, caller: &Caller, id: &str) -> AppResult<KnowledgeNote> {
        may_read_notes(caller)?;
        match self.record(RecordKind::Note, id).await? {
            TransitionRecord::Note(n) => Ok(n),
            _ => Err(AppError::NotFound(format!("note {id}"))),
        }
    }

    /// Write a note or change it.
    pub async fn save_note(&self, caller: &Caller, input: NoteInput) -> AppResult<KnowledgeNote> {
        caller.require(Permission::PlanTransition)?;
        let (id, stamp, stored) = self
            .next_stamp(caller, RecordKind::Note, input.id.as_deref(), input.version)
            .await?;
        let mut n = KnowledgeNote {
            id,
            note_kind: input.note_kind,
            title: input.title,
            places: input.places,
            actors: input.actors,
            happened_on: input.happened_on,
            body: input.body,
            tried: input.tried,
            outcome: input.outcome,
            why: input.why,
            stamp,
        };
        check_note(&mut n, &self.gazetteer())?;
        if !n.actors.is_empty() {
            let known = self.store.actors().await?;
            if let Some(a) = n.actors.iter().find(|a| !known.iter().any(|k| &&k.id == a)) {
                return Err(AppError::Invalid(format!("unknown actor '{a}'")));
            }
        }
        let expected = stored.map(|s| s.stamp().version);
        self.write_record(caller, TransitionRecord::Note(n.clone()), expected)
            .await?;
        Ok(n)
    }

    /// Remove a note.
    pub async fn remove_note(&self, caller: &Caller, id: &str, version: u64) -> AppResult<()> {
        caller.require(Permission::PlanTransition)?;
        self.remove_record(caller, RecordKind::Note, id, version)
            .await
    }
}
