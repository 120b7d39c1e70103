//! The browser's side of the plan's socket: the plan as this window has it, kept live and
//! reconnecting with backoff.

use leptos::prelude::*;

use crate::browser::Reconnecting;
use crate::plan::ActionPlanView;
use crate::plan::protocol::PlanServerMessage;
use crate::review::ReviewId;

/// The plan as this window has it.
#[derive(Clone, Copy)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub struct PlanState {
    pub view: RwSignal<Option<ActionPlanView>>,
    pub error: RwSignal<Option<String>>,
    pub live: RwSignal<bool>,
    review: ReviewId,
    socket: Reconnecting,
}

impl PlanState {
    /// Follows the review's plan for as long as the calling component lives.
    pub fn new(review: ReviewId) -> Self {
        let state = Self {
            view: RwSignal::new(None),
            error: RwSignal::new(None),
            live: RwSignal::new(false),
            review,
            socket: Reconnecting::new(),
        };
        Effect::new(move |_| state.connect());
        state
    }

    /// A plan a server function answered with (newer than the socket's, or as new).
    pub fn show(&self, plan: ActionPlanView) {
        self.view.set(Some(plan));
    }

    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn receive(&self, message: PlanServerMessage) {
        match message {
            PlanServerMessage::Plan { plan } => {
                self.error.set(None);
                self.view.set(Some(*plan));
            }
            PlanServerMessage::Error { error } => self.error.set(Some(error.message)),
        }
    }

    fn connect(&self) {
        #[cfg(feature = "hydrate")]
        {
            let state = *self;
            self.socket.follow(
                format!("/ws/reviews/{}/plan", self.review),
                self.live,
                self.error,
                move |message| state.receive(message),
            );
        }
    }
}
