//! In-memory views every intake needs: the gazetteer, the responders, and recent alerts for
//! duplicate suggestions. Reloaded after registry changes and periodically, so several servers
//! sharing one PostgreSQL database converge within one refresh interval.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, Utc};

use std::collections::BTreeSet;

use kinga_domain::dedup::{self, AlertSketch, Bucket, Buckets, Prepared, Search, text_stems};
use kinga_domain::people::User;
use kinga_domain::place::Gazetteer;
use kinga_domain::registry::Responder;
use kinga_domain::{Alert, ThreatType};
use kinga_store::{AlertQuery, AlertSort, Store};

use crate::AppResult;

/// How far back duplicates are looked for: the domain's window, so that nothing it could
/// propose has already been forgotten.
pub const DUPLICATE_WINDOW_HOURS: i64 = dedup::WINDOW_HOURS;
/// How many recent alerts per bucket are compared with a new one.
const PER_BUCKET: usize = 400;

/// What duplicate scoring keeps of a recent alert.
#[derive(Debug, Clone)]
pub struct RecentAlert {
    id: String,
    reference: String,
    place: Option<String>,
    threat_type: Option<ThreatType>,
    reported_at: DateTime<Utc>,
    text: String,
    /// Computed once: every later intake in the area compares against them.
    stems: BTreeSet<String>,
}

impl RecentAlert {
    /// The view duplicate scoring works on, with its stems.
    pub fn prepared(&self) -> Prepared<'_> {
        Prepared::with_stems(self.sketch(), &self.stems)
    }

    fn sketch(&self) -> AlertSketch<'_> {
        AlertSketch {
            id: &self.id,
            reference: &self.reference,
            place: self.place.as_deref(),
            threat_type: self.threat_type,
            reported_at: self.reported_at,
            text: &self.text,
        }
    }
}

impl From<&Alert> for RecentAlert {
    fn from(a: &Alert) -> Self {
        RecentAlert {
            id: a.id.clone(),
            reference: a.reference.clone(),
            place: a.place.clone(),
            threat_type: a.threat_type,
            reported_at: a.reported_at,
            text: a.text.chars().take(400).collect(),
            stems: text_stems(&a.text),
        }
    }
}

/// The caches, each swapped whole on reload so readers never wait for a writer.
#[derive(Default)]
pub struct Caches {
    /// The gazetteer and its duplicate buckets, swapped together so that no reader sees one
    /// without the other.
    gazetteer: RwLock<(Arc<Gazetteer>, Arc<Buckets>)>,
    responders: RwLock<Arc<Vec<Responder>>>,
    /// Each focal point's pseudonym now, by id: alerts keep the one their reporter had when
    /// they came in, and are shown with this one.
    pseudonyms: RwLock<Arc<HashMap<String, String>>>,
    /// Recent alerts by duplicate bucket ([`Buckets::home`]), each in one bucket.
    recent: RwLock<HashMap<Bucket, VecDeque<Arc<RecentAlert>>>>,
    tokens: Mutex<HashMap<String, (User, Instant)>>,
    last_scan: Mutex<Option<DateTime<Utc>>>,
}

/// Alerts read per page when scanning recent ones.
const PAGE: usize = 500;
/// The most recent alerts scanned for duplicate suggestions; beyond this many in the window,
/// the oldest are no longer compared.
const MAX_SCAN: usize = 20_000;

