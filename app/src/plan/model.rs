//! The action plan's types, its input checks and the publication deadlines, shared by browser
//! and server.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::AppError;

uuid_id! {
    /// Identifies an action of the plan. Made by the browser that adds it, so a resend adds
    /// nothing twice.
    pub struct PlanActionId;
}

named_enum! {
    /// Where an action stands: the RAG rating councils report to cabinet, with "not started"
    /// and "complete" either side.
    pub enum ActionStatus {
        NotStarted = "not_started" => "Not started",
        Green = "green" => "Green: on track",
        Amber = "amber" => "Amber: at risk",
        Red = "red" => "Red: off track",
        Complete = "complete" => "Complete",
    }
}

impl ActionStatus {
    /// The short word a RAG column shows.
    pub fn short(self) -> &'static str {
        match self {
            ActionStatus::NotStarted => "Not started",
            ActionStatus::Green => "Green",
            ActionStatus::Amber => "Amber",
            ActionStatus::Red => "Red",
            ActionStatus::Complete => "Complete",
        }
    }
}

/// Limits, enforced by the server with a sentence and shown by the browser.
pub const MAX_ACTION_CHARS: usize = 1_000;
pub const MAX_OWNER_CHARS: usize = 120;
pub const MAX_STATUS_NOTE_CHARS: usize = 500;
pub const MAX_EVIDENCE_LINKS: usize = 5;
pub const MAX_LINK_CHARS: usize = 500;
pub const MAX_ACTIONS: usize = 300;
pub const MAX_PROGRESS_CHARS: usize = 4_000;

/// One numbered recommendation of the signed-off report, with the council's progress statement
/// on it (which the progress review reads).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanRecommendation {
    pub number: u32,
    pub text: String,
    /// The report section it was made in ("Financial planning and management").
    pub section: String,
    /// The council's own account of progress; empty until written.
    pub progress: String,
    /// Bumped by every change of `progress`.
    pub version: u32,
}

/// One action the council takes on a recommendation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanAction {
    pub id: PlanActionId,
    pub recommendation: u32,
    pub text: String,
    /// Who owns it, by role ("Director of Finance"), as councils write plans.
    pub owner: String,
    pub due: Option<NaiveDate>,
    pub status: ActionStatus,
    /// One sentence on where it stands.
    pub status_note: String,
    /// Links to evidence (http or https).
    pub evidence: Vec<String>,
    /// Bumped by every change; an edit names the version it started from.
    pub version: u32,
    pub updated_by: String,
    /// RFC 3339.
    pub updated_at: String,
}

impl PlanAction {
    /// Past its due date and not complete.
    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.status != ActionStatus::Complete && self.due.is_some_and(|due| due < today)
    }
}

/// When the plan was made, by whom, from which version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanMade {
    pub by: String,
    pub at: String,
    /// The signed-off version the recommendations came from.
    pub from_version: u32,
}

/// A host reader the host lead may allow to edit the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanEditor {
    pub person: crate::accounts::PersonId,
    pub name: String,
    pub allowed: bool,
}

/// The action plan as one person sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionPlanView {
    /// None until the plan is made.
    pub made: Option<PlanMade>,
    pub recommendations: Vec<PlanRecommendation>,
    pub actions: Vec<PlanAction>,
    /// The report is signed off, so a plan can be made from it.
    pub signed_off: bool,
    pub can_make: bool,
    pub can_edit: bool,
    /// The host readers, for the host lead to allow (empty for everyone else).
    pub editors: Vec<PlanEditor>,
    pub publication: Publication,
    /// The server's date, which "overdue" counts from.
    pub today: NaiveDate,
}

impl ActionPlanView {
    /// The actions of recommendation `number`, in the order added.
    pub fn actions_for(&self, number: u32) -> impl Iterator<Item = &PlanAction> {
        self.actions
            .iter()
            .filter(move |a| a.recommendation == number)
    }

