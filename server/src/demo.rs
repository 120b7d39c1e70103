//! The demo review: a realistic, entirely fictional LGA Corporate Peer Challenge, seeded into an
//! empty database so a newcomer sees a real product at once.

use app::people::Role;
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
        },
    )
    .await?;
    tracing::info!(review = %id, "demo: seeded the {DEMO_COUNCIL} review");
    seed_people(db, id).await
}

/// The demo team: one person in every role, with pairs. Fictional people, demo-only passwords.
pub const DEMO_PEOPLE: [(&str, &str, Role, Option<i64>); 8] = [
    (
        "Priya Shah",
        "facilitator@demo.peerwall.test",
        Role::Facilitator,
        None,
    ),
    (
        "Tom Okafor",
        "lead@demo.peerwall.test",
        Role::TeamLead,
        Some(1),
    ),
    (
        "Helen Marsh",
        "peer1@demo.peerwall.test",
        Role::Peer,
        Some(1),
    ),
    (
        "Gareth Lloyd",
        "peer2@demo.peerwall.test",
        Role::Peer,
        Some(2),
    ),
    (
        "Aisha Rahman",
        "peer3@demo.peerwall.test",
        Role::Peer,
        Some(2),
    ),
    (
        "Sam Whitfield",
        "host@demo.peerwall.test",
        Role::HostLead,
        None,
    ),
    (
        "Nadia Hussain",
        "reader@demo.peerwall.test",
        Role::HostReader,
        None,
    ),
    (
        "Ruth Bellamy",
        "observer@demo.peerwall.test",
        Role::Observer,
        None,
    ),
];

/// Every demo account shares this password; demo mode prints it.
pub const DEMO_PASSWORD: &str = "demo-password-2026";

async fn seed_people(db: &Database, review: app::review::ReviewId) -> Result<(), DbError> {
    let hash = crate::auth::password::hash(DEMO_PASSWORD);
    for (name, email, role, pair) in DEMO_PEOPLE {
        let person = db::people::create_person(
            db,
            db::people::NewPerson {
                email: email.into(),
                name: name.into(),
                password_hash: hash.clone(),
                is_admin: false,
            },
        )
        .await?;
        if let Some(person) = person {
            db::people::add_membership(db, review, person, role, pair).await?;
        }
    }
    print_demo_accounts();
    Ok(())
}

/// Demo mode only: who can sign in to the demo review, and how.
fn print_demo_accounts() {
    println!("Demo accounts for the {DEMO_COUNCIL} review (password for all: {DEMO_PASSWORD}):");
    for (name, email, role, _) in DEMO_PEOPLE {
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
}
