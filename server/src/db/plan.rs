//! The action plan's rows: one `action_plan` per review, its `plan_recommendation`s keyed
//! (review, number) and its `plan_action`s keyed (review, action), so an id the browser chose
//! only ever names a row of the review it was sent to; every write checks the version it
//! started from and leaves a `plan_change` row every node follows with one LIVE query. The
//! council's `publication` record is here too.

use app::accounts::PersonId;
use app::plan::{
    ActionStatus, PlanAction, PlanActionId, PlanMade, PlanRecommendation, Published, Publishing,
};
use app::review::ReviewId;
use chrono::{DateTime, NaiveDate, Utc};
use surrealdb::types::{RecordId, RecordIdKey, SurrealValue, Value};

use super::records::{keyed, person_record, review_record};
use super::{Database, DbError};

/// What every write appends: the change row, and those older than an hour (every node has
/// heard of them) cleared.
const CHANGED: &str = "CREATE plan_change SET review = $review, node = $node, at = time::now();
     DELETE plan_change WHERE at < time::now() - 1h;";

fn plan_record(review: ReviewId) -> RecordId {
    RecordId::new("action_plan", RecordIdKey::Uuid(review.0.into()))
}

fn publication_record(review: ReviewId) -> RecordId {
    RecordId::new("publication", RecordIdKey::Uuid(review.0.into()))
}

fn recommendation_record(review: ReviewId, number: u32) -> RecordId {
    keyed(
        "plan_recommendation",
        review,
        Value::Number(i64::from(number).into()),
    )
}

fn action_record(review: ReviewId, action: PlanActionId) -> RecordId {
    keyed("plan_action", review, Value::Uuid(action.0.into()))
}

fn corrupt(what: &str, value: &str) -> DbError {
    DbError::Corrupt(format!("action plan: {what} {value:?}"))
}

/// A plan as stored: when it was made, who may edit it besides the host lead, its
/// recommendations and actions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPlan {
    pub made: PlanMade,
    pub editors: Vec<PersonId>,
    pub recommendations: Vec<PlanRecommendation>,
    pub actions: Vec<PlanAction>,
}

#[derive(Debug, SurrealValue)]
struct PlanRow {
    made_by: String,
    made_at: DateTime<Utc>,
    from_version: i64,
    editors: Vec<uuid::Uuid>,
}

#[derive(Debug, SurrealValue)]
struct RecommendationRow {
    number: i64,
    text: String,
    section: String,
    progress: String,
    version: i64,
}

#[derive(Debug, SurrealValue)]
struct ActionRow {
    id: uuid::Uuid,
    recommendation: i64,
    text: String,
    owner: String,
    due: Option<String>,
    status: String,
    status_note: String,
    evidence: Vec<String>,
    version: i64,
    updated_by: String,
    updated_at: DateTime<Utc>,
}

fn action_of(row: ActionRow) -> Result<PlanAction, DbError> {
    Ok(PlanAction {
        id: PlanActionId(row.id),
        recommendation: u32::try_from(row.recommendation)
            .map_err(|_| corrupt("recommendation", &row.recommendation.to_string()))?,
        due: row
            .due
            .as_deref()
            .map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| corrupt("due", d)))
            .transpose()?,
        status: ActionStatus::parse(&row.status).ok_or_else(|| corrupt("status", &row.status))?,
        text: row.text,
        owner: row.owner,
        status_note: row.status_note,
        evidence: row.evidence,
        version: u32::try_from(row.version).unwrap_or(0),
        updated_by: row.updated_by,
        updated_at: row.updated_at.to_rfc3339(),
    })
}

/// The review's plan, if it has been made.
pub async fn plan(db: &Database, review: ReviewId) -> Result<Option<StoredPlan>, DbError> {
    let mut response = db
        .query(
            "SELECT made_by, made_at, from_version,
                 array::map(editors, |$p| record::id($p)) AS editors FROM $plan;
             SELECT number, text, section, progress, version FROM plan_recommendation
                 WHERE review = $review ORDER BY number;
             SELECT record::id(id)[1] AS id, recommendation, text, owner, due, status,
                 status_note, evidence, version, updated_by, updated_at, created_at
                 FROM plan_action WHERE review = $review ORDER BY created_at, id;",
        )
        .bind(("plan", plan_record(review)))
        .bind(("review", review_record(review)))
        .await?;
    let rows: Vec<PlanRow> = response.take(0)?;
    let Some(row) = rows.into_iter().next() else {
        return Ok(None);
    };
    let recommendations: Vec<RecommendationRow> = response.take(1)?;
    let actions: Vec<ActionRow> = response.take(2)?;
    Ok(Some(StoredPlan {
        made: PlanMade {
            by: row.made_by,
            at: row.made_at.to_rfc3339(),
            from_version: u32::try_from(row.from_version).unwrap_or(0),
        },
        editors: row.editors.into_iter().map(PersonId).collect(),
        recommendations: recommendations
            .into_iter()
            .map(|r| PlanRecommendation {
                number: u32::try_from(r.number).unwrap_or(0),
                text: r.text,
                section: r.section,
                progress: r.progress,
                version: u32::try_from(r.version).unwrap_or(0),
            })
            .collect(),
        actions: actions
            .into_iter()
            .map(action_of)
            .collect::<Result<_, _>>()?,
    }))
}

