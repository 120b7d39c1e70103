//! The audit trail.

use app::accounts::PersonId;
use app::review::ReviewId;
use chrono::{DateTime, Utc};
use surrealdb::types::SurrealValue;

use super::records::person_record;
use super::{Database, DbError};

/// One line of the audit trail.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub kind: &'static str,
    pub actor: Option<PersonId>,
    pub review: Option<ReviewId>,
    pub detail: String,
    pub address: Option<String>,
}

/// A stored line of the audit trail.
#[derive(Debug, Clone, SurrealValue)]
pub struct AuditRow {
    pub at: DateTime<Utc>,
    pub review: Option<String>,
    pub kind: String,
    pub actor: Option<String>,
    pub detail: String,
    pub address: Option<String>,
}

pub async fn record_audit(db: &Database, entry: AuditEntry) -> Result<(), DbError> {
    db.query(
        "CREATE audit_event SET at = time::now(), kind = $kind, actor = $actor,
                 review = $review, detail = $detail, address = $address",
    )
    .bind(("kind", entry.kind))
    .bind(("actor", entry.actor.map(person_record)))
    .bind(("review", entry.review.map(super::records::review_record)))
    .bind(("detail", entry.detail))
    .bind(("address", entry.address))
    .await?
    .check()?;
    Ok(())
}

/// The newest audit events first, at most `limit`.
pub async fn recent_audit(db: &Database, limit: i64) -> Result<Vec<AuditRow>, DbError> {
    let mut response = db
        .query(
            "SELECT at, review.title AS review, kind, actor.email AS actor, detail, address
             FROM audit_event ORDER BY at DESC LIMIT $limit",
        )
        .bind(("limit", limit))
        .await?;
    Ok(response.take(0)?)
}

/// A review's audit events, newest first, at most `limit`.
pub async fn audit_for_review(
    db: &Database,
    review: ReviewId,
    limit: i64,
) -> Result<Vec<AuditRow>, DbError> {
    let mut response = db
        .query(
            "SELECT at, NONE AS review, kind, actor.name AS actor, detail, address
             FROM audit_event WHERE review = $review ORDER BY at DESC LIMIT $limit",
        )
        .bind(("review", super::records::review_record(review)))
        .bind(("limit", limit))
        .await?;
    Ok(response.take(0)?)
}
