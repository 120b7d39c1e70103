//! Notes kept only until sign-off: the schedule destroys them once the review's period after
//! sign-off has run (time injected, not slept), the wall still loads with its key messages and
//! their frozen strengths, no note's text is left in any table, the record says what went, a
//! second run does nothing, open sockets get the change, two nodes destroy once; the
//! facilitator shortens the period and destroys now after a preview; refusals for everyone else.

use app::membership::Role;
use app::review::ReviewId;
use app::wall::protocol::{Command, ServerMessage};
use app::wall::triangulation::Strength;
use app::wall::{Change, MessageId};
use chrono::{Duration, Utc};
use peerwall_server::db;
use peerwall_server::demo::{DEMO_PASSWORD, DEMO_PEOPLE};
use serde_json::Value;
use std::collections::BTreeMap;

use crate::support::{TestApp, form, json};
use crate::wall::{Client, create, new_note, new_op};

const NEEDLE: &str = "Retention needle: the leader said so";

fn email(role: Role) -> &'static str {
    DEMO_PEOPLE.iter().find(|p| p.2 == role).unwrap().1
}

async fn cookie(app: &TestApp, role: Role) -> String {
    app.session_cookie(email(role), DEMO_PASSWORD).await
}

async fn call(app: &TestApp, path: &str, body: &[(&str, &str)], cookie: &str) -> (u16, Value) {
    let response = app.post(path, form(body), Some(cookie)).await;
    let status = response.status().as_u16();
    (status, json(response).await)
}

/// The wall with two needle notes (one evidencing a key message, one deleted); the strengths
/// of its messages as they then stand.
async fn wall_with_needles(client: &mut Client) -> BTreeMap<MessageId, Strength> {
    let (kept, gone) = (new_note(), new_note());
    for note in [kept, gone] {
        let answer = client.command(new_op(), create(note, None, NEEDLE)).await;
        assert!(matches!(answer, ServerMessage::Ack { .. }), "{answer:?}");
    }
    let message = *client
        .board
        .messages
        .keys()
        .next()
        .expect("the demo has key messages");
    let evidence = Command::AddEvidence {
        message,
        note: kept,
    };
    assert!(matches!(
        client.command(new_op(), evidence).await,
        ServerMessage::Ack { .. }
    ));
    let delete = Command::DeleteNote { note: gone };
    let ServerMessage::Ack { seq, .. } = client.command(new_op(), delete).await else {
        panic!("the delete is refused");
    };
    // The acknowledgement can come before the event itself.
    client.until_seq(seq).await;
    let board = &client.board;
    board
        .messages
        .iter()
        .map(|(id, message)| (*id, Strength::of(board, message)))
        .collect()
}

