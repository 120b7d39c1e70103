//! The findings wall: headings, notes, ordering, key messages and their triangulation, the export,
//! and the websocket protocol that keeps every open copy of a review's wall in step.

pub(crate) mod drag;
pub mod export;
#[cfg(test)]
mod fuzz;
mod model;
pub mod order;
pub mod protocol;
pub mod rules;
pub mod state;
pub mod triangulation;
pub mod view;

pub use model::*;
pub use view::WallPage;
