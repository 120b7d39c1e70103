//! Accounts: signing in and out, sessions, passwords and their reset links, and the
//! administrators' page.

mod account_page;
mod admin_page;
mod api;
mod model;
mod organisation;
mod reset_password_page;
mod session;
mod sign_in_page;

pub use account_page::AccountPage;
pub use admin_page::AdminPage;
pub use api::*;
pub use model::*;
pub use organisation::*;
pub use reset_password_page::ResetPasswordPage;
pub use session::{SessionActions, SessionMenu, provide_session};
pub use sign_in_page::SignInPage;
