//! Who is on each board on each node, shared so that every node's presence shows everyone: a
//! row per (review, node), written when the node's sockets change and every few seconds while
//! any is open, and read by the other nodes. A row older than `FRESH_FOR` is a node that
//! stopped; the next report on that board removes it.

use app::accounts::PersonId;
use app::review::ReviewId;
use app::wall::NoteId;
use serde::{Deserialize, Serialize};
use surrealdb::types::SurrealValue;

use super::records::{presence_record, review_record};
use super::{Database, DbError};

/// How long a node's report counts without being written again (its boards write it every
/// `HEAD_CHECK_EVERY`, 3 s, while anyone is on them).
const FRESH_FOR: &str = "10s";

/// A person on the board as one node reports them to the others.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodePerson {
    pub person: PersonId,
    pub name: String,
    pub pair: Option<i64>,
    pub connections: u32,
    pub dragging: Option<NoteId>,
}

/// Writes this node's people on the board (its row goes when there is nobody), and removes the
/// board's rows that nodes which stopped left behind: names are not kept past their use.
pub async fn publish(
    db: &Database,
    review: ReviewId,
    node: uuid::Uuid,
    people: &[NodePerson],
) -> Result<(), DbError> {
    let people = if people.is_empty() {
        None
    } else {
        Some(
            serde_json::to_string(people)
                .map_err(|error| DbError::Corrupt(format!("encoding presence: {error}")))?,
        )
    };
    db.query(format!(
        "DELETE wall_presence WHERE review = $review AND at < time::now() - {FRESH_FOR};
         IF $people = NONE {{ DELETE $row; }} ELSE {{
             UPSERT $row SET review = $review, node = $node, people = $people, at = time::now();
         }};"
    ))
    .bind(("row", presence_record(review, node)))
    .bind(("review", review_record(review)))
    .bind(("node", node.to_string()))
    .bind(("people", people))
    .await?
    .check()?;
    Ok(())
}

#[derive(Debug, SurrealValue)]
struct Row {
    people: String,
}

/// The people the other nodes report on the board, from rows written within `FRESH_FOR`.
pub async fn elsewhere(
    db: &Database,
    review: ReviewId,
    node: uuid::Uuid,
) -> Result<Vec<NodePerson>, DbError> {
    let mut response = db
        .query(format!(
            "SELECT people FROM wall_presence WHERE review = $review AND node != $node
                 AND at > time::now() - {FRESH_FOR}"
        ))
        .bind(("review", review_record(review)))
        .bind(("node", node.to_string()))
        .await?;
    let rows: Vec<Row> = response.take(0)?;
    let mut people = Vec::new();
    for row in rows {
        let reported: Vec<NodePerson> = serde_json::from_str(&row.people)
            .map_err(|error| DbError::Corrupt(format!("reading presence: {error}")))?;
        people.extend(reported);
    }
    Ok(people)
}
