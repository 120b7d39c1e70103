//! The retention service: each review's policy, the facilitator's "destroy now", the site's
//! default, and the schedule that destroys the notes of every review whose period after sign-off
//! has run. A destruction goes through the review's board task (`WallHub::destroy_notes`), so
//! open walls get it in order; its one transaction and the destruction record keyed by the
//! review make it happen once, whichever node or run gets there first.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use app::error::{AppError, ErrorCode};
use app::membership::Action;
use app::retention::{
    BUILT_IN_DAYS, DestructionCounts, DestructionRecord, RetentionService, RetentionView,
    check_days, check_site_days, destroy_on, warning_due,
};
use app::review::ReviewId;
use chrono::{DateTime, Utc};

use crate::audit::{AuditEntry, AuditTrail};
use crate::db::{self, Database};
use crate::membership::ReviewDoor;
use crate::wall::hub::WallHub;

/// How often the schedule looks for notes past their date.
pub const CHECK_EVERY: Duration = Duration::from_secs(60 * 60);

/// The retention service.
#[derive(Clone)]
pub struct Retention {
    db: Database,
    audit: AuditTrail,
    door: ReviewDoor,
    wall: WallHub,
    access: crate::access::AccessWatch,
    schedule: Arc<Mutex<Option<tokio::task::JoinHandle<()>>>>,
    /// The week's warning goes to the facilitators and team leads by mail when it is on.
    mail: crate::mail::Mail,
}

fn unavailable(error: db::DbError) -> AppError {
    tracing::error!(%error, "retention storage");
    AppError::unavailable("The retention policy could not be reached. Try again in a moment.")
}

fn counts(row: db::retention::Counts) -> DestructionCounts {
    let n = |value: i64| value.max(0) as u64;
    DestructionCounts {
        notes: n(row.notes),
        deleted_notes: n(row.deleted_notes),
        events: n(row.events),
        evidence: n(row.evidence),
        sessions: n(row.sessions),
    }
}

fn record(row: db::retention::RecordRow) -> DestructionRecord {
    DestructionRecord {
        at: row.at.format("%-d %B %Y %H:%M UTC").to_string(),
        by: row
            .by_name
            .clone()
            .unwrap_or_else(|| "the retention schedule".into()),
        signed_off: row.signed_off_at.date_naive(),
        days: row.retention_days.max(0) as u32,
        counts: counts(row.counts()),
        digest: row.digest,
    }
}

/// The period in force: the review's own, never longer than the site's default.
fn days_in_force(own: Option<i64>, site: Option<i64>) -> (u32, u32) {
    let site = site.map_or(BUILT_IN_DAYS, |days| days.clamp(1, 365) as u32);
    let days = own.map_or(site, |days| (days.max(1) as u32).min(site));
    (days, site)
}

/// When the notes of a review signed off at `signed_off_at` go, kept `days`.
fn due_at(signed_off_at: DateTime<Utc>, days: u32) -> DateTime<Utc> {
    signed_off_at + chrono::Duration::days(i64::from(days))
}

impl Retention {
    pub fn new(
        db: Database,
        audit: AuditTrail,
        door: ReviewDoor,
        (wall, access): (WallHub, crate::access::AccessWatch),
    ) -> Self {
        Self {
            db,
            audit,
            door,
            wall,
            access,
            schedule: Arc::default(),
            mail: crate::mail::Mail::off(),
        }
    }

    /// Mails the week's warning before notes are destroyed.
    pub fn with_mail(mut self, mail: crate::mail::Mail) -> Self {
        self.mail = mail;
        self
    }

    /// A week before a review's notes go (`warning_due`), mails its facilitators and team
    /// leads once for that date, whichever node's schedule gets there first.
    async fn warn(&self, review: ReviewId, on: chrono::NaiveDate) -> Result<(), db::DbError> {
        if !self.mail.is_on() {
            return Ok(());
        }
        let Some(summary) = db::review::get_summary(&self.db, review).await? else {
            return Ok(());
        };
        let when = on.format("%-d %B %Y").to_string();
        let path = format!("/reviews/{}", review.0);
        let leads = [
            app::membership::Role::Facilitator,
            app::membership::Role::TeamLead,
        ];
        let mails: Vec<_> = db::membership::emails_in(&self.db, review, &leads)
            .await?
            .iter()
            .filter_map(|email| {
                self.mail.notes_warning(
                    email,
                    (review, &summary.title, &summary.host_authority),
                    &when,
                    &path,
                )
            })
            .collect();
        if db::retention::queue_warning(&self.db, review, &on.to_string(), mails).await? {
            self.mail.queued();
        }
        Ok(())
    }

