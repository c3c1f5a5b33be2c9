//! The decision, event by event, of what crosses under an agreement. An event crosses whole
//! or not at all (its hash covers its payload): one that may not cross becomes a withheld stub
//! in a package, so the recipient can still check every chain's completeness.
//!
//! What hangs on a record follows it: once an alert or an incident stays home, every later
//! event of that alert, and every referral and interview of that incident, stays home too.

use std::collections::{HashMap, HashSet};

use kinga_domain::agreement::{Agreement, Crossing, Level, RecordType};
use kinga_domain::compartment::Compartment;
use kinga_ledger::{Event, Payload};

/// Walks a ledger in order and says of each event whether it may cross.
#[derive(Debug)]
pub struct SharingFilter {
    agreement: Agreement,
    /// Alerts that stay home.
    alerts_home: HashSet<String>,
    /// Each incident seen: its compartment, and whether it stays home.
    incidents: HashMap<String, (Compartment, bool)>,
    shared: u64,
    withheld: u64,
}

impl SharingFilter {
    /// A filter applying `agreement`.
    pub fn new(agreement: Agreement) -> Self {
        Self {
            agreement,
            alerts_home: HashSet::new(),
            incidents: HashMap::new(),
            shared: 0,
            withheld: 0,
        }
    }

    /// The agreement applied.
    pub fn agreement(&self) -> &Agreement {
        &self.agreement
    }

    /// Events let through and withheld so far.
    pub fn counts(&self) -> (u64, u64) {
        (self.shared, self.withheld)
    }

    /// Whether compartment keys of `c` may travel with what is shared.
    pub fn shares_compartment(&self, c: Compartment) -> bool {
        self.agreement.level == Level::Records && self.agreement.compartments.contains(&c)
    }

    /// Tell the filter about an alert whose intake is not in the stream it walks (a sync batch
    /// starting mid-ledger): `intake` is the payload of its `received` event.
    pub fn seed_alert(&mut self, alert: &str, intake: &serde_json::Value) {
        if self.agreement.decide(RecordType::Alert, None, intake) != Crossing::Share {
            self.alerts_home.insert(alert.to_string());
        }
    }

    /// Tell the filter about an incident saved before the stream it walks: its compartment
    /// and its record as it now is.
    pub fn seed_incident(&mut self, incident: &str, c: Compartment, record: &serde_json::Value) {
        let home = self.agreement.decide(RecordType::Incident, Some(c), record) != Crossing::Share;
        self.incidents.insert(incident.to_string(), (c, home));
    }

    /// Whether `e` may cross. Events must come in ledger order (a record's creation before
    /// its changes). An event whose payload cannot be read stays home.
    pub fn decide(&mut self, e: &Event) -> Crossing {
        let d = self.decide_inner(e);
        match d {
            Crossing::Share => self.shared += 1,
            Crossing::Withhold(_) => self.withheld += 1,
        }
        d
    }

    fn decide_inner(&mut self, e: &Event) -> Crossing {
        let Ok(payload) = e.decode() else {
            return Crossing::Withhold("its payload cannot be read".into());
        };
        let record = || serde_json::from_str(&e.payload).unwrap_or(serde_json::Value::Null);
        let home = |why: &str| Crossing::Withhold(why.to_string());
        let a = &self.agreement;
        match &payload {
            Payload::Alert { alert, .. } => {
                if self.alerts_home.contains(alert) {
                    return home("its alert stays home");
                }
                let d = a.decide(RecordType::Alert, None, &record());
                let is_creation = matches!(
                    payload,
                    Payload::Alert {
                        event: kinga_domain::AlertEvent::Received(_),
                        ..
                    }
                );
                if is_creation && d != Crossing::Share {
                    self.alerts_home.insert(alert.clone());
                }
                d
            }
            Payload::IncidentSaved { incident } => {
                let d = a.decide(RecordType::Incident, Some(incident.compartment), &record());
                let known_home = self.incidents.get(&incident.id).is_some_and(|(_, h)| *h);
                self.incidents.insert(
                    incident.id.clone(),
                    (incident.compartment, known_home || d != Crossing::Share),
                );
                if known_home {
                    return home("its incident stays home");
                }
                d
            }
            Payload::ReferralSaved { referral } => {
                self.hanging(RecordType::Referral, &referral.incident, &record())
            }
            Payload::InterviewLogged { interview } => {
                self.hanging(RecordType::Interview, &interview.incident, &record())
            }
            Payload::PlaceSaved { .. } => a.decide(RecordType::Place, None, &record()),
            Payload::ActorSaved { .. } => a.decide(RecordType::Actor, None, &record()),
            Payload::ResponderSaved { .. } => a.decide(RecordType::Responder, None, &record()),
            Payload::FocalPointSaved { .. } => a.decide(RecordType::FocalPoint, None, &record()),
            Payload::ServiceProviderSaved { .. } => {
                a.decide(RecordType::ServiceProvider, None, &record())
            }
            Payload::CapacityPlanSaved { .. } | Payload::CapacityPlanRemoved { .. } => {
                a.decide(RecordType::CapacityPlan, None, &record())
            }
            Payload::WithdrawalPlanSaved { .. } => {
                a.decide(RecordType::WithdrawalPlan, None, &record())
            }
            Payload::HandoverReversalSaved { .. } => {
                a.decide(RecordType::CapacityPlan, None, &record())
            }
            Payload::DigestIssued { .. } => a.decide(RecordType::Digest, None, &record()),
            Payload::BroadcastSent { .. }
            | Payload::TransitionRecordSaved { .. }
            | Payload::TransitionRecordRemoved { .. } => {
                a.decide(RecordType::TransitionRecord, None, &record())
            }
            Payload::UserSaved { .. }
            | Payload::TokenSaved { .. }
            | Payload::MessageQueued { .. }
            | Payload::MessageStatus { .. }
            | Payload::Audited { .. }
            | Payload::GrantSaved { .. }
            | Payload::GrantRevoked { .. }
            | Payload::CompartmentKeySaved { .. }
            | Payload::PeerSaved { .. }
            | Payload::AgreementSaved { .. }
            // A screening's record names incidents of every compartment its author saw.
            | Payload::HrddpScreeningSaved { .. }
            // Providers shared their tables with this instance, not with its partners.
            | Payload::GbvimsImported { .. } => Crossing::Withhold(format!(
                "{} events are this instance's own business and never cross",
                payload.kind()
            )),
            // Each instance imports public data sets from their source under their own
            // terms (ACLED's forbid passing the data on), so they never travel by sync.
            Payload::ContextEventSaved { .. } => Crossing::Withhold(
                "context events are imported from their data set by each instance, never passed on"
                    .into(),
            ),
        }
    }

    /// A referral or interview: it follows its incident.
    fn hanging(&self, kind: RecordType, incident: &str, record: &serde_json::Value) -> Crossing {
        match self.incidents.get(incident) {
            None => Crossing::Withhold(format!("its incident {incident} is not known here")),
            Some((_, true)) => Crossing::Withhold("its incident stays home".into()),
            Some((c, false)) => self.agreement.decide(kind, Some(*c), record),
        }
    }
}
