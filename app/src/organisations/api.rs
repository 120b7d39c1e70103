//! Server functions for organisations, and the service they call.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::accounts::{Caller, require_caller, require_review_creator};
use crate::error::AppError;

/// The organisations people work for.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait OrganisationService: Send + Sync {
    /// Every organisation, by name.
    async fn organisations(&self) -> Result<Vec<crate::organisations::Organisation>, AppError>;

    /// Adds an organisation; its name must be new.
    async fn create_organisation(
        &self,
        by: &Caller,
        name: &str,
        kind: crate::organisations::OrganisationKind,
    ) -> Result<crate::organisations::Organisation, AppError>;

    /// Sets (or clears) the organisation the caller works for.
    async fn set_organisation(
        &self,
        caller: &Caller,
        organisation: Option<crate::organisations::OrganisationId>,
    ) -> Result<(), AppError>;
}

/// Every organisation (anyone signed in: the names are public bodies).
#[server(prefix = "/api", endpoint = "list_organisations")]
pub async fn list_organisations() -> Result<Vec<crate::organisations::Organisation>, AppError> {
    crate::error::respond(async {
        require_caller()?;
        let services = crate::services::service::<dyn crate::organisations::OrganisationService>()?;
        services.organisations().await
    })
    .await
}
/// Adds an organisation (administrators and facilitator accounts).
#[server(prefix = "/api", endpoint = "create_organisation")]
pub async fn create_organisation(
    name: String,
    kind: crate::organisations::OrganisationKind,
) -> Result<crate::organisations::Organisation, AppError> {
    crate::error::respond(async {
        let caller = require_review_creator("add an organisation")?;
        let services = crate::services::service::<dyn crate::organisations::OrganisationService>()?;
        services.create_organisation(&caller, &name, kind).await
    })
    .await
}
/// Sets the organisation the signed-in person works for; empty for none.
#[server(prefix = "/api", endpoint = "set_my_organisation")]
pub async fn set_my_organisation(organisation: String) -> Result<(), AppError> {
    crate::error::respond(async {
        let caller = require_caller()?;
        let organisation = match organisation.trim() {
            "" => None,
            id => {
                let id = crate::organisations::OrganisationId(id.to_string());
                if !id.is_valid() {
                    return Err(AppError::invalid_field(
                        "organisation",
                        "Choose an organisation from the list.",
                    ));
                }
                Some(id)
            }
        };
        let services = crate::services::service::<dyn crate::organisations::OrganisationService>()?;
        services.set_organisation(&caller, organisation).await
    })
    .await
}
