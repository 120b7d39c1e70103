//! The pack's rows: `document`s keyed (review, document), so a document id only ever names a
//! document of the review it was sent with; their content in `document_chunk`s written one
//! transaction each before the document row that makes them visible; `document_read` marks and
//! each person's `pack_visit`.

use app::accounts::PersonId;
use app::review::ReviewId;
use app::visit::{Audience, Document, DocumentId, DocumentKind, FileType};
use chrono::{DateTime, NaiveDate, Utc};
use surrealdb::types::{Array, Bytes, RecordId, RecordIdKey, SurrealValue, Value};

use super::records::{person_record, review_record};
use super::{Database, DbError};

/// Each chunk of a document's content: small enough for any transaction and websocket frame.
pub const CHUNK_BYTES: usize = 512 * 1024;

fn keyed(table: &'static str, review: ReviewId, rest: Vec<Value>) -> RecordId {
    let mut key = vec![Value::Uuid(review.0.into())];
    key.extend(rest);
    RecordId::new(table, RecordIdKey::Array(Array::from(key)))
}

fn document_record(review: ReviewId, document: DocumentId) -> RecordId {
    keyed("document", review, vec![Value::Uuid(document.0.into())])
}

fn chunk_record(review: ReviewId, document: DocumentId, part: usize) -> RecordId {
    keyed(
        "document_chunk",
        review,
        vec![
            Value::Uuid(document.0.into()),
            Value::Number((part as i64).into()),
        ],
    )
}

fn read_record(review: ReviewId, document: DocumentId, person: PersonId) -> RecordId {
    keyed(
        "document_read",
        review,
        vec![Value::Uuid(document.0.into()), Value::Uuid(person.0.into())],
    )
}

fn visit_record(review: ReviewId, person: PersonId) -> RecordId {
    keyed("pack_visit", review, vec![Value::Uuid(person.0.into())])
}

#[derive(Debug, Clone, SurrealValue)]
struct DocumentRow {
    id: uuid::Uuid,
    title: String,
    kind: String,
    audience: String,
    file_name: String,
    file_type: String,
    size: i64,
    send_on: String,
    uploaded_by: uuid::Uuid,
    uploaded_by_name: String,
    uploaded_at: DateTime<Utc>,
}

#[derive(Debug, Clone, SurrealValue)]
struct DocumentContent {
    review: RecordId,
    title: String,
    kind: String,
    audience: String,
    file_name: String,
    file_type: String,
    size: i64,
    chunks: i64,
    sha256: String,
    send_on: String,
    uploaded_by: RecordId,
    uploaded_by_name: String,
    uploaded_at: DateTime<Utc>,
}

fn document_of(row: DocumentRow) -> Result<Document, DbError> {
    let corrupt = |what: &str| DbError::Corrupt(format!("document {} has {what}", row.id));
    Ok(Document {
        id: DocumentId(row.id),
        title: row.title.clone(),
        kind: DocumentKind::parse(&row.kind).ok_or_else(|| corrupt("an unknown kind"))?,
        audience: Audience::parse(&row.audience).ok_or_else(|| corrupt("an unknown audience"))?,
        file_name: row.file_name.clone(),
        file_type: FileType::parse(&row.file_type).ok_or_else(|| corrupt("an unknown type"))?,
        size: u64::try_from(row.size).map_err(|_| corrupt("a bad size"))?,
        send_on: NaiveDate::parse_from_str(&row.send_on, "%Y-%m-%d")
            .map_err(|_| corrupt("a bad send date"))?,
        uploaded_by: PersonId(row.uploaded_by),
        uploaded_by_name: row.uploaded_by_name.clone(),
        uploaded_at: row.uploaded_at.to_rfc3339(),
    })
}

const COLUMNS: &str = "record::id(id)[1] AS id, title, kind, audience, file_name, file_type, size,
     send_on, record::id(uploaded_by) AS uploaded_by, uploaded_by_name, uploaded_at";

