//! The browser's side of the plan's socket: the plan as this window has it, kept live and
//! reconnecting with backoff (`crate::browser::FollowedView`).

use crate::browser::{FollowedView, ViewFrame};
use crate::error::AppError;
use crate::plan::ActionPlanView;
use crate::plan::protocol::PlanServerMessage;
use crate::review::ReviewId;

/// The plan as this window has it.
pub type PlanState = FollowedView<ActionPlanView>;

impl ViewFrame for PlanServerMessage {
    type View = ActionPlanView;

    fn into_view(self) -> Result<ActionPlanView, AppError> {
        match self {
            PlanServerMessage::Plan { plan } => Ok(*plan),
            PlanServerMessage::Error { error } => Err(error),
        }
    }
}

/// Follows the review's plan for as long as the calling component lives.
pub fn follow_plan(review: ReviewId) -> PlanState {
    FollowedView::new::<PlanServerMessage>(format!("/ws/reviews/{review}/plan"))
}
