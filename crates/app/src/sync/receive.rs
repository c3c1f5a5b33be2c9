//! Taking in a batch from a paired instance: the package is checked (signed by that instance,
//! for this one, every chain link and hash), events already held are skipped, and the rest are
//! appended to their origins' chains with the rows they change, in one transaction. Alerts are
//! folded in canonical order (`Alert::merge`), so every instance that holds the same events
//! shows the same alert whatever the order they arrived in.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};

use kinga_domain::Alert;
use kinga_domain::AlertEvent;
use kinga_domain::conflict::{Version, VersionedKind};
use kinga_domain::peer::Peer;
use kinga_handover::{Item, PackageReader, PublicKey, ReaderOptions};
use kinga_ledger::{Event, Payload};
use kinga_store::{StoreError, Write};

use super::conflicts::{meet, version_of};
use crate::handover::Identity;
use crate::handover::export::files_of;
use crate::{App, AppError, AppResult};

/// Attempts when rows change under a batch being applied.
const ATTEMPTS: usize = 5;

/// What a batch brought.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Received {
    /// Events appended.
    pub appended: u64,
    /// Of them, withheld stubs.
    pub withheld: u64,
    /// Events already held (a batch sent again), skipped.
    pub already_held: u64,
    /// The receiver's cursors afterwards.
    pub heads: BTreeMap<String, u64>,
}

/// The key of a record in a batch's memory of versions held.
fn batch_key(kind: VersionedKind, id: &str) -> String {
    format!("{kind}:{id}")
}

fn refuse(why: impl std::fmt::Display) -> AppError {
    AppError::Invalid(format!("sync batch refused, nothing taken in: {why}"))
}

/// What a batch holds: its events in package order, stubs included, and the files they name
/// (digest and bytes, each checked against its digest by the reader).
type Contents = (Vec<Event>, Vec<(String, Vec<u8>)>);

/// The events and files of a package signed by `from` for `me`.
fn read(bytes: &[u8], from: PublicKey, me: PublicKey) -> AppResult<Contents> {
    let opts = ReaderOptions {
        expected_sender: Some(from),
        recipient: Some(me),
        ..ReaderOptions::default()
    };
    let mut reader = PackageReader::new(bytes, opts);
    let mut events = Vec::new();
    let mut files = Vec::new();
    loop {
        match reader.next_item().map_err(refuse)? {
            None => return Err(refuse("the batch ends before its signature")),
            Some(Item::Event(e)) => events.push(e),
            Some(Item::Withheld(w)) => events.push(Event::withheld(
                &w.origin,
                w.seq,
                &w.id,
                &w.prev_hash,
                &w.hash,
            )),
            Some(Item::End(_)) => {
                let named: HashSet<String> = events
                    .iter()
                    .filter(|e| !e.is_withheld())
                    .flat_map(|e| files_of(e).into_iter().map(|(d, _)| d))
                    .collect();
                if let Some((d, _)) = files.iter().find(|(d, _)| !named.contains(d)) {
                    return Err(refuse(format!(
                        "the batch carries file {d}, which none of its events names"
                    )));
                }
                return Ok((events, files));
            }
            Some(Item::Attachment(a)) => files.push((a.digest, a.data)),
            Some(Item::Header(_) | Item::Key(_) | Item::Manifest(_)) => {}
        }
    }
}

impl App {
    /// Take in a batch `peer` sent (push) or answered (pull).
    pub async fn sync_receive(
        &self,
        me: &Identity,
        peer: &Peer,
        bytes: &[u8],
    ) -> AppResult<Received> {
        let from: PublicKey = peer
            .key
            .parse()
            .map_err(|e| AppError::Invalid(format!("peer {}: {e}", peer.name)))?;
        let (events, files) = {
            let bytes = bytes.to_vec();
            let me = me.key.public();
            tokio::task::spawn_blocking(move || read(&bytes, from, me))
                .await
                .map_err(|e| refuse(format!("the reader stopped: {e}")))??
        };
        // Files first: an event must never name a file this instance lacks, while a file kept
        // by a batch that then fails is harmless (nothing names it; the batch comes again).
        for (digest, data) in &files {
            self.keep_stored(digest, data).map_err(refuse)?;
        }
        let own = self.store.instance_id().await?;
        let mut last_err = None;
        for _ in 0..ATTEMPTS {
            match self.take_in(&own, &events).await {
                Err(AppError::Store(StoreError::Conflict(what))) => {
                    // A row changed meanwhile (a local edit, another sync): decide again.
                    last_err = Some(what);
                }
                other => return other,
            }
        }
        Err(AppError::Store(StoreError::Conflict(
            last_err.unwrap_or_else(|| "the batch".into()),
        )))
    }

