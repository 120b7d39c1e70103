//! Sign-in with the organisation's account: attempts under way, linked organisation accounts
//! (`external_identity`) and links waiting for a password sign-in (`oidc_link`).

use app::accounts::PersonId;
use chrono::{DateTime, Utc};
use surrealdb::types::SurrealValue;

use super::invitations::InvitationRow;
use super::records::person_record;
use super::{Database, DbError};

/// A sign-in under way, as the callback needs it.
#[derive(Debug, Clone, SurrealValue)]
pub struct Attempt {
    pub binding_hash: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub next: String,
    pub expires_at: DateTime<Utc>,
}

/// Stores a sign-in under way, and clears away those whose time has passed.
pub async fn begin(db: &Database, state_hash: String, attempt: Attempt) -> Result<(), DbError> {
    db.query(
        "DELETE oidc_attempt WHERE expires_at < time::now();
         CREATE oidc_attempt SET state_hash = $state, binding_hash = $binding, nonce = $nonce,
             pkce_verifier = $verifier, next = $next, expires_at = $expires;",
    )
    .bind(("state", state_hash))
    .bind(("binding", attempt.binding_hash))
    .bind(("nonce", attempt.nonce))
    .bind(("verifier", attempt.pkce_verifier))
    .bind(("next", attempt.next))
    .bind(("expires", attempt.expires_at))
    .await?
    .check()?;
    Ok(())
}

/// Takes the attempt `state_hash` names: of two callbacks with one `state`, exactly one gets
/// it, and then it is gone.
pub async fn take(db: &Database, state_hash: &str) -> Result<Option<Attempt>, DbError> {
    let mut response = db
        .query(
            "SELECT binding_hash, nonce, pkce_verifier, next, expires_at
                 FROM (DELETE oidc_attempt WHERE state_hash = $state RETURN BEFORE)",
        )
        .bind(("state", state_hash.to_string()))
        .await?;
    let rows: Vec<Attempt> = response.take(0)?;
    Ok(rows.into_iter().next())
}

/// The person an organisation account signs in, noting that it was used.
pub async fn person_of(
    db: &Database,
    issuer: &str,
    subject: &str,
    email: &str,
) -> Result<Option<PersonId>, DbError> {
    let mut response = db
        .query(
            "UPDATE external_identity SET last_used_at = time::now(), email = $email
                 WHERE issuer = $issuer AND subject = $subject
                 RETURN VALUE record::id(person)",
        )
        .bind(("issuer", issuer.to_string()))
        .bind(("subject", subject.to_string()))
        .bind(("email", email.to_string()))
        .await?;
    let people: Vec<uuid::Uuid> = response.take(0)?;
    Ok(people.into_iter().next().map(PersonId))
}

/// An organisation account, as linked to a person.
#[derive(Debug, Clone)]
pub struct Identity {
    pub issuer: String,
    pub subject: String,
    pub email: String,
}

/// Links an organisation account to `person`; `false` if it already signs someone in.
pub async fn link(db: &Database, person: PersonId, identity: Identity) -> Result<bool, DbError> {
    let result = db
        .query(
            "CREATE external_identity SET issuer = $issuer, subject = $subject, person = $person,
                 email = $email, linked_at = time::now(), last_used_at = time::now()",
        )
        .bind(("issuer", identity.issuer))
        .bind(("subject", identity.subject))
        .bind(("person", person_record(person)))
        .bind(("email", identity.email))
        .await?
        .check();
    match result {
        Ok(_) => Ok(true),
        Err(error) if error.is_already_exists() => Ok(false),
        Err(error) => Err(error.into()),
    }
}

/// An organisation account as a person's data export gives it.
#[derive(Debug, Clone, SurrealValue, serde::Serialize)]
pub struct HeldIdentity {
    pub issuer: String,
    pub subject: String,
    pub email: String,
    pub linked_at: DateTime<Utc>,
    pub last_used_at: DateTime<Utc>,
}

/// A person's organisation accounts (for their data export), oldest first.
pub async fn identities_of(db: &Database, person: PersonId) -> Result<Vec<HeldIdentity>, DbError> {
    let mut response = db
        .query(
            "SELECT issuer, subject, email, linked_at, last_used_at FROM external_identity
                 WHERE person = $person ORDER BY linked_at",
        )
        .bind(("person", person_record(person)))
        .await?;
    Ok(response.take(0)?)
}

/// Stores an organisation account waiting to be linked to `person`'s password account.
pub async fn offer_link(
    db: &Database,
    token_hash: String,
    person: PersonId,
    identity: Identity,
    expires_at: DateTime<Utc>,
) -> Result<(), DbError> {
    db.query(
        "DELETE oidc_link WHERE expires_at < time::now() OR person = $person;
         CREATE oidc_link SET token_hash = $link_hash, person = $person, issuer = $issuer,
             subject = $subject, email = $email, expires_at = $expires;",
    )
    .bind(("link_hash", token_hash))
    .bind(("person", person_record(person)))
    .bind(("issuer", identity.issuer))
    .bind(("subject", identity.subject))
    .bind(("email", identity.email))
    .bind(("expires", expires_at))
    .await?
    .check()?;
    Ok(())
}

/// A link waiting for a password sign-in.
#[derive(Debug, Clone, SurrealValue)]
pub struct OfferedLink {
    pub person: uuid::Uuid,
    pub issuer: String,
    pub subject: String,
    pub email: String,
}

/// The link `token_hash` names, if it is still good.
pub async fn offered_link(db: &Database, token_hash: &str) -> Result<Option<OfferedLink>, DbError> {
    let mut response = db
        .query(
            "SELECT record::id(person) AS person, issuer, subject, email FROM oidc_link
                 WHERE token_hash = $link_hash AND expires_at > time::now() LIMIT 1",
        )
        .bind(("link_hash", token_hash.to_string()))
        .await?;
    Ok(response.take(0)?)
}

/// Takes the link `token_hash` names if it is still good and waits for `person`.
pub async fn take_link(
    db: &Database,
    token_hash: &str,
    person: PersonId,
) -> Result<Option<OfferedLink>, DbError> {
    let mut response = db
        .query(
            "SELECT record::id(person) AS person, issuer, subject, email
                 FROM (DELETE oidc_link WHERE token_hash = $link_hash AND person = $person
                     AND expires_at > time::now() RETURN BEFORE)",
        )
        .bind(("link_hash", token_hash.to_string()))
        .bind(("person", person_record(person)))
        .await?;
    let rows: Vec<OfferedLink> = response.take(0)?;
    Ok(rows.into_iter().next())
}

/// Whether an invitation waits for `email` (unused, in time).
pub async fn invited(db: &Database, email: &str) -> Result<bool, DbError> {
    let mut response = db
        .query(
            "SELECT VALUE id FROM invitation WHERE email = $email AND used_at = NONE
                 AND expires_at > time::now() LIMIT 1",
        )
        .bind(("email", email.to_string()))
        .await?;
    let rows: Vec<surrealdb::types::RecordId> = response.take(0)?;
    Ok(!rows.is_empty())
}

/// Marks every invitation waiting for `email` used, atomically, and returns them: a first
/// sign-in with the organisation's account accepts them all.
pub async fn claim_invitations(db: &Database, email: &str) -> Result<Vec<InvitationRow>, DbError> {
    let mut response = db
        .query(format!(
            "UPDATE invitation SET used_at = time::now()
                 WHERE email = $email AND used_at = NONE AND expires_at > time::now()
                 RETURN {}",
            super::invitations::INVITATION_FIELDS
        ))
        .bind(("email", email.to_string()))
        .await?;
    Ok(response.take(0)?)
}
