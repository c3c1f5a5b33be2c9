//! `/transition/broadcasts`: planners tell an area's focal points and community networks what
//! the transition changes (a base closure, new numbers, who responds from when), one text per
//! language; every reader sees each broadcast's delivery.

use std::collections::BTreeMap;

use axum::response::Response;
use minijinja::context;
use serde::Deserialize;

use kinga_app::transition::{BroadcastInput, BroadcastPreview, DEFAULT_FALLBACK};
use kinga_domain::people::Permission;
use kinga_domain::transition::broadcast::{AudienceKind, Topic};

use super::super::login::see_other;
use super::super::{Ctx, FormData, QueryData, UiError, UiResult};
use super::place_namer;

/// The languages the form offers a text for (others through the API).
pub const LANGUAGES: [&str; 4] = ["fr", "en", "sw", "ar"];

/// `?notice=`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BroadcastQuery {
    notice: Option<String>,
}

fn topic_key(t: Topic) -> String {
    format!("bc_topic_{}", t.as_str())
}

/// `GET /transition/broadcasts`.
pub async fn page(cx: Ctx, QueryData(q): QueryData<BroadcastQuery>) -> Response {
    let r = render(&cx, q.notice.as_deref(), None).await;
    cx.finish(r)
}

/// The page, with the form refilled and the recipients listed when a planner previews.
async fn render(
    cx: &Ctx,
    notice: Option<&str>,
    preview: Option<(&BroadcastForm, &BroadcastPreview)>,
) -> UiResult {
    cx.require(Permission::ReadTransition)?;
    let all = cx.st.app.broadcasts(&cx.caller()).await?;
    let names = place_namer(cx);
    let gaz = cx.st.app.gazetteer();
    let view = context! {
        areas => cx.st.ui.areas(&gaz).as_ref().clone(),
        can_plan => cx.can(Permission::PlanTransition),
        topics => Topic::ALL.iter().map(|t| context! { id => t.as_str(), label => cx.t(&topic_key(*t)) }).collect::<Vec<_>>(),
        languages => LANGUAGES,
        fallback => DEFAULT_FALLBACK,
        broadcasts => all.iter().map(|v| {
            let b = &v.broadcast;
            context! {
                id => &b.id, area => names(&b.area), pcode => &b.area,
                topic => cx.t(&topic_key(b.topic)), at => cx.time(b.created_at), by => &b.created_by,
                texts => b.texts.iter().map(|(l, t)| context! { lang => l, text => t }).collect::<Vec<_>>(),
                fallback => &b.fallback,
                focal_points => b.sent.iter().filter(|s| s.kind == AudienceKind::FocalPoint).count(),
                networks => b.sent.iter().filter(|s| s.kind == AudienceKind::Network).count(),
                languages => v.languages.iter().map(|(l, n)| format!("{l}: {n}")).collect::<Vec<_>>().join(", "),
                queued => v.delivery.queued, sent => v.delivery.sent,
                delivered => v.delivery.delivered, failed => v.delivery.failed,
            }
        }).collect::<Vec<_>>(),
        notice => super::super::registry::notice(cx.lang, notice),
        form => preview.map(|(f, _)| context! {
            area => f.area.trim(), topic => f.topic.trim(), fallback => f.fallback.trim(),
            texts => context! { fr => &f.text_fr, en => &f.text_en, sw => &f.text_sw, ar => &f.text_ar },
        }),
        preview => preview.map(|(_, p)| context! {
            area => names(&p.area), fallback => &p.fallback,
            total => p.recipients.len(),
            focal_points => p.recipients.iter().filter(|r| r.kind == AudienceKind::FocalPoint).count(),
            networks => p.recipients.iter().filter(|r| r.kind == AudienceKind::Network).count(),
            languages => p.languages.iter().map(|(l, n)| context! { lang => l, count => n }).collect::<Vec<_>>(),
            recipients => p.recipients.iter().map(|r| context! {
                label => &r.label, language => &r.language,
                kind => cx.t(if r.kind == AudienceKind::FocalPoint { "bc_focal_point" } else { "bc_network" }),
            }).collect::<Vec<_>>(),
        }),
    };
    cx.render("transition_broadcasts.html", "transition", view)
}

/// The broadcast form as typed: `text_fr`, `text_en`, `text_sw`, `text_ar`; `step` is
/// `preview` (list the recipients, send nothing) or `send`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BroadcastForm {
    csrf: String,
    step: String,
    area: String,
    topic: String,
    fallback: String,
    text_fr: String,
    text_en: String,
    text_sw: String,
    text_ar: String,
}

/// What the form composes.
fn input_of(f: &BroadcastForm) -> UiResult<BroadcastInput> {
    let topic: Topic = f
        .topic
        .parse()
        .map_err(|e: kinga_domain::DomainError| UiError::invalid(e.to_string()))?;
    let texts: BTreeMap<String, String> = [
        ("fr", &f.text_fr),
        ("en", &f.text_en),
        ("sw", &f.text_sw),
        ("ar", &f.text_ar),
    ]
    .into_iter()
    .filter(|(_, t)| !t.trim().is_empty())
    .map(|(l, t)| (l.to_string(), t.clone()))
    .collect();
    Ok(BroadcastInput {
        area: f.area.clone(),
        topic,
        texts,
        fallback: Some(f.fallback.clone()).filter(|s| !s.trim().is_empty()),
    })
}

/// `POST /transition/broadcasts`: preview the recipients (`step=preview`) or send it.
pub async fn send(cx: Ctx, FormData(f): FormData<BroadcastForm>) -> Response {
    let r = async {
        cx.check_csrf(&f.csrf)?;
        let input = input_of(&f)?;
        if f.step == "preview" {
            let p = cx.st.app.preview_broadcast(&cx.caller(), &input).await?;
            return render(&cx, None, Some((&f, &p))).await;
        }
        cx.st.app.send_broadcast(&cx.caller(), input).await?;
        Ok(see_other(
            "/transition/broadcasts?notice=notice_broadcast_sent",
        ))
    }
    .await;
    cx.finish(r)
}
