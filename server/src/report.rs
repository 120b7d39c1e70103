//! The feedback report's service (`app::report::ReportService`): drafting from the wall, the
//! block and comment changes its socket carries (`channel.rs`), the rounds and versions, the
//! non-attribution check, and the Word document (`docx.rs`). Changes to one review's report are
//! made one at a time (its room's lock) and told to the sockets on it through the room.

pub mod channel;
pub mod docx;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use app::accounts::Caller;
use app::error::{AppError, ErrorCode};
use app::membership::{Action, MembershipService};
use app::report::diff::BlockDiff;
use app::report::generate::{self, Addition, ScaleFigures};
use app::report::guard::{self, Sensitive};
use app::report::protocol::{Editor, OpId, ReportClientMessage, ReportServerMessage};
use app::report::rounds::{self, Facts, Step};
use app::report::{
    Block, BlockId, BlockKind, CheckedFinding, Comment, DueDates, EvidenceNote, MAX_BLOCK_CHARS,
    MAX_BLOCKS, MAX_COMMENT_CHARS, MAX_COMMENTS, MAX_PRACTICE_FIELD_CHARS, MAX_QUOTE_CHARS,
    MAX_REPLIES, Practice, Reply, ReportCaller, ReportService, ReportStatus, ReportView,
    Resolution, Round, Source, Version,
};
use app::review::{ReviewId, ReviewService};
use app::wall::MessageId;
use tokio::sync::broadcast;

use crate::audit::AuditTrail;
use crate::db::report::{ReportState, StoredBlock};
use crate::db::{self, Database, DbError};
use crate::wall::hub::WallHub;

fn unavailable(error: DbError) -> AppError {
    tracing::error!(%error, "report service");
    AppError::unavailable("The report could not be loaded or saved just now. Please try again.")
}

fn invalid(message: impl Into<String>) -> AppError {
    AppError::new(ErrorCode::Invalid, message)
}

fn no_report() -> AppError {
    AppError::new(
        ErrorCode::NotFound,
        "There is no report for this review yet.",
    )
}

/// What a room tells the sockets on it.
#[derive(Debug, Clone)]
pub enum Update {
    /// A frame for those who may read the team draft.
    Team(Arc<str>),
    /// A frame for everyone on the report (the council's threads).
    Everyone(Arc<str>),
    /// The round or versions changed: each socket sends its own view again.
    Refresh,
    Editors,
}

/// One review's report on this node: its lock, its sockets' channel and who is editing what.
pub struct Room {
    lock: tokio::sync::Mutex<()>,
    updates: broadcast::Sender<Update>,
    editors: Mutex<HashMap<u64, Editor>>,
}

impl Room {
    pub fn subscribe(&self) -> broadcast::Receiver<Update> {
        self.updates.subscribe()
    }

    pub fn editors(&self) -> Vec<Editor> {
        let editors = self
            .editors
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut list: Vec<Editor> = editors.values().cloned().collect();
        list.sort_by(|a, b| a.name.cmp(&b.name));
        list
    }

    fn set_editor(&self, socket: u64, editor: Option<Editor>) {
        let mut editors = self
            .editors
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let changed = match editor {
            Some(editor) => editors.insert(socket, editor.clone()).as_ref() != Some(&editor),
            None => editors.remove(&socket).is_some(),
        };
        drop(editors);
        if changed {
            let _ = self.updates.send(Update::Editors);
        }
    }

    fn tell(&self, update: Update) {
        let _ = self.updates.send(update);
    }
}

/// The report service.
#[derive(Clone)]
pub struct Reports {
    db: Database,
    audit: AuditTrail,
    membership: Arc<dyn MembershipService>,
    reviews: Arc<dyn ReviewService>,
    wall: WallHub,
    rooms: Arc<Mutex<HashMap<ReviewId, Arc<Room>>>>,
    sockets: Arc<std::sync::atomic::AtomicU64>,
}

/// How a change from a socket ended.
pub enum Outcome {
    Ack,
    Rejected(AppError, Option<Block>),
}

fn frame(message: &ReportServerMessage) -> Arc<str> {
    Arc::from(serde_json::to_string(message).unwrap_or_default())
}

fn check_len(text: &str, max: usize, what: &str) -> Result<(), AppError> {
    if text.chars().count() > max {
        Err(invalid(format!(
            "{what} is {} characters; the most is {max}.",
            text.chars().count()
        )))
    } else {
        Ok(())
    }
}

fn check_practice(practice: &Option<Practice>) -> Result<(), AppError> {
    let Some(practice) = practice else {
        return Ok(());
    };
    for (field, what) in [
        (&practice.place, "The council or body"),
        (&practice.contact, "The contact"),
        (&practice.link, "The link"),
    ] {
        check_len(field, MAX_PRACTICE_FIELD_CHARS, what)?;
    }
    let link = practice.link.trim().to_ascii_lowercase();
    if !link.is_empty() && !(link.starts_with("https://") || link.starts_with("http://")) {
        return Err(invalid(
            "A practice example's link must start with https:// or http://.",
        ));
    }
    Ok(())
}

impl Reports {
    pub fn new(
        db: Database,
        audit: AuditTrail,
        membership: Arc<dyn MembershipService>,
        reviews: Arc<dyn ReviewService>,
        wall: WallHub,
    ) -> Self {
        Self {
            db,
            audit,
            membership,
            reviews,
            wall,
            rooms: Arc::default(),
            sockets: Arc::default(),
        }
    }

