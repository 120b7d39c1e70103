//! The progress review, scheduled by the facilitator once the report is signed off: a review of
//! its own (so its timetable, wall, triangulation, presentation and report are the main
//! review's own code, reached by its id), whose wall's headings are the recommendations, whose
//! council is the same people, and whose team is chosen from the original one and invited again
//! through the invitations. Its team reads the council's progress on each recommendation.

use app::error::{AppError, ErrorCode};
use app::membership::{Action, Role};
use app::plan::{
    ProgressReviewInput, ProgressSetup, ProgressStatements, ProgressWindow, RecommendationProgress,
    ScheduledProgressReview, heading_for,
};
use app::review::{Member, Phase, ReviewId, ReviewSummary};

use super::{Plans, today, unavailable};
use crate::db;

fn not_found(message: &str) -> AppError {
    AppError::new(ErrorCode::NotFound, message)
}

impl Plans {
    async fn summary_of(&self, review: ReviewId) -> Result<ReviewSummary, AppError> {
        db::review::get_summary(&self.db, review)
            .await
            .map_err(unavailable)?
            .ok_or_else(app::membership::not_a_member)
    }

    /// The day the report was signed off, if it was.
    async fn signed_off_on(&self, review: ReviewId) -> Result<Option<chrono::NaiveDate>, AppError> {
        db::report::signed_off_on(&self.db, review)
            .await
            .map_err(unavailable)
    }

    /// The numbered recommendations: the plan's, or the signed-off version's before it is made.
    async fn numbered(&self, review: ReviewId) -> Result<Vec<(u32, String, String)>, AppError> {
        if let Some(plan) = db::plan::plan(&self.db, review)
            .await
            .map_err(unavailable)?
        {
            return Ok(plan
                .recommendations
                .into_iter()
                .map(|r| (r.number, r.text, r.progress))
                .collect());
        }
        let Some(signed) = db::report::state(&self.db, review)
            .await
            .map_err(unavailable)?
            .and_then(|s| s.signed_off)
        else {
            return Ok(Vec::new());
        };
        let version = db::report::version(&self.db, review, signed.version)
            .await
            .map_err(unavailable)?;
        Ok(version
            .map(|v| super::recommendations(&v.blocks))
            .unwrap_or_default()
            .into_iter()
            .map(|(number, text, _)| (number, text, String::new()))
            .collect())
    }

    /// The original peer team: the team lead and the peers.
    async fn original_team(&self, review: ReviewId) -> Result<Vec<Member>, AppError> {
        let mut team: Vec<Member> = db::membership::members(&self.db, review)
            .await
            .map_err(unavailable)?
            .into_iter()
            .filter_map(|row| {
                let role = Role::parse(&row.role)?;
                matches!(role, Role::TeamLead | Role::Peer).then(|| Member {
                    person: app::accounts::PersonId(row.person),
                    name: row.name,
                    organisation: row.organisation,
                    role,
                    pair: row.pair,
                })
            })
            .collect();
        team.sort_by(|a, b| {
            (a.role != Role::TeamLead, &a.name).cmp(&(b.role != Role::TeamLead, &b.name))
        });
        Ok(team)
    }

    pub(super) async fn setup(&self, review: ReviewId) -> Result<ProgressSetup, AppError> {
        let who = self.door.caller(review).await?;
        who.must(Action::ScheduleProgressReview)?;
        let summary = self.summary_of(review).await?;
        let signed = self.signed_off_on(review).await?;
        Ok(ProgressSetup {
            window: ProgressWindow::new(summary.on_site_end, signed),
            team: self.original_team(review).await?,
            signed_off: signed.is_some() && summary.progress_of.is_none(),
            scheduled: summary.progress_review,
        })
    }

