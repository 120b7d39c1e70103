//! The security review's findings (issue 17), one test each, against the real server and
//! SurrealDB: access that ends reaches open sockets at once, on this node and another; rows of
//! one review cannot be reached through another's ids; the export keeps authors to the
//! facilitator and team lead and is audited; no token reaches the log; bodies are limited; the
//! demo's published accounts stay off real data.

use std::time::Duration;

use app::accounts::PersonId;
use app::wall::protocol::{Command, ServerMessage};
use app::wall::{HeadingId, MessageId, MessageKind};
use futures_util::StreamExt;
use peerwall_server::demo::{DEMO_ADMIN, DEMO_PASSWORD, DEMO_PEOPLE};
use tokio_tungstenite::tungstenite::Message;

use crate::support::{Socket, TestApp, config, folder, form, json, websocket};
use crate::wall::{Client, acked, create, new_note, new_op};

const FACILITATOR: &str = DEMO_PEOPLE[0].1;
const LEAD: &str = DEMO_PEOPLE[1].1;
const PEER: &str = DEMO_PEOPLE[2].1;

async fn person(app: &TestApp, email: &str) -> PersonId {
    let row = peerwall_server::db::accounts::find_person_by_email(&app.state.db, email)
        .await
        .unwrap()
        .unwrap();
    PersonId(row.id)
}

/// Reads the socket until the server closes it, failing if any text frame contains `secret`;
/// whether it closed within 5 s.
async fn closes_without(socket: &mut Socket, secret: &str) -> bool {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let Ok(frame) = tokio::time::timeout_at(deadline, socket.next()).await else {
            return false;
        };
        match frame {
            Some(Ok(Message::Text(text))) => {
                assert!(
                    !text.contains(secret),
                    "a socket whose access ended received {secret:?}: {text}"
                );
            }
            Some(Ok(Message::Close(_)) | Err(_)) | None => return true,
            Some(Ok(_)) => {}
        }
    }
}

/// Opens the wall as `cookie` and reads its welcome.
async fn wall(app: &TestApp, review: &str, cookie: &str) -> Client {
    Client::open(app, review, cookie).await
}

async fn update_member(app: &TestApp, by: &str, review: &str, who: PersonId, role: &str) {
    let response = app
        .post(
            "/api/update_member",
            form(&[
                ("review", review),
                ("person", &who.0.to_string()),
                ("role", role),
                ("pair", ""),
            ]),
            Some(by),
        )
        .await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
}

/// The lead writes a note with `text` on the wall, as the change nobody without access may hear.
async fn lead_writes(lead: &mut Client, text: &str) {
    acked(&lead.command(new_op(), create(new_note(), None, text)).await);
}

/// The demo with its facilitator, team lead and a peer (Helen) signed in, and the lead's and
/// Helen's walls open.
struct Team {
    app: TestApp,
    facilitator: String,
    peer: String,
    review: String,
    lead_wall: Client,
    peer_wall: Client,
    helen: PersonId,
}

async fn team_on_the_wall() -> Team {
    let app = TestApp::demo().await;
    let facilitator = app.session_cookie(FACILITATOR, DEMO_PASSWORD).await;
    let lead = app.session_cookie(LEAD, DEMO_PASSWORD).await;
    let peer = app.session_cookie(PEER, DEMO_PASSWORD).await;
    let review = app.first_review(&peer).await;
    let lead_wall = wall(&app, &review, &lead).await;
    let peer_wall = wall(&app, &review, &peer).await;
    let helen = person(&app, PEER).await;
    Team {
        app,
        facilitator,
        peer,
        review,
        lead_wall,
        peer_wall,
        helen,
    }
}

#[tokio::test]
async fn a_demoted_members_wall_closes_at_once_and_hears_nothing_after() {
    let Team {
        app,
        facilitator,
        peer,
        review,
        mut lead_wall,
        mut peer_wall,
        helen,
    } = team_on_the_wall().await;

    update_member(&app, &facilitator, &review, helen, "host_reader").await;
    lead_writes(&mut lead_wall, "Written after the demotion").await;
    assert!(
        closes_without(&mut peer_wall.socket, "Written after the demotion").await,
        "the demoted member's wall closes"
    );
    // And a new socket is refused.
    assert_eq!(
        websocket(app.addr, &format!("/ws/reviews/{review}/wall"), Some(&peer))
            .await
            .err(),
        Some(403)
    );
    app.stop().await;
}

#[tokio::test]
async fn a_removed_members_wall_and_deck_close_without_them_sending_anything() {
    let Team {
        app,
        facilitator,
        peer,
        review,
        mut lead_wall,
        mut peer_wall,
        helen,
    } = team_on_the_wall().await;
    let mut peer_deck = websocket(app.addr, &format!("/ws/reviews/{review}/deck"), Some(&peer))
        .await
        .expect("the deck opens");

    let removed = app
        .post(
            "/api/remove_member",
            form(&[("review", &review), ("person", &helen.0.to_string())]),
            Some(&facilitator),
        )
        .await;
    assert_eq!(removed.status(), 200);
    lead_writes(&mut lead_wall, "Written after the removal").await;
    assert!(closes_without(&mut peer_wall.socket, "Written after the removal").await);
    assert!(closes_without(&mut peer_deck, "Written after the removal").await);
    app.stop().await;
}

