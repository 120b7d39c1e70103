//! Access changes, as rows every node follows with one LIVE query: a member's role changed or
//! they were removed (with the review), or a person's sessions ended (without one).

use app::accounts::PersonId;
use app::review::ReviewId;
use surrealdb::types::{RecordId, RecordIdKey, SurrealValue};

use super::records::{person_record, review_record};
use super::{Database, DbError};

/// How long a change is kept: long enough for every node to have heard of it.
const KEPT_FOR: &str = "1h";

/// Records that `person`'s access changed (on `review`, or everywhere), and forgets changes
/// older than an hour.
pub async fn record(
    db: &Database,
    person: PersonId,
    review: Option<ReviewId>,
) -> Result<(), DbError> {
    db.query(format!(
        "CREATE access_change SET person = $person, review = $review, at = time::now();
         DELETE access_change WHERE at < time::now() - {KEPT_FOR};"
    ))
    .bind(("person", person_record(person)))
    .bind(("review", review.map(review_record)))
    .await?
    .check()?;
    Ok(())
}

#[derive(Debug, SurrealValue)]
struct LiveRow {
    person: RecordId,
    review: Option<RecordId>,
}

fn uuid_of(record: &RecordId) -> Option<uuid::Uuid> {
    match &record.key {
        RecordIdKey::Uuid(id) => Some((*id).into()),
        _ => None,
    }
}

/// Notifications of new access changes: (live query id, (person, review)).
pub type LiveChanges = super::live::Live<(PersonId, Option<ReviewId>)>;

/// Starts a LIVE query on the access changes.
pub async fn live_changes(db: &Database) -> Result<LiveChanges, DbError> {
    super::live::live_creates(
        db,
        "LIVE SELECT person, review FROM access_change",
        |row: LiveRow| {
            let person = PersonId(uuid_of(&row.person)?);
            let review = match &row.review {
                Some(record) => Some(ReviewId(uuid_of(record)?)),
                None => None,
            };
            Some((person, review))
        },
    )
    .await
}
