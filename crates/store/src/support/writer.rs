//! Group-commit batching: how many jobs one transaction takes, draining the queue, the
//! writer's counters, and a short name for each write in error messages.

use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::mpsc;

use crate::Write;

/// Most jobs one group-commit transaction takes from the queue, unless a backend needs fewer.
pub const MAX_BATCH: usize = 512;

/// A short name for what a write touches, for error messages.
pub fn describe(write: &Write) -> String {
    match write {
        Write::Alert { alert, .. } => format!("alert {} ({})", alert.reference, alert.id),
        Write::Place(p) => format!("place {}", p.pcode),
        Write::Actor(a) => format!("actor {}", a.id),
        Write::Responder(r) => format!("responder {}", r.id),
        Write::FocalPoint(f) => format!("focal point {}", f.id),
        Write::User(u) => format!("user name '{}'", u.name),
        Write::Token(t) => format!("API token {}", t.id),
        Write::Outbox(m) => format!("outbox message {}", m.id),
        Write::Digest { day, .. } => format!("digest of {day}"),
        Write::Idempotency(a) => format!("idempotency key {}", a.key),
        Write::Audit(a) => format!("audit entry {}", a.id),
        Write::Incident { incident, .. } => format!("incident {}", incident.id),
        Write::Grant(g) => format!("grant {}", g.key()),
        Write::RevokeGrant { user, compartment } => format!("grant {user}:{compartment}"),
        Write::CompartmentKey(k) => format!("compartment key {}", k.key()),
        Write::ServiceProvider(p) => format!("service provider {}", p.id),
        Write::Referral(r) => format!("referral {}", r.id),
        Write::Interview(i) => format!("interview {}", i.id),
        Write::CapacityPlan { plan, .. } => format!("capacity plan {}", plan.id),
        Write::RemoveCapacityPlan { id, .. } => format!("capacity plan {id}"),
        Write::WithdrawalPlan { plan, .. } => format!("withdrawal plan {}", plan.id),
        Write::Peer(p) => format!("peer {}", p.name),
        Write::HandoverReversal(r) => format!("handover reversal of {}", r.plan),
        Write::Broadcast(b) => format!("broadcast {}", b.id),
        Write::TransitionRecord { record, .. } => {
            format!("{} {}", record.kind(), record.id())
        }
        Write::RemoveTransitionRecord { id, .. } => format!("transition record {id}"),
        Write::Agreement(a) => format!("agreement {}", a.id),
        Write::RecordConflict(c) => format!("conflict {} on {} {}", c.id, c.kind, c.record),
        Write::HrddpScreening(s) => format!("HRDDP screening {}", s.id),
        Write::GbvimsImport(i) => format!("GBVIMS import {}", i.id),
        Write::ContextEvent(e) => format!("context event {}", e.id),
    }
}

/// The job just received and whatever else is already queued, up to `max` in all: the group
/// that one transaction (and one fsync) will serve.
pub fn drain_batch<T>(first: T, rx: &mut mpsc::Receiver<T>, max: usize) -> Vec<T> {
    let mut batch = vec![first];
    while batch.len() < max {
        match rx.try_recv() {
            Ok(job) => batch.push(job),
            Err(_) => break,
        }
    }
    batch
}

/// How a group-commit writer has grouped writes so far, for tests and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriterStats {
    /// Transactions committed (on SQLite, each one fsync).
    pub batches: u64,
    /// Writes served by those transactions.
    pub jobs: u64,
    /// Transactions that failed as a whole.
    pub failed_batches: u64,
}

/// The live counters behind [`WriterStats`], shared by a writer and its handle.
#[derive(Debug, Default)]
pub struct WriterCounters {
    batches: AtomicU64,
    jobs: AtomicU64,
    failed_batches: AtomicU64,
}

impl WriterCounters {
    /// A transaction serving `jobs` writes was committed.
    pub fn committed(&self, jobs: u64) {
        self.batches.fetch_add(1, Ordering::Relaxed);
        self.jobs.fetch_add(jobs, Ordering::Relaxed);
    }

    /// A transaction failed as a whole.
    pub fn failed(&self) {
        self.failed_batches.fetch_add(1, Ordering::Relaxed);
    }

    /// The counts so far.
    pub fn snapshot(&self) -> WriterStats {
        WriterStats {
            batches: self.batches.load(Ordering::Relaxed),
            jobs: self.jobs.load(Ordering::Relaxed),
            failed_batches: self.failed_batches.load(Ordering::Relaxed),
        }
    }
}
