//! Server functions for signing in and out, and the service they call.

use leptos::prelude::*;

use crate::error::AppError;
use crate::people::Caller;

/// What the server resolved about the request's session, put in the request's extensions by the
/// server's session layer before any page or server function runs.
#[cfg(feature = "ssr")]
#[derive(Debug, Clone)]
pub struct RequestSession {
    pub caller: Caller,
    /// The stored key of the session (a hash of the cookie's token, never the token itself).
    pub key: String,
}

/// The address the request came from, for throttling and the audit trail.
#[cfg(feature = "ssr")]
#[derive(Debug, Clone)]
pub struct ClientAddress(pub String);

/// A successful sign-in: who, and the `Set-Cookie` value that carries the new session.
#[cfg(feature = "ssr")]
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub caller: Caller,
    pub set_cookie: String,
}

/// What the server functions of this module need from the server.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait PeopleService: Send + Sync {
    /// Checks the password, applying throttling and lockout, and opens a new session.
    async fn sign_in(
        &self,
        email: &str,
        password: &str,
        address: Option<&str>,
    ) -> Result<SignedIn, AppError>;

    /// Creates a single-use invitation to `review` in `role` for `email`.
    async fn invite(
        &self,
        by: &Caller,
        review: crate::review::ReviewId,
        email: &str,
        role: crate::people::Role,
    ) -> Result<crate::people::InvitationLink, AppError>;

    /// What an invitation link offers, if it is still good.
    async fn preview_invitation(
        &self,
        token: &str,
    ) -> Result<crate::people::InvitationPreview, AppError>;

    /// Accepts an invitation: creates the account (or checks the existing one's password), adds
    /// the membership, uses up the link and opens a session.
    async fn accept_invitation(
        &self,
        token: &str,
        name: &str,
        password: &str,
        address: Option<&str>,
    ) -> Result<SignedIn, AppError>;

    /// Changes the caller's password after checking the current one, and ends their other sessions.
    async fn change_password(
        &self,
        session: &RequestSession,
        current: &str,
        new: &str,
        address: Option<&str>,
    ) -> Result<(), AppError>;

    /// Issues a one-time password reset link for the account `email` (administrators only).
    async fn issue_password_reset(&self, by: &Caller, email: &str) -> Result<String, AppError>;

    /// Sets a new password with a reset link's token; all the account's sessions end.
    async fn reset_password(
        &self,
        token: &str,
        new: &str,
        address: Option<&str>,
    ) -> Result<(), AppError>;

    /// The newest audit events of `review`, newest first.
    async fn audit_for(
        &self,
        review: crate::review::ReviewId,
    ) -> Result<Vec<crate::people::AuditEvent>, AppError>;

    /// Every organisation, by name.
    async fn organisations(&self) -> Result<Vec<crate::people::Organisation>, AppError>;

    /// Adds an organisation; its name must be new.
    async fn create_organisation(
        &self,
        by: &Caller,
        name: &str,
        kind: crate::people::OrganisationKind,
    ) -> Result<crate::people::Organisation, AppError>;

    /// Sets (or clears) the organisation the caller works for.
    async fn set_organisation(
        &self,
        caller: &Caller,
        organisation: Option<crate::people::OrganisationId>,
    ) -> Result<(), AppError>;

    /// An administrator's invitation to open a facilitator account, which may create reviews.
    async fn invite_facilitator(
        &self,
        by: &Caller,
        email: &str,
    ) -> Result<crate::people::InvitationLink, AppError>;

    /// The newest audit events across every review and none, newest first.
    async fn audit_all(&self) -> Result<Vec<crate::people::AuditEvent>, AppError>;

    /// The caller's role in `review`, if they are a member of it.
    async fn role_in(
        &self,
        person: crate::people::PersonId,
        review: crate::review::ReviewId,
    ) -> Result<Option<crate::people::Role>, AppError>;

    /// The person's interview pair in `review`, if they are in one.
    async fn pair_in(
        &self,
        person: crate::people::PersonId,
        review: crate::review::ReviewId,
    ) -> Result<Option<i64>, AppError>;

    /// Revokes the session; returns the `Set-Cookie` value that clears the cookie.
    async fn sign_out(
        &self,
        session: &RequestSession,
        address: Option<&str>,
    ) -> Result<String, AppError>;
}

/// The current request's session, if it carries a valid one.
#[cfg(feature = "ssr")]
pub fn request_session() -> Option<RequestSession> {
    use_context::<http::request::Parts>()?
        .extensions
        .get::<RequestSession>()
        .cloned()
}

/// The signed-in caller, or the error that asks them to sign in.
#[cfg(feature = "ssr")]
pub fn require_caller() -> Result<Caller, AppError> {
    require_session().map(|session| session.caller)
}

/// The request's session, or the error that asks the caller to sign in.
#[cfg(feature = "ssr")]
pub fn require_session() -> Result<RequestSession, AppError> {
    request_session().ok_or_else(|| {
        AppError::new(
            crate::error::ErrorCode::Unauthenticated,
            "Sign in to continue.",
        )
    })
}

