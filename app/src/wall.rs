//! The findings wall: headings, notes, ordering, and the websocket protocol that keeps every open
//! copy of a review's wall in step.

pub mod client;
pub mod deck;
pub mod export;
#[cfg(test)]
mod fuzz;
mod messages_view;
mod model;
pub mod order;
mod present_page;
pub mod protocol;
pub mod rules;
pub mod triangulation;
mod wall_page;

pub use model::*;
pub use present_page::{FollowPage, HandoutPage, PresentPage, PresenterPanelPage};
pub use wall_page::WallPage;
