//! The review's timeline: every step from scoping to the progress review's report, each with
//! when it is due (by the programme's rules or the dates the facilitator set), when it happened,
//! and whether it is late.

use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::plan::Publication;
use crate::report::DueDates;
use crate::review::Phase;

/// What the server knows of a review's dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineFacts {
    pub phase: Phase,
    pub created: NaiveDate,
    pub visit: (NaiveDate, NaiveDate),
    /// The day each phase was first reached.
    pub reached: Vec<(Phase, NaiveDate)>,
    pub due: DueDates,
    /// The first version sent to the council.
    pub sent: Option<NaiveDate>,
    pub signed_off: Option<NaiveDate>,
    pub publication: Publication,
    /// The progress review of this review, once scheduled.
    pub progress_review: Option<ProgressFacts>,
    /// For a progress review: the last day of the visit it follows up (its report is due
    /// twelve months after).
    pub follows_up: Option<NaiveDate>,
}

/// What the timeline shows of a scheduled progress review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgressFacts {
    pub phase: Phase,
    pub visit: (NaiveDate, NaiveDate),
    pub signed_off: Option<NaiveDate>,
}

/// One step of the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Milestone {
    pub what: String,
    /// A day (both the same) or a window; none when nothing sets it.
    pub due: Option<(NaiveDate, NaiveDate)>,
    /// A second reading of the due date ("12 March – 12 May 2027 from the final report").
    #[serde(default)]
    pub also: Option<String>,
    /// When it happened, when recorded.
    pub done: Option<NaiveDate>,
    /// The review has moved past it (done, whether or not a date was recorded).
    pub passed: bool,
    /// Days late: done after its due date, or not done and its due date gone.
    pub late_by: Option<i64>,
}

