//! Messages as people see them: the outbox (every message Kinga queued or sent), each
//! user's inbox (escalations and digests kept for them), and the one row view both use.

use std::collections::HashMap;

use axum::response::Response;
use minijinja::context;
use serde::Deserialize;

use kinga_app::OutboxQuery;
use kinga_domain::outbox::{MessageStatus, OutboxMessage, Recipient};
use kinga_domain::people::Permission;

use super::i18n::{self, tr};
use super::time::Local;
use super::{Ctx, QueryData, iso_time};

/// Messages on one page of the outbox.
const OUTBOX_PAGE: usize = 100;
/// Messages on one page of the inbox.
const INBOX_PAGE: usize = 50;

/// Filters and paging of the message lists.
#[derive(Debug, Default, Deserialize)]
pub struct MessagesQuery {
    /// Status filter (outbox).
    pub status: Option<String>,
    /// Page number, from 0.
    pub page: Option<usize>,
}

/// An outbox message as a row: never a phone number, only pseudonyms and names. A user's
/// inbox copy is "in the inbox", never "sent", since no gateway carried it.
pub fn message_view(
    lang: &str,
    local: &Local,
    m: &OutboxMessage,
    users: &HashMap<String, String>,
    name_of: &dyn Fn(&str) -> String,
) -> minijinja::Value {
    let to = match &m.recipient {
        Recipient::Reporter {
            pseudonym: Some(p), ..
        } => format!("{} {p}", tr(lang, "to_reporter")),
        Recipient::Reporter { .. } => format!(
            "{} ({})",
            tr(lang, "to_reporter"),
            tr(lang, "reporter_unknown")
        ),
        Recipient::User { user, .. } => users.get(user).cloned().unwrap_or_else(|| user.clone()),
        Recipient::Responder { responder } => name_of(responder),
    };
    let channel = m.channel_of();
    let in_inbox = m.inbox_user().is_some();
    context! {
        id => &m.id,
        kind => tr(lang, i18n::message_kind_key(m.kind)),
        kind_id => i18n::message_kind_key(m.kind).trim_start_matches("mk_"),
        status => if in_inbox { tr(lang, "in_inbox") } else { tr(lang, i18n::message_status_key(m.status)) },
        status_id => if in_inbox { "inbox" } else { i18n::message_status_key(m.status).trim_start_matches("ms_") },
        channel => channel.map(|c| tr(lang, i18n::channel_name_key(c))).unwrap_or("—"),
        channel_id => channel.unwrap_or(""),
        to => to,
        body => &m.body,
        alert => &m.alert,
        attempts => m.attempts,
        last_error => &m.last_error,
        at => local.show(m.created_at),
        iso => iso_time(m.created_at),
    }
}

/// Rows for messages, naming users and responders.
async fn rows(
    cx: &Ctx,
    messages: &[OutboxMessage],
) -> Result<Vec<minijinja::Value>, super::UiError> {
    let users: HashMap<String, String> = cx.st.app.user_names(&cx.caller()).await?;
    let responders = cx.st.app.responders(&cx.caller())?;
    let name_of = |id: &str| {
        responders
            .iter()
            .find(|r| r.id == id)
            .map(|r| r.name.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let local = cx.local();
    Ok(messages
        .iter()
        .map(|m| message_view(cx.lang, &local, m, &users, &name_of))
        .collect())
}

/// `GET /outbox`: every message queued or sent, newest first.
pub async fn outbox(cx: Ctx, QueryData(q): QueryData<MessagesQuery>) -> Response {
    let r = async {
        cx.require(Permission::ReadOutbox)?;
        let statuses = [
            MessageStatus::Queued,
            MessageStatus::Sent,
            MessageStatus::Delivered,
            MessageStatus::Failed,
        ];
        let id_of = |s: MessageStatus| i18n::message_status_key(s).trim_start_matches("ms_");
        let chosen = statuses
            .into_iter()
            .find(|s| Some(id_of(*s)) == q.status.as_deref());
        let page = q.page.unwrap_or(0);
        let query = OutboxQuery {
            statuses: chosen.into_iter().collect(),
            limit: OUTBOX_PAGE,
            offset: page * OUTBOX_PAGE,
            ..Default::default()
        };
        let found = cx.st.app.outbox(&cx.caller(), query).await?;
        let rows = rows(&cx, &found.items).await?;
        let options: Vec<_> = statuses
            .iter()
            .map(|s| {
                context! { id => id_of(*s), label => tr(cx.lang, i18n::message_status_key(*s)), selected => Some(id_of(*s)) == q.status.as_deref() }
            })
            .collect();
        let status_q = q
            .status
            .as_deref()
            .map(|s| format!("status={}&", super::urlencode(s)))
            .unwrap_or_default();
        let prev = (page > 0).then(|| format!("/outbox?{status_q}page={}", page - 1));
        let next = found
            .more
            .then(|| format!("/outbox?{status_q}page={}", page + 1));
        cx.render(
            "outbox.html",
            "outbox",
            context! { rows => rows, statuses => options, status => q.status, prev => prev, next => next, page => page + 1 },
        )
    }
    .await;
    cx.finish(r)
}

/// `GET /inbox`: the signed-in user's escalations and digests, newest first; what arrived
/// since their last visit is marked new, and opening the page reads it.
pub async fn inbox(mut cx: Ctx, QueryData(q): QueryData<MessagesQuery>) -> Response {
    let r = async {
        let page = q.page.unwrap_or(0);
        let user = &cx.pu.user;
        let found = cx.st.app.inbox(user, page * INBOX_PAGE, INBOX_PAGE).await?;
        let mut rows = rows(&cx, &found.items).await?;
        for (row, m) in rows.iter_mut().zip(&found.items) {
            let new = found.seen_before.is_none_or(|seen| m.created_at > seen);
            *row = context! { new => new, ..row.clone() };
        }
        if page == 0 {
            cx.st.app.mark_inbox_read(user).await?;
            cx.unread = 0;
        }
        let prev = (page > 0).then(|| format!("/inbox?page={}", page - 1));
        let next = found.more.then(|| format!("/inbox?page={}", page + 1));
        cx.render(
            "inbox.html",
            "inbox",
            context! { rows => rows, prev => prev, next => next, page => page + 1 },
        )
    }
    .await;
    cx.finish(r)
}
