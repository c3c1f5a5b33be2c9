//! OpenRosa endpoints for ODK Collect and KoboCollect, which point at the server's base URL:
//! `GET /formList`, `GET /forms/{id}`, `HEAD|POST /submission`.
//!
//! Devices sign in with HTTP Basic: a Kinga user's name and password, checked against the
//! stored Argon2id hash under the login form's attempt limits. Digest authentication would
//! need the server to keep an MD5 of every password (`HA1`), a password equivalent far weaker
//! than Argon2id, so Kinga answers only Basic; ODK Collect sends Basic credentials over HTTPS
//! only, which is how a deployment behind a TLS-terminating proxy is reached.

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine;

use kinga_app::incidents::FormFile;
use kinga_app::{AppError, Caller};
use kinga_channels::openrosa::{
    self, FORM_ID, FORM_XML, MAX_INSTANCE_BYTES, MAX_SUBMISSION_BYTES, OPENROSA_VERSION,
};

use crate::AppState;
use crate::ui::ClientIp;

/// The OpenRosa routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/formList", get(form_list))
        .route("/forms/{id}", get(form))
        .route("/submission", axum::routing::head(head).post(submit))
        .layer(DefaultBodyLimit::max(MAX_SUBMISSION_BYTES))
}

/// An answer with the headers every OpenRosa answer carries.
fn answer(status: StatusCode, content_type: &'static str, body: String) -> Response {
    let mut r = (status, body).into_response();
    let h = r.headers_mut();
    h.insert(
        "x-openrosa-version",
        HeaderValue::from_static(OPENROSA_VERSION),
    );
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

const XML: &str = "text/xml; charset=utf-8";

fn refusal(status: StatusCode, message: &str) -> Response {
    answer(status, XML, openrosa::refusal(message))
}

/// 401 asking for Basic credentials.
fn challenge(message: &str) -> Response {
    let mut r = refusal(StatusCode::UNAUTHORIZED, message);
    r.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"Kinga\", charset=\"UTF-8\""),
    );
    r
}

/// An application error as an OpenRosa answer (the client shows the message).
fn failed(e: AppError) -> Response {
    let (status, message) = match &e {
        AppError::Unauthorized(m) => return challenge(m),
        AppError::Forbidden(_) => (StatusCode::FORBIDDEN, e.to_string()),
        AppError::NotFound(_) => (StatusCode::NOT_FOUND, e.to_string()),
        AppError::Domain(_) | AppError::Invalid(_) | AppError::KeyReused(_) => {
            (StatusCode::BAD_REQUEST, e.to_string())
        }
        _ => {
            tracing::error!(error = %e, "openrosa submission failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the server could not record the form; it will be sent again".to_string(),
            )
        }
    };
    refusal(status, &message)
}

/// The signed-in caller of a device request, or the answer that refuses it.
async fn device(st: &AppState, headers: &HeaderMap, ip: &str) -> Result<Caller, Response> {
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return Err(challenge("sign in with your Kinga user name and password"));
    };
    let encoded = match value.split_once(' ') {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("basic") => rest.trim(),
        _ => return Err(challenge("only Basic authentication is accepted")),
    };
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()
        .and_then(|b| String::from_utf8(b).ok());
    let Some((name, password)) = decoded.as_deref().and_then(|d| d.split_once(':')) else {
        return Err(challenge("malformed Basic credentials"));
    };
    match st.app.device_sign_in(name, password, ip).await {
        Ok(user) => Ok(Caller::user(&user)),
        Err(e) => Err(failed(e)),
    }
}

/// `GET /formList`: the forms this server takes.
async fn form_list(
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = device(&st, &headers, &ip).await {
        return r;
    }
    answer(
        StatusCode::OK,
        XML,
        openrosa::form_list(&st.app.settings.public_url),
    )
}

/// `GET /forms/{id}`: the XForm.
async fn form(
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Err(r) = device(&st, &headers, &ip).await {
        return r;
    }
    if id != FORM_ID && id != format!("{FORM_ID}.xml") {
        return refusal(StatusCode::NOT_FOUND, "no such form");
    }
    answer(StatusCode::OK, XML, FORM_XML.to_string())
}

/// `HEAD /submission`: what a client asks before sending, to learn the size it may send.
async fn head(State(st): State<AppState>, ClientIp(ip): ClientIp, headers: HeaderMap) -> Response {
    if let Err(r) = device(&st, &headers, &ip).await {
        return r;
    }
    let mut r = Response::new(Body::empty());
    *r.status_mut() = StatusCode::NO_CONTENT;
    let h = r.headers_mut();
    h.insert(
        "x-openrosa-version",
        HeaderValue::from_static(OPENROSA_VERSION),
    );
    h.insert(
        "x-openrosa-accept-content-length",
        HeaderValue::from(MAX_SUBMISSION_BYTES),
    );
    r
}

/// `POST /submission`: a filled form (`xml_submission_file`) and its files, as multipart.
async fn submit(
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let caller = match device(&st, &headers, &ip).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let mut multipart = match multipart {
        Ok(m) => m,
        Err(e) => return refusal(StatusCode::BAD_REQUEST, &e.body_text()),
    };
    let mut instance: Option<String> = None;
    let mut files: Vec<FormFile> = Vec::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return refusal(e.status(), &e.body_text()),
        };
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().unwrap_or_default().to_string();
        let content_type = field
            .content_type()
            .unwrap_or("application/octet-stream")
            .to_string();
        let bytes = match field.bytes().await {
            Ok(b) => b,
            Err(e) => return refusal(e.status(), &e.body_text()),
        };
        if name == "xml_submission_file" {
            if bytes.len() > MAX_INSTANCE_BYTES {
                return refusal(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "the form instance is too large",
                );
            }
            match String::from_utf8(bytes.to_vec()) {
                Ok(x) => instance = Some(x),
                Err(_) => {
                    return refusal(StatusCode::BAD_REQUEST, "the form instance is not UTF-8");
                }
            }
        } else {
            files.push(FormFile {
                name: if file_name.is_empty() {
                    name
                } else {
                    file_name
                },
                content_type,
                bytes: bytes.to_vec(),
            });
        }
    }
    let Some(xml) = instance else {
        return refusal(
            StatusCode::BAD_REQUEST,
            "missing part 'xml_submission_file'",
        );
    };
    let submission = match openrosa::parse_submission(&xml) {
        Ok(s) => s,
        Err(e) => return refusal(StatusCode::BAD_REQUEST, &e.to_string()),
    };
    // Only the files the instance names are kept; a client may send others (its own logs).
    files.retain(|f| submission.files.contains(&f.name));
    match st
        .app
        .submit_form_instance(&caller, &submission.instance_id, submission.draft, files)
        .await
    {
        Ok(intake) => {
            let message = if intake.replayed {
                "Already received: nothing new was recorded."
            } else {
                "Received: the incident is recorded."
            };
            answer(StatusCode::CREATED, XML, openrosa::response(message))
        }
        Err(e) => failed(e),
    }
}
