//! Server functions for the report, and the service they call. Each checks the caller's role in
//! the review against the role table for the review's programme (`membership::allows_in`).

use leptos::prelude::*;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::report::DueDates;
use crate::report::diff::BlockDiff;
use crate::report::generate::Addition;
use crate::report::guard::Finding;
#[cfg(feature = "ssr")]
use crate::report::rounds::Step;
use crate::report::{BlockId, ReportStatus, ReportView, Version};
use crate::review::ReviewId;
use crate::wall::MessageId;

/// Who is asking, with their role and the review's programme, checked.
#[cfg(feature = "ssr")]
#[derive(Debug, Clone)]
pub struct ReportCaller {
    pub caller: crate::accounts::Caller,
    pub role: crate::membership::Role,
    pub programme: crate::review::ReviewType,
}

#[cfg(feature = "ssr")]
impl ReportCaller {
    /// Whether the caller may do `action` in this review's programme.
    pub fn may(&self, action: crate::membership::Action) -> bool {
        crate::membership::allows_in(self.programme, self.role, action)
    }

    /// `Ok` when the caller may do `action`, else the role table's refusal.
    pub fn must(&self, action: crate::membership::Action) -> Result<(), AppError> {
        if self.may(action) {
            Ok(())
        } else {
            Err(crate::membership::forbidden(self.role))
        }
    }
}

/// A note behind a paragraph, as the peer team sees it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EvidenceNote {
    pub text: String,
    pub kind: crate::wall::NoteKind,
    pub source: String,
    pub stakeholder: String,
}

/// A non-attribution finding and whether the authors confirmed it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CheckedFinding {
    pub finding: Finding,
    pub confirmed: bool,
    /// The block's text around it, to find it.
    pub context: String,
}

/// What the server functions of this module need from the server.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait ReportService: Send + Sync {
    /// Whether the caller may act on `review`'s report, and as what.
    async fn caller(&self, review: ReviewId) -> Result<ReportCaller, AppError>;
    /// The report as `who` may see it; None when none has been drafted.
    async fn view(
        &self,
        who: &ReportCaller,
        review: ReviewId,
    ) -> Result<Option<ReportView>, AppError>;
    async fn status(
        &self,
        who: &ReportCaller,
        review: ReviewId,
    ) -> Result<Option<ReportStatus>, AppError>;
    /// Drafts the report from the wall (once).
    async fn create(&self, who: &ReportCaller, review: ReviewId) -> Result<(), AppError>;
    async fn additions(
        &self,
        who: &ReportCaller,
        review: ReviewId,
    ) -> Result<Vec<Addition>, AppError>;
    /// Takes an addition into the draft, or with `accept` false sets it aside.
    async fn take_addition(
        &self,
        who: &ReportCaller,
        review: ReviewId,
        message: MessageId,
        accept: bool,
    ) -> Result<(), AppError>;
    async fn step(&self, who: &ReportCaller, review: ReviewId, step: Step) -> Result<(), AppError>;
    async fn set_due(
        &self,
        who: &ReportCaller,
        review: ReviewId,
        due: DueDates,
    ) -> Result<(), AppError>;
    async fn check(
        &self,
        who: &ReportCaller,
        review: ReviewId,
    ) -> Result<Vec<CheckedFinding>, AppError>;
    async fn confirm(
        &self,
        who: &ReportCaller,
        review: ReviewId,
        key: String,
    ) -> Result<(), AppError>;
    async fn version(
        &self,
        who: &ReportCaller,
        review: ReviewId,
        number: u32,
    ) -> Result<Version, AppError>;
    async fn diff(
        &self,
        who: &ReportCaller,
        review: ReviewId,
        from: u32,
        to: u32,
    ) -> Result<Vec<BlockDiff>, AppError>;
    async fn evidence(
        &self,
        who: &ReportCaller,
        review: ReviewId,
        block: BlockId,
    ) -> Result<Vec<EvidenceNote>, AppError>;
    /// The scale of the work as a sentence to insert.
    async fn scale(&self, who: &ReportCaller, review: ReviewId) -> Result<String, AppError>;
}

#[cfg(feature = "ssr")]
async fn report_service(
    review: ReviewId,
) -> Result<(std::sync::Arc<dyn ReportService>, ReportCaller), AppError> {
    let service = crate::services::service::<dyn ReportService>()?;
    let who = service.caller(review).await?;
    Ok((service, who))
}

/// The report as the caller may see it (None: not drafted yet).
#[server(prefix = "/api", endpoint = "get_report")]
pub async fn get_report(review: ReviewId) -> Result<Option<ReportView>, AppError> {
    crate::error::respond(async {
        let (service, who) = report_service(review).await?;
        service.view(&who, review).await
    })
    .await
}

/// Where the report stands, for the review page.
#[server(prefix = "/api", endpoint = "get_report_status")]
pub async fn get_report_status(review: ReviewId) -> Result<Option<ReportStatus>, AppError> {
    crate::error::respond(async {
        let (service, who) = report_service(review).await?;
        service.status(&who, review).await
    })
    .await
}

