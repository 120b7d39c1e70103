//! The board service: one task per review's wall on this node serialises its writes. Each
//! accepted command is committed to SurrealDB (the rows it changes and an append-only event with
//! the board's next sequence number) before it is acknowledged and fanned out to the sockets.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use app::accounts::PersonId;
use app::error::AppError;
use app::review::ReviewId;
use app::wall::protocol::{Command, MAX_REPLAY, OpId, PROTOCOL_VERSION, ServerMessage, WallEvent};
use app::wall::triangulation::Strength;
use app::wall::{Board, Change, NoteId};
use tokio::sync::{mpsc, oneshot, watch};

use crate::wall::frame::{Frame, HiddenVotes, frame};
use crate::wall::ring::Joined;

use crate::db::{self, Database};
use crate::wall::presence::Presence;

pub use app::wall::rules::{Actor, Rejection, decide};

pub(crate) use crate::wall::recent::REMEMBERED_OPS;
use crate::wall::recent::RecentOps;
use crate::wall::ring::{EVENT_BYTES_KEPT, FRAME_BYTES_KEPT, FRAMES_KEPT, FrameRing, KeptEvents};

/// How long a board task spends on its periodic reads (the log's head, who is on other
/// nodes) before it turns back to its queue.
const BACKGROUND_WITHIN: Duration = Duration::from_millis(750);

/// Identifies one socket on this node.
pub type ConnectionId = u64;

/// Something worked out from the board and sent, as a frame, to whoever follows it (the
/// presentation's decks): the board task keeps it up to date while it is followed.
pub trait BoardView: Send + Sync + 'static {
    /// Works the view out again from `board`: its frame when it changed since the last call
    /// (the first call always gives one).
    fn refresh(&mut self, board: &Board) -> Option<Arc<str>>;
}

/// A command waiting for its answer.
pub(crate) struct Queued {
    pub(crate) actor: Actor,
    pub(crate) op: OpId,
    pub(crate) command: Command,
    pub(crate) reply: oneshot::Sender<ServerMessage>,
}

/// Names a kind of view, one of each per board.
pub type ViewKey = &'static str;

pub(crate) enum Request {
    Join {
        connection: ConnectionId,
        actor: Actor,
        after: Option<u64>,
        reply: oneshot::Sender<Result<Joined, AppError>>,
    },
    Command {
        actor: Actor,
        op: OpId,
        command: Command,
        reply: oneshot::Sender<ServerMessage>,
        /// When it joined the queue: one that waited past `SHED_AFTER` is answered busy.
        queued: std::time::Instant,
    },
    Presence {
        connection: ConnectionId,
        dragging: Option<NoteId>,
    },
    Leave {
        connection: ConnectionId,
    },
    /// The whole board as it stands (for an export).
    Snapshot {
        reply: oneshot::Sender<Board>,
    },
    /// An event committed by another node, as its LIVE notification reported it.
    External {
        event: WallEvent,
    },
    /// Destroy the notes under the retention policy (`by`: who, or `None` for the schedule);
    /// the answer says whether this did it (`false`: they were already gone).
    DestroyNotes {
        by: Option<(PersonId, String)>,
        signed_off_at: chrono::DateTime<chrono::Utc>,
        days: i64,
        reply: oneshot::Sender<Result<bool, AppError>>,
    },
    /// Erase an account's authorship: its notes stay, by `app::wall::FORMER_MEMBER`; the
    /// answer is how many.
    EraseAuthor {
        person: PersonId,
        reply: oneshot::Sender<Result<usize, AppError>>,
    },
    /// Follow a view of the board: its frame now and after every change.
    Follow {
        key: ViewKey,
        make: fn() -> Box<dyn BoardView>,
        reply: oneshot::Sender<watch::Receiver<Arc<str>>>,
    },
}

/// What a hub's board tasks share: how many transactions they committed, and (for tests) a
/// switch that ends the next task to commit at once after its commit, before any answer, as a
/// crash of the process would.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    pub(crate) transactions: std::sync::atomic::AtomicU64,
    /// Commands answered busy for having waited past `SHED_AFTER` in a board's queue.
    pub(crate) shed: std::sync::atomic::AtomicU64,
    pub(crate) crash_after_commit: std::sync::atomic::AtomicBool,
}

