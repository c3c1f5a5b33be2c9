//! Small helpers shared by the pages: form and query extractors that answer a plain 400, and
//! text helpers (escaping, percent-encoding, times in words, lists and ids typed by people).

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Utc};
use minijinja::{Value, context};
use serde::de::DeserializeOwned;

use kinga_domain::{AlertState, ThreatType};

use super::i18n::{self, tr};

/// A form body (`application/x-www-form-urlencoded`, repeated names collected into lists);
/// a malformed body is a plain 400, never a JSON blob.
pub struct FormData<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for FormData<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum_extra::extract::Form::<T>::from_request(req, state).await {
            Ok(f) => Ok(FormData(f.0)),
            // A POST with no form at all is read as an empty form, so it meets the CSRF
            // check (403) like any other forged request instead of a content-type error.
            Err(e) if e.status() == StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                serde_json::from_value(serde_json::json!({}))
                    .map(FormData)
                    .map_err(|_| bad_request(&e.body_text()))
            }
            Err(e) => Err(bad_request(&e.body_text())),
        }
    }
}

fn bad_request(text: &str) -> Response {
    let page = format!("<!doctype html><title>400</title><p>{}</p>", escape(text));
    (StatusCode::BAD_REQUEST, Html(page)).into_response()
}

/// Query parameters; a malformed query string is a plain 400.
pub struct QueryData<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for QueryData<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| QueryData(q.0))
            .map_err(|e| {
                (
                    StatusCode::BAD_REQUEST,
                    Html(format!(
                        "<!doctype html><title>400</title><p>{}</p>",
                        escape(&e.body_text())
                    )),
                )
                    .into_response()
            })
    }
}

/// HTML-escape text put into a page outside the templates.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

/// Percent-encode a query value.
pub fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A time for the `datetime` attribute of `<time>`.
pub fn iso_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// How far `at` is from `now`, in words: "in 1 h 05" / "2 d 3 h late" / "due now". A deadline
/// that has come is never "in 0 min": it is due, and shown overdue beside it.
pub fn relative(lang: &str, now: DateTime<Utc>, at: DateTime<Utc>) -> String {
    let secs = (at - now).num_seconds();
    let mins = secs.unsigned_abs() / 60;
    if secs > 0 && mins > 0 {
        format!("{} {}", tr(lang, "rel_in"), span_text(lang, mins))
    } else if mins == 0 {
        tr(lang, "rel_now").to_string()
    } else {
        format!("{} {}", span_text(lang, mins), tr(lang, "rel_late"))
    }
}

fn span_text(lang: &str, mins: u64) -> String {
    let (d, h, m) = (mins / 1440, (mins % 1440) / 60, mins % 60);
    let day = if lang == "fr" { "j" } else { "d" };
    if d > 0 {
        format!("{d} {day} {h} h")
    } else if h > 0 {
        format!("{h} h {m:02}")
    } else {
        format!("{m} min")
    }
}

/// Split a comma-, semicolon- or newline-separated list, trimmed, empties dropped.
pub fn split_list(s: &str) -> Vec<String> {
    s.split([',', ';', '\n'])
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(String::from)
        .collect()
}

/// A short id from a name: `"Base Minova (MONUSCO)"` → `"base-minova-monusco"`.
pub fn slug(s: &str) -> String {
    kinga_domain::text::fold(s)
        .replace(' ', "-")
        .chars()
        .take(48)
        .collect()
}

/// The open states the queue lists below its new alerts (received alerts have a section of
/// their own), in the order of [`AlertState::ALL`].
pub fn past_reception() -> Vec<AlertState> {
    AlertState::ALL
        .into_iter()
        .filter(|s| s.is_open() && *s != AlertState::Received)
        .collect()
}

/// Every threat type as a filter's option (`id`, `label` in `lang`).
pub fn threat_options(lang: &str) -> Vec<Value> {
    ThreatType::ALL
        .iter()
        .map(|t| context! { id => t.as_str(), label => t.label(lang) })
        .collect()
}

/// Every alert state as a filter's option (`id`, `label` in `lang`).
pub fn state_options(lang: &str) -> Vec<Value> {
    AlertState::ALL
        .iter()
        .map(|s| context! { id => s.as_str(), label => tr(lang, i18n::state_key(*s)) })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers_say_times_and_ids_plainly() {
        let t0 = Utc::now();
        assert_eq!(
            relative("en", t0, t0 + chrono::Duration::minutes(65)),
            "in 1 h 05"
        );
        assert_eq!(
            relative("fr", t0, t0 - chrono::Duration::minutes(3 * 1440 + 120)),
            "3 j 2 h de retard"
        );
        assert_eq!(
            relative("en", t0, t0 + chrono::Duration::seconds(30)),
            "due now"
        );
        assert_eq!(relative("en", t0, t0), "due now");
        assert_eq!(
            slug("Comité de Minova (Sud-Kivu)"),
            "comite-de-minova-sud-kivu"
        );
        assert_eq!(
            split_list("CD61, Minova;\n CD62 ,"),
            vec!["CD61", "Minova", "CD62"]
        );
        assert_eq!(
            escape("<a href='x'>&</a>"),
            "&lt;a href=&#x27;x&#x27;&gt;&amp;&lt;/a&gt;"
        );
    }
}
