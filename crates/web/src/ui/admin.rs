//! Administration pages: users (administrators) and the daily digest (coordinators).

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Duration;
use minijinja::context;
use serde::{Deserialize, Serialize};

use kinga_app::AppError;
use kinga_domain::digest::Digest;
use kinga_domain::people::{Permission, Role};

use super::alert::error_text;
use super::i18n::{self, tr};
use super::login::{CsrfForm, see_other};
use super::registry::{NoticeQuery, notice};
use super::{Ctx, FormData, QueryData, UiResult, urlencode};

/// The new-user form as typed (the password is never shown back).
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct UserForm {
    #[serde(skip_serializing)]
    csrf: String,
    name: String,
    display_name: String,
    role: String,
    language: String,
    #[serde(skip_serializing)]
    password: String,
}

async fn render_users(
    cx: &Ctx,
    status: StatusCode,
    form: &UserForm,
    error: Option<String>,
    notice_text: Option<&str>,
) -> UiResult {
    let lang = cx.lang;
    let mut users = cx.st.app.users(&cx.caller()).await?;
    users.sort_by(|a, b| a.name.cmp(&b.name));
    let rows: Vec<_> = users
        .iter()
        .map(|u| {
            context! {
                name => &u.name,
                name_q => urlencode(&u.name),
                display_name => &u.display_name,
                role => tr(lang, i18n::role_key(u.role)),
                language => &u.language,
                disabled => u.disabled,
                me => u.id == cx.pu.user.id,
                created => cx.time(u.created_at),
            }
        })
        .collect();
    let roles: Vec<_> = Role::ALL
        .iter()
        .map(|r| context! { id => r.as_str(), label => tr(lang, i18n::role_key(*r)), selected => form.role == r.as_str() })
        .collect();
    let view = context! { rows => rows, roles => roles, v => form, error => error, notice => notice_text, min_password => kinga_app::auth::MIN_PASSWORD };
    cx.render_status(status, "users.html", "users", view)
}

/// `GET /users` (administrators).
pub async fn users(cx: Ctx, QueryData(q): QueryData<NoticeQuery>) -> Response {
    let r = async {
        cx.require(Permission::ManageUsers)?;
        let form = UserForm {
            role: Role::TriageOfficer.as_str().into(),
            language: "fr".into(),
            ..Default::default()
        };
        render_users(
            &cx,
            StatusCode::OK,
            &form,
            None,
            notice(cx.lang, q.notice.as_deref()),
        )
        .await
    }
    .await;
    cx.finish(r)
}

/// `POST /users`: add a user with an initial password.
pub async fn add_user(cx: Ctx, FormData(f): FormData<UserForm>) -> Response {
    let r = async {
        cx.check_csrf(&f.csrf)?;
        cx.require(Permission::ManageUsers)?;
        let role = match f.role.parse::<Role>() {
            Ok(r) => r,
            Err(e) => {
                return render_users(
                    &cx,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &f,
                    Some(e.to_string()),
                    None,
                )
                .await;
            }
        };
        match cx
            .st
            .app
            .add_user(
                &cx.caller(),
                f.name.trim(),
                &f.display_name,
                role,
                &f.language,
                &f.password,
            )
            .await
        {
            Ok(_) => Ok(see_other("/users?notice=notice_user_added")),
            Err(e @ (AppError::Invalid(_) | AppError::Domain(_))) => {
                let msg = error_text(cx.lang, &e);
                render_users(&cx, StatusCode::UNPROCESSABLE_ENTITY, &f, Some(msg), None).await
            }
            Err(e) => Err(e.into()),
        }
    }
    .await;
    cx.finish(r)
}

/// `POST /users/{name}/disable`.
pub async fn disable_user(
    cx: Ctx,
    Path(name): Path<String>,
    FormData(f): FormData<CsrfForm>,
) -> Response {
    let r = async {
        cx.check_csrf(&f.csrf)?;
        cx.require(Permission::ManageUsers)?;
        if name == cx.pu.user.name {
            // Locking oneself out would leave an instance with no administrator to undo it.
            let form = UserForm {
                role: Role::TriageOfficer.as_str().into(),
                language: "fr".into(),
                ..Default::default()
            };
            return render_users(
                &cx,
                StatusCode::UNPROCESSABLE_ENTITY,
                &form,
                Some(cx.t("err_disable_self").into()),
                None,
            )
            .await;
        }
        cx.st.app.disable_user(&cx.caller(), &name).await?;
        Ok(see_other("/users?notice=notice_user_disabled"))
    }
    .await;
    cx.finish(r)
}

