//! Retention: each review's period, the site's default, what a destruction would take, the
//! destruction itself (one transaction: the notes, their evidence links, the note events'
//! payloads, the sessions' identifying roles, and the destruction record with its digest, beside
//! the wall's next event), and the record read back.

use std::collections::BTreeMap;

use app::accounts::PersonId;
use app::review::ReviewId;
use app::wall::protocol::OpId;
use app::wall::{Change, MessageId, NoteId, Strength};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use surrealdb::types::{RecordId, RecordIdKey, SurrealValue, Value};

use super::records::{destruction_record, message_record, person_record, review_record};
use super::wall::{EVENT_SCHEMA, events_after, seq_taken, stored_strength};
use super::{Database, DbError};

fn site_record() -> RecordId {
    RecordId::new("site_setting", RecordIdKey::String("site".into()))
}

/// A review's retention as stored: its own period, the site's, and when the report was signed off.
#[derive(Debug, Clone, SurrealValue)]
pub struct PolicyRow {
    pub days: Option<i64>,
    pub site_days: Option<i64>,
    pub signed_off_at: Option<DateTime<Utc>>,
}

/// What a destruction removed (or would remove).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, SurrealValue)]
pub struct Counts {
    /// Notes on the wall.
    pub notes: i64,
    /// Deleted notes kept for undo.
    pub deleted_notes: i64,
    /// Entries of the wall's event log about notes, blanked.
    pub events: i64,
    /// Links from key messages to notes.
    pub evidence: i64,
    /// Timetable sessions whose identifying role goes.
    pub sessions: i64,
}

/// A destruction as recorded.
#[derive(Debug, Clone, SurrealValue)]
pub struct RecordRow {
    pub at: DateTime<Utc>,
    pub by_name: Option<String>,
    pub signed_off_at: DateTime<Utc>,
    pub retention_days: i64,
    pub notes: i64,
    pub deleted_notes: i64,
    pub events: i64,
    pub evidence: i64,
    pub sessions: i64,
    pub digest: String,
}

impl RecordRow {
    pub fn counts(&self) -> Counts {
        Counts {
            notes: self.notes,
            deleted_notes: self.deleted_notes,
            events: self.events,
            evidence: self.evidence,
            sessions: self.sessions,
        }
    }
}

/// A review's period, the site's default and the sign-off.
pub async fn policy(db: &Database, review: ReviewId) -> Result<PolicyRow, DbError> {
    let mut response = db
        .query(
            "RETURN {
                 days: $review.retention_days,
                 site_days: $site.retention_days,
                 signed_off_at: (SELECT VALUE signed_off_at FROM ONLY $report),
             }",
        )
        .bind(("review", review_record(review)))
        .bind(("site", site_record()))
        .bind((
            "report",
            RecordId::new("report", RecordIdKey::Uuid(review.0.into())),
        ))
        .await?;
    let row: Option<PolicyRow> = response.take(0)?;
    row.ok_or_else(|| DbError::Corrupt("reading a review's retention".into()))
}

/// Sets a review's own period (`None`: the site's default).
pub async fn set_days(db: &Database, review: ReviewId, days: Option<i64>) -> Result<(), DbError> {
    db.query("UPDATE $review SET retention_days = $days")
        .bind(("review", review_record(review)))
        .bind(("days", days))
        .await?
        .check()?;
    Ok(())
}

/// The site's default period, if an administrator set one.
pub async fn site_days(db: &Database) -> Result<Option<i64>, DbError> {
    let mut response = db
        .query("SELECT VALUE retention_days FROM ONLY $site")
        .bind(("site", site_record()))
        .await?;
    Ok(response.take::<Option<Option<i64>>>(0)?.flatten())
}

/// Sets the site's default period (`None`: the built-in one).
pub async fn set_site_days(db: &Database, days: Option<i64>) -> Result<(), DbError> {
    db.query("UPSERT $site SET retention_days = $days")
        .bind(("site", site_record()))
        .bind(("days", days))
        .await?
        .check()?;
    Ok(())
}

/// A review whose report is signed off and whose notes are not yet destroyed.
#[derive(Debug, Clone, SurrealValue)]
pub struct Pending {
    pub review: uuid::Uuid,
    pub days: Option<i64>,
    pub signed_off_at: DateTime<Utc>,
}

/// Every review signed off whose notes still stand.
pub async fn pending(db: &Database) -> Result<Vec<Pending>, DbError> {
    let mut response = db
        .query(
            "SELECT record::id(review) AS review, review.retention_days AS days, signed_off_at
                 FROM report WHERE signed_off_at != NONE
                 AND count(SELECT id FROM destruction WHERE review = $parent.review) = 0",
        )
        .await?;
    Ok(response.take(0)?)
}

