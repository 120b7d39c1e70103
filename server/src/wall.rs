//! The findings wall on the server: the board service and its websocket.

pub mod board;
pub mod deck_socket;
pub mod export;
pub mod socket;
