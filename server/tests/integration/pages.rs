use peerwall_server::demo::{DEMO_PASSWORD, DEMO_PEOPLE};

use crate::support::{TestApp, json};

#[tokio::test]
async fn the_home_page_is_rendered_on_the_server_with_the_callers_reviews() {
    let app = TestApp::demo().await;
    let response = app.get("/").await;
    // A page whose data needs a session is still a page: 200, with a sign-in prompt.
    assert_eq!(response.status(), 200);
    let signed_out = response.text().await.unwrap();
    assert!(
        signed_out.contains("to see the reviews you are part of"),
        "{signed_out}"
    );
    assert!(!signed_out.contains("Eastbrook Borough Council Corporate"));
    // The hydration script is linked, so the browser can take over.
    assert!(signed_out.contains("/pkg/peerwall.js"), "{signed_out}");

    let cookie = app.session_cookie(DEMO_PEOPLE[0].1, DEMO_PASSWORD).await;
    let html = app.get_as("/", &cookie).await;
    assert!(
        html.contains("Eastbrook Borough Council Corporate Peer Challenge"),
        "{html}"
    );
    assert!(html.contains("LGA Corporate Peer Challenge"));
    assert!(html.contains("Governance and culture"));
    assert!(html.contains("Signed in as"));
    app.stop().await;
}

