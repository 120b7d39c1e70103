//! A board task's commands, committed in groups: every command queued when the task turns to
//! its queue is taken at once, decided in order (each against the board as the ones before it
//! left it), committed in one transaction (one sync to disk) and only then acknowledged. A
//! command the rules refuse is answered on its own and the others go on; a batch the database
//! refuses as a whole (another node took a sequence number, an old operation sent again) is
//! decided again one command at a time, as each would have been alone.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use app::wall::protocol::{Command, OpId, ServerMessage, WallEvent};
use app::wall::{Board, NoteId};
use tokio::sync::mpsc;

use crate::db;
use crate::wall::board::{BoardTask, Queued, Rejection, Request, decide, unavailable};
use crate::wall::hub::busy;
use crate::wall::recent::RecentOps;
use crate::wall::seed::creates;

/// The most commands one transaction takes.
pub(crate) const MAX_BATCH: usize = 256;

/// The longest a command waits in its board's queue before it is answered busy instead of
/// decided: past the rate a board can commit, what it accepts is still answered quickly (the
/// browser keeps the change and resends it after a pause) rather than everything late.
pub const SHED_AFTER: Duration = Duration::from_millis(100);

/// Hands back a request that is not a command. Puts a command in the batch, or answers it busy if it waited too long
/// (unavailable if the board waited for a database that is `away`: its sender is told why).
/// One the board already applied (sent again after a lost ack) is answered with its ack
/// however long it waited: that costs nothing, and busy would tell its sender nothing of it.
fn admit(
    request: Request,
    (known, away): (&RecentOps, bool),
    batch: &mut Vec<Queued>,
    shed: &mut u64,
) -> Option<Request> {
    let Request::Command {
        actor,
        op,
        command,
        reply,
        queued,
    } = request
    else {
        return Some(request);
    };
    if let Some(seq) = known.get(op) {
        let _ = reply.send(ServerMessage::Ack { op, seq });
    } else if waited_too_long(queued, Instant::now()) {
        *shed += 1;
        let _ = reply.send(ServerMessage::Rejected {
            op,
            error: if away { unavailable() } else { busy() },
            current: None,
        });
    } else {
        batch.push(Queued {
            actor,
            op,
            command,
            reply,
        });
    }
    None
}

/// Whether a command queued at `queued` has waited too long by `now` to be decided.
pub(crate) fn waited_too_long(queued: Instant, now: Instant) -> bool {
    now.saturating_duration_since(queued) > SHED_AFTER
}

/// What became of one command of a batch, before its answer is sent.
enum Outcome {
    /// Already committed, as this sequence number (sent again).
    Known(u64),
    /// Decided as this sequence number: acknowledged once the batch is committed.
    Decided(u64),
    Refused(Rejection),
}

/// Whether the task goes on after a batch (`false`: it ends at once, as after a crash; only
/// tests ask for that).
pub(crate) type Going = bool;

impl BoardTask {
    /// Handles `first` and every request queued behind it at this moment, the commands among
    /// them in batches.
    pub(crate) async fn take(
        &mut self,
        first: Request,
        requests: &mut mpsc::Receiver<Request>,
    ) -> Going {
        let mut next = Some(first);
        while let Some(request) = next.take() {
            let mut batch = Vec::new();
            let mut shed = 0;
            let known = (&self.ops, self.database_away);
            if let Some(other) = admit(request, known, &mut batch, &mut shed) {
                self.handle(other).await;
                continue;
            }
            while batch.len() < MAX_BATCH {
                let Ok(request) = requests.try_recv() else {
                    break;
                };
                next = admit(request, known, &mut batch, &mut shed);
                if next.is_some() {
                    break;
                }
            }
            if shed > 0 {
                (self.shared.shed).fetch_add(shed, std::sync::atomic::Ordering::Relaxed);
            }
            if !batch.is_empty() && !self.commands(batch).await {
                return false;
            }
        }
        true
    }

    /// Decides, commits and answers `batch`.
    pub(crate) async fn commands(&mut self, batch: Vec<Queued>) -> Going {
        self.fetch_deleted(batch.iter().map(|queued| &queued.command))
            .await;
        if let [queued] = batch.as_slice() {
            let answer = self
                .command(&queued.actor, queued.op, &queued.command)
                .await;
            if self.crashed {
                return false;
            }
            if let Some(queued) = batch.into_iter().next() {
                let _ = queued.reply.send(answer);
            }
            return true;
        }
        // Decided on a copy, so that a batch the database refuses leaves the board as it was.
        let mut scratch: Board = self.board.clone();
        let mut decided: Vec<(WallEvent, app::accounts::PersonId, bool)> = Vec::new();
        let mut in_batch: HashMap<OpId, u64> = HashMap::new();
        let mut outcomes = Vec::with_capacity(batch.len());
        for queued in &batch {
            if let Some(seq) = (self.ops.get(queued.op)).or(in_batch.get(&queued.op).copied()) {
                outcomes.push(Outcome::Known(seq));
                continue;
            }
            match decide(&scratch, &queued.actor, &queued.command) {
                Ok(change) => {
                    let seq = scratch.seq + 1;
                    let created = creates(&scratch, &change);
                    scratch.apply(&change);
                    scratch.seq = seq;
                    in_batch.insert(queued.op, seq);
                    let event = WallEvent {
                        seq,
                        op: queued.op,
                        change,
                    };
                    decided.push((event, queued.actor.person, created));
                    outcomes.push(Outcome::Decided(seq));
                }
                Err(rejection) => outcomes.push(Outcome::Refused(rejection)),
            }
        }
        drop(scratch);
        if !decided.is_empty() {
            let entries: Vec<db::wall::Entry> = (decided.iter())
                .map(|(event, actor, creates)| db::wall::Entry {
                    seq: event.seq,
                    op: event.op,
                    actor: *actor,
                    change: &event.change,
                    creates: *creates,
                })
                .collect();
            let committed = db::wall::commit(&self.db, self.review, &entries).await;
            drop(entries);
            self.count_transaction();
            match committed {
                Ok(db::wall::Commit::Done) => {
                    self.database_away = false;
                    if self.crash_after_commit() {
                        return false;
                    }
                    let last = decided.len() - 1;
                    for (index, (event, _, _)) in decided.into_iter().enumerate() {
                        self.applied_one(event, index == last);
                    }
                }
                other => {
                    if let Err(error) = other {
                        tracing::warn!(review = %self.review, %error, "a batch was refused; deciding its commands one by one");
                    }
                    for queued in batch {
                        let answer = self
                            .command(&queued.actor, queued.op, &queued.command)
                            .await;
                        let _ = queued.reply.send(answer);
                    }
                    return true;
                }
            }
        }
        for (queued, outcome) in batch.into_iter().zip(outcomes) {
            let answer = match outcome {
                Outcome::Known(seq) | Outcome::Decided(seq) => {
                    ServerMessage::Ack { op: queued.op, seq }
                }
                Outcome::Refused(rejection) => self.refused(queued.op, rejection).await,
            };
            let _ = queued.reply.send(answer);
        }
        true
    }

