//! Each user's inbox: the copies of escalations and digests Kinga keeps for them, whatever
//! else they asked to receive by SMS or e-mail. What came after they last opened it is unread.

use chrono::{DateTime, Utc};

use kinga_domain::outbox::OutboxMessage;
use kinga_domain::people::User;
use kinga_store::OutboxQuery;

use crate::{App, AppResult, Caller};

/// Unread messages counted at most; the header says "99+" past it.
pub const UNREAD_CAP: usize = 100;

/// One page of a user's inbox.
#[derive(Debug, Clone)]
pub struct InboxPage {
    /// Messages, newest first.
    pub items: Vec<OutboxMessage>,
    /// Whether older messages follow.
    pub more: bool,
    /// When the user had last opened the inbox before: newer messages are unread.
    pub seen_before: Option<DateTime<Utc>>,
}

impl App {
    /// A page of the signed-in user's own inbox.
    pub async fn inbox(&self, user: &User, offset: usize, limit: usize) -> AppResult<InboxPage> {
        let limit = limit.clamp(1, 200);
        let mut items = self
            .store
            .outbox(&OutboxQuery {
                inbox_of: Some(user.id.clone()),
                limit: limit + 1,
                offset,
                ..Default::default()
            })
            .await?;
        let more = items.len() > limit;
        items.truncate(limit);
        Ok(InboxPage {
            items,
            more,
            seen_before: user.inbox_seen_at,
        })
    }

    /// How many messages reached the user's inbox since they last opened it (at most
    /// [`UNREAD_CAP`]).
    pub async fn inbox_unread(&self, user: &User) -> AppResult<usize> {
        Ok(self
            .store
            .outbox(&OutboxQuery {
                inbox_of: Some(user.id.clone()),
                after: user.inbox_seen_at,
                limit: UNREAD_CAP,
                ..Default::default()
            })
            .await?
            .len())
    }

    /// Record that the user has read their inbox up to now. Nothing is written when nothing
    /// was unread, so opening the inbox does not grow the ledger.
    pub async fn mark_inbox_read(&self, user: &User) -> AppResult<()> {
        if self.inbox_unread(user).await? == 0 {
            return Ok(());
        }
        // The stored record, not the session's copy, so a concurrent settings change stays.
        let mut u = self.named_user(&user.name).await?;
        u.inbox_seen_at = Some(self.now());
        self.save_user(&Caller::user(user), u).await
    }
}