impl Milestone {
    /// "Done", "Done 7 days late", "12 days late", "Due in 42 days", "Due today" or "".
    pub fn state(&self, today: NaiveDate) -> String {
        use crate::plan::days;
        match (self.passed || self.done.is_some(), self.late_by) {
            (true, Some(late)) => format!("Done {} late", days(late)),
            (true, None) => "Done".into(),
            (false, Some(late)) => format!("{} late", capitalised(&days(late))),
            (false, None) => match self.due {
                Some((from, to)) if from <= today && today <= to => "Due now".into(),
                Some((from, _)) => match (from - today).num_days() {
                    0 => "Due today".into(),
                    n => format!("Due in {}", days(n)),
                },
                None => String::new(),
            },
        }
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn months(day: NaiveDate, n: u32) -> NaiveDate {
    day.checked_add_months(Months::new(n)).unwrap_or(day)
}

fn weeks_before(day: NaiveDate, n: u64) -> NaiveDate {
    day.checked_sub_days(Days::new(7 * n)).unwrap_or(day)
}

/// The timeline of a review as it stands on `today`.
pub fn timeline(facts: &TimelineFacts, today: NaiveDate) -> Vec<Milestone> {
    let reached = |phase: Phase| {
        facts
            .reached
            .iter()
            .filter(|(p, _)| *p == phase)
            .map(|(_, day)| *day)
            .min()
    };
    let past = |phase: Phase| facts.phase >= phase;
    let (start, end) = facts.visit;
    let day = |d: Option<NaiveDate>| d.map(|d| (d, d));
    let signed = facts.signed_off.is_some() || past(Phase::SignedOff);
    let mut steps = vec![
        step("Scoping", None, Some(facts.created), true),
        step(
            "Documents to the team",
            Some((weeks_before(start, 3), weeks_before(start, 2))),
            None,
            past(Phase::OnSite),
        ),
        step(
            "Pre-site video call",
            Some((weeks_before(start, 2), weeks_before(start, 1))),
            None,
            past(Phase::OnSite),
        ),
        step(
            "On site, to the feedback round-table",
            Some((start, end)),
            reached(Phase::DraftReport),
            past(Phase::DraftReport),
        ),
        step(
            "Peers' comments on the draft report",
            day(facts.due.peer_comments),
            facts.sent,
            past(Phase::SentToCouncil),
        ),
        step(
            "The council's comments",
            day(facts.due.council_comments),
            None,
            signed,
        ),
        step(
            "Final version to the council",
            day(facts.due.final_version),
            None,
            signed,
        ),
        step(
            "Report signed off",
            day(facts.due.sign_off),
            facts.signed_off,
            signed,
        ),
        step(
            "Report published",
            day(Some(match facts.follows_up {
                Some(visit_end) => months(visit_end, 12),
                None => facts.publication.report_by,
            })),
            facts.publication.report.as_ref().map(|p| p.on),
            false,
        ),
    ];
    if facts.follows_up.is_some() {
        // A progress review's own timeline ends with its report.
        for step in &mut steps {
            step.late_by = late_by(step, today);
        }
        return steps;
    }
    steps.extend([step(
        "Action plan published",
        day(Some(facts.publication.plan_by)),
        facts.publication.plan.as_ref().map(|p| p.on),
        false,
    )]);
    let child = facts.progress_review.as_ref();
    let visited = child.filter(|c| c.phase > Phase::OnSite).map(|c| c.visit.1);
    let mut progress = step(
        "Progress review (10–12 months after the visit)",
        Some((months(end, 10), months(end, 12))),
        visited.or(reached(Phase::ProgressReview)),
        visited.is_some() || past(Phase::ProgressReview),
    );
    let readings = [
        facts.signed_off.map(|signed| {
            format!(
                "{} from the final report",
                crate::review::format_date_range(months(signed, 10), months(signed, 12))
            )
        }),
        child.map(|c| {
            format!(
                "scheduled for {}",
                crate::review::format_date_range(c.visit.0, c.visit.1)
            )
        }),
    ];
    let readings: Vec<String> = readings.into_iter().flatten().collect();
    progress.also = (!readings.is_empty()).then(|| readings.join("; "));
    steps.push(progress);
    let child_signed = child.and_then(|c| c.signed_off);
    steps.push(step(
        "Progress review report published",
        day(Some(months(end, 12))),
        child_signed.or(reached(Phase::Closed)),
        child_signed.is_some() || past(Phase::Closed),
    ));
    for step in &mut steps {
        step.late_by = late_by(step, today);
    }
    steps
}

fn step(
    what: &str,
    due: Option<(NaiveDate, NaiveDate)>,
    done: Option<NaiveDate>,
    passed: bool,
) -> Milestone {
    Milestone {
        what: what.into(),
        due,
        also: None,
        done,
        passed,
        late_by: None,
    }
}

fn late_by(step: &Milestone, today: NaiveDate) -> Option<i64> {
    let (_, by) = step.due?;
    let late = match step.done {
        Some(done) => (done - by).num_days(),
        None if step.passed => 0,
        None => (today - by).num_days(),
    };
    (late > 0).then_some(late)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn facts() -> TimelineFacts {
        TimelineFacts {
            phase: Phase::SignedOff,
            created: date(2025, 12, 1),
            visit: (date(2026, 3, 10), date(2026, 3, 13)),
            reached: vec![
                (Phase::OnSite, date(2026, 3, 10)),
                (Phase::DraftReport, date(2026, 3, 16)),
                (Phase::SignedOff, date(2026, 5, 20)),
            ],
            due: DueDates {
                sign_off: Some(date(2026, 5, 15)),
                ..DueDates::default()
            },
            sent: Some(date(2026, 4, 20)),
            signed_off: Some(date(2026, 5, 20)),
            publication: Publication::unpublished(date(2026, 3, 13)),
            progress_review: None,
            follows_up: None,
        }
    }

    fn find<'a>(steps: &'a [Milestone], what: &str) -> &'a Milestone {
        steps.iter().find(|s| s.what.starts_with(what)).unwrap()
    }

    #[test]
    fn every_step_from_scoping_to_the_progress_reviews_report_in_order() {
        let steps = timeline(&facts(), date(2026, 6, 1));
        let names: Vec<&str> = steps.iter().map(|s| s.what.as_str()).collect();
        assert_eq!(names.first(), Some(&"Scoping"));
        assert_eq!(names.last(), Some(&"Progress review report published"));
        assert_eq!(steps.len(), 12);
        let dues: Vec<NaiveDate> = steps.iter().filter_map(|s| s.due.map(|d| d.0)).collect();
        assert!(dues.is_sorted(), "in the order they fall due: {dues:?}");
        assert_eq!(
            dues.len(),
            8,
            "the peers', council's and final dates are not set here"
        );
    }

