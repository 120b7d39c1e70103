//! The timetable over the real server and SurrealDB: made by the council's contact and the
//! facilitator, live on every open timetable, refused when stale, outside the visit unconfirmed,
//! or from another review; exported to calendars that move a changed meeting (same UID, higher
//! SEQUENCE) and cancel a dropped one; notes tied to its sessions and counted per session.

use std::time::Duration;

use app::visit::TimetableView;
use app::visit::protocol::TimetableServerMessage;
use app::wall::protocol::{Command, NoteFields, OpId};
use futures_util::StreamExt;
use icalendar::{Calendar, CalendarComponent, Component};
use peerwall_server::demo::{DEMO_PASSWORD, DEMO_PEOPLE};
use tokio_tungstenite::tungstenite::Message;

use crate::support::{Socket, TestApp, form, json};

const FACILITATOR: &str = DEMO_PEOPLE[0].1;
const PEER: &str = DEMO_PEOPLE[2].1;
const HOST: &str = DEMO_PEOPLE[5].1;
const READER: &str = DEMO_PEOPLE[6].1;

async fn next_view(socket: &mut Socket) -> TimetableView {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("a frame within 10 s");
        match frame {
            Some(Ok(Message::Text(text))) => {
                match serde_json::from_str::<TimetableServerMessage>(&text).unwrap() {
                    TimetableServerMessage::Timetable { timetable } => return timetable,
                    TimetableServerMessage::Error { error } => panic!("{error:?}"),
                }
            }
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
            other => panic!("the timetable socket ended: {other:?}"),
        }
    }
}

/// Views until one `pick` accepts.
async fn view_where(socket: &mut Socket, pick: impl Fn(&TimetableView) -> bool) -> TimetableView {
    loop {
        let view = next_view(socket).await;
        if pick(&view) {
            return view;
        }
    }
}

fn session_json(
    id: uuid::Uuid,
    day: &str,
    start: &str,
    end: &str,
    version: u32,
) -> serde_json::Value {
    serde_json::json!({
        "id": id, "title": "Housing board interview", "day": day, "start": start, "end": end,
        "place": "Room 9", "online": false, "kind": "interview",
        "groups": "Senior officers, Partners", "identifying": "", "pairs": [1],
        "version": version, "outside_confirmed": false
    })
}

async fn save(
    app: &TestApp,
    review: &str,
    input: serde_json::Value,
    cookie: &str,
) -> (u16, serde_json::Value) {
    let body = serde_json::json!({ "review": review, "input": input }).to_string();
    let response = app.post_json("/api/save_session", body, Some(cookie)).await;
    (response.status().as_u16(), json(response).await)
}

async fn ics(app: &TestApp, review: &str, query: &str, cookie: &str) -> (u16, String, String) {
    let response = app
        .http
        .get(app.url(&format!("/api/reviews/{review}/timetable.ics?{query}")))
        .header(reqwest::header::COOKIE, cookie)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let disposition = response
        .headers()
        .get(reqwest::header::CONTENT_DISPOSITION)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, disposition, response.text().await.unwrap())
}

