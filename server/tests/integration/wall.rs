//! The findings wall over real websockets against the real server and SurrealDB: who may open it,
//! commands and events, idempotent resends, resuming, bad frames, limits, and convergence.

use std::time::Duration;

use app::error::ErrorCode;
use app::wall::protocol::{
    ClientMessage, Command, NoteEdit, NoteFields, OpId, PROTOCOL_VERSION, ServerMessage,
};
use app::wall::triangulation::{Corroboration, Strength};
use app::wall::{Board, HeadingId, MessageId, MessageKind, NoteId, NoteKind};
use futures_util::{SinkExt, StreamExt};
use peerwall_server::demo::{DEMO_PASSWORD, DEMO_PEOPLE};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{self, Message};

use crate::support::{Socket, TestApp, config, folder, json};

const PEER: &str = DEMO_PEOPLE[2].1;
const OTHER_PEER: &str = DEMO_PEOPLE[3].1;
const LEAD: &str = DEMO_PEOPLE[1].1;
const FACILITATOR: &str = DEMO_PEOPLE[0].1;
const HOST: &str = DEMO_PEOPLE[5].1;

/// Opens the wall's socket, or returns the HTTP status that refused it.
async fn open(app: &TestApp, review: &str, cookie: Option<&str>) -> Result<Socket, u16> {
    open_at(app.addr, review, cookie).await
}

async fn open_at(
    addr: std::net::SocketAddr,
    review: &str,
    cookie: Option<&str>,
) -> Result<Socket, u16> {
    crate::support::websocket(addr, &format!("/ws/reviews/{review}/wall"), cookie).await
}

/// A test client: a socket and the board it has built from the server's frames.
pub(crate) struct Client {
    pub(crate) socket: Socket,
    pub(crate) board: Board,
}

pub(crate) fn create(note: NoteId, heading: Option<HeadingId>, text: &str) -> Command {
    Command::CreateNote {
        note,
        heading,
        before: None,
        fields: NoteFields {
            text: text.into(),
            kind: NoteKind::Strength,
            source: "Chief executive interview".into(),
            session: None,
            stakeholder: "Senior officers".into(),
            tags: vec![],
        },
    }
}

pub(crate) fn new_note() -> NoteId {
    NoteId(uuid::Uuid::new_v4())
}

pub(crate) fn new_op() -> OpId {
    OpId(uuid::Uuid::new_v4())
}

impl Client {
    pub(crate) async fn join(
        app: &TestApp,
        review: &str,
        cookie: &str,
        after: Option<u64>,
    ) -> Self {
        Self::join_at(app.addr, review, cookie, after).await
    }

    pub(crate) async fn join_at(
        addr: std::net::SocketAddr,
        review: &str,
        cookie: &str,
        after: Option<u64>,
    ) -> Self {
        let socket = open_at(addr, review, Some(cookie))
            .await
            .expect("the wall opens");
        let mut client = Client {
            socket,
            board: Board::default(),
        };
        client
            .send(&ClientMessage::Hello {
                protocol: PROTOCOL_VERSION,
                after,
            })
            .await;
        client
    }

    pub(crate) async fn send(&mut self, message: &ClientMessage) {
        let text = serde_json::to_string(message).unwrap();
        self.socket.send(Message::Text(text.into())).await.unwrap();
    }

    /// The next frame from the server, applied to this client's board; None when the socket
    /// closes.
    pub(crate) async fn next(&mut self) -> Option<ServerMessage> {
        loop {
            let frame = tokio::time::timeout(Duration::from_secs(10), self.socket.next())
                .await
                .expect("a frame within 10 s");
            let text = match frame {
                Some(Ok(Message::Text(text))) => text,
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                Some(Ok(Message::Close(_)) | Err(_)) | None => return None,
                Some(Ok(other)) => panic!("unexpected frame {other:?}"),
            };
            let message: ServerMessage = serde_json::from_str(&text).unwrap();
            match &message {
                ServerMessage::Welcome {
                    board,
                    events,
                    votes_cast,
                    ..
                } => {
                    if let Some(board) = board {
                        self.board = board.clone();
                    }
                    for event in events {
                        assert_eq!(event.seq, self.board.seq + 1, "replayed in order");
                        self.board.apply(&event.change);
                        self.board.seq = event.seq;
                    }
                    self.board.votes_cast = *votes_cast;
                }
                ServerMessage::Event { event, votes_cast } => {
                    assert_eq!(event.seq, self.board.seq + 1, "events arrive in order");
                    self.board.apply(&event.change);
                    self.board.seq = event.seq;
                    if votes_cast.is_some() {
                        self.board.votes_cast = *votes_cast;
                    }
                }
                _ => {}
            }
            return Some(message);
        }
    }

    /// Whether the server closes the socket within a few frames.
    pub(crate) async fn closes(&mut self) -> bool {
        for _ in 0..5 {
            if self.next().await.is_none() {
                return true;
            }
        }
        false
    }

    /// Joins and reads the welcome.
    pub(crate) async fn open(app: &TestApp, review: &str, cookie: &str) -> Self {
        let mut client = Client::join(app, review, cookie, None).await;
        client.welcome().await;
        client
    }

    /// Reads until the welcome.
    pub(crate) async fn welcome(&mut self) -> ServerMessage {
        loop {
            match self.next().await.expect("a welcome") {
                welcome @ ServerMessage::Welcome { .. } => return welcome,
                ServerMessage::Presence { .. } => {}
                other => panic!("expected a welcome, got {other:?}"),
            }
        }
    }

    /// Sends a command and reads until its answer (Ack or Rejected), applying events meanwhile.
    pub(crate) async fn command(&mut self, op: OpId, command: Command) -> ServerMessage {
        self.send(&ClientMessage::Command { op, command }).await;
        loop {
            match self.next().await.expect("an answer") {
                answer @ (ServerMessage::Ack { op: acked, .. }
                | ServerMessage::Rejected { op: acked, .. })
                    if acked == op =>
                {
                    return answer;
                }
                ServerMessage::Error { error } => panic!("frame error: {error:?}"),
                _ => {}
            }
        }
    }

    /// Reads frames until this client's board has reached `seq`.
    pub(crate) async fn until_seq(&mut self, seq: u64) {
        while self.board.seq < seq {
            self.next().await.expect("more events");
        }
    }
}

/// A board-service actor for a demo person, for tests that drive the hub directly.
async fn actor(
    app: &TestApp,
    email: &str,
    name: &str,
    role: app::membership::Role,
) -> peerwall_server::wall::board::Actor {
    let person = peerwall_server::db::accounts::find_person_by_email(&app.state.db, email)
        .await
        .unwrap()
        .unwrap();
    peerwall_server::wall::board::Actor {
        person: app::accounts::PersonId(person.id),
        name: name.into(),
        pair: Some(1),
        role,
    }
}

