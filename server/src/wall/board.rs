//! The board service: one task per review's wall on this node serialises its writes. Each
//! accepted command is committed to SurrealDB (the rows it changes and an append-only event with
//! the board's next sequence number) before it is acknowledged and fanned out to the sockets.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use app::error::{AppError, ErrorCode};
use app::people::{Action, PersonId, Role, allows};
use app::review::ReviewId;
use app::wall::protocol::{
    Command, MAX_HEADINGS_PER_BOARD, MAX_NOTES_PER_BOARD, MAX_REPLAY, OpId, PROTOCOL_VERSION,
    PresencePerson, ServerMessage, WallEvent,
};
use app::wall::{Board, Change, Heading, Note, NoteId};
use tokio::sync::{broadcast, mpsc, oneshot};

use crate::db::{self, Database};

/// Who is sending a command, as the socket resolved them.
#[derive(Debug, Clone)]
pub struct Actor {
    pub person: PersonId,
    pub name: String,
    pub pair: Option<i64>,
    pub role: Role,
}

/// Why a command was refused; a text conflict carries the note as it is now.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejection {
    pub error: AppError,
    pub current: Option<Box<Note>>,
}

impl From<AppError> for Rejection {
    fn from(error: AppError) -> Self {
        Self {
            error,
            current: None,
        }
    }
}

fn not_found(what: &str) -> Rejection {
    AppError::new(
        ErrorCode::NotFound,
        format!("That {what} is not on the wall any more. The wall has been brought up to date."),
    )
    .into()
}

fn live_note<'a>(board: &'a Board, id: &NoteId) -> Result<&'a Note, Rejection> {
    match board.notes.get(id) {
        Some(note) if !note.deleted => Ok(note),
        _ => Err(not_found("note")),
    }
}

fn check_heading(board: &Board, heading: Option<&app::wall::HeadingId>) -> Result<(), Rejection> {
    match heading {
        None => Ok(()),
        Some(id) if board.live_headings().any(|h| h.id == *id) => Ok(()),
        Some(_) => Err(not_found("heading")),
    }
}

fn tidy_tags(tags: &[String]) -> Vec<String> {
    let mut tidy: Vec<String> = Vec::new();
    for tag in tags.iter().map(|tag| tag.trim().to_string()) {
        if !tag.is_empty() && !tidy.contains(&tag) {
            tidy.push(tag);
        }
    }
    tidy
}