/// `POST /users/{name}/enable`: a disabled user may sign in again (old sessions and tokens
/// stay ended).
pub async fn enable_user(
    cx: Ctx,
    Path(name): Path<String>,
    FormData(f): FormData<CsrfForm>,
) -> Response {
    let r = async {
        cx.check_csrf(&f.csrf)?;
        cx.require(Permission::ManageUsers)?;
        cx.st.app.enable_user(&cx.caller(), &name).await?;
        Ok(see_other("/users?notice=notice_user_enabled"))
    }
    .await;
    cx.finish(r)
}

/// A new password.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    csrf: String,
    password: String,
}

/// `POST /users/{name}/password`: set a new password; the user's other sessions end.
pub async fn reset_password(
    cx: Ctx,
    Path(name): Path<String>,
    FormData(f): FormData<PasswordForm>,
) -> Response {
    let r = async {
        cx.check_csrf(&f.csrf)?;
        cx.require(Permission::ManageUsers)?;
        match cx
            .st
            .app
            .reset_password(
                &cx.caller(),
                &name,
                &f.password,
                Some(&cx.pu.session.digest),
            )
            .await
        {
            Ok(_) => Ok(see_other("/users?notice=notice_password_reset")),
            Err(e @ AppError::Invalid(_)) => {
                let form = UserForm {
                    role: Role::TriageOfficer.as_str().into(),
                    language: "fr".into(),
                    ..Default::default()
                };
                let msg = format!("{name}: {}", error_text(cx.lang, &e));
                render_users(
                    &cx,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &form,
                    Some(msg),
                    None,
                )
                .await
            }
            Err(e) => Err(e.into()),
        }
    }
    .await;
    cx.finish(r)
}

/// One line of a digest: a label and either a value or a small table.
#[derive(Debug, Serialize)]
struct DigestLine {
    label: String,
    value: Option<String>,
    columns: Vec<String>,
    rows: Vec<Vec<String>>,
}

fn json_scalar(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::Null => Some("—".into()),
        serde_json::Value::Bool(b) => Some(if *b { "✓".into() } else { "✗".into() }),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Array(a) if a.iter().all(|x| !x.is_object() && !x.is_array()) => Some(
            a.iter()
                .filter_map(json_scalar)
                .collect::<Vec<_>>()
                .join(", "),
        ),
        _ => None,
    }
}

/// A digest of an unknown shape as lines a person can read:
/// numbers and words as they are, lists of records as tables, nested records flattened.
fn digest_lines(prefix: &str, v: &serde_json::Value, out: &mut Vec<DigestLine>) {
    let serde_json::Value::Object(map) = v else {
        return;
    };
    for (k, x) in map {
        let label = if prefix.is_empty() {
            k.replace('_', " ")
        } else {
            format!("{prefix} › {}", k.replace('_', " "))
        };
        if let Some(s) = json_scalar(x) {
            out.push(DigestLine {
                label,
                value: Some(s),
                columns: vec![],
                rows: vec![],
            });
        } else if let serde_json::Value::Array(items) = x {
            let mut columns: Vec<String> = vec![];
            for it in items {
                if let serde_json::Value::Object(m) = it {
                    for c in m.keys() {
                        if !columns.contains(c) {
                            columns.push(c.clone());
                        }
                    }
                }
            }
            let rows = items
                .iter()
                .map(|it| {
                    columns
                        .iter()
                        .map(|c| {
                            it.get(c)
                                .map(|x| json_scalar(x).unwrap_or_else(|| x.to_string()))
                                .unwrap_or_default()
                        })
                        .collect()
                })
                .collect();
            out.push(DigestLine {
                label,
                value: None,
                columns: columns.iter().map(|c| c.replace('_', " ")).collect(),
                rows,
            });
        } else {
            digest_lines(&label, x, out);
        }
    }
}