    /// The room of `review`'s report on this node.
    pub fn room(&self, review: ReviewId) -> Arc<Room> {
        let mut rooms = self
            .rooms
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        rooms
            .entry(review)
            .or_insert_with(|| {
                Arc::new(Room {
                    lock: tokio::sync::Mutex::new(()),
                    updates: broadcast::channel(256).0,
                    editors: Mutex::new(HashMap::new()),
                })
            })
            .clone()
    }

    pub fn next_socket(&self) -> u64 {
        self.sockets
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    }

    /// Who `person` is on `review`'s report: their role, read now, and the programme.
    pub async fn report_caller(
        &self,
        caller: Caller,
        review: ReviewId,
    ) -> Result<ReportCaller, AppError> {
        let role = self
            .membership
            .role_in(caller.id, review)
            .await?
            .ok_or_else(app::membership::not_a_member)?;
        let programme = self
            .reviews
            .summary(review)
            .await?
            .ok_or_else(app::membership::not_a_member)?
            .review_type;
        Ok(ReportCaller {
            caller,
            role,
            programme,
        })
    }

    async fn state(&self, review: ReviewId) -> Result<ReportState, AppError> {
        db::report::state(&self.db, review)
            .await
            .map_err(unavailable)?
            .ok_or_else(no_report)
    }

    async fn live_blocks(&self, review: ReviewId) -> Result<Vec<Block>, AppError> {
        Ok(db::report::blocks(&self.db, review)
            .await
            .map_err(unavailable)?
            .into_iter()
            .filter(|b| !b.deleted)
            .map(|b| b.block)
            .collect())
    }

    async fn comments(&self, review: ReviewId) -> Result<Vec<db::report::StoredComment>, AppError> {
        db::report::comments(&self.db, review)
            .await
            .map_err(unavailable)
    }

    /// Moves the review's phase forward to match the report's round (never back).
    async fn follow_phase(
        &self,
        by: &Caller,
        review: ReviewId,
        round: Round,
    ) -> Result<(), AppError> {
        let target = rounds::phase_for(round);
        let Some(summary) = self.reviews.summary(review).await? else {
            return Ok(());
        };
        if summary.phase >= target {
            return Ok(());
        }
        let moved = db::review::change_phase(&self.db, review, summary.phase, target, by.id, None)
            .await
            .map_err(unavailable)?;
        if moved {
            self.audit
                .review_change(
                    by,
                    review,
                    "phase_changed",
                    format!("{} to {}", summary.phase.as_str(), target.as_str()),
                )
                .await?;
        }
        Ok(())
    }