/// Every document of the review, oldest first.
pub async fn documents(db: &Database, review: ReviewId) -> Result<Vec<Document>, DbError> {
    let mut response = db
        .query(format!(
            "SELECT {COLUMNS} FROM document WHERE review = $review ORDER BY uploaded_at"
        ))
        .bind(("review", review_record(review)))
        .await?;
    let rows: Vec<DocumentRow> = response.take(0)?;
    rows.into_iter().map(document_of).collect()
}

/// One document of the review, if it has it.
pub async fn document(
    db: &Database,
    review: ReviewId,
    document: DocumentId,
) -> Result<Option<Document>, DbError> {
    let mut response = db
        .query(format!("SELECT {COLUMNS} FROM $id"))
        .bind(("id", document_record(review, document)))
        .await?;
    let rows: Vec<DocumentRow> = response.take(0)?;
    rows.into_iter().next().map(document_of).transpose()
}

/// Stores a document: its chunks first, one transaction each, then the row that makes it part
/// of the pack. If a chunk fails, the chunks already written are removed and nothing shows.
pub async fn store(
    db: &Database,
    review: ReviewId,
    document: &Document,
    content: &[u8],
) -> Result<(), DbError> {
    let sha256: String = {
        use sha2::Digest;
        sha2::Sha256::digest(content)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    let chunks: Vec<&[u8]> = content.chunks(CHUNK_BYTES).collect();
    for (part, chunk) in chunks.iter().enumerate() {
        let written = db
            .query(
                "CREATE $id SET review = $review, document = $document, part = $part, data = $data",
            )
            .bind(("id", chunk_record(review, document.id, part)))
            .bind(("review", review_record(review)))
            .bind(("document", document.id.0))
            .bind(("part", part as i64))
            .bind(("data", Bytes::from(chunk.to_vec())))
            .await
            .and_then(surrealdb::IndexedResults::check);
        if let Err(error) = written {
            let _ = remove_chunks(db, review, document.id).await;
            return Err(error.into());
        }
    }
    let row = DocumentContent {
        review: review_record(review),
        title: document.title.clone(),
        kind: document.kind.as_str().into(),
        audience: document.audience.as_str().into(),
        file_name: document.file_name.clone(),
        file_type: document.file_type.as_str().into(),
        size: i64::try_from(document.size).unwrap_or(i64::MAX),
        chunks: chunks.len() as i64,
        sha256,
        send_on: document.send_on.format("%Y-%m-%d").to_string(),
        uploaded_by: person_record(document.uploaded_by),
        uploaded_by_name: document.uploaded_by_name.clone(),
        uploaded_at: DateTime::parse_from_rfc3339(&document.uploaded_at)
            .map_or_else(|_| Utc::now(), |at| at.to_utc()),
    };
    let created = db
        .query("CREATE $id CONTENT $row")
        .bind(("id", document_record(review, document.id)))
        .bind(("row", row))
        .await
        .and_then(surrealdb::IndexedResults::check);
    if let Err(error) = created {
        let _ = remove_chunks(db, review, document.id).await;
        return Err(error.into());
    }
    Ok(())
}

async fn remove_chunks(
    db: &Database,
    review: ReviewId,
    document: DocumentId,
) -> Result<(), DbError> {
    db.query("DELETE document_chunk WHERE review = $review AND document = $document")
        .bind(("review", review_record(review)))
        .bind(("document", document.0))
        .await?
        .check()?;
    Ok(())
}

/// A document's content, its chunks in order; None if it is not (or no longer) whole.
pub async fn content(
    db: &Database,
    review: ReviewId,
    document: DocumentId,
) -> Result<Option<Vec<u8>>, DbError> {
    #[derive(Debug, SurrealValue)]
    struct Chunk {
        part: i64,
        data: Bytes,
    }
    let mut response = db
        .query(
            "SELECT VALUE chunks FROM ONLY $id;
             SELECT part, data FROM document_chunk
                 WHERE review = $review AND document = $document ORDER BY part",
        )
        .bind(("id", document_record(review, document)))
        .bind(("review", review_record(review)))
        .bind(("document", document.0))
        .await?;
    let expected: Option<i64> = response.take(0)?;
    let chunks: Vec<Chunk> = response.take(1)?;
    let Some(expected) = expected else {
        return Ok(None);
    };
    if chunks.len() as i64 != expected
        || chunks
            .iter()
            .enumerate()
            .any(|(at, chunk)| chunk.part != at as i64)
    {
        return Err(DbError::Corrupt(format!(
            "document {} is missing chunks",
            document.0
        )));
    }
    Ok(Some(
        chunks
            .into_iter()
            .flat_map(|chunk| chunk.data.to_vec())
            .collect(),
    ))
}

/// Withdraws a document: its row, its chunks and its read marks go. Whether it was there.
pub async fn remove(
    db: &Database,
    review: ReviewId,
    document: DocumentId,
) -> Result<bool, DbError> {
    let mut response = db
        .query(
            "BEGIN TRANSACTION;
             LET $gone = (DELETE $id RETURN BEFORE);
             DELETE document_read WHERE review = $review AND document = $document;
             COMMIT TRANSACTION;
             RETURN count($gone);",
        )
        .bind(("id", document_record(review, document)))
        .bind(("review", review_record(review)))
        .bind(("document", document.0))
        .await?;
    let index = response.num_statements() - 1;
    let gone: Option<i64> = response.take(index)?;
    remove_chunks(db, review, document).await?;
    Ok(gone.unwrap_or(0) > 0)
}

/// Marks a document read by `person` (the first time only: the first reading is what counts).
pub async fn mark_read(
    db: &Database,
    review: ReviewId,
    document: DocumentId,
    person: PersonId,
) -> Result<(), DbError> {
    db.query(
        "INSERT IGNORE INTO document_read { id: $id, review: $review, document: $document,
             person: $person, at: time::now() }",
    )
    .bind(("id", read_record(review, document, person)))
    .bind(("review", review_record(review)))
    .bind(("document", document.0))
    .bind(("person", person_record(person)))
    .await?
    .check()?;
    Ok(())
}

