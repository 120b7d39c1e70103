//! The browser's side of the wall: the board as the server confirmed it, the operations not yet
//! confirmed (kept in browser storage, so a note written offline or before a reload is never
//! lost), and the websocket that reconnects with backoff and resumes from its sequence number.

use leptos::prelude::*;

use crate::accounts::PersonId;
use crate::error::{AppError, ErrorCode};
use crate::membership::Role;
use crate::review::ReviewId;
use crate::wall::protocol::{ClientMessage, Command, OpId, PresencePerson, ServerMessage};
use crate::wall::rules::{Actor, decide};
use crate::wall::{Board, Note, NoteId};

/// An operation the server has not confirmed yet.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Pending {
    pub op: OpId,
    pub command: Command,
    /// The sequence number of its event, once acknowledged; it is dropped when the board reaches it.
    #[serde(default)]
    pub acked: Option<u64>,
}

/// The connection, as the status line shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Connecting,
    Live,
    /// Lost; trying again in about this many seconds.
    Offline(u32),
    /// The server will not have us (removed from the review, page out of date).
    Closed(String),
}

/// Two people rewrote the same note: ours was refused; both versions are kept to choose from.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    pub note: NoteId,
    pub mine: String,
    pub theirs: Note,
}

/// Something to tell the person: an error, or a delete they may undo.
#[derive(Debug, Clone, PartialEq)]
pub enum Notice {
    Error(String),
    Deleted(NoteId),
}

/// Everything the wall's components share, provided as context.
#[derive(Clone, Copy)]
pub struct WallState {
    pub review: ReviewId,
    pub role: Role,
    pub confirmed: RwSignal<Board>,
    pub pending: RwSignal<Vec<Pending>>,
    /// Whether the first welcome has arrived (before it, the board is unknown, not empty).
    pub loaded: RwSignal<bool>,
    pub me: RwSignal<Option<(String, Option<i64>)>>,
    /// The caller's id, as the server said (their own votes are theirs).
    pub me_id: RwSignal<Option<PersonId>>,
    pub status: RwSignal<Status>,
    pub presence: RwSignal<Vec<PresencePerson>>,
    pub notice: RwSignal<Option<Notice>>,
    pub conflicts: RwSignal<Vec<Conflict>>,
    /// The board as shown: the confirmed board with every pending operation applied on top.
    pub shown: Memo<Board>,
    connection: StoredValue<Option<crate::browser::PageSocket>, crate::browser::SocketStorage>,
    attempts: StoredValue<u32>,
    /// Refusals in a row that asked to send again later (the wall busy, the database away):
    /// each waits longer before its resend, so a busy server is not flooded.
    refusals: StoredValue<u32>,
    /// Ask for the whole board at the next connection (after the votes were revealed).
    snapshot_next: StoredValue<bool>,
}

/// How long to wait before sending again an operation refused for now (busy, unavailable),
/// after `refusals` such refusals in a row: 250 ms doubling to 8 s, each spread over up to
/// half as long again (`spread` in 0..1), so many browsers told at once do not return at once.
pub fn resend_after_ms(refusals: u32, spread: f64) -> u64 {
    let base = (250u64 << refusals.min(5)).min(8_000);
    base + (base as f64 * 0.5 * spread.clamp(0.0, 1.0)) as u64
}

fn storage_key(review: ReviewId) -> String {
    format!("peerwall.wall.{review}.pending")
}

