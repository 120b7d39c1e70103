//! The board task's group commit against the real SurrealDB: every command queued at one
//! moment is decided in order and committed in one transaction; a refused command in the
//! middle is answered on its own; a crash between the commit and the answers loses nothing and
//! applies nothing twice; a full queue answers busy, and so does a command that waited too long
//! in it; the deleted notes a board lets go of come
//! back when restored.
//!
//! The tests run on tokio's single-threaded test runtime: commands queued without an `.await`
//! between them are all in the board's queue before its task runs, so they make one batch.

use std::future::Future;
use std::pin::Pin;

use app::error::ErrorCode;
use app::wall::protocol::{Command, NoteEdit, OpId, ServerMessage};
use app::wall::{Board, NoteId};
use peerwall_server::wall::hub::{BOARD_QUEUE, WallHub};

use crate::support::TestApp;
use crate::wall::{acked, create, new_note, new_op, peer_on_first_review, rejected};

type Answer = Pin<Box<dyn Future<Output = ServerMessage> + Send>>;

/// Queues every command on the hub's board without waiting in between (one batch), then
/// awaits every answer, in order.
async fn all_at_once(
    hub: &WallHub,
    review: app::review::ReviewId,
    actor: &peerwall_server::wall::board::Actor,
    commands: &[(OpId, Command)],
) -> Vec<ServerMessage> {
    let mut answers: Vec<Answer> = Vec::new();
    for (op, command) in commands {
        // No session on these notes: `submit` queues without awaiting anything.
        match hub
            .submit(review, actor.clone(), *op, command.clone())
            .await
        {
            Ok(answer) => answers.push(Box::pin(answer)),
            Err(refused) => answers.push(Box::pin(std::future::ready(refused))),
        }
    }
    let mut out = Vec::new();
    for answer in answers {
        out.push(answer.await);
    }
    out
}

fn edit(note: NoteId, base_version: u64, text: &str) -> Command {
    Command::EditNote {
        note,
        base_version,
        edit: NoteEdit {
            text: Some(text.into()),
            ..NoteEdit::default()
        },
    }
}

/// The board as a fresh reader loads it from the database, next to the board task's own.
async fn stored(app: &TestApp, review: app::review::ReviewId) -> Board {
    peerwall_server::db::wall::load(&app.state.db, review)
        .await
        .unwrap()
}

fn live_notes(board: &Board) -> Vec<(NoteId, String, String, u64)> {
    let mut notes: Vec<_> = (board.notes.values())
        .filter(|note| !note.deleted)
        .map(|note| {
            (
                note.id,
                note.text.clone(),
                note.author.clone(),
                note.version,
            )
        })
        .collect();
    notes.sort();
    notes
}