/// The answer for a review the caller is not a member of: the same as for one that does not
/// exist, so that membership cannot be probed.
pub fn not_a_member() -> AppError {
    AppError::new(
        crate::error::ErrorCode::NotFound,
        "There is no such review, or you are not a member of it.",
    )
}

/// The one authorization check: the caller must be signed in, a member of `review`, and in a
/// role that the table in `authz.rs` allows `action`. Returns the caller and their role.
#[cfg(feature = "ssr")]
pub async fn authorize(
    review: crate::review::ReviewId,
    action: crate::people::Action,
) -> Result<(Caller, crate::people::Role), AppError> {
    let caller = require_caller()?;
    let services = crate::services::use_services()?;
    let role = authorize_person(services.people.as_ref(), caller.id, review, action).await?;
    Ok((caller, role))
}

/// The same check for a known person, for callers outside a page or server function (the
/// wall's websocket checks every message with it).
#[cfg(feature = "ssr")]
pub async fn authorize_person(
    people: &dyn PeopleService,
    person: crate::people::PersonId,
    review: crate::review::ReviewId,
    action: crate::people::Action,
) -> Result<crate::people::Role, AppError> {
    let role = people
        .role_in(person, review)
        .await?
        .ok_or_else(not_a_member)?;
    if crate::people::allows(role, action) {
        Ok(role)
    } else {
        Err(crate::people::forbidden(role))
    }
}

#[cfg(feature = "ssr")]
fn client_address() -> Option<String> {
    use_context::<http::request::Parts>()?
        .extensions
        .get::<ClientAddress>()
        .map(|address| address.0.clone())
}

#[cfg(feature = "ssr")]
fn set_cookie(value: &str) -> Result<(), AppError> {
    let response = use_context::<leptos_axum::ResponseOptions>()
        .ok_or_else(|| AppError::internal("The response could not carry a cookie."))?;
    let value = http::HeaderValue::from_str(value)
        .map_err(|_| AppError::internal("The session cookie could not be written."))?;
    response.append_header(http::header::SET_COOKIE, value);
    Ok(())
}

/// The refusal for what only administrators may do.
#[cfg(feature = "ssr")]
fn require_admin(what: &str) -> Result<Caller, AppError> {
    let caller = require_caller()?;
    if caller.is_admin {
        Ok(caller)
    } else {
        Err(AppError::new(
            crate::error::ErrorCode::Forbidden,
            format!("Only an administrator can {what}."),
        ))
    }
}

/// The caller, if they may create reviews and organisations (administrators and facilitator
/// accounts), or the refusal naming what they tried.
#[cfg(feature = "ssr")]
pub fn require_review_creator(what: &str) -> Result<Caller, AppError> {
    let caller = require_caller()?;
    if caller.can_create_reviews() {
        Ok(caller)
    } else {
        Err(AppError::new(
            crate::error::ErrorCode::Forbidden,
            format!("Only an administrator or a facilitator account can {what}."),
        ))
    }
}

/// Signs in with email and password.
#[server(prefix = "/api", endpoint = "sign_in")]
pub async fn sign_in(email: String, password: String) -> Result<Caller, AppError> {
    async {
        let services = crate::services::use_services()?;
        let signed_in = services
            .people
            .sign_in(&email, &password, client_address().as_deref())
            .await?;
        set_cookie(&signed_in.set_cookie)?;
        Ok(signed_in.caller)
    }
    .await
    .map_err(crate::error::with_status)
}

/// Signs out, ending the session on the server.
#[server(prefix = "/api", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    async {
        let services = crate::services::use_services()?;
        let Some(session) = request_session() else {
            return Ok(());
        };
        let clear = services
            .people
            .sign_out(&session, client_address().as_deref())
            .await?;
        set_cookie(&clear)
    }
    .await
    .map_err(crate::error::with_status)
}

/// Who is signed in, if anyone.
#[server(prefix = "/api", endpoint = "who_am_i")]
pub async fn who_am_i() -> Result<Option<Caller>, AppError> {
    Ok(request_session().map(|session| session.caller))
}

/// Invites someone to a review in a role (facilitator only); returns the link to pass on.
#[server(prefix = "/api", endpoint = "invite_member")]
pub async fn invite_member(
    review: crate::review::ReviewId,
    email: String,
    role: crate::people::Role,
) -> Result<crate::people::InvitationLink, AppError> {
    async {
        let (caller, _) = authorize(review, crate::people::Action::InviteMembers).await?;
        let services = crate::services::use_services()?;
        services.people.invite(&caller, review, &email, role).await
    }
    .await
    .map_err(crate::error::with_status)
}

