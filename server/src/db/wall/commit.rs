//! Committing the wall's changes: the events and the rows they change, in one transaction for a
//! whole batch (the board task's group commit), so one sync to disk serves every command
//! queued at that moment.

use app::accounts::PersonId;
use app::review::ReviewId;
use app::wall::protocol::OpId;
use app::wall::{Change, KeyMessage, Note, NoteId, WallSettings};
use std::collections::HashMap;
use surrealdb::types::{RecordId, SurrealValue, Value};

use super::super::records::{
    evidence_record, heading_record, message_record, note_record, person_record, review_record,
    settings_record, vote_record,
};
use super::super::{Database, DbError};
use super::{EVENT_SCHEMA, stored_strength};

#[derive(Debug, Clone, SurrealValue)]
struct NoteContent {
    review: RecordId,
    heading: Option<String>,
    order_key: String,
    text: String,
    kind: String,
    source: String,
    session: Option<uuid::Uuid>,
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
        session: note.session.map(|session| session.0),
        stakeholder: note.stakeholder.clone(),
        pair: note.pair,
        tags: note.tags.clone(),
        version: note.version as i64,
        deleted: note.deleted,
        updated_at: chrono::Utc::now(),
    }
}

#[derive(Debug, Clone, SurrealValue)]
struct MessageContent {
    review: RecordId,
    heading: String,
    order_key: String,
    text: String,
    kind: String,
    version: i64,
    deleted: bool,
    frozen: Option<Vec<i64>>,
    updated_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Clone, SurrealValue)]
struct EvidenceContent {
    id: RecordId,
    review: RecordId,
    message: RecordId,
    note: RecordId,
    position: i64,
}

#[derive(Debug, Clone, SurrealValue)]
struct VoteContent {
    id: RecordId,
    review: RecordId,
    message: RecordId,
    person: RecordId,
    count: i64,
}

#[derive(Debug, Clone, SurrealValue)]
pub(super) struct SettingsContent {
    pub(super) review: RecordId,
    pub(super) locked: bool,
    pub(super) votes_per_person: i64,
    pub(super) votes_revealed: bool,
    pub(super) slide: Option<String>,
    pub(super) quote: Option<uuid::Uuid>,
    pub(super) presenting: bool,
    pub(super) handout_published: bool,
    pub(super) updated_at: chrono::DateTime<chrono::Utc>,
}

/// A key message's row, its evidence rows and its vote rows.
fn message_rows(
    review: ReviewId,
    message: &KeyMessage,
) -> (MessageContent, Vec<EvidenceContent>, Vec<VoteContent>) {
    let record = message_record(review, message.id);
    let content = MessageContent {
        review: review_record(review),
        heading: message.heading.0.clone(),
        order_key: message.order.clone(),
        text: message.text.clone(),
        kind: message.kind.as_str().to_string(),
        version: message.version as i64,
        deleted: message.deleted,
        frozen: message.frozen.map(stored_strength),
        updated_at: chrono::Utc::now(),
    };
    let evidence = message
        .evidence
        .iter()
        .enumerate()
        .map(|(position, note)| EvidenceContent {
            id: evidence_record(review, message.id, *note),
            review: review_record(review),
            message: record.clone(),
            note: note_record(review, *note),
            position: position as i64,
        })
        .collect();
    let votes = message
        .votes
        .iter()
        .filter(|(_, count)| **count > 0)
        .map(|(person, count)| VoteContent {
            id: vote_record(review, message.id, *person),
            review: review_record(review),
            message: record.clone(),
            person: person_record(*person),
            count: i64::from(*count),
        })
        .collect();
    (content, evidence, votes)
}

fn settings_content(review: ReviewId, settings: &WallSettings) -> SettingsContent {
    SettingsContent {
        review: review_record(review),
        locked: settings.locked,
        votes_per_person: i64::from(settings.votes_per_person),
        votes_revealed: settings.votes_revealed,
        slide: settings.slide.as_ref().map(|heading| heading.0.clone()),
        quote: settings.quote.map(|note| note.0),
        presenting: settings.presenting,
        handout_published: settings.handout_published,
        updated_at: chrono::Utc::now(),
    }
}

/// How a commit went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Commit {
    Done,
    /// Another writer took one of these sequence numbers first (another node): catch up and
    /// try again.
    SeqTaken,
    /// An operation was already committed, as this sequence number.
    Duplicate(OpId, u64),
    /// A note said to be new already has a row (one the board no longer holds in memory).
    Exists(NoteId),
}

