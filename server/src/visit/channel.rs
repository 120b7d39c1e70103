//! The timetable's channel: `GET /ws/reviews/{review}/timetable` (the lifecycle is
//! `crate::socket`'s, the view's `crate::socket::view`'s). Everyone on the review may open it;
//! each socket gets the timetable as its caller may see it, on joining and after every change
//! made through any node.

use app::error::AppError;
use app::membership::Action;
use app::review::ReviewId;
use app::visit::TimetableView;
use app::visit::protocol::{TimetableClientMessage, TimetableServerMessage};
use tokio::sync::watch;

use super::{ReviewCaller, Timetables};
use crate::AppState;
use crate::membership::ReviewDoor;
use crate::socket::view::{LiveView, ViewChannel};

/// One open timetable.
pub type TimetableChannel = ViewChannel<Timetables>;

impl LiveView for Timetables {
    type In = TimetableClientMessage;
    type Out = TimetableServerMessage;
    type View = TimetableView;
    const ACTION: Action = Action::ViewTimetable;
    const SIGN_IN: &'static str = "Sign in to see the timetable.";
    const NAME: &'static str = "The timetable";
    const RESTARTED: &'static str = "timetable restarted; reconnect";

    fn of(state: &AppState) -> Self {
        state.timetable.clone()
    }

    fn door(&self) -> &ReviewDoor {
        &self.door
    }

    fn watch(&self, review: ReviewId) -> watch::Receiver<u64> {
        Timetables::watch(self, review)
    }

    async fn view_for(
        &self,
        who: &ReviewCaller,
        review: ReviewId,
    ) -> Result<TimetableView, AppError> {
        Timetables::view_for(self, who, review).await
    }

    fn frame(view: Result<TimetableView, AppError>) -> TimetableServerMessage {
        match view {
            Ok(timetable) => TimetableServerMessage::Timetable { timetable },
            Err(error) => TimetableServerMessage::Error { error },
        }
    }
}
