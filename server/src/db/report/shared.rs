//! Report changes as rows every node follows with one LIVE query, so that a change made through
//! one node reaches the report's sockets on the others.

use app::report::{BlockId, CommentId};
use app::review::ReviewId;
use surrealdb::types::{RecordId, RecordIdKey, SurrealValue};

use super::{Database, DbError, review_record};

/// How long a change is kept: long enough for every node to have heard of it.
const KEPT_FOR: &str = "1h";

/// What changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportChange {
    Block {
        id: BlockId,
        deleted: bool,
    },
    Comment(CommentId),
    /// The round, versions or due dates: each socket reads its view again.
    Refresh,
}

/// Records that `node` changed `review`'s report, and forgets changes older than an hour.
pub async fn record_change(
    db: &Database,
    review: ReviewId,
    node: uuid::Uuid,
    change: ReportChange,
) -> Result<(), DbError> {
    let (block, deleted, comment) = match change {
        ReportChange::Block { id, deleted } => (Some(id.0), deleted, None),
        ReportChange::Comment(id) => (None, false, Some(id.0)),
        ReportChange::Refresh => (None, false, None),
    };
    db.query(format!(
        "CREATE report_change SET review = $review, node = $node, block = $block,
             deleted = $deleted, comment = $comment, at = time::now();
         DELETE report_change WHERE at < time::now() - {KEPT_FOR};"
    ))
    .bind(("review", review_record(review)))
    .bind(("node", node))
    .bind(("block", block))
    .bind(("deleted", deleted))
    .bind(("comment", comment))
    .await?
    .check()?;
    Ok(())
}

#[derive(Debug, SurrealValue)]
struct LiveRow {
    review: RecordId,
    node: uuid::Uuid,
    block: Option<uuid::Uuid>,
    deleted: bool,
    comment: Option<uuid::Uuid>,
}

/// Notifications of report changes: (live query id, (review, the node that made it, change)).
pub type LiveReportChanges = crate::db::live::Live<(ReviewId, uuid::Uuid, ReportChange)>;

/// Starts a LIVE query on the report changes.
pub async fn live_changes(db: &Database) -> Result<LiveReportChanges, DbError> {
    crate::db::live::live_creates(
        db,
        "LIVE SELECT review, node, block, deleted, comment FROM report_change",
        |row: LiveRow| {
            let RecordIdKey::Uuid(review) = &row.review.key else {
                return None;
            };
            let change = match (row.block, row.comment) {
                (Some(id), _) => ReportChange::Block {
                    id: BlockId(id),
                    deleted: row.deleted,
                },
                (None, Some(id)) => ReportChange::Comment(CommentId(id)),
                (None, None) => ReportChange::Refresh,
            };
            Some((ReviewId((*review).into()), row.node, change))
        },
    )
    .await
}
