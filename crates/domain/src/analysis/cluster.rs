//! DBSCAN over events on the Earth, optionally within a time window, giving exactly the labels
//! of scikit-learn's `DBSCAN(eps=eps_km/6371.0088, min_samples=M, metric='haversine',
//! algorithm='ball_tree')` on `[lat, lon]` in radians.
//!
//! Semantics, as scikit-learn's:
//! - `j` is a neighbour of `i` when their haversine distance is at most eps (`<=`, decided as
//!   in [`super::metric`]), and, with a window, when their times differ by at most the window.
//!   Every event is its own neighbour.
//! - An event is *core* when it has at least `min_samples` neighbours, itself included.
//! - Clusters are the connected components of core events under the neighbour relation.
//!   They are numbered 0, 1, … in the order of their lowest-index core event: scikit-learn's
//!   `dbscan_inner` walks the events in input order and grows a whole cluster (a depth-first
//!   search with a stack) from each core event not yet labelled, so a cluster's number is
//!   fixed by the first of its core events in the input.
//! - A non-core event with a core neighbour (a *border* event) takes the smallest number among
//!   its core neighbours' clusters: each cluster is grown to the end before the next starts,
//!   so the first cluster to reach a border event keeps it. The stack's order inside one
//!   cluster does not matter.
//! - Every other event is noise, `-1`.
//!
//! How, for speed: events are sorted into a grid of cells one chord wide ([`super::grid`]).
//! 1. Core events: each event counts neighbours in its own cell first, then the cells around,
//!    and stops at `min_samples`, so dense hotspots cost a dozen comparisons per event.
//! 2. Components: a union–find over core events. First each cell's core events are joined by
//!    a search inside the cell; in a dense cell this makes one component from one pass (with a
//!    window, by a sweep in time order, as one cell may hold years of reports). Then,
//!    for each pair of neighbouring cells, a pair whose two cells are already in one component
//!    is skipped without a single distance; otherwise the first near core pair found joins
//!    them. This skips the hundreds of millions of pairs a pair-by-pair expansion (what
//!    scikit-learn does) computes in dense areas.
//! 3. Labels: components are numbered by their lowest input index; border events take the
//!    smallest number among their core neighbours.
//!
//! Steps 1, 3 and the grid's construction run on all cores (rayon); step 2 is sequential.

use rayon::prelude::*;
use thiserror::Error;

use super::grid::Grid;
use super::metric::{EARTH_RADIUS_KM, Metric, Pt};

/// Why a clustering could not be made.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ClusterError {
    /// Latitude not a number within ±90°.
    #[error("latitude {0} is not within -90..90")]
    Latitude(f64),
    /// Longitude not a number within ±180°.
    #[error("longitude {0} is not within -180..180")]
    Longitude(f64),
    /// eps not a positive number of kilometres.
    #[error("eps must be a positive number of kilometres, not {0}")]
    Eps(f64),
    /// min_samples of zero.
    #[error("min_samples must be at least 1 (it counts the event itself)")]
    MinSamples,
    /// Negative time window.
    #[error("the time window must not be negative ({0} s)")]
    Window(i64),
    /// A time window was given but an event has no time.
    #[error("event {index} has no time, but a time window was given")]
    MissingTime {
        /// Index of the event in the slice.
        index: usize,
    },
    /// More events than the index addresses.
    #[error("{0} events are more than the {max} one clustering can hold", max = u32::MAX)]
    TooMany(usize),
}

/// One event: where, and when (Unix seconds) if known.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeoPoint {
    lat: f64,
    lon: f64,
    time: Option<i64>,
}

impl GeoPoint {
    /// A point in degrees; latitude within ±90 and longitude within ±180, both finite.
    pub fn new(lat: f64, lon: f64, time: Option<i64>) -> Result<GeoPoint, ClusterError> {
        if !(-90.0..=90.0).contains(&lat) {
            return Err(ClusterError::Latitude(lat));
        }
        if !(-180.0..=180.0).contains(&lon) {
            return Err(ClusterError::Longitude(lon));
        }
        Ok(GeoPoint { lat, lon, time })
    }