    /// Non-attribution findings in `blocks`.
    async fn findings(
        &self,
        review: ReviewId,
        blocks: &[Block],
    ) -> Result<Vec<guard::Finding>, AppError> {
        let board = self.wall.board(review).await?;
        let people = db::membership::members(&self.db, review)
            .await
            .map_err(unavailable)?
            .into_iter()
            .map(|m| m.name)
            .collect();
        let live: Vec<_> = board.notes.values().filter(|n| !n.deleted).collect();
        let mut sessions: Vec<String> = live
            .iter()
            .map(|n| n.source.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        sessions.sort();
        sessions.dedup();
        let sensitive = Sensitive {
            people,
            sessions,
            notes: live.iter().map(|n| n.text.clone()).collect(),
        };
        Ok(guard::check(blocks, &sensitive))
    }

    async fn facts(&self, review: ReviewId, state: &ReportState) -> Result<Facts, AppError> {
        let comments = self.comments(review).await?;
        let versions = db::report::versions(&self.db, review)
            .await
            .map_err(unavailable)?;
        let blocks = self.live_blocks(review).await?;
        let findings = self.findings(review, &blocks).await?;
        Ok(Facts {
            open_team_comments: comments
                .iter()
                .filter(|c| !c.comment.council && c.comment.is_open())
                .count(),
            unaddressed_council_comments: comments
                .iter()
                .filter(|c| {
                    c.comment.council
                        && !matches!(
                            c.comment.resolution,
                            Some(
                                Resolution::Accepted
                                    | Resolution::Changed
                                    | Resolution::Answered
                                    | Resolution::Rejected
                            )
                        )
                })
                .count(),
            latest: versions.last().map(|v| (v.number, v.final_version)),
            unconfirmed_findings: findings
                .iter()
                .filter(|f| !state.confirmed.contains(&f.key))
                .count(),
        })
    }

    /// The view of the report `who` may see.
    pub async fn view_for(
        &self,
        who: &ReportCaller,
        review: ReviewId,
    ) -> Result<Option<ReportView>, AppError> {
        who.must(Action::ReadReport).or_else(|e| {
            if who.may(Action::ReadDraft) {
                Ok(())
            } else {
                Err(e)
            }
        })?;
        let Some(state) = db::report::state(&self.db, review)
            .await
            .map_err(unavailable)?
        else {
            return Ok(None);
        };
        let versions = db::report::versions(&self.db, review)
            .await
            .map_err(unavailable)?;
        let team = who.may(Action::ReadDraft);
        let comments = self
            .comments(review)
            .await?
            .into_iter()
            .map(|c| c.comment)
            .filter(|c| team || c.council)
            .map(|mut c| {
                if !team {
                    c.author_id = None;
                }
                c
            })
            .collect();
        let (blocks, latest) = if team {
            (self.live_blocks(review).await?, None)
        } else {
            let latest = match versions.last() {
                Some(v) => db::report::version(&self.db, review, v.number)
                    .await
                    .map_err(unavailable)?,
                None => None,
            };
            (Vec::new(), latest)
        };
        Ok(Some(ReportView {
            programme: who.programme,
            round: state.round,
            blocks,
            draft: team,
            versions,
            latest,
            comments,
            due: state.due,
            signed_off: state.signed_off,
            confirmed: if team { state.confirmed } else { Vec::new() },
        }))
    }

    /// Applies a change from a socket, as `who`; `socket` identifies the socket for presence.
    pub async fn apply(
        &self,
        who: &ReportCaller,
        review: ReviewId,
        socket: u64,
        message: ReportClientMessage,
    ) -> Outcome {
        let room = self.room(review);
        if let ReportClientMessage::Editing { block } = message {
            if who.may(Action::WriteReport) {
                room.set_editor(
                    socket,
                    block.map(|block| Editor {
                        name: who.caller.name.clone(),
                        block,
                    }),
                );
            }
            return Outcome::Ack;
        }
        let _guard = room.lock.lock().await;
        match self.apply_locked(who, review, &room, message).await {
            Ok(()) => Outcome::Ack,
            Err((error, current)) => Outcome::Rejected(error, current),
        }
    }

    /// The socket left: it edits nothing any more.
    pub fn left(&self, review: ReviewId, socket: u64) {
        self.room(review).set_editor(socket, None);
    }

    async fn apply_locked(
        &self,
        who: &ReportCaller,
        review: ReviewId,
        room: &Room,
        message: ReportClientMessage,
    ) -> Result<(), (AppError, Option<Block>)> {
        let plain = |e: AppError| (e, None);
        let state = self.state(review).await.map_err(plain)?;
        if state.round == Round::SignedOff {
            return Err(plain(invalid(
                "The report is signed off; nothing changes after.",
            )));
        }
        match message {
            ReportClientMessage::Edit {
                op,
                block,
                base,
                kind,
                text,
                practice,
            } => {
                who.must(Action::WriteReport).map_err(plain)?;
                check_len(&text, MAX_BLOCK_CHARS, "The block").map_err(plain)?;
                check_practice(&practice).map_err(plain)?;
                let stored = self.stored_block(review, block).await.map_err(plain)?;
                if stored.last_op == Some(op) {
                    return Ok(());
                }
                if stored.deleted {
                    return Err(plain(invalid(
                        "That block was deleted; undo the delete to edit it.",
                    )));
                }
                if stored.block.rev != base {
                    return Err((
                        AppError::new(
                            ErrorCode::Conflict,
                            "Someone else changed this block while you were writing. Choose which text to keep.",
                        ),
                        Some(stored.block),
                    ));
                }
                let mut changed = stored.block;
                changed.kind = kind;
                changed.text = text;
                changed.practice = if kind == BlockKind::Practice {
                    Some(practice.unwrap_or_default())
                } else {
                    None
                };
                changed.rev += 1;
                self.put_block(review, room, &changed, false, Some(op))
                    .await
                    .map_err(plain)
            }
            ReportClientMessage::Insert { op, mut block } => {
                who.must(Action::WriteReport).map_err(plain)?;
                check_len(&block.text, MAX_BLOCK_CHARS, "The block").map_err(plain)?;
                check_practice(&block.practice).map_err(plain)?;
                if !app::wall::order::is_valid(&block.order) {
                    return Err(plain(invalid("That place in the report is not valid.")));
                }
                if let Some(existing) = db::report::block(&self.db, review, block.id)
                    .await
                    .map_err(|e| plain(unavailable(e)))?
                {
                    return if existing.last_op == Some(op) {
                        Ok(())
                    } else {
                        Err(plain(invalid("That block already exists.")))
                    };
                }
                let count = db::report::blocks(&self.db, review)
                    .await
                    .map_err(|e| plain(unavailable(e)))?
                    .len();
                if count >= MAX_BLOCKS {
                    return Err(plain(invalid(format!(
                        "A report has at most {MAX_BLOCKS} blocks."
                    ))));
                }
                // Only drafting links a block to the wall.
                block.source = None;
                block.rev = 1;
                if block.kind != BlockKind::Practice {
                    block.practice = None;
                }
                self.put_block(review, room, &block, false, Some(op))
                    .await
                    .map_err(plain)
            }
            ReportClientMessage::Move { op, block, order } => {
                who.must(Action::WriteReport).map_err(plain)?;
                if !app::wall::order::is_valid(&order) {
                    return Err(plain(invalid("That place in the report is not valid.")));
                }
                let stored = self.stored_block(review, block).await.map_err(plain)?;
                if stored.last_op == Some(op) {
                    return Ok(());
                }
                let mut moved = stored.block;
                moved.order = order;
                moved.rev += 1;
                self.put_block(review, room, &moved, stored.deleted, Some(op))
                    .await
                    .map_err(plain)
            }
            ReportClientMessage::Delete { op, block }
            | ReportClientMessage::Restore { op, block } => {
                let deleted = matches!(message, ReportClientMessage::Delete { .. });
                who.must(Action::WriteReport).map_err(plain)?;
                let stored = self.stored_block(review, block).await.map_err(plain)?;
                if stored.last_op == Some(op) || stored.deleted == deleted {
                    return Ok(());
                }
                let mut changed = stored.block;
                changed.rev += 1;
                self.put_block(review, room, &changed, deleted, Some(op))
                    .await
                    .map_err(plain)
            }
            ReportClientMessage::Comment {
                op,
                id,
                block,
                anchor,
                text,
                suggestion,
                factual,
            } => self
                .comment(
                    who,
                    review,
                    room,
                    &state,
                    op,
                    Comment {
                        id,
                        block,
                        anchor,
                        text,
                        suggestion,
                        factual,
                        council: false,
                        version: None,
                        author: who.caller.name.clone(),
                        author_id: Some(who.caller.id),
                        at: chrono::Utc::now().to_rfc3339(),
                        replies: Vec::new(),
                        resolution: None,
                        resolved_by: None,
                        rev: 1,
                    },
                )
                .await
                .map_err(plain),
            ReportClientMessage::Reply { op, comment, text } => {
                check_len(&text, MAX_COMMENT_CHARS, "The reply").map_err(plain)?;
                if text.trim().is_empty() {
                    return Err(plain(invalid("Write a reply first.")));
                }
                let stored = self.thread(who, review, comment).await.map_err(plain)?;
                if stored.last_op == Some(op) {
                    return Ok(());
                }
                let may = who.may(Action::WriteReport)
                    || if stored.comment.council {
                        who.may(Action::CommentAsCouncil)
                    } else {
                        who.may(Action::CommentOnDraft)
                    };
                if !may {
                    return Err(plain(app::membership::forbidden(who.role)));
                }
                if stored.comment.replies.len() >= MAX_REPLIES {
                    return Err(plain(invalid(format!(
                        "A thread has at most {MAX_REPLIES} replies."
                    ))));
                }
                let reply = Reply {
                    author: who.caller.name.clone(),
                    text,
                    at: chrono::Utc::now().to_rfc3339(),
                };
                db::report::add_reply(&self.db, review, comment, &reply, op)
                    .await
                    .map_err(|e| plain(unavailable(e)))?;
                self.tell_comment(review, room, comment)
                    .await
                    .map_err(plain)
            }
            ReportClientMessage::Resolve {
                op,
                comment,
                resolution,
            } => {
                who.must(Action::WriteReport).map_err(plain)?;
                let stored = self.thread(who, review, comment).await.map_err(plain)?;
                if stored.last_op == Some(op) {
                    return Ok(());
                }
                let mut thread = stored.comment;
                thread.resolution = resolution;
                thread.resolved_by = resolution.map(|_| who.caller.name.clone());
                thread.rev += 1;
                let author = thread.author_id.unwrap_or(who.caller.id);
                db::report::put_comment(&self.db, review, &thread, author, Some(op))
                    .await
                    .map_err(|e| plain(unavailable(e)))?;
                let detail = format!(
                    "{} comment by {}: {}",
                    if thread.council {
                        "council"
                    } else {
                        "peer team"
                    },
                    thread.author,
                    resolution.map_or("reopened", Resolution::as_str)
                );
                self.audit
                    .review_change(&who.caller, review, "report_comment_resolved", detail)
                    .await
                    .map_err(plain)?;
                self.tell_comment(review, room, comment)
                    .await
                    .map_err(plain)
            }
            ReportClientMessage::AcceptSuggestion { op, comment } => {
                who.must(Action::WriteReport).map_err(plain)?;
                let stored = self.thread(who, review, comment).await.map_err(plain)?;
                if stored.last_op == Some(op) {
                    return Ok(());
                }
                let mut thread = stored.comment;
                let Some(suggestion) = thread.suggestion.clone() else {
                    return Err(plain(invalid("That comment suggests no change.")));
                };
                let block = self
                    .stored_block(review, thread.block)
                    .await
                    .map_err(plain)?;
                if block.deleted {
                    return Err(plain(invalid("The block it is on was deleted.")));
                }
                let Some(text) =
                    app::report::anchor::replace(&block.block.text, &thread.anchor, &suggestion)
                else {
                    return Err(plain(invalid(
                        "The words it was on have changed since; change the block by hand.",
                    )));
                };
                check_len(&text, MAX_BLOCK_CHARS, "The block").map_err(plain)?;
                let mut changed = block.block;
                changed.text = text;
                changed.rev += 1;
                self.put_block(review, room, &changed, false, None)
                    .await
                    .map_err(plain)?;
                thread.resolution = Some(Resolution::Accepted);
                thread.resolved_by = Some(who.caller.name.clone());
                thread.anchor = app::report::anchor::anchor_first(&changed.text, &suggestion)
                    .unwrap_or(thread.anchor);
                thread.rev += 1;
                let author = thread.author_id.unwrap_or(who.caller.id);
                db::report::put_comment(&self.db, review, &thread, author, Some(op))
                    .await
                    .map_err(|e| plain(unavailable(e)))?;
                self.audit
                    .review_change(
                        &who.caller,
                        review,
                        "report_comment_resolved",
                        format!("suggestion by {} accepted", thread.author),
                    )
                    .await
                    .map_err(plain)?;
                self.tell_comment(review, room, comment)
                    .await
                    .map_err(plain)
            }
            ReportClientMessage::Editing { .. } => Ok(()),
        }
    }

    async fn stored_block(
        &self,
        review: ReviewId,
        block: BlockId,
    ) -> Result<StoredBlock, AppError> {
        db::report::block(&self.db, review, block)
            .await
            .map_err(unavailable)?
            .ok_or_else(|| AppError::new(ErrorCode::NotFound, "That block is not in this report."))
    }

    /// A thread `who` may see.
    async fn thread(
        &self,
        who: &ReportCaller,
        review: ReviewId,
        comment: app::report::CommentId,
    ) -> Result<db::report::StoredComment, AppError> {
        self.comments(review)
            .await?
            .into_iter()
            .find(|c| c.comment.id == comment && (c.comment.council || who.may(Action::ReadDraft)))
            .ok_or_else(|| {
                AppError::new(ErrorCode::NotFound, "That comment is not on this report.")
            })
    }

    async fn put_block(
        &self,
        review: ReviewId,
        room: &Room,
        block: &Block,
        deleted: bool,
        op: Option<OpId>,
    ) -> Result<(), AppError> {
        db::report::put_block(&self.db, review, block, deleted, op)
            .await
            .map_err(unavailable)?;
        room.tell(Update::Team(frame(&ReportServerMessage::Block {
            block: block.clone(),
            deleted,
        })));
        Ok(())
    }

    async fn tell_comment(
        &self,
        review: ReviewId,
        room: &Room,
        comment: app::report::CommentId,
    ) -> Result<(), AppError> {
        let Some(stored) = self
            .comments(review)
            .await?
            .into_iter()
            .find(|c| c.comment.id == comment)
        else {
            return Ok(());
        };
        let council = stored.comment.council;
        let message = ReportServerMessage::Comment {
            comment: stored.comment.clone(),
        };
        if council {
            // The council's sockets get it without the author's account id.
            let mut shown = stored.comment;
            shown.author_id = None;
            room.tell(Update::Team(frame(&message)));
            room.tell(Update::Everyone(frame(&ReportServerMessage::Comment {
                comment: shown,
            })));
        } else {
            room.tell(Update::Team(frame(&message)));
        }
        Ok(())
    }

    /// Starts a thread: a peer team comment on the draft, or the council's on the version sent.
    #[allow(clippy::too_many_arguments)]
    async fn comment(
        &self,
        who: &ReportCaller,
        review: ReviewId,
        room: &Room,
        state: &ReportState,
        op: OpId,
        mut comment: Comment,
    ) -> Result<(), AppError> {
        check_len(&comment.text, MAX_COMMENT_CHARS, "The comment")?;
        check_len(
            &comment.anchor.exact,
            MAX_QUOTE_CHARS,
            "The words commented on",
        )?;
        if comment.text.trim().is_empty() && comment.suggestion.is_none() {
            return Err(invalid("Write a comment or suggest a change."));
        }
        if comment.anchor.exact.trim().is_empty() {
            return Err(invalid("Select the words the comment is about."));
        }
        if let Some(suggestion) = &comment.suggestion {
            check_len(suggestion, MAX_BLOCK_CHARS, "The suggestion")?;
        }
        comment.anchor.prefix = comment
            .anchor
            .prefix
            .chars()
            .rev()
            .take(64)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        comment.anchor.suffix = comment.anchor.suffix.chars().take(64).collect();
        let existing = self.comments(review).await?;
        if let Some(same) = existing.iter().find(|c| c.comment.id == comment.id) {
            return if same.last_op == Some(op) {
                Ok(())
            } else {
                Err(invalid("That comment already exists."))
            };
        }
        if existing.len() >= MAX_COMMENTS {
            return Err(invalid(format!(
                "A report has at most {MAX_COMMENTS} comments."
            )));
        }
        let council = who.may(Action::CommentAsCouncil) && !who.may(Action::ReadDraft);
        if council {
            if !state.round.council_comments_open() {
                return Err(invalid(
                    "The council comments once a version is sent to it, until its comments close.",
                ));
            }
            let versions = db::report::versions(&self.db, review)
                .await
                .map_err(unavailable)?;
            let latest = versions
                .last()
                .ok_or_else(|| invalid("No version has been sent to the council yet."))?;
            let version = db::report::version(&self.db, review, latest.number)
                .await
                .map_err(unavailable)?
                .ok_or_else(no_report)?;
            let block = version
                .blocks
                .iter()
                .find(|b| b.id == comment.block)
                .ok_or_else(|| {
                    AppError::new(
                        ErrorCode::NotFound,
                        "That block is not in the version sent to the council.",
                    )
                })?;
            if !block.text.contains(&comment.anchor.exact) {
                return Err(invalid(
                    "Those words are not in that block of the version sent.",
                ));
            }
            comment.council = true;
            comment.version = Some(latest.number);
        } else {
            let may = who.may(Action::WriteReport)
                || (who.may(Action::CommentOnDraft) && state.round == Round::PeerComments);
            if !may {
                return Err(if who.may(Action::CommentOnDraft) {
                    invalid("Peers comment on the draft in the peer comments round.")
                } else {
                    app::membership::forbidden(who.role)
                });
            }
            comment.factual = false;
            let block = self.stored_block(review, comment.block).await?;
            if block.deleted {
                return Err(invalid("That block was deleted."));
            }
        }
        db::report::put_comment(&self.db, review, &comment, who.caller.id, Some(op))
            .await
            .map_err(unavailable)?;
        if council {
            self.audit
                .review_change(
                    &who.caller,
                    review,
                    "report_council_comment",
                    format!("on version {}", comment.version.unwrap_or(0)),
                )
                .await?;
            let next = rounds::after_council_comment(state.round);
            if next != state.round {
                db::report::set_round(&self.db, review, next)
                    .await
                    .map_err(unavailable)?;
                room.tell(Update::Refresh);
            }
        }
        self.tell_comment(review, room, comment.id).await
    }

    /// A block for an addition, placed after `after` (or at the end).
    fn addition_block(blocks: &[Block], addition: &Addition) -> Block {
        let position = addition
            .after
            .and_then(|after| blocks.iter().position(|b| b.id == after));
        let (before, next) = match position {
            Some(i) => (
                Some(blocks[i].order.as_str()),
                blocks.get(i + 1).map(|b| b.order.as_str()),
            ),
            None => (blocks.last().map(|b| b.order.as_str()), None),
        };
        Block {
            id: BlockId::new(),
            kind: if addition.kind == app::wall::MessageKind::Recommendation {
                BlockKind::Recommendation
            } else {
                BlockKind::Paragraph
            },
            text: addition.text.clone(),
            order: app::wall::order::key_between(before, next),
            practice: None,
            source: Some(Source::Message {
                id: addition.message,
                kind: addition.kind,
                text: addition.text.clone(),
            }),
            rev: 1,
        }
    }

    /// The sender's name for a version's audit row.
    async fn send(
        &self,
        who: &ReportCaller,
        review: ReviewId,
        state: &ReportState,
        final_version: bool,
    ) -> Result<u32, AppError> {
        let versions = db::report::versions(&self.db, review)
            .await
            .map_err(unavailable)?;
        let number = versions.last().map_or(1, |v| v.number + 1);
        let blocks = self.live_blocks(review).await?;
        if blocks.iter().all(|b| b.text.trim().is_empty()) {
            return Err(invalid("The draft is empty; write it before sending."));
        }
        let round = if final_version {
            Round::Final
        } else {
            Round::SentToCouncil
        };
        let sent = db::report::send_version(
            &self.db,
            review,
            number,
            &blocks,
            who.caller.name.clone(),
            final_version,
            round,
        )
        .await
        .map_err(unavailable)?;
        if !sent {
            return Err(invalid(
                "Another version was sent meanwhile. Reload to see it.",
            ));
        }
        let _ = state;
        Ok(number)
    }
}

#[async_trait::async_trait]
impl ReportService for Reports {
    async fn caller(&self, review: ReviewId) -> Result<ReportCaller, AppError> {
        let caller = app::accounts::require_caller()?;
        self.report_caller(caller, review).await
    }

