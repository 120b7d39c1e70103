//! `GET /api/reviews/{review}/wall/export?format=md|csv&authors=include|omit`: the wall and its
//! key messages as a file. The peer team only (the host never gets notes); authors and pairs are
//! left out unless asked for, and only the facilitator and team lead may ask (`ExportWall`).
//! Every export is in the audit trail: who, which format, with or without authors.

use app::accounts::RequestSession;
use app::error::AppError;
use app::membership::{Action, authorize_person};
use app::wall::export::{Authors, to_csv, to_markdown};
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::Deserialize;

use crate::AppState;
use crate::audit::AuditEntry;
use crate::endpoint::{caller, refuse};

#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    #[serde(default)]
    format: Option<String>,
    #[serde(default)]
    authors: Option<String>,
}

pub async fn export_wall(
    State(state): State<AppState>,
    Path(review): Path<String>,
    Query(query): Query<ExportQuery>,
    session: Option<Extension<RequestSession>>,
) -> Response {
    let (review, session) = match caller(
        &state,
        &review,
        session,
        "Sign in to export the wall.",
        None,
    ) {
        Ok(caller) => caller,
        Err(error) => return refuse(error),
    };
    let (format, content_type) = match query.format.as_deref().unwrap_or("md") {
        "md" => ("md", "text/markdown; charset=utf-8"),
        "csv" => ("csv", "text/csv; charset=utf-8"),
        _ => {
            return refuse(AppError::invalid_field(
                "format",
                "The format is md or csv.",
            ));
        }
    };
    let authors = match query.authors.as_deref().unwrap_or("omit") {
        "omit" => Authors::Omit,
        "include" => Authors::Include,
        _ => {
            return refuse(AppError::invalid_field(
                "authors",
                "Authors are include or omit.",
            ));
        }
    };
    let people = state.services.membership.clone();
    let action = match authors {
        Authors::Include => Action::ExportWall,
        Authors::Omit => Action::ViewNotes,
    };
    if let Err(error) = authorize_person(people.as_ref(), session.caller.id, review, action).await {
        return refuse(error);
    }
    let detail = match authors {
        Authors::Include => format!("{format}, with authors and pairs"),
        Authors::Omit => format!("{format}, without authors"),
    };
    let audited = state
        .audit
        .record(AuditEntry {
            kind: "wall_exported",
            actor: Some(session.caller.id),
            review: Some(review),
            detail,
            address: None,
        })
        .await;
    if audited.is_err() {
        // No export leaves without its trace.
        return refuse(not_now());
    }
    let (board, summary) = match tokio::try_join!(
        state.wall.board(review),
        state.services.reviews.summary(review)
    ) {
        Ok((board, Some(summary))) => (board, summary),
        Ok((_, None)) => return refuse(app::membership::not_a_member()),
        Err(_) => return refuse(not_now()),
    };
    let body = match format {
        "csv" => to_csv(&board, authors),
        _ => to_markdown(&board, &summary.title, authors),
    };
    crate::endpoint::attachment(
        body,
        content_type,
        &summary.title,
        &format!("wall.{format}"),
    )
}

fn not_now() -> AppError {
    AppError::unavailable("The wall could not be exported just now.")
}

#[cfg(test)]
mod tests {
    #[test]
    fn file_names_are_tidy() {
        assert_eq!(
            crate::endpoint::attachment_name("Eastbrook Borough Council: CPC 2026", "wall.csv"),
            "eastbrook-borough-council-cpc-2026-wall.csv"
        );
        assert_eq!(
            crate::endpoint::attachment_name("  ***  ", "wall.md"),
            "review-wall.md"
        );
    }
}
