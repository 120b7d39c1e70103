//! The load across nodes, side by side in one run: the triangulation-day and burst workloads
//! against one node on its embedded engine (SurrealKV in its own data folder), one node on a
//! real SurrealDB server (`surreal`, SurrealKV, every commit synced, over `ws://` on loopback),
//! and three nodes on that server with the clients spread over them (client n on node n mod 3,
//! so most of what a client hears was written on another node and reached its node through the
//! live query). The server's figures add up every node and the database server. Then the
//! ratios: what the `ws://` round trips cost against the embedded engine, and what spreading
//! over three nodes costs against one.

use std::path::Path;

use serde::Serialize;

use crate::compare::{FIGURES, median};
use crate::nodes::{self, Database};
use crate::run::{self, Plan, RunResult, Workload};

/// The systems in the order they run within a round: a name and how many nodes share a
/// database server (0: one node on its embedded engine).
const SYSTEMS: [(&str, usize); 3] = [
    ("peerwall-embedded", 0),
    ("peerwall-server-1-node", 1),
    ("peerwall-server-3-nodes", 3),
];

#[derive(Debug, Serialize)]
struct ClusterLoad {
    rounds: usize,
    time_scale: f64,
    results: Vec<RunResult>,
}

pub async fn main(
    binary: &Path,
    surreal: &Path,
    site_root: &Path,
    out: &Path,
    rounds: usize,
    time_scale: f64,
) -> Result<(), String> {
    let mut results = Vec::new();
    for round in 0..rounds {
        for workload in [Workload::Triangulation, Workload::Burst] {
            let plan = Plan::of(workload, time_scale);
            for (system, count) in SYSTEMS {
                println!(
                    "== round {} of {rounds}: {system}, {}",
                    round + 1,
                    run::workload_name(workload)
                );
                let mut result = if count == 0 {
                    run::peerwall(binary, site_root, &plan).await?
                } else {
                    on_server(binary, surreal, site_root, &plan, count).await?
                };
                result.system = system.into();
                result.print();
                result.write(out, &format!("{system}-{}", run::workload_name(workload)))?;
                results.push(result);
            }
        }
    }
    print_table(&results);
    let load = ClusterLoad {
        rounds,
        time_scale,
        results,
    };
    let json = serde_json::to_string_pretty(&load).map_err(|e| e.to_string())?;
    std::fs::write(out.join("cluster-load.json"), json).map_err(|e| e.to_string())
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
    let setup = nodes[0].setup(plan.boards, plan.clients, 0).await?;
    let refs: Vec<&crate::server::Server> = nodes.iter().collect();
    let others: Vec<u32> = database.pid().into_iter().collect();
    let result = run::drive_over(&refs, &others, &setup, plan).await;
    for node in nodes {
        node.stop().await;
    }
    database.kill9().await;
    result
}

fn print_table(results: &[RunResult]) {
    println!();
    println!(
        "Across nodes (medians over rounds; the server's figures add up every node and the database server; below 1 is better for times, CPU and memory, above 1 for rates)"
    );
    for workload in ["triangulation", "burst"] {
        let of = |system: &str| -> Vec<&RunResult> {
            results
                .iter()
                .filter(|r| r.system == system && r.workload == workload)
                .collect()
        };
        let (embedded, one, three) = (of(SYSTEMS[0].0), of(SYSTEMS[1].0), of(SYSTEMS[2].0));
        if embedded.is_empty() {
            continue;
        }
        println!();
        println!(
            "{workload:<22} {:>10} {:>10} {:>10} {:>14} {:>14}",
            "embedded", "1 node ws", "3 nodes ws", "1 ws ÷ embed", "3 ÷ 1 node"
        );
        for (name, figure) in FIGURES {
            let (e, o, t) = (
                median(&embedded, figure),
                median(&one, figure),
                median(&three, figure),
            );
            if e.is_none() && o.is_none() && t.is_none() {
                continue;
            }
            let cell = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.2}"));
            let ratio = |a: Option<f64>, b: Option<f64>| match (a, b) {
                (Some(a), Some(b)) if b > 0.0 => format!("{:.2}", a / b),
                _ => "-".to_string(),
            };
            println!(
                "{name:<22} {:>10} {:>10} {:>10} {:>14} {:>14}",
                cell(e),
                cell(o),
                cell(t),
                ratio(o, e),
                ratio(t, o)
            );
        }
    }
}