/// The events of a calendar file, parsed back: (uid, sequence, start, status).
fn events(text: &str) -> Vec<(String, u32, String, String)> {
    let calendar: Calendar = text.parse().expect("a calendar the parser reads");
    calendar
        .components
        .iter()
        .filter_map(|component| match component {
            CalendarComponent::Event(event) => Some((
                event.get_uid().unwrap().to_string(),
                event.get_sequence().unwrap(),
                event.property_value("DTSTART").unwrap().to_string(),
                event.property_value("STATUS").unwrap().to_string(),
            )),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn the_council_makes_the_timetable_live_and_calendars_follow_its_changes() {
    let app = TestApp::demo().await;
    let host = app.session_cookie(HOST, DEMO_PASSWORD).await;
    let peer = app.session_cookie(PEER, DEMO_PASSWORD).await;
    let reader = app.session_cookie(READER, DEMO_PASSWORD).await;
    let review = app.first_review(&host).await;
    let r = review.as_str();
    let mut peers =
        crate::support::websocket(app.addr, &format!("/ws/reviews/{r}/timetable"), Some(&peer))
            .await
            .expect("the peer opens the timetable");
    let first = next_view(&mut peers).await;
    assert_eq!(first.my_pair, Some(1));
    assert!(!first.can_edit);
    let visit = first.visit.0;
    let day = (visit + chrono::Duration::days(1)).to_string();

    // The host lead adds a session: the peer's open timetable shows it at once.
    let id = uuid::Uuid::new_v4();
    let (status, version) = save(&app, r, session_json(id, &day, "15:00", "16:00", 0), &host).await;
    assert_eq!((status, version), (200, serde_json::json!(1)));
    let seen = view_where(&mut peers, |v| v.sessions.iter().any(|s| s.id.0 == id)).await;
    let added = seen.sessions.iter().find(|s| s.id.0 == id).unwrap();
    assert_eq!(added.groups, ["Senior officers", "Partners"]);
    // It clashes with the demo's neighbourhood hub visit for pair 1: warned, not refused.
    assert!(
        seen.clashes
            .iter()
            .any(|c| c.message.contains("Pair 1 is in two places at once")
                && c.sessions.iter().any(|s| s.0 == id)),
        "{:?}",
        seen.clashes
    );

    // Refusals: stale, end before start, outside the visit, not an editor.
    let (status, body) = save(&app, r, session_json(id, &day, "15:00", "16:00", 0), &host).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("conflict")),
        "{body}"
    );
    let (status, body) = save(&app, r, session_json(id, &day, "15:00", "14:00", 1), &host).await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("end")),
        "{body}"
    );
    let (status, body) = save(
        &app,
        r,
        session_json(id, "2031-01-01", "15:00", "16:00", 1),
        &host,
    )
    .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("day")),
        "{body}"
    );
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("outside the visit"),
        "{body}"
    );
    let (status, _) = save(&app, r, session_json(id, &day, "15:00", "16:00", 1), &peer).await;
    assert_eq!(status, 403);
    let (status, _) = save(
        &app,
        r,
        session_json(id, &day, "15:00", "16:00", 1),
        &reader,
    )
    .await;
    assert_eq!(status, 403);

    // The calendar: the session once, SEQUENCE 1; moved, the same UID with SEQUENCE 2.
    let (status, disposition, text) = ics(&app, r, "pair=1", &peer).await;
    assert_eq!(status, 200);
    assert!(
        disposition.starts_with("attachment;") && disposition.contains(".ics"),
        "{disposition}"
    );
    let uid = format!("{id}@peerwall");
    let before: Vec<_> = events(&text).into_iter().filter(|e| e.0 == uid).collect();
    assert_eq!(before.len(), 1);
    assert_eq!((before[0].1, before[0].3.as_str()), (1, "CONFIRMED"));
    let (status, _) = save(&app, r, session_json(id, &day, "16:00", "17:00", 1), &host).await;
    assert_eq!(status, 200);
    view_where(&mut peers, |v| {
        v.sessions.iter().any(|s| s.id.0 == id && s.start == 960)
    })
    .await;
    let (_, _, text) = ics(&app, r, "mine=true", &peer).await;
    let after: Vec<_> = events(&text).into_iter().filter(|e| e.0 == uid).collect();
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].1, 2);
    assert_ne!(after[0].2, before[0].2, "the start moved");
    // Pair 2's calendar does not have it; the host has no pair of their own.
    let (_, _, text) = ics(&app, r, "pair=2", &host).await;
    assert!(events(&text).iter().all(|e| e.0 != uid));
    let (status, _, _) = ics(&app, r, "mine=true", &host).await;
    assert_eq!(status, 404);
    let (status, _, _) = ics(&app, r, "pair=9", &peer).await;
    assert_eq!(status, 404);

    // The people met, recorded by the team (not by the host); dropped by the host lead.
    let people = |cookie: &str, n: &str| {
        let body = form(&[("review", r), ("session", &id.to_string()), ("people", n)]);
        let cookie = cookie.to_string();
        let app = &app;
        async move {
            app.post("/api/record_people_met", body, Some(&cookie))
                .await
                .status()
                .as_u16()
        }
    };
    assert_eq!(people(&peer, "4").await, 200);
    assert_eq!(people(&host, "5").await, 403);
    assert_eq!(people(&peer, "100000").await, 422);
    let seen = view_where(&mut peers, |v| {
        v.sessions
            .iter()
            .any(|s| s.id.0 == id && s.people == Some(4))
    })
    .await;
    assert_eq!(
        seen.sessions.iter().find(|s| s.id.0 == id).unwrap().version,
        2,
        "the calendar is not touched"
    );
    let cancel = |version: &str| {
        let body = form(&[
            ("review", r),
            ("session", &id.to_string()),
            ("version", version),
        ]);
        let app = &app;
        let host = host.clone();
        async move {
            app.post("/api/cancel_session", body, Some(&host))
                .await
                .status()
                .as_u16()
        }
    };
    assert_eq!(cancel("1").await, 409);
    assert_eq!(cancel("2").await, 200);
    view_where(&mut peers, |v| v.sessions.iter().all(|s| s.id.0 != id)).await;
    let (_, _, text) = ics(&app, r, "pair=1", &peer).await;
    let dropped: Vec<_> = events(&text).into_iter().filter(|e| e.0 == uid).collect();
    assert_eq!((dropped[0].1, dropped[0].3.as_str()), (3, "CANCELLED"));
    assert_eq!(cancel("3").await, 404, "already dropped");

    let kinds = app.audit_kinds().await;
    for kind in ["session_added", "session_changed", "session_dropped"] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} in {kinds:?}");
    }
    app.stop().await;
}

