//! The HTTP adapter: server-rendered pages, the JSON API (described by OpenAPI) and gateway
//! webhooks, all over one [`AppState`]. Errors become HTTP answers in one place: [`WebError`].

pub mod api;
pub mod auth;
pub mod channels;
pub mod error;
pub mod exports;
pub mod listen;
pub mod openrosa;
pub mod ui;
pub mod unread_body;

use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use tower_http::compression::CompressionLayer;

pub use error::WebError;

use kinga_app::App;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The application: the one door to the store.
    pub app: App,
    /// Page templates.
    pub ui: Arc<ui::Templates>,
}

impl AppState {
    /// State over an application.
    pub fn new(app: App) -> AppState {
        AppState {
            app,
            ui: Arc::new(ui::Templates::new()),
        }
    }
}

/// The whole HTTP surface.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .merge(api::routes())
        .merge(ui::routes())
        .merge(channels::routes())
        .merge(openrosa::routes())
        .layer(CompressionLayer::new())
        .layer(axum::middleware::from_fn(unread_body::close_when_unread))
        .with_state(state)
}

/// 200 when the store answers.
async fn healthz(
    axum::extract::State(st): axum::extract::State<AppState>,
) -> Result<&'static str, WebError> {
    st.app.health().await?;
    Ok("ok")
}
