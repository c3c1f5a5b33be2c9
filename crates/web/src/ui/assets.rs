//! Static files embedded in the binary: Leaflet (vendored from the npm registry by
//! `scripts/vendor-leaflet`) and the map page's script. Their addresses carry the version or
//! a digest of the content, so browsers may keep them for a year.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// Leaflet's script (the release is in the path, as in the route of `ui/mod.rs`: a new one
/// is a new address).
pub const LEAFLET_JS_PATH: &str = "/static/leaflet-1.9.4/leaflet.js";
/// Leaflet's stylesheet.
pub const LEAFLET_CSS_PATH: &str = "/static/leaflet-1.9.4/leaflet.css";

/// The map page's script.
pub const MAP_JS: &str = include_str!("../../static/map.js");

/// Leaflet's files: (name under `/static/leaflet-1.9.4/`, content type, bytes).
const LEAFLET: &[(&str, &str, &[u8])] = &[
    (
        "leaflet.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/vendor/leaflet/leaflet.js"),
    ),
    (
        "leaflet.css",
        "text/css; charset=utf-8",
        include_bytes!("../../static/vendor/leaflet/leaflet.css"),
    ),
    (
        "LICENSE",
        "text/plain; charset=utf-8",
        include_bytes!("../../static/vendor/leaflet/LICENSE"),
    ),
    (
        "images/layers.png",
        "image/png",
        include_bytes!("../../static/vendor/leaflet/images/layers.png"),
    ),
    (
        "images/layers-2x.png",
        "image/png",
        include_bytes!("../../static/vendor/leaflet/images/layers-2x.png"),
    ),
    (
        "images/marker-icon.png",
        "image/png",
        include_bytes!("../../static/vendor/leaflet/images/marker-icon.png"),
    ),
    (
        "images/marker-icon-2x.png",
        "image/png",
        include_bytes!("../../static/vendor/leaflet/images/marker-icon-2x.png"),
    ),
    (
        "images/marker-shadow.png",
        "image/png",
        include_bytes!("../../static/vendor/leaflet/images/marker-shadow.png"),
    ),
];

static MAP_JS_DIGEST: LazyLock<String> =
    LazyLock::new(|| hex::encode(&Sha256::digest(MAP_JS.as_bytes())[..6]));

/// Address of the map page's script, with a digest of its content.
pub fn map_js_path() -> String {
    format!("/static/map-{}.js", *MAP_JS_DIGEST)
}

fn immutable(content_type: &'static str, body: &'static [u8]) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
        ],
        body,
    )
        .into_response()
}

/// `GET /static/leaflet-1.9.4/{*file}`.
pub async fn leaflet(Path(file): Path<String>) -> Response {
    match LEAFLET.iter().find(|(name, _, _)| *name == file) {
        Some((_, ct, body)) => immutable(ct, body),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// `GET /static/{file}`: the map's script under its current digest.
pub async fn script(Path(file): Path<String>) -> Response {
    if format!("/static/{file}") == map_js_path() {
        immutable("text/javascript; charset=utf-8", MAP_JS.as_bytes())
    } else {
        StatusCode::NOT_FOUND.into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaflet_is_the_vendored_release() {
        let js = LEAFLET.iter().find(|f| f.0 == "leaflet.js").map(|f| f.2);
        let js = String::from_utf8_lossy(js.unwrap_or_default());
        assert!(js.contains("1.9.4"), "the path names the release it serves");
        let version = include_str!("../../static/vendor/leaflet/VERSION");
        assert!(version.starts_with("leaflet 1.9.4\nsha512-"));
        let dir = "/static/leaflet-1.9.4/";
        assert!(LEAFLET_JS_PATH.starts_with(dir) && LEAFLET_CSS_PATH.starts_with(dir));
        assert_eq!(map_js_path().len(), "/static/map-.js".len() + 12);
    }
}
