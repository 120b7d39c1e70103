//! Where the database is and how to open it: what the database module needs from the
//! configuration (`crate::config` fills it in from the command line and environment).

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

/// Where the database is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseLocation {
    /// An embedded SurrealKV database in this folder.
    Folder(PathBuf),
    /// An embedded in-memory database, gone when the process ends.
    Memory,
    /// A SurrealDB server at this `ws://` or `wss://` address.
    Remote(String),
}

impl FromStr for DatabaseLocation {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let value = value.trim();
        if value.is_empty() {
            return Err("the database location is empty".into());
        }
        if value == "mem://" || value == "memory" {
            return Ok(Self::Memory);
        }
        if value.starts_with("ws://") || value.starts_with("wss://") {
            return Ok(Self::Remote(value.to_string()));
        }
        if let Some(path) = value.strip_prefix("surrealkv://") {
            if path.is_empty() {
                return Err("surrealkv:// needs a folder after it".into());
            }
            return Ok(Self::Folder(PathBuf::from(path)));
        }
        if let Some((scheme, _)) = value.split_once("://") {
            return Err(format!(
                "`{scheme}://` is not a database Peerwall can use: give a folder, mem:// or ws://host:port"
            ));
        }
        Ok(Self::Folder(PathBuf::from(value)))
    }
}

impl std::fmt::Display for DatabaseLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Folder(path) => write!(f, "{}", path.display()),
            Self::Memory => f.write_str("mem://"),
            Self::Remote(url) => f.write_str(url),
        }
    }
}

/// What the database module needs to open a connection.
#[derive(Debug, Clone)]
pub struct DatabaseConfig {
    pub location: DatabaseLocation,
    pub namespace: String,
    pub database: String,
    pub user: Option<String>,
    pub password: Option<String>,
    pub timeout: Duration,
    /// The embedded engine's memtable in bytes (`--db-memtable-mib`); `None`: the engine's own.
    pub memtable_bytes: Option<u64>,
    /// The embedded engine's block cache in bytes (`--db-block-cache-mib`); `None`: the engine's own.
    pub block_cache_bytes: Option<u64>,
}

/// Why the database could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    /// The embedded database's folder cannot be created or written.
    #[error("cannot use the data folder {}: {reason}", path.display())]
    DataFolder { path: PathBuf, reason: String },
    /// The database cannot be reached or opened.
    #[error("cannot reach the database at {location}: {reason}")]
    Unreachable { location: String, reason: String },
}
