//! Server functions for accounts (signing in and out, passwords), the service they call, and
//! the helpers every server function uses to know who is asking.

use leptos::prelude::*;

use crate::accounts::Caller;
use crate::error::AppError;

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

/// Accounts: signing in and out, passwords and their reset links.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait AccountService: Send + Sync {
    /// Checks the password, applying throttling and lockout, and opens a new session.
    async fn sign_in(
        &self,
        email: &str,
        password: &str,
        address: Option<&str>,
    ) -> Result<SignedIn, AppError>;

    /// Revokes the session; returns the `Set-Cookie` value that clears the cookie.
    async fn sign_out(
        &self,
        session: &RequestSession,
        address: Option<&str>,
    ) -> Result<String, AppError>;

    /// Changes the caller's password after checking the current one, and ends their other sessions.
    async fn change_password(
        &self,
        session: &RequestSession,
        current: &str,
        new: &str,
        address: Option<&str>,
    ) -> Result<(), AppError>;

    /// Issues a one-time password reset link for the account `email` (administrators only).
    async fn issue_password_reset(
        &self,
        by: &Caller,
        email: &str,
    ) -> Result<crate::accounts::ResetLink, AppError>;

    /// Sets a new password with a reset link's token; all the account's sessions end.
    async fn reset_password(
        &self,
        token: &str,
        new: &str,
        address: Option<&str>,
    ) -> Result<(), AppError>;

    /// The address of the account an organisation account waits to be linked to in this
    /// browser (its cookie is among `cookies`, the request's `Cookie` header), if any.
    async fn pending_link(&self, cookies: &str) -> Result<Option<String>, AppError>;

    /// After `caller` signed in with their password: links the organisation account waiting
    /// in this browser to them, if one waits for them. Returns the `Set-Cookie` value that
    /// clears the waiting link's cookie, when there was one.
    async fn link_pending(
        &self,
        caller: &Caller,
        cookies: &str,
        address: Option<&str>,
    ) -> Result<Option<String>, AppError>;
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
#[cfg(feature = "ssr")]
pub(crate) fn client_address() -> Option<String> {
    use_context::<http::request::Parts>()?
        .extensions
        .get::<ClientAddress>()
        .map(|address| address.0.clone())
}
/// The request's `Cookie` header, as one string.
#[cfg(feature = "ssr")]
pub(crate) fn cookie_header() -> Option<String> {
    let parts = use_context::<http::request::Parts>()?;
    let cookies: Vec<&str> = parts
        .headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .collect();
    (!cookies.is_empty()).then(|| cookies.join("; "))
}
#[cfg(feature = "ssr")]
pub(crate) fn set_cookie(value: &str) -> Result<(), AppError> {
    let response = use_context::<leptos_axum::ResponseOptions>()
        .ok_or_else(|| AppError::internal("The response could not carry a cookie."))?;
    let value = http::HeaderValue::from_str(value)
        .map_err(|_| AppError::internal("The session cookie could not be written."))?;
    response.append_header(http::header::SET_COOKIE, value);
    Ok(())
}
/// The refusal for what only administrators may do.
#[cfg(feature = "ssr")]
pub fn require_admin(what: &str) -> Result<Caller, AppError> {
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
    crate::error::respond(async {
        let services = crate::services::service::<dyn crate::accounts::AccountService>()?;
        let address = client_address();
        let signed_in = services
            .sign_in(&email, &password, address.as_deref())
            .await?;
        set_cookie(&signed_in.set_cookie)?;
        // An organisation account waiting in this browser for this person's password is
        // linked now; the next sign-in can be with the organisation.
        if let Some(cookies) = cookie_header()
            && let Some(clear) = services
                .link_pending(&signed_in.caller, &cookies, address.as_deref())
                .await?
        {
            set_cookie(&clear)?;
        }
        Ok(signed_in.caller)
    })
    .await
}
/// Signs out, ending the session on the server.
#[server(prefix = "/api", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    crate::error::respond(async {
        let services = crate::services::service::<dyn crate::accounts::AccountService>()?;
        let Some(session) = request_session() else {
            return Ok(());
        };
        let clear = services
            .sign_out(&session, client_address().as_deref())
            .await?;
        set_cookie(&clear)
    })
    .await
}
/// Who is signed in, if anyone.
#[server(prefix = "/api", endpoint = "who_am_i")]
pub async fn who_am_i() -> Result<Option<Caller>, AppError> {
    Ok(request_session().map(|session| session.caller))
}
/// Changes the signed-in person's password; their other sessions end.
#[server(prefix = "/api", endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<(), AppError> {
    crate::error::respond(async {
        let session = require_session()?;
        let services = crate::services::service::<dyn crate::accounts::AccountService>()?;
        services
            .change_password(
                &session,
                &current_password,
                &new_password,
                client_address().as_deref(),
            )
            .await
    })
    .await
}
/// Issues a one-time password reset link (administrators only), mailed to the account when
/// mail is on; returns its path.
#[server(prefix = "/api", endpoint = "issue_password_reset")]
pub async fn issue_password_reset(email: String) -> Result<crate::accounts::ResetLink, AppError> {
    crate::error::respond(async {
        let caller = require_admin("issue password reset links")?;
        let services = crate::services::service::<dyn crate::accounts::AccountService>()?;
        services.issue_password_reset(&caller, &email).await
    })
    .await
}
/// Sets a new password with a reset link; anyone holding the link may use it, once.
#[server(prefix = "/api", endpoint = "reset_password")]
pub async fn reset_password(token: String, new_password: String) -> Result<(), AppError> {
    crate::error::respond(async {
        let services = crate::services::service::<dyn crate::accounts::AccountService>()?;
        services
            .reset_password(&token, &new_password, client_address().as_deref())
            .await
    })
    .await
}
