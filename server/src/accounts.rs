//! The account service: signing in and out, sessions, passwords and their reset links, and
//! creating administrators from the command line.

use std::sync::Arc;
use std::time::Duration;

use app::accounts::{
    AccountService, Caller, MAX_NAME, MAX_PASSWORD, MIN_PASSWORD, PersonId, RequestSession,
    ResetLink, SignedIn, normalise_email,
};
use app::error::{AppError, ErrorCode};
use chrono::Utc;

use crate::audit::{AuditEntry, AuditTrail};
use crate::auth::session::new_token;
use crate::auth::throttle::PasswordThrottle;
use crate::auth::{SessionPolicy, password};
use crate::db::accounts::NewPerson;
use crate::db::{self, Database, DbError};

mod person_data;
pub use person_data::download_person_data;

const WRONG_CREDENTIALS: &str = "The email address or password is not right.";

/// Accounts stored in SurrealDB.
pub struct Accounts {
    db: Database,
    sessions: SessionPolicy,
    throttle: Arc<PasswordThrottle>,
    access: crate::access::AccessWatch,
    audit: AuditTrail,
    /// Password reset links go by mail too when it is on.
    mail: crate::mail::Mail,
}

impl Accounts {
    /// Everything held about the person with `email` (`None`: no such account): for an
    /// administrator's export (`person_data.rs`).
    pub async fn person_data(
        &self,
        email: &str,
    ) -> Result<Option<db::accounts::PersonData>, AppError> {
        let Some(person) = db::accounts::find_person_by_email(&self.db, email)
            .await
            .map_err(unavailable)?
        else {
            return Ok(None);
        };
        db::accounts::person_data(&self.db, PersonId(person.id))
            .await
            .map_err(unavailable)
    }

    pub fn new(
        db: Database,
        sessions: SessionPolicy,
        access: crate::access::AccessWatch,
        audit: AuditTrail,
        mail: crate::mail::Mail,
    ) -> Self {
        Self {
            db,
            sessions,
            throttle: Arc::default(),
            access,
            audit,
            mail,
        }
    }

    /// Opens a session for `caller` and returns what the sign-in server functions send back.
    pub(crate) async fn open_session(
        &self,
        caller: Caller,
        address: Option<&str>,
    ) -> Result<SignedIn, AppError> {
        self.open_session_noting(caller, address, String::new())
            .await
    }

    /// `open_session`, with a word in the audit trail on how the person signed in.
    pub(crate) async fn open_session_noting(
        &self,
        caller: Caller,
        address: Option<&str>,
        how: String,
    ) -> Result<SignedIn, AppError> {
        // A new token at every sign-in: a session id planted before sign-in is never promoted.
        let (token, key) = new_token();
        db::accounts::create_session(&self.db, caller.id, &key, Utc::now())
            .await
            .map_err(unavailable)?;
        self.audit("sign_in", Some(caller.id), how, address).await;
        Ok(SignedIn {
            caller,
            set_cookie: self.sessions.set_cookie(&token),
        })
    }

    /// Notes something done with an account (not about a review) in the audit trail.
    pub(crate) async fn audit(
        &self,
        kind: &'static str,
        actor: Option<PersonId>,
        detail: String,
        address: Option<&str>,
    ) {
        self.audit
            .note(AuditEntry {
                kind,
                actor,
                review: None,
                detail,
                address: address.map(str::to_string),
            })
            .await;
    }

    /// A wrong password for `account` (an email address, an account or not): counted, and
    /// answered alike for every account.
    pub(crate) fn failed(&self, account: &str, address: Option<&str>, answer: &str) -> AppError {
        self.throttle.failed(account, address);
        AppError::new(ErrorCode::Unauthenticated, answer)
    }