#[tokio::test]
async fn notes_are_tied_to_this_reviews_sessions_and_counted_per_session() {
    let app = TestApp::demo().await;
    let peer = app.session_cookie(PEER, DEMO_PASSWORD).await;
    let facilitator = app.session_cookie(FACILITATOR, DEMO_PASSWORD).await;
    let review = app.first_review(&peer).await;
    let review_id = app::review::ReviewId(review.parse().unwrap());
    let view: TimetableView = serde_json::from_value(
        json(
            app.post(
                "/api/get_timetable",
                form(&[("review", &review)]),
                Some(&peer),
            )
            .await,
        )
        .await,
    )
    .unwrap();
    let leader = view
        .sessions
        .iter()
        .find(|s| s.title == "Leader interview")
        .unwrap();
    assert_eq!(leader.identifying.as_deref(), Some("Leader"));
    assert_eq!(
        view.notes_from(leader.id),
        Some(1),
        "the demo's note from it"
    );
    let hub_visit = view
        .sessions
        .iter()
        .find(|s| s.title == "Neighbourhood hub visit")
        .unwrap();
    assert_eq!(
        view.notes_from(hub_visit.id),
        Some(0),
        "nothing heard there yet"
    );

    let person = peerwall_server::db::accounts::find_person_by_email(&app.state.db, PEER)
        .await
        .unwrap()
        .unwrap();
    let actor = peerwall_server::wall::board::Actor {
        person: app::accounts::PersonId(person.id),
        name: "Helen Marsh".into(),
        pair: Some(1),
        role: app::membership::Role::Peer,
    };
    let note = |session: Option<app::visit::SessionId>| Command::CreateNote {
        note: app::wall::NoteId::new(),
        heading: None,
        before: None,
        fields: NoteFields {
            text: "Hub staff know the residents by name.".into(),
            kind: app::wall::NoteKind::Strength,
            source: "Neighbourhood hub visit".into(),
            session,
            stakeholder: "Staff".into(),
            tags: vec![],
        },
    };
    let hub = &app.state.wall;
    let answer = hub
        .command(
            review_id,
            actor.clone(),
            OpId(uuid::Uuid::new_v4()),
            note(Some(hub_visit.id)),
        )
        .await;
    crate::wall::acked(&answer);
    // A session of another review, or a made-up id, is refused with a sentence.
    let db = &app.state.db;
    let elsewhere = peerwall_server::db::review::insert(
        db,
        peerwall_server::db::review::NewReview {
            title: "Otherton Council Corporate Peer Challenge".into(),
            host_authority: "Otherton Council".into(),
            review_type: app::review::ReviewType::LgaCorporatePeerChallenge,
            phase: app::review::Phase::OnSite,
            scope: String::new(),
            on_site_start: leader.day,
            on_site_end: leader.day,
            headings: vec![],
            facilitator: None,
        },
    )
    .await
    .unwrap();
    let theirs = app::visit::Session {
        id: app::visit::SessionId::new(),
        ..leader.clone()
    };
    assert!(
        peerwall_server::db::visit::put(db, elsewhere, &theirs, 0, None)
            .await
            .unwrap()
    );
    for stranger in [theirs.id, app::visit::SessionId::new()] {
        let answer = hub
            .command(
                review_id,
                actor.clone(),
                OpId(uuid::Uuid::new_v4()),
                note(Some(stranger)),
            )
            .await;
        assert_eq!(
            crate::wall::rejected(&answer),
            app::error::ErrorCode::Invalid
        );
    }
    let view: TimetableView = serde_json::from_value(
        json(
            app.post(
                "/api/get_timetable",
                form(&[("review", &review)]),
                Some(&facilitator),
            )
            .await,
        )
        .await,
    )
    .unwrap();
    assert_eq!(
        view.notes_from(hub_visit.id),
        Some(1),
        "the coverage count moved"
    );
    let board = hub.board(review_id).await.unwrap();
    let tied = board
        .notes
        .values()
        .filter(|n| n.session == Some(hub_visit.id))
        .count();
    assert_eq!(tied, 1);

    // A timetable holds at most MAX_SESSIONS sessions: the next is refused with a sentence.
    for n in view.sessions.len()..app::visit::MAX_SESSIONS {
        let filler = app::visit::Session {
            id: app::visit::SessionId::new(),
            title: format!("Filler {n}"),
            ..leader.clone()
        };
        assert!(
            peerwall_server::db::visit::put(db, review_id, &filler, 0, None)
                .await
                .unwrap()
        );
    }
    let one_more = session_json(
        uuid::Uuid::new_v4(),
        &leader.day.to_string(),
        "09:00",
        "10:00",
        0,
    );
    let (status, body) = save(&app, &review, one_more, &facilitator).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("at most 400 sessions"),
        "{body}"
    );
    app.stop().await;
}

