//! In-memory views every intake needs: the gazetteer, the responders, and recent alerts for
//! duplicate suggestions. Reloaded after registry changes and periodically, so several servers
//! sharing one PostgreSQL database converge within one refresh interval.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, Utc};

use std::collections::BTreeSet;

use kinga_domain::dedup::{AlertSketch, Prepared, text_stems};
use kinga_domain::people::User;
use kinga_domain::place::{Gazetteer, PlaceLevel};
use kinga_domain::registry::Responder;
use kinga_domain::{Alert, ThreatType};
use kinga_store::Store;

use crate::AppResult;

/// How far back duplicates are looked for.
pub const DUPLICATE_WINDOW_HOURS: i64 = 72;
/// How many recent alerts per area are compared with a new one.
const PER_AREA: usize = 400;

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
    gazetteer: RwLock<Arc<Gazetteer>>,
    responders: RwLock<Arc<Vec<Responder>>>,
    recent: RwLock<HashMap<String, VecDeque<Arc<RecentAlert>>>>,
    tokens: Mutex<HashMap<String, (User, Instant)>>,
}

/// How long an accepted API token is trusted without asking the store again. Two store reads
/// per API call otherwise cost more than the rest of an intake.
pub const TOKEN_TRUST: StdDuration = StdDuration::from_secs(1);
/// Bound on remembered tokens, so a flood of callers cannot grow memory.
const MAX_TOKENS: usize = 10_000;

impl Caches {
    /// The gazetteer.
    pub fn gazetteer(&self) -> Arc<Gazetteer> {
        self.gazetteer.read().map(|g| g.clone()).unwrap_or_default()
    }

    /// The responders.
    pub fn responders(&self) -> Arc<Vec<Responder>> {
        self.responders
            .read()
            .map(|g| g.clone())
            .unwrap_or_default()
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

    /// Reload everything from the store.
    pub async fn reload(&self, store: &dyn Store, now: DateTime<Utc>) -> AppResult<()> {
        self.reload_places(store).await?;
        self.reload_responders(store).await?;
        let since = now - Duration::hours(DUPLICATE_WINDOW_HOURS);
        let alerts = store
            .alerts_reported_between(since, now + Duration::hours(1))
            .await?;
        let gaz = self.gazetteer();
        let mut recent: HashMap<String, VecDeque<Arc<RecentAlert>>> = HashMap::new();
        for a in &alerts {
            let q = recent.entry(area_of(&gaz, a.place.as_deref())).or_default();
            q.push_back(Arc::new(RecentAlert::from(a)));
            if q.len() > PER_AREA {
                q.pop_front();
            }
        }
        if let Ok(mut g) = self.recent.write() {
            *g = recent;
        }
        Ok(())
    }

    /// Reload the gazetteer.
    pub async fn reload_places(&self, store: &dyn Store) -> AppResult<()> {
        let g = Arc::new(Gazetteer::new(store.places().await?));
        if let Ok(mut w) = self.gazetteer.write() {
            *w = g;
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

    /// Remember a new alert for later duplicate checks.
    pub fn remember(&self, alert: &Alert) {
        let area = area_of(&self.gazetteer(), alert.place.as_deref());
        if let Ok(mut g) = self.recent.write() {
            let q = g.entry(area).or_default();
            q.push_back(Arc::new(RecentAlert::from(alert)));
            if q.len() > PER_AREA {
                q.pop_front();
            }
        }
    }

    /// Recent alerts in the same area as `place` (and those with no place), within the window.
    pub fn recent_near(&self, place: Option<&str>, at: DateTime<Utc>) -> Vec<Arc<RecentAlert>> {
        let gaz = self.gazetteer();
        let window = Duration::hours(DUPLICATE_WINDOW_HOURS);
        let Ok(g) = self.recent.read() else {
            return vec![];
        };
        let mut areas = vec![area_of(&gaz, place)];
        if !areas[0].is_empty() {
            areas.push(String::new());
        }
        areas
            .iter()
            .filter_map(|a| g.get(a))
            .flat_map(|q| q.iter())
            .filter(|r| (r.reported_at - at).abs() <= window)
            .cloned()
            .collect()
    }
}

/// The territory (admin 2) a place lies in, else its province, else "" — the bucket in which
/// duplicates are looked for. Neighbouring territories are not compared: a cheap bound that
/// misses duplicates only across a territory border.
fn area_of(gaz: &Gazetteer, place: Option<&str>) -> String {
    let Some(p) = place else { return String::new() };
    let lineage = gaz.lineage(p);
    lineage
        .iter()
        .find(|q| q.level == PlaceLevel::Admin2)
        .or_else(|| lineage.iter().find(|q| q.level == PlaceLevel::Admin1))
        .map(|q| q.pcode.clone())
        .unwrap_or_else(|| p.to_string())
}
