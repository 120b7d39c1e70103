//! The feedback report: drafted from the key messages (`generate.rs`), edited live as blocks by
//! its authors over its own socket (`protocol.rs`, `state.rs`), commented on in rounds with
//! comments anchored to words (`anchor.rs`), sent to the council as frozen versions (`diff.rs`
//! between any two), checked for attribution first (`guard.rs`) and signed off by the council
//! (`rounds.rs`). The page is `page.rs`; server functions are in `api.rs`.

pub mod anchor;
mod api;
pub mod diff;
pub mod format;
pub mod generate;
pub mod guard;
mod model;
mod page;
pub mod protocol;
pub mod rounds;
pub mod state;

pub use api::*;
pub use model::*;
pub use page::ReportPage;
