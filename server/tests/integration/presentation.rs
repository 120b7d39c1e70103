//! The round-table presentation's socket and the wall's export, against the real server: anyone
//! on the review follows the deck, which never carries notes or authors; only the facilitator
//! or team lead moves it; the export is the peer team's, with authors only when asked for.

use std::time::Duration;

use app::present::Deck;
use app::present::protocol::{DeckClientMessage, DeckServerMessage};
use futures_util::{SinkExt, StreamExt};
use peerwall_server::demo::{DEMO_PASSWORD, DEMO_PEOPLE};
use tokio_tungstenite::tungstenite::Message;

use crate::support::{Socket, TestApp};

const FACILITATOR: &str = DEMO_PEOPLE[0].1;
const LEAD: &str = DEMO_PEOPLE[1].1;
const PEER: &str = DEMO_PEOPLE[2].1;
const HOST: &str = DEMO_PEOPLE[5].1;
const OBSERVER: &str = DEMO_PEOPLE[7].1;

async fn open(app: &TestApp, review: &str, cookie: Option<&str>) -> Result<Socket, u16> {
    crate::support::websocket(app.addr, &format!("/ws/reviews/{review}/deck"), cookie).await
}

/// The next deck frame's text and its message.
async fn next(socket: &mut Socket) -> (String, DeckServerMessage) {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("a frame within 10 s");
        match frame {
            Some(Ok(Message::Text(text))) => {
                let message = serde_json::from_str(&text).unwrap();
                return (text.to_string(), message);
            }
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
}

async fn deck(socket: &mut Socket) -> (String, Deck) {
    match next(socket).await {
        (text, DeckServerMessage::Deck { deck }) => (text, deck),
        (_, other) => panic!("expected a deck, got {other:?}"),
    }
}

async fn go(socket: &mut Socket, slide: Option<app::wall::HeadingId>) {
    let text = serde_json::to_string(&DeckClientMessage::Go { slide }).unwrap();
    socket.send(Message::Text(text.into())).await.unwrap();
}

#[tokio::test]
async fn everyone_follows_the_deck_and_only_its_leads_move_it() {
    let app = TestApp::demo().await;
    let host = app.session_cookie(HOST, DEMO_PASSWORD).await;
    let review = app.first_review(&host).await;
    assert_eq!(open(&app, &review, None).await.err(), Some(401));
    let outsider = "00000000-0000-0000-0000-000000000000";
    assert_eq!(open(&app, outsider, Some(&host)).await.err(), Some(404));

    let lead = app.session_cookie(LEAD, DEMO_PASSWORD).await;
    let observer = app.session_cookie(OBSERVER, DEMO_PASSWORD).await;
    let peer = app.session_cookie(PEER, DEMO_PASSWORD).await;
    let mut presenter = open(&app, &review, Some(&lead)).await.unwrap();
    let mut host_view = open(&app, &review, Some(&host)).await.unwrap();
    let mut observer_view = open(&app, &review, Some(&observer)).await.unwrap();
    let mut peer_view = open(&app, &review, Some(&peer)).await.unwrap();

    let (_, before) = deck(&mut presenter).await;
    assert_eq!(before.current, None, "the title slide first");
    assert_eq!(
        before.slides.len(),
        2,
        "the demo's two headings with messages"
    );
    // Until the presentation is given, host roles and observers see nothing of the findings.
    for socket in [&mut host_view, &mut observer_view] {
        let (text, waiting) = deck(socket).await;
        assert!(waiting.waiting && waiting.slides.is_empty(), "{waiting:?}");
        assert!(!text.contains("Partners trust the council's leadership"));
    }
    deck(&mut peer_view).await;
    let start = serde_json::to_string(&DeckClientMessage::Presenting { on: true }).unwrap();
    presenter.send(Message::Text(start.into())).await.unwrap();
    let (_, first) = deck(&mut presenter).await;
    assert!(first.presenting && !first.waiting);
    assert_eq!(first.slides, before.slides);
    let (text, seen) = deck(&mut host_view).await;
    assert_eq!(seen, first);
    // The host sees messages, never the notes behind them or who wrote them.
    for secret in [
        "Partners describe the chief executive",
        "Helen Marsh",
        "Tom Okafor",
        "Partners' round table",
        "pair",
        "author",
    ] {
        assert!(!text.contains(secret), "the host's deck shows {secret:?}");
    }
    assert!(text.contains("Partners trust the council's leadership"));
    deck(&mut observer_view).await;
    deck(&mut peer_view).await;

    // The presenter moves on: every follower moves with them.
    go(&mut presenter, first.step(1)).await;
    for socket in [
        &mut presenter,
        &mut host_view,
        &mut observer_view,
        &mut peer_view,
    ] {
        let (_, moved) = deck(socket).await;
        assert_eq!(moved.current, Some(0));
    }
    // A host, an observer or a peer cannot move it.
    for socket in [&mut host_view, &mut observer_view, &mut peer_view] {
        go(socket, first.step(2)).await;
        match next(socket).await {
            (_, DeckServerMessage::Error { error }) => {
                assert_eq!(error.code, app::error::ErrorCode::Forbidden);
            }
            (_, other) => panic!("expected a refusal, got {other:?}"),
        }
    }
    // Malformed, binary and oversized frames each get a clear error and the socket carries on.
    let oversized = format!("{{\"type\":\"go\",\"slide\":\"{}\"}}", "x".repeat(2000));
    for (frame, says) in [
        (
            Message::Text("{\"type\":\"jump\"}".into()),
            "could not be read",
        ),
        (Message::Binary(vec![1, 2, 3].into()), "JSON text frames"),
        (Message::Text(oversized.into()), "too large"),
    ] {
        presenter.send(frame).await.unwrap();
        match next(&mut presenter).await {
            (_, DeckServerMessage::Error { error }) => {
                assert_eq!(error.code, app::error::ErrorCode::Invalid);
                assert!(error.message.contains(says), "{}", error.message);
            }
            (_, other) => panic!("expected an error, got {other:?}"),
        }
    }
    // An unknown heading is refused too.
    go(
        &mut presenter,
        Some(app::wall::HeadingId("no-such-heading".into())),
    )
    .await;
    assert!(matches!(
        next(&mut presenter).await.1,
        DeckServerMessage::Error { .. }
    ));

    // A presenter's clicker pressed far too fast is slowed down, with a reason.
    let mut limited = false;
    for step in 0..20 {
        go(&mut presenter, first.step(step % 2 + 1)).await;
    }
    for _ in 0..40 {
        if let (_, DeckServerMessage::Error { error }) = next(&mut presenter).await
            && error.code == app::error::ErrorCode::RateLimited
        {
            limited = true;
            break;
        }
    }
    assert!(limited, "twenty slide changes at once were all taken");
    // Back to the title slide, and everyone's earlier frames read.
    tokio::time::sleep(Duration::from_millis(600)).await;
    go(&mut presenter, None).await;
    for socket in [&mut presenter, &mut host_view] {
        loop {
            match tokio::time::timeout(Duration::from_millis(500), next(socket)).await {
                Ok((_, DeckServerMessage::Deck { deck })) if deck.current.is_none() => break,
                Ok(_) => {}
                Err(_) => panic!("the title slide was not shown"),
            }
        }
    }

    // A change on the wall reaches the presentation live.
    let facilitator = app.session_cookie(FACILITATOR, DEMO_PASSWORD).await;
    let mut chair = open(&app, &review, Some(&facilitator)).await.unwrap();
    deck(&mut chair).await;
    tokio::time::sleep(Duration::from_millis(150)).await;
    go(&mut chair, first.step(2)).await;
    let (_, second) = deck(&mut host_view).await;
    assert_eq!(second.current, Some(1));

    // A key message written on the wall meanwhile appears on the slide for the host.
    let heading = second.slides[1].heading.clone();
    let lead_person = peerwall_server::db::accounts::find_person_by_email(&app.state.db, LEAD)
        .await
        .unwrap()
        .unwrap();
    let actor = peerwall_server::wall::board::Actor {
        person: app::accounts::PersonId(lead_person.id),
        name: "Tom Okafor".into(),
        pair: Some(1),
        role: app::membership::Role::TeamLead,
    };
    let review_id = app::review::ReviewId(review.parse().unwrap());
    let answer = app
        .state
        .wall
        .command(
            review_id,
            actor,
            app::wall::protocol::OpId(uuid::Uuid::new_v4()),
            app::wall::protocol::Command::AddMessage {
                message: app::wall::MessageId(uuid::Uuid::new_v4()),
                heading,
                before: None,
                text: "Members want earlier sight of key decisions.".into(),
                kind: app::wall::MessageKind::Recommendation,
            },
        )
        .await;
    assert!(
        matches!(answer, app::wall::protocol::ServerMessage::Ack { .. }),
        "{answer:?}"
    );
    let (_, third) = deck(&mut host_view).await;
    let last = third.slides[1].messages.last().unwrap();
    assert_eq!(last.text, "Members want earlier sight of key decisions.");
    assert_eq!(third.current, Some(1));
    app.stop().await;
}

#[tokio::test]
async fn the_export_is_the_peer_teams_with_authors_only_for_the_lead_and_facilitator() {
    let app = TestApp::demo().await;
    let peer = app.session_cookie(PEER, DEMO_PASSWORD).await;
    let lead = app.session_cookie(LEAD, DEMO_PASSWORD).await;
    let host = app.session_cookie(HOST, DEMO_PASSWORD).await;
    let review = app.first_review(&peer).await;
    let export = |cookie: &str, query: &str| {
        let url = app.url(&format!("/api/reviews/{review}/wall/export?{query}"));
        let cookie = cookie.to_string();
        let http = reqwest::Client::new();
        async move {
            http.get(url)
                .header(reqwest::header::COOKIE, cookie)
                .send()
                .await
                .unwrap()
        }
    };
    let csv = export(&peer, "format=csv").await;
    assert_eq!(csv.status(), 200);
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(
        csv.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("-wall.csv")
    );
    let body = csv.text().await.unwrap();
    assert!(body.starts_with(
        "heading,note,note kind,source,stakeholder group,tags,key message,message kind\r\n"
    ));
    assert!(body.contains("Partners trust the council's leadership"));
    assert!(!body.contains("Helen Marsh"));
    assert_eq!(
        body.matches("\r\n").count(),
        17,
        "a header and one row per demo note"
    );
    // Authors and pairs: the facilitator and team lead only (ExportWall), never a peer.
    assert_eq!(
        export(&peer, "format=csv&authors=include").await.status(),
        403
    );
    let own = export(&lead, "format=csv&authors=include")
        .await
        .text()
        .await
        .unwrap();
    assert!(own.contains(",pair,author\r\n") && own.contains("Helen Marsh"));
    let markdown = export(&peer, "format=md").await.text().await.unwrap();
    assert!(markdown.starts_with("# Eastbrook Borough Council"));
    assert!(markdown.contains("### Key messages"));

    // The host never gets the notes, with or without authors; bad queries are named.
    assert_eq!(export(&host, "format=csv").await.status(), 403);
    assert_eq!(
        export(&host, "format=md&authors=include").await.status(),
        403
    );
    assert_eq!(export(&peer, "format=pdf").await.status(), 422);
    assert_eq!(export(&peer, "authors=maybe").await.status(), 422);
    let anonymous = reqwest::get(app.url(&format!("/api/reviews/{review}/wall/export")))
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    app.stop().await;
}
