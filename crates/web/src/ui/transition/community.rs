//! `/transition/community`: community mechanisms per place — members, representativeness
//! (shares, absent groups flagged), functionality from the latest assessment, support after
//! the departure — and the planners' forms to map one and record an assessment.

use axum::response::Response;
use minijinja::{Value, context};
use std::collections::HashMap;

use kinga_app::transition::MechanismView;
use kinga_domain::people::Permission;
use kinga_domain::transition::{
    AgeBand, AssessmentInput, Community, Criterion, MechanismInput, MechanismKind, MemberCount,
    Score, Sex,
};

use super::super::login::see_other;
use super::super::registry::{notice, place_code};
use super::super::{Ctx, FormData, QueryData, UiError, UiResult, urlencode};
use super::{DateQuery, day};

fn lines(s: &str) -> Vec<String> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

/// A mechanism for the templates (also used by the dossier).
pub fn mechanism_view(cx: &Ctx, m: &MechanismView) -> Value {
    let me = &m.mechanism;
    let r = &m.representativeness;
    let count = |sex: Option<Sex>, age: Option<AgeBand>, group: Option<Community>| -> u32 {
        me.members
            .iter()
            .filter(|c| {
                sex.is_none_or(|s| c.sex == s)
                    && age.is_none_or(|a| c.age == a)
                    && group.is_none_or(|g| c.group == g)
            })
            .map(|c| c.count)
            .sum()
    };
    context! {
        id => &me.id, version => me.stamp.version, name => &me.name,
        kind => cx.t(&format!("mk_{}", me.mechanism_kind.as_str())),
        place => &me.place, place_name => &m.place_name,
        members => m.members,
        women => count(Some(Sex::Female), None, None), men => count(Some(Sex::Male), None, None),
        youth => count(None, Some(AgeBand::Youth), None),
        groups => r.groups.iter().map(|g| context! {
            id => format!("{:?}", g.group).to_lowercase(),
            label => cx.t(&format!("rep_{}", format!("{:?}", g.group).to_lowercase())),
            count => g.count, share => g.share.map(|s| format!("{s:.0}")),
        }).collect::<Vec<_>>(),
        absent => r.absent.iter().map(|g| cx.t(&format!("rep_{}", format!("{g:?}").to_lowercase())).to_string()).collect::<Vec<_>>(),
        functionality => format!("{:?}", m.functionality),
        functionality_label => cx.t(&format!("fn_{}", serde_plain(&m.functionality))),
        functionality_id => serde_plain(&m.functionality),
        score => m.score.map(|s| format!("{s:.0}")),
        support => serde_plain(&m.support),
        support_label => cx.t(&format!("sup_{}", serde_plain(&m.support))),
        supporters_now => me.supporters_now.join(", "),
        supporters_after => me.supporters_after.join(", "),
        supporters_now_lines => me.supporters_now.join("\n"),
        supporters_after_lines => me.supporters_after.join("\n"),
        focal_point_count => m.focal_point_count,
        focal_points => m.focal_points.as_ref().map(|f| f.join(", ")),
        note => &me.note,
        assessments => me.assessments.iter().rev().map(|a| context! {
            on => a.on.to_string(), by => &a.by, note => &a.note,
            percent => a.percent().map(|p| format!("{p:.0}")),
            functionality => cx.t(&format!("fn_{}", serde_plain(&a.functionality()))),
            scores => a.scores.iter().map(|s| context! {
                label => cx.t(&format!("cr_{}", s.criterion.as_str())), score => s.score,
            }).collect::<Vec<_>>(),
        }).collect::<Vec<_>>(),
    }
}

/// A unit enum's snake_case name, as serde writes it.
fn serde_plain<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// `GET /transition/community?place=&date=`: mechanisms, support judged on the date.
pub async fn community_page(cx: Ctx, QueryData(q): QueryData<DateQuery>) -> Response {
    let r = async {
        cx.require(Permission::ReadTransition)?;
        let on = day(&cx, &q.date)?;
        let area = q.place.as_deref().map(str::trim).filter(|s| !s.is_empty());
        let list = cx.st.app.mechanisms(&cx.caller(), area, on).await?;
        let gaz = cx.st.app.gazetteer();
        let view = context! {
            date => on.to_string(), place => area.unwrap_or(""),
            mechanisms => list.iter().map(|m| mechanism_view(&cx, m)).collect::<Vec<_>>(),
            kinds => MechanismKind::ALL.iter().map(|k| context! {
                id => k.as_str(), label => cx.t(&format!("mk_{}", k.as_str())),
            }).collect::<Vec<_>>(),
            criteria => Criterion::ALL.iter().map(|c| context! {
                id => c.as_str(), label => cx.t(&format!("cr_{}", c.as_str())),
            }).collect::<Vec<_>>(),
            member_groups => Community::ALL.iter().map(|g| context! {
                id => g.as_str(), label => cx.t(&format!("tm_{}", g.as_str())),
                cells => Sex::ALL.iter().flat_map(|s| AgeBand::ALL.iter().map(move |a| (s, a))).map(|(s, a)| context! {
                    name => format!("m_{}_{}_{}", s.as_str(), a.as_str(), g.as_str()),
                    label => format!("{} · {}", cx.t(if *s == Sex::Female { "tm_women" } else { "tm_men" }), cx.t(&format!("tm_{}", a.as_str()))),
                }).collect::<Vec<_>>(),
            }).collect::<Vec<_>>(),
            areas => cx.st.ui.areas(&gaz).as_ref().clone(),
            today => cx.st.app.local_today().to_string(),
            can_plan => cx.can(Permission::PlanTransition),
            notice => notice(cx.lang, q.notice.as_deref()),
        };
        cx.render("transition_community.html", "transition", view)
    }
    .await;
    cx.finish(r)
}

