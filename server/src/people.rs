//! The people service: signing in and out, administrators, and the audit of both.

use std::sync::Arc;
use std::time::Duration;

use app::error::{AppError, ErrorCode};
use app::people::{
    AuditEvent, Caller, InvitationLink, InvitationPreview, MAX_NAME, MAX_PASSWORD, MIN_PASSWORD,
    Organisation, OrganisationId, OrganisationKind, PeopleService, PersonId, RequestSession, Role,
    SignedIn, normalise_email, normalise_organisation_name,
};
use app::review::ReviewId;
use chrono::Utc;

use crate::auth::session::new_token;
use crate::auth::throttle::PasswordThrottle;
use crate::auth::{SessionPolicy, password};
use crate::db::people::{AuditEntry, NewPerson};
use crate::db::{self, Database, DbError};

const WRONG_CREDENTIALS: &str = "The email address or password is not right.";

/// People stored in SurrealDB.
pub struct PeopleStore {
    db: Database,
    sessions: SessionPolicy,
    throttle: Arc<PasswordThrottle>,
    invitation_ttl: Duration,
    access: crate::access::AccessWatch,
}

const BAD_INVITATION: &str = "This invitation link has expired or has already been used. Ask your facilitator for a new one.";

impl PeopleStore {
    pub fn new(
        db: Database,
        sessions: SessionPolicy,
        invitation_ttl: Duration,
        access: crate::access::AccessWatch,
    ) -> Self {
        Self {
            db,
            sessions,
            throttle: Arc::default(),
            invitation_ttl,
            access,
        }
    }

    /// Opens a session for `caller` and returns what the sign-in server functions send back.
    async fn open_session(
        &self,
        caller: Caller,
        address: Option<&str>,
    ) -> Result<SignedIn, AppError> {
        // A new token at every sign-in: a session id planted before sign-in is never promoted.
        let (token, key) = new_token();
        db::people::create_session(&self.db, caller.id, &key, Utc::now())
            .await
            .map_err(unavailable)?;
        self.audit("sign_in", Some(caller.id), String::new(), address)
            .await;
        Ok(SignedIn {
            caller,
            set_cookie: self.sessions.set_cookie(&token),
        })
    }

    async fn audit(
        &self,
        kind: &'static str,
        actor: Option<PersonId>,
        detail: String,
        address: Option<&str>,
    ) {
        let entry = AuditEntry {
            kind,
            actor,
            review: None,
            detail,
            address: address.map(str::to_string),
        };
        if let Err(error) = db::people::record_audit(&self.db, entry).await {
            tracing::error!(%error, kind, "could not write an audit event");
        }
    }

    /// A wrong password for `account` (an email address, an account or not): counted, and
    /// answered alike for every account.
    fn failed(&self, account: &str, address: Option<&str>, answer: &str) -> AppError {
        self.throttle.failed(account, address);
        AppError::new(ErrorCode::Unauthenticated, answer)
    }

    /// Refuses an attempt that must wait, with the same answer for every account.
    fn throttled(&self, account: &str, address: Option<&str>) -> Result<(), AppError> {
        self.throttle.check(account, address).map_err(|wait| {
            AppError::new(
                ErrorCode::RateLimited,
                format!(
                    "Too many wrong passwords. Wait {} and try again.",
                    say_wait(wait)
                ),
            )
        })
    }
}

impl PeopleStore {
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
        let expires_at =
            Utc::now() + chrono::Duration::from_std(self.invitation_ttl).unwrap_or_default();
        db::invitation::create(
            &self.db,
            db::invitation::NewInvitation {
                token_hash: hash,
                review,
                role,
                email: email.clone(),
                invited_by: by.id,
                expires_at,
            },
        )
        .await
        .map_err(unavailable)?;
        let path = format!("/invitations/{token}");
        // No mail server in this build: the link goes only to the person who created it, in
        // this answer. A token is never logged: the log is read by more people than the link.
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
        db::people::record_audit(
            &self.db,
            AuditEntry {
                kind,
                actor: Some(by.id),
                review,
                detail,
                address: None,
            },
        )
        .await
        .map_err(unavailable)?;
        Ok(InvitationLink {
            path,
            email,
            role,
            expires: expires_at.format("%-d %B %Y at %H:%M UTC").to_string(),
        })
    }

    async fn usable_invitation(
        &self,
        token: &str,
    ) -> Result<db::invitation::InvitationRow, AppError> {
        if token.is_empty() || token.len() > 100 {
            return Err(AppError::new(ErrorCode::NotFound, BAD_INVITATION));
        }
        let row = db::invitation::find(&self.db, &crate::auth::session::hash_token(token))
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
    row: db::invitation::InvitationRow,
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

/// A new account's name and password, or what is wrong with them.
fn check_new_account(name: &str, password: &str) -> Result<(), AppError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::new(ErrorCode::Invalid, "Enter your name."));
    }
    if name.chars().count() > MAX_NAME {
        return Err(AppError::new(
            ErrorCode::Invalid,
            format!("Your name is too long ({MAX_NAME} characters at most)."),
        ));
    }
    check_new_password(password)
}

