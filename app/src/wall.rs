//! The findings wall: headings, notes, ordering, and the websocket protocol that keeps every open
//! copy of a review's wall in step.

pub mod client;
#[cfg(test)]
mod fuzz;
mod model;
pub mod order;
pub mod protocol;
pub mod rules;
mod wall_page;

pub use model::*;
pub use wall_page::WallPage;
