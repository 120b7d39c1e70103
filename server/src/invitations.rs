//! The invitation service: single-use links to join a review in a role, or to open a
//! facilitator account.

use std::sync::Arc;
use std::time::Duration;

use app::accounts::{Caller, MAX_PASSWORD, PersonId, SignedIn, normalise_email};
use app::error::{AppError, ErrorCode};
use app::invitations::{InvitationLink, InvitationPreview, InvitationService};
use app::membership::Role;
use app::review::ReviewId;
use chrono::Utc;

use crate::accounts::{Accounts, unavailable};
use crate::audit::{AuditEntry, AuditTrail};
use crate::auth::session::new_token;
use crate::db::accounts::NewPerson;
use crate::db::outbox::NewMail;
use crate::db::{self, Database};
use crate::mail::Mail;
use crate::membership::Memberships;

const BAD_INVITATION: &str = "This invitation link has expired or has already been used. Ask your facilitator for a new one.";

/// Invitations stored in SurrealDB.
pub struct Invitations {
    db: Database,
    accounts: Arc<Accounts>,
    membership: Arc<Memberships>,
    audit: AuditTrail,
    ttl: Duration,
    mail: Mail,
}

impl Invitations {
    pub fn new(
        db: Database,
        accounts: Arc<Accounts>,
        membership: Arc<Memberships>,
        audit: AuditTrail,
        ttl: Duration,
        mail: Mail,
    ) -> Self {
        Self {
            db,
            accounts,
            membership,
            audit,
            ttl,
            mail,
        }
    }

    /// The invitation's mail, when mail is on (`Mail::invitation` words it).
    async fn invitation_mail(
        &self,
        by: &Caller,
        review: Option<ReviewId>,
        (email, role): (&str, Role),
        path: &str,
        expires: &str,
    ) -> Result<Option<NewMail>, AppError> {
        if !self.mail.is_on() {
            return Ok(None);
        }
        let summary = match review {
            Some(review) => Some(
                db::review::get_summary(&self.db, review)
                    .await
                    .map_err(unavailable)?
                    .ok_or_else(|| {
                        AppError::new(ErrorCode::NotFound, "There is no such review.")
                    })?,
            ),
            None => None,
        };
        let named = summary
            .as_ref()
            .map(|s| (s.id, s.title.as_str(), s.host_authority.as_str()));
        Ok(self
            .mail
            .invitation(email, &by.name, named, role, path, expires))
    }

    /// A single-use invitation to `review` in `role`, or, without a review, to open a
    /// facilitator account.
    async fn create_invitation(
        &self,
        by: &Caller,
        review: Option<ReviewId>,
        email: &str,
        role: Role,
    ) -> Result<InvitationLink, AppError> {
        let email =
            normalise_email(email).map_err(|message| AppError::invalid_field("email", message))?;
        let (token, hash) = new_token();
        let expires_at = Utc::now() + chrono::Duration::from_std(self.ttl).unwrap_or_default();
        let path = format!("/invitations/{token}");
        let expires = expires_at.format("%-d %B %Y at %H:%M UTC").to_string();
        let mail = self
            .invitation_mail(by, review, (&email, role), &path, &expires)
            .await?;
        let emailed = mail.is_some();
        db::invitations::create(
            &self.db,
            db::invitations::NewInvitation {
                token_hash: hash,
                review,
                role,
                email: email.clone(),
                invited_by: by.id,
                expires_at,
            },
            mail,
        )
        .await
        .map_err(unavailable)?;
        self.mail.queued();
        // The link goes to the person who created it, in this answer, and by mail when mail is
        // on. A token is never logged: the log is read by more people than the link.
        tracing::info!(review = ?review, role = role.as_str(), "invitation created");
        let (kind, detail) = match review {
            Some(_) => (
                "invitation_created",
                format!("{email} as {}", role.as_str()),
            ),
            None => (
                "facilitator_invited",
                format!("{email} to open a facilitator account"),
            ),
        };
        self.audit
            .record(AuditEntry {
                kind,
                actor: Some(by.id),
                review,
                detail,
                address: None,
            })
            .await?;
        Ok(InvitationLink {
            path,
            email,
            role,
            expires,
            emailed,
        })
    }

    async fn usable_invitation(
        &self,
        token: &str,
    ) -> Result<db::invitations::InvitationRow, AppError> {
        if token.is_empty() || token.len() > 100 {
            return Err(AppError::new(ErrorCode::NotFound, BAD_INVITATION));
        }
        let row = db::invitations::find(&self.db, &crate::auth::session::hash_token(token))
            .await
            .map_err(unavailable)?
            .ok_or_else(|| AppError::new(ErrorCode::NotFound, BAD_INVITATION))?;
        if row.used_at.is_some() || row.expires_at <= Utc::now() {
            return Err(AppError::new(ErrorCode::NotFound, BAD_INVITATION));
        }
        Ok(row)
    }
}

