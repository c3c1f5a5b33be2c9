//! The recent alerts intake compares a new one with: by duplicate bucket and by place, so
//! that duplicate scoring passes over a whole place its rule rules out without reading one
//! of its alerts.

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rustc_hash::FxHashMap;

use kinga_domain::dedup::{AlertSketch, Bucket, PlaceGroup, Prepared, StemCode, stem_codes};
use kinga_domain::{Alert, ThreatType};

/// How many recent alerts per bucket are compared with a new one. When a town is attacked
/// and every phone in it reports at once, the newest reports of each neighbourhood are
/// enough to offer the duplicates a CLA merges (five are shown), and each intake stays a
/// bounded amount of work: at most 27 cells, a territory and the vague ones, of this many.
pub(super) const PER_BUCKET: usize = 64;
/// How many of the newest alerts, wherever they are, an alert with no usable place (none, or
/// only a province) is compared with.
const NEWEST: usize = 1_000;

/// What duplicate scoring keeps of a recent alert.
#[derive(Debug, Clone)]
pub struct RecentAlert {
    pub(super) id: String,
    reference: String,
    /// One shared copy per P-code ([`Recent::push`]): a place's alerts are found by it.
    pub(super) place: Option<Arc<str>>,
    threat_type: Option<ThreatType>,
    pub(super) reported_at: DateTime<Utc>,
    text: String,
    /// Computed once: every later intake in the area compares against them.
    stems: Vec<StemCode>,
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

    /// What is kept of `a`, whose text has the stems `stems` ([`stem_codes`]).
    pub(super) fn from_parts(a: &Alert, stems: Vec<StemCode>) -> Self {
        RecentAlert {
            id: a.id.clone(),
            reference: a.reference.clone(),
            place: a.place.as_deref().map(Arc::from),
            threat_type: a.threat_type,
            reported_at: a.reported_at,
            text: a.text.chars().take(400).collect(),
            stems,
        }
    }
}

impl From<&Alert> for RecentAlert {
    fn from(a: &Alert) -> Self {
        RecentAlert::from_parts(a, stem_codes(&a.text))
    }
}

/// Recent alerts kept for duplicate scoring.
#[derive(Default)]
pub(super) struct Recent {
    /// By duplicate bucket ([`kinga_domain::dedup::Buckets::home`]), each alert in one.
    pub(super) by_bucket: FxHashMap<Bucket, Shelf>,
    /// The newest alerts of every bucket.
    pub(super) newest: Shelf,
    /// The P-codes of the alerts kept, each once (bounded by the places alerts name).
    places: HashSet<Arc<str>>,
}

impl Recent {
    /// Keep `r`, filed in bucket `home`.
    pub(super) fn push(&mut self, home: Bucket, mut r: RecentAlert) {
        if let Some(p) = r.place.take() {
            let shared = match self.places.get(&p) {
                Some(known) => known.clone(),
                None => {
                    self.places.insert(p.clone());
                    p
                }
            };
            r.place = Some(shared);
        }
        let r = Arc::new(r);
        self.by_bucket
            .entry(home)
            .or_default()
            .push(r.clone(), PER_BUCKET);
        self.newest.push(r, NEWEST);
    }
}

/// A bounded shelf of recent alerts, the newest kept, grouped by place.
#[derive(Default)]
pub(super) struct Shelf {
    /// The place of each alert kept, oldest first: the next to go is the front of its group.
    order: VecDeque<Option<Arc<str>>>,
    /// Each place's alerts, oldest first; a place leaves when its last alert does.
    groups: Vec<Group>,
}

/// One place's recent alerts, oldest first.
type Group = (Option<Arc<str>>, VecDeque<Arc<RecentAlert>>);

impl Shelf {
    /// Keep `r`; beyond `cap` alerts, drop the oldest.
    fn push(&mut self, r: Arc<RecentAlert>, cap: usize) {
        self.order.push_back(r.place.clone());
        match self.group_of(&r.place) {
            Some(i) => self.groups[i].1.push_back(r),
            None => self.groups.push((r.place.clone(), VecDeque::from([r]))),
        }
        if self.order.len() > cap {
            if let Some(place) = self.order.pop_front() {
                if let Some(i) = self.group_of(&place) {
                    self.groups[i].1.pop_front();
                    if self.groups[i].1.is_empty() {
                        self.groups.swap_remove(i);
                    }
                }
            }
        }
    }

    /// Where the group of `place` is. Places are shared copies ([`Recent::push`]), so the
    /// comparison is nearly always of two addresses.
    fn group_of(&self, place: &Option<Arc<str>>) -> Option<usize> {
        self.groups.iter().position(|(p, _)| p == place)
    }

    /// Every alert kept.
    pub(super) fn alerts(&self) -> impl Iterator<Item = &Arc<RecentAlert>> {
        self.groups.iter().flat_map(|(_, alerts)| alerts)
    }

    /// The alerts kept, place by place, as duplicate scoring walks them.
    pub(super) fn groups(
        &self,
    ) -> impl Iterator<Item = PlaceGroup<'_, impl Iterator<Item = Prepared<'_>>>> {
        self.groups.iter().map(|(place, alerts)| PlaceGroup {
            place: place.as_deref(),
            alerts: alerts.iter().map(|r| r.prepared()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn alert(i: usize, place: Option<&str>) -> RecentAlert {
        RecentAlert {
            id: format!("a{i}"),
            reference: format!("K-{i}"),
            place: place.map(Arc::from),
            threat_type: None,
            reported_at: Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap(),
            text: String::new(),
            stems: vec![],
        }
    }

    /// A shelf keeps the newest `cap` alerts whatever their places, each in its place's
    /// group, as a plain queue of the same pushes would.
    #[test]
    fn a_shelf_keeps_the_newest_in_groups_of_one_place() {
        let places = [Some("P1"), Some("P2"), None, Some("P1"), Some("P3")];
        let mut recent = Recent::default();
        let mut plain: VecDeque<(String, Option<&str>)> = VecDeque::new();
        for i in 0..3_000 {
            // An irregular walk over the places, some runs of one place.
            let place = places[(i * 7 + i / 13) % places.len()];
            recent.push(Bucket::Vague, alert(i, place));
            plain.push_back((format!("a{i}"), place));
            if plain.len() > PER_BUCKET {
                plain.pop_front();
            }
            let shelf = &recent.by_bucket[&Bucket::Vague];
            let mut kept: Vec<(String, Option<&str>)> = shelf
                .alerts()
                .map(|r| (r.id.clone(), r.place.as_deref()))
                .collect();
            let mut want: Vec<(String, Option<&str>)> = plain.iter().cloned().collect();
            kept.sort();
            want.sort();
            assert_eq!(kept, want, "after {i}");
            for group in shelf.groups() {
                assert!(
                    group
                        .alerts
                        .into_iter()
                        .all(|p| p.sketch.place == group.place)
                );
            }
        }
        assert_eq!(recent.newest.alerts().count(), NEWEST);
        // One shared copy per P-code.
        let copies: HashSet<usize> = recent
            .newest
            .alerts()
            .filter_map(|r| {
                r.place
                    .as_ref()
                    .map(|p| Arc::as_ptr(p) as *const u8 as usize)
            })
            .collect();
        assert_eq!(copies.len(), 3);
    }
}
