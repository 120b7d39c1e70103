//! The presentation's websocket frames (`/ws/reviews/<id>/deck`), shared by browser and server.
//! Host and observer roles may open this socket; it only ever carries the deck.

use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::present::Deck;
use crate::wall::HeadingId;

/// A frame from the presentation's socket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DeckServerMessage {
    /// The deck as it is now; sent on joining and after every change.
    Deck { deck: Deck },
    /// A frame or a request was refused.
    Error { error: AppError },
}

/// A frame to the presentation's socket: only the presenter (facilitator or team lead) may send
/// one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DeckClientMessage {
    /// Show this heading's slide (None: the title slide).
    Go { slide: Option<HeadingId> },
    /// Start or end giving the presentation to the room (host roles and observers follow it
    /// only while it is given).
    Presenting { on: bool },
    /// Publish the handout to host roles and observers, or withdraw it.
    PublishHandout { published: bool },
}