#[tokio::test]
async fn commands_queued_together_are_one_transaction_and_a_refusal_in_the_middle_stands_alone() {
    let app = TestApp::demo().await;
    let (review, actor) = peer_on_first_review(&app).await;
    let hub = app.state.wall.clone();
    let start = hub.board(review).await.unwrap();
    let transactions = hub.transactions();

    let first = new_note();
    let mut commands: Vec<(OpId, Command)> = vec![(new_op(), create(first, None, "First"))];
    for n in 0..10 {
        commands.push((new_op(), create(new_note(), None, &format!("Before {n}"))));
    }
    // In the middle: an edit of a note that is nowhere, an edit made on a version the note
    // never had, and the first note edited (on the board as the batch has left it).
    commands.push((new_op(), edit(new_note(), 1, "Of nothing")));
    commands.push((new_op(), edit(first, 7, "On a version it never had")));
    commands.push((new_op(), edit(first, 1, "First, edited in the same batch")));
    // The same operation twice (a resend while the first is still queued).
    let twice = (new_op(), create(new_note(), None, "Sent twice"));
    commands.push(twice.clone());
    commands.push(twice.clone());
    for n in 0..10 {
        commands.push((new_op(), create(new_note(), None, &format!("After {n}"))));
    }

    let answers = all_at_once(&hub, review, &actor, &commands).await;
    assert_eq!(
        hub.transactions() - transactions,
        1,
        "the batch took one transaction"
    );
    // Every accepted command in order, numbered one after another; the refusals on their own.
    assert_eq!(rejected(&answers[11]), ErrorCode::NotFound);
    assert_eq!(rejected(&answers[12]), ErrorCode::Conflict);
    let accepted: Vec<u64> = (answers.iter().enumerate())
        .filter(|(index, _)| ![11, 12, 15].contains(index))
        .map(|(_, answer)| acked(answer))
        .collect();
    let expected: Vec<u64> = (start.seq + 1..).take(accepted.len()).collect();
    assert_eq!(accepted, expected);
    assert_eq!(
        acked(&answers[15]),
        acked(&answers[14]),
        "a resend in the same batch"
    );

    // What the board task holds is what was committed, and what a fresh reader loads.
    let held = hub.board(review).await.unwrap();
    let loaded = stored(&app, review).await;
    assert_eq!(held.seq, start.seq + 23);
    assert_eq!(loaded.seq, held.seq);
    assert_eq!(live_notes(&loaded), live_notes(&held));
    assert_eq!(live_notes(&held).len(), live_notes(&start).len() + 22);
    let first_note = &loaded.notes[&first];
    assert_eq!(first_note.text, "First, edited in the same batch");
    assert_eq!(
        (first_note.version, first_note.author.as_str()),
        (2, "Helen Marsh")
    );
    let log = peerwall_server::db::wall::events_after(&app.state.db, review, start.seq, 100)
        .await
        .unwrap();
    let seqs: Vec<u64> = log.iter().map(|event| event.seq).collect();
    assert_eq!(seqs, expected, "the log has each event once, in order");

    // Commands queued together whose first is refused still commit the rest together.
    let transactions = hub.transactions();
    let again = [
        (new_op(), edit(new_note(), 1, "Nothing")),
        (new_op(), create(new_note(), None, "One")),
        (new_op(), create(new_note(), None, "Two")),
    ];
    let answers = all_at_once(&hub, review, &actor, &again).await;
    assert_eq!(rejected(&answers[0]), ErrorCode::NotFound);
    assert_eq!(
        (acked(&answers[1]), acked(&answers[2])),
        (held.seq + 1, held.seq + 2)
    );
    assert_eq!(hub.transactions() - transactions, 1);
    app.stop().await;
}

#[tokio::test]
async fn a_crash_between_the_commit_and_the_answers_loses_nothing_and_applies_nothing_twice() {
    let app = TestApp::demo().await;
    let (review, actor) = peer_on_first_review(&app).await;
    let hub = app.state.wall.clone();
    let start = hub.board(review).await.unwrap();

    for size in [6, 1] {
        let base = hub.board(review).await.unwrap().seq;
        let commands: Vec<(OpId, Command)> = (0..size)
            .map(|n| {
                (
                    new_op(),
                    create(new_note(), None, &format!("Crash {size}/{n}")),
                )
            })
            .collect();
        // The task commits, then ends before answering or sending anything.
        hub.crash_after_next_commit();
        let answers = all_at_once(&hub, review, &actor, &commands).await;
        for answer in &answers {
            assert_eq!(rejected(answer), ErrorCode::Unavailable, "{answer:?}");
        }
        // The browsers send them again, to a task started afresh from the database: each is
        // answered with the number it was committed as, and none is applied again.
        let answers = all_at_once(&hub, review, &actor, &commands).await;
        let seqs: Vec<u64> = answers.iter().map(acked).collect();
        assert_eq!(seqs, (base + 1..=base + size as u64).collect::<Vec<_>>());
        let board = hub.board(review).await.unwrap();
        assert_eq!(board.seq, base + size as u64, "a resend took a new number");
    }
    let loaded = stored(&app, review).await;
    assert_eq!(live_notes(&loaded).len(), live_notes(&start).len() + 7);
    assert_eq!(
        live_notes(&loaded),
        live_notes(&hub.board(review).await.unwrap())
    );
    app.stop().await;
}

