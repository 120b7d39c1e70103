//! The visit's timetable: sessions with their day, times, place, kind, stakeholder groups and
//! pairs (`model.rs`), the clash checks, its server functions (`api.rs`), the socket that keeps
//! it live (`protocol.rs`, `state.rs`), and the page with its streams and "my sessions" views.

mod api;
mod model;
mod page;
pub mod protocol;
mod state;

pub use api::*;
pub use model::*;
pub use page::TimetablePage;
