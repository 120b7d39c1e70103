//! The audit service: every service writes its audit rows through it, and the facilitator's
//! and administrators' trails read them.

use app::accounts::Caller;
use app::audit::{AuditEvent, AuditService};
use app::error::AppError;
use app::review::ReviewId;

use crate::db::{self, Database, DbError};

mod download;

pub use crate::db::audit::AuditEntry;
pub use download::download_csv;

/// The most rows a download of one review's trail holds.
const MOST_DOWNLOADED: i64 = 100_000;

/// The audit trail in SurrealDB.
#[derive(Clone)]
pub struct AuditTrail {
    db: Database,
}

fn unavailable(error: DbError) -> AppError {
    tracing::error!(%error, "audit service");
    AppError::unavailable(
        "The audit trail could not be read or written just now. Please try again.",
    )
}

impl AuditTrail {
    pub fn new(db: Database) -> Self {
        Self { db }
    }

    /// Writes a row; the action it records fails with it (a change must not go unrecorded).
    pub async fn record(&self, entry: AuditEntry) -> Result<(), AppError> {
        db::audit::record_audit(&self.db, entry)
            .await
            .map_err(unavailable)
    }

    /// Writes the row of a change `by` made on `review`; the change fails with it.
    pub async fn review_change(
        &self,
        by: &Caller,
        review: ReviewId,
        kind: &'static str,
        detail: String,
    ) -> Result<(), AppError> {
        self.record(AuditEntry {
            kind,
            actor: Some(by.id),
            review: Some(review),
            detail,
            address: None,
        })
        .await
    }

    /// Every row of `review`'s trail (up to `MOST_DOWNLOADED`), newest first, for its download.
    pub async fn everything_for(&self, review: ReviewId) -> Result<Vec<AuditEvent>, AppError> {
        let rows = db::audit::audit_for_review(&self.db, review, MOST_DOWNLOADED)
            .await
            .map_err(unavailable)?;
        Ok(rows.into_iter().map(audit_event).collect())
    }

    /// Writes a row of something that has already happened (a sign-in, a refused password):
    /// a failure is logged, not returned.
    pub async fn note(&self, entry: AuditEntry) {
        let kind = entry.kind;
        if let Err(error) = db::audit::record_audit(&self.db, entry).await {
            tracing::error!(%error, kind, "could not write an audit event");
        }
    }
}

#[async_trait::async_trait]
impl AuditService for AuditTrail {
    async fn audit_for(&self, review: ReviewId) -> Result<Vec<AuditEvent>, AppError> {
        let rows = db::audit::audit_for_review(&self.db, review, 200)
            .await
            .map_err(unavailable)?;
        Ok(rows.into_iter().map(audit_event).collect())
    }

    async fn audit_all(&self) -> Result<Vec<AuditEvent>, AppError> {
        let rows = db::audit::recent_audit(&self.db, 300)
            .await
            .map_err(unavailable)?;
        Ok(rows.into_iter().map(audit_event).collect())
    }
}

fn audit_event(row: db::audit::AuditRow) -> AuditEvent {
    AuditEvent {
        at: row.at.format("%-d %b %Y %H:%M:%S UTC").to_string(),
        kind: row.kind,
        actor: row.actor,
        detail: row.detail,
        review: row.review,
    }
}
