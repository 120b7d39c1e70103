//! The findings wall's rows: notes, headings and the event log, written together in one
//! transaction per committed change.

use app::accounts::PersonId;
use app::review::ReviewId;
use app::wall::protocol::{OpId, WallEvent};
use app::wall::{
    Board, Change, Heading, HeadingId, KeyMessage, MessageId, MessageKind, Note, NoteId, NoteKind,
    WallSettings,
};
use std::collections::BTreeMap;
use surrealdb::types::{RecordId, RecordIdKey, SurrealValue, Value};

use super::records::{note_record, review_record, settings_record};
use super::{Database, DbError};

mod commit;
#[cfg(test)]
mod floor;
use commit::SettingsContent;
pub(in crate::db) use commit::seq_taken;
pub use commit::{Commit, Entry, commit};

/// How many deleted notes a board holds in memory, the latest deleted (for undo); older ones
/// stay in the database and are read back when someone restores one.
pub const DELETED_KEPT: usize = 200;

/// The format of the changes the event log holds (`wall_event.schema`): the JSON of
/// `app::wall::Change` as the first eight schema versions wrote it. A row of another format is
/// refused as corrupt rather than misread.
pub const EVENT_SCHEMA: i64 = 1;

#[derive(Debug, SurrealValue)]
struct MessageRow {
    id: uuid::Uuid,
    heading: String,
    order_key: String,
    text: String,
    kind: String,
    version: i64,
    deleted: bool,
    frozen: Option<Vec<i64>>,
}

#[derive(Debug, SurrealValue)]
struct EvidenceLink {
    message: uuid::Uuid,
    note: uuid::Uuid,
}

#[derive(Debug, SurrealValue)]
struct VoteCount {
    message: uuid::Uuid,
    person: uuid::Uuid,
    count: i64,
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
    session: Option<uuid::Uuid>,
    stakeholder: String,
    pair: Option<i64>,
    author: Option<String>,
    tags: Vec<String>,
    version: i64,
    deleted: bool,
}

impl NoteRow {
    fn into_note(self) -> Result<Note, DbError> {
        let kind = NoteKind::parse(&self.kind).ok_or_else(|| {
            DbError::Corrupt(format!("note {} has kind {:?}", self.id, self.kind))
        })?;
        Ok(Note {
            id: NoteId(self.id),
            heading: self.heading.map(HeadingId),
            order: self.order_key,
            text: self.text,
            kind,
            source: self.source,
            session: self.session.map(app::visit::SessionId),
            stakeholder: self.stakeholder,
            pair: self.pair,
            author: self
                .author
                .unwrap_or_else(|| app::wall::FORMER_MEMBER.into()),
            tags: self.tags,
            version: self.version.max(0) as u64,
            deleted: self.deleted,
        })
    }
}

#[derive(Debug, SurrealValue)]
struct DeletedNoteRow {
    #[surreal(flatten)]
    note: NoteRow,
    #[allow(dead_code)]
    updated_at: chrono::DateTime<chrono::Utc>,
}

/// One note of a review's wall as stored (a deleted one too), if it has a row.
pub async fn note(db: &Database, review: ReviewId, id: NoteId) -> Result<Option<Note>, DbError> {
    let mut response = db
        .query(
            "SELECT record::id(id)[1] AS id, heading, order_key, text, kind, source, session,
                 stakeholder, pair, author.name AS author, tags, version, deleted
                 FROM $note WHERE review = $review",
        )
        .bind(("note", note_record(review, id)))
        .bind(("review", review_record(review)))
        .await?;
    let rows: Vec<NoteRow> = response.take(0)?;
    rows.into_iter().next().map(NoteRow::into_note).transpose()
}