#[tokio::test]
async fn a_signed_out_sessions_sockets_close_and_its_other_sessions_stay() {
    let app = TestApp::demo().await;
    let lead = app.session_cookie(LEAD, DEMO_PASSWORD).await;
    let peer = app.session_cookie(PEER, DEMO_PASSWORD).await;
    let peer_elsewhere = app.session_cookie(PEER, DEMO_PASSWORD).await;
    let review = app.first_review(&peer).await;
    let mut lead_wall = wall(&app, &review, &lead).await;
    let mut signed_out = wall(&app, &review, &peer).await;
    let mut other_session = wall(&app, &review, &peer_elsewhere).await;
    let mut deck = websocket(app.addr, &format!("/ws/reviews/{review}/deck"), Some(&peer))
        .await
        .expect("the deck opens");

    let response = app.post("/api/sign_out", String::new(), Some(&peer)).await;
    assert_eq!(response.status(), 200);
    lead_writes(&mut lead_wall, "Written after signing out").await;
    assert!(closes_without(&mut signed_out.socket, "Written after signing out").await);
    assert!(closes_without(&mut deck, "never").await);
    // The same person's other session (another browser) keeps its wall.
    let heard = tokio::time::timeout(Duration::from_secs(5), async {
        while other_session
            .board
            .notes
            .values()
            .all(|n| n.text != "Written after signing out")
        {
            other_session
                .next()
                .await
                .expect("the other session stays open");
        }
    })
    .await;
    assert!(heard.is_ok(), "the other session hears the note");
    app.stop().await;
}

#[tokio::test]
async fn a_password_reset_closes_every_socket_of_that_person() {
    let Team {
        app,
        mut lead_wall,
        mut peer_wall,
        ..
    } = team_on_the_wall().await;

    let people = app.state.services.accounts.clone();
    let admin = peerwall_server::db::accounts::find_person_by_email(&app.state.db, DEMO_ADMIN.1)
        .await
        .unwrap()
        .unwrap()
        .caller();
    let link = people.issue_password_reset(&admin, PEER).await.unwrap();
    let token = link.path.rsplit('/').next().unwrap();
    people
        .reset_password(token, "a-new-password-2026", None)
        .await
        .unwrap();
    lead_writes(&mut lead_wall, "Written after the reset").await;
    assert!(closes_without(&mut peer_wall.socket, "Written after the reset").await);
    app.stop().await;
}

#[tokio::test]
async fn a_session_past_its_lifetime_closes_its_socket() {
    let app = TestApp::start(config("mem://", &["--demo", "--session-max-secs", "3"])).await;
    let peer = app.session_cookie(PEER, DEMO_PASSWORD).await;
    let review = app.first_review(&peer).await;
    let started = std::time::Instant::now();
    let mut peer_wall = wall(&app, &review, &peer).await;
    let closed = tokio::time::timeout(Duration::from_secs(8), async {
        while peer_wall.next().await.is_some() {}
    })
    .await;
    assert!(closed.is_ok(), "the socket closes when its session ends");
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "not before the session ended ({:?})",
        started.elapsed()
    );
    app.stop().await;
}

#[tokio::test]
async fn an_access_change_on_one_node_closes_sockets_on_another() {
    let app = TestApp::demo().await;
    let other = app.another_node(config("mem://", &["--demo"])).await;
    let facilitator = app.session_cookie(FACILITATOR, DEMO_PASSWORD).await;
    let peer = app.session_cookie(PEER, DEMO_PASSWORD).await;
    let review = app.first_review(&peer).await;
    let mut on_other = Client::join_at(other.addr, &review, &peer, None).await;
    on_other.welcome().await;
    let mut deck_on_other = websocket(
        other.addr,
        &format!("/ws/reviews/{review}/deck"),
        Some(&peer),
    )
    .await
    .expect("the deck opens on the other node");
    let helen = person(&app, PEER).await;

    let started = std::time::Instant::now();
    update_member(&app, &facilitator, &review, helen, "observer").await;
    assert!(closes_without(&mut on_other.socket, "never").await);
    // Observers may follow the presentation: the deck stays open on the other node.
    let deck_stays = tokio::time::timeout(Duration::from_millis(1500), deck_on_other.next()).await;
    assert!(
        !matches!(deck_stays, Ok(Some(Ok(Message::Close(_))) | None)),
        "an observer's deck stays open: {deck_stays:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the other node heard at once, not at its periodic check ({:?})",
        started.elapsed()
    );
    // Removed: the deck closes too.
    let removed = app
        .post(
            "/api/remove_member",
            form(&[("review", &review), ("person", &helen.0.to_string())]),
            Some(&facilitator),
        )
        .await;
    assert_eq!(removed.status(), 200);
    assert!(closes_without(&mut deck_on_other, "never").await);
    other.stop().await;
    app.stop().await;
}