#[tokio::test]
async fn the_sign_in_page_has_labelled_fields() {
    let app = TestApp::demo().await;
    let html = app.get("/sign-in").await.text().await.unwrap();
    assert!(
        html.contains(r#"<label for="email">Email</label>"#),
        "{html}"
    );
    assert!(html.contains(r#"id="password""#));
    app.stop().await;
}

#[tokio::test]
async fn an_unknown_address_is_a_404_page() {
    let app = TestApp::demo().await;
    let response = app.get("/no/such/page").await;
    assert_eq!(response.status(), 404);
    assert!(response.text().await.unwrap().contains("Page not found"));
    app.stop().await;
}

#[tokio::test]
async fn list_my_reviews_returns_the_demo_review_with_the_callers_role() {
    let app = TestApp::demo().await;
    let cookie = app.session_cookie(DEMO_PEOPLE[5].1, DEMO_PASSWORD).await;
    let response = app
        .post("/api/list_my_reviews", String::new(), Some(&cookie))
        .await;
    assert_eq!(response.status(), 200);
    let reviews = json(response).await;
    let reviews = reviews.as_array().expect("a list");
    assert_eq!(reviews.len(), 1);
    assert_eq!(reviews[0]["role"], "host_lead");
    let review = &reviews[0]["summary"];
    assert_eq!(review["host_authority"], "Eastbrook Borough Council");
    assert_eq!(review["review_type"], "lga_corporate_peer_challenge");
    assert_eq!(review["phase"], "on_site");
    let headings = review["headings"].as_array().unwrap();
    assert_eq!(headings.len(), 6);
    assert_eq!(headings[0], "Local priorities and outcomes");
    assert_eq!(headings[4], "Capacity for improvement");
    app.stop().await;
}

#[tokio::test]
async fn the_review_page_shows_members_and_key_dates() {
    let app = TestApp::demo().await;
    let cookie = app.session_cookie(DEMO_PEOPLE[0].1, DEMO_PASSWORD).await;
    let reviews = json(
        app.post("/api/list_my_reviews", String::new(), Some(&cookie))
            .await,
    )
    .await;
    let id = reviews[0]["summary"]["id"].as_str().unwrap().to_string();
    let html = app.get_as(&format!("/reviews/{id}"), &cookie).await;
    for text in [
        "Key dates",
        "Pre-site video call",
        "Tom Okafor",
        "Peer team lead",
        "Pair 1",
    ] {
        assert!(html.contains(text), "{text} missing from {html}");
    }
    app.stop().await;
}

#[tokio::test]
async fn pages_carry_a_content_security_policy_whose_nonce_matches_their_scripts() {
    let app = TestApp::demo().await;
    let response = app.get("/").await;
    let policy = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    let html = response.text().await.unwrap();
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the policy");
    assert!(
        html.contains(&format!(r#"nonce="{nonce}""#)),
        "{policy}\n{html}"
    );
    assert!(policy.contains("object-src 'none'"));

    // A fresh nonce for every response.
    let again = app.get("/").await;
    assert!(
        !again.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains(nonce)
    );
    app.stop().await;
}

/// A site root holding one built file.
fn site_with(path: &str, content: &str) -> tempfile::TempDir {
    let site = tempfile::tempdir().unwrap();
    let file = site.path().join(path);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(file, content).unwrap();
    site
}

async fn serving(site: &tempfile::TempDir) -> TestApp {
    let root = site.path().to_string_lossy().into_owned();
    TestApp::start(crate::support::config("mem://", &["--site-root", &root])).await
}

fn fetch(
    app: &TestApp,
    path: &str,
    encoding: &'static str,
) -> impl std::future::Future<Output = reqwest::Result<reqwest::Response>> {
    app.http
        .get(app.url(path))
        .header("accept-encoding", encoding)
        .send()
}

#[tokio::test]
async fn precompressed_copies_are_sent_as_they_are_and_never_for_a_rebuilt_file() {
    let site = site_with(
        "pkg/peerwall.wasm",
        &"(module (func $hydrate))\n".repeat(400),
    );
    let wasm = site.path().join("pkg/peerwall.wasm");
    let report = peerwall_server::assets::precompress(site.path()).unwrap();
    assert_eq!(report.written, 2, "{report:?}");
    let app = serving(&site).await;
    let get = |encoding: &'static str| fetch(&app, "/pkg/peerwall.wasm", encoding);
    // The copy made at quality 11 is what is sent, byte for byte, with the wasm's type.
    let brotli = get("gzip, br").await.unwrap();
    assert_eq!(brotli.status(), 200);
    assert_eq!(brotli.headers()["content-encoding"], "br");
    assert_eq!(brotli.headers()["content-type"], "application/wasm");
    assert_eq!(brotli.headers()["cache-control"], "public, no-cache");
    let copy = std::fs::read(site.path().join("pkg/peerwall.wasm.br")).unwrap();
    assert_eq!(brotli.bytes().await.unwrap(), copy);
    let gzip = get("gzip").await.unwrap();
    assert_eq!(gzip.headers()["content-encoding"], "gzip");
    let copy = std::fs::read(site.path().join("pkg/peerwall.wasm.gz")).unwrap();
    assert_eq!(gzip.bytes().await.unwrap(), copy);

    // The front end is rebuilt while the server runs: the old copies must not be sent for the
    // new file.
    let rebuilt = "(module (func $hydrate_again))\n".repeat(400);
    std::fs::write(&wasm, &rebuilt).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&wasm)
        .unwrap()
        .set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(5))
        .unwrap();
    let plain = get("identity").await.unwrap();
    assert_eq!(plain.text().await.unwrap(), rebuilt);
    let brotli = get("br").await.unwrap();
    assert_eq!(brotli.headers()["content-encoding"], "br");
    let mut unpacked = Vec::new();
    let body = brotli.bytes().await.unwrap();
    brotli::BrotliDecompress(&mut &body[..], &mut unpacked).unwrap();
    assert_eq!(unpacked, rebuilt.as_bytes());
    assert!(!site.path().join("pkg/peerwall.wasm.br").exists());
    assert!(!site.path().join("pkg/peerwall.wasm.gz").exists());
    app.stop().await;
}

#[tokio::test]
async fn static_files_are_compressed_and_revalidated() {
    let script = "function hydrate() { return 'peerwall'; }\n".repeat(200);
    let site = site_with("pkg/peerwall.js", &script);
    let app = serving(&site).await;
    let get = |encoding: &'static str| fetch(&app, "/pkg/peerwall.js", encoding);
    let brotli = get("br, gzip").await.unwrap();
    assert_eq!(brotli.status(), 200);
    assert_eq!(brotli.headers()["content-encoding"], "br");
    assert_eq!(brotli.headers()["cache-control"], "public, no-cache");
    let compressed = brotli.bytes().await.unwrap();
    assert!(
        compressed.len() * 10 < script.len(),
        "{} bytes",
        compressed.len()
    );
    let gzip = get("gzip").await.unwrap();
    assert_eq!(gzip.headers()["content-encoding"], "gzip");
    // Without an accepted encoding, the file as it is.
    let plain = get("identity").await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(plain.text().await.unwrap(), script);
    // Pages are compressed too.
    let page = app
        .http
        .get(app.url("/sign-in"))
        .header("accept-encoding", "br")
        .send()
        .await
        .unwrap();
    assert_eq!(page.headers()["content-encoding"], "br");
    assert!(
        page.headers()
            .get("cache-control")
            .is_none_or(|v| v != "public, no-cache")
    );
    app.stop().await;
}

/// The presenter panel is a lazily loaded page: until its code has run and it has the wall, a
/// click on its server-rendered buttons would do nothing, so they are sent disabled.
#[tokio::test]
async fn the_presenter_panels_controls_come_disabled_until_the_page_has_the_wall() {
    let app = TestApp::demo().await;
    let cookie = app.session_cookie(DEMO_PEOPLE[1].1, DEMO_PASSWORD).await;
    let id = app.first_review(&cookie).await;
    let html = app
        .get_as(&format!("/reviews/{id}/present/panel"), &cookie)
        .await;
    assert!(html.contains("Connecting to the wall…"), "{html}");
    for label in [
        "Start presenting to the room",
        "Title slide",
        "◀ Previous",
        "Next ▶",
    ] {
        let end = html
            .find(label)
            .unwrap_or_else(|| panic!("no {label} button in {html}"));
        let start = html[..end].rfind("<button").unwrap();
        let button = &html[start..end];
        assert!(
            button.contains("disabled"),
            "{label} is not disabled: {button}"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn the_accessibility_statement_is_public_and_gives_the_configured_contact() {
    let contact = "accessibility@eastbrook.example.gov.uk";
    let app = TestApp::start(crate::support::config(
        "mem://",
        &["--demo", "--accessibility-contact", contact],
    ))
    .await;
    // Signed out: the page, its sections, and the contact as a mail link.
    let response = app.get("/accessibility").await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    for heading in [
        "Accessibility statement for Peerwall",
        "Compliance status",
        "Non-accessible content",
        "Enforcement procedure",
        "Preparation of this accessibility statement",
    ] {
        assert!(html.contains(heading), "{heading} missing: {html}");
    }
    assert!(html.contains(&format!("mailto:{contact}")), "{html}");
    // The server function behind it answers without a session.
    let answer = json(
        app.post("/api/accessibility_contact", String::new(), None)
            .await,
    )
    .await;
    assert_eq!(answer["contact"], contact);
    // Every page links to it from its footer.
    let sign_in = app.get("/sign-in").await.text().await.unwrap();
    assert!(sign_in.contains(r#"href="/accessibility""#), "{sign_in}");
    app.stop().await;

    // Without a contact configured, the statement says whom to ask instead.
    let app = TestApp::demo().await;
    let html = app.get("/accessibility").await.text().await.unwrap();
    assert!(html.contains("peer challenge manager"), "{html}");
    assert!(!html.contains("mailto:"), "{html}");
    app.stop().await;
}
