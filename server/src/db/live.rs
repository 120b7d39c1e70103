//! LIVE queries: rows created in a table as SurrealDB reports them, and ending a query.

use surrealdb::types::SurrealValue;

use super::{Database, DbError};

/// Rows a LIVE query reports created, each with the query's id; other actions are skipped.
pub type LiveRows<R> =
    std::pin::Pin<Box<dyn futures_util::Stream<Item = Result<(uuid::Uuid, R), DbError>> + Send>>;

/// Starts a LIVE query (`sql` is a `LIVE SELECT …`) and streams the rows it reports created.
pub async fn live_creates<R>(db: &Database, sql: &'static str) -> Result<LiveRows<R>, DbError>
where
    R: SurrealValue + Send + Unpin + 'static,
{
    use futures_util::StreamExt;
    let mut response = db.query(sql).await?;
    let stream = response.stream::<surrealdb::Notification<R>>(0)?;
    Ok(Box::pin(stream.filter_map(|item| async move {
        match item {
            Ok(notification) if notification.action == surrealdb::types::Action::Create => {
                Some(Ok((notification.query_id.into(), notification.data)))
            }
            Ok(_) => None,
            Err(error) => Some(Err(DbError::from(error))),
        }
    })))
}

/// Ends a LIVE query.
pub async fn kill_live(db: &Database, id: uuid::Uuid) -> Result<(), DbError> {
    db.query("KILL $id")
        .bind(("id", surrealdb::types::Uuid::from(id)))
        .await?
        .check()?;
    Ok(())
}
