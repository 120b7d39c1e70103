//! Organisations: councils and the support bodies.

use app::organisations::{Organisation, OrganisationId, OrganisationKind};
use surrealdb::types::{RecordId, RecordIdKey, SurrealValue};

use super::{Database, DbError};

pub(crate) fn organisation_record(id: &str) -> RecordId {
    RecordId::new("organisation", RecordIdKey::String(id.to_string()))
}

#[derive(Debug, SurrealValue)]
struct OrganisationRow {
    id: String,
    name: String,
    kind: String,
}

impl OrganisationRow {
    fn into_organisation(self) -> Result<Organisation, DbError> {
        Ok(Organisation {
            kind: OrganisationKind::parse(&self.kind).ok_or_else(|| {
                DbError::Corrupt(format!("organisation {} has kind {:?}", self.id, self.kind))
            })?,
            id: OrganisationId(self.id),
            name: self.name,
        })
    }
}

/// Every organisation, by name.
pub async fn list(db: &Database) -> Result<Vec<Organisation>, DbError> {
    let mut response = db
        .query("SELECT <string> record::id(id) AS id, name, kind FROM organisation ORDER BY name")
        .await?;
    let rows: Vec<OrganisationRow> = response.take(0)?;
    rows.into_iter()
        .map(OrganisationRow::into_organisation)
        .collect()
}

/// The organisation with this name (ignoring case), if there is one.
async fn find_by_name(db: &Database, name: &str) -> Result<Option<RecordId>, DbError> {
    let mut response = db
        .query("SELECT VALUE id FROM organisation WHERE string::lowercase(name) = $name LIMIT 1")
        .bind(("name", name.to_lowercase()))
        .await?;
    Ok(response.take(0)?)
}

/// Adds an organisation; `None` when one with that name (ignoring case) exists.
pub async fn create(
    db: &Database,
    name: &str,
    kind: OrganisationKind,
) -> Result<Option<Organisation>, DbError> {
    if find_by_name(db, name).await?.is_some() {
        return Ok(None);
    }
    let id = uuid::Uuid::new_v4().to_string();
    let result = db
        .query("CREATE $organisation SET name = $name, kind = $kind")
        .bind(("organisation", organisation_record(&id)))
        .bind(("name", name.to_string()))
        .bind(("kind", kind.as_str()))
        .await?
        .check();
    match result {
        Ok(_) => Ok(Some(Organisation {
            id: OrganisationId(id.clone()),
            name: name.to_string(),
            kind,
        })),
        Err(error) if error.is_already_exists() => Ok(None),
        Err(error) => Err(error.into()),
    }
}

/// The organisation with this name, created with `kind` if there is none yet.
pub async fn find_or_create(
    db: &Database,
    name: &str,
    kind: OrganisationKind,
) -> Result<RecordId, DbError> {
    if let Some(existing) = find_by_name(db, name).await? {
        return Ok(existing);
    }
    match create(db, name, kind).await? {
        Some(created) => Ok(organisation_record(&created.id.0)),
        // Someone else added it meanwhile.
        None => find_by_name(db, name)
            .await?
            .ok_or_else(|| DbError::Corrupt(format!("organisation {name:?} vanished"))),
    }
}

/// Whether the organisation exists.
pub async fn exists(db: &Database, organisation: RecordId) -> Result<bool, DbError> {
    let mut response = db
        .query("RETURN count(SELECT id FROM $organisation) > 0")
        .bind(("organisation", organisation))
        .await?;
    let exists: Option<bool> = response.take(0)?;
    Ok(exists.unwrap_or(false))
}
