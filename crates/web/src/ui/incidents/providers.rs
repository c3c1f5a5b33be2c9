//! The directory of service providers (`/providers`): one-stop centres, child-protection
//! agencies, health facilities, NGOs, government services and UN agencies, with the services
//! they give and the places they serve; listed for everyone who reads incidents, added and
//! changed by those who manage registries. Referrals on an incident's page choose from it.

use axum::response::Response;
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};

use kinga_app::AppError;
use kinga_domain::incident::care::{ProviderKind, ReferralService, ServiceProvider};
use kinga_domain::people::Permission;

use super::form::parse_id;
use super::{label, options, place_label};
use crate::ui::login::see_other;
use crate::ui::{Ctx, FormData, QueryData, UiResult, split_list, urlencode};

const KINDS: [ProviderKind; 7] = [
    ProviderKind::OneStopCentre,
    ProviderKind::ChildProtection,
    ProviderKind::Health,
    ProviderKind::Ngo,
    ProviderKind::Government,
    ProviderKind::UnAgency,
    ProviderKind::Other,
];

const SERVICES: [ReferralService; 5] = [
    ReferralService::Medical,
    ReferralService::Psychosocial,
    ReferralService::Legal,
    ReferralService::SafetyShelter,
    ReferralService::SocioEconomic,
];

/// Which entry to edit, and what was just done.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProvidersQuery {
    edit: String,
    done: String,
}

/// The entry form, as typed (`services` repeated, one per ticked box).
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ProviderForm {
    csrf: String,
    id: String,
    name: String,
    kind: String,
    services: Vec<String>,
    places: String,
}

impl ProviderForm {
    fn of(p: &ServiceProvider) -> ProviderForm {
        ProviderForm {
            csrf: String::new(),
            id: p.id.clone(),
            name: p.name.clone(),
            kind: super::id_of(&p.kind),
            services: p.services.iter().map(super::id_of).collect(),
            places: p.places.join(", "),
        }
    }
}

async fn render(cx: &Ctx, form: ProviderForm, error: Option<String>, done: bool) -> UiResult {
    cx.require(Permission::ReadIncidents)?;
    let providers = cx.st.app.service_providers(&cx.caller()).await?;
    let rows: Vec<Value> = providers
        .iter()
        .map(|p| {
            let services: Vec<String> = p
                .services
                .iter()
                .map(|s| label(cx.lang, "svc", s))
                .collect();
            let places: Vec<String> = p.places.iter().map(|c| place_label(cx, c)).collect();
            context! {
                id => &p.id,
                name => &p.name,
                kind => label(cx.lang, "pk", &p.kind),
                kind_id => super::id_of(&p.kind),
                services => services.join(", "),
                places => places.join(", "),
                edit_href => format!("/providers?edit={}#provider-form", urlencode(&p.id)),
            }
        })
        .collect();
    let view = context! {
        rows => rows,
        f => &form,
        error => error,
        done => done,
        kinds => options(cx.lang, "pk", &KINDS),
        services => options(cx.lang, "svc", &SERVICES),
        can_edit => cx.can(Permission::ManageRegistries),
    };
    cx.render("providers.html", "incidents", view)
}

/// `GET /providers`: the directory, with the form to add an entry or change one.
pub async fn page(cx: Ctx, QueryData(q): QueryData<ProvidersQuery>) -> Response {
    let r = async {
        let mut form = ProviderForm::default();
        if !q.edit.is_empty() {
            let all = cx.st.app.service_providers(&cx.caller()).await?;
            if let Some(p) = all.iter().find(|p| p.id == q.edit) {
                form = ProviderForm::of(p);
            }
        }
        render(&cx, form, None, q.done == "saved").await
    }
    .await;
    cx.finish(r)
}

/// `POST /providers`: add (no id) or change an entry.
pub async fn save(cx: Ctx, FormData(f): FormData<ProviderForm>) -> Response {
    let r = async {
        cx.check_csrf(&f.csrf)?;
        cx.require(Permission::ManageRegistries)?;
        let Some(kind) = parse_id::<ProviderKind>(&f.kind) else {
            let e = cx.t("pv_kind_missing").to_string();
            return render(&cx, f, Some(e), false).await;
        };
        let services: Vec<ReferralService> =
            f.services.iter().filter_map(|s| parse_id(s)).collect();
        let p = ServiceProvider {
            id: f.id.trim().to_string(),
            name: f.name.clone(),
            kind,
            services,
            places: split_list(&f.places),
        };
        match cx.st.app.save_service_provider(&cx.caller(), p).await {
            Ok(_) => Ok(see_other("/providers?done=saved")),
            Err(e @ (AppError::Domain(_) | AppError::Invalid(_))) => {
                let text = crate::ui::alert::error_text(cx.lang, &e);
                render(&cx, f, Some(text), false).await
            }
            Err(e) => Err(e.into()),
        }
    }
    .await;
    cx.finish(r)
}