/// What `command` does to `board` when `actor` sends it: the change to commit, or why not.
/// Pure, so the rules are tested without a database or a socket.
pub fn decide(board: &Board, actor: &Actor, command: &Command) -> Result<Change, Rejection> {
    let action = if command.is_heading_command() {
        Action::ManageHeadings
    } else {
        Action::WriteNotes
    };
    if !allows(actor.role, action) {
        return Err(AppError::new(
            ErrorCode::Forbidden,
            format!(
                "As {} on this review you cannot do this.",
                actor.role.label().to_lowercase()
            ),
        )
        .into());
    }
    command.check()?;
    match command {
        Command::CreateNote {
            note,
            heading,
            before,
            fields,
        } => {
            if board.notes.contains_key(note) {
                return Err(AppError::new(ErrorCode::Invalid, "That note already exists.").into());
            }
            if board.notes.len() >= MAX_NOTES_PER_BOARD {
                return Err(AppError::new(
                    ErrorCode::Invalid,
                    format!("A wall holds {MAX_NOTES_PER_BOARD} notes at most."),
                )
                .into());
            }
            check_heading(board, heading.as_ref())?;
            Ok(Change::Note {
                note: Note {
                    id: *note,
                    heading: heading.clone(),
                    order: board.order_for(heading.as_ref(), *before, None),
                    text: fields.text.trim().to_string(),
                    kind: fields.kind,
                    source: fields.source.trim().to_string(),
                    stakeholder: fields.stakeholder.trim().to_string(),
                    pair: actor.pair,
                    author: actor.name.clone(),
                    tags: tidy_tags(&fields.tags),
                    version: 1,
                    deleted: false,
                },
            })
        }
        Command::EditNote {
            note,
            base_version,
            edit,
        } => {
            let current = live_note(board, note)?;
            let mut next = current.clone();
            if let Some(text) = &edit.text {
                let text = text.trim().to_string();
                if text != current.text && *base_version != current.version {
                    return Err(Rejection {
                        error: AppError::new(
                            ErrorCode::Conflict,
                            "Someone else changed this note's text while you were editing it. \
                             Both versions are shown: keep one, or combine them.",
                        ),
                        current: Some(Box::new(current.clone())),
                    });
                }
                next.text = text;
            }
            if let Some(kind) = edit.kind {
                next.kind = kind;
            }
            if let Some(source) = &edit.source {
                next.source = source.trim().to_string();
            }
            if let Some(stakeholder) = &edit.stakeholder {
                next.stakeholder = stakeholder.trim().to_string();
            }
            if let Some(tags) = &edit.tags {
                next.tags = tidy_tags(tags);
            }
            next.version = current.version + 1;
            Ok(Change::Note { note: next })
        }
        Command::MoveNote {
            note,
            heading,
            before,
        } => {
            let current = live_note(board, note)?;
            check_heading(board, heading.as_ref())?;
            let mut next = current.clone();
            next.order = board.order_for(heading.as_ref(), *before, Some(*note));
            next.heading = heading.clone();
            Ok(Change::Note { note: next })
        }
        Command::DeleteNote { note } => {
            let mut next = live_note(board, note)?.clone();
            next.deleted = true;
            Ok(Change::Note { note: next })
        }
        Command::RestoreNote { note } => {
            let current = board.notes.get(note).ok_or_else(|| not_found("note"))?;
            let mut next = current.clone();
            next.deleted = false;
            // Its heading may have been archived meanwhile: it comes back to Unsorted.
            if check_heading(board, current.heading.as_ref()).is_err() {
                next.heading = None;
                next.order = board.order_for(None, None, Some(*note));
            }
            Ok(Change::Note { note: next })
        }
        Command::AddHeading { heading, title } => {
            if board.headings.iter().any(|h| h.id == *heading) {
                return Err(
                    AppError::new(ErrorCode::Invalid, "That heading already exists.").into(),
                );
            }
            if board.headings.len() >= MAX_HEADINGS_PER_BOARD {
                return Err(AppError::new(
                    ErrorCode::Invalid,
                    format!("A wall has {MAX_HEADINGS_PER_BOARD} headings at most."),
                )
                .into());
            }
            let position = board
                .headings
                .iter()
                .map(|h| h.position + 1)
                .max()
                .unwrap_or(0);
            Ok(Change::Heading {
                heading: Heading {
                    id: heading.clone(),
                    title: title.trim().to_string(),
                    position,
                    archived: false,
                },
            })
        }
        Command::RenameHeading { heading, title } => {
            let current = board
                .live_headings()
                .find(|h| h.id == *heading)
                .ok_or_else(|| not_found("heading"))?;
            Ok(Change::Heading {
                heading: Heading {
                    title: title.trim().to_string(),
                    ..current.clone()
                },
            })
        }
        Command::MoveHeading { heading, index } => {
            let mut order: Vec<_> = board.live_headings().map(|h| h.id.clone()).collect();
            let from = order
                .iter()
                .position(|id| id == heading)
                .ok_or_else(|| not_found("heading"))?;
            let id = order.remove(from);
            order.insert((*index).min(order.len()), id);
            Ok(Change::HeadingsOrdered { order })
        }
        Command::ArchiveHeading { heading } => {
            check_heading(board, Some(heading))?;
            // Every note under it, deleted ones too (so an undo still finds a home), goes to the
            // end of Unsorted in its current order.
            let mut notes: Vec<&Note> = board
                .notes
                .values()
                .filter(|note| note.heading.as_ref() == Some(heading))
                .collect();
            notes.sort_by(|a, b| a.order.cmp(&b.order).then(a.id.cmp(&b.id)));
            let mut last = board.notes_in(None).last().map(|note| note.order.clone());
            let moved = notes
                .into_iter()
                .map(|note| {
                    let order = app::wall::order::key_between(last.as_deref(), None);
                    last = Some(order.clone());
                    Note {
                        heading: None,
                        order,
                        ..note.clone()
                    }
                })
                .collect();
            Ok(Change::HeadingArchived {
                heading: heading.clone(),
                moved,
            })
        }
    }
}