    pub(super) async fn schedule(
        &self,
        review: ReviewId,
        input: ProgressReviewInput,
    ) -> Result<ScheduledProgressReview, AppError> {
        let who = self.door.caller(review).await?;
        who.must(Action::ScheduleProgressReview)?;
        let summary = self.summary_of(review).await?;
        if summary.progress_of.is_some() {
            return Err(AppError::new(
                ErrorCode::Invalid,
                "This is a progress review: it has no progress review of its own.",
            ));
        }
        if summary.progress_review.is_some() {
            return Err(AppError::new(
                ErrorCode::Conflict,
                "The progress review is scheduled already: change its dates on its own page.",
            ));
        }
        let Some(signed) = self.signed_off_on(review).await? else {
            return Err(AppError::new(
                ErrorCode::Invalid,
                "The progress review follows the report: the council has not signed it off yet.",
            ));
        };
        let window = ProgressWindow::new(summary.on_site_end, Some(signed));
        let (start, end) = input.check(&window, today())?;
        let team = self.original_team(review).await?;
        if let Some(stranger) = input
            .team
            .iter()
            .find(|person| !team.iter().any(|m| m.person == **person))
        {
            tracing::info!(person = %stranger.0, "progress review: not on the original team");
            return Err(not_found(
                "Choose people from the original peer team; invite anyone new from the progress review's own page.",
            ));
        }
        let numbered = self.numbered(review).await?;
        let council: Vec<(app::accounts::PersonId, Role)> =
            db::membership::members(&self.db, review)
                .await
                .map_err(unavailable)?
                .into_iter()
                .filter_map(|row| {
                    let role = Role::parse(&row.role)?;
                    // The council's people, and in a PCI its own fieldwork members.
                    (role.is_host() || role == Role::Fieldwork)
                        .then_some((app::accounts::PersonId(row.person), role))
                })
                .collect();
        let title: String = format!("{} progress review", summary.title)
            .chars()
            .take(app::review::MAX_TITLE)
            .collect();
        let child = db::review::insert(
            &self.db,
            db::review::NewReview {
                title,
                host_authority: summary.host_authority.clone(),
                review_type: summary.review_type,
                phase: Phase::Preparation,
                scope: format!(
                    "Progress on the {} recommendations of the {}.",
                    numbered.len(),
                    summary.title
                ),
                on_site_start: start,
                on_site_end: end,
                headings: numbered
                    .iter()
                    .map(|(number, text, _)| heading_for(*number, text))
                    .collect(),
                facilitator: Some(who.caller.id),
            },
        )
        .await
        .map_err(unavailable)?;
        if !db::review::link_progress_review(&self.db, review, child, &council)
            .await
            .map_err(unavailable)?
        {
            return Err(AppError::new(
                ErrorCode::Conflict,
                "Someone scheduled the progress review a moment ago: it is on the review page.",
            ));
        }
        let addresses = db::membership::addresses_of(&self.db, review, &input.team)
            .await
            .map_err(unavailable)?;
        let mut invitations = Vec::with_capacity(addresses.len());
        for address in addresses {
            let role = Role::parse(&address.role).unwrap_or(Role::Peer);
            invitations.push(
                self.invitations
                    .invite(&who.caller, child, &address.email, role)
                    .await?,
            );
        }
        self.audit
            .review_change(
                &who.caller,
                review,
                "progress_review_scheduled",
                format!(
                    "{} with {} of the team invited again",
                    app::review::format_date_range(start, end),
                    invitations.len()
                ),
            )
            .await?;
        Ok(ScheduledProgressReview {
            review: child,
            invitations,
        })
    }

    pub(super) async fn statements(
        &self,
        review: ReviewId,
    ) -> Result<ProgressStatements, AppError> {
        let who = self.door.caller(review).await?;
        who.must(Action::ViewActionPlan)?;
        let Some(parent) = self.summary_of(review).await?.progress_of else {
            return Err(not_found("This review is not a progress review."));
        };
        let parent_title = self.summary_of(parent).await?.title;
        let today = today();
        let recommendations = match db::plan::plan(&self.db, parent)
            .await
            .map_err(unavailable)?
        {
            Some(plan) => plan
                .recommendations
                .iter()
                .map(|r| {
                    let actions: Vec<_> = plan
                        .actions
                        .iter()
                        .filter(|a| a.recommendation == r.number)
                        .collect();
                    RecommendationProgress {
                        number: r.number,
                        text: r.text.clone(),
                        progress: r.progress.clone(),
                        statuses: app::plan::ActionStatus::ALL
                            .into_iter()
                            .map(|s| (s, actions.iter().filter(|a| a.status == s).count()))
                            .filter(|(_, n)| *n > 0)
                            .collect(),
                        overdue: actions.iter().filter(|a| a.overdue(today)).count(),
                    }
                })
                .collect(),
            None => self
                .numbered(parent)
                .await?
                .into_iter()
                .map(|(number, text, progress)| RecommendationProgress {
                    number,
                    text,
                    progress,
                    statuses: Vec::new(),
                    overdue: 0,
                })
                .collect(),
        };
        Ok(ProgressStatements {
            parent,
            parent_title,
            recommendations,
        })
    }
}
