//! Kinga's integration tests: one binary, every story run on SQLite and on PostgreSQL over
//! real connections, against the real `kinga` binary.

mod africastalking_voice;
mod api;
mod backup;
mod browser;
mod care;
mod cli;
mod cluster;
mod context;
mod crash;
mod dashboard;
mod exports;
mod focal_points;
mod handover;
mod harness;
mod hrddp;
mod incident_geo;
mod incidents;
mod kannel;
mod map;
mod map_load;
mod mrm;
mod national;
mod openrosa;
mod outbound;
mod pages;
mod sanitised;
mod schema_fuzz;
mod security;
mod sharing;
mod sms;
mod sms_gateways;
mod sync;
mod transition;
mod transition_after_closure;
mod transition_broadcasts;
mod transition_cliff;
mod transition_records;
mod transition_routing;
mod ussd;
mod voice;
mod whatsapp;
mod whatsapp_outbound;

/// Define a test that runs `$body(Backend)` once per backend.
#[macro_export]
macro_rules! on_both_stores {
    ($name:ident, $body:path) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                $body($crate::harness::Backend::Sqlite).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                $body($crate::harness::Backend::Postgres).await;
            }
        }
    };
}
