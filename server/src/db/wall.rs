//! The findings wall's rows: notes, headings and the event log, written together in one
//! transaction per committed change.

use app::people::PersonId;
use app::review::ReviewId;
use app::wall::protocol::{OpId, WallEvent};
use app::wall::{Board, Change, Heading, HeadingId, Note, NoteId, NoteKind};
use surrealdb::types::{RecordId, RecordIdKey, SurrealValue};

use super::records::{
    heading_record, message_record, note_record, person_record, review_record, settings_record,
};
use super::{Database, DbError};

#[derive(Debug, SurrealValue)]
struct StateRow {
    state: String,
}

#[derive(Debug, SurrealValue)]
struct HeadingRow {
    id: String,
    title: String,
    position: i64,
    archived: bool,
}

#[derive(Debug, SurrealValue)]
struct NoteRow {
    id: uuid::Uuid,
    heading: Option<String>,
    order_key: String,
    text: String,
    kind: String,
    source: String,
    stakeholder: String,
    pair: Option<i64>,
    author: Option<String>,
    tags: Vec<String>,
    version: i64,
    deleted: bool,
}

#[derive(Debug, SurrealValue)]
struct EventRow {
    seq: i64,
    op: String,
    change: String,
}

#[derive(Debug, SurrealValue)]
struct OpRow {
    op: String,
    seq: i64,
}

/// Reads a review's whole wall: headings, notes (deleted ones too), key messages, settings and
/// the sequence number of its last event.
pub async fn load(db: &Database, review: ReviewId) -> Result<Board, DbError> {
    let mut response = db
        .query(
            "SELECT <string> record::id(id)[1] AS id, title, position, archived FROM heading
                 WHERE review = $review;
             SELECT record::id(id)[1] AS id, heading, order_key, text, kind, source, stakeholder,
                 pair, author.name AS author, tags, version, deleted
                 FROM note WHERE review = $review;
             SELECT VALUE seq FROM wall_event WHERE review = $review ORDER BY seq DESC LIMIT 1;
             SELECT state FROM key_message WHERE review = $review;
             SELECT state FROM $settings;",
        )
        .bind(("review", review_record(review)))
        .bind(("settings", settings_record(review)))
        .await?;
    let headings: Vec<HeadingRow> = response.take(0)?;
    let notes: Vec<NoteRow> = response.take(1)?;
    let head: Option<i64> = response.take(2)?;
    let messages: Vec<StateRow> = response.take(3)?;
    let settings: Vec<StateRow> = response.take(4)?;
    let mut board = Board::default();
    for row in headings {
        board.apply(&Change::Heading {
            heading: Heading {
                id: HeadingId(row.id),
                title: row.title,
                position: row.position,
                archived: row.archived,
            },
        });
    }
    for row in notes {
        let kind = NoteKind::parse(&row.kind)
            .ok_or_else(|| DbError::Corrupt(format!("note {} has kind {:?}", row.id, row.kind)))?;
        board.notes.insert(
            NoteId(row.id),
            Note {
                id: NoteId(row.id),
                heading: row.heading.map(HeadingId),
                order: row.order_key,
                text: row.text,
                kind,
                source: row.source,
                stakeholder: row.stakeholder,
                pair: row.pair,
                author: row.author.unwrap_or_default(),
                tags: row.tags,
                version: row.version.max(0) as u64,
                deleted: row.deleted,
            },
        );
    }
    for row in messages {
        let message: app::wall::KeyMessage = serde_json::from_str(&row.state)
            .map_err(|error| DbError::Corrupt(format!("a key message: {error}")))?;
        board.messages.insert(message.id, message);
    }
    if let Some(row) = settings.into_iter().next() {
        board.settings = serde_json::from_str(&row.state)
            .map_err(|error| DbError::Corrupt(format!("the wall's settings: {error}")))?;
    }
    board.seq = head.unwrap_or(0).max(0) as u64;
    Ok(board)
}

