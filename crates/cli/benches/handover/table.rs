//! The results table: one row per measured step, printed as it comes and again at the end.

use crate::instance::Timed;

/// The one-minute load average now.
fn load() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0)
}

/// One measured step beside its baseline.
pub struct Row {
    /// What was measured.
    pub step: String,
    /// Events it handled.
    pub events: u64,
    /// Its wall and CPU seconds.
    pub took: Timed,
    /// The load average when it ended.
    pub load: f64,
    /// What the baseline did.
    pub baseline: &'static str,
    /// The baseline's seconds.
    pub baseline_seconds: f64,
}

impl Row {
    /// A row, with the load average now.
    pub fn new(step: &str, events: u64, took: Timed, baseline: &'static str, base: f64) -> Row {
        Row {
            step: step.to_string(),
            events,
            took,
            load: load(),
            baseline,
            baseline_seconds: base,
        }
    }
    /// Events per wall-clock second.
    pub fn rate(&self) -> f64 {
        self.events as f64 / self.took.wall
    }
    /// One line of the table, printed as soon as the step is measured (a long run cut short
    /// still shows what it measured).
    pub fn print(&self) {
        println!(
            "{:<34} {:>9} {:>9.2} {:>11.0} {:>8.2} {:>11.0} {:>5.2} {:>12} {:>9.3} {:>6.1}x",
            self.step,
            self.events,
            self.took.wall,
            self.rate(),
            self.took.cpu,
            self.per_cpu(),
            self.load,
            self.baseline,
            self.baseline_seconds,
            self.ratio()
        );
    }
    /// Events per CPU second.
    pub fn per_cpu(&self) -> f64 {
        self.events as f64 / self.took.cpu
    }
    /// Wall time over the baseline's.
    pub fn ratio(&self) -> f64 {
        self.took.wall / self.baseline_seconds
    }
}

/// Print a measured step and keep it for the summary.
pub fn push(rows: &mut Vec<Row>, row: Row) {
    row.print();
    rows.push(row);
}

/// The table's header.
pub fn header() {
    println!(
        "{:<34} {:>9} {:>9} {:>11} {:>8} {:>11} {:>5} {:>12} {:>9} {:>7}",
        "step",
        "events",
        "seconds",
        "events/s",
        "CPU s",
        "ev/CPU-s",
        "load",
        "baseline",
        "base s",
        "ratio"
    );
}
