//! Registry pages: places, responders, threat actors, focal points (pseudonymous, identity
//! opened only on an audited request) and the outbox.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;
use serde::{Deserialize, Serialize};

use kinga_app::AppError;
use kinga_app::registry::{FocalPointInput, RegistryRecord};
use kinga_domain::ThreatType;
use kinga_domain::people::Permission;
use kinga_domain::place::{self, Gazetteer, Place, PlaceLevel};
use kinga_domain::registry::{
    ActorKind, ContactPreference, FocalPoint, Hours, Responder, ResponderKind, ThreatActor,
};

use super::alert::error_text;
use super::i18n::{self, tr};
use super::login::see_other;
use super::{Ctx, FormData, QueryData, UiError, UiResult, slug, split_list};

/// Every responder kind, in the order forms offer them.
pub const RESPONDER_KINDS: [ResponderKind; 9] = [
    ResponderKind::MissionMilitary,
    ResponderKind::MissionPolice,
    ResponderKind::CommunityLiaison,
    ResponderKind::StatePolice,
    ResponderKind::CivilProtection,
    ResponderKind::UnAgency,
    ResponderKind::Ngo,
    ResponderKind::LocalProtectionCommittee,
    ResponderKind::CommunityNetwork,
];

/// Every actor kind, in the order forms offer them.
pub const ACTOR_KINDS: [ActorKind; 6] = [
    ActorKind::StateForces,
    ActorKind::NonStateArmedGroup,
    ActorKind::Militia,
    ActorKind::ParallelForces,
    ActorKind::PrivateSecurity,
    ActorKind::CriminalGroup,
];

/// A notice after a redirect (`?notice=…`), only from the catalogue's `notice_` keys so a
/// link cannot put arbitrary words on the page.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NoticeQuery {
    /// Catalogue key of the notice.
    pub notice: Option<String>,
    /// Search text (places page).
    pub q: Option<String>,
    /// Record to edit.
    pub edit: Option<String>,
    /// Page of a long list, from 0 (focal points).
    pub page: Option<usize>,
}

/// Focal points on one page of the list.
const FOCAL_POINT_PAGE: usize = 100;

/// Which part of a long list to show: a search and a page.
#[derive(Debug, Default)]
struct Slice {
    q: Option<String>,
    page: usize,
}

/// The notice a `?notice=` key names, in the page language.
pub fn notice<'a>(lang: &str, key: Option<&'a str>) -> Option<&'a str> {
    key.filter(|k| k.starts_with("notice_") && i18n::has(k))
        .map(|k| tr(lang, k))
}

/// A P-code as typed, or a place name that resolves to one place without doubt.
pub fn place_code(gaz: &Gazetteer, lang: &str, typed: &str) -> Result<String, UiError> {
    let typed = typed.trim();
    if let Some(p) = gaz.get(typed).or_else(|| gaz.get(&typed.to_uppercase())) {
        return Ok(p.pcode.clone());
    }
    let candidates = gaz.resolve(typed, 5);
    if let Some(p) = place::pick(&candidates) {
        return Ok(p.pcode.clone());
    }
    let options: Vec<String> = candidates
        .iter()
        .map(|c| format!("{} ({}, {})", c.name, c.context, c.pcode))
        .collect();
    let mut msg = tr(lang, "err_unknown_place").replace("{p}", typed);
    if !options.is_empty() {
        msg.push_str(&format!(
            " {} {}",
            tr(lang, "did_you_mean"),
            options.join("; ")
        ));
    }
    Err(UiError::invalid(msg))
}

fn hhmm(m: u16) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

