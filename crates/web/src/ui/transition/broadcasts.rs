//! `/transition/broadcasts`: planners tell an area's focal points and community networks what
//! the transition changes (a base closure, new numbers, who responds from when), one text per
//! language; every reader sees each broadcast's delivery.

use std::collections::BTreeMap;

use axum::response::Response;
use minijinja::context;
use serde::Deserialize;

use kinga_app::transition::{BroadcastInput, DEFAULT_FALLBACK};
use kinga_domain::people::Permission;
use kinga_domain::transition::broadcast::{AudienceKind, Topic};

use super::super::login::see_other;
use super::super::{Ctx, FormData, QueryData, UiError};
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
    let r = async {
        cx.require(Permission::ReadTransition)?;
        let all = cx.st.app.broadcasts(&cx.caller()).await?;
        let names = place_namer(&cx);
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
            notice => super::super::registry::notice(cx.lang, q.notice.as_deref()),
        };
        cx.render("transition_broadcasts.html", "transition", view)
    }
    .await;
    cx.finish(r)
}

/// The broadcast form as typed: `text_fr`, `text_en`, `text_sw`, `text_ar`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BroadcastForm {
    csrf: String,
    area: String,
    topic: String,
    fallback: String,
    text_fr: String,
    text_en: String,
    text_sw: String,
    text_ar: String,
}

/// `POST /transition/broadcasts`: send it.
pub async fn send(cx: Ctx, FormData(f): FormData<BroadcastForm>) -> Response {
    let r = async {
        cx.check_csrf(&f.csrf)?;
        let topic: Topic = f
            .topic
            .parse()
            .map_err(|e: kinga_domain::DomainError| UiError::invalid(e.to_string()))?;
        let texts: BTreeMap<String, String> = [
            ("fr", f.text_fr),
            ("en", f.text_en),
            ("sw", f.text_sw),
            ("ar", f.text_ar),
        ]
        .into_iter()
        .filter(|(_, t)| !t.trim().is_empty())
        .map(|(l, t)| (l.to_string(), t))
        .collect();
        let fallback = Some(f.fallback).filter(|s| !s.trim().is_empty());
        let input = BroadcastInput {
            area: f.area,
            topic,
            texts,
            fallback,
        };
        cx.st.app.send_broadcast(&cx.caller(), input).await?;
        Ok(see_other(
            "/transition/broadcasts?notice=notice_broadcast_sent",
        ))
    }
    .await;
    cx.finish(r)
}
