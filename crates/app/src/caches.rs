//! In-memory views every intake needs: the gazetteer, the responders, and recent alerts for
//! duplicate suggestions. Reloaded after registry changes and periodically, so several servers
//! sharing one PostgreSQL database converge within one refresh interval.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, Utc};

use kinga_domain::Alert;
use kinga_domain::dedup::{
    self, Atlas, Buckets, DuplicateCandidate, Prepared, Search, StemCode, stem_codes,
};
use kinga_domain::people::User;
use kinga_domain::place::Gazetteer;
use kinga_domain::registry::{FocalPoint, Responder};
use kinga_domain::transition::HandoverRules;
use kinga_store::{AlertQuery, AlertSort, Store};

use crate::AppResult;

mod recent;
use recent::Recent;
pub use recent::RecentAlert;

/// How far back duplicates are looked for: the domain's window, so that nothing it could
/// propose has already been forgotten.
pub const DUPLICATE_WINDOW_HOURS: i64 = dedup::WINDOW_HOURS;
/// The caches, each swapped whole on reload so readers never wait for a writer.
#[derive(Default)]
pub struct Caches {
    /// The gazetteer with its duplicate buckets and what duplicate scoring needs of each place,
    /// swapped together so that no reader sees one without the others.
    gazetteer: RwLock<(Arc<Gazetteer>, Arc<Buckets>, Arc<Atlas>)>,
    responders: RwLock<Arc<Vec<Responder>>>,
    /// The plans of the routed capacities and the reversals: routing follows the plan.
    handovers: RwLock<Arc<HandoverRules>>,
    /// The focal points: each one's pseudonym now, by id (alerts keep the one their reporter
    /// had when they came in, and are shown with this one), and each number's focal point.
    focal_points: RwLock<Arc<FocalPoints>>,
    /// Recent alerts by duplicate bucket, and the newest of all.
    recent: RwLock<Recent>,
    tokens: Mutex<HashMap<String, (User, Instant)>>,
    last_scan: Mutex<Option<DateTime<Utc>>>,
}

/// The focal points as intake reads them, read from the store in one go.
#[derive(Default)]
struct FocalPoints {
    /// Pseudonym by focal point id.
    pseudonyms: HashMap<String, String>,
    /// By phone digest, the focal point the store's lookup gives: of several with one number,
    /// the first by id.
    by_phone: HashMap<String, Arc<FocalPoint>>,
}

impl FocalPoints {
    fn new(all: Vec<FocalPoint>) -> FocalPoints {
        let mut f = FocalPoints::default();
        for fp in all {
            f.pseudonyms.insert(fp.id.clone(), fp.pseudonym.clone());
            match f.by_phone.get(&fp.phone_digest) {
                Some(kept) if kept.id <= fp.id => {}
                _ => {
                    f.by_phone.insert(fp.phone_digest.clone(), Arc::new(fp));
                }
            }
        }
        f
    }
}

/// Alerts read per page when scanning recent ones.
const PAGE: usize = 500;
/// The most recent alerts scanned for duplicate suggestions; beyond this many in the window,
/// the oldest are no longer compared.
const MAX_SCAN: usize = 20_000;
/// The newest alerts the periodic refresh reads for those other servers made. Under a flood
/// every refresh would otherwise decode [`MAX_SCAN`] alerts, nearly all this server's own;
/// older ones would be past every bucket's newest [`PER_BUCKET`] anyway.
const REFRESH_SCAN: usize = 2_000;

/// How long an accepted API token is trusted without asking the store again. Two store reads
/// per API call otherwise cost more than the rest of an intake.
pub const TOKEN_TRUST: StdDuration = StdDuration::from_secs(1);
/// Bound on remembered tokens, so a flood of callers cannot grow memory.
const MAX_TOKENS: usize = 10_000;

impl Caches {
    /// The gazetteer.
    pub fn gazetteer(&self) -> Arc<Gazetteer> {
        self.gazetteer
            .read()
            .map(|g| g.0.clone())
            .unwrap_or_default()
    }

    /// The gazetteer with its duplicate buckets and atlas.
    fn places(&self) -> (Arc<Gazetteer>, Arc<Buckets>, Arc<Atlas>) {
        self.gazetteer.read().map(|g| g.clone()).unwrap_or_default()
    }

    /// The responders.
    pub fn responders(&self) -> Arc<Vec<Responder>> {
        self.responders
            .read()
            .map(|g| g.clone())
            .unwrap_or_default()
    }