    /// One command on its own: decided, committed, applied. Another node may take the next
    /// sequence number first: after a short, growing, jittered pause (so busy nodes do not keep
    /// colliding), catch up with the log and decide again. The catch-up comes after the pause,
    /// just before the next try: read before it, what the other nodes wrote during the pause
    /// would make the try fail again.
    pub(crate) async fn command(
        &mut self,
        actor: &crate::wall::board::Actor,
        op: OpId,
        command: &Command,
    ) -> ServerMessage {
        const ATTEMPTS: u32 = 12;
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                let jitter = uuid::Uuid::new_v4().as_u128() % 3;
                let pause = (1u64 << attempt.min(6)) + jitter as u64;
                tokio::time::sleep(Duration::from_millis(pause)).await;
                if let Err(error) = self.catch_up().await {
                    tracing::error!(%error, "catching up with the wall's log");
                    break;
                }
            }
            if let Some(seq) = self.ops.get(op) {
                return ServerMessage::Ack { op, seq };
            }
            let change = match decide(&self.board, actor, command) {
                Ok(change) => change,
                Err(rejection) => return self.refused(op, rejection).await,
            };
            let seq = self.board.seq + 1;
            let entry = db::wall::Entry {
                seq,
                op,
                actor: actor.person,
                change: &change,
                creates: creates(&self.board, &change),
            };
            let committed = db::wall::commit(&self.db, self.review, &[entry]).await;
            self.count_transaction();
            match committed {
                Ok(db::wall::Commit::Done) => {
                    self.database_away = false;
                    if self.crash_after_commit() {
                        // Ends the task before anything is applied, sent or answered.
                        self.crashed = true;
                        break;
                    }
                    self.applied(WallEvent { seq, op, change });
                    return ServerMessage::Ack { op, seq };
                }
                Ok(db::wall::Commit::Duplicate(_, seq)) => {
                    self.ops.insert(op, seq);
                    return ServerMessage::Ack { op, seq };
                }
                Ok(db::wall::Commit::Exists(note)) => {
                    // A note this board no longer held: read it back, and decide again.
                    if !self.fetch_note(note).await {
                        break;
                    }
                }
                Ok(db::wall::Commit::SeqTaken) if attempt + 1 == ATTEMPTS => {
                    tracing::warn!(review = %self.review, "other nodes took every sequence number tried");
                }
                Ok(db::wall::Commit::SeqTaken) => {}
                Err(error) => {
                    tracing::error!(review = %self.review, %error, "committing a wall change");
                    self.database_away = true;
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

    /// The answer to an operation the rules refuse. A resend of one older than those remembered
    /// (a note created long ago now exists, so the rules refuse it) is answered from the log.
    pub(crate) async fn refused(&mut self, op: OpId, rejection: Rejection) -> ServerMessage {
        match db::wall::find_op(&self.db, self.review, op).await {
            Ok(Some(seq)) => {
                self.ops.insert(op, seq);
                ServerMessage::Ack { op, seq }
            }
            Ok(None) => ServerMessage::Rejected {
                op,
                error: rejection.error,
                current: rejection.current.map(|note| *note),
            },
            Err(error) => {
                // Not refused for good: the client keeps the change and resends it.
                tracing::error!(review = %self.review, %error, "looking up an operation");
                ServerMessage::Rejected {
                    op,
                    error: unavailable(),
                    current: None,
                }
            }
        }
    }

    /// Reads back the deleted notes that `commands` restore and this board no longer holds.
    async fn fetch_deleted(&mut self, commands: impl Iterator<Item = &Command>) {
        let missing: Vec<NoteId> = commands
            .filter_map(|command| match command {
                Command::RestoreNote { note } if !self.board.notes.contains_key(note) => {
                    Some(*note)
                }
                _ => None,
            })
            .collect();
        for note in missing {
            self.fetch_note(note).await;
        }
    }

    /// Reads one note back into the board; whether the database answered.
    async fn fetch_note(&mut self, id: NoteId) -> bool {
        match db::wall::note(&self.db, self.review, id).await {
            Ok(Some(note)) => {
                if note.deleted {
                    self.deleted.push_back(id);
                }
                self.board.notes.insert(id, note);
                true
            }
            Ok(None) => true,
            Err(error) => {
                tracing::error!(review = %self.review, %error, "reading a note back");
                false
            }
        }
    }
}
