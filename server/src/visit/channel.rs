//! The timetable's channel: `GET /ws/reviews/{review}/timetable` (the lifecycle is
//! `crate::socket`'s). Everyone on the review may open it; each socket gets the timetable as its
//! caller may see it, on joining and after every change made through any node.

use std::sync::Arc;

use app::error::AppError;
use app::membership::{Action, Role};
use app::visit::protocol::{TimetableClientMessage, TimetableServerMessage};
use axum::extract::ws::close_code;
use tokio::sync::watch;

use super::{ReviewCaller, Timetables};
use crate::AppState;
use crate::socket::{Channel, Flow, Link, Next, SocketCaller};

/// One open timetable.
pub struct TimetableChannel {
    timetables: Timetables,
    who: ReviewCaller,
    review: app::review::ReviewId,
    changes: watch::Receiver<u64>,
    /// A change was heard and not yet sent (kept across a cancelled `next`).
    dirty: bool,
}

fn frame(message: &TimetableServerMessage) -> Arc<str> {
    Arc::from(serde_json::to_string(message).unwrap_or_default())
}

impl TimetableChannel {
    async fn current(&self) -> Arc<str> {
        match self.timetables.view_for(&self.who, self.review).await {
            Ok(timetable) => frame(&TimetableServerMessage::Timetable { timetable }),
            Err(error) => frame(&TimetableServerMessage::Error { error }),
        }
    }
}

impl Channel for TimetableChannel {
    type In = TimetableClientMessage;
    type Out = TimetableServerMessage;
    const ACTION: Action = Action::ViewTimetable;
    const SIGN_IN: &'static str = "Sign in to see the timetable.";
    const REFUSED: Option<&'static str> = None;
    const NAME: &'static str = "The timetable";
    const MAX_FRAME_BYTES: usize = 1024;
    const HARD_FRAME_LIMIT: usize = 16 * 1024;

    fn error(error: AppError) -> TimetableServerMessage {
        TimetableServerMessage::Error { error }
    }

    async fn open(state: &AppState, caller: SocketCaller) -> Result<Self, AppError> {
        let timetables = state.timetable.clone();
        let who = timetables
            .door
            .caller_in(caller.session.caller.clone(), caller.review)
            .await?;
        let changes = timetables.watch(caller.review);
        Ok(TimetableChannel {
            timetables,
            who,
            review: caller.review,
            changes,
            dirty: false,
        })
    }

    async fn join(&mut self, link: &mut Link) -> bool {
        self.changes.borrow_and_update();
        let first = self.current().await;
        link.send_text(&first).await
    }

    async fn next(&mut self) -> Next {
        if !self.dirty {
            if self.changes.changed().await.is_err() {
                return Next::Close(close_code::RESTART, "timetable restarted; reconnect");
            }
            self.dirty = true;
        }
        let text = self.current().await;
        self.dirty = false;
        Next::Text(text)
    }

    async fn handle(&mut self, message: TimetableClientMessage, link: &mut Link) -> Flow {
        match message {
            TimetableClientMessage::Refresh => {
                let text = self.current().await;
                Flow::sent(link.send_text(&text).await)
            }
        }
    }

    fn still_allowed(&mut self, role: Role) -> Flow {
        if role != self.who.role {
            // What the caller may see changed with the role: send it again.
            self.who.role = role;
            self.dirty = true;
        }
        Flow::Continue
    }

    async fn leave(self) {}
}
