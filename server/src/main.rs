//! The `peerwall` binary: read the configuration, then run the server until told to stop.

use std::process::ExitCode;

use clap::Parser;
use peerwall_server::{Config, run, telemetry};

#[tokio::main]
async fn main() -> ExitCode {
    let config = Config::parse();
    telemetry::init(&config);
    match run(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "peerwall stopped");
            eprintln!("peerwall: {error}");
            ExitCode::FAILURE
        }
    }
}
