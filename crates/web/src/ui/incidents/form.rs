//! The new-incident form (`/incidents/new`): a monitor's record of what happened, where and
//! when, to whom, by whom and on whose word. Plain fields, a fixed number of rows for victims
//! (each row a group of alike victims with a number), perpetrators and sources, so it works
//! without JavaScript on a phone.

use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use minijinja::{Value, context};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use kinga_app::AppError;
use kinga_domain::compartment::Compartment;
use kinga_domain::incident::{
    AgeGroup, DatePrecision, IncidentDraft, Perpetrator, PerpetratorCategory, Reliability, Sex,
    Source, SourceKind, Taxonomy, Victim, Violation,
};
use kinga_domain::people::Permission;
use kinga_domain::place;

use super::{label, options};
use crate::ui::login::see_other;
use crate::ui::{Ctx, FormData, UiResult, split_list, urlencode};

/// Rows of victims, perpetrators and sources the form offers.
const VICTIM_ROWS: usize = 4;
const PERPETRATOR_ROWS: usize = 3;
const SOURCE_ROWS: usize = 3;
/// Most victims one row may count.
const MAX_ROW_COUNT: usize = 500;

pub(super) const SEXES: [Sex; 3] = [Sex::Female, Sex::Male, Sex::Unknown];
pub(super) const AGES: [AgeGroup; 6] = [
    AgeGroup::Age0To4,
    AgeGroup::Age5To11,
    AgeGroup::Age12To17,
    AgeGroup::Age18To59,
    AgeGroup::Age60Plus,
    AgeGroup::Unknown,
];
pub(super) const CATEGORIES: [PerpetratorCategory; 6] = [
    PerpetratorCategory::StateForces,
    PerpetratorCategory::UnPeacekeeping,
    PerpetratorCategory::OtherPeacekeeping,
    PerpetratorCategory::Pmsc,
    PerpetratorCategory::ArmedGroup,
    PerpetratorCategory::Unidentified,
];
const SOURCE_KINDS: [SourceKind; 10] = [
    SourceKind::Victim,
    SourceKind::Witness,
    SourceKind::Family,
    SourceKind::Community,
    SourceKind::Authorities,
    SourceKind::ServiceProvider,
    SourceKind::Humanitarian,
    SourceKind::Media,
    SourceKind::Documentary,
    SourceKind::Other,
];
const RELIABILITIES: [Reliability; 4] = [
    Reliability::Reliable,
    Reliability::UsuallyReliable,
    Reliability::Unknown,
    Reliability::Unreliable,
];
const PRECISIONS: [DatePrecision; 3] = [
    DatePrecision::Day,
    DatePrecision::Month,
    DatePrecision::Year,
];

/// A domain value from its snake_case identifier.
pub(super) fn parse_id<T: DeserializeOwned>(s: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(s.trim().to_string())).ok()
}

/// Age groups as options: their own figures, "unknown" in words.
pub(super) fn age_options(lang: &str) -> Vec<Value> {
    AGES.iter()
        .map(|a| {
            let l = if *a == AgeGroup::Unknown {
                crate::ui::i18n::tr(lang, "age_unknown").to_string()
            } else {
                a.as_str().to_string()
            };
            context! { id => a.as_str(), label => l }
        })
        .collect()
}

/// What was typed into the form; row fields are parallel lists, checkboxes of rows carry the
/// row's index.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct IncidentForm {
    #[serde(skip_serializing)]
    csrf: String,
    compartment: String,
    occurred_on: String,
    date_precision: String,
    place_name: String,
    place_pick: String,
    narrative: String,
    violations: Vec<String>,
    v_count: Vec<String>,
    v_sex: Vec<String>,
    v_age: Vec<String>,
    v_name: Vec<String>,
    v_disability: Vec<String>,
    v_displaced: Vec<String>,
    p_category: Vec<String>,
    p_actor: Vec<String>,
    p_unit: Vec<String>,
    s_kind: Vec<String>,
    s_reliability: Vec<String>,
    s_contact: Vec<String>,
    s_remote: Vec<String>,
    alerts: String,
}

fn at(v: &[String], i: usize) -> &str {
    v.get(i).map(|s| s.trim()).unwrap_or("")
}

fn ticked(v: &[String], i: usize) -> bool {
    v.iter().any(|x| x.trim() == i.to_string())
}

