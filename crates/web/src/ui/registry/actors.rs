//! The threat actors page: armed groups and forces, their aliases and the areas they hold.

use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;
use serde::{Deserialize, Serialize};

use kinga_app::registry::RegistryRecord;
use kinga_domain::people::Permission;
use kinga_domain::registry::ThreatActor;

use super::super::i18n::{self, tr};
use super::super::login::see_other;
use super::super::{Ctx, FormData, QueryData, UiError, UiResult, slug, split_list};
use super::{ACTOR_KINDS, NoticeQuery, labels, notice, place_code, save_one};

/// The actor form as typed.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ActorForm {
    #[serde(skip_serializing)]
    csrf: String,
    id: String,
    name: String,
    kind: String,
    aliases: String,
    areas: String,
    notes: String,
}

impl ActorForm {
    fn of(a: &ThreatActor) -> Self {
        ActorForm {
            csrf: String::new(),
            id: a.id.clone(),
            name: a.name.clone(),
            kind: i18n::actor_kind_key(a.kind)
                .trim_start_matches("ak_")
                .to_string(),
            aliases: a.aliases.join(", "),
            areas: a.areas.join(", "),
            notes: a.notes.clone(),
        }
    }

    fn actor(&self, cx: &Ctx) -> Result<ThreatActor, UiError> {
        let lang = cx.lang;
        let name = self.name.trim();
        if name.is_empty() {
            return Err(UiError::invalid(
                tr(lang, "err_missing").replace("{f}", tr(lang, "field_name")),
            ));
        }
        let kind = ACTOR_KINDS
            .into_iter()
            .find(|k| i18n::actor_kind_key(*k).trim_start_matches("ak_") == self.kind)
            .ok_or_else(|| UiError::invalid(tr(lang, "err_bad_kind")))?;
        let gaz = cx.st.app.gazetteer();
        let areas = split_list(&self.areas)
            .iter()
            .map(|p| place_code(&gaz, lang, p))
            .collect::<Result<Vec<_>, _>>()?;
        let id = match self.id.trim() {
            "" => Some(slug(name))
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| cx.st.app.new_id()),
            id => id.to_string(),
        };
        Ok(ThreatActor {
            id,
            name: name.to_string(),
            kind,
            aliases: split_list(&self.aliases),
            areas,
            notes: self.notes.trim().to_string(),
        })
    }
}

async fn render_actors(
    cx: &Ctx,
    status: StatusCode,
    form: ActorForm,
    error: Option<String>,
    notice_text: Option<&str>,
) -> UiResult {
    let lang = cx.lang;
    let gaz = cx.st.app.gazetteer();
    let list = cx.st.app.actors(&cx.caller()).await?;
    let rows: Vec<_> = list
        .iter()
        .map(|a| {
            context! {
                id => &a.id,
                name => &a.name,
                kind => tr(lang, i18n::actor_kind_key(a.kind)),
                aliases => &a.aliases,
                areas => labels(&gaz, &a.areas),
                notes => &a.notes,
            }
        })
        .collect();
    let kinds: Vec<_> = ACTOR_KINDS
        .iter()
        .map(|k| context! { id => i18n::actor_kind_key(*k).trim_start_matches("ak_"), label => tr(lang, i18n::actor_kind_key(*k)) })
        .collect();
    let view = context! { rows => rows, kinds => kinds, v => &form, error => error, notice => notice_text };
    cx.render_status(status, "actors.html", "actors", view)
}

/// `GET /actors`.
pub async fn actors(cx: Ctx, QueryData(q): QueryData<NoticeQuery>) -> Response {
    let r = async {
        cx.require(Permission::ReadAlerts)?;
        let form = match q.edit.as_deref() {
            Some(id) if cx.can(Permission::ManageRegistries) => cx
                .st
                .app
                .actors(&cx.caller())
                .await?
                .iter()
                .find(|a| a.id == id)
                .map(ActorForm::of)
                .unwrap_or_default(),
            _ => ActorForm::default(),
        };
        render_actors(
            &cx,
            StatusCode::OK,
            form,
            None,
            notice(cx.lang, q.notice.as_deref()),
        )
        .await
    }
    .await;
    cx.finish(r)
}

/// `POST /actors`: add or replace a threat actor.
pub async fn save_actor(cx: Ctx, FormData(f): FormData<ActorForm>) -> Response {
    let r = async {
        cx.check_csrf(&f.csrf)?;
        cx.require(Permission::ManageRegistries)?;
        let actor = match f.actor(&cx) {
            Ok(a) => a,
            Err(e) => return render_actors(&cx, e.status, f, Some(e.message), None).await,
        };
        match save_one(&cx, RegistryRecord::Actor(actor)).await? {
            None => Ok(see_other("/actors?notice=notice_saved")),
            Some(msg) => {
                render_actors(&cx, StatusCode::UNPROCESSABLE_ENTITY, f, Some(msg), None).await
            }
        }
    }
    .await;
    cx.finish(r)
}