/// How a hub's board tasks run.
#[derive(Debug, Clone)]
pub(crate) struct Tuning {
    /// A task ends after this long without sockets or requests.
    pub(crate) idle: Duration,
    /// How often a task reads its log's head.
    pub(crate) head_check: Duration,
    /// How many of its latest operation ids a task keeps in memory.
    pub(crate) remembered_ops: usize,
    /// This node, and whether its boards share who is on them with other nodes through the
    /// database (on a database server; an embedded folder has no other node).
    pub(crate) node: uuid::Uuid,
    pub(crate) share_presence: bool,
    pub(crate) shared: Arc<Shared>,
}

/// The refusal for a storage failure in the retention service's requests, logged.
fn storage_failed(error: db::DbError) -> AppError {
    tracing::error!(%error, "destroying notes or erasing an author");
    unavailable()
}

pub(crate) fn unavailable() -> AppError {
    AppError::unavailable(
        "The wall could not be reached just now; your change is kept and will be sent again.",
    )
}

pub(crate) struct BoardTask {
    pub(crate) db: Database,
    pub(crate) review: ReviewId,
    pub(crate) board: Board,
    pub(crate) ops: RecentOps,
    /// The deleted notes the board holds, as they were deleted (oldest first; those loaded at
    /// the start in no particular order): beyond `db::wall::DELETED_KEPT` the oldest are let go
    /// from memory, and read back if someone restores one.
    pub(crate) deleted: VecDeque<NoteId>,
    pub(crate) shared: Arc<Shared>,
    /// Set when a test's crash was asked for: the task ends at once.
    pub(crate) crashed: bool,
    /// Whether the database failed this task's last commit or head check: a command that
    /// waited too long is then answered unavailable, not busy (set in `commands.rs`, too).
    pub(crate) database_away: bool,
    /// The latest events, for reconnecting clients.
    recent: KeptEvents,
    frames: FrameRing,
    presence: Presence,
    node: uuid::Uuid,
    share_presence: bool,
    /// Whether this node's report of who is here is in the database.
    published: bool,
    /// Views of the board that someone follows or followed (the presentation's decks).
    views: HashMap<ViewKey, Followed>,
}

/// A view of the board and its followers (kept up to date only while followed).
struct Followed {
    view: Box<dyn BoardView>,
    frames: watch::Sender<Arc<str>>,
}

impl Followed {
    fn followed(&self) -> bool {
        self.frames.receiver_count() > 0
    }

    /// Works the view out again and sends it when it changed, so that followers already here
    /// get nothing twice.
    fn refresh(&mut self, board: &Board) {
        if let Some(frame) = self.view.refresh(board) {
            self.frames.send_replace(frame);
        }
    }
}

