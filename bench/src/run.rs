//! The workloads and the runner that drives a set of clients through them against Peerwall.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::client::{self, BoardShared, ClientReport, Control, Target};
use crate::server::{Server, Setup};
use crate::stats::{ProcessStats, Summary};

/// The fan-out p99 under which a burst step counts as sustained.
pub const BURST_P99_MS: f64 = 100.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Workload {
    /// 20 boards × 8 clients, 80 operations a second in all, 60 s.
    Triangulation,
    /// 1 board × 50 clients, the rate stepped up every 4 s for 28 s, the wall's notes kept
    /// around 300–500 by deletes.
    Burst,
    /// Triangulation day for 30 minutes, measured minute by minute, on walls that start with
    /// 400 notes and keep around 300–500 by deletes in the mix (`--growth`: from empty walls,
    /// without deletes).
    Soak,
    /// 100 boards × 12 clients connected at once, lightly loaded, for 20 s.
    Capacity,
}

/// How a workload is shaped: boards, clients per board, and steps of (total rate, length).
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub workload: Workload,
    pub boards: usize,
    pub clients: usize,
    pub steps: Vec<(f64, Duration)>,
    /// Deletes in the mix, so that each wall's live notes stay around a real wall's.
    pub steady: bool,
    /// Notes put on each board before the clients join.
    pub seeded: usize,
}

/// The live notes a soak's wall starts with.
pub const STEADY_NOTES: usize = 400;

impl Plan {
    pub fn of(workload: Workload, time_scale: f64) -> Self {
        let scaled = |secs: f64| Duration::from_secs_f64((secs * time_scale).max(1.0));
        let (boards, clients, steps) = match workload {
            Workload::Triangulation => (20, 8, vec![(80.0, scaled(60.0))]),
            Workload::Burst => (
                1,
                50,
                [100.0, 200.0, 400.0, 900.0, 1_500.0, 2_000.0, 3_000.0]
                    .into_iter()
                    .map(|rate| (rate, scaled(4.0)))
                    .collect(),
            ),
            Workload::Soak => (20, 8, vec![(80.0, scaled(60.0)); 30]),
            // The capacity target: 10,000 open sockets (400 reviews' teams of 25), 200
            // operations a second in all.
            Workload::Capacity => (400, 25, vec![(200.0, scaled(20.0))]),
        };
        Self {
            workload,
            boards,
            clients,
            steps,
            // A real wall holds 300–500 notes: the burst and the soak keep there (at 2,000
            // operations a second a growing wall reaches the 5,000-note cap within seconds).
            steady: matches!(workload, Workload::Soak | Workload::Burst),
            // The soak's walls start full, at the middle of a real wall's 300–500 live notes, so
            // that its live data is steady from the first minute rather than filling for the
            // first five (docs/benchmarks.md, fourth stop).
            seeded: if workload == Workload::Soak {
                STEADY_NOTES
            } else {
                0
            },
        }
    }

    /// The original growth-only soak: creates without deletes, from empty walls.
    pub fn growing(self) -> Self {
        Self {
            steady: false,
            seeded: 0,
            ..self
        }
    }

    pub fn duration(&self) -> Duration {
        self.steps.iter().map(|(_, length)| *length).sum()
    }
}

/// One step's figures.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Step {
    pub target_rate: f64,
    pub achieved_rate: f64,
    pub ack_ms: Summary,
    pub fanout_ms: Summary,
    /// The server's resident memory at the end of the step.
    pub rss_mb: f64,
    /// Of which in the storage engine's memtable arena (`ProcessStats::arena_rss_mb`).
    #[serde(default)]
    pub arena_rss_mb: f64,
    /// Of which mapped from files, mostly the program's code (`ProcessStats::file_rss_mb`).
    #[serde(default)]
    pub file_rss_mb: f64,
    /// The server's CPU during the step per operation answered in it, in ms.
    #[serde(default)]
    pub server_cpu_ms_per_op: f64,
}