fn push_bounded(q: &mut VecDeque<Arc<RecentAlert>>, r: RecentAlert) {
    q.push_back(Arc::new(r));
    if q.len() > PER_BUCKET {
        q.pop_front();
    }
}

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

    /// The gazetteer with its duplicate buckets.
    fn places(&self) -> (Arc<Gazetteer>, Arc<Buckets>) {
        self.gazetteer.read().map(|g| g.clone()).unwrap_or_default()
    }

    /// The responders.
    pub fn responders(&self) -> Arc<Vec<Responder>> {
        self.responders
            .read()
            .map(|g| g.clone())
            .unwrap_or_default()
    }

    /// The pseudonym focal point `id` has now.
    pub fn pseudonym(&self, id: &str) -> Option<String> {
        self.pseudonyms.read().ok()?.get(id).cloned()
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
        self.reload_pseudonyms(store).await?;
        let since = now - Duration::hours(DUPLICATE_WINDOW_HOURS);
        let mut found = self.scan_recent(store, since, &HashSet::new()).await?;
        found.sort_by_key(|r| r.reported_at);
        let (gaz, buckets) = self.places();
        let mut recent: HashMap<Bucket, VecDeque<Arc<RecentAlert>>> = HashMap::new();
        for r in found {
            let home = buckets.home(r.place.as_deref(), &gaz);
            push_bounded(recent.entry(home).or_default(), r);
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
        self.reload_pseudonyms(store).await?;
        // A margin covers commits that were in flight at the last look.
        let since = self.last_scan().unwrap_or(now) - Duration::minutes(2);
        let known: HashSet<String> = self
            .recent
            .read()
            .map(|g| g.values().flatten().map(|r| r.id.clone()).collect())
            .unwrap_or_default();
        let mut found = self.scan_recent(store, since, &known).await?;
        found.sort_by_key(|r| r.reported_at);
        let (gaz, buckets) = self.places();
        if let Ok(mut g) = self.recent.write() {
            for r in found {
                let home = buckets.home(r.place.as_deref(), &gaz);
                push_bounded(g.entry(home).or_default(), r);
            }
        }
        self.set_last_scan(now);
        Ok(())
    }

    /// Alerts received since `since`, newest first, a page at a time so that only one page of
    /// whole alerts is ever in memory, and at most [`MAX_SCAN`] of them.
    async fn scan_recent(
        &self,
        store: &dyn Store,
        since: DateTime<Utc>,
        known: &HashSet<String>,
    ) -> AppResult<Vec<RecentAlert>> {
        let mut found = vec![];
        let mut offset = 0;
        while offset < MAX_SCAN {
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
        let g = Arc::new(Gazetteer::new(store.places().await?));
        let b = Arc::new(Buckets::new(&g));
        if let Ok(mut w) = self.gazetteer.write() {
            *w = (g, b);
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

    /// Reload the focal points' pseudonyms.
    pub async fn reload_pseudonyms(&self, store: &dyn Store) -> AppResult<()> {
        let p: HashMap<String, String> = store
            .focal_points()
            .await?
            .into_iter()
            .map(|f| (f.id, f.pseudonym))
            .collect();
        if let Ok(mut w) = self.pseudonyms.write() {
            *w = Arc::new(p);
        }
        Ok(())
    }

    /// Remember a new alert for later duplicate checks.
    pub fn remember(&self, alert: &Alert) {
        let (gaz, buckets) = self.places();
        let home = buckets.home(alert.place.as_deref(), &gaz);
        if let Ok(mut g) = self.recent.write() {
            push_bounded(g.entry(home).or_default(), RecentAlert::from(alert));
        }
    }

    /// Recent alerts within the window that the domain could propose as duplicates of an
    /// alert at `place`: those of the buckets it searches ([`Buckets::search`]: the grid cells
    /// around its point, across territory borders, or the cells of its territory; its
    /// territory; the alerts with no usable place), or every recent alert when its own place
    /// is vague. Whatever [`dedup::suggestion`] accepts is in these buckets (a property test
    /// of the domain), so the cutoff alone decides and no border hides a duplicate.
    pub fn recent_near(&self, place: Option<&str>, at: DateTime<Utc>) -> Vec<Arc<RecentAlert>> {
        let (gaz, buckets) = self.places();
        let window = Duration::hours(DUPLICATE_WINDOW_HOURS);
        let search = buckets.search(place, &gaz);
        let Ok(g) = self.recent.read() else {
            return vec![];
        };
        let in_window = |r: &&Arc<RecentAlert>| (r.reported_at - at).abs() <= window;
        match search {
            Search::Everything => g.values().flatten().filter(in_window).cloned().collect(),
            Search::Buckets(list) => list
                .iter()
                .filter_map(|b| g.get(b))
                .flatten()
                .filter(in_window)
                .cloned()
                .collect(),
        }
    }
}
