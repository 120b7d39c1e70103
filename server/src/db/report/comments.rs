//! The report's comment threads and their replies.

use app::accounts::PersonId;
use app::report::{Anchor, BlockId, Comment, CommentId, Reply, Resolution};
use app::review::ReviewId;
use chrono::{DateTime, Utc};
use surrealdb::types::{RecordId, SurrealValue, Value};

use super::{Database, DbError, comment_record, corrupt, keyed, person_record, review_record};

#[derive(Debug, Clone, SurrealValue)]
struct CommentContent {
    id: RecordId,
    review: RecordId,
    block: uuid::Uuid,
    exact: String,
    prefix: String,
    suffix: String,
    text: String,
    suggestion: Option<String>,
    factual: bool,
    council: bool,
    version: Option<i64>,
    author: RecordId,
    author_name: String,
    at: DateTime<Utc>,
    resolution: Option<String>,
    resolved_by: Option<String>,
    rev: i64,
    last_op: Option<uuid::Uuid>,
}

/// Writes a thread's own row (its replies are `add_reply`'s).
pub async fn put_comment(
    db: &Database,
    review: ReviewId,
    comment: &Comment,
    author: PersonId,
    op: Option<uuid::Uuid>,
) -> Result<(), DbError> {
    let at = DateTime::parse_from_rfc3339(&comment.at)
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|_| Utc::now());
    let content = CommentContent {
        id: comment_record(review, comment.id),
        review: review_record(review),
        block: comment.block.0,
        exact: comment.anchor.exact.clone(),
        prefix: comment.anchor.prefix.clone(),
        suffix: comment.anchor.suffix.clone(),
        text: comment.text.clone(),
        suggestion: comment.suggestion.clone(),
        factual: comment.factual,
        council: comment.council,
        version: comment.version.map(i64::from),
        author: person_record(author),
        author_name: comment.author.clone(),
        at,
        resolution: comment.resolution.map(|r| r.as_str().to_string()),
        resolved_by: comment.resolved_by.clone(),
        rev: comment.rev as i64,
        last_op: op,
    };
    db.query("UPSERT $content.id CONTENT $content")
        .bind(("content", content))
        .await?
        .check()?;
    Ok(())
}

/// Adds a reply to a thread.
pub async fn add_reply(
    db: &Database,
    review: ReviewId,
    comment: CommentId,
    reply: &Reply,
    op: uuid::Uuid,
) -> Result<(), DbError> {
    db.query(
        "CREATE $id SET review = $review, comment = $comment, author_name = $author,
             text = $text, at = time::now();
         UPDATE $thread SET rev += 1, last_op = $op;",
    )
    .bind((
        "id",
        keyed(
            "report_reply",
            review,
            vec![Value::Uuid(comment.0.into()), Value::Uuid(op.into())],
        ),
    ))
    .bind(("review", review_record(review)))
    .bind(("comment", comment.0))
    .bind(("author", reply.author.clone()))
    .bind(("text", reply.text.clone()))
    .bind(("thread", comment_record(review, comment)))
    .bind(("op", op))
    .await?
    .check()?;
    Ok(())
}

#[derive(Debug, SurrealValue)]
struct CommentRow {
    comment: uuid::Uuid,
    block: uuid::Uuid,
    exact: String,
    prefix: String,
    suffix: String,
    text: String,
    suggestion: Option<String>,
    factual: bool,
    council: bool,
    version: Option<i64>,
    author_id: uuid::Uuid,
    author_name: String,
    at: DateTime<Utc>,
    resolution: Option<String>,
    resolved_by: Option<String>,
    rev: i64,
    last_op: Option<uuid::Uuid>,
}

#[derive(Debug, SurrealValue)]
struct ReplyRow {
    comment: uuid::Uuid,
    author_name: String,
    text: String,
    at: DateTime<Utc>,
}

/// A stored thread, with the last change applied to it.
#[derive(Debug, Clone)]
pub struct StoredComment {
    pub comment: Comment,
    pub last_op: Option<uuid::Uuid>,
}

/// Every thread of the review's report with its replies, oldest first.
pub async fn comments(db: &Database, review: ReviewId) -> Result<Vec<StoredComment>, DbError> {
    read(db, review, None).await
}

/// One thread with its replies, if the review's report has it (a change to a thread reads only
/// that thread, not the report's every one).
pub async fn comment(
    db: &Database,
    review: ReviewId,
    id: CommentId,
) -> Result<Option<StoredComment>, DbError> {
    Ok(read(db, review, Some(id)).await?.into_iter().next())
}

/// How many threads the review's report has.
pub async fn count(db: &Database, review: ReviewId) -> Result<usize, DbError> {
    let mut response = db
        .query("RETURN count(SELECT id FROM report_comment WHERE review = $review)")
        .bind(("review", review_record(review)))
        .await?;
    let count: Option<i64> = response.take(0)?;
    Ok(usize::try_from(count.unwrap_or(0)).unwrap_or(0))
}

/// The review's threads, or the one `only`, with their replies, oldest first.
async fn read(
    db: &Database,
    review: ReviewId,
    only: Option<CommentId>,
) -> Result<Vec<StoredComment>, DbError> {
    let (threads, replies) = if only.is_some() {
        (
            "FROM $thread WHERE review = $review",
            "WHERE review = $review AND comment = $id",
        )
    } else {
        (
            "FROM report_comment WHERE review = $review",
            "WHERE review = $review",
        )
    };
    let mut response = db
        .query(format!(
            "SELECT record::id(id)[1] AS comment, block, exact, prefix, suffix, text, suggestion,
                 factual, council, version, record::id(author) AS author_id, author_name, at,
                 resolution, resolved_by, rev, last_op
                 {threads} ORDER BY at;
             SELECT comment, author_name, text, at FROM report_reply {replies} ORDER BY at;"
        ))
        .bind(("review", review_record(review)))
        .bind((
            "thread",
            comment_record(review, only.unwrap_or(CommentId(uuid::Uuid::nil()))),
        ))
        .bind(("id", only.map_or(uuid::Uuid::nil(), |id| id.0)))
        .await?;
    let rows: Vec<CommentRow> = response.take(0)?;
    let replies: Vec<ReplyRow> = response.take(1)?;
    rows.into_iter()
        .map(|row| {
            let resolution = match row.resolution {
                Some(r) => Some(Resolution::parse(&r).ok_or_else(|| corrupt("resolution", &r))?),
                None => None,
            };
            Ok(StoredComment {
                comment: Comment {
                    id: CommentId(row.comment),
                    block: BlockId(row.block),
                    anchor: Anchor {
                        exact: row.exact,
                        prefix: row.prefix,
                        suffix: row.suffix,
                    },
                    text: row.text,
                    suggestion: row.suggestion,
                    factual: row.factual,
                    council: row.council,
                    version: row.version.and_then(|v| u32::try_from(v).ok()),
                    author: row.author_name,
                    author_id: Some(PersonId(row.author_id)),
                    at: row.at.to_rfc3339(),
                    replies: replies
                        .iter()
                        .filter(|r| r.comment == row.comment)
                        .map(|r| Reply {
                            author: r.author_name.clone(),
                            text: r.text.clone(),
                            at: r.at.to_rfc3339(),
                        })
                        .collect(),
                    resolution,
                    resolved_by: row.resolved_by,
                    rev: u64::try_from(row.rev).unwrap_or(0),
                },
                last_op: row.last_op,
            })
        })
        .collect()
}
