//! The pack's service and its two routes: uploading a document (a multipart form, checked and
//! type-sniffed, then stored in SurrealDB so that every node serves it) and downloading one (as
//! an attachment, with the sniffed type, marked read).

use app::accounts::PersonId;
use app::error::{AppError, ErrorCode};
use app::membership::{Action, Role};
use app::review::ReviewId;
use app::visit::{
    Audience, Document, DocumentId, DocumentKind, MAX_DOCUMENT_BYTES, MAX_DOCUMENTS, PackEntry,
    PackService, PackView, Unread, check_title, download_name, suggested_send_on, visit_is_near,
};
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};

pub use super::sniff::sniff;
use crate::audit::AuditTrail;
use crate::db::{self, Database};
use crate::endpoint::{caller, from_a_page, read_upload, refuse, upload_answer};
use crate::membership::{ReviewCaller, ReviewDoor};

/// Visits to the pack this close together are one sitting: "new" stays new until the next.
const SITTING_MINUTES: i64 = 30;

/// The pack service.
#[derive(Clone)]
pub struct Packs {
    db: Database,
    audit: AuditTrail,
    door: ReviewDoor,
}

fn unavailable(error: db::DbError) -> AppError {
    tracing::error!(%error, "pack storage");
    AppError::unavailable("The documents could not be reached. Try again in a moment.")
}

fn unknown() -> AppError {
    AppError::new(
        ErrorCode::NotFound,
        "There is no such document in this review's pack.",
    )
}

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// When a document reached the team: its upload, or its send date if later.
fn released(document: &Document) -> Option<DateTime<Utc>> {
    let uploaded = DateTime::parse_from_rfc3339(&document.uploaded_at)
        .ok()?
        .to_utc();
    let sent = document.send_on.and_hms_opt(0, 0, 0)?.and_utc();
    Some(uploaded.max(sent))
}

/// The people whose reading the facilitator follows: the team who visit, not the facilitator.
fn reads_for(role: Role) -> bool {
    role.does_fieldwork() && role != Role::Facilitator
}

impl Packs {
    pub fn new(db: Database, audit: AuditTrail, door: ReviewDoor) -> Self {
        Self { db, audit, door }
    }

    /// A document the caller may see, or the unknown-document refusal (as for one that does not
    /// exist, so that documents meant for others cannot be probed).
    async fn visible(
        &self,
        who: &ReviewCaller,
        review: ReviewId,
        document: DocumentId,
    ) -> Result<Document, AppError> {
        db::pack::document(&self.db, review, document)
            .await
            .map_err(unavailable)?
            .filter(|d| d.visible_to(who.programme, who.role, who.caller.id, today()))
            .ok_or_else(unknown)
    }

    /// The pack as `who` sees it, measuring "new" from `baseline`.
    async fn view_for(
        &self,
        who: &ReviewCaller,
        review: ReviewId,
        baseline: Option<DateTime<Utc>>,
    ) -> Result<PackView, AppError> {
        let today = today();
        let documents = db::pack::documents(&self.db, review)
            .await
            .map_err(unavailable)?;
        let reads = db::pack::reads(&self.db, review)
            .await
            .map_err(unavailable)?;
        let sees_reads = who.may(Action::ViewDocumentReads);
        // The team whose reading is followed: (person, name, role).
        let team: Vec<(PersonId, String, Role)> = if sees_reads {
            db::membership::members(&self.db, review)
                .await
                .map_err(unavailable)?
                .into_iter()
                .filter_map(|m| Some((PersonId(m.person), m.name, Role::parse(&m.role)?)))
                .filter(|(_, _, role)| reads_for(*role))
                .collect()
        } else {
            Vec::new()
        };
        let me = who.caller.id;
        let has_read = |document: DocumentId, person: PersonId| {
            reads.iter().any(|(d, p)| *d == document && *p == person)
        };
        let now = Utc::now();
        let entries: Vec<PackEntry> = documents
            .iter()
            .filter(|d| d.visible_to(who.programme, who.role, me, today))
            .map(|document| {
                let read = has_read(document.id, me);
                let arrived = released(document);
                let new = !read
                    && document.uploaded_by != me
                    && arrived.is_some_and(|at| at <= now && baseline.is_none_or(|b| at > b));
                let read_by = sees_reads.then(|| {
                    // Those it is (or, once sent, will be) meant for.
                    let audience: Vec<PersonId> = team
                        .iter()
                        .filter(|(person, _, role)| {
                            let sent = Document {
                                send_on: today,
                                ..document.clone()
                            };
                            sent.visible_to(who.programme, *role, *person, today)
                        })
                        .map(|(person, ..)| *person)
                        .collect();
                    let read = audience
                        .iter()
                        .filter(|person| has_read(document.id, **person))
                        .count();
                    (read as u32, audience.len() as u32)
                });
                PackEntry {
                    document: document.clone(),
                    read,
                    new,
                    scheduled: document.send_on > today,
                    read_by,
                }
            })
            .collect();
        let statements: Vec<&Document> = documents
            .iter()
            .filter(|d| d.kind == DocumentKind::PositionStatement)
            .collect();
        let not_opened = sees_reads.then(|| {
            team.iter()
                .filter(|(person, ..)| !statements.iter().any(|d| has_read(d.id, *person)))
                .map(|(_, name, role)| Unread {
                    name: name.clone(),
                    role: *role,
                })
                .collect()
        });
        Ok(PackView {
            title: who.title.clone(),
            programme: who.programme,
            role: who.role,
            documents: entries,
            can_manage: who.may(Action::ManageDocuments),
            not_opened,
            visit_is_near: visit_is_near(who.visit.0, today),
            has_position_statement: !statements.is_empty(),
            suggested_send_on: suggested_send_on(who.visit.0, today),
            on_site_start: who.visit.0,
        })
    }