pub(crate) async fn run_board(
    db: Database,
    review: ReviewId,
    mut requests: mpsc::Receiver<Request>,
    tuning: Tuning,
) {
    let Tuning {
        idle,
        head_check,
        remembered_ops,
        node,
        share_presence,
        shared,
    } = tuning;
    let loaded = match tokio::try_join!(
        db::wall::load(&db, review),
        db::wall::latest_ops(&db, review, remembered_ops)
    ) {
        Ok(loaded) => loaded,
        Err(error) => {
            tracing::error!(%review, %error, "the wall could not be loaded");
            requests.close();
            while let Some(request) = requests.recv().await {
                refuse(request, unavailable());
            }
            return;
        }
    };
    let frames = FrameRing::new(FRAMES_KEPT, FRAME_BYTES_KEPT);
    let (board, latest) = loaded;
    let mut ops = RecentOps::new(remembered_ops);
    // Read newest first; remembered oldest first, so the newest are the last to go.
    for (op, seq) in latest.into_iter().rev() {
        ops.insert(op, seq);
    }
    let deleted = (board.notes.values())
        .filter(|note| note.deleted)
        .map(|note| note.id)
        .collect();
    let mut task = BoardTask {
        db,
        review,
        board,
        ops,
        deleted,
        shared,
        crashed: false,
        database_away: false,
        recent: KeptEvents::new(MAX_REPLAY as usize, EVENT_BYTES_KEPT),
        frames,
        presence: Presence::default(),
        node,
        share_presence,
        published: false,
        views: HashMap::new(),
    };
    tracing::debug!(%review, seq = task.board.seq, notes = task.board.notes.len(), "board task started");
    // Every few seconds the task also reads the log's head, so an event from another node whose
    // notification was lost (the last one, with nothing after it to reveal the gap) still arrives.
    let mut check = tokio::time::interval_at(tokio::time::Instant::now() + head_check, head_check);
    check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_request = tokio::time::Instant::now();
    loop {
        tokio::select! {
            request = requests.recv() => match request {
                Some(request) => {
                    last_request = tokio::time::Instant::now();
                    if !task.take(request, &mut requests).await {
                        tracing::warn!(%review, "board task ended after a commit, as asked (a test's crash)");
                        return;
                    }
                }
                None => break,
            },
            _ = check.tick() => {
                if task.presence.nobody_here()
                    && !task.views.values().any(Followed::followed)
                    && last_request.elapsed() >= idle
                {
                    // Idle: stop taking requests, answer what is queued, and end.
                    requests.close();
                    while let Some(request) = requests.recv().await {
                        task.take(request, &mut requests).await;
                    }
                    break;
                }
                // Commands first; and a database that is slow or away delays them by this
                // much at most (a command waits for the task).
                if requests.is_empty() {
                    let background = async {
                        let checked = task.catch_up().await;
                        if let Err(error) = &checked {
                            tracing::warn!(%error, "checking the wall's head");
                        }
                        task.share_presence().await;
                        checked.is_ok()
                    };
                    let checked = tokio::time::timeout(BACKGROUND_WITHIN, background).await;
                    if checked.is_err() {
                        tracing::warn!(%review, "the wall's head check took too long; left for the next");
                    }
                    task.database_away = checked != Ok(true);
                }
            }
        }
    }
    tracing::debug!(%review, "board task ended");
}

fn refuse(request: Request, error: AppError) {
    match request {
        Request::Join { reply, .. } => {
            let _ = reply.send(Err(error));
        }
        Request::Command { op, reply, .. } => {
            let _ = reply.send(ServerMessage::Rejected {
                op,
                error,
                current: None,
            });
        }
        Request::DestroyNotes { reply, .. } => {
            let _ = reply.send(Err(error));
        }
        Request::EraseAuthor { reply, .. } => {
            let _ = reply.send(Err(error));
        }
        Request::Presence { .. }
        | Request::Leave { .. }
        | Request::External { .. }
        | Request::Snapshot { .. }
        | Request::Follow { .. } => {}
    }
}

