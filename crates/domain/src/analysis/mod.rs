//! Protection analysis over many events: space–time clustering (DBSCAN) for hotspot maps and
//! for analysts' `kinga cluster`, response indicators, spike detection. Pure: the caller
//! reads the events and writes the result.

pub mod boundaries;
pub mod cluster;
pub mod context;
mod grid;
pub mod hotspots;
pub mod indicators;
pub mod map;
mod metric;
pub mod risk;
pub mod spikes;
pub mod steps;
#[cfg(test)]
pub(crate) mod testkit;
pub mod trends;

pub use cluster::{ClusterError, Clustering, DbscanParams, GeoPoint, dbscan};
pub use metric::{EARTH_RADIUS_KM, haversine_rad};

#[cfg(test)]
mod tests;