#[derive(Debug, SurrealValue)]
struct EventRow {
    seq: i64,
    op: String,
    schema: i64,
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
             SELECT record::id(id)[1] AS id, heading, order_key, text, kind, source, session, stakeholder,
                 pair, author.name AS author, tags, version, deleted
                 FROM note WHERE review = $review AND deleted = false;
             SELECT VALUE seq FROM wall_event WHERE review = $review ORDER BY seq DESC LIMIT 1;
             SELECT record::id(id)[1] AS id, heading, order_key, text, kind, version, deleted,
                 frozen FROM key_message WHERE review = $review;
             SELECT record::id(message)[1] AS message, record::id(note)[1] AS note
                 FROM evidence WHERE review = $review ORDER BY position;
             SELECT record::id(message)[1] AS message, record::id(person) AS person, count
                 FROM vote WHERE review = $review;
             SELECT review, locked, votes_per_person, votes_revealed, slide, quote, presenting,
                 handout_published, updated_at FROM $settings;
             SELECT VALUE at FROM $destruction;
             SELECT record::id(id)[1] AS id, heading, order_key, text, kind, source, session, stakeholder,
                 pair, author.name AS author, tags, version, deleted, updated_at
                 FROM note WHERE review = $review AND deleted = true
                 ORDER BY updated_at DESC LIMIT $deleted_kept;",
        )
        .bind(("review", review_record(review)))
        .bind(("settings", settings_record(review)))
        .bind(("destruction", super::records::destruction_record(review)))
        .bind(("deleted_kept", DELETED_KEPT as i64))
        .await?;
    let headings: Vec<HeadingRow> = response.take(0)?;
    let notes: Vec<NoteRow> = response.take(1)?;
    let head: Option<i64> = response.take(2)?;
    let messages: Vec<MessageRow> = response.take(3)?;
    let evidence: Vec<EvidenceLink> = response.take(4)?;
    let votes: Vec<VoteCount> = response.take(5)?;
    let settings: Vec<SettingsContent> = response.take(6)?;
    let destroyed: Option<chrono::DateTime<chrono::Utc>> = response.take(7)?;
    let mut deleted: Vec<DeletedNoteRow> = response.take(8)?;
    // The latest deleted are held too, oldest first (as they were deleted).
    deleted.reverse();
    let notes = notes
        .into_iter()
        .chain(deleted.into_iter().map(|row| row.note));
    let mut board = Board {
        notes_destroyed: destroyed.map(|at| at.format("%-d %B %Y").to_string()),
        ..Board::default()
    };
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
        let note = row.into_note()?;
        board.notes.insert(note.id, note);
    }
    for row in messages {
        let kind = MessageKind::parse(&row.kind).ok_or_else(|| {
            DbError::Corrupt(format!("key message {} has kind {:?}", row.id, row.kind))
        })?;
        let id = MessageId(row.id);
        board.messages.insert(
            id,
            KeyMessage {
                id,
                heading: HeadingId(row.heading),
                order: row.order_key,
                text: row.text,
                kind,
                evidence: Vec::new(),
                votes: BTreeMap::new(),
                version: row.version.max(0) as u64,
                deleted: row.deleted,
                frozen: row.frozen.as_deref().and_then(frozen_strength),
            },
        );
    }
    for link in evidence {
        if let Some(message) = board.messages.get_mut(&MessageId(link.message)) {
            message.evidence.push(NoteId(link.note));
        }
    }
    for vote in votes {
        if let Some(message) = board.messages.get_mut(&MessageId(vote.message)) {
            message
                .votes
                .insert(PersonId(vote.person), vote.count.max(0) as u32);
        }
    }
    if let Some(row) = settings.into_iter().next() {
        board.settings = WallSettings {
            locked: row.locked,
            votes_per_person: row.votes_per_person.max(0) as u32,
            votes_revealed: row.votes_revealed,
            slide: row.slide.map(HeadingId),
            quote: row.quote.map(NoteId),
            presenting: row.presenting,
            handout_published: row.handout_published,
        };
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
            "SELECT seq, op, schema, change FROM wall_event WHERE review = $review AND seq > $after
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
                change: decode_change(row.seq, row.schema, &row.change)?,
            })
        })
        .collect()
}

