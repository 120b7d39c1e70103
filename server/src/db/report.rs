//! The feedback report's rows: one `report` per review (its round, due dates, sign-off), the
//! draft's `report_block`s, the frozen `report_version`s with their `report_version_block`s,
//! and `report_comment` threads with their `report_reply`s. Rows are keyed by the review first,
//! so an id the browser chose only ever names a row of the review it was sent to.

use app::report::{
    Block, BlockId, BlockKind, CommentId, DueDates, Practice, Round, SignOff, Source, Version,
    VersionSummary,
};
use app::review::ReviewId;
use app::wall::{HeadingId, MessageId, MessageKind};
use chrono::{DateTime, Utc};
use surrealdb::types::{Array, RecordId, RecordIdKey, SurrealValue, Value};

use super::records::{person_record, review_record};
use super::{Database, DbError};

mod comments;
mod shared;
pub use comments::*;
pub use shared::*;

use super::records::report_record;

pub(super) fn keyed(table: &'static str, review: ReviewId, rest: Vec<Value>) -> RecordId {
    let mut key = vec![Value::Uuid(review.0.into())];
    key.extend(rest);
    RecordId::new(table, RecordIdKey::Array(Array::from(key)))
}

fn block_record(review: ReviewId, block: BlockId) -> RecordId {
    keyed("report_block", review, vec![Value::Uuid(block.0.into())])
}

fn version_record(review: ReviewId, number: u32) -> RecordId {
    keyed(
        "report_version",
        review,
        vec![Value::Number(i64::from(number).into())],
    )
}

fn version_block_record(review: ReviewId, number: u32, position: usize) -> RecordId {
    keyed(
        "report_version_block",
        review,
        vec![
            Value::Number(i64::from(number).into()),
            Value::Number((position as i64).into()),
        ],
    )
}

pub(super) fn comment_record(review: ReviewId, comment: CommentId) -> RecordId {
    keyed(
        "report_comment",
        review,
        vec![Value::Uuid(comment.0.into())],
    )
}

pub(super) fn corrupt(what: &str, value: &str) -> DbError {
    DbError::Corrupt(format!("report {what} {value:?}"))
}

/// The report's own row.
#[derive(Debug, Clone)]
pub struct ReportState {
    pub round: Round,
    pub due: DueDates,
    pub confirmed: Vec<String>,
    pub signed_off: Option<SignOff>,
}

#[derive(Debug, SurrealValue)]
struct ReportRow {
    round: String,
    due_peer_comments: Option<String>,
    due_council_comments: Option<String>,
    due_final_version: Option<String>,
    due_sign_off: Option<String>,
    confirmed: Vec<String>,
    signed_off_version: Option<i64>,
    signed_off_by: Option<String>,
    signed_off_at: Option<DateTime<Utc>>,
}

/// The reviews whose report is not signed off and has a due date set: the ones a deadline
/// reminder may be for.
pub async fn with_due_dates(db: &Database) -> Result<Vec<ReviewId>, DbError> {
    let mut response = db
        .query(
            "SELECT VALUE record::id(review) FROM report WHERE round != 'signed_off'
                 AND (due_peer_comments != NONE OR due_council_comments != NONE
                     OR due_final_version != NONE OR due_sign_off != NONE)",
        )
        .await?;
    let reviews: Vec<uuid::Uuid> = response.take(0)?;
    Ok(reviews.into_iter().map(ReviewId).collect())
}

/// Queues a deadline reminder's `mails` unless one was queued for `key` (the round and the
/// date) already, by this node or another: whether they were queued now.
pub async fn queue_reminder(
    db: &Database,
    review: ReviewId,
    key: &str,
    mails: Vec<super::outbox::NewMail>,
) -> Result<bool, DbError> {
    super::outbox::queue_once(db, (report_record(review), "reminded_for"), key, mails).await
}

