//! Accounts: people, their sessions, passwords and reset links.

use app::accounts::PersonId;
use chrono::{DateTime, Utc};
use surrealdb::types::SurrealValue;

use super::records::person_record;
use super::{Database, DbError};

/// A stored account.
#[derive(Debug, Clone, SurrealValue)]
pub struct PersonRow {
    pub id: uuid::Uuid,
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub is_admin: bool,
    pub may_create_reviews: bool,
    pub organisation: Option<String>,
    pub failed_sign_ins: i64,
    pub locked_until: Option<DateTime<Utc>>,
}

impl PersonRow {
    /// The person as the app knows a signed-in caller.
    pub fn caller(&self) -> app::accounts::Caller {
        app::accounts::Caller {
            id: PersonId(self.id),
            name: self.name.clone(),
            email: self.email.clone(),
            is_admin: self.is_admin,
            may_create_reviews: self.may_create_reviews,
            organisation: self
                .organisation
                .clone()
                .map(app::organisations::OrganisationId),
        }
    }
}

/// An account to create.
#[derive(Debug, Clone)]
pub struct NewPerson {
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub is_admin: bool,
    pub may_create_reviews: bool,
}

/// A stored session with the person it belongs to.
#[derive(Debug, Clone, SurrealValue)]
pub struct SessionRow {
    pub person_id: uuid::Uuid,
    pub email: String,
    pub name: String,
    pub is_admin: bool,
    pub may_create_reviews: bool,
    pub organisation: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    pub revoked: bool,
}

/// A person's account, with its organisation as a bare id or NONE.
const PERSON_FIELDS: &str = "record::id(id) AS id, email, name, password_hash, is_admin,
    may_create_reviews, (IF organisation != NONE THEN <string> record::id(organisation) END)
    AS organisation, failed_sign_ins, locked_until";

pub async fn find_person_by_email(
    db: &Database,
    email: &str,
) -> Result<Option<PersonRow>, DbError> {
    let mut response = db
        .query(format!(
            "SELECT {PERSON_FIELDS} FROM person WHERE email = $email LIMIT 1"
        ))
        .bind(("email", email.to_string()))
        .await?;
    Ok(response.take(0)?)
}

pub async fn find_person(db: &Database, person: PersonId) -> Result<Option<PersonRow>, DbError> {
    let mut response = db
        .query(format!("SELECT {PERSON_FIELDS} FROM ONLY $person"))
        .bind(("person", person_record(person)))
        .await?;
    Ok(response.take(0)?)
}

/// Creates an account; `None` when the email address is already taken.
pub async fn create_person(db: &Database, person: NewPerson) -> Result<Option<PersonId>, DbError> {
    if find_person_by_email(db, &person.email).await?.is_some() {
        return Ok(None);
    }
    let id = PersonId(uuid::Uuid::new_v4());
    let result = db
        .query(
            "CREATE $person SET email = $email, name = $name, password_hash = $password_hash,
                 is_admin = $is_admin, may_create_reviews = $may_create_reviews",
        )
        .bind(("person", person_record(id)))
        .bind(("email", person.email))
        .bind(("name", person.name))
        .bind(("password_hash", person.password_hash))
        .bind(("is_admin", person.is_admin))
        .bind(("may_create_reviews", person.may_create_reviews))
        .await?
        .check();
    match result {
        Ok(_) => Ok(Some(id)),
        // Another request took the address between our check and our write.
        Err(error) if error.is_already_exists() => Ok(None),
        Err(error) => Err(error.into()),
    }
}

/// Clears the failure count and any lock after a successful sign-in.
pub async fn clear_failed_sign_ins(db: &Database, id: PersonId) -> Result<(), DbError> {
    db.query("UPDATE $person SET failed_sign_ins = 0, locked_until = NONE")
        .bind(("person", person_record(id)))
        .await?
        .check()?;
    Ok(())
}

pub async fn create_session(
    db: &Database,
    person: PersonId,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    db.query(
        "CREATE session SET token_hash = $hash, person = $person, created_at = $now,
                 last_seen = $now",
    )
    .bind(("hash", token_hash.to_string()))
    .bind(("person", person_record(person)))
    .bind(("now", now))
    .await?
    .check()?;
    Ok(())
}

pub async fn find_session(db: &Database, token_hash: &str) -> Result<Option<SessionRow>, DbError> {
    let mut response = db
        .query(
            "SELECT record::id(person) AS person_id, person.email AS email, person.name AS name,
                 person.is_admin AS is_admin, person.may_create_reviews AS may_create_reviews,
                 (IF person.organisation != NONE THEN <string> record::id(person.organisation) END)
                     AS organisation,
                 created_at, last_seen, revoked
             FROM session WHERE token_hash = $hash LIMIT 1",
        )
        .bind(("hash", token_hash.to_string()))
        .await?;
    Ok(response.take(0)?)
}

pub async fn touch_session(
    db: &Database,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    db.query("UPDATE session SET last_seen = $now WHERE token_hash = $hash")
        .bind(("hash", token_hash.to_string()))
        .bind(("now", now))
        .await?
        .check()?;
    Ok(())
}

