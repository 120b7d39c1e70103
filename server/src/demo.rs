//! The demo review: a realistic, entirely fictional LGA Corporate Peer Challenge, seeded into an
//! empty database so a newcomer sees a real product at once.

use app::membership::Role;
use app::organisations::OrganisationKind;
use app::review::{LGA_CORE_COMPONENTS, Phase, ReviewType};
use app::wall::NoteKind;
use chrono::{Duration, Local, NaiveDate};

use crate::db::{self, Database, DbError};

/// The fictional host council of the demo review.
pub const DEMO_COUNCIL: &str = "Eastbrook Borough Council";

/// Every demo account's email address ends with this.
pub const DEMO_DOMAIN: &str = "@demo.peerwall.test";

/// What a database holds, as far as the demo is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contents {
    /// Nothing yet: no account, no review.
    Fresh,
    /// The demo's own database: seeded by `--demo` when it was fresh (or, before that was
    /// recorded, holding demo accounts only).
    Demo,
    /// Real accounts or reviews, with `demo_accounts` demo accounts among them.
    Real { demo_accounts: i64 },
}

pub mod pack;
mod pci;
mod plan;
mod timetable;

pub use pci::{PCI_COUNCIL, PCI_HOSTS};
pub use plan::{PLAN_COUNCIL, PLAN_HOSTS};

/// Synthetic benchmarking data in the shape of the LGBF (12 fictional councils in two family
/// groups, 6 indicators, 6 years), for the demo's PCI and the tests. No real data.
pub const LGBF_CSV: &str = include_str!("demo/lgbf.csv");

/// Reads what the database holds.
pub async fn contents(db: &Database) -> Result<Contents, DbError> {
    let counts = db::site::counts(db, DEMO_DOMAIN).await?;
    Ok(
        if counts.demo_marked > 0 || (counts.people > 0 && counts.demo_people == counts.people) {
            Contents::Demo
        } else if counts.people == 0 && counts.reviews == 0 {
            Contents::Fresh
        } else {
            Contents::Real {
                demo_accounts: counts.demo_people,
            }
        },
    )
}

/// Seeds the demo review into a fresh database; on the demo's own database it seeds nothing
/// again. On a database with real accounts or reviews it refuses: the demo's accounts share a
/// published password, an administrator among them.
pub async fn seed(db: &Database) -> Result<(), crate::StartupError> {
    match contents(db).await? {
        Contents::Fresh => {}
        Contents::Demo => {
            tracing::info!("demo: this is the demo's database; seeding nothing again");
            print_demo_accounts();
            return Ok(());
        }
        Contents::Real { .. } => return Err(crate::StartupError::DemoOnRealData),
    }
    db::site::claim(db, db::site::Claim::Demo).await?;
    seed_review(db).await?;
    pci::seed_pci_report(
        db,
        &[DEMO_PEOPLE[0], DEMO_PEOPLE[2], DEMO_PEOPLE[3]],
        DEMO_PASSWORD,
    )
    .await?;
    plan::seed_plan_review(
        db,
        &[DEMO_PEOPLE[0], DEMO_PEOPLE[1], DEMO_PEOPLE[2]],
        DEMO_PASSWORD,
    )
    .await?;
    Ok(())
}

/// The warning for a demo served beyond loopback, where anyone who reaches it can sign in with
/// the published password.
pub fn exposure_warning(addr: std::net::SocketAddr) -> Option<String> {
    (!addr.ip().is_loopback()).then(|| {
        format!(
            "DEMO MODE on {addr}: anyone who can reach this address can sign in to the demo's \
             accounts, an administrator among them, with the published password. Serve the demo \
             on 127.0.0.1 only."
        )
    })
}

/// Refuses to serve a database that holds demo accounts without `--demo`, unless they are to
/// be removed first (`--remove-demo-accounts`).
pub async fn refuse_demo_accounts(db: &Database, remove: bool) -> Result<(), crate::StartupError> {
    let demo_accounts = match contents(db).await? {
        Contents::Fresh => return Ok(()),
        Contents::Demo => 1,
        Contents::Real { demo_accounts } => demo_accounts,
    };
    if demo_accounts == 0 {
        return Ok(());
    }
    if !remove {
        return Err(crate::StartupError::DemoAccountsPresent);
    }
    let removed = db::site::remove_demo_accounts(db, DEMO_DOMAIN).await?;
    tracing::warn!(removed, "removed the demo accounts");
    println!("Removed {removed} demo accounts (their sessions and memberships with them).");
    Ok(())
}