/// The ids of the latest `limit` operations on a review's wall with their sequence numbers,
/// newest first.
pub async fn latest_ops(
    db: &Database,
    review: ReviewId,
    limit: usize,
) -> Result<Vec<(OpId, u64)>, DbError> {
    let mut response = db
        .query(
            "SELECT op, seq FROM wall_event WHERE review = $review ORDER BY seq DESC LIMIT $limit",
        )
        .bind(("review", review_record(review)))
        .bind(("limit", limit as i64))
        .await?;
    let rows: Vec<OpRow> = response.take(0)?;
    rows.into_iter()
        .map(|row| Ok((parse_op(&row.op)?, row.seq.max(0) as u64)))
        .collect()
}

fn parse_op(text: &str) -> Result<OpId, DbError> {
    uuid::Uuid::parse_str(text)
        .map(OpId)
        .map_err(|_| DbError::Corrupt(format!("wall event op {text:?}")))
}

/// The events of a review's wall after `after`, in order, at most `limit`.
pub async fn events_after(
    db: &Database,
    review: ReviewId,
    after: u64,
    limit: u64,
) -> Result<Vec<WallEvent>, DbError> {
    let mut response = db
        .query(
            "SELECT seq, op, change FROM wall_event WHERE review = $review AND seq > $after
                 ORDER BY seq LIMIT $limit",
        )
        .bind(("review", review_record(review)))
        .bind(("after", after as i64))
        .bind(("limit", limit as i64))
        .await?;
    let rows: Vec<EventRow> = response.take(0)?;
    rows.into_iter()
        .map(|row| {
            Ok(WallEvent {
                seq: row.seq.max(0) as u64,
                op: parse_op(&row.op)?,
                change: serde_json::from_str(&row.change).map_err(|error| {
                    DbError::Corrupt(format!("wall event {}: {error}", row.seq))
                })?,
            })
        })
        .collect()
}

/// The sequence number an operation was committed as, if it was.
pub async fn find_op(db: &Database, review: ReviewId, op: OpId) -> Result<Option<u64>, DbError> {
    let mut response = db
        .query("SELECT VALUE seq FROM wall_event WHERE review = $review AND op = $op LIMIT 1")
        .bind(("review", review_record(review)))
        .bind(("op", op.to_string()))
        .await?;
    let seq: Option<i64> = response.take(0)?;
    Ok(seq.map(|seq| seq.max(0) as u64))
}

#[derive(Debug, Clone, SurrealValue)]
struct NoteContent {
    review: RecordId,
    heading: Option<String>,
    order_key: String,
    text: String,
    kind: String,
    source: String,
    stakeholder: String,
    pair: Option<i64>,
    tags: Vec<String>,
    version: i64,
    deleted: bool,
    updated_at: chrono::DateTime<chrono::Utc>,
}

fn note_content(review: ReviewId, note: &Note) -> NoteContent {
    NoteContent {
        review: review_record(review),
        heading: note.heading.as_ref().map(|heading| heading.0.clone()),
        order_key: note.order.clone(),
        text: note.text.clone(),
        kind: note.kind.as_str().to_string(),
        source: note.source.clone(),
        stakeholder: note.stakeholder.clone(),
        pair: note.pair,
        tags: note.tags.clone(),
        version: note.version as i64,
        deleted: note.deleted,
        updated_at: chrono::Utc::now(),
    }
}

/// A value bound into the commit's query.
#[derive(Debug, Clone)]
enum Bind {
    Record(RecordId),
    Note(Box<NoteContent>),
    Text(String),
    Int(i64),
    Flag(bool),
}

/// How a commit went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Commit {
    Done,
    /// Another writer took this sequence number first (another node): reload and try again.
    SeqTaken,
    /// The operation was already committed, as this sequence number.
    Duplicate(u64),
}