impl WallState {
    pub fn new(review: ReviewId, role: Role) -> Self {
        let confirmed = RwSignal::new(Board::default());
        // Restored from browser storage once the page is live (not while hydrating: the
        // server-rendered page had no queue, and hydration keeps what the server rendered).
        let pending = RwSignal::new(Vec::<Pending>::new());
        let me = RwSignal::new(None::<(String, Option<i64>)>);
        let me_id = RwSignal::new(None::<PersonId>);
        let shown = Memo::new(move |_| {
            let mut board = confirmed.get();
            let (name, pair) = me.get().unwrap_or_default();
            let actor = Actor {
                person: me_id.get().unwrap_or(PersonId(uuid::Uuid::nil())),
                name,
                pair,
                role,
            };
            for operation in pending.get() {
                if let Ok(change) = decide(&board, &actor, &operation.command) {
                    board.apply(&change);
                }
            }
            board
        });
        let state = Self {
            review,
            role,
            confirmed,
            pending,
            loaded: RwSignal::new(false),
            me,
            me_id,
            status: RwSignal::new(Status::Connecting),
            presence: RwSignal::new(Vec::new()),
            notice: RwSignal::new(None),
            conflicts: RwSignal::new(Vec::new()),
            shown,
            connection: StoredValue::new_with_storage(None),
            attempts: StoredValue::new(0),
            refusals: StoredValue::new(0),
            snapshot_next: StoredValue::new(false),
        };
        let restored = StoredValue::new(false);
        Effect::new(move |_| {
            if !restored.get_value() {
                restored.set_value(true);
                let stored = load_pending(review);
                if !stored.is_empty() {
                    pending.update(|pending| {
                        for operation in stored {
                            if !pending.iter().any(|p| p.op == operation.op) {
                                pending.push(operation);
                            }
                        }
                    });
                }
            }
        });
        // Every change to the queue is written to browser storage at once.
        Effect::new(move |_| {
            let list = pending.get();
            if restored.get_value() {
                save_pending(review, &list);
            }
        });
        state
    }

    /// Whether this person may change the wall now: on the peer team, and the wall not locked
    /// (or they lead it).
    pub fn can_write(&self) -> bool {
        use crate::membership::{Action, allows};
        allows(self.role, Action::WriteNotes)
            && self
                .shown
                .with(|board| crate::wall::rules::lock_allows(board, self.role))
    }

    /// Applies a change at once and queues it for the server.
    pub fn submit(&self, command: Command) {
        let operation = Pending {
            op: OpId(uuid::Uuid::new_v4()),
            command,
            acked: None,
        };
        let message = ClientMessage::Command {
            op: operation.op,
            command: operation.command.clone(),
        };
        self.pending.update(|pending| pending.push(operation));
        self.send(&message);
    }

    /// Tells the others what this window is dragging.
    pub fn dragging(&self, note: Option<NoteId>) {
        self.send(&ClientMessage::Presence { dragging: note });
    }

    fn send(&self, message: &ClientMessage) {
        if let Ok(text) = serde_json::to_string(message) {
            self.connection.with_value(|connection| {
                if let Some(connection) = connection {
                    connection.send(&text);
                }
            });
        }
    }

    /// Opens the socket (in the browser; nothing on the server).
    pub fn connect(&self) {
        #[cfg(feature = "hydrate")]
        self.open_socket();
    }

    /// Takes in one frame from the server.
    pub fn receive(&self, message: ServerMessage) {
        match message {
            ServerMessage::Welcome {
                board,
                events,
                name,
                pair,
                person,
                votes_cast,
                ..
            } => {
                self.me.set(Some((name, pair)));
                self.me_id.set(person);
                let snapshot = board.is_some();
                if let Some(board) = board {
                    self.confirmed.set(board);
                }
                if snapshot {
                    self.snapshot_next.set_value(false);
                }
                for event in events {
                    self.apply_event(event);
                }
                self.confirmed.update(|board| board.votes_cast = votes_cast);
                self.loaded.set(true);
                self.status.set(Status::Live);
                self.attempts.set_value(0);
                self.resend_all();
            }
            ServerMessage::Event { event, votes_cast } => {
                let expected = self.confirmed.with_untracked(|board| board.seq + 1);
                if event.seq > expected {
                    // A gap: start again from what we have.
                    self.reconnect_now();
                } else if event.seq == expected {
                    self.apply_event(event);
                    if votes_cast.is_some() {
                        self.confirmed.update(|board| board.votes_cast = votes_cast);
                    }
                }
            }
            ServerMessage::Ack { op, seq } => {
                self.refusals.set_value(0);
                let reached = self.confirmed.with_untracked(|board| board.seq >= seq);
                self.pending.update(|pending| {
                    if reached {
                        pending.retain(|operation| operation.op != op);
                    } else if let Some(operation) = pending.iter_mut().find(|o| o.op == op) {
                        operation.acked = Some(seq);
                    }
                });
            }
            ServerMessage::Rejected { op, error, current } => self.rejected(op, error, current),
            ServerMessage::Presence { people } => self.presence.set(people),
            ServerMessage::Error { error } => self.notice.set(Some(Notice::Error(error.message))),
        }
    }

