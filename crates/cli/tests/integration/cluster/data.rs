//! Seeded event sets and the comparison of `kinga cluster`'s output with scikit-learn's,
//! shared by the integration test (`cluster.rs`) and the benchmark (`benches/cluster.rs`).
// Each of the two uses part of it.
#![allow(dead_code)]

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::path::Path;

/// SplitMix64: a seeded generator whose sequence never changes with a dependency's version.
pub struct Rng(u64);

impl Rng {
    /// A generator starting from `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in [lo, hi).
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
}

/// Mean Earth radius, km.
const R: f64 = 6371.0088;

/// The point `dist_km` from (lat, lon) along `bearing` (radians from north), on the sphere:
/// exact across the poles and the antimeridian, where adding degrees is not.
pub fn destination(lat: f64, lon: f64, bearing: f64, dist_km: f64) -> (f64, f64) {
    let (p1, l1, d) = (lat.to_radians(), lon.to_radians(), dist_km / R);
    let p2 = (p1.sin() * d.cos() + p1.cos() * d.sin() * bearing.cos()).asin();
    let l2 = l1 + (bearing.sin() * d.sin() * p1.cos()).atan2(d.cos() - p1.sin() * p2.sin());
    let mut lon2 = l2.to_degrees();
    while lon2 > 180.0 {
        lon2 -= 360.0;
    }
    while lon2 < -180.0 {
        lon2 += 360.0;
    }
    (p2.to_degrees().clamp(-90.0, 90.0), lon2)
}

/// A point scattered around (lat, lon) as a 2-D Gaussian of `sigma_km`.
pub fn around(rng: &mut Rng, lat: f64, lon: f64, sigma_km: f64) -> (f64, f64) {
    let u = rng.unit().max(1e-300);
    let dist = sigma_km * (-2.0 * u.ln()).sqrt();
    destination(lat, lon, rng.range(0.0, std::f64::consts::TAU), dist)
}

/// Write `id,lat,lon[,time]` rows, coordinates in Rust's shortest round-trip form so that
/// Python reads back the very same doubles.
pub fn write_events(path: &Path, rows: &[(f64, f64)], times: Option<&[i64]>) {
    let mut s = String::with_capacity(rows.len() * 48);
    s.push_str(if times.is_some() {
        "id,lat,lon,time\n"
    } else {
        "id,lat,lon\n"
    });
    for (i, (lat, lon)) in rows.iter().enumerate() {
        let _ = write!(s, "e{i},{lat},{lon}");
        if let Some(t) = times {
            let dt = chrono::DateTime::from_timestamp(t[i], 0).unwrap_or_default();
            let _ = write!(s, ",{}", dt.format("%Y-%m-%dT%H:%M:%SZ"));
        }
        s.push('\n');
    }
    std::fs::write(path, s).expect("write events");
}

/// How `kinga cluster`'s output compares with scikit-learn's.
#[derive(Debug)]
pub struct Comparison {
    /// Rows compared.
    pub events: usize,
    /// scikit-learn's clusters.
    pub clusters: usize,
    /// Noise events (the same in both).
    pub noise: usize,
    /// scikit-learn's core events.
    pub core: usize,
    /// Events whose cluster numbers differ (allowed only for border events, which may be
    /// reachable from two clusters).
    pub label_differences: usize,
}

impl Comparison {
    /// Whether every label is the same.
    pub fn identical(&self) -> bool {
        self.label_differences == 0
    }
}

/// Compare `kinga` (`id,cluster`) with scikit-learn (`id,cluster,core`): the same ids in the
/// same order, the same noise set and the same partition of the core events are required
/// (an error otherwise); differing numbers are counted.
pub fn compare(kinga: &str, sklearn: &str) -> Result<Comparison, String> {
    let rows = |text: &str, fields: usize| -> Result<Vec<Vec<String>>, String> {
        let mut lines = text.lines();
        lines.next().ok_or("no header")?;
        lines
            .map(|l| {
                let f: Vec<String> = l.split(',').map(str::to_string).collect();
                if f.len() == fields {
                    Ok(f)
                } else {
                    Err(format!("bad row {l:?}"))
                }
            })
            .collect()
    };
    let k = rows(kinga, 2)?;
    let s = rows(sklearn, 3)?;
    if k.len() != s.len() {
        return Err(format!(
            "{} rows from kinga, {} from sklearn",
            k.len(),
            s.len()
        ));
    }
    let num = |v: &str| v.parse::<i64>().map_err(|e| format!("{v:?}: {e}"));
    let mut noise = 0;
    let mut core = 0;
    let mut label_differences = 0;
    let mut sk_to_k: HashMap<i64, i64> = HashMap::new();
    let mut k_of_core: HashSet<i64> = HashSet::new();
    let mut clusters: HashSet<i64> = HashSet::new();
    for (i, (kr, sr)) in k.iter().zip(&s).enumerate() {
        if kr[0] != sr[0] {
            return Err(format!(
                "row {i}: id {} from kinga, {} from sklearn",
                kr[0], sr[0]
            ));
        }
        let (kl, sl, is_core) = (num(&kr[1])?, num(&sr[1])?, sr[2] == "1");
        if (kl < 0) != (sl < 0) {
            return Err(format!(
                "event {}: kinga says {kl}, sklearn says {sl} (noise sets differ)",
                kr[0]
            ));
        }
        if sl < 0 {
            noise += 1;
            continue;
        }
        clusters.insert(sl);
        if is_core {
            core += 1;
            match sk_to_k.get(&sl) {
                Some(&m) if m != kl => {
                    return Err(format!(
                        "core event {}: sklearn's cluster {sl} is split by kinga ({m} and {kl})",
                        kr[0]
                    ));
                }
                Some(_) => {}
                None => {
                    if !k_of_core.insert(kl) {
                        return Err(format!(
                            "core event {}: kinga's cluster {kl} joins two of sklearn's",
                            kr[0]
                        ));
                    }
                    sk_to_k.insert(sl, kl);
                }
            }
        }
        if kl != sl {
            label_differences += 1;
        }
    }
    Ok(Comparison {
        events: k.len(),
        clusters: clusters.len(),
        noise,
        core,
        label_differences,
    })
}
