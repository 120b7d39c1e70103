//! The demo review: a realistic, entirely fictional LGA Corporate Peer Challenge, seeded into an
//! empty database so a newcomer sees a real product at once.

use app::people::{OrganisationKind, Role};
use app::review::{LGA_CORE_COMPONENTS, Phase, ReviewType};
use chrono::{Duration, Local, NaiveDate};

use crate::db::{self, Database, DbError};

/// The fictional host council of the demo review.
pub const DEMO_COUNCIL: &str = "Eastbrook Borough Council";

/// Seeds the demo review unless the database already holds any review.
pub async fn seed(db: &Database) -> Result<(), DbError> {
    if db::review::count(db).await? > 0 {
        tracing::info!("demo: the database already has reviews; seeding nothing");
        print_demo_accounts();
        return Ok(());
    }
    let start = demo_on_site_start(Local::now().date_naive());
    let mut headings: Vec<String> = LGA_CORE_COMPONENTS.iter().map(|h| h.to_string()).collect();
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
    seed_people(db, id).await
}

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
        db::organisation::create(db, name, kind).await?;
    }
    let organisations = db::organisation::list(db).await?;
    let organisation_of = |name: &str| {
        organisations
            .iter()
            .find(|organisation| organisation.name == name)
            .map(|organisation| organisation.id.0.clone())
    };
    let hash = crate::auth::password::hash(DEMO_PASSWORD);
    let (admin_name, admin_email) = DEMO_ADMIN;
    let admin = db::people::NewPerson {
        email: admin_email.into(),
        name: admin_name.into(),
        password_hash: hash.clone(),
        is_admin: true,
        may_create_reviews: false,
    };
    if let Some(admin) = db::people::create_person(db, admin).await? {
        let lga = organisation_of("Local Government Association");
        db::people::set_organisation(db, admin, lga.as_deref()).await?;
    }
    for (name, email, role, pair, employer) in DEMO_PEOPLE {
        let person = db::people::create_person(
            db,
            db::people::NewPerson {
                email: email.into(),
                name: name.into(),
                password_hash: hash.clone(),
                is_admin: false,
                may_create_reviews: role == Role::Facilitator,
            },
        )
        .await?;
        if let Some(person) = person {
            db::people::add_membership(db, review, person, role, pair).await?;
            db::people::set_organisation(db, person, organisation_of(employer).as_deref()).await?;
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
}