    async fn view(
        &self,
        who: &ReportCaller,
        review: ReviewId,
    ) -> Result<Option<ReportView>, AppError> {
        self.view_for(who, review).await
    }

    async fn status(
        &self,
        who: &ReportCaller,
        review: ReviewId,
    ) -> Result<Option<ReportStatus>, AppError> {
        let Some(view) = self.view_for(who, review).await? else {
            return Ok(None);
        };
        let due = match view.round {
            Round::TeamDraft | Round::PeerComments => view.due.peer_comments,
            Round::SentToCouncil | Round::CouncilComments => view.due.council_comments,
            Round::Final => view.due.final_version.or(view.due.sign_off),
            Round::SignedOff => None,
        };
        Ok(Some(ReportStatus {
            round: view.round,
            open_comments: view.open_comments(),
            versions: view.versions.len() as u32,
            due,
        }))
    }

    async fn create(&self, who: &ReportCaller, review: ReviewId) -> Result<(), AppError> {
        who.must(Action::WriteReport)?;
        let room = self.room(review);
        let _guard = room.lock.lock().await;
        let board = self.wall.board(review).await?;
        let blocks = generate::draft(&board);
        let created = db::report::create(&self.db, review, &blocks)
            .await
            .map_err(unavailable)?;
        if !created {
            return Err(invalid(
                "The report has already been drafted; new key messages are offered as additions.",
            ));
        }
        self.audit
            .review_change(
                &who.caller,
                review,
                "report_drafted",
                format!("{} blocks from the wall", blocks.len()),
            )
            .await?;
        self.follow_phase(&who.caller, review, Round::TeamDraft)
            .await?;
        room.tell(Update::Refresh);
        Ok(())
    }