/// Creates a second review with the demo facilitator as its facilitator and the lead as its
/// team lead; its id.
async fn second_review(app: &TestApp) -> app::review::ReviewId {
    let facilitator =
        peerwall_server::db::accounts::find_person_by_email(&app.state.db, FACILITATOR)
            .await
            .unwrap()
            .unwrap()
            .caller();
    let review = app::review::CheckedReview {
        title: "Westford Council Corporate Peer Challenge".into(),
        host_authority: "Westford Council".into(),
        review_type: app::review::ReviewType::LgaCorporatePeerChallenge,
        scope: "The five core components.".into(),
        on_site_start: chrono::NaiveDate::from_ymd_opt(2027, 3, 1).unwrap(),
        on_site_end: chrono::NaiveDate::from_ymd_opt(2027, 3, 4).unwrap(),
        headings: vec!["Local priorities and outcomes".into()],
    };
    app.state
        .services
        .reviews
        .create(&facilitator, review)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_member_of_two_reviews_cannot_reach_one_reviews_rows_through_the_other() {
    let app = TestApp::demo().await;
    let facilitator = app.session_cookie(FACILITATOR, DEMO_PASSWORD).await;
    let first = app.first_review(&facilitator).await;
    let second = second_review(&app).await;
    let first_id = app::review::ReviewId(first.parse().unwrap());

    // On the first review: a heading, a note under it and a key message citing it.
    let mut on_first = wall(&app, &first, &facilitator).await;
    let heading = HeadingId::new();
    let note = new_note();
    let message = MessageId(uuid::Uuid::new_v4());
    let commands = [
        Command::AddHeading {
            heading: heading.clone(),
            title: "First review's heading".into(),
        },
        create(note, Some(heading.clone()), "First review's note"),
        Command::AddMessage {
            message,
            heading: heading.clone(),
            before: None,
            text: "First review's key message".into(),
            kind: MessageKind::Strength,
        },
    ];
    for command in commands {
        acked(&on_first.command(new_op(), command).await);
    }

    // The same ids sent as new rows on the second review: each may stand there, as that
    // review's own row, and none touches the first review's.
    let mut on_second = wall(&app, &second.0.to_string(), &facilitator).await;
    let commands = [
        Command::AddHeading {
            heading: heading.clone(),
            title: "Hijacked heading".into(),
        },
        create(note, Some(heading.clone()), "Hijacked note"),
        Command::AddMessage {
            message,
            heading: heading.clone(),
            before: None,
            text: "Hijacked key message".into(),
            kind: MessageKind::AreaForImprovement,
        },
    ];
    for command in commands {
        let answer = on_second.command(new_op(), command).await;
        assert!(matches!(
            answer,
            ServerMessage::Ack { .. } | ServerMessage::Rejected { .. }
        ));
    }

    // As a restart would read them: each review has its own rows.
    let db = &app.state.db;
    let board = peerwall_server::db::wall::load(db, first_id).await.unwrap();
    assert_eq!(
        board
            .headings
            .iter()
            .find(|h| h.id == heading)
            .map(|h| h.title.as_str()),
        Some("First review's heading")
    );
    assert_eq!(board.notes[&note].text, "First review's note");
    assert_eq!(board.messages[&message].text, "First review's key message");
    let board = peerwall_server::db::wall::load(db, second).await.unwrap();
    assert_eq!(
        board.notes.get(&note).map(|n| n.text.as_str()),
        Some("Hijacked note")
    );
    assert_eq!(
        board.messages.get(&message).map(|m| m.text.as_str()),
        Some("Hijacked key message")
    );
    app.stop().await;
}

#[tokio::test]
async fn authors_and_pairs_leave_only_with_the_facilitator_or_lead_and_every_export_is_audited() {
    let app = TestApp::demo().await;
    let peer = app.session_cookie(PEER, DEMO_PASSWORD).await;
    let lead = app.session_cookie(LEAD, DEMO_PASSWORD).await;
    let facilitator = app.session_cookie(FACILITATOR, DEMO_PASSWORD).await;
    let review = app.first_review(&peer).await;
    let export = |cookie: &str, query: &str| {
        let request = app
            .http
            .get(app.url(&format!("/api/reviews/{review}/wall/export?{query}")))
            .header(reqwest::header::COOKIE, cookie.to_string());
        async move { request.send().await.unwrap() }
    };
    assert_eq!(
        export(&peer, "format=csv&authors=include").await.status(),
        403
    );
    assert_eq!(
        export(&peer, "format=md&authors=include").await.status(),
        403
    );
    let without = export(&peer, "format=csv").await;
    assert_eq!(without.status(), 200);
    assert!(!without.text().await.unwrap().contains("Helen Marsh"));
    for cookie in [&lead, &facilitator] {
        let with = export(cookie, "format=csv&authors=include").await;
        assert_eq!(with.status(), 200);
        assert!(with.text().await.unwrap().contains("Helen Marsh"));
    }
    let audit = json(
        app.post(
            "/api/list_audit",
            form(&[("review", &review)]),
            Some(&facilitator),
        )
        .await,
    )
    .await;
    let exports: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|event| event["kind"] == "wall_exported")
        .map(|event| event["detail"].as_str().unwrap())
        .collect();
    assert_eq!(
        exports.len(),
        3,
        "one audit row per export that left, none for refusals: {exports:?}"
    );
    assert_eq!(
        exports
            .iter()
            .filter(|detail| detail.contains("with authors and pairs"))
            .count(),
        2
    );
    app.stop().await;
}

/// Collects everything a pipe says, on a thread of its own, so the process never blocks on it.
fn collect(
    mut pipe: impl std::io::Read + Send + 'static,
) -> std::sync::Arc<std::sync::Mutex<String>> {
    let text = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let sink = text.clone();
    std::thread::spawn(move || {
        let mut buffer = [0u8; 4096];
        while let Ok(read) = pipe.read(&mut buffer) {
            if read == 0 {
                break;
            }
            sink.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buffer[..read]));
        }
    });
    text
}