/// One event to commit: the board's next sequence number, the operation, who did it (recorded
/// on the event, and as the author of a note it creates) and the change.
#[derive(Debug, Clone, Copy)]
pub struct Entry<'a> {
    pub seq: u64,
    pub op: OpId,
    pub actor: PersonId,
    pub change: &'a Change,
    /// The change makes a note the board did not have: its row is created (and refused if it
    /// exists), with `actor` as its author.
    pub creates: bool,
}

#[derive(Debug, Clone, SurrealValue)]
struct EventContent {
    review: RecordId,
    seq: i64,
    op: String,
    actor: RecordId,
    schema: i64,
    change: String,
    at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Clone, SurrealValue)]
struct NewNote {
    id: RecordId,
    author: RecordId,
    #[surreal(flatten)]
    content: NoteContent,
}

#[derive(Debug, Clone, SurrealValue)]
struct NoteUpdate {
    id: RecordId,
    content: NoteContent,
}

/// The statements of one transaction and their parameters, each named once.
#[derive(Default)]
struct Writes {
    sql: String,
    binds: Vec<(String, Value)>,
}

impl Writes {
    /// Binds `value` under a fresh name, returned with its `$`.
    fn bind(&mut self, value: impl SurrealValue) -> String {
        let name = format!("p{}", self.binds.len());
        self.binds.push((name.clone(), value.into_value()));
        format!("${name}")
    }

    fn push(&mut self, statement: &str) {
        self.sql.push_str(statement);
        self.sql.push('\n');
    }
}

