//! The wall's board service as the rest of the server sees it: one task per review's wall on
//! this node (`board.rs`), started on first use and ended when idle, reached through the hub.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use app::error::AppError;
use app::review::ReviewId;
use app::wall::protocol::{Command, OpId, ServerMessage, WallEvent};
use app::wall::{Board, NoteId};
use tokio::sync::{mpsc, oneshot, watch};

/// How many requests a board's queue holds. A command that finds it full is answered at once
/// that the wall is busy (the browser sends it again after a pause), so what is accepted waits
/// at most a queue's worth of commits, and memory does not grow with an overload.
pub const BOARD_QUEUE: usize = 256;

use crate::db::{self, Database};
use crate::wall::board::{
    Actor, BoardView, ConnectionId, REMEMBERED_OPS, Request, Tuning, ViewKey, run_board,
    unavailable,
};
use crate::wall::ring::Joined;

/// The refusal for a command that finds its board's queue full.
pub fn busy() -> AppError {
    AppError::new(
        app::error::ErrorCode::RateLimited,
        "The wall is busy just now: this change is kept and will be sent again in a moment.",
    )
}

/// How often a board task reads its log's head for events another node committed.
const HEAD_CHECK_EVERY: Duration = Duration::from_secs(3);

/// Every board task on this node, started on first use and ended when idle.
#[derive(Clone)]
pub struct WallHub {
    db: Database,
    boards: Arc<Mutex<HashMap<ReviewId, mpsc::Sender<Request>>>>,
    next_connection: Arc<std::sync::atomic::AtomicU64>,
    tuning: Tuning,
    live: crate::live::LiveFollower,
}

impl WallHub {
    pub fn new(db: Database) -> Self {
        Self::with_timing(db, Duration::from_secs(120), HEAD_CHECK_EVERY)
    }

    /// A hub whose board tasks end after `idle` without sockets or requests, and read their
    /// log's head every `head_check` (tests set it long to prove the LIVE query alone delivers).
    pub fn with_timing(db: Database, idle: Duration, head_check: Duration) -> Self {
        // Who is on a wall is shared between nodes only through a database server.
        let share_presence = db.is_server();
        Self {
            db,
            boards: Arc::default(),
            next_connection: Arc::default(),
            tuning: Tuning {
                idle,
                head_check,
                remembered_ops: REMEMBERED_OPS,
                node: uuid::Uuid::new_v4(),
                share_presence,
                shared: Arc::default(),
            },
            live: crate::live::LiveFollower::default(),
        }
    }

    /// The same hub with its board tasks keeping only the latest `ops` operation ids in memory
    /// (tests use a handful, to reach the database's answer for older resends).
    pub fn remembering_ops(mut self, ops: usize) -> Self {
        self.tuning.remembered_ops = ops.max(1);
        self
    }

    /// Follows the log with one SurrealDB LIVE query for this node, so that events committed by
    /// other nodes reach this node's sockets. Runs until `stop_following`.
    pub fn start_following(&self) {
        let (db, hub) = (self.db.clone(), self.clone());
        self.live.start(
            self.db.clone(),
            crate::live::Followed {
                what: "the wall's events",
                table: "wall_event",
            },
            move || {
                let db = db.clone();
                async move { db::wall::live_events(&db).await }
            },
            move |(review, event)| {
                let hub = hub.clone();
                async move { hub.forward(review, event).await }
            },
        );
    }

    /// The LIVE query this service follows, for the node's readiness.
    pub fn live_query(&self) -> &crate::live::LiveFollower {
        &self.live
    }

    /// Ends the LIVE query explicitly (dropping its stream does not end it on the server), and
    /// lets every board task on this node end once its sockets have gone, so nothing holds the
    /// database after a shutdown.
    pub async fn stop_following(&self) {
        self.live.stop(&self.db, "the wall's events").await;
        if let Ok(mut boards) = self.boards.lock() {
            boards.clear();
        }
    }

