//! The pack: the documents the council and the facilitator send the team before the visit
//! (position statement, self-assessment, data, briefing note), who may see each, and who has read
//! them. Uploads and downloads are plain HTTP routes (`server/src/visit/pack.rs`); these are the
//! shared types and the server functions for the list and the read marks.

use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::membership::{Action, Role, allows_in};
use crate::review::{ReviewId, ReviewType};

/// The largest file the pack takes.
pub const MAX_DOCUMENT_BYTES: usize = 10 * 1024 * 1024;
/// The most documents one review's pack holds.
pub const MAX_DOCUMENTS: usize = 100;
/// The longest title.
pub const MAX_DOCUMENT_TITLE: usize = 200;

uuid_id! {
    /// One document of the pack.
    pub struct DocumentId;
}

named_enum! {
    /// What a document is, as the programmes name the pack's parts.
    pub enum DocumentKind {
        /// The council's short position statement: the team's brief and terms of reference.
        PositionStatement = "position_statement" => "Position statement",
        /// The council's self-assessment, whose evidence the peers test.
        SelfAssessment = "self_assessment" => "Self-assessment",
        /// Data and evidence: performance, finance, benchmarking.
        Data = "data" => "Data and evidence",
        /// The facilitator's briefing note for the peer team.
        BriefingNote = "briefing_note" => "Peer team briefing note",
        /// Anything else.
        Other = "other" => "Other",
    }
}

named_enum! {
    /// Who a document is for.
    pub enum Audience {
        /// Everyone on the review, the council's readers and observers too.
        Everyone = "everyone" => "Everyone on the review",
        /// The people doing the review only: facilitator, peers (and in a PCI the host's
        /// fieldwork members), besides whoever uploaded it.
        Team = "team" => "The review team only",
    }
}

named_enum! {
    /// A file type the pack takes, as read from the content (never from the name).
    pub enum FileType {
        Pdf = "application/pdf" => "PDF",
        Docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => "Word",
        Xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => "Excel",
        Csv = "text/csv" => "CSV",
        Png = "image/png" => "PNG image",
        Jpeg = "image/jpeg" => "JPEG image",
    }
}

impl FileType {
    /// The file name's extension for this type.
    pub fn extension(self) -> &'static str {
        match self {
            FileType::Pdf => "pdf",
            FileType::Docx => "docx",
            FileType::Xlsx => "xlsx",
            FileType::Csv => "csv",
            FileType::Png => "png",
            FileType::Jpeg => "jpg",
        }
    }
}

/// A stored document, as the server keeps its facts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    pub id: DocumentId,
    pub title: String,
    pub kind: DocumentKind,
    pub audience: Audience,
    /// The name it was uploaded with, its extension made the sniffed type's.
    pub file_name: String,
    pub file_type: FileType,
    pub size: u64,
    /// The day it goes to the team: before it only the facilitator and its uploader see it.
    pub send_on: NaiveDate,
    pub uploaded_by: crate::accounts::PersonId,
    pub uploaded_by_name: String,
    /// RFC 3339.
    pub uploaded_at: String,
}

impl Document {
    /// Whether `person` in `role` may see this document on `today`.
    pub fn visible_to(
        &self,
        programme: ReviewType,
        role: Role,
        person: crate::accounts::PersonId,
        today: NaiveDate,
    ) -> bool {
        if !allows_in(programme, role, Action::ViewDocuments) {
            return false;
        }
        if role == Role::Facilitator || self.uploaded_by == person {
            return true;
        }
        let for_role = match self.audience {
            Audience::Everyone => true,
            Audience::Team => role.does_fieldwork(),
        };
        // The council's managers see what is for everyone at once; others from the send date.
        for_role && (self.send_on <= today || allows_in(programme, role, Action::ManageDocuments))
    }
}