/// A new password's length, or what is wrong with it.
fn check_new_password(password: &str) -> Result<(), AppError> {
    let length = password.chars().count();
    if length < MIN_PASSWORD {
        return Err(AppError::new(
            ErrorCode::Invalid,
            format!("Choose a password of at least {MIN_PASSWORD} characters."),
        ));
    }
    if length > MAX_PASSWORD {
        return Err(AppError::new(
            ErrorCode::Invalid,
            format!("Choose a password of at most {MAX_PASSWORD} characters."),
        ));
    }
    Ok(())
}

/// Argon2 computations at once: one per core. Each takes tens of milliseconds of CPU and
/// memory; a flood of password checks waits its turn instead of taking every core and
/// gigabytes of memory.
static ARGON_SLOTS: std::sync::LazyLock<tokio::sync::Semaphore> = std::sync::LazyLock::new(|| {
    tokio::sync::Semaphore::new(
        std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get),
    )
});

/// Runs an Argon2 computation on the blocking pool, in one of `ARGON_SLOTS`.
async fn argon<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
    failed: &'static str,
) -> Result<T, AppError> {
    let _slot = ARGON_SLOTS
        .acquire()
        .await
        .map_err(|_| AppError::internal(failed))?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|_| AppError::internal(failed))
}

/// Checks a password.
async fn verify_off_thread(attempt: &str, stored: &str) -> Result<bool, AppError> {
    let (attempt, stored) = (attempt.to_string(), stored.to_string());
    argon(
        move || password::verify(&attempt, &stored),
        "The password check failed.",
    )
    .await
}

/// Hashes a new password.
async fn hash_off_thread(new: &str) -> Result<String, AppError> {
    let new = new.to_string();
    argon(
        move || password::hash(&new),
        "The password could not be stored.",
    )
    .await
}

/// A wait as people say it: "12 seconds", "3 minutes".
fn say_wait(wait: Duration) -> String {
    let seconds = wait.as_secs_f64().ceil() as u64;
    match seconds {
        0 | 1 => "a second".to_string(),
        2..=90 => format!("{seconds} seconds"),
        _ => format!("{} minutes", seconds.div_ceil(60)),
    }
}

fn unavailable(error: DbError) -> AppError {
    tracing::error!(%error, "people service");
    AppError::unavailable("Signing in is not possible just now. Please try again in a moment.")
}