    /// Hands an event from the log to the board's task, if this node has one running.
    async fn forward(&self, review: ReviewId, event: WallEvent) {
        let sender = self.boards.lock().ok().and_then(|boards| {
            boards
                .get(&review)
                .filter(|sender| !sender.is_closed())
                .cloned()
        });
        if let Some(sender) = sender {
            let _ = sender.send(Request::External { event }).await;
        }
    }

    /// A fresh id for a socket.
    pub fn connection_id(&self) -> ConnectionId {
        self.next_connection
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    }

    /// How many board tasks are running on this node.
    pub fn running_boards(&self) -> usize {
        self.boards.lock().map_or(0, |boards| {
            boards.values().filter(|tx| !tx.is_closed()).count()
        })
    }

    /// The queue of `review`'s board task, started if need be.
    fn sender(&self, review: ReviewId) -> Result<mpsc::Sender<Request>, AppError> {
        let mut boards = self.boards.lock().map_err(|_| unavailable())?;
        Ok(match boards.get(&review) {
            Some(sender) if !sender.is_closed() => sender.clone(),
            _ => {
                let (sender, receiver) = mpsc::channel(BOARD_QUEUE);
                tokio::spawn(run_board(
                    self.db.clone(),
                    review,
                    receiver,
                    self.tuning.clone(),
                ));
                boards.insert(review, sender.clone());
                sender
            }
        })
    }

    async fn send(&self, review: ReviewId, request: Request) -> Result<(), AppError> {
        let mut request = request;
        // Twice: a task that just ended on idle is replaced once.
        for _ in 0..2 {
            match self.sender(review)?.send(request).await {
                Ok(()) => return Ok(()),
                Err(mpsc::error::SendError(returned)) => request = returned,
            }
        }
        Err(unavailable())
    }

    /// Queues `request` without waiting for room: `Ok(false)` when the queue is full.
    fn try_send(&self, review: ReviewId, request: Request) -> Result<bool, AppError> {
        let mut request = request;
        for _ in 0..2 {
            match self.sender(review)?.try_send(request) {
                Ok(()) => return Ok(true),
                Err(mpsc::error::TrySendError::Full(_)) => return Ok(false),
                Err(mpsc::error::TrySendError::Closed(returned)) => request = returned,
            }
        }
        Err(unavailable())
    }

    /// How many commands this hub's board tasks answered busy for waiting too long.
    pub fn shed(&self) -> u64 {
        (self.tuning.shared.shed).load(std::sync::atomic::Ordering::Relaxed)
    }

    /// How many transactions this hub's board tasks have committed.
    pub fn transactions(&self) -> u64 {
        (self.tuning.shared.transactions).load(std::sync::atomic::Ordering::Relaxed)
    }

