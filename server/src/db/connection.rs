//! Opening the database: an embedded folder, memory, or a SurrealDB server.

use std::future::{Future, IntoFuture};
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use surrealdb::engine::any::{Any, connect};
use surrealdb::engine::local::Db;
use surrealdb::method::IntoVariables;
use surrealdb::opt::auth::Root;
use surrealdb::types::QueryError;
use surrealdb::{IndexedResults, Surreal};

use super::location::{DatabaseConfig, DatabaseLocation, OpenError};

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
    client: Arc<Client>,
    timeout: Duration,
    /// A SurrealDB server, which other nodes may share (an embedded folder or memory is this
    /// process's alone).
    server: bool,
}

/// The SDK's two kinds of connection. An embedded folder is opened by hand
/// (`open_embedded`) so that the storage engine's memory settings can be passed; memory and
/// servers go through the SDK's `connect`.
enum Client {
    Connected(Surreal<Any>),
    Embedded(Surreal<Db>),
}

/// A SurrealQL statement being prepared on either kind of connection:
/// `db.query(SQL).bind(("name", value)).await`. On a connection (a server, or memory) it fails
/// after the database's timeout instead of waiting: while a server restarts or is unreachable
/// the SDK holds requests until it has reconnected, and a wall must say "not saved yet" rather
/// than hang (the operation is resent; its id makes the resend safe if it did land).
pub(crate) enum Query<'a> {
    Connected(surrealdb::method::Query<'a, Any>, Duration),
    Embedded(surrealdb::method::Query<'a, Db>),
}

impl Query<'_> {
    /// Binds parameters, as `surrealdb::method::Query::bind` does.
    pub(crate) fn bind(self, variables: impl IntoVariables) -> Self {
        match self {
            Self::Connected(query, within) => Self::Connected(query.bind(variables), within),
            Self::Embedded(query) => Self::Embedded(query.bind(variables)),
        }
    }
}

impl<'a> IntoFuture for Query<'a> {
    type Output = Result<IndexedResults, surrealdb::Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        match self {
            Self::Connected(query, within) => Box::pin(async move {
                tokio::time::timeout(within, query.into_future())
                    .await
                    .unwrap_or_else(|_| {
                        Err(surrealdb::Error::connection(
                            format!("no answer within {}s", within.as_secs_f32()),
                            None,
                        ))
                    })
            }),
            Self::Embedded(query) => Box::pin(query.into_future()),
        }
    }
}

impl Database {
    /// Connects, signs in where needed and selects the namespace and database.
    pub async fn open(config: &DatabaseConfig) -> Result<Self, OpenError> {
        let unreachable = |reason: String| unreachable(config, reason);
        let client = match &config.location {
            DatabaseLocation::Folder(path) => {
                let folder = prepare_folder(path)?;
                let client = tokio::time::timeout(config.timeout, open_embedded(&folder, config))
                    .await
                    .map_err(|_| no_answer(config))?
                    .map_err(unreachable)?;
                Client::Embedded(client)
            }
            DatabaseLocation::Memory => Client::Connected(connect_to("mem://", config).await?),
            DatabaseLocation::Remote(url) => Client::Connected(connect_to(url, config).await?),
        };
        let selected = match &client {
            Client::Connected(client) => {
                tokio::time::timeout(config.timeout, select(client, config)).await
            }
            Client::Embedded(client) => {
                tokio::time::timeout(config.timeout, select(client, config)).await
            }
        };
        selected
            .map_err(|_| unreachable("selecting the namespace timed out".into()))?
            .map_err(|error| unreachable(error.to_string()))?;
        Ok(Self {
            client: Arc::new(client),
            timeout: config.timeout,
            server: matches!(config.location, DatabaseLocation::Remote(_)),
        })
    }

    /// Whether this is a SurrealDB server, which other nodes may share: only then is there
    /// anyone to tell who is on a wall, or anyone who could end this node's live queries.
    pub fn is_server(&self) -> bool {
        self.server
    }

    /// Starts a SurrealQL statement, for the repositories in this module.
    pub(crate) fn query<'a>(&'a self, sql: impl Into<std::borrow::Cow<'a, str>>) -> Query<'a> {
        match self.client.as_ref() {
            Client::Connected(client) => Query::Connected(client.query(sql), self.timeout),
            Client::Embedded(client) => Query::Embedded(client.query(sql)),
        }
    }

