//! The round-table presentation on the server: its websocket, `GET /ws/reviews/{review}/deck`. Anyone on the
//! review may follow it (host and observer roles included): it carries only the deck, never the
//! wall's notes or who wrote them, and host roles and observers get the key messages only while
//! the presentation is given or once the handout is published (`Deck::for_room`). The presenter
//! (facilitator or team lead) moves between slides, starts and ends presenting and publishes the
//! handout with frames each checked against their role again.

use std::sync::Arc;
use std::time::Instant;

use app::error::{AppError, ErrorCode};
use app::people::{Action, PeopleService, RequestSession, allows, authorize_person};
use app::present::protocol::{DeckClientMessage, DeckServerMessage};
use app::review::ReviewId;
use app::wall::protocol::{Command, OpId, ServerMessage};
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade, close_code};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::{Extension, extract::ws::rejection::WebSocketUpgradeRejection};

use crate::AppState;
use crate::access::SocketAccess;
use crate::endpoint::{Bucket, PING_EVERY, SILENT_FOR, close, refuse, send_json, socket_caller};
use crate::wall::board::{Actor, WallHub};

/// A `go` frame is tiny; anything much larger is not one.
const MAX_FRAME_BYTES: usize = 1024;
/// Slide changes a presenter may make: 10 a second sustained, 5 at once (a clicker pressed fast).
const GOES_PER_SECOND: f64 = 10.0;
const GO_BURST: f64 = 5.0;

/// Checks who is asking and upgrades to the presentation's socket.
pub async fn deck_socket(
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
        ("Sign in to follow the presentation.", None),
        &headers,
        Action::FollowPresentation,
    )
    .await
    {
        Ok(caller) => caller,
        Err(error) => return refuse(error),
    };
    let people = state.services.people.clone();
    let person = session.caller.id;
    let upgrade = match crate::endpoint::upgrade(upgrade, 16 * 1024) {
        Ok(upgrade) => upgrade,
        Err(error) => return refuse(error),
    };
    let actor = Actor {
        person,
        name: session.caller.name.clone(),
        pair: None,
        role,
    };
    let hub = state.wall.clone();
    let access =
        crate::access::AccessWatch::socket(&state, &session, review, Action::FollowPresentation);
    upgrade.on_upgrade(move |socket| serve(socket, hub, people, review, actor, access))
}

async fn send(socket: &mut WebSocket, message: &DeckServerMessage) -> bool {
    send_json(socket, message).await
}

fn error(code: ErrorCode, message: impl Into<String>) -> DeckServerMessage {
    DeckServerMessage::Error {
        error: AppError::new(code, message),
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
    let room = !allows(actor.role, Action::ViewNotes);
    let mut decks = match hub.follow_deck(review, room).await {
        Ok(decks) => decks,
        Err(error) => {
            send(&mut socket, &DeckServerMessage::Error { error }).await;
            close(&mut socket, close_code::AGAIN, "try again").await;
            return;
        }
    };
    let first = decks.borrow_and_update().clone();
    if socket
        .send(Message::Text(first.as_ref().into()))
        .await
        .is_err()
    {
        return;
    }
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    let mut heard = Instant::now();
    let mut goes = Bucket::new(GOES_PER_SECOND, GO_BURST);
    loop {
        tokio::select! {
            // Access first: a deck queued after the follower lost access is never sent.
            biased;
            () = access.due() => match access.check().await {
                // Moved between the peer team and the room: the other deck, on a new socket.
                Ok(role) if allows(role, Action::ViewNotes) == room => {
                    close(&mut socket, close_code::AGAIN, "role changed; reconnect").await;
                    break;
                }
                Ok(_) => {}
                Err(error) if error.code == ErrorCode::Unavailable => {}
                Err(error) => {
                    send(&mut socket, &DeckServerMessage::Error { error }).await;
                    close(&mut socket, close_code::POLICY, "access ended").await;
                    break;
                }
            },
            incoming = socket.recv() => {
                let Some(Ok(message)) = incoming else { break };
                heard = Instant::now();
                let text = match message {
                    Message::Close(_) => break,
                    Message::Ping(_) | Message::Pong(_) => continue,
                    Message::Binary(_) => {
                        send(&mut socket, &error(ErrorCode::Invalid, "The presentation speaks JSON text frames only.")).await;
                        continue;
                    }
                    Message::Text(text) => text,
                };
                if text.len() > MAX_FRAME_BYTES {
                    send(&mut socket, &error(ErrorCode::Invalid, "That message is too large; it was dropped.")).await;
                    continue;
                }
                let command = match serde_json::from_str::<DeckClientMessage>(&text) {
                    Ok(DeckClientMessage::Go { slide }) => Command::Present { slide, quote: None },
                    Ok(DeckClientMessage::Presenting { on }) => Command::Presenting { on },
                    Ok(DeckClientMessage::PublishHandout { published }) => {
                        Command::PublishHandout { published }
                    }
                    Err(problem) => {
                        send(&mut socket, &error(ErrorCode::Invalid, format!("That message could not be read ({problem}); it was dropped."))).await;
                        continue;
                    }
                };
                if !goes.take() {
                    send(&mut socket, &error(ErrorCode::RateLimited, "Slides are changing too fast; that change was dropped.")).await;
                    continue;
                }
                // The role is read again: a presenter can be changed while the socket is open.
                match authorize_person(people.as_ref(), actor.person, review, Action::LeadWall).await {
                    Ok(role) if allows(role, Action::LeadWall) => actor.role = role,
                    Ok(_) | Err(_) => {
                        send(&mut socket, &error(ErrorCode::Forbidden, "Only the facilitator or team lead moves the presentation.")).await;
                        continue;
                    }
                }
                let answer = hub.command(review, actor.clone(), OpId(uuid::Uuid::new_v4()), command).await;
                if let ServerMessage::Rejected { error, .. } = answer
                    && !send(&mut socket, &DeckServerMessage::Error { error }).await
                {
                    break;
                }
            }
            changed = decks.changed() => {
                if changed.is_err() {
                    close(&mut socket, close_code::RESTART, "presentation restarted; reconnect").await;
                    break;
                }
                let frame = decks.borrow_and_update().clone();
                if socket.send(Message::Text(frame.as_ref().into())).await.is_err() {
                    break;
                }
            }
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
}