    fn apply_event(&self, event: crate::wall::protocol::WallEvent) {
        // Votes revealed: until now this browser had only its own person's votes, so it fetches
        // the whole board again, with everyone's.
        let revealed = matches!(&event.change, crate::wall::Change::Settings { settings }
            if settings.votes_revealed)
            && self
                .confirmed
                .with_untracked(|board| !board.settings.votes_revealed);
        if revealed {
            self.snapshot_next.set_value(true);
            let state = *self;
            set_timeout(move || state.reconnect_now(), std::time::Duration::ZERO);
        }
        self.confirmed.update(|board| {
            board.apply(&event.change);
            board.seq = event.seq;
        });
        let seq = event.seq;
        self.pending.update(|pending| {
            pending.retain(|operation| {
                operation.op != event.op && operation.acked.is_none_or(|acked| acked > seq)
            });
        });
    }

    fn rejected(&self, op: OpId, error: AppError, current: Option<Note>) {
        if matches!(error.code, ErrorCode::RateLimited | ErrorCode::Unavailable) {
            // Kept; sent again after a pause that grows while the refusals go on.
            let refusals = self.refusals.get_value();
            self.refusals.set_value(refusals.saturating_add(1));
            let spread = (uuid::Uuid::new_v4().as_u128() % 1_000) as f64 / 1_000.0;
            let state = *self;
            set_timeout(
                move || state.resend(op),
                std::time::Duration::from_millis(resend_after_ms(refusals, spread)),
            );
            return;
        }
        let refused = self.pending.with_untracked(|pending| {
            pending
                .iter()
                .find(|operation| operation.op == op)
                .map(|operation| operation.command.clone())
        });
        self.pending
            .update(|pending| pending.retain(|operation| operation.op != op));
        match (error.code, current, refused) {
            (ErrorCode::Conflict, Some(theirs), Some(Command::EditNote { note, edit, .. })) => {
                let mine = edit.text.unwrap_or_default();
                self.conflicts.update(|conflicts| {
                    conflicts.retain(|c| c.note != note);
                    conflicts.push(Conflict { note, mine, theirs });
                });
            }
            _ => self.notice.set(Some(Notice::Error(error.message))),
        }
    }

    fn resend(&self, op: OpId) {
        let message = self.pending.with_untracked(|pending| {
            pending
                .iter()
                .find(|operation| operation.op == op && operation.acked.is_none())
                .map(|operation| ClientMessage::Command {
                    op,
                    command: operation.command.clone(),
                })
        });
        if let Some(message) = message {
            self.send(&message);
        }
    }

    fn resend_all(&self) {
        let messages: Vec<ClientMessage> = self.pending.with_untracked(|pending| {
            pending
                .iter()
                .filter(|operation| operation.acked.is_none())
                .map(|operation| ClientMessage::Command {
                    op: operation.op,
                    command: operation.command.clone(),
                })
                .collect()
        });
        for message in messages {
            self.send(&message);
        }
    }

    fn reconnect_now(&self) {
        self.connection.set_value(None);
        self.connect();
    }

    /// After a drop: try again after 0.5, 1, 2, 4 … seconds (at most 15), with some jitter.
    #[cfg(feature = "hydrate")]
    fn schedule_reconnect(&self) {
        let attempt = self.attempts.get_value();
        self.attempts.set_value(attempt + 1);
        let base = crate::browser::backoff_ms(attempt, 15_000);
        let jitter = (uuid::Uuid::new_v4().as_u128() % (base as u128 * 3 / 10 + 1)) as u64;
        let delay = base + jitter;
        self.status
            .set(Status::Offline(delay.div_ceil(1000) as u32));
        let state = *self;
        set_timeout(
            move || state.connect(),
            std::time::Duration::from_millis(delay),
        );
    }

