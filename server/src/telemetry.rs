//! Structured logs through `tracing`, as text or JSON.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::config::{Config, LogFormat};

/// The SDK's own attempt to end a LIVE query when its stream is dropped runs on a copy of the
/// session that has no namespace (embedded) or is not yet signed in (just after a reconnect),
/// so it fails and says so at every shutdown. Peerwall ends each query itself on its own
/// session (`live::LiveFollower::stop`) and logs a failure there, so the SDK's warning is
/// quietened unless the filter names that target.
const QUIET_SDK_KILL: &str = "surrealdb::method::live=error";

/// Installs the global subscriber; a bad filter falls back to `info` with a warning.
pub fn init(config: &Config) {
    let (filter, bad_filter) = match EnvFilter::try_new(&config.log) {
        Ok(filter) => (filter, None),
        Err(error) => (EnvFilter::new("info"), Some(error)),
    };
    let filter = if config.log.contains("surrealdb::method::live") {
        filter
    } else {
        match QUIET_SDK_KILL.parse() {
            Ok(directive) => filter.add_directive(directive),
            Err(_) => filter,
        }
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    let installed = match config.log_format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
    if installed.is_ok()
        && let Some(error) = bad_filter
    {
        tracing::warn!(filter = %config.log, %error, "ignoring the log filter; using `info`");
    }
}
