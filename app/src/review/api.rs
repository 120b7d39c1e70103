//! Server functions for reviews, and the service they call.

use leptos::prelude::*;

use crate::error::AppError;
use crate::review::ReviewSummary;

/// What the server functions of this module need from the server.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait ReviewService: Send + Sync {
    /// Every review, most recent on-site visit first.
    async fn list_reviews(&self) -> Result<Vec<ReviewSummary>, AppError>;
}

/// Lists the reviews shown on the home page.
#[server(prefix = "/api", endpoint = "list_reviews")]
pub async fn list_reviews() -> Result<Vec<ReviewSummary>, AppError> {
    let services = crate::services::use_services()?;
    services.reviews.list_reviews().await
}
