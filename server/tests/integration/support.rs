//! `TestApp`: the real server, started in-process on 127.0.0.1:0.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use clap::Parser;
use peerwall_server::{AppState, Config};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A running server and an HTTP client for it.
pub struct TestApp {
    pub addr: SocketAddr,
    pub http: reqwest::Client,
    pub state: AppState,
    /// Whether stopping closes the database (not for a second node sharing another's).
    owns_db: bool,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

/// A configuration for tests: ephemeral port, the given database, and extra options.
pub fn config(db: &str, extra: &[&str]) -> Config {
    let mut args = vec!["peerwall", "--addr", "127.0.0.1:0", "--db", db];
    args.extend_from_slice(extra);
    Config::parse_from(args)
}

/// The database option for an embedded database in `folder`.
pub fn folder(folder: &Path) -> String {
    folder.to_string_lossy().into_owned()
}

impl TestApp {
    /// Starts the server with an in-memory database and the demo review.
    pub async fn demo() -> Self {
        Self::start(config("mem://", &["--demo"])).await
    }

    pub async fn start(config: Config) -> Self {
        let state = peerwall_server::prepare(&config)
            .await
            .expect("the server prepares");
        Self::serve(state, config, true).await
    }

    /// Another node on this node's database, as a second app process sharing a database server
    /// would be; stop it (`stop`) before this one.
    pub async fn another_node(&self, config: Config) -> Self {
        let state = peerwall_server::prepare_on(self.state.db.clone(), &config)
            .await
            .expect("the second node prepares");
        Self::serve(state, config, false).await
    }

    async fn serve(state: AppState, config: Config, owns_db: bool) -> Self {
        let listener = peerwall_server::bind(&config).await.expect("binds");
        let addr = listener.local_addr().expect("has an address");
        let router = peerwall_server::routes::router(state.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(peerwall_server::serve(
            listener,
            router,
            async move {
                let _ = stopped.await;
            },
            Duration::from_secs(5),
        ));
        Self {
            addr,
            // A request that never answers fails the test within a minute, with its URL,
            // instead of holding the whole suite until CI's time runs out.
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(60))
                .build()
                .expect("an HTTP client"),
            state,
            owns_db,
            stop: Some(stop),
            task: Some(task),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http.get(self.url(path)).send().await.expect("GET")
    }

    /// Stops the server gracefully and closes the database.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await
                .expect("server task")
                .expect("server stops cleanly");
        }
        // Every LIVE query, schedule and the mail worker, as the server stops them.
        peerwall_server::stop_following(&self.state).await;
        if self.owns_db {
            self.state.db.close().await;
        }
    }
}

/// Parses a JSON response body.
pub async fn json(response: reqwest::Response) -> serde_json::Value {
    let text = response.text().await.expect("body");
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("not JSON ({error}): {text}"))
}

