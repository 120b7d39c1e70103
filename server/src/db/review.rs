//! Reviews, their host organisations and headings.

use app::accounts::PersonId;
use app::membership::Role;
use app::review::{MyReview, Phase, ReviewId, ReviewSummary, ReviewType};
use chrono::NaiveDate;
use surrealdb::types::{RecordId, SurrealValue};

use super::records::{heading_record, person_record};
use super::{Database, DbError};

/// A review to create, with its headings in order.
#[derive(Debug, Clone)]
pub struct NewReview {
    pub title: String,
    pub host_authority: String,
    pub review_type: ReviewType,
    pub phase: Phase,
    pub scope: String,
    pub on_site_start: NaiveDate,
    pub on_site_end: NaiveDate,
    pub headings: Vec<String>,
    /// Who becomes the review's facilitator, in the same transaction.
    pub facilitator: Option<PersonId>,
}

#[derive(Debug, SurrealValue)]
struct ReviewRow {
    id: uuid::Uuid,
    title: String,
    host_authority: Option<String>,
    review_type: String,
    phase: String,
    scope: String,
    on_site_start: String,
    on_site_end: String,
    headings: Vec<String>,
    progress_of: Option<RecordId>,
    progress_review: Option<RecordId>,
}

#[derive(Debug, SurrealValue)]
struct MembershipRow {
    review: uuid::Uuid,
    role: String,
}

#[derive(Debug, SurrealValue)]
struct HeadingInput {
    id: RecordId,
    title: String,
    position: i64,
}

use super::records::review_record;

/// How many reviews there are.
pub async fn count(db: &Database) -> Result<i64, DbError> {
    let mut response = db.query("RETURN count(SELECT id FROM review)").await?;
    let count: Option<i64> = response.take(0)?;
    Ok(count.unwrap_or(0))
}

/// Creates a review, its host organisation if new, and its headings, in one transaction.
pub async fn insert(db: &Database, review: NewReview) -> Result<ReviewId, DbError> {
    let host = super::organisations::find_or_create(
        db,
        &review.host_authority,
        app::organisations::OrganisationKind::Council,
    )
    .await?;
    let id = ReviewId::new();
    let headings: Vec<HeadingInput> = review
        .headings
        .into_iter()
        .enumerate()
        .map(|(index, title)| HeadingInput {
            id: heading_record(id, &app::wall::HeadingId::new()),
            title,
            position: index as i64,
        })
        .collect();
    db.query(
        "BEGIN TRANSACTION;
             CREATE $review SET title = $title, host = $host, review_type = $review_type,
                 phase = $phase, scope = $scope, on_site_start = $on_site_start,
                 on_site_end = $on_site_end;
             FOR $heading IN $headings {
                 CREATE $heading.id SET review = $review, title = $heading.title,
                     position = $heading.position;
             };
             IF $facilitator != NONE {
                 CREATE membership SET review = $review, person = $facilitator,
                     role = 'facilitator', pair = NONE;
             };
             COMMIT TRANSACTION;",
    )
    .bind(("review", review_record(id)))
    .bind(("title", review.title))
    .bind(("host", host))
    .bind(("review_type", review.review_type.as_str()))
    .bind(("phase", review.phase.as_str()))
    .bind(("scope", review.scope))
    .bind(("on_site_start", review.on_site_start.to_string()))
    .bind(("on_site_end", review.on_site_end.to_string()))
    .bind(("headings", headings))
    .bind(("facilitator", review.facilitator.map(person_record)))
    .await?
    .check()?;
    Ok(id)
}

const SUMMARY_FIELDS: &str = "record::id(id) AS id, title, host.name AS host_authority,
    review_type, phase, scope, on_site_start, on_site_end, progress_of, progress_review,
    (SELECT title, position FROM heading WHERE review = $parent.id AND archived = false
        ORDER BY position).title AS headings";

/// Every review, latest on-site visit first, with its live headings in order.
pub async fn list_summaries(db: &Database) -> Result<Vec<ReviewSummary>, DbError> {
    let mut response = db
        .query(format!(
            "SELECT {SUMMARY_FIELDS} FROM review ORDER BY on_site_start DESC"
        ))
        .await?;
    let rows: Vec<ReviewRow> = response.take(0)?;
    rows.into_iter().map(summary_from_row).collect()
}

/// The reviews `person` is a member of, with their role in each, latest visit first.
pub async fn list_for_person(db: &Database, person: PersonId) -> Result<Vec<MyReview>, DbError> {
    let mut response = db
        .query("SELECT record::id(review) AS review, role FROM membership WHERE person = $person")
        .bind(("person", person_record(person)))
        .await?;
    let memberships: Vec<MembershipRow> = response.take(0)?;
    let mut reviews = Vec::with_capacity(memberships.len());
    for membership in memberships {
        let role = Role::parse(&membership.role)
            .ok_or_else(|| DbError::Corrupt(format!("membership role {:?}", membership.role)))?;
        if let Some(summary) = get_summary(db, ReviewId(membership.review)).await? {
            reviews.push(MyReview { summary, role });
        }
    }
    reviews.sort_by_key(|review| std::cmp::Reverse(review.summary.on_site_start));
    Ok(reviews)
}

