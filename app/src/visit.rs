//! The visit on site (../shared/ARCHITECTURE.md's `visit` concept): its timetable of sessions
//! with their day, times, place, kind, stakeholder groups and pairs (`model.rs`), the clash
//! checks, the server functions (`api.rs`), the socket that keeps the timetable live
//! (`protocol.rs`, `state.rs`), and the page with its streams and "my sessions" views. The
//! council's documents, the pack, are here too (`pack.rs`, `pack_page.rs`).

mod api;
mod model;
mod pack;
mod pack_page;
mod page;
pub mod protocol;
mod state;

pub use api::*;
pub use model::*;
pub use pack::*;
pub use pack_page::PackPage;
pub use page::TimetablePage;
