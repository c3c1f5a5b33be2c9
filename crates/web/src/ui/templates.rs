//! The page templates, embedded at build time, with the one inline script and stylesheet
//! (allowed by their hashes in the Content-Security-Policy) and the area options built from
//! the gazetteer.

use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use base64::Engine;
use minijinja::{Environment, State, Value};
use serde::Serialize;
use sha2::{Digest, Sha256};

use kinga_domain::place::{Gazetteer, PlaceLevel};

use super::UiError;
use super::i18n::tr;
use super::shared::urlencode;

/// The one inline script: live queue rows, local times, the reporter's time zone. Pages work
/// without it; it is allowed by its hash in the Content-Security-Policy.
const SCRIPT: &str = include_str!("../../static/enhance.js");
/// The one stylesheet, inlined: one request per page on 2G.
const STYLE: &str = include_str!("../../static/style.css");

/// Embedded templates: (name, source).
pub(super) const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("login.html", include_str!("../../templates/login.html")),
    ("error.html", include_str!("../../templates/error.html")),
    ("alerts.html", include_str!("../../templates/alerts.html")),
    ("reports.html", include_str!("../../templates/reports.html")),
    (
        "dashboard.html",
        include_str!("../../templates/dashboard.html"),
    ),
    ("map.html", include_str!("../../templates/map.html")),
    (
        "conflicts.html",
        include_str!("../../templates/conflicts.html"),
    ),
    (
        "briefing.html",
        include_str!("../../templates/briefing.html"),
    ),
    (
        "_alert_rows.html",
        include_str!("../../templates/_alert_rows.html"),
    ),
    ("_files.html", include_str!("../../templates/_files.html")),
    (
        "_queue_live.html",
        include_str!("../../templates/_queue_live.html"),
    ),
    (
        "alert_new.html",
        include_str!("../../templates/alert_new.html"),
    ),
    ("alert.html", include_str!("../../templates/alert.html")),
    ("places.html", include_str!("../../templates/places.html")),
    (
        "responders.html",
        include_str!("../../templates/responders.html"),
    ),
    ("actors.html", include_str!("../../templates/actors.html")),
    (
        "focal_points.html",
        include_str!("../../templates/focal_points.html"),
    ),
    ("users.html", include_str!("../../templates/users.html")),
    ("digest.html", include_str!("../../templates/digest.html")),
    ("outbox.html", include_str!("../../templates/outbox.html")),
    ("inbox.html", include_str!("../../templates/inbox.html")),
    ("account.html", include_str!("../../templates/account.html")),
    (
        "incidents.html",
        include_str!("../../templates/incidents.html"),
    ),
    (
        "incident_new.html",
        include_str!("../../templates/incident_new.html"),
    ),
    (
        "incident.html",
        include_str!("../../templates/incident.html"),
    ),
    ("mrm.html", include_str!("../../templates/mrm.html")),
    (
        "transition.html",
        include_str!("../../templates/transition.html"),
    ),
    (
        "transition_cliff.html",
        include_str!("../../templates/transition_cliff.html"),
    ),
    (
        "transition_plan.html",
        include_str!("../../templates/transition_plan.html"),
    ),
    (
        "transition_dossier.html",
        include_str!("../../templates/transition_dossier.html"),
    ),
    (
        "transition_routing.html",
        include_str!("../../templates/transition_routing.html"),
    ),
    (
        "transition_broadcasts.html",
        include_str!("../../templates/transition_broadcasts.html"),
    ),
    (
        "transition_closures.html",
        include_str!("../../templates/transition_closures.html"),
    ),
    (
        "transition_benchmark_card.html",
        include_str!("../../templates/transition_benchmark_card.html"),
    ),
    (
        "transition_mechanism_card.html",
        include_str!("../../templates/transition_mechanism_card.html"),
    ),
    (
        "transition_nav.html",
        include_str!("../../templates/transition_nav.html"),
    ),
    (
        "transition_dossier_more.html",
        include_str!("../../templates/transition_dossier_more.html"),
    ),
    (
        "transition_benchmarks.html",
        include_str!("../../templates/transition_benchmarks.html"),
    ),
    (
        "transition_indicators.html",
        include_str!("../../templates/transition_indicators.html"),
    ),
    (
        "transition_community.html",
        include_str!("../../templates/transition_community.html"),
    ),
    (
        "transition_roster.html",
        include_str!("../../templates/transition_roster.html"),
    ),
    (
        "transition_knowledge.html",
        include_str!("../../templates/transition_knowledge.html"),
    ),
    ("hrddp.html", include_str!("../../templates/hrddp.html")),
    (
        "providers.html",
        include_str!("../../templates/providers.html"),
    ),
    (
        "_hrddp_record.html",
        include_str!("../../templates/_hrddp_record.html"),
    ),
    (
        "hrddp_screening.html",
        include_str!("../../templates/hrddp_screening.html"),
    ),
];