/// Writes `entries` (consecutive sequence numbers, in order) and the rows their changes touch,
/// in one transaction: all of them or none.
pub async fn commit(
    db: &Database,
    review: ReviewId,
    entries: &[Entry<'_>],
) -> Result<Commit, DbError> {
    let Some(first) = entries.first() else {
        return Ok(Commit::Done);
    };
    let at = chrono::Utc::now();
    let mut writes = Writes::default();
    let review_id = writes.bind(review_record(review));
    let mut events = Vec::with_capacity(entries.len());
    let mut notes = NoteRows::default();
    for entry in entries {
        let change = serde_json::to_string(entry.change)
            .map_err(|error| DbError::Corrupt(format!("encoding a change: {error}")))?;
        events.push(EventContent {
            review: review_record(review),
            seq: entry.seq as i64,
            op: entry.op.to_string(),
            actor: person_record(entry.actor),
            schema: EVENT_SCHEMA,
            change,
            at,
        });
        match entry.change {
            Change::Note { note } => notes.keep(note, entry.creates.then_some(entry.actor)),
            Change::HeadingArchived { heading, moved } => {
                let h = writes.bind(heading_record(review, heading));
                writes.push(&format!(
                    "UPDATE {h} SET archived = true WHERE review = {review_id};"
                ));
                for note in moved {
                    notes.keep(note, None);
                }
            }
            other => change_rows(&mut writes, review, &review_id, other)?,
        }
    }
    let events = writes.bind(events);
    writes.push(&format!("INSERT INTO wall_event {events};"));
    let (created, updated): (Vec<_>, Vec<_>) = (notes.rows.into_iter())
        .map(|(note, author)| {
            let content = note_content(review, note);
            (note.id, note_record(review, note.id), author, content)
        })
        .partition(|(_, _, author, _)| author.is_some());
    let created_ids: Vec<NoteId> = created.iter().map(|(id, ..)| *id).collect();
    if !created.is_empty() {
        let rows: Vec<NewNote> = (created.into_iter())
            .filter_map(|(_, id, author, content)| {
                Some(NewNote {
                    id,
                    author: person_record(author?),
                    content,
                })
            })
            .collect();
        let rows = writes.bind(rows);
        writes.push(&format!("INSERT INTO note {rows};"));
    }
    if let [(_, id, _, content)] = updated.as_slice() {
        // One note (the usual case outside a burst): its statement on its own.
        let (id, content) = (writes.bind(id.clone()), writes.bind(content.clone()));
        writes.push(&format!(
            "UPDATE {id} MERGE {content} WHERE review = {review_id};"
        ));
    } else if !updated.is_empty() {
        let rows: Vec<NoteUpdate> = (updated.into_iter())
            .map(|(_, id, _, content)| NoteUpdate { id, content })
            .collect();
        let rows = writes.bind(rows);
        writes.push(&format!(
            "FOR $row IN {rows} {{ UPDATE $row.id MERGE $row.content WHERE review = {review_id}; }};"
        ));
    }
    let sql = format!("BEGIN TRANSACTION;\n{}COMMIT TRANSACTION;", writes.sql);
    let result = super::super::retry_conflicts(|| {
        let mut query = db.query(sql.clone());
        for (name, value) in &writes.binds {
            query = query.bind((name.clone(), value.clone()));
        }
        async move { query.await?.check() }
    })
    .await;
    match result {
        Ok(_) => Ok(Commit::Done),
        Err(error) if super::super::is_away(&error) => Err(error.into()),
        Err(error) => {
            // The transaction failed as a whole; which unique index refused it is read back
            // rather than parsed from the message.
            for entry in entries {
                if let Some(seq) = super::find_op(db, review, entry.op).await? {
                    return Ok(Commit::Duplicate(entry.op, seq));
                }
            }
            if seq_taken(db, review, first.seq).await? {
                return Ok(Commit::SeqTaken);
            }
            for id in created_ids {
                if super::note(db, review, id).await?.is_some() {
                    return Ok(Commit::Exists(id));
                }
            }
            Err(error.into())
        }
    }
}

/// Each note's last state in a batch (its row is written once) and, for a note the batch
/// creates, who created it.
#[derive(Default)]
struct NoteRows<'a> {
    rows: Vec<(&'a Note, Option<PersonId>)>,
    at: HashMap<NoteId, usize>,
}

impl<'a> NoteRows<'a> {
    fn keep(&mut self, note: &'a Note, created_by: Option<PersonId>) {
        if let Some(&index) = self.at.get(&note.id) {
            let author = self.rows[index].1.or(created_by);
            self.rows[index] = (note, author);
        } else {
            self.at.insert(note.id, self.rows.len());
            self.rows.push((note, created_by));
        }
    }
}

/// The statements for a change to headings, key messages or settings.
fn change_rows(
    writes: &mut Writes,
    review: ReviewId,
    review_id: &str,
    change: &Change,
) -> Result<(), DbError> {
    match change {
        Change::Heading { heading } => {
            let h = writes.bind(heading_record(review, &heading.id));
            let title = writes.bind(heading.title.clone());
            let position = writes.bind(heading.position);
            let archived = writes.bind(heading.archived);
            writes.push(&format!(
                "UPSERT {h} SET review = {review_id}, title = {title}, position = {position},
                     archived = {archived};"
            ));
        }
        Change::HeadingsOrdered { order } => {
            for (index, id) in order.iter().enumerate() {
                let h = writes.bind(heading_record(review, id));
                writes.push(&format!(
                    "UPDATE {h} SET position = {index} WHERE review = {review_id};"
                ));
            }
        }
        Change::Message { message } => {
            // The message's evidence and votes are written whole: the rows it no longer has
            // go, the rest are written again.
            let (content, evidence, votes) = message_rows(review, message);
            let m = writes.bind(message_record(review, message.id));
            let content = writes.bind(content);
            let evidence = writes.bind(evidence);
            let votes = writes.bind(votes);
            writes.push(&format!(
                "UPSERT {m} MERGE {content};
                 DELETE evidence WHERE message = {m};
                 DELETE vote WHERE message = {m};
                 INSERT INTO evidence {evidence};
                 INSERT INTO vote {votes};"
            ));
        }
        Change::Settings { settings } => {
            let s = writes.bind(settings_record(review));
            let content = writes.bind(settings_content(review, settings));
            writes.push(&format!("UPSERT {s} MERGE {content};"));
        }
        Change::Note { .. } | Change::HeadingArchived { .. } => {}
        Change::NotesDestroyed { .. } | Change::AuthorErased { .. } => {
            return Err(DbError::Corrupt(
                "destruction and erasure are committed by db::retention".into(),
            ));
        }
    }
    Ok(())
}

/// Whether the board's log already has an event `seq`.
pub(in crate::db) async fn seq_taken(
    db: &Database,
    review: ReviewId,
    seq: u64,
) -> Result<bool, DbError> {
    let mut response = db
        .query("RETURN count(SELECT id FROM wall_event WHERE review = $review AND seq = $seq) > 0")
        .bind(("review", review_record(review)))
        .bind(("seq", seq as i64))
        .await?;
    let taken: Option<bool> = response.take(0)?;
    Ok(taken.unwrap_or(false))
}
