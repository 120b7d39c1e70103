//! The wall's websocket: `GET /ws/reviews/{review}/wall`. A plain axum websocket with ping/pong
//! heartbeats; every frame is checked (size, shape) and every command is authorized again, and
//! the socket checks its session and role again whenever they change (`crate::access`): a
//! member demoted, removed or signed out stops receiving the wall at once.

use std::sync::Arc;
use std::time::{Duration, Instant};

use app::error::{AppError, ErrorCode};
use app::people::{Action, PeopleService, RequestSession, authorize_person};
use app::review::ReviewId;
use app::wall::protocol::{
    COMMAND_BURST, COMMANDS_PER_SECOND, ClientMessage, MAX_FRAME_BYTES, PROTOCOL_VERSION,
    ServerMessage,
};
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade, close_code};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::{Extension, extract::ws::rejection::WebSocketUpgradeRejection};
use tokio::sync::broadcast;

use crate::AppState;
use crate::access::SocketAccess;
use crate::endpoint::{Bucket, PING_EVERY, SILENT_FOR, close, refuse, send_json, socket_caller};
use crate::wall::board::{Actor, WallHub};

/// How long a new socket has to say hello.
const HELLO_WITHIN: Duration = Duration::from_secs(10);
/// Frames larger than this close the socket (1009); up to it they are read and answered.
const HARD_FRAME_LIMIT: usize = 64 * 1024;
/// Presence changes (what someone is dragging) a socket may send: 5 a second, 10 at once; more
/// are dropped, since presence is only ever a hint and every change is sent to the whole team.
const PRESENCE_PER_SECOND: f64 = 5.0;
const PRESENCE_BURST: f64 = 10.0;

/// A socket's rate limits.
struct Limits {
    commands: Bucket,
    presence: Bucket,
}

/// Checks who is asking and upgrades to a websocket for the review's wall.
pub async fn wall_socket(
    State(state): State<AppState>,
    Path(review): Path<String>,
    session: Option<Extension<RequestSession>>,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let (review, session, role) = match socket_caller(
        &state,
        &review,
        session,
        (
            "Sign in to open the wall.",
            Some("The findings wall is not available to you: it is the peer team's working space."),
        ),
        &headers,
        Action::ViewNotes,
    )
    .await
    {
        Ok(caller) => caller,
        Err(error) => return refuse(error),
    };
    let people = state.services.people.clone();
    let person = session.caller.id;
    let pair = match crate::db::people::pair_in(&state.db, person, review).await {
        Ok(pair) => pair,
        Err(error) => {
            tracing::error!(%error, "reading a member's pair");
            return refuse(AppError::unavailable(
                "The wall could not be opened just now.",
            ));
        }
    };
    let upgrade = match crate::endpoint::upgrade(upgrade, HARD_FRAME_LIMIT) {
        Ok(upgrade) => upgrade,
        Err(error) => return refuse(error),
    };
    let actor = Actor {
        person,
        name: session.caller.name.clone(),
        pair,
        role,
    };
    let hub = state.wall.clone();
    let access = crate::access::AccessWatch::socket(&state, &session, review, Action::ViewNotes);
    upgrade.on_upgrade(move |socket| serve(socket, hub, people, review, actor, access))
}

async fn send(socket: &mut WebSocket, message: &ServerMessage) -> bool {
    send_json(socket, message).await
}

/// Reads a text frame as a client message, or says what is wrong with it.
fn read_frame(message: Message) -> Result<Option<ClientMessage>, AppError> {
    match message {
        Message::Text(text) if text.len() > MAX_FRAME_BYTES => Err(AppError::new(
            ErrorCode::Invalid,
            format!("A message is {MAX_FRAME_BYTES} bytes at most; that one was dropped."),
        )),
        Message::Text(text) => serde_json::from_str(&text).map(Some).map_err(|error| {
            AppError::new(
                ErrorCode::Invalid,
                format!("That message could not be read ({error}); it was dropped."),
            )
        }),
        Message::Binary(_) => Err(AppError::new(
            ErrorCode::Invalid,
            "The wall speaks JSON text frames only; that one was dropped.",
        )),
        Message::Ping(_) | Message::Pong(_) | Message::Close(_) => Ok(None),
    }
}

