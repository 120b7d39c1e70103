//! `peerwall-bench`: load, fault and comparison runs against Peerwall's live wall, on loopback.
//!
//! Every run starts its own `peerwall --bench` on a free port with a fresh data folder (the
//! embedded SurrealKV engine, syncing every commit to disk), so the figures include durability.
//! See the README's "Benchmarks" section for the commands and what each figure means.

mod bigboard;
mod client;
mod cluster;
mod compare;
mod fault;
mod frames;
mod mix;
mod nodes;
mod rounds;
mod run;
mod scaleout;
mod server;
mod stats;
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "peerwall-bench",
    about = "Load, fault and comparison runs for Peerwall's wall"
)]
struct Cli {
    /// The Peerwall binary to start (a release build for real figures).
    #[arg(long, global = true, default_value = "target/release/peerwall")]
    server: PathBuf,
    /// The compiled front end, for the big-board run.
    #[arg(long, global = true, default_value = "target/site")]
    site_root: PathBuf,
    /// Where JSON results go.
    #[arg(long, global = true, default_value = "target/bench")]
    out: PathBuf,
    #[command(subcommand)]
    command: Action,
}

#[derive(Debug, Subcommand)]
enum Action {
    /// One workload against Peerwall.
    Run {
        #[arg(value_enum)]
        workload: run::Workload,
        /// Scale the workload's duration (0.1 for a quick look).
        #[arg(long, default_value_t = 1.0)]
        time_scale: f64,
        /// Peerwall with its database in memory, to show what syncing every commit costs.
        #[arg(long)]
        in_memory: bool,
        /// Override the workload's number of boards.
        #[arg(long)]
        boards: Option<usize>,
        /// Override the workload's clients per board.
        #[arg(long)]
        clients: Option<usize>,
        /// Override every step's total rate (operations a second over all clients).
        #[arg(long)]
        rate: Option<f64>,
        /// Creates without deletes, so the walls grow all run (the soak is steady otherwise).
        #[arg(long)]
        growth: bool,
    },
    /// Kill -9 the server again and again during a triangulation-day load; fails on any
    /// acknowledged operation lost or any client not converged.
    Fault {
        /// How many kill-and-restart cycles.
        #[arg(long, default_value_t = 10)]
        cycles: usize,
        /// Prove the checks: the last restart goes back to a copy of the database from the
        /// first, losing acknowledged operations. The run must then fail.
        #[arg(long)]
        sabotage: bool,
    },
    /// Three nodes on one SurrealDB server under a triangulation-day load, through node kills,
    /// database restarts and pauses, and live queries killed on the database; fails on any
    /// acknowledged operation lost or any client not converged.
    ClusterFault {
        /// How many faults, taken in turn.
        #[arg(long, default_value_t = 8)]
        cycles: usize,
        /// The SurrealDB server binary (default: `surreal` beside `--server`).
        #[arg(long)]
        surreal: Option<PathBuf>,
    },
    /// Triangulation day and burst against one node on its embedded engine, one node on a
    /// SurrealDB server and three nodes on it, alternating, then the ratio table.
    ClusterLoad {
        /// How many rounds of the alternation.
        #[arg(long, default_value_t = 1)]
        rounds: usize,
        /// Scale every workload's duration.
        #[arg(long, default_value_t = 1.0)]
        time_scale: f64,
        /// The SurrealDB server binary (default: `surreal` beside `--server`).
        #[arg(long)]
        surreal: Option<PathBuf>,
    },
    /// A board of 1,000 notes: server render time, bytes sent, time to interactive in Chromium.
    BigBoard {
        #[arg(long, default_value_t = 1000)]
        notes: usize,
    },
    /// Triangulation day and burst against Peerwall and Hocuspocus (SQLite and in memory),
    /// alternating, then the ratio table.
    Compare {
        /// How many rounds of the alternation.
        #[arg(long, default_value_t = 1)]
        rounds: usize,
        /// Scale every workload's duration.
        #[arg(long, default_value_t = 1.0)]
        time_scale: f64,
        /// The folder with the Hocuspocus scripts and their node_modules.
        #[arg(long, default_value = "bench/hocuspocus")]
        hocuspocus: PathBuf,
        /// An earlier build of `peerwall` measured alongside, as "before".
        #[arg(long)]
        baseline: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    if let Err(error) = std::fs::create_dir_all(&cli.out) {
        eprintln!("creating {}: {error}", cli.out.display());
        return ExitCode::FAILURE;
    }
    let result = runtime.block_on(async {
        match &cli.command {
            Action::Run {
                workload,
                time_scale,
                in_memory,
                boards,
                clients,
                rate,
                growth,
            } => {
                let mut plan = run::Plan::of(*workload, *time_scale);
                if *growth {
                    plan = plan.growing();
                }
                plan.boards = boards.unwrap_or(plan.boards);
                plan.clients = clients.unwrap_or(plan.clients);
                if let Some(rate) = rate {
                    plan.steps.iter_mut().for_each(|step| step.0 = *rate);
                }
                run::main(&cli.server, &cli.site_root, &cli.out, &plan, *in_memory).await
            }
            Action::Fault { cycles, sabotage } => {
                fault::main(&cli.server, &cli.site_root, &cli.out, *cycles, *sabotage).await
            }
            Action::ClusterFault { cycles, surreal } => {
                let surreal = surreal
                    .clone()
                    .unwrap_or_else(|| cli.server.with_file_name("surreal"));
                cluster::main(&cli.server, &surreal, &cli.site_root, &cli.out, *cycles).await
            }
            Action::ClusterLoad {
                rounds,
                time_scale,
                surreal,
            } => {
                let surreal = surreal
                    .clone()
                    .unwrap_or_else(|| cli.server.with_file_name("surreal"));
                scaleout::main(
                    &cli.server,
                    &surreal,
                    &cli.site_root,
                    &cli.out,
                    *rounds,
                    *time_scale,
                )
                .await
            }
            Action::BigBoard { notes } => {
                bigboard::main(&cli.server, &cli.site_root, &cli.out, *notes).await
            }
            Action::Compare {
                rounds,
                time_scale,
                hocuspocus,
                baseline,
            } => {
                compare::main(
                    compare::Binaries {
                        peerwall: &cli.server,
                        baseline: baseline.as_deref(),
                        hocuspocus,
                    },
                    &cli.site_root,
                    &cli.out,
                    *rounds,
                    *time_scale,
                )
                .await
            }
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("peerwall-bench: {error}");
            ExitCode::FAILURE
        }
    }
}
