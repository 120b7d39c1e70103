//! The findings wall on the server: the board service, its websocket and the export.

pub mod board;
pub mod channel;
pub mod commands;
pub mod export;
pub mod frame;
pub mod hub;
pub(crate) mod presence;
mod recent;
pub mod ring;
pub mod seed;