/// What an invitation link offers; anyone holding the link may ask.
#[server(prefix = "/api", endpoint = "get_invitation")]
pub async fn get_invitation(token: String) -> Result<crate::people::InvitationPreview, AppError> {
    async {
        let services = crate::services::use_services()?;
        services.people.preview_invitation(&token).await
    }
    .await
    .map_err(crate::error::with_status)
}

/// Accepts an invitation and signs in.
#[server(prefix = "/api", endpoint = "accept_invitation")]
pub async fn accept_invitation(
    token: String,
    name: String,
    password: String,
) -> Result<Caller, AppError> {
    async {
        let services = crate::services::use_services()?;
        let signed_in = services
            .people
            .accept_invitation(&token, &name, &password, client_address().as_deref())
            .await?;
        set_cookie(&signed_in.set_cookie)?;
        Ok(signed_in.caller)
    }
    .await
    .map_err(crate::error::with_status)
}

/// A review's audit trail (facilitator only).
#[server(prefix = "/api", endpoint = "list_audit")]
pub async fn list_audit(
    review: crate::review::ReviewId,
) -> Result<Vec<crate::people::AuditEvent>, AppError> {
    async {
        authorize(review, crate::people::Action::ViewAudit).await?;
        let services = crate::services::use_services()?;
        services.people.audit_for(review).await
    }
    .await
    .map_err(crate::error::with_status)
}

/// Changes the signed-in person's password; their other sessions end.
#[server(prefix = "/api", endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<(), AppError> {
    async {
        let session = require_session()?;
        let services = crate::services::use_services()?;
        services
            .people
            .change_password(
                &session,
                &current_password,
                &new_password,
                client_address().as_deref(),
            )
            .await
    }
    .await
    .map_err(crate::error::with_status)
}

/// Issues a one-time password reset link (administrators only); returns its path.
#[server(prefix = "/api", endpoint = "issue_password_reset")]
pub async fn issue_password_reset(email: String) -> Result<String, AppError> {
    async {
        let caller = require_admin("issue password reset links")?;
        let services = crate::services::use_services()?;
        services.people.issue_password_reset(&caller, &email).await
    }
    .await
    .map_err(crate::error::with_status)
}

/// Sets a new password with a reset link; anyone holding the link may use it, once.
#[server(prefix = "/api", endpoint = "reset_password")]
pub async fn reset_password(token: String, new_password: String) -> Result<(), AppError> {
    async {
        let services = crate::services::use_services()?;
        services
            .people
            .reset_password(&token, &new_password, client_address().as_deref())
            .await
    }
    .await
    .map_err(crate::error::with_status)
}

/// Every organisation (anyone signed in: the names are public bodies).
#[server(prefix = "/api", endpoint = "list_organisations")]
pub async fn list_organisations() -> Result<Vec<crate::people::Organisation>, AppError> {
    async {
        require_caller()?;
        let services = crate::services::use_services()?;
        services.people.organisations().await
    }
    .await
    .map_err(crate::error::with_status)
}

/// Adds an organisation (administrators and facilitator accounts).
#[server(prefix = "/api", endpoint = "create_organisation")]
pub async fn create_organisation(
    name: String,
    kind: crate::people::OrganisationKind,
) -> Result<crate::people::Organisation, AppError> {
    async {
        let caller = require_review_creator("add an organisation")?;
        let services = crate::services::use_services()?;
        services
            .people
            .create_organisation(&caller, &name, kind)
            .await
    }
    .await
    .map_err(crate::error::with_status)
}

/// Sets the organisation the signed-in person works for; empty for none.
#[server(prefix = "/api", endpoint = "set_my_organisation")]
pub async fn set_my_organisation(organisation: String) -> Result<(), AppError> {
    async {
        let caller = require_caller()?;
        let organisation = match organisation.trim() {
            "" => None,
            id => {
                let id = crate::people::OrganisationId(id.to_string());
                if !id.is_valid() {
                    return Err(AppError::invalid_field(
                        "organisation",
                        "Choose an organisation from the list.",
                    ));
                }
                Some(id)
            }
        };
        let services = crate::services::use_services()?;
        services
            .people
            .set_organisation(&caller, organisation)
            .await
    }
    .await
    .map_err(crate::error::with_status)
}

/// Invites someone to open a facilitator account (administrators only); returns the link.
#[server(prefix = "/api", endpoint = "invite_facilitator")]
pub async fn invite_facilitator(email: String) -> Result<crate::people::InvitationLink, AppError> {
    async {
        let caller = require_admin("invite facilitators")?;
        let services = crate::services::use_services()?;
        services.people.invite_facilitator(&caller, &email).await
    }
    .await
    .map_err(crate::error::with_status)
}

/// The audit trail across every review (administrators only).
#[server(prefix = "/api", endpoint = "list_all_audit")]
pub async fn list_all_audit() -> Result<Vec<crate::people::AuditEvent>, AppError> {
    async {
        require_admin("read the whole audit trail")?;
        let services = crate::services::use_services()?;
        services.people.audit_all().await
    }
    .await
    .map_err(crate::error::with_status)
}