    async fn additions(
        &self,
        who: &ReportCaller,
        review: ReviewId,
    ) -> Result<Vec<Addition>, AppError> {
        who.must(Action::WriteReport)?;
        self.state(review).await?;
        let board = self.wall.board(review).await?;
        let blocks = self.live_blocks(review).await?;
        Ok(generate::additions(&board, &blocks))
    }

    async fn take_addition(
        &self,
        who: &ReportCaller,
        review: ReviewId,
        message: MessageId,
        accept: bool,
    ) -> Result<(), AppError> {
        who.must(Action::WriteReport)?;
        let room = self.room(review);
        let _guard = room.lock.lock().await;
        let state = self.state(review).await?;
        if state.round == Round::SignedOff {
            return Err(invalid("The report is signed off; nothing changes after."));
        }
        let board = self.wall.board(review).await?;
        let blocks = self.live_blocks(review).await?;
        let addition = generate::additions(&board, &blocks)
            .into_iter()
            .find(|a| a.message == message)
            .ok_or_else(|| {
                AppError::new(
                    ErrorCode::NotFound,
                    "That key message is already in the report, or no longer on the wall.",
                )
            })?;
        if accept {
            let block = Self::addition_block(&blocks, &addition);
            self.put_block(review, &room, &block, false, None).await?;
        }
        if let Some(changed) = addition.changed {
            // The block drafted from the older wording now knows the new one: not offered again.
            let mut stored = self.stored_block(review, changed).await?.block;
            stored.source = Some(Source::Message {
                id: addition.message,
                kind: addition.kind,
                text: addition.text.clone(),
            });
            stored.rev += 1;
            self.put_block(review, &room, &stored, false, None).await?;
        } else if !accept {
            // Set aside: an empty, deleted block remembers the message, so it is not offered again.
            let mut block = Self::addition_block(&blocks, &addition);
            block.text.clear();
            db::report::put_block(&self.db, review, &block, true, None)
                .await
                .map_err(unavailable)?;
        }
        Ok(())
    }

