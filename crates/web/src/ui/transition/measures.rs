//! Benchmarks and mission indicators: `/transition/benchmarks` (each target's progress, the
//! series of values with their evidence, the forms that set a benchmark and record a value)
//! and `/transition/indicators` (definitions, latest values per place, the forms).

use axum::response::Response;
use minijinja::{Value, context};
use serde::Deserialize;

use kinga_app::transition::BenchmarkView;
use kinga_domain::people::Permission;
use kinga_domain::transition::{
    BenchmarkInput, BenchmarkKind, Evidence, Figure, IndicatorDef, IndicatorInput, IndicatorSource,
    IndicatorValue, TargetInput, TargetStatus, ValueInput,
};

use super::super::login::see_other;
use super::super::registry::{notice, place_code};
use super::super::{Ctx, FormData, QueryData, UiError, UiResult, urlencode};
use super::{DateQuery, day, place_namer};

/// A number as people read it: no trailing zeros, at most one decimal.
pub fn number(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

/// Catalogue key of a target status.
pub fn target_key(s: TargetStatus) -> String {
    format!("tst_{}", s.as_str())
}

/// The evidence of a value in words.
pub fn evidence_words(cx: &Ctx, e: &Evidence, names: &dyn Fn(&str) -> String) -> String {
    let key = if e.of.is_some() {
        "tm_evidence_of"
    } else {
        "tm_evidence_count"
    };
    cx.t(key)
        .replace("{n}", &e.count.to_string())
        .replace("{d}", &e.of.unwrap_or_default().to_string())
        .replace("{p}", &names(&e.place))
        .replace("{f}", &e.from.to_string())
        .replace("{t}", &e.to.to_string())
        .replace("{c}", &cx.time(e.computed_at))
}

fn source_label(cx: &Ctx, s: IndicatorSource) -> String {
    match s {
        IndicatorSource::Manual => cx.t("tm_manual").to_string(),
        IndicatorSource::Computed(f) => cx.t(&format!("fig_{}", f.as_str())).to_string(),
    }
}

fn value_view(cx: &Ctx, v: &IndicatorValue, unit: &str, names: &dyn Fn(&str) -> String) -> Value {
    context! {
        id => &v.id, version => v.stamp.version, on => v.on.to_string(),
        value => format!("{} {unit}", number(v.value)), place => names(&v.place),
        evidence => v.evidence.as_ref().map(|e| evidence_words(cx, e, names)),
        source_note => &v.source_note, by => &v.stamp.updated_by,
    }
}

/// A benchmark for the templates (also used by the dossier).
pub fn benchmark_view(cx: &Ctx, b: &BenchmarkView, names: &dyn Fn(&str) -> String) -> Value {
    let bm = &b.benchmark;
    context! {
        id => &bm.id, version => bm.stamp.version, title => &bm.title,
        kind => cx.t(if bm.kind == BenchmarkKind::Core { "tm_core" } else { "tm_contextual" }),
        place => &bm.place, place_name => &b.place_name, owner => &bm.owner,
        starts_on => bm.starts_on.map(|d| d.to_string()), due_on => bm.due_on.to_string(),
        note => &bm.note,
        targets => b.targets.iter().map(|t| {
            let unit = &t.indicator.unit;
            context! {
                indicator => &t.indicator.id, name => t.indicator.name(cx.lang),
                manual => t.indicator.source == IndicatorSource::Manual,
                baseline => t.progress.baseline.map(|v| format!("{} {unit}", number(v))),
                target => format!("{} {unit}", number(t.target.target)),
                due => t.target.due_on.unwrap_or(bm.due_on).to_string(),
                latest => t.progress.latest.map(|v| format!("{} {unit}", number(v))),
                latest_on => t.progress.latest_on.map(|d| d.to_string()),
                percent => t.progress.percent.map(|p| format!("{p:.0}")),
                status => t.progress.status.as_str(),
                status_label => cx.t(&target_key(t.progress.status)),
                values => t.values.iter().rev().map(|v| value_view(cx, v, unit, names)).collect::<Vec<_>>(),
            }
        }).collect::<Vec<_>>(),
    }
}

fn indicator_options(cx: &Ctx, defs: &[IndicatorDef]) -> Vec<Value> {
    defs.iter()
        .map(|d| {
            context! { id => &d.id, name => d.name(cx.lang), unit => &d.unit,
            manual => d.source == IndicatorSource::Manual }
        })
        .collect()
}

/// `GET /transition/benchmarks`: every benchmark with its progress on the date.
pub async fn benchmarks_page(cx: Ctx, QueryData(q): QueryData<DateQuery>) -> Response {
    let r = async {
        cx.require(Permission::ReadTransition)?;
        let on = day(&cx, &q.date)?;
        let caller = cx.caller();
        let list = cx.st.app.benchmarks(&caller, on).await?;
        let defs = cx.st.app.indicators(&caller).await?;
        let names = place_namer(&cx);
        let gaz = cx.st.app.gazetteer();
        let view = context! {
            date => on.to_string(),
            benchmarks => list.iter().map(|b| benchmark_view(&cx, b, &names)).collect::<Vec<_>>(),
            indicators => indicator_options(&cx, &defs),
            areas => cx.st.ui.areas(&gaz).as_ref().clone(),
            can_plan => cx.can(Permission::PlanTransition),
            notice => notice(cx.lang, q.notice.as_deref()),
        };
        cx.render("transition_benchmarks.html", "transition", view)
    }
    .await;
    cx.finish(r)
}

fn number_field(cx: &Ctx, s: &str) -> UiResult<Option<f64>> {
    match s.trim().replace(',', ".") {
        t if t.is_empty() => Ok(None),
        t => t
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .map(Some)
            .ok_or_else(|| UiError::invalid(cx.t("tm_value"))),
    }
}

fn date_field(cx: &Ctx, s: &str) -> UiResult<Option<chrono::NaiveDate>> {
    match s.trim() {
        "" => Ok(None),
        v => chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| UiError::invalid(cx.t("err_date"))),
    }
}