#[tokio::test]
async fn no_invitation_or_reset_token_reaches_the_log() {
    let mut server = std::process::Command::new(env!("CARGO_BIN_EXE_peerwall"))
        .args([
            "--addr",
            "127.0.0.1:0",
            "--db",
            "mem://",
            "--demo",
            "--log",
            "info",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = collect(server.stdout.take().unwrap());
    let stderr = collect(server.stderr.take().unwrap());
    let mut addr = None;
    for _ in 0..600 {
        let said = stdout.lock().unwrap().clone();
        if let Some(at) = said.find("running at http://") {
            let rest = &said[at + "running at http://".len()..];
            addr = rest.split_whitespace().next().map(str::to_string);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let addr: std::net::SocketAddr = (addr.expect("the server says where it listens"))
        .parse()
        .unwrap();
    let base = format!("http://{addr}");
    let http = reqwest::Client::new();
    let (cookie, review) = crate::support::sign_in_at(addr, FACILITATOR).await;
    let invited = json(
        http.post(format!("{base}/api/invite_member"))
            .header("cookie", &cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form(&[
                ("review", &review),
                ("email", "new.peer@example.org"),
                ("role", "peer"),
            ]))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let path = invited["path"].as_str().expect("the link").to_string();
    let token = path.rsplit('/').next().unwrap().to_string();
    assert!(token.len() > 20);
    let page = http.get(format!("{base}{path}")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let _ = http
        .get(format!("{base}/reset-password/{token}"))
        .send()
        .await
        .unwrap();
    // Stop the server (SIGTERM) and read all it wrote.
    let _ = std::process::Command::new("kill")
        .arg(server.id().to_string())
        .status();
    let _ = server.wait();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let log = format!("{}{}", stdout.lock().unwrap(), stderr.lock().unwrap());
    assert!(
        log.contains("invitation created"),
        "the log is captured: {log}"
    );
    assert!(
        log.contains("/invitations/[redacted]"),
        "the request log names the route without its token:\n{log}"
    );
    assert!(!log.contains(&token), "a token reached the log:\n{log}");
}

#[tokio::test]
async fn every_request_body_is_limited_with_a_clear_413() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::demo().await;
    // Declared too large: refused before it is read.
    let big = "x".repeat(1024 * 1024);
    let response = app.post("/api/sign_in", format!("email={big}"), None).await;
    assert_eq!(response.status(), 413);
    let error = json(response).await;
    assert!(
        error["message"].as_str().unwrap().contains("too large"),
        "{error}"
    );

    // Not declared (chunked): refused as soon as it passes the limit.
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let head = format!(
        "POST /api/sign_in HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        app.addr
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let chunk = "y".repeat(64 * 1024);
    for _ in 0..8 {
        let framed = format!("{:x}\r\n{chunk}\r\n", chunk.len());
        if stream.write_all(framed.as_bytes()).await.is_err() {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");

    // A normal form still works.
    assert_eq!(app.sign_in(PEER, DEMO_PASSWORD).await.status(), 200);
    app.stop().await;
}

/// A database folder under `dir` holding one real account (an administrator); its option.
async fn folder_with_a_real_account(dir: &std::path::Path) -> String {
    let real = folder(&dir.join("real"));
    let app = TestApp::start(config(&real, &[])).await;
    peerwall_server::accounts::create_admin(&app.state.db, "it@council.example", "IT")
        .await
        .unwrap();
    app.stop().await;
    real
}

#[tokio::test]
async fn the_demo_never_lands_on_real_data_nor_real_servers_on_the_demo() {
    use peerwall_server::StartupError;
    let dir = tempfile::tempdir().unwrap();

    // A database with a real account refuses --demo.
    let real = folder_with_a_real_account(dir.path()).await;
    let refused = peerwall_server::prepare(&config(&real, &["--demo"])).await;
    assert!(
        matches!(refused, Err(StartupError::DemoOnRealData)),
        "{:?}",
        refused.err()
    );

    // The demo's own folder: served again with --demo, refused without it, and served once
    // its accounts are removed, which they then are.
    let demo = folder(&dir.path().join("demo"));
    TestApp::start(config(&demo, &["--demo"]))
        .await
        .stop()
        .await;
    TestApp::start(config(&demo, &["--demo"]))
        .await
        .stop()
        .await;
    let refused = peerwall_server::prepare(&config(&demo, &[])).await;
    assert!(
        matches!(refused, Err(StartupError::DemoAccountsPresent)),
        "{:?}",
        refused.err()
    );
    let app = TestApp::start(config(&demo, &["--remove-demo-accounts"])).await;
    assert_eq!(app.sign_in(FACILITATOR, DEMO_PASSWORD).await.status(), 401);
    app.stop().await;
    let app = TestApp::start(config(&demo, &[])).await;
    app.stop().await;

    // And a demo beyond loopback is named as such.
    assert!(peerwall_server::demo::exposure_warning("0.0.0.0:3000".parse().unwrap()).is_some());
    assert!(peerwall_server::demo::exposure_warning("127.0.0.1:3000".parse().unwrap()).is_none());
}

#[tokio::test]
async fn presence_is_rate_limited_per_socket() {
    let app = TestApp::demo().await;
    let peer = app.session_cookie(PEER, DEMO_PASSWORD).await;
    let lead = app.session_cookie(LEAD, DEMO_PASSWORD).await;
    let review = app.first_review(&peer).await;
    let mut watcher = wall(&app, &review, &lead).await;
    let mut sender = wall(&app, &review, &peer).await;
    let note = new_note();
    for n in 0..100 {
        sender
            .send(&app::wall::protocol::ClientMessage::Presence {
                dragging: (n % 2 == 0).then_some(note),
            })
            .await;
    }
    let mut heard = 0;
    let _ = tokio::time::timeout(Duration::from_millis(1500), async {
        while let Some(message) = watcher.next().await {
            if matches!(message, ServerMessage::Presence { .. }) {
                heard += 1;
            }
        }
    })
    .await;
    assert!(heard > 0, "presence still works");
    assert!(
        heard <= 20,
        "100 presence changes in a burst reached the team as {heard}"
    );
    app.stop().await;
}

#[tokio::test]
async fn https_sites_tell_browsers_to_use_nothing_else() {
    let app = TestApp::start(config(
        "mem://",
        &["--demo", "--public-url", "https://peerwall.example.gov.uk"],
    ))
    .await;
    let response = app.get("/healthz").await;
    assert_eq!(
        response.headers()["strict-transport-security"],
        "max-age=31536000; includeSubDomains"
    );
    app.stop().await;
    let app = TestApp::demo().await;
    assert!(
        app.get("/healthz")
            .await
            .headers()
            .get("strict-transport-security")
            .is_none(),
        "not over plain http"
    );
    app.stop().await;
}

/// The routes and sockets outside the server functions (whose matrix is `authz.rs`), for every
/// role on the review, a stranger to it and nobody, against the role table.
#[tokio::test]
async fn routes_and_sockets_follow_the_role_table_for_every_role() {
    use app::membership::{Action, Role, allows};
    let app = TestApp::demo().await;
    let facilitator = app.session_cookie(FACILITATOR, DEMO_PASSWORD).await;
    let review = app.first_review(&facilitator).await;
    // A member of another review only.
    let stranger_review = second_review(&app).await;
    let facilitator_caller =
        peerwall_server::db::accounts::find_person_by_email(&app.state.db, FACILITATOR)
            .await
            .unwrap()
            .unwrap()
            .caller();
    let link = app
        .state
        .services
        .invitations
        .invite(
            &facilitator_caller,
            stranger_review,
            "stranger@example.org",
            Role::Peer,
        )
        .await
        .unwrap();
    let token = link.path.rsplit('/').next().unwrap().to_string();
    app.state
        .services
        .invitations
        .accept_invitation(&token, "Sam Stranger", "a-long-enough-password", None)
        .await
        .unwrap();
    let stranger = app
        .session_cookie("stranger@example.org", "a-long-enough-password")
        .await;

    let export = |cookie: Option<String>, query: &'static str| {
        let mut request = app
            .http
            .get(app.url(&format!("/api/reviews/{review}/wall/export?{query}")));
        if let Some(cookie) = cookie {
            request = request.header(reqwest::header::COOKIE, cookie);
        }
        async move { request.send().await.unwrap().status().as_u16() }
    };
    let socket = |cookie: Option<String>, kind: &'static str| {
        let path = format!("/ws/reviews/{review}/{kind}");
        let addr = app.addr;
        async move {
            match websocket(addr, &path, cookie.as_deref()).await {
                Ok(_) => 101,
                Err(status) => status,
            }
        }
    };
    let ics = |cookie: Option<String>| {
        let mut request = app
            .http
            .get(app.url(&format!("/api/reviews/{review}/timetable.ics?pair=1")));
        if let Some(cookie) = cookie {
            request = request.header(reqwest::header::COOKIE, cookie);
        }
        async move { request.send().await.unwrap().status().as_u16() }
    };
    let statement = peerwall_server::db::pack::documents(
        &app.state.db,
        app::review::ReviewId(review.parse().unwrap()),
    )
    .await
    .unwrap()
    .into_iter()
    .find(|document| document.title == "Position statement")
    .unwrap()
    .id;
    let document = |cookie: Option<String>| {
        let mut request = app
            .http
            .get(app.url(&format!("/api/reviews/{review}/documents/{statement}")));
        if let Some(cookie) = cookie {
            request = request.header(reqwest::header::COOKIE, cookie);
        }
        async move { request.send().await.unwrap().status().as_u16() }
    };
    let multipart = |kind: &'static str, cookie: Option<String>| {
        let app = &app;
        let path = format!("/api/reviews/{review}/{kind}");
        async move {
            type Form<'a> = (&'a [(&'a str, &'a str)], (&'a str, &'a [u8]));
            let (fields, file): Form = if kind == "documents" {
                (
                    &[
                        ("title", "Minutes"),
                        ("kind", "other"),
                        ("audience", "everyone"),
                        ("send_on", "2020-01-01"),
                    ],
                    ("m.csv", b"item,value\na,1\n"),
                )
            } else {
                (
                    &[("host", "Eastbrook Borough Council")],
                    (
                        "d.csv",
                        b"council,indicator,year,value\nEastbrook Borough Council,X1,2024-25,1\n",
                    ),
                )
            };
            app.post_multipart(&path, fields, file, cookie.as_deref(), false)
                .await
                .status()
                .as_u16()
        }
    };
    let audit_csv = |cookie: Option<String>| {
        let mut request = app
            .http
            .get(app.url(&format!("/api/reviews/{review}/audit.csv")));
        if let Some(cookie) = cookie {
            request = request.header(reqwest::header::COOKIE, cookie);
        }
        async move { request.send().await.unwrap().status().as_u16() }
    };
    let doors: [(&str, Action); 11] = [
        ("export without authors", Action::ViewNotes),
        ("export with authors", Action::ExportWall),
        ("wall socket", Action::ViewNotes),
        ("deck socket", Action::FollowPresentation),
        ("report socket", Action::ReadReport),
        ("timetable socket", Action::ViewTimetable),
        ("timetable calendar", Action::ViewTimetable),
        ("document download", Action::ViewDocuments),
        ("document upload", Action::ManageDocuments),
        ("data import", Action::ImportBenchmarks),
        ("audit download", Action::ViewAudit),
    ];
    let knock = |door: &'static str, cookie: Option<String>| async move {
        match door {
            "export without authors" => export(cookie, "format=csv").await,
            "export with authors" => export(cookie, "format=csv&authors=include").await,
            "wall socket" => socket(cookie, "wall").await,
            "report socket" => socket(cookie, "report").await,
            "timetable socket" => socket(cookie, "timetable").await,
            "timetable calendar" => ics(cookie).await,
            "document download" => document(cookie).await,
            "document upload" => multipart("documents", cookie).await,
            "data import" => multipart("benchmarks", cookie).await,
            "audit download" => audit_csv(cookie).await,
            _ => socket(cookie, "deck").await,
        }
    };
    let mut checked = 0;
    let mut seen_roles = std::collections::BTreeSet::new();
    for (_, email, role, _, _) in DEMO_PEOPLE {
        if !seen_roles.insert(role.as_str()) {
            continue;
        }
        let cookie = app.session_cookie(email, DEMO_PASSWORD).await;
        for (door, action) in doors {
            let got = knock(door, Some(cookie.clone())).await;
            let allowed = match door {
                door if door.ends_with("socket") => 101,
                "document upload" | "data import" => 201,
                _ => 200,
            };
            let expected = if allows(role, action) { allowed } else { 403 };
            assert_eq!(got, expected, "{role:?} at the {door}");
            checked += 1;
        }
    }
    let cpc_roles = Role::in_programme(app::review::ReviewType::LgaCorporatePeerChallenge).len();
    assert_eq!(seen_roles.len(), cpc_roles, "every role of a CPC was tried");
    for (door, _) in doors {
        assert_eq!(knock(door, None).await, 401, "nobody at the {door}");
        assert_eq!(
            knock(door, Some(stranger.clone())).await,
            404,
            "a member of another review at the {door}"
        );
    }
    assert_eq!(checked, cpc_roles * doors.len());
    app.stop().await;
}

/// The next deck a presentation socket receives, within 5 s.
async fn next_deck(socket: &mut Socket) -> app::present::Deck {
    use app::present::protocol::DeckServerMessage;
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(5), socket.next())
            .await
            .expect("a deck within 5 s");
        if let Some(Ok(Message::Text(text))) = frame {
            if let Ok(DeckServerMessage::Deck { deck }) = serde_json::from_str(&text) {
                return deck;
            }
        } else if !matches!(frame, Some(Ok(Message::Ping(_) | Message::Pong(_)))) {
            panic!("the deck socket ended: {frame:?}");
        }
    }
}

/// The next frame on a presentation socket, which must be a refusal: its code.
async fn refusal(socket: &mut Socket) -> app::error::ErrorCode {
    use app::present::protocol::DeckServerMessage;
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(5), socket.next())
            .await
            .expect("an answer within 5 s");
        match frame {
            Some(Ok(Message::Text(text))) => match serde_json::from_str(&text).unwrap() {
                DeckServerMessage::Error { error } => return error.code,
                other => panic!("expected a refusal, got {other:?}"),
            },
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
            other => panic!("the deck socket ended: {other:?}"),
        }
    }
}

