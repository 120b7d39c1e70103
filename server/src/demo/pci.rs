//! The demo's second review: a Peer Collaborative Improvement whose host council wrote the
//! report and sent it to its council readers, who are commenting on it.

use app::membership::Role;
use app::review::{Phase, ReviewType};
use chrono::{Duration, Local};

use crate::db::{self, Database, DbError};

/// The second demo review's council.
pub const PCI_COUNCIL: &str = "Glenmoor Council";

/// Its host council's people (the peer team is the demo's own).
pub const PCI_HOSTS: [(&str, &str, Role); 3] = [
    ("Morag Campbell", "morag@demo.peerwall.test", Role::HostLead),
    ("Iain Fraser", "iain@demo.peerwall.test", Role::HostReader),
    ("Ewan Ross", "ewan@demo.peerwall.test", Role::Fieldwork),
];

/// A Peer Collaborative Improvement visited six weeks ago, whose report the host council wrote
/// and sent to its own council readers: version 1 is in the council-comments round, with a
/// factual-accuracy suggestion and a question answered in its thread.
pub(super) async fn seed_pci_report(
    db: &Database,
    team: &[(&str, &str, Role, Option<i64>, &str)],
    password: &str,
) -> Result<(), DbError> {
    use app::report::{
        Anchor, Block, BlockKind, Comment, CommentId, DueDates, Practice, Reply, Resolution, Round,
    };
    let start = Local::now().date_naive() - Duration::days(42);
    let review = db::review::insert(
        db,
        db::review::NewReview {
            title: format!("{PCI_COUNCIL} Peer Collaborative Improvement"),
            host_authority: PCI_COUNCIL.into(),
            review_type: ReviewType::PeerCollaborativeImprovement,
            phase: Phase::SentToCouncil,
            scope: "How the council and its partners use data to target early intervention.".into(),
            on_site_start: start,
            on_site_end: start + Duration::days(2),
            headings: vec![
                "Leadership and culture".into(),
                "Partnership working".into(),
                "Use of data".into(),
            ],
            facilitator: None,
        },
    )
    .await?;
    let hosts = add_people(db, review, &PCI_HOSTS, team, password).await?;
    let texts: [(BlockKind, &str); 12] = [
        (BlockKind::Heading, "Executive summary"),
        (
            BlockKind::Paragraph,
            "Glenmoor has a strong, shared ambition for early intervention. Partners trust the council and want to do more together; the data to target that work exists but is not yet joined up.",
        ),
        (BlockKind::Heading, "Key recommendations"),
        (
            BlockKind::Recommendation,
            "Agree one partnership data-sharing agreement for early intervention by the spring.",
        ),
        (
            BlockKind::Recommendation,
            "Give the early intervention board a single set of outcome measures, reported quarterly.",
        ),
        (BlockKind::Heading, "Leadership and culture"),
        (
            BlockKind::Paragraph,
            "Senior leaders are visible and model the collaborative culture they ask for. Staff describe a council that listens.",
        ),
        (BlockKind::Heading, "Partnership working"),
        (
            BlockKind::Paragraph,
            "The community planning partnership is well regarded; the third sector would value a seat when priorities are set.",
        ),
        (
            BlockKind::Practice,
            "A shared early-help dashboard used by the council, health and police",
        ),
        (BlockKind::Heading, "Next steps"),
        (
            BlockKind::Paragraph,
            "The council will turn these recommendations into an improvement plan, with a progress review in a year.",
        ),
    ];
    let blocks = report_blocks(
        &texts,
        Practice {
            place: "Northshire County Council".into(),
            contact: "Head of Early Help".into(),
            link: "https://www.example.org/early-help-dashboard".into(),
        },
    );
    db::report::create(db, review, &blocks).await?;
    db::report::set_due(
        db,
        review,
        &DueDates {
            peer_comments: Some(start + Duration::days(14)),
            council_comments: Some(Local::now().date_naive() + Duration::days(7)),
            final_version: Some(Local::now().date_naive() + Duration::days(21)),
            sign_off: Some(Local::now().date_naive() + Duration::days(28)),
        },
    )
    .await?;
    db::report::send_version(
        db,
        review,
        1,
        &blocks,
        "Morag Campbell".into(),
        (false, Round::SentToCouncil),
        Vec::new(),
    )
    .await?;
    let Some(&reader) = hosts.get(1) else {
        return Ok(());
    };
    let at = |days: i64| (chrono::Utc::now() - Duration::days(days)).to_rfc3339();
    let comment = |block: &Block,
                   exact: &str,
                   text: &str,
                   suggestion: Option<&str>,
                   factual: bool,
                   days: i64| Comment {
        id: CommentId::new(),
        block: block.id,
        anchor: app::report::anchor::anchor_first(&block.text, exact).unwrap_or(Anchor {
            exact: exact.into(),
            ..Anchor::default()
        }),
        text: text.into(),
        suggestion: suggestion.map(Into::into),
        factual,
        council: true,
        version: Some(1),
        author: "Iain Fraser".into(),
        author_id: None,
        at: at(days),
        replies: Vec::new(),
        resolution: None,
        resolved_by: None,
        rev: 1,
    };
    let peer_comment = Comment {
        council: false,
        version: None,
        author: "Helen Marsh".into(),
        resolution: Some(Resolution::Resolved),
        resolved_by: Some("Morag Campbell".into()),
        ..comment(
            &blocks[8],
            "the third sector",
            "Say which forum: the third sector interface asked for this.",
            None,
            false,
            20,
        )
    };
    if let Some(helen) = db::accounts::find_person_by_email(db, "peer1@demo.peerwall.test").await? {
        db::report::put_comment(
            db,
            review,
            &peer_comment,
            app::accounts::PersonId(helen.id),
            None,
        )
        .await?;
    }
    let factual = comment(
        &blocks[3],
        "by the spring",
        "The data-sharing agreement is already due to be signed in March.",
        Some("by the end of March"),
        true,
        3,
    );
    db::report::put_comment(db, review, &factual, reader, None).await?;
    let question = comment(
        &blocks[6],
        "Staff describe a council that listens",
        "Is this from the staff survey or the focus groups?",
        None,
        false,
        2,
    );
    db::report::put_comment(db, review, &question, reader, None).await?;
    db::report::add_reply(
        db,
        review,
        question.id,
        &Reply {
            author: "Morag Campbell".into(),
            text: "From the two staff focus groups; the survey said much the same.".into(),
            at: at(1),
        },
        uuid::Uuid::new_v4(),
    )
    .await?;
    db::report::set_round(db, review, Round::CouncilComments).await?;
    seed_benchmarks(db, review).await?;
    tracing::info!(review = %review, "demo: seeded the {PCI_COUNCIL} review and its report");
    Ok(())
}

