//! A real SurrealDB server (`surreal`, built beside `peerwall` by `make server`) on loopback
//! over a SurrealKV folder, for the runs across nodes: started, killed, paused and restarted.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::process::{Child, Command};

use crate::client::Target;
use crate::server::{Server, answers, until_answers};

/// A SurrealDB server on loopback over a SurrealKV folder, every commit synced.
pub struct Database {
    binary: PathBuf,
    folder: PathBuf,
    addr: SocketAddr,
    child: Option<Child>,
}

impl Database {
    /// The server's process id while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().and_then(Child::id)
    }

    pub async fn start(binary: &Path, folder: &Path) -> Result<Self, String> {
        if !binary.exists() {
            return Err(format!(
                "{} is missing: build it with `make server` (or `cargo build -p peerwall-surreal`)",
                binary.display()
            ));
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .map_err(|error| format!("finding a free port: {error}"))?
            .port();
        let mut database = Self {
            binary: binary.to_path_buf(),
            folder: folder.to_path_buf(),
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            child: None,
        };
        database.restart().await?;
        Ok(database)
    }

    pub async fn restart(&mut self) -> Result<(), String> {
        let child = Command::new(&self.binary)
            .args(["start", "--no-banner", "--log", "error"])
            .args(["--user", "root", "--pass", "root", "--bind"])
            .arg(self.addr.to_string())
            .arg(format!("surrealkv://{}?sync=every", self.folder.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .map_err(|error| format!("starting {}: {error}", self.binary.display()))?;
        self.child = Some(child);
        let url = format!("http://{}/health", self.addr);
        let (http, within) = (reqwest::Client::new(), Duration::from_secs(60));
        until_answers(&http, &url, &mut self.child, "the database server", within).await
    }

    pub fn url(&self) -> String {
        format!("ws://{}", self.addr)
    }

    pub async fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.start_kill();
            let _ = child.wait().await;
        }
    }

    pub fn signal(&self, signal: &str) -> Result<(), String> {
        let pid = self
            .child
            .as_ref()
            .and_then(Child::id)
            .ok_or("the database server is not running")?;
        let status = std::process::Command::new("kill")
            .args([signal, &pid.to_string()])
            .status()
            .map_err(|error| error.to_string())?;
        status
            .success()
            .then_some(())
            .ok_or_else(|| format!("kill {signal} {pid} failed"))
    }

    /// Kills every LIVE query on the wall's log as root, as an operator would.
    pub async fn kill_wall_live_queries(&self) -> Result<usize, String> {
        use surrealdb::opt::auth::Root;
        let db = surrealdb::engine::any::connect(self.url())
            .await
            .map_err(|e| e.to_string())?;
        db.signin(Root {
            username: "root".into(),
            password: "root".into(),
        })
        .await
        .map_err(|e| e.to_string())?;
        db.use_ns("peerwall")
            .use_db("peerwall")
            .await
            .map_err(|e| e.to_string())?;
        let mut response = db
            .query("INFO FOR TABLE wall_event")
            .await
            .map_err(|e| e.to_string())?;
        let info: Option<surrealdb::types::Value> = response.take(0).map_err(|e| e.to_string())?;
        let info = info.map(surrealdb::types::Value::into_json_value);
        let ids: Vec<String> = info
            .and_then(|info| {
                info["lives"]
                    .as_object()
                    .map(|l| l.keys().cloned().collect())
            })
            .unwrap_or_default();
        for id in &ids {
            let id: uuid::Uuid = id.parse().map_err(|_| format!("a live query id {id}"))?;
            db.query("KILL $id")
                .bind(("id", surrealdb::types::Uuid::from(id)))
                .await
                .and_then(surrealdb::IndexedResults::check)
                .map_err(|e| e.to_string())?;
        }
        Ok(ids.len())
    }
}

/// Starts `count` nodes (`peerwall --bench`) on `database`, sharing one bench secret, and waits
/// until every one is ready.
pub async fn start(
    binary: &Path,
    site_root: &Path,
    database: &Database,
    count: usize,
) -> Result<Vec<Server>, String> {
    let secret = uuid::Uuid::new_v4().simple().to_string();
    let credentials: Vec<String> = ["--db-user", "root", "--db-password", "root"]
        .iter()
        .map(ToString::to_string)
        .collect();
    let mut nodes = Vec::new();
    for _ in 0..count {
        let node = Server::start_on(
            binary,
            site_root,
            database.url(),
            credentials.clone(),
            secret.clone(),
        )
        .await?;
        nodes.push(node);
    }
    all_ready(&nodes, Duration::from_secs(30)).await?;
    Ok(nodes)
}

/// Waits until every node answers `/readyz` with 200.
pub async fn all_ready(nodes: &[Server], within: Duration) -> Result<(), String> {
    let deadline = Instant::now() + within;
    for node in nodes {
        let url = format!("http://{}/readyz", node.addr);
        while !answers(node.http(), &url).await {
            if Instant::now() > deadline {
                return Err(format!(
                    "the node at {} was not ready within {within:?}",
                    node.addr
                ));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    Ok(())
}

/// A client's connection: to its own node, moving to the others in turn when it cannot be had.
pub fn spread(addrs: &[SocketAddr], client: usize, cookie: String) -> Target {
    let own = client % addrs.len();
    Target {
        addr: addrs[own],
        cookie,
        fallback: (1..addrs.len())
            .map(|step| addrs[(own + step) % addrs.len()])
            .collect(),
    }
}