#[tokio::test]
async fn a_full_board_queue_answers_busy_and_what_it_took_is_all_applied() {
    let app = TestApp::demo().await;
    let (review, actor) = peer_on_first_review(&app).await;
    let hub = app.state.wall.clone();
    let start = hub.board(review).await.unwrap();
    let commands: Vec<(OpId, Command)> = (0..BOARD_QUEUE + 20)
        .map(|n| (new_op(), create(new_note(), None, &format!("Queued {n}"))))
        .collect();
    let answers = all_at_once(&hub, review, &actor, &commands).await;
    let busy: Vec<usize> = (answers.iter().enumerate())
        .filter(|(_, answer)| matches!(answer, ServerMessage::Rejected { .. }))
        .map(|(index, answer)| {
            assert_eq!(rejected(answer), ErrorCode::RateLimited, "{answer:?}");
            index
        })
        .collect();
    assert_eq!(
        busy,
        (BOARD_QUEUE..BOARD_QUEUE + 20).collect::<Vec<_>>(),
        "the commands past a full queue, and only those, are refused as busy"
    );
    // Sent again once there is room, they are applied too.
    let resent: Vec<(OpId, Command)> = busy.iter().map(|&i| commands[i].clone()).collect();
    for answer in all_at_once(&hub, review, &actor, &resent).await {
        acked(&answer);
    }
    let board = hub.board(review).await.unwrap();
    assert_eq!(board.seq, start.seq + (BOARD_QUEUE + 20) as u64);
    app.stop().await;
}

#[tokio::test]
async fn commands_that_waited_too_long_in_the_queue_are_answered_busy_and_fresh_ones_decided() {
    use peerwall_server::wall::commands::SHED_AFTER;
    let app = TestApp::demo().await;
    let (review, actor) = peer_on_first_review(&app).await;
    let hub = app.state.wall.clone();
    let start = hub.board(review).await.unwrap();
    let commands: Vec<(OpId, Command)> = (0..10)
        .map(|n| (new_op(), create(new_note(), None, &format!("Waited {n}"))))
        .collect();
    // Five queued, then the board kept from them past the limit (the single-threaded runtime
    // is blocked, as a board busy with a long commit would be), then five more.
    let mut answers: Vec<Answer> = Vec::new();
    for (index, (op, command)) in commands.iter().enumerate() {
        if index == 5 {
            std::thread::sleep(SHED_AFTER + std::time::Duration::from_millis(50));
        }
        let answer = hub
            .submit(review, actor.clone(), *op, command.clone())
            .await;
        answers.push(Box::pin(answer.expect("room in the queue")));
    }
    let mut out = Vec::new();
    for answer in answers {
        out.push(answer.await);
    }
    for answer in &out[..5] {
        assert_eq!(rejected(answer), ErrorCode::RateLimited, "{answer:?}");
    }
    for answer in &out[5..] {
        acked(answer);
    }
    assert_eq!(hub.shed(), 5);
    let board = hub.board(review).await.unwrap();
    assert_eq!(
        board.seq,
        start.seq + 5,
        "nothing of the shed commands applied"
    );
    // Sent again, as the browser does after its pause, they are applied.
    for answer in all_at_once(&hub, review, &actor, &commands[..5]).await {
        acked(&answer);
    }
    let board = hub.board(review).await.unwrap();
    assert_eq!(board.seq, start.seq + 10);
    assert_eq!(live_notes(&board), live_notes(&stored(&app, review).await));
    app.stop().await;
}

#[tokio::test]
async fn an_operation_sent_again_after_its_ack_is_acknowledged_however_long_it_waited() {
    use peerwall_server::wall::commands::SHED_AFTER;
    let app = TestApp::demo().await;
    let (review, actor) = peer_on_first_review(&app).await;
    let hub = app.state.wall.clone();
    let commands = vec![(new_op(), create(new_note(), None, "Acknowledged once"))];
    let first = all_at_once(&hub, review, &actor, &commands).await;
    let seq = acked(&first[0]);
    // Sent again (a client that lost the ack in a fault) and kept waiting past the limit: the
    // board already knows it, so the answer is its ack, not busy (a checker or a browser that
    // took busy for a refusal would count an acknowledged change as lost).
    let (op, command) = commands[0].clone();
    let answer = hub
        .submit(review, actor.clone(), op, command)
        .await
        .expect("room in the queue");
    std::thread::sleep(SHED_AFTER + std::time::Duration::from_millis(50));
    let again = answer.await;
    assert_eq!(acked(&again), seq, "{again:?}");
    assert_eq!(hub.shed(), 0);
    app.stop().await;
}