fn parse_hhmm(s: &str) -> Option<u16> {
    let (h, m) = s.trim().split_once(':')?;
    let (h, m) = (h.parse::<u16>().ok()?, m.parse::<u16>().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

fn labels(gaz: &Gazetteer, codes: &[String]) -> Vec<String> {
    codes.iter().map(|p| gaz.label(p)).collect()
}

/// Save one registry record: `None` once saved, or the message of a refusal the person can
/// fix on the form (an unknown place, a bad value); other failures are errors.
async fn save_one(cx: &Ctx, record: RegistryRecord) -> Result<Option<String>, UiError> {
    match cx.st.app.save_records(&cx.caller(), vec![record]).await {
        Ok(_) => Ok(None),
        Err(e @ (AppError::Invalid(_) | AppError::Domain(_))) => Ok(Some(error_text(cx.lang, &e))),
        Err(e) => Err(e.into()),
    }
}

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
                super::urlencode(&name)
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

/// The responder form as typed.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ResponderForm {
    #[serde(skip_serializing)]
    csrf: String,
    id: String,
    name: String,
    kind: String,
    places: String,
    threat_types: Vec<String>,
    hours_start: String,
    hours_end: String,
    phone: String,
    email: String,
    prefers: String,
    consent: Option<String>,
    active: Option<String>,
}

impl ResponderForm {
    fn of(r: &Responder) -> Self {
        ResponderForm {
            csrf: String::new(),
            id: r.id.clone(),
            name: r.name.clone(),
            kind: i18n::responder_kind_key(r.kind)
                .trim_start_matches("rk_")
                .to_string(),
            places: r.places.join(", "),
            threat_types: r
                .threat_types
                .iter()
                .map(|t| t.as_str().to_string())
                .collect(),
            hours_start: if r.hours == Hours::ALWAYS {
                String::new()
            } else {
                hhmm(r.hours.start)
            },
            hours_end: if r.hours == Hours::ALWAYS {
                String::new()
            } else {
                hhmm(r.hours.end)
            },
            phone: r.phone.clone().unwrap_or_default(),
            email: r.email.clone().unwrap_or_default(),
            prefers: if r.prefers == ContactPreference::Email {
                "email".into()
            } else {
                "sms".into()
            },
            consent: r.community_consent.then(|| "1".into()),
            active: r.active.then(|| "1".into()),
        }
    }

    fn responder(&self, cx: &Ctx) -> Result<Responder, UiError> {
        let lang = cx.lang;
        let name = self.name.trim();
        if name.is_empty() {
            return Err(UiError::invalid(
                tr(lang, "err_missing").replace("{f}", tr(lang, "field_name")),
            ));
        }
        let kind = RESPONDER_KINDS
            .into_iter()
            .find(|k| i18n::responder_kind_key(*k).trim_start_matches("rk_") == self.kind)
            .ok_or_else(|| UiError::invalid(tr(lang, "err_bad_kind")))?;
        let gaz = cx.st.app.gazetteer();
        let places = split_list(&self.places)
            .iter()
            .map(|p| place_code(&gaz, lang, p))
            .collect::<Result<Vec<_>, _>>()?;
        if places.is_empty() {
            return Err(UiError::invalid(
                tr(lang, "err_missing").replace("{f}", tr(lang, "field_places")),
            ));
        }
        let threat_types = self
            .threat_types
            .iter()
            .map(|t| {
                t.parse::<ThreatType>()
                    .map_err(|_| UiError::invalid(tr(lang, "err_bad_threat")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let hours = match (self.hours_start.trim(), self.hours_end.trim()) {
            ("", "") => Hours::ALWAYS,
            (s, e) => Hours {
                start: parse_hhmm(s).ok_or_else(|| UiError::invalid(tr(lang, "err_bad_hours")))?,
                end: parse_hhmm(e).ok_or_else(|| UiError::invalid(tr(lang, "err_bad_hours")))?,
            },
        };
        let id = match self.id.trim() {
            "" => Some(slug(name))
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| cx.st.app.new_id()),
            id => id.to_string(),
        };
        let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        Ok(Responder {
            id,
            name: name.to_string(),
            kind,
            places,
            threat_types,
            hours,
            phone: opt(&self.phone),
            email: opt(&self.email),
            prefers: if self.prefers == "email" {
                ContactPreference::Email
            } else {
                ContactPreference::Sms
            },
            community_consent: self.consent.is_some(),
            active: self.active.is_some(),
        })
    }
}

async fn render_responders(
    cx: &Ctx,
    status: StatusCode,
    form: ResponderForm,
    error: Option<String>,
    notice_text: Option<&str>,
) -> UiResult {
    let lang = cx.lang;
    let gaz = cx.st.app.gazetteer();
    let list = cx.st.app.responders(&cx.caller())?;
    let rows: Vec<_> = list
        .iter()
        .map(|r| {
            context! {
                id => &r.id,
                name => &r.name,
                kind => tr(lang, i18n::responder_kind_key(r.kind)),
                places => labels(&gaz, &r.places),
                threats => if r.threat_types.is_empty() { vec![tr(lang, "all_threats")] } else { r.threat_types.iter().map(|t| t.label(lang)).collect() },
                hours => if r.hours == Hours::ALWAYS { tr(lang, "all_day").to_string() } else { format!("{}–{} UTC", hhmm(r.hours.start), hhmm(r.hours.end)) },
                consent => r.community_consent,
                active => r.active,
                contact => if r.prefers == ContactPreference::Email { "e-mail" } else { "SMS" },
            }
        })
        .collect();
    let kinds: Vec<_> = RESPONDER_KINDS
        .iter()
        .map(|k| context! { id => i18n::responder_kind_key(*k).trim_start_matches("rk_"), label => tr(lang, i18n::responder_kind_key(*k)) })
        .collect();
    let threats: Vec<_> = ThreatType::ALL
        .iter()
        .map(|t| context! { id => t.as_str(), label => t.label(lang), checked => form.threat_types.iter().any(|x| x == t.as_str()) })
        .collect();
    // Hours are the local hours of the deployment, as routing reads them.
    let zone = cx.st.app.settings.zone().name().to_string();
    let view = context! { rows => rows, kinds => kinds, threats => threats, v => &form, error => error, notice => notice_text, zone => zone };
    cx.render_status(status, "responders.html", "responders", view)
}

/// `GET /responders` (`?edit=<id>` fills the form with a responder).
pub async fn responders(cx: Ctx, QueryData(q): QueryData<NoticeQuery>) -> Response {
    let r = async {
        cx.require(Permission::ReadAlerts)?;
        let form = match q.edit.as_deref() {
            Some(id) if cx.can(Permission::ManageRegistries) => cx
                .st
                .app
                .responders(&cx.caller())?
                .iter()
                .find(|r| r.id == id)
                .map(ResponderForm::of)
                .unwrap_or_default(),
            _ => ResponderForm {
                consent: Some("1".into()),
                active: Some("1".into()),
                ..Default::default()
            },
        };
        render_responders(
            &cx,
            StatusCode::OK,
            form,
            None,
            notice(cx.lang, q.notice.as_deref()),
        )
        .await
    }
    .await;
    cx.finish(r)
}

/// `POST /responders`: add or replace a responder.
pub async fn save_responder(cx: Ctx, FormData(f): FormData<ResponderForm>) -> Response {
    let r = async {
        cx.check_csrf(&f.csrf)?;
        cx.require(Permission::ManageRegistries)?;
        let responder = match f.responder(&cx) {
            Ok(r) => r,
            Err(e) => return render_responders(&cx, e.status, f, Some(e.message), None).await,
        };
        match save_one(&cx, RegistryRecord::Responder(responder)).await? {
            None => Ok(see_other("/responders?notice=notice_saved")),
            Some(msg) => {
                render_responders(&cx, StatusCode::UNPROCESSABLE_ENTITY, f, Some(msg), None).await
            }
        }
    }
    .await;
    cx.finish(r)
}

/// The actor form as typed.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ActorForm {
    #[serde(skip_serializing)]
    csrf: String,
    id: String,
    name: String,
    kind: String,
    aliases: String,
    areas: String,
    notes: String,
}

impl ActorForm {
    fn of(a: &ThreatActor) -> Self {
        ActorForm {
            csrf: String::new(),
            id: a.id.clone(),
            name: a.name.clone(),
            kind: i18n::actor_kind_key(a.kind)
                .trim_start_matches("ak_")
                .to_string(),
            aliases: a.aliases.join(", "),
            areas: a.areas.join(", "),
            notes: a.notes.clone(),
        }
    }

    fn actor(&self, cx: &Ctx) -> Result<ThreatActor, UiError> {
        let lang = cx.lang;
        let name = self.name.trim();
        if name.is_empty() {
            return Err(UiError::invalid(
                tr(lang, "err_missing").replace("{f}", tr(lang, "field_name")),
            ));
        }
        let kind = ACTOR_KINDS
            .into_iter()
            .find(|k| i18n::actor_kind_key(*k).trim_start_matches("ak_") == self.kind)
            .ok_or_else(|| UiError::invalid(tr(lang, "err_bad_kind")))?;
        let gaz = cx.st.app.gazetteer();
        let areas = split_list(&self.areas)
            .iter()
            .map(|p| place_code(&gaz, lang, p))
            .collect::<Result<Vec<_>, _>>()?;
        let id = match self.id.trim() {
            "" => Some(slug(name))
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| cx.st.app.new_id()),
            id => id.to_string(),
        };
        Ok(ThreatActor {
            id,
            name: name.to_string(),
            kind,
            aliases: split_list(&self.aliases),
            areas,
            notes: self.notes.trim().to_string(),
        })
    }
}

async fn render_actors(
    cx: &Ctx,
    status: StatusCode,
    form: ActorForm,
    error: Option<String>,
    notice_text: Option<&str>,
) -> UiResult {
    let lang = cx.lang;
    let gaz = cx.st.app.gazetteer();
    let list = cx.st.app.actors(&cx.caller()).await?;
    let rows: Vec<_> = list
        .iter()
        .map(|a| {
            context! {
                id => &a.id,
                name => &a.name,
                kind => tr(lang, i18n::actor_kind_key(a.kind)),
                aliases => &a.aliases,
                areas => labels(&gaz, &a.areas),
                notes => &a.notes,
            }
        })
        .collect();
    let kinds: Vec<_> = ACTOR_KINDS
        .iter()
        .map(|k| context! { id => i18n::actor_kind_key(*k).trim_start_matches("ak_"), label => tr(lang, i18n::actor_kind_key(*k)) })
        .collect();
    let view = context! { rows => rows, kinds => kinds, v => &form, error => error, notice => notice_text };
    cx.render_status(status, "actors.html", "actors", view)
}

/// `GET /actors`.
pub async fn actors(cx: Ctx, QueryData(q): QueryData<NoticeQuery>) -> Response {
    let r = async {
        cx.require(Permission::ReadAlerts)?;
        let form = match q.edit.as_deref() {
            Some(id) if cx.can(Permission::ManageRegistries) => cx
                .st
                .app
                .actors(&cx.caller())
                .await?
                .iter()
                .find(|a| a.id == id)
                .map(ActorForm::of)
                .unwrap_or_default(),
            _ => ActorForm::default(),
        };
        render_actors(
            &cx,
            StatusCode::OK,
            form,
            None,
            notice(cx.lang, q.notice.as_deref()),
        )
        .await
    }
    .await;
    cx.finish(r)
}

/// `POST /actors`: add or replace a threat actor.
pub async fn save_actor(cx: Ctx, FormData(f): FormData<ActorForm>) -> Response {
    let r = async {
        cx.check_csrf(&f.csrf)?;
        cx.require(Permission::ManageRegistries)?;
        let actor = match f.actor(&cx) {
            Ok(a) => a,
            Err(e) => return render_actors(&cx, e.status, f, Some(e.message), None).await,
        };
        match save_one(&cx, RegistryRecord::Actor(actor)).await? {
            None => Ok(see_other("/actors?notice=notice_saved")),
            Some(msg) => {
                render_actors(&cx, StatusCode::UNPROCESSABLE_ENTITY, f, Some(msg), None).await
            }
        }
    }
    .await;
    cx.finish(r)
}

/// The focal point registration form as typed (the name and phone are sealed at once and
/// never shown back).
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct FocalPointForm {
    #[serde(skip_serializing)]
    csrf: String,
    #[serde(skip_serializing)]
    name: String,
    #[serde(skip_serializing)]
    phone: String,
    place: String,
    language: String,
    pseudonym: String,
}

/// A focal point's opened identity, shown once after an audited request.
#[derive(Debug, Serialize)]
struct Revealed {
    id: String,
    name: String,
    phone: String,
}

async fn render_focal_points(
    cx: &Ctx,
    status: StatusCode,
    form: &FocalPointForm,
    error: Option<String>,
    notice_text: Option<&str>,
    revealed: Option<Revealed>,
    slice: Slice,
) -> UiResult {
    let gaz = cx.st.app.gazetteer();
    let list: Vec<FocalPoint> = cx.st.app.focal_points(&cx.caller()).await?;
    let wanted = slice.q.as_deref().map(kinga_domain::text::fold);
    let label = |f: &FocalPoint| f.place.as_deref().map(|p| gaz.label(p));
    let matching: Vec<&FocalPoint> = list
        .iter()
        .filter(|f| {
            wanted.as_deref().is_none_or(|w| {
                kinga_domain::text::fold(&f.pseudonym).contains(w)
                    || label(f).is_some_and(|l| kinga_domain::text::fold(&l).contains(w))
            })
        })
        .collect();
    let total = matching.len();
    let start = (slice.page * FOCAL_POINT_PAGE).min(total);
    let end = (start + FOCAL_POINT_PAGE).min(total);
    let q_part = slice
        .q
        .as_deref()
        .map(|q| format!("q={}&", super::urlencode(q)))
        .unwrap_or_default();
    let prev = (slice.page > 0).then(|| format!("/focal-points?{q_part}page={}", slice.page - 1));
    let next = (end < total).then(|| format!("/focal-points?{q_part}page={}", slice.page + 1));
    let rows: Vec<_> = matching[start..end]
        .iter()
        .map(|f| {
            context! {
                id => &f.id,
                pseudonym => &f.pseudonym,
                place => f.place.as_deref().map(|p| gaz.label(p)),
                language => &f.language,
                active => f.active,
            }
        })
        .collect();
    // Who opened which identity, for those who answer for it.
    let audit: Vec<_> = if cx.can(Permission::Coordinate) {
        cx.st
            .app
            .audit_log(&cx.caller(), 20)
            .await?
            .into_iter()
            .map(|e| context! { at => cx.time(e.at), actor => e.actor, action => e.action, record => e.record, context => e.context })
            .collect()
    } else {
        vec![]
    };
    let view = context! { rows => rows, v => form, error => error, notice => notice_text, revealed => revealed, audit => audit,
    q => slice.q, total => total, prev => prev, next => next, page => slice.page + 1 };
    cx.render_status(status, "focal_points.html", "focal_points", view)
}

/// `GET /focal-points`.
pub async fn focal_points(cx: Ctx, QueryData(q): QueryData<NoticeQuery>) -> Response {
    let r = async {
        cx.require(Permission::ReadReporters)?;
        let form = FocalPointForm {
            language: cx.lang.to_string(),
            ..Default::default()
        };
        let slice = Slice {
            q: q.q
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| s.chars().take(100).collect()),
            page: q.page.unwrap_or(0).min(100_000),
        };
        render_focal_points(
            &cx,
            StatusCode::OK,
            &form,
            None,
            notice(cx.lang, q.notice.as_deref()),
            None,
            slice,
        )
        .await
    }
    .await;
    cx.finish(r)
}

/// `POST /focal-points`: register a focal point; name and phone are sealed before storing.
pub async fn register_focal_point(cx: Ctx, FormData(f): FormData<FocalPointForm>) -> Response {
    let r = async {
        cx.check_csrf(&f.csrf)?;
        cx.require(Permission::ManageRegistries)?;
        let gaz = cx.st.app.gazetteer();
        let place = match f.place.trim() {
            "" => None,
            p => match place_code(&gaz, cx.lang, p) {
                Ok(code) => Some(code),
                Err(e) => {
                    return render_focal_points(
                        &cx,
                        e.status,
                        &f,
                        Some(e.message),
                        None,
                        None,
                        Slice::default(),
                    )
                    .await;
                }
            },
        };
        let language = if matches!(f.language.as_str(), "fr" | "en" | "sw" | "ar") {
            f.language.clone()
        } else {
            "fr".into()
        };
        let input = FocalPointInput {
            id: None,
            name: f.name.clone(),
            phone: f.phone.clone(),
            place,
            language,
            pseudonym: Some(f.pseudonym.trim().to_string()).filter(|p| !p.is_empty()),
        };
        let sealed = match cx.st.app.seal_focal_point(&cx.caller(), &input).await {
            Ok(fp) => fp,
            Err(e @ (AppError::Invalid(_) | AppError::Domain(_))) => {
                let msg = error_text(cx.lang, &e);
                return render_focal_points(
                    &cx,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &f,
                    Some(msg),
                    None,
                    None,
                    Slice::default(),
                )
                .await;
            }
            Err(e) => return Err(e.into()),
        };
        match save_one(&cx, RegistryRecord::FocalPoint(sealed)).await? {
            None => Ok(see_other("/focal-points?notice=notice_registered")),
            Some(msg) => {
                render_focal_points(
                    &cx,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &f,
                    Some(msg),
                    None,
                    None,
                    Slice::default(),
                )
                .await
            }
        }
    }
    .await;
    cx.finish(r)
}

/// Why an identity is opened: the reason is kept in the audit trail.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RevealForm {
    csrf: String,
    reason: String,
}