    /// Latitude in degrees.
    pub fn lat(&self) -> f64 {
        self.lat
    }

    /// Longitude in degrees.
    pub fn lon(&self) -> f64 {
        self.lon
    }

    /// Unix seconds, if known.
    pub fn time(&self) -> Option<i64> {
        self.time
    }
}

/// What makes two events neighbours, and how many make a core.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DbscanParams {
    eps_km: f64,
    min_samples: usize,
    window_seconds: Option<i64>,
}

impl DbscanParams {
    /// `eps_km` > 0 and finite; `min_samples` ≥ 1 (counting the event itself); the window,
    /// when given, ≥ 0 seconds (events are then neighbours only that close in time too).
    pub fn new(
        eps_km: f64,
        min_samples: usize,
        window_seconds: Option<i64>,
    ) -> Result<DbscanParams, ClusterError> {
        if !(eps_km.is_finite() && eps_km > 0.0) {
            return Err(ClusterError::Eps(eps_km));
        }
        if min_samples == 0 {
            return Err(ClusterError::MinSamples);
        }
        if let Some(w) = window_seconds.filter(|w| *w < 0) {
            return Err(ClusterError::Window(w));
        }
        Ok(DbscanParams {
            eps_km,
            min_samples,
            window_seconds,
        })
    }

    /// Neighbourhood radius in kilometres.
    pub fn eps_km(&self) -> f64 {
        self.eps_km
    }

    /// Neighbours (the event itself included) that make an event core.
    pub fn min_samples(&self) -> usize {
        self.min_samples
    }

    /// Largest time difference between neighbours, in seconds.
    pub fn window_seconds(&self) -> Option<i64> {
        self.window_seconds
    }

    /// eps in radians, computed as a caller of scikit-learn does: `eps_km / 6371.0088`.
    pub fn eps_rad(&self) -> f64 {
        self.eps_km / EARTH_RADIUS_KM
    }
}

/// The result, one entry per event in input order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Clustering {
    /// Cluster number, `-1` for noise.
    pub labels: Vec<i32>,
    /// Whether the event is a core event.
    pub core: Vec<bool>,
}

/// Cluster `points`; see the module's documentation for the exact semantics.
pub fn dbscan(points: &[GeoPoint], params: &DbscanParams) -> Result<Clustering, ClusterError> {
    let n = points.len();
    if n >= u32::MAX as usize {
        return Err(ClusterError::TooMany(n));
    }
    if params.window_seconds.is_some() {
        if let Some(index) = points.iter().position(|p| p.time.is_none()) {
            return Err(ClusterError::MissingTime { index });
        }
    }
    if n == 0 {
        return Ok(Clustering::default());
    }
    let metric = Metric::new(params.eps_rad(), params.window_seconds);
    let pts: Vec<Pt> = points
        .par_iter()
        .enumerate()
        .map(|(i, p)| Pt::new(p.lat, p.lon, p.time.unwrap_or(0), i as u32))
        .collect();
    let mut grid = Grid::build(pts, &metric);

    let core_sorted: Vec<bool> = (0..n)
        .into_par_iter()
        .map(|k| is_core(&grid, &metric, k, params.min_samples))
        .collect();
    grid.core_first(&core_sorted);
    drop(core_sorted);

    let mut sets = connect(&grid, &metric);

    // Number components by their lowest input index, as dbscan_inner does.
    let mut pos_of = vec![0u32; n];
    for (k, p) in grid.pts.iter().enumerate() {
        pos_of[p.idx as usize] = k as u32;
    }
    let mut is_core_pos = vec![false; n];
    for c in &grid.cells {
        is_core_pos[c.start as usize..c.core_end as usize].fill(true);
    }
    let mut root_label = vec![-1i32; n];
    let mut labels = vec![-1i32; n];
    let mut next = 0i32;
    for (i, &k) in pos_of.iter().enumerate() {
        if is_core_pos[k as usize] {
            let r = sets.find(k) as usize;
            if root_label[r] < 0 {
                root_label[r] = next;
                next += 1;
            }
            labels[i] = root_label[r];
        }
    }
    // Labels by sorted position, for the border search.
    let pos_label: Vec<i32> = grid.pts.iter().map(|p| labels[p.idx as usize]).collect();
    let borders: Vec<(u32, i32)> = (0..grid.cells.len())
        .into_par_iter()
        .flat_map_iter(|c| {
            let cell = grid.cells[c];
            let (grid, metric, pos_label) = (&grid, &metric, &pos_label);
            (cell.core_end..cell.end).filter_map(move |k| {
                let a = &grid.pts[k as usize];
                border_label(grid, metric, pos_label, c, a).map(|l| (a.idx, l))
            })
        })
        .collect();
    for (i, l) in borders {
        labels[i as usize] = l;
    }
    let core = (0..n).map(|i| is_core_pos[pos_of[i] as usize]).collect();
    Ok(Clustering { labels, core })
}

