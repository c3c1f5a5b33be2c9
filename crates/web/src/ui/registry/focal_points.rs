//! The focal points page: pseudonymous registration, a searchable list in pages, and the
//! audited opening of one identity.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;
use serde::{Deserialize, Serialize};

use kinga_app::AppError;
use kinga_app::registry::{FocalPointInput, RegistryRecord};
use kinga_domain::people::Permission;
use kinga_domain::registry::FocalPoint;

use super::super::alert::error_text;
use super::super::login::see_other;
use super::super::{Ctx, FormData, QueryData, UiResult};
use super::{NoticeQuery, notice, place_code, save_one};

/// Focal points on one page of the list.
const FOCAL_POINT_PAGE: usize = 100;

/// Which part of a long list to show: a search and a page.
#[derive(Debug, Default)]
struct Slice {
    q: Option<String>,
    page: usize,
}

/// The focal point registration form as typed (the name and phone are sealed at once and
/// never shown back).
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct FocalPointForm {
    #[serde(skip_serializing)]
    csrf: String,
    #[serde(skip_serializing)]
    name: String,
    #[serde(skip_serializing)]
    phone: String,
    place: String,
    language: String,
    pseudonym: String,
}

/// A focal point's opened identity, shown once after an audited request.
#[derive(Debug, Serialize)]
struct Revealed {
    id: String,
    name: String,
    phone: String,
}

async fn render_focal_points(
    cx: &Ctx,
    status: StatusCode,
    form: &FocalPointForm,
    error: Option<String>,
    notice_text: Option<&str>,
    revealed: Option<Revealed>,
    slice: Slice,
) -> UiResult {
    let gaz = cx.st.app.gazetteer();
    let list: Vec<FocalPoint> = cx.st.app.focal_points(&cx.caller()).await?;
    let wanted = slice.q.as_deref().map(kinga_domain::text::fold);
    let label = |f: &FocalPoint| f.place.as_deref().map(|p| gaz.label(p));
    let matching: Vec<&FocalPoint> = list
        .iter()
        .filter(|f| {
            wanted.as_deref().is_none_or(|w| {
                kinga_domain::text::fold(&f.pseudonym).contains(w)
                    || label(f).is_some_and(|l| kinga_domain::text::fold(&l).contains(w))
            })
        })
        .collect();
    let total = matching.len();
    let start = (slice.page * FOCAL_POINT_PAGE).min(total);
    let end = (start + FOCAL_POINT_PAGE).min(total);
    let q_part = slice
        .q
        .as_deref()
        .map(|q| format!("q={}&", super::super::urlencode(q)))
        .unwrap_or_default();
    let prev = (slice.page > 0).then(|| format!("/focal-points?{q_part}page={}", slice.page - 1));
    let next = (end < total).then(|| format!("/focal-points?{q_part}page={}", slice.page + 1));
    let rows: Vec<_> = matching[start..end]
        .iter()
        .map(|f| {
            context! {
                id => &f.id,
                pseudonym => &f.pseudonym,
                place => f.place.as_deref().map(|p| gaz.label(p)),
                language => &f.language,
                active => f.active,
            }
        })
        .collect();
    // Who opened which identity, for those who answer for it.
    let audit: Vec<_> = if cx.can(Permission::Coordinate) {
        cx.st
            .app
            .audit_log(&cx.caller(), 20)
            .await?
            .into_iter()
            .map(|e| context! { at => cx.time(e.at), actor => e.actor, action => e.action, record => e.record, context => e.context })
            .collect()
    } else {
        vec![]
    };
    let view = context! { rows => rows, v => form, error => error, notice => notice_text, revealed => revealed, audit => audit,
    q => slice.q, total => total, prev => prev, next => next, page => slice.page + 1 };
    cx.render_status(status, "focal_points.html", "focal_points", view)
}

