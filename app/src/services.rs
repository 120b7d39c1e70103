//! The services that server functions call, provided by the server binary through Leptos context,
//! so that `app` never links the database and the wasm never sees it. One per concept.

use std::sync::Arc;

use leptos::prelude::use_context;

use crate::accounts::AccountService;
use crate::audit::AuditService;
use crate::error::AppError;
use crate::invitations::InvitationService;
use crate::membership::MembershipService;
use crate::organisations::OrganisationService;
use crate::review::ReviewService;

/// Every service a server function may need, cheap to clone.
#[derive(Clone)]
pub struct Services {
    pub accounts: Arc<dyn AccountService>,
    pub invitations: Arc<dyn InvitationService>,
    pub organisations: Arc<dyn OrganisationService>,
    pub membership: Arc<dyn MembershipService>,
    pub audit: Arc<dyn AuditService>,
    pub reviews: Arc<dyn ReviewService>,
}

/// Reads the services from the current request's context.
pub fn use_services() -> Result<Services, AppError> {
    use_context::<Services>()
        .ok_or_else(|| AppError::internal("The server was started without its services."))
}
