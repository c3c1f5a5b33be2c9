//! Helpers shared by the store backends (not meant for application code): the indexed columns
//! of an alert, JSON documents, chain sealing, page limits and group-commit batching.

mod chain;
mod check;
mod codec;
mod columns;
mod prepare;
mod sql;
mod tally_rows;
mod writer;

pub use chain::{CHAIN_HEADS_SQL, ChainHead, ImportChains, reference_number};
pub use check::{
    canonical_time, column_differences, expected_columns, incident_side_rows, side_row_faults,
};
pub use codec::{decode, encode, variant_name};
pub use columns::{AlertColumns, IncidentColumns};
pub use prepare::{Prepared, prepare_import};
pub use sql::{
    MAX_PAGE, from_sql_int, like_pattern, page_limit, prefix_upper_bound, sql_count, to_sql_int,
};
pub use tally_rows::{TallyRows, build_tallies, perpetrator_categories, tally_value};
pub use writer::{MAX_BATCH, WriterCounters, WriterStats, describe, drain_batch};