async fn present_frame(socket: &mut Socket, message: &app::present::protocol::DeckClientMessage) {
    use futures_util::SinkExt;
    let text = serde_json::to_string(message).unwrap();
    socket.send(Message::Text(text.into())).await.unwrap();
}

#[tokio::test]
async fn the_council_sees_key_messages_only_while_presented_or_once_published() {
    use app::present::protocol::DeckClientMessage;
    let app = TestApp::demo().await;
    let lead = app.session_cookie(LEAD, DEMO_PASSWORD).await;
    let peer = app.session_cookie(PEER, DEMO_PASSWORD).await;
    let host = app.session_cookie(DEMO_PEOPLE[5].1, DEMO_PASSWORD).await;
    let review = app.first_review(&lead).await;
    let deck_path = format!("/ws/reviews/{review}/deck");
    let mut host_deck = websocket(app.addr, &deck_path, Some(&host)).await.unwrap();
    let mut peer_deck = websocket(app.addr, &deck_path, Some(&peer)).await.unwrap();
    let mut lead_deck = websocket(app.addr, &deck_path, Some(&lead)).await.unwrap();
    let first = next_deck(&mut host_deck).await;
    assert!(first.waiting && first.slides.is_empty(), "{first:?}");
    assert!(!next_deck(&mut peer_deck).await.waiting);
    next_deck(&mut lead_deck).await;

    // The team writes a key message: the peer's deck has it, the host's socket hears nothing.
    let mut lead_wall = wall(&app, &review, &lead).await;
    let heading = lead_wall.board.live_headings().next().unwrap().id.clone();
    acked(
        &lead_wall
            .command(
                new_op(),
                Command::AddMessage {
                    message: MessageId(uuid::Uuid::new_v4()),
                    heading,
                    before: None,
                    text: "A draft finding, not yet presented".into(),
                    kind: MessageKind::AreaForImprovement,
                },
            )
            .await,
    );
    let team = next_deck(&mut peer_deck).await;
    assert!(format!("{team:?}").contains("A draft finding"));
    let quiet = tokio::time::timeout(Duration::from_millis(800), host_deck.next()).await;
    if let Ok(Some(Ok(Message::Text(text)))) = &quiet {
        assert!(!text.contains("A draft finding"), "the host heard: {text}");
    }

    // Presenting: the room sees the deck; ended: nothing again.
    present_frame(&mut lead_deck, &DeckClientMessage::Presenting { on: true }).await;
    let shown = next_deck(&mut host_deck).await;
    assert!(!shown.waiting && shown.presenting);
    assert!(format!("{shown:?}").contains("A draft finding"));
    present_frame(&mut lead_deck, &DeckClientMessage::Presenting { on: false }).await;
    let after = next_deck(&mut host_deck).await;
    assert!(after.waiting && after.slides.is_empty(), "{after:?}");

    // A peer or the host cannot start it; published, the handout is the council's.
    present_frame(&mut peer_deck, &DeckClientMessage::Presenting { on: true }).await;
    for frame in [
        DeckClientMessage::Presenting { on: true },
        DeckClientMessage::PublishHandout { published: true },
    ] {
        present_frame(&mut host_deck, &frame).await;
        assert_eq!(
            refusal(&mut host_deck).await,
            app::error::ErrorCode::Forbidden,
            "{frame:?}"
        );
    }
    present_frame(
        &mut lead_deck,
        &DeckClientMessage::PublishHandout { published: true },
    )
    .await;
    let published = next_deck(&mut host_deck).await;
    assert!(!published.waiting && !published.presenting && published.handout_published);
    assert!(format!("{published:?}").contains("A draft finding"));
    app.stop().await;
}

