//! How server functions reach the server's services: each service (`AccountService`,
//! `ReviewService`, … declared beside the server functions that call it) is provided by the
//! server binary through Leptos context as an `Arc<dyn Service>`, so that `app` never links the
//! database and the wasm never sees it.

use std::sync::Arc;

use leptos::prelude::use_context;

use crate::error::AppError;

/// The service `T` (a `dyn` trait) from the current request's context.
pub fn service<T: ?Sized + Send + Sync + 'static>() -> Result<Arc<T>, AppError> {
    use_context::<Arc<T>>()
        .ok_or_else(|| AppError::internal("The server was started without its services."))
}
