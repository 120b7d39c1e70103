//! What one durable write costs the embedded database, measured apart from the server: the
//! floor under the wall's CPU per operation (issue 25; docs/benchmarks.md, "the database's
//! floor"). Run by hand, in release, on an idle machine:
//! `cargo test --release -p peerwall-server --lib floor -- --ignored --nocapture`.
//!
//! Each way of writing commits `OPS` times, one at a time, to a fresh folder synced at every
//! commit (the server's defaults), and prints the process's CPU (every thread: the engine's
//! commit and flush threads too) and wall time per commit.

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
/// clock ticks (10 ms: a run of 2,000 commits takes a second or more).
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

/// Runs `write(i)` `OPS` times after a warm-up of 200; returns CPU and wall time per write.
async fn measure<F, Fut>(mut write: F) -> (Duration, Duration)
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for i in 0..200 {
        write(i).await;
    }
    let (cpu_before, started) = (cpu(), Instant::now());
    for i in 200..200 + OPS {
        write(i).await;
    }
    let per = |d: Duration| d / OPS as u32;
    (per(cpu() - cpu_before), per(started.elapsed()))
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
        ways(fresh(location).await).await;
    }
}

/// Measures each way of writing on `db`, then closes it.
async fn ways(db: Database) {
    let review = ReviewId::new();
    let actor = PersonId::new();

    // The wall's path today: the event and the note's row, for a note created, then edited.
    let notes: Vec<NoteId> = (0..50).map(|_| NoteId::new()).collect();
    let seq = std::cell::Cell::new(0_u64);
    let wall = |creates: bool| {
        let (db, notes, seq) = (db.clone(), notes.clone(), &seq);
        move |i: usize| {
            seq.set(seq.get() + 1);
            let (db, seq) = (db.clone(), seq.get());
            // The first 50 creates are the notes the edits then change.
            let id = match (creates, notes.get(i)) {
                (true, Some(id)) => *id,
                (true, None) => NoteId::new(),
                (false, _) => notes[i % notes.len()],
            };
            let change = Change::Note {
                note: note(id, i as u64),
            };
            async move {
                let entry = Entry {
                    seq,
                    op: OpId::new(),
                    actor,
                    change: &change,
                    creates,
                };
                let done = commit(&db, review, &[entry]).await.expect("committing");
                assert_eq!(done, Commit::Done);
            }
        }
    };
    report(
        "wall: event + new note's row (create)",
        measure(wall(true)).await,
    );
    report(
        "wall: event + note row merged (edit, move, delete)",
        measure(wall(false)).await,
    );

    report(
        "wall edits, 20 boards at once (as the triangulation day)",
        concurrent(&db, actor).await,
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
        report(name, measure(query(sql)).await);
    }
    db.close().await;
}

/// Twenty boards committing edits at the same time, each one at a time (as the board tasks do);
/// CPU and wall time per commit over all of them.
async fn concurrent(db: &Database, actor: PersonId) -> (Duration, Duration) {
    const BOARDS: usize = 20;
    let per_board = OPS / BOARDS;
    let board = |db: Database| async move {
        let (review, id) = (ReviewId::new(), NoteId::new());
        for seq in 1..=per_board as u64 {
            let change = Change::Note {
                note: note(id, seq),
            };
            let entry = Entry {
                seq,
                op: OpId::new(),
                actor,
                change: &change,
                creates: seq == 1,
            };
            let done = commit(&db, review, &[entry]).await.expect("committing");
            assert_eq!(done, Commit::Done);
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
