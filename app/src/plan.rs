//! After the report: the council's action plan, made from the signed-off report's numbered
//! recommendations, with its actions (owner, due date, RAG status and a sentence, evidence),
//! the council's progress statement per recommendation, and when and where the council
//! published the report and the plan (`model.rs`). The server functions are in `api.rs`, the
//! socket that keeps an open plan live in `protocol.rs` and `state.rs`, the page in `page.rs`.
//! The progress review that follows the plan up is scheduled from here too (`progress.rs`).

mod api;
mod model;
mod page;
mod progress;
mod progress_panels;
pub mod protocol;
mod state;

pub use api::*;
pub use model::*;
pub use page::ActionPlanPage;
pub use progress::*;
pub use progress_panels::{ProgressReviewScheduler, ProgressStatementsPanel};
