//! The timetable's rows: `visit_session`s keyed (review, session), so a session id the browser chose
//! only ever names a session of the review it was sent to; and `timetable_change` rows every
//! node follows with one LIVE query.

use app::review::ReviewId;
use app::visit::{Session, SessionId, SessionKind};
use chrono::NaiveDate;
use surrealdb::types::{Array, RecordId, RecordIdKey, SurrealValue, Value};

use super::records::review_record;
use super::{Database, DbError};

/// How long a change is kept: long enough for every node to have heard of it.
const KEPT_FOR: &str = "1h";

fn session_record(review: ReviewId, session: SessionId) -> RecordId {
    let key = Array::from(vec![
        Value::Uuid(review.0.into()),
        Value::Uuid(session.0.into()),
    ]);
    RecordId::new("visit_session", RecordIdKey::Array(key))
}

#[derive(Debug, Clone, SurrealValue)]
struct SessionRow {
    id: uuid::Uuid,
    title: String,
    day: String,
    start_minute: i64,
    end_minute: i64,
    place: String,
    online: bool,
    kind: String,
    groups: Vec<String>,
    identifying: Option<String>,
    pairs: Vec<i64>,
    people: Option<i64>,
    version: i64,
    cancelled: bool,
}

#[derive(Debug, Clone, SurrealValue)]
struct SessionContent {
    review: RecordId,
    title: String,
    day: String,
    start_minute: i64,
    end_minute: i64,
    place: String,
    online: bool,
    kind: String,
    groups: Vec<String>,
    identifying: Option<String>,
    pairs: Vec<i64>,
    people: Option<i64>,
    version: i64,
    cancelled: bool,
    updated_at: chrono::DateTime<chrono::Utc>,
}

fn session_of(row: SessionRow) -> Result<Session, DbError> {
    let corrupt = |what: &str| DbError::Corrupt(format!("session {} has {what}", row.id));
    Ok(Session {
        id: SessionId(row.id),
        title: row.title.clone(),
        day: NaiveDate::parse_from_str(&row.day, "%Y-%m-%d").map_err(|_| corrupt("a bad day"))?,
        start: u16::try_from(row.start_minute).map_err(|_| corrupt("a bad start"))?,
        end: u16::try_from(row.end_minute).map_err(|_| corrupt("a bad end"))?,
        place: row.place.clone(),
        online: row.online,
        kind: SessionKind::parse(&row.kind).ok_or_else(|| corrupt("an unknown kind"))?,
        groups: row.groups.clone(),
        identifying: row.identifying.clone(),
        pairs: row.pairs.clone(),
        people: row.people.and_then(|p| u32::try_from(p).ok()),
        version: u32::try_from(row.version).unwrap_or(0),
        cancelled: row.cancelled,
    })
}

const COLUMNS: &str =
    "record::id(id)[1] AS id, title, day, start_minute, end_minute, place, online,
     kind, groups, identifying, pairs, people, version, cancelled";

/// Every session of the review, cancelled ones too, by day and start.
pub async fn sessions(db: &Database, review: ReviewId) -> Result<Vec<Session>, DbError> {
    let mut response = db
        .query(format!(
            "SELECT {COLUMNS} FROM visit_session WHERE review = $review ORDER BY day, start_minute, title"
        ))
        .bind(("review", review_record(review)))
        .await?;
    let rows: Vec<SessionRow> = response.take(0)?;
    rows.into_iter().map(session_of).collect()
}

/// One session of the review, if it has it.
pub async fn session(
    db: &Database,
    review: ReviewId,
    session: SessionId,
) -> Result<Option<Session>, DbError> {
    let mut response = db
        .query(format!("SELECT {COLUMNS} FROM $id"))
        .bind(("id", session_record(review, session)))
        .await?;
    let rows: Vec<SessionRow> = response.take(0)?;
    rows.into_iter().next().map(session_of).transpose()
}

/// Writes a session whose stored version is `expected` (0: not stored yet), recording the change
/// as made by `node` (None: no node is serving it, as when the demo is seeded); `false` when the
/// stored version is another (someone changed it meanwhile).
pub async fn put(
    db: &Database,
    review: ReviewId,
    session: &Session,
    expected: u32,
    node: Option<uuid::Uuid>,
) -> Result<bool, DbError> {
    let content = SessionContent {
        review: review_record(review),
        title: session.title.clone(),
        day: session.day.format("%Y-%m-%d").to_string(),
        start_minute: i64::from(session.start),
        end_minute: i64::from(session.end),
        place: session.place.clone(),
        online: session.online,
        kind: session.kind.as_str().to_string(),
        groups: session.groups.clone(),
        identifying: session.identifying.clone(),
        pairs: session.pairs.clone(),
        people: session.people.map(i64::from),
        version: i64::from(session.version),
        cancelled: session.cancelled,
        updated_at: chrono::Utc::now(),
    };
    let mut response = db
        .query(format!(
            "BEGIN TRANSACTION;
             LET $stored = (SELECT VALUE version FROM ONLY $id) ?? 0;
             LET $outcome = IF $stored != $expected {{ 'stale' }} ELSE {{
                 UPSERT $id CONTENT $content;
                 CREATE timetable_change SET review = $content.review, node = $node, at = time::now();
                 DELETE timetable_change WHERE at < time::now() - {KEPT_FOR};
                 'written'
             }};
             COMMIT TRANSACTION;
             RETURN $outcome;"
        ))
        .bind(("id", session_record(review, session.id)))
        .bind(("expected", i64::from(expected)))
        .bind(("node", node))
        .bind(("content", content))
        .await?;
    let index = response.num_statements() - 1;
    let outcome: Option<String> = response.take(index)?;
    Ok(outcome.as_deref() == Some("written"))
}

/// Notifications of timetable changes: (live query id, (review, the node that made it)).
pub type LiveTimetableChanges = crate::db::live::LiveReviewChanges;

/// Starts a LIVE query on the timetable changes.
pub async fn live_changes(db: &Database) -> Result<LiveTimetableChanges, DbError> {
    crate::db::live::live_creates(
        db,
        "LIVE SELECT review, node FROM timetable_change",
        crate::db::live::review_and_node,
    )
    .await
}

/// How many live notes of the review's wall were heard at each session.
pub async fn notes_per_session(
    db: &Database,
    review: ReviewId,
) -> Result<Vec<(SessionId, u32)>, DbError> {
    #[derive(Debug, SurrealValue)]
    struct Count {
        session: uuid::Uuid,
        count: i64,
    }
    let mut response = db
        .query(
            "SELECT session, count() AS count FROM note
                 WHERE review = $review AND deleted = false AND session != NONE
                 GROUP BY session",
        )
        .bind(("review", review_record(review)))
        .await?;
    let rows: Vec<Count> = response.take(0)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            (
                SessionId(row.session),
                u32::try_from(row.count).unwrap_or(0),
            )
        })
        .collect())
}