/// The day the review's report was signed off, if it was.
pub async fn signed_off_on(
    db: &Database,
    review: ReviewId,
) -> Result<Option<chrono::NaiveDate>, DbError> {
    let mut response = db
        .query("SELECT VALUE signed_off_at FROM $report")
        .bind(("report", report_record(review)))
        .await?;
    let at: Vec<Option<DateTime<Utc>>> = response.take(0)?;
    Ok(at.into_iter().flatten().next().map(|at| at.date_naive()))
}

/// The review's report, if one has been drafted.
pub async fn state(db: &Database, review: ReviewId) -> Result<Option<ReportState>, DbError> {
    let mut response = db
        .query("SELECT * FROM $report")
        .bind(("report", report_record(review)))
        .await?;
    let rows: Vec<ReportRow> = response.take(0)?;
    let Some(row) = rows.into_iter().next() else {
        return Ok(None);
    };
    let date = |value: Option<String>| value.and_then(|v| v.parse().ok());
    let signed_off = match (row.signed_off_version, row.signed_off_by, row.signed_off_at) {
        (Some(version), Some(by), Some(at)) => Some(SignOff {
            version: u32::try_from(version)
                .map_err(|_| corrupt("signed-off version", &version.to_string()))?,
            by,
            at: at.to_rfc3339(),
        }),
        _ => None,
    };
    Ok(Some(ReportState {
        round: Round::parse(&row.round).ok_or_else(|| corrupt("round", &row.round))?,
        due: DueDates {
            peer_comments: date(row.due_peer_comments),
            council_comments: date(row.due_council_comments),
            final_version: date(row.due_final_version),
            sign_off: date(row.due_sign_off),
        },
        confirmed: row.confirmed,
        signed_off,
    }))
}

#[derive(Debug, Clone, SurrealValue)]
struct BlockContent {
    id: RecordId,
    review: RecordId,
    kind: String,
    text: String,
    order_key: String,
    practice_place: Option<String>,
    practice_contact: Option<String>,
    practice_link: Option<String>,
    source_message: Option<uuid::Uuid>,
    source_kind: Option<String>,
    source_text: Option<String>,
    source_heading: Option<String>,
    rev: i64,
    deleted: bool,
    last_op: Option<uuid::Uuid>,
}

fn block_content(
    review: ReviewId,
    block: &Block,
    deleted: bool,
    op: Option<uuid::Uuid>,
) -> BlockContent {
    let (source_message, source_kind, source_text, source_heading) = match &block.source {
        Some(Source::Message { id, kind, text }) => (
            Some(id.0),
            Some(kind.as_str().to_string()),
            Some(text.clone()),
            None,
        ),
        Some(Source::Heading { id }) => (None, None, None, Some(id.0.clone())),
        None => (None, None, None, None),
    };
    let practice = block.practice.clone();
    BlockContent {
        id: block_record(review, block.id),
        review: review_record(review),
        kind: block.kind.as_str().to_string(),
        text: block.text.clone(),
        order_key: block.order.clone(),
        practice_place: practice.as_ref().map(|p| p.place.clone()),
        practice_contact: practice.as_ref().map(|p| p.contact.clone()),
        practice_link: practice.map(|p| p.link),
        source_message,
        source_kind,
        source_text,
        source_heading,
        rev: block.rev as i64,
        deleted,
        last_op: op,
    }
}

#[derive(Debug, SurrealValue)]
struct BlockRow {
    block: uuid::Uuid,
    kind: String,
    text: String,
    order_key: String,
    practice_place: Option<String>,
    practice_contact: Option<String>,
    practice_link: Option<String>,
    source_message: Option<uuid::Uuid>,
    source_kind: Option<String>,
    source_text: Option<String>,
    source_heading: Option<String>,
    rev: i64,
    deleted: bool,
    last_op: Option<uuid::Uuid>,
}

/// A draft block as stored: the block, whether it is deleted, and the last change applied.
#[derive(Debug, Clone)]
pub struct StoredBlock {
    pub block: Block,
    pub deleted: bool,
    pub last_op: Option<uuid::Uuid>,
}