/// A document in someone's list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackEntry {
    pub document: Document,
    /// The caller has opened or marked it.
    pub read: bool,
    /// It reached the caller since their last visit to the pack, and they have not read it.
    pub new: bool,
    /// Not yet sent to the team (its send date is later than today).
    pub scheduled: bool,
    /// For those who see reads: how many of the review team have read it, of how many.
    pub read_by: Option<(u32, u32)>,
}

/// One member of the review team who has not opened a position statement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unread {
    pub name: String,
    pub role: Role,
}

/// The pack as the caller sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackView {
    pub title: String,
    pub programme: ReviewType,
    pub role: Role,
    pub documents: Vec<PackEntry>,
    pub can_manage: bool,
    /// For those who see reads: the review team members who have not opened the position
    /// statement (empty when there is none yet, or everyone has).
    pub not_opened: Option<Vec<Unread>>,
    /// A week or less before the visit (or during it): the list above is a warning.
    pub visit_is_near: bool,
    pub has_position_statement: bool,
    /// The default send date for a new upload: two to three weeks before the visit.
    pub suggested_send_on: NaiveDate,
    pub on_site_start: NaiveDate,
}

/// The day documents usually go to the team: three weeks before the visit, or today if later.
pub fn suggested_send_on(on_site_start: NaiveDate, today: NaiveDate) -> NaiveDate {
    (on_site_start - chrono::Duration::days(21)).max(today)
}

/// Whether the visit is a week away or nearer (or under way): unread position statements then
/// become a warning for the facilitator.
pub fn visit_is_near(on_site_start: NaiveDate, today: NaiveDate) -> bool {
    today >= on_site_start - chrono::Duration::days(7)
}

/// A title as stored: trimmed, one line, 1..=200 characters.
pub fn check_title(title: &str) -> Result<String, AppError> {
    let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
    if title.is_empty() {
        return Err(AppError::invalid_field(
            "title",
            "Give the document a title.",
        ));
    }
    if title.chars().count() > MAX_DOCUMENT_TITLE {
        return Err(AppError::invalid_field(
            "title",
            format!("A title is {MAX_DOCUMENT_TITLE} characters at most."),
        ));
    }
    Ok(title)
}

/// The name a download is saved as: the uploaded name's stem (letters, digits, `-`, `_`, `.`,
/// spaces as `-`), with the sniffed type's extension.
pub fn download_name(uploaded: &str, file_type: FileType) -> String {
    let base = uploaded.rsplit(['/', '\\']).next().unwrap_or(uploaded);
    let stem = base.rsplit_once('.').map_or(base, |(stem, _)| stem);
    let mut clean: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .take(80)
        .collect();
    while clean.contains("--") {
        clean = clean.replace("--", "-");
    }
    let clean = clean.trim_matches(['-', '.']);
    let stem = if clean.is_empty() { "document" } else { clean };
    format!("{stem}.{}", file_type.extension())
}

/// What the server functions of this module need from the server.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait PackService: Send + Sync {
    /// The pack as the signed-in caller may see it; records this visit.
    async fn pack(&self, review: ReviewId) -> Result<PackView, AppError>;
    /// Marks a document read by the caller.
    async fn mark_read(&self, review: ReviewId, document: DocumentId) -> Result<(), AppError>;
    /// Withdraws a document from the pack (the managers).
    async fn withdraw(&self, review: ReviewId, document: DocumentId) -> Result<(), AppError>;
}

#[cfg(feature = "ssr")]
fn packs() -> Result<std::sync::Arc<dyn PackService>, AppError> {
    crate::services::service::<dyn PackService>()
}

/// The review's pack as the caller may see it.
#[server(prefix = "/api", endpoint = "get_pack")]
pub async fn get_pack(review: ReviewId) -> Result<PackView, AppError> {
    crate::error::respond(async { packs()?.pack(review).await }).await
}

/// Marks a document read (opening it does so too).
#[server(prefix = "/api", endpoint = "mark_document_read")]
pub async fn mark_document_read(review: ReviewId, document: DocumentId) -> Result<(), AppError> {
    crate::error::respond(async { packs()?.mark_read(review, document).await }).await
}