#[derive(Debug, Clone, SurrealValue)]
struct NewRecommendation {
    id: RecordId,
    review: RecordId,
    number: i64,
    text: String,
    section: String,
    progress: String,
    version: i64,
}

/// Makes the plan with `recommendations` (number, text, section) from signed-off version
/// `from_version`, in one transaction; false when it had been made already.
pub async fn make(
    db: &Database,
    review: ReviewId,
    by: String,
    from_version: u32,
    recommendations: &[(u32, String, String)],
    node: Option<uuid::Uuid>,
) -> Result<bool, DbError> {
    let rows: Vec<NewRecommendation> = recommendations
        .iter()
        .map(|(number, text, section)| NewRecommendation {
            id: recommendation_record(review, *number),
            review: review_record(review),
            number: i64::from(*number),
            text: text.clone(),
            section: section.clone(),
            progress: String::new(),
            version: 0,
        })
        .collect();
    let mut response = db
        .query(format!(
            "BEGIN TRANSACTION;
             LET $outcome = IF record::exists($plan) {{ 'exists' }} ELSE {{
                 CREATE $plan SET review = $review, made_by = $by, made_at = time::now(),
                     from_version = $version, editors = [];
                 INSERT INTO plan_recommendation $rows;
                 {CHANGED}
                 'made'
             }};
             COMMIT TRANSACTION;
             RETURN $outcome;"
        ))
        .bind(("plan", plan_record(review)))
        .bind(("review", review_record(review)))
        .bind(("by", by))
        .bind(("version", i64::from(from_version)))
        .bind(("rows", rows))
        .bind(("node", node))
        .await?;
    let index = response.num_statements() - 1;
    let outcome: Option<String> = response.take(index)?;
    Ok(outcome.as_deref() == Some("made"))
}

#[derive(Debug, Clone, SurrealValue)]
struct ActionContent {
    review: RecordId,
    recommendation: i64,
    text: String,
    owner: String,
    due: Option<String>,
    status: String,
    status_note: String,
    evidence: Vec<String>,
    version: i64,
    updated_by: String,
    updated_at: DateTime<Utc>,
    created_at: DateTime<Utc>,
}

/// Writes an action whose stored version is `expected` (0: a new one), as `by`; false when the
/// stored version is another (someone changed or removed it meanwhile).
pub async fn put_action(
    db: &Database,
    review: ReviewId,
    action: &PlanAction,
    expected: u32,
    by: String,
    node: Option<uuid::Uuid>,
) -> Result<bool, DbError> {
    let now = Utc::now();
    let content = ActionContent {
        review: review_record(review),
        recommendation: i64::from(action.recommendation),
        text: action.text.clone(),
        owner: action.owner.clone(),
        due: action.due.map(|d| d.format("%Y-%m-%d").to_string()),
        status: action.status.as_str().to_string(),
        status_note: action.status_note.clone(),
        evidence: action.evidence.clone(),
        version: i64::from(action.version),
        updated_by: by,
        updated_at: now,
        created_at: now,
    };
    versioned(
        db,
        (review, action_record(review, action.id), expected, node),
        "UPSERT $id CONTENT $content;
         IF $stored.created_at != NONE { UPDATE $id SET created_at = $stored.created_at };",
        vec![("content", content.into_value())],
    )
    .await
}

/// Removes an action at version `expected`; false when it is not there at that version.
pub async fn remove_action(
    db: &Database,
    review: ReviewId,
    action: PlanActionId,
    expected: u32,
    node: Option<uuid::Uuid>,
) -> Result<bool, DbError> {
    versioned(
        db,
        (review, action_record(review, action), expected, node),
        "DELETE $id;",
        Vec::new(),
    )
    .await
}

/// Writes the progress statement of recommendation `number` at version `expected`; false when
/// the recommendation is not there at that version.
pub async fn put_progress(
    db: &Database,
    review: ReviewId,
    number: u32,
    text: String,
    expected: u32,
    node: Option<uuid::Uuid>,
) -> Result<bool, DbError> {
    versioned(
        db,
        (
            review,
            recommendation_record(review, number),
            expected,
            node,
        ),
        "UPDATE $id SET progress = $text, version = $expected + 1;",
        vec![("text", text.into_value())],
    )
    .await
}

