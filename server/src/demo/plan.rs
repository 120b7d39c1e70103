//! The demo's third review: a Corporate Peer Challenge visited five months ago, whose report the
//! council signed off two months after the visit (its notes gone a month later) and published,
//! with its action plan under way: actions at every RAG
//! status, one overdue, a progress statement written, and the plan's own publication due within
//! days.

use app::membership::Role;
use app::plan::{ActionStatus, PlanAction, PlanActionId, Published, Publishing};
use app::review::{Phase, ReviewType};
use chrono::{Duration, Local, Months};

use crate::db::{self, Database, DbError};

/// The third demo review's council.
pub const PLAN_COUNCIL: &str = "Ashdown District Council";

/// Its council's people (the peer team is the demo's own).
pub const PLAN_HOSTS: [(&str, &str, Role); 2] = [
    (
        "Claire Bennett",
        "claire@demo.peerwall.test",
        Role::HostLead,
    ),
    ("Raj Patel", "raj@demo.peerwall.test", Role::HostReader),
];

/// The report's recommendations, under their sections.
const REPORT: [(app::report::BlockKind, &str); 10] = {
    use app::report::BlockKind::{Heading, Paragraph, Recommendation};
    [
        (Heading, "Executive summary"),
        (
            Paragraph,
            "Ashdown is a well-run council with a clear sense of place. Its finances are sound for now; the medium term needs firmer plans.",
        ),
        (Heading, "Key recommendations"),
        (
            Recommendation,
            "Agree a medium-term financial strategy that closes the gap in 2028/29, with savings plans owned by directors.",
        ),
        (
            Recommendation,
            "Refresh the council plan with measurable outcomes, reported to cabinet each quarter.",
        ),
        (Heading, "Governance and culture"),
        (
            Recommendation,
            "Strengthen the audit committee with an independent member and a training plan.",
        ),
        (
            Recommendation,
            "Give scrutiny a work programme tied to the council plan's priorities.",
        ),
        (Heading, "Next steps"),
        (
            Paragraph,
            "The council will publish an action plan and the team will return for a progress review in about ten months.",
        ),
    ]
};

/// Seeds the review; `team` is the demo's facilitator, team lead and a peer.
pub(super) async fn seed_plan_review(
    db: &Database,
    team: &[(&str, &str, Role, Option<i64>, &str)],
    password: &str,
) -> Result<(), DbError> {
    let today = Local::now().date_naive();
    let start = today - Duration::days(150);
    let end = start + Duration::days(3);
    let review = db::review::insert(
        db,
        db::review::NewReview {
            title: format!("{PLAN_COUNCIL} Corporate Peer Challenge"),
            host_authority: PLAN_COUNCIL.into(),
            review_type: ReviewType::LgaCorporatePeerChallenge,
            phase: Phase::Published,
            scope: "The five core components, with a focus on the medium-term financial plan."
                .into(),
            on_site_start: start,
            on_site_end: end,
            headings: app::review::LGA_CORE_COMPONENTS
                .iter()
                .map(ToString::to_string)
                .collect(),
            facilitator: None,
        },
    )
    .await?;
    super::pci::add_people(db, review, &PLAN_HOSTS, team, password).await?;
    let blocks = super::pci::report_blocks(&REPORT, app::report::Practice::default());
    db::report::create(db, review, &blocks).await?;
    db::report::send_version(
        db,
        review,
        1,
        &blocks,
        "Priya Shah".into(),
        (true, app::report::Round::Final),
        Vec::new(),
    )
    .await?;
    // Signed off two months after the visit: the notes went a month later, on schedule
    // (`crate::prepare_on` runs the schedule once the services stand).
    let signed = (end + Duration::days(60))
        .and_hms_opt(15, 0, 0)
        .map_or_else(chrono::Utc::now, |at| at.and_utc());
    db::report::sign_off_at(db, review, 1, PLAN_HOSTS[0].0.into(), signed).await?;
    db::plan::set_publication(
        db,
        review,
        Publishing::Report,
        &Published {
            on: end + Duration::days(80),
            url: "https://www.example.org/ashdown/corporate-peer-challenge".into(),
            recorded_by: PLAN_HOSTS[0].0.into(),
        },
        None,
    )
    .await?;
    let numbered = crate::plan::recommendations(&blocks);
    db::plan::make(db, review, PLAN_HOSTS[0].0.into(), 1, &numbered, None).await?;
    let months = |n: u32| today.checked_add_months(Months::new(n)).unwrap_or(today);
    let actions = [
        (
            1,
            "Draft the medium-term financial strategy with savings plans by directorate",
            "Director of Finance",
            months(1),
            ActionStatus::Green,
            "Draft with the leadership team; cabinet in February.",
        ),
        (
            1,
            "Run budget engagement with residents and partners",
            "Head of Communications",
            today - Duration::days(12),
            ActionStatus::Red,
            "Survey delayed: the consultation platform contract lapsed.",
        ),
        (
            2,
            "Agree outcome measures for each council plan priority",
            "Head of Policy and Performance",
            months(2),
            ActionStatus::NotStarted,
            "",
        ),
        (
            3,
            "Appoint an independent member to the audit committee",
            "Monitoring Officer",
            today - Duration::days(20),
            ActionStatus::Complete,
            "Appointed at full council.",
        ),
        (
            4,
            "Set a scrutiny work programme with the chairs",
            "Head of Democratic Services",
            months(1),
            ActionStatus::Green,
            "Chairs' workshop held; programme to committee next month.",
        ),
    ];
    for (number, text, owner, due, status, note) in actions {
        let action = PlanAction {
            id: PlanActionId::new(),
            recommendation: number,
            text: text.into(),
            owner: owner.into(),
            due: Some(due),
            status,
            status_note: note.into(),
            evidence: if status == ActionStatus::Complete {
                vec!["https://www.example.org/ashdown/full-council-minutes".into()]
            } else {
                Vec::new()
            },
            version: 1,
            updated_by: PLAN_HOSTS[0].0.into(),
            updated_at: String::new(),
        };
        db::plan::put_action(db, review, &action, 0, PLAN_HOSTS[0].0.into(), None).await?;
    }
    db::plan::put_progress(
        db,
        review,
        3,
        "The independent member joined in the summer; the committee's training plan is agreed."
            .into(),
        0,
        None,
    )
    .await?;
    tracing::info!(review = %review, "demo: seeded the {PLAN_COUNCIL} review and its action plan");
    Ok(())
}