/// Writes the event `seq` and the rows its change touches, in one transaction. `actor` is
/// recorded on the event, and as the author of a note the change creates.
pub async fn commit(
    db: &Database,
    review: ReviewId,
    seq: u64,
    op: OpId,
    actor: PersonId,
    change: &Change,
) -> Result<Commit, DbError> {
    let payload = serde_json::to_string(change)
        .map_err(|error| DbError::Corrupt(format!("encoding a change: {error}")))?;
    let mut writes = String::new();
    let mut binds: Vec<(String, Bind)> = vec![
        ("review".into(), Bind::Record(review_record(review))),
        ("seq".into(), Bind::Int(seq as i64)),
        ("op".into(), Bind::Text(op.to_string())),
        ("actor".into(), Bind::Record(person_record(actor))),
        ("change".into(), Bind::Text(payload)),
    ];
    let mut notes: Vec<&Note> = Vec::new();
    match change {
        Change::Note { note } => notes.push(note),
        Change::Heading { heading } => {
            writes.push_str(
                "UPSERT $h0 SET review = $review, title = $title, position = $position,
                     archived = $archived;",
            );
            binds.push((
                "h0".into(),
                Bind::Record(heading_record(review, &heading.id)),
            ));
            binds.push(("title".into(), Bind::Text(heading.title.clone())));
            binds.push(("position".into(), Bind::Int(heading.position)));
            binds.push(("archived".into(), Bind::Flag(heading.archived)));
        }
        Change::HeadingsOrdered { order } => {
            for (index, id) in order.iter().enumerate() {
                writes.push_str(&format!(
                    "UPDATE $h{index} SET position = {index} WHERE review = $review;"
                ));
                binds.push((
                    format!("h{index}"),
                    Bind::Record(heading_record(review, id)),
                ));
            }
        }
        Change::HeadingArchived { heading, moved } => {
            writes.push_str("UPDATE $h0 SET archived = true WHERE review = $review;");
            binds.push(("h0".into(), Bind::Record(heading_record(review, heading))));
            notes.extend(moved);
        }
        Change::Message { message } => {
            writes.push_str(
                "UPSERT $m0 SET review = $review, state = $state, updated_at = time::now();",
            );
            binds.push((
                "m0".into(),
                Bind::Record(message_record(review, message.id)),
            ));
            binds.push(("state".into(), Bind::Text(encode(message)?)));
        }
        Change::Settings { settings } => {
            writes.push_str(
                "UPSERT $s0 SET review = $review, state = $state, updated_at = time::now();",
            );
            binds.push(("s0".into(), Bind::Record(settings_record(review))));
            binds.push(("state".into(), Bind::Text(encode(settings)?)));
        }
    }
    for (index, note) in notes.into_iter().enumerate() {
        // A new note takes its author from the event's actor; later writes leave it alone.
        writes.push_str(&format!(
            "UPSERT $n{index} MERGE $c{index};
             UPDATE $n{index} SET author = $actor WHERE author = NONE AND review = $review;"
        ));
        binds.push((
            format!("n{index}"),
            Bind::Record(note_record(review, note.id)),
        ));
        binds.push((
            format!("c{index}"),
            Bind::Note(Box::new(note_content(review, note))),
        ));
    }
    let sql = format!(
        "BEGIN TRANSACTION;
         CREATE wall_event SET review = $review, seq = $seq, op = $op, actor = $actor,
             change = $change, at = time::now();
         {writes}
         COMMIT TRANSACTION;"
    );
    let result = super::retry_conflicts(|| {
        let mut query = db.query(sql.clone());
        for (name, value) in &binds {
            let name = name.clone();
            query = match value.clone() {
                Bind::Record(record) => query.bind((name, record)),
                Bind::Note(content) => query.bind((name, *content)),
                Bind::Text(text) => query.bind((name, text)),
                Bind::Int(number) => query.bind((name, number)),
                Bind::Flag(flag) => query.bind((name, flag)),
            };
        }
        async move { query.await?.check() }
    })
    .await;
    match result {
        Ok(_) => Ok(Commit::Done),
        Err(error) => {
            // The transaction failed as a whole; which unique index refused it is read back
            // rather than parsed from the message.
            if let Some(seq) = find_op(db, review, op).await? {
                return Ok(Commit::Duplicate(seq));
            }
            if seq_taken(db, review, seq).await? {
                return Ok(Commit::SeqTaken);
            }
            Err(error.into())
        }
    }
}

