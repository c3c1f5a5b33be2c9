//! Files shown on a record's page (an alert's recordings and photos, an incident's photos):
//! one component for every page — recordings play in an `<audio>` element, photos show, and
//! every file has a plain download link (no JavaScript needed) — and one way to serve them.

use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use minijinja::{Value, context};
use serde::Deserialize;

use kinga_app::media::MediaFile;
use kinga_domain::media::{MediaRef, extension};

/// `?download=1` asks for the file as an attachment rather than inline; `reason` is what a
/// sensitive record's file needs to be opened.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FileQuery {
    pub(crate) download: Option<String>,
    pub(crate) reason: String,
}

impl FileQuery {
    /// Whether the file is asked for as a download.
    pub fn download(&self) -> bool {
        matches!(self.download.as_deref(), Some(d) if !d.is_empty() && d != "0")
    }
}

/// The name a file is downloaded under: its record's name and the digest's start.
pub fn file_name(record: &str, m: &MediaRef) -> String {
    format!(
        "{}-{}.{}",
        record,
        &m.digest[..m.digest.len().min(12)],
        extension(&m.media_type)
    )
}

/// One file for the `_files.html` component. `url` is where it is served; `query`, already
/// encoded and without `?`, is carried by both links (a reason, for a sensitive record).
pub fn view(url: &str, query: &str, record: &str, m: &MediaRef) -> Value {
    let (shown, download) = if query.is_empty() {
        (url.to_string(), format!("{url}?download=1"))
    } else {
        (
            format!("{url}?{query}"),
            format!("{url}?{query}&download=1"),
        )
    };
    context! {
        url => shown,
        download => download,
        name => file_name(record, m),
        media_type => &m.media_type,
        kb => m.size.div_ceil(1024),
        audio => m.media_type.starts_with("audio/"),
        image => m.media_type.starts_with("image/"),
    }
}

/// The file's bytes with its type, inline or as a download under `name`, never cached.
pub fn respond(file: MediaFile, name: &str, download: bool) -> Response {
    let disposition = if download {
        format!("attachment; filename=\"{name}\"")
    } else {
        format!("inline; filename=\"{name}\"")
    };
    (
        [
            (CONTENT_TYPE, file.media.media_type.clone()),
            (CONTENT_DISPOSITION, disposition),
            (CACHE_CONTROL, "private, no-store".to_string()),
        ],
        file.bytes,
    )
        .into_response()
}
