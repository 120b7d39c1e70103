//! Membership: who is on a review, in which role and pair, and the role × action table that
//! says who may do what.

mod api;
mod authz;
mod model;

pub use api::*;
pub use authz::{Action, PCI_PERMISSIONS, PERMISSIONS, allows, allows_in, forbidden};
pub use model::*;
