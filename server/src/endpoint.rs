//! What the hand-written endpoints share (the wall's and the presentation's websockets, the
//! wall's export): refusals as JSON, who is asking, and the websockets' buffers, frames, close
//! and rate limit.

use std::time::{Duration, Instant};

use app::error::{AppError, ErrorCode};
use app::people::{Action, RequestSession, Role, authorize_person};
use app::review::ReviewId;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};

use crate::AppState;

/// How often a websocket is pinged, and how long a silent one is kept.
pub const PING_EVERY: Duration = Duration::from_secs(15);
pub const SILENT_FOR: Duration = Duration::from_secs(45);

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
        return Err(app::people::not_a_member());
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

/// A websocket's caller: signed in (`sign_in` says what for), from one of this site's pages,
/// and allowed `action` on the review, their role read now; a member whose role does not allow
/// it is told `refused` when given. Their review, session and role.
pub(crate) async fn socket_caller(
    state: &AppState,
    review: &str,
    session: Option<Extension<RequestSession>>,
    (sign_in, refused): (&'static str, Option<&'static str>),
    headers: &HeaderMap,
    action: Action,
) -> Result<(ReviewId, RequestSession, Role), AppError> {
    let (review, session) = caller(state, review, session, sign_in, Some(headers))?;
    let people = state.services.people.as_ref();
    let role = authorize_person(people, session.caller.id, review, action)
        .await
        .map_err(|error| match refused {
            Some(message) if error.code == ErrorCode::Forbidden => {
                AppError::new(ErrorCode::Forbidden, message)
            }
            _ => error,
        })?;
    Ok((review, session, role))
}

/// The upgrade, with small buffers (a quiet socket should cost kilobytes, not the default
/// 128 KiB) and frames up to `max_frame` bytes (larger ones close the socket with 1009); or why
/// this was not a websocket request.
pub(crate) fn upgrade(
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
    max_frame: usize,
) -> Result<WebSocketUpgrade, AppError> {
    let upgrade = upgrade.map_err(|_| {
        AppError::new(
            ErrorCode::Invalid,
            "This address takes a websocket connection.",
        )
    })?;
    Ok(upgrade
        .read_buffer_size(4 * 1024)
        .write_buffer_size(4 * 1024)
        .max_message_size(max_frame)
        .max_frame_size(max_frame))
}

/// Sends `message` as a JSON text frame; whether it went.
pub(crate) async fn send_json(socket: &mut WebSocket, message: &impl serde::Serialize) -> bool {
    match serde_json::to_string(message) {
        Ok(text) => socket.send(Message::Text(text.into())).await.is_ok(),
        Err(_) => false,
    }
}

/// Closes the socket with a code and a reason.
pub(crate) async fn close(socket: &mut WebSocket, code: u16, reason: &'static str) {
    let _ = socket
        .send(Message::Close(Some(CloseFrame {
            code,
            reason: reason.into(),
        })))
        .await;
}

/// A token bucket: `per_second` sustained, `burst` at once.
pub(crate) struct Bucket {
    per_second: f64,
    burst: f64,
    tokens: f64,
    at: Instant,
}

impl Bucket {
    pub(crate) fn new(per_second: f64, burst: f64) -> Self {
        Self {
            per_second,
            burst,
            tokens: burst,
            at: Instant::now(),
        }
    }

    /// Takes a token if there is one.
    pub(crate) fn take(&mut self) -> bool {
        let now = Instant::now();
        let refill = now.duration_since(self.at).as_secs_f64() * self.per_second;
        self.tokens = (self.tokens + refill).min(self.burst);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Bucket;

    #[test]
    fn a_bucket_allows_its_burst_then_refuses() {
        let mut bucket = Bucket::new(0.001, 3.0);
        assert!((0..3).all(|_| bucket.take()));
        assert!(!bucket.take());
    }
}