    /// The handovers alert routing follows.
    pub fn handovers(&self) -> Arc<HandoverRules> {
        self.handovers.read().map(|g| g.clone()).unwrap_or_default()
    }

    /// The pseudonym focal point `id` has now.
    pub fn pseudonym(&self, id: &str) -> Option<String> {
        self.focal_points.read().ok()?.pseudonyms.get(id).cloned()
    }

    /// The focal point registered with the number of this digest, as of the last reload: one
    /// registered since on another server sharing the database is not here yet (the caller
    /// asks the store when this finds nothing).
    pub fn focal_point_by_phone(&self, digest: &str) -> Option<Arc<FocalPoint>> {
        self.focal_points.read().ok()?.by_phone.get(digest).cloned()
    }

    /// The user of a token accepted less than [`TOKEN_TRUST`] ago.
    pub fn token_user(&self, digest: &str) -> Option<User> {
        let g = self.tokens.lock().ok()?;
        g.get(digest)
            .filter(|(_, at)| at.elapsed() < TOKEN_TRUST)
            .map(|(u, _)| u.clone())
    }

    /// Remember an accepted token.
    pub fn remember_token(&self, digest: String, user: &User) {
        if let Ok(mut g) = self.tokens.lock() {
            if g.len() >= MAX_TOKENS {
                g.retain(|_, (_, at)| at.elapsed() < TOKEN_TRUST);
            }
            g.insert(digest, (user.clone(), Instant::now()));
        }
    }

    /// Forget every accepted token (a token was revoked or a user changed here).
    pub fn forget_tokens(&self) {
        if let Ok(mut g) = self.tokens.lock() {
            g.clear();
        }
    }

    /// Reload everything from the store (at start-up).
    pub async fn reload(&self, store: &dyn Store, now: DateTime<Utc>) -> AppResult<()> {
        self.reload_places(store).await?;
        self.reload_responders(store).await?;
        self.reload_handovers(store).await?;
        self.reload_pseudonyms(store).await?;
        let since = now - Duration::hours(DUPLICATE_WINDOW_HOURS);
        let mut found = self
            .scan_recent(store, since, &HashSet::new(), MAX_SCAN)
            .await?;
        found.sort_by_key(|r| r.reported_at);
        let (gaz, buckets, _) = self.places();
        let mut recent = Recent::default();
        for r in found {
            let home = buckets.home(r.place.as_deref(), &gaz);
            recent.push(home, r);
        }
        if let Ok(mut g) = self.recent.write() {
            *g = recent;
        }
        self.set_last_scan(now);
        Ok(())
    }

    /// Take in what other servers sharing the database changed since the last look:
    /// registries, and alerts received meanwhile (this server's own are remembered as made).
    pub async fn refresh(&self, store: &dyn Store, now: DateTime<Utc>) -> AppResult<()> {
        self.reload_places(store).await?;
        self.reload_responders(store).await?;
        self.reload_handovers(store).await?;
        self.reload_pseudonyms(store).await?;
        // A margin covers commits that were in flight at the last look.
        let since = self.last_scan().unwrap_or(now) - Duration::minutes(2);
        let known: HashSet<String> = self
            .recent
            .read()
            .map(|g| {
                g.by_bucket
                    .values()
                    .flat_map(|shelf| shelf.alerts())
                    .map(|r| r.id.clone())
                    .collect()
            })
            .unwrap_or_default();
        let mut found = self.scan_recent(store, since, &known, REFRESH_SCAN).await?;
        found.sort_by_key(|r| r.reported_at);
        let (gaz, buckets, _) = self.places();
        if let Ok(mut g) = self.recent.write() {
            for r in found {
                let home = buckets.home(r.place.as_deref(), &gaz);
                g.push(home, r);
            }
        }
        self.set_last_scan(now);
        Ok(())
    }

    /// Alerts received since `since`, newest first, a page at a time so that only one page of
    /// whole alerts is ever in memory, and at most `most` of them.
    async fn scan_recent(
        &self,
        store: &dyn Store,
        since: DateTime<Utc>,
        known: &HashSet<String>,
        most: usize,
    ) -> AppResult<Vec<RecentAlert>> {
        let mut found = vec![];
        let mut offset = 0;
        while offset < most {
            let q = AlertQuery {
                sort: AlertSort::Newest,
                limit: PAGE,
                offset,
                ..Default::default()
            };
            let page = store.alerts(&q).await?;
            let full = page.items.len() == PAGE;
            for a in &page.items {
                if a.received_at < since {
                    return Ok(found);
                }
                if !known.contains(&a.id) {
                    found.push(RecentAlert::from(a));
                }
            }
            if !full {
                break;
            }
            offset += PAGE;
        }
        Ok(found)
    }