#[tokio::test]
async fn an_access_change_reaches_an_open_timetable_at_once() {
    let app = TestApp::demo().await;
    let facilitator = app.session_cookie(FACILITATOR, DEMO_PASSWORD).await;
    let peer = app.session_cookie(PEER, DEMO_PASSWORD).await;
    let review = app.first_review(&peer).await;
    let mut socket = crate::support::websocket(
        app.addr,
        &format!("/ws/reviews/{review}/timetable"),
        Some(&peer),
    )
    .await
    .expect("the peer opens the timetable");
    let first = next_view(&mut socket).await;
    assert!(first.pairs.iter().any(|p| !p.members.is_empty()));
    assert!(!first.notes.is_empty());
    let person = peerwall_server::db::accounts::find_person_by_email(&app.state.db, PEER)
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string();
    // Now an observer: the open timetable is sent again as an observer sees it.
    let changed = app
        .post(
            "/api/update_member",
            form(&[
                ("review", &review),
                ("person", &person),
                ("role", "observer"),
                ("pair", ""),
            ]),
            Some(&facilitator),
        )
        .await;
    assert_eq!(changed.status(), 200);
    let seen = view_where(&mut socket, |v| v.notes.is_empty()).await;
    assert!(
        seen.pairs.iter().all(|p| p.members.is_empty()),
        "{:?}",
        seen.pairs
    );
    assert_eq!((seen.my_pair, seen.can_record), (None, false));
    // Removed: the socket closes within moments and the timetable is refused.
    let removed = app
        .post(
            "/api/remove_member",
            form(&[("review", &review), ("person", &person)]),
            Some(&facilitator),
        )
        .await;
    assert_eq!(removed.status(), 200);
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match socket.next().await {
                Some(Ok(Message::Close(_)) | Err(_)) | None => return true,
                Some(Ok(_)) => {}
            }
        }
    })
    .await;
    assert_eq!(closed, Ok(true));
    let refused = app
        .post(
            "/api/get_timetable",
            form(&[("review", &review)]),
            Some(&peer),
        )
        .await;
    assert_eq!(refused.status(), 404);
    app.stop().await;
}

