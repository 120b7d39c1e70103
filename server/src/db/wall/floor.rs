//! What one durable write costs the embedded database, measured apart from the server: the
//! floor under the wall's CPU per operation (issue 25; docs/benchmarks.md, "the database's
//! floor"). Run by hand, in release, on an idle machine:
//! `cargo test --release -p peerwall-server --lib floor -- --ignored --nocapture` (every
//! measurement; add `--exact db::wall::floor::floor`, `db::wall::floor::floor_as_the_store_grows`
//! or `db::wall::floor::floor_of_a_log_of_our_own` for one).
//!
//! Each way of writing commits `OPS` times, one at a time, to a fresh folder synced at every
//! commit (the server's defaults), and prints the process's CPU (every thread: the engine's
//! commit and flush threads too) and wall time per commit. The second measurement repeats the
//! wall's edit as the store grows to the soak's size. A small run of each on `mem://` is an
//! ordinary test, so that the measurements keep writing what they say they write.

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

/// What a log of the wall's own, in front of the database, would cost a durable operation: the
/// event as the wall encodes it, appended to a file and synced (`fdatasync`) one at a time —
/// to a file that grows, and over a file of zeros written and synced beforehand, so that a sync
/// writes the data and no change of the file's size.
#[test]
#[ignore = "a measurement, run by hand in release (see the module's comment)"]
fn floor_of_a_log_of_our_own() {
    use std::io::{Seek, Write};
    const SLOT: usize = 1024;
    let dir = tempfile::tempdir().expect("a temporary folder");
    let change = Change::Note {
        note: note(NoteId::new(), 1),
    };
    let mut record = serde_json::to_vec(&change).expect("encoding");
    record.resize(SLOT, b' ');
    for (name, zeroed) in [
        (
            "own log: event appended and synced, the file growing",
            false,
        ),
        ("own log: event written over zeros and synced", true),
    ] {
        let mut file = std::fs::File::create(dir.path().join(format!("log-{zeroed}")))
            .expect("making the log");
        if zeroed {
            file.write_all(&vec![0; (OPS + OPS / 10) * SLOT])
                .expect("writing zeros");
            file.sync_all().expect("syncing the zeros");
            file.rewind().expect("back to the start");
        }
        let mut append = || {
            file.write_all(&record).expect("writing");
            file.sync_data().expect("syncing");
        };
        for _ in 0..OPS / 10 {
            append();
        }
        let (cpu_before, started) = (cpu(), Instant::now());
        for _ in 0..OPS {
            append();
        }
        let per = |d: Duration| d / OPS as u32;
        report(name, (per(cpu() - cpu_before), per(started.elapsed())));
    }
}

/// The wall's edit as the store grows, as in the soak: one-note commits measured once every
/// board's notes are made, then again after each of [`GROWTH_ROUNDS`] rounds of
/// [`GROWTH_EVENTS`] more events (every board's notes edited, 100 to a transaction, as a burst
/// commits them), beside how many table files the engine holds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement, run by hand in release (see the module's comment)"]
async fn floor_as_the_store_grows() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("db");
    let db = fresh(&format!("surrealkv://{}", path.display())).await;
    let mut store = Store::seeded(db.clone(), GROWN_BOARDS).await;
    for round in 0..=GROWTH_ROUNDS {
        if round > 0 {
            let (cpu_before, started) = (cpu(), Instant::now());
            let events = store.grow(GROWTH_EVENTS).await as u32;
            // The batches' own cost, and the engine's flushes and compactions they set off.
            println!(
                "floor:   growing, {events} events in batches of 100: CPU {:.3} ms, wall {:.3} ms per event",
                ((cpu() - cpu_before) / events).as_secs_f64() * 1000.0,
                (started.elapsed() / events).as_secs_f64() * 1000.0
            );
        }
        let measured = store.measure_edits(OPS).await;
        let tables = std::fs::read_dir(path.join("sstables")).map_or(0, Iterator::count);
        report(
            &format!("edit after {} events, {tables} table files", store.events),
            measured,
        );
    }
    db.close().await;
}

/// The grown store's writes still land: a round on `mem://`, then the notes hold their last
/// edit and the boards' logs their last event.
#[tokio::test]
async fn the_growing_store_writes_what_it_says() {
    let mut store = Store::seeded(fresh("mem://").await, 2).await;
    assert_eq!(store.grow(2 * NOTES_PER_BOARD).await, 2 * NOTES_PER_BOARD);
    store.measure_edits(20).await;
    let measured = 20 + 2;
    assert_eq!(store.events, 4 * NOTES_PER_BOARD + measured);
    for (board, (review, notes)) in store.boards.iter().enumerate() {
        let last = super::note(&store.db, *review, notes[NOTES_PER_BOARD - 1])
            .await
            .expect("reading a note");
        assert_eq!(
            last.map(|n| n.version),
            Some(2 * NOTES_PER_BOARD as u64),
            "board {board}: the last note does not hold its growth edit"
        );
        let head = 2 * NOTES_PER_BOARD + if board == 0 { measured } else { 0 };
        assert_eq!(store.heads[board], head as u64);
        let loaded = super::load(&store.db, *review).await.expect("loading");
        assert_eq!(loaded.seq, head as u64, "board {board}: the log's head");
    }
    // The last edit measured is on the first board's note 21, as its event 822.
    let (review, notes) = &store.boards[0];
    let row = super::note(&store.db, *review, notes[measured - 1])
        .await
        .expect("reading a note");
    assert_eq!(
        row.map(|n| n.version),
        Some((2 * NOTES_PER_BOARD + measured) as u64)
    );
}

