//! What a whole database holds, for the guards at start-up: how many accounts and reviews, how
//! many of the accounts are the demo's, and whether `--demo` or `--bench` claimed it when it
//! was fresh.

use surrealdb::types::SurrealValue;

use super::{Database, DbError};

/// Rows counted across the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, SurrealValue)]
pub struct Counts {
    pub people: i64,
    /// Accounts whose email address ends with the demo's domain.
    pub demo_people: i64,
    pub reviews: i64,
    pub demo_marked: i64,
    pub bench_marked: i64,
}

/// Counts the database's accounts, reviews and marks; `demo_domain` tells the demo's accounts.
pub async fn counts(db: &Database, demo_domain: &str) -> Result<Counts, DbError> {
    let mut response = db
        .query(
            "RETURN {
                 people: count(SELECT id FROM person),
                 demo_people: count(SELECT id FROM person WHERE string::ends_with(email, $domain)),
                 reviews: count(SELECT id FROM review),
                 demo_marked: count(SELECT id FROM demo_database),
                 bench_marked: count(SELECT id FROM bench_database),
             }",
        )
        .bind(("domain", demo_domain.to_string()))
        .await?;
    let counts: Option<Counts> = response.take(0)?;
    counts.ok_or_else(|| DbError::Corrupt("counting the database's rows".into()))
}

/// Who claimed a fresh database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    Demo,
    Bench,
}

/// Marks the database as the demo's or the bench's own.
pub async fn claim(db: &Database, by: Claim) -> Result<(), DbError> {
    let sql = match by {
        Claim::Demo => "CREATE demo_database:mark SET seeded_at = time::now()",
        Claim::Bench => "CREATE bench_database:mark SET created_at = time::now()",
    };
    db.query(sql).await?.check()?;
    Ok(())
}

/// Removes every account whose email address ends with `domain` (their sessions and
/// memberships with them) and the demo's mark; how many accounts went.
pub async fn remove_demo_accounts(db: &Database, domain: &str) -> Result<i64, DbError> {
    let removed = counts(db, domain).await?.demo_people;
    db.query(
        "BEGIN TRANSACTION;
         LET $demo = SELECT VALUE id FROM person WHERE string::ends_with(email, $domain);
         DELETE session WHERE person IN $demo;
         DELETE membership WHERE person IN $demo;
         DELETE person WHERE id IN $demo;
         DELETE demo_database;
         COMMIT TRANSACTION;",
    )
    .bind(("domain", domain.to_string()))
    .await?
    .check()?;
    Ok(removed)
}

/// Whether the database holds nothing at all, not even a table: what a restore reads into.
pub async fn is_empty(db: &Database) -> Result<bool, DbError> {
    let mut response = db.query("INFO FOR DB").await?;
    let info: Option<surrealdb::types::Value> = response.take(0)?;
    let info = info
        .map(surrealdb::types::Value::into_json_value)
        .unwrap_or_default();
    Ok(info["tables"]
        .as_object()
        .is_none_or(serde_json::Map::is_empty))
}