/// `GET /focal-points`.
pub async fn focal_points(cx: Ctx, QueryData(q): QueryData<NoticeQuery>) -> Response {
    let r = async {
        cx.require(Permission::ReadReporters)?;
        let form = FocalPointForm {
            language: cx.lang.to_string(),
            ..Default::default()
        };
        let slice = Slice {
            q: q.q
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| s.chars().take(100).collect()),
            page: q.page.unwrap_or(0).min(100_000),
        };
        render_focal_points(
            &cx,
            StatusCode::OK,
            &form,
            None,
            notice(cx.lang, q.notice.as_deref()),
            None,
            slice,
        )
        .await
    }
    .await;
    cx.finish(r)
}

/// `POST /focal-points`: register a focal point; name and phone are sealed before storing.
pub async fn register_focal_point(cx: Ctx, FormData(f): FormData<FocalPointForm>) -> Response {
    let r = async {
        cx.check_csrf(&f.csrf)?;
        cx.require(Permission::ManageRegistries)?;
        let gaz = cx.st.app.gazetteer();
        let place = match f.place.trim() {
            "" => None,
            p => match place_code(&gaz, cx.lang, p) {
                Ok(code) => Some(code),
                Err(e) => {
                    return render_focal_points(
                        &cx,
                        e.status,
                        &f,
                        Some(e.message),
                        None,
                        None,
                        Slice::default(),
                    )
                    .await;
                }
            },
        };
        let language = if matches!(f.language.as_str(), "fr" | "en" | "sw" | "ar") {
            f.language.clone()
        } else {
            "fr".into()
        };
        let input = FocalPointInput {
            id: None,
            name: f.name.clone(),
            phone: f.phone.clone(),
            place,
            language,
            pseudonym: Some(f.pseudonym.trim().to_string()).filter(|p| !p.is_empty()),
        };
        let sealed = match cx.st.app.seal_focal_point(&cx.caller(), &input).await {
            Ok(fp) => fp,
            Err(e @ (AppError::Invalid(_) | AppError::Domain(_))) => {
                let msg = error_text(cx.lang, &e);
                return render_focal_points(
                    &cx,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &f,
                    Some(msg),
                    None,
                    None,
                    Slice::default(),
                )
                .await;
            }
            Err(e) => return Err(e.into()),
        };
        match save_one(&cx, RegistryRecord::FocalPoint(sealed)).await? {
            None => Ok(see_other("/focal-points?notice=notice_registered")),
            Some(msg) => {
                render_focal_points(
                    &cx,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &f,
                    Some(msg),
                    None,
                    None,
                    Slice::default(),
                )
                .await
            }
        }
    }
    .await;
    cx.finish(r)
}

/// Why an identity is opened: the reason is kept in the audit trail.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RevealForm {
    csrf: String,
    reason: String,
}

/// `POST /focal-points/{id}/reveal`: open one identity, with a reason, audited by the
/// application.
pub async fn reveal(
    cx: Ctx,
    Path(id): Path<String>,
    FormData(f): FormData<RevealForm>,
) -> Response {
    let r = async {
        cx.check_csrf(&f.csrf)?;
        cx.require(Permission::ReadIdentities)?;
        let identity = match cx
            .st
            .app
            .focal_point_identity(&cx.caller(), &id, &f.reason)
            .await
        {
            Ok(i) => i,
            Err(e @ (AppError::Domain(_) | AppError::Invalid(_))) => {
                let form = FocalPointForm {
                    language: cx.lang.to_string(),
                    ..Default::default()
                };
                let msg = super::super::alert::error_text(cx.lang, &e);
                return render_focal_points(
                    &cx,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &form,
                    Some(msg),
                    None,
                    None,
                    Slice::default(),
                )
                .await;
            }
            Err(e) => return Err(e.into()),
        };
        let revealed = Revealed {
            id: identity.focal_point.id,
            name: identity.name,
            phone: identity.phone,
        };
        let form = FocalPointForm {
            language: cx.lang.to_string(),
            ..Default::default()
        };
        render_focal_points(
            &cx,
            StatusCode::OK,
            &form,
            None,
            None,
            Some(revealed),
            Slice::default(),
        )
        .await
    }
    .await;
    cx.finish(r)
}
