//! The mail outbox: mail written in the same transaction as the event that causes it, and the
//! worker's claims, sends and retries (`crate::mail`).

use app::review::ReviewId;
use chrono::{DateTime, Utc};
use surrealdb::types::{RecordId, RecordIdKey, SurrealValue};

use super::records::review_record;
use super::{Database, DbError};

/// A mail to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMail {
    /// Its id, and so its `Message-ID`: a resend after a crash is recognisably the same mail.
    pub id: uuid::Uuid,
    /// What caused it (`invitation`, `password_reset`), for the record.
    pub kind: &'static str,
    pub review: Option<ReviewId>,
    pub recipient: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// A mail the worker has claimed.
#[derive(Debug, Clone, SurrealValue)]
pub struct DueMail {
    pub id: uuid::Uuid,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub text: Option<String>,
    pub html: Option<String>,
    pub attempts: i64,
}

/// What the outbox holds about one mail, for tests and the record.
#[derive(Debug, Clone, SurrealValue)]
pub struct MailRecord {
    pub id: uuid::Uuid,
    pub kind: String,
    pub recipient: String,
    pub attempts: i64,
    pub sent_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub text: Option<String>,
}

fn outbox_record(id: uuid::Uuid) -> RecordId {
    RecordId::new("outbox", RecordIdKey::Uuid(id.into()))
}

/// The statement that queues a mail; its parameters are named `mail_*`.
const QUEUE_MAIL: &str = "CREATE $mail_id SET kind = $mail_kind, review = $mail_review,
     recipient = $mail_to, subject = $mail_subject, text = $mail_text, html = $mail_html,
     created_at = time::now(), attempts = 0, next_attempt_at = time::now();";

/// `statements` in one transaction with, when `mail` is given, the statement that queues it:
/// what causes a mail exists exactly when the mail will go. The caller binds its own
/// parameters and runs it.
pub(crate) fn with_mail<'a>(
    db: &'a Database,
    statements: &str,
    mail: Option<NewMail>,
) -> super::connection::Query<'a> {
    let queue = if mail.is_some() { QUEUE_MAIL } else { "" };
    let query = db.query(format!(
        "BEGIN TRANSACTION;\n{statements}\n{queue}\nCOMMIT TRANSACTION;"
    ));
    let Some(mail) = mail else {
        return query;
    };
    query
        .bind(("mail_id", outbox_record(mail.id)))
        .bind(("mail_kind", mail.kind))
        .bind(("mail_review", mail.review.map(review_record)))
        .bind(("mail_to", mail.recipient))
        .bind(("mail_subject", mail.subject))
        .bind(("mail_text", mail.text))
        .bind(("mail_html", mail.html))
}

/// A mail as the outbox stores it, for statements that queue several (`QUEUE_MAILS`).
#[derive(Debug, Clone, SurrealValue)]
pub(crate) struct OutboxRow {
    id: RecordId,
    kind: String,
    review: Option<RecordId>,
    recipient: String,
    subject: String,
    text: Option<String>,
    html: Option<String>,
    created_at: DateTime<Utc>,
    attempts: i64,
    next_attempt_at: DateTime<Utc>,
}

/// The statement that queues the mails bound as `$mails` (`rows`).
pub(crate) const QUEUE_MAILS: &str = "FOR $mail IN $mails { CREATE $mail.id CONTENT $mail; };";

/// `mails` as rows to bind as `$mails`, due at once.
pub(crate) fn rows(mails: Vec<NewMail>) -> Vec<OutboxRow> {
    let now = Utc::now();
    mails
        .into_iter()
        .map(|mail| OutboxRow {
            id: outbox_record(mail.id),
            kind: mail.kind.to_string(),
            review: mail.review.map(review_record),
            recipient: mail.recipient,
            subject: mail.subject,
            text: Some(mail.text),
            html: Some(mail.html),
            created_at: now,
            attempts: 0,
            next_attempt_at: now,
        })
        .collect()
}

