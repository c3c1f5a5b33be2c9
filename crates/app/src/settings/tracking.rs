//! Alert tracking and protection figures: deadlines, the daily digest, spike detection and
//! small counts in reports.

use serde::{Deserialize, Serialize};

use kinga_domain::deadline::{DeadlinePolicy, StepMinutes};

/// Deadlines in minutes per severity, as `[acknowledge, verify, respond]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Deadlines {
    /// Severity 1.
    pub severity_1: [u32; 3],
    /// Severity 2.
    pub severity_2: [u32; 3],
    /// Severity 3.
    pub severity_3: [u32; 3],
    /// Severity 4 (imminent threat to life).
    pub severity_4: [u32; 3],
    /// Seconds between two runs of the escalation job.
    pub check_seconds: u64,
}

impl Default for Deadlines {
    fn default() -> Self {
        let p = DeadlinePolicy::default().by_severity;
        let a = |s: StepMinutes| [s.acknowledge, s.verify, s.respond];
        Deadlines {
            severity_1: a(p[0]),
            severity_2: a(p[1]),
            severity_3: a(p[2]),
            severity_4: a(p[3]),
            check_seconds: 60,
        }
    }
}

impl Deadlines {
    /// The domain policy these settings describe.
    pub fn policy(&self) -> DeadlinePolicy {
        let s = |m: [u32; 3]| StepMinutes {
            acknowledge: m[0],
            verify: m[1],
            respond: m[2],
        };
        DeadlinePolicy {
            by_severity: [
                s(self.severity_1),
                s(self.severity_2),
                s(self.severity_3),
                s(self.severity_4),
            ],
        }
    }
}

/// When the daily alert tracking digest is issued.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct DigestSettings {
    /// Hour of the day, in the deployment's time zone, after which yesterday's digest (a
    /// local day, midnight to midnight) is issued.
    #[serde(alias = "hour_utc")]
    pub hour: u32,
}

impl Default for DigestSettings {
    fn default() -> Self {
        DigestSettings { hour: 7 }
    }
}

/// Spike detection: how often it runs and what a spike is (see `analysis/spikes.rs`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Analysis {
    /// Minutes between two runs of the spike job in `kinga serve` (0: never).
    pub spike_check_minutes: u64,
    /// Days before a day that make its baseline.
    pub spike_baseline_days: u32,
    /// A count whose probability under the baseline is at most this is a spike.
    pub spike_alpha: f64,
    /// Fewest alerts in one day that may be a spike.
    pub spike_min_count: u32,
}

impl Default for Analysis {
    fn default() -> Self {
        let p = kinga_domain::analysis::spikes::SpikeParams::default();
        Analysis {
            spike_check_minutes: 15,
            spike_baseline_days: p.baseline_days,
            spike_alpha: p.alpha,
            spike_min_count: p.min_count,
        }
    }
}

impl Analysis {
    /// The detection's parameters.
    pub fn params(&self) -> kinga_domain::analysis::spikes::SpikeParams {
        kinga_domain::analysis::spikes::SpikeParams {
            baseline_days: self.spike_baseline_days.clamp(1, 365),
            alpha: self.spike_alpha,
            min_count: self.spike_min_count.max(1),
        }
    }
}

/// Protection monitoring.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Monitoring {
    /// In aggregate reports, a count of sensitive records below this (but not zero) is shown
    /// as `<N` (`KINGA_MONITORING_SUPPRESSION_THRESHOLD`; at least 1, which hides nothing).
    pub suppression_threshold: u64,
}

impl Default for Monitoring {
    fn default() -> Self {
        Monitoring {
            suppression_threshold: kinga_domain::incident::report::DEFAULT_THRESHOLD,
        }
    }
}
