//! What one durable write costs the embedded database, measured apart from the server: the
//! floor under the wall's CPU per operation (issue 25; docs/benchmarks.md, "the database's
//! floor"). Run by hand, in release, on an idle machine:
//! `cargo test --release -p peerwall-server --lib floor -- --ignored --nocapture`.
//!
//! Each way of writing commits `OPS` times, one at a time, to a fresh folder synced at every
//! commit (the server's defaults), and prints the process's CPU (every thread: the engine's
//! commit and flush threads too) and wall time per commit. A small run of every way on
//! `mem://` is an ordinary test, so that the measurement keeps writing what it says it writes.

use std::time::{Duration, Instant};

use app::accounts::PersonId;
use app::review::ReviewId;
use app::wall::protocol::OpId;
use app::wall::{Change, Note, NoteId, NoteKind};

use super::super::Database;
use super::super::records::review_record;
use super::{Commit, Entry, commit};

const OPS: usize = 2_000;

/// The process's CPU time so far (user and system, every thread), from `/proc/self/stat` in
/// clock ticks (Linux's USER_HZ, 100 a second on every architecture it reports to user space
/// with: 10 ms, against the second or more a run of 2,000 commits takes).
fn cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("reading /proc/self/stat");
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .expect("a stat line")
        .1
        .split_whitespace()
        .collect();
    let ticks = |index: usize| fields[index].parse::<u64>().expect("clock ticks");
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

/// A migrated database at `location` (a `surrealkv://` folder, or `mem://`).
async fn fresh(location: &str) -> Database {
    let config = <crate::Config as clap::Parser>::parse_from(["peerwall", "--db", location]);
    let db = Database::open(&config.database())
        .await
        .expect("opening the database");
    super::super::migrations::migrate(&db, super::super::migrations::MIGRATIONS)
        .await
        .expect("migrating");
    db
}

fn note(id: NoteId, version: u64) -> Note {
    Note {
        id,
        heading: None,
        order: "a0".into(),
        text: format!("Staff said the new front door is working well ({version})"),
        kind: NoteKind::Strength,
        source: "Focus group with front-line staff".into(),
        session: None,
        stakeholder: "Staff".into(),
        pair: Some(1),
        author: String::new(),
        tags: vec!["customer".into()],
        version,
        deleted: false,
    }
}

/// Runs `write(i)` `count` times after a tenth as many to warm up; returns CPU and wall time
/// per write.
async fn measure<F, Fut>(count: usize, mut write: F) -> (Duration, Duration)
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let warm_up = count / 10;
    for i in 0..warm_up {
        write(i).await;
    }
    let (cpu_before, started) = (cpu(), Instant::now());
    for i in warm_up..warm_up + count {
        write(i).await;
    }
    let per = |d: Duration| d / count as u32;
    (per(cpu() - cpu_before), per(started.elapsed()))
}

/// Commits one change of `note` as the wall does (its event and its row), as event `seq`.
async fn commit_note(
    db: &Database,
    review: ReviewId,
    actor: PersonId,
    seq: u64,
    note: Note,
    creates: bool,
) {
    let change = Change::Note { note };
    let entry = Entry {
        seq,
        op: OpId::new(),
        actor,
        change: &change,
        creates,
    };
    let done = commit(db, review, &[entry]).await.expect("committing");
    assert_eq!(done, Commit::Done);
}

