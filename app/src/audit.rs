//! The audit trail: what was done on a review, when and by whom.

mod api;
mod audit_table;
mod model;

pub use api::*;
pub use audit_table::AuditTable;
pub use model::*;