    #[test]
    fn what_is_late_and_by_how_much() {
        let today = date(2026, 6, 20);
        let steps = timeline(&facts(), today);
        let signed = find(&steps, "Report signed off");
        assert_eq!(signed.done, Some(date(2026, 5, 20)));
        assert_eq!(signed.late_by, Some(5));
        assert_eq!(signed.state(today), "Done 5 days late");
        let published = find(&steps, "Report published");
        assert_eq!(published.due, Some((date(2026, 6, 13), date(2026, 6, 13))));
        assert_eq!(published.late_by, Some(7));
        assert_eq!(published.state(today), "7 days late");
        let plan = find(&steps, "Action plan published");
        assert_eq!(plan.late_by, None);
        assert_eq!(plan.state(today), "Due in 54 days");
        let on_site = find(&steps, "On site");
        assert_eq!(on_site.done, Some(date(2026, 3, 16)));
        assert_eq!(
            on_site.state(today),
            "Done 3 days late",
            "moved on three days after"
        );
        assert_eq!(find(&steps, "Pre-site").state(today), "Done");
        assert_eq!(find(&steps, "The council's comments").state(today), "Done");
    }

    #[test]
    fn the_progress_review_window_is_read_from_the_visit_and_from_the_final_report() {
        let steps = timeline(&facts(), date(2026, 6, 1));
        let progress = find(&steps, "Progress review (");
        assert_eq!(progress.due, Some((date(2027, 1, 13), date(2027, 3, 13))));
        assert_eq!(
            progress.also.as_deref(),
            Some("20 March – 20 May 2027 from the final report")
        );
        assert_eq!(
            find(&steps, "Progress review report").due,
            Some((date(2027, 3, 13), date(2027, 3, 13)))
        );
        let unsigned = TimelineFacts {
            signed_off: None,
            phase: Phase::DraftReport,
            ..facts()
        };
        assert_eq!(
            find(&timeline(&unsigned, date(2026, 6, 1)), "Progress review (").also,
            None
        );
    }

    #[test]
    fn a_step_with_no_date_set_is_never_late() {
        let steps = timeline(&facts(), date(2030, 1, 1));
        let comments = find(&steps, "Peers' comments");
        assert_eq!(comments.due, None);
        assert_eq!(comments.late_by, None);
        assert_eq!(comments.done, Some(date(2026, 4, 20)));
    }

    #[test]
    fn a_scheduled_progress_review_shows_its_days_and_counts_when_done() {
        let scheduled = TimelineFacts {
            progress_review: Some(ProgressFacts {
                phase: Phase::Preparation,
                visit: (date(2027, 2, 1), date(2027, 2, 2)),
                signed_off: None,
            }),
            ..facts()
        };
        let steps = timeline(&scheduled, date(2026, 12, 1));
        let progress = find(&steps, "Progress review (");
        assert!(
            progress
                .also
                .as_deref()
                .is_some_and(|a| a.ends_with("; scheduled for 1–2 February 2027")),
            "{progress:?}"
        );
        assert_eq!(progress.done, None);
        let visited = TimelineFacts {
            progress_review: Some(ProgressFacts {
                phase: Phase::SignedOff,
                visit: (date(2027, 2, 1), date(2027, 2, 2)),
                signed_off: Some(date(2027, 3, 1)),
            }),
            ..facts()
        };
        let steps = timeline(&visited, date(2027, 4, 1));
        assert_eq!(
            find(&steps, "Progress review (").done,
            Some(date(2027, 2, 2))
        );
        let report = find(&steps, "Progress review report");
        assert_eq!(report.done, Some(date(2027, 3, 1)));
        assert_eq!(report.late_by, None, "signed off before 13 March 2027");
    }

    #[test]
    fn a_progress_reviews_own_timeline_ends_with_its_report_due_a_year_after_the_first_visit() {
        let own = TimelineFacts {
            follows_up: Some(date(2026, 3, 13)),
            visit: (date(2027, 2, 1), date(2027, 2, 2)),
            signed_off: None,
            phase: Phase::Preparation,
            ..facts()
        };
        let steps = timeline(&own, date(2026, 12, 1));
        assert_eq!(steps.last().unwrap().what, "Report published");
        assert_eq!(
            steps.last().unwrap().due,
            Some((date(2027, 3, 13), date(2027, 3, 13)))
        );
        assert!(!steps.iter().any(|s| s.what.starts_with("Progress review")));
    }
}
