//! The presentation's channel: `GET /ws/reviews/{review}/deck` (the lifecycle is
//! `crate::socket`'s). A follower gets the deck now and after every change; the presenter
//! (facilitator or team lead) moves between slides, starts and ends presenting and publishes the
//! handout with frames each checked against their role again.

use std::sync::Arc;

use app::error::{AppError, ErrorCode};
use app::membership::MembershipService;
use app::membership::{Action, Role, allows, authorize_person};
use app::present::protocol::{DeckClientMessage, DeckServerMessage};
use app::review::ReviewId;
use app::wall::protocol::{Command, OpId, ServerMessage};
use axum::extract::ws::close_code;
use tokio::sync::watch;

use crate::AppState;
use crate::socket::{Bucket, Channel, Flow, Link, Next, SocketCaller};
use crate::wall::board::Actor;
use crate::wall::hub::WallHub;

/// Slide changes a presenter may make: 10 a second sustained, 5 at once (a clicker pressed fast).
const GOES_PER_SECOND: f64 = 10.0;
const GO_BURST: f64 = 5.0;

/// One follower's socket on a review's presentation.
pub struct DeckChannel {
    hub: WallHub,
    people: Arc<dyn MembershipService>,
    review: ReviewId,
    actor: Actor,
    /// Host roles and observers: the room's deck.
    room: bool,
    decks: Option<watch::Receiver<Arc<str>>>,
    goes: Bucket,
}

fn error(code: ErrorCode, message: impl Into<String>) -> DeckServerMessage {
    DeckServerMessage::Error {
        error: AppError::new(code, message),
    }
}

impl Channel for DeckChannel {
    type In = DeckClientMessage;
    type Out = DeckServerMessage;
    const ACTION: Action = Action::FollowPresentation;
    const SIGN_IN: &'static str = "Sign in to follow the presentation.";
    const REFUSED: Option<&'static str> = None;
    const NAME: &'static str = "The presentation";
    /// A `go` frame is tiny; anything much larger is not one.
    const MAX_FRAME_BYTES: usize = 1024;
    const HARD_FRAME_LIMIT: usize = 16 * 1024;

    fn error(error: AppError) -> DeckServerMessage {
        DeckServerMessage::Error { error }
    }

    async fn open(state: &AppState, caller: SocketCaller) -> Result<Self, AppError> {
        Ok(DeckChannel {
            hub: state.wall.clone(),
            people: state.services.membership.clone(),
            review: caller.review,
            room: !allows(caller.role, Action::ViewNotes),
            actor: Actor {
                person: caller.session.caller.id,
                name: caller.session.caller.name.clone(),
                pair: None,
                role: caller.role,
            },
            decks: None,
            goes: Bucket::new(GOES_PER_SECOND, GO_BURST),
        })
    }

    async fn join(&mut self, link: &mut Link) -> bool {
        let mut decks = match crate::present::deck::follow(&self.hub, self.review, self.room).await
        {
            Ok(decks) => decks,
            Err(error) => {
                link.send(&DeckServerMessage::Error { error }).await;
                link.close(close_code::AGAIN, "try again").await;
                return false;
            }
        };
        let first = decks.borrow_and_update().clone();
        self.decks = Some(decks);
        link.send_text(&first).await
    }

    async fn next(&mut self) -> Next {
        let Some(decks) = self.decks.as_mut() else {
            return std::future::pending().await;
        };
        if decks.changed().await.is_err() {
            return Next::Close(close_code::RESTART, "presentation restarted; reconnect");
        }
        Next::Text(decks.borrow_and_update().clone())
    }

    async fn handle(&mut self, message: DeckClientMessage, link: &mut Link) -> Flow {
        let command = match message {
            DeckClientMessage::Go { slide } => Command::Present { slide, quote: None },
            DeckClientMessage::Presenting { on } => Command::Presenting { on },
            DeckClientMessage::PublishHandout { published } => {
                Command::PublishHandout { published }
            }
        };
        if !self.goes.take() {
            let refusal = error(
                ErrorCode::RateLimited,
                "Slides are changing too fast; that change was dropped.",
            );
            return Flow::sent(link.send(&refusal).await);
        }
        // The role is read again: a presenter can be changed while the socket is open.
        let person = self.actor.person;
        match authorize_person(self.people.as_ref(), person, self.review, Action::LeadWall).await {
            Ok(role) if allows(role, Action::LeadWall) => self.actor.role = role,
            Ok(_) | Err(_) => {
                let refusal = error(
                    ErrorCode::Forbidden,
                    "Only the facilitator or team lead moves the presentation.",
                );
                return Flow::sent(link.send(&refusal).await);
            }
        }
        let op = OpId(uuid::Uuid::new_v4());
        let answer = self
            .hub
            .command(self.review, self.actor.clone(), op, command)
            .await;
        match answer {
            ServerMessage::Rejected { error, .. } => {
                Flow::sent(link.send(&DeckServerMessage::Error { error }).await)
            }
            _ => Flow::Continue,
        }
    }

    fn still_allowed(&mut self, role: Role) -> Flow {
        if allows(role, Action::ViewNotes) == self.room {
            // Moved between the peer team and the room: the other deck, on a new socket.
            Flow::Close(close_code::AGAIN, "role changed; reconnect")
        } else {
            Flow::Continue
        }
    }

    async fn leave(self) {}
}
