//! The fault run: a triangulation-day load while the server is killed with SIGKILL at random
//! moments and restarted on the same data folder. Clients reconnect and resend what was not
//! acknowledged. At the end every acknowledged operation is resent on a fresh connection: the
//! server must answer each with the sequence number it acknowledged before (an operation the
//! database had lost would be applied again under a new number, or refused).

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use rand::Rng;
use serde::Serialize;

use crate::client::{ClientReport, Control, Target};
use crate::run;
use crate::server::{Server, Setup};
use crate::stats::Summary;
use crate::verify;

/// Boards, clients per board and total rate of the fault run's load.
const BOARDS: usize = 4;
const CLIENTS: usize = 4;
const RATE: f64 = 40.0;

#[derive(Debug, Serialize)]
pub struct FaultResult {
    pub cycles: usize,
    pub ops_acked: u64,
    /// Acknowledged operations checked by resending them, and of those, lost.
    pub acknowledged_checked: usize,
    pub acknowledged_lost: usize,
    /// Operations never answered after the quiet period.
    pub unanswered: usize,
    pub diverged_boards: usize,
    /// From the kill to every client welcomed again by the restarted server, in ms.
    pub recovery_ms: Summary,
    /// From the restart to the server answering /healthz, in ms.
    pub restart_ms: Summary,
    pub reconnect_attempts: u64,
}

