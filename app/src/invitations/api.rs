//! Server functions for invitations, and the service they call.

use leptos::prelude::*;

use crate::accounts::Caller;
#[cfg(feature = "ssr")]
use crate::accounts::{SignedIn, client_address, require_admin, set_cookie};
use crate::error::AppError;
#[cfg(feature = "ssr")]

/// Invitations to a review, or to open a facilitator account.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait InvitationService: Send + Sync {
    /// Creates a single-use invitation to `review` in `role` for `email`.
    async fn invite(
        &self,
        by: &Caller,
        review: crate::review::ReviewId,
        email: &str,
        role: crate::membership::Role,
    ) -> Result<crate::invitations::InvitationLink, AppError>;

    /// An administrator's invitation to open a facilitator account, which may create reviews.
    async fn invite_facilitator(
        &self,
        by: &Caller,
        email: &str,
    ) -> Result<crate::invitations::InvitationLink, AppError>;

    /// What an invitation link offers, if it is still good.
    async fn preview_invitation(
        &self,
        token: &str,
    ) -> Result<crate::invitations::InvitationPreview, AppError>;

    /// Accepts an invitation: creates the account (or checks the existing one's password), adds
    /// the membership, uses up the link and opens a session.
    async fn accept_invitation(
        &self,
        token: &str,
        name: &str,
        password: &str,
        address: Option<&str>,
    ) -> Result<SignedIn, AppError>;
}

/// Invites someone to a review in a role: the facilitator in any role the programme has; in a
/// PCI the host lead invites host colleagues (host readers, fieldwork members). Returns the link
/// to pass on.
#[server(prefix = "/api", endpoint = "invite_member")]
pub async fn invite_member(
    review: crate::review::ReviewId,
    email: String,
    role: crate::membership::Role,
) -> Result<crate::invitations::InvitationLink, AppError> {
    crate::error::respond(async {
        use crate::membership::{Action, allows_in, forbidden, member_in, not_in_programme};
        let (caller, mine, programme) = member_in(review).await?;
        let may = allows_in(programme, mine, Action::InviteMembers)
            || (role.is_host_colleague()
                && allows_in(programme, mine, Action::InviteHostColleagues));
        if !may {
            return Err(forbidden(mine));
        }
        if !role.exists_in(programme) {
            return Err(not_in_programme(role));
        }
        let services = crate::services::service::<dyn crate::invitations::InvitationService>()?;
        services.invite(&caller, review, &email, role).await
    })
    .await
}
/// What an invitation link offers; anyone holding the link may ask.
#[server(prefix = "/api", endpoint = "get_invitation")]
pub async fn get_invitation(
    token: String,
) -> Result<crate::invitations::InvitationPreview, AppError> {
    crate::error::respond(async {
        let services = crate::services::service::<dyn crate::invitations::InvitationService>()?;
        services.preview_invitation(&token).await
    })
    .await
}
/// Accepts an invitation and signs in.
#[server(prefix = "/api", endpoint = "accept_invitation")]
pub async fn accept_invitation(
    token: String,
    name: String,
    password: String,
) -> Result<Caller, AppError> {
    crate::error::respond(async {
        let services = crate::services::service::<dyn crate::invitations::InvitationService>()?;
        let signed_in = services
            .accept_invitation(&token, &name, &password, client_address().as_deref())
            .await?;
        set_cookie(&signed_in.set_cookie)?;
        Ok(signed_in.caller)
    })
    .await
}
/// Invites someone to open a facilitator account (administrators only); returns the link.
#[server(prefix = "/api", endpoint = "invite_facilitator")]
pub async fn invite_facilitator(
    email: String,
) -> Result<crate::invitations::InvitationLink, AppError> {
    crate::error::respond(async {
        let caller = require_admin("invite facilitators")?;
        let services = crate::services::service::<dyn crate::invitations::InvitationService>()?;
        services.invite_facilitator(&caller, &email).await
    })
    .await
}
