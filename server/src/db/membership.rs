//! Membership: who is on a review, in which role and pair, and the rule that a review never
//! loses its last facilitator.

use app::accounts::PersonId;
use app::review::ReviewId;
use surrealdb::types::{RecordId, RecordIdKey, SurrealValue};

use super::records::person_record;
use super::{Database, DbError};

/// Adds `person` to `review` with `role`, in `pair` when given.
pub async fn add_membership(
    db: &Database,
    review: ReviewId,
    person: PersonId,
    role: app::membership::Role,
    pair: Option<i64>,
) -> Result<(), DbError> {
    db.query(
        "CREATE membership SET review = $review, person = $person, role = $role, pair = $pair",
    )
    .bind((
        "review",
        RecordId::new("review", RecordIdKey::Uuid(review.0.into())),
    ))
    .bind(("person", person_record(person)))
    .bind(("role", role.as_str()))
    .bind(("pair", pair))
    .await?
    .check()?;
    Ok(())
}

/// `person`'s role in `review`, if they are a member.
pub async fn role_in(
    db: &Database,
    person: PersonId,
    review: ReviewId,
) -> Result<Option<app::membership::Role>, DbError> {
    let mut response = db
        .query(
            "SELECT VALUE role FROM membership WHERE person = $person AND review = $review LIMIT 1",
        )
        .bind(("person", person_record(person)))
        .bind(("review", super::records::review_record(review)))
        .await?;
    let role: Option<String> = response.take(0)?;
    role.map(|name| {
        app::membership::Role::parse(&name)
            .ok_or_else(|| DbError::Corrupt(format!("membership role {name:?}")))
    })
    .transpose()
}

/// A review's members with their roles and pairs.
#[derive(Debug, Clone, SurrealValue)]
pub struct MemberRow {
    pub person: uuid::Uuid,
    pub name: String,
    pub organisation: Option<String>,
    pub role: String,
    pub pair: Option<i64>,
}

pub async fn members(db: &Database, review: ReviewId) -> Result<Vec<MemberRow>, DbError> {
    let mut response = db
        .query(
            "SELECT record::id(person) AS person, person.name AS name,
                 person.organisation.name AS organisation, role, pair
             FROM membership WHERE review = $review",
        )
        .bind(("review", super::records::review_record(review)))
        .await?;
    Ok(response.take(0)?)
}

/// The email addresses of the review's members in any of `roles`: whom a mail goes to.
pub async fn emails_in(
    db: &Database,
    review: ReviewId,
    roles: &[app::membership::Role],
) -> Result<Vec<String>, DbError> {
    let roles: Vec<&str> = roles.iter().map(|role| role.as_str()).collect();
    let mut response = db
        .query(
            "SELECT VALUE person.email FROM membership
                 WHERE review = $review AND role IN $roles ORDER BY person.email",
        )
        .bind(("review", super::records::review_record(review)))
        .bind(("roles", roles))
        .await?;
    Ok(response.take(0)?)
}

/// One transaction that applies `change` to a membership unless the member is not there, or is
/// the review's last facilitator and `leaves_role` (an expression) says they would stop being one.
fn membership_change(leaves_role: &str, change: &str) -> String {
    format!(
        "BEGIN TRANSACTION;
         LET $member = (SELECT role, pair FROM ONLY membership
             WHERE review = $review AND person = $person LIMIT 1);
         LET $others = count(SELECT id FROM membership WHERE review = $review
             AND role = 'facilitator' AND person != $person);
         LET $outcome = IF $member = NONE {{ 'not_member' }}
             ELSE IF $member.role = 'facilitator' AND ({leaves_role}) AND $others = 0
                 {{ 'last_facilitator' }}
             ELSE {{
                 {change}
                 'changed'
             }};
         COMMIT TRANSACTION;
         RETURN {{ outcome: $outcome, role: $member.role, pair: $member.pair }};"
    )
}

