//! The action plan's channel: `GET /ws/reviews/{review}/plan` (the lifecycle is
//! `crate::socket`'s, the view's `crate::socket::view`'s). Everyone who may read the plan may
//! open it; each socket gets the plan as its caller may see it, on joining and after every
//! change made through any node (an action, a progress statement, who may edit, a publication).

use app::error::AppError;
use app::membership::Action;
use app::plan::ActionPlanView;
use app::plan::protocol::{PlanClientMessage, PlanServerMessage};
use app::review::ReviewId;
use tokio::sync::watch;

use super::Plans;
use crate::AppState;
use crate::membership::{ReviewCaller, ReviewDoor};
use crate::socket::view::{LiveView, ViewChannel};

/// One open action plan.
pub type PlanChannel = ViewChannel<Plans>;

impl LiveView for Plans {
    type In = PlanClientMessage;
    type Out = PlanServerMessage;
    type View = ActionPlanView;
    const ACTION: Action = Action::ViewActionPlan;
    const SIGN_IN: &'static str = "Sign in to see the action plan.";
    const NAME: &'static str = "The action plan";
    const RESTARTED: &'static str = "action plan restarted; reconnect";

    fn of(state: &AppState) -> Self {
        state.plan.clone()
    }

    fn door(&self) -> &ReviewDoor {
        &self.door
    }

    fn watch(&self, review: ReviewId) -> watch::Receiver<u64> {
        Plans::watch(self, review)
    }

    async fn view_for(
        &self,
        who: &ReviewCaller,
        review: ReviewId,
    ) -> Result<ActionPlanView, AppError> {
        Plans::view_for(self, who, review).await
    }

    fn frame(view: Result<ActionPlanView, AppError>) -> PlanServerMessage {
        match view {
            Ok(plan) => PlanServerMessage::Plan {
                plan: Box::new(plan),
            },
            Err(error) => PlanServerMessage::Error { error },
        }
    }
}
