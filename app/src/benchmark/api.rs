//! Server functions for the benchmarking data; the import itself is a plain HTTP route
//! (`server/src/benchmark.rs`), like the pack's uploads.

use leptos::prelude::*;

use crate::benchmark::BenchmarkView;
use crate::error::AppError;
use crate::review::ReviewId;

/// What the server functions of this module need from the server.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait BenchmarkService: Send + Sync {
    /// The data page as the signed-in caller may see it.
    async fn view(&self, review: ReviewId) -> Result<BenchmarkView, AppError>;
    /// Adds an indicator to the team's picks, or takes it off.
    async fn pick(&self, review: ReviewId, indicator: String, picked: bool)
    -> Result<(), AppError>;
}

#[cfg(feature = "ssr")]
fn benchmarks() -> Result<std::sync::Arc<dyn BenchmarkService>, AppError> {
    crate::services::service::<dyn BenchmarkService>()
}

/// The review's benchmarking data and the team's picked indicators, charted.
#[server(prefix = "/api", endpoint = "get_benchmarks")]
pub async fn get_benchmarks(review: ReviewId) -> Result<BenchmarkView, AppError> {
    crate::error::respond(async { benchmarks()?.view(review).await }).await
}

/// Picks an indicator for the team's charts (`picked` false takes it off).
#[server(prefix = "/api", endpoint = "pick_indicator")]
pub async fn pick_indicator(
    review: ReviewId,
    indicator: String,
    picked: bool,
) -> Result<(), AppError> {
    crate::error::respond(async { benchmarks()?.pick(review, indicator, picked).await }).await
}
