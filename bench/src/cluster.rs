//! The fault run across nodes: three `peerwall` nodes on one real SurrealDB server (`surreal`,
//! built beside `peerwall` by `make server`), a triangulation-day load whose clients are spread
//! over the nodes, and in turn: one node killed with SIGKILL and restarted (its clients go to
//! another node and resend), the database server killed and restarted, the database server
//! paused (SIGSTOP) and resumed, and every node's wall live query killed on the database. After
//! each fault every node must be ready again. At the end every acknowledged operation is resent
//! on a fresh connection and must come back with the sequence number it was acknowledged with,
//! and every client's board must equal a fresh copy.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use rand::Rng;
use serde::Serialize;

use crate::client::{self, Control, Target};
use crate::fault;
use crate::nodes::{self, Database};
use crate::run;
use crate::stats::Summary;

const NODES: usize = 3;
const BOARDS: usize = 4;
const CLIENTS: usize = 4;
const RATE: f64 = 40.0;

/// The faults, one per cycle in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum Fault {
    NodeKilled,
    DatabaseRestarted,
    DatabasePaused,
    LiveQueryKilled,
}

const FAULTS: [Fault; 4] = [
    Fault::NodeKilled,
    Fault::DatabaseRestarted,
    Fault::DatabasePaused,
    Fault::LiveQueryKilled,
];

#[derive(Debug, Serialize)]
pub struct ClusterFaultResult {
    pub cycles: usize,
    pub nodes: usize,
    pub faults: Vec<(String, usize)>,
    pub ops_acked: u64,
    pub acknowledged_checked: usize,
    pub acknowledged_lost: usize,
    pub unanswered: usize,
    pub diverged_clients: usize,
    /// Refusals as unavailable while the database was away, each sent again.
    pub retried: u64,
    /// Connections clients made to a node other than their own.
    pub moved: u64,
    /// From the fault to every node ready again, in ms.
    pub recovery_ms: Summary,
}

