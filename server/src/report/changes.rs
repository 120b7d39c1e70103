//! The changes a report socket carries, each checked against the sender's role and the round,
//! made under the room's lock and told to the room.

use app::error::{AppError, ErrorCode};
use app::membership::Action;
use app::report::generate::Addition;
use app::report::protocol::{OpId, ReportClientMessage, ReportServerMessage};
use app::report::rounds::{self};
use app::report::{
    Block, BlockId, BlockKind, Comment, MAX_BLOCK_CHARS, MAX_BLOCKS, MAX_COMMENT_CHARS,
    MAX_COMMENTS, MAX_QUOTE_CHARS, MAX_REPLIES, Reply, ReportCaller, Resolution, Round, Source,
};
use app::review::ReviewId;

use crate::db::report::{ReportState, StoredBlock};
use crate::db::{self};

use super::{
    Reports, Room, Update, check_len, check_practice, frame, invalid, no_report, unavailable,
};

impl Reports {
    pub(super) async fn apply_locked(
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

    pub(super) async fn stored_block(
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
    pub(super) async fn thread(
        &self,
        who: &ReportCaller,
        review: ReviewId,
        comment: app::report::CommentId,
    ) -> Result<db::report::StoredComment, AppError> {
        db::report::comment(&self.db, review, comment)
            .await
            .map_err(unavailable)?
            .filter(|c| c.comment.council || who.may(Action::ReadDraft))
            .ok_or_else(|| {
                AppError::new(ErrorCode::NotFound, "That comment is not on this report.")
            })
    }

    pub(super) async fn put_block(
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
        let change = db::report::ReportChange::Block {
            id: block.id,
            deleted,
        };
        self.share(review, change).await;
        Ok(())
    }

    /// Tells every socket on the report, on every node, of a thread as it is now.
    pub(super) async fn tell_comment(
        &self,
        review: ReviewId,
        room: &Room,
        comment: app::report::CommentId,
    ) -> Result<(), AppError> {
        self.tell_comment_here(review, room, comment).await?;
        self.share(review, db::report::ReportChange::Comment(comment))
            .await;
        Ok(())
    }

    /// Tells this node's sockets on the report of a thread as it is now.
    pub(super) async fn tell_comment_here(
        &self,
        review: ReviewId,
        room: &Room,
        comment: app::report::CommentId,
    ) -> Result<(), AppError> {
        let Some(stored) = db::report::comment(&self.db, review, comment)
            .await
            .map_err(unavailable)?
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
    pub(super) async fn comment(
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
        let existing = db::report::comment(&self.db, review, comment.id)
            .await
            .map_err(unavailable)?;
        if let Some(same) = existing {
            return if same.last_op == Some(op) {
                Ok(())
            } else {
                Err(invalid("That comment already exists."))
            };
        }
        if db::report::count(&self.db, review)
            .await
            .map_err(unavailable)?
            >= MAX_COMMENTS
        {
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
                self.refresh(review, room).await;
            }
        }
        self.tell_comment(review, room, comment.id).await
    }

    /// A block for an addition, placed after `after` (or at the end).
    pub(super) fn addition_block(blocks: &[Block], addition: &Addition) -> Block {
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

    /// Freezes the draft as the next version (the final one, or not) and moves the round on;
    /// the version's number.
    pub(super) async fn send(
        &self,
        who: &ReportCaller,
        review: ReviewId,
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
        let mails = self.version_mails(review, number, final_version).await?;
        let mailed = !mails.is_empty();
        let sent = db::report::send_version(
            &self.db,
            review,
            number,
            &blocks,
            who.caller.name.clone(),
            (final_version, round),
            mails,
        )
        .await
        .map_err(unavailable)?;
        if !sent {
            return Err(invalid(
                "Another version was sent meanwhile. Reload to see it.",
            ));
        }
        if mailed {
            self.mail.queued();
        }
        Ok(number)
    }

    /// When mail is on, a mail to each of the council's members (host lead and host readers)
    /// saying the version is theirs to read and comment on (or, the final one, to sign off).
    async fn version_mails(
        &self,
        review: ReviewId,
        number: u32,
        final_version: bool,
    ) -> Result<Vec<crate::db::outbox::NewMail>, AppError> {
        if !self.mail.is_on() {
            return Ok(Vec::new());
        }
        let summary = db::review::get_summary(&self.db, review)
            .await
            .map_err(unavailable)?
            .ok_or_else(|| invalid("There is no such review."))?;
        let council = [
            app::membership::Role::HostLead,
            app::membership::Role::HostReader,
        ];
        let path = format!("/reviews/{}/report", review.0);
        Ok(db::membership::emails_in(&self.db, review, &council)
            .await
            .map_err(unavailable)?
            .iter()
            .filter_map(|email| {
                self.mail.report_ready(
                    email,
                    (review, &summary.title, &summary.host_authority),
                    number,
                    final_version,
                    &path,
                )
            })
            .collect())
    }
}