    /// Checks and stores an upload by `who`; the stored document.
    pub async fn upload(
        &self,
        who: &ReviewCaller,
        review: ReviewId,
        form: UploadForm,
    ) -> Result<Document, AppError> {
        who.must(Action::ManageDocuments)?;
        let title = check_title(&form.title)?;
        let kind = DocumentKind::parse(&form.kind).ok_or_else(|| {
            AppError::invalid_field("kind", "Choose what kind of document it is.")
        })?;
        let audience = Audience::parse(&form.audience)
            .ok_or_else(|| AppError::invalid_field("audience", "Choose who sees it."))?;
        let send_on = NaiveDate::parse_from_str(form.send_on.trim(), "%Y-%m-%d").map_err(|_| {
            AppError::invalid_field("send_on", "Give the day it goes to the team, as a date.")
        })?;
        if send_on > who.visit.1 {
            return Err(AppError::invalid_field(
                "send_on",
                "That is after the visit ends: the team needs it before then.",
            ));
        }
        let Some((file_name, content)) = form.file else {
            return Err(AppError::invalid_field("file", "Choose a file to upload."));
        };
        let file_type = super::sniff::sniff(&content)
            .map_err(|message| AppError::invalid_field("file", message))?;
        let count = db::pack::documents(&self.db, review)
            .await
            .map_err(unavailable)?
            .len();
        if count >= MAX_DOCUMENTS {
            return Err(AppError::new(
                ErrorCode::Invalid,
                format!("A pack holds at most {MAX_DOCUMENTS} documents: withdraw one first."),
            ));
        }
        let document = Document {
            id: DocumentId::new(),
            title,
            kind,
            audience,
            file_name: download_name(&file_name, file_type),
            file_type,
            size: content.len() as u64,
            send_on,
            uploaded_by: who.caller.id,
            uploaded_by_name: who.caller.name.clone(),
            uploaded_at: Utc::now().to_rfc3339(),
        };
        db::pack::store(&self.db, review, &document, &content)
            .await
            .map_err(unavailable)?;
        let detail = format!(
            "{} ({}, {}, {} bytes, for {})",
            document.title,
            kind.label(),
            file_type.label(),
            document.size,
            audience.label().to_lowercase()
        );
        self.audit
            .review_change(&who.caller, review, "document_uploaded", detail)
            .await?;
        Ok(document)
    }
}

#[async_trait::async_trait]
impl PackService for Packs {
    async fn pack(&self, review: ReviewId) -> Result<PackView, AppError> {
        let who = self.door.caller(review).await?;
        who.must(Action::ViewDocuments)?;
        let baseline = db::pack::visit(
            &self.db,
            review,
            who.caller.id,
            Utc::now(),
            chrono::Duration::minutes(SITTING_MINUTES),
        )
        .await
        .map_err(unavailable)?;
        self.view_for(&who, review, baseline).await
    }