    /// Actions past their due date and not complete.
    pub fn overdue(&self) -> Vec<&PlanAction> {
        self.actions
            .iter()
            .filter(|a| a.overdue(self.today))
            .collect()
    }

    /// How many actions have each status, in `ActionStatus::ALL`'s order.
    pub fn counts(&self) -> Vec<(ActionStatus, usize)> {
        ActionStatus::ALL
            .into_iter()
            .map(|s| (s, self.actions.iter().filter(|a| a.status == s).count()))
            .collect()
    }
}

/// An action as the form sends it: text fields, checked on the server.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionInput {
    pub id: PlanActionId,
    pub recommendation: u32,
    pub text: String,
    pub owner: String,
    /// ISO date, or empty.
    pub due: String,
    pub status: String,
    pub status_note: String,
    /// One link per line.
    pub evidence: String,
    /// The version edited (0 for a new action).
    pub version: u32,
}

fn too_long(field: &str, what: &str, text: &str, max: usize) -> Result<(), AppError> {
    let count = text.chars().count();
    if count > max {
        Err(AppError::invalid_field(
            field,
            format!("{what} is {count} characters; the most is {max}."),
        ))
    } else {
        Ok(())
    }
}

impl ActionInput {
    /// The action it describes, or the first thing wrong with it (by field).
    pub fn check(&self) -> Result<PlanAction, AppError> {
        let text = self.text.trim();
        if text.is_empty() {
            return Err(AppError::invalid_field("text", "Say what the action is."));
        }
        too_long("text", "The action", text, MAX_ACTION_CHARS)?;
        let owner = self.owner.trim();
        too_long("owner", "The owner", owner, MAX_OWNER_CHARS)?;
        let due = match self.due.trim() {
            "" => None,
            due => Some(NaiveDate::parse_from_str(due, "%Y-%m-%d").map_err(|_| {
                AppError::invalid_field("due", "Give the due date as a date (2027-03-31).")
            })?),
        };
        let status = ActionStatus::parse(self.status.trim())
            .ok_or_else(|| AppError::invalid_field("status", "Choose a status from the list."))?;
        let status_note = self.status_note.trim();
        too_long(
            "status_note",
            "The status sentence",
            status_note,
            MAX_STATUS_NOTE_CHARS,
        )?;
        let evidence: Vec<String> = self
            .evidence
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect();
        if evidence.len() > MAX_EVIDENCE_LINKS {
            return Err(AppError::invalid_field(
                "evidence",
                format!("Give at most {MAX_EVIDENCE_LINKS} evidence links."),
            ));
        }
        for link in &evidence {
            too_long("evidence", "An evidence link", link, MAX_LINK_CHARS)?;
            let lower = link.to_ascii_lowercase();
            if !(lower.starts_with("https://") || lower.starts_with("http://"))
                || link.contains(char::is_whitespace)
            {
                return Err(AppError::invalid_field(
                    "evidence",
                    format!("\"{link}\" is not a web address: evidence links start with https://."),
                ));
            }
        }
        Ok(PlanAction {
            id: self.id,
            recommendation: self.recommendation,
            text: text.to_string(),
            owner: owner.to_string(),
            due,
            status,
            status_note: status_note.to_string(),
            evidence,
            version: self.version + 1,
            updated_by: String::new(),
            updated_at: String::new(),
        })
    }

    /// The form for `action` as it stands.
    pub fn from_action(action: &PlanAction) -> Self {
        ActionInput {
            id: action.id,
            recommendation: action.recommendation,
            text: action.text.clone(),
            owner: action.owner.clone(),
            due: action.due.map(|d| d.to_string()).unwrap_or_default(),
            status: action.status.as_str().to_string(),
            status_note: action.status_note.clone(),
            evidence: action.evidence.join("\n"),
            version: action.version,
        }
    }
}