/// Queues the warning `mails` that the notes of `review` go on `on`, unless they were queued for
/// that date already (by this node or another): whether they were queued now.
pub async fn queue_warning(
    db: &Database,
    review: ReviewId,
    on: &str,
    mails: Vec<super::outbox::NewMail>,
) -> Result<bool, DbError> {
    super::outbox::queue_once(
        db,
        (
            super::records::report_record(review),
            "notes_warning_mailed_for",
        ),
        on,
        mails,
    )
    .await
}

/// The destruction record of a review, if its notes were destroyed.
pub async fn record(db: &Database, review: ReviewId) -> Result<Option<RecordRow>, DbError> {
    let mut response = db
        .query(
            "SELECT at, by_name, signed_off_at, retention_days, notes, deleted_notes, events,
                 evidence, sessions, digest FROM ONLY $destruction",
        )
        .bind(("destruction", destruction_record(review)))
        .await?;
    Ok(response.take(0)?)
}

#[derive(Debug, SurrealValue, serde::Serialize)]
struct DestroyedNote {
    id: uuid::Uuid,
    text: String,
    source: String,
    stakeholder: String,
    pair: Option<i64>,
    author: Option<String>,
    tags: Vec<String>,
    deleted: bool,
}

/// What destroying a review's notes takes: the counts, each note event's blanked payload by
/// sequence number, and a SHA-256 digest of everything that goes (the notes as stored and the
/// note events' payloads, in order), so the record can be shown to match what was held.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub counts: Counts,
    pub redacted: Vec<(u64, String)>,
    pub digest: String,
}

/// Reads what destroying `review`'s notes would take.
pub async fn plan(db: &Database, review: ReviewId) -> Result<Plan, DbError> {
    let mut response = db
        .query(
            "SELECT record::id(id)[1] AS id, text, source, stakeholder, pair,
                 <string> author AS author, tags, deleted
                 FROM note WHERE review = $review ORDER BY id;
             RETURN count(SELECT id FROM evidence WHERE review = $review);
             RETURN count(SELECT id FROM visit_session WHERE review = $review
                 AND identifying != NONE);",
        )
        .bind(("review", review_record(review)))
        .await?;
    let notes: Vec<DestroyedNote> = response.take(0)?;
    let evidence: Option<i64> = response.take(1)?;
    let sessions: Option<i64> = response.take(2)?;
    let mut digest = Sha256::new();
    for note in &notes {
        let line = serde_json::to_string(note)
            .map_err(|error| DbError::Corrupt(format!("encoding a note: {error}")))?;
        digest.update(line.as_bytes());
        digest.update(b"\n");
    }
    let mut redacted = Vec::new();
    for event in events_after(db, review, 0, i64::MAX as u64).await? {
        let Some(blank) = event.change.redacted() else {
            continue;
        };
        let original = serde_json::to_string(&event.change)
            .map_err(|error| DbError::Corrupt(format!("encoding an event: {error}")))?;
        digest.update(original.as_bytes());
        digest.update(b"\n");
        let blank = serde_json::to_string(&blank)
            .map_err(|error| DbError::Corrupt(format!("encoding an event: {error}")))?;
        redacted.push((event.seq, blank));
    }
    let deleted_notes = notes.iter().filter(|note| note.deleted).count() as i64;
    Ok(Plan {
        counts: Counts {
            notes: notes.len() as i64 - deleted_notes,
            deleted_notes,
            events: redacted.len() as i64,
            evidence: evidence.unwrap_or(0),
            sessions: sessions.unwrap_or(0),
        },
        redacted,
        digest: digest
            .finalize()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect(),
    })
}

/// One destruction to commit.
pub struct Destruction<'a> {
    pub review: ReviewId,
    /// The wall's next sequence number, for the `NotesDestroyed` event.
    pub seq: u64,
    pub op: OpId,
    /// Who destroyed them now; `None`: the schedule.
    pub by: Option<(PersonId, String)>,
    pub signed_off_at: DateTime<Utc>,
    pub days: i64,
    pub strengths: &'a BTreeMap<MessageId, Strength>,
    pub change: &'a Change,
    pub plan: &'a Plan,
}

/// How a destruction went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destroyed {
    Done,
    /// The notes were already destroyed (by another node, or an earlier run).
    Already,
    /// Another writer took the wall's next sequence number: catch up and try again.
    SeqTaken,
}

#[derive(Debug, SurrealValue)]
struct BlankEvent {
    seq: i64,
    change: String,
}

#[derive(Debug, SurrealValue)]
struct FrozenMessage {
    id: RecordId,
    frozen: Vec<i64>,
}

