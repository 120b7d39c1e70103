//! The one error type that crosses from server to browser: a code a program can match on and a
//! sentence a person can read. Backend details never go into `message`.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// What kind of failure happened, for code that needs to react differently to each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The input was rejected; the message says which field and why.
    Invalid,
    /// The thing asked for does not exist (or the caller may not know it exists).
    NotFound,
    /// The caller is not signed in.
    Unauthenticated,
    /// The caller is signed in but their role does not allow this.
    Forbidden,
    /// Someone else changed the same thing first; the answer carries what it is now.
    Conflict,
    /// Too many requests in a short time; slow down and try again.
    RateLimited,
    /// The database or another dependency is not reachable right now; try again.
    Unavailable,
    /// A fault on our side; the details are in the server log under the request id.
    Internal,
    /// The request or its answer could not be carried (network, encoding).
    Transport,
}

/// An error with a code and a human sentence, returned by every server function.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
    /// The form field the error is about, by its name, so the form can tie the message to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            field: None,
        }
    }

    /// Rejected input in the form field named `field`.
    pub fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: Some(field.to_string()),
            ..Self::new(ErrorCode::Invalid, message)
        }
    }

    /// The message if it is about `field`.
    pub fn message_for(&self, field: &str) -> Option<String> {
        (self.field.as_deref() == Some(field)).then(|| self.message.clone())
    }

    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unavailable, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Internal, message)
    }
}

impl ErrorCode {
    /// The HTTP status that carries this kind of error.
    pub fn status(self) -> u16 {
        match self {
            ErrorCode::Invalid => 422,
            ErrorCode::NotFound => 404,
            ErrorCode::Unauthenticated => 401,
            ErrorCode::Forbidden => 403,
            ErrorCode::Conflict => 409,
            ErrorCode::RateLimited => 429,
            ErrorCode::Unavailable => 503,
            ErrorCode::Internal | ErrorCode::Transport => 500,
        }
    }
}

/// Runs a server function's body: its refusal, if any, sets the response's status
/// (`with_status`). Every server function's body is `respond(async { … }).await`.
#[cfg(feature = "ssr")]
pub async fn respond<T>(
    body: impl std::future::Future<Output = Result<T, AppError>>,
) -> Result<T, AppError> {
    body.await.map_err(with_status)
}

/// Sets the response's status from the error, so an expected refusal is not reported as a
/// server fault (500) by proxies and monitoring (`respond` calls it for every server function).
/// Only a call that came over HTTP is affected: the same function called while rendering a page
/// leaves the page's own status alone.
#[cfg(feature = "ssr")]
pub fn with_status(error: AppError) -> AppError {
    use leptos::prelude::use_context;
    let called_over_http = use_context::<http::request::Parts>()
        .is_some_and(|parts| parts.uri.path().starts_with("/api/"));
    if called_over_http
        && let Some(response) = use_context::<leptos_axum::ResponseOptions>()
        && let Ok(status) = http::StatusCode::from_u16(error.code.status())
    {
        response.set_status(status);
    }
    error
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => Self::new(
                ErrorCode::Transport,
                "The server could not be reached. Check your connection and try again.",
            ),
            // The request's fields did not decode: a malformed or hand-made request.
            ServerFnErrorErr::Args(detail) => Self::new(
                ErrorCode::Invalid,
                format!("The request's fields could not be read ({detail})."),
            ),
            other => Self::new(
                ErrorCode::Transport,
                format!("The server's answer could not be understood ({other})."),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_round_trips_through_json_with_snake_case_code() {
        let error = AppError::unavailable("The database is not reachable.");
        let json = serde_json::to_string(&error).unwrap();
        assert_eq!(
            json,
            r#"{"code":"unavailable","message":"The database is not reachable."}"#
        );
        assert_eq!(serde_json::from_str::<AppError>(&json).unwrap(), error);
    }

    #[test]
    fn field_errors_name_their_field() {
        let error = AppError::invalid_field("title", "Enter a title.");
        let json = serde_json::to_string(&error).unwrap();
        assert!(json.contains(r#""field":"title""#), "{json}");
        assert_eq!(
            error.message_for("title").as_deref(),
            Some("Enter a title.")
        );
        assert_eq!(error.message_for("scope"), None);
    }

    #[test]
    fn undecodable_fields_are_invalid_input() {
        let error = AppError::from_server_fn_error(ServerFnErrorErr::Args("phase".into()));
        assert_eq!(error.code, ErrorCode::Invalid);
        assert!(error.message.contains("could not be read"));
    }

    #[test]
    fn transport_failures_become_a_plain_sentence() {
        let error = AppError::from_server_fn_error(ServerFnErrorErr::Request("reset".into()));
        assert_eq!(error.code, ErrorCode::Transport);
        assert!(error.message.starts_with("The server could not be reached"));
    }
}
