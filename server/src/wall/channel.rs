//! The wall's channel: `GET /ws/reviews/{review}/wall` (the lifecycle is `crate::socket`'s).
//! The first frame is a hello saying where the browser is up to; the welcome brings it up to
//! date, then it gets every event of the board, each person with only their own votes until
//! they are revealed. Every command is authorized against the caller's role as the socket's
//! access check last read it (kept up to date by pushed access changes), then queued on the
//! board; the socket reads the next frame while it waits for the answer.

use std::time::Duration;

use app::error::{AppError, ErrorCode};
use app::membership::{Action, Role, allows, forbidden};
use app::review::ReviewId;
use app::wall::protocol::{
    COMMAND_BURST, COMMANDS_PER_SECOND, ClientMessage, MAX_FRAME_BYTES, PROTOCOL_VERSION,
    ServerMessage,
};
use axum::extract::ws::close_code;
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;

use crate::AppState;
use crate::audit::{AuditEntry, AuditTrail};
use crate::socket::{Bucket, Channel, Flow, Link, Next, SocketCaller};
use crate::wall::board::{Actor, ConnectionId};
use crate::wall::hub::WallHub;
use crate::wall::ring::Frames;
use crate::wall::ring::Missed;

/// How long a new socket has to say hello.
const HELLO_WITHIN: Duration = Duration::from_secs(10);
/// Presence changes (what someone is dragging) a socket may send: 5 a second, 10 at once; more
/// are dropped, since presence is only ever a hint and every change is sent to the whole team.
const PRESENCE_PER_SECOND: f64 = 5.0;
const PRESENCE_BURST: f64 = 10.0;
/// Commands one socket may have waiting for their answers (more than its burst allowance);
/// past this it is told the wall is busy, as a full board queue would.
const IN_FLIGHT: usize = 128;

/// The most frames written to a socket at once.
const FRAMES_AT_ONCE: usize = 64;

/// An answer on its way from the board.
type Answer = std::pin::Pin<Box<dyn std::future::Future<Output = ServerMessage> + Send>>;

/// One socket on a review's wall.
pub struct WallChannel {
    hub: WallHub,
    audit: AuditTrail,
    review: ReviewId,
    actor: Actor,
    /// Set once joined: this socket on the board, and the board's frames.
    joined: Option<(ConnectionId, Frames)>,
    commands: Bucket,
    presence: Bucket,
    /// Commands queued on the board whose answers have not come yet: the socket reads the
    /// browser's next frames meanwhile, and sends each answer as it comes.
    answers: FuturesUnordered<Answer>,
}

impl Channel for WallChannel {
    type In = ClientMessage;
    type Out = ServerMessage;
    const ACTION: Action = Action::ViewNotes;
    const SIGN_IN: &'static str = "Sign in to open the wall.";
    const REFUSED: Option<&'static str> =
        Some("The findings wall is not available to you: it is the peer team's working space.");
    const NAME: &'static str = "The wall";
    const MAX_FRAME_BYTES: usize = MAX_FRAME_BYTES;
    const HARD_FRAME_LIMIT: usize = 64 * 1024;

    fn error(error: AppError) -> ServerMessage {
        ServerMessage::Error { error }
    }

    async fn open(state: &AppState, caller: SocketCaller) -> Result<Self, AppError> {
        let person = caller.session.caller.id;
        let pair = (state.services.membership)
            .pair_in(person, caller.review)
            .await?;
        Ok(WallChannel {
            hub: state.wall.clone(),
            audit: state.audit.clone(),
            review: caller.review,
            actor: Actor {
                person,
                name: caller.session.caller.name.clone(),
                pair,
                role: caller.role,
            },
            joined: None,
            commands: Bucket::new(COMMANDS_PER_SECOND, COMMAND_BURST),
            presence: Bucket::new(PRESENCE_PER_SECOND, PRESENCE_BURST),
            answers: FuturesUnordered::new(),
        })
    }

