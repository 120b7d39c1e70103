//! The progress review: ten to twelve months on, some or all of the peer team returns for a day
//! or two. It is a review of its own (its team invited again, its timetable, a wall whose
//! headings are the recommendations, a short report with the same comment and sign-off flow),
//! linked to the review it follows up, whose council's progress statements feed it.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::invitations::InvitationLink;
use crate::plan::ActionStatus;
use crate::review::{Member, ReviewId};

/// When the progress review is due: 10–12 months after the visit and, once the report is signed
/// off, 10–12 months after the final report (the programme's text counts it both ways).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgressWindow {
    pub from_visit: (NaiveDate, NaiveDate),
    pub from_report: Option<(NaiveDate, NaiveDate)>,
}

fn months_after(day: NaiveDate, n: u32) -> NaiveDate {
    day.checked_add_months(Months::new(n)).unwrap_or(day)
}

impl ProgressWindow {
    pub fn new(visit_end: NaiveDate, signed_off: Option<NaiveDate>) -> Self {
        let window = |day| (months_after(day, 10), months_after(day, 12));
        ProgressWindow {
            from_visit: window(visit_end),
            from_report: signed_off.map(window),
        }
    }

    /// Whether `day` falls in either reading of the window.
    pub fn contains(&self, day: NaiveDate) -> bool {
        let within = |(from, to): (NaiveDate, NaiveDate)| from <= day && day <= to;
        within(self.from_visit) || self.from_report.is_some_and(within)
    }
}

/// The most days a progress review lasts on site.
pub const MAX_PROGRESS_DAYS: i64 = 2;
/// The most people chosen from the original team at once.
pub const MAX_PROGRESS_TEAM: usize = 20;

/// What the facilitator asks for, as the form sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgressReviewInput {
    /// ISO dates of the days on site (or online).
    pub start: String,
    pub end: String,
    /// Whom of the original peer team to invite again.
    pub team: Vec<crate::accounts::PersonId>,
    /// Keep dates outside both readings of the window.
    #[serde(default)]
    pub outside_confirmed: bool,
}

impl ProgressReviewInput {
    /// The days, or the first thing wrong with them (by field).
    pub fn check(
        &self,
        window: &ProgressWindow,
        today: NaiveDate,
    ) -> Result<(NaiveDate, NaiveDate), AppError> {
        let day = |field: &str, text: &str| {
            NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
                .map_err(|_| AppError::invalid_field(field, "Give the day as a date (2027-05-10)."))
        };
        let start = day("start", &self.start)?;
        let end = if self.end.trim().is_empty() {
            start
        } else {
            day("end", &self.end)?
        };
        if start <= today {
            return Err(AppError::invalid_field(
                "start",
                "A progress review is scheduled for days still to come.",
            ));
        }
        if end < start || (end - start).num_days() >= MAX_PROGRESS_DAYS {
            return Err(AppError::invalid_field(
                "end",
                format!(
                    "A progress review lasts one or two days: end on {start} or the day after."
                ),
            ));
        }
        if !self.outside_confirmed && !window.contains(start) {
            return Err(AppError::invalid_field(
                "start",
                "That day is outside the 10–12 months after the visit and after the final report. Tick to keep it anyway.",
            ));
        }
        if self.team.len() > MAX_PROGRESS_TEAM {
            return Err(AppError::invalid_field(
                "team",
                format!("Choose at most {MAX_PROGRESS_TEAM} people from the team."),
            ));
        }
        Ok((start, end))
    }
}

/// What the facilitator's scheduling form needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgressSetup {
    pub window: ProgressWindow,
    /// The original peer team (team lead and peers), to choose from.
    pub team: Vec<Member>,
    /// The report is signed off: a progress review can be scheduled.
    pub signed_off: bool,
    pub scheduled: Option<ReviewId>,
}

/// A progress review just scheduled, with the invitations sent to the team chosen (the links
/// are shown to the facilitator when the site has no mail server).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduledProgressReview {
    pub review: ReviewId,
    pub invitations: Vec<InvitationLink>,
}

/// Where the council says a recommendation stands, for the progress review's team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecommendationProgress {
    pub number: u32,
    pub text: String,
    /// The council's progress statement; empty if not written.
    pub progress: String,
    /// How many of its actions stand at each status (those with any).
    pub statuses: Vec<(ActionStatus, usize)>,
    pub overdue: usize,
}

/// The council's progress on the recommendations of the review a progress review follows up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgressStatements {
    pub parent: ReviewId,
    pub parent_title: String,
    pub recommendations: Vec<RecommendationProgress>,
}

/// A heading of the progress review's wall for a recommendation: "1. Agree a medium-term …",
/// within the headings' length limit.
pub fn heading_for(number: u32, text: &str) -> String {
    let max = crate::review::MAX_HEADING;
    let full = format!("{number}. {}", text.trim());
    if full.chars().count() <= max {
        return full;
    }
    let cut: String = full.chars().take(max - 1).collect();
    format!("{}…", cut.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn window() -> ProgressWindow {
        ProgressWindow::new(date(2026, 3, 13), Some(date(2026, 5, 20)))
    }

    fn input(start: &str, end: &str) -> ProgressReviewInput {
        ProgressReviewInput {
            start: start.into(),
            end: end.into(),
            ..ProgressReviewInput::default()
        }
    }

    #[test]
    fn the_window_is_read_from_the_visit_and_from_the_final_report() {
        let window = window();
        assert_eq!(window.from_visit, (date(2027, 1, 13), date(2027, 3, 13)));
        assert_eq!(
            window.from_report,
            Some((date(2027, 3, 20), date(2027, 5, 20)))
        );
        assert!(window.contains(date(2027, 1, 13)));
        assert!(
            window.contains(date(2027, 5, 20)),
            "in the second reading only"
        );
        assert!(
            !window.contains(date(2027, 3, 16)),
            "between the two readings"
        );
        assert!(!window.contains(date(2026, 12, 1)));
    }

    #[test]
    fn one_or_two_days_in_the_window_or_confirmed() {
        let today = date(2026, 12, 1);
        let window = window();
        assert_eq!(
            input("2027-02-01", "2027-02-02")
                .check(&window, today)
                .unwrap(),
            (date(2027, 2, 1), date(2027, 2, 2))
        );
        assert_eq!(
            input("2027-02-01", "").check(&window, today).unwrap(),
            (date(2027, 2, 1), date(2027, 2, 1))
        );
        let field = |input: ProgressReviewInput| input.check(&window, today).unwrap_err().field;
        assert_eq!(field(input("2027-02-01", "2027-02-03")), Some("end".into()));
        assert_eq!(field(input("2027-02-02", "2027-02-01")), Some("end".into()));
        assert_eq!(field(input("1 Feb", "")), Some("start".into()));
        assert_eq!(
            field(input("2026-11-30", "")),
            Some("start".into()),
            "in the past"
        );
        assert_eq!(
            field(input("2027-08-01", "")),
            Some("start".into()),
            "outside"
        );
        let confirmed = ProgressReviewInput {
            outside_confirmed: true,
            ..input("2027-08-01", "")
        };
        assert!(confirmed.check(&window, today).is_ok());
    }

    #[test]
    fn a_recommendation_heading_fits_the_walls_limit() {
        assert_eq!(
            heading_for(2, " Refresh the plan. "),
            "2. Refresh the plan."
        );
        let long = heading_for(12, &"word ".repeat(100));
        assert!(long.chars().count() <= crate::review::MAX_HEADING);
        assert!(long.starts_with("12. word") && long.ends_with('…'));
    }
}