/// Area options and the gazetteer they were built from.
type AreaCache = (Arc<Gazetteer>, Arc<Vec<AreaOption>>);

/// Page templates (a minijinja environment with every template embedded) and small caches
/// derived from registries.
pub struct Templates {
    env: Environment<'static>,
    areas: Mutex<Option<AreaCache>>,
}

impl Default for Templates {
    fn default() -> Self {
        Self::new()
    }
}

impl Templates {
    /// Load the embedded templates.
    pub fn new() -> Self {
        let mut env = Environment::new();
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        env.set_undefined_behavior(minijinja::UndefinedBehavior::SemiStrict);
        for (name, src) in TEMPLATES {
            // Embedded at build time and checked by the tests: a failure is a programming error.
            env.add_template(name, src)
                .expect("embedded template parses");
        }
        env.add_function("t", template_t);
        env.add_filter("urlencode", |s: String| urlencode(&s));
        env.add_global("script", Value::from_safe_string(SCRIPT.to_string()));
        env.add_global("style", Value::from_safe_string(STYLE.to_string()));
        Templates {
            env,
            areas: Mutex::new(None),
        }
    }

    /// Render a template with a context.
    pub fn render(&self, name: &str, ctx: Value) -> Result<String, UiError> {
        let tpl = self.env.get_template(name).map_err(render_failed)?;
        tpl.render(ctx).map_err(render_failed)
    }

    /// Provinces and territories for area selects, rebuilt only when the gazetteer changes.
    pub fn areas(&self, gaz: &Arc<Gazetteer>) -> Arc<Vec<AreaOption>> {
        if let Ok(g) = self.areas.lock() {
            if let Some((cached, list)) = g.as_ref() {
                if Arc::ptr_eq(cached, gaz) {
                    return list.clone();
                }
            }
        }
        let list = Arc::new(area_options(gaz));
        if let Ok(mut g) = self.areas.lock() {
            *g = Some((gaz.clone(), list.clone()));
        }
        list
    }
}

fn render_failed(e: minijinja::Error) -> UiError {
    tracing::error!(error = %e, "template rendering failed");
    UiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "the page could not be rendered",
    )
}

/// `t("key")` in templates: the string in the language of the page (`lang` in the context).
fn template_t(state: &State, key: &str) -> String {
    let lang = state.lookup("lang");
    let lang = lang.as_ref().and_then(|l| l.as_str()).unwrap_or("en");
    tr(lang, key).to_string()
}

/// A province or territory in an area select.
#[derive(Debug, Clone, Serialize)]
pub struct AreaOption {
    /// P-code.
    pub pcode: String,
    /// Name.
    pub name: String,
    /// True for a territory (shown indented under its province).
    pub sub: bool,
}

/// Provinces in name order, each followed by its territories.
fn area_options(gaz: &Gazetteer) -> Vec<AreaOption> {
    let mut provinces: Vec<_> = gaz
        .places()
        .iter()
        .filter(|p| p.level == PlaceLevel::Admin1)
        .collect();
    provinces.sort_by(|a, b| a.name.cmp(&b.name));
    let mut out = Vec::new();
    for p in provinces {
        out.push(AreaOption {
            pcode: p.pcode.clone(),
            name: p.name.clone(),
            sub: false,
        });
        let mut ts: Vec<_> = gaz
            .places()
            .iter()
            .filter(|t| {
                t.level == PlaceLevel::Admin2 && t.parent.as_deref() == Some(p.pcode.as_str())
            })
            .collect();
        ts.sort_by(|a, b| a.name.cmp(&b.name));
        out.extend(ts.into_iter().map(|t| AreaOption {
            pcode: t.pcode.clone(),
            name: t.name.clone(),
            sub: true,
        }));
    }
    out
}