/// One line per way of writing.
fn report(name: &str, (cpu, wall): (Duration, Duration)) {
    println!(
        "floor:   {name:<56} CPU {:>6.3} ms, wall {:>6.3} ms per commit",
        cpu.as_secs_f64() * 1000.0,
        wall.as_secs_f64() * 1000.0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement, run by hand in release (see the module's comment)"]
async fn floor() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let folder = format!("surrealkv://{}", dir.path().join("db").display());
    for location in [folder.as_str(), "mem://"] {
        println!("floor: {location}");
        ways(fresh(location).await, OPS).await;
    }
}

/// The wall's edit as the store grows, as in the soak: one-note commits measured on a fresh
/// folder, then again after each round of [`GROWTH_EVENTS`] more events (twenty boards' edits,
/// committed in batches as a burst would be), beside how many table files the engine holds.
/// Run by hand: `cargo test --release -p peerwall-server --lib floor_as_the_store_grows --
/// --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement, run by hand in release (see the module's comment)"]
async fn floor_as_the_store_grows() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("db");
    let db = fresh(&format!("surrealkv://{}", path.display())).await;
    let actor = PersonId::new();
    let boards: Vec<(ReviewId, Vec<NoteId>)> = (0..20)
        .map(|_| (ReviewId::new(), (0..400).map(|_| NoteId::new()).collect()))
        .collect();
    let mut heads = vec![0_u64; boards.len()];
    // Every board's notes made first, as the soak's seeding does.
    for (board, (review, notes)) in boards.iter().enumerate() {
        grow(&db, *review, actor, &mut heads[board], notes, true).await;
    }
    for round in 0..=GROWTH_ROUNDS {
        if round > 0 {
            let (cpu_before, started) = (cpu(), Instant::now());
            let rounds = GROWTH_EVENTS / (boards.len() * 400);
            for _ in 0..rounds {
                for (board, (review, notes)) in boards.iter().enumerate() {
                    grow(&db, *review, actor, &mut heads[board], notes, false).await;
                }
            }
            // The batches' own cost, and the engine's flushes and compactions they set off.
            let events = (rounds * boards.len() * 400) as u32;
            println!(
                "floor:   growing, {} events in batches of 100: CPU {:.3} ms, wall {:.3} ms per event",
                events,
                ((cpu() - cpu_before) / events).as_secs_f64() * 1000.0,
                (started.elapsed() / events).as_secs_f64() * 1000.0
            );
        }
        let (review, notes) = (boards[0].0, &boards[0].1);
        let mut seq = heads[0];
        let edit = |i: usize| {
            seq += 1;
            let (db, seq) = (db.clone(), seq);
            let id = notes[i % notes.len()];
            async move { commit_note(&db, review, actor, seq, note(id, seq), false).await }
        };
        let measured = measure(OPS, edit).await;
        heads[0] += (OPS + OPS / 10) as u64;
        let tables = std::fs::read_dir(path.join("sstables")).map_or(0, Iterator::count);
        report(
            &format!(
                "edit after {} events, {tables} table files",
                round * GROWTH_EVENTS + heads.len() * 400
            ),
            measured,
        );
    }
    db.close().await;
}

/// Events added to the store between two measurements of [`floor_as_the_store_grows`], and how
/// many rounds: about the soak's 144,000 operations in all.
const GROWTH_EVENTS: usize = 32_000;
const GROWTH_ROUNDS: usize = 5;

/// Commits one edit of each of `notes` (or creates them) on `review`'s board, 100 to a
/// transaction.
async fn grow(
    db: &Database,
    review: ReviewId,
    actor: PersonId,
    head: &mut u64,
    notes: &[NoteId],
    creates: bool,
) {
    for chunk in notes.chunks(100) {
        let changes: Vec<Change> = chunk
            .iter()
            .enumerate()
            .map(|(i, id)| Change::Note {
                note: note(*id, *head + 1 + i as u64),
            })
            .collect();
        let entries: Vec<Entry<'_>> = changes
            .iter()
            .enumerate()
            .map(|(i, change)| Entry {
                seq: *head + 1 + i as u64,
                op: OpId::new(),
                actor,
                change,
                creates,
            })
            .collect();
        let done = commit(db, review, &entries).await.expect("committing");
        assert_eq!(done, Commit::Done);
        *head += chunk.len() as u64;
    }
}

/// Every way of writing, a few times each on `mem://`: each still writes what it says (the
/// wall's commits are accepted, and the edits change the rows the creates made).
#[tokio::test]
async fn every_way_of_writing_writes() {
    ways(fresh("mem://").await, 20).await;
}

/// Measures each way of writing `count` times on `db`, then closes it.
async fn ways(db: Database, count: usize) {
    let review = ReviewId::new();
    let actor = PersonId::new();

    // The wall's path today: the event and the note's row, for a note created, then edited.
    // The first notes created are the ones the edits then change.
    let notes: Vec<NoteId> = (0..count.min(50)).map(|_| NoteId::new()).collect();
    let seq = std::cell::Cell::new(0_u64);
    let last_edit = std::cell::Cell::new(0_u64);
    let wall = |creates: bool| {
        let (db, notes, seq, last_edit) = (db.clone(), notes.clone(), &seq, &last_edit);
        move |i: usize| {
            seq.set(seq.get() + 1);
            let (db, seq) = (db.clone(), seq.get());
            let id = match (creates, notes.get(i)) {
                (true, Some(id)) => *id,
                (true, None) => NoteId::new(),
                (false, _) => notes[i % notes.len()],
            };
            let version = 1_000_000 + i as u64;
            if !creates {
                last_edit.set(version);
            }
            async move { commit_note(&db, review, actor, seq, note(id, version), creates).await }
        }
    };
    report(
        "wall: event + new note's row (create)",
        measure(count, wall(true)).await,
    );
    report(
        "wall: event + note row merged (edit, move, delete)",
        measure(count, wall(false)).await,
    );
    // The edits wrote real rows: the note edited last holds that edit.
    let edited = notes[(count / 10 + count - 1) % notes.len()];
    let row = super::note(&db, review, edited)
        .await
        .expect("reading a note");
    assert_eq!(
        row.map(|n| n.version),
        Some(last_edit.get()),
        "the edits changed no row"
    );

    report(
        "wall edits, 20 boards at once (as the triangulation day)",
        concurrent(&db, actor, count).await,
    );

    let event = serde_json::to_string(&Change::Note {
        note: note(NoteId::new(), 1),
    })
    .expect("encoding");
    let query = |sql: String| {
        let (db, event) = (db.clone(), event.clone());
        let review = ReviewId::new();
        move |i: usize| {
            let (db, event, sql) = (db.clone(), event.clone(), sql.clone());
            async move {
                db.query(sql)
                    .bind(("review", review_record(review)))
                    .bind(("seq", i as i64))
                    .bind(("op", OpId::new().to_string()))
                    .bind(("actor", super::super::records::person_record(actor)))
                    .bind(("change", event))
                    .await
                    .expect("writing")
                    .check()
                    .expect("written");
            }
        }
    };
    let event_fields = "SET review = $review, seq = $seq, op = $op, actor = $actor, schema = 1,
         change = $change, at = time::now();";
    for (name, sql) in [
        (
            "event alone, with its two unique indexes",
            format!("CREATE wall_event {event_fields}"),
        ),
        (
            "the same fields to a table without indexes or schema",
            format!("CREATE floor_event {event_fields}"),
        ),
        (
            "one field of one record (UPSERT)",
            "UPSERT floor:one SET seq = $seq;".into(),
        ),
        (
            "no write: RETURN (the query's own round trip)",
            "RETURN $seq;".into(),
        ),
    ] {
        report(name, measure(count, query(sql)).await);
    }
    db.close().await;
}

/// Twenty boards committing edits at the same time, each one at a time (as the board tasks do),
/// `count` in all; CPU and wall time per commit over all of them.
async fn concurrent(db: &Database, actor: PersonId, count: usize) -> (Duration, Duration) {
    const BOARDS: usize = 20;
    let per_board = (count / BOARDS).max(1);
    let board = |db: Database| async move {
        let (review, id) = (ReviewId::new(), NoteId::new());
        for seq in 1..=per_board as u64 {
            commit_note(&db, review, actor, seq, note(id, seq), seq == 1).await;
        }
    };
    let (cpu_before, started) = (cpu(), Instant::now());
    let tasks: Vec<_> = (0..BOARDS)
        .map(|_| tokio::spawn(board(db.clone())))
        .collect();
    for task in tasks {
        task.await.expect("a board");
    }
    let commits = (BOARDS * per_board) as u32;
    ((cpu() - cpu_before) / commits, started.elapsed() / commits)
}
