//! Duplicate suggestions: alerts close in space, time and words are proposed for merging.
//!
//! The score is `0.60 · space · time + 0.25 · threat + 0.15 · text`. Space and time are
//! multiplied because an event is one place at one time: two alerts about one village three
//! days apart, or about one night 60 km apart, are two events however alike they read. Threat
//! and words then tell apart two events at one place and hour. A suggestion is shown from
//! 0.6: one place and hour with no other sign, or a few kilometres and hours apart with the
//! same threat type. Merging stays a person's decision.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};

use crate::ThreatType;
use crate::place::{Gazetteer, PlaceLevel};
use crate::text;

/// An alert that may report the same event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DuplicateCandidate {
    /// Alert id.
    pub alert: String,
    /// Its reference.
    pub reference: String,
    /// 0–1 likelihood that both report one event.
    pub score: f64,
}

/// What duplicate scoring needs to know of an alert.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertSketch<'a> {
    /// Alert id.
    pub id: &'a str,
    /// Reference.
    pub reference: &'a str,
    /// P-code.
    pub place: Option<&'a str>,
    /// Threat type.
    pub threat_type: Option<ThreatType>,
    /// When reported.
    pub reported_at: DateTime<Utc>,
    /// Text.
    pub text: &'a str,
}

impl<'a> From<&'a crate::Alert> for AlertSketch<'a> {
    fn from(a: &'a crate::Alert) -> Self {
        AlertSketch {
            id: &a.id,
            reference: &a.reference,
            place: a.place.as_deref(),
            threat_type: a.threat_type,
            reported_at: a.reported_at,
            text: &a.text,
        }
    }
}

/// Suggest a merge at or above this score.
pub const DUPLICATE_THRESHOLD: f64 = 0.6;
/// Weight of closeness in space and time together (their product: an event far away in
/// either is another event, however alike the words).
pub const WEIGHT_PROXIMITY: f64 = 0.60;
/// Weight of the threat types.
pub const WEIGHT_THREAT: f64 = 0.25;
/// Weight of shared words; low, because two reporters rarely describe one event alike, and
/// often not in one language.
pub const WEIGHT_TEXT: f64 = 0.15;
/// Distance at which space closeness has fallen to 1/e (Gaussian decay: villages a few
/// kilometres apart stay close, places 50 km apart are nearly unrelated).
pub const DISTANCE_SCALE_KM: f64 = 25.0;
/// Time apart at which time closeness has fallen to 1/e (Gaussian decay).
pub const TIME_SCALE_HOURS: f64 = 24.0;
/// Closeness, threat or text score when one side does not say: neither for nor against.
pub const UNKNOWN: f64 = 0.5;
/// Points of areas are centres, and a settlement's point may be its area's: a distance
/// measured from one is trusted this much.
const AREA_POINT_TRUST: f64 = 0.6;
const EARTH_RADIUS_KM: f64 = 6371.0088;

/// How alike two alerts are, factor by factor; `score` combines them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DuplicateFactors {
    /// Closeness in space, 0–1.
    pub space: f64,
    /// Closeness in time, 0–1.
    pub time: f64,
    /// Agreement of threat types, 0–1.
    pub threat: f64,
    /// Shared words, 0–1.
    pub text: f64,
    /// `WEIGHT_PROXIMITY·space·time + WEIGHT_THREAT·threat + WEIGHT_TEXT·text`, 0–1.
    pub score: f64,
}

/// Each factor of the duplicate score of two alerts, so a triage officer can see why.
pub fn factors(a: &AlertSketch, b: &AlertSketch, gaz: &Gazetteer) -> DuplicateFactors {
    let space = space_closeness(a.place, b.place, gaz);
    let time = time_closeness(a.reported_at, b.reported_at);
    let threat = threat_agreement(a.threat_type, b.threat_type);
    let text = text_similarity(a.text, b.text);
    let score = WEIGHT_PROXIMITY * space * time + WEIGHT_THREAT * threat + WEIGHT_TEXT * text;
    DuplicateFactors {
        space,
        time,
        threat,
        text,
        score: score.clamp(0.0, 1.0),
    }
}

/// Likelihood, 0–1, that two alerts report one event; symmetric, highest for an alert and
/// itself, and never higher when one moves further away in space or time.
pub fn score(a: &AlertSketch, b: &AlertSketch, gaz: &Gazetteer) -> f64 {
    factors(a, b, gaz).score
}

