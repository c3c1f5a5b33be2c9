//! The conformance suite: one story every backend must pass, run by each backend's tests over
//! a real connection.
//!
//! Run it on a fresh, empty store: [`run_all`] runs every check in turn. Each check names its
//! records with fresh ids and its own P-code namespace and time span, so the checks do not
//! depend on each other's leftovers.

pub mod fixtures;

mod alerts;
mod context;
mod import;
mod incidents;
mod ledger;
mod lookups;
mod monitoring_more;
mod outbox;
mod records;
mod search;
mod sharing;
mod transition;
mod transition_records;
mod transition_routing;

use std::sync::Arc;

use kinga_ledger::{ChainVerifier, Event};

use crate::{Commit, Store, StoreError, Write};

pub use alerts::check_alert_queries;
pub use context::{check_alert_keyset, check_context_events};
pub use import::{check_import, import};
pub use incidents::{check_grants_and_keys, check_incident_tallies, check_incidents};
pub use ledger::{
    check_atomicity, check_basics, check_concurrent_commits, check_concurrent_follow_ups,
    check_concurrent_updates, check_conflict, check_next_reference, check_sealing,
};
pub use lookups::{check_alert_lookups, check_alert_page_cap};
pub use monitoring_more::check_monitoring_more;
pub use outbox::{
    check_concurrent_claims, check_held_reports, check_inbox, check_outbox, check_outbox_claims,
    check_outbox_provider_ids,
};
pub use records::{
    check_audit, check_digests, check_idempotency, check_idempotency_thinning, check_meta,
    check_peers, check_projection_rows, check_registries, check_sessions, check_sessions_of_user,
    check_users_and_tokens,
};
pub use search::check_alert_search;
pub use sharing::{check_agreements, check_record_conflicts};
pub use transition::check_transition;
pub use transition_records::check_transition_records;
pub use transition_routing::{check_broadcasts, check_handover_reversals};

/// Run every check against `store`.
pub async fn run_all(store: Arc<dyn Store>) {
    let s = store.as_ref();
    check_basics(s).await;
    // First: an import needs a store whose ledger is empty.
    check_import(s).await;
    check_sealing(s).await;
    check_atomicity(s).await;
    check_conflict(s).await;
    check_next_reference(store.clone()).await;
    check_concurrent_commits(store.clone()).await;
    check_concurrent_updates(store.clone()).await;
    check_concurrent_follow_ups(store.clone()).await;
    check_alert_queries(s).await;
    check_alert_lookups(s).await;
    check_alert_page_cap(s).await;
    check_alert_search(s).await;
    check_idempotency(s).await;
    check_idempotency_thinning(s).await;
    check_sessions(s).await;
    check_audit(s).await;
    check_users_and_tokens(s).await;
    check_outbox(s).await;
    check_inbox(s).await;
    check_outbox_claims(s).await;
    check_outbox_provider_ids(s).await;
    check_held_reports(s).await;
    check_concurrent_claims(store.clone()).await;
    check_digests(s).await;
    check_registries(s).await;
    check_sessions_of_user(s).await;
    check_meta(s).await;
    check_incidents(s).await;
    check_incident_tallies(s).await;
    check_grants_and_keys(s).await;
    check_transition(s).await;
    check_peers(s).await;
    check_handover_reversals(s).await;
    check_broadcasts(s).await;
    check_transition_records(s).await;
    check_agreements(s).await;
    check_record_conflicts(s).await;
    check_monitoring_more(s).await;
    check_context_events(s).await;
    check_alert_keyset(s).await;
    check_projection_rows(s).await;
    // Last: everything the checks wrote must still form unbroken chains.
    verified_ledger(s).await;
}

/// Commit, failing the test with the store's error.
pub(crate) async fn commit_ok(store: &dyn Store, commit: Commit) -> Vec<Event> {
    match store.commit(commit).await {
        Ok(events) => events,
        Err(e) => panic!("commit failed: {e}"),
    }
}

/// Commit projection writes without events, which must succeed.
pub(crate) async fn commit_writes(store: &dyn Store, writes: Vec<Write>) {
    commit_ok(
        store,
        Commit {
            events: vec![],
            writes,
        },
    )
    .await;
}

/// Commit that must fail; returns the error.
pub(crate) async fn commit_err(store: &dyn Store, commit: Commit) -> StoreError {
    match store.commit(commit).await {
        Ok(events) => panic!(
            "commit should have failed but sealed {} events",
            events.len()
        ),
        Err(e) => e,
    }
}

/// The whole ledger, read in small pages, after checking positions rise and every chain
/// verifies.
pub(crate) async fn verified_ledger(store: &dyn Store) -> Vec<(u64, Event)> {
    let mut all: Vec<(u64, Event)> = Vec::new();
    let mut verifier = ChainVerifier::new();
    loop {
        let after = all.last().map_or(0, |(p, _)| *p);
        let page = store.events(after, 97).await.unwrap();
        assert!(page.len() <= 97, "events() returned more than the limit");
        if page.is_empty() {
            break;
        }
        for (position, event) in page {
            assert!(
                position > after,
                "positions must rise: {position} after {after}"
            );
            if let Some((last, _)) = all.last() {
                assert!(position > *last, "positions must rise");
            }
            if let Err(e) = verifier.check(&event) {
                panic!("ledger does not verify: {e}");
            }
            all.push((position, event));
        }
    }
    let report = verifier.finish();
    assert_eq!(report.events, all.len() as u64);
    assert_eq!(
        store.event_count().await.unwrap(),
        all.len() as u64,
        "event_count disagrees with events()"
    );
    all
}
