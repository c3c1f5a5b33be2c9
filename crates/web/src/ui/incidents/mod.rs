//! Protection monitoring pages: the incident list (`/incidents`), the new-incident form
//! (`form.rs`) and one incident with its verification (`page.rs`). Every read goes through
//! the application's compartment rule: a record the reader may not see is a 404, exactly like
//! one that does not exist, and is absent from lists and counts.

mod care;
mod form;
mod gbvims;
mod hrddp;
mod page;
mod providers;
mod report;

pub use care::{follow_up, log_interview, refer};
pub use form::{create, new_form};
pub use hrddp::{one as hrddp_one, page as hrddp_page, screen as hrddp_screen};
pub use page::{derive_alert, file, page, verification};
pub use providers::{page as providers_page, save as save_provider};
pub use report::{csv as mrm_csv, import_gbvims, page as mrm_page};

use axum::response::Response;
use chrono::NaiveDate;
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};

use kinga_app::IncidentQuery;
use kinga_domain::compartment::Compartment;
use kinga_domain::incident::{Incident, Taxonomy, VerificationState};
use kinga_domain::people::Permission;

use super::i18n::tr;
use super::{Ctx, QueryData, urlencode};

/// Rows per page of the list.
const PAGE_SIZE: usize = 50;

/// The snake_case identifier serde gives a domain value (every incident enum is snake_case).
pub(crate) fn id_of<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

/// The label of a domain value keyed `prefix_identifier` in the catalogue.
pub(crate) fn label<T: Serialize>(lang: &str, prefix: &str, v: &T) -> String {
    tr(lang, &format!("{prefix}_{}", id_of(v))).to_string()
}

/// `(id, label)` options of domain values for a `<select>`.
pub(crate) fn options<T: Serialize>(lang: &str, prefix: &str, values: &[T]) -> Vec<Value> {
    values
        .iter()
        .map(|v| context! { id => id_of(v), label => label(lang, prefix, v) })
        .collect()
}

pub(crate) use kinga_domain::incident::sanitise::shown_date;

/// A place as people read it: its name and P-code, or the P-code alone.
pub(crate) fn place_label(cx: &Ctx, pcode: &str) -> String {
    match cx.st.app.gazetteer().get(pcode) {
        Some(p) => format!("{} ({pcode})", p.name),
        None => pcode.to_string(),
    }
}

/// One incident as a list row (identities are already withheld by the application).
fn row(cx: &Ctx, i: &Incident) -> Value {
    let violations: Vec<String> = i
        .violations
        .iter()
        .map(|v| label(cx.lang, "vio", v))
        .collect();
    context! {
        id => &i.id,
        date => shown_date(i),
        place => place_label(cx, &i.place),
        compartment => label(cx.lang, "cmp", &i.compartment),
        compartment_id => i.compartment.as_str(),
        violations => violations.join(", "),
        victims => i.victims.len(),
        state => label(cx.lang, "ivs", &i.state),
        state_id => i.state.as_str(),
    }
}

/// Filters of the list, as typed.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ListQuery {
    q: String,
    compartment: String,
    state: String,
    taxonomy: String,
    from: String,
    to: String,
    page: Option<usize>,
}

fn day(v: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").ok()
}

/// `GET /incidents`: the incidents the reader may see, filtered, with allegations and
/// verified cases counted apart.
pub async fn list(cx: Ctx, QueryData(f): QueryData<ListQuery>) -> Response {
    let r = async {
        cx.require(Permission::ReadIncidents)?;
        let caller = cx.caller();
        let visible = cx.st.app.visible_compartments(&caller).await?;
        let page = f.page.unwrap_or(1).clamp(1, 100_000);
        // Typed values that do not parse are ignored, as the alert queue does.
        let compartment = f.compartment.parse::<Compartment>().ok();
        let state = f.state.parse::<VerificationState>().ok();
        let taxonomy = f.taxonomy.parse::<Taxonomy>().ok();
        let query = IncidentQuery {
            // Only compartments among the visible ones are offered; the application narrows
            // anything else to nothing.
            compartments: compartment.into_iter().collect(),
            states: state.into_iter().collect(),
            taxonomy,
            text: Some(f.q.trim().to_string()).filter(|q| !q.is_empty()),
            occurred_from: day(&f.from),
            occurred_to: day(&f.to),
            limit: PAGE_SIZE,
            offset: (page - 1) * PAGE_SIZE,
            ..Default::default()
        };
        let found = cx.st.app.incidents(&caller, query).await?;
        let rows: Vec<Value> = found.items.iter().map(|i| row(&cx, i)).collect();
        let count = |states: &[VerificationState]| -> u64 {
            found
                .by_state
                .iter()
                .filter(|(s, _)| states.contains(s))
                .map(|(_, n)| n)
                .sum()
        };
        use VerificationState::*;
        let by_state: Vec<Value> = found
            .by_state
            .iter()
            .map(|(s, n)| context! { label => label(cx.lang, "ivs", s), n => n, id => s.as_str() })
            .collect();
        let pages = (found.total as usize).div_ceil(PAGE_SIZE).max(1);
        let qs = |p: usize| {
            format!(
                "/incidents?q={}&compartment={}&state={}&taxonomy={}&from={}&to={}&page={p}",
                urlencode(&f.q),
                urlencode(&f.compartment),
                urlencode(&f.state),
                urlencode(&f.taxonomy),
                urlencode(&f.from),
                urlencode(&f.to)
            )
        };
        let view = context! {
            f => &f,
            rows => rows,
            total => found.total,
            allegations => count(&[Reported, UnderVerification]),
            verified => count(&[Verified]),
            dismissed => count(&[NotVerified, Unfounded]),
            by_state => by_state,
            compartments => options(cx.lang, "cmp", &visible),
            states => options(cx.lang, "ivs", &VerificationState::ALL),
            taxonomies => options(cx.lang, "tax", &Taxonomy::ALL),
            page => page,
            pages => pages,
            prev_href => (page > 1).then(|| qs(page - 1)),
            next_href => (page < pages).then(|| qs(page + 1)),
        };
        cx.render("incidents.html", "incidents", view)
    }
    .await;
    cx.finish(r)
}