/// The demo's first review and its first peer as the board service sees her, for tests that
/// drive a `WallHub` directly.
pub(crate) async fn peer_on_first_review(
    app: &TestApp,
) -> (app::review::ReviewId, peerwall_server::wall::board::Actor) {
    let cookie = app.session_cookie(PEER, DEMO_PASSWORD).await;
    let review = app::review::ReviewId(app.first_review(&cookie).await.parse().unwrap());
    let actor = actor(app, PEER, "Helen Marsh", app::membership::Role::Peer).await;
    (review, actor)
}

pub(crate) fn acked(answer: &ServerMessage) -> u64 {
    match answer {
        ServerMessage::Ack { seq, .. } => *seq,
        other => panic!("expected an ack, got {other:?}"),
    }
}

pub(crate) fn rejected(answer: &ServerMessage) -> ErrorCode {
    match answer {
        ServerMessage::Rejected { error, .. } => error.code,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

#[tokio::test]
async fn only_the_peer_team_opens_the_wall() {
    let app = TestApp::demo().await;
    let peer = app.session_cookie(PEER, DEMO_PASSWORD).await;
    let review = app.first_review(&peer).await;
    assert_eq!(open(&app, &review, None).await.err(), Some(401));
    let host = app.session_cookie(HOST, DEMO_PASSWORD).await;
    assert_eq!(open(&app, &review, Some(&host)).await.err(), Some(403));
    let observer = app.session_cookie(DEMO_PEOPLE[7].1, DEMO_PASSWORD).await;
    assert_eq!(open(&app, &review, Some(&observer)).await.err(), Some(403));
    let unknown = "00000000-0000-0000-0000-000000000000";
    assert_eq!(open(&app, unknown, Some(&peer)).await.err(), Some(404));
    assert_eq!(
        open(&app, "not-a-review", Some(&peer)).await.err(),
        Some(404)
    );

    // A page on another site cannot open it with the peer's cookie.
    let mut request = format!("ws://{}/ws/reviews/{review}/wall", app.addr)
        .into_client_request()
        .unwrap();
    request
        .headers_mut()
        .insert("cookie", peer.parse().unwrap());
    request
        .headers_mut()
        .insert("origin", "https://evil.example".parse().unwrap());
    match tokio_tungstenite::connect_async(request).await {
        Err(tungstenite::Error::Http(response)) => assert_eq!(response.status(), 403),
        other => panic!(
            "a cross-site socket was not refused: {:?}",
            other.map(|_| ())
        ),
    }

    let mut client = Client::join(&app, &review, &peer, None).await;
    let ServerMessage::Welcome {
        board: Some(board),
        name,
        pair,
        ..
    } = client.welcome().await
    else {
        panic!("a first welcome carries the board")
    };
    assert_eq!((name.as_str(), pair), ("Helen Marsh", Some(1)));
    let titles: Vec<&str> = board.live_headings().map(|h| h.title.as_str()).collect();
    assert_eq!(titles.len(), 6, "{titles:?}");
    assert_eq!(titles[0], "Local priorities and outcomes");
    app.stop().await;
}

/// The progress review's wall is the wall: the same socket and rules, on a board whose headings
/// are the recommendations it follows up.
#[tokio::test]
async fn a_progress_review_board_is_the_same_wall_with_the_recommendations_as_headings() {
    let app = TestApp::demo().await;
    let (review, peer, lead) = crate::plan::scheduled_progress_review(&app).await;
    let review = review.to_string();
    let host = app
        .session_cookie(peerwall_server::demo::PLAN_HOSTS[0].1, DEMO_PASSWORD)
        .await;
    assert_eq!(
        open(&app, &review, Some(&host)).await.err(),
        Some(403),
        "the council never sees notes"
    );
    let mut writer = Client::open(&app, &review, &peer).await;
    let mut reader = Client::open(&app, &review, &lead).await;
    let headings: Vec<(HeadingId, String)> = writer
        .board
        .live_headings()
        .map(|h| (h.id.clone(), h.title.clone()))
        .collect();
    assert_eq!(headings.len(), 4);
    assert!(
        headings[3]
            .1
            .starts_with("4. Give scrutiny a work programme")
    );
    let note = new_note();
    let base = writer.board.seq;
    let command = create(
        note,
        Some(headings[0].0.clone()),
        "The strategy is drafted; savings still unowned.",
    );
    assert_eq!(acked(&writer.command(new_op(), command).await), base + 1);
    reader.until_seq(base + 1).await;
    assert_eq!(
        reader.board.notes[&note].heading.as_ref(),
        Some(&headings[0].0)
    );
    // The same rules: a peer manages no headings; the team lead does.
    let add = Command::AddHeading {
        heading: HeadingId::new(),
        title: "Other findings".into(),
    };
    assert_eq!(
        rejected(&writer.command(new_op(), add.clone()).await),
        ErrorCode::Forbidden
    );
    assert_eq!(acked(&reader.command(new_op(), add).await), base + 2);

    // And its report is the report, drafted in a progress review's shape.
    let body = crate::support::form(&[("review", &review)]);
    let drafted = app
        .post("/api/create_report", body.clone(), Some(&lead))
        .await;
    assert_eq!(drafted.status(), 200, "{}", json(drafted).await);
    let report = json(app.post("/api/get_report", body, Some(&lead)).await).await;
    let headings: Vec<&str> = report["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["kind"] == "heading")
        .map(|b| b["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        &headings[..2],
        &["Introduction", "Approach"],
        "{headings:?}"
    );
    assert!(headings[2].starts_with("1. Agree a medium-term financial strategy"));
    assert!(!headings.contains(&"Key recommendations"));
    app.stop().await;
}

#[tokio::test]
async fn a_note_reaches_every_open_wall_once_and_a_resend_is_applied_once() {
    let app = TestApp::demo().await;
    let peer = app.session_cookie(PEER, DEMO_PASSWORD).await;
    let other = app.session_cookie(OTHER_PEER, DEMO_PASSWORD).await;
    let review = app.first_review(&peer).await;
    let mut writer = Client::open(&app, &review, &peer).await;
    let mut reader = Client::open(&app, &review, &other).await;

    // The demo wall already holds the first day's notes.
    let base = writer.board.seq;
    let notes_before = writer.board.live_note_count();
    assert!(base > 0 && notes_before > 0);
    let heading = writer.board.live_headings().nth(2).unwrap().id.clone();
    let (op, note) = (new_op(), new_note());
    let command = create(
        note,
        Some(heading.clone()),
        "Officers trust the leadership team.",
    );
    let seq = acked(&writer.command(op, command.clone()).await);
    assert_eq!(seq, base + 1);
    reader.until_seq(base + 1).await;
    let seen = &reader.board.notes[&note];
    assert_eq!(seen.text, "Officers trust the leadership team.");
    assert_eq!((seen.pair, seen.author.as_str()), (Some(1), "Helen Marsh"));
    assert_eq!(seen.heading.as_ref(), Some(&heading));

    // The same operation again (a resend after a dropped connection) is acknowledged with the
    // same sequence number and changes nothing.
    assert_eq!(acked(&writer.command(op, command).await), base + 1);
    let second = writer
        .command(new_op(), create(new_note(), None, "Second note"))
        .await;
    assert_eq!(
        acked(&second),
        base + 2,
        "the resend took no sequence number"
    );
    reader.until_seq(base + 2).await;
    // The sender's own event may come just after its ack.
    writer.until_seq(base + 2).await;
    assert_eq!(reader.board.live_note_count(), notes_before + 2);
    assert_eq!(reader.board, writer.board);

    // Stored, with the author as a person.
    let review_id = app::review::ReviewId(review.parse().unwrap());
    let stored = peerwall_server::db::wall::load(&app.state.db, review_id)
        .await
        .unwrap();
    assert_eq!(stored.seq, base + 2);
    assert_eq!(stored.notes[&note].author, "Helen Marsh");
    app.stop().await;
}

#[tokio::test]
async fn a_returning_client_gets_what_it_missed_or_the_whole_board() {
    let app = TestApp::demo().await;
    let peer = app.session_cookie(PEER, DEMO_PASSWORD).await;
    let review = app.first_review(&peer).await;
    let mut writer = Client::open(&app, &review, &peer).await;
    let base = writer.board.seq;
    for n in 0..3 {
        writer
            .command(new_op(), create(new_note(), None, &format!("note {n}")))
            .await;
    }
    // From base + 1: the two events after it, no snapshot.
    let mut resumed = Client::join(&app, &review, &peer, Some(base + 1)).await;
    resumed.board = writer.board.clone();
    resumed.board.seq = base + 1;
    let ServerMessage::Welcome { board, events, .. } = resumed.welcome().await else {
        unreachable!()
    };
    assert!(board.is_none());
    let seqs: Vec<u64> = events.iter().map(|event| event.seq).collect();
    assert_eq!(seqs, [base + 2, base + 3]);
    // Up to date: nothing to replay.
    let mut current = Client::join(&app, &review, &peer, Some(base + 3)).await;
    let ServerMessage::Welcome { board, events, .. } = current.welcome().await else {
        unreachable!()
    };
    assert!(board.is_none() && events.is_empty());
    // From the future (a database that was reset): the whole board.
    let mut confused = Client::join(&app, &review, &peer, Some(base + 999)).await;
    let ServerMessage::Welcome { board, .. } = confused.welcome().await else {
        unreachable!()
    };
    assert_eq!(board.unwrap().seq, base + 3);
    app.stop().await;
}

/// Fuzzing the live socket: random bytes, random text and valid commands with one byte changed,
/// from a seeded generator. Every frame is answered or ignored, never a crash or a close; what
/// the mutations happened to make valid is committed like anything else, and a fresh reader
/// sees exactly the board the fuzzing client built from its events.
#[tokio::test]
async fn random_frames_never_break_the_socket_or_the_board() {
    use rand::{Rng, SeedableRng};
    let app = TestApp::demo().await;
    let peer = app.session_cookie(PEER, DEMO_PASSWORD).await;
    let review = app.first_review(&peer).await;
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x9ee2_7a11);
    for _ in 0..3 {
        let mut client = Client::open(&app, &review, &peer).await;
        // Under the rate limit's burst (60), so every frame reaches the decoder and the board.
        for _ in 0..50 {
            let frame = match rng.random_range(0..3) {
                0 => {
                    let bytes: Vec<u8> = (0..rng.random_range(0..300))
                        .map(|_| rng.random())
                        .collect();
                    Message::Binary(bytes.into())
                }
                1 => {
                    let text: String = (0..rng.random_range(0..300))
                        .map(|_| rng.random_range(' '..='~'))
                        .collect();
                    Message::Text(text.into())
                }
                _ => {
                    let command = create(new_note(), None, "A mutated note.");
                    let mut bytes = serde_json::to_vec(&ClientMessage::Command {
                        op: new_op(),
                        command,
                    })
                    .unwrap();
                    let at = rng.random_range(0..bytes.len());
                    bytes[at] = rng.random_range(b' '..=b'~');
                    Message::Text(String::from_utf8(bytes).unwrap().into())
                }
            };
            client
                .socket
                .send(frame)
                .await
                .expect("the socket stays open");
        }
        // A good command after the noise is acknowledged on the same socket.
        let op = new_op();
        client
            .send(&ClientMessage::Command {
                op,
                command: create(new_note(), None, "After the noise."),
            })
            .await;
        loop {
            match client.next().await.expect("the socket stays open") {
                ServerMessage::Ack { op: acked, seq } if acked == op => {
                    client.until_seq(seq).await;
                    break;
                }
                ServerMessage::Rejected {
                    op: refused, error, ..
                } if refused == op => {
                    panic!("the good command was refused: {error:?}")
                }
                _ => {}
            }
        }
        let reader = Client::open(&app, &review, &peer).await;
        assert_eq!(
            reader.board, client.board,
            "a fresh reader sees the same board"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn bad_frames_get_a_clear_error_and_the_socket_stays_usable() {
    let app = TestApp::demo().await;
    let peer = app.session_cookie(PEER, DEMO_PASSWORD).await;
    let review = app.first_review(&peer).await;

    // Hello comes first.
    let mut rude = Client {
        socket: open(&app, &review, Some(&peer)).await.unwrap(),
        board: Board::default(),
    };
    rude.send(&ClientMessage::Presence { dragging: None }).await;
    match rude.next().await {
        Some(ServerMessage::Error { error }) => assert!(error.message.contains("hello")),
        other => panic!("{other:?}"),
    }
    assert!(rude.next().await.is_none(), "closed after the error");

    let mut client = Client::open(&app, &review, &peer).await;
    let (base, notes_before) = (client.board.seq, client.board.live_note_count());
    let bad_frames = [
        Message::Text("{not json".into()),
        Message::Text(r#"{"type":"command","op":"nope"}"#.into()),
        Message::Binary(vec![0, 1, 2].into()),
        Message::Text(format!("\"{}\"", "x".repeat(20_000)).into()),
    ];
    for frame in bad_frames {
        client.socket.send(frame).await.unwrap();
        loop {
            match client.next().await.expect("an answer") {
                ServerMessage::Error { error } => {
                    assert_eq!(error.code, ErrorCode::Invalid);
                    assert!(error.message.contains("dropped"), "{}", error.message);
                    break;
                }
                ServerMessage::Presence { .. } => {}
                other => panic!("{other:?}"),
            }
        }
    }
    // A command that breaks the rules is rejected, and the socket still works.
    let long = create(new_note(), None, &"x".repeat(501));
    assert_eq!(
        rejected(&client.command(new_op(), long).await),
        ErrorCode::Invalid
    );
    let good = create(new_note(), None, "Still here.");
    assert_eq!(acked(&client.command(new_op(), good).await), base + 1);

    // A frame beyond the hard limit closes the socket cleanly.
    client
        .socket
        .send(Message::Text("x".repeat(100_000).into()))
        .await
        .unwrap();
    assert!(client.closes().await);
    // Nothing was lost: the note is there for the next socket.
    let again = Client::open(&app, &review, &peer).await;
    assert_eq!(again.board.live_note_count(), notes_before + 1);
    app.stop().await;
}

#[tokio::test]
async fn roles_are_checked_on_every_message() {
    let app = TestApp::demo().await;
    let peer = app.session_cookie(PEER, DEMO_PASSWORD).await;
    let lead = app.session_cookie(LEAD, DEMO_PASSWORD).await;
    let facilitator = app.session_cookie(FACILITATOR, DEMO_PASSWORD).await;
    let review = app.first_review(&peer).await;
    let mut peer_wall = Client::open(&app, &review, &peer).await;
    let mut lead_wall = Client::open(&app, &review, &lead).await;

    let add = |title: &str| Command::AddHeading {
        heading: HeadingId::new(),
        title: title.into(),
    };
    assert_eq!(
        rejected(&peer_wall.command(new_op(), add("Housing")).await),
        ErrorCode::Forbidden
    );
    let base = lead_wall.board.seq;
    assert_eq!(
        acked(&lead_wall.command(new_op(), add("Housing")).await),
        base + 1
    );

    // The facilitator takes the peer off the review: their open socket is refused and closed.
    let overview = json(
        app.post(
            "/api/get_review",
            crate::support::form(&[("review", &review)]),
            Some(&facilitator),
        )
        .await,
    )
    .await;
    let helen = overview["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "Helen Marsh")
        .unwrap()["person"]
        .as_str()
        .unwrap()
        .to_string();
    let removed = app
        .post(
            "/api/remove_member",
            crate::support::form(&[("review", &review), ("person", &helen)]),
            Some(&facilitator),
        )
        .await;
    assert_eq!(removed.status(), 200);
    // Told at once, without sending anything: an error frame saying why, then the close.
    loop {
        match peer_wall.next().await {
            Some(ServerMessage::Error { error }) => {
                assert_eq!(error.code, ErrorCode::NotFound);
                break;
            }
            // What was sent before the removal.
            Some(ServerMessage::Presence { .. } | ServerMessage::Event { .. }) => {}
            other => panic!("expected the reason, got {other:?}"),
        }
    }
    assert!(
        peer_wall.closes().await,
        "the removed member's socket closes"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_burst_beyond_the_rate_limit_is_refused_not_lost() {
    let app = TestApp::demo().await;
    let peer = app.session_cookie(PEER, DEMO_PASSWORD).await;
    let other = app.session_cookie(OTHER_PEER, DEMO_PASSWORD).await;
    let review = app.first_review(&peer).await;
    let mut flooder = Client::open(&app, &review, &peer).await;
    let mut bystander = Client::open(&app, &review, &other).await;
    let (base, notes_before) = (bystander.board.seq, bystander.board.live_note_count());
    let ops: Vec<OpId> = (0..250).map(|_| new_op()).collect();
    for op in &ops {
        let command = create(new_note(), None, "Flood");
        flooder
            .send(&ClientMessage::Command { op: *op, command })
            .await;
    }
    let (mut acks, mut limited) = (0, 0);
    while acks + limited < ops.len() {
        match flooder.next().await.expect("answers") {
            ServerMessage::Ack { .. } => acks += 1,
            ServerMessage::Rejected { error, .. } => {
                assert_eq!(error.code, ErrorCode::RateLimited);
                limited += 1;
            }
            _ => {}
        }
    }
    assert!(limited > 0, "a burst of 250 was not limited");
    assert!(acks >= 100, "the burst allowance was not honoured: {acks}");
    // The bystander sees every accepted note and is not limited.
    bystander.until_seq(base + acks as u64).await;
    assert_eq!(bystander.board.live_note_count(), notes_before + acks);
    let note = create(new_note(), None, "Bystander");
    assert!(matches!(
        bystander.command(new_op(), note).await,
        ServerMessage::Ack { .. }
    ));
    app.stop().await;
}

#[tokio::test]
async fn a_text_edit_made_on_an_old_version_comes_back_as_a_conflict() {
    let app = TestApp::demo().await;
    let peer = app.session_cookie(PEER, DEMO_PASSWORD).await;
    let other = app.session_cookie(OTHER_PEER, DEMO_PASSWORD).await;
    let review = app.first_review(&peer).await;
    let mut one = Client::open(&app, &review, &peer).await;
    let mut two = Client::open(&app, &review, &other).await;
    let note = new_note();
    one.command(new_op(), create(note, None, "Original")).await;
    let edit = |text: &str| Command::EditNote {
        note,
        base_version: 1,
        edit: NoteEdit {
            text: Some(text.into()),
            ..NoteEdit::default()
        },
    };
    acked(&one.command(new_op(), edit("One's words")).await);
    match two.command(new_op(), edit("Two's words")).await {
        ServerMessage::Rejected { error, current, .. } => {
            assert_eq!(error.code, ErrorCode::Conflict);
            assert_eq!(current.unwrap().text, "One's words");
        }
        other => panic!("{other:?}"),
    }
    app.stop().await;
}

#[tokio::test]
async fn notes_survive_a_restart_on_the_same_data_folder() {
    let data = tempfile::tempdir().unwrap();
    let db = folder(data.path());
    let app = TestApp::start(config(&db, &["--demo"])).await;
    let peer = app.session_cookie(PEER, DEMO_PASSWORD).await;
    let review = app.first_review(&peer).await;
    let mut client = Client::open(&app, &review, &peer).await;
    let note = new_note();
    let seq = acked(
        &client
            .command(new_op(), create(note, None, "Durable"))
            .await,
    );
    drop(client);
    app.stop().await;

    let app = TestApp::start(config(&db, &["--demo"])).await;
    let peer = app.session_cookie(PEER, DEMO_PASSWORD).await;
    let mut client = Client::open(&app, &review, &peer).await;
    assert_eq!(client.board.notes[&note].text, "Durable");
    assert_eq!(client.board.seq, seq);
    let next = client
        .command(new_op(), create(new_note(), None, "After restart"))
        .await;
    assert_eq!(acked(&next), seq + 1, "sequence numbers carry on");
    app.stop().await;
}

/// Several clients send random creates, moves and edits, dropping their connections at random
/// and resending what was not acknowledged; afterwards every client's board equals the stored
/// one, and every acknowledged note exists.
#[tokio::test]
async fn random_concurrent_work_with_dropped_connections_converges() {
    let app = TestApp::demo().await;
    let review = {
        let cookie = app.session_cookie(PEER, DEMO_PASSWORD).await;
        app.first_review(&cookie).await
    };
    // Six reviewers (two of them in two windows each), 350 operations each: 2,100 in all.
    let people = [PEER, OTHER_PEER, DEMO_PEOPLE[4].1, LEAD, PEER, FACILITATOR];
    let mut tasks = Vec::new();
    for (index, email) in people.into_iter().enumerate() {
        let cookie = app.session_cookie(email, DEMO_PASSWORD).await;
        let addr = app.addr;
        let review = review.clone();
        tasks.push(tokio::spawn(async move {
            simulate(addr, &review, &cookie, index as u64 + 1, 350).await
        }));
    }
    let mut acked_notes = Vec::new();
    let mut boards = Vec::new();
    for task in tasks {
        let (created, board) = task.await.unwrap();
        acked_notes.extend(created);
        boards.push(board);
    }
    let stored = peerwall_server::db::wall::load(
        &app.state.db,
        app::review::ReviewId(review.parse().unwrap()),
    )
    .await
    .unwrap();
    for note in &acked_notes {
        assert!(
            stored.notes.contains_key(note),
            "acknowledged note {note} lost"
        );
    }
    // A fresh client and every stored row agree (the votes not yet revealed: only its own).
    let cookie = app.session_cookie(PEER, DEMO_PASSWORD).await;
    let fresh = Client::open(&app, &review, &cookie).await;
    let peer = peerwall_server::db::accounts::find_person_by_email(&app.state.db, PEER)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        fresh.board,
        stored.as_seen_by(app::accounts::PersonId(peer.id))
    );
    // Every simulated client, resuming from where it stopped, reaches the same board (each
    // held its own person's votes, and resumes as the peer: the votes are left out here).
    for (index, board) in boards.into_iter().enumerate() {
        let mut resumed = Client::join(&app, &review, &cookie, Some(board.seq)).await;
        resumed.board = board;
        resumed.welcome().await;
        resumed.until_seq(stored.seq).await;
        assert_eq!(
            without_votes(&resumed.board),
            without_votes(&stored),
            "client {index} diverged"
        );
    }
    // Each order key in a column is distinct, so every client orders the same way.
    for heading in std::iter::once(None).chain(stored.live_headings().map(|h| Some(&h.id))) {
        let column = stored.notes_in(heading);
        assert!(column.windows(2).all(|pair| pair[0].order < pair[1].order));
    }
    app.stop().await;
}

/// The board with nobody's votes on it.
fn without_votes(board: &Board) -> Board {
    let mut board = board.clone();
    board.votes_cast = None;
    for message in board.messages.values_mut() {
        message.votes.clear();
    }
    board
}

/// One simulated reviewer; returns the notes the server acknowledged creating.
async fn simulate(
    addr: std::net::SocketAddr,
    review: &str,
    cookie: &str,
    seed: u64,
    operations: usize,
) -> (Vec<NoteId>, Board) {
    let mut random = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mut next = move |bound: usize| {
        random ^= random << 13;
        random ^= random >> 7;
        random ^= random << 17;
        (random % bound as u64) as usize
    };
    let connect = |after: Option<u64>| Client::join_at(addr, review, cookie, after);
    let mut client = connect(None).await;
    client.welcome().await;
    let mut created = Vec::new();
    let mut done = 0;
    while done < operations {
        let board = &client.board;
        let notes: Vec<NoteId> = board
            .notes
            .values()
            .filter(|note| !note.deleted)
            .map(|note| note.id)
            .collect();
        let headings: Vec<Option<HeadingId>> = std::iter::once(None)
            .chain(board.live_headings().map(|h| Some(h.id.clone())))
            .collect();
        let messages: Vec<MessageId> = board
            .messages
            .values()
            .filter(|message| !message.deleted)
            .map(|message| message.id)
            .collect();
        let live_headings: Vec<HeadingId> = board.live_headings().map(|h| h.id.clone()).collect();
        let roll = next(100);
        let command = if roll < 45 || notes.is_empty() {
            let note = new_note();
            created.push(note);
            create(
                note,
                headings[next(headings.len())].clone(),
                &format!("note {seed}-{done}"),
            )
        } else if (72..82).contains(&roll) {
            let note = notes[next(notes.len())];
            Command::EditNote {
                note,
                base_version: board.notes[&note].version,
                edit: NoteEdit {
                    kind: Some(NoteKind::ALL[next(5)]),
                    ..NoteEdit::default()
                },
            }
        } else if roll >= 82 && (roll < 88 || messages.is_empty()) && !live_headings.is_empty() {
            Command::AddMessage {
                message: MessageId(uuid::Uuid::new_v4()),
                heading: live_headings[next(live_headings.len())].clone(),
                before: None,
                text: format!("message {seed}-{done}"),
                kind: MessageKind::ALL[next(4)],
            }
        } else if (88..95).contains(&roll) && !messages.is_empty() {
            Command::AddEvidence {
                message: messages[next(messages.len())],
                note: notes[next(notes.len())],
            }
        } else if roll >= 95 && !messages.is_empty() {
            let message = messages[next(messages.len())];
            if next(3) == 0 {
                Command::Unvote { message }
            } else {
                Command::Vote { message }
            }
        } else {
            let heading = headings[next(headings.len())].clone();
            let column = board.notes_in(heading.as_ref());
            let before =
                (!column.is_empty() && next(2) == 0).then(|| column[next(column.len())].id);
            Command::MoveNote {
                note: notes[next(notes.len())],
                heading,
                before,
            }
        };
        let op = new_op();
        // Sometimes the connection drops right after sending; the command is resent on a new
        // socket that resumes from the last event this client applied.
        let drop_now = next(20) == 0;
        client
            .send(&ClientMessage::Command {
                op,
                command: command.clone(),
            })
            .await;
        if drop_now {
            let board = client.board.clone();
            drop(client);
            client = connect(Some(board.seq)).await;
            client.board = board;
            client.welcome().await;
        }
        loop {
            let answer = if drop_now {
                client.command(op, command.clone()).await
            } else {
                loop {
                    match client.next().await.expect("an answer") {
                        answer @ (ServerMessage::Ack { op: a, .. }
                        | ServerMessage::Rejected { op: a, .. })
                            if a == op =>
                        {
                            break answer;
                        }
                        _ => {}
                    }
                }
            };
            match answer {
                ServerMessage::Rejected { error, .. } if error.code == ErrorCode::RateLimited => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    client
                        .send(&ClientMessage::Command {
                            op,
                            command: command.clone(),
                        })
                        .await;
                }
                // A note another client deleted or moved meanwhile: a fair refusal.
                _ => break,
            }
        }
        done += 1;
    }
    (created, client.board.clone())
}

/// Two nodes on one database: a board task on each. What one commits reaches the other's
/// subscribers through the LIVE query (or the head check), and both converge when they race
/// for the same sequence numbers.
#[tokio::test]
async fn two_nodes_on_one_database_share_a_board() {
    use peerwall_server::wall::hub::WallHub;

    let _ = tracing_subscriber::fmt().with_test_writer().try_init();
    let app = TestApp::demo().await;
    let db = app.state.db.clone();
    let (review, actor) = peer_on_first_review(&app).await;
    // No periodic head check: whatever node two learns without writing itself comes through
    // the LIVE query.
    let hub = || {
        WallHub::with_timing(
            db.clone(),
            Duration::from_secs(120),
            Duration::from_secs(3600),
        )
    };
    let (one, two) = (hub(), hub());
    one.start_following();
    two.start_following();
    let mut on_one = one
        .join(review, one.connection_id(), actor.clone(), None)
        .await
        .unwrap();
    let mut on_two = two
        .join(review, two.connection_id(), actor.clone(), None)
        .await
        .unwrap();
    let ServerMessage::Welcome {
        board: Some(start), ..
    } = on_two.welcome
    else {
        panic!("a snapshot")
    };

    // A write on node one reaches node two's subscriber by the LIVE query.
    let first = one
        .command(
            review,
            actor.clone(),
            new_op(),
            create(new_note(), None, "Via the live query"),
        )
        .await;
    assert_eq!(acked(&first), start.seq + 1);
    let frame = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let frame = on_two.frames.recv().await.unwrap();
            if frame.contains("Via the live query") {
                return frame;
            }
        }
    })
    .await
    .expect("node two hears of node one's note");
    let ServerMessage::Event { event, .. } = serde_json::from_str(&frame).unwrap() else {
        panic!("{}", &**frame)
    };
    assert_eq!(event.seq, start.seq + 1);
    let mut start = start;
    start.apply(&event.change);
    start.seq = event.seq;
    // Node one's own subscriber had it too.
    while !on_one
        .frames
        .recv()
        .await
        .unwrap()
        .contains("Via the live query")
    {}

    // Both nodes write at once: every write is acknowledged with a distinct sequence number.
    let mut writes = Vec::new();
    for n in 0..20 {
        let hub = if n % 2 == 0 { one.clone() } else { two.clone() };
        let actor = actor.clone();
        writes.push(tokio::spawn(async move {
            hub.command(
                review,
                actor,
                new_op(),
                create(new_note(), None, &format!("node note {n}")),
            )
            .await
        }));
    }
    let mut seqs = Vec::new();
    for write in writes {
        seqs.push(acked(&write.await.unwrap()));
    }
    seqs.sort();
    let expected: Vec<u64> = (start.seq + 1..=start.seq + 20).collect();
    assert_eq!(
        seqs, expected,
        "no sequence number taken twice, none skipped"
    );

    // Each node's subscribers see all twenty events, in order.
    for frames in [&mut on_one.frames, &mut on_two.frames] {
        let mut board = start.clone();
        while board.seq < start.seq + 20 {
            let frame = tokio::time::timeout(Duration::from_secs(10), frames.recv())
                .await
                .expect("events from the other node within 10 s")
                .unwrap();
            if let ServerMessage::Event { event, .. } = serde_json::from_str(&frame).unwrap() {
                assert_eq!(event.seq, board.seq + 1);
                board.apply(&event.change);
                board.seq = event.seq;
            }
        }
        assert_eq!(board.live_note_count(), start.live_note_count() + 20);
    }
    one.stop_following().await;
    two.stop_following().await;
    app.stop().await;
}

/// The wall's page renders on the server for the peer team (the board itself arrives over the
/// socket) and tells host roles it is not theirs. Run on worker threads with the binary's stack
/// size: a debug build's page render needs more than tokio's default 2 MiB.
#[test]
fn the_wall_page_renders_on_the_server_for_the_team_only() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(16 * 1024 * 1024)
        .build()
        .unwrap();
    runtime.block_on(async {
        let app = TestApp::demo().await;
        let peer = app.session_cookie(PEER, DEMO_PASSWORD).await;
        let review = app.first_review(&peer).await;
        let page = tokio::spawn({
            let http = app.http.clone();
            let url = app.url(&format!("/reviews/{review}/wall"));
            let peer = peer.clone();
            async move {
                http.get(url)
                    .header("cookie", peer)
                    .send()
                    .await
                    .unwrap()
                    .text()
                    .await
                    .unwrap()
            }
        })
        .await
        .unwrap();
        assert!(page.contains("Findings wall"), "{page}");
        assert!(page.contains("Opening the wall"));
        // The browser builds the wall into the placeholder rather than hydrating one the server
        // rendered, so none of the wall's hydration code is in the first route's wasm.
        assert!(page.contains("wall-mount"), "{page}");
        assert!(!page.contains("wall-header"), "{page}");
        let host = app.session_cookie(HOST, DEMO_PASSWORD).await;
        let page = app.get_as(&format!("/reviews/{review}/wall"), &host).await;
        assert!(
            page.contains("The findings wall is not available"),
            "{page}"
        );
        assert!(!page.contains("Opening the wall"));
        app.stop().await;
    });
}

/// Every command, through the board service into SurrealDB and back: after each one, the board
/// read fresh from the database equals the board the service holds in memory.
#[tokio::test]
async fn every_command_is_stored_as_the_board_shows_it() {
    use peerwall_server::wall::hub::WallHub;

    let app = TestApp::demo().await;
    let db = app.state.db.clone();
    let cookie = app.session_cookie(LEAD, DEMO_PASSWORD).await;
    let review = app::review::ReviewId(app.first_review(&cookie).await.parse().unwrap());
    let actor = actor(&app, LEAD, "Tom Okafor", app::membership::Role::TeamLead).await;
    let hub = WallHub::new(db.clone());
    let mut joined = hub
        .join(review, hub.connection_id(), actor.clone(), None)
        .await
        .unwrap();
    let ServerMessage::Welcome {
        board: Some(mut board),
        ..
    } = joined.welcome
    else {
        panic!("a snapshot")
    };
    let first_heading = board.live_headings().next().unwrap().id.clone();
    let (note, other, heading) = (new_note(), new_note(), HeadingId::new());
    let message = MessageId(uuid::Uuid::new_v4());
    let commands = vec![
        create(note, Some(first_heading.clone()), "First"),
        create(other, Some(first_heading.clone()), "Second"),
        Command::MoveNote {
            note: other,
            heading: Some(first_heading.clone()),
            before: Some(note),
        },
        Command::EditNote {
            note,
            base_version: 1,
            edit: NoteEdit {
                text: Some("First, reworded".into()),
                kind: Some(NoteKind::NotablePractice),
                source: Some("Leader interview".into()),
                stakeholder: Some("Councillors".into()),
                tags: Some(vec!["culture".into()]),
            },
        },
        Command::DeleteNote { note: other },
        Command::RestoreNote { note: other },
        Command::AddHeading {
            heading: heading.clone(),
            title: "Climate".into(),
        },
        Command::RenameHeading {
            heading: heading.clone(),
            title: "Climate and nature".into(),
        },
        Command::MoveHeading {
            heading: heading.clone(),
            index: 0,
        },
        Command::MoveNote {
            note,
            heading: Some(heading.clone()),
            before: None,
        },
        Command::AddMessage {
            message,
            heading: first_heading.clone(),
            before: None,
            text: "Priorities are evidence-led.".into(),
            kind: MessageKind::Strength,
        },
        Command::AddEvidence { message, note },
        Command::AddEvidence {
            message,
            note: other,
        },
        Command::RemoveEvidence {
            message,
            note: other,
        },
        Command::EditMessage {
            message,
            text: Some("Priorities are set from residents' views.".into()),
            kind: Some(MessageKind::NotablePractice),
        },
        Command::SetVoting {
            votes_per_person: 4,
            revealed: true,
        },
        Command::Vote { message },
        Command::LockWall { locked: true },
        Command::MoveMessage {
            message,
            heading: heading.clone(),
            before: None,
        },
        Command::LockWall { locked: false },
        Command::DeleteMessage { message },
        Command::ArchiveHeading {
            heading: first_heading.clone(),
        },
        Command::ArchiveHeading {
            heading: heading.clone(),
        },
    ];
    for command in commands {
        let answer = hub
            .command(review, actor.clone(), new_op(), command.clone())
            .await;
        let seq = acked(&answer);
        while board.seq < seq {
            let frame = joined.frames.recv().await.unwrap();
            let text = frame.for_person(actor.person);
            if let ServerMessage::Event { event, votes_cast } = serde_json::from_str(&text).unwrap()
            {
                board.apply(&event.change);
                board.seq = event.seq;
                if votes_cast.is_some() {
                    board.votes_cast = votes_cast;
                }
            }
        }
        let stored = peerwall_server::db::wall::load(&db, review).await.unwrap();
        // Votes are revealed before anyone votes here, so the board as this actor sees it is
        // the stored one but for the total cast, which it was told while they were hidden.
        board.votes_cast = stored.as_seen_by(actor.person).votes_cast;
        assert_eq!(stored.as_seen_by(actor.person), board, "after {command:?}");
    }
    // What the commands came to.
    let stored_message = &board.messages[&message];
    assert_eq!(
        stored_message.text,
        "Priorities are set from residents' views."
    );
    assert_eq!(stored_message.evidence, [note]);
    assert_eq!(
        (stored_message.vote_total(), stored_message.deleted),
        (1, true)
    );
    assert_eq!(stored_message.heading, heading);
    assert_eq!(board.settings.votes_per_person, 4);
    assert!(!board.settings.locked);
    assert_eq!(board.notes[&note].text, "First, reworded");
    assert_eq!(board.notes[&note].tags, ["culture"]);
    assert!(!board.notes[&other].deleted);
    // Both headings archived: their notes are in Unsorted, none lost.
    assert_eq!(board.notes[&note].heading, None);
    assert_eq!(board.notes[&other].heading, None);
    assert_eq!(
        board.live_headings().next().unwrap().title,
        "Organisational and place leadership"
    );
    assert!(
        board
            .headings
            .iter()
            .any(|h| h.title == "Climate and nature" && h.archived)
    );
    app.stop().await;
}

/// A board's task ends once nobody has been on the wall for the idle time, and the next
/// request starts it again from the database.
#[tokio::test]
async fn a_board_task_ends_when_idle_and_starts_again_when_needed() {
    use peerwall_server::wall::hub::WallHub;

    let app = TestApp::demo().await;
    let (review, actor) = peer_on_first_review(&app).await;
    let hub = WallHub::with_timing(
        app.state.db.clone(),
        Duration::from_millis(100),
        Duration::from_millis(50),
    );
    let connection = hub.connection_id();
    hub.join(review, connection, actor.clone(), None)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(hub.running_boards(), 1, "kept while someone is on the wall");
    hub.leave(review, connection).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while hub.running_boards() > 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the idle task did not end"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let answer = hub
        .command(
            review,
            actor,
            new_op(),
            create(new_note(), None, "After a rest"),
        )
        .await;
    acked(&answer);
    assert_eq!(hub.running_boards(), 1);
    app.stop().await;
}

/// A board task keeps only its latest operation ids in memory; a resend of an older one is
/// still acknowledged as what it became, never applied twice, also after a restart.
#[tokio::test]
async fn a_resend_older_than_the_remembered_operations_is_applied_once() {
    use peerwall_server::wall::hub::WallHub;

    let app = TestApp::demo().await;
    let (review, actor) = peer_on_first_review(&app).await;
    let hub = || {
        WallHub::with_timing(
            app.state.db.clone(),
            Duration::from_secs(120),
            Duration::from_secs(3600),
        )
        .remembering_ops(2)
    };
    // Sends a command through a hub and expects it acknowledged, with this sequence number.
    let ack = async |hub: &WallHub, op: OpId, command: Command| {
        acked(&hub.command(review, actor.clone(), op, command).await)
    };
    let first = hub();
    let board = peerwall_server::db::wall::load(&app.state.db, review)
        .await
        .unwrap();
    let heading = board.live_headings().nth(1).unwrap().id.clone();

    let (create_op, note) = (new_op(), new_note());
    let created = create(note, None, "Said once, sent twice");
    let created_seq = ack(&first, create_op, created.clone()).await;
    let move_op = new_op();
    let moved = Command::MoveNote {
        note,
        heading: Some(heading.clone()),
        before: None,
    };
    let moved_seq = ack(&first, move_op, moved.clone()).await;
    // Three more operations push both out of the task's memory.
    let mut later = Vec::new();
    for text in ["one", "two", "three"] {
        let op = new_op();
        later.push((op, ack(&first, op, create(new_note(), None, text)).await));
    }
    let head = moved_seq + 3;

    // The create comes back: the note exists, so the rules refuse it, and the log says it was
    // applied as `created_seq`.
    assert_eq!(ack(&first, create_op, created.clone()).await, created_seq);
    // The move comes back after the note went elsewhere: the rules would apply it again, and
    // the log's unique index turns it away.
    let elsewhere = Command::MoveNote {
        note,
        heading: None,
        before: None,
    };
    let elsewhere_op = new_op();
    ack(&first, elsewhere_op, elsewhere).await;
    assert_eq!(ack(&first, move_op, moved.clone()).await, moved_seq);
    // What a starting task reads to remember: the latest operations, newest first.
    assert_eq!(
        peerwall_server::db::wall::latest_ops(&app.state.db, review, 2)
            .await
            .unwrap(),
        vec![(elsewhere_op, head + 1), later[2]]
    );
    let stored = peerwall_server::db::wall::load(&app.state.db, review)
        .await
        .unwrap();
    assert_eq!(stored.seq, head + 1, "a resend took a sequence number");
    assert_eq!(
        stored.notes[&note].heading, None,
        "the old move was applied again"
    );
    assert_eq!(
        stored
            .notes
            .values()
            .filter(|n| n.text == "Said once, sent twice")
            .count(),
        1
    );

    // A fresh task (another node, or after a restart) answers the same way.
    let second = hub();
    assert_eq!(ack(&second, move_op, moved).await, moved_seq);
    assert_eq!(ack(&second, create_op, created).await, created_seq);
    // A new operation the rules refuse is still refused.
    let same_id = create(note, None, "Another note with the same id");
    let refused = second
        .command(review, actor.clone(), new_op(), same_id)
        .await;
    assert_eq!(rejected(&refused), ErrorCode::Invalid);
    app.stop().await;
}

/// Key messages on the live wall: one reviewer groups notes under a message and another sees
/// the strength change; votes are limited per person; a locked wall refuses everyone but its
/// leads; and it all comes back from the database as the clients see it.
#[tokio::test]
async fn triangulation_is_shared_live_limited_and_stored() {
    let app = TestApp::demo().await;
    let peer = app.session_cookie(PEER, DEMO_PASSWORD).await;
    let other = app.session_cookie(OTHER_PEER, DEMO_PASSWORD).await;
    let lead = app.session_cookie(LEAD, DEMO_PASSWORD).await;
    let facilitator = app.session_cookie(FACILITATOR, DEMO_PASSWORD).await;
    let review = app.first_review(&peer).await;
    let mut writer = Client::open(&app, &review, &peer).await;
    let mut reader = Client::open(&app, &review, &other).await;
    let mut leader = Client::open(&app, &review, &lead).await;
    let mut chair = Client::open(&app, &review, &facilitator).await;

    let heading = writer.board.live_headings().nth(3).unwrap().id.clone();
    let message = MessageId(uuid::Uuid::new_v4());
    let add = Command::AddMessage {
        message,
        heading: heading.clone(),
        before: None,
        text: "Scrutiny has little influence on decisions.".into(),
        kind: MessageKind::AreaForImprovement,
    };
    acked(&writer.command(new_op(), add).await);
    // Three notes from two sessions and two groups.
    let notes = [
        (
            "Scrutiny chairs say reports arrive too late.",
            "Scrutiny chairs interview",
            "Councillors",
        ),
        (
            "Chairs have asked for a forward plan twice.",
            "Scrutiny chairs interview",
            "Councillors",
        ),
        (
            "Officers see scrutiny as a box to tick.",
            "Senior managers focus group",
            "Officers",
        ),
    ];
    let mut ids = Vec::new();
    for (text, source, stakeholder) in notes {
        let id = new_note();
        let command = Command::CreateNote {
            note: id,
            heading: Some(heading.clone()),
            before: None,
            fields: NoteFields {
                text: text.into(),
                kind: NoteKind::AreaForImprovement,
                source: source.into(),
                session: None,
                stakeholder: stakeholder.into(),
                tags: vec![],
            },
        };
        acked(&writer.command(new_op(), command).await);
        ids.push(id);
    }
    let strength_seen_by =
        |client: &Client| Strength::of(&client.board, &client.board.messages[&message]);
    for (count, note) in ids.iter().enumerate() {
        let seq = acked(
            &writer
                .command(
                    new_op(),
                    Command::AddEvidence {
                        message,
                        note: *note,
                    },
                )
                .await,
        );
        reader.until_seq(seq).await;
        let strength = strength_seen_by(&reader);
        assert_eq!(strength.notes, count + 1);
        let expected = if count < 2 {
            Corroboration::SingleSource
        } else {
            Corroboration::Corroborated
        };
        assert_eq!(
            strength.corroboration(),
            expected,
            "after {} notes",
            count + 1
        );
    }
    assert_eq!(
        strength_seen_by(&reader),
        Strength {
            notes: 3,
            sources: 2,
            stakeholders: 2,
            pairs: 1
        }
    );
    // The same note twice is refused; so is an unknown message.
    let twice = Command::AddEvidence {
        message,
        note: ids[0],
    };
    assert_eq!(
        rejected(&writer.command(new_op(), twice).await),
        ErrorCode::Invalid
    );
    let unknown = Command::Vote {
        message: MessageId(uuid::Uuid::new_v4()),
    };
    assert_eq!(
        rejected(&writer.command(new_op(), unknown).await),
        ErrorCode::NotFound
    );

    // Votes: the lead gives everyone one; a peer cannot change that, nor vote twice.
    let voting = Command::SetVoting {
        votes_per_person: 1,
        revealed: false,
    };
    assert_eq!(
        rejected(&writer.command(new_op(), voting.clone()).await),
        ErrorCode::Forbidden
    );
    acked(&leader.command(new_op(), voting).await);
    acked(&writer.command(new_op(), Command::Vote { message }).await);
    let again = writer.command(new_op(), Command::Vote { message }).await;
    assert_eq!(rejected(&again), ErrorCode::Invalid);
    let seq = acked(&reader.command(new_op(), Command::Vote { message }).await);
    writer.until_seq(seq).await;
    // Until the reveal, the writer holds only their own vote, and the total cast.
    assert_eq!(writer.board.messages[&message].vote_total(), 1);
    assert_eq!(writer.board.votes_cast, Some(2));

    // The facilitator locks the wall: peers are refused, the lead is not.
    acked(
        &chair
            .command(new_op(), Command::LockWall { locked: true })
            .await,
    );
    let refused = writer
        .command(new_op(), create(new_note(), None, "While locked"))
        .await;
    assert_eq!(rejected(&refused), ErrorCode::Forbidden);
    let lead_edit = Command::EditMessage {
        message,
        text: Some("Scrutiny rarely shapes decisions before they are made.".into()),
        kind: None,
    };
    acked(&leader.command(new_op(), lead_edit).await);
    let seq = acked(
        &chair
            .command(new_op(), Command::LockWall { locked: false })
            .await,
    );

    // Everyone converged, and the database holds the same board.
    for client in [&mut writer, &mut reader, &mut leader, &mut chair] {
        client.until_seq(seq).await;
    }
    let review_id = app::review::ReviewId(review.parse().unwrap());
    let stored = peerwall_server::db::wall::load(&app.state.db, review_id)
        .await
        .unwrap();
    for client in [&writer, &reader, &leader, &chair] {
        assert_eq!(without_votes(&client.board), without_votes(&stored));
        assert_eq!(client.board.votes_cast(), stored.votes_cast());
    }
    assert_eq!(
        stored.messages[&message].text,
        "Scrutiny rarely shapes decisions before they are made."
    );
    app.stop().await;
}

/// The wall's first frame must be a hello: anything else (a command, a ping) gets a clear error
/// and the socket is closed as a protocol error, and nothing of the wall is sent.
#[tokio::test]
async fn a_wall_socket_whose_first_frame_is_not_hello_is_told_and_closed() {
    let app = TestApp::demo().await;
    let cookie = app.session_cookie(DEMO_PEOPLE[2].1, DEMO_PASSWORD).await;
    let review = app.first_review(&cookie).await;
    let presence = Message::Text(
        serde_json::to_string(&ClientMessage::Presence { dragging: None })
            .unwrap()
            .into(),
    );
    for first in [presence, Message::Ping(vec![1].into())] {
        let mut socket = open(&app, &review, Some(&cookie)).await.unwrap();
        socket.send(first).await.unwrap();
        let mut said = None;
        let mut closed = None;
        while let Ok(Some(frame)) =
            tokio::time::timeout(Duration::from_secs(5), socket.next()).await
        {
            match frame {
                Ok(Message::Text(text)) => {
                    match serde_json::from_str::<ServerMessage>(&text).unwrap() {
                        ServerMessage::Error { error } => said = Some(error),
                        other => panic!("the wall sent {other:?} before a hello"),
                    }
                }
                Ok(Message::Close(frame)) => {
                    closed = frame.map(|frame| u16::from(frame.code));
                    break;
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
        let said = said.expect("an error frame");
        assert_eq!(said.code, ErrorCode::Invalid);
        assert!(said.message.contains("must be hello"), "{}", said.message);
        assert_eq!(closed, Some(1002), "closed as a protocol error");
    }
    app.stop().await;
}
