//! The visit on site, mirroring `app::visit`: the timetable's service behind its server functions
//! (`service.rs`), its socket (`channel.rs`) and its calendar export (`ics.rs`). Every change is a
//! `visit_session` row written
//! with a version check and a `timetable_change` row; every node follows those with one LIVE
//! query and tells its open timetables, which each read their view again.

pub mod channel;
pub mod ics;
pub mod pack;
mod service;
mod sniff;

use app::error::AppError;
use app::membership::Action;
use app::review::ReviewId;
use app::visit::{PairLabel, Session, TimetableView, clashes};
use tokio::sync::watch;

use crate::audit::AuditTrail;
use crate::db::{self, Database};

pub use ics::download_ics;

pub use crate::membership::ReviewCaller;
use crate::membership::ReviewDoor;

/// The timetable service.
#[derive(Clone)]
pub struct Timetables {
    db: Database,
    audit: AuditTrail,
    pub(crate) door: ReviewDoor,
    /// Per review with an open timetable: a counter that goes up at every change.
    changes: crate::live::ReviewChanges,
    /// This node, as its changes are marked: it tells its own timetables at once and skips the
    /// LIVE notification of the same change.
    node: uuid::Uuid,
    live: crate::live::LiveFollower,
}

fn unavailable(error: db::DbError) -> AppError {
    tracing::error!(%error, "timetable storage");
    AppError::unavailable("The timetable could not be reached. Try again in a moment.")
}

impl Timetables {
    pub fn new(db: Database, audit: AuditTrail, door: ReviewDoor) -> Self {
        Self {
            db,
            audit,
            door,
            changes: crate::live::ReviewChanges::default(),
            node: uuid::Uuid::new_v4(),
            live: crate::live::LiveFollower::default(),
        }
    }

    /// Follows every node's timetable changes (one LIVE query) until `stop_following`.
    pub fn start_following(&self) {
        let timetables = self.clone();
        let db = self.db.clone();
        self.live.start(
            self.db.clone(),
            crate::live::Followed {
                what: "timetable changes",
                table: "timetable_change",
            },
            move || {
                let db = db.clone();
                async move { db::visit::live_changes(&db).await }
            },
            move |(review, node)| {
                let timetables = timetables.clone();
                async move {
                    if node != Some(timetables.node) {
                        timetables.changed(review);
                    }
                }
            },
        );
    }

    /// The LIVE query this service follows, for the node's readiness.
    pub fn live_query(&self) -> &crate::live::LiveFollower {
        &self.live
    }

    pub async fn stop_following(&self) {
        self.live.stop(&self.db, "timetable changes").await;
    }

    /// Tells this node's open timetables of `review` to read it again.
    fn changed(&self, review: ReviewId) {
        self.changes.changed(review);
    }

    /// A receiver that changes whenever `review`'s timetable does.
    pub fn watch(&self, review: ReviewId) -> watch::Receiver<u64> {
        self.changes.watch(review)
    }

    /// Every session of the review, cancelled ones too.
    pub async fn sessions(&self, review: ReviewId) -> Result<Vec<Session>, AppError> {
        db::visit::sessions(&self.db, review)
            .await
            .map_err(unavailable)
    }

    /// The pairs of the review, with their members' names for those who may see pairs, and the
    /// caller's own pair (a member of the peer team's).
    pub async fn pairs(
        &self,
        who: &ReviewCaller,
        review: ReviewId,
    ) -> Result<(Vec<PairLabel>, Option<i64>), AppError> {
        let members = db::membership::members(&self.db, review)
            .await
            .map_err(unavailable)?;
        let names = who.may(Action::ViewPairs);
        let mut pairs: Vec<PairLabel> = Vec::new();
        let mut mine = None;
        for member in members {
            let Some(pair) = member.pair else { continue };
            if member.person == who.caller.id.0 {
                mine = Some(pair);
            }
            let at = if let Some(at) = pairs.iter().position(|p| p.pair == pair) {
                at
            } else {
                pairs.push(PairLabel {
                    pair,
                    members: Vec::new(),
                });
                pairs.len() - 1
            };
            if names {
                pairs[at].members.push(member.name);
            }
        }
        pairs.sort_by_key(|p| p.pair);
        for pair in &mut pairs {
            pair.members.sort();
        }
        Ok((pairs, mine.filter(|_| who.role.does_fieldwork())))
    }

    /// The timetable as `who` may see it.
    pub async fn view_for(
        &self,
        who: &ReviewCaller,
        review: ReviewId,
    ) -> Result<TimetableView, AppError> {
        who.must(Action::ViewTimetable)?;
        let sessions: Vec<Session> = self
            .sessions(review)
            .await?
            .into_iter()
            .filter(|s| !s.cancelled)
            .collect();
        let (pairs, my_pair) = self.pairs(who, review).await?;
        let numbers: Vec<i64> = pairs.iter().map(|p| p.pair).collect();
        let team = who.may(Action::ViewNotes);
        let notes = if team {
            let counted = db::visit::notes_per_session(&self.db, review)
                .await
                .map_err(unavailable)?;
            // Every session, with none for those nothing was heard at yet.
            sessions
                .iter()
                .map(|s| {
                    let count = counted
                        .iter()
                        .find(|(id, _)| *id == s.id)
                        .map_or(0, |c| c.1);
                    (s.id, count)
                })
                .collect()
        } else {
            Vec::new()
        };
        let can_edit = who.may(Action::EditTimetable);
        Ok(TimetableView {
            visit: who.visit,
            clashes: if can_edit || team {
                clashes(&sessions, &numbers)
            } else {
                Vec::new()
            },
            sessions,
            pairs,
            my_pair,
            can_edit,
            can_record: who.may(Action::RecordPeopleMet),
            notes,
        })
    }
}
