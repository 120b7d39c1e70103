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

/// Whether a request comes from a page's form (it accepts HTML): the answer is then the page
/// again, saying what happened, rather than JSON.
pub(crate) fn from_a_page(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

/// Back to `page` with `key=value` in its query: how an upload form hears what happened.
pub(crate) fn back_to(page: &str, key: &str, value: &str) -> Response {
    let value: String = form_urlencoded::byte_serialize(value.as_bytes()).collect();
    axum::response::Redirect::to(&format!("{page}?{key}={value}")).into_response()
}

/// An uploaded multipart form: its text fields (1,000 characters each at most) and its `file`
/// part (the name it was sent with and its content; none when no file was chosen).
#[derive(Debug, Default)]
pub(crate) struct Uploaded {
    pub fields: std::collections::HashMap<String, String>,
    pub file: Option<(String, Vec<u8>)>,
}

impl Uploaded {
    /// A text field, empty if it was not sent.
    pub(crate) fn field(&self, name: &str) -> String {
        self.fields.get(name).cloned().unwrap_or_default()
    }
}

/// Reads a multipart form whose `file` may be `limit` bytes at most (413 with a sentence beyond);
/// a form cut off or malformed is a 400.
pub(crate) async fn read_upload(
    mut multipart: axum::extract::Multipart,
    limit: usize,
) -> Result<Uploaded, (StatusCode, AppError)> {
    let unreadable = |_| {
        (
            StatusCode::BAD_REQUEST,
            AppError::new(
                ErrorCode::Invalid,
                "The upload was cut off or malformed: try again.",
            ),
        )
    };
    let mut form = Uploaded::default();
    while let Some(mut field) = multipart.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or_default().to_string();
        if name != "file" {
            let value: String = field
                .text()
                .await
                .map_err(unreadable)?
                .chars()
                .take(1000)
                .collect();
            form.fields.insert(name, value);
            continue;
        }
        // A browser sends a nameless, empty part when no file was chosen.
        let file_name = field.file_name().unwrap_or_default().to_string();
        let mut content = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
            if content.len() + chunk.len() > limit {
                return Err((
                    StatusCode::PAYLOAD_TOO_LARGE,
                    AppError::invalid_field(
                        "file",
                        format!(
                            "The file is larger than {} MB, the most an upload may be.",
                            limit / (1024 * 1024)
                        ),
                    ),
                ));
            }
            content.extend_from_slice(&chunk);
        }
        if !content.is_empty() || !file_name.is_empty() {
            form.file = Some((file_name, content));
        }
    }
    Ok(form)
}

/// The answer to an upload form: on success `done` (for a page, back to `page` with
/// `?{key}=`); a refusal goes back to a page as `?refused=` when it is about what was sent,
/// else as JSON with its status (a size refusal's 413 kept).
pub(crate) fn upload_answer<T>(
    result: Result<T, (StatusCode, AppError)>,
    page: Option<&str>,
    key: &str,
    said: impl Fn(&T) -> String,
    done: impl FnOnce(T) -> Response,
) -> Response {
    match (result, page) {
        (Ok(value), Some(page)) => back_to(page, key, &said(&value)),
        (Ok(value), None) => done(value),
        (Err((_, error)), Some(page)) if error.code == ErrorCode::Invalid => {
            back_to(page, "refused", &error.message)
        }
        (Err((status, error)), _) => {
            let mut response = refuse(error);
            if status != StatusCode::OK {
                *response.status_mut() = status;
            }
            response
        }
    }
}