async fn seed_review(db: &Database) -> Result<(), DbError> {
    let start = demo_on_site_start(Local::now().date_naive());
    let mut headings: Vec<String> = LGA_CORE_COMPONENTS
        .iter()
        .map(std::string::ToString::to_string)
        .collect();
    headings.push("Area of focus: housing and homelessness".into());
    let id = db::review::insert(
        db,
        db::review::NewReview {
            title: format!("{DEMO_COUNCIL} Corporate Peer Challenge"),
            host_authority: DEMO_COUNCIL.into(),
            review_type: ReviewType::LgaCorporatePeerChallenge,
            phase: Phase::OnSite,
            scope: "The five core components, with an additional focus on housing and \
                    homelessness: temporary accommodation costs, the housing strategy \
                    refresh, and partnership work with the registered providers."
                .into(),
            on_site_start: start,
            on_site_end: start + Duration::days(3),
            headings,
            facilitator: None,
        },
    )
    .await?;
    tracing::info!(review = %id, "demo: seeded the {DEMO_COUNCIL} review");
    seed_people(db, id).await?;
    // Everyone on the team but Gareth has opened the position statement.
    pack::seed_pack(
        db,
        id,
        start,
        DEMO_PEOPLE[5].1,
        DEMO_PEOPLE[0].1,
        &[
            DEMO_PEOPLE[0].1,
            DEMO_PEOPLE[1].1,
            DEMO_PEOPLE[2].1,
            DEMO_PEOPLE[4].1,
        ],
    )
    .await?;
    let sessions = timetable::seed_timetable(db, id, start).await?;
    seed_wall(db, id, &sessions).await
}

/// What the pairs heard on the first day, for the demo's wall: (heading index or None for
/// Unsorted, kind, text, source, stakeholder group, who wrote it (index in DEMO_PEOPLE)).
/// One demo note: heading index, kind, text, source, stakeholder group, author.
type DemoNote = (
    Option<usize>,
    NoteKind,
    &'static str,
    &'static str,
    &'static str,
    usize,
);

const DEMO_NOTES: [DemoNote; 16] = [
    (
        Some(0),
        NoteKind::Strength,
        "Residents' survey results are used to set the council plan's priorities, and councillors can say how.",
        "Leader interview",
        "Councillors",
        2,
    ),
    (
        Some(0),
        NoteKind::AreaForImprovement,
        "Few outcome measures in the council plan have targets; progress reports describe activity rather than impact.",
        "Performance team focus group",
        "Officers",
        3,
    ),
    (
        Some(1),
        NoteKind::Strength,
        "Partners describe the chief executive as visible and trusted; the health and wellbeing board is seen as genuinely shared.",
        "Partners' round table",
        "Partners",
        4,
    ),
    (
        Some(1),
        NoteKind::Suggestion,
        "Consider a joint place narrative with the ICB and the university before the next budget round.",
        "Partners' round table",
        "Partners",
        2,
    ),
    (
        Some(2),
        NoteKind::AreaForImprovement,
        "Scrutiny chairs say reports arrive too late to shape decisions; pre-decision scrutiny is rare.",
        "Scrutiny chairs interview",
        "Councillors",
        3,
    ),
    (
        Some(2),
        NoteKind::NotablePractice,
        "Member–officer protocol refreshed jointly last year; both sides could describe it unprompted.",
        "Group leaders interview",
        "Councillors",
        1,
    ),
    (
        Some(3),
        NoteKind::AreaForImprovement,
        "Temporary accommodation overspend (£2.1m forecast) is not yet in the medium-term financial strategy.",
        "Section 151 officer interview",
        "Senior officers",
        4,
    ),
    (
        Some(3),
        NoteKind::Question,
        "How confident is the cabinet in the savings profile for 2027/28? Ask at the finance session.",
        "Budget papers",
        "Senior officers",
        1,
    ),
    (
        Some(4),
        NoteKind::Strength,
        "Staff survey response up from 41% to 63%; managers say the new appraisal process is used.",
        "Staff focus group",
        "Staff",
        2,
    ),
    (
        Some(4),
        NoteKind::Suggestion,
        "A single improvement plan would help: three separate action plans cover overlapping ground.",
        "Transformation board interview",
        "Senior officers",
        3,
    ),
    (
        Some(5),
        NoteKind::AreaForImprovement,
        "Registered providers feel consulted late on the housing strategy refresh.",
        "Registered providers focus group",
        "Partners",
        4,
    ),
    (
        Some(5),
        NoteKind::Strength,
        "Homelessness prevention rate is among the best of its CIPFA nearest neighbours.",
        "Benchmarking pack",
        "Officers",
        2,
    ),
    (
        None,
        NoteKind::Question,
        "Is the new customer contact centre reaching residents without internet access?",
        "Frontline staff focus group",
        "Staff",
        3,
    ),
    (
        None,
        NoteKind::Strength,
        "Ward councillors praised the neighbourhood teams' response to the autumn flooding.",
        "Ward councillors focus group",
        "Councillors",
        4,
    ),
    (
        None,
        NoteKind::Suggestion,
        "Publish the corporate risk register summary with the quarterly performance report.",
        "Audit committee chair interview",
        "Councillors",
        1,
    ),
    (
        None,
        NoteKind::NotablePractice,
        "Youth council co-designed the play strategy; young people presented it to cabinet.",
        "Voluntary sector round table",
        "Partners",
        2,
    ),
];

