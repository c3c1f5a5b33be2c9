//! `/conflicts`: records saved on two instances while they were cut off. Both versions are
//! shown field by field, the one in force first, so a person can merge them by saving the
//! record again.

use axum::response::Response;
use minijinja::context;
use serde_json::Value;

use kinga_domain::conflict::{RecordConflict, VersionedKind};

use super::{Ctx, UiResult};

/// Longest value shown in a cell; the rest is cut with an ellipsis.
const CELL: usize = 240;

/// The page of conflicts the caller may read.
pub async fn page(cx: Ctx) -> Response {
    let r: UiResult = async {
        let found = cx.st.app.record_conflicts(&cx.caller()).await?;
        let local = cx.local();
        let rows: Vec<_> = found
            .iter()
            .map(|c| {
                context! {
                    id => &c.id,
                    kind => cx.t(kind_key(c.kind)),
                    kind_id => c.kind.as_str(),
                    record => &c.record,
                    link => link(c),
                    at => local.show(c.found_at),
                    iso => c.found_at.to_rfc3339(),
                    origin => &c.origin,
                    in_force => c.in_force.version,
                    other => c.other.version,
                    fields => fields(c),
                }
            })
            .collect();
        cx.render("conflicts.html", "conflicts", context! { rows => rows })
    }
    .await;
    cx.finish(r)
}

fn kind_key(k: VersionedKind) -> &'static str {
    match k {
        VersionedKind::Incident => "cf_kind_incident",
        VersionedKind::CapacityPlan => "cf_kind_capacity_plan",
        VersionedKind::WithdrawalPlan => "cf_kind_withdrawal_plan",
        VersionedKind::TransitionRecord => "cf_kind_transition_record",
    }
}

/// Where the record is edited, when it has a page of its own: a capacity plan's form (from
/// the place and capacity of the version in force; the overview when they are missing), the
/// withdrawal plans' part of the overview.
fn link(c: &RecordConflict) -> Option<String> {
    match c.kind {
        VersionedKind::Incident => Some(format!("/incidents/{}", super::urlencode(&c.record))),
        VersionedKind::CapacityPlan => {
            let part = |k: &str| c.in_force.doc.get(k).and_then(Value::as_str);
            Some(match (part("place"), part("capacity")) {
                (Some(place), Some(capacity)) => format!(
                    "/transition/plan?place={}&capacity={}",
                    super::urlencode(place),
                    super::urlencode(capacity)
                ),
                _ => "/transition".to_string(),
            })
        }
        VersionedKind::WithdrawalPlan => Some("/transition#withdrawals".to_string()),
        VersionedKind::TransitionRecord => None,
    }
}

/// The differing fields with both values as short text.
fn fields(c: &RecordConflict) -> Vec<minijinja::Value> {
    c.fields
        .iter()
        .map(|f| {
            context! {
                name => f,
                in_force => cell(c.in_force.doc.get(f)),
                other => cell(c.other.doc.get(f)),
            }
        })
        .collect()
}

/// One value as a person reads it: text as is, sealed text hidden (it opens only on the
/// record's own audited page), other values as compact JSON; cut to [`CELL`] characters.
fn cell(v: Option<&Value>) -> String {
    let text = match v.map(masked) {
        None | Some(Value::Null) => "—".to_string(),
        Some(Value::String(s)) => s,
        Some(other) => other.to_string(),
    };
    if text.chars().count() > CELL {
        let cut: String = text.chars().take(CELL).collect();
        format!("{cut}…")
    } else {
        text
    }
}

/// A sealed value (`v1.<base64>` with the instance key, `c1.<compartment>.<version>.<base64>`
/// with a compartment's): nothing of it is worth showing.
fn sealed(s: &str) -> bool {
    let b64 = |t: &str| {
        t.len() >= 32
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    if let Some(body) = s.strip_prefix("v1.") {
        return b64(body);
    }
    let mut parts = s.splitn(4, '.');
    matches!(
        (parts.next(), parts.next(), parts.next(), parts.next()),
        (Some("c1"), Some(_), Some(v), Some(body)) if v.bytes().all(|b| b.is_ascii_digit()) && b64(body)
    )
}

/// The value with every sealed text inside it replaced by a lock.
fn masked(v: &Value) -> Value {
    match v {
        Value::String(s) if sealed(s) => Value::String("🔒".into()),
        Value::Array(items) => Value::Array(items.iter().map(masked).collect()),
        Value::Object(m) => Value::Object(m.iter().map(|(k, x)| (k.clone(), masked(x))).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kinga_domain::conflict::Version;
    use serde_json::json;

    #[test]
    fn sealed_text_is_never_shown_and_long_values_are_cut() {
        let b64 = "A".repeat(40);
        assert_eq!(cell(Some(&json!(format!("c1.crsv.1.{b64}")))), "🔒");
        assert_eq!(
            cell(Some(&json!([{"name": format!("v1.{b64}"), "n": 2}]))),
            "[{\"n\":2,\"name\":\"🔒\"}]"
        );
        assert_eq!(cell(Some(&json!("v1.2 of the plan"))), "v1.2 of the plan");
        assert_eq!(cell(None), "—");
        assert_eq!(cell(Some(&json!({"a": 1}))), "{\"a\":1}");
        let long = "x".repeat(500);
        assert_eq!(cell(Some(&json!(long))).chars().count(), CELL + 1);
    }

    fn plan_conflict(doc: Value) -> RecordConflict {
        let v = |n| Version {
            version: n,
            doc: doc.clone(),
        };
        RecordConflict {
            id: "e1".into(),
            kind: VersionedKind::CapacityPlan,
            record: "CD61:early_warning".into(),
            compartment: None,
            found_at: chrono::Utc::now(),
            origin: "o".into(),
            in_force: v(2),
            other: v(2),
            fields: vec![],
        }
    }

    #[test]
    fn a_capacity_plan_links_to_its_own_form() {
        let c = plan_conflict(json!({"place": "CD61", "capacity": "early_warning"}));
        assert_eq!(
            link(&c).as_deref(),
            Some("/transition/plan?place=CD61&capacity=early_warning")
        );
        let c = plan_conflict(json!({"capacity": "early_warning"}));
        assert_eq!(link(&c).as_deref(), Some("/transition"));
    }
}
