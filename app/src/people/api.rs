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

/// Signs in with email and password.
#[server(prefix = "/api", endpoint = "sign_in")]
pub async fn sign_in(email: String, password: String) -> Result<Caller, AppError> {
    let services = crate::services::use_services()?;
    let signed_in = services
        .people
        .sign_in(&email, &password, client_address().as_deref())
        .await?;
    set_cookie(&signed_in.set_cookie)?;
    Ok(signed_in.caller)
}

/// Signs out, ending the session on the server.
#[server(prefix = "/api", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
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

/// Who is signed in, if anyone.
#[server(prefix = "/api", endpoint = "who_am_i")]
pub async fn who_am_i() -> Result<Option<Caller>, AppError> {
    Ok(request_session().map(|session| session.caller))
}