    /// For tests: the next board task to commit ends at once after its commit, before it
    /// answers or sends anything, as a crash of the process would leave it.
    pub fn crash_after_next_commit(&self) {
        (self.tuning.shared.crash_after_commit).store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// Joins a board: the welcome frame and the subscription to its frames.
    pub async fn join(
        &self,
        review: ReviewId,
        connection: ConnectionId,
        actor: Actor,
        after: Option<u64>,
    ) -> Result<Joined, AppError> {
        let (reply, answer) = oneshot::channel();
        self.send(
            review,
            Request::Join {
                connection,
                actor,
                after,
                reply,
            },
        )
        .await?;
        answer.await.map_err(|_| unavailable())?
    }

    /// Follows a view of the board (its frames): the board's view named `key`, made by `make`
    /// when the board has none yet.
    pub async fn follow(
        &self,
        review: ReviewId,
        key: ViewKey,
        make: fn() -> Box<dyn BoardView>,
    ) -> Result<watch::Receiver<Arc<str>>, AppError> {
        let (reply, answer) = oneshot::channel();
        self.send(review, Request::Follow { key, make, reply })
            .await?;
        answer.await.map_err(|_| unavailable())
    }

    /// The whole board as its task holds it: every committed change, with authors and votes.
    pub async fn board(&self, review: ReviewId) -> Result<Board, AppError> {
        let (reply, answer) = oneshot::channel();
        self.send(review, Request::Snapshot { reply }).await?;
        answer.await.map_err(|_| unavailable())
    }

    /// Applies a command; the answer is `Ack` or `Rejected`.
    pub async fn command(
        &self,
        review: ReviewId,
        actor: Actor,
        op: OpId,
        command: Command,
    ) -> ServerMessage {
        match self.submit(review, actor, op, command).await {
            Ok(answer) => answer.await,
            Err(refused) => refused,
        }
    }

    /// Queues a command on its board without waiting for it to be decided: the answer (`Ack`
    /// or `Rejected`) comes when the future completes. Refused at once (`Err`) when the
    /// board's queue is full (busy: the browser sends it again after a pause), or when its
    /// note names a session that is not on the review's timetable.
    pub async fn submit(
        &self,
        review: ReviewId,
        actor: Actor,
        op: OpId,
        command: Command,
    ) -> Result<impl std::future::Future<Output = ServerMessage> + Send + 'static, ServerMessage>
    {
        let rejected = move |error| ServerMessage::Rejected {
            op,
            error,
            current: None,
        };
        if let Command::CreateNote { fields, .. } = &command
            && let Some(session) = fields.session
        {
            // A session of this review's timetable, still on it: an id from another review
            // names no row here.
            match db::visit::session(&self.db, review, session).await {
                Ok(Some(found)) if !found.cancelled => {}
                Ok(_) => {
                    return Err(rejected(AppError::invalid_field(
                        "session",
                        "That session is not on this review's timetable: choose another, or type where it was heard.",
                    )));
                }
                Err(error) => {
                    tracing::error!(%error, "reading a note's session");
                    return Err(rejected(unavailable()));
                }
            }
        }
        let (reply, answer) = oneshot::channel();
        let request = Request::Command {
            actor,
            op,
            command,
            reply,
            queued: std::time::Instant::now(),
        };
        match self.try_send(review, request) {
            Ok(true) => Ok(async move { answer.await.unwrap_or_else(|_| rejected(unavailable())) }),
            Ok(false) => Err(rejected(busy())),
            Err(error) => Err(rejected(error)),
        }
    }

    /// Destroys `review`'s notes through its board task (started if need be), so sockets on
    /// this node get the change in order and every node's board follows the log; `Ok(false)`
    /// when they were already gone.
    pub async fn destroy_notes(
        &self,
        review: ReviewId,
        by: Option<(app::accounts::PersonId, String)>,
        signed_off_at: chrono::DateTime<chrono::Utc>,
        days: i64,
    ) -> Result<bool, AppError> {
        let (reply, answer) = oneshot::channel();
        self.send(
            review,
            Request::DestroyNotes {
                by,
                signed_off_at,
                days,
                reply,
            },
        )
        .await?;
        answer.await.map_err(|_| unavailable())?
    }

    /// Rewrites `person`'s notes on `review`'s wall as a former member's, through its board
    /// task; how many.
    pub async fn erase_author(
        &self,
        review: ReviewId,
        person: app::accounts::PersonId,
    ) -> Result<usize, AppError> {
        let (reply, answer) = oneshot::channel();
        self.send(review, Request::EraseAuthor { person, reply })
            .await?;
        answer.await.map_err(|_| unavailable())?
    }

    pub async fn presence(
        &self,
        review: ReviewId,
        connection: ConnectionId,
        dragging: Option<NoteId>,
    ) {
        let _ = self
            .send(
                review,
                Request::Presence {
                    connection,
                    dragging,
                },
            )
            .await;
    }

    pub async fn leave(&self, review: ReviewId, connection: ConnectionId) {
        let _ = self.send(review, Request::Leave { connection }).await;
    }
}
