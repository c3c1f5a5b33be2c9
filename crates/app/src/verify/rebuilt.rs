//! The projections as the ledger says they should be: every event folded into the rows it
//! gives, as `kinga verify` compares them with the tables and a handover's import writes them.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::Value;

use kinga_domain::Alert;
use kinga_domain::compartment::CompartmentKey;
use kinga_domain::conflict::{Version, VersionedKind};
use kinga_domain::outbox::OutboxMessage;
use kinga_ledger::{Event, Payload};
use kinga_store::{Projection, Write};

use crate::sync::{meet, version_of};

/// The projections as the ledger says they should be: `kinga verify` compares them with the
/// tables, a handover's import writes them.
#[derive(Default)]
pub(crate) struct Rebuilt {
    /// Boxed: the map moves each entry at every growth, and an alert is 720 bytes (a
    /// million-event import spent a tenth of its fold copying them and faulting in the
    /// copies).
    alerts: HashMap<String, Box<Alert>>,
    /// Each alert's first origin, and whether another origin changed it since.
    origins: HashMap<String, (String, bool)>,
    outbox: HashMap<String, OutboxMessage>,
    docs: HashMap<Projection, HashMap<String, Value>>,
    /// The version in force of each versioned record, as sync folds concurrent saves.
    versions: HashMap<(Projection, String), Version>,
}

impl Rebuilt {
    fn put(&mut self, table: Projection, key: &str, v: Value) {
        self.docs
            .entry(table)
            .or_default()
            .insert(key.to_string(), v);
    }

    /// Fold a save of a versioned record as sync does (`sync::meet`): in force or kept as the
    /// other version of a conflict.
    fn put_versioned(
        &mut self,
        (table, kind): (Projection, VersionedKind),
        id: &str,
        received: Version,
        e: &Event,
        at: DateTime<Utc>,
    ) {
        let key = (table, id.to_string());
        let met = meet(kind, id, self.versions.get(&key), &received, e, at);
        if let Some(c) = met.conflict {
            let cid = c.id.clone();
            self.put(Projection::RecordConflicts, &cid, json_of(&c));
        }
        if met.take {
            self.put(table, id, received.doc.clone());
            self.versions.insert(key, received);
        }
    }

    fn remove(&mut self, table: Projection, id: &str) {
        if let Some(t) = self.docs.get_mut(&table) {
            t.remove(id);
        }
        self.versions.remove(&(table, id.to_string()));
    }

