//! Clustering tests: hand-computed cases, and the indexed algorithm against a brute-force
//! transcription of scikit-learn's DBSCAN on random inputs.

use proptest::prelude::*;

use super::*;

/// One degree of longitude on the equator, in km.
fn km_per_degree() -> f64 {
    EARTH_RADIUS_KM * 1f64.to_radians()
}

fn pts(coords: &[(f64, f64)]) -> Vec<GeoPoint> {
    coords
        .iter()
        .map(|&(lat, lon)| GeoPoint::new(lat, lon, None).unwrap())
        .collect()
}

fn timed(coords: &[(f64, f64, i64)]) -> Vec<GeoPoint> {
    coords
        .iter()
        .map(|&(lat, lon, t)| GeoPoint::new(lat, lon, Some(t)).unwrap())
        .collect()
}

fn run(points: &[GeoPoint], eps_km: f64, min_samples: usize, window: Option<i64>) -> Clustering {
    dbscan(
        points,
        &DbscanParams::new(eps_km, min_samples, window).unwrap(),
    )
    .unwrap()
}

/// scikit-learn's DBSCAN, transcribed: all neighbourhoods by brute force with its haversine
/// `rdist` compared to `sin²(eps/2)`, then `dbscan_inner`'s stack-based expansion.
fn reference(
    points: &[GeoPoint],
    eps_km: f64,
    min_samples: usize,
    window: Option<i64>,
) -> Clustering {
    let eps = eps_km / 6371.0088;
    let tmp = (0.5 * eps).sin();
    let reduced_r = if eps >= std::f64::consts::PI {
        f64::INFINITY
    } else {
        tmp * tmp
    };
    let rad: Vec<(f64, f64)> = points
        .iter()
        .map(|p| (p.lat().to_radians(), p.lon().to_radians()))
        .collect();
    let n = points.len();
    let neighborhoods: Vec<Vec<usize>> = (0..n)
        .map(|i| {
            (0..n)
                .filter(|&j| {
                    let (x1, x2) = (rad[i], rad[j]);
                    let sin_0 = (0.5 * (x1.0 - x2.0)).sin();
                    let sin_1 = (0.5 * (x1.1 - x2.1)).sin();
                    let rdist = sin_0 * sin_0 + x1.0.cos() * x2.0.cos() * sin_1 * sin_1;
                    let in_time = match window {
                        None => true,
                        Some(w) => {
                            points[i]
                                .time()
                                .unwrap()
                                .abs_diff(points[j].time().unwrap())
                                <= w as u64
                        }
                    };
                    rdist <= reduced_r && in_time
                })
                .collect()
        })
        .collect();
    let core: Vec<bool> = neighborhoods
        .iter()
        .map(|nb| nb.len() >= min_samples)
        .collect();
    let mut labels = vec![-1i32; n];
    let mut label_num = 0;
    let mut stack = Vec::new();
    for start in 0..n {
        if labels[start] != -1 || !core[start] {
            continue;
        }
        let mut i = start;
        loop {
            if labels[i] == -1 {
                labels[i] = label_num;
                if core[i] {
                    for &v in &neighborhoods[i] {
                        if labels[v] == -1 {
                            stack.push(v);
                        }
                    }
                }
            }
            match stack.pop() {
                Some(v) => i = v,
                None => break,
            }
        }
        label_num += 1;
    }
    Clustering { labels, core }
}

#[test]
fn radius_is_dedups() {
    let d = crate::dedup::haversine_km((0.0, 0.0), (0.0, 1.0));
    assert!((d - km_per_degree()).abs() < 1e-9, "{d}");
    let a = haversine_rad(0.0, 0.0, 0.0, 1f64.to_radians());
    assert!((a * EARTH_RADIUS_KM - d).abs() < 1e-9);
}