/// Recent alerts that may report the same event as `new`, scoring at least
/// [`DUPLICATE_THRESHOLD`], best first (then nearest in time, then id), at most `limit`;
/// never `new` itself.
pub fn candidates(
    new: &AlertSketch,
    recent: &[AlertSketch],
    gaz: &Gazetteer,
    limit: usize,
) -> Vec<DuplicateCandidate> {
    let new = Prepared::new(new.clone());
    let recent: Vec<Prepared> = recent.iter().map(|r| Prepared::new(r.clone())).collect();
    candidates_prepared(&new, &recent, gaz, limit)
}

/// An alert with its text's stems computed once, for comparing it with many others.
#[derive(Debug, Clone)]
pub struct Prepared<'a> {
    /// The alert.
    pub sketch: AlertSketch<'a>,
    /// Its text's word stems ([`text_stems`]).
    pub stems: Cow<'a, BTreeSet<String>>,
}

impl<'a> Prepared<'a> {
    /// Prepare an alert, computing its stems.
    pub fn new(sketch: AlertSketch<'a>) -> Self {
        let stems = Cow::Owned(text_stems(sketch.text));
        Prepared { sketch, stems }
    }

    /// Prepare an alert whose stems were computed earlier.
    pub fn with_stems(sketch: AlertSketch<'a>, stems: &'a BTreeSet<String>) -> Self {
        Prepared {
            sketch,
            stems: Cow::Borrowed(stems),
        }
    }
}

/// [`candidates`] over prepared alerts: the same scores, with each text tokenised once, each
/// distinct place's closeness computed once, and the text skipped where it cannot lift a pair
/// to the threshold — intake compares every new alert with hundreds of recent ones.
pub fn candidates_prepared(
    new: &Prepared,
    recent: &[Prepared],
    gaz: &Gazetteer,
    limit: usize,
) -> Vec<DuplicateCandidate> {
    let n = &new.sketch;
    let mut closeness: HashMap<Option<&str>, f64> = HashMap::new();
    let mut scored: Vec<(f64, i64, &AlertSketch)> = recent
        .iter()
        .filter(|r| {
            r.sketch.id != n.id
                && (r.sketch.reference.is_empty() || r.sketch.reference != n.reference)
        })
        .filter_map(|r| {
            let other = &r.sketch;
            let space = *closeness
                .entry(other.place)
                .or_insert_with(|| space_closeness(n.place, other.place, gaz));
            let time = time_closeness(n.reported_at, other.reported_at);
            let threat = threat_agreement(n.threat_type, other.threat_type);
            let partial = WEIGHT_PROXIMITY * space * time + WEIGHT_THREAT * threat;
            if partial + WEIGHT_TEXT < DUPLICATE_THRESHOLD {
                return None;
            }
            let score =
                (partial + WEIGHT_TEXT * stem_similarity(&new.stems, &r.stems)).clamp(0.0, 1.0);
            let apart = (other.reported_at - n.reported_at).num_seconds().abs();
            (score >= DUPLICATE_THRESHOLD).then_some((score, apart, other))
        })
        .collect();
    scored.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then(a.1.cmp(&b.1))
            .then_with(|| a.2.id.cmp(b.2.id))
    });
    scored
        .into_iter()
        .take(limit)
        .map(|(s, _, r)| DuplicateCandidate {
            alert: r.id.to_string(),
            reference: r.reference.to_string(),
            score: s,
        })
        .collect()
}

/// Closeness of two places, 0–1: 1 for one place; for one inside the other, how small the
/// outer one is; otherwise the better of their deepest shared area and their distance.
pub fn space_closeness(a: Option<&str>, b: Option<&str>, gaz: &Gazetteer) -> f64 {
    let (Some(a), Some(b)) = (a, b) else {
        return UNKNOWN;
    };
    if a == b {
        return 1.0;
    }
    let (la, lb) = (gaz.lineage(a), gaz.lineage(b));
    if let Some(outer) = lb
        .iter()
        .find(|p| p.pcode == a)
        .or_else(|| la.iter().find(|p| p.pcode == b))
    {
        // Distance from an area's centre says little about a place inside it.
        return nested_closeness(outer.level);
    }
    let shared = la
        .iter()
        .find(|p| lb.iter().any(|q| q.pcode == p.pcode))
        .map_or(0.0, |p| shared_area_closeness(p.level));
    let distance = match (gaz.point(a), gaz.point(b)) {
        (Some(pa), Some(pb)) => {
            let d = haversine_km(pa, pb) / DISTANCE_SCALE_KM;
            let trust = if own_settlement_point(gaz, a) && own_settlement_point(gaz, b) {
                1.0
            } else {
                AREA_POINT_TRUST
            };
            trust * (-d * d).exp()
        }
        _ => 0.0,
    };
    shared.max(distance)
}