/// Positions in `lo..hi` (one cell's run, sorted by time when a window is set) whose time is
/// within the window of `a`'s.
#[inline]
fn span(grid: &Grid, metric: &Metric, lo: u32, hi: u32, a: &Pt) -> std::ops::Range<usize> {
    let (lo, hi) = (lo as usize, hi as usize);
    match metric.window() {
        None => lo..hi,
        Some(w) => {
            let run = &grid.pts[lo..hi];
            let w = i64::try_from(w).unwrap_or(i64::MAX);
            let first = run.partition_point(|b| b.t < a.t.saturating_sub(w));
            let last = run.partition_point(|b| b.t <= a.t.saturating_add(w));
            lo + first..lo + last.max(first)
        }
    }
}

/// Whether the event at sorted position `k` has `min_samples` neighbours.
fn is_core(grid: &Grid, metric: &Metric, k: usize, min_samples: usize) -> bool {
    if min_samples <= 1 {
        return true;
    }
    let a = &grid.pts[k];
    let mut count = 0;
    for &c in grid.neighbours(grid.cell_of[k] as usize) {
        let cell = grid.cells[c as usize];
        for b in &grid.pts[span(grid, metric, cell.start, cell.end, a)] {
            if metric.near(a, b) {
                count += 1;
                if count >= min_samples {
                    return true;
                }
            }
        }
    }
    false
}

/// Smallest cluster number among the core neighbours of border candidate `a` in cell `c`.
fn border_label(grid: &Grid, metric: &Metric, pos_label: &[i32], c: usize, a: &Pt) -> Option<i32> {
    let mut best = i32::MAX;
    for &b_cell in grid.neighbours(c) {
        let cell = grid.cells[b_cell as usize];
        let r = span(grid, metric, cell.start, cell.core_end, a);
        for (k, b) in r.clone().zip(&grid.pts[r]) {
            if pos_label[k] < best && metric.near(a, b) {
                best = pos_label[k];
            }
        }
    }
    (best != i32::MAX).then_some(best)
}

/// Union–find over sorted positions: union by size, path halving.
struct Sets {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl Sets {
    fn new(n: usize) -> Sets {
        Sets {
            parent: (0..n as u32).collect(),
            size: vec![1; n],
        }
    }

    fn find(&mut self, mut x: u32) -> u32 {
        loop {
            let p = self.parent[x as usize];
            if p == x {
                return x;
            }
            let gp = self.parent[p as usize];
            self.parent[x as usize] = gp;
            x = gp;
        }
    }

    fn union(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return;
        }
        let (big, small) = if self.size[ra as usize] >= self.size[rb as usize] {
            (ra, rb)
        } else {
            (rb, ra)
        };
        self.parent[small as usize] = big;
        self.size[big as usize] += self.size[small as usize];
    }
}