/// A demo report's blocks, in order, each practice example with `practice`.
pub(super) fn report_blocks(
    texts: &[(app::report::BlockKind, &str)],
    practice: app::report::Practice,
) -> Vec<app::report::Block> {
    use app::report::{Block, BlockId, BlockKind};
    let mut order: Option<String> = None;
    texts
        .iter()
        .map(|(kind, text)| {
            let key = app::wall::order::key_between(order.as_deref(), None);
            order = Some(key.clone());
            Block {
                id: BlockId::new(),
                kind: *kind,
                text: (*text).into(),
                order: key,
                practice: (*kind == BlockKind::Practice).then(|| practice.clone()),
                source: None,
                rev: 1,
            }
        })
        .collect()
}

/// The council's people a demo review's host adds (new accounts, sharing `password`), and the
/// demo's own team members in `team`: the council's people, in order.
pub(super) async fn add_people(
    db: &Database,
    review: app::review::ReviewId,
    hosts: &[(&str, &str, Role)],
    team: &[(&str, &str, Role, Option<i64>, &str)],
    password: &str,
) -> Result<Vec<app::accounts::PersonId>, DbError> {
    let hash = crate::auth::password::hash(password);
    let mut added = Vec::new();
    for &(name, email, role) in hosts {
        let person = db::accounts::create_person(
            db,
            db::accounts::NewPerson {
                email: email.into(),
                name: name.into(),
                password_hash: hash.clone(),
                is_admin: false,
                may_create_reviews: false,
            },
        )
        .await?;
        if let Some(person) = person {
            // A fieldwork member interviews with the demo's second pair.
            let pair = (role == Role::Fieldwork).then_some(2);
            db::membership::add_membership(db, review, person, role, pair).await?;
            added.push(person);
        }
    }
    for &(_, email, role, pair, _) in team {
        if let Some(person) = db::accounts::find_person_by_email(db, email).await? {
            db::membership::add_membership(
                db,
                review,
                app::accounts::PersonId(person.id),
                role,
                pair,
            )
            .await?;
        }
    }
    Ok(added)
}

/// The synthetic LGBF data, with two indicators picked for the team's charts.
async fn seed_benchmarks(db: &Database, review: app::review::ReviewId) -> Result<(), DbError> {
    let data = match crate::benchmark::parse(super::LGBF_CSV.as_bytes()) {
        Ok(data) => data,
        Err(error) => {
            tracing::error!(%error, "demo: the LGBF data failed its own import");
            return Ok(());
        }
    };
    db::benchmark::replace(
        db,
        review,
        db::benchmark::Import {
            values: &data.values,
            families: &data.families,
            indicators: &data.indicators,
            host: PCI_COUNCIL,
            file_name: "lgbf-synthetic.csv",
            by: "Improvement Service",
        },
    )
    .await?;
    db::benchmark::set_picked(db, review, &["SW1".to_string(), "HSN1b".to_string()]).await
}