/// Seeds the demo wall with what the pairs heard on the first day, through the same rules and
/// commits as the live wall.
async fn seed_wall(
    db: &Database,
    review: app::review::ReviewId,
    sessions: &[(String, app::visit::SessionId)],
) -> Result<(), DbError> {
    use app::wall::protocol::{Command, NoteFields};
    use app::wall::rules::Actor;

    use crate::wall::seed::seed;

    let mut board = db::wall::load(db, review).await?;
    if board.seq > 0 {
        return Ok(());
    }
    let headings: Vec<_> = board.live_headings().map(|h| h.id.clone()).collect();
    let mut note_ids = Vec::new();
    for (heading, kind, text, source, stakeholder, author) in DEMO_NOTES {
        let (name, email, role, pair, _) = DEMO_PEOPLE[author];
        let Some(person) = db::accounts::find_person_by_email(db, email).await? else {
            continue;
        };
        let actor = Actor {
            person: app::accounts::PersonId(person.id),
            name: name.to_string(),
            pair,
            role,
        };
        let note = app::wall::NoteId(uuid::Uuid::new_v4());
        note_ids.push(note);
        let command = Command::CreateNote {
            note,
            heading: heading.and_then(|index| headings.get(index).cloned()),
            before: None,
            fields: NoteFields {
                text: text.into(),
                kind,
                source: source.into(),
                session: sessions
                    .iter()
                    .find(|(title, _)| title == source)
                    .map(|(_, id)| *id),
                stakeholder: stakeholder.into(),
                tags: vec![],
            },
        };
        seed(db, review, &mut board, &actor, &command).await?;
    }
    // The team lead has started triangulating: two key messages with some of their evidence.
    let (name, email, role, pair, _) = DEMO_PEOPLE[1];
    let Some(person) = db::accounts::find_person_by_email(db, email).await? else {
        return Ok(());
    };
    let lead = Actor {
        person: app::accounts::PersonId(person.id),
        name: name.to_string(),
        pair,
        role,
    };
    for (heading, kind, text, evidence) in DEMO_MESSAGES {
        let message = app::wall::MessageId(uuid::Uuid::new_v4());
        let Some(heading) = headings.get(heading).cloned() else {
            continue;
        };
        let mut commands = vec![Command::AddMessage {
            message,
            heading,
            before: None,
            text: text.into(),
            kind,
        }];
        commands.extend(
            evidence
                .iter()
                .filter_map(|index| note_ids.get(*index))
                .map(|note| Command::AddEvidence {
                    message,
                    note: *note,
                }),
        );
        for command in commands {
            seed(db, review, &mut board, &lead, &command).await?;
        }
    }
    Ok(())
}

/// The demo's first key messages: heading index, kind, sentence, evidence (indexes in
/// DEMO_NOTES).
const DEMO_MESSAGES: [(usize, app::wall::MessageKind, &str, &[usize]); 2] = [
    (
        1,
        app::wall::MessageKind::Strength,
        "Partners trust the council's leadership and see the place agenda as genuinely shared.",
        &[2, 3],
    ),
    (
        2,
        app::wall::MessageKind::AreaForImprovement,
        "Scrutiny does not yet shape decisions before they are made.",
        &[4],
    ),
];