/// Runs one transaction with its parameters, again on a write conflict.
async fn transaction(
    db: &Database,
    sql: &str,
    binds: &[(&'static str, Value)],
) -> Result<(), surrealdb::Error> {
    super::retry_conflicts(|| {
        let mut query = db.query(sql);
        for (name, value) in binds {
            query = query.bind((*name, value.clone()));
        }
        async move { query.await?.check() }
    })
    .await
    .map(|_| ())
}

/// Destroys the notes in one transaction with the wall's `NotesDestroyed` event and the record.
pub async fn destroy(db: &Database, destruction: Destruction<'_>) -> Result<Destroyed, DbError> {
    let Destruction {
        review,
        seq,
        op,
        by,
        signed_off_at,
        days,
        strengths,
        change,
        plan,
    } = destruction;
    let payload = serde_json::to_string(change)
        .map_err(|error| DbError::Corrupt(format!("encoding a change: {error}")))?;
    let blanks: Vec<BlankEvent> = plan
        .redacted
        .iter()
        .map(|(seq, change)| BlankEvent {
            seq: *seq as i64,
            change: change.clone(),
        })
        .collect();
    let frozen: Vec<FrozenMessage> = strengths
        .iter()
        .map(|(message, strength)| FrozenMessage {
            id: message_record(review, *message),
            frozen: stored_strength(*strength),
        })
        .collect();
    let counts = plan.counts;
    let binds: Vec<(&'static str, Value)> = vec![
        ("review", review_record(review).into_value()),
        ("destruction", destruction_record(review).into_value()),
        (
            "by",
            by.as_ref()
                .map(|(person, _)| person_record(*person))
                .into_value(),
        ),
        ("by_name", by.map(|(_, name)| name).into_value()),
        ("signed_off_at", signed_off_at.into_value()),
        ("days", days.into_value()),
        ("counts", counts.into_value()),
        ("digest", plan.digest.clone().into_value()),
        ("seq", (seq as i64).into_value()),
        ("op", op.to_string().into_value()),
        ("schema", EVENT_SCHEMA.into_value()),
        ("change", payload.into_value()),
        ("blanks", blanks.into_value()),
        ("frozen", frozen.into_value()),
        (
            "settings",
            RecordId::new("wall_settings", RecordIdKey::Uuid(review.0.into())).into_value(),
        ),
    ];
    let sql = "BEGIN TRANSACTION;
         CREATE $destruction SET review = $review, at = time::now(), by = $by, by_name = $by_name,
             signed_off_at = $signed_off_at, retention_days = $days, notes = $counts.notes,
             deleted_notes = $counts.deleted_notes, events = $counts.events,
             evidence = $counts.evidence, sessions = $counts.sessions, digest = $digest;
         CREATE wall_event SET review = $review, seq = $seq, op = $op, actor = $by,
             schema = $schema, change = $change, at = time::now();
         FOR $blank IN $blanks {
             UPDATE wall_event SET change = $blank.change, actor = NONE
                 WHERE review = $review AND seq = $blank.seq;
         };
         FOR $message IN $frozen { UPDATE $message.id SET frozen = $message.frozen; };
         DELETE evidence WHERE review = $review;
         DELETE note WHERE review = $review;
         UPDATE visit_session SET identifying = NONE WHERE review = $review AND identifying != NONE;
         UPDATE $settings SET quote = NONE;
         COMMIT TRANSACTION;";
    let result = transaction(db, sql, &binds).await;
    match result {
        Ok(_) => Ok(Destroyed::Done),
        Err(error) => {
            if record(db, review).await?.is_some() {
                return Ok(Destroyed::Already);
            }
            if seq_taken(db, review, seq).await? {
                return Ok(Destroyed::SeqTaken);
            }
            Err(error.into())
        }
    }
}

/// The reviews holding notes `person` wrote.
pub async fn reviews_with_notes_by(
    db: &Database,
    person: PersonId,
) -> Result<Vec<ReviewId>, DbError> {
    let mut response = db
        .query("RETURN array::distinct(SELECT VALUE record::id(review) FROM note WHERE author = $person)")
        .bind(("person", person_record(person)))
        .await?;
    let reviews: Vec<uuid::Uuid> = response.take(0)?;
    Ok(reviews.into_iter().map(ReviewId).collect())
}

/// Erasing an account's authorship on one wall: the notes it wrote, and their events' payloads
/// with its name gone, by sequence number.
pub async fn erasure_plan(
    db: &Database,
    review: ReviewId,
    person: PersonId,
) -> Result<(Vec<NoteId>, Vec<(u64, String)>), DbError> {
    let mut response = db
        .query(
            "SELECT VALUE record::id(id)[1] FROM note WHERE review = $review AND author = $person",
        )
        .bind(("review", review_record(review)))
        .bind(("person", person_record(person)))
        .await?;
    let notes: Vec<NoteId> = response
        .take::<Vec<uuid::Uuid>>(0)?
        .into_iter()
        .map(NoteId)
        .collect();
    let mut rewritten = Vec::new();
    for event in events_after(db, review, 0, i64::MAX as u64).await? {
        if let Some(change) = event.change.with_author_erased(&notes) {
            let change = serde_json::to_string(&change)
                .map_err(|error| DbError::Corrupt(format!("encoding an event: {error}")))?;
            rewritten.push((event.seq, change));
        }
    }
    Ok((notes, rewritten))
}

/// Commits an `AuthorErased` event as the wall's `seq`, with the notes' author and the events'
/// payloads and actor rewritten, in one transaction.
pub async fn erase_author(
    db: &Database,
    review: ReviewId,
    (seq, op): (u64, OpId),
    person: PersonId,
    change: &Change,
    rewritten: &[(u64, String)],
) -> Result<Destroyed, DbError> {
    let payload = serde_json::to_string(change)
        .map_err(|error| DbError::Corrupt(format!("encoding a change: {error}")))?;
    let blanks: Vec<BlankEvent> = (rewritten.iter())
        .map(|(seq, change)| BlankEvent {
            seq: *seq as i64,
            change: change.clone(),
        })
        .collect();
    let binds: Vec<(&'static str, Value)> = vec![
        ("review", review_record(review).into_value()),
        ("person", person_record(person).into_value()),
        ("seq", (seq as i64).into_value()),
        ("op", op.to_string().into_value()),
        ("schema", EVENT_SCHEMA.into_value()),
        ("change", payload.into_value()),
        ("blanks", blanks.into_value()),
    ];
    let sql = "BEGIN TRANSACTION;
         CREATE wall_event SET review = $review, seq = $seq, op = $op, actor = NONE,
             schema = $schema, change = $change, at = time::now();
         FOR $blank IN $blanks {
             UPDATE wall_event SET change = $blank.change WHERE review = $review AND seq = $blank.seq;
         };
         UPDATE wall_event SET actor = NONE WHERE review = $review AND actor = $person;
         UPDATE note SET author = NONE WHERE review = $review AND author = $person;
         COMMIT TRANSACTION;";
    let result = transaction(db, sql, &binds).await;
    match result {
        Ok(_) => Ok(Destroyed::Done),
        Err(_) if seq_taken(db, review, seq).await? => Ok(Destroyed::SeqTaken),
        Err(error) => Err(error.into()),
    }
}

/// The tables holding a row whose stored form contains `needle`, across the whole database:
/// how the destruction's tests show that a note's text is nowhere any more.
pub async fn tables_containing(db: &Database, needle: &str) -> Result<Vec<String>, DbError> {
    let mut response = db.query("INFO FOR DB").await?;
    let info: Option<Value> = response.take(0)?;
    let info = info.map(Value::into_json_value).unwrap_or_default();
    let tables: Vec<String> = info["tables"]
        .as_object()
        .map(|tables| tables.keys().cloned().collect())
        .unwrap_or_default();
    let mut found = Vec::new();
    for table in tables {
        let mut response = db
            .query("SELECT VALUE id FROM type::table($table) WHERE string::contains(<string> $this, $needle)")
            .bind(("table", table.clone()))
            .bind(("needle", needle.to_string()))
            .await?;
        let ids: Vec<RecordId> = response.take(0)?;
        if !ids.is_empty() {
            found.push(table);
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn no_one_changes_or_removes_an_audit_row_in_the_database() {
        let config = <crate::Config as clap::Parser>::parse_from(["peerwall", "--db", "mem://"]);
        let db = Database::open(&config.database()).await.unwrap();
        super::super::migrations::migrate(&db, super::super::migrations::MIGRATIONS)
            .await
            .unwrap();
        db.query("CREATE audit_event SET kind = 'wall_opened', detail = 'as peer'")
            .await
            .unwrap()
            .check()
            .unwrap();
        let update = db
            .query("UPDATE audit_event SET detail = 'nothing happened'")
            .await
            .unwrap()
            .check();
        assert!(update.is_err(), "an audit row was changed");
        let delete = db.query("DELETE audit_event").await.unwrap().check();
        assert!(delete.is_err(), "an audit row was removed");
        let mut left = db
            .query("SELECT VALUE detail FROM audit_event")
            .await
            .unwrap();
        let details: Vec<String> = left.take(0).unwrap();
        assert_eq!(details, vec!["as peer".to_string()]);
        assert!(
            tables_containing(&db, "as peer").await.unwrap() == vec!["audit_event".to_string()]
        );
    }
}
