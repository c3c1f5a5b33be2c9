//! Incidents sent from the field by ODK Collect or KoboCollect (OpenRosa): the device signs in
//! with a user's name and password, under the same attempt limits as the login form, and each
//! submitted instance becomes one incident, once, however often the device sends it again.

use kinga_domain::incident::IncidentDraft;
use kinga_domain::people::{Permission, User};
use kinga_ledger::Payload;
use kinga_store::{Commit, IdempotentAnswer, StoreError, Write};

use crate::{App, AppError, AppResult, Caller, limits};

/// A file sent with a submission (the photo a monitor took).
#[derive(Debug, Clone)]
pub struct FormFile {
    /// The part's file name, as the instance names it.
    pub name: String,
    /// Its declared content type.
    pub content_type: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// What became of a submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormIntake {
    /// The incident it recorded (the first time it was sent).
    pub incident: String,
    /// True when the instance had been received before and nothing new was recorded.
    pub replayed: bool,
}

/// The idempotency key of an instance: its `instanceID`, namespaced.
fn instance_key(instance_id: &str) -> String {
    format!("openrosa:{instance_id}")
}

fn replay(ans: &IdempotentAnswer) -> AppResult<FormIntake> {
    let incident = ans
        .body
        .get("incident")
        .and_then(|v| v.as_str())
        .ok_or_else(|| StoreError::Corrupt(format!("idempotent answer {}", ans.key)))?;
    Ok(FormIntake {
        incident: incident.to_string(),
        replayed: true,
    })
}

impl App {
    /// Sign a field device in with a user's name and password (HTTP Basic): counted against
    /// the login form's attempt limits; only users who record incidents may use a form.
    pub async fn device_sign_in(
        &self,
        name: &str,
        password: &str,
        address: &str,
    ) -> AppResult<User> {
        let name = name.trim();
        let attempt = self.limiter.begin(name, address).map_err(|wait| {
            AppError::Unauthorized(format!(
                "too many failed sign-ins: try again in {wait} seconds"
            ))
        })?;
        let user = self.authenticate(name, password).await?;
        self.limiter.succeeded(attempt);
        Caller::user(&user).require(Permission::RecordIncidents)?;
        Ok(user)
    }

    /// Record the incident of a submitted form instance with its files; a second submission of
    /// the same `instance_id` records nothing and answers the first incident's id.
    pub async fn submit_form_instance(
        &self,
        caller: &Caller,
        instance_id: &str,
        draft: IncidentDraft,
        files: Vec<FormFile>,
    ) -> AppResult<FormIntake> {
        caller.require(Permission::RecordIncidents)?;
        limits::check("instanceID", instance_id, limits::ID)?;
        let key = instance_key(instance_id);
        if let Some(ans) = self.store.idempotent(&key).await? {
            return replay(&ans);
        }
        let mut media = Vec::with_capacity(files.len());
        for f in &files {
            // Photos from the field identify people as surely as names: sealed at rest.
            media.push(self.store_media(&f.bytes, &f.content_type, "openrosa", true)?);
        }
        let (recorded, _) = self.prepare_incident(caller, draft, media).await?;
        let id = recorded.id.clone();
        let commit = Commit {
            events: vec![self.draft(
                &caller.name,
                Payload::IncidentSaved {
                    incident: recorded.clone(),
                },
            )],
            writes: vec![
                Write::Incident {
                    incident: Box::new(recorded),
                    expected_version: None,
                },
                Write::Idempotency(IdempotentAnswer {
                    key: key.clone(),
                    fingerprint: String::new(),
                    status: 201,
                    body: serde_json::json!({ "incident": id }),
                    created_at: self.now(),
                }),
            ],
        };
        match self.commit(commit).await {
            Ok(_) => Ok(FormIntake {
                incident: id,
                replayed: false,
            }),
            // The same instance sent twice at once: the other request recorded it.
            Err(StoreError::Duplicate(_)) => match self.store.idempotent(&key).await? {
                Some(ans) => replay(&ans),
                None => Err(AppError::Store(StoreError::Duplicate(key))),
            },
            Err(e) => Err(e.into()),
        }
    }
}