/// The result of a run, in the shape the Hocuspocus runner writes too.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RunResult {
    pub system: String,
    pub workload: String,
    pub boards: usize,
    pub clients: usize,
    pub duration_s: f64,
    pub ops_sent: u64,
    pub ops_acked: u64,
    pub achieved_ops_per_s: f64,
    pub errors: u64,
    pub rejected: u64,
    /// Refusals as busy (a full board queue), each sent again after a pause.
    #[serde(default)]
    pub busy: u64,
    pub conflicts: u64,
    /// Notes on the walls at the end, deleted ones not counted.
    #[serde(default)]
    pub live_notes: u64,
    pub ack_ms: Summary,
    pub fanout_ms: Summary,
    pub server_cpu_s: f64,
    pub server_peak_rss_mb: f64,
    /// CPU seconds of the load generator itself: on 2 cores, a busy client slows the server.
    #[serde(default)]
    pub client_cpu_s: f64,
    pub steps: Vec<Step>,
    /// Burst: the highest step rate whose fan-out p99 stayed under 100 ms.
    pub sustainable_rate: Option<f64>,
    /// Boards whose clients did not all end with the same notes as a fresh reader.
    pub diverged_boards: usize,
}

impl RunResult {
    pub fn print(&self) {
        println!(
            "{} {}: {} boards × {} clients, {:.0} s: {} sent, {} acked ({:.1}/s), {} errors, {} rejected, {} busy (sent again), {} conflicts; {} live notes",
            self.system,
            self.workload,
            self.boards,
            self.clients,
            self.duration_s,
            self.ops_sent,
            self.ops_acked,
            self.achieved_ops_per_s,
            self.errors,
            self.rejected,
            self.busy,
            self.conflicts,
            self.live_notes
        );
        let line = |name: &str, s: &Summary| {
            println!(
                "  {name:<8} p50 {:>7.2} ms  p95 {:>7.2} ms  p99 {:>7.2} ms  max {:>8.2} ms  (n = {})",
                s.p50, s.p95, s.p99, s.max, s.count
            );
        };
        line("ack", &self.ack_ms);
        line("fan-out", &self.fanout_ms);
        println!(
            "  server   {:.1} CPU s, peak RSS {:.1} MiB; load generator {:.1} CPU s; diverged boards {}",
            self.server_cpu_s, self.server_peak_rss_mb, self.client_cpu_s, self.diverged_boards
        );
        if self.steps.len() > 1 {
            for step in &self.steps {
                println!(
                    "  step {:>5.0}/s: achieved {:>6.1}/s, fan-out p99 {:>7.2} ms, ack p99 {:>7.2} ms, RSS {:.1} MiB, server CPU {:.2} ms/op",
                    step.target_rate,
                    step.achieved_rate,
                    step.fanout_ms.p99,
                    step.ack_ms.p99,
                    step.rss_mb,
                    step.server_cpu_ms_per_op
                );
            }
        }
        if let Some(rate) = self.sustainable_rate {
            println!("  sustainable: {rate:.0} ops/s with fan-out p99 under {BURST_P99_MS} ms");
        }
    }

    pub fn write(&self, out: &Path, name: &str) -> Result<(), String> {
        let path = out.join(format!("{name}.json"));
        let json = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        std::fs::write(&path, json).map_err(|error| format!("writing {}: {error}", path.display()))
    }
}

/// The highest step rate that kept fan-out p99 under the bound and reached 90% of its rate.
pub fn sustainable(steps: &[Step]) -> Option<f64> {
    steps
        .iter()
        .take_while(|step| {
            step.fanout_ms.count > 0
                && step.fanout_ms.p99 < BURST_P99_MS
                && step.achieved_rate >= 0.9 * step.target_rate
        })
        .last()
        .map(|step| step.target_rate)
}

