//! The big-board run: a wall of 1,000 notes. The server's time to render the page (measured
//! from the client on loopback, so it includes reading the board), the bytes of HTML, wasm, JS
//! and CSS as sent (brotli), and the time until the page is interactive and every note shown
//! in headless Chromium (end2end/bigboard.mjs).

use std::path::Path;
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::process::Command;

use crate::server::Server;

#[derive(Debug, Serialize)]
pub struct BigBoard {
    pub notes: usize,
    /// Median of 5 page loads, ms, and the page's size as sent (brotli) and unpacked.
    pub render_ms: f64,
    pub html_br_bytes: usize,
    pub html_bytes: usize,
    pub wasm_br_bytes: usize,
    pub js_br_bytes: usize,
    pub css_br_bytes: usize,
    /// Wasm and JS of the first route, as sent.
    pub first_route_br_bytes: usize,
    pub browser: serde_json::Value,
}

pub async fn main(binary: &Path, site_root: &Path, out: &Path, notes: usize) -> Result<(), String> {
    let data = tempfile::tempdir().map_err(|e| e.to_string())?;
    let server = Server::start(binary, site_root, &data.path().join("db")).await?;
    // The front end is sent as compressed in advance (`peerwall precompress`, which `make
    // bench` runs); if that was skipped, the server is making the copies now: wait for them,
    // rather than measure per-request compression competing with it for the CPU.
    let copy = site_root.join("pkg/peerwall.wasm.br");
    let waiting = Instant::now();
    while !copy.exists() && waiting.elapsed() < Duration::from_secs(180) {
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    if !copy.exists() {
        println!("big board: no precompressed wasm after 3 minutes; measuring without it");
    }
    let seeding = Instant::now();
    let setup = server.setup(1, 1, notes).await?;
    println!(
        "big board: seeded {notes} notes in {:.1} s (one durable commit each)",
        seeding.elapsed().as_secs_f64()
    );
    let board = &setup.boards[0];
    let cookie = format!("{}={}", setup.cookie, board.tokens[0]);
    let base = format!("http://{}", server.addr);
    let page = format!("{base}/reviews/{}/wall", board.review);

    let mut times = Vec::new();
    let mut html_br_bytes = 0;
    for _ in 0..5 {
        let started = Instant::now();
        let body = fetch(&server, &page, &cookie, "br").await?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        html_br_bytes = body.len();
    }
    times.sort_by(f64::total_cmp);
    let html = fetch(&server, &page, &cookie, "identity").await?;
    let html_bytes = html.len();
    // Everything the page asks for from /pkg/ (the main wasm and JS, and any split chunk the
    // route preloads) is what the first route costs.
    let mut wasm_br_bytes = 0;
    let mut js_br_bytes = 0;
    for asset in pkg_assets(&String::from_utf8_lossy(&html)) {
        let size = fetch(&server, &format!("{base}{asset}"), "", "br")
            .await?
            .len();
        if asset.ends_with(".wasm") {
            wasm_br_bytes += size;
        } else if asset.ends_with(".js") {
            js_br_bytes += size;
        }
    }
    if wasm_br_bytes == 0 {
        // The wasm is fetched by the JS rather than named in the page.
        wasm_br_bytes = fetch(&server, &format!("{base}/pkg/peerwall.wasm"), "", "br")
            .await?
            .len();
    }
    let css_br_bytes = fetch(&server, &format!("{base}/pkg/peerwall.css"), "", "br")
        .await?
        .len();

    let output = tokio::time::timeout(
        Duration::from_secs(300),
        Command::new("node")
            .current_dir("end2end")
            .arg("bigboard.mjs")
            .arg(&base)
            .arg(&setup.cookie)
            .arg(&board.tokens[0])
            .arg(&board.review)
            .arg(notes.to_string())
            .kill_on_drop(true)
            .output(),
    )
    .await
    .map_err(|_| "the browser run took more than 5 minutes".to_string())?
    .map_err(|error| format!("running node end2end/bigboard.mjs: {error}"))?;
    server.stop().await;
    if !output.status.success() {
        return Err(format!(
            "the browser run failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let browser: serde_json::Value = serde_json::from_slice(&output.stdout)
        .map_err(|error| format!("the browser run's output: {error}"))?;

    let result = BigBoard {
        notes,
        render_ms: times[times.len() / 2],
        html_br_bytes,
        html_bytes,
        wasm_br_bytes,
        js_br_bytes,
        css_br_bytes,
        first_route_br_bytes: wasm_br_bytes + js_br_bytes,
        browser,
    };
    println!(
        "big board ({} notes): page rendered by the server in {:.1} ms (median of 5), {} B brotli ({} B unpacked)",
        result.notes, result.render_ms, result.html_br_bytes, result.html_bytes
    );
    println!(
        "  sent (brotli): wasm {} B, JS {} B, CSS {} B; wasm + JS {} B",
        result.wasm_br_bytes, result.js_br_bytes, result.css_br_bytes, result.first_route_br_bytes
    );
    println!(
        "  Chromium (median of 3 cold loads): hydrated {:.0} ms, live {:.0} ms, interactive {:.0} ms, all {} notes on the page {:.0} ms; longest task after live {:.0} ms; a keyboard step on the full wall {:.0} ms",
        result.browser["hydrated_ms"].as_f64().unwrap_or(0.0),
        result.browser["live_ms"].as_f64().unwrap_or(0.0),
        result.browser["interactive_ms"].as_f64().unwrap_or(0.0),
        result.browser["notes_shown"],
        result.browser["all_notes_ms"].as_f64().unwrap_or(0.0),
        result.browser["longest_task_ms"].as_f64().unwrap_or(0.0),
        result.browser["key_step_ms"].as_f64().unwrap_or(0.0)
    );
    let json = serde_json::to_string_pretty(&result).map_err(|e| e.to_string())?;
    std::fs::write(out.join("peerwall-big-board.json"), json).map_err(|e| e.to_string())
}

/// The body exactly as sent, with the given `accept-encoding`.
async fn fetch(
    server: &Server,
    url: &str,
    cookie: &str,
    encoding: &str,
) -> Result<Vec<u8>, String> {
    let mut request = server.http().get(url).header("accept-encoding", encoding);
    if !cookie.is_empty() {
        request = request.header("cookie", cookie);
    }
    let response = request.send().await.map_err(|e| e.to_string())?;
    if !response.status().is_success() {
        return Err(format!("GET {url} answered {}", response.status()));
    }
    Ok(response.bytes().await.map_err(|e| e.to_string())?.to_vec())
}

/// The distinct `/pkg/….js` and `/pkg/….wasm` paths a page refers to, in order.
fn pkg_assets(html: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for (at, _) in html.match_indices("/pkg/") {
        let rest = &html[at..];
        let end = rest
            .find(|c: char| c == '"' || c == '\'' || c.is_whitespace() || c == ')')
            .unwrap_or(rest.len());
        let path = &rest[..end];
        if (path.ends_with(".js") || path.ends_with(".wasm")) && !found.iter().any(|p| p == path) {
            found.push(path.to_string());
        }
    }
    found
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_pages_scripts_and_wasm_are_found_once_each() {
        let html = r#"<link rel="modulepreload" href="/pkg/peerwall.js"><link rel="preload" href="/pkg/peerwall.wasm" as="fetch"><script>import('/pkg/peerwall.js')</script><link href="/pkg/peerwall.css">"#;
        assert_eq!(
            super::pkg_assets(html),
            ["/pkg/peerwall.js", "/pkg/peerwall.wasm"]
        );
    }
}
