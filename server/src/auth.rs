//! Authentication: password hashes, sessions in cookies, the cross-site request check, and
//! sign-in throttling.

pub mod csrf;
pub mod password;
pub mod session;
pub mod throttle;

pub use session::SessionPolicy;
