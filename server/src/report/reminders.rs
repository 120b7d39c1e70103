//! Deadline reminders: three days before the current round of a report is due, a mail to each
//! person whose part it is (the peer team for its comments, the council for its comments, the
//! authors for the final version, the host lead for sign-off), once per round and date
//! whichever node's schedule gets there first.

use std::time::Duration;

use app::error::AppError;
use app::membership::{Action, Role, allows_in};
use app::report::Round;
use app::review::ReviewId;
use chrono::{DateTime, NaiveDate, Utc};

use super::Reports;
use crate::db;

/// How many days before a round is due its reminder goes.
pub const REMIND_DAYS_BEFORE: u64 = 3;

/// How often the schedule looks for reminders due.
pub const CHECK_EVERY: Duration = Duration::from_secs(60 * 60);

fn unavailable(error: db::DbError) -> AppError {
    tracing::error!(%error, "report reminders");
    AppError::unavailable("The report's reminders could not be read.")
}

/// What is due in `round` and whose part it is: the date, who may do it, and what it is.
fn due_in(
    round: Round,
    due: &app::report::DueDates,
    final_sent: bool,
) -> Option<(NaiveDate, Action, &'static str)> {
    match round {
        Round::PeerComments => due.peer_comments.map(|on| {
            (
                on,
                Action::CommentOnDraft,
                "Your comments on the draft report",
            )
        }),
        Round::SentToCouncil | Round::CouncilComments => due.council_comments.map(|on| {
            (
                on,
                Action::CommentAsCouncil,
                "The council's comments on the draft report",
            )
        }),
        Round::Final if !final_sent => due
            .final_version
            .map(|on| (on, Action::WriteReport, "The report's final version")),
        Round::Final => due.sign_off.map(|on| {
            (
                on,
                Action::SignOffReport,
                "The council's sign-off of the report",
            )
        }),
        Round::TeamDraft | Round::SignedOff => None,
    }
}

/// Whether `today` is within the reminder's days before `due` (or on it).
fn reminder_due(today: NaiveDate, due: NaiveDate) -> bool {
    due.checked_sub_days(chrono::Days::new(REMIND_DAYS_BEFORE))
        .is_some_and(|from| today >= from)
        && today <= due
}

impl Reports {
    /// Queues the reminders due at `now`; how many reviews' reminders were queued.
    pub async fn remind_due(&self, now: DateTime<Utc>) -> Result<usize, AppError> {
        if !self.mail.is_on() {
            return Ok(0);
        }
        let mut reminded = 0;
        for review in db::report::with_due_dates(&self.db)
            .await
            .map_err(unavailable)?
        {
            match self.remind(review, now.date_naive()).await {
                Ok(true) => reminded += 1,
                Ok(false) => {}
                Err(error) => tracing::warn!(%review, %error, "a report reminder"),
            }
        }
        Ok(reminded)
    }

    async fn remind(&self, review: ReviewId, today: NaiveDate) -> Result<bool, db::DbError> {
        let Some(state) = db::report::state(&self.db, review).await? else {
            return Ok(false);
        };
        let final_sent = db::report::versions(&self.db, review)
            .await?
            .iter()
            .any(|version| version.final_version);
        let Some((due, action, task)) = due_in(state.round, &state.due, final_sent) else {
            return Ok(false);
        };
        if !reminder_due(today, due) {
            return Ok(false);
        }
        let Some(summary) = db::review::get_summary(&self.db, review).await? else {
            return Ok(false);
        };
        let when = due.format("%-d %B %Y").to_string();
        let path = format!("/reviews/{}/report", review.0);
        // Whose part it is, by the role table for the review's programme.
        let roles: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|role| allows_in(summary.review_type, *role, action))
            .collect();
        let mails: Vec<_> = db::membership::emails_in(&self.db, review, &roles)
            .await?
            .iter()
            .filter_map(|email| {
                self.mail.round_due(
                    email,
                    (review, &summary.title, &summary.host_authority),
                    task,
                    &when,
                    &path,
                )
            })
            .collect();
        let key = format!("{}:{due}", state.round.as_str());
        let queued = db::report::queue_reminder(&self.db, review, &key, mails).await?;
        if queued {
            self.mail.queued();
        }
        Ok(queued)
    }

    /// Runs `remind_due` every `every` until `stop_reminders`.
    pub fn start_reminders(&self, every: Duration) {
        let reports = self.clone();
        let task = tokio::spawn(async move {
            let mut ticks = tokio::time::interval(every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                if let Err(error) = reports.remind_due(Utc::now()).await {
                    tracing::warn!(%error.message, "the report's reminders");
                }
            }
        });
        if let Ok(mut reminders) = self.reminders.lock()
            && let Some(old) = reminders.replace(task)
        {
            old.abort();
        }
    }

    pub fn stop_reminders(&self) {
        if let Some(task) = self.reminders.lock().ok().and_then(|mut r| r.take()) {
            task.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reminder_is_due_in_the_three_days_before_and_on_the_day() {
        let due: NaiveDate = "2027-01-15".parse().unwrap();
        let day = |text: &str| text.parse::<NaiveDate>().unwrap();
        assert!(!reminder_due(day("2027-01-11"), due));
        assert!(reminder_due(day("2027-01-12"), due));
        assert!(reminder_due(day("2027-01-15"), due));
        assert!(
            !reminder_due(day("2027-01-16"), due),
            "past it: no reminder"
        );
    }

    #[test]
    fn each_round_reminds_those_whose_part_it_is() {
        let on: NaiveDate = "2027-01-15".parse().unwrap();
        let due = app::report::DueDates {
            peer_comments: Some(on),
            council_comments: Some(on),
            final_version: Some(on),
            sign_off: Some(on),
        };
        let action = |round, sent| due_in(round, &due, sent).map(|(_, action, _)| action);
        assert_eq!(action(Round::TeamDraft, false), None);
        assert_eq!(
            action(Round::PeerComments, false),
            Some(Action::CommentOnDraft)
        );
        assert_eq!(
            action(Round::SentToCouncil, false),
            Some(Action::CommentAsCouncil)
        );
        assert_eq!(
            action(Round::CouncilComments, false),
            Some(Action::CommentAsCouncil)
        );
        assert_eq!(action(Round::Final, false), Some(Action::WriteReport));
        assert_eq!(action(Round::Final, true), Some(Action::SignOffReport));
        assert_eq!(action(Round::SignedOff, true), None);
    }
}