/// The benchmark form as typed (one target; more through the API).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BenchmarkForm {
    csrf: String,
    kind: String,
    title: String,
    place: String,
    owner: String,
    starts_on: String,
    due_on: String,
    indicator: String,
    baseline: String,
    target: String,
    note: String,
}

/// `POST /transition/benchmarks`: set a benchmark.
pub async fn save_benchmark(cx: Ctx, FormData(f): FormData<BenchmarkForm>) -> Response {
    let r = async {
        cx.check_csrf(&f.csrf)?;
        let gaz = cx.st.app.gazetteer();
        let kind: BenchmarkKind = f
            .kind
            .parse()
            .map_err(|e: kinga_domain::DomainError| UiError::invalid(e.to_string()))?;
        let due_on =
            date_field(&cx, &f.due_on)?.ok_or_else(|| UiError::invalid(cx.t("err_date")))?;
        let targets = if f.indicator.trim().is_empty() {
            vec![]
        } else {
            vec![TargetInput {
                id: None,
                indicator: f.indicator.trim().to_string(),
                baseline: number_field(&cx, &f.baseline)?,
                target: number_field(&cx, &f.target)?
                    .ok_or_else(|| UiError::invalid(cx.t("tm_target")))?,
                due_on: None,
            }]
        };
        let input = BenchmarkInput {
            id: None,
            benchmark_kind: kind,
            title: f.title,
            place: place_code(&gaz, cx.lang, &f.place)?,
            owner: f.owner,
            starts_on: date_field(&cx, &f.starts_on)?,
            due_on,
            targets: Some(targets),
            note: f.note,
            version: None,
        };
        let b = cx.st.app.save_benchmark(&cx.caller(), input).await?;
        Ok(see_other(&format!(
            "/transition/benchmarks?notice=notice_benchmark_saved#bm-{}",
            urlencode(&b.id)
        )))
    }
    .await;
    cx.finish(r)
}

/// A value as typed; `back` is the page to return to.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ValueForm {
    csrf: String,
    indicator: String,
    place: String,
    on: String,
    value: String,
    from: String,
    source_note: String,
    back: String,
}

fn back_to(back: &str, notice: &str) -> String {
    let page = match back {
        "indicators" => "/transition/indicators",
        "dossier" => "/transition/dossier",
        _ => "/transition/benchmarks",
    };
    format!("{page}?notice={notice}")
}

/// `POST /transition/value`: record a value of an indicator in a place (computed ones are
/// computed now, with their evidence).
pub async fn record_value(cx: Ctx, FormData(f): FormData<ValueForm>) -> Response {
    let r = async {
        cx.check_csrf(&f.csrf)?;
        let gaz = cx.st.app.gazetteer();
        let input = ValueInput {
            indicator: f.indicator.trim().to_string(),
            place: place_code(&gaz, cx.lang, &f.place)?,
            on: date_field(&cx, &f.on)?,
            value: number_field(&cx, &f.value)?,
            from: date_field(&cx, &f.from)?,
            source_note: f.source_note,
        };
        let v = cx
            .st
            .app
            .record_indicator_value(&cx.caller(), input)
            .await?;
        let mut url = back_to(&f.back, "notice_value_recorded");
        if f.back == "dossier" {
            url.push_str(&format!("&place={}", urlencode(&v.place)));
        }
        Ok(see_other(&url))
    }
    .await;
    cx.finish(r)
}

