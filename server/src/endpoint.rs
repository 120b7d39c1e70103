//! What the hand-written endpoints share (the websockets of `crate::socket`, the downloads):
//! refusals as JSON, who is asking, and attachments.

use app::accounts::RequestSession;
use app::error::{AppError, ErrorCode};
use app::review::ReviewId;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};

use crate::AppState;

/// A refusal: the error as JSON, with its status.
pub(crate) fn refuse(error: AppError) -> Response {
    let status = StatusCode::from_u16(error.code.status()).unwrap_or(StatusCode::BAD_REQUEST);
    (status, Json(error)).into_response()
}

/// Who is asking about which review, or why they are refused (for `refuse`): the review id must
/// parse and the caller must be signed in (`sign_in` says what for). Given the request's
/// headers, it must also come from one of this site's pages (websockets: a page on another
/// site must not open one with our cookie).
pub(crate) fn caller(
    state: &AppState,
    review: &str,
    session: Option<Extension<RequestSession>>,
    sign_in: &'static str,
    same_site: Option<&HeaderMap>,
) -> Result<(ReviewId, RequestSession), AppError> {
    let Ok(review) = uuid::Uuid::parse_str(review).map(ReviewId) else {
        return Err(app::membership::not_a_member());
    };
    let Some(Extension(session)) = session else {
        return Err(AppError::new(ErrorCode::Unauthenticated, sign_in));
    };
    if let Some(headers) = same_site {
        let text = |name: &header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
        if !crate::auth::csrf::is_same_site(
            &Method::POST,
            None,
            text(&header::ORIGIN),
            text(&header::HOST),
            &state.site,
        ) {
            return Err(AppError::new(
                ErrorCode::Forbidden,
                "This request came from another website and was refused.",
            ));
        }
    }
    Ok((review, session))
}

/// A download: `body` as `content_type`, saved as `attachment_name(title, what)`, never cached.
pub fn attachment(
    body: impl IntoResponse,
    content_type: &'static str,
    title: &str,
    what: &str,
) -> Response {
    use axum::http::HeaderValue;
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    let disposition = format!("attachment; filename=\"{}\"", attachment_name(title, what));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A download of a stored file: `body` as `content_type`, saved as `file_name` (already made
/// safe: letters, digits, `-`, `_` and one `.`), never cached.
pub fn attachment_named(
    body: impl IntoResponse,
    content_type: &'static str,
    file_name: &str,
) -> Response {
    use axum::http::HeaderValue;
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    let disposition = format!("attachment; filename=\"{file_name}\"");
    let value = HeaderValue::from_str(&disposition)
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    headers.insert(header::CONTENT_DISPOSITION, value);
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A download's file name: the title's letters and digits, lower case, joined by hyphens (60 at
/// most), then `-{what}` ("wall.csv", "report-v2.docx").
pub fn attachment_name(title: &str, what: &str) -> String {
    let mut name: String = title
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    while name.contains("--") {
        name = name.replace("--", "-");
    }
    let name: String = name.trim_matches('-').chars().take(60).collect();
    format!("{}-{what}", if name.is_empty() { "review" } else { &name })
}
