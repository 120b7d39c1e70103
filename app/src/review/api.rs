//! Server functions for reviews, and the service they call.

use leptos::prelude::*;

use crate::error::AppError;
use crate::review::{MyReview, ReviewId, ReviewOverview};

/// What the server functions of this module need from the server.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait ReviewService: Send + Sync {
    /// The reviews `person` is a member of, latest on-site visit first.
    async fn list_for(&self, person: crate::people::PersonId) -> Result<Vec<MyReview>, AppError>;

    /// The overview of `review` for someone in `role`; pairs only when `include_pairs`.
    async fn overview(
        &self,
        review: ReviewId,
        role: crate::people::Role,
        include_pairs: bool,
    ) -> Result<Option<ReviewOverview>, AppError>;

    /// Moves `review` to `phase`, recording who did it and when.
    async fn change_phase(
        &self,
        by: &crate::people::Caller,
        review: ReviewId,
        phase: crate::review::Phase,
    ) -> Result<(), AppError>;
}

/// The signed-in person's reviews.
#[server(prefix = "/api", endpoint = "list_my_reviews")]
pub async fn list_my_reviews() -> Result<Vec<MyReview>, AppError> {
    async {
        let caller = crate::people::require_caller()?;
        let services = crate::services::use_services()?;
        services.reviews.list_for(caller.id).await
    }
    .await
    .map_err(crate::error::with_status)
}

/// One review's overview, with members, pairs (for the peer team) and key dates.
#[server(prefix = "/api", endpoint = "get_review")]
pub async fn get_review(review: ReviewId) -> Result<ReviewOverview, AppError> {
    use crate::people::{Action, allows, authorize};
    async {
        let (_, role) = authorize(review, Action::ViewReview).await?;
        let services = crate::services::use_services()?;
        services
            .reviews
            .overview(review, role, allows(role, Action::ViewPairs))
            .await?
            .ok_or_else(crate::people::not_a_member)
    }
    .await
    .map_err(crate::error::with_status)
}

/// Moves a review to another phase (facilitator only).
#[server(prefix = "/api", endpoint = "change_phase")]
pub async fn change_phase(review: ReviewId, phase: crate::review::Phase) -> Result<(), AppError> {
    use crate::people::{Action, authorize};
    async {
        let (caller, _) = authorize(review, Action::ChangePhase).await?;
        let services = crate::services::use_services()?;
        services.reviews.change_phase(&caller, review, phase).await
    }
    .await
    .map_err(crate::error::with_status)
}
