//! `/api/v1/conflicts`: concurrent versions of one record met by sync, both kept.

use axum::Json;
use axum::extract::State;

use kinga_domain::conflict::RecordConflict;

use crate::auth::ApiUser;
use crate::{AppState, WebError};

type ErrorBody = crate::error::ErrorBody;

/// Records saved on two instances while they were cut off, newest first: the version in force
/// and the other one, with the fields that differ. Incidents only in the caller's
/// compartments; plans and transition records to those who read the transition.
#[utoipa::path(get, path = "/api/v1/conflicts", tag = "conflicts",
    responses((status = 200, body = Vec<RecordConflict>), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(st): State<AppState>,
    user: ApiUser,
) -> Result<Json<Vec<RecordConflict>>, WebError> {
    Ok(Json(st.app.record_conflicts(&user.caller()).await?))
}