    #[cfg(feature = "hydrate")]
    fn open_socket(&self) {
        if matches!(self.status.get_untracked(), Status::Closed(_)) {
            return;
        }
        // A socket that is open or opening is kept (a backoff timer may fire after a manual
        // reconnect).
        let busy = self.connection.with_value(|connection| {
            connection
                .as_ref()
                .is_some_and(super::super::browser::PageSocket::is_busy)
        });
        if busy {
            return;
        }
        let state = *self;
        let after = (self.loaded.get_untracked() && !self.snapshot_next.get_value())
            .then(|| self.confirmed.with_untracked(|board| board.seq));
        let hello = serde_json::to_string(&ClientMessage::Hello {
            protocol: crate::wall::protocol::PROTOCOL_VERSION,
            after,
        })
        .unwrap_or_default();
        let opened = move || {
            state.connection.with_value(|connection| {
                if let Some(connection) = connection {
                    connection.send(&hello);
                }
            });
        };
        let received = move |text: String| match serde_json::from_str::<ServerMessage>(&text) {
            Ok(message) => state.receive(message),
            Err(_) => state
                .notice
                .set(Some(Notice::Error(crate::browser::NOT_UNDERSTOOD.into()))),
        };
        let closed = move |code: u16| match code {
            // Access ended (signed out, session over, role changed, removed; the server's
            // error frame said which), or this page speaks an old protocol.
            1008 => state.status.set(Status::Closed(
                "The wall is no longer open to you here (signed out, your role changed, or you \
                 left the review). Reload the page to continue."
                    .into(),
            )),
            1002 => state.status.set(Status::Closed(
                "This page is out of date: reload it.".into(),
            )),
            _ => state.schedule_reconnect(),
        };
        let path = format!("/ws/reviews/{}/wall", self.review);
        match crate::browser::PageSocket::open(&path, opened, received, closed) {
            Some(socket) => {
                self.status.set(Status::Connecting);
                self.connection.set_value(Some(socket));
            }
            None => self.schedule_reconnect(),
        }
    }

    /// The browser says the network is gone: drop the socket; changes queue until it is back.
    pub fn went_offline(&self) {
        if matches!(self.status.get_untracked(), Status::Closed(_)) {
            return;
        }
        self.connection.set_value(None);
        #[cfg(feature = "hydrate")]
        self.schedule_reconnect();
    }

    /// The network is back: connect now rather than at the next backoff step.
    pub fn came_online(&self) {
        if matches!(
            self.status.get_untracked(),
            Status::Closed(_) | Status::Live
        ) {
            return;
        }
        self.attempts.set_value(0);
        self.reconnect_now();
    }

    /// Closes the socket for good (the page is going away).
    pub fn disconnect(&self) {
        self.status.set(Status::Closed(String::new()));
        self.connection.set_value(None);
    }
}

/// The note a command is about, if it is about one.
pub fn command_note(command: &Command) -> Option<NoteId> {
    match command {
        Command::CreateNote { note, .. }
        | Command::EditNote { note, .. }
        | Command::MoveNote { note, .. }
        | Command::DeleteNote { note }
        | Command::RestoreNote { note } => Some(*note),
        _ => None,
    }
}

fn load_pending(review: ReviewId) -> Vec<Pending> {
    // Acknowledgements are not trusted across a reload: resend, the server dedupes.
    crate::browser::load_list::<Pending>(&storage_key(review))
        .into_iter()
        .map(|operation| Pending {
            acked: None,
            ..operation
        })
        .collect()
}

fn save_pending(review: ReviewId, pending: &[Pending]) {
    crate::browser::save_list(&storage_key(review), pending);
}

#[cfg(test)]
mod tests {
    use super::resend_after_ms;

    #[test]
    fn a_refused_operation_waits_longer_each_time_and_browsers_spread_out() {
        let waits: Vec<u64> = (0..8).map(|n| resend_after_ms(n, 0.0)).collect();
        assert_eq!(waits, [250, 500, 1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
        // Two browsers refused at once come back at different moments, within half again.
        assert_eq!(resend_after_ms(0, 1.0), 375);
        assert_eq!(resend_after_ms(5, 0.5), 10_000);
        assert_eq!(resend_after_ms(2, 7.0), 1_500, "the spread is clamped");
    }
}