/// `sabotage`: the last restart puts back a copy of the database taken after the first kill,
/// losing what was acknowledged in between, to show that the checks catch a loss.
pub async fn main(
    binary: &Path,
    site_root: &Path,
    out: &Path,
    cycles: usize,
    sabotage: bool,
) -> Result<(), String> {
    let data = tempfile::tempdir().map_err(|e| e.to_string())?;
    let folder = data.path().join("db");
    let stale = data.path().join("stale");
    let mut server = Server::start(binary, site_root, &folder).await?;
    let setup = server.setup(BOARDS, CLIENTS, 0).await?;
    let clients = BOARDS * CLIENTS;
    let deadline = Instant::now() + Duration::from_secs(30 + 10 * cycles as u64);
    let control = Arc::new(Control::new(deadline));
    let (boards, tasks) = run::spawn_clients(&server, &setup, CLIENTS, &control);
    run::wait_ready(&control, clients).await?;
    control.set_rate_per_client(RATE / clients as f64);
    control.sending.store(true, Ordering::Relaxed);

    let mut recovery = Vec::new();
    let mut restart = Vec::new();
    for cycle in 0..cycles {
        let pause = rand::rng().random_range(300..1500);
        tokio::time::sleep(Duration::from_millis(pause)).await;
        let welcomed = control.welcomes.load(Ordering::Relaxed);
        let killed = Instant::now();
        server.kill9().await;
        if sabotage && cycle == 0 {
            copy_folder(&folder, &stale)?;
        }
        if sabotage && cycle + 1 == cycles {
            std::fs::remove_dir_all(&folder).map_err(|e| e.to_string())?;
            copy_folder(&stale, &folder)?;
        }
        let down = rand::rng().random_range(0..200);
        tokio::time::sleep(Duration::from_millis(down)).await;
        let restarting = Instant::now();
        server.restart().await?;
        restart.push(micros(restarting.elapsed()));
        let wait_until = Instant::now() + Duration::from_secs(30);
        while control.welcomes.load(Ordering::Relaxed) < welcomed + clients {
            if Instant::now() > wait_until {
                return Err(format!(
                    "cycle {cycle}: clients did not all reconnect within 30 s"
                ));
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        recovery.push(micros(killed.elapsed()));
    }
    // Some load after the last restart, then quiet.
    tokio::time::sleep(Duration::from_secs(1)).await;
    control.sending.store(false, Ordering::Relaxed);
    run::quiet(&control, &boards, Duration::from_secs(30)).await;
    control.stop.store(true, Ordering::Relaxed);
    let reports = run::join(tasks).await;
    let target = Target::at(server.addr, String::new());
    let diverged = run::diverged_boards(&target, &setup, &boards, &reports).await;

    let addr = server.addr;
    let (checked, lost) = resend_acknowledged(&setup, &reports, |_, _| addr).await?;
    server.stop().await;

    let result = FaultResult {
        cycles,
        ops_acked: reports.iter().map(|(_, r)| r.acked).sum(),
        acknowledged_checked: checked,
        acknowledged_lost: lost,
        unanswered: reports.iter().map(|(_, r)| r.unanswered).sum(),
        diverged_boards: diverged,
        recovery_ms: Summary::of_micros(&recovery),
        restart_ms: Summary::of_micros(&restart),
        reconnect_attempts: reports.iter().map(|(_, r)| r.reconnects).sum(),
    };
    println!(
        "fault: {} kill -9 cycles, {} operations acknowledged; resent {} of them: {} lost; {} unanswered; {} diverged boards",
        result.cycles,
        result.ops_acked,
        result.acknowledged_checked,
        result.acknowledged_lost,
        result.unanswered,
        result.diverged_boards
    );
    println!(
        "  recovery (kill → every client welcomed again): p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms; restart to /healthz p50 {:.0} ms",
        result.recovery_ms.p50,
        result.recovery_ms.p99,
        result.recovery_ms.max,
        result.restart_ms.p50
    );
    let json = serde_json::to_string_pretty(&result).map_err(|e| e.to_string())?;
    std::fs::write(out.join("peerwall-fault.json"), json).map_err(|e| e.to_string())?;
    if result.acknowledged_lost > 0 || result.diverged_boards > 0 || result.unanswered > 0 {
        return Err("the fault run lost or diverged operations".into());
    }
    if result.ops_acked == 0 || result.acknowledged_checked as u64 != result.ops_acked {
        return Err(
            "the fault run acknowledged nothing, or checked fewer than it acknowledged".into(),
        );
    }
    Ok(())
}

/// Resends every acknowledged operation on fresh connections, each board's share spread over
/// its people's sessions (person `share` of board `index` on `node(index, share)`), and counts
/// what was checked and what came back other than as first acknowledged.
pub async fn resend_acknowledged(
    setup: &Setup,
    reports: &[(usize, ClientReport)],
    node: impl Fn(usize, usize) -> SocketAddr,
) -> Result<(usize, usize), String> {
    let mut checks = Vec::new();
    for (index, board) in setup.boards.iter().enumerate() {
        let acknowledged: Vec<_> = reports
            .iter()
            .filter(|(b, _)| *b == index)
            .flat_map(|(_, report)| report.acknowledged.iter().cloned())
            .collect();
        let shares = board.tokens.len();
        for (share, token) in board.tokens.iter().enumerate() {
            let part: Vec<_> = acknowledged
                .iter()
                .skip(share)
                .step_by(shares)
                .cloned()
                .collect();
            let target = Target::at(node(index, share), format!("{}={token}", setup.cookie));
            let review = board.review.clone();
            checks.push(tokio::spawn(async move {
                let deadline = Instant::now() + Duration::from_secs(300);
                verify::acknowledged(&target, &review, &part, deadline).await
            }));
        }
    }
    let (mut checked, mut lost) = (0, 0);
    for check in checks {
        let (c, l) = check.await.map_err(|e| e.to_string())??;
        checked += c;
        lost += l;
    }
    Ok((checked, lost))
}

/// Copies the database's files; anything else in the folder (the running server's `admin.sock`)
/// is not data and is left out — copying a socket fails, which once made the sabotaged run fail
/// for that reason instead of for the loss it must find.
fn copy_folder(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(|e| e.to_string())?;
    for entry in std::fs::read_dir(from).map_err(|e| e.to_string())? {
        let entry = entry.map_err(|e| e.to_string())?;
        let target = to.join(entry.file_name());
        let kind = entry.file_type().map_err(|e| e.to_string())?;
        if kind.is_dir() {
            copy_folder(&entry.path(), &target)?;
        } else if kind.is_file() {
            std::fs::copy(entry.path(), &target)
                .map_err(|e| format!("copying {}: {e}", entry.path().display()))?;
        }
    }
    Ok(())
}

fn micros(duration: Duration) -> u32 {
    duration.as_micros().min(u32::MAX as u128) as u32
}
