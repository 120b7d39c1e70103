//! The membership service: who is on a review, in which role and pair; changes to either reach
//! the person's open sockets at once and are audited; a review never loses its last facilitator.

use app::accounts::{Caller, PersonId};
use app::error::{AppError, ErrorCode};
use app::membership::{MembershipService, Role};
use app::review::ReviewId;

use crate::audit::AuditTrail;
use crate::db::{self, Database, DbError};

/// The person's role in `review` and the review itself, or the not-a-member refusal (a review
/// someone is not on does not exist for them): what a service needs before a programme-aware
/// role check (`app::membership::allows_in`).
pub async fn member_of(
    membership: &dyn MembershipService,
    reviews: &dyn app::review::ReviewService,
    person: PersonId,
    review: ReviewId,
) -> Result<(Role, app::review::ReviewSummary), AppError> {
    let role = membership
        .role_in(person, review)
        .await?
        .ok_or_else(app::membership::not_a_member)?;
    let summary = reviews
        .summary(review)
        .await?
        .ok_or_else(app::membership::not_a_member)?;
    Ok((role, summary))
}

/// Who is asking about a review, checked: their role in it, and the review's programme, visit
/// days and title, for a programme-aware role check (`may`, `must`). The timetable, the pack and
/// the data all start from one.
#[derive(Debug, Clone)]
pub struct ReviewCaller {
    pub caller: Caller,
    pub role: Role,
    pub programme: app::review::ReviewType,
    pub visit: (chrono::NaiveDate, chrono::NaiveDate),
    pub title: String,
}

impl ReviewCaller {
    pub fn may(&self, action: app::membership::Action) -> bool {
        app::membership::allows_in(self.programme, self.role, action)
    }

    pub fn must(&self, action: app::membership::Action) -> Result<(), AppError> {
        if self.may(action) {
            Ok(())
        } else {
            Err(app::membership::forbidden(self.role))
        }
    }
}

/// The door to a review for the services that start from a checked caller (the timetable, the
/// pack, the data): membership and the review, asked together.
#[derive(Clone)]
pub struct ReviewDoor {
    membership: std::sync::Arc<dyn MembershipService>,
    reviews: std::sync::Arc<dyn app::review::ReviewService>,
}

impl ReviewDoor {
    pub fn new(
        membership: std::sync::Arc<dyn MembershipService>,
        reviews: std::sync::Arc<dyn app::review::ReviewService>,
    ) -> Self {
        Self {
            membership,
            reviews,
        }
    }

    /// `caller` checked as a member of `review` (the not-a-member refusal otherwise).
    pub async fn caller_in(
        &self,
        caller: Caller,
        review: ReviewId,
    ) -> Result<ReviewCaller, AppError> {
        let (role, summary) = member_of(
            self.membership.as_ref(),
            self.reviews.as_ref(),
            caller.id,
            review,
        )
        .await?;
        Ok(ReviewCaller {
            caller,
            role,
            programme: summary.review_type,
            visit: (summary.on_site_start, summary.on_site_end),
            title: summary.title,
        })
    }

    /// The signed-in caller of this request, checked as a member of `review`.
    pub async fn caller(&self, review: ReviewId) -> Result<ReviewCaller, AppError> {
        let caller = app::accounts::require_caller()?;
        self.caller_in(caller, review).await
    }
}

/// Memberships in SurrealDB.
pub struct Memberships {
    db: Database,
    access: crate::access::AccessWatch,
    audit: AuditTrail,
}

fn unavailable(error: DbError) -> AppError {
    tracing::error!(%error, "membership service");
    AppError::unavailable(
        "The review's members could not be read or changed just now. Please try again.",
    )
}

impl Memberships {
    pub fn new(db: Database, access: crate::access::AccessWatch, audit: AuditTrail) -> Self {
        Self { db, access, audit }
    }

    /// Adds `person` to `review` in `role` unless they are already a member; whether they were
    /// added.
    pub async fn join(
        &self,
        review: ReviewId,
        person: PersonId,
        role: Role,
    ) -> Result<bool, AppError> {
        let already = db::membership::role_in(&self.db, person, review)
            .await
            .map_err(unavailable)?;
        if already.is_some() {
            return Ok(false);
        }
        db::membership::add_membership(&self.db, review, person, role, None)
            .await
            .map_err(unavailable)?;
        Ok(true)
    }

    async fn member_name(&self, person: PersonId) -> Result<String, AppError> {
        Ok(db::accounts::person_name(&self.db, person)
            .await
            .map_err(unavailable)?
            .unwrap_or_else(|| "someone".to_string()))
    }
}

#[async_trait::async_trait]
impl MembershipService for Memberships {
    async fn role_in(&self, person: PersonId, review: ReviewId) -> Result<Option<Role>, AppError> {
        db::membership::role_in(&self.db, person, review)
            .await
            .map_err(unavailable)
    }

    async fn role_and_programme(
        &self,
        person: PersonId,
        review: ReviewId,
    ) -> Result<Option<(Role, app::review::ReviewType)>, AppError> {
        let Some(role) = self.role_in(person, review).await? else {
            return Ok(None);
        };
        let summary = db::review::get_summary(&self.db, review)
            .await
            .map_err(unavailable)?;
        Ok(summary.map(|summary| (role, summary.review_type)))
    }

    async fn pair_in(&self, person: PersonId, review: ReviewId) -> Result<Option<i64>, AppError> {
        db::membership::pair_in(&self.db, person, review)
            .await
            .map_err(unavailable)
    }

    async fn update_member(
        &self,
        by: &Caller,
        review: ReviewId,
        person: PersonId,
        role: Role,
        pair: Option<i64>,
    ) -> Result<(), AppError> {
        if pair.is_some() && !role.does_fieldwork() {
            return Err(AppError::invalid_field(
                "pair",
                "Only the people doing the fieldwork work in pairs: leave the pair empty for this role.",
            ));
        }
        let change = db::membership::update_membership(&self.db, review, person, role, pair)
            .await
            .map_err(unavailable)?;
        let (was_role, was_pair) = changed(change)?;
        if was_role != role || was_pair != pair {
            self.access.changed(person, Some(review)).await;
        }
        let name = self.member_name(person).await?;
        if was_role != role {
            let detail = format!("{name}: {} to {}", was_role.as_str(), role.as_str());
            self.audit
                .review_change(by, review, "role_changed", detail)
                .await?;
        }
        if was_pair != pair {
            let show = |pair: Option<i64>| pair.map_or("none".to_string(), |p| p.to_string());
            let detail = format!("{name}: pair {} to {}", show(was_pair), show(pair));
            self.audit
                .review_change(by, review, "pair_changed", detail)
                .await?;
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
        let change = db::membership::remove_membership(&self.db, review, person)
            .await
            .map_err(unavailable)?;
        let (was_role, _) = changed(change)?;
        self.access.changed(person, Some(review)).await;
        let detail = format!("{name} ({})", was_role.as_str());
        self.audit
            .review_change(by, review, "member_removed", detail)
            .await
    }
}

/// The member's role and pair before a change, or why there was no change.
fn changed(change: db::membership::MembershipChange) -> Result<(Role, Option<i64>), AppError> {
    match change {
        db::membership::MembershipChange::Changed { role, pair } => Ok((role, pair)),
        db::membership::MembershipChange::NotMember => Err(AppError::new(
            ErrorCode::NotFound,
            "That person is not a member of this review (any more). Reload to see who is.",
        )),
        db::membership::MembershipChange::LastFacilitator => Err(AppError::invalid_field(
            "role",
            "A review needs a facilitator: make someone else facilitator first.",
        )),
    }
}