    async fn step(&self, who: &ReportCaller, review: ReviewId, step: Step) -> Result<(), AppError> {
        match step {
            Step::SignOff { .. } => who.must(Action::SignOffReport)?,
            Step::CloseCouncilComments if who.may(Action::SignOffReport) => {}
            _ => who.must(Action::WriteReport)?,
        }
        let room = self.room(review);
        let _guard = room.lock.lock().await;
        let state = self.state(review).await?;
        let facts = self.facts(review, &state).await?;
        let next = rounds::next(state.round, step, facts).map_err(invalid)?;
        let detail = match step {
            Step::Send => {
                let number = self.send(who, review, &state, false).await?;
                format!("version {number} sent to the council")
            }
            Step::SendFinal => {
                let number = self.send(who, review, &state, true).await?;
                format!("final version {number} sent to the council for sign-off")
            }
            Step::SignOff { version } => {
                db::report::sign_off(&self.db, review, version, who.caller.name.clone())
                    .await
                    .map_err(unavailable)?;
                format!("version {version} signed off")
            }
            Step::AskPeers | Step::CloseCouncilComments => {
                db::report::set_round(&self.db, review, next)
                    .await
                    .map_err(unavailable)?;
                format!("round: {}", next.label().to_lowercase())
            }
        };
        let kind = match step {
            Step::Send | Step::SendFinal => "report_sent",
            Step::SignOff { .. } => "report_signed_off",
            _ => "report_round_changed",
        };
        self.audit
            .review_change(&who.caller, review, kind, detail)
            .await?;
        self.follow_phase(&who.caller, review, next).await?;
        room.tell(Update::Refresh);
        Ok(())
    }