    /// Destroys the notes of every review whose period after sign-off has run by `now`; the
    /// reviews it destroyed. Safe to run again, and on several nodes at once.
    pub async fn run_due(&self, now: DateTime<Utc>) -> Result<Vec<ReviewId>, AppError> {
        let site = db::retention::site_days(&self.db)
            .await
            .map_err(unavailable)?;
        let pending = db::retention::pending(&self.db)
            .await
            .map_err(unavailable)?;
        let mut destroyed = Vec::new();
        for review in pending {
            let (days, _) = days_in_force(review.days, site);
            if now < due_at(review.signed_off_at, days) {
                let on = destroy_on(review.signed_off_at.date_naive(), days);
                if warning_due(now.date_naive(), on)
                    && let Err(error) = self.warn(ReviewId(review.review), on).await
                {
                    tracing::warn!(%error, "the notes' warning mail");
                }
                continue;
            }
            let id = ReviewId(review.review);
            match self.destroy(id, None, review.signed_off_at, days).await {
                Ok(Some(_)) => destroyed.push(id),
                Ok(None) => {}
                Err(error) => tracing::error!(review = %id, %error.message, "destroying notes"),
            }
        }
        Ok(destroyed)
    }

    /// Runs `run_due` every `every` until `stop_schedule`.
    pub fn start_schedule(&self, every: Duration) {
        let retention = self.clone();
        let task = tokio::spawn(async move {
            // The first run is the caller's (before serving); then one every `every`.
            let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                match retention.run_due(Utc::now()).await {
                    Ok(done) if !done.is_empty() => {
                        tracing::info!(reviews = done.len(), "notes destroyed on schedule");
                    }
                    Ok(_) => {}
                    Err(error) => tracing::warn!(%error.message, "the retention schedule"),
                }
            }
        });
        if let Ok(mut schedule) = self.schedule.lock()
            && let Some(old) = schedule.replace(task)
        {
            old.abort();
        }
    }

    /// Stops the schedule (a destruction under way finishes or rolls back as a whole).
    pub fn stop_schedule(&self) {
        if let Some(task) = self.schedule.lock().ok().and_then(|mut s| s.take()) {
            task.abort();
        }
    }

    /// Destroys through the board and writes the audit row; the record, or `None` when the
    /// notes were already gone.
    async fn destroy(
        &self,
        review: ReviewId,
        by: Option<&app::accounts::Caller>,
        signed_off_at: DateTime<Utc>,
        days: u32,
    ) -> Result<Option<DestructionRecord>, AppError> {
        let who = by.map(|caller| (caller.id, caller.name.clone()));
        if !self
            .wall
            .destroy_notes(review, who, signed_off_at, i64::from(days))
            .await?
        {
            return Ok(None);
        }
        let row = db::retention::record(&self.db, review)
            .await
            .map_err(unavailable)?
            .ok_or_else(|| AppError::internal("The destruction left no record."))?;
        let done = record(row);
        self.audit
            .note(AuditEntry {
                kind: "notes_destroyed",
                actor: by.map(|caller| caller.id),
                review: Some(review),
                detail: format!(
                    "{} {}; SHA-256 {}",
                    if by.is_some() {
                        "now, by hand:"
                    } else {
                        "on schedule:"
                    },
                    done.counts.summary(),
                    done.digest
                ),
                address: None,
            })
            .await;
        Ok(Some(done))
    }

    async fn view_for(
        &self,
        review: ReviewId,
        may_destroy: bool,
        may_set: bool,
    ) -> Result<RetentionView, AppError> {
        let policy = db::retention::policy(&self.db, review)
            .await
            .map_err(unavailable)?;
        let done = db::retention::record(&self.db, review)
            .await
            .map_err(unavailable)?;
        let (days, site_days) = days_in_force(policy.days, policy.site_days);
        let signed_off = policy.signed_off_at.map(|at| at.date_naive());
        let on = signed_off.map(|day| destroy_on(day, days));
        let preview = if may_destroy && done.is_none() && signed_off.is_some() {
            let plan = db::retention::plan(&self.db, review)
                .await
                .map_err(unavailable)?;
            Some(counts(plan.counts))
        } else {
            None
        };
        Ok(RetentionView {
            days,
            site_days,
            own_days: policy.days.is_some(),
            signed_off,
            destroy_on: on,
            warning: done.is_none()
                && on.is_some_and(|on| warning_due(Utc::now().date_naive(), on)),
            record: done.map(record),
            preview,
            may_set,
            may_destroy,
        })
    }
}

fn already_destroyed() -> AppError {
    AppError::new(
        ErrorCode::Conflict,
        "The notes of this review are already destroyed: see the destruction record.",
    )
}

#[async_trait::async_trait]
impl RetentionService for Retention {
    async fn view(&self, review: ReviewId) -> Result<RetentionView, AppError> {
        let who = self.door.caller(review).await?;
        who.must(Action::ViewRetention)?;
        self.view_for(
            review,
            who.may(Action::DestroyNotes),
            who.may(Action::SetRetention),
        )
        .await
    }