/// Queues `mails` and sets `field` of `record` to `key`, in one transaction, unless the field
/// holds `key` already: a mail that a schedule on every node may ask for goes once per key
/// (and again when the key changes). Whether they were queued now.
pub(crate) async fn queue_once(
    db: &Database,
    (record, field): (RecordId, &'static str),
    key: &str,
    mails: Vec<NewMail>,
) -> Result<bool, DbError> {
    let mut response = db
        .query(format!(
            "BEGIN TRANSACTION;
             LET $marked = UPDATE $record SET {field} = $key WHERE {field} != $key RETURN VALUE id;
             IF array::len($marked) > 0 {{ {QUEUE_MAILS} }};
             COMMIT TRANSACTION;
             RETURN array::len($marked) > 0;"
        ))
        .bind(("record", record))
        .bind(("key", key.to_string()))
        .bind(("mails", rows(mails)))
        .await?
        .check()?;
    let queued: Option<bool> = response.take(response.num_statements() - 1)?;
    Ok(queued.unwrap_or(false))
}

const DUE_FIELDS: &str = "record::id(id) AS id, kind, recipient, subject, text, html, attempts";

/// Claims up to `limit` mails that are due and not held by another worker, each until
/// `until`: a worker that dies holding one lets it go when that passes.
pub async fn claim_due(
    db: &Database,
    limit: usize,
    until: DateTime<Utc>,
) -> Result<Vec<DueMail>, DbError> {
    let mut response = db
        .query(
            "SELECT VALUE id FROM outbox WHERE sent_at = NONE AND next_attempt_at <= time::now()
                 AND (claimed_until = NONE OR claimed_until < time::now())
                 ORDER BY next_attempt_at LIMIT $limit",
        )
        .bind(("limit", limit as i64))
        .await?;
    let ids: Vec<RecordId> = response.take(0)?;
    let mut claimed = Vec::new();
    for id in ids {
        // One row at a time, on the condition again: of two workers, one gets it. The other's
        // write conflicts, and that row is simply not this worker's: the rows it did claim are
        // still sent, rather than held for a minute by a pass that gave up.
        let claim = async {
            let mut response = db
                .query(format!(
                    "UPDATE $id SET claimed_until = $until
                         WHERE sent_at = NONE
                             AND (claimed_until = NONE OR claimed_until < time::now())
                         RETURN {DUE_FIELDS}"
                ))
                .bind(("id", id))
                .bind(("until", until))
                .await?;
            let rows: Vec<DueMail> = response.take(0)?;
            Ok::<_, DbError>(rows)
        };
        match claim.await {
            Ok(rows) => claimed.extend(rows),
            Err(error) => tracing::debug!(%error, "a mail was claimed elsewhere"),
        }
    }
    Ok(claimed)
}

/// The mail went: its text goes too (an invitation's link is a credential) and the row stays as
/// the record of sending.
pub async fn mark_sent(db: &Database, id: uuid::Uuid) -> Result<(), DbError> {
    db.query(
        "UPDATE $id SET sent_at = time::now(), claimed_until = NONE, text = NONE, html = NONE,
             attempts += 1, last_error = NONE",
    )
    .bind(("id", outbox_record(id)))
    .await?
    .check()?;
    Ok(())
}

/// The mail did not go: try again at `next`.
pub async fn mark_failed(
    db: &Database,
    id: uuid::Uuid,
    error: String,
    next: DateTime<Utc>,
) -> Result<(), DbError> {
    db.query(
        "UPDATE $id SET claimed_until = NONE, attempts += 1, last_error = $error,
             next_attempt_at = $next",
    )
    .bind(("id", outbox_record(id)))
    .bind(("error", error))
    .bind(("next", next))
    .await?
    .check()?;
    Ok(())
}

/// Every mail in the outbox, oldest first.
pub async fn all(db: &Database) -> Result<Vec<MailRecord>, DbError> {
    let mut response = db
        .query(
            "SELECT record::id(id) AS id, kind, recipient, attempts, sent_at, last_error, text,
                 created_at FROM outbox ORDER BY created_at",
        )
        .await?;
    Ok(response.take(0)?)
}