/// Every read mark of the review: (document, person).
pub async fn reads(
    db: &Database,
    review: ReviewId,
) -> Result<Vec<(DocumentId, PersonId)>, DbError> {
    #[derive(Debug, SurrealValue)]
    struct Read {
        document: uuid::Uuid,
        person: uuid::Uuid,
    }
    let mut response = db
        .query("SELECT document, record::id(person) AS person FROM document_read WHERE review = $review")
        .bind(("review", review_record(review)))
        .await?;
    let rows: Vec<Read> = response.take(0)?;
    Ok(rows
        .into_iter()
        .map(|row| (DocumentId(row.document), PersonId(row.person)))
        .collect())
}

/// Records a visit to the pack at `now` and returns what "new" is measured from: the visit
/// before this sitting (visits less than `sitting` apart are one sitting), None the first time.
pub async fn visit(
    db: &Database,
    review: ReviewId,
    person: PersonId,
    now: DateTime<Utc>,
    sitting: chrono::Duration,
) -> Result<Option<DateTime<Utc>>, DbError> {
    #[derive(Debug, SurrealValue)]
    struct Visit {
        at: DateTime<Utc>,
        baseline: Option<DateTime<Utc>>,
    }
    let id = visit_record(review, person);
    let mut response = db
        .query("SELECT at, baseline FROM ONLY $id")
        .bind(("id", id.clone()))
        .await?;
    let before: Option<Visit> = response.take(0)?;
    let baseline = match before {
        None => None,
        Some(visit) if now - visit.at < sitting => visit.baseline,
        Some(visit) => Some(visit.at),
    };
    db.query("UPSERT $id SET review = $review, person = $person, at = $at, baseline = $baseline")
        .bind(("id", id))
        .bind(("review", review_record(review)))
        .bind(("person", person_record(person)))
        .bind(("at", now))
        .bind(("baseline", baseline))
        .await?
        .check()?;
    Ok(baseline)
}