/// `peerwall-bench run <workload>`.
pub async fn main(
    binary: &Path,
    site_root: &Path,
    out: &Path,
    plan: &Plan,
    in_memory: bool,
) -> Result<(), String> {
    let workload = plan.workload;
    let mut result = if in_memory {
        peerwall_at(binary, site_root, Path::new("mem://"), plan).await?
    } else {
        peerwall(binary, site_root, plan).await?
    };
    let system = if in_memory {
        "peerwall-memory"
    } else {
        "peerwall"
    };
    result.system = system.into();
    result.print();
    let name = format!("{system}-{}", workload_name(workload));
    result.write(out, &name)?;
    if workload == Workload::Soak {
        print_drift(&result);
    }
    Ok(())
}

pub fn workload_name(workload: Workload) -> &'static str {
    match workload {
        Workload::Triangulation => "triangulation",
        Workload::Burst => "burst",
        Workload::Soak => "soak",
        Workload::Capacity => "capacity",
    }
}

/// Soak: RSS and p99 of the last minute against the second (the first includes warm-up).
fn print_drift(result: &RunResult) {
    let (Some(first), Some(last)) = (result.steps.get(1), result.steps.last()) else {
        return;
    };
    println!(
        "  drift (minute 2 → minute {}): RSS {:.1} → {:.1} MiB ({:+.1}%), fan-out p99 {:.2} → {:.2} ms",
        result.steps.len(),
        first.rss_mb,
        last.rss_mb,
        (last.rss_mb / first.rss_mb - 1.0) * 100.0,
        first.fanout_ms.p99,
        last.fanout_ms.p99
    );
    if let Some((early, late)) = at_the_ends(&result.steps, |step| step.rss_mb) {
        println!(
            "  RSS averaged over minutes 2–4 and the last three: {early:.1} → {late:.1} MiB ({:+.1}%)",
            (late / early - 1.0) * 100.0
        );
    }
    if let Some((early, late)) = at_the_ends(&result.steps, |step| step.fanout_ms.p99) {
        println!(
            "  fan-out p99 averaged the same way: {early:.2} → {late:.2} ms ({:+.1}%)",
            (late / early - 1.0) * 100.0
        );
    }
    if let Some((early, late)) = at_the_ends(&result.steps, |step| step.server_cpu_ms_per_op) {
        println!(
            "  server CPU per operation averaged the same way: {early:.2} → {late:.2} ms ({:+.1}%)",
            (late / early - 1.0) * 100.0
        );
    }
    let own = |step: &Step| step.rss_mb - step.file_rss_mb;
    let outside = |step: &Step| own(step) - step.arena_rss_mb;
    // Operations acknowledged between the two samples (each taken at the end of its step).
    let operations: f64 = result.steps[2..]
        .iter()
        .map(|step| step.achieved_rate * step_seconds(result))
        .sum();
    println!(
        "  of which mapped from files (the program's code) {:.1} → {:.1} MiB; the process's own memory {:.1} → {:.1} MiB ({:+.1}%)",
        first.file_rss_mb,
        last.file_rss_mb,
        own(first),
        own(last),
        (own(last) / own(first) - 1.0) * 100.0
    );
    println!(
        "  of that, the storage engine's memtable arena {:.1} → {:.1} MiB; everything else {:.1} → {:.1} MiB ({:+.1}%, {:.0} bytes per operation acknowledged in between)",
        first.arena_rss_mb,
        last.arena_rss_mb,
        outside(first),
        outside(last),
        (outside(last) / outside(first) - 1.0) * 100.0,
        (outside(last) - outside(first)) * 1048576.0 / operations.max(1.0)
    );
    println!(
        "  {} live notes on the walls at the end: {:.0} bytes of the process's own memory per live note",
        result.live_notes,
        own(last) * 1048576.0 / result.live_notes.max(1) as f64
    );
}

/// A step's figure averaged over steps 2–4 and over the last three, when there are at least
/// seven. Single samples fall anywhere in the memtable's fill-and-flush cycle (a few minutes at
/// the soak's rate, up to 16 MiB of RSS; a flush or compaction lifts that minute's p99): three
/// steps averaged at each end compare like with like.
fn at_the_ends(steps: &[Step], figure: impl Fn(&Step) -> f64) -> Option<(f64, f64)> {
    let mean = |steps: &[Step]| steps.iter().map(&figure).sum::<f64>() / steps.len() as f64;
    (steps.len() >= 7).then(|| (mean(&steps[1..4]), mean(&steps[steps.len() - 3..])))
}

