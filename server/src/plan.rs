//! The council's action plan, mirroring `app::plan`: the service behind its server functions,
//! its socket (`channel.rs`) and its downloads (`export.rs`). The plan is made once from the
//! signed-off version's numbered recommendations; every change is written with a version check
//! and a `plan_change` row, which every node follows with one LIVE query to tell its open plans.
//! The council's publication record is kept here too.

pub mod channel;
pub mod export;
mod progress;

use app::accounts::PersonId;
use app::error::{AppError, ErrorCode};
use app::membership::{Action, Role};
use app::plan::{
    ActionInput, ActionPlanView, MAX_ACTIONS, PlanActionId, PlanEditor, PlanService,
    ProgressReviewInput, ProgressSetup, ProgressStatements, Publication, Published, Publishing,
    ScheduledProgressReview, check_progress, check_publication,
};
use app::report::BlockKind;
use app::review::ReviewId;
use tokio::sync::watch;

use crate::audit::AuditTrail;
use crate::db::{self, Database};
use crate::membership::{ReviewCaller, ReviewDoor};

/// The action plan service.
#[derive(Clone)]
pub struct Plans {
    db: Database,
    audit: AuditTrail,
    pub(crate) door: ReviewDoor,
    /// The progress review's team is invited again through the invitations.
    invitations: std::sync::Arc<dyn app::invitations::InvitationService>,
    changes: crate::live::ReviewChanges,
    /// This node, as its changes are marked: it tells its own plans at once and skips the LIVE
    /// notification of the same change.
    node: uuid::Uuid,
    live: crate::live::LiveFollower,
}

fn unavailable(error: db::DbError) -> AppError {
    tracing::error!(%error, "action plan storage");
    AppError::unavailable("The action plan could not be reached. Try again in a moment.")
}

fn stale() -> AppError {
    AppError::new(
        ErrorCode::Conflict,
        "Someone changed this while you were editing it: the plan is shown as it is now. Make your change again.",
    )
}

fn not_made() -> AppError {
    AppError::new(
        ErrorCode::Invalid,
        "The action plan has not been made yet: it is made from the signed-off report.",
    )
}

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// The numbered recommendations of a report's blocks, in order: (number, text, the section
/// heading above it).
pub fn recommendations(blocks: &[app::report::Block]) -> Vec<(u32, String, String)> {
    let mut section = String::new();
    let mut out = Vec::new();
    for block in blocks {
        match block.kind {
            BlockKind::Heading => section = block.text.trim().to_string(),
            BlockKind::Recommendation => {
                let number = u32::try_from(out.len() + 1).unwrap_or(u32::MAX);
                out.push((number, block.text.trim().to_string(), section.clone()));
            }
            _ => {}
        }
    }
    out
}

impl Plans {
    pub fn new(
        db: Database,
        audit: AuditTrail,
        door: ReviewDoor,
        invitations: std::sync::Arc<dyn app::invitations::InvitationService>,
    ) -> Self {
        Self {
            db,
            audit,
            door,
            invitations,
            changes: crate::live::ReviewChanges::default(),
            node: uuid::Uuid::new_v4(),
            live: crate::live::LiveFollower::default(),
        }
    }