/// `POST /transition/community`: map a mechanism. Member counts come as
/// `m_<sex>_<age>_<group>` fields.
pub async fn save_mechanism(cx: Ctx, FormData(f): FormData<HashMap<String, String>>) -> Response {
    let r = async {
        let get = |k: &str| f.get(k).map(String::as_str).unwrap_or_default();
        cx.check_csrf(get("csrf"))?;
        let gaz = cx.st.app.gazetteer();
        let mut members = Vec::new();
        for s in Sex::ALL {
            for a in AgeBand::ALL {
                for g in Community::ALL {
                    let key = format!("m_{}_{}_{}", s.as_str(), a.as_str(), g.as_str());
                    let n: u32 = match get(&key).trim() {
                        "" => 0,
                        v => v
                            .parse()
                            .map_err(|_| UiError::invalid(cx.t("tm_members")))?,
                    };
                    if n > 0 {
                        members.push(MemberCount {
                            sex: *s,
                            age: *a,
                            group: *g,
                            count: n,
                        });
                    }
                }
            }
        }
        let input = MechanismInput {
            id: None,
            mechanism_kind: get("kind")
                .parse()
                .map_err(|e: kinga_domain::DomainError| UiError::invalid(e.to_string()))?,
            name: get("name").to_string(),
            place: place_code(&gaz, cx.lang, get("place"))?,
            members,
            focal_points: lines(get("focal_points")),
            supporters_now: lines(get("supporters_now")),
            supporters_after: lines(get("supporters_after")),
            note: get("note").to_string(),
            version: None,
        };
        let m = cx.st.app.save_mechanism(&cx.caller(), input).await?;
        Ok(see_other(&format!(
            "/transition/community?place={}&notice=notice_mechanism_saved#mc-{}",
            urlencode(&m.place),
            urlencode(&m.id)
        )))
    }
    .await;
    cx.finish(r)
}

/// `POST /transition/community/assess`: record an assessment; scores come as `c_<criterion>`
/// fields (empty: not assessed); `back=dossier` returns to the place's dossier.
pub async fn assess(cx: Ctx, FormData(f): FormData<HashMap<String, String>>) -> Response {
    let r: UiResult = async {
        let get = |k: &str| f.get(k).map(String::as_str).unwrap_or_default();
        cx.check_csrf(get("csrf"))?;
        let on = chrono::NaiveDate::parse_from_str(get("on").trim(), "%Y-%m-%d")
            .map_err(|_| UiError::invalid(cx.t("err_date")))?;
        let mut scores = Vec::new();
        for c in Criterion::ALL {
            match get(&format!("c_{}", c.as_str())).trim() {
                "" => {}
                v => scores.push(Score {
                    criterion: *c,
                    score: v.parse().map_err(|_| UiError::invalid(cx.t("tm_score")))?,
                }),
            }
        }
        let input = AssessmentInput {
            on,
            scores,
            note: get("note").to_string(),
        };
        let m = cx
            .st
            .app
            .assess_mechanism(&cx.caller(), get("id").trim(), input)
            .await?;
        let url = if get("back") == "dossier" {
            format!(
                "/transition/dossier?place={}&notice=notice_assessment_recorded",
                urlencode(&m.place)
            )
        } else {
            format!(
                "/transition/community?place={}&notice=notice_assessment_recorded#mc-{}",
                urlencode(&m.place),
                urlencode(&m.id)
            )
        };
        Ok(see_other(&url))
    }
    .await;
    cx.finish(r)
}

/// `POST /transition/community/support`: record who supports a mechanism now and after the
/// departure (one per line), on the version shown; `back=dossier` returns to the dossier.
pub async fn record_support(cx: Ctx, FormData(f): FormData<HashMap<String, String>>) -> Response {
    let r: UiResult = async {
        let get = |k: &str| f.get(k).map(String::as_str).unwrap_or_default();
        cx.check_csrf(get("csrf"))?;
        let version: u64 = get("version")
            .trim()
            .parse()
            .map_err(|_| UiError::invalid("version"))?;
        let m = cx
            .st
            .app
            .record_mechanism_support(
                &cx.caller(),
                get("id").trim(),
                version,
                lines(get("supporters_now")),
                lines(get("supporters_after")),
            )
            .await?;
        let url = if get("back") == "dossier" {
            format!(
                "/transition/dossier?place={}&notice=notice_support_recorded",
                urlencode(&m.place)
            )
        } else {
            format!(
                "/transition/community?place={}&notice=notice_support_recorded#mc-{}",
                urlencode(&m.place),
                urlencode(&m.id)
            )
        };
        Ok(see_other(&url))
    }
    .await;
    cx.finish(r)
}