fn render(
    cx: &Ctx,
    status: StatusCode,
    f: &IncidentForm,
    visible: &[Compartment],
    error: Option<String>,
    candidates: Vec<Value>,
) -> UiResult {
    let lang = cx.lang;
    let families: Vec<Value> = Taxonomy::ALL
        .iter()
        .map(|t| {
            let vs: Vec<Value> = t
                .violations()
                .map(|v| {
                    context! { id => v.as_str(), label => label(lang, "vio", &v),
                    checked => f.violations.iter().any(|x| x == v.as_str()) }
                })
                .collect();
            context! { id => t.as_str(), label => label(lang, "tax", t), violations => vs }
        })
        .collect();
    let victims: Vec<Value> = (0..VICTIM_ROWS)
        .map(|i| {
            context! { n => i, count => at(&f.v_count, i), sex => at(&f.v_sex, i), age => at(&f.v_age, i),
            name => at(&f.v_name, i), disability => ticked(&f.v_disability, i), displaced => ticked(&f.v_displaced, i) }
        })
        .collect();
    let perpetrators: Vec<Value> = (0..PERPETRATOR_ROWS)
        .map(|i| context! { n => i, category => at(&f.p_category, i), actor => at(&f.p_actor, i), unit => at(&f.p_unit, i) })
        .collect();
    let sources: Vec<Value> = (0..SOURCE_ROWS)
        .map(|i| {
            context! { n => i, kind => at(&f.s_kind, i), reliability => at(&f.s_reliability, i),
            contact => at(&f.s_contact, i), remote => ticked(&f.s_remote, i) }
        })
        .collect();
    let view = context! {
        v => f,
        compartments => options(lang, "cmp", visible),
        precisions => options(lang, "prec", &PRECISIONS),
        families => families,
        victims => victims,
        perpetrators => perpetrators,
        sources => sources,
        sexes => options(lang, "sex", &SEXES),
        ages => age_options(lang),
        categories => options(lang, "perp", &CATEGORIES),
        source_kinds => options(lang, "srck", &SOURCE_KINDS),
        reliabilities => options(lang, "rel", &RELIABILITIES),
        candidates => candidates,
        error => error,
    };
    cx.render_status(status, "incident_new.html", "new_incident", view)
}

/// `GET /incidents/new`.
pub async fn new_form(cx: Ctx) -> Response {
    let r = async {
        cx.require(Permission::RecordIncidents)?;
        let visible = cx.st.app.visible_compartments(&cx.caller()).await?;
        let f = IncidentForm {
            compartment: "general".into(),
            date_precision: "day".into(),
            ..Default::default()
        };
        render(&cx, StatusCode::OK, &f, &visible, None, Vec::new())
    }
    .await;
    cx.finish(r)
}

/// Why a form cannot make a draft: a message for the person, and place candidates to choose
/// from when the name fits several places.
struct Refusal(String, Vec<Value>);

fn refuse(cx: &Ctx, key: &str) -> Refusal {
    Refusal(cx.t(key).to_string(), Vec::new())
}

/// The place's P-code: typed as a P-code, picked among candidates, or settled from a name by
/// the rule every channel applies.
fn settle_place(cx: &Ctx, f: &IncidentForm) -> Result<String, Refusal> {
    let gaz = cx.st.app.gazetteer();
    let pick = f.place_pick.trim();
    if !pick.is_empty() && gaz.get(pick).is_some() {
        return Ok(pick.to_string());
    }
    let typed = f.place_name.trim();
    if typed.is_empty() {
        return Ok(String::new());
    }
    if gaz.get(typed).is_some() {
        return Ok(typed.to_string());
    }
    let found = cx
        .st
        .app
        .find_places(&cx.caller(), typed, 5)
        .map_err(|e| Refusal(crate::ui::alert::error_text(cx.lang, &e), Vec::new()))?;
    if found.is_empty() {
        return Err(refuse(cx, "in_place_unknown"));
    }
    match place::settle(&found, &gaz).place {
        Some(p) => Ok(p),
        None => Err(Refusal(
            cx.t("in_place_pick").to_string(),
            found
                .iter()
                .map(|c| context! { pcode => &c.pcode, name => &c.name, context => &c.context })
                .collect(),
        )),
    }
}

