//! Organisations: the councils and support bodies people work for and reviews are hosted by.

mod api;
mod model;

pub use api::*;
pub use model::*;
