//! A review: one peer challenge engagement, the unit everything else hangs on.

mod api;
mod home_page;
mod manage;
mod model;
mod new_review_page;
mod review_page;
mod timeline;

pub use api::*;
pub use home_page::HomePage;
pub use model::*;
pub use new_review_page::NewReviewPage;
pub use review_page::ReviewPage;
pub use timeline::*;
