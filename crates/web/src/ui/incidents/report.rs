//! The MRM/MARA table as a printable page (`/reports/mrm?period=2026-Q3`) and as CSV with HXL
//! hashtags (`/reports/mrm.csv`), the same table the API answers.

use axum::response::Response;
use minijinja::{Value, context};
use serde::Deserialize;

use kinga_domain::incident::report::{AGE_GROUPS, CATEGORIES, MrmReport, Pair, SEXES, Shown};
use kinga_domain::incident::{AgeGroup, Taxonomy};
use kinga_domain::people::Permission;

use super::label;
use crate::ui::{Ctx, QueryData, UiError};

/// The period asked, as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReportQuery {
    period: String,
}

/// One violation and status as a table row: the same cells as a CSV row.
fn lines(cx: &Ctx, r: &MrmReport, tax: Taxonomy) -> Vec<Value> {
    let mut out = Vec::new();
    for row in r.rows.iter().filter(|x| x.taxonomy == tax) {
        for (status, pick) in [
            (
                "in_allegations",
                (|p: &Pair| p.allegations) as fn(&Pair) -> Shown,
            ),
            ("in_verified", |p: &Pair| p.verified),
        ] {
            let cells =
                |ps: &[Pair]| -> Vec<String> { ps.iter().map(|p| pick(p).text()).collect() };
            out.push(context! {
                violation => label(cx.lang, "vio", &row.violation),
                violation_id => row.violation.as_str(),
                status => cx.t(status),
                verified => status == "in_verified",
                incidents => pick(&row.incidents).text(),
                victims => pick(&row.victims).text(),
                by_sex => cells(&row.by_sex),
                by_age => cells(&row.by_age),
                by_perpetrator => cells(&row.by_perpetrator),
            });
        }
    }
    out
}

async fn report(cx: &Ctx, q: &ReportQuery) -> Result<MrmReport, UiError> {
    cx.require(Permission::ReadIncidents)?;
    Ok(cx
        .st
        .app
        .mrm_report(&cx.caller(), Some(q.period.as_str()))
        .await?)
}

/// `GET /reports/mrm`: the table, printable.
pub async fn page(cx: Ctx, QueryData(q): QueryData<ReportQuery>) -> Response {
    let r = render(&cx, &q, None, None).await;
    cx.finish(r)
}

/// The page, with the GBVIMS import form's outcome when there is one.
async fn render(
    cx: &Ctx,
    q: &ReportQuery,
    imported: Option<String>,
    import_error: Option<(String, GbvimsForm)>,
) -> crate::ui::UiResult {
    {
        let r = report(cx, q).await?;
        let gbvims = super::gbvims::view(cx, q.period.as_str()).await?;
        let families: Vec<Value> = Taxonomy::ALL
            .iter()
            .filter_map(|t| {
                let l = lines(cx, &r, *t);
                (!l.is_empty()).then(
                    || context! { id => t.as_str(), label => label(cx.lang, "tax", t), lines => l },
                )
            })
            .collect();
        let ages: Vec<String> = AGE_GROUPS
            .iter()
            .map(|a| match a {
                AgeGroup::Unknown => cx.t("age_unknown").to_string(),
                a => a.as_str().to_string(),
            })
            .collect();
        let compartments: Vec<String> = r
            .compartments
            .iter()
            .map(|c| label(cx.lang, "cmp", c))
            .collect();
        let view = context! {
            period => &r.period,
            from => r.from.to_string(),
            to => r.to.to_string(),
            threshold => r.threshold,
            suppressed => r.suppressed,
            compartments => compartments.join(", "),
            allegations => r.totals.allegations.text(),
            verified => r.totals.verified.text(),
            dismissed => r.totals.dismissed.text(),
            sv_incidents => r.sv_referrals.incidents.text(),
            sv_referred => r.sv_referrals.referred.text(),
            sv_rate => r.sv_referrals.rate.map(|x| format!("{:.0} %", x * 100.0)),
            families => families,
            sexes => SEXES.iter().map(|s| label(cx.lang, "sex", s)).collect::<Vec<_>>(),
            ages => ages,
            categories => CATEGORIES.iter().map(|c| label(cx.lang, "perp", c)).collect::<Vec<_>>(),
            gbvims => gbvims,
            gbvims_imported => imported,
            gbvims_error => import_error.as_ref().map(|(e, _)| e.clone()),
            gbvims_form => import_error.as_ref().map(|(_, f)| f),
            can_import_gbvims => cx.can(Permission::RecordIncidents),
        };
        cx.render("mrm.html", "incidents", view)
    }
}

/// The GBVIMS import form.
#[derive(Debug, Default, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct GbvimsForm {
    csrf: String,
    period: String,
    provider: String,
    csv: String,
}

/// `POST /reports/gbvims`: import a provider's table pasted as CSV, then the MRM page again.
pub async fn import_gbvims(
    cx: Ctx,
    crate::ui::FormData(f): crate::ui::FormData<GbvimsForm>,
) -> Response {
    let r = async {
        cx.check_csrf(&f.csrf)?;
        let q = ReportQuery {
            period: f.period.clone(),
        };
        match cx
            .st
            .app
            .import_gbvims(&cx.caller(), &f.provider, &f.csv)
            .await
        {
            Ok(i) => {
                let done = cx
                    .t("gb_imported")
                    .replace("{n}", &i.rows.len().to_string())
                    .replace("{provider}", &i.provider);
                render(&cx, &q, Some(done), None).await
            }
            Err(e @ (kinga_app::AppError::Domain(_) | kinga_app::AppError::Invalid(_))) => {
                let text = crate::ui::alert::error_text(cx.lang, &e);
                render(&cx, &q, None, Some((text, f))).await
            }
            Err(e) => Err(e.into()),
        }
    }
    .await;
    cx.finish(r)
}

/// `GET /reports/mrm.csv`: the same table as CSV with HXL hashtags.
pub async fn csv(cx: Ctx, QueryData(q): QueryData<ReportQuery>) -> Response {
    let r = async {
        let r = report(&cx, &q).await?;
        Ok(crate::api::reports::mrm_csv_answer(&r)?)
    }
    .await;
    cx.finish(r)
}
