//! `GET /auth/oidc/start` and `GET /auth/oidc/callback`: redirects, with the cookies the
//! sign-in needs (`crate::oidc` does the work).

use app::accounts::ClientAddress;
use axum::Extension;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::{Callback, Redirect};

#[derive(Debug, Default, serde::Deserialize)]
pub struct Start {
    next: Option<String>,
}

pub async fn start(
    State(state): State<crate::AppState>,
    query: Result<Query<Start>, QueryRejection>,
) -> Response {
    let next = query.ok().and_then(|Query(start)| start.next);
    redirect(state.oidc.start(next.as_deref()).await)
}

pub async fn callback(
    State(state): State<crate::AppState>,
    query: Result<Query<Callback>, QueryRejection>,
    headers: HeaderMap,
    address: Option<Extension<ClientAddress>>,
) -> Response {
    // An unreadable query is a callback without a code: refused with a sentence.
    let callback = query.map(|Query(callback)| callback).unwrap_or_default();
    let cookies: Vec<&str> = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .collect();
    let address = address.map(|Extension(ClientAddress(address))| address);
    redirect(
        state
            .oidc
            .finish(callback, &cookies.join("; "), address.as_deref())
            .await,
    )
}

/// A 303 to `location`, never cached, with no referrer (the callback's address holds a code).
fn redirect(redirect: Redirect) -> Response {
    let Ok(location) = HeaderValue::from_str(&redirect.location) else {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            "The sign-in could not continue.",
        )
            .into_response();
    };
    let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    for cookie in redirect.set_cookies {
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            headers.append(header::SET_COOKIE, value);
        }
    }
    response
}