#[tokio::test]
async fn a_board_lets_go_of_old_deleted_notes_and_reads_them_back_to_restore() {
    use peerwall_server::db::wall::DELETED_KEPT;

    let app = TestApp::demo().await;
    let (review, actor) = peer_on_first_review(&app).await;
    let hub = app.state.wall.clone();
    let start = hub.board(review).await.unwrap();
    let kept_at_start = start.notes.values().filter(|note| note.deleted).count();
    let notes: Vec<NoteId> = (0..DELETED_KEPT + 10).map(|_| new_note()).collect();
    for chunk in notes.chunks(100) {
        let creates: Vec<(OpId, Command)> = (chunk.iter())
            .map(|note| (new_op(), create(*note, None, &format!("To go {note}"))))
            .collect();
        all_at_once(&hub, review, &actor, &creates)
            .await
            .iter()
            .for_each(|a| {
                acked(a);
            });
        let deletes: Vec<(OpId, Command)> = (chunk.iter())
            .map(|note| (new_op(), Command::DeleteNote { note: *note }))
            .collect();
        all_at_once(&hub, review, &actor, &deletes)
            .await
            .iter()
            .for_each(|a| {
                acked(a);
            });
    }
    // The board holds the latest deleted only; the database has them all.
    let held = hub.board(review).await.unwrap();
    let deleted_held = held.notes.values().filter(|note| note.deleted).count();
    assert_eq!(deleted_held, DELETED_KEPT, "{kept_at_start} at the start");
    assert!(!held.notes.contains_key(&notes[0]));
    let loaded = stored(&app, review).await;
    assert_eq!(
        loaded.notes.values().filter(|note| note.deleted).count(),
        DELETED_KEPT,
        "a board loads the latest deleted only"
    );
    assert!(loaded.notes.contains_key(&notes[DELETED_KEPT + 9]));

    // Restored, the first comes back whole: its text and its author.
    let restore = (new_op(), Command::RestoreNote { note: notes[0] });
    acked(
        &hub.command(review, actor.clone(), restore.0, restore.1)
            .await,
    );
    let restored = hub.board(review).await.unwrap().notes[&notes[0]].clone();
    assert!(!restored.deleted);
    assert_eq!(
        (restored.text.as_str(), restored.author.as_str()),
        (format!("To go {}", notes[0]).as_str(), "Helen Marsh")
    );

    // A note made with the id of a deleted note the board let go of is refused, as any
    // existing id is, and the deleted note keeps its author.
    let other = peer_on_first_review_as_other(&app).await;
    let reuse = create(notes[1], None, "Someone else's words under an old id");
    let answer = hub.command(review, other, new_op(), reuse).await;
    assert_eq!(rejected(&answer), ErrorCode::Invalid, "{answer:?}");
    let row = peerwall_server::db::wall::note(&app.state.db, review, notes[1])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (row.text, row.author.as_str(), row.deleted),
        (format!("To go {}", notes[1]), "Helen Marsh", true)
    );
    app.stop().await;
}

/// The demo's second peer on the first review, as the board service sees him.
async fn peer_on_first_review_as_other(app: &TestApp) -> peerwall_server::wall::board::Actor {
    let (_, mut actor) = peer_on_first_review(app).await;
    let other = peerwall_server::db::accounts::find_person_by_email(
        &app.state.db,
        peerwall_server::demo::DEMO_PEOPLE[3].1,
    )
    .await
    .unwrap()
    .unwrap();
    actor.person = app::accounts::PersonId(other.id);
    actor.name = peerwall_server::demo::DEMO_PEOPLE[3].0.into();
    actor
}

