//! Review types shared by browser and server.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

uuid_id! {
    /// Identifies a review.
    pub struct ReviewId;
}

named_enum! {
    /// Which programme a review follows; it decides the default headings.
    pub enum ReviewType {
        /// LGA Corporate Peer Challenge (England).
        LgaCorporatePeerChallenge = "lga_corporate_peer_challenge" => "LGA Corporate Peer Challenge",
        /// Improvement Service Peer Collaborative Improvement (Scotland).
        PeerCollaborativeImprovement = "peer_collaborative_improvement" => "Improvement Service Peer Collaborative Improvement",
        /// Anything else, with headings the facilitator writes.
        Custom = "custom" => "Custom review",
    }
}

impl ReviewType {
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

named_enum! {
    /// Where a review is in its life, in order.
    #[derive(PartialOrd, Ord)]
    pub enum Phase {
        Scoping = "scoping" => "Scoping",
        Preparation = "preparation" => "Preparation",
        /// The visit, ending with the feedback round-table.
        OnSite = "on_site" => "On site, to the feedback round-table",
        DraftReport = "draft_report" => "Draft report",
        SentToCouncil = "sent_to_council" => "Report sent to council",
        SignedOff = "signed_off" => "Report signed off",
        Published = "published" => "Published with action plan",
        ProgressReview = "progress_review" => "Progress review",
        Closed = "closed" => "Closed",
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
    /// For a progress review: the review whose recommendations it follows up.
    #[serde(default)]
    pub progress_of: Option<ReviewId>,
    /// The progress review of this review, once scheduled.
    #[serde(default)]
    pub progress_review: Option<ReviewId>,
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
        assert!(Phase::DraftReport < Phase::SentToCouncil);
        assert!(Phase::SentToCouncil < Phase::SignedOff);
        assert!(Phase::SignedOff < Phase::Published);
        assert_eq!(
            Phase::parse("feedback"),
            None,
            "the round-table ends the on-site phase"
        );
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
        let id = ReviewId(uuid::Uuid::nil());
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
    pub role: crate::membership::Role,
}

/// A member of a review as others see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub person: crate::accounts::PersonId,
    pub name: String,
    /// The organisation the member works for, when they have said.
    #[serde(default)]
    pub organisation: Option<String>,
    pub role: crate::membership::Role,
    /// The pair the member works in; only ever sent to the peer team.
    pub pair: Option<i64>,
}

/// The review overview page: the review, the caller's role, members and key dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewOverview {
    pub summary: ReviewSummary,
    pub my_role: crate::membership::Role,
    pub members: Vec<Member>,
    /// Whether `members` carries pairs (the peer team's view) or not (everyone else's).
    pub shows_pairs: bool,
    /// Every step from scoping to the progress review's report, with what is late.
    pub timeline: Vec<crate::review::Milestone>,
    /// The server's date, which the timeline counts from.
    pub today: NaiveDate,
}

/// Longest accepted review title, scope and heading; most headings and on-site days at creation.
pub const MAX_TITLE: usize = 200;
pub const MAX_SCOPE: usize = 4000;
pub const MAX_HEADING: usize = 200;
pub const MAX_HEADINGS: usize = 20;
pub const MAX_VISIT_DAYS: i64 = 10;
/// Pairs are numbered from 1 to this.
pub const MAX_PAIR: i64 = 20;

/// A new review as the facilitator types it into the form, every field as text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewReviewInput {
    pub title: String,
    pub host_authority: String,
    pub review_type: String,
    pub scope: String,
    /// One heading per line: the agreed areas of focus (Peer Collaborative Improvement) or the
    /// custom headings; for an LGA review, extra areas of focus after the five core components.
    pub focus: String,
    pub on_site_start: String,
    pub on_site_end: String,
}

/// A new review that passed every check, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedReview {
    pub title: String,
    pub host_authority: String,
    pub review_type: ReviewType,
    pub scope: String,
    pub headings: Vec<String>,
    pub on_site_start: NaiveDate,
    pub on_site_end: NaiveDate,
}

impl NewReviewInput {
    /// Checks every field; the error names the first field that is wrong and says why.
    pub fn check(&self) -> Result<CheckedReview, crate::error::AppError> {
        use crate::error::AppError;
        let tidy = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
        let review_type = ReviewType::parse(self.review_type.trim())
            .ok_or_else(|| AppError::invalid_field("review_type", "Choose the type of review."))?;
        let host_authority = crate::organisations::normalise_organisation_name(
            &self.host_authority,
        )
        .map_err(|message| {
            AppError::invalid_field(
                "host_authority",
                message.replace("the organisation's name", "the host council's name"),
            )
        })?;
        let title = match tidy(&self.title) {
            title if title.is_empty() => default_title(&host_authority, review_type),
            title => title,
        };
        if title.chars().count() > MAX_TITLE {
            return Err(AppError::invalid_field(
                "title",
                "That title is too long (200 characters at most).",
            ));
        }
        let scope = self.scope.trim().to_string();
        if scope.chars().count() > MAX_SCOPE {
            return Err(AppError::invalid_field(
                "scope",
                "The scope is too long (4,000 characters at most).",
            ));
        }
        let date = |text: &str, field: &str, what: &str| {
            text.trim()
                .parse::<NaiveDate>()
                .map_err(|_| AppError::invalid_field(field, format!("Enter the {what} as a date.")))
        };
        let on_site_start = date(&self.on_site_start, "on_site_start", "first day on site")?;
        let on_site_end = date(&self.on_site_end, "on_site_end", "last day on site")?;
        if on_site_end < on_site_start {
            return Err(AppError::invalid_field(
                "on_site_end",
                "The last day on site cannot be before the first.",
            ));
        }
        if (on_site_end - on_site_start).num_days() >= MAX_VISIT_DAYS {
            return Err(AppError::invalid_field(
                "on_site_end",
                "An on-site visit lasts at most 10 days.",
            ));
        }
        let mut headings: Vec<String> = review_type
            .default_headings()
            .iter()
            .map(ToString::to_string)
            .collect();
        for line in self.focus.lines().map(tidy).filter(|line| !line.is_empty()) {
            if line.chars().count() > MAX_HEADING {
                return Err(AppError::invalid_field(
                    "focus",
                    "Each heading is 200 characters at most.",
                ));
            }
            if !headings.iter().any(|h| h.eq_ignore_ascii_case(&line)) {
                headings.push(line);
            }
        }
        if headings.is_empty() {
            return Err(AppError::invalid_field(
                "focus",
                "Enter at least one area of focus, one per line: the wall's headings come from them.",
            ));
        }
        if headings.len() > MAX_HEADINGS {
            return Err(AppError::invalid_field(
                "focus",
                "A review starts with at most 20 headings.",
            ));
        }
        Ok(CheckedReview {
            title,
            host_authority,
            review_type,
            scope,
            headings,
            on_site_start,
            on_site_end,
        })
    }
}

