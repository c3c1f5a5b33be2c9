//! An alert's files on its page: recordings play in an `<audio>` element, photos show, and
//! every file has a plain download link (no JavaScript needed). The bytes are served by
//! `GET /alerts/{id}/media/{digest}` only to those who may read the alert.

use axum::extract::Path;
use axum::response::Response;
use minijinja::Value;
use serde::Deserialize;

use kinga_domain::Alert;

use super::super::files::{self, FileQuery};
use super::super::login::see_other;
use super::super::{Ctx, FormData, QueryData};
use super::{Draft, refused};

/// The files of an alert for its page.
pub fn views(a: &Alert) -> Vec<Value> {
    a.media()
        .map(|m| {
            let url = format!("/alerts/{}/media/{}", a.reference, m.digest);
            files::view(&url, "", &a.reference, m)
        })
        .collect()
}

/// `GET /alerts/{id}/media/{digest}`: the file, to a user who may read the alert.
pub async fn serve(
    cx: Ctx,
    Path((id, digest)): Path<(String, String)>,
    QueryData(q): QueryData<FileQuery>,
) -> Response {
    let app = &cx.st.app;
    let caller = cx.caller();
    let r = async {
        let file = app.alert_media(&caller, &id, &digest).await?;
        let a = app.alert(&caller, &id).await?;
        let name = files::file_name(&a.reference, &file.media);
        Ok(files::respond(file, &name, q.download()))
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
