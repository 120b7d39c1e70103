//! Several `peerwall` processes on one real SurrealDB server (`surreal start`, built from
//! SurrealDB's own server crate by `make server`): one wall shared across nodes, sessions good
//! on any node, no live query left behind by a stopped node, and a node that rides out the
//! database server restarting, pausing, and killing its live query.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use app::error::ErrorCode;
use app::wall::protocol::{ClientMessage, Command as WallCommand, OpId, ServerMessage};
use peerwall_server::demo::DEMO_PEOPLE;

use crate::support::{sign_in_at, spawn_peerwall_with};
use crate::wall::{Client, acked, create, new_note, new_op};

const PEER: &str = DEMO_PEOPLE[2].1;
const OTHER_PEER: &str = DEMO_PEOPLE[3].1;
const LEAD: &str = DEMO_PEOPLE[1].1;

/// The tables each node follows with one LIVE query.
const FOLLOWED: [&str; 4] = [
    "wall_event",
    "access_change",
    "report_change",
    "timetable_change",
];

/// The `surreal` binary `make server` builds beside `peerwall`.
fn surreal_binary() -> PathBuf {
    let binary = Path::new(env!("CARGO_BIN_EXE_peerwall")).with_file_name("surreal");
    assert!(
        binary.exists(),
        "{} is missing: build it with `make server` (cargo build -p peerwall-surreal)",
        binary.display()
    );
    binary
}

/// A real SurrealDB server on loopback with its data in a SurrealKV folder, every commit synced.
pub(crate) struct SurrealServer {
    child: Option<Child>,
    pub(crate) addr: SocketAddr,
    folder: PathBuf,
    http: reqwest::Client,
}

