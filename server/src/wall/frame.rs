//! What a board sends its sockets: frames encoded once for everyone, with a person's own
//! version when votes are hidden.

use std::sync::Arc;

use app::accounts::PersonId;
use app::wall::protocol::{ServerMessage, WallEvent};

/// A frame for every socket on a board. A key message's change while votes are hidden is sent
/// to each person with only their own votes on it: `text` carries nobody's, and a socket whose
/// person voted on that message sends `for_person`'s own version instead (made only for them).
#[derive(Debug)]
pub struct Frame {
    pub(crate) text: Arc<str>,
    pub(crate) hidden_votes: Option<HiddenVotes>,
}

#[derive(Debug)]
pub(crate) struct HiddenVotes {
    pub(crate) event: WallEvent,
    pub(crate) votes_cast: u32,
}

impl std::ops::Deref for Frame {
    type Target = str;

    /// The frame as someone without votes on its message gets it.
    fn deref(&self) -> &str {
        &self.text
    }
}

impl Frame {
    pub(crate) fn shared(text: Arc<str>) -> Arc<Frame> {
        Arc::new(Frame {
            text,
            hidden_votes: None,
        })
    }

    /// The frame's text for `person`.
    pub fn for_person(&self, person: PersonId) -> Arc<str> {
        match &self.hidden_votes {
            Some(hidden) if hidden.event.has_votes_of(person) => frame(&ServerMessage::Event {
                event: hidden.event.with_votes_of(Some(person)),
                votes_cast: Some(hidden.votes_cast),
            }),
            _ => self.text.clone(),
        }
    }
}

pub(crate) fn frame(message: &ServerMessage) -> Arc<str> {
    serde_json::to_string(message)
        .unwrap_or_else(|error| {
            tracing::error!(%error, "a wall frame did not encode");
            String::new()
        })
        .into()
}