fn encode(value: &impl serde::Serialize) -> Result<String, DbError> {
    serde_json::to_string(value).map_err(|error| DbError::Corrupt(format!("encoding: {error}")))
}

/// Whether the board's log already has an event `seq`.
async fn seq_taken(db: &Database, review: ReviewId, seq: u64) -> Result<bool, DbError> {
    let mut response = db
        .query("RETURN count(SELECT id FROM wall_event WHERE review = $review AND seq = $seq) > 0")
        .bind(("review", review_record(review)))
        .bind(("seq", seq as i64))
        .await?;
    let taken: Option<bool> = response.take(0)?;
    Ok(taken.unwrap_or(false))
}

#[derive(Debug, SurrealValue)]
struct LiveRow {
    review: RecordId,
    seq: i64,
    op: String,
    change: String,
}

/// Notifications of new events on every wall: (live query id, review, event).
pub type LiveEvents = super::live::LiveRows<(ReviewId, WallEvent)>;

/// Starts one LIVE query on the whole event log. Notifications may come out of order or (by
/// known SurrealDB bugs) not at all; the board tasks order them and read any gap.
pub async fn live_events(db: &Database) -> Result<LiveEvents, DbError> {
    use futures_util::StreamExt;
    let rows = super::live::live_creates::<LiveRow>(
        db,
        "LIVE SELECT review, seq, op, change FROM wall_event",
    )
    .await?;
    Ok(Box::pin(rows.filter_map(|item| async move {
        let (query, row) = match item {
            Ok(created) => created,
            Err(error) => return Some(Err(error)),
        };
        let review = match row.review.key {
            RecordIdKey::Uuid(id) => ReviewId(id.into()),
            _ => return None,
        };
        let op = uuid::Uuid::parse_str(&row.op).ok()?;
        let change = serde_json::from_str(&row.change).ok()?;
        let event = WallEvent {
            seq: row.seq.max(0) as u64,
            op: OpId(op),
            change,
        };
        Some(Ok((query, (review, event))))
    })))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::DatabaseConfig;

    /// The schema itself refuses to move a wall row to another review.
    #[tokio::test]
    async fn a_rows_review_is_read_only() {
        let config = <crate::Config as clap::Parser>::parse_from(["peerwall", "--db", "mem://"]);
        let config: DatabaseConfig = config.database();
        let db = Database::open(&config).await.unwrap();
        super::super::migrations::migrate(&db, super::super::migrations::MIGRATIONS)
            .await
            .unwrap();
        let (one, two) = (ReviewId::new(), ReviewId::new());
        let heading = HeadingId::new();
        let change = Change::Heading {
            heading: Heading {
                id: heading.clone(),
                title: "Finance".into(),
                position: 0,
                archived: false,
            },
        };
        let actor = PersonId(uuid::Uuid::new_v4());
        let op = OpId(uuid::Uuid::new_v4());
        assert_eq!(
            commit(&db, one, 1, op, actor, &change).await.unwrap(),
            Commit::Done
        );
        let moved = db
            .query("UPDATE $h SET review = $other")
            .bind(("h", heading_record(one, &heading)))
            .bind(("other", review_record(two)))
            .await
            .unwrap()
            .check();
        assert!(moved.is_err(), "a heading's review changed");
        // The same id committed on the other review is that review's own row.
        let op = OpId(uuid::Uuid::new_v4());
        assert_eq!(
            commit(&db, two, 1, op, actor, &change).await.unwrap(),
            Commit::Done
        );
        assert_eq!(load(&db, one).await.unwrap().headings.len(), 1);
        assert_eq!(load(&db, two).await.unwrap().headings.len(), 1);
        db.close().await;
    }
}
