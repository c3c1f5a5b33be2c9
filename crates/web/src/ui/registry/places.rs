//! The places page: search the gazetteer by any spelling and add a village under a territory.

use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;
use serde::{Deserialize, Serialize};

use kinga_app::registry::RegistryRecord;
use kinga_domain::people::Permission;
use kinga_domain::place::{Gazetteer, Place, PlaceLevel};

use super::super::i18n::{self, tr};
use super::super::login::see_other;
use super::super::{Ctx, FormData, QueryData, UiResult};
use super::{NoticeQuery, notice, save_one};

/// A place as typed in the "add a place" form.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct PlaceForm {
    #[serde(skip_serializing)]
    csrf: String,
    name: String,
    alt_names: String,
    parent: String,
    lat: String,
    lon: String,
}

impl PlaceForm {
    /// The place this form describes, under a known territory or province, with the next
    /// free code `<parent>-V<nnn>`.
    fn place(&self, lang: &str, gaz: &Gazetteer) -> Result<Place, String> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err(format!(
                "{}: {}",
                tr(lang, "field_name"),
                tr(lang, "required")
            ));
        }
        let parent = gaz
            .get(self.parent.trim())
            .filter(|p| {
                matches!(
                    p.level,
                    PlaceLevel::Admin1 | PlaceLevel::Admin2 | PlaceLevel::Admin3
                )
            })
            .ok_or_else(|| tr(lang, "place_parent_unknown").to_string())?;
        let coord = |v: &str, max: f64| -> Result<Option<f64>, String> {
            let v = v.trim().replace(',', ".");
            if v.is_empty() {
                return Ok(None);
            }
            v.parse::<f64>()
                .ok()
                .filter(|x| x.is_finite() && x.abs() <= max)
                .map(Some)
                .ok_or_else(|| tr(lang, "place_bad_coordinates").to_string())
        };
        let (lat, lon) = (coord(&self.lat, 90.0)?, coord(&self.lon, 180.0)?);
        let next = (1..)
            .map(|n| format!("{}-V{n:03}", parent.pcode))
            .find(|code| gaz.get(code).is_none())
            .unwrap_or_default();
        Ok(Place {
            pcode: next,
            name: name.to_string(),
            alt_names: self
                .alt_names
                .split([';', ','])
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::to_string)
                .collect(),
            level: PlaceLevel::Settlement,
            parent: Some(parent.pcode.clone()),
            country: parent.country.clone(),
            lat,
            lon,
        })
    }
}

async fn render_places(
    cx: &Ctx,
    status: StatusCode,
    search: Option<String>,
    form: PlaceForm,
    error: Option<String>,
    notice_text: Option<&str>,
) -> UiResult {
    let gaz = cx.st.app.gazetteer();
    let found: Vec<_> = search
        .as_deref()
        .map(|s| cx.st.app.find_places(&cx.caller(), s, 20))
        .transpose()?
        .unwrap_or_default()
        .iter()
        .map(|c| {
            let level = gaz.get(&c.pcode).map(|p| tr(cx.lang, i18n::level_key(p.level)));
            context! { pcode => &c.pcode, name => &c.name, context => &c.context, score => (c.score * 100.0).round() as i64, level => level }
        })
        .collect();
    let counts = |l: PlaceLevel| gaz.places().iter().filter(|p| p.level == l).count();
    let view = context! {
        search => search,
        found => found,
        areas => &*cx.st.ui.areas(&gaz),
        total => gaz.places().len(),
        settlements => counts(PlaceLevel::Settlement),
        can_edit => cx.can(Permission::ManageRegistries),
        v => &form,
        error => error,
        notice => notice_text,
    };
    cx.render_status(status, "places.html", "places", view)
}

/// `GET /places`: search by any spelling, browse provinces and territories.
pub async fn places(cx: Ctx, QueryData(q): QueryData<NoticeQuery>) -> Response {
    let r = async {
        cx.require(Permission::ReadAlerts)?;
        let search =
            q.q.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| s.chars().take(200).collect::<String>());
        let notice_text = notice(cx.lang, q.notice.as_deref());
        render_places(
            &cx,
            StatusCode::OK,
            search,
            PlaceForm::default(),
            None,
            notice_text,
        )
        .await
    }
    .await;
    cx.finish(r)
}

/// `POST /places`: add a village, site or neighbourhood under a territory.
pub async fn save_place(cx: Ctx, FormData(f): FormData<PlaceForm>) -> Response {
    let r = async {
        cx.check_csrf(&f.csrf)?;
        cx.require(Permission::ManageRegistries)?;
        let gaz = cx.st.app.gazetteer();
        let place = match f.place(cx.lang, &gaz) {
            Ok(p) => p,
            Err(msg) => {
                return render_places(
                    &cx,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    None,
                    f,
                    Some(msg),
                    None,
                )
                .await;
            }
        };
        let name = place.name.clone();
        match save_one(&cx, RegistryRecord::Place(place)).await? {
            None => Ok(see_other(&format!(
                "/places?q={}&notice=notice_saved",
                super::super::urlencode(&name)
            ))),
            Some(msg) => {
                render_places(
                    &cx,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    None,
                    f,
                    Some(msg),
                    None,
                )
                .await
            }
        }
    }
    .await;
    cx.finish(r)
}
