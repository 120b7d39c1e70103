//! The `peerwall` binary: read the configuration, then run the server until told to stop.

use std::process::ExitCode;

use clap::Parser;
use peerwall_server::config::{AdminCommand, Command};
use peerwall_server::{Config, StartupError, allocator, assets, create_admin, run, telemetry};

/// Stack for each runtime thread. Rendering a page walks deeply nested view types; in a debug
/// build the wall's page needs more than the 2 MiB tokio gives by default.
const THREAD_STACK: usize = 16 * 1024 * 1024;

fn main() -> ExitCode {
    // Before any thread allocates: big blocks (the database's memtables) go back when freed,
    // and the arenas' free pages go back regularly.
    let malloc = allocator::settle();
    let trimming = allocator::trim_every(allocator::TRIM_EVERY);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(THREAD_STACK)
        .build();
    match runtime {
        Ok(runtime) => runtime.block_on(serve(malloc, trimming)),
        Err(error) => {
            eprintln!("peerwall: could not start its runtime: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(malloc: allocator::Settled, trimming: bool) -> ExitCode {
    let config = Config::parse();
    telemetry::init(&config);
    tracing::debug!(
        ?malloc,
        trimming,
        "malloc's mmap threshold, and whether a thread trims"
    );
    let outcome = match config.command.clone() {
        Some(Command::Admin(AdminCommand::Create { email, name })) => {
            create_admin(&config, &email, &name).await
        }
        Some(Command::Precompress) => precompress(&config),
        Some(Command::Backup { to }) => peerwall_server::backup::backup(&config, &to).await,
        Some(Command::Restore { from }) => {
            peerwall_server::backup::restore(&config, &from, chrono::Utc::now())
                .await
                .map(|_| ())
        }
        None => run(config).await,
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "peerwall stopped");
            eprintln!("peerwall: {error}");
            ExitCode::FAILURE
        }
    }
}

fn precompress(config: &Config) -> Result<(), StartupError> {
    let started = std::time::Instant::now();
    let report = assets::precompress(&config.site_root).map_err(StartupError::Precompress)?;
    println!(
        "Compressed {} files ({} up to date) under {} in {:.1} s",
        report.written,
        report.fresh,
        config.site_root.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
