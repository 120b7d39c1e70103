//! The browser's side of the presentation's socket: the deck as this window has it, kept live,
//! reconnecting with backoff; the presenter's window also sends `go`.

use leptos::prelude::*;

use crate::browser::PageSocket;
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
    closed: StoredValue<bool>,
    attempts: StoredValue<u32>,
    socket: StoredValue<Option<PageSocket>, LocalStorage>,
}

impl DeckState {
    /// Follows the review's presentation for as long as the calling component lives.
    pub fn new(review: ReviewId) -> Self {
        let state = Self {
            deck: RwSignal::new(None),
            error: RwSignal::new(None),
            live: RwSignal::new(false),
            review,
            closed: StoredValue::new(false),
            attempts: StoredValue::new(0),
            socket: StoredValue::new_local(None),
        };
        Effect::new(move |_| state.connect());
        on_cleanup(move || {
            state.closed.set_value(true);
            state.socket.set_value(None);
        });
        state
    }

    /// Asks the server to show `slide` (the presenter only; others are refused there too).
    pub fn go(&self, slide: Option<HeadingId>) {
        self.send(&DeckClientMessage::Go { slide });
    }

    /// Sends a presenter's frame (the server checks the role again).
    pub fn send(&self, message: &DeckClientMessage) {
        if let Ok(text) = serde_json::to_string(message) {
            self.socket.with_value(|socket| {
                if let Some(socket) = socket {
                    socket.send(&text);
                }
            });
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
    fn receive(&self, text: &str) {
        match serde_json::from_str::<DeckServerMessage>(text) {
            Ok(DeckServerMessage::Deck { deck }) => {
                self.attempts.set_value(0);
                self.live.set(true);
                self.deck.set(Some(deck));
            }
            Ok(DeckServerMessage::Error { error }) => self.error.set(Some(error.message)),
            Err(_) => self.error.set(Some(
                "The server sent something this page does not understand. Reload it.".into(),
            )),
        }
    }

    fn connect(&self) {
        #[cfg(feature = "hydrate")]
        {
            if self.closed.get_value() {
                return;
            }
            let state = *self;
            let path = format!("/ws/reviews/{}/deck", self.review);
            let socket = PageSocket::open(
                &path,
                || {},
                move |text| state.receive(&text),
                move |code| {
                    state.live.set(false);
                    // 1008: access ended (its error frame said why); trying again cannot help.
                    if code == 1008 {
                        state.closed.set_value(true);
                    } else {
                        state.retry();
                    }
                },
            );
            match socket {
                Some(socket) => self.socket.set_value(Some(socket)),
                None => self.retry(),
            }
        }
    }

    #[cfg(feature = "hydrate")]
    fn retry(&self) {
        if self.closed.get_value() {
            return;
        }
        let attempt = self.attempts.get_value();
        self.attempts.set_value(attempt + 1);
        let state = *self;
        set_timeout(
            move || state.connect(),
            std::time::Duration::from_millis(crate::browser::backoff_ms(attempt, 10_000)),
        );
    }
}
