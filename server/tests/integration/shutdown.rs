//! Graceful shutdown: requests in flight finish; the binary exits cleanly on SIGTERM.

use std::io::{Read, Write};
use std::process::Command;
use std::time::{Duration, Instant};

use axum::routing::get;

#[tokio::test]
async fn a_request_in_flight_finishes_after_shutdown_begins() {
    let router = axum::Router::new().route(
        "/slow",
        get(|| async {
            tokio::time::sleep(Duration::from_millis(600)).await;
            "finished"
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(peerwall_server::serve(
        listener,
        router,
        async move {
            let _ = stopped.await;
        },
        Duration::from_secs(5),
    ));

    let request = tokio::spawn(async move {
        reqwest::get(format!("http://{addr}/slow"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    });
    tokio::time::sleep(Duration::from_millis(150)).await;
    stop.send(()).unwrap();

    assert_eq!(request.await.unwrap(), "finished");
    server.await.unwrap().unwrap();
    // And nothing new is accepted.
    assert!(reqwest::get(format!("http://{addr}/slow")).await.is_err());
}

/// A plain HTTP/1.1 GET over a raw socket, to keep this test synchronous.
fn http_get(addr: &str, path: &str) -> String {
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

#[test]
fn sigterm_stops_the_binary_cleanly_and_requests_were_logged_as_json() {
    let (mut child, addr) = crate::support::spawn_peerwall(&[
        "--db",
        "mem://",
        "--demo",
        "--log-format",
        "json",
        "--log",
        "info",
    ]);
    let addr = addr.to_string();
    assert!(http_get(&addr, "/healthz").starts_with("HTTP/1.1 200"));

    let pid = child.id().to_string();
    let status = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(status.success());

    let deadline = Instant::now() + Duration::from_secs(15);
    let exit = loop {
        if let Some(exit) = child.try_wait().unwrap() {
            break exit;
        }
        assert!(
            Instant::now() < deadline,
            "still running 15 s after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(exit.success(), "exit {exit:?}: {stderr}");

    let logs: Vec<serde_json::Value> = stderr
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}")))
        .collect();
    let request = logs
        .iter()
        .find(|log| log["span"]["path"] == "/healthz")
        .unwrap_or_else(|| panic!("no log line for the request: {stderr}"));
    assert_eq!(
        request["span"]["request_id"].as_str().map(str::len),
        Some(36)
    );
    assert!(request["latency"].is_string(), "{request}");
    assert_eq!(request["status"], 200);
    assert!(
        logs.iter().any(|log| log["message"] == "stopped cleanly"),
        "{stderr}"
    );
}