fn practice_from(
    place: Option<String>,
    contact: Option<String>,
    link: Option<String>,
) -> Option<Practice> {
    if place.is_none() && contact.is_none() && link.is_none() {
        return None;
    }
    Some(Practice {
        place: place.unwrap_or_default(),
        contact: contact.unwrap_or_default(),
        link: link.unwrap_or_default(),
    })
}

fn block_from(row: BlockRow) -> Result<StoredBlock, DbError> {
    let kind = BlockKind::parse(&row.kind).ok_or_else(|| corrupt("block kind", &row.kind))?;
    let source = match (
        row.source_message,
        row.source_kind,
        row.source_text,
        row.source_heading,
    ) {
        (Some(id), Some(kind), Some(text), _) => Some(Source::Message {
            id: MessageId(id),
            kind: MessageKind::parse(&kind).ok_or_else(|| corrupt("source kind", &kind))?,
            text,
        }),
        (_, _, _, Some(heading)) => Some(Source::Heading {
            id: HeadingId(heading),
        }),
        _ => None,
    };
    Ok(StoredBlock {
        block: Block {
            id: BlockId(row.block),
            kind,
            text: row.text,
            order: row.order_key,
            practice: practice_from(row.practice_place, row.practice_contact, row.practice_link),
            source,
            rev: u64::try_from(row.rev).unwrap_or(0),
        },
        deleted: row.deleted,
        last_op: row.last_op,
    })
}

const BLOCK_FIELDS: &str = "record::id(id)[1] AS block, kind, text, order_key, practice_place,
    practice_contact, practice_link, source_message, source_kind, source_text, source_heading,
    rev, deleted, last_op";

/// The draft's blocks, deleted ones included, in report order.
pub async fn blocks(db: &Database, review: ReviewId) -> Result<Vec<StoredBlock>, DbError> {
    let mut response = db
        .query(format!(
            "SELECT {BLOCK_FIELDS} FROM report_block WHERE review = $review ORDER BY order_key"
        ))
        .bind(("review", review_record(review)))
        .await?;
    let rows: Vec<BlockRow> = response.take(0)?;
    let mut blocks = rows
        .into_iter()
        .map(block_from)
        .collect::<Result<Vec<_>, _>>()?;
    blocks.sort_by(|a, b| {
        a.block
            .order
            .cmp(&b.block.order)
            .then(a.block.id.cmp(&b.block.id))
    });
    Ok(blocks)
}

/// One block of the draft.
pub async fn block(
    db: &Database,
    review: ReviewId,
    id: BlockId,
) -> Result<Option<StoredBlock>, DbError> {
    let mut response = db
        .query(format!("SELECT {BLOCK_FIELDS} FROM $block"))
        .bind(("block", block_record(review, id)))
        .await?;
    let rows: Vec<BlockRow> = response.take(0)?;
    rows.into_iter().next().map(block_from).transpose()
}

/// Writes a block whole.
pub async fn put_block(
    db: &Database,
    review: ReviewId,
    block: &Block,
    deleted: bool,
    op: Option<uuid::Uuid>,
) -> Result<(), DbError> {
    db.query("UPSERT $content.id CONTENT $content")
        .bind(("content", block_content(review, block, deleted, op)))
        .await?
        .check()?;
    Ok(())
}

/// Creates the report in its team-draft round with its first draft, in one transaction; false
/// when the review already has one.
pub async fn create(db: &Database, review: ReviewId, blocks: &[Block]) -> Result<bool, DbError> {
    let contents: Vec<BlockContent> = blocks
        .iter()
        .map(|b| block_content(review, b, false, None))
        .collect();
    let result = super::retry_conflicts(|| {
        let query = db
            .query(
                "BEGIN TRANSACTION;
                 CREATE $report SET review = $review, round = 'team_draft', confirmed = [];
                 FOR $block IN $blocks { CREATE $block.id CONTENT $block; };
                 COMMIT TRANSACTION;",
            )
            .bind(("report", report_record(review)))
            .bind(("review", review_record(review)))
            .bind(("blocks", contents.clone()));
        async move { query.await?.check() }
    })
    .await;
    match result {
        Ok(_) => Ok(true),
        Err(_) if state(db, review).await?.is_some() => Ok(false),
        Err(error) => Err(error.into()),
    }
}

