//! The presentation's decks as views of the board: the peer team's, and the room's (host roles
//! and observers), each worked out from the board after every change while followed.

use std::sync::Arc;

use app::error::AppError;
use app::present::Deck;
use app::present::protocol::DeckServerMessage;
use app::review::ReviewId;
use app::wall::Board;
use tokio::sync::watch;

use crate::wall::board::BoardView;
use crate::wall::hub::WallHub;

/// A deck as its followers last got it.
struct DeckView {
    /// The room's deck (`Deck::for_room`) rather than the peer team's.
    room: bool,
    last: Option<Deck>,
}

impl BoardView for DeckView {
    fn refresh(&mut self, board: &Board) -> Option<Arc<str>> {
        let deck = if self.room {
            Deck::for_room(board)
        } else {
            Deck::from_board(board)
        };
        if self.last.as_ref() == Some(&deck) {
            return None;
        }
        let frame = serde_json::to_string(&DeckServerMessage::Deck { deck: deck.clone() });
        self.last = Some(deck);
        frame.ok().map(Arc::from)
    }
}

fn team_deck() -> Box<dyn BoardView> {
    Box::new(DeckView {
        room: false,
        last: None,
    })
}

fn room_deck() -> Box<dyn BoardView> {
    Box::new(DeckView {
        room: true,
        last: None,
    })
}

/// Follows the review's deck (its frames, as JSON): the peer team's, or with `room` the deck
/// host roles and observers may see.
pub async fn follow(
    hub: &WallHub,
    review: ReviewId,
    room: bool,
) -> Result<watch::Receiver<Arc<str>>, AppError> {
    if room {
        hub.follow(review, "room deck", room_deck).await
    } else {
        hub.follow(review, "team deck", team_deck).await
    }
}