/// The demo team: one person in every role, with pairs and the (fictional) body each works for.
/// Fictional people, demo-only passwords.
pub const DEMO_PEOPLE: [(&str, &str, Role, Option<i64>, &str); 8] = [
    (
        "Priya Shah",
        "facilitator@demo.peerwall.test",
        Role::Facilitator,
        None,
        "Local Government Association",
    ),
    (
        "Tom Okafor",
        "lead@demo.peerwall.test",
        Role::TeamLead,
        Some(1),
        "Westmoor City Council",
    ),
    (
        "Helen Marsh",
        "peer1@demo.peerwall.test",
        Role::Peer,
        Some(1),
        "Northshire County Council",
    ),
    (
        "Gareth Lloyd",
        "peer2@demo.peerwall.test",
        Role::Peer,
        Some(2),
        "Kingsford District Council",
    ),
    (
        "Aisha Rahman",
        "peer3@demo.peerwall.test",
        Role::Peer,
        Some(2),
        "Harbourside Metropolitan Borough Council",
    ),
    (
        "Sam Whitfield",
        "host@demo.peerwall.test",
        Role::HostLead,
        None,
        "Eastbrook Borough Council",
    ),
    (
        "Nadia Hussain",
        "reader@demo.peerwall.test",
        Role::HostReader,
        None,
        "Eastbrook Borough Council",
    ),
    (
        "Ruth Bellamy",
        "observer@demo.peerwall.test",
        Role::Observer,
        None,
        "Kingsford District Council",
    ),
];

/// The demo administrator, who can invite facilitators and issue password reset links.
pub const DEMO_ADMIN: (&str, &str) = ("Alex Morgan", "admin@demo.peerwall.test");

/// The organisations of the demo, with their kinds.
const DEMO_ORGANISATIONS: [(&str, OrganisationKind); 6] = [
    ("Local Government Association", OrganisationKind::Lga),
    ("Westmoor City Council", OrganisationKind::Council),
    ("Northshire County Council", OrganisationKind::Council),
    ("Kingsford District Council", OrganisationKind::Council),
    (
        "Harbourside Metropolitan Borough Council",
        OrganisationKind::Council,
    ),
    ("Improvement Service", OrganisationKind::ImprovementService),
];

/// Every demo account shares this password; demo mode prints it.
pub const DEMO_PASSWORD: &str = "demo-password-2026";

async fn seed_people(db: &Database, review: app::review::ReviewId) -> Result<(), DbError> {
    for (name, kind) in DEMO_ORGANISATIONS {
        db::organisations::create(db, name, kind).await?;
    }
    let organisations = db::organisations::list(db).await?;
    let organisation_of = |name: &str| {
        organisations
            .iter()
            .find(|organisation| organisation.name == name)
            .map(|organisation| organisation.id.0.clone())
    };
    let hash = crate::auth::password::hash(DEMO_PASSWORD);
    let (admin_name, admin_email) = DEMO_ADMIN;
    let admin = db::accounts::NewPerson {
        email: admin_email.into(),
        name: admin_name.into(),
        password_hash: hash.clone(),
        is_admin: true,
        may_create_reviews: false,
    };
    if let Some(admin) = db::accounts::create_person(db, admin).await? {
        let lga = organisation_of("Local Government Association");
        db::accounts::set_organisation(db, admin, lga.as_deref()).await?;
    }
    for (name, email, role, pair, employer) in DEMO_PEOPLE {
        let person = db::accounts::create_person(
            db,
            db::accounts::NewPerson {
                email: email.into(),
                name: name.into(),
                password_hash: hash.clone(),
                is_admin: false,
                may_create_reviews: role == Role::Facilitator,
            },
        )
        .await?;
        if let Some(person) = person {
            db::membership::add_membership(db, review, person, role, pair).await?;
            db::accounts::set_organisation(db, person, organisation_of(employer).as_deref())
                .await?;
        }
    }
    print_demo_accounts();
    Ok(())
}

/// Demo mode only: who can sign in to the demo review, and how.
fn print_demo_accounts() {
    println!("Demo accounts for the {DEMO_COUNCIL} review (password for all: {DEMO_PASSWORD}):");
    for (name, email, role, _, _) in DEMO_PEOPLE {
        println!("  {:<16} {:<32} {name}", role.label(), email);
    }
    let (admin_name, admin_email) = DEMO_ADMIN;
    println!("  {:<16} {:<32} {admin_name}", "Administrator", admin_email);
    println!(
        "and for {}'s Peer Collaborative Improvement, whose report is with the council:",
        pci::PCI_COUNCIL
    );
    for (name, email, role) in pci::PCI_HOSTS {
        println!("  {:<16} {:<32} {name}", role.label(), email);
    }
    println!(
        "and for {}'s Corporate Peer Challenge, signed off, with its action plan:",
        plan::PLAN_COUNCIL
    );
    for (name, email, role) in plan::PLAN_HOSTS {
        println!("  {:<16} {:<32} {name}", role.label(), email);
    }
}