/// The Content-Security-Policy: nothing from elsewhere, and only the inline script and style
/// whose hashes it names.
pub(super) fn csp() -> String {
    let hash =
        |s: &str| base64::engine::general_purpose::STANDARD.encode(Sha256::digest(s.as_bytes()));
    format!(
        "default-src 'none'; script-src 'sha256-{}'; style-src 'sha256-{}'; img-src data: 'self'; media-src 'self'; connect-src 'self'; \
         form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        hash(SCRIPT),
        hash(STYLE)
    )
}

/// The map page's policy: the same, and also scripts, styles and images of this server
/// (Leaflet's files and the map's script, `assets.rs`).
pub(super) fn csp_for_map() -> String {
    csp()
        .replacen("script-src ", "script-src 'self' ", 1)
        .replacen("style-src ", "style-src 'self' ", 1)
        .replacen("img-src ", "img-src 'self' ", 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use minijinja::context;

    fn sample_row(text: &str, uncovered: bool) -> Value {
        context! {
            reference => "K-7", severity => 4, severity_label => "imminent threat to life", threat => "Killing",
            excerpt => text, place => None::<String>, place_name => "Kiwanja <b>", candidates => 2,
            state => "Received", state_id => "received", deadline_kind => "Acknowledge",
            deadline => "2026-03-01 08:15 UTC", deadline_iso => "2026-03-01T08:15:00Z", due => "5 min late",
            overdue => true, escalated => false, uncovered => uncovered, duplicates => 1,
        }
    }

    #[test]
    fn every_template_parses_and_rows_render_escaped() {
        let t = Templates::new();
        for (name, _) in TEMPLATES {
            assert!(t.env.get_template(name).is_ok(), "{name}");
        }
        let html = t
            .render("_alert_rows.html", context! { lang => "fr", rows => vec![sample_row("<script>alert(1)</script>", true)] })
            .unwrap_or_default();
        assert!(
            html.contains("&lt;script&gt;") && !html.contains("<script>"),
            "{html}"
        );
        assert!(html.contains("NON COUVERTE") && html.contains("data-uncovered=\"true\""));
        assert!(html.contains("lieu à confirmer") && html.contains("Kiwanja &lt;b&gt;"));
        let html = t
            .render(
                "_alert_rows.html",
                context! { lang => "en", rows => Vec::<Value>::new() },
            )
            .unwrap_or_default();
        assert!(html.contains("No alert matches."));
    }

    #[test]
    fn public_pages_render_without_a_user() {
        let t = Templates::new();
        let html = t
            .render("login.html", context! { lang => "fr", next => "/alerts", next_q => "%2Falerts", name => "", error => None::<String> })
            .unwrap_or_default();
        assert!(
            html.contains("id=\"name\"")
                && html.contains("name=\"password\"")
                && html.contains("Connexion")
        );
        assert!(!html.contains("<header>"), "no menu before signing in");
        let html = t.render("error.html", context! { lang => "en", title => "Not found", detail => "alert K-9 not found", status => 404 }).unwrap_or_default();
        assert!(html.contains("alert K-9 not found") && html.contains("data-status=\"404\""));
    }

    #[test]
    fn the_inline_script_and_style_are_allowed_by_hash_only() {
        let policy = csp();
        assert!(!policy.contains("unsafe-inline"));
        let map = csp_for_map();
        assert!(map.contains("script-src 'self' 'sha256-") && map.contains("img-src 'self' data:"));
        assert!(!map.contains("unsafe-inline") && map.contains("default-src 'none'"));
        let html = Templates::new()
            .render(
                "error.html",
                context! { lang => "en", title => "x", detail => "y", status => 500 },
            )
            .unwrap_or_default();
        // The CSP hashes cover exactly the bytes between the tags.
        assert!(
            html.contains(&format!("<script>{SCRIPT}</script>"))
                && html.contains(&format!("<style>{STYLE}</style>"))
        );
    }
}