    /// Fold one event in; a description of what cannot be folded.
    pub(crate) fn fold(&mut self, e: &Event) -> Result<(), String> {
        if e.is_withheld() {
            // A stub received by sync: its content stayed with its origin.
            return Ok(());
        }
        let payload = e.decode().map_err(|err| err.to_string())?;
        let at = e
            .time()
            .ok_or_else(|| format!("event {} has a bad time {}", e.id, e.at))?;
        match payload {
            Payload::Alert { alert, event } => match event {
                kinga_domain::AlertEvent::Received(new) => {
                    self.origins
                        .insert(alert.clone(), (e.origin.clone(), false));
                    self.alerts
                        .insert(alert, Box::new(Alert::received(*new, &e.actor)));
                }
                other => match self.alerts.get_mut(&alert) {
                    Some(a) => {
                        // An alert changed on several instances is folded in canonical order,
                        // as sync folds it; one instance's alert in the order it was sealed.
                        let multi = match self.origins.get_mut(&alert) {
                            Some((first, multi)) => {
                                *multi = *multi || *first != e.origin;
                                *multi
                            }
                            None => true,
                        };
                        if multi {
                            a.merge(other, &e.actor, at)
                        } else {
                            a.apply(other, &e.actor, at)
                        }
                    }
                    None => {
                        return Err(format!(
                            "event {} changes alert {alert}, which was never received",
                            e.id
                        ));
                    }
                },
            },
            Payload::PlaceSaved { place } => {
                self.put(Projection::Places, &place.pcode, json_of(&place))
            }
            Payload::ActorSaved { actor } => {
                self.put(Projection::Actors, &actor.id, json_of(&actor))
            }
            Payload::ResponderSaved { responder } => {
                self.put(Projection::Responders, &responder.id, json_of(&responder))
            }
            Payload::FocalPointSaved { focal_point } => self.put(
                Projection::FocalPoints,
                &focal_point.id,
                json_of(&focal_point),
            ),
            Payload::UserSaved { user } => self.put(Projection::Users, &user.id, json_of(&user)),
            Payload::TokenSaved { token } => {
                self.put(Projection::Tokens, &token.id, json_of(&token))
            }
            Payload::MessageQueued { message } => {
                self.outbox.insert(message.id.clone(), message);
            }
            Payload::MessageStatus {
                message,
                status,
                error,
                delivery,
                body,
            } => match self.outbox.get_mut(&message) {
                Some(m) => {
                    m.status = status;
                    m.last_error = error;
                    if let Some(b) = body {
                        m.body = b;
                    }
                    if let Some(d) = delivery {
                        m.attempts = d.attempts;
                        m.next_attempt_at = d.next_attempt_at;
                        m.provider = d.provider;
                        m.provider_message_id = d.provider_message_id;
                        m.channel = d.channel;
                    }
                }
                None => {
                    return Err(format!(
                        "event {} updates message {message}, which was never queued",
                        e.id
                    ));
                }
            },
            Payload::DigestIssued { digest } => {
                let day = digest
                    .get("day")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                self.put(Projection::Digests, &day, digest);
            }
            Payload::Audited { entry } => {
                let id = entry.id.clone();
                self.put(Projection::Audit, &id, json_of(&entry));
            }
            Payload::IncidentSaved { incident } => self.put_versioned(
                (Projection::Incidents, VersionedKind::Incident),
                &incident.id,
                version_of(incident.version, &incident),
                e,
                at,
            ),
            Payload::GrantSaved { grant } => {
                self.put(Projection::Grants, &grant.key(), json_of(&grant))
            }
            Payload::GrantRevoked { user, compartment } => {
                let key = kinga_domain::compartment::grant_key(&user, compartment);
                if let Some(t) = self.docs.get_mut(&Projection::Grants) {
                    t.remove(&key);
                }
            }
            Payload::CompartmentKeySaved { key } => {
                self.put(Projection::CompartmentKeys, &key.key(), json_of(&key))
            }
            Payload::ServiceProviderSaved { provider } => self.put(
                Projection::ServiceProviders,
                &provider.id,
                json_of(&provider),
            ),
            Payload::ReferralSaved { referral } => {
                self.put(Projection::Referrals, &referral.id, json_of(&referral))
            }
            Payload::InterviewLogged { interview } => {
                self.put(Projection::Interviews, &interview.id, json_of(&interview))
            }
            Payload::CapacityPlanSaved { plan } => self.put_versioned(
                (Projection::CapacityPlans, VersionedKind::CapacityPlan),
                &plan.id,
                version_of(plan.version, &plan),
                e,
                at,
            ),
            Payload::CapacityPlanRemoved { plan } => self.remove(Projection::CapacityPlans, &plan),
            Payload::WithdrawalPlanSaved { plan } => self.put_versioned(
                (Projection::WithdrawalPlans, VersionedKind::WithdrawalPlan),
                &plan.id,
                version_of(plan.version, &plan),
                e,
                at,
            ),
            Payload::PeerSaved { peer } => self.put(Projection::Peers, &peer.name, json_of(&peer)),
            Payload::HandoverReversalSaved { reversal } => self.put(
                Projection::HandoverReversals,
                &reversal.plan,
                json_of(&reversal),
            ),
            Payload::BroadcastSent { broadcast } => {
                self.put(Projection::Broadcasts, &broadcast.id, json_of(&broadcast))
            }
            Payload::TransitionRecordSaved { record } => {
                let id = record.id().to_string();
                let received = version_of(record.stamp().version, &record);
                self.put_versioned(
                    (
                        Projection::TransitionRecords,
                        VersionedKind::TransitionRecord,
                    ),
                    &id,
                    received,
                    e,
                    at,
                )
            }
            Payload::TransitionRecordRemoved { id } => {
                self.remove(Projection::TransitionRecords, &id)
            }
            Payload::AgreementSaved { agreement } => {
                self.put(Projection::Agreements, &agreement.id, json_of(&agreement))
            }
            Payload::HrddpScreeningSaved { screening } => self.put(
                Projection::HrddpScreenings,
                &screening.id,
                json_of(&screening),
            ),
            Payload::GbvimsImported { import } => {
                self.put(Projection::GbvimsImports, &import.id, json_of(&import))
            }
            Payload::ContextEventSaved { event } => {
                self.put(Projection::ContextEvents, &event.id, json_of(&event))
            }
        }
        Ok(())
    }

    /// The expected rows of each table, keyed.
    pub(super) fn finish(mut self) -> Expected {
        let outbox = std::mem::take(&mut self.outbox);
        for (id, m) in outbox {
            self.put(Projection::Outbox, &id, json_of(&m));
        }
        Expected {
            docs: self.docs,
            alerts: self.alerts,
        }
    }
}

/// The rows the ledger gives, as `kinga verify` compares them with the tables. The alerts stay
/// as folded until each is compared: a million events' alerts made documents all at once took
/// gigabytes and a third of the verification's time (2026-12-02).
pub(super) struct Expected {
    docs: HashMap<Projection, HashMap<String, Value>>,
    alerts: HashMap<String, Box<Alert>>,
}

impl Expected {
    /// The document the ledger gives for `key` of `table`, taken out.
    pub(super) fn take(&mut self, table: Projection, key: &str) -> Option<Value> {
        if table == Projection::Alerts {
            return self.alerts.remove(key).map(|a| json_of(&a));
        }
        self.docs.get_mut(&table)?.remove(key)
    }

