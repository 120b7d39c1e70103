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
    /// How much of the resident set is in the storage engine's memtable arenas, in MiB:
    /// SurrealKV reserves each memtable as one zeroed allocation of the memtable's size and
    /// fills it as writes arrive until it is flushed, so a soak's growth is told apart from the rest.
    pub arena_rss_mb: f64,
    /// How much of the resident set is mapped from files, in MiB: mostly the program's own
    /// code (a release `peerwall` is about 210 MB on disk, about 60 MiB of it resident), shared and
    /// reclaimable; the rest of the resident set is the process's own (anonymous) memory.
    #[serde(default)]
    pub file_rss_mb: f64,
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
            file_rss_mb: status_kib(&status, "RssFile:") / 1024.0,
            arena_rss_mb: arena_kib(
                &std::fs::read_to_string(format!("/proc/{pid}/smaps")).unwrap_or_default(),
                memtable_mib().map(|mib| f64::from(mib) * 1024.0),
            ) / 1024.0,
        }
    }
}

impl ProcessStats {
    /// The figures of several processes added up (the nodes and the database server of a run
    /// across nodes); each peak is the process's own, so their sum is an upper bound.
    pub fn total(pids: &[u32]) -> Self {
        pids.iter()
            .map(|pid| Self::read(*pid))
            .fold(Self::default(), |sum, one| Self {
                cpu_seconds: sum.cpu_seconds + one.cpu_seconds,
                rss_mb: sum.rss_mb + one.rss_mb,
                peak_rss_mb: sum.peak_rss_mb + one.peak_rss_mb,
                arena_rss_mb: sum.arena_rss_mb + one.arena_rss_mb,
                file_rss_mb: sum.file_rss_mb + one.file_rss_mb,
            })
    }
}

/// With the engine's own memtable, reservations at least this big are its arenas (malloc's
/// are 64 MiB, thread stacks smaller).
const ARENA_KIB: f64 = 512.0 * 1024.0;

/// The resident part of every anonymous mapping that is a memtable arena, from
/// `/proc/<pid>/smaps`: of the arena's size (`arena` KiB plus malloc's header page) when it was
/// set, else of `ARENA_KIB` or more. A set arena small enough for malloc to place in its heap,
/// or merged by the kernel with a neighbouring mapping, is not recognised and counts as the rest.
fn arena_kib(smaps: &str, arena: Option<f64>) -> f64 {
    let is_arena = |size: f64| match arena {
        Some(arena) => (arena..=arena + 8.0).contains(&size),
        None => size >= ARENA_KIB,
    };
    let mut total = 0.0;
    let mut anonymous = false;
    let mut size = 0.0;
    for line in smaps.lines() {
        let mut fields = line.split_whitespace();
        let first = fields.next().unwrap_or_default();
        if first.contains('-') && !first.ends_with(':') {
            // A mapping's header: range, permissions, offset, device, inode, [path].
            let rest: Vec<&str> = fields.collect();
            anonymous = rest.len() == 4 && rest[3] == "0";
            size = 0.0;
        } else if first == "Size:" {
            size = fields
                .next()
                .and_then(|kib| kib.parse().ok())
                .unwrap_or(0.0);
        } else if first == "Rss:" && anonymous && is_arena(size) {
            total += fields
                .next()
                .and_then(|kib| kib.parse::<f64>().ok())
                .unwrap_or(0.0);
        }
    }
    total
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

/// The memtable the bench runs servers with unless told, in MiB: the server's own default
/// (`peerwall --help`, `--db-memtable-mib`) when this was written. The bench passes its size to
/// every server explicitly, so its arena figures never depend on the two agreeing.
const DEFAULT_MEMTABLE_MIB: u32 = 16;

/// The storage engine's memtable the servers run with, in MiB: `PEERWALL_DB_MEMTABLE_MIB` when
/// set, else `DEFAULT_MEMTABLE_MIB`; `None` for 0, the engine's own choice by the machine's
/// memory.
pub fn memtable_mib() -> Option<u32> {
    memtable_mib_given(std::env::var("PEERWALL_DB_MEMTABLE_MIB").ok().as_deref())
}

fn memtable_mib_given(setting: Option<&str>) -> Option<u32> {
    let mib = setting
        .and_then(|mib| mib.parse().ok())
        .unwrap_or(DEFAULT_MEMTABLE_MIB);
    (mib > 0).then_some(mib)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_memtable_size_comes_from_the_environment_or_the_default() {
        assert_eq!(memtable_mib_given(None), Some(DEFAULT_MEMTABLE_MIB));
        assert_eq!(memtable_mib_given(Some("64")), Some(64));
        assert_eq!(
            memtable_mib_given(Some("0")),
            None,
            "0 is the engine's own size"
        );
        assert_eq!(memtable_mib_given(Some("lots")), Some(DEFAULT_MEMTABLE_MIB));
    }

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
    fn only_anonymous_mappings_of_a_memtables_size_count_as_arenas() {
        let smaps = "\
55c9126ff000-55c918b04000 r-xp 01e43000 fe:00 10731869 /usr/bin/peerwall
Size:             102420 kB
Rss:               51256 kB
7f88ebfff000-7f892c000000 rw-p 00000000 00:00 0
Size:            1048580 kB
Rss:               10108 kB
7f8964000000-7f8964942000 rw-p 00000000 00:00 0
Size:               9480 kB
Rss:                9004 kB
7f8a00000000-7f8a40000000 rw-p 00000000 00:00 0 [heap]
Size:            1048580 kB
Rss:                 300 kB
7f8b00000000-7f8b01001000 rw-p 00000000 00:00 0
Size:              16388 kB
Rss:                4000 kB
7f8c00000000-7f8c01000000 rw-p 00000000 00:00 0
Size:              32768 kB
Rss:               32768 kB
";
        assert_eq!(arena_kib(smaps, None), 10108.0);
        assert_eq!(arena_kib(smaps, Some(1024.0 * 1024.0)), 10108.0);
        assert_eq!(arena_kib(smaps, Some(16.0 * 1024.0)), 4000.0);
        assert_eq!(arena_kib("", None), 0.0);
    }

    #[test]
    fn this_process_has_figures() {
        let stats = ProcessStats::read(std::process::id());
        assert!(stats.rss_mb > 0.0 && stats.peak_rss_mb >= stats.rss_mb);
        // The test binary's own code is mapped from its file, and is part of the resident set.
        assert!(stats.file_rss_mb > 0.0 && stats.file_rss_mb < stats.rss_mb);
    }
}