pub async fn set_round(db: &Database, review: ReviewId, round: Round) -> Result<(), DbError> {
    db.query("UPDATE $report SET round = $round")
        .bind(("report", report_record(review)))
        .bind(("round", round.as_str()))
        .await?
        .check()?;
    Ok(())
}

pub async fn set_due(db: &Database, review: ReviewId, due: &DueDates) -> Result<(), DbError> {
    let text = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string());
    db.query(
        "UPDATE $report SET due_peer_comments = $a, due_council_comments = $b,
             due_final_version = $c, due_sign_off = $d",
    )
    .bind(("report", report_record(review)))
    .bind(("a", text(due.peer_comments)))
    .bind(("b", text(due.council_comments)))
    .bind(("c", text(due.final_version)))
    .bind(("d", text(due.sign_off)))
    .await?
    .check()?;
    Ok(())
}

pub async fn confirm(db: &Database, review: ReviewId, key: String) -> Result<(), DbError> {
    db.query("UPDATE $report SET confirmed = array::union(confirmed, [$key])")
        .bind(("report", report_record(review)))
        .bind(("key", key))
        .await?
        .check()?;
    Ok(())
}

/// Records the sign-off and closes the report, in one transaction.
pub async fn sign_off(
    db: &Database,
    review: ReviewId,
    version: u32,
    by: String,
) -> Result<(), DbError> {
    sign_off_at(db, review, version, by, Utc::now()).await
}

/// `sign_off`, recorded as done `at` (the demo's review signed off months ago).
pub async fn sign_off_at(
    db: &Database,
    review: ReviewId,
    version: u32,
    by: String,
    at: DateTime<Utc>,
) -> Result<(), DbError> {
    db.query(
        "UPDATE $report SET round = 'signed_off', signed_off_version = $version,
             signed_off_by = $by, signed_off_at = $at",
    )
    .bind(("report", report_record(review)))
    .bind(("version", i64::from(version)))
    .bind(("by", by))
    .bind(("at", at))
    .await?
    .check()?;
    Ok(())
}

#[derive(Debug, Clone, SurrealValue)]
struct VersionBlockContent {
    id: RecordId,
    review: RecordId,
    number: i64,
    position: i64,
    block: uuid::Uuid,
    kind: String,
    text: String,
    practice_place: Option<String>,
    practice_contact: Option<String>,
    practice_link: Option<String>,
}