    /// Refuses an attempt that must wait, with the same answer for every account.
    pub(crate) fn throttled(&self, account: &str, address: Option<&str>) -> Result<(), AppError> {
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

    /// The session a cookie's token names, if it is in force (using it restarts its idle time).
    pub async fn session(&self, token: &str) -> Result<Option<RequestSession>, DbError> {
        crate::auth::session::resolve(&self.db, &self.sessions, token).await
    }

    /// A right password for `account`: its wrong ones are forgotten.
    pub(crate) fn succeeded(&self, account: &str) {
        self.throttle.succeeded(account);
    }
}

/// A new account's name and password, or what is wrong with them.
pub(crate) fn check_new_account(name: &str, password: &str) -> Result<(), AppError> {
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
pub(crate) async fn verify_off_thread(attempt: &str, stored: &str) -> Result<bool, AppError> {
    let (attempt, stored) = (attempt.to_string(), stored.to_string());
    argon(
        move || password::verify(&attempt, &stored),
        "The password check failed.",
    )
    .await
}

/// Hashes a new password.
pub(crate) async fn hash_off_thread(new: &str) -> Result<String, AppError> {
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

pub(crate) fn unavailable(error: DbError) -> AppError {
    tracing::error!(%error, "account service");
    AppError::unavailable("Signing in is not possible just now. Please try again in a moment.")
}

#[async_trait::async_trait]
impl crate::access::Sessions for Accounts {
    /// The session in force under its stored key, and when it ends however busy it is.
    async fn active_session(
        &self,
        key: &str,
    ) -> Result<Option<crate::auth::session::ActiveSession>, DbError> {
        crate::auth::session::resolve_key(&self.db, &self.sessions, key).await
    }
}

#[async_trait::async_trait]
impl AccountService for Accounts {
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
        let person = db::accounts::find_person_by_email(&self.db, &email)
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
        // An account opened with the organisation's account has no password here: the same
        // work and answer as a wrong one.
        let stored = if person.password_hash.is_empty() {
            password::dummy_hash()
        } else {
            &person.password_hash
        };
        let matches =
            verify_off_thread(password_text, stored).await? && !person.password_hash.is_empty();
        if !matches {
            self.audit("sign_in_failed", Some(id), String::new(), address)
                .await;
            return Err(self.failed(&email, address, WRONG_CREDENTIALS));
        }
        self.throttle.succeeded(&email);
        self.open_session(person.caller(), address).await
    }

    async fn sign_out(
        &self,
        session: &RequestSession,
        address: Option<&str>,
    ) -> Result<String, AppError> {
        db::accounts::revoke_session(&self.db, &session.key)
            .await
            .map_err(unavailable)?;
        self.access.changed(session.caller.id, None).await;
        self.audit("sign_out", Some(session.caller.id), String::new(), address)
            .await;
        Ok(self.sessions.clear_cookie())
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
        let stored = db::accounts::password_hash(&self.db, id)
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
        db::accounts::set_password(&self.db, id, hash)
            .await
            .map_err(unavailable)?;
        db::accounts::revoke_other_sessions(&self.db, id, &session.key)
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

    async fn issue_password_reset(&self, by: &Caller, email: &str) -> Result<ResetLink, AppError> {
        let email =
            normalise_email(email).map_err(|message| AppError::new(ErrorCode::Invalid, message))?;
        let person = db::accounts::find_person_by_email(&self.db, &email)
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
        let path = format!("/reset-password/{token}");
        let expires = expires_at.format("%-d %B %Y at %H:%M UTC").to_string();
        let mail = self.mail.password_reset(&email, &by.name, &path, &expires);
        let emailed = mail.is_some();
        db::accounts::create_password_reset(
            &self.db,
            PersonId(person.id),
            by.id,
            &hash,
            expires_at,
            mail,
        )
        .await
        .map_err(unavailable)?;
        self.mail.queued();
        // The link goes to the administrator who issued it, in this answer, and by mail when
        // mail is on; the token is never logged.
        tracing::info!("password reset link issued");
        self.audit(
            "password_reset_issued",
            Some(by.id),
            format!("for {email}"),
            None,
        )
        .await;
        Ok(ResetLink { path, emailed })
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
            db::accounts::claim_password_reset(&self.db, &crate::auth::session::hash_token(token))
                .await
                .map_err(unavailable)?
                .ok_or_else(bad_link)?;
        let hash = hash_off_thread(new).await?;
        db::accounts::set_password(&self.db, person, hash)
            .await
            .map_err(unavailable)?;
        db::accounts::clear_failed_sign_ins(&self.db, person)
            .await
            .map_err(unavailable)?;
        // A reset ends any wait its wrong passwords had earned.
        if let Some(email) = db::accounts::person_email(&self.db, person)
            .await
            .map_err(unavailable)?
        {
            self.throttle.succeeded(&email);
        }
        db::accounts::revoke_all_sessions(&self.db, person)
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

    async fn pending_link(&self, cookies: &str) -> Result<Option<String>, AppError> {
        let Some(token) = self.sessions.short_cookie_from(LINK_COOKIE, cookies) else {
            return Ok(None);
        };
        Ok(
            db::oidc::offered_link(&self.db, &crate::auth::session::hash_token(&token))
                .await
                .map_err(unavailable)?
                .map(|link| link.email),
        )
    }

    async fn link_pending(
        &self,
        caller: &Caller,
        cookies: &str,
        address: Option<&str>,
    ) -> Result<Option<String>, AppError> {
        let Some(token) = self.sessions.short_cookie_from(LINK_COOKIE, cookies) else {
            return Ok(None);
        };
        let clear = Some(self.sessions.clear_short_cookie(LINK_COOKIE));
        // Only for the person it waits for, and only for their own address (the organisation
        // verified it): someone else signing in in this browser links nothing.
        let Some(link) = db::oidc::take_link(
            &self.db,
            &crate::auth::session::hash_token(&token),
            caller.id,
        )
        .await
        .map_err(unavailable)?
        else {
            return Ok(clear);
        };
        if link.email != caller.email {
            return Ok(clear);
        }
        let issuer = link.issuer.clone();
        let linked = db::oidc::link(
            &self.db,
            caller.id,
            db::oidc::Identity {
                issuer: link.issuer,
                subject: link.subject,
                email: link.email,
            },
        )
        .await
        .map_err(unavailable)?;
        if linked {
            self.audit(
                "organisation_account_linked",
                Some(caller.id),
                format!("an account at {issuer}, after signing in with the password"),
                address,
            )
            .await;
        }
        Ok(clear)
    }
}

/// The cookie that carries an organisation account waiting to be linked (`crate::oidc`).
pub(crate) const LINK_COOKIE: &str = "peerwall_oidc_link";

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
    let created = db::accounts::create_person(
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
    db::audit::record_audit(
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
