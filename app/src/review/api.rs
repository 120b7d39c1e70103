//! Server functions for reviews, and the service they call.

use leptos::prelude::*;

use crate::error::AppError;
use crate::review::{MyReview, ReviewId, ReviewOverview};

/// What the server functions of this module need from the server.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait ReviewService: Send + Sync {
    /// The reviews `person` is a member of, latest on-site visit first.
    async fn list_for(&self, person: crate::accounts::PersonId) -> Result<Vec<MyReview>, AppError>;

    /// What `review` is (title, host, dates, phase), without its members.
    async fn summary(
        &self,
        review: ReviewId,
    ) -> Result<Option<crate::review::ReviewSummary>, AppError>;

    /// The overview of `review` for someone in `role`; pairs only when `include_pairs`.
    async fn overview(
        &self,
        review: ReviewId,
        role: crate::membership::Role,
        include_pairs: bool,
    ) -> Result<Option<ReviewOverview>, AppError>;

    /// Moves `review` to `phase`, recording who did it and when; a move back needs `reason`.
    async fn change_phase(
        &self,
        by: &crate::accounts::Caller,
        review: ReviewId,
        phase: crate::review::Phase,
        reason: Option<String>,
    ) -> Result<(), AppError>;

    /// Creates a review with its headings; `by` becomes its facilitator.
    async fn create(
        &self,
        by: &crate::accounts::Caller,
        review: crate::review::CheckedReview,
    ) -> Result<ReviewId, AppError>;
}

/// The signed-in person's reviews.
#[server(prefix = "/api", endpoint = "list_my_reviews")]
pub async fn list_my_reviews() -> Result<Vec<MyReview>, AppError> {
    crate::error::respond(async {
        let caller = crate::accounts::require_caller()?;
        let services = crate::services::service::<dyn crate::review::ReviewService>()?;
        services.list_for(caller.id).await
    })
    .await
}

/// One review's overview, with members, pairs (for the peer team) and key dates.
#[server(prefix = "/api", endpoint = "get_review")]
pub async fn get_review(review: ReviewId) -> Result<ReviewOverview, AppError> {
    use crate::membership::{Action, allows, authorize};
    crate::error::respond(async {
        let (_, role) = authorize(review, Action::ViewReview).await?;
        let services = crate::services::service::<dyn crate::review::ReviewService>()?;
        services
            .overview(review, role, allows(role, Action::ViewPairs))
            .await?
            .ok_or_else(crate::membership::not_a_member)
    })
    .await
}

/// Moves a review to another phase (facilitator only); moving back needs a reason.
#[server(prefix = "/api", endpoint = "change_phase")]
pub async fn change_phase(
    review: ReviewId,
    phase: crate::review::Phase,
    reason: Option<String>,
) -> Result<(), AppError> {
    use crate::membership::{Action, authorize};
    crate::error::respond(async {
        let (caller, _) = authorize(review, Action::ChangePhase).await?;
        let services = crate::services::service::<dyn crate::review::ReviewService>()?;
        services.change_phase(&caller, review, phase, reason).await
    })
    .await
}

/// Creates a review (facilitator accounts and administrators); the creator becomes its
/// facilitator. Returns the new review's id.
#[server(prefix = "/api", endpoint = "create_review")]
pub async fn create_review(
    title: String,
    host_authority: String,
    review_type: String,
    scope: String,
    focus: String,
    on_site_start: String,
    on_site_end: String,
) -> Result<ReviewId, AppError> {
    crate::error::respond(async {
        let caller = crate::accounts::require_review_creator(
            "set up a review (an administrator can invite you to open one)",
        )?;
        let checked = crate::review::NewReviewInput {
            title,
            host_authority,
            review_type,
            scope,
            focus,
            on_site_start,
            on_site_end,
        }
        .check()?;
        let services = crate::services::service::<dyn crate::review::ReviewService>()?;
        services.create(&caller, checked).await
    })
    .await
}

/// Reads a review id from a route parameter and loads the review's overview; an id that does not
/// parse is answered like an unknown review.
pub async fn load_review(id: Option<String>) -> Result<ReviewOverview, AppError> {
    let id = id
        .and_then(|id| uuid::Uuid::parse_str(&id).ok())
        .map(ReviewId)
        .ok_or_else(crate::membership::not_a_member)?;
    get_review(id).await
}
