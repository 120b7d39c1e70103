//! The report as a Word document to download.

use app::error::AppError;
use app::membership::Action;
use app::report::ReportService;

use super::docx;

/// `GET /api/reviews/{review}/report.docx?version=N`: a version sent to the council as a Word
/// document (the peer team and the council; a download by the council is audited), or without
/// `version` the team draft as it stands (those who may read it).
pub async fn download_docx(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    axum::extract::Path(review): axum::extract::Path<String>,
    axum::extract::Query(query): axum::extract::Query<DocxQuery>,
    session: Option<axum::Extension<app::accounts::RequestSession>>,
) -> axum::response::Response {
    use crate::endpoint::{caller, refuse};

    let (review, session) = match caller(
        &state,
        &review,
        session,
        "Sign in to download the report.",
        None,
    ) {
        Ok(caller) => caller,
        Err(error) => return refuse(error),
    };
    let reports = state.report.clone();
    let result = async {
        let who = reports
            .report_caller(session.caller.clone(), review)
            .await?;
        let summary = reports
            .reviews
            .summary(review)
            .await?
            .ok_or_else(app::membership::not_a_member)?;
        let report = reports.state(review).await?;
        let (blocks, label, draft) = if let Some(number) = query.version {
            let version = reports.version(&who, review, number).await?;
            let signed = report
                .signed_off
                .as_ref()
                .is_some_and(|s| s.version == number);
            let sent = version.sent_at.get(..10).unwrap_or_default().to_string();
            (
                version.blocks,
                format!("Version {number}, sent {sent}"),
                !signed,
            )
        } else {
            who.must(Action::ReadDraft)?;
            (
                reports.live_blocks(review).await?,
                "Team draft, not sent".to_string(),
                true,
            )
        };
        if who.role.is_host() && query.version.is_some() {
            reports
                .audit
                .review_change(&who.caller, review, "report_downloaded", label.clone())
                .await?;
        }
        let cover = docx::Cover {
            title: &summary.title,
            council: &summary.host_authority,
            version: label,
            draft,
        };
        let bytes = docx::render(&cover, &blocks)?;
        Ok::<_, AppError>((bytes, summary.title, query.version))
    }
    .await;
    match result {
        Ok((bytes, title, version)) => {
            let suffix = version.map_or("draft".to_string(), |n| format!("v{n}"));
            crate::endpoint::attachment(
                bytes,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                &title,
                &format!("report-{suffix}.docx"),
            )
        }
        Err(error) => refuse(error),
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct DocxQuery {
    #[serde(default)]
    version: Option<u32>,
}