    /// The keys of `table` not taken, in order: rows the ledger has and the table does not.
    pub(super) fn rest(&mut self, table: Projection) -> Vec<String> {
        let mut keys: Vec<String> = if table == Projection::Alerts {
            self.alerts.drain().map(|(k, _)| k).collect()
        } else {
            self.docs
                .remove(&table)
                .map(|rows| rows.into_keys().collect())
                .unwrap_or_default()
        };
        keys.sort();
        keys
    }
}

impl Rebuilt {
    /// The rows of every table as writes that create them, for a database that has none.
    ///
    /// Table by table and, within a table, in key order: the same package gives the same
    /// writes in the same order, and each table's rows reach its primary key in order (an
    /// append at the end of the index instead of a random insertion per row).
    pub(crate) fn into_writes(mut self) -> Result<Vec<Write>, String> {
        let mut writes: Vec<Write> = Vec::new();
        // Boxed (as folded): the sort moves a key and a pointer per alert, not the alert.
        writes.extend(sorted(self.alerts.drain()).map(|(_, alert)| Write::Alert {
            alert,
            expected_version: None,
        }));
        writes.extend(sorted(self.outbox.drain()).map(|(_, m)| Write::Outbox(m)));
        let mut tables: Vec<_> = self.docs.into_iter().collect();
        tables.sort_unstable_by_key(|(table, _)| table.table());
        for (table, rows) in tables {
            for (key, doc) in sorted(rows.into_iter()) {
                writes.push(write_of(table, key, doc)?);
            }
        }
        Ok(writes)
    }

    /// The compartment keys the ledger holds (wrapped by the master key).
    pub(crate) fn compartment_keys(&self) -> Vec<CompartmentKey> {
        self.docs
            .get(&Projection::CompartmentKeys)
            .into_iter()
            .flat_map(|rows| rows.values())
            .filter_map(|v| serde_json::from_value(v.clone()).ok())
            .collect()
    }
}

/// Keyed rows in key order.
fn sorted<T>(rows: impl Iterator<Item = (String, T)>) -> impl Iterator<Item = (String, T)> {
    let mut rows: Vec<(String, T)> = rows.collect();
    rows.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    rows.into_iter()
}

/// The write that creates one rebuilt row.
fn write_of(table: Projection, key: String, doc: Value) -> Result<Write, String> {
    fn de<T: serde::de::DeserializeOwned>(
        table: Projection,
        key: &str,
        doc: Value,
    ) -> Result<T, String> {
        serde_json::from_value(doc)
            .map_err(|e| format!("{} row {key} cannot be rebuilt: {e}", table.table()))
    }
    Ok(match table {
        Projection::Places => Write::Place(de(table, &key, doc)?),
        Projection::Actors => Write::Actor(de(table, &key, doc)?),
        Projection::Responders => Write::Responder(de(table, &key, doc)?),
        Projection::FocalPoints => Write::FocalPoint(de(table, &key, doc)?),
        Projection::Users => Write::User(de(table, &key, doc)?),
        Projection::Tokens => Write::Token(de(table, &key, doc)?),
        Projection::Digests => Write::Digest {
            day: key,
            digest: doc,
        },
        Projection::Audit => Write::Audit(de(table, &key, doc)?),
        Projection::Incidents => Write::Incident {
            incident: Box::new(de(table, &key, doc)?),
            expected_version: None,
        },
        Projection::Grants => Write::Grant(de(table, &key, doc)?),
        Projection::CompartmentKeys => Write::CompartmentKey(de(table, &key, doc)?),
        Projection::Alerts => Write::Alert {
            alert: Box::new(de(table, &key, doc)?),
            expected_version: None,
        },
        Projection::Outbox => Write::Outbox(de(table, &key, doc)?),
        Projection::Peers => Write::Peer(de(table, &key, doc)?),
        Projection::HandoverReversals => Write::HandoverReversal(de(table, &key, doc)?),
        Projection::Broadcasts => Write::Broadcast(de(table, &key, doc)?),
        Projection::TransitionRecords => Write::TransitionRecord {
            record: Box::new(de(table, &key, doc)?),
            expected_version: None,
        },
        Projection::Agreements => Write::Agreement(de(table, &key, doc)?),
        Projection::RecordConflicts => Write::RecordConflict(Box::new(de(table, &key, doc)?)),
        Projection::HrddpScreenings => Write::HrddpScreening(Box::new(de(table, &key, doc)?)),
        Projection::GbvimsImports => Write::GbvimsImport(Box::new(de(table, &key, doc)?)),
        Projection::ContextEvents => Write::ContextEvent(Box::new(de(table, &key, doc)?)),
        Projection::ServiceProviders => Write::ServiceProvider(de(table, &key, doc)?),
        Projection::Referrals => Write::Referral(de(table, &key, doc)?),
        Projection::Interviews => Write::Interview(de(table, &key, doc)?),
        Projection::CapacityPlans => Write::CapacityPlan {
            plan: Box::new(de(table, &key, doc)?),
            expected_version: None,
        },
        Projection::WithdrawalPlans => Write::WithdrawalPlan {
            plan: Box::new(de(table, &key, doc)?),
            expected_version: None,
        },
    })
}

fn json_of<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}
