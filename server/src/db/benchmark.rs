//! The benchmarking data's rows: one `benchmark_set` per review (the import's facts and the
//! team's picked indicators), its `benchmark_value`s, `benchmark_council`s (family groups) and
//! `benchmark_indicator`s (names). An import replaces all of them in one transaction, so a
//! review never holds half of one.

use app::benchmark::{ImportFacts, Indicator, Value};
use app::review::ReviewId;
use chrono::{DateTime, Utc};
use surrealdb::types::{RecordId, RecordIdKey, SurrealValue};

use super::records::review_record;
use super::{Database, DbError};

fn set_record(review: ReviewId) -> RecordId {
    RecordId::new("benchmark_set", RecordIdKey::Uuid(review.0.into()))
}

#[derive(Debug, Clone, SurrealValue)]
struct ValueRow {
    review: RecordId,
    council: String,
    indicator: String,
    year: String,
    value: f64,
}

#[derive(Debug, Clone, SurrealValue)]
struct CouncilRow {
    review: RecordId,
    council: String,
    family_group: String,
}

#[derive(Debug, Clone, SurrealValue)]
struct IndicatorRow {
    review: RecordId,
    code: String,
    name: String,
}

/// A whole import.
pub struct Import<'a> {
    pub values: &'a [Value],
    pub families: &'a [(String, String)],
    pub indicators: &'a [Indicator],
    pub host: &'a str,
    pub file_name: &'a str,
    pub by: &'a str,
}

/// Replaces the review's data with `import` in one transaction; the picks that still name an
/// indicator are kept.
pub async fn replace(db: &Database, review: ReviewId, import: Import<'_>) -> Result<(), DbError> {
    let record = review_record(review);
    let values: Vec<ValueRow> = import
        .values
        .iter()
        .map(|v| ValueRow {
            review: record.clone(),
            council: v.council.clone(),
            indicator: v.indicator.clone(),
            year: v.year.clone(),
            value: v.value,
        })
        .collect();
    let councils: Vec<CouncilRow> = import
        .families
        .iter()
        .map(|(council, family_group)| CouncilRow {
            review: record.clone(),
            council: council.clone(),
            family_group: family_group.clone(),
        })
        .collect();
    let indicators: Vec<IndicatorRow> = import
        .indicators
        .iter()
        .map(|i| IndicatorRow {
            review: record.clone(),
            code: i.code.clone(),
            name: i.name.clone(),
        })
        .collect();
    let codes: Vec<String> = import.indicators.iter().map(|i| i.code.clone()).collect();
    db.query(
        "BEGIN TRANSACTION;
         LET $picked = (SELECT VALUE picked FROM ONLY $set) ?? [];
         DELETE benchmark_value WHERE review = $review;
         DELETE benchmark_council WHERE review = $review;
         DELETE benchmark_indicator WHERE review = $review;
         INSERT INTO benchmark_value $values RETURN NONE;
         INSERT INTO benchmark_council $councils RETURN NONE;
         INSERT INTO benchmark_indicator $indicators RETURN NONE;
         UPSERT $set SET review = $review, host = $host, file_name = $file_name, by = $by,
             at = time::now(), rows = $rows, councils = $council_count,
             indicators = $indicator_count,
             picked = $picked.filter(|$code| $code IN $codes);
         COMMIT TRANSACTION;",
    )
    .bind(("set", set_record(review)))
    .bind(("review", record))
    .bind(("values", values))
    .bind(("councils", councils))
    .bind(("indicators", indicators))
    .bind(("codes", codes))
    .bind(("host", import.host.to_string()))
    .bind(("file_name", import.file_name.to_string()))
    .bind(("by", import.by.to_string()))
    .bind(("rows", import.values.len() as i64))
    .bind(("council_count", import.families.len() as i64))
    .bind(("indicator_count", import.indicators.len() as i64))
    .await?
    .check()?;
    Ok(())
}

/// The import's facts, its host and the team's picks, if the review has data.
pub async fn set(
    db: &Database,
    review: ReviewId,
) -> Result<Option<(ImportFacts, String, Vec<String>)>, DbError> {
    #[derive(Debug, SurrealValue)]
    struct SetRow {
        host: String,
        file_name: String,
        by: String,
        at: DateTime<Utc>,
        rows: i64,
        councils: i64,
        indicators: i64,
        picked: Vec<String>,
    }
    let mut response = db
        .query("SELECT host, file_name, by, at, rows, councils, indicators, picked FROM ONLY $set")
        .bind(("set", set_record(review)))
        .await?;
    let row: Option<SetRow> = response.take(0)?;
    Ok(row.map(|row| {
        let count = |n: i64| u32::try_from(n).unwrap_or(0);
        (
            ImportFacts {
                file_name: row.file_name,
                by: row.by,
                at: row.at.to_rfc3339(),
                rows: count(row.rows),
                councils: count(row.councils),
                indicators: count(row.indicators),
            },
            row.host,
            row.picked,
        )
    }))
}

/// The review's indicators, by code.
pub async fn indicators(db: &Database, review: ReviewId) -> Result<Vec<Indicator>, DbError> {
    #[derive(Debug, SurrealValue)]
    struct Row {
        code: String,
        name: String,
    }
    let mut response = db
        .query("SELECT code, name FROM benchmark_indicator WHERE review = $review ORDER BY code")
        .bind(("review", review_record(review)))
        .await?;
    let rows: Vec<Row> = response.take(0)?;
    Ok(rows
        .into_iter()
        .map(|r| Indicator {
            code: r.code,
            name: r.name,
        })
        .collect())
}

/// Each council's family group.
pub async fn families(db: &Database, review: ReviewId) -> Result<Vec<(String, String)>, DbError> {
    #[derive(Debug, SurrealValue)]
    struct Row {
        council: String,
        family_group: String,
    }
    let mut response = db
        .query("SELECT council, family_group FROM benchmark_council WHERE review = $review")
        .bind(("review", review_record(review)))
        .await?;
    let rows: Vec<Row> = response.take(0)?;
    Ok(rows
        .into_iter()
        .map(|r| (r.council, r.family_group))
        .collect())
}

/// Every council's values of one indicator.
pub async fn values(
    db: &Database,
    review: ReviewId,
    indicator: &str,
) -> Result<Vec<Value>, DbError> {
    #[derive(Debug, SurrealValue)]
    struct Row {
        council: String,
        indicator: String,
        year: String,
        value: f64,
    }
    let mut response = db
        .query(
            "SELECT council, indicator, year, value FROM benchmark_value
                 WHERE review = $review AND indicator = $indicator",
        )
        .bind(("review", review_record(review)))
        .bind(("indicator", indicator.to_string()))
        .await?;
    let rows: Vec<Row> = response.take(0)?;
    Ok(rows
        .into_iter()
        .map(|r| Value {
            council: r.council,
            indicator: r.indicator,
            year: r.year,
            value: r.value,
        })
        .collect())
}

/// Sets the team's picked indicators.
pub async fn set_picked(db: &Database, review: ReviewId, picked: &[String]) -> Result<(), DbError> {
    db.query("UPDATE $set SET picked = $picked")
        .bind(("set", set_record(review)))
        .bind(("picked", picked.to_vec()))
        .await?
        .check()?;
    Ok(())
}