/// Freezes `blocks` as version `number` (the final one, or not) and moves the report to
/// `round`, queueing `mails`, in one transaction; false when that number was taken meanwhile.
pub async fn send_version(
    db: &Database,
    review: ReviewId,
    number: u32,
    blocks: &[Block],
    sent_by: String,
    (final_version, round): (bool, Round),
    mails: Vec<super::outbox::NewMail>,
) -> Result<bool, DbError> {
    let mails = super::outbox::rows(mails);
    let contents: Vec<VersionBlockContent> = blocks
        .iter()
        .enumerate()
        .map(|(position, b)| VersionBlockContent {
            id: version_block_record(review, number, position),
            review: review_record(review),
            number: i64::from(number),
            position: position as i64,
            block: b.id.0,
            kind: b.kind.as_str().to_string(),
            text: b.text.clone(),
            practice_place: b.practice.as_ref().map(|p| p.place.clone()),
            practice_contact: b.practice.as_ref().map(|p| p.contact.clone()),
            practice_link: b.practice.as_ref().map(|p| p.link.clone()),
        })
        .collect();
    let result = super::retry_conflicts(|| {
        let query = db
            .query(format!(
                "BEGIN TRANSACTION;
                 CREATE $version SET review = $review, number = $number, sent_by = $by,
                     sent_at = time::now(), final_version = $final;
                 FOR $block IN $blocks {{ CREATE $block.id CONTENT $block; }};
                 UPDATE $report SET round = $round;
                 {queue}
                 COMMIT TRANSACTION;",
                queue = super::outbox::QUEUE_MAILS
            ))
            .bind(("version", version_record(review, number)))
            .bind(("report", report_record(review)))
            .bind(("review", review_record(review)))
            .bind(("number", i64::from(number)))
            .bind(("by", sent_by.clone()))
            .bind(("final", final_version))
            .bind(("blocks", contents.clone()))
            .bind(("round", round.as_str()))
            .bind(("mails", mails.clone()));
        async move { query.await?.check() }
    })
    .await;
    match result {
        Ok(_) => Ok(true),
        Err(_) if version(db, review, number).await?.is_some() => Ok(false),
        Err(error) => Err(error.into()),
    }
}

#[derive(Debug, SurrealValue)]
struct VersionRow {
    number: i64,
    sent_by: String,
    sent_at: DateTime<Utc>,
    final_version: bool,
}

fn summary_from(row: VersionRow) -> Result<VersionSummary, DbError> {
    Ok(VersionSummary {
        number: u32::try_from(row.number)
            .map_err(|_| corrupt("version", &row.number.to_string()))?,
        sent_by: row.sent_by,
        sent_at: row.sent_at.to_rfc3339(),
        final_version: row.final_version,
    })
}

/// The versions sent, oldest first.
pub async fn versions(db: &Database, review: ReviewId) -> Result<Vec<VersionSummary>, DbError> {
    let mut response = db
        .query(
            "SELECT number, sent_by, sent_at, final_version FROM report_version
             WHERE review = $review ORDER BY number",
        )
        .bind(("review", review_record(review)))
        .await?;
    let rows: Vec<VersionRow> = response.take(0)?;
    rows.into_iter().map(summary_from).collect()
}

#[derive(Debug, SurrealValue)]
struct VersionBlockRow {
    block: uuid::Uuid,
    kind: String,
    text: String,
    practice_place: Option<String>,
    practice_contact: Option<String>,
    practice_link: Option<String>,
}

/// One version, whole.
pub async fn version(
    db: &Database,
    review: ReviewId,
    number: u32,
) -> Result<Option<Version>, DbError> {
    let mut response = db
        .query(
            "SELECT number, sent_by, sent_at, final_version FROM $version;
             SELECT block, kind, text, practice_place, practice_contact, practice_link, position
                 FROM report_version_block WHERE review = $review AND number = $number
                 ORDER BY position;",
        )
        .bind(("version", version_record(review, number)))
        .bind(("review", review_record(review)))
        .bind(("number", i64::from(number)))
        .await?;
    let rows: Vec<VersionRow> = response.take(0)?;
    let Some(row) = rows.into_iter().next() else {
        return Ok(None);
    };
    let blocks: Vec<VersionBlockRow> = response.take(1)?;
    let summary = summary_from(row)?;
    let blocks = blocks
        .into_iter()
        .enumerate()
        .map(|(position, b)| {
            Ok(Block {
                id: BlockId(b.block),
                kind: BlockKind::parse(&b.kind).ok_or_else(|| corrupt("block kind", &b.kind))?,
                text: b.text,
                order: format!("{position:06}"),
                practice: practice_from(b.practice_place, b.practice_contact, b.practice_link),
                source: None,
                rev: 0,
            })
        })
        .collect::<Result<Vec<_>, DbError>>()?;
    Ok(Some(Version {
        number: summary.number,
        blocks,
        sent_by: summary.sent_by,
        sent_at: summary.sent_at,
        final_version: summary.final_version,
    }))
}