/// When one place lies inside another, of this level.
fn nested_closeness(outer: PlaceLevel) -> f64 {
    match outer {
        PlaceLevel::Settlement => 0.9,
        PlaceLevel::Admin3 => 0.75,
        PlaceLevel::Admin2 => 0.5,
        PlaceLevel::Admin1 => 0.25,
        PlaceLevel::Country => 0.05,
    }
}

/// When two places share an area of this level and nothing smaller.
fn shared_area_closeness(level: PlaceLevel) -> f64 {
    match level {
        PlaceLevel::Settlement => 0.7,
        PlaceLevel::Admin3 => 0.5,
        PlaceLevel::Admin2 => 0.3,
        PlaceLevel::Admin1 => 0.1,
        PlaceLevel::Country => 0.0,
    }
}

fn own_settlement_point(gaz: &Gazetteer, pcode: &str) -> bool {
    gaz.get(pcode)
        .is_some_and(|p| p.level == PlaceLevel::Settlement && p.lat.is_some() && p.lon.is_some())
}

/// Great-circle distance in kilometres between two (latitude, longitude) points.
pub fn haversine_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, la2) = (a.0.to_radians(), b.0.to_radians());
    let dlat = (b.0 - a.0).to_radians();
    let dlon = (b.1 - a.1).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

/// Closeness in time, 0–1: Gaussian in the hours apart.
pub fn time_closeness(a: DateTime<Utc>, b: DateTime<Utc>) -> f64 {
    let hours = (a - b).num_seconds().unsigned_abs() as f64 / 3600.0 / TIME_SCALE_HOURS;
    (-hours * hours).exp()
}

/// Agreement of threat types: 1 when equal, [`UNKNOWN`] when either is unknown or `other`
/// or when they often describe one event ("clashes" and "displacement"), 0 otherwise.
pub fn threat_agreement(a: Option<ThreatType>, b: Option<ThreatType>) -> f64 {
    match (a, b) {
        (Some(x), Some(y)) if x == y => 1.0,
        (Some(x), Some(y))
            if x != ThreatType::Other && y != ThreatType::Other && !related(x, y) =>
        {
            0.0
        }
        _ => UNKNOWN,
    }
}

/// Threat types two witnesses may give for one event.
fn related(a: ThreatType, b: ThreatType) -> bool {
    use ThreatType::*;
    const PAIRS: [(ThreatType, ThreatType); 17] = [
        (ArmedPresence, Clashes),
        (ArmedPresence, AttackOnCivilians),
        (ArmedPresence, ThreatIntimidation),
        (ArmedPresence, LootingExtortion),
        (Clashes, AttackOnCivilians),
        (Clashes, Killing),
        (Clashes, Displacement),
        (AttackOnCivilians, Killing),
        (AttackOnCivilians, Abduction),
        (AttackOnCivilians, SexualViolence),
        (AttackOnCivilians, LootingExtortion),
        (AttackOnCivilians, Displacement),
        (Abduction, ChildRecruitment),
        (Abduction, ArrestDetention),
        (ArrestDetention, ThreatIntimidation),
        (IntercommunalTension, Clashes),
        (IntercommunalTension, ThreatIntimidation),
    ];
    PAIRS
        .iter()
        .any(|&(x, y)| (x, y) == (a, b) || (y, x) == (a, b))
}

/// Shared words, 0–1: Jaccard index of the folded words of three letters or more, cut to
/// their first five letters so "attaque" meets "attaqué" and "attaques"; [`UNKNOWN`] when
/// either text has no such word.
pub fn text_similarity(a: &str, b: &str) -> f64 {
    stem_similarity(&text_stems(a), &text_stems(b))
}