    /// Follows every node's plan changes (one LIVE query) until `stop_following`.
    pub fn start_following(&self) {
        let plans = self.clone();
        let db = self.db.clone();
        self.live.start(
            self.db.clone(),
            crate::live::Followed {
                what: "action plan changes",
                table: "plan_change",
            },
            move || {
                let db = db.clone();
                async move { db::plan::live_changes(&db).await }
            },
            move |(review, node)| {
                let plans = plans.clone();
                async move {
                    if node != Some(plans.node) {
                        plans.changes.changed(review);
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
        self.live.stop(&self.db, "action plan changes").await;
    }

    /// A receiver that changes whenever `review`'s plan does.
    pub fn watch(&self, review: ReviewId) -> watch::Receiver<u64> {
        self.changes.watch(review)
    }

    /// The publication record with its deadlines.
    async fn publication_of(
        &self,
        review: ReviewId,
        visit_end: chrono::NaiveDate,
    ) -> Result<Publication, AppError> {
        let (report, plan) = db::plan::publication(&self.db, review)
            .await
            .map_err(unavailable)?;
        Ok(Publication {
            report,
            plan,
            ..Publication::unpublished(visit_end)
        })
    }

    /// Whether `who` may change the plan: the host lead, and host readers the host lead allowed.
    fn edits(who: &ReviewCaller, editors: &[PersonId]) -> bool {
        who.may(Action::EditActionPlan)
            && (who.role != Role::HostReader || editors.contains(&who.caller.id))
    }

    /// `who`, checked as someone who may change `review`'s plan as it stands.
    async fn editor(
        &self,
        review: ReviewId,
    ) -> Result<(ReviewCaller, db::plan::StoredPlan), AppError> {
        let who = self.door.caller(review).await?;
        who.must(Action::EditActionPlan)?;
        let plan = db::plan::plan(&self.db, review)
            .await
            .map_err(unavailable)?
            .ok_or_else(not_made)?;
        if !Self::edits(&who, &plan.editors) {
            return Err(AppError::new(
                ErrorCode::Forbidden,
                "The council's host lead has not asked you to edit the action plan; you can read it.",
            ));
        }
        Ok((who, plan))
    }

    /// The plan as `who` may see it.
    pub async fn view_for(
        &self,
        who: &ReviewCaller,
        review: ReviewId,
    ) -> Result<ActionPlanView, AppError> {
        who.must(Action::ViewActionPlan)?;
        let stored = db::plan::plan(&self.db, review)
            .await
            .map_err(unavailable)?;
        let signed_off = db::report::state(&self.db, review)
            .await
            .map_err(unavailable)?
            .and_then(|s| s.signed_off)
            .is_some();
        let editors = match &stored {
            Some(plan) if who.may(Action::AllowPlanEditors) => {
                let mut readers: Vec<PlanEditor> = db::membership::members(&self.db, review)
                    .await
                    .map_err(unavailable)?
                    .into_iter()
                    .filter(|m| m.role == Role::HostReader.as_str())
                    .map(|m| PlanEditor {
                        allowed: plan.editors.contains(&PersonId(m.person)),
                        person: PersonId(m.person),
                        name: m.name,
                    })
                    .collect();
                readers.sort_by(|a, b| a.name.cmp(&b.name));
                readers
            }
            _ => Vec::new(),
        };
        let can_edit = stored
            .as_ref()
            .is_some_and(|plan| Self::edits(who, &plan.editors));
        let (made, recommendations, actions) = match stored {
            Some(plan) => (Some(plan.made), plan.recommendations, plan.actions),
            None => (None, Vec::new(), Vec::new()),
        };
        Ok(ActionPlanView {
            can_make: made.is_none() && signed_off && who.may(Action::MakeActionPlan),
            made,
            recommendations,
            actions,
            signed_off,
            can_edit,
            editors,
            publication: self.publication_of(review, who.visit.1).await?,
            today: today(),
        })
    }

    /// Tells this node's open plans of `review` (other nodes hear the change row).
    fn changed(&self, review: ReviewId) {
        self.changes.changed(review);
    }

    /// After a change by `who`: this node's open plans told, the change audited as `kind`, and
    /// the plan as `who` sees it now.
    async fn told(
        &self,
        who: &ReviewCaller,
        review: ReviewId,
        kind: &'static str,
        detail: String,
    ) -> Result<ActionPlanView, AppError> {
        self.changed(review);
        self.audit
            .review_change(&who.caller, review, kind, detail)
            .await?;
        self.view_for(who, review).await
    }
}

#[async_trait::async_trait]
impl PlanService for Plans {
    async fn view(&self, review: ReviewId) -> Result<ActionPlanView, AppError> {
        let who = self.door.caller(review).await?;
        self.view_for(&who, review).await
    }

    async fn make(&self, review: ReviewId) -> Result<ActionPlanView, AppError> {
        let who = self.door.caller(review).await?;
        who.must(Action::MakeActionPlan)?;
        let signed = db::report::state(&self.db, review)
            .await
            .map_err(unavailable)?
            .and_then(|s| s.signed_off)
            .ok_or_else(|| {
                AppError::new(
                    ErrorCode::Invalid,
                    "The report is not signed off yet: the action plan is made from the version the council signs off.",
                )
            })?;
        let version = db::report::version(&self.db, review, signed.version)
            .await
            .map_err(unavailable)?
            .ok_or_else(|| AppError::internal("The signed-off version could not be found."))?;
        let numbered = recommendations(&version.blocks);
        if numbered.is_empty() {
            return Err(AppError::new(
                ErrorCode::Invalid,
                "The signed-off report has no numbered recommendations to plan actions for.",
            ));
        }
        let made = db::plan::make(
            &self.db,
            review,
            who.caller.name.clone(),
            signed.version,
            &numbered,
            Some(self.node),
        )
        .await
        .map_err(unavailable)?;
        if made {
            self.changed(review);
            self.audit
                .review_change(
                    &who.caller,
                    review,
                    "action_plan_made",
                    format!(
                        "{} recommendations from version {}",
                        numbered.len(),
                        signed.version
                    ),
                )
                .await?;
        }
        self.view_for(&who, review).await
    }

    async fn save_action(
        &self,
        review: ReviewId,
        input: ActionInput,
    ) -> Result<ActionPlanView, AppError> {
        let (who, plan) = self.editor(review).await?;
        let mut action = input.check()?;
        if !plan
            .recommendations
            .iter()
            .any(|r| r.number == action.recommendation)
        {
            return Err(AppError::new(
                ErrorCode::NotFound,
                "That recommendation is not in this action plan.",
            ));
        }
        let stored = plan.actions.iter().find(|a| a.id == action.id);
        match stored {
            None if input.version != 0 => {
                return Err(AppError::new(
                    ErrorCode::NotFound,
                    "That action is no longer on the plan: someone removed it.",
                ));
            }
            None if plan.actions.len() >= MAX_ACTIONS => {
                return Err(AppError::new(
                    ErrorCode::Invalid,
                    format!("An action plan has at most {MAX_ACTIONS} actions."),
                ));
            }
            Some(stored) if stored.version != input.version => return Err(stale()),
            Some(stored) if stored.recommendation != action.recommendation => {
                // An action stays with the recommendation it was made for.
                action.recommendation = stored.recommendation;
            }
            _ => {}
        }
        if !db::plan::put_action(
            &self.db,
            review,
            &action,
            input.version,
            who.caller.name.clone(),
            Some(self.node),
        )
        .await
        .map_err(unavailable)?
        {
            return Err(stale());
        }
        let kind = if stored.is_some() {
            "plan_action_changed"
        } else {
            "plan_action_added"
        };
        let detail = format!(
            "recommendation {}: \"{}\", {}",
            action.recommendation,
            action.text.chars().take(80).collect::<String>(),
            action.status.short()
        );
        self.told(&who, review, kind, detail).await
    }

    async fn remove_action(
        &self,
        review: ReviewId,
        action: PlanActionId,
        version: u32,
    ) -> Result<ActionPlanView, AppError> {
        let (who, plan) = self.editor(review).await?;
        let Some(stored) = plan.actions.iter().find(|a| a.id == action) else {
            return Err(AppError::new(
                ErrorCode::NotFound,
                "That action is not on this action plan.",
            ));
        };
        if stored.version != version
            || !db::plan::remove_action(&self.db, review, action, version, Some(self.node))
                .await
                .map_err(unavailable)?
        {
            return Err(stale());
        }
        self.told(
            &who,
            review,
            "plan_action_removed",
            format!(
                "recommendation {}: \"{}\"",
                stored.recommendation,
                stored.text.chars().take(80).collect::<String>()
            ),
        )
        .await
    }

    async fn save_progress(
        &self,
        review: ReviewId,
        number: u32,
        text: String,
        version: u32,
    ) -> Result<ActionPlanView, AppError> {
        let (who, plan) = self.editor(review).await?;
        let text = check_progress(&text)?;
        let Some(stored) = plan.recommendations.iter().find(|r| r.number == number) else {
            return Err(AppError::new(
                ErrorCode::NotFound,
                "That recommendation is not in this action plan.",
            ));
        };
        if stored.version != version
            || !db::plan::put_progress(&self.db, review, number, text, version, Some(self.node))
                .await
                .map_err(unavailable)?
        {
            return Err(stale());
        }
        self.told(
            &who,
            review,
            "progress_statement_written",
            format!("recommendation {number}"),
        )
        .await
    }

    async fn allow_editor(
        &self,
        review: ReviewId,
        person: PersonId,
        allowed: bool,
    ) -> Result<ActionPlanView, AppError> {
        let who = self.door.caller(review).await?;
        who.must(Action::AllowPlanEditors)?;
        if db::plan::plan(&self.db, review)
            .await
            .map_err(unavailable)?
            .is_none()
        {
            return Err(not_made());
        }
        let Some(reader) = db::membership::members(&self.db, review)
            .await
            .map_err(unavailable)?
            .into_iter()
            .find(|m| m.person == person.0 && m.role == Role::HostReader.as_str())
        else {
            return Err(AppError::new(
                ErrorCode::NotFound,
                "Only a host reader on this review can be allowed to edit the plan.",
            ));
        };
        db::plan::set_editor(&self.db, review, person, allowed, Some(self.node))
            .await
            .map_err(unavailable)?;
        self.told(
            &who,
            review,
            if allowed {
                "plan_editor_allowed"
            } else {
                "plan_editor_removed"
            },
            reader.name,
        )
        .await
    }

    async fn record_publication(
        &self,
        review: ReviewId,
        what: String,
        on: String,
        url: String,
    ) -> Result<Publication, AppError> {
        let who = self.door.caller(review).await?;
        who.must(Action::RecordPublication)?;
        let what = Publishing::parse(what.trim()).ok_or_else(|| {
            AppError::invalid_field(
                "what",
                "Say whether the report or the action plan was published.",
            )
        })?;
        let (on, url) = check_publication(&on, &url, today())?;
        let published = Published {
            on,
            url,
            recorded_by: who.caller.name.clone(),
        };
        db::plan::set_publication(&self.db, review, what, &published, Some(self.node))
            .await
            .map_err(unavailable)?;
        self.changed(review);
        self.audit
            .review_change(
                &who.caller,
                review,
                "publication_recorded",
                format!("{} on {} at {}", what.label(), on, published.url),
            )
            .await?;
        self.publication_of(review, who.visit.1).await
    }

    async fn publication(&self, review: ReviewId) -> Result<Publication, AppError> {
        let who = self.door.caller(review).await?;
        who.must(Action::ViewReview)?;
        self.publication_of(review, who.visit.1).await
    }

    async fn progress_setup(&self, review: ReviewId) -> Result<ProgressSetup, AppError> {
        self.setup(review).await
    }

    async fn schedule_progress(
        &self,
        review: ReviewId,
        input: ProgressReviewInput,
    ) -> Result<ScheduledProgressReview, AppError> {
        self.schedule(review, input).await
    }

    async fn progress_statements(&self, review: ReviewId) -> Result<ProgressStatements, AppError> {
        self.statements(review).await
    }
}

#[cfg(test)]
mod tests {
    use app::report::{Block, BlockId};

    use super::*;

    fn block(kind: BlockKind, text: &str) -> Block {
        Block {
            id: BlockId::new(),
            kind,
            text: text.into(),
            order: String::new(),
            practice: None,
            source: None,
            rev: 1,
        }
    }

    #[test]
    fn recommendations_are_numbered_in_order_under_their_section() {
        let blocks = [
            block(BlockKind::Heading, "Key recommendations"),
            block(BlockKind::Recommendation, " Agree a medium-term plan. "),
            block(BlockKind::Paragraph, "Context."),
            block(BlockKind::Heading, "Governance and culture"),
            block(
                BlockKind::Recommendation,
                "Refresh the member development offer.",
            ),
            block(BlockKind::Practice, "Not a recommendation."),
        ];
        assert_eq!(
            recommendations(&blocks),
            vec![
                (
                    1,
                    "Agree a medium-term plan.".into(),
                    "Key recommendations".into()
                ),
                (
                    2,
                    "Refresh the member development offer.".into(),
                    "Governance and culture".into()
                ),
            ]
        );
        assert!(recommendations(&blocks[2..3]).is_empty());
    }
}
