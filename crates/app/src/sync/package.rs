//! The batch one instance sends another: the events after the other's cursors, filtered by the
//! agreement in force with it, as a partial handover package signed for its key.

use std::collections::HashSet;

use kinga_domain::AlertEvent;
use kinga_domain::agreement::Crossing;
use kinga_domain::peer::Peer;
use kinga_handover::{HeaderFields, PackageWriter, PublicKey, Scope};
use kinga_ledger::{Event, Payload};

use super::Cursors;
use crate::agreements::SharingFilter;
use crate::handover::Identity;
use crate::handover::export::{files_of, write_files};
use crate::{App, AppError, AppResult, Caller};

/// Bytes of files one batch carries at most, beside its events (one event's files always go,
/// whatever their size: a file is at most the attachment limit).
const FILE_BUDGET: u64 = 32 << 20;

/// A batch as written.
#[derive(Debug, Clone)]
pub struct Batch {
    /// The package's bytes.
    pub bytes: Vec<u8>,
    /// Events in it (shared and withheld).
    pub events: u64,
    /// Of them, withheld.
    pub withheld: u64,
}

impl App {
    /// The next batch for `peer`: events of every origin but `skip_origin` (the peer's own)
    /// after the peer's cursors `after`, at most `limit`, each shared or withheld as the
    /// agreement in force with the peer says. Refused when no agreement is in force with it.
    pub async fn sync_batch(
        &self,
        me: &Identity,
        peer: &Peer,
        after: &Cursors,
        skip_origin: &str,
        limit: usize,
    ) -> AppResult<Batch> {
        let key: PublicKey = peer
            .key
            .parse()
            .map_err(|e| AppError::Invalid(format!("peer {}: {e}", peer.name)))?;
        let agreement = self
            .agreement_for(&Caller::system(), &key, None)
            .await?
            .ok_or_else(|| {
                AppError::Forbidden(format!(
                    "no data-sharing agreement with {} is recorded here: nothing is sent to it \
                     (kinga agreement add {})",
                    peer.name, peer.name
                ))
            })?;
        let limit = limit.clamp(1, super::MAX_BATCH);
        let mut events: Vec<Event> = Vec::new();
        for (origin, (head, _)) in self.store.chain_heads().await? {
            let from = after.get(&origin).copied().unwrap_or(0);
            if origin == skip_origin || head <= from || events.len() >= limit {
                continue;
            }
            let page = self
                .store
                .origin_events(&origin, from, limit - events.len())
                .await?;
            events.extend(page);
        }
        let mut filter = SharingFilter::new(agreement);
        self.seed(&mut filter, &events).await?;
        let mut shared: Vec<bool> = events
            .iter()
            .map(|e| !e.is_withheld() && filter.decide(e) == Crossing::Share)
            .collect();
        // The files the shared events name travel after them. A batch stops before the event
        // whose files would take it past the budget (the next batch starts there), so a
        // batch stays well under the body size a receiver accepts.
        let media_dir = self.media_dir();
        let mut files = Vec::new();
        let mut room = FILE_BUDGET;
        let mut keep = events.len();
        for (k, (e, share)) in events.iter().zip(&shared).enumerate() {
            if !share {
                continue;
            }
            let named = files_of(e);
            let size: u64 = named
                .iter()
                .map(|(d, _)| {
                    std::fs::metadata(media_dir.join(&d[..2]).join(d)).map_or(0, |m| m.len())
                })
                .sum();
            if size > room && k > 0 {
                keep = k;
                break;
            }
            room = room.saturating_sub(size);
            files.extend(named);
        }
        events.truncate(keep);
        shared.truncate(keep);
        let fields = HeaderFields {
            sender_instance: me.instance.clone(),
            sender_name: me.name.clone(),
            recipient_name: peer.name.clone(),
            created_at: self.now(),
            scope: Scope::Partial,
        };
        let mut bytes = Vec::new();
        let entropy: [u8; 32] = rand::random();
        let mut w = PackageWriter::new(&mut bytes, &me.key, fields, &key, entropy)
            .map_err(|e| AppError::Invalid(format!("the batch cannot be written: {e}")))?;
        let (mut n, mut withheld) = (0u64, 0u64);
        for (e, share) in events.into_iter().zip(shared) {
            n += 1;
            let r = if share {
                w.event_owned(e)
            } else {
                withheld += 1;
                w.withheld_owned(e)
            };
            r.map_err(|e| AppError::Invalid(format!("the batch cannot be written: {e}")))?;
        }
        write_files(&mut w, &media_dir, files)?;
        w.finish(None)
            .map_err(|e| AppError::Invalid(format!("the batch cannot be written: {e}")))?;
        Ok(Batch {
            bytes,
            events: n,
            withheld,
        })
    }

    /// Tell the filter about the alerts and incidents the batch's events hang on but whose
    /// first event is not in the batch.
    async fn seed(&self, filter: &mut SharingFilter, events: &[Event]) -> AppResult<()> {
        let mut created: HashSet<String> = HashSet::new();
        let mut alerts: Vec<String> = Vec::new();
        let mut incidents: Vec<String> = Vec::new();
        for e in events.iter().filter(|e| !e.is_withheld()) {
            match e.decode() {
                Ok(Payload::Alert { alert, event }) => {
                    if matches!(event, AlertEvent::Received(_)) {
                        created.insert(alert);
                    } else if !created.contains(&alert) {
                        alerts.push(alert);
                    }
                }
                Ok(Payload::IncidentSaved { incident }) => {
                    created.insert(incident.id);
                }
                Ok(Payload::ReferralSaved { referral })
                    if !created.contains(&referral.incident) =>
                {
                    incidents.push(referral.incident)
                }
                Ok(Payload::InterviewLogged { interview })
                    if !created.contains(&interview.incident) =>
                {
                    incidents.push(interview.incident)
                }
                _ => {}
            }
        }
        alerts.sort();
        alerts.dedup();
        for id in alerts {
            let Some(a) = self.store.alert(&id).await? else {
                continue;
            };
            if let Some(first) = a.timeline.first() {
                let intake = Payload::Alert {
                    alert: id.clone(),
                    event: first.event.clone(),
                };
                let json = serde_json::to_value(&intake).unwrap_or(serde_json::Value::Null);
                filter.seed_alert(&id, &json);
            }
        }
        incidents.sort();
        incidents.dedup();
        for id in incidents {
            if let Some(i) = self.store.incident(&id).await? {
                let c = i.compartment;
                let json = serde_json::to_value(Payload::IncidentSaved { incident: i })
                    .unwrap_or(serde_json::Value::Null);
                filter.seed_incident(&id, c, &json);
            }
        }
        Ok(())
    }
}