#[test]
fn two_clusters_and_noise_numbered_by_first_core() {
    // Points 0.01° (1.112 km) apart along the equator; eps 2 km reaches the next point, not
    // the one after (2.224 km), so each group is a chain.
    let p = pts(&[
        (0.0, 5.0), // noise, 500 km from both groups
        (0.0, 10.00),
        (0.0, 10.01),
        (0.0, 10.02),
        (0.0, 0.00),
        (0.0, 0.01),
        (0.0, 0.02),
    ]);
    let c = run(&p, 2.0, 2, None);
    assert_eq!(c.labels, vec![-1, 0, 0, 0, 1, 1, 1]);
    assert_eq!(c.core, vec![false, true, true, true, true, true, true]);
    // With min_samples 3 only the middle point of each chain is core; the ends are borders.
    let c = run(&p, 2.0, 3, None);
    assert_eq!(c.labels, vec![-1, 0, 0, 0, 1, 1, 1]);
    assert_eq!(c.core, vec![false, false, true, false, false, true, false]);
    assert_eq!(c, reference(&p, 2.0, 3, None));
}

#[test]
fn border_reachable_from_two_clusters_goes_to_the_first_seed() {
    // Two groups of four points 0.001° apart; a border point 0.013° (1.446 km) from the
    // nearest point of each group and 0.014° (1.557 km) from the next: within eps 1.5 km of
    // one core of each, with only 3 neighbours itself (min_samples 4).
    let left = [(0.0, 0.000), (0.0, 0.001), (0.0, 0.002), (0.0, 0.003)];
    let border = (0.0, 0.016);
    let right = [(0.0, 0.029), (0.0, 0.030), (0.0, 0.031), (0.0, 0.032)];

    let mut order: Vec<(f64, f64)> = right.to_vec();
    order.push(border);
    order.extend(left);
    let c = run(&pts(&order), 1.5, 4, None);
    assert_eq!(c.labels, vec![0, 0, 0, 0, 0, 1, 1, 1, 1]);
    assert!(!c.core[4]);
    assert_eq!(c, reference(&pts(&order), 1.5, 4, None));

    // The border point first in the input changes nothing: only core points seed clusters.
    let mut order = vec![border];
    order.extend(left);
    order.extend(right);
    let c = run(&pts(&order), 1.5, 4, None);
    assert_eq!(c.labels, vec![0, 0, 0, 0, 0, 1, 1, 1, 1]);
    assert_eq!(c, reference(&pts(&order), 1.5, 4, None));
}

#[test]
fn min_samples_one_makes_every_point_a_cluster() {
    let p = pts(&[(0.0, 0.0), (1.0, 1.0), (0.0, 0.001), (-45.0, 170.0)]);
    let c = run(&p, 1.0, 1, None);
    assert_eq!(c.labels, vec![0, 1, 0, 2]);
    assert_eq!(c.core, vec![true; 4]);
}

#[test]
fn eps_boundary_is_inclusive_to_the_last_bit() {
    // On the equator scikit-learn's reduced distance is sin²(Δλ/2) exactly, and its threshold
    // sin²(eps/2): with Δλ == eps the two are the same float, and `<=` makes them neighbours.
    let lon = (1..2000)
        .map(|i| 0.01 + i as f64 * 1e-5)
        .find(|l| (l.to_radians() * EARTH_RADIUS_KM) / EARTH_RADIUS_KM == l.to_radians())
        .unwrap();
    let eps_km = lon.to_radians() * EARTH_RADIUS_KM;
    let p = pts(&[(0.0, 0.0), (0.0, lon)]);
    assert_eq!(run(&p, eps_km, 2, None).labels, vec![0, 0]);
    assert_eq!(run(&p, eps_km.next_down(), 2, None).labels, vec![-1, -1]);
    assert_eq!(reference(&p, eps_km, 2, None).labels, vec![0, 0]);
    assert_eq!(
        reference(&p, eps_km.next_down(), 2, None).labels,
        vec![-1, -1]
    );
}