/// One review's summary.
pub async fn get_summary(db: &Database, id: ReviewId) -> Result<Option<ReviewSummary>, DbError> {
    let mut response = db
        .query(format!("SELECT {SUMMARY_FIELDS} FROM $review"))
        .bind(("review", review_record(id)))
        .await?;
    let rows: Vec<ReviewRow> = response.take(0)?;
    rows.into_iter().next().map(summary_from_row).transpose()
}

fn summary_from_row(row: ReviewRow) -> Result<ReviewSummary, DbError> {
    let corrupt = |what: &str, value: &str| {
        DbError::Corrupt(format!("review {} has {what} {value:?}", row.id))
    };
    let date =
        |value: &str, what: &str| value.parse::<NaiveDate>().map_err(|_| corrupt(what, value));
    Ok(ReviewSummary {
        id: ReviewId(row.id),
        review_type: ReviewType::parse(&row.review_type)
            .ok_or_else(|| corrupt("review type", &row.review_type))?,
        phase: Phase::parse(&row.phase).ok_or_else(|| corrupt("phase", &row.phase))?,
        on_site_start: date(&row.on_site_start, "on-site start")?,
        on_site_end: date(&row.on_site_end, "on-site end")?,
        host_authority: row.host_authority.clone().unwrap_or_default(),
        title: row.title.clone(),
        scope: row.scope.clone(),
        headings: row.headings.clone(),
        progress_of: row.progress_of.as_ref().and_then(review_id),
        progress_review: row.progress_review.as_ref().and_then(review_id),
    })
}

fn review_id(record: &RecordId) -> Option<ReviewId> {
    match &record.key {
        surrealdb::types::RecordIdKey::Uuid(id) => Some(ReviewId((*id).into())),
        _ => None,
    }
}

/// Links `child` to `parent` as its progress review and adds the council's people to it, in
/// one transaction; when the parent has one already, `child` (just made) is removed instead and
/// false returned.
pub async fn link_progress_review(
    db: &Database,
    parent: ReviewId,
    child: ReviewId,
    council: &[(PersonId, Role)],
) -> Result<bool, DbError> {
    #[derive(Debug, SurrealValue)]
    struct Member {
        person: RecordId,
        role: String,
    }
    let members: Vec<Member> = council
        .iter()
        .map(|(person, role)| Member {
            person: person_record(*person),
            role: role.as_str().to_string(),
        })
        .collect();
    let mut response = db
        .query(
            "BEGIN TRANSACTION;
             LET $outcome = IF (SELECT VALUE progress_review FROM ONLY $parent) != NONE {
                 DELETE membership WHERE review = $child;
                 DELETE heading WHERE review = $child;
                 DELETE $child;
                 'taken'
             } ELSE {
                 UPDATE $parent SET progress_review = $child;
                 UPDATE $child SET progress_of = $parent;
                 FOR $member IN $members {
                     CREATE membership SET review = $child, person = $member.person,
                         role = $member.role, pair = NONE;
                 };
                 'linked'
             };
             COMMIT TRANSACTION;
             RETURN $outcome;",
        )
        .bind(("parent", review_record(parent)))
        .bind(("child", review_record(child)))
        .bind(("members", members))
        .await?;
    let index = response.num_statements() - 1;
    let outcome: Option<String> = response.take(index)?;
    Ok(outcome.as_deref() == Some("linked"))
}

/// Moves the review from `from` to `to` and records who did it (and why, for a move back);
/// false if it was not in `from`.
pub async fn change_phase(
    db: &Database,
    review: ReviewId,
    from: Phase,
    to: Phase,
    by: PersonId,
    reason: Option<String>,
) -> Result<bool, DbError> {
    let mut response = db
        .query(
            "LET $changed = (UPDATE $review SET phase = $to WHERE phase = $from RETURN VALUE id);
             IF array::len($changed) > 0 {
                 CREATE phase_change SET review = $review, from_phase = $from, to_phase = $to,
                     changed_by = $by, at = time::now(), reason = $reason;
             };
             RETURN array::len($changed);",
        )
        .bind(("review", review_record(review)))
        .bind(("from", from.as_str()))
        .bind(("to", to.as_str()))
        .bind(("by", person_record(by)))
        .bind(("reason", reason))
        .await?;
    let changed: Option<i64> = response.take(2)?;
    Ok(changed.unwrap_or(0) > 0)
}

#[derive(Debug, SurrealValue)]
struct PhaseReached {
    to_phase: String,
    at: chrono::DateTime<chrono::Utc>,
}

/// The day the review was created, and each phase it moved to with the day (every move, in
/// order; a phase left and reached again appears twice).
pub async fn dates(
    db: &Database,
    review: ReviewId,
) -> Result<(Option<NaiveDate>, Vec<(Phase, NaiveDate)>), DbError> {
    let mut response = db
        .query(
            "SELECT VALUE created_at FROM ONLY $review;
             SELECT to_phase, at FROM phase_change WHERE review = $review ORDER BY at;",
        )
        .bind(("review", super::records::review_record(review)))
        .await?;
    let created: Option<chrono::DateTime<chrono::Utc>> = response.take(0)?;
    let moves: Vec<PhaseReached> = response.take(1)?;
    Ok((
        created.map(|c| c.date_naive()),
        moves
            .into_iter()
            .filter_map(|m| Some((Phase::parse(&m.to_phase)?, m.at.date_naive())))
            .collect(),
    ))
}
