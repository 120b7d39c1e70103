//! The organisations service: the councils and support bodies people work for.

use app::accounts::Caller;
use app::error::AppError;
use app::organisations::{
    Organisation, OrganisationId, OrganisationKind, OrganisationService,
    normalise_organisation_name,
};

use crate::audit::{AuditEntry, AuditTrail};
use crate::db::{self, Database, DbError};

/// Organisations in SurrealDB.
pub struct Organisations {
    db: Database,
    audit: AuditTrail,
}

impl Organisations {
    pub fn new(db: Database, audit: AuditTrail) -> Self {
        Self { db, audit }
    }
}

fn unavailable(error: DbError) -> AppError {
    tracing::error!(%error, "organisation service");
    AppError::unavailable(
        "The organisations could not be read or changed just now. Please try again.",
    )
}

#[async_trait::async_trait]
impl OrganisationService for Organisations {
    async fn organisations(&self) -> Result<Vec<Organisation>, AppError> {
        db::organisations::list(&self.db).await.map_err(unavailable)
    }

    async fn create_organisation(
        &self,
        by: &Caller,
        name: &str,
        kind: OrganisationKind,
    ) -> Result<Organisation, AppError> {
        let name = normalise_organisation_name(name)
            .map_err(|message| AppError::invalid_field("name", message))?;
        let created = db::organisations::create(&self.db, &name, kind)
            .await
            .map_err(unavailable)?
            .ok_or_else(|| {
                AppError::invalid_field("name", format!("{name} is already on the list."))
            })?;
        self.audit
            .note(AuditEntry {
                kind: "organisation_added",
                actor: Some(by.id),
                review: None,
                detail: format!("{name} ({})", kind.as_str()),
                address: None,
            })
            .await;
        Ok(created)
    }

    async fn set_organisation(
        &self,
        caller: &Caller,
        organisation: Option<OrganisationId>,
    ) -> Result<(), AppError> {
        let found = db::accounts::set_organisation(
            &self.db,
            caller.id,
            organisation.as_ref().map(|id| id.0.as_str()),
        )
        .await
        .map_err(unavailable)?;
        if found {
            Ok(())
        } else {
            Err(AppError::invalid_field(
                "organisation",
                "That organisation is not on the list any more. Reload and choose again.",
            ))
        }
    }
}
