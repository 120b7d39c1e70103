//! The round-table presentation on the server. Anyone on the review may follow it (host and
//! observer roles included): it carries only the deck, never the wall's notes or who wrote them,
//! and host roles and observers get the key messages only while the presentation is given or
//! once the handout is published (`Deck::for_room`). The deck is a view of the board
//! (`deck.rs`), kept up to date by the board's task while followed; its socket is `channel.rs`.

pub mod channel;
pub mod deck;
