//! The neighbour test, decided exactly as scikit-learn's ball tree decides it.
//!
//! scikit-learn's haversine ball tree compares, in its leaves, the *reduced* distance
//! `sin²(Δφ/2) + cos φ₁ cos φ₂ sin²(Δλ/2)` (angles in radians) with `sin²(eps/2)`, where `eps`
//! is the radius in radians. [`Metric::near`] computes the very same expression with the same
//! operations in the same order, so a pair that lies exactly on the eps boundary gets the same
//! answer from both. The trigonometry costs about 20 ns a pair, so a cheap pre-filter on the
//! squared chord between unit vectors (three multiplications) answers every pair that is
//! clearly inside or clearly outside; only pairs within a relative 10⁻⁹-ish band around the
//! boundary, where rounding could make the two formulas disagree, fall through to the exact
//! expression.

/// Mean Earth radius in kilometres (IUGG), the radius DESIGN.md fixes for `kinga cluster`.
/// It equals the radius of `dedup::haversine_km` (a unit test checks it), which is kept
/// private there.
pub const EARTH_RADIUS_KM: f64 = 6371.0088;

/// Great-circle angle in radians between two points given in radians, computed as
/// scikit-learn's `HaversineDistance` does: `2·asin(√(sin²(Δφ/2) + cos φ₁ cos φ₂ sin²(Δλ/2)))`.
pub fn haversine_rad(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    2.0 * reduced(lat1, lat1.cos(), lon1, lat2, lat2.cos(), lon2)
        .sqrt()
        .asin()
}

/// scikit-learn's `rdist`: same operations, same order (`x1` is the query point).
#[inline]
fn reduced(lat1: f64, cos1: f64, lon1: f64, lat2: f64, cos2: f64, lon2: f64) -> f64 {
    let sin_0 = (0.5 * (lat1 - lat2)).sin();
    let sin_1 = (0.5 * (lon1 - lon2)).sin();
    sin_0 * sin_0 + cos1 * cos2 * sin_1 * sin_1
}

/// One event as the index stores it: 64 bytes, one cache line, so scanning a cell reads
/// memory in order.
#[derive(Debug, Clone, Copy, Default)]
#[repr(C)]
pub(crate) struct Pt {
    /// Unit vector (x, y, z) on the sphere: the grid and the chord pre-filter use it.
    pub x: f64,
    /// See `x`.
    pub y: f64,
    /// See `x`.
    pub z: f64,
    /// Latitude in radians, rounded exactly as `numpy.radians` rounds it.
    pub lat: f64,
    /// Longitude in radians, likewise.
    pub lon: f64,
    /// `cos(lat)`, computed once; the same value scikit-learn recomputes per pair.
    pub cos_lat: f64,
    /// Unix seconds (0 when there is no time window).
    pub t: i64,
    /// Index of the event in the caller's slice.
    pub idx: u32,
    /// Whether it is a core event (known after the first step; fits in the padding).
    pub core: bool,
}

impl Pt {
    /// Build from degrees, as `numpy.radians(deg)` does (`deg · (π/180)`).
    pub fn new(lat_deg: f64, lon_deg: f64, t: i64, idx: u32) -> Pt {
        let lat = lat_deg.to_radians();
        let lon = lon_deg.to_radians();
        let cos_lat = lat.cos();
        Pt {
            x: cos_lat * lon.cos(),
            y: cos_lat * lon.sin(),
            z: lat.sin(),
            lat,
            lon,
            cos_lat,
            t,
            idx,
            core: false,
        }
    }
}

/// The neighbour relation: within eps (scikit-learn's way) and, when a window is set, within
/// that many seconds.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Metric {
    /// `sin²(eps/2)`: scikit-learn's `_dist_to_rdist(eps)`; infinite when eps ≥ π.
    reduced_eps: f64,
    /// Squared chords below this are neighbours whatever the rounding.
    chord2_in: f64,
    /// Squared chords above this are not neighbours whatever the rounding.
    chord2_out: f64,
    /// Largest time difference between neighbours, in seconds.
    window: Option<u64>,
}

impl Metric {
    /// `eps_rad` must be positive and finite; `window` non-negative.
    pub fn new(eps_rad: f64, window: Option<i64>) -> Metric {
        let window = window.map(|w| w.max(0).unsigned_abs());
        if eps_rad >= std::f64::consts::PI {
            // Beyond half a great circle every pair is a neighbour. scikit-learn's
            // `sin²(eps/2)` would shrink again past π, which is meaningless; we do not copy it.
            return Metric {
                reduced_eps: f64::INFINITY,
                chord2_in: f64::INFINITY,
                chord2_out: f64::INFINITY,
                window,
            };
        }
        let s = (0.5 * eps_rad).sin();
        let reduced_eps = s * s;
        // chord² = 4·reduced mathematically. Unit-vector coordinates carry a few ulps of
        // error (≈ 1e-15 absolute), so chord² carries ≈ 2.3e-15·chord; the relative band
        // below is wider than that by a factor of ~400, and the reduced distance itself is
        // accurate to a few ulps.
        let chord2 = 4.0 * reduced_eps;
        let tol = 1e-12 + 1e-12 / chord2.sqrt();
        Metric {
            reduced_eps,
            chord2_in: chord2 * (1.0 - tol),
            chord2_out: chord2 * (1.0 + tol),
            window,
        }
    }

    /// The largest squared chord a neighbour pair can show, rounding included: the grid's
    /// cells are built from it.
    pub fn max_chord2(&self) -> f64 {
        self.chord2_out
    }

    /// Largest time difference between neighbours, in seconds, if any.
    pub fn window(&self) -> Option<u64> {
        self.window
    }

    /// Whether `a` and `b` are neighbours.
    #[inline(always)]
    pub fn near(&self, a: &Pt, b: &Pt) -> bool {
        match self.window {
            Some(w) if a.t.abs_diff(b.t) > w => false,
            _ => self.near_space(a, b),
        }
    }

    /// Whether `a` and `b` are within eps, ignoring time.
    #[inline(always)]
    pub fn near_space(&self, a: &Pt, b: &Pt) -> bool {
        let (dx, dy, dz) = (a.x - b.x, a.y - b.y, a.z - b.z);
        let c2 = dx * dx + dy * dy + dz * dz;
        if c2 < self.chord2_in {
            true
        } else if c2 > self.chord2_out {
            false
        } else {
            self.near_exact(a, b)
        }
    }

    /// scikit-learn's comparison, with no pre-filter.
    #[inline(never)]
    pub fn near_exact(&self, a: &Pt, b: &Pt) -> bool {
        reduced(a.lat, a.cos_lat, a.lon, b.lat, b.cos_lat, b.lon) <= self.reduced_eps
    }
}