/// The demo team is on its second day on site, so the review always looks current.
fn demo_on_site_start(today: NaiveDate) -> NaiveDate {
    today - Duration::days(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_visit_is_under_way_today() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let start = demo_on_site_start(today);
        assert!(start <= today && today <= start + Duration::days(3));
    }

    /// Writes a database of this schema for the next migration's test: the demo review, with
    /// dot votes by three people, a deleted key message and every wall setting changed, plus
    /// `board.json` and `events.json` (what this code reads back). Run by hand before a schema
    /// change: `PEERWALL_FIXTURE_OUT=server/tests/fixtures/schema-N cargo test -p
    /// peerwall-server --lib -- --ignored write_schema_fixture`.
    #[tokio::test]
    #[ignore = "writes a fixture for the next migration's test; run by hand"]
    async fn write_schema_fixture() {
        use app::wall::protocol::Command;
        use app::wall::rules::Actor;

        let out = std::path::PathBuf::from(std::env::var("PEERWALL_FIXTURE_OUT").unwrap());
        let data = out.join("data");
        let config = <crate::Config as clap::Parser>::parse_from([
            "peerwall".to_string(),
            "--db".to_string(),
            data.display().to_string(),
        ]);
        let db = Database::open(&config.database()).await.unwrap();
        db::migrations::migrate(&db, db::migrations::MIGRATIONS)
            .await
            .unwrap();
        seed(&db).await.unwrap();
        let review = db::review::list_summaries(&db).await.unwrap()[0].id;
        let mut board = db::wall::load(&db, review).await.unwrap();
        let mut actors = Vec::new();
        for (name, email, role, pair, _) in DEMO_PEOPLE.into_iter().take(4) {
            let person = db::accounts::find_person_by_email(&db, email)
                .await
                .unwrap()
                .unwrap();
            actors.push(Actor {
                person: app::accounts::PersonId(person.id),
                name: name.to_string(),
                pair,
                role,
            });
        }
        let messages: Vec<_> = board.messages.keys().copied().collect();
        let heading = board.live_headings().next().unwrap().id.clone();
        let run = |board: &mut app::wall::Board, actor: usize, command: Command| {
            let actor = actors[actor].clone();
            let db = db.clone();
            let mut copy = board.clone();
            async move {
                assert!(
                    crate::wall::seed::seed(&db, review, &mut copy, &actor, &command)
                        .await
                        .unwrap(),
                    "{command:?} refused"
                );
                copy
            }
        };
        for (actor, message) in [(0, 0), (1, 0), (1, 1), (2, 0), (3, 1), (3, 1)] {
            let command = Command::Vote {
                message: messages[message],
            };
            board = run(&mut board, actor, command).await;
        }
        let gone = app::wall::MessageId(uuid::Uuid::new_v4());
        let add = Command::AddMessage {
            message: gone,
            heading: heading.clone(),
            before: None,
            text: "A message the team later dropped".into(),
            kind: app::wall::MessageKind::Recommendation,
        };
        board = run(&mut board, 1, add).await;
        board = run(&mut board, 1, Command::DeleteMessage { message: gone }).await;
        let settings = [
            Command::SetVoting {
                votes_per_person: 5,
                revealed: true,
            },
            Command::LockWall { locked: true },
            Command::Present {
                slide: Some(heading),
                quote: None,
            },
            Command::Presenting { on: true },
            Command::PublishHandout { published: true },
        ];
        for command in settings {
            board = run(&mut board, 0, command).await;
        }
        let loaded = db::wall::load(&db, review).await.unwrap();
        assert_eq!(loaded, board);
        let events = db::wall::events_after(&db, review, 0, 10_000)
            .await
            .unwrap();
        std::fs::write(
            out.join("board.json"),
            serde_json::to_string_pretty(&loaded).unwrap(),
        )
        .unwrap();
        std::fs::write(
            out.join("events.json"),
            serde_json::to_string_pretty(&events).unwrap(),
        )
        .unwrap();
        db.close().await;
    }
}
