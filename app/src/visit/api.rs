//! Server functions for the timetable, and the service they call. Each checks the caller's role
//! in the review against the role table for the review's programme.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::review::ReviewId;
use crate::visit::{SessionId, SessionInput, TimetableView};

/// What the server functions of this module need from the server.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait TimetableService: Send + Sync {
    /// The timetable as the signed-in caller may see it.
    async fn view(&self, review: ReviewId) -> Result<TimetableView, AppError>;
    /// Adds or changes a session (the editors); its new version.
    async fn save(&self, review: ReviewId, input: SessionInput) -> Result<u32, AppError>;
    /// Drops a session from the timetable (calendars are told to cancel it).
    async fn cancel(
        &self,
        review: ReviewId,
        session: SessionId,
        version: u32,
    ) -> Result<(), AppError>;
    /// Records the people a session met (the peer team).
    async fn record_people(
        &self,
        review: ReviewId,
        session: SessionId,
        people: Option<u32>,
    ) -> Result<(), AppError>;
}

#[cfg(feature = "ssr")]
fn timetables() -> Result<std::sync::Arc<dyn TimetableService>, AppError> {
    crate::services::service::<dyn TimetableService>()
}

/// The visit's timetable as the caller may see it.
#[server(prefix = "/api", endpoint = "get_timetable")]
pub async fn get_timetable(review: ReviewId) -> Result<TimetableView, AppError> {
    crate::error::respond(async { timetables()?.view(review).await }).await
}

/// Adds a session, or changes one (refused if someone changed it since `input.version`).
#[server(prefix = "/api", endpoint = "save_session", input = Json)]
pub async fn save_session(review: ReviewId, input: SessionInput) -> Result<u32, AppError> {
    crate::error::respond(async { timetables()?.save(review, input).await }).await
}

/// Drops a session from the timetable.
#[server(prefix = "/api", endpoint = "cancel_session")]
pub async fn cancel_session(
    review: ReviewId,
    session: SessionId,
    version: u32,
) -> Result<(), AppError> {
    crate::error::respond(async { timetables()?.cancel(review, session, version).await }).await
}

/// Records how many people a session met (empty clears it).
#[server(prefix = "/api", endpoint = "record_people_met")]
pub async fn record_people_met(
    review: ReviewId,
    session: SessionId,
    people: Option<u32>,
) -> Result<(), AppError> {
    crate::error::respond(async { timetables()?.record_people(review, session, people).await })
        .await
}
