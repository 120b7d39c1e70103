//! The findings wall: headings, notes, ordering, and the websocket protocol that keeps every open
//! copy of a review's wall in step.

mod model;
pub mod order;
pub mod protocol;

pub use model::*;
