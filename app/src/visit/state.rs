//! The browser's side of the timetable's socket: the timetable as this window has it, kept live
//! and reconnecting with backoff.

use leptos::prelude::*;

use crate::browser::Reconnecting;
use crate::review::ReviewId;
use crate::visit::TimetableView;
use crate::visit::protocol::TimetableServerMessage;

/// The timetable as this window has it.
#[derive(Clone, Copy)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub struct TimetableState {
    pub view: RwSignal<Option<TimetableView>>,
    pub error: RwSignal<Option<String>>,
    pub live: RwSignal<bool>,
    review: ReviewId,
    socket: Reconnecting,
}

impl TimetableState {
    /// Follows the review's timetable for as long as the calling component lives.
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

    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn receive(&self, message: TimetableServerMessage) {
        match message {
            TimetableServerMessage::Timetable { timetable } => self.view.set(Some(timetable)),
            TimetableServerMessage::Error { error } => self.error.set(Some(error.message)),
        }
    }

    fn connect(&self) {
        #[cfg(feature = "hydrate")]
        {
            let state = *self;
            self.socket.follow(
                format!("/ws/reviews/{}/timetable", self.review),
                self.live,
                self.error,
                move |message| state.receive(message),
            );
        }
    }
}