#[tokio::test]
async fn the_bench_route_needs_its_secret_and_a_database_of_its_own() {
    use clap::Parser;
    use peerwall_server::StartupError;
    // --bench without a secret does not parse.
    let parsed = peerwall_server::Config::try_parse_from(["peerwall", "--db", "mem://", "--bench"]);
    assert!(parsed.is_err(), "--bench needs --bench-secret");

    // With it, the route refuses a request without the secret, or with another.
    let app = TestApp::start(config("mem://", &["--bench", "--bench-secret", "right"])).await;
    for secret in [None, Some("wrong"), Some("righ"), Some("right-")] {
        let mut request = app
            .http
            .post(app.url("/bench/setup"))
            .header("content-type", "application/json")
            .body(r#"{"boards":1,"clients":2}"#);
        if let Some(secret) = secret {
            request = request.header("x-bench-secret", secret);
        }
        assert_eq!(request.send().await.unwrap().status(), 403, "{secret:?}");
    }
    assert_eq!(
        peerwall_server::db::review::count(&app.state.db)
            .await
            .unwrap(),
        0
    );
    app.stop().await;

    // A folder with real data refuses --bench; a fresh one becomes the bench's, and takes it
    // again after a restart (the fault run's kill -9 cycles).
    let dir = tempfile::tempdir().unwrap();
    let real = folder_with_a_real_account(dir.path()).await;
    let refused =
        peerwall_server::prepare(&config(&real, &["--bench", "--bench-secret", "s"])).await;
    assert!(
        matches!(refused, Err(StartupError::BenchOnRealData)),
        "{:?}",
        refused.err()
    );
    let own = folder(&dir.path().join("bench"));
    for _ in 0..2 {
        TestApp::start(config(&own, &["--bench", "--bench-secret", "s"]))
            .await
            .stop()
            .await;
    }
}

/// The client address the audit trail records for a failed sign-in sent with a forged
/// `X-Forwarded-For`.
async fn audited_address(app: &TestApp) -> Option<String> {
    let response = app
        .http
        .post(app.url("/api/sign_in"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-forwarded-for", "203.0.113.5")
        .body(form(&[("email", PEER), ("password", "not the password")]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    peerwall_server::db::audit::recent_audit(&app.state.db, 10)
        .await
        .unwrap()
        .into_iter()
        .find(|event| event.kind == "sign_in_failed")
        .and_then(|event| event.address)
}

#[tokio::test]
async fn the_client_address_comes_from_a_proxy_only_when_it_is_trusted() {
    let app = TestApp::demo().await;
    assert_eq!(audited_address(&app).await.as_deref(), Some("127.0.0.1"));
    app.stop().await;
    let app = TestApp::start(config(
        "mem://",
        &["--demo", "--trusted-proxy", "127.0.0.1"],
    ))
    .await;
    assert_eq!(audited_address(&app).await.as_deref(), Some("203.0.113.5"));
    app.stop().await;
}

#[tokio::test]
async fn until_the_reveal_each_person_receives_only_their_own_votes() {
    let app = TestApp::demo().await;
    let helen = app.session_cookie(PEER, DEMO_PASSWORD).await;
    let gareth = app.session_cookie(DEMO_PEOPLE[3].1, DEMO_PASSWORD).await;
    let lead = app.session_cookie(LEAD, DEMO_PASSWORD).await;
    let review = app.first_review(&helen).await;
    let helen_id = person(&app, PEER).await.0.to_string();
    let mut helen_wall = wall(&app, &review, &helen).await;
    let mut gareth_wall = wall(&app, &review, &gareth).await;
    let message = helen_wall
        .board
        .messages
        .values()
        .find(|m| !m.deleted)
        .expect("the demo has key messages")
        .id;
    let before = gareth_wall.board.votes_cast();

    // Helen votes twice: her own socket has her votes; Gareth's frames never name her.
    for _ in 0..2 {
        let seq = acked(
            &helen_wall
                .command(new_op(), Command::Vote { message })
                .await,
        );
        helen_wall.until_seq(seq).await;
    }
    assert_eq!(helen_wall.board.messages[&message].vote_total(), 2);
    let seen = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            let frame = gareth_wall.socket.next().await.unwrap().unwrap();
            if let Message::Text(text) = frame {
                assert!(
                    !text.contains(&helen_id),
                    "Gareth received Helen's votes: {text}"
                );
                if let Ok(ServerMessage::Event { votes_cast, .. }) = serde_json::from_str(&text)
                    && votes_cast == Some(before + 2)
                {
                    return;
                }
            }
        }
    })
    .await;
    assert!(seen.is_ok(), "Gareth hears that two more votes were cast");

    // A fresh welcome: Gareth's board has nobody's votes but the total; Helen's has hers.
    let mut gareth_again = wall(&app, &review, &gareth).await;
    assert_eq!(gareth_again.board.messages[&message].vote_total(), 0);
    assert_eq!(gareth_again.board.votes_cast(), before + 2);
    let helen_again = wall(&app, &review, &helen).await;
    assert_eq!(helen_again.board.messages[&message].vote_total(), 2);

    // Revealed: everyone's votes, to everyone.
    let mut lead_wall = wall(&app, &review, &lead).await;
    acked(
        &lead_wall
            .command(
                new_op(),
                Command::SetVoting {
                    votes_per_person: 3,
                    revealed: true,
                },
            )
            .await,
    );
    let _ = gareth_again.next().await;
    let revealed = wall(&app, &review, &gareth).await;
    assert_eq!(revealed.board.messages[&message].vote_total(), 2);
    assert_eq!(revealed.board.votes_cast, None);
    app.stop().await;
}

#[tokio::test]
async fn every_password_check_goes_through_the_throttle() {
    use app::error::ErrorCode;
    let app = TestApp::demo().await;
    let invitations = app.state.services.invitations.clone();

    // Accepting an invitation with an existing account's password: audited, then slowed.
    let facilitator =
        peerwall_server::db::accounts::find_person_by_email(&app.state.db, FACILITATOR)
            .await
            .unwrap()
            .unwrap()
            .caller();
    let review = app::review::ReviewId(
        app.first_review(&app.session_cookie(FACILITATOR, DEMO_PASSWORD).await)
            .await
            .parse()
            .unwrap(),
    );
    let observer = DEMO_PEOPLE[7].1;
    let link = invitations
        .invite(
            &facilitator,
            review,
            observer,
            app::membership::Role::HostReader,
        )
        .await
        .unwrap();
    let token = link.path.rsplit('/').next().unwrap().to_string();
    for _ in 0..5 {
        let wrong = invitations
            .accept_invitation(&token, "", "not the password", Some("192.0.2.9"))
            .await
            .unwrap_err();
        assert_eq!(wrong.code, ErrorCode::Unauthenticated);
    }
    let slowed = invitations
        .accept_invitation(&token, "", DEMO_PASSWORD, Some("192.0.2.9"))
        .await
        .unwrap_err();
    assert_eq!(slowed.code, ErrorCode::RateLimited, "{slowed:?}");
    let kinds = app.audit_kinds().await;
    assert_eq!(
        kinds
            .iter()
            .filter(|k| *k == "invitation_password_failed")
            .count(),
        5
    );
    // The link survived, and works once the wait is over.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    invitations
        .accept_invitation(&token, "", DEMO_PASSWORD, Some("192.0.2.9"))
        .await
        .unwrap();

    // Changing a password: the current one, checked under the same throttle.
    let cookie = app.session_cookie(PEER, DEMO_PASSWORD).await;
    let change = |current: &'static str| {
        let body = form(&[
            ("current_password", current),
            ("new_password", "a-new-password-2026"),
        ]);
        let app = &app;
        let cookie = cookie.clone();
        async move { json(app.post("/api/change_password", body, Some(&cookie)).await).await }
    };
    for _ in 0..5 {
        assert_eq!(change("not the password").await["code"], "unauthenticated");
    }
    assert_eq!(change(DEMO_PASSWORD).await["code"], "rate_limited");
    app.stop().await;
}
