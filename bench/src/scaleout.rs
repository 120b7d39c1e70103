//! The load across nodes, side by side in one run: the triangulation-day and burst workloads
//! against one node on its embedded engine (SurrealKV in its own data folder), one node on a
//! real SurrealDB server (`surreal`, SurrealKV, every commit synced, over `ws://` on loopback),
//! and three nodes on that server with the clients spread over them (client n on node n mod 3,
//! so most of what a client hears was written on another node and reached its node through the
//! live query). The server's figures add up every node and the database server. Then the
//! ratios: what the `ws://` round trips cost against the embedded engine, and what spreading
//! over three nodes costs against one.

use std::path::Path;

use crate::nodes::{self, Database};
use crate::rounds::{self, Table};
use crate::run::{self, Plan, RunResult};

const TABLE: Table = Table {
    title: "Across nodes (medians over rounds; the server's figures add up every node and the database server; below 1 is better for times, CPU and memory, above 1 for rates)",
    file: "cluster-load.json",
    columns: &[
        ("peerwall-embedded", "embedded"),
        ("peerwall-server-1-node", "1 node ws"),
        ("peerwall-server-3-nodes", "3 nodes ws"),
    ],
    ratios: &[(1, 0, "1 ws ÷ embed"), (2, 1, "3 ÷ 1 node")],
};

/// How many nodes share the database server in each system (0: one node on its embedded
/// engine).
fn nodes_of(system: &str) -> usize {
    match system {
        "peerwall-server-1-node" => 1,
        "peerwall-server-3-nodes" => 3,
        _ => 0,
    }
}

pub async fn main(
    binary: &Path,
    surreal: &Path,
    site_root: &Path,
    out: &Path,
    rounds: usize,
    time_scale: f64,
) -> Result<(), String> {
    rounds::alternate(out, &TABLE, rounds, time_scale, |system, plan| async move {
        match nodes_of(system) {
            0 => run::peerwall(binary, site_root, &plan).await,
            count => on_server(binary, surreal, site_root, &plan, count).await,
        }
    })
    .await
}

/// A fresh database server and `count` nodes on it, the plan driven over them, all stopped.
async fn on_server(
    binary: &Path,
    surreal: &Path,
    site_root: &Path,
    plan: &Plan,
    count: usize,
) -> Result<RunResult, String> {
    let data = tempfile::tempdir().map_err(|e| e.to_string())?;
    let mut database = Database::start(surreal, &data.path().join("surreal")).await?;
    let nodes = nodes::start(binary, site_root, &database, count).await?;
    let setup = nodes[0]
        .setup(plan.boards, plan.clients, plan.seeded)
        .await?;
    let refs: Vec<&crate::server::Server> = nodes.iter().collect();
    let others: Vec<u32> = database.pid().into_iter().collect();
    let result = run::drive_over(&refs, &others, &setup, plan).await;
    for node in nodes {
        node.stop().await;
    }
    database.kill9().await;
    result
}
