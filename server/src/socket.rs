//! The one websocket lifecycle every live channel uses: the caller check before the upgrade,
//! small buffers and a hard frame limit, ping/pong heartbeats, frames read and checked (size,
//! JSON, shape), the access re-check that closes the socket when the caller's session or role no
//! longer allows it (`crate::access`), and the close. A channel (the wall, the presentation)
//! says only what is its own: how it opens and joins, what it sends, how it answers a frame.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use app::accounts::RequestSession;
use app::error::{AppError, ErrorCode};
use app::membership::{Action, Role, authorize_person};
use app::review::ReviewId;
use axum::Extension;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade, close_code};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::AppState;
use crate::access::SocketAccess;
use crate::endpoint::{caller, refuse};

pub mod view;

/// How often a websocket is pinged, and how long a silent one is kept.
pub const PING_EVERY: Duration = Duration::from_secs(15);
pub const SILENT_FOR: Duration = Duration::from_secs(45);

/// Who opened a socket: allowed the channel's action on the review when it opened.
pub struct SocketCaller {
    pub review: ReviewId,
    pub session: RequestSession,
    pub role: Role,
}

/// What the socket does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    /// The socket is gone (a send failed): end without a close frame.
    Stop,
    /// Close with this code and reason.
    Close(u16, &'static str),
}

impl Flow {
    /// `Continue` when a send went, `Stop` when it did not.
    pub fn sent(went: bool) -> Self {
        if went { Flow::Continue } else { Flow::Stop }
    }
}

/// The channel's next frame for this socket.
pub enum Next {
    Text(Arc<str>),
    /// Several frames that were ready at once, written together (one flush).
    Texts(Vec<Arc<str>>),
    Close(u16, &'static str),
}

/// A live channel on a websocket. Its futures must be cancel-safe where noted: the lifecycle
/// waits on several things at once and drops those that lose.
pub trait Channel: Send + Sized + 'static {
    /// A frame from the browser, read from JSON text.
    type In: DeserializeOwned + Send;
    /// A frame to the browser; errors are sent as one.
    type Out: Serialize + Send + Sync;
    /// The action the caller needs on the review: checked before the upgrade and again at every
    /// access change.
    const ACTION: Action;
    /// Said to someone not signed in.
    const SIGN_IN: &'static str;
    /// Said to a member whose role does not allow `ACTION` (else the role table's own refusal).
    const REFUSED: Option<&'static str>;
    /// What the channel is called in errors ("The wall").
    const NAME: &'static str;
    /// A text frame larger than this is answered with an error and dropped.
    const MAX_FRAME_BYTES: usize;
    /// A frame larger than this closes the socket unread (1009).
    const HARD_FRAME_LIMIT: usize;

    fn error(error: AppError) -> Self::Out;

    /// The channel for a caller allowed `ACTION`, made before the upgrade; an error refuses it.
    fn open(
        state: &AppState,
        caller: SocketCaller,
    ) -> impl Future<Output = Result<Self, AppError>> + Send;

    /// The socket is open: read a hello if the channel has one and send what a joining browser
    /// gets. `false`: the socket is done (the channel has closed it or it went away).
    fn join(&mut self, link: &mut Link) -> impl Future<Output = bool> + Send;

    /// The next frame from the channel's service for this socket. Cancel-safe.
    fn next(&mut self) -> impl Future<Output = Next> + Send;

    /// Answers a frame from the browser.
    fn handle(&mut self, frame: Self::In, link: &mut Link) -> impl Future<Output = Flow> + Send;

    /// The caller's access was checked again and still allows `ACTION`, now with `role`.
    fn still_allowed(&mut self, role: Role) -> Flow;

    /// The socket has ended (whether or not it joined).
    fn leave(self) -> impl Future<Output = ()> + Send;
}

/// The route handler of channel `C`: checks who is asking, opens the channel and upgrades.
pub async fn upgrade<C: Channel>(
    State(state): State<AppState>,
    Path(review): Path<String>,
    session: Option<Extension<RequestSession>>,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let caller = match socket_caller::<C>(&state, &review, session, &headers).await {
        Ok(caller) => caller,
        Err(error) => return refuse(error),
    };
    let access =
        crate::access::AccessWatch::socket(&state, &caller.session, caller.review, C::ACTION);
    let channel = match C::open(&state, caller).await {
        Ok(channel) => channel,
        Err(error) => return refuse(error),
    };
    let upgrade = match sized(upgrade, C::HARD_FRAME_LIMIT) {
        Ok(upgrade) => upgrade,
        Err(error) => return refuse(error),
    };
    upgrade.on_upgrade(move |socket| serve(Link { socket }, channel, access))
}

/// A websocket's caller: signed in, from one of this site's pages, and allowed the channel's
/// action on the review, their role read now.
async fn socket_caller<C: Channel>(
    state: &AppState,
    review: &str,
    session: Option<Extension<RequestSession>>,
    headers: &HeaderMap,
) -> Result<SocketCaller, AppError> {
    let (review, session) = caller(state, review, session, C::SIGN_IN, Some(headers))?;
    let people = state.services.membership.as_ref();
    let role = authorize_person(people, session.caller.id, review, C::ACTION)
        .await
        .map_err(|error| match C::REFUSED {
            Some(message) if error.code == ErrorCode::Forbidden => {
                AppError::new(ErrorCode::Forbidden, message)
            }
            _ => error,
        })?;
    Ok(SocketCaller {
        review,
        session,
        role,
    })
}

