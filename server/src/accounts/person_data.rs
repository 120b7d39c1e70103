//! `GET /api/admin/person-data?email=…`: everything Peerwall holds about one person, as JSON,
//! for an administrator answering a subject access request; the export is itself audited.

use app::accounts::RequestSession;
use app::error::{AppError, ErrorCode};
use axum::Extension;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;

use crate::audit::AuditEntry;
use crate::endpoint::{attachment, refuse};

#[derive(Debug, Deserialize)]
pub struct PersonQuery {
    #[serde(default)]
    email: String,
}

pub async fn download_person_data(
    State(state): State<crate::AppState>,
    Query(query): Query<PersonQuery>,
    session: Option<Extension<RequestSession>>,
) -> Response {
    let Some(Extension(session)) = session else {
        return refuse(AppError::new(
            ErrorCode::Unauthenticated,
            "Sign in as an administrator to export a person's data.",
        ));
    };
    if !session.caller.is_admin {
        return refuse(AppError::new(
            ErrorCode::Forbidden,
            "Only an administrator can export a person's data.",
        ));
    }
    let email = query.email.trim().to_lowercase();
    let result = async {
        let data = state.accounts.person_data(&email).await?.ok_or_else(|| {
            AppError::new(ErrorCode::NotFound, "No account has that email address.")
        })?;
        state
            .audit
            .record(AuditEntry {
                kind: "person_data_exported",
                actor: Some(session.caller.id),
                review: None,
                detail: email.clone(),
                address: None,
            })
            .await?;
        serde_json::to_string_pretty(&data)
            .map_err(|_| AppError::internal("The data could not be written out."))
    }
    .await;
    match result {
        Ok(body) => attachment(body, "application/json", &email, "data.json"),
        Err(error) => refuse(error),
    }
}