/// Changes a member's role and pair, unless that would leave the review without a facilitator.
pub async fn update_membership(
    db: &Database,
    review: ReviewId,
    person: PersonId,
    role: app::membership::Role,
    pair: Option<i64>,
) -> Result<MembershipChange, DbError> {
    let mut response = db
        .query(membership_change(
            "$role != 'facilitator'",
            "UPDATE membership SET role = $role, pair = $pair
                 WHERE review = $review AND person = $person;",
        ))
        .bind(("review", super::records::review_record(review)))
        .bind(("person", person_record(person)))
        .bind(("role", role.as_str()))
        .bind(("pair", pair))
        .await?;
    let index = response.num_statements() - 1;
    let outcome: Option<MembershipOutcome> = response.take(index)?;
    MembershipChange::from_outcome(outcome)
}

/// Removes a member, unless they are the review's last facilitator.
pub async fn remove_membership(
    db: &Database,
    review: ReviewId,
    person: PersonId,
) -> Result<MembershipChange, DbError> {
    let mut response = db
        .query(membership_change(
            "true",
            "DELETE membership WHERE review = $review AND person = $person;",
        ))
        .bind(("review", super::records::review_record(review)))
        .bind(("person", person_record(person)))
        .await?;
    let index = response.num_statements() - 1;
    let outcome: Option<MembershipOutcome> = response.take(index)?;
    MembershipChange::from_outcome(outcome)
}

#[derive(Debug, SurrealValue)]
struct MembershipOutcome {
    outcome: String,
    role: Option<String>,
    pair: Option<i64>,
}

/// What a change to a membership came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MembershipChange {
    /// Done; the member's role and pair before it.
    Changed {
        role: app::membership::Role,
        pair: Option<i64>,
    },
    NotMember,
    /// Refused: the review would have no facilitator.
    LastFacilitator,
}

impl MembershipChange {
    fn from_outcome(outcome: Option<MembershipOutcome>) -> Result<Self, DbError> {
        let outcome = outcome
            .ok_or_else(|| DbError::Corrupt("a membership change returned nothing".into()))?;
        match outcome.outcome.as_str() {
            "not_member" => Ok(Self::NotMember),
            "last_facilitator" => Ok(Self::LastFacilitator),
            "changed" => {
                let role = outcome
                    .role
                    .as_deref()
                    .and_then(app::membership::Role::parse);
                let role = role.ok_or_else(|| {
                    DbError::Corrupt(format!("membership role {:?}", outcome.role))
                })?;
                Ok(Self::Changed {
                    role,
                    pair: outcome.pair,
                })
            }
            other => Err(DbError::Corrupt(format!("membership outcome {other:?}"))),
        }
    }
}

/// `person`'s pair in `review`, if they are a member in one.
pub async fn pair_in(
    db: &Database,
    person: PersonId,
    review: ReviewId,
) -> Result<Option<i64>, DbError> {
    let mut response = db
        .query(
            "SELECT VALUE pair FROM membership WHERE person = $person AND review = $review LIMIT 1",
        )
        .bind(("person", person_record(person)))
        .bind(("review", super::records::review_record(review)))
        .await?;
    let pair: Option<Option<i64>> = response.take(0)?;
    Ok(pair.flatten())
}

#[derive(Debug, SurrealValue)]
pub struct MemberAddress {
    pub person: uuid::Uuid,
    pub email: String,
    pub role: String,
}

/// The address and role of each member of `review` among `people`.
pub async fn addresses_of(
    db: &Database,
    review: ReviewId,
    people: &[app::accounts::PersonId],
) -> Result<Vec<MemberAddress>, DbError> {
    let people: Vec<surrealdb::types::RecordId> = people
        .iter()
        .map(|person| super::records::person_record(*person))
        .collect();
    let mut response = db
        .query(
            "SELECT record::id(person) AS person, person.email AS email, role FROM membership
                 WHERE review = $review AND person IN $people",
        )
        .bind(("review", super::records::review_record(review)))
        .bind(("people", people))
        .await?;
    Ok(response.take(0)?)
}