pub async fn main(
    binary: &Path,
    surreal: &Path,
    site_root: &Path,
    out: &Path,
    cycles: usize,
) -> Result<(), String> {
    let data = tempfile::tempdir().map_err(|e| e.to_string())?;
    let mut database = Database::start(surreal, &data.path().join("surreal")).await?;
    let mut nodes = nodes::start(binary, site_root, &database, NODES).await?;
    let setup = nodes[0].setup(BOARDS, CLIENTS, 0).await?;
    let clients = BOARDS * CLIENTS;
    let deadline = Instant::now() + Duration::from_secs(60 + 15 * cycles as u64);
    let control = Arc::new(Control::new(deadline));
    let addrs: Vec<SocketAddr> = nodes.iter().map(|node| node.addr).collect();
    let (boards, tasks) = run::spawn_clients_on(&setup, CLIENTS, &control, |client, cookie| {
        nodes::spread(&addrs, client, cookie)
    });
    run::wait_ready(&control, clients).await?;
    control.set_rate_per_client(RATE / clients as f64);
    control.sending.store(true, Ordering::Relaxed);

    let mut recovery = Vec::new();
    let mut counts = [0usize; FAULTS.len()];
    for cycle in 0..cycles {
        let pause = rand::rng().random_range(300..1500);
        tokio::time::sleep(Duration::from_millis(pause)).await;
        let kind = cycle % FAULTS.len();
        counts[kind] += 1;
        let struck = Instant::now();
        match FAULTS[kind] {
            Fault::NodeKilled => {
                let node = &mut nodes[(cycle / FAULTS.len()) % NODES];
                node.kill9().await;
                let down = rand::rng().random_range(0..500);
                tokio::time::sleep(Duration::from_millis(down)).await;
                node.restart().await?;
            }
            Fault::DatabaseRestarted => {
                database.kill9().await;
                let down = rand::rng().random_range(0..500);
                tokio::time::sleep(Duration::from_millis(down)).await;
                database.restart().await?;
            }
            Fault::DatabasePaused => {
                database.signal("-STOP")?;
                let paused = rand::rng().random_range(500..3000);
                tokio::time::sleep(Duration::from_millis(paused)).await;
                database.signal("-CONT")?;
            }
            Fault::LiveQueryKilled => {
                database.kill_wall_live_queries().await?;
            }
        }
        nodes::all_ready(&nodes, Duration::from_secs(60))
            .await
            .map_err(|error| format!("cycle {cycle} ({:?}): {error}", FAULTS[kind]))?;
        recovery.push(micros(struck.elapsed()));
    }
    // Some load after the last fault, then quiet.
    tokio::time::sleep(Duration::from_secs(1)).await;
    control.sending.store(false, Ordering::Relaxed);
    run::quiet(&control, &boards, Duration::from_secs(60)).await;
    control.stop.store(true, Ordering::Relaxed);
    let reports = run::join(tasks).await;

    // Every client's board against a fresh copy, read from each node in turn.
    let mut diverged = 0;
    for (index, board) in boards.iter().enumerate() {
        let node = &nodes[index % NODES];
        let reader = Target::at(
            node.addr,
            format!("{}={}", setup.cookie, setup.boards[index].tokens[0]),
        );
        let truth = client::snapshot(&reader, &board.review).await.ok();
        let ends: Vec<&client::ClientReport> = reports
            .iter()
            .filter(|(b, _)| *b == index)
            .map(|(_, report)| report)
            .collect();
        for end in ends
            .iter()
            .filter(|end| Some((end.seq, end.digest)) != truth)
        {
            diverged += 1;
            eprintln!(
                "diverged: board {index}: a client ended at seq {} (the board at {truth:?}) after {} reconnection attempts, {} moves, {} errors, {} unanswered",
                end.seq, end.reconnects, end.moved, end.errors, end.unanswered
            );
        }
        diverged += CLIENTS.saturating_sub(ends.len());
    }

    // Resend every acknowledged operation, each board's share spread over its people and nodes.
    let addrs: Vec<SocketAddr> = nodes.iter().map(|node| node.addr).collect();
    let (checked, lost) = fault::resend_acknowledged(&setup, &reports, |index, share| {
        addrs[(index + share) % NODES]
    })
    .await?;
    for node in nodes {
        node.stop().await;
    }
    database.kill9().await;

    let result = ClusterFaultResult {
        cycles,
        nodes: NODES,
        faults: FAULTS
            .iter()
            .zip(counts)
            .map(|(fault, count)| (format!("{fault:?}"), count))
            .collect(),
        ops_acked: reports.iter().map(|(_, r)| r.acked).sum(),
        acknowledged_checked: checked,
        acknowledged_lost: lost,
        unanswered: reports.iter().map(|(_, r)| r.unanswered).sum(),
        diverged_clients: diverged,
        retried: reports.iter().map(|(_, r)| r.retried).sum(),
        moved: reports.iter().map(|(_, r)| r.moved).sum(),
        recovery_ms: Summary::of_micros(&recovery),
    };
    println!(
        "cluster fault: {} cycles over {} nodes on one SurrealDB server ({} node kills, {} database restarts, {} pauses, {} live-query kills), {} operations acknowledged; resent {}: {} lost; {} unanswered; {} diverged clients",
        result.cycles,
        result.nodes,
        counts[0],
        counts[1],
        counts[2],
        counts[3],
        result.ops_acked,
        result.acknowledged_checked,
        result.acknowledged_lost,
        result.unanswered,
        result.diverged_clients
    );
    println!(
        "  recovery (fault → every node ready): p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms; {} refusals while the database was away, sent again; {} connections moved to another node",
        result.recovery_ms.p50,
        result.recovery_ms.p99,
        result.recovery_ms.max,
        result.retried,
        result.moved
    );
    let json = serde_json::to_string_pretty(&result).map_err(|e| e.to_string())?;
    std::fs::write(out.join("peerwall-cluster-fault.json"), json).map_err(|e| e.to_string())?;
    if result.acknowledged_lost > 0 || result.diverged_clients > 0 || result.unanswered > 0 {
        return Err("the cluster fault run lost or diverged operations".into());
    }
    if result.ops_acked == 0 || result.acknowledged_checked as u64 != result.ops_acked {
        return Err(
            "the cluster fault run acknowledged nothing, or checked fewer than it acknowledged"
                .into(),
        );
    }
    Ok(())
}

fn micros(duration: Duration) -> u32 {
    duration.as_micros().min(u32::MAX as u128) as u32
}