#[async_trait::async_trait]
impl PeopleService for PeopleStore {
    async fn sign_in(
        &self,
        email: &str,
        password_text: &str,
        address: Option<&str>,
    ) -> Result<SignedIn, AppError> {
        let email =
            normalise_email(email).map_err(|message| AppError::new(ErrorCode::Invalid, message))?;
        if password_text.is_empty() {
            return Err(AppError::new(ErrorCode::Invalid, "Enter your password."));
        }
        self.throttled(&email, address)?;
        if password_text.chars().count() > MAX_PASSWORD {
            return Err(self.failed(&email, address, WRONG_CREDENTIALS));
        }
        let person = db::people::find_person_by_email(&self.db, &email)
            .await
            .map_err(unavailable)?;
        let Some(person) = person else {
            // The same work and the same answer as a wrong password for a real account.
            let _ = verify_off_thread(password_text, password::dummy_hash()).await;
            self.audit(
                "sign_in_failed",
                None,
                "an unknown account".to_string(),
                address,
            )
            .await;
            return Err(self.failed(&email, address, WRONG_CREDENTIALS));
        };
        let id = PersonId(person.id);
        let matches = verify_off_thread(password_text, &person.password_hash).await?;
        if !matches {
            self.audit("sign_in_failed", Some(id), String::new(), address)
                .await;
            return Err(self.failed(&email, address, WRONG_CREDENTIALS));
        }
        self.throttle.succeeded(&email);
        self.open_session(person.caller(), address).await
    }

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
        let has_account = db::people::find_person_by_email(&self.db, &row.email)
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
        let existing = db::people::find_person_by_email(&self.db, &row.email)
            .await
            .map_err(unavailable)?;
        // Check everything the invitee typed before the link is used up.
        let person = if let Some(person) = existing {
            // The account's password, checked under the same throttle as signing in.
            self.throttled(&row.email, address)?;
            let matches = password_text.chars().count() <= MAX_PASSWORD
                && verify_off_thread(password_text, &person.password_hash).await?;
            if !matches {
                self.audit(
                    "invitation_password_failed",
                    Some(PersonId(person.id)),
                    String::new(),
                    address,
                )
                .await;
                return Err(self.failed(
                    &row.email,
                    address,
                    "You already have an account with this email address: enter its password.",
                ));
            }
            self.throttle.succeeded(&row.email);
            Some(person)
        } else {
            check_new_account(name, password_text)?;
            None
        };
        let Some(row) = db::invitation::claim(&self.db, &crate::auth::session::hash_token(token))
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
            let hash = hash_off_thread(password_text).await?;
            let id = db::people::create_person(
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
            let already = db::people::role_in(&self.db, caller.id, review)
                .await
                .map_err(unavailable)?;
            if already.is_none() {
                db::people::add_membership(&self.db, review, caller.id, role, None)
                    .await
                    .map_err(unavailable)?;
            }
            format!("as {}", role.as_str())
        } else {
            db::people::allow_creating_reviews(&self.db, caller.id)
                .await
                .map_err(unavailable)?;
            caller.may_create_reviews = true;
            "facilitator account".to_string()
        };
        db::people::record_audit(
            &self.db,
            AuditEntry {
                kind: "invitation_accepted",
                actor: Some(caller.id),
                review,
                detail,
                address: address.map(str::to_string),
            },
        )
        .await
        .map_err(unavailable)?;
        self.open_session(caller, address).await
    }

    async fn change_password(
        &self,
        session: &RequestSession,
        current: &str,
        new: &str,
        address: Option<&str>,
    ) -> Result<(), AppError> {
        let id = session.caller.id;
        let account = session.caller.email.clone();
        self.throttled(&account, address)?;
        let stored = db::people::password_hash(&self.db, id)
            .await
            .map_err(unavailable)?
            .ok_or_else(|| AppError::new(ErrorCode::Unauthenticated, "Sign in to continue."))?;
        let matches =
            current.chars().count() <= MAX_PASSWORD && verify_off_thread(current, &stored).await?;
        if !matches {
            self.audit("password_change_refused", Some(id), String::new(), address)
                .await;
            return Err(self.failed(&account, address, "Your current password is not right."));
        }
        self.throttle.succeeded(&account);
        check_new_password(new)?;
        if new == current {
            return Err(AppError::new(
                ErrorCode::Invalid,
                "Choose a password different from the current one.",
            ));
        }
        let hash = hash_off_thread(new).await?;
        db::people::set_password(&self.db, id, hash)
            .await
            .map_err(unavailable)?;
        db::people::revoke_other_sessions(&self.db, id, &session.key)
            .await
            .map_err(unavailable)?;
        self.access.changed(id, None).await;
        self.audit(
            "password_changed",
            Some(id),
            "other sessions ended".into(),
            address,
        )
        .await;
        Ok(())
    }

    async fn issue_password_reset(&self, by: &Caller, email: &str) -> Result<String, AppError> {
        let email =
            normalise_email(email).map_err(|message| AppError::new(ErrorCode::Invalid, message))?;
        let person = db::people::find_person_by_email(&self.db, &email)
            .await
            .map_err(unavailable)?
            .ok_or_else(|| {
                AppError::new(
                    ErrorCode::NotFound,
                    "There is no account with that email address.",
                )
            })?;
        let (token, hash) = new_token();
        let expires_at = Utc::now() + chrono::Duration::hours(24);
        db::people::create_password_reset(&self.db, PersonId(person.id), by.id, &hash, expires_at)
            .await
            .map_err(unavailable)?;
        let path = format!("/reset-password/{token}");
        // No mail server in this build: the link goes only to the administrator who issued it,
        // in this answer; the token is never logged.
        tracing::info!("password reset link issued");
        self.audit(
            "password_reset_issued",
            Some(by.id),
            format!("for {email}"),
            None,
        )
        .await;
        Ok(path)
    }

    async fn reset_password(
        &self,
        token: &str,
        new: &str,
        address: Option<&str>,
    ) -> Result<(), AppError> {
        check_new_password(new)?;
        let bad_link = || {
            AppError::new(
                ErrorCode::NotFound,
                "This reset link has expired or has already been used. Ask an administrator for a new one.",
            )
        };
        if token.is_empty() || token.len() > 100 {
            return Err(bad_link());
        }
        let person =
            db::people::claim_password_reset(&self.db, &crate::auth::session::hash_token(token))
                .await
                .map_err(unavailable)?
                .ok_or_else(bad_link)?;
        let hash = hash_off_thread(new).await?;
        db::people::set_password(&self.db, person, hash)
            .await
            .map_err(unavailable)?;
        db::people::clear_failed_sign_ins(&self.db, person)
            .await
            .map_err(unavailable)?;
        // A reset ends any wait its wrong passwords had earned.
        if let Some(email) = db::people::person_email(&self.db, person)
            .await
            .map_err(unavailable)?
        {
            self.throttle.succeeded(&email);
        }
        db::people::revoke_all_sessions(&self.db, person)
            .await
            .map_err(unavailable)?;
        self.access.changed(person, None).await;
        self.audit(
            "password_reset",
            Some(person),
            "all sessions ended".into(),
            address,
        )
        .await;
        Ok(())
    }

    async fn audit_for(&self, review: ReviewId) -> Result<Vec<AuditEvent>, AppError> {
        let rows = db::people::audit_for_review(&self.db, review, 200)
            .await
            .map_err(unavailable)?;
        Ok(rows.into_iter().map(audit_event).collect())
    }

    async fn audit_all(&self) -> Result<Vec<AuditEvent>, AppError> {
        let rows = db::people::recent_audit(&self.db, 300)
            .await
            .map_err(unavailable)?;
        Ok(rows.into_iter().map(audit_event).collect())
    }

    async fn organisations(&self) -> Result<Vec<Organisation>, AppError> {
        db::organisation::list(&self.db).await.map_err(unavailable)
    }

    async fn create_organisation(
        &self,
        by: &Caller,
        name: &str,
        kind: OrganisationKind,
    ) -> Result<Organisation, AppError> {
        let name = normalise_organisation_name(name)
            .map_err(|message| AppError::invalid_field("name", message))?;
        let created = db::organisation::create(&self.db, &name, kind)
            .await
            .map_err(unavailable)?
            .ok_or_else(|| {
                AppError::invalid_field("name", format!("{name} is already on the list."))
            })?;
        self.audit(
            "organisation_added",
            Some(by.id),
            format!("{name} ({})", kind.as_str()),
            None,
        )
        .await;
        Ok(created)
    }

    async fn set_organisation(
        &self,
        caller: &Caller,
        organisation: Option<OrganisationId>,
    ) -> Result<(), AppError> {
        let found = db::people::set_organisation(
            &self.db,
            caller.id,
            organisation.as_ref().map(|id| id.0.as_str()),
        )
        .await
        .map_err(unavailable)?;
        if found {
            Ok(())
        } else {
            Err(AppError::invalid_field(
                "organisation",
                "That organisation is not on the list any more. Reload and choose again.",
            ))
        }
    }

    async fn role_in(&self, person: PersonId, review: ReviewId) -> Result<Option<Role>, AppError> {
        db::people::role_in(&self.db, person, review)
            .await
            .map_err(unavailable)
    }

    async fn pair_in(&self, person: PersonId, review: ReviewId) -> Result<Option<i64>, AppError> {
        db::people::pair_in(&self.db, person, review)
            .await
            .map_err(unavailable)
    }

    async fn sign_out(
        &self,
        session: &RequestSession,
        address: Option<&str>,
    ) -> Result<String, AppError> {
        db::people::revoke_session(&self.db, &session.key)
            .await
            .map_err(unavailable)?;
        self.access.changed(session.caller.id, None).await;
        self.audit("sign_out", Some(session.caller.id), String::new(), address)
            .await;
        Ok(self.sessions.clear_cookie())
    }
}

