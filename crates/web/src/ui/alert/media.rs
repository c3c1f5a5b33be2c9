//! An alert's files on its page: recordings play in an `<audio>` element, photos show, and
//! every file has a plain download link (no JavaScript needed). The bytes are served by
//! `GET /alerts/{id}/media/{digest}` only to those who may read the alert.

use axum::extract::Path;
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use minijinja::{Value, context};
use serde::Deserialize;

use kinga_domain::Alert;
use kinga_domain::media::extension;

use super::super::login::see_other;
use super::super::{Ctx, FormData, QueryData};
use super::{Draft, refused};

/// `?download=1` asks for the file as an attachment rather than inline.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MediaQuery {
    download: Option<String>,
}

/// The name a file is downloaded under: the alert's reference and the digest's start.
fn file_name(a: &Alert, digest: &str, media_type: &str) -> String {
    format!(
        "{}-{}.{}",
        a.reference,
        &digest[..digest.len().min(12)],
        extension(media_type)
    )
}

/// The files of an alert for its page.
pub fn views(a: &Alert) -> Vec<Value> {
    a.media()
        .map(|m| {
            context! {
                url => format!("/alerts/{}/media/{}", a.reference, m.digest),
                name => file_name(a, &m.digest, &m.media_type),
                media_type => &m.media_type,
                kb => m.size.div_ceil(1024),
                audio => m.media_type.starts_with("audio/"),
                image => m.media_type.starts_with("image/"),
            }
        })
        .collect()
}

/// `GET /alerts/{id}/media/{digest}`: the file, to a user who may read the alert.
pub async fn serve(
    cx: Ctx,
    Path((id, digest)): Path<(String, String)>,
    QueryData(q): QueryData<MediaQuery>,
) -> Response {
    let app = &cx.st.app;
    let caller = cx.caller();
    let r = async {
        let file = app.alert_media(&caller, &id, &digest).await?;
        let a = app.alert(&caller, &id).await?;
        let name = file_name(&a, &file.media.digest, &file.media.media_type);
        let disposition = match q.download.as_deref() {
            Some(d) if !d.is_empty() && d != "0" => format!("attachment; filename=\"{name}\""),
            _ => format!("inline; filename=\"{name}\""),
        };
        Ok((
            [
                (CONTENT_TYPE, file.media.media_type.clone()),
                (CONTENT_DISPOSITION, disposition),
                (CACHE_CONTROL, "private, no-store".to_string()),
            ],
            file.bytes,
        )
            .into_response())
    }
    .await;
    cx.finish(r)
}

/// The transcript form.
#[derive(Debug, Deserialize)]
pub struct TranscriptForm {
    csrf: String,
    text: String,
}

/// `POST /alerts/{id}/transcript`: what a person heard on the recording.
pub async fn transcript(
    mut cx: Ctx,
    Path(id): Path<String>,
    FormData(f): FormData<TranscriptForm>,
) -> Response {
    let r = async {
        cx.check_csrf(&f.csrf)?;
        match cx.st.app.transcribe(&cx.caller(), &id, &f.text).await {
            Ok(a) => Ok(see_other(&format!(
                "/alerts/{}?done=transcribed",
                a.reference
            ))),
            Err(e) => refused(&mut cx, &id, e, Draft::default()).await,
        }
    }
    .await;
    cx.finish(r)
}
