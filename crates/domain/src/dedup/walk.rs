//! The fast path of duplicate suggestions: one new alert against the recent alerts of its
//! area, walked place by place, keeping only the best few as they come.

use rustc_hash::FxHashMap;

use super::{
    Atlas, DUPLICATE_THRESHOLD, DuplicateCandidate, Geography, PlaceIndex, Prepared,
    STRICT_THRESHOLD, StemCode, WEIGHT_PROXIMITY, WEIGHT_TEXT, WEIGHT_THREAT, WINDOW_SECONDS,
    agreement, closeness_apart, code_similarity, contains, contradict,
};
use crate::place::Gazetteer;

/// Recent alerts that all name one place (or all none), walked as one.
pub struct PlaceGroup<'r, A> {
    /// Their P-code.
    pub place: Option<&'r str>,
    /// The alerts; each must be at `place`.
    pub alerts: A,
}

/// [`PlaceGroup`]s of `recent`, each place's alerts in the order they come.
pub fn group_by_place<'r>(
    recent: impl IntoIterator<Item = Prepared<'r>>,
) -> Vec<PlaceGroup<'r, Vec<Prepared<'r>>>> {
    let mut at: FxHashMap<Option<&'r str>, usize> = FxHashMap::default();
    let mut groups: Vec<PlaceGroup<'r, Vec<Prepared<'r>>>> = Vec::new();
    for r in recent {
        let place = r.sketch.place;
        let i = *at.entry(place).or_insert_with(|| {
            groups.push(PlaceGroup {
                place,
                alerts: Vec::new(),
            });
            groups.len() - 1
        });
        groups[i].alerts.push(r);
    }
    groups
}

/// What the fast path knows of a group's place, computed once per group.
struct PlaceView {
    geo: Geography,
    space: f64,
    placed: bool,
    /// Whether the new alert's text names this place (asked only when the new alert has no
    /// usable place and this one has).
    named_by_new: bool,
}

impl PlaceView {
    /// The view of `place` from a new alert at `new_at` whose text has the stems `new_stems`.
    fn of(
        atlas: &Atlas,
        gaz: &Gazetteer,
        (new_at, new_placed): (Option<PlaceIndex>, bool),
        new_stems: &[StemCode],
        place: Option<&str>,
    ) -> PlaceView {
        let at = atlas.place(gaz, place);
        let placed = atlas.is_placed(at);
        PlaceView {
            geo: atlas.geography(new_at, at),
            space: atlas.space_closeness(new_at, at),
            placed,
            named_by_new: match at {
                Some(p) if placed && !new_placed => atlas
                    .name_codes(p)
                    .any(|name| name.iter().all(|&c| contains(new_stems, c))),
                _ => true,
            },
        }
    }

    /// Whether no alert at this place can be proposed, whatever its time, threat and words:
    /// then the group is passed over without reading one of its alerts.
    fn rules_out_all(&self) -> bool {
        match self.geo {
            Geography::Far => true,
            Geography::Unknown if !self.named_by_new => true,
            _ => self.best_score() < DUPLICATE_THRESHOLD,
        }
    }

    /// The highest score any alert at this place can reach: time, threat and text at their
    /// best (1), computed in the order a pair's own score is, so that floating-point rounding
    /// cannot make it lower than a pair's.
    fn best_score(&self) -> f64 {
        WEIGHT_PROXIMITY * self.space + WEIGHT_THREAT + WEIGHT_TEXT
    }
}