#[test]
fn time_window_splits_a_cluster() {
    let h = 3600;
    let p = timed(&[
        (-1.68, 29.22, 0),
        (-1.68, 29.22, h),
        (-1.68, 29.221, 10 * h),
        (-1.68, 29.22, 11 * h),
        (-1.68, 29.22, 30 * h),
    ]);
    assert_eq!(run(&p, 1.0, 2, None).labels, vec![0, 0, 0, 0, 0]);
    let c = run(&p, 1.0, 2, Some(2 * h));
    assert_eq!(c.labels, vec![0, 0, 1, 1, -1]);
    assert_eq!(c, reference(&p, 1.0, 2, Some(2 * h)));
    // The window is inclusive: 9 h apart with a 9 h window joins the two pairs.
    assert_eq!(run(&p, 1.0, 2, Some(9 * h)).labels, vec![0, 0, 0, 0, -1]);
}

#[test]
fn missing_time_under_a_window_is_refused() {
    let p = vec![
        GeoPoint::new(0.0, 0.0, Some(0)).unwrap(),
        GeoPoint::new(0.0, 0.0, None).unwrap(),
    ];
    let params = DbscanParams::new(1.0, 2, Some(60)).unwrap();
    assert_eq!(
        dbscan(&p, &params),
        Err(ClusterError::MissingTime { index: 1 })
    );
    // Without a window times are not looked at.
    assert_eq!(run(&p, 1.0, 2, None).labels, vec![0, 0]);
}

#[test]
fn antimeridian_and_poles_are_ordinary_places() {
    let p = pts(&[
        (0.0, 179.999),
        (0.0, -179.999), // 222 m from the first, across the antimeridian
        (0.0, 180.0),
        (0.0, -180.0), // the same place as the one before
        (89.999, 0.0),
        (89.999, 180.0), // 222 m apart, across the pole
        (90.0, 0.0),
        (90.0, 97.0), // the pole, whatever the longitude
        (-89.9995, 45.0),
        (-89.9995, -135.0), // 111 m apart across the south pole
    ]);
    let c = run(&p, 0.5, 2, None);
    assert_eq!(c.labels, vec![0, 0, 0, 0, 1, 1, 1, 1, 2, 2]);
    assert_eq!(c, reference(&p, 0.5, 2, None));
}

#[test]
fn empty_input_and_half_the_earth() {
    assert_eq!(run(&[], 1.0, 1, None), Clustering::default());
    let p = pts(&[(0.0, 0.0), (0.0, 180.0), (90.0, 0.0), (-90.0, 0.0)]);
    // eps beyond half a great circle: everything neighbours everything.
    assert_eq!(run(&p, 25_000.0, 4, None).labels, vec![0, 0, 0, 0]);
}

#[test]
fn bad_parameters_and_points_are_refused() {
    assert_eq!(
        GeoPoint::new(90.5, 0.0, None),
        Err(ClusterError::Latitude(90.5))
    );
    assert_eq!(
        GeoPoint::new(0.0, -180.01, None),
        Err(ClusterError::Longitude(-180.01))
    );
    assert!(GeoPoint::new(f64::NAN, 0.0, None).is_err());
    assert!(GeoPoint::new(0.0, f64::INFINITY, None).is_err());
    assert_eq!(DbscanParams::new(0.0, 2, None), Err(ClusterError::Eps(0.0)));
    assert!(DbscanParams::new(f64::NAN, 2, None).is_err());
    assert!(DbscanParams::new(f64::INFINITY, 2, None).is_err());
    assert_eq!(
        DbscanParams::new(1.0, 0, None),
        Err(ClusterError::MinSamples)
    );
    assert_eq!(
        DbscanParams::new(1.0, 2, Some(-1)),
        Err(ClusterError::Window(-1))
    );
}