impl SurrealServer {
    pub(crate) async fn start(folder: &Path) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .unwrap()
            .port();
        let mut server = Self {
            child: None,
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            folder: folder.to_path_buf(),
            http: reqwest::Client::new(),
        };
        server.restart().await;
        server
    }

    /// Starts (again) on the same port and folder and waits until it answers.
    pub(crate) async fn restart(&mut self) {
        let child = Command::new(surreal_binary())
            .args(["start", "--no-banner", "--log", "error"])
            .args(["--user", "root", "--pass", "root"])
            .args(["--bind", &self.addr.to_string()])
            .arg(format!("surrealkv://{}?sync=every", self.folder.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("surreal starts");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let url = format!("http://{}/health", self.addr);
            if let Ok(response) = self.http.get(url).send().await
                && response.status().is_success()
            {
                return;
            }
            assert!(Instant::now() < deadline, "surreal did not answer in 30 s");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The `--db` option for a node on this server.
    pub(crate) fn url(&self) -> String {
        format!("ws://{}", self.addr)
    }

    pub(crate) fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGSTOP or SIGCONT: the process stays, its sockets stay open, nothing answers.
    pub(crate) fn signal(&self, signal: &str) {
        let pid = self.child.as_ref().expect("running").id().to_string();
        let status = Command::new("kill").args([signal, &pid]).status().unwrap();
        assert!(status.success(), "kill {signal} {pid}");
    }

    /// Runs SurrealQL as root on the server's HTTP endpoint, in Peerwall's namespace.
    pub(crate) async fn sql(&self, sql: &str) -> serde_json::Value {
        let response = self
            .http
            .post(format!("http://{}/sql", self.addr))
            .basic_auth("root", Some("root"))
            .header("accept", "application/json")
            .header("surreal-ns", "peerwall")
            .header("surreal-db", "peerwall")
            .body(sql.to_string())
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "{sql}: {}",
            response.status()
        );
        let answer = crate::support::json(response).await;
        for statement in answer.as_array().unwrap() {
            assert_eq!(statement["status"], "OK", "{sql}: {statement}");
        }
        answer
    }

    /// Waits until `count` (a `SELECT count() AS rows … GROUP ALL`) finds no row.
    pub(crate) async fn until_none(&self, count: &str, within: Duration) {
        let deadline = Instant::now() + within;
        loop {
            let answer = self.sql(count).await;
            let rows = answer[0]["result"][0]["rows"].as_u64().unwrap_or(0);
            if rows == 0 {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{count}: still {rows} after {within:?}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Kills a LIVE query as root over a websocket (SurrealDB refuses `KILL` over HTTP), as
    /// an operator on the database server would.
    pub(crate) async fn kill_live(&self, id: &str) {
        let config = <peerwall_server::Config as clap::Parser>::parse_from([
            "peerwall",
            "--db",
            &self.url(),
            "--db-user",
            "root",
            "--db-password",
            "root",
        ]);
        let db = peerwall_server::db::Database::open(&config.database())
            .await
            .unwrap();
        peerwall_server::db::live::kill_live(&db, id.parse().unwrap())
            .await
            .unwrap();
        db.close().await;
    }

    /// The ids of the LIVE queries registered on `table`.
    pub(crate) async fn lives(&self, table: &str) -> Vec<String> {
        let info = self.sql(&format!("INFO FOR TABLE {table}")).await;
        info[0]["result"]["lives"]
            .as_object()
            .map(|lives| lives.keys().cloned().collect())
            .unwrap_or_default()
    }
}

impl Drop for SurrealServer {
    fn drop(&mut self) {
        if let Some(child) = self.child.as_ref() {
            // A paused server would ignore SIGKILL's reaping otherwise.
            let _ = Command::new("kill")
                .args(["-CONT", &child.id().to_string()])
                .status();
        }
        self.kill9();
    }
}

/// A `peerwall` process on the server.
pub(crate) struct Node {
    child: Child,
    pub(crate) addr: SocketAddr,
    log: PathBuf,
}

impl Node {
    /// Starts a node on `server`, its log in `log`.
    pub(crate) fn start(server: &SurrealServer, log: &Path, extra: &[&str]) -> Self {
        let url = server.url();
        let mut args = vec!["--db", &url, "--db-user", "root", "--db-password", "root"];
        args.extend_from_slice(&["--demo", "--log", "warn"]);
        args.extend_from_slice(extra);
        let file = std::fs::File::create(log).expect("a log file");
        let (child, addr) = spawn_peerwall_with(&args, file.into());
        Self {
            child,
            addr,
            log: log.to_path_buf(),
        }
    }

    /// SIGTERM, and wait for it to stop.
    pub(crate) fn terminate(mut self) {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.child.try_wait().unwrap().is_none() {
            assert!(Instant::now() < deadline, "the node did not stop in 30 s");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// `/readyz`: its status code and answer.
    pub(crate) async fn ready(&self) -> (u16, serde_json::Value) {
        let response = reqwest::Client::new()
            .get(format!("http://{}/readyz", self.addr))
            .timeout(Duration::from_secs(10))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, crate::support::json(response).await)
    }

    /// Waits until `/readyz` answers `code`, and returns that answer.
    pub(crate) async fn until_ready_is(&self, code: u16, within: Duration) -> serde_json::Value {
        let deadline = Instant::now() + within;
        loop {
            let (status, answer) = self.ready().await;
            if status == code {
                return answer;
            }
            assert!(
                Instant::now() < deadline,
                "readyz still {status} after {within:?}: {answer}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let log = std::fs::read_to_string(&self.log).unwrap_or_default();
            eprintln!("--- the log of the node at {} ---\n{log}", self.addr);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// How many times a node has opened its wall's LIVE query, from its readiness answer.
fn wall_openings(ready: &serde_json::Value) -> u64 {
    ready["live_queries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|query| query["name"] == "wall")
        .unwrap()["openings"]
        .as_u64()
        .unwrap()
}

/// Three nodes on one SurrealDB server: a session made on one is good on every other, request
/// by request (no sticky sessions), and signing out on one closes its sockets on the others;
/// the wall's presence on each node shows the people on the others; people on three nodes
/// write to one wall at once and every write gets its own sequence number with no gap; every
/// node's copy, and a fresh one opened on each node, ends the same; a node stopped with SIGTERM
/// leaves none of its live queries on the server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_nodes_on_one_surrealdb_server_share_a_wall() {
    let data = tempfile::tempdir().unwrap();
    let server = SurrealServer::start(&data.path().join("surreal")).await;
    let log = |n: usize| data.path().join(format!("node-{n}.log"));
    // The first seeds the demo before the others start.
    let first = Node::start(&server, &log(1), &[]);
    let nodes = [
        first,
        Node::start(&server, &log(2), &[]),
        Node::start(&server, &log(3), &[]),
    ];

    // A session is good on any node: the same cookie, request after request, round the nodes.
    let (cookie, review) = sign_in_at(nodes[0].addr, PEER).await;
    let http = reqwest::Client::new();
    for turn in 0..6 {
        let node = &nodes[turn % 3];
        let response = http
            .post(format!("http://{}/api/list_my_reviews", node.addr))
            .header(reqwest::header::COOKIE, &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            200,
            "request {turn} on node {}",
            turn % 3
        );
        let reviews = crate::support::json(response).await;
        assert_eq!(reviews[0]["summary"]["id"], review.as_str());
    }

    // Three people, each on another node, on one wall.
    let mut clients = Vec::new();
    for (node, email) in nodes.iter().zip([PEER, OTHER_PEER, LEAD]) {
        let (cookie, _) = sign_in_at(node.addr, email).await;
        let mut client = Client::join_at(node.addr, &review, &cookie, None).await;
        client.welcome().await;
        clients.push(client);
    }
    let start = clients[0].board.seq;
    for node in &nodes {
        node.until_ready_is(200, Duration::from_secs(10)).await;
    }

    // Each sees all three in the wall's presence, whichever node they are on.
    let mut everyone = vec![DEMO_PEOPLE[1].0, DEMO_PEOPLE[2].0, DEMO_PEOPLE[3].0];
    everyone.sort_unstable();
    for client in &mut clients {
        let names = tokio::time::timeout(Duration::from_secs(15), async {
            loop {
                if let Some(ServerMessage::Presence { people }) = client.next().await {
                    let names: Vec<&str> = people.iter().map(|p| p.name.as_str()).collect();
                    if names.len() == 3 {
                        break names.into_iter().map(str::to_string).collect::<Vec<_>>();
                    }
                }
            }
        })
        .await
        .expect("everyone on every node shown within the head check");
        assert_eq!(names, everyone);
    }
    // What a node that stopped without a word left behind goes with the next report on the
    // board: names are not kept past their use.
    server
        .sql(&format!(
            "CREATE wall_presence SET review = review:u'{review}', node = 'stopped',
                 people = '[]', at = time::now() - 1h"
        ))
        .await;
    let stale = "SELECT count() AS rows FROM wall_presence WHERE node = 'stopped' GROUP ALL";
    server.until_none(stale, Duration::from_secs(10)).await;
    let lives_before = server.lives("wall_event").await.len();
    assert!(
        lives_before >= 3,
        "each node follows the log: {lives_before}"
    );

    const EACH: usize = 15;
    let writers = clients.into_iter().enumerate().map(|(index, mut client)| {
        tokio::spawn(async move {
            let mut seqs = Vec::new();
            for n in 0..EACH {
                let text = format!("node {index} note {n}");
                let (op, command) = (new_op(), create(new_note(), None, &text));
                // Refused as unavailable (other nodes kept taking the next number: likely on a
                // loaded machine), it is sent again, as the browser does, and applied once.
                let mut tries = 0;
                let seq = loop {
                    match client.command(op, command.clone()).await {
                        ServerMessage::Rejected { error, .. }
                            if error.code == ErrorCode::Unavailable && tries < 20 =>
                        {
                            tries += 1;
                            tokio::time::sleep(Duration::from_millis(50)).await;
                        }
                        answer => break acked(&answer),
                    }
                };
                seqs.push(seq);
            }
            (client, seqs)
        })
    });
    let mut clients = Vec::new();
    let mut seqs = Vec::new();
    for writer in writers.collect::<Vec<_>>() {
        let (client, acked) = writer.await.unwrap();
        clients.push(client);
        seqs.extend(acked);
    }
    seqs.sort_unstable();
    let expected: Vec<u64> = (start + 1..=start + 3 * EACH as u64).collect();
    assert_eq!(seqs, expected, "one number each, none skipped");

    let end = start + 3 * EACH as u64;
    for client in &mut clients {
        tokio::time::timeout(Duration::from_secs(10), client.until_seq(end))
            .await
            .expect("every node hears every write");
    }
    for client in &clients[1..] {
        assert_eq!(client.board.notes, clients[0].board.notes);
    }
    for node in &nodes {
        let (cookie, _) = sign_in_at(node.addr, PEER).await;
        let mut fresh = Client::join_at(node.addr, &review, &cookie, None).await;
        fresh.welcome().await;
        assert_eq!(fresh.board.seq, end);
        assert_eq!(fresh.board.notes, clients[0].board.notes);
    }
    drop(clients);
    // Once nobody is on the wall, no node keeps a row of who was.
    let rows = "SELECT count() AS rows FROM wall_presence GROUP ALL";
    server.until_none(rows, Duration::from_secs(10)).await;

    // Access ends everywhere at once: signing out on node one closes that session's wall on
    // node three, and node two no longer takes its cookie.
    let mut elsewhere = Client::join_at(nodes[2].addr, &review, &cookie, None).await;
    elsewhere.welcome().await;
    let signed_out = http
        .post(format!("http://{}/api/sign_out", nodes[0].addr))
        .header(reqwest::header::COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(signed_out.status(), 200);
    assert!(
        elsewhere.closes().await,
        "the socket on another node closes"
    );
    let refused = http
        .post(format!("http://{}/api/list_my_reviews", nodes[1].addr))
        .header(reqwest::header::COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);

    // A node stopped cleanly takes its live queries with it.
    let mut before = Vec::new();
    for table in FOLLOWED {
        before.push(server.lives(table).await);
    }
    let [one, two, three] = nodes;
    three.terminate();
    for (table, before) in FOLLOWED.iter().zip(before) {
        let after = server.lives(table).await;
        assert_eq!(
            after.len() + 1,
            before.len(),
            "{table}: the stopped node's live query is gone, the others stay"
        );
        assert!(after.iter().all(|id| before.contains(id)), "{table}");
    }
    drop((one, two));
}

/// A node rides out its database server's faults, and says so on /readyz: the server killed
/// (-9) and restarted, the server paused (SIGSTOP) and resumed, and its live query killed from
/// the database side. While the database is away a write is refused within the database
/// timeout, not left hanging; once it is back the node reconnects by itself, opens its live
/// queries again, and the refused write, sent again, is applied exactly once and reaches the
/// other node.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_rides_out_the_database_server_restarting_pausing_and_killing_its_live_query() {
    let data = tempfile::tempdir().unwrap();
    let mut server = SurrealServer::start(&data.path().join("surreal")).await;
    let timeout = ["--db-timeout-secs", "3"];
    let one = Node::start(&server, &data.path().join("node-1.log"), &timeout);
    let two = Node::start(&server, &data.path().join("node-2.log"), &timeout);
    let (cookie_one, review) = sign_in_at(one.addr, PEER).await;
    let (cookie_two, _) = sign_in_at(two.addr, OTHER_PEER).await;
    let mut writer = Client::join_at(one.addr, &review, &cookie_one, None).await;
    writer.welcome().await;
    let mut reader = Client::join_at(two.addr, &review, &cookie_two, None).await;
    reader.welcome().await;
    let ready = two.until_ready_is(200, Duration::from_secs(10)).await;
    let mut openings = wall_openings(&ready);

    /// Sends two notes while the database is away, the second while the first waits for it:
    /// both refused as unavailable (not busy, though the second waited in the board's queue)
    /// within the timeout.
    async fn refused_while_away(writer: &mut Client, text: &str) -> Vec<(OpId, WallCommand)> {
        let sent = Instant::now();
        let mut pending = Vec::new();
        for n in 0..2 {
            let (op, command) = (new_op(), create(new_note(), None, &format!("{text} {n}")));
            writer
                .send(&ClientMessage::Command {
                    op,
                    command: command.clone(),
                })
                .await;
            pending.push((op, command));
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let mut unanswered: Vec<OpId> = pending.iter().map(|(op, _)| *op).collect();
        while !unanswered.is_empty() {
            let answer = tokio::time::timeout(Duration::from_secs(8), writer.next())
                .await
                .expect("answered, not left hanging")
                .expect("the socket stays open");
            let (ServerMessage::Rejected { op, .. } | ServerMessage::Ack { op, .. }) = &answer
            else {
                continue;
            };
            assert!(
                matches!(&answer, ServerMessage::Rejected { error, .. } if error.code == ErrorCode::Unavailable),
                "refused as unavailable: {answer:?}"
            );
            unanswered.retain(|waiting| waiting != op);
        }
        assert!(
            sent.elapsed() < Duration::from_secs(6),
            "{:?}",
            sent.elapsed()
        );
        pending
    }

    // 1. The server killed: both nodes say they are not ready; a write is refused.
    server.kill9();
    let away = one.until_ready_is(503, Duration::from_secs(5)).await;
    assert_eq!(away["database"], "not answering", "{away}");
    let refused = refused_while_away(&mut writer, "written while the database was down").await;
    // Restarted: ready again, every live query opened anew; the write sent again lands once
    // and reaches the other node.
    server.restart().await;
    for node in [&one, &two] {
        let ready = node.until_ready_is(200, Duration::from_secs(20)).await;
        assert_eq!(ready["database"], "answering");
    }
    let ready = two.until_ready_is(200, Duration::from_secs(1)).await;
    assert!(wall_openings(&ready) > openings, "reopened: {ready}");
    openings = wall_openings(&ready);
    let mut seq = 0;
    for (op, command) in refused {
        seq = acked(&writer.command(op, command.clone()).await);
        assert_eq!(
            acked(&writer.command(op, command).await),
            seq,
            "a resend is applied once"
        );
    }
    tokio::time::timeout(Duration::from_secs(10), reader.until_seq(seq))
        .await
        .expect("the other node hears it");

    // 2. The server paused: not ready within the readiness deadline, a write is refused; resumed,
    // the write sent again is applied once (it may have landed when the server woke).
    server.signal("-STOP");
    let away = one.until_ready_is(503, Duration::from_secs(6)).await;
    assert_eq!(away["database"], "not answering", "{away}");
    let refused = refused_while_away(&mut writer, "written while the database was paused").await;
    server.signal("-CONT");
    one.until_ready_is(200, Duration::from_secs(20)).await;
    let mut seq = 0;
    for (op, command) in refused {
        seq = acked(&writer.command(op, command.clone()).await);
        assert_eq!(acked(&writer.command(op, command).await), seq);
    }
    tokio::time::timeout(Duration::from_secs(10), reader.until_seq(seq))
        .await
        .expect("the other node hears it");

    // 3. Every wall live query killed on the server: each node opens its own again within a
    // few seconds, and what one node writes reaches the other.
    for id in server.lives("wall_event").await {
        server.kill_live(&id).await;
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (status, ready) = two.ready().await;
        if status == 200 && wall_openings(&ready) > openings {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the live query was not reopened: {ready}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!server.lives("wall_event").await.is_empty());
    let seq = acked(
        &writer
            .command(
                new_op(),
                create(new_note(), None, "after the live query was killed"),
            )
            .await,
    );
    tokio::time::timeout(Duration::from_secs(10), reader.until_seq(seq))
        .await
        .expect("the other node hears it");
    writer.until_seq(seq).await;
    assert_eq!(reader.board.notes, writer.board.notes);
}