/// The upgrade, with small buffers (a quiet socket should cost kilobytes, not the default
/// 128 KiB) and frames up to `max_frame` bytes (larger ones close the socket with 1009); or why
/// this was not a websocket request.
fn sized(
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

/// The open socket, as a channel writes to it.
pub struct Link {
    socket: WebSocket,
}

impl Link {
    /// Sends `message` as a JSON text frame; whether it went.
    pub async fn send(&mut self, message: &impl Serialize) -> bool {
        match serde_json::to_string(message) {
            Ok(text) => self.socket.send(Message::Text(text.into())).await.is_ok(),
            Err(_) => false,
        }
    }

    /// Sends a frame already encoded; whether it went.
    pub async fn send_text(&mut self, text: &str) -> bool {
        self.socket.send(Message::Text(text.into())).await.is_ok()
    }

    /// Sends frames already encoded, flushed once; whether they went.
    pub async fn send_texts(&mut self, texts: &[Arc<str>]) -> bool {
        use futures_util::SinkExt;
        for text in texts {
            if self
                .socket
                .feed(Message::Text((&**text).into()))
                .await
                .is_err()
            {
                return false;
            }
        }
        self.socket.flush().await.is_ok()
    }

    /// Closes the socket with a code and a reason.
    pub async fn close(&mut self, code: u16, reason: &'static str) {
        let _ = self
            .socket
            .send(Message::Close(Some(CloseFrame {
                code,
                reason: reason.into(),
            })))
            .await;
    }

    /// The browser's first frame, read as `C::In`, if it sends one within `within`: `None` when
    /// it does not (or closes), else the frame or what is wrong with it (a ping or pong is not
    /// a first frame either).
    pub async fn first<C: Channel>(&mut self, within: Duration) -> Option<Result<C::In, AppError>> {
        let Ok(Some(Ok(message))) = tokio::time::timeout(within, self.socket.recv()).await else {
            return None;
        };
        match read::<C>(message) {
            Incoming::Frame(frame) => Some(Ok(frame)),
            Incoming::Bad(error) => Some(Err(error)),
            Incoming::Control => Some(Err(AppError::new(
                ErrorCode::Invalid,
                "The first message must be a text frame.",
            ))),
            Incoming::Closed => None,
        }
    }
}

/// A frame from the browser, read.
enum Incoming<T> {
    Frame(T),
    Bad(AppError),
    /// A ping or pong.
    Control,
    Closed,
}

fn read<C: Channel>(message: Message) -> Incoming<C::In> {
    match message {
        Message::Text(text) if text.len() > C::MAX_FRAME_BYTES => Incoming::Bad(AppError::new(
            ErrorCode::Invalid,
            format!(
                "That message is too large ({} bytes at most); it was dropped.",
                C::MAX_FRAME_BYTES
            ),
        )),
        Message::Text(text) => match serde_json::from_str(&text) {
            Ok(frame) => Incoming::Frame(frame),
            Err(error) => Incoming::Bad(AppError::new(
                ErrorCode::Invalid,
                format!("That message could not be read ({error}); it was dropped."),
            )),
        },
        Message::Binary(_) => Incoming::Bad(AppError::new(
            ErrorCode::Invalid,
            format!(
                "{} speaks JSON text frames only; that one was dropped.",
                C::NAME
            ),
        )),
        Message::Ping(_) | Message::Pong(_) => Incoming::Control,
        Message::Close(_) => Incoming::Closed,
    }
}

async fn serve<C: Channel>(mut link: Link, mut channel: C, mut access: SocketAccess) {
    if channel.join(&mut link).await {
        run(&mut link, &mut channel, &mut access).await;
    }
    channel.leave().await;
}

async fn run<C: Channel>(link: &mut Link, channel: &mut C, access: &mut SocketAccess) {
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    let mut heard = Instant::now();
    loop {
        let flow = tokio::select! {
            // Access first: a frame queued after a demotion is never sent.
            biased;
            () = access.due() => match access.check().await {
                Ok(role) => channel.still_allowed(role),
                // The database did not answer: checked again soon.
                Err(error) if error.code == ErrorCode::Unavailable => Flow::Continue,
                Err(error) => {
                    link.send(&C::error(error)).await;
                    Flow::Close(close_code::POLICY, "access ended")
                }
            },
            incoming = link.socket.recv() => {
                let Some(Ok(message)) = incoming else { break };
                heard = Instant::now();
                match read::<C>(message) {
                    Incoming::Frame(frame) => channel.handle(frame, link).await,
                    Incoming::Bad(error) => Flow::sent(link.send(&C::error(error)).await),
                    Incoming::Control => Flow::Continue,
                    Incoming::Closed => Flow::Stop,
                }
            }
            next = channel.next() => match next {
                Next::Text(text) => Flow::sent(link.send_text(&text).await),
                Next::Texts(texts) => Flow::sent(link.send_texts(&texts).await),
                Next::Close(code, reason) => Flow::Close(code, reason),
            },
            _ = ping.tick() => {
                if heard.elapsed() > SILENT_FOR {
                    Flow::Close(close_code::AWAY, "no heartbeat")
                } else {
                    Flow::sent(link.socket.send(Message::Ping(Vec::new().into())).await.is_ok())
                }
            }
        };
        match flow {
            Flow::Continue => {}
            Flow::Stop => break,
            Flow::Close(code, reason) => {
                link.close(code, reason).await;
                break;
            }
        }
    }
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