#[test]
fn dense_hotspots_with_and_without_window_equal_brute_force() {
    // Large enough for dense cells (joined as one, then cell to cell) and for cells that a
    // time window splits; deterministic (SplitMix64).
    let mut state = 7u64;
    let mut unit = move || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    };
    let centres = [
        (-1.68, 29.22),
        (-1.15, 29.43),
        (0.49, 29.47),
        (-17.8, 179.99),
    ];
    let points: Vec<GeoPoint> = (0..2400)
        .map(|i| {
            let (lat, lon) = centres[i % centres.len()];
            let spread = if i % 3 == 0 { 0.2 } else { 0.03 };
            let lat = lat + spread * (unit() - 0.5);
            let mut lon = lon + spread * (unit() - 0.5);
            if lon > 180.0 {
                lon -= 360.0;
            }
            GeoPoint::new(lat, lon, Some((unit() * 30.0 * 86_400.0) as i64)).unwrap()
        })
        .collect();
    for (eps, min, window) in [
        (0.5, 8, None),
        (1.0, 5, Some(86_400)),
        (0.6, 3, Some(2 * 86_400)),
    ] {
        let fast = run(&points, eps, min, window);
        assert_eq!(
            fast,
            reference(&points, eps, min, window),
            "{eps} {min} {window:?}"
        );
        let clustered = fast.labels.iter().filter(|l| **l >= 0).count();
        assert!(clustered > 500);
    }
}

/// Random small sets around a centre, often near the antimeridian or a pole, spread over a
/// few eps so that clusters, borders and noise all occur.
fn scene() -> impl Strategy<Value = (Vec<GeoPoint>, f64, usize, Option<i64>)> {
    let centre_lat = prop_oneof![
        Just(89.99),
        Just(-89.99),
        Just(0.0),
        Just(60.0),
        -90.0..=90.0f64
    ];
    let centre_lon = prop_oneof![Just(179.995), Just(-179.995), Just(0.0), -180.0..=180.0f64];
    let eps_km = prop_oneof![0.05..0.5f64, 0.5..5.0f64, 5.0..60.0f64];
    (
        centre_lat,
        centre_lon,
        eps_km,
        1usize..7,
        proptest::option::of(0i64..20_000),
        1usize..70,
    )
        .prop_flat_map(|(lat0, lon0, eps, min, window, n)| {
            // Spread: about three eps, in degrees of latitude.
            let spread = 3.0 * eps / 111.0;
            let point = (-spread..=spread, -spread..=spread, 0i64..40_000);
            proptest::collection::vec(point, n).prop_map(move |offsets| {
                let cos = lat0.to_radians().cos().max(0.02);
                let points = offsets
                    .into_iter()
                    .map(|(dlat, dlon, t)| {
                        let lat = (lat0 + dlat).clamp(-90.0, 90.0);
                        let mut lon = lon0 + dlon / cos;
                        while lon > 180.0 {
                            lon -= 360.0;
                        }
                        while lon < -180.0 {
                            lon += 360.0;
                        }
                        GeoPoint::new(lat, lon, Some(t)).unwrap()
                    })
                    .collect::<Vec<_>>();
                (points, eps, min, window)
            })
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1500))]

    #[test]
    fn indexed_equals_brute_force((points, eps, min, window) in scene()) {
        let fast = run(&points, eps, min, window);
        let slow = reference(&points, eps, min, window);
        prop_assert_eq!(fast, slow);
    }

    #[test]
    fn duplicates_and_grid_points_agree(
        lat in -89.0..89.0f64,
        lon in -179.0..179.0f64,
        k in 1usize..6,
        eps in 0.1..3.0f64,
        min in 1usize..5,
    ) {
        // Points on a lattice spaced exactly eps/k apart along a meridian, many repeated: many
        // pairs sit on or next to the boundary, and duplicates share a cell.
        let step = eps / k as f64 / EARTH_RADIUS_KM;
        let points: Vec<GeoPoint> = (0..30)
            .map(|i| {
                let la = (lat + ((i % 10) as f64 * step).to_degrees()).clamp(-90.0, 90.0);
                GeoPoint::new(la, lon, None).unwrap()
            })
            .collect();
        prop_assert_eq!(run(&points, eps, min, None), reference(&points, eps, min, None));
    }
}