    /// Writes the whole database, definitions and records, as SurrealQL to `path`: SurrealDB's
    /// own export, read in one transaction, so a consistent copy while writes go on.
    pub async fn export_to(&self, path: &Path) -> Result<(), DbError> {
        let path = path.to_path_buf();
        match self.client.as_ref() {
            Client::Connected(client) => client.export(path).await?,
            Client::Embedded(client) => client.export(path).await?,
        }
        Ok(())
    }

    /// Reads a file `export_to` wrote into this database.
    pub async fn import_from(&self, path: &Path) -> Result<(), DbError> {
        match self.client.as_ref() {
            Client::Connected(client) => client.import(path).await?,
            Client::Embedded(client) => client.import(path).await?,
        }
        Ok(())
    }

    /// Runs a trivial query, failing if it takes longer than `within` (readiness checks).
    pub async fn ping_within(&self, within: Duration) -> Result<(), DbError> {
        let query = async {
            let mut response = self.query("RETURN 1").await?;
            let one: Option<i64> = response.take(0)?;
            match one {
                Some(1) => Ok(()),
                other => Err(DbError::Corrupt(format!("RETURN 1 gave {other:?}"))),
            }
        };
        tokio::time::timeout(within, query)
            .await
            .map_err(|_| DbError::Timeout(within))?
    }

    /// Ends live queries and lets the engine flush; called once on shutdown.
    pub async fn close(&self) {
        let closed = match self.client.as_ref() {
            Client::Connected(client) => client.invalidate().await,
            Client::Embedded(client) => client.invalidate().await,
        };
        if let Err(error) = closed {
            tracing::debug!(%error, "closing the database session");
        }
    }
}

/// The start-up error for a database that could not be reached or opened.
fn unreachable(config: &DatabaseConfig, reason: String) -> OpenError {
    OpenError::Unreachable {
        location: config.location.to_string(),
        reason,
    }
}

fn no_answer(config: &DatabaseConfig) -> OpenError {
    unreachable(
        config,
        format!("no answer within {}s", config.timeout.as_secs()),
    )
}

/// Connects through the SDK (memory or a server) and signs in when credentials are given.
async fn connect_to(endpoint: &str, config: &DatabaseConfig) -> Result<Surreal<Any>, OpenError> {
    let unreachable = |reason: String| unreachable(config, reason);
    let client = tokio::time::timeout(config.timeout, connect(endpoint))
        .await
        .map_err(|_| no_answer(config))?
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
    Ok(client)
}

/// The storage engine's memory settings that were given, under SurrealKV's own keys.
fn engine_settings(config: &DatabaseConfig) -> surrealdb_cnf::ConfigMap {
    let mut settings = surrealdb_cnf::ConfigMap::empty();
    if let Some(bytes) = config.memtable_bytes {
        settings = settings.with_key_value("surrealkv_max_memtable_size", bytes.to_string());
    }
    if let Some(bytes) = config.block_cache_bytes {
        settings = settings.with_key_value("surrealkv_block_cache_capacity", bytes.to_string());
    }
    settings
}

/// Selects the namespace and database on either kind of connection.
async fn select<C: surrealdb::Connection>(
    client: &Surreal<C>,
    config: &DatabaseConfig,
) -> Result<(), surrealdb::Error> {
    client
        .use_ns(config.namespace.clone())
        .use_db(config.database.clone())
        .await
        .map(drop)
}

/// Opens an embedded folder the way the SDK's `connect("surrealkv://…")` does, plus two
/// settings `connect` cannot pass: the memtable's and the block cache's sizes
/// (`config::DEFAULT_MEMTABLE_MIB` and `DEFAULT_BLOCK_CACHE_MIB` unless told). Left to itself
/// SurrealKV sizes both by the machine's memory (a 1 GiB memtable on a 16–64 GiB host, filled
/// before its first flush). Every commit is synced to disk before it is acknowledged
/// (`sync=every`).
///
/// An embedded folder that this process has only just closed stays locked until the
/// engine's shutdown task has run, so opening is retried briefly.
///
/// It is opened on [`storage_runtime`], so the engine's background work lands there. A caller
/// that stops waiting (the open's timeout) leaves that opening to finish or fail there; the
/// folder is released when it does.
async fn open_embedded(folder: &Path, config: &DatabaseConfig) -> Result<Surreal<Db>, String> {
    let path = format!("surrealkv://{}?sync=every", folder.display());
    let settings = engine_settings(config);
    storage_runtime()?
        .spawn(open_datastore(path, settings))
        .await
        .map_err(|error| format!("opening the database stopped: {error}"))?
}

