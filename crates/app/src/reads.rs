//! Reads of the registries, the outbox, users and digests: each checks the caller's
//! permission and withholds what the caller may not see, so no page or route can show more
//! than the use case gives it.

use std::collections::HashMap;

use kinga_domain::outbox::{MessageKind, OutboxMessage};
use kinga_domain::people::{ApiToken, Permission, User};
use kinga_domain::place::Place;
use kinga_domain::registry::{FocalPoint, Responder, ThreatActor};
use kinga_store::OutboxQuery;

use crate::{App, AppError, AppResult, Caller};

/// Largest page of a list the reads give.
pub const MAX_PAGE: usize = 500;

/// A page of outbox messages.
#[derive(Debug, Clone, Default)]
pub struct OutboxPage {
    /// Messages, newest first.
    pub items: Vec<OutboxMessage>,
    /// True when a next page may hold more.
    pub more: bool,
}

impl App {
    /// Places under an area (P-code prefix), at most `limit`.
    pub fn places(&self, caller: &Caller, under: &str, limit: usize) -> AppResult<Vec<Place>> {
        caller.require(Permission::ReadAlerts)?;
        crate::limits::check("under", under, crate::limits::ID)?;
        let gaz = self.caches.gazetteer();
        Ok(gaz
            .places()
            .iter()
            .filter(|p| p.pcode.starts_with(under.trim()))
            .take(limit.min(5_000))
            .cloned()
            .collect())
    }

    /// Responders with their coverage; phone numbers and e-mail addresses only for those who
    /// contact responders (the network roles).
    pub fn responders(&self, caller: &Caller) -> AppResult<Vec<Responder>> {
        caller.require(Permission::ReadAlerts)?;
        let mut list = self.caches.responders().as_ref().clone();
        if !caller.role.can(Permission::ReadContacts) {
            for r in &mut list {
                r.phone = None;
                r.email = None;
            }
        }
        Ok(list)
    }

    /// Threat actors with their aliases.
    pub async fn actors(&self, caller: &Caller) -> AppResult<Vec<ThreatActor>> {
        caller.require(Permission::ReadAlerts)?;
        Ok(self.store.actors().await?)
    }

    /// The focal points (pseudonyms, places, languages; names and numbers stay sealed), for
    /// the roles that run the network.
    pub async fn focal_points(&self, caller: &Caller) -> AppResult<Vec<FocalPoint>> {
        caller.require(Permission::ReadReporters)?;
        Ok(self.store.focal_points().await?)
    }

    /// A page of the outbox, newest first.
    pub async fn outbox(&self, caller: &Caller, mut q: OutboxQuery) -> AppResult<OutboxPage> {
        caller.require(Permission::ReadOutbox)?;
        crate::limits::check_opt("alert", q.alert.as_deref(), crate::limits::ID)?;
        q.limit = q.limit.clamp(1, MAX_PAGE);
        let want = q.limit;
        q.limit += 1;
        let mut items = self.store.outbox(&q).await?;
        let more = items.len() > want;
        items.truncate(want);
        Ok(OutboxPage { items, more })
    }

    /// The messages about one alert, for those who may read the outbox; nothing for others.
    pub async fn alert_messages(
        &self,
        caller: &Caller,
        alert: &str,
    ) -> AppResult<Vec<OutboxMessage>> {
        if !caller.role.can(Permission::ReadOutbox) {
            return Ok(vec![]);
        }
        let q = OutboxQuery {
            alert: Some(alert.to_string()),
            limit: 200,
            ..Default::default()
        };
        let mut list = self.store.outbox(&q).await?;
        // Escalations are the coordinators' own business.
        if !caller.role.can(Permission::Coordinate) {
            list.retain(|m| m.kind != MessageKind::Escalation);
        }
        Ok(list)
    }

    /// Users, without their password hashes.
    pub async fn users(&self, caller: &Caller) -> AppResult<Vec<User>> {
        caller.require(Permission::ManageUsers)?;
        let mut users = self.store.users().await?;
        for u in &mut users {
            u.password_hash.clear();
        }
        Ok(users)
    }

    /// Display names of users by id, for those who read messages addressed to them.
    pub async fn user_names(&self, caller: &Caller) -> AppResult<HashMap<String, String>> {
        caller.require(Permission::ReadOutbox)?;
        Ok(self
            .store
            .users()
            .await?
            .into_iter()
            .map(|u| (u.id, u.display_name))
            .collect())
    }

    /// The API tokens of a user (their own, or anyone's for administrators).
    pub async fn tokens(&self, caller: &Caller, user_name: &str) -> AppResult<Vec<ApiToken>> {
        if caller.name != user_name {
            caller.require(Permission::ManageUsers)?;
        }
        let user = self
            .store
            .user_by_name(user_name)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("user '{user_name}'")))?;
        Ok(self.store.tokens_of(&user.id).await?)
    }

    /// Digests issued, newest first.
    pub async fn digests(
        &self,
        caller: &Caller,
        limit: usize,
    ) -> AppResult<Vec<serde_json::Value>> {
        caller.require(Permission::Coordinate)?;
        Ok(self.store.digests(limit.min(MAX_PAGE)).await?)
    }

    /// Events of the ledger after position `after`, at most `limit` (operators: export,
    /// inspection).
    pub async fn events(
        &self,
        caller: &Caller,
        after: u64,
        limit: usize,
    ) -> AppResult<Vec<(u64, kinga_ledger::Event)>> {
        caller.require(Permission::ManageUsers)?;
        Ok(self.store.events(after, limit.min(10_000)).await?)
    }

    /// Number of events in the ledger (operators, the demo loader).
    pub async fn event_count(&self, caller: &Caller) -> AppResult<u64> {
        caller.require(Permission::ManageUsers)?;
        Ok(self.store.event_count().await?)
    }
}