#[tokio::test]
async fn the_notes_go_after_the_period_and_the_key_messages_stand() {
    let app = TestApp::demo().await;
    let facilitator = cookie(&app, Role::Facilitator).await;
    let peer = cookie(&app, Role::Peer).await;
    let r = app.first_review(&peer).await;
    let review = ReviewId(r.parse().unwrap());
    let mut writer = Client::open(&app, &r, &peer).await;
    let strengths = wall_with_needles(&mut writer).await;
    let live_notes = writer.board.notes.values().filter(|n| !n.deleted).count() as u64;
    let head = writer.board.seq;
    let retention = &app.state.retention;

    // Nothing goes before sign-off, however late it is.
    let far = Utc::now() + Duration::days(400);
    assert!(retention.run_due(far).await.unwrap().is_empty());
    app.sign_off_report(review).await;
    let (status, view) = call(&app, "/api/get_retention", &[("review", &r)], &facilitator).await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["days"], 30);
    let on = (Utc::now() + Duration::days(30)).date_naive().to_string();
    assert_eq!(view["destroy_on"], on.as_str());
    assert_eq!(view["preview"]["notes"], live_notes);
    assert!(view["preview"]["deleted_notes"].as_u64().unwrap() >= 1);

    // A day short of the period: still kept.
    let now = Utc::now();
    assert!(
        retention
            .run_due(now + Duration::days(29))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        !db::retention::tables_containing(&app.state.db, NEEDLE)
            .await
            .unwrap()
            .is_empty()
    );

    // The period has run: the schedule destroys, and the open wall hears it in order.
    let done = retention.run_due(now + Duration::days(31)).await.unwrap();
    assert_eq!(done, vec![review]);
    writer.until_seq(head + 1).await;
    assert!(
        writer.board.notes.is_empty(),
        "the open wall dropped its notes"
    );
    assert!(writer.board.notes_destroyed.is_some());

    // No table holds the notes' text any more: not the notes, not the event log.
    assert_eq!(
        db::retention::tables_containing(&app.state.db, NEEDLE)
            .await
            .unwrap(),
        Vec::<String>::new()
    );

    // A fresh wall loads: headings and key messages with the strength they had, no notes.
    let mut reader = Client::open(&app, &r, &peer).await;
    assert!(reader.board.notes.is_empty());
    assert!(!reader.board.headings.is_empty());
    for (id, strength) in &strengths {
        let message = &reader.board.messages[id];
        assert_eq!(message.frozen, Some(*strength), "{}", message.text);
        assert_eq!(Strength::of(&reader.board, message), *strength);
    }
    assert!(strengths.values().any(|s| s.notes > 0));
    // The log is still whole and gap-free; its last event says what happened.
    let events = db::wall::events_after(&app.state.db, review, 0, 100_000)
        .await
        .unwrap();
    assert_eq!(events.len() as u64, head + 1);
    assert!(
        events
            .iter()
            .enumerate()
            .all(|(i, e)| e.seq == i as u64 + 1)
    );
    assert!(matches!(
        events.last().unwrap().change,
        Change::NotesDestroyed { .. }
    ));
    // The wall takes no notes now, with a sentence saying why.
    match reader
        .command(new_op(), create(new_note(), None, "late"))
        .await
    {
        ServerMessage::Rejected { error, .. } => {
            assert!(error.message.contains("destroyed"), "{}", error.message);
        }
        other => panic!("a note after destruction: {other:?}"),
    }

    // The record, for the council: when, by the schedule, counts and a digest.
    let (_, view) = call(&app, "/api/get_retention", &[("review", &r)], &peer).await;
    let record = &view["record"];
    assert_eq!(record["by"], "the retention schedule");
    assert_eq!(record["days"], 30);
    assert_eq!(record["counts"]["notes"], live_notes);
    assert!(record["counts"]["deleted_notes"].as_u64().unwrap() >= 1);
    assert!(record["counts"]["events"].as_u64().unwrap() >= 3);
    assert!(record["counts"]["evidence"].as_u64().unwrap() >= 1);
    assert_eq!(record["digest"].as_str().unwrap().len(), 64);
    assert!(view["preview"].is_null());

    // A second run does nothing, and the audit trail has one destruction.
    assert!(
        retention
            .run_due(now + Duration::days(60))
            .await
            .unwrap()
            .is_empty()
    );
    // (The demo's signed-off Ashdown review had its own destroyed when the demo started.)
    let kinds = app.audit_kinds_on("Eastbrook").await;
    assert_eq!(kinds.iter().filter(|k| *k == "notes_destroyed").count(), 1);
    app.stop().await;
}

#[tokio::test]
async fn the_facilitator_shortens_the_period_and_destroys_now_after_a_preview() {
    let app = TestApp::demo().await;
    let facilitator = cookie(&app, Role::Facilitator).await;
    let peer = cookie(&app, Role::Peer).await;
    let host = cookie(&app, Role::HostLead).await;
    let r = app.first_review(&peer).await;
    let review = ReviewId(r.parse().unwrap());

    // Only the facilitator sets the period, and only shorter than the site's.
    let (status, _) = call(
        &app,
        "/api/set_retention",
        &[("review", &r), ("days", "10")],
        &peer,
    )
    .await;
    assert_eq!(status, 403);
    let (status, error) = call(
        &app,
        "/api/set_retention",
        &[("review", &r), ("days", "45")],
        &facilitator,
    )
    .await;
    assert_eq!(
        (status, error["field"].as_str()),
        (422, Some("days")),
        "{error}"
    );
    let (status, view) = call(
        &app,
        "/api/set_retention",
        &[("review", &r), ("days", "14")],
        &facilitator,
    )
    .await;
    assert_eq!((status, view["days"].as_u64()), (200, Some(14)), "{view}");
    assert!(
        app.audit_kinds()
            .await
            .contains(&"retention_set".to_string())
    );
    // Everyone on the review reads the policy; the host sees no preview and no button.
    let (status, view) = call(&app, "/api/get_retention", &[("review", &r)], &host).await;
    assert_eq!((status, view["days"].as_u64()), (200, Some(14)));
    assert_eq!(view["may_destroy"], false);

    // Not before sign-off.
    let destroy = [("review", r.as_str()), ("confirm", "on")];
    let (status, error) = call(&app, "/api/destroy_notes_now", &destroy, &facilitator).await;
    assert_eq!(status, 409, "{error}");
    app.sign_off_report(review).await;
    let (_, view) = call(&app, "/api/get_retention", &[("review", &r)], &host).await;
    assert!(view["preview"].is_null(), "the host gets no preview");
    let (_, view) = call(&app, "/api/get_retention", &[("review", &r)], &facilitator).await;
    let preview_notes = view["preview"]["notes"].as_u64().unwrap();
    assert!(preview_notes > 0);

    // Without the confirmation, or by anyone else: refused, nothing gone.
    let (status, error) = call(
        &app,
        "/api/destroy_notes_now",
        &[("review", &r)],
        &facilitator,
    )
    .await;
    assert_eq!((status, error["field"].as_str()), (422, Some("confirm")));
    let (status, _) = call(&app, "/api/destroy_notes_now", &destroy, &peer).await;
    assert_eq!(status, 403);
    let (status, _) = call(&app, "/api/destroy_notes_now", &destroy, &host).await;
    assert_eq!(status, 403);
    assert!(
        db::retention::record(&app.state.db, review)
            .await
            .unwrap()
            .is_none()
    );

    let (status, record) = call(&app, "/api/destroy_notes_now", &destroy, &facilitator).await;
    assert_eq!(status, 200, "{record}");
    assert_eq!(record["by"], DEMO_PEOPLE[0].0);
    assert_eq!(record["counts"]["notes"], preview_notes);
    assert_eq!(record["days"], 14);
    // Done once: again, or a change of period, is refused.
    let (status, _) = call(&app, "/api/destroy_notes_now", &destroy, &facilitator).await;
    assert_eq!(status, 409);
    let (status, _) = call(
        &app,
        "/api/set_retention",
        &[("review", &r), ("days", "7")],
        &facilitator,
    )
    .await;
    assert_eq!(status, 409);
    let mut wall = Client::open(&app, &r, &peer).await;
    assert!(wall.board.notes.is_empty() && wall.board.notes_destroyed.is_some());
    let _ = wall.socket.close(None).await;
    app.stop().await;
}