/// Identifies one socket on this node.
pub type ConnectionId = u64;

/// What a socket joining a board gets: the welcome frame and the board's stream of frames.
pub struct Joined {
    pub welcome: ServerMessage,
    pub frames: broadcast::Receiver<Arc<str>>,
}

enum Request {
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
    },
    Presence {
        connection: ConnectionId,
        dragging: Option<NoteId>,
    },
    Leave {
        connection: ConnectionId,
    },
}

/// Every board task on this node, started on first use and ended when idle.
#[derive(Clone)]
pub struct WallHub {
    db: Database,
    boards: Arc<Mutex<HashMap<ReviewId, mpsc::Sender<Request>>>>,
    next_connection: Arc<std::sync::atomic::AtomicU64>,
    idle: Duration,
}

fn unavailable() -> AppError {
    AppError::unavailable(
        "The wall could not be reached just now; your change is kept and will be sent again.",
    )
}

impl WallHub {
    pub fn new(db: Database) -> Self {
        Self::with_idle(db, Duration::from_secs(120))
    }

    /// A hub whose board tasks end after `idle` without sockets or requests.
    pub fn with_idle(db: Database, idle: Duration) -> Self {
        Self {
            db,
            boards: Arc::default(),
            next_connection: Arc::default(),
            idle,
        }
    }

    /// A fresh id for a socket.
    pub fn connection_id(&self) -> ConnectionId {
        self.next_connection
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    }

    /// How many board tasks are running on this node.
    pub fn running_boards(&self) -> usize {
        self.boards
            .lock()
            .map(|boards| boards.values().filter(|tx| !tx.is_closed()).count())
            .unwrap_or(0)
    }