/// A digest in the page language: the figures, by threat, by state, the overdue alerts
/// (linked), with the uncovered count flagged like everywhere else.
fn digest_view(lang: &str, local: &super::time::Local, d: &Digest) -> minijinja::Value {
    let figures: Vec<_> = [
        ("dg_received", Some(d.received)),
        ("dg_acknowledged", Some(d.acknowledged)),
        ("dg_acknowledged_in_time", Some(d.acknowledged_in_time)),
        ("dg_median_ack", d.median_minutes_to_acknowledge),
        ("dg_answered", Some(d.answered)),
        ("dg_closed", Some(d.closed)),
        ("dg_overdue", Some(d.overdue)),
        ("dg_escalated", Some(d.escalated)),
        ("dg_unknown_threat", Some(d.unknown_threat)),
    ]
    .into_iter()
    .map(|(k, v)| context! { label => tr(lang, k), value => v.map(|n| n.to_string()).unwrap_or_else(|| "—".into()) })
    .collect();
    context! {
        title => &d.day,
        from => local.show(d.from),
        to => local.show(d.to),
        figures => figures,
        uncovered => d.uncovered_open,
        by_threat => d.by_threat.iter().map(|(t, n)| context! { label => t.label(lang), n => n }).collect::<Vec<_>>(),
        by_state => d.by_state.iter().map(|(s, n)| context! { label => tr(lang, i18n::state_key(*s)), n => n }).collect::<Vec<_>>(),
        overdue_refs => &d.overdue_refs,
    }
}

/// `GET /digest` (coordinators): the last week's daily digests.
pub async fn digest(cx: Ctx, QueryData(q): QueryData<NoticeQuery>) -> Response {
    let r = async {
        cx.require(Permission::Coordinate)?;
        let digests = cx.st.app.digests(&cx.caller(), 7).await?;
        let items: Vec<_> = digests
            .iter()
            .map(|v| match serde_json::from_value::<Digest>(v.clone()) {
                Ok(d) => digest_view(cx.lang, &cx.local(), &d),
                // A digest written by another version of Kinga: show whatever it holds.
                Err(_) => {
                    let mut lines = vec![];
                    digest_lines("", v, &mut lines);
                    context! { title => v.get("day").and_then(|d| d.as_str()), lines => lines }
                }
            })
            .collect();
        // The day `issue_digest` below issues: the deployment's yesterday, not UTC's.
        let yesterday = (cx.st.app.local_today() - Duration::days(1)).to_string();
        cx.render("digest.html", "digest", context! { items => items, yesterday => yesterday, notice => notice(cx.lang, q.notice.as_deref()) })
    }
    .await;
    cx.finish(r)
}

/// `POST /digest`: issue yesterday's digest now (it is issued once a day; again is a no-op).
pub async fn issue_digest(cx: Ctx, FormData(f): FormData<CsrfForm>) -> Response {
    let r = async {
        cx.check_csrf(&f.csrf)?;
        cx.require(Permission::Coordinate)?;
        let yesterday = cx.st.app.local_today() - Duration::days(1);
        cx.st.app.issue_digest(&cx.caller(), yesterday).await?;
        Ok(see_other("/digest?notice=notice_digest_issued"))
    }
    .await;
    cx.finish(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_become_readable_lines() {
        let d = serde_json::json!({
            "day": "2026-03-01",
            "received": 12,
            "by_state": { "closed": 3, "received": 9 },
            "overdue": [{ "reference": "K-1", "severity": 4 }, { "reference": "K-2", "late_minutes": 30 }],
            "places": ["Minova", "Bweremana"]
        });
        let mut lines = vec![];
        digest_lines("", &d, &mut lines);
        let find = |l: &str| lines.iter().find(|x| x.label == l);
        assert_eq!(
            find("received").and_then(|x| x.value.clone()),
            Some("12".into())
        );
        assert_eq!(
            find("by state › closed").and_then(|x| x.value.clone()),
            Some("3".into())
        );
        assert_eq!(
            find("places").and_then(|x| x.value.clone()),
            Some("Minova, Bweremana".into())
        );
        let overdue = find("overdue").map(|x| (x.columns.clone(), x.rows.clone()));
        assert_eq!(
            overdue,
            Some((
                vec!["reference".into(), "severity".into(), "late minutes".into()],
                vec![
                    vec!["K-1".into(), "4".into(), String::new()],
                    vec!["K-2".into(), String::new(), "30".into()]
                ]
            ))
        );
    }
}