/// [`super::candidates`] over prepared alerts grouped by place: the same suggestions, with
/// each text tokenised once, each group's geography computed once (and a group that cannot
/// reach the threshold passed over whole: in a flood most of the area's alerts are further
/// than the cutoff), the text skipped where it cannot lift a pair to its threshold, and only
/// the best `limit` kept as they come (no sort of every pair proposed). The groups are walked
/// once and never gathered.
pub fn candidates_prepared<'r, A>(
    new: &Prepared,
    groups: impl IntoIterator<Item = PlaceGroup<'r, A>>,
    gaz: &Gazetteer,
    atlas: &Atlas,
    limit: usize,
) -> Vec<DuplicateCandidate>
where
    A: IntoIterator<Item = Prepared<'r>>,
{
    let n = &new.sketch;
    let new_at = atlas.place(gaz, n.place);
    let new_placed = atlas.is_placed(new_at);
    // Names by which an unplaced recent alert must name the new alert's place.
    let new_names: Vec<&[StemCode]> = match new_at {
        Some(p) if new_placed => atlas.name_codes(p).collect(),
        _ => vec![],
    };
    // The closest places first: their pairs score highest, so the best few fill early and
    // the rest of the walk can pass over what cannot displace them. The order changes
    // nothing else (the best few are the same in any order).
    let mut near: Vec<(PlaceView, PlaceGroup<'r, A>)> = groups
        .into_iter()
        .map(|g| {
            let view = PlaceView::of(atlas, gaz, (new_at, new_placed), &new.stems, g.place);
            (view, g)
        })
        .filter(|(view, _)| !view.rules_out_all())
        .collect();
    near.sort_by(|a, b| b.0.space.total_cmp(&a.0.space));
    let mut best = Best::new(limit);
    for (view, group) in near {
        if best.beyond_reach(view.best_score()) {
            continue;
        }
        for r in group.alerts {
            let other = &r.sketch;
            debug_assert_eq!(
                other.place, group.place,
                "an alert in another place's group"
            );
            // One subtraction of times per pair (the window, the closeness and the order all
            // read it): chrono's is not free, and a flood compares hundreds of pairs.
            let apart = (other.reported_at - n.reported_at).num_seconds();
            if apart.unsigned_abs() > WINDOW_SECONDS {
                continue;
            }
            if view.geo == Geography::Unknown {
                let named_by_other = || {
                    new_names
                        .iter()
                        .any(|name| name.iter().all(|&s| contains(&r.stems, s)))
                };
                if new_placed && !view.placed && !named_by_other() {
                    continue;
                }
            }
            let time = closeness_apart(apart.unsigned_abs());
            let contra = contradict(n.threat_type, other.threat_type);
            let threat = agreement(n.threat_type, other.threat_type, contra);
            let partial = WEIGHT_PROXIMITY * view.space * time + WEIGHT_THREAT * threat;
            let bar = if view.geo == Geography::Unknown || contra {
                STRICT_THRESHOLD
            } else {
                DUPLICATE_THRESHOLD
            };
            // Words lift a pair by at most their weight: not to its bar, or not past the
            // worst of the best few kept, and the text is not read.
            if partial + WEIGHT_TEXT < bar || best.beyond_reach(partial + WEIGHT_TEXT) {
                continue;
            }
            let score =
                (partial + WEIGHT_TEXT * code_similarity(&new.stems, &r.stems)).clamp(0.0, 1.0);
            // The new alert itself is skipped only among the pairs that would be kept: its id
            // and reference live in their own allocations, and reading them for every recent
            // alert of a flood was one cache miss each (6 % of the server's samples).
            let itself = || {
                same(other.id, n.id)
                    || (!other.reference.is_empty() && same(other.reference, n.reference))
            };
            if score >= bar && !itself() {
                best.offer(Scored {
                    score,
                    apart: apart.abs(),
                    id: other.id,
                    reference: other.reference,
                });
            }
        }
    }
    best.kept
        .into_iter()
        .map(|s| DuplicateCandidate {
            alert: s.id.to_string(),
            reference: s.reference.to_string(),
            score: s.score,
        })
        .collect()
}

/// `a == b`, deciding most unequal pairs by their last byte: ids (ULIDs) and references
/// (`K-1042`) of one length differ there nearly always, and the full comparison of two ids
/// of one millisecond, for every recent alert, was the most costly line of intake.
pub(super) fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.as_bytes().last() == b.as_bytes().last() && a == b
}

/// A pair proposed by [`candidates_prepared`], with what orders it.
struct Scored<'r> {
    score: f64,
    apart: i64,
    id: &'r str,
    reference: &'r str,
}

impl Scored<'_> {
    /// Best first: highest score, then nearest in time, then id (ids are unique, so this is
    /// the order a full sort of every pair would give).
    fn before(&self, other: &Scored) -> bool {
        other
            .score
            .total_cmp(&self.score)
            .then(self.apart.cmp(&other.apart))
            .then_with(|| self.id.cmp(other.id))
            .is_lt()
    }
}

/// The best `limit` pairs offered so far, best first.
struct Best<'r> {
    limit: usize,
    kept: Vec<Scored<'r>>,
}

impl<'r> Best<'r> {
    fn new(limit: usize) -> Self {
        Best {
            limit,
            kept: Vec::with_capacity(limit.min(64) + 1),
        }
    }

    /// Whether a pair scoring at most `most` can no longer be kept: the best few are all
    /// there and the worst of them scores higher (a tie may still enter, by time or id).
    /// Scores are clamped to 1, and so is `most`.
    fn beyond_reach(&self, most: f64) -> bool {
        self.kept.len() >= self.limit
            && self
                .kept
                .last()
                .is_none_or(|worst| most.min(1.0) < worst.score)
    }

    fn offer(&mut self, s: Scored<'r>) {
        if self.kept.len() == self.limit && self.kept.last().is_none_or(|last| !s.before(last)) {
            return;
        }
        let at = self.kept.partition_point(|k| k.before(&s));
        self.kept.insert(at, s);
        self.kept.truncate(self.limit);
    }
}

#[cfg(test)]
mod tests {
    use super::super::properties::{map, map_places};
    use super::super::tests::sketch;
    use super::super::{Atlas, Prepared, ThreatType, suggestion};
    use super::PlaceView;

    /// A group passed over by its place alone holds no pair that would be suggested, even
    /// at the best time, threat and words; and on this map the bound does pass some over
    /// that are not beyond the cutoff (so the test is not empty).
    #[test]
    fn a_group_passed_over_holds_no_suggestion() {
        let (g, codes) = map();
        let atlas = Atlas::new(&g);
        let places = map_places(&codes);
        let mut by_bound = 0;
        for pa in places.iter().map(Option::as_deref) {
            for pb in places.iter().map(Option::as_deref) {
                for t in [None, Some(ThreatType::Clashes)] {
                    let text = "hommes armés Kamango Mbau Oicha";
                    let new = Prepared::new(sketch("new", pa, t, 0, text));
                    let at = atlas.place(&g, pa);
                    let view = PlaceView::of(&atlas, &g, (at, atlas.is_placed(at)), &new.stems, pb);
                    if !view.rules_out_all() {
                        continue;
                    }
                    let other = sketch("other", pb, t, 0, text);
                    assert_eq!(suggestion(&new.sketch, &other, &g), None, "{pa:?} {pb:?}");
                    if view.geo != super::Geography::Far && view.named_by_new {
                        by_bound += 1;
                    }
                }
            }
        }
        assert!(by_bound > 0, "the score bound never passed a group over");
    }
}