fn preview_from_row(
    row: db::invitations::InvitationRow,
    has_account: bool,
) -> Result<InvitationPreview, AppError> {
    Ok(InvitationPreview {
        review: row.review.map(ReviewId),
        review_title: row.review_title.unwrap_or_default(),
        host_authority: row.host_authority.unwrap_or_default(),
        role: Role::parse(&row.role)
            .ok_or_else(|| AppError::internal("The invitation has an unknown role."))?,
        email: row.email,
        has_account,
    })
}

#[async_trait::async_trait]
impl InvitationService for Invitations {
    async fn invite(
        &self,
        by: &Caller,
        review: ReviewId,
        email: &str,
        role: Role,
    ) -> Result<InvitationLink, AppError> {
        self.create_invitation(by, Some(review), email, role).await
    }

    async fn invite_facilitator(
        &self,
        by: &Caller,
        email: &str,
    ) -> Result<InvitationLink, AppError> {
        self.create_invitation(by, None, email, Role::Facilitator)
            .await
    }

    async fn preview_invitation(&self, token: &str) -> Result<InvitationPreview, AppError> {
        let row = self.usable_invitation(token).await?;
        let has_account = db::accounts::find_person_by_email(&self.db, &row.email)
            .await
            .map_err(unavailable)?
            .is_some();
        preview_from_row(row, has_account)
    }

    async fn accept_invitation(
        &self,
        token: &str,
        name: &str,
        password_text: &str,
        address: Option<&str>,
    ) -> Result<SignedIn, AppError> {
        let row = self.usable_invitation(token).await?;
        let existing = db::accounts::find_person_by_email(&self.db, &row.email)
            .await
            .map_err(unavailable)?;
        // Check everything the invitee typed before the link is used up.
        let person = if let Some(person) = existing {
            // The account's password, checked under the same throttle as signing in.
            self.accounts.throttled(&row.email, address)?;
            let matches = password_text.chars().count() <= MAX_PASSWORD
                && crate::accounts::verify_off_thread(password_text, &person.password_hash).await?;
            if !matches {
                self.accounts
                    .audit(
                        "invitation_password_failed",
                        Some(PersonId(person.id)),
                        String::new(),
                        address,
                    )
                    .await;
                return Err(self.accounts.failed(
                    &row.email,
                    address,
                    "You already have an account with this email address: enter its password.",
                ));
            }
            self.accounts.succeeded(&row.email);
            Some(person)
        } else {
            crate::accounts::check_new_account(name, password_text)?;
            None
        };
        let Some(row) = db::invitations::claim(&self.db, &crate::auth::session::hash_token(token))
            .await
            .map_err(unavailable)?
        else {
            return Err(AppError::new(ErrorCode::NotFound, BAD_INVITATION));
        };
        let role = Role::parse(&row.role)
            .ok_or_else(|| AppError::internal("The invitation has an unknown role."))?;
        let review = row.review.map(ReviewId);
        let mut caller = if let Some(person) = person {
            person.caller()
        } else {
            let hash = crate::accounts::hash_off_thread(password_text).await?;
            let id = db::accounts::create_person(
                &self.db,
                NewPerson {
                    email: row.email.clone(),
                    name: name.trim().to_string(),
                    password_hash: hash,
                    is_admin: false,
                    may_create_reviews: review.is_none(),
                },
            )
            .await
            .map_err(unavailable)?
            .ok_or_else(|| {
                AppError::new(
                    ErrorCode::Invalid,
                    "An account with this email address was created meanwhile; sign in instead.",
                )
            })?;
            Caller {
                id,
                name: name.trim().to_string(),
                email: row.email.clone(),
                is_admin: false,
                may_create_reviews: review.is_none(),
                organisation: None,
            }
        };
        let detail = if let Some(review) = review {
            self.membership.join(review, caller.id, role).await?;
            format!("as {}", role.as_str())
        } else {
            db::accounts::allow_creating_reviews(&self.db, caller.id)
                .await
                .map_err(unavailable)?;
            caller.may_create_reviews = true;
            "facilitator account".to_string()
        };
        self.audit
            .record(AuditEntry {
                kind: "invitation_accepted",
                actor: Some(caller.id),
                review,
                detail,
                address: address.map(str::to_string),
            })
            .await?;
        self.accounts.open_session(caller, address).await
    }
}