    async fn take_in(&self, own: &str, events: &[Event]) -> AppResult<Received> {
        let heads = self.store.chain_heads().await?;
        let mut next: HashMap<&str, u64> = heads
            .iter()
            .map(|(o, (seq, _))| (o.as_str(), seq + 1))
            .collect();
        let mut fresh: Vec<Event> = Vec::new();
        let mut held = 0u64;
        for e in events {
            if e.origin == own {
                // This instance's own events, relayed back: it holds them already.
                held += 1;
                continue;
            }
            let want = next.get(e.origin.as_str()).copied().unwrap_or(1);
            if e.seq < want {
                if e.seq + 1 == want && heads.get(&e.origin).is_some_and(|(_, h)| *h != e.hash) {
                    return Err(refuse(format!(
                        "event {} of {} differs from the one held here: the two chains have forked",
                        e.seq, e.origin
                    )));
                }
                held += 1;
                continue;
            }
            if e.seq > want {
                return Err(refuse(format!(
                    "events {want} to {} of {} are missing before it: sync again from the cursors",
                    e.seq - 1,
                    e.origin
                )));
            }
            next.insert(e.origin.as_str(), e.seq + 1);
            fresh.push(e.clone());
        }
        if fresh.is_empty() {
            return Ok(Received {
                already_held: held,
                heads: self.sync_heads().await?.heads,
                ..Received::default()
            });
        }
        let writes = self.project(&fresh).await?;
        let withheld = fresh.iter().filter(|e| e.is_withheld()).count() as u64;
        let appended = fresh.len() as u64;
        self.store.append_foreign(fresh, writes).await?;
        if let Err(e) = self.refresh_caches().await {
            tracing::warn!(error = %e, "caches not refreshed after a sync batch");
        }
        Ok(Received {
            appended,
            withheld,
            already_held: held,
            heads: self.sync_heads().await?.heads,
        })
    }

    /// The version held of a record, from the batch's earlier saves or else the store.
    async fn held(
        &self,
        batch: &HashMap<String, Option<Version>>,
        kind: VersionedKind,
        id: &str,
    ) -> AppResult<Option<Version>> {
        if let Some(v) = batch.get(&batch_key(kind, id)) {
            return Ok(v.clone());
        }
        Ok(match kind {
            VersionedKind::Incident => self
                .store
                .incident(id)
                .await?
                .map(|i| version_of(i.version, &i)),
            VersionedKind::CapacityPlan => self
                .store
                .capacity_plan(id)
                .await?
                .map(|p| version_of(p.version, &p)),
            VersionedKind::WithdrawalPlan => self
                .store
                .withdrawal_plan(id)
                .await?
                .map(|p| version_of(p.version, &p)),
            VersionedKind::TransitionRecord => self
                .store
                .transition_record(id)
                .await?
                .map(|r| version_of(r.stamp().version, &r)),
        })
    }

    /// Fold a received save of a versioned record: whether it goes in force (and the version
    /// its write expects), with the conflict kept when it met a concurrent version.
    async fn save_versioned<T: serde::Serialize>(
        &self,
        batch: &mut HashMap<String, Option<Version>>,
        writes: &mut Vec<Write>,
        (kind, id, version): (VersionedKind, &str, u64),
        record: &T,
        (e, at): (&Event, DateTime<Utc>),
    ) -> AppResult<Option<Option<u64>>> {
        let held = self.held(batch, kind, id).await?;
        let received = version_of(version, record);
        let met = meet(kind, id, held.as_ref(), &received, e, at);
        if let Some(c) = met.conflict {
            writes.push(Write::RecordConflict(Box::new(c)));
        }
        if !met.take {
            return Ok(None);
        }
        batch.insert(batch_key(kind, id), Some(received));
        Ok(Some(held.map(|h| h.version)))
    }

    /// The version a removal expects, if the record is held; the batch remembers it gone.
    async fn remove_versioned(
        &self,
        batch: &mut HashMap<String, Option<Version>>,
        kind: VersionedKind,
        id: &str,
    ) -> AppResult<Option<u64>> {
        let held = self.held(batch, kind, id).await?;
        batch.insert(batch_key(kind, id), None);
        Ok(held.map(|h| h.version))
    }