pub async fn revoke_session(db: &Database, token_hash: &str) -> Result<(), DbError> {
    db.query("UPDATE session SET revoked = true WHERE token_hash = $hash")
        .bind(("hash", token_hash.to_string()))
        .await?
        .check()?;
    Ok(())
}

pub async fn password_hash(db: &Database, person: PersonId) -> Result<Option<String>, DbError> {
    let mut response = db
        .query("SELECT VALUE password_hash FROM $person")
        .bind(("person", person_record(person)))
        .await?;
    Ok(response.take(0)?)
}

pub async fn set_password(db: &Database, person: PersonId, hash: String) -> Result<(), DbError> {
    db.query("UPDATE $person SET password_hash = $hash")
        .bind(("person", person_record(person)))
        .bind(("hash", hash))
        .await?
        .check()?;
    Ok(())
}

/// Revokes every session of `person` but the one whose key is `keep`.
pub async fn revoke_other_sessions(
    db: &Database,
    person: PersonId,
    keep: &str,
) -> Result<(), DbError> {
    db.query("UPDATE session SET revoked = true WHERE person = $person AND token_hash != $keep")
        .bind(("person", person_record(person)))
        .bind(("keep", keep.to_string()))
        .await?
        .check()?;
    Ok(())
}

/// Stores a one-time password reset for `person`, issued by `by`, and, when mail is on, queues
/// its mail in the same transaction.
pub async fn create_password_reset(
    db: &Database,
    person: PersonId,
    by: PersonId,
    token_hash: &str,
    expires_at: DateTime<Utc>,
    mail: Option<super::outbox::NewMail>,
) -> Result<(), DbError> {
    super::outbox::with_mail(
        db,
        "CREATE password_reset SET token_hash = $hash, person = $person, issued_by = $by,
             created_at = time::now(), expires_at = $expires;",
        mail,
    )
    .bind(("hash", token_hash.to_string()))
    .bind(("person", person_record(person)))
    .bind(("by", person_record(by)))
    .bind(("expires", expires_at))
    .await?
    .check()?;
    Ok(())
}

/// Uses up a reset if it is neither used nor expired, atomically; returns whose it was.
pub async fn claim_password_reset(
    db: &Database,
    token_hash: &str,
) -> Result<Option<PersonId>, DbError> {
    let mut response = db
        .query(
            "UPDATE password_reset SET used_at = time::now()
                 WHERE token_hash = $hash AND used_at = NONE AND expires_at > time::now()
                 RETURN VALUE record::id(person)",
        )
        .bind(("hash", token_hash.to_string()))
        .await?;
    let people: Vec<uuid::Uuid> = response.take(0)?;
    Ok(people.into_iter().next().map(PersonId))
}

/// Revokes every session of `person`.
pub async fn revoke_all_sessions(db: &Database, person: PersonId) -> Result<(), DbError> {
    db.query("UPDATE session SET revoked = true WHERE person = $person")
        .bind(("person", person_record(person)))
        .await?
        .check()?;
    Ok(())
}

/// Makes `person` a facilitator account, which may create reviews.
pub async fn allow_creating_reviews(db: &Database, person: PersonId) -> Result<(), DbError> {
    db.query("UPDATE $person SET may_create_reviews = true")
        .bind(("person", person_record(person)))
        .await?
        .check()?;
    Ok(())
}

/// Sets or clears the organisation `person` works for; false if there is no such organisation.
pub async fn set_organisation(
    db: &Database,
    person: PersonId,
    organisation: Option<&str>,
) -> Result<bool, DbError> {
    let record = organisation.map(super::organisations::organisation_record);
    if let Some(record) = &record
        && !super::organisations::exists(db, record.clone()).await?
    {
        return Ok(false);
    }
    db.query("UPDATE $person SET organisation = $organisation")
        .bind(("person", person_record(person)))
        .bind(("organisation", record))
        .await?
        .check()?;
    Ok(true)
}

/// A person's name.
pub async fn person_name(db: &Database, person: PersonId) -> Result<Option<String>, DbError> {
    let mut response = db
        .query("SELECT VALUE name FROM $person")
        .bind(("person", person_record(person)))
        .await?;
    Ok(response.take(0)?)
}

pub async fn person_email(db: &Database, person: PersonId) -> Result<Option<String>, DbError> {
    let mut response = db
        .query("SELECT VALUE email FROM $person")
        .bind(("person", person_record(person)))
        .await?;
    Ok(response.take(0)?)
}

/// An account as a person's data export gives it.
#[derive(Debug, Clone, SurrealValue, serde::Serialize)]
pub struct HeldAccount {
    pub name: String,
    pub email: String,
    pub organisation: Option<String>,
    pub is_admin: bool,
    pub may_create_reviews: bool,
    pub created_at: DateTime<Utc>,
}

