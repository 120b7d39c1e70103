//! The review's audit trail as CSV to download.

use app::accounts::RequestSession;
use app::membership::{Action, authorize_person};
use axum::Extension;
use axum::extract::{Path, State};
use axum::response::Response;

use super::AuditEntry;
use crate::endpoint::{attachment, caller, refuse};

/// `GET /api/reviews/{review}/audit.csv`: every row of the review's audit trail, oldest last, for
/// those who may read it (`ViewAudit`); the download is itself a row of the trail.
pub async fn download_csv(
    State(state): State<crate::AppState>,
    Path(review): Path<String>,
    session: Option<Extension<RequestSession>>,
) -> Response {
    let (review, session) = match caller(
        &state,
        &review,
        session,
        "Sign in to download the audit trail.",
        None,
    ) {
        Ok(caller) => caller,
        Err(error) => return refuse(error),
    };
    let result = async {
        let membership = state.services.membership.as_ref();
        authorize_person(membership, session.caller.id, review, Action::ViewAudit).await?;
        let summary = (state.services.reviews.summary(review).await?)
            .ok_or_else(app::membership::not_a_member)?;
        state
            .audit
            .record(AuditEntry {
                kind: "audit_exported",
                actor: Some(session.caller.id),
                review: Some(review),
                detail: "csv".into(),
                address: None,
            })
            .await?;
        let events = state.audit.everything_for(review).await?;
        Ok::<_, app::error::AppError>((summary.title, app::audit::to_csv(&events)))
    }
    .await;
    match result {
        Ok((title, body)) => attachment(body, "text/csv; charset=utf-8", &title, "audit.csv"),
        Err(error) => refuse(error),
    }
}
