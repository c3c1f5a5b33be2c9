//! GBVIMS figures on the MRM/MARA page: what services saw, by type of GBV, beside the CRSV
//! incidents monitors recorded and verified in the same period.

use minijinja::{Value, context};

use kinga_domain::incident::report::Shown;
use kinga_domain::incident::report::gbvims::GbvimsReport;

use super::label;
use crate::ui::{Ctx, UiError};

fn text(s: &Shown) -> String {
    s.text()
}

/// The section's view: one line per GBV type.
pub(super) async fn view(cx: &Ctx, period: &str) -> Result<Value, UiError> {
    let r: GbvimsReport = cx.st.app.gbvims_report(&cx.caller(), Some(period)).await?;
    let lines: Vec<Value> = r
        .lines
        .iter()
        .map(|l| {
            context! {
                id => l.gbv_type.as_str(),
                label => cx.t(&format!("gbv_{}", l.gbv_type.as_str())),
                services => text(&l.services),
                by_sex => l.by_sex.iter().map(text).collect::<Vec<_>>(),
                by_age => l.by_age.iter().map(text).collect::<Vec<_>>(),
                crsv => l.crsv_violation.map(|v| label(cx.lang, "vio", &v)),
                crsv_verified => l.crsv.map(|p| p.verified.text()),
                crsv_allegations => l.crsv.map(|p| p.allegations.text()),
            }
        })
        .collect();
    Ok(context! {
        providers => r.providers.join(", "),
        total => text(&r.total),
        suppressed => r.suppressed,
        lines => lines,
    })
}