/// A sign-in session, without its token.
#[derive(Debug, Clone, SurrealValue, serde::Serialize)]
pub struct HeldSession {
    pub created_at: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    pub revoked: bool,
}

/// A membership of a review, by the review's title.
#[derive(Debug, Clone, SurrealValue, serde::Serialize)]
pub struct HeldMembership {
    pub review: String,
    pub role: String,
    pub pair: Option<i64>,
}

/// A note the person wrote, as the peer team sees it.
#[derive(Debug, Clone, SurrealValue, serde::Serialize)]
pub struct HeldNote {
    pub review: String,
    pub text: String,
    pub kind: String,
    pub source: String,
    pub stakeholder: String,
    pub tags: Vec<String>,
    pub deleted: bool,
    pub updated_at: DateTime<Utc>,
}

/// An audit row of something the person did.
#[derive(Debug, Clone, SurrealValue, serde::Serialize)]
pub struct HeldAudit {
    pub at: DateTime<Utc>,
    pub kind: String,
    pub review: Option<String>,
    pub detail: String,
}

/// Everything held about one person: their account and sessions, memberships, the notes they
/// wrote and the audit rows of what they did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PersonData {
    pub account: HeldAccount,
    pub sessions: Vec<HeldSession>,
    pub memberships: Vec<HeldMembership>,
    pub notes: Vec<HeldNote>,
    pub audit: Vec<HeldAudit>,
    /// The organisation accounts that sign them in (`db::oidc`).
    pub organisation_accounts: Vec<super::oidc::HeldIdentity>,
}

/// Reads everything held about `person` (`None`: no such account).
pub async fn person_data(db: &Database, person: PersonId) -> Result<Option<PersonData>, DbError> {
    let mut response = db
        .query(
            "SELECT name, email, organisation.name AS organisation, is_admin, may_create_reviews,
                 created_at FROM ONLY $person;
             SELECT created_at, last_seen, revoked FROM session WHERE person = $person
                 ORDER BY created_at;
             SELECT review.title AS review, role, pair FROM membership WHERE person = $person;
             SELECT review.title AS review, text, kind, source, stakeholder, tags, deleted,
                 updated_at FROM note WHERE author = $person ORDER BY updated_at;
             SELECT at, kind, review.title AS review, detail FROM audit_event
                 WHERE actor = $person ORDER BY at;",
        )
        .bind(("person", person_record(person)))
        .await?;
    let account: Option<HeldAccount> = response.take(0)?;
    let Some(account) = account else {
        return Ok(None);
    };
    Ok(Some(PersonData {
        account,
        sessions: response.take(1)?,
        memberships: response.take(2)?,
        notes: response.take(3)?,
        audit: response.take(4)?,
        organisation_accounts: super::oidc::identities_of(db, person).await?,
    }))
}

/// The titles of the reviews where `person` is the only facilitator: an erasure waits until
/// each has another.
pub async fn sole_facilitator_of(db: &Database, person: PersonId) -> Result<Vec<String>, DbError> {
    let mut response = db
        .query(
            "SELECT VALUE review.title FROM membership WHERE person = $person
                 AND role = 'facilitator'
                 AND count(SELECT id FROM membership WHERE review = $parent.review
                     AND role = 'facilitator') = 1",
        )
        .bind(("person", person_record(person)))
        .await?;
    Ok(response.take(0)?)
}

/// Erases an account in one transaction: its sign-ins, organisation accounts, memberships,
/// reset links, invitations and mail to its address, reads of the pack, and the account
/// itself; beside what stays
/// (documents it uploaded, report comments and replies) `app::wall::FORMER_MEMBER` stands for
/// its name.
pub async fn erase(
    db: &Database,
    person: PersonId,
    email: &str,
    name: &str,
) -> Result<(), DbError> {
    db.query(
        "BEGIN TRANSACTION;
         LET $reviews = SELECT VALUE review FROM membership WHERE person = $person;
         DELETE session WHERE person = $person;
         DELETE password_reset WHERE person = $person;
         DELETE external_identity WHERE person = $person;
         DELETE oidc_link WHERE person = $person;
         DELETE invitation WHERE email = $email;
         DELETE outbox WHERE recipient = $email;
         DELETE document_read WHERE person = $person;
         DELETE pack_visit WHERE person = $person;
         UPDATE document SET uploaded_by_name = $former WHERE uploaded_by = $person;
         UPDATE action_plan SET editors = array::complement(editors, [$person]);
         UPDATE report_comment SET author_name = $former WHERE author = $person;
         UPDATE report_comment SET resolved_by = $former
             WHERE review IN $reviews AND resolved_by = $name;
         UPDATE report_reply SET author_name = $former
             WHERE review IN $reviews AND author_name = $name;
         DELETE membership WHERE person = $person;
         DELETE $person;
         COMMIT TRANSACTION;",
    )
    .bind(("person", person_record(person)))
    .bind(("email", email.to_string()))
    .bind(("name", name.to_string()))
    .bind(("former", app::wall::FORMER_MEMBER.to_string()))
    .await?
    .check()?;
    Ok(())
}
