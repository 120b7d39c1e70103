//! The retention policy as people read it, shared by browser and server.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// Days after sign-off the notes are kept when neither the site nor the review says otherwise.
pub const BUILT_IN_DAYS: u32 = 30;
/// The longest period an administrator may set.
pub const MOST_DAYS: u32 = 365;
/// How many days before the destruction the review page and the wall warn.
pub const WARN_DAYS: u64 = 7;

/// What goes when the notes are destroyed, and why.
pub const DESTROYED: &[&str] = &[
    "Every note, deleted ones too: its text, where it was heard, the stakeholder group, the pair and who wrote it",
    "The links from key messages to their notes",
    "What the wall's change log held of each note (its entries stay, blank, so the wall still loads)",
    "The identifying role of each timetable session (\"Leader interview\" keeps its time and place, not who)",
];

/// What stays after it, and why.
pub const KEPT: &[&str] = &[
    "The key messages, with their strength as it stood (notes, sessions, groups, pairs)",
    "The report: every version sent to the council, its comments and the sign-off",
    "The timetable without attendee detail, and the pack's documents",
    "The audit trail and this destruction record",
];

/// Why the notes go: the programme's rule and the law.
pub const WHY: &str = "The peer challenge keeps its notes only until the council has signed off the feedback report (the programme's rule); UK GDPR's storage limitation principle asks that personal data is kept no longer than needed. The key messages and the report are the outcome and stay.";

/// How much a destruction takes (or would take).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DestructionCounts {
    pub notes: u64,
    pub deleted_notes: u64,
    /// Change-log entries about notes, blanked.
    pub events: u64,
    /// Links from key messages to notes.
    pub evidence: u64,
    /// Timetable sessions whose identifying role goes.
    pub sessions: u64,
}

impl DestructionCounts {
    /// One line: "42 notes, 3 deleted notes, 120 change-log entries, 30 evidence links, 4 sessions' roles".
    pub fn summary(&self) -> String {
        let plural =
            |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        [
            plural(self.notes, "note", "notes"),
            plural(self.deleted_notes, "deleted note", "deleted notes"),
            plural(self.events, "change-log entry", "change-log entries"),
            plural(self.evidence, "evidence link", "evidence links"),
            plural(
                self.sessions,
                "session's identifying role",
                "sessions' identifying roles",
            ),
        ]
        .join(", ")
    }
}

/// The record of a destruction, as the council may be shown it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DestructionRecord {
    /// When, as people read it (UTC).
    pub at: String,
    /// Who: a person's name, or "the retention schedule".
    pub by: String,
    pub signed_off: NaiveDate,
    pub days: u32,
    pub counts: DestructionCounts,
    /// SHA-256 of everything destroyed, in hex.
    pub digest: String,
}

/// A review's retention as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionView {
    /// Days after sign-off the notes are kept.
    pub days: u32,
    /// The site's default (the longest this review may keep them).
    pub site_days: u32,
    /// Whether this review set its own period.
    pub own_days: bool,
    pub signed_off: Option<NaiveDate>,
    /// When the schedule destroys them, once the report is signed off.
    pub destroy_on: Option<NaiveDate>,
    /// Within the warning before `destroy_on`, and not yet destroyed.
    pub warning: bool,
    pub record: Option<DestructionRecord>,
    /// For the facilitator, before destruction: what it would take now.
    pub preview: Option<DestructionCounts>,
    pub may_set: bool,
    pub may_destroy: bool,
}

/// The day the notes go: `days` after sign-off.
pub fn destroy_on(signed_off: NaiveDate, days: u32) -> NaiveDate {
    signed_off
        .checked_add_days(Days::new(u64::from(days)))
        .unwrap_or(NaiveDate::MAX)
}

/// Whether `today` falls in the warning before `destroy_on` (or after it, not yet done).
pub fn warning_due(today: NaiveDate, destroy_on: NaiveDate) -> bool {
    destroy_on
        .checked_sub_days(Days::new(WARN_DAYS))
        .is_none_or(|from| today >= from)
}

/// A review's own period: at least a day, and no longer than the site's default (the
/// facilitator may only shorten it).
pub fn check_days(days: u32, site_days: u32) -> Result<(), AppError> {
    if days == 0 || days > site_days {
        return Err(AppError::invalid_field(
            "days",
            format!(
                "Keep the notes between 1 and {site_days} days after sign-off (the site's default is the longest)."
            ),
        ));
    }
    Ok(())
}

/// The site's default, as an administrator sets it.
pub fn check_site_days(days: u32) -> Result<(), AppError> {
    if days == 0 || days > MOST_DAYS {
        return Err(AppError::invalid_field(
            "days",
            format!("The site's default must be between 1 and {MOST_DAYS} days."),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("a date")
    }

    #[test]
    fn the_notes_go_the_set_days_after_sign_off_and_the_week_before_warns() {
        let on = destroy_on(date("2027-03-01"), 30);
        assert_eq!(on, date("2027-03-31"));
        assert!(!warning_due(date("2027-03-23"), on));
        assert!(warning_due(date("2027-03-24"), on));
        assert!(
            warning_due(date("2027-04-02"), on),
            "late, still warned until done"
        );
    }

    #[test]
    fn a_review_may_shorten_the_period_but_not_lengthen_it() {
        assert!(check_days(14, 30).is_ok());
        assert!(check_days(30, 30).is_ok());
        assert_eq!(
            check_days(31, 30).unwrap_err().field.as_deref(),
            Some("days")
        );
        assert!(check_days(0, 30).is_err());
        assert!(check_site_days(365).is_ok());
        assert!(check_site_days(366).is_err());
    }

    #[test]
    fn the_counts_read_as_a_sentence() {
        let counts = DestructionCounts {
            notes: 1,
            deleted_notes: 2,
            events: 3,
            evidence: 1,
            sessions: 0,
        };
        assert_eq!(
            counts.summary(),
            "1 note, 2 deleted notes, 3 change-log entries, 1 evidence link, 0 sessions' identifying roles"
        );
    }
}