    async fn mark_read(&self, review: ReviewId, document: DocumentId) -> Result<(), AppError> {
        let who = self.door.caller(review).await?;
        who.must(Action::ViewDocuments)?;
        self.visible(&who, review, document).await?;
        db::pack::mark_read(&self.db, review, document, who.caller.id)
            .await
            .map_err(unavailable)
    }

    async fn withdraw(&self, review: ReviewId, document: DocumentId) -> Result<(), AppError> {
        let who = self.door.caller(review).await?;
        who.must(Action::ManageDocuments)?;
        let found = self.visible(&who, review, document).await?;
        if !db::pack::remove(&self.db, review, document)
            .await
            .map_err(unavailable)?
        {
            return Err(unknown());
        }
        self.audit
            .review_change(&who.caller, review, "document_withdrawn", found.title)
            .await
    }
}

/// An upload's fields, as read from the form.
#[derive(Debug, Default)]
pub struct UploadForm {
    pub title: String,
    pub kind: String,
    pub audience: String,
    pub send_on: String,
    /// The file's name as uploaded, and its content.
    pub file: Option<(String, Vec<u8>)>,
}

impl From<crate::endpoint::Uploaded> for UploadForm {
    fn from(form: crate::endpoint::Uploaded) -> Self {
        UploadForm {
            title: form.field("title"),
            kind: form.field("kind"),
            audience: form.field("audience"),
            send_on: form.field("send_on"),
            file: form.file,
        }
    }
}

/// `POST /api/reviews/{review}/documents`: a multipart form (title, kind, audience, send_on,
/// file). A page's form is sent back to the pack with `?uploaded=` or `?refused=`; any other
/// client gets 201 with the document, or the refusal as JSON.
pub async fn upload(
    State(state): State<crate::AppState>,
    Path(review): Path<String>,
    session: Option<axum::Extension<app::accounts::RequestSession>>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Response {
    let (review_id, session) = match caller(&state, &review, session, "Sign in to upload.", None) {
        Ok(caller) => caller,
        Err(error) => return refuse(error),
    };
    let packs = state.pack.clone();
    let ok = |error| (StatusCode::OK, error);
    let result = async {
        let who = packs
            .door
            .caller_in(session.caller.clone(), review_id)
            .await
            .map_err(ok)?;
        // Refused before the body is read (the service checks again for its other callers).
        who.must(Action::ManageDocuments).map_err(ok)?;
        let form = read_upload(multipart, MAX_DOCUMENT_BYTES).await?;
        packs.upload(&who, review_id, form.into()).await.map_err(ok)
    }
    .await;
    let page = format!("/reviews/{review}/documents");
    upload_answer(
        result,
        from_a_page(&headers).then_some(page.as_str()),
        "uploaded",
        |document| document.title.clone(),
        |document| (StatusCode::CREATED, axum::Json(document)).into_response(),
    )
}

/// `GET /api/reviews/{review}/documents/{document}`: the file as an attachment with its sniffed
/// type, for those it is meant for; marks it read and puts the download in the audit trail.
pub async fn download(
    State(state): State<crate::AppState>,
    Path((review, document)): Path<(String, String)>,
    session: Option<axum::Extension<app::accounts::RequestSession>>,
) -> Response {
    let (review, session) = match caller(&state, &review, session, "Sign in to download.", None) {
        Ok(caller) => caller,
        Err(error) => return refuse(error),
    };
    let Ok(document) = uuid::Uuid::parse_str(&document).map(DocumentId) else {
        return refuse(unknown());
    };
    let packs = state.pack.clone();
    let result = async {
        let who = packs.door.caller_in(session.caller.clone(), review).await?;
        who.must(Action::ViewDocuments)?;
        let found = packs.visible(&who, review, document).await?;
        let content = db::pack::content(&packs.db, review, document)
            .await
            .map_err(unavailable)?
            .ok_or_else(unknown)?;
        db::pack::mark_read(&packs.db, review, document, who.caller.id)
            .await
            .map_err(unavailable)?;
        packs
            .audit
            .review_change(
                &who.caller,
                review,
                "document_downloaded",
                found.title.clone(),
            )
            .await?;
        Ok::<_, AppError>((found, content))
    }
    .await;
    match result {
        Ok((found, content)) => {
            crate::endpoint::attachment_named(content, found.file_type.as_str(), &found.file_name)
        }
        Err(error) => refuse(error),
    }
}
