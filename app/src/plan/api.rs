//! Server functions for the action plan and the publication record, and the service they call.
//! Each checks the caller's role in the review against the role table for its programme.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::accounts::PersonId;
use crate::error::AppError;
use crate::plan::{
    ActionInput, ActionPlanView, PlanActionId, ProgressReviewInput, ProgressSetup,
    ProgressStatements, Publication, ScheduledProgressReview,
};
use crate::review::ReviewId;

/// What the server functions of this module need from the server.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait PlanService: Send + Sync {
    /// The plan as the signed-in caller may see it.
    async fn view(&self, review: ReviewId) -> Result<ActionPlanView, AppError>;
    /// Makes the plan from the signed-off report's recommendations (once).
    async fn make(&self, review: ReviewId) -> Result<ActionPlanView, AppError>;
    /// Adds or changes an action (refused if someone changed it since `input.version`).
    async fn save_action(
        &self,
        review: ReviewId,
        input: ActionInput,
    ) -> Result<ActionPlanView, AppError>;
    /// Takes an action off the plan.
    async fn remove_action(
        &self,
        review: ReviewId,
        action: PlanActionId,
        version: u32,
    ) -> Result<ActionPlanView, AppError>;
    /// Writes the council's progress statement on a recommendation.
    async fn save_progress(
        &self,
        review: ReviewId,
        number: u32,
        text: String,
        version: u32,
    ) -> Result<ActionPlanView, AppError>;
    /// Allows a host reader to edit the plan, or no longer.
    async fn allow_editor(
        &self,
        review: ReviewId,
        person: PersonId,
        allowed: bool,
    ) -> Result<ActionPlanView, AppError>;
    /// Records when and where the council published the report or the plan.
    async fn record_publication(
        &self,
        review: ReviewId,
        what: String,
        on: String,
        url: String,
    ) -> Result<Publication, AppError>;
    /// The publication record and deadlines (everyone on the review).
    async fn publication(&self, review: ReviewId) -> Result<Publication, AppError>;
    /// What the facilitator's progress review form needs: the window and the team.
    async fn progress_setup(&self, review: ReviewId) -> Result<ProgressSetup, AppError>;
    /// Schedules the progress review of `review`: a review of its own, its team invited again.
    async fn schedule_progress(
        &self,
        review: ReviewId,
        input: ProgressReviewInput,
    ) -> Result<ScheduledProgressReview, AppError>;
    /// For a progress review: the council's progress on the recommendations it follows up.
    async fn progress_statements(&self, review: ReviewId) -> Result<ProgressStatements, AppError>;
}

#[cfg(feature = "ssr")]
fn plans() -> Result<std::sync::Arc<dyn PlanService>, AppError> {
    crate::services::service::<dyn PlanService>()
}

/// The action plan as the caller may see it.
#[server(prefix = "/api", endpoint = "get_action_plan")]
pub async fn get_action_plan(review: ReviewId) -> Result<ActionPlanView, AppError> {
    crate::error::respond(async { plans()?.view(review).await }).await
}

/// Makes the action plan from the signed-off report's numbered recommendations.
#[server(prefix = "/api", endpoint = "make_action_plan")]
pub async fn make_action_plan(review: ReviewId) -> Result<ActionPlanView, AppError> {
    crate::error::respond(async { plans()?.make(review).await }).await
}

/// Adds an action to a recommendation, or changes one.
#[server(prefix = "/api", endpoint = "save_plan_action", input = Json)]
pub async fn save_plan_action(
    review: ReviewId,
    input: ActionInput,
) -> Result<ActionPlanView, AppError> {
    crate::error::respond(async { plans()?.save_action(review, input).await }).await
}

/// Takes an action off the plan.
#[server(prefix = "/api", endpoint = "remove_plan_action")]
pub async fn remove_plan_action(
    review: ReviewId,
    action: PlanActionId,
    version: u32,
) -> Result<ActionPlanView, AppError> {
    crate::error::respond(async { plans()?.remove_action(review, action, version).await }).await
}

/// Writes the council's progress statement on recommendation `number`.
#[server(prefix = "/api", endpoint = "save_progress_statement")]
pub async fn save_progress_statement(
    review: ReviewId,
    number: u32,
    text: String,
    version: u32,
) -> Result<ActionPlanView, AppError> {
    crate::error::respond(async { plans()?.save_progress(review, number, text, version).await })
        .await
}

/// Allows a host reader to edit the plan (the host lead), or no longer.
#[server(prefix = "/api", endpoint = "allow_plan_editor")]
pub async fn allow_plan_editor(
    review: ReviewId,
    person: PersonId,
    allowed: bool,
) -> Result<ActionPlanView, AppError> {
    crate::error::respond(async { plans()?.allow_editor(review, person, allowed).await }).await
}

/// Records when and where the council published the report (`what` = "report") or the action
/// plan ("plan").
#[server(prefix = "/api", endpoint = "record_publication")]
pub async fn record_publication(
    review: ReviewId,
    what: String,
    on: String,
    url: String,
) -> Result<Publication, AppError> {
    crate::error::respond(async { plans()?.record_publication(review, what, on, url).await }).await
}

/// The publication record and its deadlines.
#[server(prefix = "/api", endpoint = "get_publication")]
pub async fn get_publication(review: ReviewId) -> Result<Publication, AppError> {
    crate::error::respond(async { plans()?.publication(review).await }).await
}

/// The window and the original team, for scheduling the progress review (the facilitator).
#[server(prefix = "/api", endpoint = "progress_review_setup")]
pub async fn progress_review_setup(review: ReviewId) -> Result<ProgressSetup, AppError> {
    crate::error::respond(async { plans()?.progress_setup(review).await }).await
}

/// Schedules the progress review: its days, and whom of the peer team to invite again.
#[server(prefix = "/api", endpoint = "schedule_progress_review", input = Json)]
pub async fn schedule_progress_review(
    review: ReviewId,
    input: ProgressReviewInput,
) -> Result<ScheduledProgressReview, AppError> {
    crate::error::respond(async { plans()?.schedule_progress(review, input).await }).await
}

/// For a progress review: where the council says each recommendation it follows up stands.
#[server(prefix = "/api", endpoint = "get_progress_statements")]
pub async fn get_progress_statements(review: ReviewId) -> Result<ProgressStatements, AppError> {
    crate::error::respond(async { plans()?.progress_statements(review).await }).await
}