/// A removal as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RemoveForm {
    csrf: String,
    id: String,
    version: u64,
    what: String,
}

/// `POST /transition/records/remove`: remove a benchmark, indicator, value, mechanism,
/// staff member or note.
pub async fn remove_record(cx: Ctx, FormData(f): FormData<RemoveForm>) -> Response {
    let r = async {
        cx.check_csrf(&f.csrf)?;
        let (app, caller, id) = (&cx.st.app, cx.caller(), f.id.trim());
        let page = match f.what.as_str() {
            "benchmark" => {
                app.remove_benchmark(&caller, id, f.version).await?;
                "/transition/benchmarks"
            }
            "indicator" => {
                app.remove_indicator(&caller, id, f.version).await?;
                "/transition/indicators"
            }
            "value" => {
                app.remove_indicator_value(&caller, id, f.version).await?;
                "/transition/indicators"
            }
            "mechanism" => {
                app.remove_mechanism(&caller, id, f.version).await?;
                "/transition/community"
            }
            "staff" => {
                app.remove_staff(&caller, id, f.version).await?;
                "/transition/roster"
            }
            "note" => {
                app.remove_note(&caller, id, f.version).await?;
                "/transition/knowledge"
            }
            _ => return Err(UiError::invalid("what")),
        };
        Ok(see_other(&format!("{page}?notice=notice_removed")))
    }
    .await;
    cx.finish(r)
}

/// `GET /transition/indicators`: the mission's indicators and their latest values.
pub async fn indicators_page(cx: Ctx, QueryData(q): QueryData<DateQuery>) -> Response {
    let r = async {
        cx.require(Permission::ReadTransition)?;
        let caller = cx.caller();
        let defs = cx.st.app.indicators(&caller).await?;
        let values = cx.st.app.indicator_values(&caller, None).await?;
        let names = place_namer(&cx);
        let gaz = cx.st.app.gazetteer();
        let view = context! {
            indicators => defs.iter().map(|d| context! {
                id => &d.id, version => d.stamp.version, name => d.name(cx.lang),
                name_fr => &d.name_fr, name_en => &d.name_en, unit => &d.unit,
                source => source_label(&cx, d.source), note => &d.note,
                manual => d.source == IndicatorSource::Manual,
                higher_is_better => d.higher_is_better,
                values => values.iter().rev().filter(|v| v.indicator == d.id)
                    .map(|v| value_view(&cx, v, &d.unit, &names)).collect::<Vec<_>>(),
            }).collect::<Vec<_>>(),
            options => indicator_options(&cx, &defs),
            figures => Figure::ALL.iter().map(|f| context! {
                id => f.as_str(), label => cx.t(&format!("fig_{}", f.as_str())),
            }).collect::<Vec<_>>(),
            areas => cx.st.ui.areas(&gaz).as_ref().clone(),
            today => cx.st.app.local_today().to_string(),
            can_plan => cx.can(Permission::PlanTransition),
            notice => notice(cx.lang, q.notice.as_deref()),
        };
        cx.render("transition_indicators.html", "transition", view)
    }
    .await;
    cx.finish(r)
}

/// The indicator form as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct IndicatorForm {
    csrf: String,
    name_fr: String,
    name_en: String,
    unit: String,
    source: String,
    higher_is_better: Option<String>,
    note: String,
}

/// `POST /transition/indicators`: define a mission indicator.
pub async fn save_indicator(cx: Ctx, FormData(f): FormData<IndicatorForm>) -> Response {
    let r = async {
        cx.check_csrf(&f.csrf)?;
        let source = match f.source.trim() {
            "" | "manual" => IndicatorSource::Manual,
            s => IndicatorSource::Computed(
                s.parse::<Figure>()
                    .map_err(|e| UiError::invalid(e.to_string()))?,
            ),
        };
        let input = IndicatorInput {
            id: None,
            name_fr: f.name_fr,
            name_en: f.name_en,
            unit: f.unit,
            source,
            higher_is_better: Some(f.higher_is_better.is_some()),
            note: f.note,
            version: None,
        };
        cx.st.app.save_indicator(&cx.caller(), input).await?;
        Ok(see_other(
            "/transition/indicators?notice=notice_indicator_saved",
        ))
    }
    .await;
    cx.finish(r)
}
