//! Refuses state-changing requests that a browser sent from another site (cross-site request
//! forgery). Leptos server functions have no protection of their own; SameSite=Lax cookies are
//! not enough on their own, so `Sec-Fetch-Site` and `Origin` are checked on every POST, PUT,
//! PATCH and DELETE. Requests that carry neither header do not come from a browser.

use axum::Json;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use app::error::{AppError, ErrorCode};

/// Where the site is served from, when it is not simply the request's `Host`.
#[derive(Debug, Clone, Default)]
pub struct SiteOrigin(pub Option<String>);

/// Whether a request with these headers may change state.
pub fn is_same_site(
    method: &Method,
    sec_fetch_site: Option<&str>,
    origin: Option<&str>,
    host: Option<&str>,
    site: &SiteOrigin,
) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return true;
    }
    if let Some(fetch_site) = sec_fetch_site
        && !matches!(fetch_site, "same-origin" | "none")
    {
        return false;
    }
    match origin {
        None => true,
        Some("null") => false,
        Some(origin) => match &site.0 {
            Some(expected) => origin.eq_ignore_ascii_case(expected.trim_end_matches('/')),
            None => host.is_some_and(|host| {
                origin
                    .split_once("://")
                    .is_some_and(|(_, authority)| authority.eq_ignore_ascii_case(host))
            }),
        },
    }
}

/// Middleware that answers a cross-site state-changing request with 403.
pub async fn refuse_cross_site(
    State(site): State<SiteOrigin>,
    request: Request,
    next: Next,
) -> Response {
    let headers = request.headers();
    let text = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
    let allowed = is_same_site(
        request.method(),
        text("sec-fetch-site"),
        text(header::ORIGIN.as_str()),
        text(header::HOST.as_str()),
        &site,
    );
    if allowed {
        return next.run(request).await;
    }
    tracing::warn!(
        method = %request.method(),
        path = %request.uri().path(),
        origin = text(header::ORIGIN.as_str()).unwrap_or("-"),
        "refused a cross-site request"
    );
    let error = AppError::new(
        ErrorCode::Forbidden,
        "This request came from another website and was refused.",
    );
    (StatusCode::FORBIDDEN, Json(error)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOST: Option<&str> = Some("127.0.0.1:3000");

    #[test]
    fn reads_are_always_allowed() {
        assert!(is_same_site(
            &Method::GET,
            Some("cross-site"),
            Some("https://evil.example"),
            HOST,
            &SiteOrigin::default()
        ));
    }

    #[test]
    fn same_origin_writes_are_allowed() {
        let site = SiteOrigin::default();
        assert!(is_same_site(
            &Method::POST,
            Some("same-origin"),
            Some("http://127.0.0.1:3000"),
            HOST,
            &site
        ));
        assert!(is_same_site(&Method::POST, None, None, HOST, &site));
    }

    #[test]
    fn cross_site_writes_are_refused() {
        let site = SiteOrigin::default();
        assert!(!is_same_site(
            &Method::POST,
            Some("cross-site"),
            None,
            HOST,
            &site
        ));
        assert!(!is_same_site(
            &Method::POST,
            Some("same-site"),
            None,
            HOST,
            &site
        ));
        assert!(!is_same_site(
            &Method::POST,
            None,
            Some("https://evil.example"),
            HOST,
            &site
        ));
        assert!(!is_same_site(
            &Method::DELETE,
            None,
            Some("null"),
            HOST,
            &site
        ));
        assert!(!is_same_site(
            &Method::POST,
            None,
            Some("http://127.0.0.1:3000"),
            None,
            &site
        ));
    }

    #[test]
    fn a_configured_public_origin_is_what_counts() {
        let site = SiteOrigin(Some("https://peerwall.example.gov.uk/".into()));
        assert!(is_same_site(
            &Method::POST,
            None,
            Some("https://peerwall.example.gov.uk"),
            Some("internal:8080"),
            &site
        ));
        assert!(!is_same_site(
            &Method::POST,
            None,
            Some("http://internal:8080"),
            Some("internal:8080"),
            &site
        ));
    }
}