/// Reads an event's stored change, in the payload format its row names.
fn decode_change(seq: i64, schema: i64, change: &str) -> Result<Change, DbError> {
    if schema != EVENT_SCHEMA {
        return Err(DbError::Corrupt(format!(
            "wall event {seq} is in payload format {schema}; this peerwall reads {EVENT_SCHEMA}"
        )));
    }
    serde_json::from_str(change)
        .map_err(|error| DbError::Corrupt(format!("wall event {seq}: {error}")))
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

/// A frozen strength as stored: [notes, sessions, groups, pairs].
fn frozen_strength(stored: &[i64]) -> Option<app::wall::Strength> {
    let count = |index: usize| stored.get(index).map(|n| (*n).max(0) as usize);
    Some(app::wall::Strength {
        notes: count(0)?,
        sources: count(1)?,
        stakeholders: count(2)?,
        pairs: count(3)?,
    })
}

/// A strength as `key_message.frozen` stores it.
pub(super) fn stored_strength(strength: app::wall::Strength) -> Vec<i64> {
    [
        strength.notes,
        strength.sources,
        strength.stakeholders,
        strength.pairs,
    ]
    .map(|n| n as i64)
    .to_vec()
}

#[derive(Debug, SurrealValue)]
struct LiveRow {
    review: RecordId,
    seq: i64,
    op: String,
    schema: i64,
    change: String,
}

/// Notifications of new events on every wall: (live query id, review, event).
pub type LiveEvents = super::live::Live<(ReviewId, WallEvent)>;

/// Starts one LIVE query on the whole event log. Notifications may come out of order or (by
/// known SurrealDB bugs) not at all; the board tasks order them and read any gap.
pub async fn live_events(db: &Database) -> Result<LiveEvents, DbError> {
    super::live::live_creates(
        db,
        "LIVE SELECT review, seq, op, schema, change FROM wall_event",
        |row: LiveRow| {
            let RecordIdKey::Uuid(review) = row.review.key else {
                return None;
            };
            let op = uuid::Uuid::parse_str(&row.op).ok()?;
            let change = decode_change(row.seq, row.schema, &row.change).ok()?;
            let event = WallEvent {
                seq: row.seq.max(0) as u64,
                op: OpId(op),
                change,
            };
            Some((ReviewId(review.into()), event))
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::DatabaseConfig;

    fn entry(op: OpId, actor: PersonId, change: &Change) -> Entry<'_> {
        Entry {
            seq: 1,
            op,
            actor,
            change,
            creates: false,
        }
    }

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
            commit(&db, one, &[entry(op, actor, &change)])
                .await
                .unwrap(),
            Commit::Done
        );
        let moved = db
            .query("UPDATE $h SET review = $other")
            .bind(("h", super::super::records::heading_record(one, &heading)))
            .bind(("other", review_record(two)))
            .await
            .unwrap()
            .check();
        assert!(moved.is_err(), "a heading's review changed");
        // The same id committed on the other review is that review's own row.
        let op = OpId(uuid::Uuid::new_v4());
        assert_eq!(
            commit(&db, two, &[entry(op, actor, &change)])
                .await
                .unwrap(),
            Commit::Done
        );
        assert_eq!(load(&db, one).await.unwrap().headings.len(), 1);
        assert_eq!(load(&db, two).await.unwrap().headings.len(), 1);
        db.close().await;
    }

    /// An event stored in a payload format this binary does not know is refused as corrupt,
    /// never misread as today's.
    #[tokio::test]
    async fn an_event_in_another_payload_format_is_refused_not_misread() {
        let config = <crate::Config as clap::Parser>::parse_from(["peerwall", "--db", "mem://"]);
        let db = Database::open(&config.database()).await.unwrap();
        super::super::migrations::migrate(&db, super::super::migrations::MIGRATIONS)
            .await
            .unwrap();
        let review = ReviewId::new();
        let change = Change::Heading {
            heading: Heading {
                id: HeadingId::new(),
                title: "Finance".into(),
                position: 0,
                archived: false,
            },
        };
        let (actor, op) = (PersonId(uuid::Uuid::new_v4()), OpId(uuid::Uuid::new_v4()));
        commit(&db, review, &[entry(op, actor, &change)])
            .await
            .unwrap();
        assert_eq!(events_after(&db, review, 0, 10).await.unwrap().len(), 1);
        db.query("UPDATE wall_event SET schema = 2 WHERE review = $review")
            .bind(("review", review_record(review)))
            .await
            .unwrap()
            .check()
            .unwrap();
        let error = events_after(&db, review, 0, 10).await.unwrap_err();
        assert!(error.to_string().contains("payload format 2"), "{error}");
        db.close().await;
    }
}
