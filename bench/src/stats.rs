//! Latency summaries and the server process's CPU time and memory, read from /proc.

use serde::{Deserialize, Serialize};

/// Percentiles of a set of latencies, in milliseconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub count: usize,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub max: f64,
}

impl Summary {
    /// Summarises latencies given in microseconds.
    pub fn of_micros(samples: &[u32]) -> Self {
        if samples.is_empty() {
            return Self::default();
        }
        let mut sorted = samples.to_vec();
        sorted.sort_unstable();
        let at = |p: f64| {
            let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
            f64::from(sorted[rank - 1]) / 1000.0
        };
        Self {
            count: sorted.len(),
            p50: at(0.50),
            p95: at(0.95),
            p99: at(0.99),
            max: f64::from(*sorted.last().unwrap_or(&0)) / 1000.0,
        }
    }
}

/// A process's CPU seconds (user + system) and resident memory, from /proc.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct ProcessStats {
    pub cpu_seconds: f64,
    /// Resident set now, in MiB.
    pub rss_mb: f64,
    /// Highest resident set so far, in MiB.
    pub peak_rss_mb: f64,
}

impl ProcessStats {
    /// Reads the process's figures; zeros when it is gone or /proc is not there.
    pub fn read(pid: u32) -> Self {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        Self {
            cpu_seconds: cpu_seconds(&stat),
            rss_mb: status_kib(&status, "VmRSS:") / 1024.0,
            peak_rss_mb: status_kib(&status, "VmHWM:") / 1024.0,
        }
    }
}

/// utime + stime (fields 14 and 15) in clock ticks of 1/100 s, after the command's parentheses.
fn cpu_seconds(stat: &str) -> f64 {
    let Some((_, rest)) = stat.rsplit_once(')') else {
        return 0.0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // `rest` starts at field 3 (state), so field n is at index n - 3.
    let ticks = |n: usize| {
        fields
            .get(n - 3)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(14) + ticks(15)) / 100.0
}

fn status_kib(status: &str, key: &str) -> f64 {
    status
        .lines()
        .find_map(|line| line.strip_prefix(key))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kib| kib.parse().ok())
        .unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let samples: Vec<u32> = (1..=100).map(|ms| ms * 1000).collect();
        let summary = Summary::of_micros(&samples);
        assert_eq!(summary.count, 100);
        assert_eq!(summary.p50, 50.0);
        assert_eq!(summary.p95, 95.0);
        assert_eq!(summary.p99, 99.0);
        assert_eq!(summary.max, 100.0);
        assert_eq!(Summary::of_micros(&[]), Summary::default());
    }

    #[test]
    fn proc_stat_fields_are_read_after_the_command_name() {
        let stat = "42 (peer wall) S 1 42 42 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 9 0";
        assert_eq!(cpu_seconds(stat), 3.0);
        let status = "Name:\tpeerwall\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\n";
        assert_eq!(status_kib(status, "VmRSS:"), 102400.0);
        assert_eq!(status_kib(status, "VmHWM:"), 204800.0);
    }

    #[test]
    fn this_process_has_figures() {
        let stats = ProcessStats::read(std::process::id());
        assert!(stats.rss_mb > 0.0 && stats.peak_rss_mb >= stats.rss_mb);
    }
}