#[tokio::test]
async fn an_administrator_sets_the_sites_default_and_reviews_keep_no_longer() {
    let app = TestApp::demo().await;
    let facilitator = cookie(&app, Role::Facilitator).await;
    let r = app.first_review(&facilitator).await;
    let password =
        peerwall_server::accounts::create_admin(&app.state.db, "ada@peerwall.test", "Ada Admin")
            .await
            .unwrap();
    let admin = app.session_cookie("ada@peerwall.test", &password).await;
    let (status, _) = call(
        &app,
        "/api/set_site_retention",
        &[("days", "10")],
        &facilitator,
    )
    .await;
    assert_eq!(status, 403);
    let (status, error) = call(&app, "/api/set_site_retention", &[("days", "400")], &admin).await;
    assert_eq!((status, error["field"].as_str()), (422, Some("days")));
    let (status, days) = call(&app, "/api/set_site_retention", &[("days", "10")], &admin).await;
    assert_eq!((status, days), (200, serde_json::json!(10)));
    let (_, view) = call(&app, "/api/get_retention", &[("review", &r)], &facilitator).await;
    assert_eq!(
        (view["days"].as_u64(), view["site_days"].as_u64()),
        (Some(10), Some(10))
    );
    let (status, _) = call(
        &app,
        "/api/set_retention",
        &[("review", &r), ("days", "14")],
        &facilitator,
    )
    .await;
    assert_eq!(status, 422, "no longer than the site's default");

    // A week before the notes go, everyone on the review is warned.
    let (_, view) = call(&app, "/api/get_retention", &[("review", &r)], &facilitator).await;
    assert_eq!(view["warning"], false, "not signed off yet");
    let (status, _) = call(
        &app,
        "/api/set_retention",
        &[("review", &r), ("days", "7")],
        &facilitator,
    )
    .await;
    assert_eq!(status, 200);
    app.sign_off_report(ReviewId(r.parse().unwrap())).await;
    let host = cookie(&app, Role::HostReader).await;
    let (_, view) = call(&app, "/api/get_retention", &[("review", &r)], &host).await;
    assert_eq!(view["warning"], true, "{view}");
    let on = (Utc::now() + Duration::days(7)).date_naive().to_string();
    assert_eq!(view["destroy_on"], on.as_str());
    app.stop().await;
}

#[tokio::test]
async fn two_nodes_running_the_schedule_at_once_destroy_once() {
    let app = TestApp::demo().await;
    let other = app
        .another_node(crate::support::config("mem://", &["--demo"]))
        .await;
    let peer = cookie(&app, Role::Peer).await;
    let r = app.first_review(&peer).await;
    let review = ReviewId(r.parse().unwrap());
    // A wall open on each node.
    let mut here = Client::open(&app, &r, &peer).await;
    let mut there = Client::join_at(other.addr, &r, &peer, None).await;
    there.welcome().await;
    let head = here.board.seq;
    app.sign_off_report(review).await;
    let later = Utc::now() + Duration::days(31);
    let (one, two) = tokio::join!(
        app.state.retention.run_due(later),
        other.state.retention.run_due(later)
    );
    let done: Vec<ReviewId> = one.unwrap().into_iter().chain(two.unwrap()).collect();
    assert_eq!(done, vec![review], "destroyed once");
    here.until_seq(head + 1).await;
    there.until_seq(head + 1).await;
    assert!(here.board.notes.is_empty() && there.board.notes.is_empty());
    assert_eq!(here.board.messages, there.board.messages);
    // (The demo's signed-off Ashdown review had its own destroyed when the demo started.)
    let kinds = app.audit_kinds_on("Eastbrook").await;
    assert_eq!(kinds.iter().filter(|k| *k == "notes_destroyed").count(), 1);
    other.stop().await;
    app.stop().await;
}

