//! Review types shared by browser and server.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Identifies a review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ReviewId(pub Uuid);

impl ReviewId {
    pub fn new() -> Self {
        Self(Uuid::new_v4())
    }
}

impl Default for ReviewId {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Display for ReviewId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Which programme a review follows; it decides the default headings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewType {
    /// LGA Corporate Peer Challenge (England).
    LgaCorporatePeerChallenge,
    /// Improvement Service Peer Collaborative Improvement (Scotland).
    PeerCollaborativeImprovement,
    /// Anything else, with headings the facilitator writes.
    Custom,
}

impl ReviewType {
    pub const ALL: [ReviewType; 3] = [
        ReviewType::LgaCorporatePeerChallenge,
        ReviewType::PeerCollaborativeImprovement,
        ReviewType::Custom,
    ];

    pub fn label(self) -> &'static str {
        match self {
            ReviewType::LgaCorporatePeerChallenge => "LGA Corporate Peer Challenge",
            ReviewType::PeerCollaborativeImprovement => {
                "Improvement Service Peer Collaborative Improvement"
            }
            ReviewType::Custom => "Custom review",
        }
    }

    /// The stable name stored in the database and used on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewType::LgaCorporatePeerChallenge => "lga_corporate_peer_challenge",
            ReviewType::PeerCollaborativeImprovement => "peer_collaborative_improvement",
            ReviewType::Custom => "custom",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == name)
    }

    /// The headings a new review of this type starts with.
    pub fn default_headings(self) -> &'static [&'static str] {
        match self {
            ReviewType::LgaCorporatePeerChallenge => &LGA_CORE_COMPONENTS,
            ReviewType::PeerCollaborativeImprovement | ReviewType::Custom => &[],
        }
    }
}

/// The five core components of every LGA Corporate Peer Challenge.
pub const LGA_CORE_COMPONENTS: [&str; 5] = [
    "Local priorities and outcomes",
    "Organisational and place leadership",
    "Governance and culture",
    "Financial planning and management",
    "Capacity for improvement",
];

/// Where a review is in its life, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Scoping,
    Preparation,
    OnSite,
    Feedback,
    DraftReport,
    Published,
    ProgressReview,
    Closed,
}

impl Phase {
    pub const ALL: [Phase; 8] = [
        Phase::Scoping,
        Phase::Preparation,
        Phase::OnSite,
        Phase::Feedback,
        Phase::DraftReport,
        Phase::Published,
        Phase::ProgressReview,
        Phase::Closed,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Phase::Scoping => "Scoping",
            Phase::Preparation => "Preparation",
            Phase::OnSite => "On site",
            Phase::Feedback => "Feedback round-table",
            Phase::DraftReport => "Draft report",
            Phase::Published => "Published",
            Phase::ProgressReview => "Progress review",
            Phase::Closed => "Closed",
        }
    }

    /// The stable name stored in the database and used on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Scoping => "scoping",
            Phase::Preparation => "preparation",
            Phase::OnSite => "on_site",
            Phase::Feedback => "feedback",
            Phase::DraftReport => "draft_report",
            Phase::Published => "published",
            Phase::ProgressReview => "progress_review",
            Phase::Closed => "closed",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|phase| phase.as_str() == name)
    }
}

/// What the home page shows of a review: no notes, no people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewSummary {
    pub id: ReviewId,
    pub title: String,
    pub host_authority: String,
    pub review_type: ReviewType,
    pub phase: Phase,
    pub scope: String,
    pub on_site_start: NaiveDate,
    pub on_site_end: NaiveDate,
    pub headings: Vec<String>,
}

impl ReviewSummary {
    /// "10–13 March 2026", or "10 March – 2 April 2026" across months.
    pub fn on_site_dates(&self) -> String {
        format_date_range(self.on_site_start, self.on_site_end)
    }
}