    async fn set_days(
        &self,
        review: ReviewId,
        days: Option<u32>,
    ) -> Result<RetentionView, AppError> {
        let who = self.door.caller(review).await?;
        who.must(Action::SetRetention)?;
        if db::retention::record(&self.db, review)
            .await
            .map_err(unavailable)?
            .is_some()
        {
            return Err(already_destroyed());
        }
        let site = db::retention::site_days(&self.db)
            .await
            .map_err(unavailable)?;
        let (_, site_days) = days_in_force(None, site);
        if let Some(days) = days {
            check_days(days, site_days)?;
        }
        db::retention::set_days(&self.db, review, days.map(i64::from))
            .await
            .map_err(unavailable)?;
        self.audit
            .review_change(
                &who.caller,
                review,
                "retention_set",
                match days {
                    Some(days) => format!("notes kept {days} days after sign-off"),
                    None => format!("notes kept the site's {site_days} days after sign-off"),
                },
            )
            .await?;
        self.view_for(review, who.may(Action::DestroyNotes), true)
            .await
    }

    async fn destroy_now(&self, review: ReviewId) -> Result<DestructionRecord, AppError> {
        let who = self.door.caller(review).await?;
        who.must(Action::DestroyNotes)?;
        let policy = db::retention::policy(&self.db, review)
            .await
            .map_err(unavailable)?;
        let Some(signed_off_at) = policy.signed_off_at else {
            return Err(AppError::new(
                ErrorCode::Conflict,
                "The notes are kept until the council signs the report off; they can be destroyed after that.",
            ));
        };
        let (days, _) = days_in_force(policy.days, policy.site_days);
        self.destroy(review, Some(&who.caller), signed_off_at, days)
            .await?
            .ok_or_else(already_destroyed)
    }

    async fn site_days(&self) -> Result<u32, AppError> {
        app::accounts::require_admin("read the site's retention period")?;
        let site = db::retention::site_days(&self.db)
            .await
            .map_err(unavailable)?;
        Ok(days_in_force(None, site).1)
    }

    async fn set_site_days(&self, days: u32) -> Result<u32, AppError> {
        let admin = app::accounts::require_admin("set the site's retention period")?;
        check_site_days(days)?;
        db::retention::set_site_days(&self.db, Some(i64::from(days)))
            .await
            .map_err(unavailable)?;
        self.audit
            .record(AuditEntry {
                kind: "site_retention_set",
                actor: Some(admin.id),
                review: None,
                detail: format!(
                    "notes kept {days} days after sign-off unless a review shortens it"
                ),
                address: None,
            })
            .await?;
        Ok(days)
    }

    async fn erase_account(&self, email: String) -> Result<usize, AppError> {
        self.erase(&email).await
    }
}

impl Retention {
    async fn erase(&self, email: &str) -> Result<usize, AppError> {
        let admin = app::accounts::require_admin("erase an account")?;
        let email = email.trim().to_lowercase();
        let person = (db::accounts::find_person_by_email(&self.db, &email).await)
            .map_err(unavailable)?
            .ok_or_else(|| {
                AppError::new(ErrorCode::NotFound, "No account has that email address.")
            })?;
        let id = app::accounts::PersonId(person.id);
        if id == admin.id {
            return Err(AppError::new(
                ErrorCode::Conflict,
                "An administrator cannot erase their own account: ask another administrator.",
            ));
        }
        let sole = (db::accounts::sole_facilitator_of(&self.db, id).await).map_err(unavailable)?;
        if !sole.is_empty() {
            return Err(AppError::new(
                ErrorCode::Conflict,
                format!(
                    "{} is the only facilitator of {}: make someone else its facilitator first.",
                    person.name,
                    sole.join(", ")
                ),
            ));
        }
        let mut notes = 0;
        for review in
            (db::retention::reviews_with_notes_by(&self.db, id).await).map_err(unavailable)?
        {
            notes += self.wall.erase_author(review, id).await?;
        }
        db::accounts::erase(&self.db, id, &email, &person.name)
            .await
            .map_err(unavailable)?;
        self.access.changed(id, None).await;
        self.audit
            .record(AuditEntry {
                kind: "account_erased",
                actor: Some(admin.id),
                review: None,
                detail: format!("an account; {notes} notes now by a former member"),
                address: None,
            })
            .await?;
        Ok(notes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_review_keeps_its_own_period_but_never_longer_than_the_site() {
        assert_eq!(days_in_force(None, None), (30, 30));
        assert_eq!(days_in_force(Some(10), None), (10, 30));
        assert_eq!(days_in_force(Some(40), Some(20)), (20, 20));
        assert_eq!(days_in_force(None, Some(60)), (60, 60));
    }
}
