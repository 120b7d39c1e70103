//! The review service behind the `app` crate's review server functions.

use app::error::{AppError, ErrorCode};
use app::people::{Caller, PersonId, Role};
use app::review::{
    CheckedReview, KeyDates, Member, MyReview, Phase, ReviewId, ReviewOverview, ReviewService,
};

use crate::db::{self, Database, DbError};

/// Reviews stored in SurrealDB.
pub struct ReviewStore {
    db: Database,
    access: crate::access::AccessWatch,
}

impl ReviewStore {
    pub fn new(db: Database, access: crate::access::AccessWatch) -> Self {
        Self { db, access }
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
        self.record(by, id, "review_created", title).await?;
        Ok(id)
    }

    async fn update_member(
        &self,
        by: &Caller,
        review: ReviewId,
        person: PersonId,
        role: Role,
        pair: Option<i64>,
    ) -> Result<(), AppError> {
        if pair.is_some() && !role.is_peer_team() {
            return Err(AppError::invalid_field(
                "pair",
                "Only the peer team works in pairs: leave the pair empty for this role.",
            ));
        }
        let change = db::people::update_membership(&self.db, review, person, role, pair)
            .await
            .map_err(unavailable)?;
        let (was_role, was_pair) = changed(change)?;
        if was_role != role || was_pair != pair {
            self.access.changed(person, Some(review)).await;
        }
        let name = self.member_name(person).await?;
        if was_role != role {
            let detail = format!("{name}: {} to {}", was_role.as_str(), role.as_str());
            self.record(by, review, "role_changed", detail).await?;
        }
        if was_pair != pair {
            let show = |pair: Option<i64>| pair.map_or("none".to_string(), |p| p.to_string());
            let detail = format!("{name}: pair {} to {}", show(was_pair), show(pair));
            self.record(by, review, "pair_changed", detail).await?;
        }
        Ok(())
    }

    async fn remove_member(
        &self,
        by: &Caller,
        review: ReviewId,
        person: PersonId,
    ) -> Result<(), AppError> {
        let name = self.member_name(person).await?;
        let change = db::people::remove_membership(&self.db, review, person)
            .await
            .map_err(unavailable)?;
        let (was_role, _) = changed(change)?;
        self.access.changed(person, Some(review)).await;
        let detail = format!("{name} ({})", was_role.as_str());
        self.record(by, review, "member_removed", detail).await
    }
}

impl ReviewStore {
    async fn record(
        &self,
        by: &Caller,
        review: ReviewId,
        kind: &'static str,
        detail: String,
    ) -> Result<(), AppError> {
        db::people::record_audit(
            &self.db,
            db::people::AuditEntry {
                kind,
                actor: Some(by.id),
                review: Some(review),
                detail,
                address: None,
            },
        )
        .await
        .map_err(unavailable)
    }

    async fn member_name(&self, person: PersonId) -> Result<String, AppError> {
        Ok(db::people::person_name(&self.db, person)
            .await
            .map_err(unavailable)?
            .unwrap_or_else(|| "someone".to_string()))
    }
}

/// The member's role and pair before a change, or why there was no change.
fn changed(change: db::people::MembershipChange) -> Result<(Role, Option<i64>), AppError> {
    match change {
        db::people::MembershipChange::Changed { role, pair } => Ok((role, pair)),
        db::people::MembershipChange::NotMember => Err(AppError::new(
            ErrorCode::NotFound,
            "That person is not a member of this review (any more). Reload to see who is.",
        )),
        db::people::MembershipChange::LastFacilitator => Err(AppError::invalid_field(
            "role",
            "A review needs a facilitator: make someone else facilitator first.",
        )),
    }
}
