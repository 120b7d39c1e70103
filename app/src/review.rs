//! A review: one peer challenge engagement, the unit everything else hangs on.

mod api;
mod home_page;
mod model;

pub use api::*;
pub use home_page::HomePage;
pub use model::*;
