//! Invitations: a single-use link to join a review in a role, or to open a facilitator account.

mod api;
mod invitation_page;
mod model;

pub use api::*;
pub use invitation_page::InvitationPage;
pub use model::*;
