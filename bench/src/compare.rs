//! The side-by-side run: triangulation day and burst against Peerwall, Hocuspocus with SQLite
//! and Hocuspocus in memory, alternating in one go on one machine, then the ratio table.

use std::net::TcpListener;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use serde::Serialize;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

use crate::run::{self, Plan, RunResult, Workload};
use crate::stats::ProcessStats;

const SYSTEMS: [&str; 3] = ["peerwall", "hocuspocus-sqlite", "hocuspocus-memory"];

#[derive(Debug, Serialize)]
struct Comparison {
    rounds: usize,
    time_scale: f64,
    results: Vec<RunResult>,
}

pub async fn main(
    binary: &Path,
    site_root: &Path,
    out: &Path,
    hocuspocus: &Path,
    rounds: usize,
    time_scale: f64,
) -> Result<(), String> {
    let mut results = Vec::new();
    for round in 0..rounds {
        for workload in [Workload::Triangulation, Workload::Burst] {
            let plan = Plan::of(workload, time_scale);
            for system in SYSTEMS {
                println!(
                    "== round {} of {rounds}: {system}, {}",
                    round + 1,
                    run::workload_name(workload)
                );
                let result = match system {
                    "peerwall" => run::peerwall(binary, site_root, &plan).await?,
                    other => {
                        let persistence = other.trim_start_matches("hocuspocus-");
                        run_hocuspocus(hocuspocus, out, &plan, persistence).await?
                    }
                };
                result.print();
                result.write(out, &format!("{system}-{}", run::workload_name(workload)))?;
                results.push(result);
            }
        }
    }
    print_table(&results);
    let comparison = Comparison {
        rounds,
        time_scale,
        results,
    };
    let json = serde_json::to_string_pretty(&comparison).map_err(|e| e.to_string())?;
    std::fs::write(out.join("compare.json"), json).map_err(|e| e.to_string())
}

