//! The browser's side of the timetable's socket: the timetable as this window has it, kept live
//! and reconnecting with backoff (`crate::browser::FollowedView`).

use crate::browser::{FollowedView, ViewFrame};
use crate::error::AppError;
use crate::review::ReviewId;
use crate::visit::TimetableView;
use crate::visit::protocol::TimetableServerMessage;

/// The timetable as this window has it.
pub type TimetableState = FollowedView<TimetableView>;

impl ViewFrame for TimetableServerMessage {
    type View = TimetableView;

    fn into_view(self) -> Result<TimetableView, AppError> {
        match self {
            TimetableServerMessage::Timetable { timetable } => Ok(timetable),
            TimetableServerMessage::Error { error } => Err(error),
        }
    }
}

/// Follows the review's timetable for as long as the calling component lives.
pub fn follow_timetable(review: ReviewId) -> TimetableState {
    FollowedView::new::<TimetableServerMessage>(format!("/ws/reviews/{review}/timetable"))
}