/// A small, reproducible stream of numbers for the property test below (xorshift).
struct Numbers(u64);

impl Numbers {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// Group commit decides exactly as one command at a time would: random commands from two
/// people (creates, edits on right and stale versions, moves, deletes, restores, on a handful
/// of notes, some of them nowhere), queued in random groups, get the answers the rules give
/// in order on a model board, and the board held and the board stored end as the model.
#[tokio::test]
async fn random_groups_of_commands_are_decided_as_one_at_a_time_would_be() {
    let app = TestApp::demo().await;
    let (review, peer) = peer_on_first_review(&app).await;
    let other = peer_on_first_review_as_other(&app).await;
    let hub = app.state.wall.clone();
    let mut model = hub.board(review).await.unwrap();
    let start = model.seq;
    let headings: Vec<Option<app::wall::HeadingId>> = std::iter::once(None)
        .chain(model.live_headings().map(|h| Some(h.id.clone())))
        .collect();
    let notes: Vec<NoteId> = (0..8).map(|_| new_note()).collect();
    let transactions = hub.transactions();
    let mut groups = 0;
    for seed in 1..=12u64 {
        let mut numbers = Numbers(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let mut commands = Vec::new();
        let mut actors = Vec::new();
        for _ in 0..1 + numbers.below(40) {
            let note = notes[numbers.below(notes.len())];
            let command = match numbers.below(6) {
                0 | 1 => create(
                    note,
                    headings[numbers.below(headings.len())].clone(),
                    "Said",
                ),
                2 => edit(
                    note,
                    1 + numbers.below(3) as u64,
                    &format!("Edit {}", numbers.below(9)),
                ),
                3 => Command::MoveNote {
                    note,
                    heading: headings[numbers.below(headings.len())].clone(),
                    before: None,
                },
                4 => Command::DeleteNote { note },
                _ => Command::RestoreNote { note },
            };
            commands.push((new_op(), command));
            actors.push(if numbers.below(2) == 0 { &peer } else { &other });
        }
        // Queued in groups of random sizes, each all at once.
        let mut answers = Vec::new();
        let mut at = 0;
        while at < commands.len() {
            let size = (1 + numbers.below(12)).min(commands.len() - at);
            let mut queued: Vec<Answer> = Vec::new();
            for index in at..at + size {
                let (op, command) = commands[index].clone();
                let answer = hub.submit(review, actors[index].clone(), op, command).await;
                queued.push(match answer {
                    Ok(answer) => Box::pin(answer),
                    Err(refused) => Box::pin(std::future::ready(refused)),
                });
            }
            for answer in queued {
                answers.push(answer.await);
            }
            at += size;
            groups += 1;
        }
        // The model: the same rules, one command at a time.
        for (index, ((_, command), answer)) in commands.iter().zip(&answers).enumerate() {
            match app::wall::rules::decide(&model, actors[index], command) {
                Ok(change) => {
                    model.apply(&change);
                    model.seq += 1;
                    assert_eq!(acked(answer), model.seq, "seed {seed}, command {index}");
                }
                Err(rejection) => assert_eq!(
                    rejected(answer),
                    rejection.error.code,
                    "seed {seed}, command {index}: {command:?}"
                ),
            }
        }
    }
    let accepted = model.seq - start;
    assert!(
        hub.transactions() - transactions < accepted.min(groups),
        "commands queued together were committed together"
    );
    let shape = |board: &Board| {
        let mut notes: Vec<_> = (board.notes.values())
            .filter(|note| notes.contains(&note.id))
            .map(|n| {
                (
                    n.id,
                    n.text.clone(),
                    n.heading.clone(),
                    n.order.clone(),
                    n.version,
                    n.deleted,
                )
            })
            .collect();
        notes.sort_by_key(|note| note.0);
        (board.seq, notes)
    };
    assert_eq!(shape(&hub.board(review).await.unwrap()), shape(&model));
    assert_eq!(shape(&stored(&app, review).await), shape(&model));
    app.stop().await;
}
