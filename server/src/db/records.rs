//! Record ids: how each table's rows are keyed. Rows of a review's wall are keyed by
//! (review, id), so that an id the browser chose can only ever name a row of the review it was
//! sent to.

use app::accounts::PersonId;
use app::review::ReviewId;
use app::wall::{HeadingId, MessageId, NoteId};
use surrealdb::types::{Array, RecordId, RecordIdKey, Value};

pub(crate) fn person_record(id: PersonId) -> RecordId {
    RecordId::new("person", RecordIdKey::Uuid(id.0.into()))
}

pub(crate) fn review_record(id: ReviewId) -> RecordId {
    RecordId::new("review", RecordIdKey::Uuid(id.0.into()))
}

/// A review's report: one row per review, keyed by the review's id.
pub(crate) fn report_record(id: ReviewId) -> RecordId {
    RecordId::new("report", RecordIdKey::Uuid(id.0.into()))
}

pub(crate) fn keyed(table: &'static str, review: ReviewId, id: Value) -> RecordId {
    let key = Array::from(vec![Value::Uuid(review.0.into()), id]);
    RecordId::new(table, RecordIdKey::Array(key))
}

pub(crate) fn heading_record(review: ReviewId, id: &HeadingId) -> RecordId {
    keyed("heading", review, Value::String(id.0.clone()))
}

/// A node's report of who is on a board (`db::presence`).
pub(crate) fn presence_record(review: ReviewId, node: uuid::Uuid) -> RecordId {
    keyed("wall_presence", review, Value::Uuid(node.into()))
}

pub(crate) fn note_record(review: ReviewId, id: NoteId) -> RecordId {
    keyed("note", review, Value::Uuid(id.0.into()))
}

pub(crate) fn message_record(review: ReviewId, id: MessageId) -> RecordId {
    keyed("key_message", review, Value::Uuid(id.0.into()))
}

pub(crate) fn settings_record(review: ReviewId) -> RecordId {
    RecordId::new("wall_settings", RecordIdKey::Uuid(review.0.into()))
}

/// A row keyed (review, message, other): a message's evidence (the note) or vote (the person).
fn keyed_to_message(
    table: &'static str,
    review: ReviewId,
    message: MessageId,
    other: uuid::Uuid,
) -> RecordId {
    let key = Array::from(vec![
        Value::Uuid(review.0.into()),
        Value::Uuid(message.0.into()),
        Value::Uuid(other.into()),
    ]);
    RecordId::new(table, RecordIdKey::Array(key))
}

pub(crate) fn evidence_record(review: ReviewId, message: MessageId, note: NoteId) -> RecordId {
    keyed_to_message("evidence", review, message, note.0)
}

pub(crate) fn vote_record(review: ReviewId, message: MessageId, person: PersonId) -> RecordId {
    keyed_to_message("vote", review, message, person.0)
}

/// A review's destruction record (one at most), keyed by the review's id.
pub(crate) fn destruction_record(review: ReviewId) -> RecordId {
    RecordId::new("destruction", RecordIdKey::Uuid(review.0.into()))
}
