//! The review service behind the `app` crate's review server functions.

use app::error::AppError;
use app::review::{ReviewService, ReviewSummary};

use crate::db::{self, Database};

/// Reviews stored in SurrealDB.
pub struct ReviewStore {
    db: Database,
}

impl ReviewStore {
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

#[async_trait::async_trait]
impl ReviewService for ReviewStore {
    async fn list_reviews(&self) -> Result<Vec<ReviewSummary>, AppError> {
        db::review::list_summaries(&self.db).await.map_err(|error| {
            tracing::error!(%error, "listing reviews");
            AppError::unavailable("The reviews could not be loaded just now. Please try again.")
        })
    }
}