/// Where the embedded engine's own background work runs: two threads of their own (SurrealKV
/// runs its flushes and its compactions as two tasks, so each can have one), apart from the
/// runtime that serves requests. SurrealKV spawns its memtable flushes and level
/// compactions as tasks on the runtime it is opened on, and runs them there without yielding —
/// hundreds of milliseconds as the store grows. On the serving runtime (two workers on two
/// cores) each one held a worker while the sockets and boards queued behind it waited; here
/// the operating system shares the cores between them instead. Statements still run on the
/// caller's task. One for the process, made on first use and never shut down: the engine's
/// tasks must outlive whichever runtime opened the folder (a test's, or the server's).
fn storage_runtime() -> Result<&'static tokio::runtime::Runtime, String> {
    static STORAGE: std::sync::OnceLock<Result<tokio::runtime::Runtime, String>> =
        std::sync::OnceLock::new();
    STORAGE
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("peerwall-storage")
                .enable_all()
                .build()
                .map_err(|error| format!("starting the storage engine's threads: {error}"))
        })
        .as_ref()
        .map_err(Clone::clone)
}

async fn open_datastore(
    path: String,
    settings: surrealdb_cnf::ConfigMap,
) -> Result<Surreal<Db>, String> {
    use surrealdb_engine_local::Datastore;
    let mut attempt = 0;
    let (datastore, notifications) = loop {
        let (notify, notifications) =
            surrealdb::channel::bounded(surrealdb_cnf::NOTIFICATIONS_CHANNEL_SIZE);
        let built = Datastore::builder()
            .with_config(settings.clone())
            .with_notify(notify)
            // Started below, once the version key is in place (as the SDK's `connect` does).
            .without_maintenance_tasks()
            .build_with_path(&path)
            .await;
        match built {
            Ok(datastore) => break (datastore, notifications),
            Err(_) if attempt < 20 => {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(error) => return Err(error.to_string()),
        }
    };
    datastore.check_version().await.map_err(|e| e.to_string())?;
    datastore.bootstrap().await.map_err(|e| e.to_string())?;
    datastore.start_maintenance_tasks();
    Surreal::<Db>::unstable_from_datastore(datastore, Some(notifications))
        .await
        .map_err(|error| error.to_string())
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

/// Whether `error` says the database did not answer (unreachable, or past its deadline) rather
/// than refused the statement: nothing can be read back from it just now either.
pub(crate) fn is_away(error: &surrealdb::Error) -> bool {
    error.is_connection()
        // Not `NotExecuted`: that is every other statement of a transaction one refused.
        || matches!(error.query_details(), Some(QueryError::TimedOut { .. }))
        || error.cause().is_some_and(is_away)
}

fn is_conflict(error: &surrealdb::Error) -> bool {
    error.query_details() == Some(&QueryError::TransactionConflict)
        || error.cause().is_some_and(is_conflict)
}

/// Creates the data folder if needed and proves it is writable, so a bad folder fails with a
/// sentence instead of an engine error later.
fn prepare_folder(path: &Path) -> Result<std::path::PathBuf, OpenError> {
    let failed = |reason: String| OpenError::DataFolder {
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

    fn folder_config(folder: &Path, memtable_mib: u64) -> DatabaseConfig {
        DatabaseConfig {
            location: DatabaseLocation::Folder(folder.to_path_buf()),
            namespace: "test".into(),
            database: "test".into(),
            user: None,
            password: None,
            timeout: Duration::from_secs(30),
            memtable_bytes: Some(memtable_mib << 20),
            block_cache_bytes: Some(8 << 20),
        }
    }

    /// Writes about 9 MiB of small records (kept in the memtable, not the value log) in
    /// transactions of 100 records.
    async fn write_nine_mib(db: &Database) {
        for batch in 0..30 {
            db.query("FOR $i IN 0..100 { CREATE filler SET batch = $batch, text = $text; }")
                .bind(("batch", batch))
                .bind(("text", "x".repeat(3_000)))
                .await
                .unwrap()
                .check()
                .unwrap();
        }
    }

    fn flushed_tables(folder: &Path) -> usize {
        std::fs::read_dir(folder.join("sstables")).map_or(0, std::iter::Iterator::count)
    }

    /// Whether the engine writes a table file into `folder` within 20 seconds.
    async fn flushed_within_20s(folder: &Path) -> bool {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while flushed_tables(folder) == 0 && std::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        flushed_tables(folder) > 0
    }

    /// The memtable's size reaches the engine: with 4 MiB, 9 MiB of writes are flushed to
    /// table files; with 64 MiB the same writes all stay in memory. What was flushed is all
    /// there after reopening.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_embedded_memtable_is_bounded_by_the_setting() {
        let dir = tempfile::tempdir().unwrap();
        let small = dir.path().join("small");
        let db = Database::open(&folder_config(&small, 4)).await.unwrap();
        write_nine_mib(&db).await;
        assert!(
            flushed_within_20s(&small).await,
            "9 MiB of writes into a 4 MiB memtable flushed nothing"
        );
        db.close().await;
        drop(db);
        let db = Database::open(&folder_config(&small, 4)).await.unwrap();
        let mut response = db
            .query("RETURN count(SELECT id FROM filler)")
            .await
            .unwrap();
        let count: Option<i64> = response.take(0).unwrap();
        assert_eq!(count, Some(3_000));

        let large = dir.path().join("large");
        let db = Database::open(&folder_config(&large, 64)).await.unwrap();
        write_nine_mib(&db).await;
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!(flushed_tables(&large), 0, "a 64 MiB memtable flushed 9 MiB");
    }

    /// The engine's flushes run on threads of their own, not on the runtime that opened the
    /// folder: opened from a runtime that then ends, the database written from another still
    /// flushes its full memtables to table files, and keeps all it was given.
    #[test]
    fn the_engines_flushes_outlive_the_runtime_that_opened_it() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let folder = dir.path().join("db");
        let runtime = || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime")
        };
        let opening = runtime();
        let db = opening
            .block_on(Database::open(&folder_config(&folder, 4)))
            .expect("opening");
        drop(opening);
        let writing = async {
            write_nine_mib(&db).await;
            assert!(
                flushed_within_20s(&folder).await,
                "9 MiB into a 4 MiB memtable, and nothing flushed once the opening runtime ended"
            );
            let mut response = db
                .query("RETURN count(SELECT id FROM filler)")
                .await
                .expect("counting");
            let count: Option<i64> = response.take(0).expect("a count");
            assert_eq!(count, Some(3_000));
        };
        let written = runtime()
            .block_on(async { tokio::time::timeout(Duration::from_secs(60), writing).await });
        assert!(
            written.is_ok(),
            "writing stalled once the runtime that opened the database had ended"
        );
    }

    /// Both memory settings are read by SurrealKV's own configuration parser (the one the
    /// engine opens with); unset, the engine keeps its own sizes.
    #[test]
    fn the_engine_reads_the_memory_settings_given() {
        use surrealdb_kvs_surrealkv::SurrealKvConfig;
        let set = engine_settings(&folder_config(Path::new("unused"), 4)).load::<SurrealKvConfig>();
        assert_eq!(set.max_memtable_size, 4 << 20);
        assert_eq!(set.block_cache_capacity, 8 << 20);

        let unset = DatabaseConfig {
            memtable_bytes: None,
            block_cache_bytes: None,
            ..folder_config(Path::new("unused"), 4)
        };
        let unset = engine_settings(&unset).load::<SurrealKvConfig>();
        let engine = SurrealKvConfig::default();
        assert_eq!(unset.max_memtable_size, engine.max_memtable_size);
        assert_eq!(unset.block_cache_capacity, engine.block_cache_capacity);
    }
}
