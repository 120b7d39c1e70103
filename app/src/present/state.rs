//! The browser's side of the presentation's socket: the deck as this window has it, kept live,
//! reconnecting with backoff; the presenter's window also sends `go`.

use leptos::prelude::*;

use crate::browser::Reconnecting;
use crate::present::Deck;
use crate::present::protocol::{DeckClientMessage, DeckServerMessage};
use crate::review::ReviewId;
use crate::wall::HeadingId;

/// The deck as this window has it, and the socket it comes over.
#[derive(Clone, Copy)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub struct DeckState {
    pub deck: RwSignal<Option<Deck>>,
    pub error: RwSignal<Option<String>>,
    pub live: RwSignal<bool>,
    review: ReviewId,
    socket: Reconnecting,
}

impl DeckState {
    /// Follows the review's presentation for as long as the calling component lives.
    pub fn new(review: ReviewId) -> Self {
        let state = Self {
            deck: RwSignal::new(None),
            error: RwSignal::new(None),
            live: RwSignal::new(false),
            review,
            socket: Reconnecting::new(),
        };
        Effect::new(move |_| state.connect());
        state
    }

    /// Asks the server to show `slide` (the presenter only; others are refused there too).
    pub fn go(&self, slide: Option<HeadingId>) {
        self.send(&DeckClientMessage::Go { slide });
    }

    /// Sends a presenter's frame (the server checks the role again).
    pub fn send(&self, message: &DeckClientMessage) {
        if let Ok(text) = serde_json::to_string(message) {
            self.socket.send(&text);
        }
    }

    /// Moves `by` slides from the current one, staying within the deck.
    pub fn step(&self, by: isize) {
        if let Some(slide) = self
            .deck
            .with_untracked(|deck| deck.as_ref().map(|d| d.step(by)))
        {
            self.go(slide);
        }
    }

    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn receive(&self, message: DeckServerMessage) {
        match message {
            DeckServerMessage::Deck { deck } => self.deck.set(Some(deck)),
            DeckServerMessage::Error { error } => self.error.set(Some(error.message)),
        }
    }

    fn connect(&self) {
        #[cfg(feature = "hydrate")]
        {
            let state = *self;
            self.socket.follow(
                format!("/ws/reviews/{}/deck", self.review),
                self.live,
                self.error,
                move |message| state.receive(message),
            );
        }
    }
}