/// Drafts the report from the wall's key messages (the authors; once).
#[server(prefix = "/api", endpoint = "create_report")]
pub async fn create_report(review: ReviewId) -> Result<(), AppError> {
    crate::error::respond(async {
        let (service, who) = report_service(review).await?;
        service.create(&who, review).await
    })
    .await
}

/// Key messages added or changed on the wall since the draft was made.
#[server(prefix = "/api", endpoint = "report_additions")]
pub async fn report_additions(review: ReviewId) -> Result<Vec<Addition>, AppError> {
    crate::error::respond(async {
        let (service, who) = report_service(review).await?;
        service.additions(&who, review).await
    })
    .await
}

/// Takes one addition into the draft (`accept`), or sets it aside.
#[server(prefix = "/api", endpoint = "take_report_addition")]
pub async fn take_report_addition(
    review: ReviewId,
    message: MessageId,
    accept: bool,
) -> Result<(), AppError> {
    crate::error::respond(async {
        let (service, who) = report_service(review).await?;
        service.take_addition(&who, review, message, accept).await
    })
    .await
}

/// Moves the report on a round: ask the peers, send a version, close the council's comments,
/// send the final version, or sign off.
/// `step` is `ask_peers`, `send`, `close_council_comments`, `send_final` or `sign_off` (with
/// the `version` signed off).
#[server(prefix = "/api", endpoint = "report_step")]
pub async fn report_step(
    review: ReviewId,
    step: String,
    version: Option<u32>,
) -> Result<(), AppError> {
    crate::error::respond(async {
        let step = Step::parse(&step, version).ok_or_else(|| {
            AppError::new(
                crate::error::ErrorCode::Invalid,
                "That is not a step the report can take.",
            )
        })?;
        let (service, who) = report_service(review).await?;
        service.step(&who, review, step).await
    })
    .await
}

/// Sets the rounds' due dates (the facilitator); each `YYYY-MM-DD` or empty.
#[server(prefix = "/api", endpoint = "set_report_due_dates")]
pub async fn set_report_due_dates(
    review: ReviewId,
    peer_comments: Option<String>,
    council_comments: Option<String>,
    final_version: Option<String>,
    sign_off: Option<String>,
) -> Result<(), AppError> {
    crate::error::respond(async {
        let date =
            |value: Option<String>, what: &str| -> Result<Option<chrono::NaiveDate>, AppError> {
                match value.as_deref().map(str::trim) {
                    None | Some("") => Ok(None),
                    Some(text) => text.parse().map(Some).map_err(|_| {
                        AppError::new(
                            crate::error::ErrorCode::Invalid,
                            format!("The {what} due date is not a date."),
                        )
                    }),
                }
            };
        let due = DueDates {
            peer_comments: date(peer_comments, "peer comments")?,
            council_comments: date(council_comments, "council comments")?,
            final_version: date(final_version, "final version")?,
            sign_off: date(sign_off, "sign-off")?,
        };
        let (service, who) = report_service(review).await?;
        service.set_due(&who, review, due).await
    })
    .await
}

/// The non-attribution check of the draft as it stands.
#[server(prefix = "/api", endpoint = "check_report_attribution")]
pub async fn check_report_attribution(review: ReviewId) -> Result<Vec<CheckedFinding>, AppError> {
    crate::error::respond(async {
        let (service, who) = report_service(review).await?;
        service.check(&who, review).await
    })
    .await
}

/// The authors confirm a finding may stay (audited).
#[server(prefix = "/api", endpoint = "confirm_report_finding")]
pub async fn confirm_report_finding(review: ReviewId, key: String) -> Result<(), AppError> {
    crate::error::respond(async {
        let (service, who) = report_service(review).await?;
        service.confirm(&who, review, key).await
    })
    .await
}

/// A version sent to the council (a read by the council is audited).
#[server(prefix = "/api", endpoint = "get_report_version")]
pub async fn get_report_version(review: ReviewId, number: u32) -> Result<Version, AppError> {
    crate::error::respond(async {
        let (service, who) = report_service(review).await?;
        service.version(&who, review, number).await
    })
    .await
}

/// What changed between two versions sent to the council, block by block.
#[server(prefix = "/api", endpoint = "diff_report_versions")]
pub async fn diff_report_versions(
    review: ReviewId,
    from: u32,
    to: u32,
) -> Result<Vec<BlockDiff>, AppError> {
    crate::error::respond(async {
        let (service, who) = report_service(review).await?;
        service.diff(&who, review, from, to).await
    })
    .await
}

/// The notes behind a paragraph drafted from a key message (the peer team only).
#[server(prefix = "/api", endpoint = "report_evidence")]
pub async fn report_evidence(
    review: ReviewId,
    block: BlockId,
) -> Result<Vec<EvidenceNote>, AppError> {
    crate::error::respond(async {
        let (service, who) = report_service(review).await?;
        service.evidence(&who, review, block).await
    })
    .await
}

/// The scale of the work as a sentence the authors can insert.
#[server(prefix = "/api", endpoint = "report_scale")]
pub async fn report_scale(review: ReviewId) -> Result<String, AppError> {
    crate::error::respond(async {
        let (service, who) = report_service(review).await?;
        service.scale(&who, review).await
    })
    .await
}