    async fn project(&self, events: &[Event]) -> AppResult<Vec<Write>> {
        // Alerts: held ones and their versions, new ones from their intake.
        let mut alerts: BTreeMap<String, (Alert, Option<u64>)> = BTreeMap::new();
        // The versions held of versioned records as the batch's saves change them (`None`:
        // removed by the batch).
        let mut batch: HashMap<String, Option<Version>> = HashMap::new();
        let mut writes = Vec::new();
        for e in events.iter().filter(|e| !e.is_withheld()) {
            let payload = e
                .decode()
                .map_err(|err| refuse(format!("event {}: {err}", e.id)))?;
            let at = e
                .time()
                .ok_or_else(|| refuse(format!("event {} has a bad time {}", e.id, e.at)))?;
            match payload {
                Payload::Alert { alert, event } => {
                    if !alerts.contains_key(&alert) {
                        if let Some(a) = self.store.alert(&alert).await? {
                            let v = a.version;
                            alerts.insert(alert.clone(), (a, Some(v)));
                        }
                    }
                    match (alerts.get_mut(&alert), event) {
                        (None, AlertEvent::Received(new)) => {
                            alerts.insert(alert, (Alert::received(*new, &e.actor), None));
                        }
                        (None, _) => {
                            return Err(refuse(format!(
                                "event {} changes alert {alert}, which this instance never received",
                                e.id
                            )));
                        }
                        (Some(_), AlertEvent::Received(_)) => {
                            return Err(refuse(format!("alert {alert} is received twice")));
                        }
                        (Some((a, _)), other) => a.merge(other, &e.actor, at),
                    }
                }
                Payload::PlaceSaved { place } => writes.push(Write::Place(place)),
                Payload::ActorSaved { actor } => writes.push(Write::Actor(actor)),
                Payload::ResponderSaved { responder } => writes.push(Write::Responder(responder)),
                Payload::FocalPointSaved { focal_point } => {
                    writes.push(Write::FocalPoint(focal_point))
                }
                Payload::ServiceProviderSaved { provider } => {
                    writes.push(Write::ServiceProvider(provider))
                }
                Payload::ReferralSaved { referral } => writes.push(Write::Referral(referral)),
                Payload::InterviewLogged { interview } => writes.push(Write::Interview(interview)),
                Payload::DigestIssued { digest } => {
                    let day = digest
                        .get("day")
                        .and_then(serde_json::Value::as_str)
                        .unwrap_or_default()
                        .to_string();
                    writes.push(Write::Digest { day, digest });
                }
                Payload::IncidentSaved { incident } => {
                    let what = (
                        VersionedKind::Incident,
                        incident.id.as_str(),
                        incident.version,
                    );
                    let met = self
                        .save_versioned(&mut batch, &mut writes, what, &incident, (e, at))
                        .await?;
                    if let Some(expected) = met {
                        writes.push(Write::Incident {
                            incident: Box::new(incident),
                            expected_version: expected,
                        });
                    }
                }
                Payload::CapacityPlanSaved { plan } => {
                    let what = (VersionedKind::CapacityPlan, plan.id.as_str(), plan.version);
                    let met = self
                        .save_versioned(&mut batch, &mut writes, what, &plan, (e, at))
                        .await?;
                    if let Some(expected) = met {
                        writes.push(Write::CapacityPlan {
                            plan: Box::new(plan),
                            expected_version: expected,
                        });
                    }
                }
                Payload::CapacityPlanRemoved { plan } => {
                    let expected = self
                        .remove_versioned(&mut batch, VersionedKind::CapacityPlan, &plan)
                        .await?;
                    if let Some(v) = expected {
                        writes.push(Write::RemoveCapacityPlan {
                            id: plan,
                            expected_version: v,
                        });
                    }
                }
                Payload::WithdrawalPlanSaved { plan } => {
                    let what = (
                        VersionedKind::WithdrawalPlan,
                        plan.id.as_str(),
                        plan.version,
                    );
                    let met = self
                        .save_versioned(&mut batch, &mut writes, what, &plan, (e, at))
                        .await?;
                    if let Some(expected) = met {
                        writes.push(Write::WithdrawalPlan {
                            plan: Box::new(plan),
                            expected_version: expected,
                        });
                    }
                }
                Payload::HandoverReversalSaved { reversal } => {
                    writes.push(Write::HandoverReversal(reversal))
                }
                Payload::BroadcastSent { broadcast } => writes.push(Write::Broadcast(broadcast)),
                Payload::TransitionRecordSaved { record } => {
                    let id = record.id().to_string();
                    let what = (
                        VersionedKind::TransitionRecord,
                        id.as_str(),
                        record.stamp().version,
                    );
                    let met = self
                        .save_versioned(&mut batch, &mut writes, what, &record, (e, at))
                        .await?;
                    if let Some(expected) = met {
                        writes.push(Write::TransitionRecord {
                            record: Box::new(record),
                            expected_version: expected,
                        });
                    }
                }
                Payload::TransitionRecordRemoved { id } => {
                    let expected = self
                        .remove_versioned(&mut batch, VersionedKind::TransitionRecord, &id)
                        .await?;
                    if let Some(v) = expected {
                        writes.push(Write::RemoveTransitionRecord {
                            id,
                            expected_version: v,
                        });
                    }
                }
                other @ (Payload::UserSaved { .. }
                | Payload::TokenSaved { .. }
                | Payload::MessageQueued { .. }
                | Payload::MessageStatus { .. }
                | Payload::Audited { .. }
                | Payload::GrantSaved { .. }
                | Payload::GrantRevoked { .. }
                | Payload::CompartmentKeySaved { .. }
                | Payload::PeerSaved { .. }
                | Payload::AgreementSaved { .. }
                | Payload::HrddpScreeningSaved { .. }
                | Payload::GbvimsImported { .. }
                | Payload::ContextEventSaved { .. }) => {
                    return Err(refuse(format!(
                        "event {} is a {} event, which never crosses between instances",
                        e.id,
                        other.kind()
                    )));
                }
            }
        }
        for (_, (alert, expected)) in alerts {
            writes.push(Write::Alert {
                alert: Box::new(alert),
                expected_version: expected,
            });
        }
        Ok(writes)
    }
}
