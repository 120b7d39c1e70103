//! The one authorization check, and the service that says who is on a review.

#[cfg(feature = "ssr")]
use crate::accounts::{Caller, require_caller};
use crate::error::AppError;
use crate::review::ReviewId;
use leptos::prelude::*;

/// Who is on a review, in which role and pair.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait MembershipService: Send + Sync {
    /// The caller's role in `review`, if they are a member of it.
    async fn role_in(
        &self,
        person: crate::accounts::PersonId,
        review: crate::review::ReviewId,
    ) -> Result<Option<crate::membership::Role>, AppError>;

    /// The person's role in `review` and the review's programme, if they are a member of it.
    async fn role_and_programme(
        &self,
        person: crate::accounts::PersonId,
        review: crate::review::ReviewId,
    ) -> Result<Option<(crate::membership::Role, crate::review::ReviewType)>, AppError>;

    /// The person's interview pair in `review`, if they are in one.
    async fn pair_in(
        &self,
        person: crate::accounts::PersonId,
        review: crate::review::ReviewId,
    ) -> Result<Option<i64>, AppError>;

    /// Changes a member's role and pair. The last facilitator cannot stop being one; only the
    /// peer team has pairs.
    async fn update_member(
        &self,
        by: &crate::accounts::Caller,
        review: ReviewId,
        person: crate::accounts::PersonId,
        role: crate::membership::Role,
        pair: Option<i64>,
    ) -> Result<(), AppError>;

    /// Takes a member off the review (not the last facilitator).
    async fn remove_member(
        &self,
        by: &crate::accounts::Caller,
        review: ReviewId,
        person: crate::accounts::PersonId,
    ) -> Result<(), AppError>;
}

/// The answer for a review the caller is not a member of: the same as for one that does not
/// exist, so that membership cannot be probed.
pub fn not_a_member() -> AppError {
    AppError::new(
        crate::error::ErrorCode::NotFound,
        "There is no such review, or you are not a member of it.",
    )
}
/// The one authorization check: the caller must be signed in, a member of `review`, and in a
/// role that the table in `authz.rs` allows `action`. Returns the caller and their role.
#[cfg(feature = "ssr")]
pub async fn authorize(
    review: crate::review::ReviewId,
    action: crate::membership::Action,
) -> Result<(Caller, crate::membership::Role), AppError> {
    let caller = require_caller()?;
    let services = crate::services::service::<dyn crate::membership::MembershipService>()?;
    let role = authorize_person(services.as_ref(), caller.id, review, action).await?;
    Ok((caller, role))
}
/// The same check for a known person, for callers outside a page or server function (the
/// wall's websocket checks every message with it).
#[cfg(feature = "ssr")]
pub async fn authorize_person(
    membership: &dyn MembershipService,
    person: crate::accounts::PersonId,
    review: crate::review::ReviewId,
    action: crate::membership::Action,
) -> Result<crate::membership::Role, AppError> {
    let role = membership
        .role_in(person, review)
        .await?
        .ok_or_else(not_a_member)?;
    if crate::membership::allows(role, action) {
        Ok(role)
    } else {
        Err(crate::membership::forbidden(role))
    }
}

/// The caller, their role in `review` and the review's programme, for a check that depends on
/// the programme (`allows_in`); the not-a-member refusal for anyone else.
#[cfg(feature = "ssr")]
pub async fn member_in(
    review: crate::review::ReviewId,
) -> Result<(Caller, crate::membership::Role, crate::review::ReviewType), AppError> {
    let caller = require_caller()?;
    let membership = crate::services::service::<dyn crate::membership::MembershipService>()?;
    let (role, programme) = membership
        .role_and_programme(caller.id, review)
        .await?
        .ok_or_else(not_a_member)?;
    Ok((caller, role, programme))
}

/// The refusal for a role the review's programme does not have.
pub fn not_in_programme(role: crate::membership::Role) -> AppError {
    AppError::invalid_field(
        "role",
        format!(
            "A {} is only part of a Peer Collaborative Improvement, where the host council \
             takes part in the fieldwork.",
            role.label().to_lowercase()
        ),
    )
}

/// Changes a member's role and pair (facilitator only). `pair` is empty for none.
#[server(prefix = "/api", endpoint = "update_member")]
pub async fn update_member(
    review: ReviewId,
    person: crate::accounts::PersonId,
    role: crate::membership::Role,
    pair: String,
) -> Result<(), AppError> {
    use crate::membership::{Action, allows_in, forbidden, member_in, not_in_programme};
    crate::error::respond(async {
        let (caller, mine, programme) = member_in(review).await?;
        if !allows_in(programme, mine, Action::ManageMembers) {
            return Err(forbidden(mine));
        }
        if !role.exists_in(programme) {
            return Err(not_in_programme(role));
        }
        let pair = crate::review::parse_pair(&pair)?;
        let services = crate::services::service::<dyn crate::membership::MembershipService>()?;
        services
            .update_member(&caller, review, person, role, pair)
            .await
    })
    .await
}

/// Takes a member off a review (facilitator only).
#[server(prefix = "/api", endpoint = "remove_member")]
pub async fn remove_member(
    review: ReviewId,
    person: crate::accounts::PersonId,
) -> Result<(), AppError> {
    use crate::membership::{Action, authorize};
    crate::error::respond(async {
        let (caller, _) = authorize(review, Action::ManageMembers).await?;
        let services = crate::services::service::<dyn crate::membership::MembershipService>()?;
        services.remove_member(&caller, review, person).await
    })
    .await
}
