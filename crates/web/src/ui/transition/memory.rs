//! Staff and institutional memory: `/transition/roster` (the summary per place for every
//! reader of the transition; the rows and the form for planners) and
//! `/transition/knowledge` (notes on threat actors and past responses, searchable, for
//! planners and analysts).

use axum::response::Response;
use minijinja::{Value, context};
use serde::Deserialize;

use kinga_domain::people::Permission;
use kinga_domain::transition::{
    Book, KnowledgeNote, NoteInput, NoteKind, NoteQuery, Outcome, RosterSummary, Sex, StaffInput,
    StaffMember, StaffRole, anchors,
};

use super::super::login::see_other;
use super::super::registry::{notice, place_code};
use super::super::{Ctx, FormData, QueryData, UiError, UiResult};

fn lines(s: &str) -> Vec<String> {
    s.lines()
        .flat_map(|l| l.split(','))
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

fn date_field(cx: &Ctx, s: &str) -> UiResult<Option<chrono::NaiveDate>> {
    match s.trim() {
        "" => Ok(None),
        v => chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| UiError::invalid(cx.t("err_date"))),
    }
}

/// A roster summary for the templates.
pub fn summary_view(s: &RosterSummary) -> Value {
    context! {
        staff => s.staff, liaison => s.liaison, women_liaison => s.women_liaison,
        ending => s.ending_before_handover,
        handover_on => s.handover_on.map(|d| d.to_string()),
        languages => s.languages.join(", "),
    }
}

/// A staff member for the templates.
pub fn staff_view(
    cx: &Ctx,
    m: &StaffMember,
    handover: Option<chrono::NaiveDate>,
    names: &dyn Fn(&str) -> String,
) -> Value {
    context! {
        id => &m.id, version => m.stamp.version, name => &m.name,
        role => cx.t(&format!("sr_{}", m.role.as_str())),
        sex => cx.t(if m.sex == Sex::Female { "tm_female" } else { "tm_male" }),
        languages => m.languages.join(", "),
        places => m.places.iter().map(|p| names(p)).collect::<Vec<_>>().join(", "),
        contract_ends_on => m.contract_ends_on.map(|d| d.to_string()),
        gone => handover.is_some_and(|h| m.gone_before(h)),
        note => &m.note,
    }
}

/// `?place=` of the roster.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RosterQuery {
    notice: Option<String>,
}

/// `GET /transition/roster`: the summary of every place a plan or closure names; for
/// planners, the roster itself and its form.
pub async fn roster_page(cx: Ctx, QueryData(q): QueryData<RosterQuery>) -> Response {
    let r = async {
        cx.require(Permission::ReadTransition)?;
        let caller = cx.caller();
        let plans = cx.st.app.capacity_plans(&caller).await?;
        let withdrawals = cx.st.app.withdrawal_plans(&caller).await?;
        let gaz = cx.st.app.gazetteer();
        let book = Book::new(&plans, &withdrawals);
        let names = super::place_namer(&cx);
        let mut places = Vec::new();
        for p in anchors(&book, &gaz, None) {
            let s = cx.st.app.roster_summary(&caller, p).await?;
            places.push(context! { pcode => p, name => names(p), summary => summary_view(&s) });
        }
        let staff = if cx.can(Permission::PlanTransition) {
            cx.st.app.staff(&caller).await?
        } else {
            vec![]
        };
        let mut rows = Vec::new();
        for m in &staff {
            let handover = match m.places.first() {
                Some(p) => cx.st.app.handover_date(p).await?,
                None => None,
            };
            rows.push(staff_view(&cx, m, handover, &names));
        }
        let view = context! {
            places => places,
            staff => rows,
            roles => StaffRole::ALL.iter().map(|r| context! {
                id => r.as_str(), label => cx.t(&format!("sr_{}", r.as_str())),
            }).collect::<Vec<_>>(),
            areas => cx.st.ui.areas(&gaz).as_ref().clone(),
            can_plan => cx.can(Permission::PlanTransition),
            notice => notice(cx.lang, q.notice.as_deref()),
        };
        cx.render("transition_roster.html", "transition", view)
    }
    .await;
    cx.finish(r)
}

/// The staff form as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StaffForm {
    csrf: String,
    name: String,
    role: String,
    sex: String,
    languages: String,
    places: String,
    contract_ends_on: String,
    note: String,
}

/// `POST /transition/roster`: add a staff member.
pub async fn save_staff(cx: Ctx, FormData(f): FormData<StaffForm>) -> Response {
    let r = async {
        cx.check_csrf(&f.csrf)?;
        let gaz = cx.st.app.gazetteer();
        let places = f
            .places
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|p| place_code(&gaz, cx.lang, p))
            .collect::<Result<Vec<_>, _>>()?;
        let bad = |e: kinga_domain::DomainError| UiError::invalid(e.to_string());
        let input = StaffInput {
            id: None,
            name: f.name,
            role: f.role.parse().map_err(bad)?,
            sex: f.sex.parse().map_err(bad)?,
            languages: lines(&f.languages),
            places,
            contract_ends_on: date_field(&cx, &f.contract_ends_on)?,
            note: f.note,
            version: None,
        };
        cx.st.app.save_staff(&cx.caller(), input).await?;
        Ok(see_other("/transition/roster?notice=notice_staff_saved"))
    }
    .await;
    cx.finish(r)
}