fn audit_event(row: db::people::AuditRow) -> AuditEvent {
    AuditEvent {
        at: row.at.format("%-d %b %Y %H:%M:%S UTC").to_string(),
        kind: row.kind,
        actor: row.actor,
        detail: row.detail,
        review: row.review,
    }
}

/// Why an administrator could not be created.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("{0}")]
    Invalid(String),
    #[error("an account with the email address {0} already exists")]
    Exists(String),
    #[error(transparent)]
    Database(#[from] DbError),
}

/// Creates an administrator with a generated password, which is returned to be shown once.
pub async fn create_admin(db: &Database, email: &str, name: &str) -> Result<String, AdminError> {
    let email = normalise_email(email).map_err(|message| AdminError::Invalid(message.into()))?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err(AdminError::Invalid(format!(
            "give a name of 1 to {MAX_NAME} characters"
        )));
    }
    let generated = password::generate();
    debug_assert!(generated.len() >= MIN_PASSWORD);
    let hash = password::hash(&generated);
    let created = db::people::create_person(
        db,
        NewPerson {
            email: email.clone(),
            name: name.to_string(),
            password_hash: hash,
            is_admin: true,
            may_create_reviews: false,
        },
    )
    .await?;
    let Some(id) = created else {
        return Err(AdminError::Exists(email));
    };
    db::people::record_audit(
        db,
        AuditEntry {
            kind: "admin_created",
            actor: Some(id),
            review: None,
            detail: format!("{email} from the command line"),
            address: None,
        },
    )
    .await?;
    Ok(generated)
}