/// Withdraws a document from the pack.
#[server(prefix = "/api", endpoint = "withdraw_document")]
pub async fn withdraw_document(review: ReviewId, document: DocumentId) -> Result<(), AppError> {
    crate::error::respond(async { packs()?.withdraw(review, document).await }).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::PersonId;
    use ReviewType::{LgaCorporatePeerChallenge as Cpc, PeerCollaborativeImprovement as Pci};

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 3, d).unwrap()
    }

    fn document(audience: Audience, send_on: NaiveDate) -> Document {
        Document {
            id: DocumentId(uuid::Uuid::nil()),
            title: "Position statement".into(),
            kind: DocumentKind::PositionStatement,
            audience,
            file_name: "position.pdf".into(),
            file_type: FileType::Pdf,
            size: 10,
            send_on,
            uploaded_by: PersonId(uuid::Uuid::from_u128(1)),
            uploaded_by_name: "Hannah Host".into(),
            uploaded_at: "2027-03-01T09:00:00Z".into(),
        }
    }

    #[test]
    fn the_team_sees_a_document_from_its_send_date_and_the_host_only_what_is_for_everyone() {
        let someone = PersonId(uuid::Uuid::from_u128(2));
        let uploader = PersonId(uuid::Uuid::from_u128(1));
        let later = document(Audience::Everyone, day(10));
        assert!(!later.visible_to(Cpc, Role::Peer, someone, day(9)));
        assert!(later.visible_to(Cpc, Role::Peer, someone, day(10)));
        assert!(later.visible_to(Cpc, Role::Facilitator, someone, day(1)));
        assert!(
            later.visible_to(Cpc, Role::HostLead, someone, day(1)),
            "a manager"
        );
        assert!(!later.visible_to(Cpc, Role::HostReader, someone, day(9)));
        assert!(later.visible_to(Cpc, Role::Observer, someone, day(10)));
        let team = document(Audience::Team, day(1));
        for role in [Role::HostLead, Role::HostReader, Role::Observer] {
            assert!(!team.visible_to(Cpc, role, someone, day(20)), "{role:?}");
        }
        assert!(
            team.visible_to(Cpc, Role::HostLead, uploader, day(1)),
            "its uploader"
        );
        assert!(team.visible_to(Pci, Role::Fieldwork, someone, day(1)));
        assert!(
            !team.visible_to(Cpc, Role::Fieldwork, someone, day(1)),
            "no such role"
        );
        assert!(team.visible_to(Cpc, Role::TeamLead, someone, day(1)));
    }

    #[test]
    fn a_download_is_named_from_the_upload_with_the_sniffed_extension() {
        assert_eq!(
            download_name("Position statement.pdf", FileType::Pdf),
            "Position-statement.pdf"
        );
        assert_eq!(download_name("invoice.pdf", FileType::Docx), "invoice.docx");
        assert_eq!(
            download_name("../../etc/passwd", FileType::Csv),
            "passwd.csv"
        );
        assert_eq!(download_name("C:\\x\\\"q\".xlsx", FileType::Xlsx), "q.xlsx");
        assert_eq!(download_name("...", FileType::Png), "document.png");
    }

    #[test]
    fn send_dates_and_the_weeks_warning() {
        assert_eq!(suggested_send_on(day(28), day(1)), day(7));
        assert_eq!(
            suggested_send_on(day(10), day(5)),
            day(5),
            "never in the past"
        );
        assert!(!visit_is_near(day(20), day(12)));
        assert!(visit_is_near(day(20), day(13)));
        assert!(visit_is_near(day(20), day(21)));
        assert!(check_title("  ").is_err());
        assert_eq!(
            check_title(" Self\n assessment ").unwrap(),
            "Self assessment"
        );
        assert!(check_title(&"x".repeat(201)).is_err());
    }
}