    fn last_scan(&self) -> Option<DateTime<Utc>> {
        self.last_scan.lock().ok().and_then(|g| *g)
    }

    fn set_last_scan(&self, at: DateTime<Utc>) {
        if let Ok(mut g) = self.last_scan.lock() {
            *g = Some(at);
        }
    }

    /// Reload the gazetteer.
    pub async fn reload_places(&self, store: &dyn Store) -> AppResult<()> {
        let places = store.places().await?;
        // Unchanged (the periodic refresh, most of the time): keep the built indexes and the
        // place resolver's remembered queries instead of starting them again.
        if self.gazetteer().places() == places.as_slice() {
            return Ok(());
        }
        let g = Arc::new(Gazetteer::new(places));
        let b = Arc::new(Buckets::new(&g));
        let a = Arc::new(Atlas::new(&g));
        if let Ok(mut w) = self.gazetteer.write() {
            *w = (g, b, a);
        }
        Ok(())
    }

    /// Reload the responders.
    pub async fn reload_responders(&self, store: &dyn Store) -> AppResult<()> {
        let r = Arc::new(store.responders().await?);
        if let Ok(mut w) = self.responders.write() {
            *w = r;
        }
        Ok(())
    }

    /// Reload the plans, closures and reversals routing follows (after any of them changes,
    /// and with every refresh, so servers sharing a database converge).
    pub async fn reload_handovers(&self, store: &dyn Store) -> AppResult<()> {
        let rules = HandoverRules::new(
            store.capacity_plans().await?,
            &store.withdrawal_plans().await?,
            store.handover_reversals().await?,
        );
        if let Ok(mut w) = self.handovers.write() {
            *w = Arc::new(rules);
        }
        Ok(())
    }

    /// Reload the focal points (their pseudonyms and numbers).
    pub async fn reload_pseudonyms(&self, store: &dyn Store) -> AppResult<()> {
        let f = FocalPoints::new(store.focal_points().await?);
        if let Ok(mut w) = self.focal_points.write() {
            *w = Arc::new(f);
        }
        Ok(())
    }

    /// Remember a new alert for later duplicate checks.
    pub fn remember(&self, alert: &Alert) {
        self.remember_with_stems(alert, stem_codes(&alert.text));
    }

    /// [`Caches::remember`] with the stems of the alert's text already computed
    /// ([`stem_codes`]), as intake has them from scoring its duplicates.
    pub fn remember_with_stems(&self, alert: &Alert, stems: Vec<StemCode>) {
        let (gaz, buckets, _) = self.places();
        let home = buckets.home(alert.place.as_deref(), &gaz);
        let r = RecentAlert::from_parts(alert, stems);
        if let Ok(mut g) = self.recent.write() {
            g.push(home, r);
        }
    }

    /// Duplicate suggestions for a new alert among the recent alerts the domain could propose:
    /// those of the buckets it searches ([`Buckets::search`]: the grid cells around its point,
    /// across territory borders, or the cells of its territory; its territory; the alerts with
    /// no usable place), or the newest alerts of all when its own place is vague. Whatever
    /// [`dedup::suggestion`] accepts is in these buckets (a property test of the domain), so
    /// the cutoff alone decides and no border hides a duplicate; only the newest
    /// [`recent::PER_BUCKET`] of each bucket are compared. Scored under the read lock, on borrowed
    /// alerts: cloning thousands of shared pointers per intake made two threads fight over
    /// their counters.
    pub fn duplicates(&self, new: &Prepared, limit: usize) -> Vec<DuplicateCandidate> {
        let (gaz, buckets, atlas) = self.places();
        let search = buckets.search(new.sketch.place, &gaz);
        let Ok(g) = self.recent.read() else {
            return vec![];
        };
        // Walked in place, never gathered: a list of thousands per intake cost an allocation
        // and a copy of each. The domain's window decides which are too old.
        match search {
            Search::Everything => {
                dedup::candidates_prepared(new, g.newest.groups(), &gaz, &atlas, limit)
            }
            Search::Buckets(list) => {
                let groups = list
                    .iter()
                    .filter_map(|b| g.by_bucket.get(b))
                    .flat_map(|shelf| shelf.groups());
                dedup::candidates_prepared(new, groups, &gaz, &atlas, limit)
            }
        }
    }
}