/// A note for the templates.
pub fn note_view(
    cx: &Ctx,
    n: &KnowledgeNote,
    names: &dyn Fn(&str) -> String,
    actors: &dyn Fn(&str) -> String,
) -> Value {
    context! {
        id => &n.id, version => n.stamp.version, title => &n.title,
        kind => cx.t(&format!("nk_{}", n.note_kind.as_str())),
        places => n.places.iter().map(|p| names(p)).collect::<Vec<_>>().join(", "),
        actors => n.actors.iter().map(|a| actors(a)).collect::<Vec<_>>().join(", "),
        happened_on => n.happened_on.map(|d| d.to_string()),
        body => &n.body, tried => &n.tried, why => &n.why,
        outcome => n.outcome.map(|o| cx.t(&format!("oc_{}", o.as_str())).to_string()),
        outcome_id => n.outcome.map(|o| o.as_str()),
        updated => cx.time(n.stamp.updated_at), by => &n.stamp.updated_by,
    }
}

/// The search as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NoteSearch {
    q: String,
    place: String,
    kind: String,
    actor: String,
    notice: Option<String>,
}

/// `GET /transition/knowledge?q=&place=&kind=&actor=`: notes answering the search.
pub async fn knowledge_page(cx: Ctx, QueryData(s): QueryData<NoteSearch>) -> Response {
    let r = async {
        cx.require(Permission::ReadTransition)?;
        let caller = cx.caller();
        let kind = match s.kind.trim() {
            "" => None,
            k => Some(k.parse::<NoteKind>().map_err(|e| UiError::invalid(e.to_string()))?),
        };
        let q = NoteQuery {
            text: s.q.clone(),
            place: Some(s.place.trim().to_string()).filter(|p| !p.is_empty()),
            actor: Some(s.actor.trim().to_string()).filter(|p| !p.is_empty()),
            kind,
        };
        let notes = cx.st.app.knowledge_notes(&caller, &q).await?;
        let actors = if cx.can(Permission::ReadAlerts) {
            cx.st.app.actors(&caller).await?
        } else {
            vec![]
        };
        let actor_name = |id: &str| {
            actors.iter().find(|a| a.id == id).map_or_else(|| id.to_string(), |a| a.name.clone())
        };
        let names = super::place_namer(&cx);
        let gaz = cx.st.app.gazetteer();
        let view = context! {
            notes => notes.iter().map(|n| note_view(&cx, n, &names, &actor_name)).collect::<Vec<_>>(),
            q => &s.q, place => s.place.trim(), kind => s.kind.trim(), actor => s.actor.trim(),
            kinds => NoteKind::ALL.iter().map(|k| context! {
                id => k.as_str(), label => cx.t(&format!("nk_{}", k.as_str())),
            }).collect::<Vec<_>>(),
            outcomes => Outcome::ALL.iter().map(|o| context! {
                id => o.as_str(), label => cx.t(&format!("oc_{}", o.as_str())),
            }).collect::<Vec<_>>(),
            actor_options => actors.iter().map(|a| context! { id => &a.id, name => &a.name }).collect::<Vec<_>>(),
            areas => cx.st.ui.areas(&gaz).as_ref().clone(),
            can_plan => cx.can(Permission::PlanTransition),
            notice => notice(cx.lang, s.notice.as_deref()),
        };
        cx.render("transition_knowledge.html", "transition", view)
    }
    .await;
    cx.finish(r)
}

/// The note form as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NoteForm {
    csrf: String,
    kind: String,
    title: String,
    places: String,
    actors: Vec<String>,
    happened_on: String,
    body: String,
    tried: String,
    outcome: String,
    why: String,
}

/// `POST /transition/knowledge`: write a note.
pub async fn save_note(cx: Ctx, FormData(f): FormData<NoteForm>) -> Response {
    let r = async {
        cx.check_csrf(&f.csrf)?;
        let gaz = cx.st.app.gazetteer();
        let places = f
            .places
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|p| place_code(&gaz, cx.lang, p))
            .collect::<Result<Vec<_>, _>>()?;
        let bad = |e: kinga_domain::DomainError| UiError::invalid(e.to_string());
        let input = NoteInput {
            id: None,
            note_kind: f.kind.parse().map_err(bad)?,
            title: f.title,
            places,
            actors: f
                .actors
                .into_iter()
                .filter(|a| !a.trim().is_empty())
                .collect(),
            happened_on: date_field(&cx, &f.happened_on)?,
            body: f.body,
            tried: f.tried,
            outcome: match f.outcome.trim() {
                "" => None,
                o => Some(o.parse().map_err(bad)?),
            },
            why: f.why,
            version: None,
        };
        cx.st.app.save_note(&cx.caller(), input).await?;
        Ok(see_other("/transition/knowledge?notice=notice_note_saved"))
    }
    .await;
    cx.finish(r)
}