/// Encodes a form body as the browser does for server functions.
pub fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(key, value)| format!("{key}={}", urlencode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

fn urlencode(value: &str) -> String {
    value
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

impl TestApp {
    /// GETs a page as the person whose session cookie is given.
    pub async fn get_as(&self, path: &str, cookie: &str) -> String {
        self.http
            .get(self.url(path))
            .header(reqwest::header::COOKIE, cookie)
            .send()
            .await
            .expect("GET")
            .text()
            .await
            .expect("body")
    }

    /// The HTTP status of GETting `path` as the person whose session cookie is given.
    pub async fn get_as_status(&self, path: &str, cookie: &str) -> u16 {
        self.http
            .get(self.url(path))
            .header(reqwest::header::COOKIE, cookie)
            .send()
            .await
            .expect("GET")
            .status()
            .as_u16()
    }

    /// POSTs a multipart form as a page's upload form sends it (its text `fields`, then `file` as
    /// (name, content)), with a session cookie when given, not following redirects; as a page
    /// (accepting HTML) when `from_page`.
    pub async fn post_multipart(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        file: (&str, &[u8]),
        cookie: Option<&str>,
        from_page: bool,
    ) -> reqwest::Response {
        let boundary = "----peerwall-test-boundary-7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n",
                file.0
            )
            .as_bytes(),
        );
        body.extend_from_slice(file.1);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("a client");
        let mut request = client
            .post(self.url(path))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body);
        if let Some(cookie) = cookie {
            request = request.header(reqwest::header::COOKIE, cookie);
        }
        if from_page {
            request = request.header("accept", "text/html,application/xhtml+xml");
        }
        request.send().await.expect("POST")
    }

    /// The kinds of the newest audit events, newest first.
    /// The council signs the review's report off now (the report's own flow is `report.rs`'s).
    pub async fn sign_off_report(&self, review: app::review::ReviewId) {
        peerwall_server::db::report::create(&self.state.db, review, &[])
            .await
            .unwrap();
        peerwall_server::db::report::sign_off(&self.state.db, review, 1, "Hannah Host".into())
            .await
            .unwrap();
    }

    /// The kinds of the newest audit events about the review whose title starts with `title`,
    /// newest first.
    pub async fn audit_kinds_on(&self, title: &str) -> Vec<String> {
        peerwall_server::db::audit::recent_audit(&self.state.db, 100)
            .await
            .expect("the audit trail reads")
            .into_iter()
            .filter(|event| {
                event
                    .review
                    .as_deref()
                    .is_some_and(|r| r.starts_with(title))
            })
            .map(|event| event.kind)
            .collect()
    }

    pub async fn audit_kinds(&self) -> Vec<String> {
        peerwall_server::db::audit::recent_audit(&self.state.db, 100)
            .await
            .expect("the audit trail reads")
            .into_iter()
            .map(|event| event.kind)
            .collect()
    }

    /// POSTs a form body to a server function, with a session cookie when given.
    pub async fn post(&self, path: &str, body: String, cookie: Option<&str>) -> reqwest::Response {
        let mut request = self
            .http
            .post(self.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        if let Some(cookie) = cookie {
            request = request.header(reqwest::header::COOKIE, cookie);
        }
        request.send().await.expect("POST")
    }

    /// POSTs a JSON body to a server function that takes JSON.
    pub async fn post_json(
        &self,
        path: &str,
        body: String,
        cookie: Option<&str>,
    ) -> reqwest::Response {
        let mut request = self
            .http
            .post(self.url(path))
            .header("content-type", "application/json")
            .body(body);
        if let Some(cookie) = cookie {
            request = request.header(reqwest::header::COOKIE, cookie);
        }
        request.send().await.expect("POST")
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> reqwest::Response {
        self.post(
            "/api/sign_in",
            form(&[("email", email), ("password", password)]),
            None,
        )
        .await
    }

    /// The id of the first review the person with `cookie` is on (the demo review, in a demo).
    pub async fn first_review(&self, cookie: &str) -> String {
        let reviews = json(
            self.post("/api/list_my_reviews", String::new(), Some(cookie))
                .await,
        )
        .await;
        reviews[0]["summary"]["id"].as_str().unwrap().to_string()
    }

    /// Signs in and returns the `name=value` part of the session cookie.
    pub async fn session_cookie(&self, email: &str, password: &str) -> String {
        let response = self.sign_in(email, password).await;
        assert_eq!(response.status(), 200, "signing in {email}");
        cookie_set_by(&response)
    }
}

/// The `name=value` part of the cookie a response sets (the session, after signing in or
/// accepting an invitation).
pub fn cookie_set_by(response: &reqwest::Response) -> String {
    let set_cookie = response.headers()[reqwest::header::SET_COOKIE]
        .to_str()
        .unwrap();
    set_cookie.split(';').next().unwrap().to_string()
}

/// A websocket to the server, as a browser page on the site opens it.
pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens the websocket at `path` with the session cookie given, or returns the HTTP status that
/// refused it.
pub async fn websocket(
    addr: std::net::SocketAddr,
    path: &str,
    cookie: Option<&str>,
) -> Result<Socket, u16> {
    use tokio_tungstenite::tungstenite::{self, client::IntoClientRequest};
    let mut request = format!("ws://{addr}{path}").into_client_request().unwrap();
    if let Some(cookie) = cookie {
        request
            .headers_mut()
            .insert("cookie", cookie.parse().unwrap());
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((socket, _)) => Ok(socket),
        Err(tungstenite::Error::Http(response)) => Err(response.status().as_u16()),
        Err(error) => panic!("connecting: {error}"),
    }
}

/// A real `peerwall` process started with `args` (after `--addr 127.0.0.1:0`), once it says
/// where it listens, and that address. Its stdout is read to the end in the background (so a
/// later line never meets a closed pipe); its stderr stays piped for the caller.
pub fn spawn_peerwall(args: &[&str]) -> (std::process::Child, std::net::SocketAddr) {
    spawn_peerwall_with(args, std::process::Stdio::piped())
}

/// `spawn_peerwall` with its stderr (the log) sent to `stderr`, a file for a long-running node.
pub fn spawn_peerwall_with(
    args: &[&str],
    stderr: std::process::Stdio,
) -> (std::process::Child, std::net::SocketAddr) {
    use std::io::{BufRead, BufReader, Read};
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_peerwall"))
        .args(["--addr", "127.0.0.1:0"])
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(stderr)
        .spawn()
        .expect("peerwall starts");
    let mut stdout = BufReader::new(child.stdout.take().expect("its stdout"));
    let mut line = String::new();
    let addr = loop {
        line.clear();
        if stdout.read_line(&mut line).unwrap_or(0) == 0 {
            let mut said = String::new();
            let _ = child.stderr.take().map(|mut e| e.read_to_string(&mut said));
            panic!("the server never said it was running: {said}");
        }
        if let Some(rest) = line.split("Peerwall is running at http://").nth(1) {
            break rest.split_whitespace().next().unwrap().parse().unwrap();
        }
    };
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    (child, addr)
}

/// Signs `email` (a demo account) in to the server at `addr` over HTTP: the session cookie and
/// the id of the first review they are on.
pub async fn sign_in_at(addr: std::net::SocketAddr, email: &str) -> (String, String) {
    let http = reqwest::Client::new();
    let response = http
        .post(format!("http://{addr}/api/sign_in"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&[
            ("email", email),
            ("password", peerwall_server::demo::DEMO_PASSWORD),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "signing in {email}");
    let cookie = cookie_set_by(&response);
    let reviews = http
        .post(format!("http://{addr}/api/list_my_reviews"))
        .header(reqwest::header::COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    let reviews = json(reviews).await;
    let review = reviews[0]["summary"]["id"].as_str().unwrap().to_string();
    (cookie, review)
}

/// A test server written in Node (`end2end/<script>`, its packages installed by
/// `make tools-e2e`), started with `args`: the process, the JSON of the first line it prints
/// (where it listens) and the rest of its output.
pub async fn node_script(
    script: &str,
    args: &[&str],
) -> (
    tokio::process::Child,
    serde_json::Value,
    tokio::io::Lines<tokio::io::BufReader<tokio::process::ChildStdout>>,
) {
    use tokio::io::AsyncBufReadExt;
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../end2end")
        .join(script);
    let mut child = tokio::process::Command::new("node")
        .arg(&path)
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|error| panic!("node runs {script} (make tools-e2e): {error}"));
    let mut lines = tokio::io::BufReader::new(child.stdout.take().expect("stdout")).lines();
    let first = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
        .await
        .unwrap_or_else(|_| panic!("{script} starts"))
        .expect("its output")
        .expect("a first line");
    let started = serde_json::from_str(&first).expect("JSON");
    (child, started, lines)
}

/// A port nothing listens on (yet): for a server that must be named before it starts.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
