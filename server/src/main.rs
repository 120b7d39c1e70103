//! The `peerwall` binary: read the configuration, then run the server until told to stop.

use std::process::ExitCode;

use clap::Parser;
use peerwall_server::config::{AdminCommand, Command};
use peerwall_server::{Config, create_admin, run, telemetry};

#[tokio::main]
async fn main() -> ExitCode {
    let config = Config::parse();
    telemetry::init(&config);
    let outcome = match config.command.clone() {
        Some(Command::Admin(AdminCommand::Create { email, name })) => {
            create_admin(&config, &email, &name).await
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
