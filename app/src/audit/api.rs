//! Server functions for the audit trail, and the service they call.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::accounts::require_admin;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::membership::authorize;

/// The audit trail: what happened on a review, and across all of them.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait AuditService: Send + Sync {
    /// The newest audit events of `review`, newest first.
    async fn audit_for(
        &self,
        review: crate::review::ReviewId,
    ) -> Result<Vec<crate::audit::AuditEvent>, AppError>;

    /// The newest audit events across every review and none, newest first.
    async fn audit_all(&self) -> Result<Vec<crate::audit::AuditEvent>, AppError>;
}

/// A review's audit trail (facilitator only).
#[server(prefix = "/api", endpoint = "list_audit")]
pub async fn list_audit(
    review: crate::review::ReviewId,
) -> Result<Vec<crate::audit::AuditEvent>, AppError> {
    crate::error::respond(async {
        authorize(review, crate::membership::Action::ViewAudit).await?;
        let services = crate::services::service::<dyn crate::audit::AuditService>()?;
        services.audit_for(review).await
    })
    .await
}
/// The audit trail across every review (administrators only).
#[server(prefix = "/api", endpoint = "list_all_audit")]
pub async fn list_all_audit() -> Result<Vec<crate::audit::AuditEvent>, AppError> {
    crate::error::respond(async {
        require_admin("read the whole audit trail")?;
        let services = crate::services::service::<dyn crate::audit::AuditService>()?;
        services.audit_all().await
    })
    .await
}
