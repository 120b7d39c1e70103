//! Server functions for the retention policy, and the service they call.

use leptos::prelude::*;

use crate::error::AppError;
use crate::retention::{DestructionRecord, RetentionView};
use crate::review::ReviewId;

/// What the server functions of this module need from the server.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait RetentionService: Send + Sync {
    /// The review's policy as the caller may see it (`ViewRetention`).
    async fn view(&self, review: ReviewId) -> Result<RetentionView, AppError>;
    /// Sets the review's period (`None`: the site's default) (`SetRetention`).
    async fn set_days(
        &self,
        review: ReviewId,
        days: Option<u32>,
    ) -> Result<RetentionView, AppError>;
    /// Destroys the notes now, after sign-off (`DestroyNotes`).
    async fn destroy_now(&self, review: ReviewId) -> Result<DestructionRecord, AppError>;
    /// The site's default period (administrators).
    async fn site_days(&self) -> Result<u32, AppError>;
    /// Sets the site's default period (administrators).
    async fn set_site_days(&self, days: u32) -> Result<u32, AppError>;
    /// Erases the account with `email` (administrators): its notes stay, by a former member;
    /// how many.
    async fn erase_account(&self, email: String) -> Result<usize, AppError>;
}

#[cfg(feature = "ssr")]
fn retention() -> Result<std::sync::Arc<dyn RetentionService>, AppError> {
    crate::services::service::<dyn RetentionService>()
}

/// The review's retention policy, and the destruction record once there is one.
#[server(prefix = "/api", endpoint = "get_retention")]
pub async fn get_retention(review: ReviewId) -> Result<RetentionView, AppError> {
    crate::error::respond(async { retention()?.view(review).await }).await
}

/// Shortens how long the review keeps its notes after sign-off (`days` empty: the site's
/// default).
#[server(prefix = "/api", endpoint = "set_retention")]
pub async fn set_retention(review: ReviewId, days: Option<u32>) -> Result<RetentionView, AppError> {
    crate::error::respond(async { retention()?.set_days(review, days).await }).await
}

/// Destroys the review's notes now (the report must be signed off); `confirm` is the form's
/// "cannot be brought back" box, required.
#[server(prefix = "/api", endpoint = "destroy_notes_now")]
pub async fn destroy_notes_now(
    review: ReviewId,
    confirm: Option<String>,
) -> Result<DestructionRecord, AppError> {
    crate::error::respond(async {
        if confirm.is_none() {
            return Err(AppError::invalid_field(
                "confirm",
                "Tick the box to confirm: destroyed notes cannot be brought back.",
            ));
        }
        retention()?.destroy_now(review).await
    })
    .await
}

/// The site's default retention period (administrators).
#[server(prefix = "/api", endpoint = "get_site_retention")]
pub async fn get_site_retention() -> Result<u32, AppError> {
    crate::error::respond(async { retention()?.site_days().await }).await
}

/// Sets the site's default retention period (administrators).
#[server(prefix = "/api", endpoint = "set_site_retention")]
pub async fn set_site_retention(days: u32) -> Result<u32, AppError> {
    crate::error::respond(async { retention()?.set_site_days(days).await }).await
}

/// Erases an account (administrators): sign-ins, memberships and the account go; the notes it
/// wrote stay, by "a former member". `confirm` is the form's box, required.
#[server(prefix = "/api", endpoint = "erase_account")]
pub async fn erase_account(email: String, confirm: Option<String>) -> Result<usize, AppError> {
    crate::error::respond(async {
        if confirm.is_none() {
            return Err(AppError::invalid_field(
                "confirm",
                "Tick the box to confirm: an erased account cannot be brought back.",
            ));
        }
        retention()?.erase_account(email).await
    })
    .await
}
