//! LIVE queries: rows created in a table as SurrealDB reports them, and ending a query.

use surrealdb::types::SurrealValue;

use super::{Database, DbError};

/// Rows a LIVE query reports created, each with the query's id; other actions are skipped.
pub type LiveRows<R> =
    std::pin::Pin<Box<dyn futures_util::Stream<Item = Result<(uuid::Uuid, R), DbError>> + Send>>;

/// A LIVE query just started: its id on the database (to `KILL` it) and its rows.
pub struct Live<T> {
    pub id: Option<uuid::Uuid>,
    pub rows: LiveRows<T>,
}

/// Starts a LIVE query (`sql` is a `LIVE SELECT …`) and streams the rows it reports created,
/// each as `read` makes it (a row `read` cannot make is skipped). The statement's own result,
/// the query's id, is kept so the query can be ended by id on the connection's own session
/// (`kill_live`): the SDK's end-on-drop runs on a copy of the session which, on the embedded
/// engine, has no namespace, and which, just after a reconnect to a server, is not yet signed
/// in (SurrealDB 3.3.5), so neither ends the query.
pub async fn live_creates<R, T>(
    db: &Database,
    sql: &'static str,
    read: fn(R) -> Option<T>,
) -> Result<Live<T>, DbError>
where
    R: SurrealValue + Send + Unpin + 'static,
    T: Send + 'static,
{
    use futures_util::StreamExt;
    // Several nodes opening their queries at once (after the server restarted) can collide.
    let mut response = super::retry_conflicts(|| async { db.query(sql).await?.check() }).await?;
    let stream = response.stream::<surrealdb::Notification<R>>(0)?;
    let id = response
        .take::<Option<surrealdb::types::Uuid>>(0)
        .ok()
        .flatten()
        .map(uuid::Uuid::from);
    let rows = Box::pin(stream.filter_map(move |item| async move {
        match item {
            Ok(notification) if notification.action == surrealdb::types::Action::Create => {
                let query = notification.query_id.into();
                read(notification.data).map(|row| Ok((query, row)))
            }
            Ok(_) => None,
            Err(error) => Some(Err(DbError::from(error))),
        }
    }));
    Ok(Live { id, rows })
}

/// Ends a LIVE query.
pub async fn kill_live(db: &Database, id: uuid::Uuid) -> Result<(), DbError> {
    db.query("KILL $id")
        .bind(("id", surrealdb::types::Uuid::from(id)))
        .await?
        .check()?;
    Ok(())
}

/// Whether the LIVE query `id` on `table` is still registered on the database: a query killed
/// there (by an operator, or by the server's own clean-up) ends without a word to its stream.
pub async fn is_registered(db: &Database, table: &str, id: uuid::Uuid) -> Result<bool, DbError> {
    let mut response = db.query(format!("INFO FOR TABLE {table}")).await?;
    let info: Option<surrealdb::types::Value> = response.take(0)?;
    let info = info.map(surrealdb::types::Value::into_json_value);
    Ok(info.is_some_and(|info| {
        info["lives"]
            .as_object()
            .is_some_and(|lives| lives.contains_key(&id.to_string()))
    }))
}

/// A change row of a review's live view (the timetable's, the action plan's): which review, and
/// which node made it (None: none serving it, as when the demo is seeded).
#[derive(Debug, SurrealValue)]
pub struct ReviewChangeRow {
    review: surrealdb::types::RecordId,
    node: Option<uuid::Uuid>,
}

/// Notifications of changes to a review's live view: (review, the node that made it).
pub type LiveReviewChanges = Live<(app::review::ReviewId, Option<uuid::Uuid>)>;

/// Reads a change row (`live_creates`'s `read`).
pub fn review_and_node(
    row: ReviewChangeRow,
) -> Option<(app::review::ReviewId, Option<uuid::Uuid>)> {
    let surrealdb::types::RecordIdKey::Uuid(review) = &row.review.key else {
        return None;
    };
    Some((app::review::ReviewId((*review).into()), row.node))
}
