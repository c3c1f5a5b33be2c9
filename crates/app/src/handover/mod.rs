//! Handover between instances: this instance's identity (an Ed25519 key and a name), the
//! export of the whole ledger as a signed package for a recipient, and the import of such a
//! package into an empty instance, which then rebuilds every table from the events.
//! The package format is `kinga-handover` (docs/handover-format.md).

pub(crate) mod export;
mod identity;
mod import;
mod peers;

pub use export::ExportSummary;
pub use identity::{Identity, identity, instance_key_path, instance_name, set_instance_name};
pub use import::{ImportSummary, import_handover};
pub use kinga_handover::{
    Fault, InstanceKey, PUBLIC_KEY_PREFIX, PublicKey, PublicKeyLine, ReaderOptions, Summary, verify,
};

use std::sync::Arc;

/// Told how far a long job has got: `(done, total)` in the job's own unit (events for an
/// export, bytes of package for an import).
pub type Progress = Arc<dyn Fn(u64, u64) + Send + Sync>;

/// Id under which the master key (the field-sealing key) travels in a package.
pub const FIELD_SEALING: &str = "field-sealing";

/// Id under which a compartment key travels: `compartment:<compartment>:<version>`.
pub fn compartment_key_id(label: &str) -> String {
    format!("compartment:{label}")
}