async fn serve(
    mut socket: WebSocket,
    hub: WallHub,
    people: Arc<dyn PeopleService>,
    review: ReviewId,
    mut actor: Actor,
    mut access: SocketAccess,
) {
    // The first frame says which protocol and where the client is up to.
    let after = match tokio::time::timeout(HELLO_WITHIN, socket.recv()).await {
        Ok(Some(Ok(message))) => match read_frame(message) {
            Ok(Some(ClientMessage::Hello { protocol, after })) if protocol == PROTOCOL_VERSION => {
                after
            }
            Ok(Some(ClientMessage::Hello { .. })) => {
                let error = ServerMessage::error(
                    ErrorCode::Invalid,
                    "This page is out of date: reload it to use the wall.",
                );
                send(&mut socket, &error).await;
                close(&mut socket, close_code::PROTOCOL, "protocol version").await;
                return;
            }
            _ => {
                let error =
                    ServerMessage::error(ErrorCode::Invalid, "The first message must be hello.");
                send(&mut socket, &error).await;
                close(&mut socket, close_code::PROTOCOL, "expected hello").await;
                return;
            }
        },
        _ => return,
    };
    let connection = hub.connection_id();
    let joined = match hub.join(review, connection, actor.clone(), after).await {
        Ok(joined) => joined,
        Err(error) => {
            send(&mut socket, &ServerMessage::Error { error }).await;
            close(&mut socket, close_code::AGAIN, "try again").await;
            return;
        }
    };
    let mut frames = joined.frames;
    if !send(&mut socket, &joined.welcome).await {
        hub.leave(review, connection).await;
        return;
    }
    let mut limits = Limits {
        commands: Bucket::new(COMMANDS_PER_SECOND, COMMAND_BURST),
        presence: Bucket::new(PRESENCE_PER_SECOND, PRESENCE_BURST),
    };
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    let mut heard = Instant::now();
    loop {
        tokio::select! {
            // Access first: a frame queued after a demotion is never sent.
            biased;
            () = access.due() => match access.check().await {
                Ok(role) => actor.role = role,
                Err(error) if error.code == ErrorCode::Unavailable => {}
                Err(error) => {
                    send(&mut socket, &ServerMessage::Error { error }).await;
                    close(&mut socket, close_code::POLICY, "access ended").await;
                    break;
                }
            },
            incoming = socket.recv() => {
                let Some(Ok(message)) = incoming else { break };
                heard = Instant::now();
                if matches!(message, Message::Close(_)) {
                    break;
                }
                let outcome = match read_frame(message) {
                    Ok(None) => continue,
                    Ok(Some(message)) => {
                        handle(&mut socket, &hub, &people, review, connection, &mut actor, &mut limits, message).await
                    }
                    Err(error) => {
                        if send(&mut socket, &ServerMessage::Error { error }).await {
                            Flow::Continue
                        } else {
                            Flow::Stop
                        }
                    }
                };
                if outcome == Flow::Stop {
                    break;
                }
            }
            outgoing = frames.recv() => match outgoing {
                Ok(frame) => {
                    let text = frame.for_person(actor.person);
                    if socket.send(Message::Text(text.as_ref().into())).await.is_err() {
                        break;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    // Too far behind to catch up from the stream: the client resumes from its
                    // last sequence number on a new socket.
                    close(&mut socket, close_code::AGAIN, "fell behind; resume").await;
                    break;
                }
                Err(broadcast::error::RecvError::Closed) => {
                    close(&mut socket, close_code::RESTART, "board restarted; resume").await;
                    break;
                }
            },
            _ = ping.tick() => {
                if heard.elapsed() > SILENT_FOR {
                    close(&mut socket, close_code::AWAY, "no heartbeat").await;
                    break;
                }
                if socket.send(Message::Ping(Vec::new().into())).await.is_err() {
                    break;
                }
            }
        }
    }
    hub.leave(review, connection).await;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flow {
    Continue,
    Stop,
}

#[allow(clippy::too_many_arguments)]
async fn handle(
    socket: &mut WebSocket,
    hub: &WallHub,
    people: &Arc<dyn PeopleService>,
    review: ReviewId,
    connection: u64,
    actor: &mut Actor,
    limits: &mut Limits,
    message: ClientMessage,
) -> Flow {
    let answer = match message {
        ClientMessage::Hello { .. } => {
            ServerMessage::error(ErrorCode::Invalid, "Hello is sent once, first.")
        }
        ClientMessage::Presence { dragging } => {
            if limits.presence.take() {
                hub.presence(review, connection, dragging).await;
            }
            return Flow::Continue;
        }
        ClientMessage::Command { op, command } => {
            if !limits.commands.take() {
                ServerMessage::Rejected {
                    op,
                    error: AppError::new(
                        ErrorCode::RateLimited,
                        "Too many changes at once: this one is kept and will be sent again.",
                    ),
                    current: None,
                }
            } else {
                let action = command.action();
                match authorize_person(people.as_ref(), actor.person, review, action).await {
                    Ok(role) => {
                        actor.role = role;
                        hub.command(review, actor.clone(), op, command).await
                    }
                    Err(error) => {
                        let removed = error.code == ErrorCode::NotFound;
                        let rejected = ServerMessage::Rejected {
                            op,
                            error,
                            current: None,
                        };
                        send(socket, &rejected).await;
                        if removed {
                            close(socket, close_code::POLICY, "no longer a member").await;
                            return Flow::Stop;
                        }
                        return Flow::Continue;
                    }
                }
            }
        }
    };
    if send(socket, &answer).await {
        Flow::Continue
    } else {
        Flow::Stop
    }
}
