//! People: accounts, sign-in and roles.

mod sign_in_page;

pub use sign_in_page::SignInPage;
