//! The audit trail. Every entry is a ledger event written with its row, so the trail is
//! hash-chained with everything else and `kinga verify` finds a deleted or edited entry.

use kinga_domain::audit::AuditEntry;
use kinga_domain::people::Permission;
use kinga_ledger::{DraftEvent, Payload};
use kinga_store::{Commit, Write};

use crate::{App, AppResult, Caller};

impl App {
    /// The event and row of an audit entry, to commit with the change it accompanies.
    pub(crate) fn audit_parts(
        &self,
        caller: &Caller,
        action: &str,
        record: &str,
        context: &str,
    ) -> (DraftEvent, Write) {
        let id = self.new_id();
        let entry = AuditEntry {
            id: id.clone(),
            at: self.now(),
            actor: caller.name.clone(),
            action: action.to_string(),
            record: record.to_string(),
            // Contexts are reasons and paths typed by people: bounded like every free text.
            context: context.chars().take(crate::limits::REASON).collect(),
        };
        let mut event = self.draft(
            &caller.name,
            Payload::Audited {
                entry: entry.clone(),
            },
        );
        event.id = id;
        (event, Write::Audit(entry))
    }

    /// Record an audited action on its own (a read, a login, an export).
    pub(crate) async fn audit(
        &self,
        caller: &Caller,
        action: &str,
        record: &str,
        context: &str,
    ) -> AppResult<()> {
        let (event, write) = self.audit_parts(caller, action, record, context);
        self.commit(Commit {
            events: vec![event],
            writes: vec![write],
        })
        .await?;
        Ok(())
    }

    /// The audit trail, newest first; for those who oversee the network.
    pub async fn audit_log(&self, caller: &Caller, limit: usize) -> AppResult<Vec<AuditEntry>> {
        caller.require(Permission::Coordinate)?;
        Ok(self.store.audit_log(limit.min(1000)).await?)
    }
}
