//! `/api/v1/transition/after-closure`: for every closed base, alerts, incidents (the caller's
//! visible compartments only) and response times in its areas over equal windows before and
//! after the closure.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use kinga_app::transition::ClosureWatch;
use kinga_domain::transition::BaseClosure;
use kinga_domain::transition::after_closure::WindowFigures;

use super::ApiQuery;
use crate::auth::ApiUser;
use crate::{AppState, WebError};

type ErrorBody = crate::error::ErrorBody;

/// How long each window is.
#[derive(Debug, Deserialize, IntoParams)]
pub struct AfterClosureParams {
    /// Days each window spans at most (default 90, at most 366); cut to the days elapsed since
    /// the closure so that both windows are the same length.
    pub days: Option<u32>,
}

/// A closed base and what changed in its areas.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClosureWatchBody {
    /// The mission.
    pub mission: String,
    /// The withdrawal plan's id.
    pub withdrawal: String,
    /// The closure.
    pub closure: BaseClosure,
    /// Days each window spans.
    pub days: u32,
    /// The window before the closure.
    pub before: WindowFigures,
    /// The window from the closure on.
    pub after: WindowFigures,
    /// False when the caller sees no incident compartment (incident counts are then 0).
    pub incidents_visible: bool,
}

impl From<ClosureWatch> for ClosureWatchBody {
    fn from(w: ClosureWatch) -> Self {
        ClosureWatchBody {
            mission: w.mission,
            withdrawal: w.withdrawal,
            closure: w.closure,
            days: w.days,
            before: w.before,
            after: w.after,
            incidents_visible: w.incidents_visible,
        }
    }
}

/// Every base closed on or before today, newest closure first, with alerts, incidents and
/// response times (median and p90 minutes to acknowledge and to respond, share within the
/// deadline) before and after.
#[utoipa::path(get, path = "/api/v1/transition/after-closure", tag = "transition",
    params(AfterClosureParams),
    responses((status = 200, body = Vec<ClosureWatchBody>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(st): State<AppState>,
    user: ApiUser,
    ApiQuery(p): ApiQuery<AfterClosureParams>,
) -> Result<Json<Vec<ClosureWatchBody>>, WebError> {
    let all = st.app.after_closures(&user.caller(), p.days).await?;
    Ok(Json(all.into_iter().map(Into::into).collect()))
}