/// Runs `change` on the row `id` of `review`'s plan, as `node`, if its stored version is
/// `expected` (0: not stored), with the change row, in one transaction; false when the stored
/// version is another (someone changed or removed it meanwhile). `change` sees the stored row
/// as `$stored` and `binds` as their names.
async fn versioned(
    db: &Database,
    (review, id, expected, node): (ReviewId, RecordId, u32, Option<uuid::Uuid>),
    change: &str,
    binds: Vec<(&'static str, Value)>,
) -> Result<bool, DbError> {
    let mut query = db
        .query(format!(
            "BEGIN TRANSACTION;
             LET $stored = (SELECT * FROM ONLY $id);
             LET $outcome = IF ($stored.version ?? 0) != $expected {{ 'stale' }} ELSE {{
                 {change}
                 {CHANGED}
                 'done'
             }};
             COMMIT TRANSACTION;
             RETURN $outcome;"
        ))
        .bind(("id", id))
        .bind(("review", review_record(review)))
        .bind(("expected", i64::from(expected)))
        .bind(("node", node));
    for bind in binds {
        query = query.bind(bind);
    }
    let mut response = query.await?;
    let index = response.num_statements() - 1;
    let outcome: Option<String> = response.take(index)?;
    Ok(outcome.as_deref() == Some("done"))
}

/// Allows `person` to edit the plan, or no longer.
pub async fn set_editor(
    db: &Database,
    review: ReviewId,
    person: PersonId,
    allowed: bool,
    node: Option<uuid::Uuid>,
) -> Result<(), DbError> {
    let change = if allowed {
        "UPDATE $plan SET editors = array::union(editors, [$person]);"
    } else {
        "UPDATE $plan SET editors = array::complement(editors, [$person]);"
    };
    db.query(format!(
        "BEGIN TRANSACTION; {change} {CHANGED} COMMIT TRANSACTION;"
    ))
    .bind(("plan", plan_record(review)))
    .bind(("review", review_record(review)))
    .bind(("person", person_record(person)))
    .bind(("node", node))
    .await?
    .check()?;
    Ok(())
}

#[derive(Debug, SurrealValue)]
struct PublicationRow {
    report_on: Option<String>,
    report_url: Option<String>,
    report_recorded_by: Option<String>,
    plan_on: Option<String>,
    plan_url: Option<String>,
    plan_recorded_by: Option<String>,
}

/// What the council has published: (the report, the plan).
pub async fn publication(
    db: &Database,
    review: ReviewId,
) -> Result<(Option<Published>, Option<Published>), DbError> {
    let mut response = db
        .query("SELECT * FROM $publication")
        .bind(("publication", publication_record(review)))
        .await?;
    let rows: Vec<PublicationRow> = response.take(0)?;
    let Some(row) = rows.into_iter().next() else {
        return Ok((None, None));
    };
    let read = |on: Option<String>, url: Option<String>, by: Option<String>| {
        let on = on?;
        Some(
            NaiveDate::parse_from_str(&on, "%Y-%m-%d")
                .map(|on| Published {
                    on,
                    url: url.unwrap_or_default(),
                    recorded_by: by.unwrap_or_default(),
                })
                .map_err(|_| corrupt("publication date", &on)),
        )
    };
    Ok((
        read(row.report_on, row.report_url, row.report_recorded_by).transpose()?,
        read(row.plan_on, row.plan_url, row.plan_recorded_by).transpose()?,
    ))
}

/// Records that `what` was published on `on` at `url`, as `by` said.
pub async fn set_publication(
    db: &Database,
    review: ReviewId,
    what: Publishing,
    published: &Published,
    node: Option<uuid::Uuid>,
) -> Result<(), DbError> {
    // The field names come from the enum, never from the request.
    let prefix = match what {
        Publishing::Report => "report",
        Publishing::Plan => "plan",
    };
    db.query(format!(
        "BEGIN TRANSACTION;
         UPSERT $publication SET review = $review, {prefix}_on = $on, {prefix}_url = $url,
             {prefix}_recorded_by = $by;
         {CHANGED}
         COMMIT TRANSACTION;"
    ))
    .bind(("publication", publication_record(review)))
    .bind(("review", review_record(review)))
    .bind(("on", published.on.format("%Y-%m-%d").to_string()))
    .bind(("url", published.url.clone()))
    .bind(("by", published.recorded_by.clone()))
    .bind(("node", node))
    .await?
    .check()?;
    Ok(())
}

/// Starts a LIVE query on the plan's changes (the publication record's too).
pub async fn live_changes(db: &Database) -> Result<super::live::LiveReviewChanges, DbError> {
    super::live::live_creates(
        db,
        "LIVE SELECT review, node FROM plan_change",
        super::live::review_and_node,
    )
    .await
}
