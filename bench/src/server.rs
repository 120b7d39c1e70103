//! Starting, killing and restarting the Peerwall server under test, on loopback, with its data
//! in a folder of its own.

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde::Deserialize;
use tokio::process::{Child, Command};

use crate::stats::memtable_mib;

/// Whether `url` answers with a success within 5 s (a probe: `/healthz`, `/readyz`, SurrealDB's
/// `/health`).
pub async fn answers(http: &reqwest::Client, url: &str) -> bool {
    let answer = http.get(url).timeout(Duration::from_secs(5)).send().await;
    answer.is_ok_and(|response| response.status().is_success())
}

/// Waits until `url` answers with a success; fails as soon as `child` (`what`) has exited, or
/// once `within` has passed.
pub async fn until_answers(
    http: &reqwest::Client,
    url: &str,
    child: &mut Option<Child>,
    what: &str,
    within: Duration,
) -> Result<(), String> {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if answers(http, url).await {
            return Ok(());
        }
        if let Some(child) = child.as_mut()
            && let Ok(Some(status)) = child.try_wait()
        {
            return Err(format!("{what} exited at start-up: {status}"));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Err(format!("{what} did not answer {url} within {within:?}"))
}

/// A running `peerwall --bench`.
pub struct Server {
    binary: PathBuf,
    site_root: PathBuf,
    /// The `--db` option: a data folder, or a SurrealDB server's URL.
    db: String,
    /// Further options (the database server's credentials).
    extra: Vec<String>,
    pub addr: SocketAddr,
    child: Option<Child>,
    /// When the last start finished (answering /healthz).
    pub started: Instant,
    http: reqwest::Client,
    /// The server's `--bench-secret`, fresh for every run.
    secret: String,
}

/// One bench board as the server created it.
#[derive(Debug, Clone, Deserialize)]
pub struct BenchBoard {
    pub review: String,
    pub headings: Vec<String>,
    pub tokens: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct Setup {
    pub cookie: String,
    pub boards: Vec<BenchBoard>,
}

impl Server {
    /// Starts the binary on a free loopback port with its database in `data`.
    pub async fn start(binary: &Path, site_root: &Path, data: &Path) -> Result<Self, String> {
        let secret = uuid::Uuid::new_v4().simple().to_string();
        let db = data.display().to_string();
        Self::start_on(binary, site_root, db, Vec::new(), secret).await
    }

    /// Starts the binary on a free loopback port with `--db db` and the `extra` options; nodes
    /// sharing a database server share its bench `secret`.
    pub async fn start_on(
        binary: &Path,
        site_root: &Path,
        db: String,
        extra: Vec<String>,
        secret: String,
    ) -> Result<Self, String> {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .map_err(|error| format!("finding a free port: {error}"))?
            .port();
        let mut server = Self {
            binary: binary.to_path_buf(),
            site_root: site_root.to_path_buf(),
            db,
            extra,
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            child: None,
            started: Instant::now(),
            http: reqwest::Client::new(),
            secret,
        };
        server.restart().await?;
        Ok(server)
    }

    /// Starts (again) on the same port and data folder and waits until it answers.
    pub async fn restart(&mut self) -> Result<(), String> {
        let child = Command::new(&self.binary)
            .arg("--bench")
            .arg("--bench-secret")
            .arg(&self.secret)
            .arg("--addr")
            .arg(self.addr.to_string())
            .arg("--db")
            .arg(&self.db)
            .args(&self.extra)
            .arg("--site-root")
            .arg(&self.site_root)
            .arg("--log")
            .arg("error")
            .env_remove("PEERWALL_DEMO")
            .env(
                "PEERWALL_DB_MEMTABLE_MIB",
                memtable_mib().unwrap_or(0).to_string(),
            )
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .map_err(|error| format!("starting {}: {error}", self.binary.display()))?;
        self.child = Some(child);
        let url = format!("http://{}/healthz", self.addr);
        let within = Duration::from_secs(60);
        until_answers(&self.http, &url, &mut self.child, "the server", within).await?;
        self.started = Instant::now();
        Ok(())
    }

    /// SIGKILL: no shutdown, no flush, exactly like a power cut for the process.
    pub async fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.start_kill();
            let _ = child.wait().await;
        }
    }

    /// Stops the server (SIGKILL is fine: everything acknowledged is already on disk).
    pub async fn stop(mut self) {
        self.kill9().await;
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().and_then(tokio::process::Child::id)
    }

    /// Creates `boards` boards of `clients` signed-in peers, each with `notes` notes.
    pub async fn setup(
        &self,
        boards: usize,
        clients: usize,
        notes: usize,
    ) -> Result<Setup, String> {
        let body = format!(r#"{{"boards":{boards},"clients":{clients},"notes":{notes}}}"#);
        let response = self
            .http
            .post(format!("http://{}/bench/setup", self.addr))
            .header("content-type", "application/json")
            .header("x-bench-secret", &self.secret)
            .body(body)
            .timeout(Duration::from_secs(600))
            .send()
            .await
            .map_err(|error| format!("bench set-up: {error}"))?;
        let status = response.status();
        let text = response.text().await.map_err(|error| error.to_string())?;
        if !status.is_success() {
            return Err(format!("bench set-up answered {status}: {text}"));
        }
        serde_json::from_str(&text).map_err(|error| format!("bench set-up answer: {error}"))
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }
}
