//! The side-by-side run: triangulation day and burst against Peerwall, Hocuspocus with SQLite
//! and Hocuspocus in memory, alternating in one go on one machine, then the ratio table.

use std::net::TcpListener;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

use crate::rounds::{self, Table};
use crate::run::{self, Plan, RunResult, Workload};
use crate::stats::ProcessStats;

const TABLE: Table = Table {
    title: "Peerwall ÷ Hocuspocus (medians over rounds; below 1 is better for times, CPU and memory; above 1 for rates)",
    file: "compare.json",
    columns: &[
        ("peerwall", "Peerwall"),
        ("hocuspocus-sqlite", "Hp SQLite"),
        ("hocuspocus-memory", "Hp memory"),
    ],
    ratios: &[(0, 1, "÷ SQLite"), (0, 2, "÷ memory")],
};

/// The same with an earlier build of Peerwall alongside: before and after in one run.
const WITH_BASELINE: Table = Table {
    title: "Peerwall (after) ÷ its earlier build (before) and ÷ Hocuspocus (medians over rounds; below 1 is better for times, CPU and memory; above 1 for rates)",
    file: "compare.json",
    columns: &[
        ("peerwall-before", "Before"),
        ("peerwall", "After"),
        ("hocuspocus-sqlite", "Hp SQLite"),
        ("hocuspocus-memory", "Hp memory"),
    ],
    ratios: &[
        (1, 0, "÷ before"),
        (0, 2, "before÷SQLite"),
        (1, 2, "÷ SQLite"),
        (1, 3, "÷ memory"),
    ],
};

/// The programs a comparison runs.
pub struct Binaries<'a> {
    pub peerwall: &'a Path,
    /// An earlier `peerwall`, measured as "before".
    pub baseline: Option<&'a Path>,
    /// The folder with the Hocuspocus scripts.
    pub hocuspocus: &'a Path,
}

pub async fn main(
    binaries: Binaries<'_>,
    site_root: &Path,
    out: &Path,
    rounds: usize,
    time_scale: f64,
) -> Result<(), String> {
    let table = if binaries.baseline.is_some() {
        &WITH_BASELINE
    } else {
        &TABLE
    };
    let binaries = &binaries;
    rounds::alternate(out, table, rounds, time_scale, |system, plan| async move {
        match (system.strip_prefix("hocuspocus-"), binaries.baseline) {
            (Some(persistence), _) => {
                run_hocuspocus(binaries.hocuspocus, out, &plan, persistence).await
            }
            (None, Some(baseline)) if system == "peerwall-before" => {
                run::peerwall(baseline, site_root, &plan).await
            }
            (None, _) => run::peerwall(binaries.peerwall, site_root, &plan).await,
        }
    })
    .await
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
        "steady": plan.steady,
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
