//! The review service behind the `app` crate's review server functions.

use app::error::{AppError, ErrorCode};
use app::people::{Caller, PersonId, Role};
use app::review::{KeyDates, Member, MyReview, Phase, ReviewId, ReviewOverview, ReviewService};

use crate::db::{self, Database, DbError};

/// Reviews stored in SurrealDB.
pub struct ReviewStore {
    db: Database,
}

impl ReviewStore {
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

fn unavailable(error: DbError) -> AppError {
    tracing::error!(%error, "review service");
    AppError::unavailable("The review could not be loaded just now. Please try again.")
}

#[async_trait::async_trait]
impl ReviewService for ReviewStore {
    async fn list_for(&self, person: PersonId) -> Result<Vec<MyReview>, AppError> {
        db::review::list_for_person(&self.db, person)
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
        let mut members: Vec<Member> = db::people::members(&self.db, review)
            .await
            .map_err(unavailable)?
            .into_iter()
            .filter_map(|row| {
                Some(Member {
                    role: Role::parse(&row.role)?,
                    name: row.name,
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
        let key_dates = KeyDates::from_visit(summary.on_site_start, summary.on_site_end);
        Ok(Some(ReviewOverview {
            summary,
            my_role: role,
            members,
            shows_pairs: include_pairs,
            key_dates,
        }))
    }

    async fn change_phase(&self, by: &Caller, review: ReviewId, to: Phase) -> Result<(), AppError> {
        let current = db::review::get_summary(&self.db, review)
            .await
            .map_err(unavailable)?
            .ok_or_else(app::people::not_a_member)?;
        if current.phase == to {
            return Err(AppError::new(
                ErrorCode::Invalid,
                format!("The review is already in the {} phase.", to.label()),
            ));
        }
        let changed = db::invitation::change_phase(&self.db, review, current.phase, to, by.id)
            .await
            .map_err(unavailable)?;
        if !changed {
            return Err(AppError::new(
                ErrorCode::Invalid,
                "Someone else changed the phase meanwhile. Reload to see it.",
            ));
        }
        db::people::record_audit(
            &self.db,
            db::people::AuditEntry {
                kind: "phase_changed",
                actor: Some(by.id),
                review: Some(review),
                detail: format!("{} to {}", current.phase.as_str(), to.as_str()),
                address: None,
            },
        )
        .await
        .map_err(unavailable)?;
        Ok(())
    }
}
