//! Remembered answers to retried requests. A gateway or API client that got no answer sends
//! the same request again (the same `Idempotency-Key`, the same provider message id) and gets
//! the first answer back. After `[http] retry_answer_days` the stored copy of the alert is
//! thinned to its id, and a retry is answered from the alert as it is now: retries come
//! within minutes, a copy of every alert kept for ever would double the database, and the
//! key stays, so even a very late retry never makes a second alert.

use chrono::Duration;
use serde_json::{Value, json};

use kinga_domain::Alert;
use kinga_store::{IdempotentAnswer, StoreError};

use crate::{App, AppError, AppResult};

/// Remembered answers thinned per store call.
const THIN_BATCH: usize = 500;

impl App {
    /// The alert a stored answer holds and the answer's status, when the retry repeats the
    /// request that was answered (the same key with another request is refused). A thinned
    /// answer gives the alert as it is now.
    pub(crate) async fn answered_alert(
        &self,
        fingerprint: &str,
        ans: IdempotentAnswer,
    ) -> AppResult<(Alert, u16)> {
        if ans.fingerprint != fingerprint {
            return Err(AppError::KeyReused(ans.key));
        }
        let corrupt = |what: String| AppError::Store(StoreError::Corrupt(what));
        if let Some(id) = thinned_id(&ans.body) {
            let alert = self
                .store
                .alert(id)
                .await?
                .ok_or_else(|| corrupt(format!("the alert {id} of key {} is gone", ans.key)))?;
            return Ok((alert, ans.status));
        }
        let alert = serde_json::from_value(ans.body)
            .map_err(|e| corrupt(format!("idempotent answer: {e}")))?;
        Ok((alert, ans.status))
    }

    /// Thin every remembered answer older than `[http] retry_answer_days` (none when 0);
    /// returns how many were thinned.
    pub async fn thin_retry_answers(&self) -> AppResult<usize> {
        let days = self.settings.http.retry_answer_days;
        if days == 0 {
            return Ok(0);
        }
        let before = self.now() - Duration::days(i64::from(days));
        let mut thinned = 0;
        loop {
            let old = self.store.idempotent_to_thin(before, THIN_BATCH).await?;
            let n = old.len();
            let bodies = old.into_iter().map(|a| (a.key, thin(a.body))).collect();
            self.store.thin_idempotent(bodies).await?;
            thinned += n;
            if n < THIN_BATCH {
                return Ok(thinned);
            }
            // Between batches, intake goes first.
            tokio::task::yield_now().await;
        }
    }
}

/// A remembered alert thinned to its id; other answers (an incident's id, a spike's marker)
/// are small already and kept as they are.
fn thin(body: Value) -> Value {
    match body.get("id").and_then(Value::as_str) {
        Some(id) if body.get("reference").is_some() => json!({ "id": id }),
        _ => body,
    }
}

/// The alert id of a thinned answer.
fn thinned_id(body: &Value) -> Option<&str> {
    match body.as_object() {
        Some(o) if o.len() == 1 => o.get("id").and_then(Value::as_str),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_alert_is_thinned_to_its_id_and_read_back_as_thinned() {
        let alert = json!({"id": "01AL", "reference": "K-7", "timeline": [{"kind": "received"}]});
        let thin_alert = thin(alert.clone());
        assert_eq!(thin_alert, json!({"id": "01AL"}));
        assert_eq!(thinned_id(&thin_alert), Some("01AL"));
        assert_eq!(thinned_id(&alert), None, "a whole alert is not thinned");
        assert_eq!(
            thin(thin_alert.clone()),
            thin_alert,
            "thinning twice changes nothing"
        );
    }

    #[test]
    fn other_answers_are_kept_whole() {
        let incident = json!({"incident": "01IN"});
        assert_eq!(thin(incident.clone()), incident);
        assert_eq!(thinned_id(&incident), None);
        let marker = json!({"area": "CD61", "day": "2026-11-01"});
        assert_eq!(thin(marker.clone()), marker);
    }
}