/// Checks a progress statement.
pub fn check_progress(text: &str) -> Result<String, AppError> {
    let text = text.trim();
    too_long(
        "progress",
        "The progress statement",
        text,
        MAX_PROGRESS_CHARS,
    )?;
    Ok(text.to_string())
}

named_enum! {
    /// What the council publishes.
    pub enum Publishing {
        Report = "report" => "The report",
        Plan = "plan" => "The action plan",
    }
}

/// Where and when the council published something.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Published {
    pub on: NaiveDate,
    /// The web page it is on.
    pub url: String,
    pub recorded_by: String,
}

/// The council's publication of the report and the action plan, with their deadlines: the
/// report within three months of the visit, the plan at the latest within five.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publication {
    pub report: Option<Published>,
    pub plan: Option<Published>,
    pub report_by: NaiveDate,
    pub plan_by: NaiveDate,
}

impl Publication {
    /// Nothing published yet for a visit that ended on `visit_end`.
    pub fn unpublished(visit_end: NaiveDate) -> Self {
        Publication {
            report: None,
            plan: None,
            report_by: visit_end
                .checked_add_months(Months::new(3))
                .unwrap_or(visit_end),
            plan_by: visit_end
                .checked_add_months(Months::new(5))
                .unwrap_or(visit_end),
        }
    }

    /// What was published and its deadline.
    pub fn of(&self, what: Publishing) -> (Option<&Published>, NaiveDate) {
        match what {
            Publishing::Report => (self.report.as_ref(), self.report_by),
            Publishing::Plan => (self.plan.as_ref(), self.plan_by),
        }
    }

    /// "Published 2 May 2026", "Due by 13 June 2026: 42 days left", "13 days late (due …)".
    pub fn countdown(&self, what: Publishing, today: NaiveDate) -> String {
        let (published, by) = self.of(what);
        let day = |d: NaiveDate| d.format("%-d %B %Y").to_string();
        if let Some(published) = published {
            let late = (published.on - by).num_days();
            return if late > 0 {
                format!(
                    "Published {}, {} after the deadline",
                    day(published.on),
                    days(late)
                )
            } else {
                format!("Published {}", day(published.on))
            };
        }
        let left = (by - today).num_days();
        match left {
            0 => format!("Due today, {}", day(by)),
            left if left > 0 => format!("Due by {}: {} left", day(by), days(left)),
            late => format!("{} late: due {}", capitalise(&days(-late)), day(by)),
        }
    }
}

