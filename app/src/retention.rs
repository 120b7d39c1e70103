//! Notes kept only until sign-off (../shared/ARCHITECTURE.md's data lifecycle): each review's
//! retention policy, what its destruction takes and keeps, and the record that shows it
//! happened (`model.rs`, `api.rs`, the review page's `panel.rs`; the destruction itself is
//! `server/src/retention.rs` and the wall's board task).

mod api;
mod model;
mod panel;

pub use api::*;
pub use model::*;
pub use panel::{DestructionBanner, RetentionPanel};