/// The title a review gets when none is typed: "Eastbrook Borough Council Corporate Peer Challenge".
pub fn default_title(host: &str, review_type: ReviewType) -> String {
    match review_type {
        ReviewType::LgaCorporatePeerChallenge => format!("{host} Corporate Peer Challenge"),
        ReviewType::PeerCollaborativeImprovement => {
            format!("{host} Peer Collaborative Improvement")
        }
        ReviewType::Custom => format!("{host} peer review"),
    }
}

/// Reads the pair field of the member form: empty for no pair, else a number from 1 to 20.
pub fn parse_pair(text: &str) -> Result<Option<i64>, crate::error::AppError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    match text.parse::<i64>() {
        Ok(pair) if (1..=MAX_PAIR).contains(&pair) => Ok(Some(pair)),
        _ => Err(crate::error::AppError::invalid_field(
            "pair",
            "A pair is a number from 1 to 20, or empty for none.",
        )),
    }
}

#[cfg(test)]
mod new_review_tests {
    use super::*;

    fn input(review_type: &str, focus: &str) -> NewReviewInput {
        NewReviewInput {
            title: String::new(),
            host_authority: "  Northshire   County Council ".into(),
            review_type: review_type.into(),
            scope: "Everything.".into(),
            focus: focus.into(),
            on_site_start: "2027-03-02".into(),
            on_site_end: "2027-03-05".into(),
        }
    }

    #[test]
    fn an_lga_review_starts_with_the_core_components_then_any_focus() {
        let checked = input(
            "lga_corporate_peer_challenge",
            "Housing\n\n  housing \nPlace",
        )
        .check()
        .unwrap();
        assert_eq!(checked.headings.len(), 7);
        assert_eq!(checked.headings[..5], LGA_CORE_COMPONENTS.map(String::from));
        assert_eq!(
            checked.headings[5..],
            ["Housing".to_string(), "Place".into()]
        );
        assert_eq!(checked.host_authority, "Northshire County Council");
        assert_eq!(
            checked.title,
            "Northshire County Council Corporate Peer Challenge"
        );
    }

    #[test]
    fn other_reviews_need_their_headings_typed() {
        let error = input("peer_collaborative_improvement", " \n ")
            .check()
            .unwrap_err();
        assert_eq!(error.field.as_deref(), Some("focus"));
        let checked = input("peer_collaborative_improvement", "Early years\nWorkforce")
            .check()
            .unwrap();
        assert_eq!(checked.headings, ["Early years", "Workforce"]);
    }

    #[test]
    fn each_bad_field_is_named() {
        type Spoil = fn(&mut NewReviewInput);
        let cases: [(Spoil, &str); 8] = [
            (|i| i.review_type = "ofsted".into(), "review_type"),
            (|i| i.host_authority = " ".into(), "host_authority"),
            (|i| i.title = "t".repeat(201), "title"),
            (|i| i.scope = "s".repeat(4001), "scope"),
            (|i| i.on_site_start = "next tuesday".into(), "on_site_start"),
            (|i| i.on_site_end = "2027-03-01".into(), "on_site_end"),
            (|i| i.on_site_end = "2027-03-20".into(), "on_site_end"),
            (|i| i.focus = "f".repeat(201), "focus"),
        ];
        for (spoil, field) in cases {
            let mut bad = input("lga_corporate_peer_challenge", "");
            spoil(&mut bad);
            let error = bad.check().unwrap_err();
            assert_eq!(error.field.as_deref(), Some(field), "{error:?}");
            assert!(!error.message.is_empty());
        }
        let many: String = (0..16).map(|n| format!("Focus {n}\n")).collect();
        let error = input("lga_corporate_peer_challenge", &many)
            .check()
            .unwrap_err();
        assert!(error.message.contains("at most 20"));
    }

    #[test]
    fn pairs_are_small_numbers_or_none() {
        assert_eq!(parse_pair(" ").unwrap(), None);
        assert_eq!(parse_pair("3").unwrap(), Some(3));
        for bad in ["0", "21", "-1", "two", "1.5"] {
            assert!(parse_pair(bad).is_err(), "{bad}");
        }
    }
}