/// The length of one of a run's (equal) steps, in seconds.
fn step_seconds(result: &RunResult) -> f64 {
    result.duration_s / result.steps.len().max(1) as f64
}

/// Starts a server on a fresh data folder, runs the plan, stops it.
pub async fn peerwall(binary: &Path, site_root: &Path, plan: &Plan) -> Result<RunResult, String> {
    let data = tempfile::tempdir().map_err(|e| e.to_string())?;
    peerwall_at(binary, site_root, &data.path().join("db"), plan).await
}

/// The same with the database at `db` (a folder, or `mem://`).
pub async fn peerwall_at(
    binary: &Path,
    site_root: &Path,
    db: &Path,
    plan: &Plan,
) -> Result<RunResult, String> {
    let server = Server::start(binary, site_root, db).await?;
    let setup = server.setup(plan.boards, plan.clients, plan.seeded).await?;
    let result = drive(&server, &setup, plan).await;
    server.stop().await;
    result
}

/// Connects every client, runs the steps, waits for quiet, checks convergence.
pub async fn drive(server: &Server, setup: &Setup, plan: &Plan) -> Result<RunResult, String> {
    drive_over(&[server], &[], setup, plan).await
}

/// The same with the clients spread over `nodes` (client n on node n mod count) and the
/// server's figures (CPU, memory) added up over the nodes and the `others` processes (a
/// database server).
pub async fn drive_over(
    nodes: &[&Server],
    others: &[u32],
    setup: &Setup,
    plan: &Plan,
) -> Result<RunResult, String> {
    let pids: Vec<u32> = nodes
        .iter()
        .filter_map(|node| node.pid())
        .chain(others.iter().copied())
        .collect();
    let stats = || ProcessStats::total(&pids);
    let clients = setup.boards.len() * plan.clients;
    let deadline = Instant::now() + plan.duration() + join_allowance(clients);
    let mut control = Control::new(deadline);
    control.steady = plan.steady;
    let control = Arc::new(control);
    let addrs: Vec<std::net::SocketAddr> = nodes.iter().map(|node| node.addr).collect();
    let (boards, tasks) = spawn_clients_on(setup, plan.clients, &control, |client, cookie| {
        Target::at(addrs[client % addrs.len()], cookie)
    });
    wait_ready(&control, boards.len() * plan.clients).await?;
    let before = stats();
    let client_before = ProcessStats::read(std::process::id());
    let started = Instant::now();
    let mut server_at = vec![before];
    for (index, (rate, length)) in plan.steps.iter().enumerate() {
        control.step.store(index, Ordering::Relaxed);
        control.set_rate_per_client(rate / (boards.len() * plan.clients) as f64);
        control.sending.store(true, Ordering::Relaxed);
        tokio::time::sleep(*length).await;
        server_at.push(stats());
    }
    control.sending.store(false, Ordering::Relaxed);
    let elapsed = started.elapsed();
    let client_after = ProcessStats::read(std::process::id());
    // A run driven past saturation (the burst's last steps) can have seconds of work queued
    // when sending stops: it is given a minute to finish before the boards are compared.
    quiet(&control, &boards, Duration::from_secs(60)).await;
    let after = stats();
    control.stop.store(true, Ordering::Relaxed);
    let reports = join(tasks).await;
    let target = Target::at(addrs[0], String::new());
    let diverged = diverged_boards(&target, setup, &boards, &reports).await;
    let mut result = summarise(plan, &reports, elapsed, &server_at);
    result.system = "peerwall".into();
    result.server_cpu_s = after.cpu_seconds - before.cpu_seconds;
    result.server_peak_rss_mb = after.peak_rss_mb;
    result.client_cpu_s = client_after.cpu_seconds - client_before.cpu_seconds;
    result.diverged_boards = diverged;
    Ok(result)
}

