//! A channel that sends one view of a review (the timetable, the action plan) as its caller may
//! see it: on joining, after every change made through any node, when the browser asks again,
//! and when the caller's role changes what they may see. Changes go through server functions;
//! the socket only tells.

use std::future::Future;
use std::sync::Arc;

use app::error::AppError;
use app::membership::{Action, Role};
use app::review::ReviewId;
use axum::extract::ws::close_code;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::sync::watch;

use crate::AppState;
use crate::membership::{ReviewCaller, ReviewDoor};
use crate::socket::{Channel, Flow, Link, Next, SocketCaller};

/// A service whose view of a review a `ViewChannel` keeps live.
pub trait LiveView: Clone + Send + Sync + 'static {
    /// Whatever the browser sends: every frame is answered with the view again.
    type In: DeserializeOwned + Send;
    type Out: Serialize + Send + Sync;
    type View: Send;
    /// The action the caller needs on the review.
    const ACTION: Action;
    const SIGN_IN: &'static str;
    const NAME: &'static str;
    /// The close reason when the service's change feed ends (the node is stopping).
    const RESTARTED: &'static str;

    /// The service on this node.
    fn of(state: &AppState) -> Self;
    fn door(&self) -> &ReviewDoor;
    /// A receiver that changes whenever `review`'s view does.
    fn watch(&self, review: ReviewId) -> watch::Receiver<u64>;
    /// The view as `who` may see it.
    fn view_for(
        &self,
        who: &ReviewCaller,
        review: ReviewId,
    ) -> impl Future<Output = Result<Self::View, AppError>> + Send;
    /// The frame that carries a view, or an error.
    fn frame(view: Result<Self::View, AppError>) -> Self::Out;
}

/// One open view.
pub struct ViewChannel<V: LiveView> {
    service: V,
    who: ReviewCaller,
    review: ReviewId,
    changes: watch::Receiver<u64>,
    /// A change was heard and not yet sent (kept across a cancelled `next`).
    dirty: bool,
}

impl<V: LiveView> ViewChannel<V> {
    async fn current(&self) -> Arc<str> {
        let frame = V::frame(self.service.view_for(&self.who, self.review).await);
        Arc::from(serde_json::to_string(&frame).unwrap_or_default())
    }
}

impl<V: LiveView> Channel for ViewChannel<V> {
    type In = V::In;
    type Out = V::Out;
    const ACTION: Action = V::ACTION;
    const SIGN_IN: &'static str = V::SIGN_IN;
    const REFUSED: Option<&'static str> = None;
    const NAME: &'static str = V::NAME;
    const MAX_FRAME_BYTES: usize = 1024;
    const HARD_FRAME_LIMIT: usize = 16 * 1024;

    fn error(error: AppError) -> V::Out {
        V::frame(Err(error))
    }

    async fn open(state: &AppState, caller: SocketCaller) -> Result<Self, AppError> {
        let service = V::of(state);
        let who = service
            .door()
            .caller_in(caller.session.caller.clone(), caller.review)
            .await?;
        let changes = service.watch(caller.review);
        Ok(ViewChannel {
            service,
            who,
            review: caller.review,
            changes,
            dirty: false,
        })
    }

    async fn join(&mut self, link: &mut Link) -> bool {
        self.changes.borrow_and_update();
        let first = self.current().await;
        link.send_text(&first).await
    }

    async fn next(&mut self) -> Next {
        if !self.dirty {
            if self.changes.changed().await.is_err() {
                return Next::Close(close_code::RESTART, V::RESTARTED);
            }
            self.dirty = true;
        }
        let text = self.current().await;
        self.dirty = false;
        Next::Text(text)
    }

    async fn handle(&mut self, _: V::In, link: &mut Link) -> Flow {
        let text = self.current().await;
        Flow::sent(link.send_text(&text).await)
    }

    fn still_allowed(&mut self, role: Role) -> Flow {
        if role != self.who.role {
            // What the caller may see changed with the role: send it again.
            self.who.role = role;
            self.dirty = true;
        }
        Flow::Continue
    }

    async fn leave(self) {}
}
