//! A sanitised alert derived from an incident for those who must act on the threat: place,
//! time and threat only, into the alert queue through the same intake as every channel; the
//! derivation is audited against the incident.

use kinga_domain::incident::sanitise::{sanitised_text, shown_date, threat_of};
use kinga_domain::people::Permission;
use kinga_domain::{Alert, Channel, ThreatType};

use crate::alerts::IntakeCommand;
use crate::{App, AppResult, Caller};

impl App {
    /// Derive a sanitised alert from incident `id` (one the caller may see; otherwise not
    /// found). The threat is the gravest the violations show unless `threat` is given.
    /// Deriving the same threat again answers the alert already derived.
    pub async fn derive_alert(
        &self,
        caller: &Caller,
        id: &str,
        threat: Option<ThreatType>,
    ) -> AppResult<Alert> {
        caller.require(Permission::ReadIncidents)?;
        let i = self.visible_incident(caller, id).await?;
        caller.require(Permission::CreateAlerts)?;
        let threat = threat.unwrap_or_else(|| threat_of(&i.violations));
        let gaz = self.gazetteer();
        let place_name = gaz
            .get(&i.place)
            .map(|p| p.name.clone())
            .unwrap_or_else(|| i.place.clone());
        let cmd = IntakeCommand {
            channel: Some(Channel::Web),
            text: sanitised_text(threat, &place_name, &shown_date(&i)),
            threat_type: Some(threat),
            place: Some(i.place.clone()).filter(|p| !p.is_empty()),
            idempotency_key: Some(format!("incident:{}:{}", i.id, threat.as_str())),
            ..Default::default()
        };
        let intake = self.intake(caller, cmd).await?;
        if !intake.replayed {
            self.audit(
                caller,
                "derive_alert",
                &format!("incident:{}", i.id),
                &format!("alert:{}", intake.alert.reference),
            )
            .await?;
        }
        Ok(intake.alert)
    }
}