/// Whether no event of the wall's log holds a note's text any more.
async fn log_is_blank(app: &TestApp, review: ReviewId) -> bool {
    let events = db::wall::events_after(&app.state.db, review, 0, 100_000)
        .await
        .unwrap();
    events.iter().all(|event| match &event.change {
        Change::Note { note } => note.text.is_empty() && note.author.is_empty(),
        Change::HeadingArchived { moved, .. } => moved.iter().all(|n| n.text.is_empty()),
        _ => true,
    })
}

#[tokio::test]
async fn killed_during_destruction_the_notes_are_all_there_or_all_gone_and_it_completes() {
    // The demo's wall with its report signed off, as a backup each cycle restores from (a
    // folder opened in this process stays locked to another until the process ends).
    let root = tempfile::tempdir().unwrap();
    let backup = root.path().join("signed-off.surql");
    let app = TestApp::demo().await;
    let peer = cookie(&app, Role::Peer).await;
    let r = app.first_review(&peer).await;
    let review = ReviewId(r.parse().unwrap());
    app.sign_off_report(review).await;
    let before = db::retention::plan(&app.state.db, review)
        .await
        .unwrap()
        .counts;
    assert!(before.notes > 0);
    peerwall_server::backup::export(&app.state.db, &backup)
        .await
        .unwrap();
    app.stop().await;

    for (cycle, pause) in [0u64, 150, 200, 220, 240, 260, 280, 300, 600]
        .into_iter()
        .enumerate()
    {
        let data = root.path().join(format!("cycle-{cycle}"));
        let target = crate::support::folder(&data);
        let restored = std::process::Command::new(env!("CARGO_BIN_EXE_peerwall"))
            .args([
                "restore",
                "--from",
                backup.to_str().unwrap(),
                "--db",
                &target,
            ])
            .output()
            .unwrap();
        assert!(restored.status.success(), "{restored:?}");

        // The real server, killed while the facilitator destroys the notes: on this machine a
        // debug build commits the destruction some 200–300 ms into the request, so the pauses
        // straddle it (either outcome must be whole).
        let (mut child, addr) = crate::backup::serve(&data);
        let (facilitator, _) = crate::support::sign_in_at(addr, email(Role::Facilitator)).await;
        let body = form(&[("review", &r), ("confirm", "on")]);
        let destroy = tokio::spawn(async move {
            reqwest::Client::new()
                .post(format!("http://{addr}/api/destroy_notes_now"))
                .header("content-type", "application/x-www-form-urlencoded")
                .header(reqwest::header::COOKIE, facilitator)
                .body(body)
                .send()
                .await
        });
        tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
        let _ = std::process::Command::new("kill")
            .args(["-9", &child.id().to_string()])
            .status();
        let _ = child.wait();
        let _ = destroy.await;

        // After the restart: all there or all gone, never half.
        let app = TestApp::start(crate::support::config(&target, &["--demo"])).await;
        let record = db::retention::record(&app.state.db, review).await.unwrap();
        let left = db::retention::plan(&app.state.db, review)
            .await
            .unwrap()
            .counts;
        match &record {
            Some(_) => {
                assert_eq!((left.notes, left.deleted_notes, left.evidence), (0, 0, 0));
                assert!(log_is_blank(&app, review).await, "cycle {cycle}");
            }
            None => assert_eq!(left, before, "cycle {cycle}: nothing half-done"),
        }
        eprintln!(
            "cycle {cycle}: killed {pause} ms into the request, notes {}",
            if record.is_some() {
                "gone"
            } else {
                "all there"
            }
        );
        // And the schedule completes what the kill interrupted.
        let later = Utc::now() + Duration::days(31);
        let done = app.state.retention.run_due(later).await.unwrap();
        assert_eq!(done.len(), usize::from(record.is_none()), "cycle {cycle}");
        let after = db::retention::plan(&app.state.db, review)
            .await
            .unwrap()
            .counts;
        assert_eq!((after.notes, after.deleted_notes), (0, 0), "cycle {cycle}");
        assert!(log_is_blank(&app, review).await, "cycle {cycle}");
        let board = db::wall::load(&app.state.db, review).await.unwrap();
        assert!(board.notes.is_empty() && board.notes_destroyed.is_some());
        app.stop().await;
    }
}