/// Two nodes on one database: a change made through one reaches open timetables on the other
/// (through the LIVE query on `timetable_change`), and the node that made it tells its own
/// timetables once, not again when its own LIVE notification comes back.
#[tokio::test]
async fn a_change_reaches_timetables_on_another_node_and_its_own_once() {
    let app = TestApp::demo().await;
    let other = app
        .another_node(crate::support::config("mem://", &["--demo"]))
        .await;
    let host = app.session_cookie(HOST, DEMO_PASSWORD).await;
    let peer = other.session_cookie(PEER, DEMO_PASSWORD).await;
    let review = app.first_review(&host).await;
    let path = format!("/ws/reviews/{review}/timetable");
    let mut here = crate::support::websocket(app.addr, &path, Some(&host))
        .await
        .unwrap();
    let mut there = crate::support::websocket(other.addr, &path, Some(&peer))
        .await
        .unwrap();
    let first = next_view(&mut here).await;
    next_view(&mut there).await;
    let id = uuid::Uuid::new_v4();
    let day = first.visit.0.to_string();
    let (status, _) = save(
        &app,
        &review,
        session_json(id, &day, "16:00", "17:00", 0),
        &host,
    )
    .await;
    assert_eq!(status, 200);
    view_where(&mut there, |v| v.sessions.iter().any(|s| s.id.0 == id)).await;
    view_where(&mut here, |v| v.sessions.iter().any(|s| s.id.0 == id)).await;
    // Nothing more on this node: its own change's LIVE notification is not a second one.
    let again = tokio::time::timeout(Duration::from_millis(1500), async {
        loop {
            match here.next().await {
                Some(Ok(Message::Text(text))) => return text,
                Some(Ok(_)) => {}
                other => panic!("the timetable socket ended: {other:?}"),
            }
        }
    })
    .await;
    assert!(again.is_err(), "a second frame for one change: {again:?}");
    other.stop().await;
    app.stop().await;
}

/// The timetable socket's one frame (`refresh`) answers with the timetable; anything else gets
/// an error frame, and the socket stays usable.
#[tokio::test]
async fn the_timetable_socket_answers_a_refresh_and_refuses_other_frames() {
    use futures_util::SinkExt;
    let app = TestApp::demo().await;
    let reader = app.session_cookie(READER, DEMO_PASSWORD).await;
    let review = app.first_review(&reader).await;
    let mut socket = crate::support::websocket(
        app.addr,
        &format!("/ws/reviews/{review}/timetable"),
        Some(&reader),
    )
    .await
    .expect("a host reader opens the timetable");
    let first = next_view(&mut socket).await;
    assert!(first.notes.is_empty() && !first.can_edit && first.clashes.is_empty());
    let frame = |text: &str| Message::Text(text.to_string().into());
    socket.send(frame(r#"{"type":"refresh"}"#)).await.unwrap();
    assert_eq!(next_view(&mut socket).await, first);
    for bad in [r#"{"type":"save","session":{}}"#, "not json"] {
        socket.send(frame(bad)).await.unwrap();
        let answer = loop {
            match tokio::time::timeout(Duration::from_secs(10), socket.next()).await {
                Ok(Some(Ok(Message::Text(text)))) => break text,
                Ok(Some(Ok(_))) => {}
                other => panic!("the socket ended: {other:?}"),
            }
        };
        match serde_json::from_str::<TimetableServerMessage>(&answer).unwrap() {
            TimetableServerMessage::Error { error } => {
                assert_eq!(error.code, app::error::ErrorCode::Invalid, "{bad}");
            }
            other => panic!("{bad} was answered with {other:?}"),
        }
    }
    socket.send(frame(r#"{"type":"refresh"}"#)).await.unwrap();
    assert_eq!(next_view(&mut socket).await, first, "still usable");
    app.stop().await;
}
