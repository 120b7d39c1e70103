//! Invitations to a review, and phase changes.

use app::accounts::PersonId;
use app::membership::Role;
use app::review::ReviewId;
use chrono::{DateTime, Utc};
use surrealdb::types::SurrealValue;

use super::records::{person_record, review_record};
use super::{Database, DbError};

/// An invitation to create.
#[derive(Debug, Clone)]
pub struct NewInvitation {
    pub token_hash: String,
    /// None for an administrator's invitation to open a facilitator account.
    pub review: Option<ReviewId>,
    pub role: Role,
    pub email: String,
    pub invited_by: PersonId,
    pub expires_at: DateTime<Utc>,
}

/// A stored invitation with what the invitee needs to see.
#[derive(Debug, Clone, SurrealValue)]
pub struct InvitationRow {
    pub review: Option<uuid::Uuid>,
    pub review_title: Option<String>,
    pub host_authority: Option<String>,
    pub role: String,
    pub email: String,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
}

/// Stores the invitation and, when mail is on, queues its mail in the same transaction: the
/// invitation exists exactly when its mail will go.
pub async fn create(
    db: &Database,
    invitation: NewInvitation,
    mail: Option<super::outbox::NewMail>,
) -> Result<(), DbError> {
    super::outbox::with_mail(
        db,
        "CREATE invitation SET token_hash = $hash, review = $review, role = $role,
             email = $email, invited_by = $by, created_at = time::now(), expires_at = $expires;",
        mail,
    )
    .bind(("hash", invitation.token_hash))
    .bind(("review", invitation.review.map(review_record)))
    .bind(("role", invitation.role.as_str()))
    .bind(("email", invitation.email))
    .bind(("by", person_record(invitation.invited_by)))
    .bind(("expires", invitation.expires_at))
    .await?
    .check()?;
    Ok(())
}

pub(super) const INVITATION_FIELDS: &str =
    "(IF review != NONE THEN record::id(review) END) AS review,
    review.title AS review_title,
    review.host.name AS host_authority, role, email, expires_at, used_at";

pub async fn find(db: &Database, token_hash: &str) -> Result<Option<InvitationRow>, DbError> {
    let mut response = db
        .query(format!(
            "SELECT {INVITATION_FIELDS} FROM invitation WHERE token_hash = $hash LIMIT 1"
        ))
        .bind(("hash", token_hash.to_string()))
        .await?;
    Ok(response.take(0)?)
}

/// Marks the invitation used if it is neither used nor expired, atomically: of two people
/// racing with one link, exactly one gets the row back.
pub async fn claim(db: &Database, token_hash: &str) -> Result<Option<InvitationRow>, DbError> {
    let mut response = db
        .query(format!(
            "UPDATE invitation SET used_at = time::now()
                 WHERE token_hash = $hash AND used_at = NONE AND expires_at > time::now()
                 RETURN {INVITATION_FIELDS}"
        ))
        .bind(("hash", token_hash.to_string()))
        .await?;
    let rows: Vec<InvitationRow> = response.take(0)?;
    Ok(rows.into_iter().next())
}
