//! People: accounts, sign-in, roles and who may do what.

mod account_page;
mod admin_page;
mod api;
mod audit_table;
mod authz;
mod invitation_page;
mod model;
mod reset_password_page;
mod session;
mod sign_in_page;

pub use account_page::AccountPage;
pub use admin_page::AdminPage;
pub use api::*;
pub use audit_table::AuditTable;
pub use authz::{Action, PERMISSIONS, allows, forbidden};
pub use invitation_page::InvitationPage;
pub use model::*;
pub use reset_password_page::ResetPasswordPage;
pub use session::{SessionActions, SessionMenu, provide_session};
pub use sign_in_page::SignInPage;
