//! Kinga's domain: the rules of protection work, with no I/O, no async, no SQL, no clock and
//! no randomness. Time and identifiers are passed in by the caller.

pub mod agreement;
pub mod alert;
pub mod analysis;
pub mod audit;
pub mod compartment;
pub mod conflict;
pub mod deadline;
pub mod dedup;
pub mod digest;
pub mod error;
pub mod export;
pub mod gazetteer_import;
pub mod incident;
pub mod limits;
pub mod media;
pub mod outbox;
pub mod peer;
pub mod people;
pub mod phone;
pub mod pin;
pub mod place;
pub mod registry;
pub mod routing;
pub mod sms;
pub mod text;
pub mod threat;
pub mod transition;
pub mod ussd;
pub mod voice;
pub mod whatsapp;

pub use alert::{
    Alert, AlertEvent, AlertState, Channel, Reporter, TimelineEntry, TransitionRequest,
};
pub use error::DomainError;
pub use threat::{Severity, ThreatType};
