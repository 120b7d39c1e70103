//! The timetable's server functions' service: reading it, saving and dropping sessions (with a
//! version check, so two editors never overwrite each other unseen) and recording people met.

use app::error::{AppError, ErrorCode};
use app::membership::Action;
use app::review::ReviewId;
use app::visit::{
    MAX_PEOPLE, MAX_SESSIONS, SessionId, SessionInput, TimetableService, TimetableView,
};

use super::{Timetables, unavailable};
use crate::db;

fn stale() -> AppError {
    AppError::new(
        ErrorCode::Conflict,
        "Someone changed this session while you were editing it: it is shown as it is now. Make your change again.",
    )
}

fn unknown() -> AppError {
    AppError::new(
        ErrorCode::NotFound,
        "That session is not on this review's timetable.",
    )
}

#[async_trait::async_trait]
impl TimetableService for Timetables {
    async fn view(&self, review: ReviewId) -> Result<TimetableView, AppError> {
        let caller = app::accounts::require_caller()?;
        let who = self.door.caller_in(caller, review).await?;
        self.view_for(&who, review).await
    }

    async fn save(&self, review: ReviewId, input: SessionInput) -> Result<u32, AppError> {
        let caller = app::accounts::require_caller()?;
        let who = self.door.caller_in(caller, review).await?;
        who.must(Action::EditTimetable)?;
        let mut session = input.check(who.visit)?;
        let stored = db::visit::session(&self.db, review, session.id)
            .await
            .map_err(unavailable)?;
        match &stored {
            None if input.version != 0 => return Err(unknown()),
            None => {
                let count = self.sessions(review).await?.len();
                if count >= MAX_SESSIONS {
                    return Err(AppError::new(
                        ErrorCode::Invalid,
                        format!("A timetable has at most {MAX_SESSIONS} sessions."),
                    ));
                }
            }
            Some(stored) if stored.version != input.version => return Err(stale()),
            Some(stored) => session.people = stored.people,
        }
        if !db::visit::put(&self.db, review, &session, input.version, Some(self.node))
            .await
            .map_err(unavailable)?
        {
            return Err(stale());
        }
        self.changed(review);
        let detail = format!(
            "\"{}\" {} {}",
            session.title,
            session.day.format("%Y-%m-%d"),
            session.times()
        );
        let kind = if stored.is_some() {
            "session_changed"
        } else {
            "session_added"
        };
        self.audit
            .review_change(&who.caller, review, kind, detail)
            .await?;
        Ok(session.version)
    }

    async fn cancel(
        &self,
        review: ReviewId,
        session: SessionId,
        version: u32,
    ) -> Result<(), AppError> {
        let caller = app::accounts::require_caller()?;
        let who = self.door.caller_in(caller, review).await?;
        who.must(Action::EditTimetable)?;
        let Some(mut stored) = db::visit::session(&self.db, review, session)
            .await
            .map_err(unavailable)?
            .filter(|s| !s.cancelled)
        else {
            return Err(unknown());
        };
        if stored.version != version {
            return Err(stale());
        }
        stored.cancelled = true;
        stored.version += 1;
        if !db::visit::put(&self.db, review, &stored, version, Some(self.node))
            .await
            .map_err(unavailable)?
        {
            return Err(stale());
        }
        self.changed(review);
        self.audit
            .review_change(
                &who.caller,
                review,
                "session_dropped",
                format!("\"{}\"", stored.title),
            )
            .await
    }

    async fn record_people(
        &self,
        review: ReviewId,
        session: SessionId,
        people: Option<u32>,
    ) -> Result<(), AppError> {
        let caller = app::accounts::require_caller()?;
        let who = self.door.caller_in(caller, review).await?;
        who.must(Action::RecordPeopleMet)?;
        if people.is_some_and(|p| p > MAX_PEOPLE) {
            return Err(AppError::invalid_field(
                "people",
                format!("Give an estimate of at most {MAX_PEOPLE} people."),
            ));
        }
        // The version is left alone: the people met do not change anyone's calendar. A
        // concurrent edit is retried once against the version it left.
        for _ in 0..2 {
            let Some(mut stored) = db::visit::session(&self.db, review, session)
                .await
                .map_err(unavailable)?
                .filter(|s| !s.cancelled)
            else {
                return Err(unknown());
            };
            let version = stored.version;
            stored.people = people;
            if db::visit::put(&self.db, review, &stored, version, Some(self.node))
                .await
                .map_err(unavailable)?
            {
                self.changed(review);
                return Ok(());
            }
        }
        Err(stale())
    }
}