pub type Tasks = Vec<(usize, tokio::task::JoinHandle<ClientReport>)>;

/// One task per client; returns the boards and (board index, task) pairs.
pub fn spawn_clients(
    server: &Server,
    setup: &Setup,
    clients: usize,
    control: &Arc<Control>,
) -> (Vec<Arc<BoardShared>>, Tasks) {
    spawn_clients_on(setup, clients, control, |_, cookie| {
        Target::at(server.addr, cookie)
    })
}

/// The same, each client's connection made by `target` from its number over every board (to
/// spread them over several nodes) and its session cookie.
pub fn spawn_clients_on(
    setup: &Setup,
    clients: usize,
    control: &Arc<Control>,
    target: impl Fn(usize, String) -> Target,
) -> (Vec<Arc<BoardShared>>, Tasks) {
    let mut boards = Vec::new();
    let mut tasks = Vec::new();
    for (board_index, board) in setup.boards.iter().enumerate() {
        let shared = Arc::new(BoardShared::new(
            board.review.clone(),
            board.headings.clone(),
            clients,
        ));
        for (index, token) in board.tokens.iter().enumerate() {
            let target = target(tasks.len(), format!("{}={token}", setup.cookie));
            let task = tokio::spawn(client::run(index, shared.clone(), target, control.clone()));
            tasks.push((board_index, task));
        }
        boards.push(shared);
    }
    (boards, tasks)
}

/// How long `clients` may take to join: two minutes, and more for thousands of sockets (each
/// opening of a wall is on the audit trail, durably).
pub fn join_allowance(clients: usize) -> Duration {
    Duration::from_secs(120) + Duration::from_millis(25) * clients as u32
}