    async fn set_due(
        &self,
        who: &ReportCaller,
        review: ReviewId,
        due: DueDates,
    ) -> Result<(), AppError> {
        who.must(Action::SetReportDueDates)?;
        let room = self.room(review);
        let _guard = room.lock.lock().await;
        self.state(review).await?;
        db::report::set_due(&self.db, review, &due)
            .await
            .map_err(unavailable)?;
        self.audit
            .review_change(
                &who.caller,
                review,
                "report_due_dates_set",
                format!("{due:?}"),
            )
            .await?;
        room.tell(Update::Refresh);
        Ok(())
    }

    async fn check(
        &self,
        who: &ReportCaller,
        review: ReviewId,
    ) -> Result<Vec<CheckedFinding>, AppError> {
        who.must(Action::WriteReport)?;
        let state = self.state(review).await?;
        let blocks = self.live_blocks(review).await?;
        let findings = self.findings(review, &blocks).await?;
        Ok(findings
            .into_iter()
            .map(|finding| {
                let context = blocks
                    .iter()
                    .find(|b| b.id == finding.block)
                    .map(|b| b.text.chars().take(160).collect())
                    .unwrap_or_default();
                CheckedFinding {
                    confirmed: state.confirmed.contains(&finding.key),
                    finding,
                    context,
                }
            })
            .collect())
    }

    async fn confirm(
        &self,
        who: &ReportCaller,
        review: ReviewId,
        key: String,
    ) -> Result<(), AppError> {
        who.must(Action::WriteReport)?;
        let room = self.room(review);
        let _guard = room.lock.lock().await;
        self.state(review).await?;
        let blocks = self.live_blocks(review).await?;
        let finding = self
            .findings(review, &blocks)
            .await?
            .into_iter()
            .find(|f| f.key == key)
            .ok_or_else(|| {
                AppError::new(
                    ErrorCode::NotFound,
                    "That finding is no longer in the draft.",
                )
            })?;
        db::report::confirm(&self.db, review, key)
            .await
            .map_err(unavailable)?;
        self.audit
            .review_change(
                &who.caller,
                review,
                "attribution_confirmed",
                format!("{}: {}", finding.kind.label(), finding.text),
            )
            .await
    }