/// Join core events into components (step 2 of the module's documentation).
fn connect(grid: &Grid, metric: &Metric) -> Sets {
    let n = grid.pts.len();
    let mut sets = Sets::new(n);
    let mut unified = vec![false; grid.cells.len()];
    let mut scratch = (Vec::new(), Vec::new());
    for (c, cell) in grid.cells.iter().enumerate() {
        if cell.core_end > cell.start {
            unified[c] = match metric.window() {
                None => join_in_cell(grid, metric, *cell, &mut sets, &mut scratch),
                Some(_) => join_in_cell_by_time(grid, metric, *cell, &mut sets),
            };
        }
    }
    for (c, cell) in grid.cells.iter().enumerate() {
        if cell.core_end == cell.start {
            continue;
        }
        for &d in grid.neighbours(c) {
            let d = d as usize;
            let other = grid.cells[d];
            if d <= c || other.core_end == other.start {
                continue;
            }
            if unified[c] && unified[d] {
                if sets.find(cell.start) == sets.find(other.start) {
                    continue;
                }
                if any_near(grid, metric, *cell, other) {
                    sets.union(cell.start, other.start);
                }
            } else {
                for a in cell.start..cell.core_end {
                    let pa = grid.pts[a as usize];
                    for b in span(grid, metric, other.start, other.core_end, &pa) {
                        if sets.find(a) != sets.find(b as u32) && metric.near(&pa, &grid.pts[b]) {
                            sets.union(a, b as u32);
                        }
                    }
                }
            }
        }
    }
    sets
}

/// Join the core events of a cell, all still singletons, by a search from the first one,
/// then from each one not reached; whether they make one component. In a dense cell the
/// first event reaches nearly all the others, so this costs about one pass.
fn join_in_cell(
    grid: &Grid,
    metric: &Metric,
    cell: super::grid::Cell,
    sets: &mut Sets,
    (rest, stack): &mut (Vec<u32>, Vec<u32>),
) -> bool {
    rest.clear();
    rest.extend(cell.start + 1..cell.core_end);
    let mut seed = cell.start;
    let mut components = 0;
    loop {
        components += 1;
        stack.push(seed);
        while let Some(a) = stack.pop() {
            let pa = grid.pts[a as usize];
            let mut i = 0;
            while i < rest.len() {
                let r = rest[i];
                if metric.near(&pa, &grid.pts[r as usize]) {
                    // Every event is still a singleton: linking to the seed is a union.
                    sets.parent[r as usize] = seed;
                    sets.size[seed as usize] += 1;
                    stack.push(r);
                    rest.swap_remove(i);
                } else {
                    i += 1;
                }
            }
        }
        match rest.pop() {
            Some(r) => seed = r,
            None => return components == 1,
        }
    }
}

/// The same with a time window: the cell's core events are sorted by time, so each one is
/// compared only with the later ones within the window, skipping those already joined. A
/// search from one event would scan the whole cell (years of reports at one town) each time.
fn join_in_cell_by_time(
    grid: &Grid,
    metric: &Metric,
    cell: super::grid::Cell,
    sets: &mut Sets,
) -> bool {
    for a in cell.start..cell.core_end {
        let pa = grid.pts[a as usize];
        for b in a as usize + 1..span(grid, metric, a + 1, cell.core_end, &pa).end {
            if sets.find(a) != sets.find(b as u32) && metric.near(&pa, &grid.pts[b]) {
                sets.union(a, b as u32);
            }
        }
    }
    let root = sets.find(cell.start);
    (cell.start + 1..cell.core_end).all(|a| sets.find(a) == root)
}

/// Whether some core event of `a` is a neighbour of some core event of `b`.
fn any_near(grid: &Grid, metric: &Metric, a: super::grid::Cell, b: super::grid::Cell) -> bool {
    grid.pts[a.start as usize..a.core_end as usize]
        .iter()
        .any(|pa| {
            grid.pts[span(grid, metric, b.start, b.core_end, pa)]
                .iter()
                .any(|pb| metric.near(pa, pb))
        })
}