fn stem_similarity(wa: &BTreeSet<String>, wb: &BTreeSet<String>) -> f64 {
    if wa.is_empty() || wb.is_empty() {
        return UNKNOWN;
    }
    let shared = wa.intersection(wb).count();
    let all = wa.union(wb).count();
    shared as f64 / all as f64
}

/// The words of a text that duplicate scoring compares: stop words dropped, each cut to five
/// letters so "armés"/"armed" and "attaque"/"attaques" meet.
pub fn text_stems(s: &str) -> BTreeSet<String> {
    text::words(s)
        .into_iter()
        .filter(|w| w.len() >= 3 && !STOP_WORDS.contains(&w.as_str()))
        .map(|w| w.chars().take(5).collect())
        .collect()
}

/// Words that say nothing of which event it is.
const STOP_WORDS: [&str; 40] = [
    "les", "des", "une", "est", "sont", "ont", "dans", "sur", "avec", "pour", "par", "qui", "que",
    "pas", "plus", "the", "and", "are", "was", "were", "has", "have", "this", "that", "with",
    "from", "for", "there", "kuna", "wenye", "kwa", "katika", "sana", "leo", "hii", "hapa",
    "alerte", "alert", "urgent", "kinga",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::place::testdata::{gazetteer, place};
    use chrono::{Duration, TimeZone};
    use proptest::prelude::*;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 6, 0, 0).unwrap()
    }

    fn sketch<'a>(
        id: &'a str,
        place: Option<&'a str>,
        threat: Option<ThreatType>,
        hours: i64,
        text: &'a str,
    ) -> AlertSketch<'a> {
        AlertSketch {
            id,
            reference: id,
            place,
            threat_type: threat,
            reported_at: t0() + Duration::hours(hours),
            text,
        }
    }

    const BUNAGANA: &str = "CD6111-S900";
    const KIWANJA: &str = "CD6111-S901";
    const MINOVA: &str = "CD6205-S900";
    const RUTSHURU_TERRITORY: &str = "CD6111";
    const NORD_KIVU: &str = "CD61";
    use ThreatType::*;

    #[test]
    fn same_event_from_two_focal_points_is_suggested() {
        let g = gazetteer();
        let a = sketch(
            "a",
            Some(BUNAGANA),
            Some(AttackOnCivilians),
            0,
            "Attaque des hommes armés à Bunagana, maisons brûlées",
        );
        let b = sketch(
            "b",
            Some(BUNAGANA),
            Some(AttackOnCivilians),
            2,
            "Bunagana attaqué cette nuit, des maisons brulees",
        );
        let s = score(&a, &b, g);
        assert!(s > 0.85, "{s}");
        let f = factors(&a, &b, g);
        assert_eq!(f.space, 1.0);
        assert!(f.text > 0.3, "{f:?}");
    }

    #[test]
    fn same_village_days_later_is_another_event() {
        let g = gazetteer();
        let a = sketch("a", Some(BUNAGANA), Some(ArmedPresence), 0, "hommes armés");
        let b = sketch("b", Some(BUNAGANA), Some(ArmedPresence), 72, "hommes armés");
        assert!(
            score(&a, &b, g) < DUPLICATE_THRESHOLD,
            "{}",
            score(&a, &b, g)
        );
    }

    #[test]
    fn far_places_the_same_night_are_other_events() {
        let g = gazetteer();
        let a = sketch("a", Some(BUNAGANA), Some(Killing), 0, "trois morts");
        let b = sketch("b", Some(MINOVA), Some(Killing), 1, "trois morts");
        let f = factors(&a, &b, g);
        assert!(f.space < 0.15, "{f:?}");
        assert!(f.score < DUPLICATE_THRESHOLD, "{f:?}");
    }

    #[test]
    fn neighbouring_villages_are_close() {
        let g = gazetteer();
        let d = haversine_km(g.point(BUNAGANA).unwrap(), g.point(KIWANJA).unwrap());
        assert!((18.0..22.0).contains(&d), "{d} km");
        let s = space_closeness(Some(BUNAGANA), Some(KIWANJA), g);
        assert!(s > 0.45 && s < 0.6, "{s}");
        let a = sketch("a", Some(BUNAGANA), Some(Clashes), 0, "");
        let same_type = sketch("b", Some(KIWANJA), Some(Clashes), 1, "");
        assert!(
            score(&a, &same_type, g) >= DUPLICATE_THRESHOLD,
            "{}",
            score(&a, &same_type, g)
        );
        let related_type = sketch("c", Some(KIWANJA), Some(Displacement), 1, "");
        assert!(score(&a, &related_type, g) < DUPLICATE_THRESHOLD);
    }

    #[test]
    fn a_place_inside_an_area_is_as_close_as_the_area_is_small() {
        let g = gazetteer();
        let in_territory = space_closeness(Some(BUNAGANA), Some(RUTSHURU_TERRITORY), g);
        let in_province = space_closeness(Some(NORD_KIVU), Some(BUNAGANA), g);
        assert_eq!(in_territory, 0.5);
        assert_eq!(in_province, 0.25);
        assert_eq!(space_closeness(None, Some(BUNAGANA), g), UNKNOWN);
        assert_eq!(space_closeness(Some("X1"), Some("X1"), g), 1.0);
        assert_eq!(space_closeness(Some("X1"), Some("X2"), g), 0.0);
    }

    #[test]
    fn threat_types_agree_disagree_or_relate() {
        assert_eq!(threat_agreement(Some(Killing), Some(Killing)), 1.0);
        assert_eq!(threat_agreement(Some(Killing), None), UNKNOWN);
        assert_eq!(threat_agreement(Some(Other), Some(Killing)), UNKNOWN);
        assert_eq!(threat_agreement(Some(Displacement), Some(Clashes)), UNKNOWN);
        assert_eq!(threat_agreement(Some(Clashes), Some(Displacement)), UNKNOWN);
        assert_eq!(
            threat_agreement(Some(ExplosiveOrdnance), Some(SexualViolence)),
            0.0
        );
    }

    #[test]
    fn words_are_compared_folded_and_stemmed() {
        assert_eq!(text_similarity("Attaque à Kiwanja", "attaqué KIWANJA"), 1.0);
        assert_eq!(text_similarity("", "attaque"), UNKNOWN);
        assert_eq!(text_similarity("les et de", "attaque"), UNKNOWN);
        assert_eq!(text_similarity("pillage marché", "enlèvement enfants"), 0.0);
    }

    #[test]
    fn candidates_are_ranked_thresholded_and_never_the_alert_itself() {
        let g = gazetteer();
        let new = sketch(
            "new",
            Some(BUNAGANA),
            Some(Killing),
            0,
            "deux civils tués à Bunagana",
        );
        let recent = vec![
            sketch(
                "new",
                Some(BUNAGANA),
                Some(Killing),
                0,
                "deux civils tués à Bunagana",
            ),
            sketch(
                "same",
                Some(BUNAGANA),
                Some(Killing),
                1,
                "civils tués Bunagana",
            ),
            sketch("near", Some(KIWANJA), Some(Killing), 1, "deux civils tués"),
            sketch("near_later", Some(KIWANJA), Some(Killing), 5, "tués"),
            sketch("later", Some(BUNAGANA), Some(Killing), 96, "civils tués"),
            sketch("far", Some(MINOVA), Some(Killing), 0, "deux civils tués"),
            sketch("noplace", None, None, 0, ""),
        ];
        let got = candidates(&new, &recent, g, 10);
        let ids: Vec<&str> = got.iter().map(|c| c.alert.as_str()).collect();
        // No place, type or words: nothing says it is the same event.
        assert_eq!(ids, ["same", "near"], "{got:?}");
        assert!(got.windows(2).all(|w| w[0].score >= w[1].score));
        assert!(got.iter().all(|c| c.score >= DUPLICATE_THRESHOLD));
        assert_eq!(candidates(&new, &recent, g, 1).len(), 1);
        assert!(candidates(&new, &recent, g, 0).is_empty());
        assert_eq!(got[0].reference, "same");
    }

    /// Settlements every 0.05° of longitude (about 5.6 km) along the equator, in one territory.
    fn line() -> (Gazetteer, Vec<String>) {
        let mut places = vec![
            place("ZZZ", "Testland", PlaceLevel::Country, None, None),
            place("ZZ1", "Province", PlaceLevel::Admin1, Some("ZZZ"), None),
            place("ZZ101", "Territory", PlaceLevel::Admin2, Some("ZZ1"), None),
        ];
        let codes: Vec<String> = (0..30).map(|i| format!("ZZ101-S{i}")).collect();
        for (i, c) in codes.iter().enumerate() {
            let p = place(
                c,
                &format!("Village {i}"),
                PlaceLevel::Settlement,
                Some("ZZ101"),
                Some((0.0, i as f64 * 0.05)),
            );
            places.push(p);
        }
        (Gazetteer::new(places), codes)
    }

    fn threat_strategy() -> impl Strategy<Value = Option<ThreatType>> {
        proptest::option::of(proptest::sample::select(ThreatType::ALL.to_vec()))
    }

    const WORDS: [&str; 8] = [
        "attaque", "hommes", "armes", "pillage", "Bunagana", "morts", "nuit", "enfants",
    ];

    fn text_strategy() -> impl Strategy<Value = String> {
        proptest::collection::vec(proptest::sample::select(WORDS.to_vec()), 0..5)
            .prop_map(|w| w.join(" "))
    }

    proptest! {
        #[test]
        fn score_is_symmetric_bounded_and_highest_for_itself(
            pa in proptest::option::of(0usize..30), pb in proptest::option::of(0usize..30),
            ta in threat_strategy(), tb in threat_strategy(),
            ha in -100i64..100, hb in -100i64..100,
            xa in text_strategy(), xb in text_strategy(),
        ) {
            let (g, codes) = line();
            let a = sketch("a", pa.map(|i| codes[i].as_str()), ta, ha, &xa);
            let b = sketch("b", pb.map(|i| codes[i].as_str()), tb, hb, &xb);
            let (ab, ba) = (score(&a, &b, &g), score(&b, &a, &g));
            prop_assert!((ab - ba).abs() < 1e-12);
            prop_assert!((0.0..=1.0).contains(&ab));
            prop_assert!(score(&a, &a, &g) >= ab - 1e-12);
            prop_assert!(score(&b, &b, &g) >= ab - 1e-12);
        }

        #[test]
        fn further_in_time_or_space_never_scores_higher(
            pa in 0usize..30, near in 0usize..30, further in 0usize..30,
            t in threat_strategy(), tb in threat_strategy(),
            ha in -50i64..50, hb in -50i64..50, extra in 0i64..100,
            xa in text_strategy(), xb in text_strategy(),
        ) {
            let (g, codes) = line();
            let a = sketch("a", Some(&codes[pa]), t, ha, &xa);
            let b = sketch("b", Some(&codes[near]), tb, hb, &xb);
            let base = score(&a, &b, &g);
            let later = AlertSketch { reported_at: b.reported_at + Duration::hours(if hb >= ha { extra } else { -extra }), ..b.clone() };
            prop_assert!(score(&a, &later, &g) <= base + 1e-12);
            if pa.abs_diff(further) >= pa.abs_diff(near) {
                let moved = AlertSketch { place: Some(&codes[further]), ..b.clone() };
                prop_assert!(score(&a, &moved, &g) <= base + 1e-12);
            }
        }

        /// The fast path proposes exactly what scoring every pair would.
        #[test]
        fn candidates_match_pairwise_scores(
            others in proptest::collection::vec(
                (proptest::option::of(0usize..30), threat_strategy(), -60i64..60, text_strategy()), 0..25),
            pn in proptest::option::of(0usize..30), tn in threat_strategy(), xn in text_strategy(),
        ) {
            let (g, codes) = line();
            let ids: Vec<String> = (0..others.len()).map(|i| format!("r{i}")).collect();
            let new = sketch("new", pn.map(|i| codes[i].as_str()), tn, 0, &xn);
            let recent: Vec<AlertSketch> = others
                .iter()
                .zip(&ids)
                .map(|((p, t, h, x), id)| sketch(id, p.map(|i| codes[i].as_str()), *t, *h, x))
                .collect();
            let mut naive: Vec<(String, f64)> = recent
                .iter()
                .map(|r| (r.id.to_string(), score(&new, r, &g)))
                .filter(|(_, s)| *s >= DUPLICATE_THRESHOLD)
                .collect();
            naive.sort_by(|a, b| a.0.cmp(&b.0));
            let mut fast: Vec<(String, f64)> = candidates(&new, &recent, &g, usize::MAX)
                .into_iter()
                .map(|c| (c.alert, c.score))
                .collect();
            fast.sort_by(|a, b| a.0.cmp(&b.0));
            prop_assert_eq!(fast, naive);
        }
    }
}
