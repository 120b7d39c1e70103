//! Access changes reach open sockets at once. A socket is authorized when it opens, but a person
//! can be demoted, removed or signed out while it is open; every such change is published here
//! (to this node's sockets at once, and through the `access_change` table, which every node
//! follows with a LIVE query, to the others'), and each socket of that person checks its session
//! and role again, closing if they no longer allow it. Every socket also checks again every
//! `RECHECK_EVERY` and when its session's absolute lifetime ends, so a lost notification or an
//! expiry closes it all the same.

use std::sync::Arc;
use std::time::Duration;

use app::accounts::PersonId;
use app::error::{AppError, ErrorCode};
use app::membership::MembershipService;
use app::membership::{Action, Role, authorize_person};
use app::review::ReviewId;
use tokio::sync::broadcast;
use tokio::time::Instant;

use crate::auth::session::ActiveSession;
use crate::db::{self, Database};

/// How often an open socket checks its session and role again without being told to.
pub const RECHECK_EVERY: Duration = Duration::from_secs(30);

/// A person's access changed: on one review (role changed, removed), or everywhere (their
/// sessions ended: signed out, password changed or reset).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccessChange {
    pub person: PersonId,
    pub review: Option<ReviewId>,
}

impl AccessChange {
    fn concerns(&self, person: PersonId, review: ReviewId) -> bool {
        self.person == person && self.review.is_none_or(|changed| changed == review)
    }
}

/// Publishes access changes to this node's sockets and, through the database, to every node's.
#[derive(Clone)]
pub struct AccessWatch {
    db: Database,
    local: broadcast::Sender<AccessChange>,
    live: crate::live::LiveFollower,
}

impl AccessWatch {
    pub fn new(db: Database) -> Self {
        let (local, _) = broadcast::channel(1_024);
        Self {
            db,
            local,
            live: crate::live::LiveFollower::default(),
        }
    }

    /// Tells every open socket of `person` (on `review`, or on every review) to check its access
    /// again: this node's at once, other nodes' through the database.
    pub async fn changed(&self, person: PersonId, review: Option<ReviewId>) {
        let _ = self.local.send(AccessChange { person, review });
        if let Err(error) = db::access::record(&self.db, person, review).await {
            // Other nodes' sockets still check again within RECHECK_EVERY.
            tracing::error!(%error, "recording an access change for other nodes");
        }
    }

    /// Follows the `access_change` table with one LIVE query, so that changes made on other
    /// nodes reach this node's sockets. Runs until `stop_following`.
    pub fn start_following(&self) {
        let (db, local) = (self.db.clone(), self.local.clone());
        self.live.start(
            self.db.clone(),
            crate::live::Followed {
                what: "access changes",
                table: "access_change",
            },
            move || {
                let db = db.clone();
                async move { db::access::live_changes(&db).await }
            },
            move |(person, review)| {
                // This node's own changes come back too: checking twice is harmless.
                let _ = local.send(AccessChange { person, review });
                std::future::ready(())
            },
        );
    }

    /// The LIVE query this service follows, for the node's readiness.
    pub fn live_query(&self) -> &crate::live::LiveFollower {
        &self.live
    }

    /// Ends the LIVE query explicitly.
    pub async fn stop_following(&self) {
        self.live.stop(&self.db, "access changes").await;
    }

    /// The access of one socket opened by `session` to do `action` on `review`.
    pub fn socket(
        state: &crate::AppState,
        session: &app::accounts::RequestSession,
        review: ReviewId,
        action: Action,
    ) -> SocketAccess {
        let watch = &state.access;
        SocketAccess {
            accounts: state.accounts.clone(),
            people: state.services.membership.clone(),
            key: session.key.clone(),
            person: session.caller.id,
            review,
            action,
            changes: watch.local.subscribe(),
            // The first tick is at once: the session's end is read when the socket opens.
            recheck: tokio::time::interval(RECHECK_EVERY),
            // One timer for the socket's life, moved at each check (not one per frame sent).
            ends: Box::pin(tokio::time::sleep(FAR_AWAY)),
        }
    }
}

/// Where a socket's session is read again (the account service).
#[async_trait::async_trait]
pub trait Sessions: Send + Sync {
    /// The session in force under its stored key, and when it ends however busy it is.
    async fn active_session(&self, key: &str) -> Result<Option<ActiveSession>, db::DbError>;
}

/// One socket's access, checked again whenever it may have changed.
pub struct SocketAccess {
    accounts: Arc<dyn Sessions>,
    people: Arc<dyn MembershipService>,
    key: String,
    person: PersonId,
    review: ReviewId,
    action: Action,
    changes: broadcast::Receiver<AccessChange>,
    recheck: tokio::time::Interval,
    /// When the session ends (or, when the database could not say, when to ask again).
    ends: std::pin::Pin<Box<tokio::time::Sleep>>,
}

/// Until the first check has read the session's end.
const FAR_AWAY: Duration = Duration::from_secs(365 * 24 * 60 * 60);

impl SocketAccess {
    /// Completes when the access must be checked again: a change of this person's access, the
    /// periodic check, or the session's end. Cancel-safe, for `select!`.
    pub async fn due(&mut self) {
        loop {
            tokio::select! {
                change = self.changes.recv() => match change {
                    Ok(change) if change.concerns(self.person, self.review) => return,
                    Ok(_) => {}
                    Err(broadcast::error::RecvError::Lagged(_)) => return,
                    Err(broadcast::error::RecvError::Closed) => std::future::pending::<()>().await,
                },
                _ = self.recheck.tick() => return,
                () = self.ends.as_mut() => return,
            }
        }
    }

    fn ask_again_in(&mut self, wait: Duration) {
        self.ends.as_mut().reset(Instant::now() + wait);
    }

    /// Checks the session and the role again: the role now, or why access has ended. A database
    /// that cannot be reached is `Unavailable`, which does not end access.
    pub async fn check(&mut self) -> Result<Role, AppError> {
        let unavailable = |error: db::DbError| {
            tracing::warn!(%error, "checking an open socket's access");
            // Not checked: try again shortly rather than spin on a passed deadline.
            AppError::unavailable("Access could not be checked just now.")
        };
        let active = match self.accounts.active_session(&self.key).await {
            Ok(active) => active,
            Err(error) => {
                self.ask_again_in(Duration::from_secs(5));
                return Err(unavailable(error));
            }
        };
        let Some(active) = active.filter(|active| active.session.caller.id == self.person) else {
            return Err(session_ended());
        };
        // Checked again just after the end, when the session is past it for certain.
        let left = (active.ends_at - chrono::Utc::now())
            .to_std()
            .unwrap_or(Duration::ZERO);
        self.ask_again_in(left + Duration::from_millis(50));
        match authorize_person(self.people.as_ref(), self.person, self.review, self.action).await {
            Err(error) if error.code == ErrorCode::Unavailable => {
                self.ask_again_in(Duration::from_secs(5));
                Err(error)
            }
            other => other,
        }
    }
}

/// The refusal for a socket whose session has ended.
pub fn session_ended() -> AppError {
    AppError::new(
        ErrorCode::Unauthenticated,
        "Your session has ended (signed out, expired or your password changed): sign in again.",
    )
}