    async fn join(&mut self, link: &mut Link) -> bool {
        // The first frame says which protocol and where the browser is up to.
        let after = match link.first::<Self>(HELLO_WITHIN).await {
            None => return false,
            Some(Ok(ClientMessage::Hello { protocol, after })) if protocol == PROTOCOL_VERSION => {
                after
            }
            Some(Ok(ClientMessage::Hello { .. })) => {
                let error = ServerMessage::error(
                    ErrorCode::Invalid,
                    "This page is out of date: reload it to use the wall.",
                );
                link.send(&error).await;
                link.close(close_code::PROTOCOL, "protocol version").await;
                return false;
            }
            Some(_) => {
                let error =
                    ServerMessage::error(ErrorCode::Invalid, "The first message must be hello.");
                link.send(&error).await;
                link.close(close_code::PROTOCOL, "expected hello").await;
                return false;
            }
        };
        // Every opening of the notes is on the audit trail before a note leaves (a reconnection
        // too: it reads them again); like an export, no opening without its trace.
        let audited = self
            .audit
            .record(AuditEntry {
                kind: "wall_opened",
                actor: Some(self.actor.person),
                review: Some(self.review),
                detail: format!("as {}", self.actor.role.as_str()),
                address: None,
            })
            .await;
        if let Err(error) = audited {
            link.send(&ServerMessage::Error { error }).await;
            link.close(close_code::AGAIN, "try again").await;
            return false;
        }
        let connection = self.hub.connection_id();
        let joined = match self
            .hub
            .join(self.review, connection, self.actor.clone(), after)
            .await
        {
            Ok(joined) => joined,
            Err(error) => {
                link.send(&ServerMessage::Error { error }).await;
                link.close(close_code::AGAIN, "try again").await;
                return false;
            }
        };
        self.joined = Some((connection, joined.frames));
        link.send(&joined.welcome).await
    }

    async fn next(&mut self) -> Next {
        let Some((_, frames)) = self.joined.as_mut() else {
            return std::future::pending().await;
        };
        let answers = &mut self.answers;
        tokio::select! {
            Some(answer) = answers.next(), if !answers.is_empty() => {
                Next::Text(crate::wall::frame::frame(&answer))
            }
            frame = frames.recv() => match frame {
                Ok(frame) => {
                    // Whatever else is ready goes in the same write.
                    let person = self.actor.person;
                    let mut texts = vec![frame.for_person(person)];
                    while texts.len() < FRAMES_AT_ONCE {
                        match frames.try_recv() {
                            Ok(frame) => texts.push(frame.for_person(person)),
                            Err(Missed::FellBehind) => {
                                return Next::Close(close_code::AGAIN, "fell behind; resume");
                            }
                            Err(_) => break,
                        }
                    }
                    if texts.len() == 1 {
                        Next::Text(texts.remove(0))
                    } else {
                        Next::Texts(texts)
                    }
                }
                // Too far behind to catch up from the stream: the browser resumes from its last
                // sequence number on a new socket.
                Err(Missed::FellBehind) => {
                    Next::Close(close_code::AGAIN, "fell behind; resume")
                }
                Err(Missed::Closed | Missed::Empty) => {
                    Next::Close(close_code::RESTART, "board restarted; resume")
                }
            },
        }
    }

    async fn handle(&mut self, message: ClientMessage, link: &mut Link) -> Flow {
        let answer = match message {
            ClientMessage::Hello { .. } => {
                ServerMessage::error(ErrorCode::Invalid, "Hello is sent once, first.")
            }
            ClientMessage::Presence { dragging } => {
                if self.presence.take()
                    && let Some((connection, _)) = &self.joined
                {
                    self.hub.presence(self.review, *connection, dragging).await;
                }
                return Flow::Continue;
            }
            ClientMessage::Command { op, command } => {
                let rejected = |error| ServerMessage::Rejected {
                    op,
                    error,
                    current: None,
                };
                // The role is the one this socket's access check last read: every change to
                // it is pushed to the socket (`crate::access`) and checked before the next
                // frame is read, so no command is decided on a role taken away.
                let role = self.actor.role;
                if !self.commands.take() {
                    rejected(AppError::new(
                        ErrorCode::RateLimited,
                        "Too many changes at once: this one is kept and will be sent again.",
                    ))
                } else if !allows(role, command.action()) {
                    rejected(forbidden(role))
                } else if self.answers.len() >= IN_FLIGHT {
                    rejected(crate::wall::hub::busy())
                } else {
                    match (self.hub)
                        .submit(self.review, self.actor.clone(), op, command)
                        .await
                    {
                        Ok(answer) => {
                            self.answers.push(Box::pin(answer));
                            return Flow::Continue;
                        }
                        Err(refused) => refused,
                    }
                }
            }
        };
        Flow::sent(link.send(&answer).await)
    }

    fn still_allowed(&mut self, role: Role) -> Flow {
        self.actor.role = role;
        Flow::Continue
    }

    async fn leave(self) {
        if let Some((connection, _)) = self.joined {
            self.hub.leave(self.review, connection).await;
        }
    }
}
