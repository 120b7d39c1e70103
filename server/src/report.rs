//! The feedback report's service (`app::report::ReportService`): drafting from the wall, the
//! block and comment changes its socket carries (`channel.rs`), the rounds and versions, the
//! non-attribution check, and the Word document (`docx.rs`). Changes to one review's report are
//! made one at a time (its room's lock) and told to the sockets on it through the room.

mod changes;
pub mod channel;
pub mod docx;
mod download;
pub mod reminders;
mod service;

pub use download::{DocxQuery, download_docx};

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use app::accounts::Caller;
use app::error::{AppError, ErrorCode};
use app::membership::{Action, MembershipService};
use app::report::guard::{self, Sensitive};
use app::report::protocol::{Editor, ReportClientMessage, ReportServerMessage};
use app::report::rounds::{self, Facts};
use app::report::{
    Block, MAX_PRACTICE_FIELD_CHARS, Practice, ReportCaller, ReportView, Resolution, Round,
};
use app::review::{ReviewId, ReviewService};
use tokio::sync::broadcast;

use crate::audit::AuditTrail;
use crate::db::report::ReportState;
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
    /// This node, as its changes are marked for the others.
    node: uuid::Uuid,
    live: crate::live::LiveFollower,
    /// "The report is ready for your comments" goes by mail when it is on.
    mail: crate::mail::Mail,
    /// The deadline reminders' schedule (`reminders.rs`).
    reminders: Arc<std::sync::Mutex<Option<tokio::task::JoinHandle<()>>>>,
}

/// How a change from a socket ended.
pub enum Outcome {
    Ack,
    Rejected(AppError, Option<Box<Block>>),
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
    if !(link.is_empty() || link.starts_with("https://") || link.starts_with("http://")) {
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
            node: uuid::Uuid::new_v4(),
            live: crate::live::LiveFollower::default(),
            mail: crate::mail::Mail::off(),
            reminders: Arc::default(),
        }
    }

    /// Mails the council when a version is sent to it.
    pub fn with_mail(mut self, mail: crate::mail::Mail) -> Self {
        self.mail = mail;
        self
    }

    /// Follows the report changes other nodes make (one LIVE query), telling this node's
    /// sockets on those reports. Runs until `stop_following`.
    pub fn start_following(&self) {
        let reports = self.clone();
        let db = self.db.clone();
        self.live.start(
            self.db.clone(),
            crate::live::Followed {
                what: "report changes",
                table: "report_change",
            },
            move || {
                let db = db.clone();
                async move { db::report::live_changes(&db).await }
            },
            move |(review, node, change)| {
                let reports = reports.clone();
                async move {
                    if node != reports.node {
                        reports.heard(review, change).await;
                    }
                }
            },
        );
    }

    /// The LIVE query this service follows, for the node's readiness.
    pub fn live_query(&self) -> &crate::live::LiveFollower {
        &self.live
    }

    /// Ends the LIVE query explicitly.
    pub async fn stop_following(&self) {
        self.live.stop(&self.db, "report changes").await;
    }

    /// Another node changed `review`'s report: this node's sockets on it are told.
    async fn heard(&self, review: ReviewId, change: db::report::ReportChange) {
        let room = {
            let rooms = self
                .rooms
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            match rooms.get(&review) {
                Some(room) if room.updates.receiver_count() > 0 => room.clone(),
                _ => return,
            }
        };
        match change {
            db::report::ReportChange::Block { id, deleted } => {
                if let Ok(Some(stored)) = db::report::block(&self.db, review, id).await {
                    room.tell(Update::Team(frame(&ReportServerMessage::Block {
                        block: stored.block,
                        deleted: deleted || stored.deleted,
                    })));
                }
            }
            db::report::ReportChange::Comment(id) => {
                if let Err(error) = self.tell_comment_here(review, &room, id).await {
                    tracing::warn!(%error, "a comment changed on another node");
                }
            }
            db::report::ReportChange::Refresh => room.tell(Update::Refresh),
        }
    }

    /// Tells the other nodes of a change (this node's sockets have been told).
    async fn share(&self, review: ReviewId, change: db::report::ReportChange) {
        if let Err(error) = db::report::record_change(&self.db, review, self.node, change).await {
            // Their sockets catch up when they next reconnect or the round changes.
            tracing::error!(%error, "recording a report change for other nodes");
        }
    }

    /// The round, versions or due dates changed: every socket on the report, on every node,
    /// reads its view again.
    async fn refresh(&self, review: ReviewId, room: &Room) {
        room.tell(Update::Refresh);
        self.share(review, db::report::ReportChange::Refresh).await;
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
        let (role, summary) = crate::membership::member_of(
            self.membership.as_ref(),
            self.reviews.as_ref(),
            caller.id,
            review,
        )
        .await?;
        Ok(ReportCaller {
            caller,
            role,
            programme: summary.review_type,
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
            Err((error, current)) => Outcome::Rejected(error, current.map(Box::new)),
        }
    }

    /// The socket left: it edits nothing any more.
    pub fn left(&self, review: ReviewId, socket: u64) {
        self.room(review).set_editor(socket, None);
    }
}

/// A role's audience on the report socket: the team draft, or the council's view.
pub fn reads_draft(who: &ReportCaller) -> bool {
    who.may(Action::ReadDraft)
}