/// "1 day", "12 days".
pub fn days(n: i64) -> String {
    if n == 1 {
        "1 day".into()
    } else {
        format!("{n} days")
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// A publication as the form sends it.
pub fn check_publication(
    on: &str,
    url: &str,
    today: NaiveDate,
) -> Result<(NaiveDate, String), AppError> {
    let on = NaiveDate::parse_from_str(on.trim(), "%Y-%m-%d").map_err(|_| {
        AppError::invalid_field("on", "Give the date it was published (2027-03-31).")
    })?;
    if on > today {
        return Err(AppError::invalid_field(
            "on",
            "Record a publication once it has happened: that date is still to come.",
        ));
    }
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://"))
        || url.contains(char::is_whitespace)
        || url.chars().count() > MAX_LINK_CHARS
    {
        return Err(AppError::invalid_field(
            "url",
            "Give the web address where it is published (https://…).",
        ));
    }
    Ok((on, url.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn input() -> ActionInput {
        ActionInput {
            recommendation: 1,
            text: "  Agree a medium-term financial strategy  ".into(),
            owner: "Director of Finance".into(),
            due: "2027-03-31".into(),
            status: "amber".into(),
            status_note: "Draft with cabinet in February.".into(),
            evidence: "https://example.org/mtfs\n\n  http://example.org/cabinet  ".into(),
            ..ActionInput::default()
        }
    }

    #[test]
    fn an_action_is_read_from_its_form() {
        let action = input().check().unwrap();
        assert_eq!(action.text, "Agree a medium-term financial strategy");
        assert_eq!(action.due, Some(date(2027, 3, 31)));
        assert_eq!(action.status, ActionStatus::Amber);
        assert_eq!(action.evidence.len(), 2);
        assert_eq!(action.version, 1);
        assert_eq!(
            ActionInput::from_action(&action).check().unwrap().version,
            2
        );
    }

    #[test]
    fn a_bad_action_is_refused_by_field() {
        let field = |input: ActionInput| input.check().unwrap_err().field;
        assert_eq!(
            field(ActionInput {
                text: " ".into(),
                ..input()
            }),
            Some("text".into())
        );
        assert_eq!(
            field(ActionInput {
                due: "31/03/2027".into(),
                ..input()
            }),
            Some("due".into())
        );
        assert_eq!(
            field(ActionInput {
                status: "purple".into(),
                ..input()
            }),
            Some("status".into())
        );
        assert_eq!(
            field(ActionInput {
                evidence: "javascript:alert(1)".into(),
                ..input()
            }),
            Some("evidence".into())
        );
        assert_eq!(
            field(ActionInput {
                evidence: "https://a.org\n".repeat(6),
                ..input()
            }),
            Some("evidence".into())
        );
        assert_eq!(
            field(ActionInput {
                text: "x".repeat(MAX_ACTION_CHARS + 1),
                ..input()
            }),
            Some("text".into())
        );
        assert!(
            ActionInput {
                due: String::new(),
                ..input()
            }
            .check()
            .is_ok()
        );
    }

    #[test]
    fn overdue_means_past_due_and_not_complete() {
        let mut action = input().check().unwrap();
        assert!(
            !action.overdue(date(2027, 3, 31)),
            "due today is not overdue"
        );
        assert!(action.overdue(date(2027, 4, 1)));
        action.status = ActionStatus::Complete;
        assert!(!action.overdue(date(2027, 4, 1)));
        action.status = ActionStatus::Green;
        action.due = None;
        assert!(!action.overdue(date(2030, 1, 1)));
    }

    #[test]
    fn publication_deadlines_count_from_the_visit() {
        let publication = Publication::unpublished(date(2026, 3, 13));
        assert_eq!(publication.report_by, date(2026, 6, 13));
        assert_eq!(publication.plan_by, date(2026, 8, 13));
        assert_eq!(
            publication.countdown(Publishing::Report, date(2026, 5, 2)),
            "Due by 13 June 2026: 42 days left"
        );
        assert_eq!(
            publication.countdown(Publishing::Report, date(2026, 6, 13)),
            "Due today, 13 June 2026"
        );
        assert_eq!(
            publication.countdown(Publishing::Report, date(2026, 6, 14)),
            "1 day late: due 13 June 2026"
        );
        let published = Publication {
            plan: Some(Published {
                on: date(2026, 8, 20),
                url: "https://example.org/plan".into(),
                recorded_by: "Sam".into(),
            }),
            ..publication
        };
        assert_eq!(
            published.countdown(Publishing::Plan, date(2026, 9, 1)),
            "Published 20 August 2026, 7 days after the deadline"
        );
        // The month end is kept: 30 November + 3 months is 28 February.
        assert_eq!(
            Publication::unpublished(date(2026, 11, 30)).report_by,
            date(2027, 2, 28)
        );
    }

    #[test]
    fn a_publication_needs_a_past_date_and_a_web_address() {
        let today = date(2026, 6, 1);
        assert!(check_publication("2026-05-30", "https://eastbrook.gov.uk/cpc", today).is_ok());
        assert_eq!(
            check_publication("2026-06-02", "https://x.org", today)
                .unwrap_err()
                .field,
            Some("on".into())
        );
        assert_eq!(
            check_publication("2026-05-30", "eastbrook.gov.uk", today)
                .unwrap_err()
                .field,
            Some("url".into())
        );
    }
}