impl BoardTask {
    pub(crate) fn count_transaction(&self) {
        (self.shared.transactions).fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// Whether a test asked this task to end now, after its commit.
    pub(crate) fn crash_after_commit(&self) -> bool {
        (self.shared.crash_after_commit).swap(false, std::sync::atomic::Ordering::SeqCst)
    }

    pub(crate) async fn handle(&mut self, request: Request) {
        match request {
            Request::Join {
                connection,
                actor,
                after,
                reply,
            } => {
                let frames = self.frames.subscribe();
                let welcome = self.welcome(&actor, after).await;
                self.presence.join(connection, &actor);
                let _ = reply.send(welcome.map(|welcome| Joined { welcome, frames }));
                self.presence_changed().await;
            }
            Request::Command {
                actor,
                op,
                command,
                reply,
                queued: _,
            } => {
                let queued = Queued {
                    actor,
                    op,
                    command,
                    reply,
                };
                self.commands(vec![queued]).await;
            }
            Request::Presence {
                connection,
                dragging,
            } => {
                if self.presence.drag(connection, dragging) {
                    self.presence_changed().await;
                }
            }
            Request::Leave { connection } => {
                if self.presence.leave(connection) {
                    self.presence_changed().await;
                }
            }
            Request::Follow { key, make, reply } => {
                let followed = self.views.entry(key).or_insert_with(|| Followed {
                    view: make(),
                    frames: watch::Sender::new(Arc::from("")),
                });
                // Brought up to date first: a view is not worked out while nobody follows it.
                followed.refresh(&self.board);
                let _ = reply.send(followed.frames.subscribe());
            }
            Request::Snapshot { reply } => {
                let _ = reply.send(self.board.clone());
            }
            Request::DestroyNotes {
                by,
                signed_off_at,
                days,
                reply,
            } => {
                let _ = reply.send(self.destroy_notes(by, signed_off_at, days).await);
            }
            Request::EraseAuthor { person, reply } => {
                let _ = reply.send(self.erase_author(person).await);
            }
            Request::External { event } => {
                let head = self.board.seq;
                if event.seq == head + 1 {
                    self.applied(event);
                } else if event.seq > head + 1 {
                    // Notifications can arrive out of order or be lost: read the gap.
                    if let Err(error) = self.catch_up().await {
                        tracing::error!(%error, "reading a gap in the wall's log");
                    }
                }
            }
        }
    }

    async fn welcome(&self, actor: &Actor, after: Option<u64>) -> Result<ServerMessage, AppError> {
        let head = self.board.seq;
        let (board, events) = match after {
            Some(after) if after <= head && head - after <= MAX_REPLAY => {
                let events = if after == head {
                    Vec::new()
                } else if self.recent.has_after(after) {
                    self.recent.after(after)
                } else {
                    db::wall::events_after(&self.db, self.review, after, MAX_REPLAY)
                        .await
                        .map_err(|error| {
                            tracing::error!(%error, "reading wall events");
                            unavailable()
                        })?
                };
                (None, events)
            }
            _ => (Some(self.board.clone()), Vec::new()),
        };
        // Until the votes are revealed each person gets only their own.
        let hidden = !self.board.settings.votes_revealed;
        let (board, events, votes_cast) = if hidden {
            (
                board.map(|board| board.into_seen_by(actor.person)),
                events
                    .iter()
                    .map(|event| event.with_votes_of(Some(actor.person)))
                    .collect(),
                Some(self.board.votes_cast()),
            )
        } else {
            (board, events, None)
        };
        Ok(ServerMessage::Welcome {
            protocol: PROTOCOL_VERSION,
            board,
            events,
            name: actor.name.clone(),
            pair: actor.pair,
            person: Some(actor.person),
            votes_cast,
        })
    }

    /// Destroys the notes with the wall's next event, each message's strength frozen first.
    async fn destroy_notes(
        &mut self,
        by: Option<(PersonId, String)>,
        signed_off_at: chrono::DateTime<chrono::Utc>,
        days: i64,
    ) -> Result<bool, AppError> {
        for _ in 0..12 {
            if self.board.notes_destroyed.is_some() {
                return Ok(false);
            }
            let plan = db::retention::plan(&self.db, self.review)
                .await
                .map_err(storage_failed)?;
            let strengths = (self.board.messages.iter())
                .map(|(id, message)| (*id, Strength::of(&self.board, message)))
                .collect();
            let change = Change::NotesDestroyed {
                on: chrono::Utc::now().format("%-d %B %Y").to_string(),
                strengths,
            };
            let Change::NotesDestroyed { strengths, .. } = &change else {
                return Err(unavailable());
            };
            let (seq, op) = (self.board.seq + 1, OpId(uuid::Uuid::new_v4()));
            let destruction = db::retention::Destruction {
                review: self.review,
                seq,
                op,
                by: by.clone(),
                signed_off_at,
                days,
                strengths,
                change: &change,
                plan: &plan,
            };
            match db::retention::destroy(&self.db, destruction)
                .await
                .map_err(storage_failed)?
            {
                db::retention::Destroyed::Done => {
                    self.applied(WallEvent { seq, op, change });
                    return Ok(true);
                }
                db::retention::Destroyed::Already | db::retention::Destroyed::SeqTaken => {
                    self.catch_up().await.map_err(storage_failed)?;
                }
            }
        }
        Err(unavailable())
    }

    /// Rewrites `person`'s notes as a former member's with the wall's next event.
    async fn erase_author(&mut self, person: PersonId) -> Result<usize, AppError> {
        for _ in 0..12 {
            let (notes, rewritten) = db::retention::erasure_plan(&self.db, self.review, person)
                .await
                .map_err(storage_failed)?;
            if notes.is_empty() {
                return Ok(0);
            }
            let count = notes.len();
            let change = Change::AuthorErased { notes };
            let (seq, op) = (self.board.seq + 1, OpId(uuid::Uuid::new_v4()));
            let written = db::retention::erase_author(
                &self.db,
                self.review,
                (seq, op),
                person,
                &change,
                &rewritten,
            )
            .await
            .map_err(storage_failed)?;
            if written == db::retention::Destroyed::Done {
                self.applied(WallEvent { seq, op, change });
                return Ok(count);
            }
            self.catch_up().await.map_err(storage_failed)?;
        }
        Err(unavailable())
    }

    /// Applies events committed elsewhere (another node) after our head.
    pub(crate) async fn catch_up(&mut self) -> Result<(), db::DbError> {
        loop {
            let events =
                db::wall::events_after(&self.db, self.review, self.board.seq, MAX_REPLAY).await?;
            let full = events.len() as u64 == MAX_REPLAY;
            for event in events {
                if event.seq == self.board.seq + 1 {
                    self.applied(event);
                }
            }
            if !full {
                return Ok(());
            }
        }
    }

    /// Takes a committed event into the board and sends it to every socket.
    pub(crate) fn applied(&mut self, event: WallEvent) {
        self.applied_one(event, true);
    }

    /// Takes a committed event into the board and sends it to every socket; the followed views
    /// are worked out again when `last` (once for a batch).
    pub(crate) fn applied_one(&mut self, event: WallEvent, last: bool) {
        self.board.apply(&event.change);
        match &event.change {
            Change::Note { note } if note.deleted => self.deleted.push_back(note.id),
            Change::NotesDestroyed { .. } => self.deleted.clear(),
            _ => {}
        }
        while self.deleted.len() > db::wall::DELETED_KEPT {
            if let Some(oldest) = self.deleted.pop_front()
                && self
                    .board
                    .notes
                    .get(&oldest)
                    .is_some_and(|note| note.deleted)
            {
                self.board.notes.remove(&oldest);
            }
        }
        self.board.seq = event.seq;
        self.ops.insert(event.op, event.seq);
        let hidden =
            !self.board.settings.votes_revealed && matches!(event.change, Change::Message { .. });
        let sent = if hidden {
            let votes_cast = self.board.votes_cast();
            Arc::new(Frame {
                text: frame(&ServerMessage::Event {
                    event: event.with_votes_of(None),
                    votes_cast: Some(votes_cast),
                }),
                hidden_votes: Some(HiddenVotes {
                    event: event.clone(),
                    votes_cast,
                }),
            })
        } else {
            Frame::shared(frame(&ServerMessage::Event {
                event: event.clone(),
                votes_cast: None,
            }))
        };
        let bytes = sent.text.len();
        self.frames.send(sent);
        // The copies of the log this task keeps for reconnecting sockets follow too.
        for kept in self.recent.iter_mut() {
            let rewritten = match &event.change {
                Change::NotesDestroyed { .. } => kept.change.redacted(),
                Change::AuthorErased { notes } => kept.change.with_author_erased(notes),
                _ => break,
            };
            if let Some(rewritten) = rewritten {
                kept.change = rewritten;
            }
        }
        self.recent.push(event, bytes);
        if last {
            for followed in self.views.values_mut() {
                if followed.followed() {
                    followed.refresh(&self.board);
                }
            }
        }
    }

    /// This node's sockets changed: tell the other nodes, then everyone here.
    async fn presence_changed(&mut self) {
        self.publish_presence().await;
        self.broadcast_presence();
    }

    /// Writes who is here for the other nodes (the row goes once nobody is).
    async fn publish_presence(&mut self) {
        if !self.share_presence {
            return;
        }
        let here = self.presence.here();
        if here.is_empty() && !self.published {
            return;
        }
        match db::presence::publish(&self.db, self.review, self.node, &here).await {
            Ok(()) => self.published = !here.is_empty(),
            Err(error) => tracing::warn!(%error, "telling other nodes who is on the wall"),
        }
    }

    /// At each head check, while anyone is here: renew this node's report and read the
    /// others', sending the presence again when theirs changed.
    async fn share_presence(&mut self) {
        if !self.share_presence || self.presence.nobody_here() {
            return;
        }
        self.publish_presence().await;
        match db::presence::elsewhere(&self.db, self.review, self.node).await {
            Ok(people) => {
                if self.presence.set_elsewhere(people) {
                    self.broadcast_presence();
                }
            }
            Err(error) => tracing::warn!(%error, "reading who is on the wall on other nodes"),
        }
    }

    fn broadcast_presence(&self) {
        let people = self.presence.everyone();
        (self.frames).send(Frame::shared(frame(&ServerMessage::Presence { people })));
    }
}
