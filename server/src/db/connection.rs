//! Opening the database: an embedded folder, memory, or a SurrealDB server.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use surrealdb::Surreal;
use surrealdb::engine::any::{Any, connect};
use surrealdb::opt::auth::Root;
use surrealdb::types::QueryError;

use crate::config::{DatabaseConfig, DatabaseLocation};
use crate::error::StartupError;

/// A failed database call.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("the database reported an error: {0}")]
    Query(#[from] surrealdb::Error),
    #[error("the database did not answer within {0:?}")]
    Timeout(Duration),
    #[error("the database returned data Peerwall cannot read: {0}")]
    Corrupt(String),
}

/// A shared handle on the database. Cloning shares one connection and session.
#[derive(Clone)]
pub struct Database {
    client: Arc<Surreal<Any>>,
    timeout: Duration,
}

impl Database {
    /// Connects, signs in where needed and selects the namespace and database.
    pub async fn open(config: &DatabaseConfig) -> Result<Self, StartupError> {
        let endpoint = match &config.location {
            DatabaseLocation::Memory => "mem://".to_string(),
            DatabaseLocation::Remote(url) => url.clone(),
            DatabaseLocation::Folder(path) => {
                let folder = prepare_folder(path)?;
                // Every commit is synced to disk before it is acknowledged.
                format!("surrealkv://{}?sync=every", folder.display())
            }
        };
        let location = config.location.to_string();
        let unreachable = |reason: String| StartupError::DatabaseUnreachable {
            location: location.clone(),
            reason,
        };
        let client =
            tokio::time::timeout(config.timeout, connect_engine(&config.location, endpoint))
                .await
                .map_err(|_| {
                    unreachable(format!("no answer within {}s", config.timeout.as_secs()))
                })?
                .map_err(|error| unreachable(error.to_string()))?;
        if let (Some(username), Some(password)) = (&config.user, &config.password) {
            let credentials = Root {
                username: username.clone(),
                password: password.clone(),
            };
            tokio::time::timeout(config.timeout, client.signin(credentials))
                .await
                .map_err(|_| unreachable("sign-in timed out".into()))?
                .map_err(|error| unreachable(format!("sign-in failed: {error}")))?;
        }
        tokio::time::timeout(
            config.timeout,
            client
                .use_ns(config.namespace.clone())
                .use_db(config.database.clone()),
        )
        .await
        .map_err(|_| unreachable("selecting the namespace timed out".into()))?
        .map_err(|error| unreachable(error.to_string()))?;
        Ok(Self {
            client: Arc::new(client),
            timeout: config.timeout,
        })
    }

    /// The SurrealDB client, for the repositories in this module.
    pub(crate) fn client(&self) -> &Surreal<Any> {
        &self.client
    }

    /// Runs a trivial query, for readiness checks.
    pub async fn ping(&self) -> Result<(), DbError> {
        let query = async {
            let mut response = self.client.query("RETURN 1").await?;
            let one: Option<i64> = response.take(0)?;
            match one {
                Some(1) => Ok(()),
                other => Err(DbError::Corrupt(format!("RETURN 1 gave {other:?}"))),
            }
        };
        tokio::time::timeout(self.timeout, query)
            .await
            .map_err(|_| DbError::Timeout(self.timeout))?
    }

    /// Ends live queries and lets the engine flush; called once on shutdown.
    pub async fn close(&self) {
        if let Err(error) = self.client.invalidate().await {
            tracing::debug!(%error, "closing the database session");
        }
    }
}

/// Connects to the engine. An embedded folder that this process has only just closed stays
/// locked until the engine's shutdown task has run, so a folder is retried briefly.
async fn connect_engine(
    location: &DatabaseLocation,
    endpoint: String,
) -> Result<Surreal<Any>, surrealdb::Error> {
    let mut attempt = 0;
    loop {
        match connect(endpoint.as_str()).await {
            Err(_) if matches!(location, DatabaseLocation::Folder(_)) && attempt < 20 => {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            result => return result,
        }
    }
}

/// Runs `operation` again, with jittered exponential backoff, while SurrealDB reports a
/// transaction conflict, which it marks as retryable but does not retry itself.
pub(crate) async fn retry_conflicts<T, F, Fut>(mut operation: F) -> Result<T, surrealdb::Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, surrealdb::Error>>,
{
    const ATTEMPTS: u32 = 8;
    let mut delay = Duration::from_millis(4);
    for attempt in 1.. {
        match operation().await {
            Err(error) if attempt < ATTEMPTS && is_conflict(&error) => {
                let jitter = Duration::from_micros((uuid::Uuid::new_v4().as_u128() % 4_000) as u64);
                tokio::time::sleep(delay + jitter).await;
                delay *= 2;
            }
            result => return result,
        }
    }
    unreachable!("the loop returns on its last attempt")
}

fn is_conflict(error: &surrealdb::Error) -> bool {
    error.query_details() == Some(&QueryError::TransactionConflict)
        || error.cause().is_some_and(is_conflict)
}

/// Creates the data folder if needed and proves it is writable, so a bad folder fails with a
/// sentence instead of an engine error later.
fn prepare_folder(path: &Path) -> Result<std::path::PathBuf, StartupError> {
    let failed = |reason: String| StartupError::DataFolder {
        path: path.to_path_buf(),
        reason,
    };
    std::fs::create_dir_all(path).map_err(|error| failed(describe_io(&error)))?;
    let folder = std::fs::canonicalize(path).map_err(|error| failed(describe_io(&error)))?;
    let probe = folder.join(".peerwall-write-check");
    std::fs::write(&probe, b"ok").map_err(|error| failed(describe_io(&error)))?;
    let _ = std::fs::remove_file(&probe);
    Ok(folder)
}

fn describe_io(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::NotADirectory => "a file is in the way of the folder".into(),
        std::io::ErrorKind::ReadOnlyFilesystem => "the file system is read-only".into(),
        std::io::ErrorKind::AlreadyExists => "a file with that name already exists".into(),
        _ => error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_in_the_way_of_the_data_folder_is_explained() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("occupied");
        std::fs::write(&file, b"x").unwrap();
        let error = prepare_folder(&file.join("data")).unwrap_err();
        let message = error.to_string();
        assert!(
            message.starts_with("cannot use the data folder"),
            "{message}"
        );
        assert!(message.contains("a file is in the way"), "{message}");
    }

    #[test]
    fn a_missing_data_folder_is_created() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("a/b/data");
        let made = prepare_folder(&folder).unwrap();
        assert!(made.is_dir());
        assert!(!made.join(".peerwall-write-check").exists());
    }
}
