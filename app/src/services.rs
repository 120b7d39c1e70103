//! The services that server functions call, provided by the server binary through Leptos context,
//! so that `app` never links the database and the wasm never sees it.

use std::sync::Arc;

use leptos::prelude::use_context;

use crate::error::AppError;
use crate::people::PeopleService;
use crate::review::ReviewService;

/// Every service a server function may need, cheap to clone.
#[derive(Clone)]
pub struct Services {
    pub people: Arc<dyn PeopleService>,
    pub reviews: Arc<dyn ReviewService>,
}

/// Reads the services from the current request's context.
pub fn use_services() -> Result<Services, AppError> {
    use_context::<Services>()
        .ok_or_else(|| AppError::internal("The server was started without its services."))
}