/// A date range the way UK public-sector documents write it.
pub fn format_date_range(start: NaiveDate, end: NaiveDate) -> String {
    use chrono::Datelike;
    if start == end {
        start.format("%-d %B %Y").to_string()
    } else if start.year() == end.year() && start.month() == end.month() {
        format!("{}–{}", start.format("%-d"), end.format("%-d %B %Y"))
    } else if start.year() == end.year() {
        format!("{} – {}", start.format("%-d %B"), end.format("%-d %B %Y"))
    } else {
        format!(
            "{} – {}",
            start.format("%-d %B %Y"),
            end.format("%-d %B %Y")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn stable_names_round_trip_for_every_phase_and_type() {
        for phase in Phase::ALL {
            assert_eq!(Phase::parse(phase.as_str()), Some(phase));
            assert_eq!(
                serde_json::to_string(&phase).unwrap(),
                format!("\"{}\"", phase.as_str())
            );
        }
        for kind in ReviewType::ALL {
            assert_eq!(ReviewType::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(Phase::parse("on site"), None);
    }

    #[test]
    fn phases_are_ordered_as_the_process_runs() {
        assert!(Phase::Scoping < Phase::OnSite);
        assert!(Phase::DraftReport < Phase::Published);
        assert_eq!(Phase::ALL.last(), Some(&Phase::Closed));
    }

    #[test]
    fn lga_reviews_start_with_the_five_core_components() {
        let headings = ReviewType::LgaCorporatePeerChallenge.default_headings();
        assert_eq!(headings.len(), 5);
        assert_eq!(headings[3], "Financial planning and management");
        assert!(ReviewType::Custom.default_headings().is_empty());
    }

    #[test]
    fn date_ranges_read_naturally() {
        assert_eq!(
            format_date_range(date(2026, 3, 10), date(2026, 3, 13)),
            "10–13 March 2026"
        );
        assert_eq!(
            format_date_range(date(2026, 3, 30), date(2026, 4, 2)),
            "30 March – 2 April 2026"
        );
        assert_eq!(
            format_date_range(date(2026, 12, 30), date(2027, 1, 2)),
            "30 December 2026 – 2 January 2027"
        );
        assert_eq!(
            format_date_range(date(2026, 5, 1), date(2026, 5, 1)),
            "1 May 2026"
        );
    }

    #[test]
    fn review_ids_serialise_as_bare_uuids() {
        let id = ReviewId(Uuid::nil());
        assert_eq!(
            serde_json::to_string(&id).unwrap(),
            "\"00000000-0000-0000-0000-000000000000\""
        );
    }
}

/// A review as one of its members sees it in their list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyReview {
    pub summary: ReviewSummary,
    pub role: crate::people::Role,
}

/// A member of a review as others see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub name: String,
    pub role: crate::people::Role,
    /// The pair the member works in; only ever sent to the peer team.
    pub pair: Option<i64>,
}

/// The review overview page: the review, the caller's role, members and key dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewOverview {
    pub summary: ReviewSummary,
    pub my_role: crate::people::Role,
    pub members: Vec<Member>,
    /// Whether `members` carries pairs (the peer team's view) or not (everyone else's).
    pub shows_pairs: bool,
    pub key_dates: KeyDates,
}

/// Dates that follow from the on-site visit (../shared/DOMAIN.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyDates {
    /// Documents go to the team 2–3 weeks before the visit.
    pub documents_out: (NaiveDate, NaiveDate),
    /// The pre-site video call, 1–2 weeks before.
    pub pre_site_call: (NaiveDate, NaiveDate),
    pub on_site: (NaiveDate, NaiveDate),
    /// The council publishes the report within 3 months of the visit.
    pub publish_by: NaiveDate,
    /// The progress review, about 10 months after the visit.
    pub progress_review: NaiveDate,
}

impl KeyDates {
    pub fn from_visit(start: NaiveDate, end: NaiveDate) -> Self {
        use chrono::{Days, Months};
        let weeks = |n: u64| Days::new(7 * n);
        Self {
            documents_out: (start - weeks(3), start - weeks(2)),
            pre_site_call: (start - weeks(2), start - weeks(1)),
            on_site: (start, end),
            publish_by: end.checked_add_months(Months::new(3)).unwrap_or(end),
            progress_review: start.checked_add_months(Months::new(10)).unwrap_or(start),
        }
    }
}

#[cfg(test)]
mod key_date_tests {
    use super::*;

    #[test]
    fn key_dates_follow_the_visit() {
        let start = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
        let end = NaiveDate::from_ymd_opt(2026, 3, 13).unwrap();
        let dates = KeyDates::from_visit(start, end);
        assert_eq!(
            dates.documents_out.0,
            NaiveDate::from_ymd_opt(2026, 2, 17).unwrap()
        );
        assert_eq!(
            dates.documents_out.1,
            NaiveDate::from_ymd_opt(2026, 2, 24).unwrap()
        );
        assert_eq!(
            dates.pre_site_call.1,
            NaiveDate::from_ymd_opt(2026, 3, 3).unwrap()
        );
        assert_eq!(
            dates.publish_by,
            NaiveDate::from_ymd_opt(2026, 6, 13).unwrap()
        );
        assert_eq!(
            dates.progress_review,
            NaiveDate::from_ymd_opt(2027, 1, 10).unwrap()
        );
    }

    #[test]
    fn month_ends_clamp_rather_than_overflow() {
        let start = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let dates = KeyDates::from_visit(start, start);
        assert_eq!(
            dates.publish_by,
            NaiveDate::from_ymd_opt(2027, 2, 28).unwrap()
        );
    }
}