/// Boards in [`floor_as_the_store_grows`], as many as the soak's.
const GROWN_BOARDS: usize = 20;
/// Notes on each, as the soak seeds them.
const NOTES_PER_BOARD: usize = 400;
/// Events added to the store between two measurements, and how many rounds: about the soak's
/// 144,000 operations in all.
const GROWTH_EVENTS: usize = 32_000;
const GROWTH_ROUNDS: usize = 5;

/// Boards of notes on one database, each with its log's head, and the events written so far.
struct Store {
    db: Database,
    actor: PersonId,
    boards: Vec<(ReviewId, Vec<NoteId>)>,
    heads: Vec<u64>,
    events: usize,
}

impl Store {
    /// `boards` boards with every note made, as the soak's seeding does.
    async fn seeded(db: Database, boards: usize) -> Self {
        let mut store = Store {
            db,
            actor: PersonId::new(),
            boards: (0..boards)
                .map(|_| {
                    let notes = (0..NOTES_PER_BOARD).map(|_| NoteId::new()).collect();
                    (ReviewId::new(), notes)
                })
                .collect(),
            heads: vec![0; boards],
            events: 0,
        };
        store.every_note(true).await;
        store
    }

    /// Edits every board's notes until about `events` more are written; how many were.
    async fn grow(&mut self, events: usize) -> usize {
        let per_pass = self.boards.len() * NOTES_PER_BOARD;
        let passes = (events / per_pass).max(1);
        for _ in 0..passes {
            self.every_note(false).await;
        }
        passes * per_pass
    }

    /// One commit of each note of each board (creating them, or editing), 100 to a transaction.
    async fn every_note(&mut self, creates: bool) {
        for (board, (review, notes)) in self.boards.iter().enumerate() {
            let head = &mut self.heads[board];
            for chunk in notes.chunks(100) {
                commit_batch(&self.db, *review, self.actor, *head + 1, chunk, creates).await;
                *head += chunk.len() as u64;
                self.events += chunk.len();
            }
        }
    }

    /// `count` one-note edits on the first board, one at a time (after a tenth as many to warm
    /// up), as [`measure`] times them.
    async fn measure_edits(&mut self, count: usize) -> (Duration, Duration) {
        let (db, actor) = (self.db.clone(), self.actor);
        let (review, notes) = (self.boards[0].0, self.boards[0].1.clone());
        let mut seq = self.heads[0];
        let edit = |i: usize| {
            seq += 1;
            let (db, seq, id) = (db.clone(), seq, notes[i % notes.len()]);
            async move { commit_note(&db, review, actor, seq, note(id, seq), false).await }
        };
        let measured = measure(count, edit).await;
        let written = count + count / 10;
        self.heads[0] += written as u64;
        self.events += written;
        measured
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
    for size in [10, 100] {
        report(
            &format!("wall edits, {size} to a transaction (per edit)"),
            batched(&db, actor, count, size).await,
        );
    }

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

/// Commits one change of each of `notes` (their events `first`, `first + 1`, …) in one
/// transaction, as the board's group commit does.
async fn commit_batch(
    db: &Database,
    review: ReviewId,
    actor: PersonId,
    first: u64,
    notes: &[NoteId],
    creates: bool,
) {
    let changes: Vec<Change> = (notes.iter().enumerate())
        .map(|(i, id)| Change::Note {
            note: note(*id, first + i as u64),
        })
        .collect();
    let entries: Vec<Entry<'_>> = (changes.iter().enumerate())
        .map(|(i, change)| Entry {
            seq: first + i as u64,
            op: OpId::new(),
            actor,
            change,
            creates,
        })
        .collect();
    let done = commit(db, review, &entries).await.expect("committing");
    assert_eq!(done, Commit::Done);
}

/// The wall's edits committed `size` to a transaction, about `count` in all (after one batch
/// creating the notes); CPU and wall time per edit.
async fn batched(
    db: &Database,
    actor: PersonId,
    count: usize,
    size: usize,
) -> (Duration, Duration) {
    let review = ReviewId::new();
    let notes: Vec<NoteId> = (0..size).map(|_| NoteId::new()).collect();
    commit_batch(db, review, actor, 1, &notes, true).await;
    let commits = (count / size).max(1);
    let (cpu_before, started) = (cpu(), Instant::now());
    for batch in 1..=commits {
        commit_batch(db, review, actor, (batch * size) as u64 + 1, &notes, false).await;
    }
    let edits = (commits * size) as u32;
    ((cpu() - cpu_before) / edits, started.elapsed() / edits)
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