/// Starts a Hocuspocus server and the Node load generator with the same plan.
async fn run_hocuspocus(
    folder: &Path,
    out: &Path,
    plan: &Plan,
    persistence: &str,
) -> Result<RunResult, String> {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map_err(|e| e.to_string())?
        .port();
    let data = tempfile::tempdir().map_err(|e| e.to_string())?;
    let mut server = Command::new("node");
    server
        .current_dir(folder)
        .arg("server.mjs")
        .arg(port.to_string());
    if persistence == "sqlite" {
        server
            .arg("sqlite")
            .arg(data.path().join("hocuspocus.sqlite"));
    } else {
        server.arg("memory");
    }
    let mut server = server
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .map_err(|error| format!("starting node server.mjs: {error}"))?;
    let pid = server.id().ok_or("the Hocuspocus server has no pid")?;
    let mut lines = BufReader::new(server.stdout.take().ok_or("no stdout")?).lines();
    let ready = tokio::time::timeout(Duration::from_secs(30), async {
        while let Ok(Some(line)) = lines.next_line().await {
            if line.trim() == "ready" {
                return true;
            }
        }
        false
    })
    .await;
    if ready != Ok(true) {
        return Err("the Hocuspocus server did not start".into());
    }

    let result_path = std::path::absolute(out.join(format!(
        "hocuspocus-{persistence}-{}.raw.json",
        run::workload_name(plan.workload)
    )))
    .map_err(|e| e.to_string())?;
    let steps: Vec<(f64, f64)> = plan
        .steps
        .iter()
        .map(|(rate, length)| (*rate, length.as_secs_f64()))
        .collect();
    let load_plan = serde_json::json!({
        "url": format!("ws://127.0.0.1:{port}"),
        "boards": plan.boards,
        "clients": plan.clients,
        "steps": steps,
        "out": result_path,
        "system": format!("hocuspocus-{persistence}"),
        "workload": run::workload_name(plan.workload),
    });
    let mut load = Command::new("node")
        .current_dir(folder)
        .arg("load.mjs")
        .arg(load_plan.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .map_err(|error| format!("starting node load.mjs: {error}"))?;
    let load_pid = load.id().ok_or("the load generator has no pid")?;
    let mut progress = BufReader::new(load.stdout.take().ok_or("no stdout")?).lines();
    let (mut before, mut after) = (ProcessStats::default(), ProcessStats::default());
    let (mut client_before, mut client_after) = (ProcessStats::default(), ProcessStats::default());
    let mut rss = Vec::new();
    let limit = plan.duration() + Duration::from_secs(240);
    let watched = tokio::time::timeout(limit, async {
        while let Ok(Some(line)) = progress.next_line().await {
            match line.trim() {
                "measuring" => {
                    before = ProcessStats::read(pid);
                    client_before = ProcessStats::read(load_pid);
                }
                "sent" => client_after = ProcessStats::read(load_pid),
                "done" => after = ProcessStats::read(pid),
                other if other.starts_with("step ") => rss.push(ProcessStats::read(pid).rss_mb),
                _ => {}
            }
        }
    })
    .await;
    let status = load.wait().await.map_err(|e| e.to_string())?;
    let _ = server.start_kill();
    let _ = server.wait().await;
    if watched.is_err() || !status.success() {
        return Err(format!("the Hocuspocus load generator failed ({status})"));
    }
    let text = std::fs::read_to_string(&result_path).map_err(|e| e.to_string())?;
    let mut result: RunResult = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    result.server_cpu_s = after.cpu_seconds - before.cpu_seconds;
    result.server_peak_rss_mb = after.peak_rss_mb;
    result.client_cpu_s = client_after.cpu_seconds - client_before.cpu_seconds;
    for (step, rss) in result.steps.iter_mut().zip(rss) {
        step.rss_mb = rss;
    }
    if plan.workload == Workload::Burst {
        result.sustainable_rate = run::sustainable(&result.steps);
    }
    Ok(result)
}

/// The median of a figure over the rounds of one system and workload.
pub fn median(results: &[&RunResult], figure: fn(&RunResult) -> Option<f64>) -> Option<f64> {
    let mut values: Vec<f64> = results.iter().filter_map(|r| figure(r)).collect();
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    Some(values[values.len() / 2])
}

pub type Figure = (&'static str, fn(&RunResult) -> Option<f64>);

pub const FIGURES: [Figure; 9] = [
    ("fan-out p50 ms", |r| Some(r.fanout_ms.p50)),
    ("fan-out p99 ms", |r| Some(r.fanout_ms.p99)),
    ("ack p99 ms", |r| Some(r.ack_ms.p99)),
    ("achieved ops/s", |r| Some(r.achieved_ops_per_s)),
    ("sustainable ops/s", |r| r.sustainable_rate),
    ("server CPU s", |r| Some(r.server_cpu_s)),
    ("server peak RSS MiB", |r| Some(r.server_peak_rss_mb)),
    ("load generator CPU s", |r| Some(r.client_cpu_s)),
    ("diverged boards", |r| Some(r.diverged_boards as f64)),
];

fn print_table(results: &[RunResult]) {
    println!();
    println!(
        "Peerwall ÷ Hocuspocus (medians over rounds; below 1 is better for times, CPU and memory; above 1 for rates)"
    );
    for workload in ["triangulation", "burst"] {
        let of = |system: &str| -> Vec<&RunResult> {
            results
                .iter()
                .filter(|r| r.system == system && r.workload == workload)
                .collect()
        };
        let (peerwall, sqlite, memory) = (
            of("peerwall"),
            of("hocuspocus-sqlite"),
            of("hocuspocus-memory"),
        );
        if peerwall.is_empty() {
            continue;
        }
        println!();
        println!(
            "{workload:<22} {:>10} {:>12} {:>12} {:>9} {:>9}",
            "Peerwall", "Hp SQLite", "Hp memory", "÷ SQLite", "÷ memory"
        );
        for (name, figure) in FIGURES {
            let p = median(&peerwall, figure);
            let s = median(&sqlite, figure);
            let m = median(&memory, figure);
            let Some(p) = p else {
                continue;
            };
            let cell = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.2}"));
            let ratio = |v: Option<f64>| {
                v.filter(|v| *v > 0.0)
                    .map_or("-".to_string(), |v| format!("{:.2}", p / v))
            };
            println!(
                "{name:<22} {:>10} {:>12} {:>12} {:>9} {:>9}",
                format!("{p:.2}"),
                cell(s),
                cell(m),
                ratio(s),
                ratio(m)
            );
        }
    }
}
