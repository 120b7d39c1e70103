//! The demo review: a realistic, entirely fictional LGA Corporate Peer Challenge, seeded into an
//! empty database so a newcomer sees a real product at once.

use app::review::{LGA_CORE_COMPONENTS, Phase, ReviewType};
use chrono::{Duration, Local, NaiveDate};

use crate::db::{self, Database, DbError};

/// The fictional host council of the demo review.
pub const DEMO_COUNCIL: &str = "Eastbrook Borough Council";

/// Seeds the demo review unless the database already holds any review.
pub async fn seed(db: &Database) -> Result<(), DbError> {
    if db::review::count(db).await? > 0 {
        tracing::info!("demo: the database already has reviews; seeding nothing");
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
    Ok(())
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
