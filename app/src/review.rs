//! A review: one peer challenge engagement, the unit everything else hangs on.

mod api;
mod home_page;
mod manage;
mod model;
mod review_page;

pub use api::*;
pub use home_page::HomePage;
pub use model::*;
pub use review_page::ReviewPage;