    async fn version(
        &self,
        who: &ReportCaller,
        review: ReviewId,
        number: u32,
    ) -> Result<Version, AppError> {
        who.must(Action::ReadReport)?;
        let version = db::report::version(&self.db, review, number)
            .await
            .map_err(unavailable)?
            .ok_or_else(|| {
                AppError::new(
                    ErrorCode::NotFound,
                    format!("There is no version {number} of this report."),
                )
            })?;
        if who.role.is_host() {
            self.audit
                .review_change(
                    &who.caller,
                    review,
                    "report_read",
                    format!("version {number}"),
                )
                .await?;
        }
        Ok(version)
    }

    async fn diff(
        &self,
        who: &ReportCaller,
        review: ReviewId,
        from: u32,
        to: u32,
    ) -> Result<Vec<BlockDiff>, AppError> {
        who.must(Action::ReadReport)?;
        let load = |n: u32| async move {
            db::report::version(&self.db, review, n)
                .await
                .map_err(unavailable)?
                .ok_or_else(|| {
                    AppError::new(
                        ErrorCode::NotFound,
                        format!("There is no version {n} of this report."),
                    )
                })
        };
        let old = load(from).await?;
        let new = load(to).await?;
        Ok(app::report::diff::diff(&old.blocks, &new.blocks))
    }

    async fn evidence(
        &self,
        who: &ReportCaller,
        review: ReviewId,
        block: BlockId,
    ) -> Result<Vec<EvidenceNote>, AppError> {
        who.must(Action::ViewReportEvidence)?;
        let stored = self.stored_block(review, block).await?;
        let Some(message) = stored.block.message() else {
            return Ok(Vec::new());
        };
        let board = self.wall.board(review).await?;
        let Some(message) = board.messages.get(&message) else {
            return Ok(Vec::new());
        };
        Ok(message
            .evidence
            .iter()
            .filter_map(|id| board.notes.get(id))
            .filter(|n| !n.deleted)
            .map(|n| EvidenceNote {
                text: n.text.clone(),
                kind: n.kind,
                source: n.source.clone(),
                stakeholder: n.stakeholder.clone(),
            })
            .collect())
    }

    async fn scale(&self, who: &ReportCaller, review: ReviewId) -> Result<String, AppError> {
        who.must(Action::WriteReport)?;
        let board = self.wall.board(review).await?;
        Ok(generate::scale_sentence(&ScaleFigures::from_board(&board)))
    }
}

/// A role's audience on the report socket: the team draft, or the council's view.
pub fn reads_draft(who: &ReportCaller) -> bool {
    who.may(Action::ReadDraft)
}

/// `GET /api/reviews/{review}/report.docx?version=N`: a version sent to the council as a Word
/// document (the peer team and the council; a download by the council is audited), or without
/// `version` the team draft as it stands (those who may read it).
pub async fn download_docx(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    axum::extract::Path(review): axum::extract::Path<String>,
    axum::extract::Query(query): axum::extract::Query<DocxQuery>,
    session: Option<axum::Extension<app::accounts::RequestSession>>,
) -> axum::response::Response {
    use crate::endpoint::{caller, refuse};
    use axum::http::{HeaderValue, header};
    use axum::response::IntoResponse;
    let (review, session) = match caller(
        &state,
        &review,
        session,
        "Sign in to download the report.",
        None,
    ) {
        Ok(caller) => caller,
        Err(error) => return refuse(error),
    };
    let reports = state.report.clone();
    let result = async {
        let who = reports
            .report_caller(session.caller.clone(), review)
            .await?;
        let summary = reports
            .reviews
            .summary(review)
            .await?
            .ok_or_else(app::membership::not_a_member)?;
        let report = reports.state(review).await?;
        let (blocks, label, draft) = match query.version {
            Some(number) => {
                let version = reports.version(&who, review, number).await?;
                let signed = report
                    .signed_off
                    .as_ref()
                    .is_some_and(|s| s.version == number);
                let sent = version.sent_at.get(..10).unwrap_or_default().to_string();
                (
                    version.blocks,
                    format!("Version {number}, sent {sent}"),
                    !signed,
                )
            }
            None => {
                who.must(Action::ReadDraft)?;
                (
                    reports.live_blocks(review).await?,
                    "Team draft, not sent".to_string(),
                    true,
                )
            }
        };
        if who.role.is_host() && query.version.is_some() {
            reports
                .audit
                .review_change(&who.caller, review, "report_downloaded", label.clone())
                .await?;
        }
        let cover = docx::Cover {
            title: &summary.title,
            council: &summary.host_authority,
            version: label,
            draft,
        };
        let bytes = docx::render(&cover, &blocks)?;
        Ok::<_, AppError>((bytes, summary.title, query.version))
    }
    .await;
    match result {
        Ok((bytes, title, version)) => {
            let mut name: String = title
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_ascii_lowercase()
                    } else {
                        '-'
                    }
                })
                .collect();
            while name.contains("--") {
                name = name.replace("--", "-");
            }
            let name = name.trim_matches('-').chars().take(60).collect::<String>();
            let suffix = version.map_or("draft".to_string(), |n| format!("v{n}"));
            let mut response = bytes.into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                ),
            );
            if let Ok(value) = HeaderValue::from_str(&format!(
                "attachment; filename=\"{name}-report-{suffix}.docx\""
            )) {
                headers.insert(header::CONTENT_DISPOSITION, value);
            }
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(error) => refuse(error),
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct DocxQuery {
    #[serde(default)]
    version: Option<u32>,
}