pub async fn wait_ready(control: &Control, clients: usize) -> Result<(), String> {
    let started = Instant::now();
    let allowed = join_allowance(clients);
    while control.ready.load(Ordering::Relaxed) < clients {
        if started.elapsed() > allowed {
            return Err(format!(
                "only {} of {clients} clients connected within {} s",
                control.ready.load(Ordering::Relaxed),
                allowed.as_secs()
            ));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let took = started.elapsed().as_secs_f64();
    if clients >= 1_000 {
        eprintln!(
            "{clients} clients joined in {took:.1} s ({:.0} a second)",
            clients as f64 / took
        );
    }
    Ok(())
}

/// Waits until every operation is answered and delivered everywhere, or `limit` passes.
pub async fn quiet(control: &Control, boards: &[Arc<BoardShared>], limit: Duration) {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        let answered = control.outstanding.load(Ordering::Relaxed) <= 0;
        let delivered = boards.iter().all(|board| board.undelivered() == 0);
        if answered && delivered {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Let the last events reach every socket before the views are compared.
    tokio::time::sleep(Duration::from_millis(300)).await;
}

pub async fn join(tasks: Tasks) -> Vec<(usize, ClientReport)> {
    let mut reports = Vec::with_capacity(tasks.len());
    for (board, task) in tasks {
        if let Ok(report) = task.await {
            reports.push((board, report));
        }
    }
    reports
}

/// Boards where some client's final notes differ from another's or from a fresh snapshot.
pub async fn diverged_boards(
    target: &Target,
    setup: &Setup,
    boards: &[Arc<BoardShared>],
    reports: &[(usize, ClientReport)],
) -> usize {
    let mut diverged = 0;
    for (index, board) in boards.iter().enumerate() {
        let reader = Target::at(
            target.addr,
            format!("{}={}", setup.cookie, setup.boards[index].tokens[0]),
        );
        let truth = client::snapshot(&reader, &board.review).await.ok();
        let ends: Vec<(u64, u64)> = reports
            .iter()
            .filter(|(board, _)| *board == index)
            .map(|(_, report)| (report.seq, report.digest))
            .collect();
        let agree = ends.len() == board.clients && ends.iter().all(|end| Some(*end) == truth);
        if !agree {
            diverged += 1;
        }
    }
    diverged
}

/// Adds up the clients' figures, per step and overall, with the server's memory at the end of
/// each step and its CPU during each (`server_at`: the server's figures at the start, then at
/// the end of each step).
pub fn summarise(
    plan: &Plan,
    reports: &[(usize, ClientReport)],
    elapsed: Duration,
    server_at: &[ProcessStats],
) -> RunResult {
    let step_ends = server_at.get(1..).unwrap_or_default();
    let mut steps = Vec::new();
    let mut all_ack = Vec::new();
    let mut all_fanout = Vec::new();
    for (index, (rate, length)) in plan.steps.iter().enumerate() {
        let ack: Vec<u32> = reports
            .iter()
            .flat_map(|(_, r)| r.ack.get(index).into_iter().flatten().copied())
            .collect();
        let fanout: Vec<u32> = reports
            .iter()
            .flat_map(|(_, r)| r.fanout.get(index).into_iter().flatten().copied())
            .collect();
        // Answered at the first sending, acknowledged or refused by the rules (not busy).
        let refused: u64 = (reports.iter())
            .map(|(_, r)| r.refused.get(index).copied().unwrap_or(0))
            .sum();
        let answered = ack.len() as u64 + refused;
        let cpu_s = match (server_at.get(index), server_at.get(index + 1)) {
            (Some(start), Some(end)) => end.cpu_seconds - start.cpu_seconds,
            _ => 0.0,
        };
        steps.push(Step {
            target_rate: *rate,
            achieved_rate: answered as f64 / length.as_secs_f64(),
            server_cpu_ms_per_op: cpu_s * 1000.0 / answered.max(1) as f64,
            ack_ms: Summary::of_micros(&ack),
            fanout_ms: Summary::of_micros(&fanout),
            rss_mb: step_ends.get(index).map(|m| m.rss_mb).unwrap_or_default(),
            arena_rss_mb: step_ends
                .get(index)
                .map(|m| m.arena_rss_mb)
                .unwrap_or_default(),
            file_rss_mb: step_ends
                .get(index)
                .map(|m| m.file_rss_mb)
                .unwrap_or_default(),
        });
        all_ack.extend(ack);
        all_fanout.extend(fanout);
    }
    let sum = |f: fn(&ClientReport) -> u64| reports.iter().map(|(_, r)| f(r)).sum::<u64>();
    let acked = sum(|r| r.acked);
    RunResult {
        system: String::new(),
        workload: workload_name(plan.workload).into(),
        boards: plan.boards,
        clients: plan.clients,
        duration_s: elapsed.as_secs_f64(),
        ops_sent: sum(|r| r.sent.iter().sum()),
        ops_acked: acked,
        achieved_ops_per_s: acked as f64 / elapsed.as_secs_f64(),
        errors: sum(|r| r.errors),
        rejected: sum(|r| r.rejected),
        busy: sum(|r| r.busy),
        conflicts: sum(|r| r.conflicts),
        // Every client of a board ends with the same notes: one per board is counted.
        live_notes: reports
            .iter()
            .map(|(board, r)| (*board, r.live_notes as u64))
            .collect::<std::collections::HashMap<usize, u64>>()
            .values()
            .sum(),
        ack_ms: Summary::of_micros(&all_ack),
        fanout_ms: Summary::of_micros(&all_fanout),
        server_cpu_s: 0.0,
        server_peak_rss_mb: 0.0,
        client_cpu_s: 0.0,
        sustainable_rate: (plan.workload == Workload::Burst)
            .then(|| sustainable(&steps))
            .flatten(),
        steps,
        diverged_boards: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_soak_compares_three_steps_at_each_end_skipping_the_first() {
        let rss = |values: &[f64]| -> Vec<Step> {
            values
                .iter()
                .map(|&rss_mb| Step {
                    rss_mb,
                    ..Step::default()
                })
                .collect()
        };
        let by_rss = |step: &Step| step.rss_mb;
        assert_eq!(
            at_the_ends(
                &rss(&[500.0, 10.0, 20.0, 30.0, 99.0, 40.0, 50.0, 60.0]),
                by_rss
            ),
            Some((20.0, 50.0))
        );
        assert_eq!(at_the_ends(&rss(&[1.0; 6]), by_rss), None);
        // Any figure of the steps, the fan-out p99 too.
        let p99s: Vec<Step> = [9.0, 3.0, 4.0, 5.0, 1.0, 6.0, 6.0, 9.0]
            .iter()
            .map(|&p99| step(80.0, 80.0, p99))
            .collect();
        assert_eq!(
            at_the_ends(&p99s, |step| step.fanout_ms.p99),
            Some((4.0, 7.0))
        );
    }

    fn step(rate: f64, achieved: f64, p99: f64) -> Step {
        Step {
            target_rate: rate,
            achieved_rate: achieved,
            fanout_ms: Summary {
                count: 10,
                p99,
                ..Summary::default()
            },
            ..Step::default()
        }
    }

    #[test]
    fn the_sustainable_rate_is_the_last_step_within_bounds() {
        let steps = [
            step(100.0, 100.0, 5.0),
            step(200.0, 199.0, 20.0),
            step(400.0, 300.0, 30.0),
            step(600.0, 600.0, 10.0),
        ];
        assert_eq!(sustainable(&steps), Some(200.0));
        assert_eq!(sustainable(&[step(100.0, 100.0, 150.0)]), None);
    }

    #[test]
    fn each_step_gets_the_servers_cpu_per_operation_answered_in_it() {
        let plan = Plan {
            steps: vec![(2.0, Duration::from_secs(1)), (4.0, Duration::from_secs(1))],
            ..Plan::of(Workload::Triangulation, 1.0)
        };
        let report = ClientReport {
            // Step 1: two acks; step 2: three acks and one refusal by the rules.
            ack: vec![vec![100, 200], vec![100, 100, 100]],
            refused: vec![0, 1],
            ..ClientReport::default()
        };
        let at = |cpu_seconds: f64| ProcessStats {
            cpu_seconds,
            rss_mb: cpu_seconds * 10.0,
            ..ProcessStats::default()
        };
        // The server's figures at the start and at the end of each step.
        let server_at = [at(10.0), at(10.5), at(11.3)];
        let result = summarise(&plan, &[(0, report)], Duration::from_secs(2), &server_at);
        let per_op: Vec<f64> = (result.steps.iter())
            .map(|step| (step.server_cpu_ms_per_op * 1000.0).round() / 1000.0)
            .collect();
        assert_eq!(per_op, [250.0, 200.0]);
        // Memory is still read at each step's end.
        assert_eq!(result.steps[1].rss_mb, 113.0);
    }

    #[test]
    fn plans_match_the_documented_workloads() {
        let day = Plan::of(Workload::Triangulation, 1.0);
        assert_eq!((day.boards, day.clients), (20, 8));
        assert_eq!(day.duration(), Duration::from_secs(60));
        let burst = Plan::of(Workload::Burst, 1.0);
        assert_eq!((burst.boards, burst.clients), (1, 50));
        assert_eq!(burst.duration(), Duration::from_secs(28));
        assert!(burst.steady && !day.steady && Plan::of(Workload::Soak, 1.0).steady);
        // Only the soak starts on full walls.
        assert_eq!(Plan::of(Workload::Soak, 1.0).seeded, STEADY_NOTES);
        assert_eq!((day.seeded, burst.seeded), (0, 0));
        let growth = Plan::of(Workload::Soak, 1.0).growing();
        assert!(!growth.steady && growth.seeded == 0);
        assert_eq!(
            Plan::of(Workload::Soak, 1.0).duration(),
            Duration::from_secs(1_800)
        );
        let capacity = Plan::of(Workload::Capacity, 1.0);
        assert_eq!(capacity.boards * capacity.clients, 10_000);
    }
}
