//! The review service behind the `app` crate's review server functions.

use app::accounts::{Caller, PersonId};
use app::error::{AppError, ErrorCode};
use app::membership::Role;
use app::review::{
    CheckedReview, Member, MyReview, Phase, ReviewId, ReviewOverview, ReviewService, ReviewSummary,
};

use crate::audit::AuditTrail;
use crate::db::{self, Database, DbError};

/// Reviews stored in SurrealDB.
pub struct Reviews {
    db: Database,
    audit: AuditTrail,
}

impl Reviews {
    pub fn new(db: Database, audit: AuditTrail) -> Self {
        Self { db, audit }
    }

    /// What the review's timeline is made from: its phases' dates, the report's rounds and the
    /// council's publication record.
    async fn timeline_facts(
        &self,
        summary: &ReviewSummary,
    ) -> Result<app::review::TimelineFacts, AppError> {
        let review = summary.id;
        let (created, reached) = db::review::dates(&self.db, review)
            .await
            .map_err(unavailable)?;
        let report = db::report::state(&self.db, review)
            .await
            .map_err(unavailable)?;
        let sent = db::report::versions(&self.db, review)
            .await
            .map_err(unavailable)?
            .iter()
            .filter_map(|v| chrono::DateTime::parse_from_rfc3339(&v.sent_at).ok())
            .map(|at| at.date_naive())
            .min();
        let (report_published, plan_published) = db::plan::publication(&self.db, review)
            .await
            .map_err(unavailable)?;
        let signed_off = report
            .as_ref()
            .and_then(|r| r.signed_off.as_ref())
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(&s.at).ok())
            .map(|at| at.date_naive());
        let progress_review = match summary.progress_review {
            Some(child) => match db::review::get_summary(&self.db, child)
                .await
                .map_err(unavailable)?
            {
                Some(child_summary) => Some(app::review::ProgressFacts {
                    phase: child_summary.phase,
                    visit: (child_summary.on_site_start, child_summary.on_site_end),
                    signed_off: db::report::signed_off_on(&self.db, child)
                        .await
                        .map_err(unavailable)?,
                }),
                None => None,
            },
            None => None,
        };
        let follows_up = match summary.progress_of {
            Some(parent) => db::review::get_summary(&self.db, parent)
                .await
                .map_err(unavailable)?
                .map(|parent| parent.on_site_end),
            None => None,
        };
        Ok(app::review::TimelineFacts {
            phase: summary.phase,
            created: created.unwrap_or(summary.on_site_start),
            visit: (summary.on_site_start, summary.on_site_end),
            reached,
            due: report.map(|r| r.due).unwrap_or_default(),
            sent,
            signed_off,
            publication: app::plan::Publication {
                report: report_published,
                plan: plan_published,
                ..app::plan::Publication::unpublished(summary.on_site_end)
            },
            progress_review,
            follows_up,
        })
    }
}

/// The longest reason a move back may give.
const MAX_REASON_CHARS: usize = 500;

fn unavailable(error: DbError) -> AppError {
    tracing::error!(%error, "review service");
    AppError::unavailable("The review could not be loaded just now. Please try again.")
}

#[async_trait::async_trait]
impl ReviewService for Reviews {
    async fn list_for(&self, person: PersonId) -> Result<Vec<MyReview>, AppError> {
        db::review::list_for_person(&self.db, person)
            .await
            .map_err(unavailable)
    }

    async fn summary(&self, review: ReviewId) -> Result<Option<ReviewSummary>, AppError> {
        db::review::get_summary(&self.db, review)
            .await
            .map_err(unavailable)
    }

    async fn overview(
        &self,
        review: ReviewId,
        role: Role,
        include_pairs: bool,
    ) -> Result<Option<ReviewOverview>, AppError> {
        let Some(summary) = db::review::get_summary(&self.db, review)
            .await
            .map_err(unavailable)?
        else {
            return Ok(None);
        };
        let mut members: Vec<Member> = db::membership::members(&self.db, review)
            .await
            .map_err(unavailable)?
            .into_iter()
            .filter_map(|row| {
                Some(Member {
                    person: PersonId(row.person),
                    role: Role::parse(&row.role)?,
                    name: row.name,
                    organisation: row.organisation,
                    pair: if include_pairs { row.pair } else { None },
                })
            })
            .collect();
        members.sort_by(|a, b| {
            let rank = |role: Role| Role::ALL.iter().position(|r| *r == role);
            rank(a.role)
                .cmp(&rank(b.role))
                .then_with(|| a.name.cmp(&b.name))
        });
        let today = chrono::Utc::now().date_naive();
        let facts = self.timeline_facts(&summary).await?;
        Ok(Some(ReviewOverview {
            summary,
            my_role: role,
            members,
            shows_pairs: include_pairs,
            timeline: app::review::timeline(&facts, today),
            today,
        }))
    }

    async fn change_phase(
        &self,
        by: &Caller,
        review: ReviewId,
        to: Phase,
        reason: Option<String>,
    ) -> Result<(), AppError> {
        let current = db::review::get_summary(&self.db, review)
            .await
            .map_err(unavailable)?
            .ok_or_else(app::membership::not_a_member)?;
        if current.phase == to {
            return Err(AppError::new(
                ErrorCode::Invalid,
                format!("The review is already in the {} phase.", to.label()),
            ));
        }
        let reason = reason
            .map(|r| r.trim().to_string())
            .filter(|r| !r.is_empty());
        if to < current.phase && reason.is_none() {
            return Err(AppError::new(
                ErrorCode::Invalid,
                format!(
                    "Moving the review back to {} needs a reason; say why.",
                    to.label().to_lowercase()
                ),
            ));
        }
        if reason
            .as_ref()
            .is_some_and(|r| r.chars().count() > MAX_REASON_CHARS)
        {
            return Err(AppError::new(
                ErrorCode::Invalid,
                format!("Keep the reason under {MAX_REASON_CHARS} characters."),
            ));
        }
        let changed =
            db::review::change_phase(&self.db, review, current.phase, to, by.id, reason.clone())
                .await
                .map_err(unavailable)?;
        if !changed {
            return Err(AppError::new(
                ErrorCode::Invalid,
                "Someone else changed the phase meanwhile. Reload to see it.",
            ));
        }
        let detail = match reason {
            Some(reason) => format!(
                "{} to {} because {reason}",
                current.phase.as_str(),
                to.as_str()
            ),
            None => format!("{} to {}", current.phase.as_str(), to.as_str()),
        };
        self.audit
            .review_change(by, review, "phase_changed", detail)
            .await
    }

    async fn create(&self, by: &Caller, review: CheckedReview) -> Result<ReviewId, AppError> {
        let title = review.title.clone();
        let id = db::review::insert(
            &self.db,
            db::review::NewReview {
                title: review.title,
                host_authority: review.host_authority,
                review_type: review.review_type,
                phase: Phase::Scoping,
                scope: review.scope,
                on_site_start: review.on_site_start,
                on_site_end: review.on_site_end,
                headings: review.headings,
                facilitator: Some(by.id),
            },
        )
        .await
        .map_err(unavailable)?;
        self.audit
            .review_change(by, id, "review_created", title)
            .await?;
        Ok(id)
    }
}