    async fn send(&self, review: ReviewId, request: Request) -> Result<(), AppError> {
        let mut request = request;
        // Twice: a task that just ended on idle is replaced once.
        for _ in 0..2 {
            let sender = {
                let mut boards = self.boards.lock().map_err(|_| unavailable())?;
                match boards.get(&review) {
                    Some(sender) if !sender.is_closed() => sender.clone(),
                    _ => {
                        let (sender, receiver) = mpsc::channel(256);
                        tokio::spawn(run_board(self.db.clone(), review, receiver, self.idle));
                        boards.insert(review, sender.clone());
                        sender
                    }
                }
            };
            match sender.send(request).await {
                Ok(()) => return Ok(()),
                Err(mpsc::error::SendError(returned)) => request = returned,
            }
        }
        Err(unavailable())
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

    /// Applies a command; the answer is `Ack` or `Rejected`.
    pub async fn command(
        &self,
        review: ReviewId,
        actor: Actor,
        op: OpId,
        command: Command,
    ) -> ServerMessage {
        let (reply, answer) = oneshot::channel();
        let sent = self
            .send(
                review,
                Request::Command {
                    actor,
                    op,
                    command,
                    reply,
                },
            )
            .await;
        let rejected = |error| ServerMessage::Rejected {
            op,
            error,
            current: None,
        };
        match sent {
            Ok(()) => answer.await.unwrap_or_else(|_| rejected(unavailable())),
            Err(error) => rejected(error),
        }
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

/// Someone's open socket on the board.
struct Present {
    actor: Actor,
    dragging: Option<NoteId>,
}

struct BoardTask {
    db: Database,
    review: ReviewId,
    board: Board,
    ops: HashMap<OpId, u64>,
    /// The latest events, for reconnecting clients.
    recent: VecDeque<WallEvent>,
    frames: broadcast::Sender<Arc<str>>,
    present: HashMap<ConnectionId, Present>,
}

fn frame(message: &ServerMessage) -> Arc<str> {
    serde_json::to_string(message)
        .unwrap_or_else(|error| {
            tracing::error!(%error, "a wall frame did not encode");
            String::new()
        })
        .into()
}

async fn run_board(
    db: Database,
    review: ReviewId,
    mut requests: mpsc::Receiver<Request>,
    idle: Duration,
) {
    let loaded = match db::wall::load(&db, review).await {
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
    let (frames, _) = broadcast::channel(1024);
    let mut task = BoardTask {
        db,
        review,
        board: loaded.board,
        ops: loaded.ops,
        recent: VecDeque::new(),
        frames,
        present: HashMap::new(),
    };
    tracing::debug!(%review, seq = task.board.seq, notes = task.board.notes.len(), "board task started");
    loop {
        let request = match tokio::time::timeout(idle, requests.recv()).await {
            Ok(Some(request)) => request,
            Ok(None) => break,
            Err(_) if task.present.is_empty() => {
                // Idle: stop taking requests, answer what is queued, and end.
                requests.close();
                while let Some(request) = requests.recv().await {
                    task.handle(request).await;
                }
                break;
            }
            Err(_) => continue,
        };
        task.handle(request).await;
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
        Request::Presence { .. } | Request::Leave { .. } => {}
    }
}

impl BoardTask {
    async fn handle(&mut self, request: Request) {
        match request {
            Request::Join {
                connection,
                actor,
                after,
                reply,
            } => {
                let frames = self.frames.subscribe();
                let welcome = self.welcome(&actor, after).await;
                self.present.insert(
                    connection,
                    Present {
                        actor,
                        dragging: None,
                    },
                );
                let _ = reply.send(welcome.map(|welcome| Joined { welcome, frames }));
                self.broadcast_presence();
            }
            Request::Command {
                actor,
                op,
                command,
                reply,
            } => {
                let answer = self.command(&actor, op, &command).await;
                let _ = reply.send(answer);
            }
            Request::Presence {
                connection,
                dragging,
            } => {
                if let Some(present) = self.present.get_mut(&connection)
                    && present.dragging != dragging
                {
                    present.dragging = dragging;
                    self.broadcast_presence();
                }
            }
            Request::Leave { connection } => {
                if self.present.remove(&connection).is_some() {
                    self.broadcast_presence();
                }
            }
        }
    }

    async fn welcome(&self, actor: &Actor, after: Option<u64>) -> Result<ServerMessage, AppError> {
        let head = self.board.seq;
        let (board, events) = match after {
            Some(after) if after <= head && head - after <= MAX_REPLAY => {
                let in_memory = self
                    .recent
                    .front()
                    .is_some_and(|first| first.seq <= after + 1);
                let events = if after == head {
                    Vec::new()
                } else if in_memory {
                    self.recent
                        .iter()
                        .filter(|event| event.seq > after)
                        .cloned()
                        .collect()
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
        Ok(ServerMessage::Welcome {
            protocol: PROTOCOL_VERSION,
            board,
            events,
            name: actor.name.clone(),
            pair: actor.pair,
        })
    }

    async fn command(&mut self, actor: &Actor, op: OpId, command: &Command) -> ServerMessage {
        // Three tries: another node may take the next sequence number first.
        for _ in 0..3 {
            if let Some(seq) = self.ops.get(&op) {
                return ServerMessage::Ack { op, seq: *seq };
            }
            let change = match decide(&self.board, actor, command) {
                Ok(change) => change,
                Err(rejection) => {
                    return ServerMessage::Rejected {
                        op,
                        error: rejection.error,
                        current: rejection.current.map(|note| *note),
                    };
                }
            };
            let seq = self.board.seq + 1;
            match db::wall::commit(&self.db, self.review, seq, op, actor.person, &change).await {
                Ok(db::wall::Commit::Done) => {
                    self.applied(WallEvent { seq, op, change });
                    return ServerMessage::Ack { op, seq };
                }
                Ok(db::wall::Commit::Duplicate(seq)) => {
                    self.ops.insert(op, seq);
                    return ServerMessage::Ack { op, seq };
                }
                Ok(db::wall::Commit::SeqTaken) => {
                    if let Err(error) = self.catch_up().await {
                        tracing::error!(%error, "catching up with the wall's log");
                        break;
                    }
                }
                Err(error) => {
                    tracing::error!(review = %self.review, %error, "committing a wall change");
                    break;
                }
            }
        }
        ServerMessage::Rejected {
            op,
            error: unavailable(),
            current: None,
        }
    }

    /// Applies events committed elsewhere (another node) after our head.
    async fn catch_up(&mut self) -> Result<(), db::DbError> {
        let events =
            db::wall::events_after(&self.db, self.review, self.board.seq, MAX_REPLAY).await?;
        for event in events {
            if event.seq == self.board.seq + 1 {
                self.applied(event);
            }
        }
        Ok(())
    }

    /// Takes a committed event into the board and sends it to every socket.
    fn applied(&mut self, event: WallEvent) {
        self.board.apply(&event.change);
        self.board.seq = event.seq;
        self.ops.insert(event.op, event.seq);
        let _ = self.frames.send(frame(&ServerMessage::Event {
            event: event.clone(),
        }));
        self.recent.push_back(event);
        while self.recent.len() as u64 > MAX_REPLAY {
            self.recent.pop_front();
        }
    }

    fn broadcast_presence(&self) {
        let mut by_person: HashMap<PersonId, PresencePerson> = HashMap::new();
        for present in self.present.values() {
            let person = by_person
                .entry(present.actor.person)
                .or_insert_with(|| PresencePerson {
                    name: present.actor.name.clone(),
                    pair: present.actor.pair,
                    connections: 0,
                    dragging: None,
                });
            person.connections += 1;
            person.dragging = person.dragging.or(present.dragging);
        }
        let mut people: Vec<PresencePerson> = by_person.into_values().collect();
        people.sort_by(|a, b| a.name.cmp(&b.name));
        let _ = self.frames.send(frame(&ServerMessage::Presence { people }));
    }
}

#[cfg(test)]
mod tests {
    use app::wall::protocol::{NoteEdit, NoteFields};
    use app::wall::{HeadingId, NoteKind};
    use uuid::Uuid;

    use super::*;

    fn actor(role: Role) -> Actor {
        Actor {
            person: PersonId(Uuid::from_u128(1)),
            name: "Helen Marsh".into(),
            pair: Some(1),
            role,
        }
    }

    fn fields(text: &str) -> NoteFields {
        NoteFields {
            text: text.into(),
            kind: NoteKind::Strength,
            source: " Leader interview ".into(),
            stakeholder: "Councillors".into(),
            tags: vec!["housing".into(), " housing ".into(), "".into()],
        }
    }

    fn note_id(n: u128) -> NoteId {
        NoteId(Uuid::from_u128(n))
    }

    /// A board with one heading and the notes given, created through `decide` itself.
    fn board_with(notes: &[(u128, Option<&HeadingId>)]) -> (Board, HeadingId) {
        let heading = HeadingId("governance".into());
        let mut board = Board::default();
        let lead = actor(Role::TeamLead);
        let add = Command::AddHeading {
            heading: heading.clone(),
            title: "Governance and culture".into(),
        };
        board.apply(&decide(&board, &lead, &add).unwrap());
        for (n, under) in notes {
            let create = Command::CreateNote {
                note: note_id(*n),
                heading: under.cloned(),
                before: None,
                fields: fields(&format!("note {n}")),
            };
            board.apply(&decide(&board, &lead, &create).unwrap());
        }
        (board, heading)
    }

    fn code(result: Result<Change, Rejection>) -> ErrorCode {
        result.unwrap_err().error.code
    }

    #[test]
    fn a_new_note_takes_its_authors_pair_and_tidy_fields() {
        let (board, heading) = board_with(&[]);
        let change = decide(
            &board,
            &actor(Role::Peer),
            &Command::CreateNote {
                note: note_id(7),
                heading: Some(heading.clone()),
                before: None,
                fields: fields("  Members describe a clear vision.  "),
            },
        )
        .unwrap();
        let Change::Note { note } = change else {
            panic!("{change:?}")
        };
        assert_eq!(note.text, "Members describe a clear vision.");
        assert_eq!(note.source, "Leader interview");
        assert_eq!(note.tags, ["housing"]);
        assert_eq!((note.pair, note.author.as_str()), (Some(1), "Helen Marsh"));
        assert_eq!((note.version, note.deleted), (1, false));
        assert_eq!(note.heading, Some(heading));
    }

    #[test]
    fn notes_go_where_they_are_put() {
        let (mut board, heading) = board_with(&[(1, None), (2, None), (3, None)]);
        let peer = actor(Role::Peer);
        // Note 3 before note 1, then note 2 under the heading.
        for command in [
            Command::MoveNote {
                note: note_id(3),
                heading: None,
                before: Some(note_id(1)),
            },
            Command::MoveNote {
                note: note_id(2),
                heading: Some(heading.clone()),
                before: None,
            },
        ] {
            board.apply(&decide(&board, &peer, &command).unwrap());
        }
        let unsorted: Vec<NoteId> = board.notes_in(None).iter().map(|n| n.id).collect();
        assert_eq!(unsorted, [note_id(3), note_id(1)]);
        assert_eq!(board.notes_in(Some(&heading)).len(), 1);
    }

    #[test]
    fn concurrent_text_edits_conflict_but_other_fields_do_not() {
        let (mut board, _) = board_with(&[(1, None)]);
        let peer = actor(Role::Peer);
        let edit = |base_version, text: Option<&str>, kind| Command::EditNote {
            note: note_id(1),
            base_version,
            edit: NoteEdit {
                text: text.map(String::from),
                kind,
                ..NoteEdit::default()
            },
        };
        // The first editor wins…
        board.apply(&decide(&board, &peer, &edit(1, Some("First version"), None)).unwrap());
        assert_eq!(board.notes[&note_id(1)].version, 2);
        // …the second, also working from version 1, gets a conflict with the current text.
        let conflict = decide(&board, &peer, &edit(1, Some("Second version"), None)).unwrap_err();
        assert_eq!(conflict.error.code, ErrorCode::Conflict);
        assert_eq!(conflict.current.unwrap().text, "First version");
        // A stale version is fine for the kind (last writer wins per field) and for the same text.
        assert!(decide(&board, &peer, &edit(1, None, Some(NoteKind::Question))).is_ok());
        assert!(decide(&board, &peer, &edit(1, Some("First version"), None)).is_ok());
    }

    #[test]
    fn deleted_notes_can_be_restored_and_archived_headings_keep_their_notes() {
        let (mut board, heading) = board_with(&[(1, None), (2, None)]);
        let lead = actor(Role::TeamLead);
        let (one, two) = (note_id(1), note_id(2));
        for command in [
            Command::MoveNote {
                note: one,
                heading: Some(heading.clone()),
                before: None,
            },
            Command::MoveNote {
                note: two,
                heading: Some(heading.clone()),
                before: None,
            },
            Command::DeleteNote { note: two },
            Command::ArchiveHeading {
                heading: heading.clone(),
            },
        ] {
            board.apply(&decide(&board, &lead, &command).unwrap());
        }
        assert_eq!(board.live_headings().count(), 0);
        assert_eq!(
            board.notes_in(None).len(),
            1,
            "the live note is in Unsorted"
        );
        // The deleted one comes back to Unsorted too, after the other.
        board.apply(&decide(&board, &lead, &Command::RestoreNote { note: two }).unwrap());
        let unsorted: Vec<NoteId> = board.notes_in(None).iter().map(|n| n.id).collect();
        assert_eq!(unsorted, [one, two]);
        // Editing or moving a deleted note is refused.
        board.apply(&decide(&board, &lead, &Command::DeleteNote { note: one }).unwrap());
        let move_deleted = Command::MoveNote {
            note: one,
            heading: None,
            before: None,
        };
        assert_eq!(
            code(decide(&board, &lead, &move_deleted)),
            ErrorCode::NotFound
        );
    }

    #[test]
    fn roles_are_checked_for_every_command() {
        let (board, heading) = board_with(&[(1, None)]);
        let add_heading = Command::AddHeading {
            heading: HeadingId::new(),
            title: "Housing".into(),
        };
        let create = Command::CreateNote {
            note: note_id(9),
            heading: None,
            before: None,
            fields: fields("x"),
        };
        for role in Role::ALL {
            let may_write = role.is_peer_team();
            assert_eq!(
                decide(&board, &actor(role), &create).is_ok(),
                may_write,
                "{role:?}"
            );
            let may_manage = matches!(role, Role::Facilitator | Role::TeamLead);
            assert_eq!(
                decide(&board, &actor(role), &add_heading).is_ok(),
                may_manage,
                "{role:?}"
            );
        }
        let rename = Command::RenameHeading {
            heading,
            title: "Culture".into(),
        };
        assert_eq!(
            code(decide(&board, &actor(Role::Peer), &rename)),
            ErrorCode::Forbidden
        );
    }

    #[test]
    fn bad_commands_are_refused_with_a_reason() {
        let (board, heading) = board_with(&[(1, None)]);
        let peer = actor(Role::Peer);
        let lead = actor(Role::TeamLead);
        let cases = [
            (
                Command::CreateNote {
                    note: note_id(1),
                    heading: None,
                    before: None,
                    fields: fields("again"),
                },
                ErrorCode::Invalid,
            ),
            (
                Command::CreateNote {
                    note: note_id(2),
                    heading: Some(HeadingId("nowhere".into())),
                    before: None,
                    fields: fields("x"),
                },
                ErrorCode::NotFound,
            ),
            (
                Command::CreateNote {
                    note: note_id(3),
                    heading: None,
                    before: None,
                    fields: fields(&"x".repeat(501)),
                },
                ErrorCode::Invalid,
            ),
            (
                Command::DeleteNote { note: note_id(99) },
                ErrorCode::NotFound,
            ),
            (
                Command::EditNote {
                    note: note_id(99),
                    base_version: 1,
                    edit: NoteEdit::default(),
                },
                ErrorCode::NotFound,
            ),
        ];
        for (command, expected) in cases {
            assert_eq!(
                code(decide(&board, &peer, &command)),
                expected,
                "{command:?}"
            );
        }
        let duplicate = Command::AddHeading {
            heading,
            title: "Again".into(),
        };
        assert_eq!(code(decide(&board, &lead, &duplicate)), ErrorCode::Invalid);
        let bad_id = Command::AddHeading {
            heading: HeadingId("no spaces please".into()),
            title: "Housing".into(),
        };
        assert_eq!(code(decide(&board, &lead, &bad_id)), ErrorCode::Invalid);
    }

    #[test]
    fn a_full_board_refuses_more_notes() {
        let mut board = Board::default();
        let peer = actor(Role::Peer);
        for n in 0..MAX_NOTES_PER_BOARD as u128 {
            let Ok(change) = decide(
                &board,
                &peer,
                &Command::CreateNote {
                    note: note_id(n),
                    heading: None,
                    before: None,
                    fields: fields("x"),
                },
            ) else {
                panic!("note {n} refused")
            };
            board.apply(&change);
        }
        let one_more = Command::CreateNote {
            note: note_id(u128::MAX),
            heading: None,
            before: None,
            fields: fields("x"),
        };
        let refused = decide(&board, &peer, &one_more).unwrap_err();
        assert!(
            refused.error.message.contains("5000"),
            "{}",
            refused.error.message
        );
    }

    #[test]
    fn headings_move_to_the_index_given() {
        let (mut board, first) = board_with(&[]);
        let lead = actor(Role::TeamLead);
        let second = HeadingId("leadership".into());
        let add = Command::AddHeading {
            heading: second.clone(),
            title: "Leadership".into(),
        };
        board.apply(&decide(&board, &lead, &add).unwrap());
        let move_first = Command::MoveHeading {
            heading: first.clone(),
            index: 99,
        };
        board.apply(&decide(&board, &lead, &move_first).unwrap());
        let order: Vec<&HeadingId> = board.live_headings().map(|h| &h.id).collect();
        assert_eq!(order, [&second, &first]);
    }
}