/// `POST /focal-points/{id}/reveal`: open one identity, with a reason, audited by the
/// application.
pub async fn reveal(
    cx: Ctx,
    Path(id): Path<String>,
    FormData(f): FormData<RevealForm>,
) -> Response {
    let r = async {
        cx.check_csrf(&f.csrf)?;
        cx.require(Permission::ReadIdentities)?;
        let identity = match cx
            .st
            .app
            .focal_point_identity(&cx.caller(), &id, &f.reason)
            .await
        {
            Ok(i) => i,
            Err(e @ (AppError::Domain(_) | AppError::Invalid(_))) => {
                let form = FocalPointForm {
                    language: cx.lang.to_string(),
                    ..Default::default()
                };
                let msg = super::alert::error_text(cx.lang, &e);
                return render_focal_points(
                    &cx,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &form,
                    Some(msg),
                    None,
                    None,
                    Slice::default(),
                )
                .await;
            }
            Err(e) => return Err(e.into()),
        };
        let revealed = Revealed {
            id: identity.focal_point.id,
            name: identity.name,
            phone: identity.phone,
        };
        let form = FocalPointForm {
            language: cx.lang.to_string(),
            ..Default::default()
        };
        render_focal_points(
            &cx,
            StatusCode::OK,
            &form,
            None,
            None,
            Some(revealed),
            Slice::default(),
        )
        .await
    }
    .await;
    cx.finish(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_parse_and_print() {
        assert_eq!(parse_hhmm("06:30"), Some(390));
        assert_eq!(parse_hhmm("24:00"), None);
        assert_eq!(parse_hhmm("nine"), None);
        assert_eq!(hhmm(390), "06:30");
    }

    #[test]
    fn notices_come_only_from_the_catalogue() {
        assert!(notice("fr", Some("notice_saved")).is_some());
        assert_eq!(notice("fr", Some("<b>pwned</b>")), None);
        assert_eq!(notice("fr", Some("login_failed")), None);
    }
}