/// The draft the form describes, or why not.
fn draft(cx: &Ctx, f: &IncidentForm) -> Result<IncidentDraft, Refusal> {
    let bad = |field: &str| Refusal(format!("{}: {field}", cx.t("err_invalid")), Vec::new());
    let compartment = f
        .compartment
        .parse::<Compartment>()
        .map_err(|_| bad(cx.t("in_compartment")))?;
    let occurred_on = NaiveDate::parse_from_str(f.occurred_on.trim(), "%Y-%m-%d")
        .map_err(|_| bad(cx.t("in_occurred")))?;
    let date_precision = parse_id::<DatePrecision>(&f.date_precision).unwrap_or_default();
    let place = settle_place(cx, f)?;
    let mut violations = Vec::new();
    for v in &f.violations {
        violations.push(
            v.parse::<Violation>()
                .map_err(|_| bad(cx.t("in_violations")))?,
        );
    }
    let mut victims = Vec::new();
    for i in 0..VICTIM_ROWS.max(f.v_count.len()).min(MAX_ROW_COUNT) {
        let count = at(&f.v_count, i);
        if count.is_empty() || count == "0" {
            continue;
        }
        let n = count
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_ROW_COUNT).contains(n))
            .ok_or_else(|| bad(cx.t("in_victim_count")))?;
        let sex = parse_id::<Sex>(at(&f.v_sex, i)).unwrap_or(Sex::Unknown);
        let age_group = parse_id::<AgeGroup>(at(&f.v_age, i)).unwrap_or(AgeGroup::Unknown);
        // A name belongs to one person: a row counting several keeps none.
        let name = Some(at(&f.v_name, i).to_string()).filter(|s| !s.is_empty() && n == 1);
        for _ in 0..n {
            victims.push(Victim {
                sex,
                age_group,
                disability: ticked(&f.v_disability, i),
                displaced: ticked(&f.v_displaced, i),
                name: name.clone(),
            });
        }
    }
    let mut perpetrators = Vec::new();
    for i in 0..f.p_category.len().min(MAX_ROW_COUNT) {
        let Some(category) = parse_id::<PerpetratorCategory>(at(&f.p_category, i)) else {
            continue;
        };
        let opt = |v: &str| Some(v.to_string()).filter(|s| !s.is_empty());
        perpetrators.push(Perpetrator {
            category,
            actor: opt(at(&f.p_actor, i)),
            unit: opt(at(&f.p_unit, i)),
        });
    }
    let mut sources = Vec::new();
    for i in 0..f.s_kind.len().min(MAX_ROW_COUNT) {
        let Some(kind) = parse_id::<SourceKind>(at(&f.s_kind, i)) else {
            continue;
        };
        sources.push(Source {
            kind,
            reliability: parse_id::<Reliability>(at(&f.s_reliability, i))
                .unwrap_or(Reliability::Unknown),
            remote: ticked(&f.s_remote, i),
            contact: Some(at(&f.s_contact, i).to_string()).filter(|s| !s.is_empty()),
        });
    }
    Ok(IncidentDraft {
        compartment,
        occurred_on,
        date_precision,
        place,
        narrative: f.narrative.clone(),
        sources,
        alerts: split_list(&f.alerts),
        perpetrators,
        victims,
        violations,
    })
}

/// `POST /incidents/new`: record the incident, then open it.
pub async fn create(cx: Ctx, FormData(mut f): FormData<IncidentForm>) -> Response {
    let r = async {
        cx.check_csrf(&f.csrf)?;
        cx.require(Permission::RecordIncidents)?;
        let caller = cx.caller();
        let visible = cx.st.app.visible_compartments(&caller).await?;
        let d = match draft(&cx, &f) {
            Ok(d) => d,
            Err(Refusal(msg, candidates)) => {
                f.place_pick.clear();
                return render(
                    &cx,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &f,
                    &visible,
                    Some(msg),
                    candidates,
                );
            }
        };
        match cx.st.app.record_incident(&caller, d).await {
            Ok(i) => Ok(see_other(&format!(
                "/incidents/{}?done=recorded",
                urlencode(&i.id)
            ))),
            Err(e @ (AppError::Store(_) | AppError::Crypto(_))) => Err(e.into()),
            Err(e) => render(
                &cx,
                StatusCode::UNPROCESSABLE_ENTITY,
                &f,
                &visible,
                Some(crate::ui::alert::error_text(cx.lang, &e)),
                Vec::new(),
            ),
        }
    }
    .await;
    cx.finish(r)
}

#[cfg(test)]
mod tests {
    use super::super::id_of;
    use super::*;

    #[test]
    fn identifiers_round_trip_through_serde() {
        for s in SEXES {
            assert_eq!(parse_id::<Sex>(&id_of(&s)), Some(s));
        }
        for a in AGES {
            assert_eq!(parse_id::<AgeGroup>(a.as_str()), Some(a));
        }
        for c in CATEGORIES {
            assert_eq!(parse_id::<PerpetratorCategory>(c.as_str()), Some(c));
        }
        for k in SOURCE_KINDS {
            assert_eq!(parse_id::<SourceKind>(&id_of(&k)), Some(k));
        }
        assert_eq!(parse_id::<Reliability>("bogus"), None);
    }

    #[test]
    fn every_value_offered_has_a_label_in_both_languages() {
        use crate::ui::i18n::has;
        let mut keys: Vec<String> = Vec::new();
        keys.extend(SEXES.iter().map(|v| format!("sex_{}", id_of(v))));
        keys.extend(CATEGORIES.iter().map(|v| format!("perp_{}", id_of(v))));
        keys.extend(SOURCE_KINDS.iter().map(|v| format!("srck_{}", id_of(v))));
        keys.extend(RELIABILITIES.iter().map(|v| format!("rel_{}", id_of(v))));
        keys.extend(PRECISIONS.iter().map(|v| format!("prec_{}", id_of(v))));
        keys.extend(Violation::ALL.iter().map(|v| format!("vio_{}", v.as_str())));
        keys.extend(Taxonomy::ALL.iter().map(|v| format!("tax_{}", v.as_str())));
        keys.extend(
            Compartment::ALL
                .iter()
                .map(|v| format!("cmp_{}", v.as_str())),
        );
        keys.extend(
            kinga_domain::incident::VerificationState::ALL
                .iter()
                .map(|v| format!("ivs_{}", v.as_str())),
        );
        keys.extend(
            super::super::page::METHODS
                .iter()
                .map(|v| format!("ivm_{}", id_of(v))),
        );
        let missing: Vec<_> = keys.iter().filter(|k| !has(k)).collect();
        assert!(missing.is_empty(), "no label: {missing:?}");
    }
}
