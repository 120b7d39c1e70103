//! The demo review's pack: a position statement (PDF), a self-assessment (Word), performance
//! data (CSV) and the facilitator's briefing note for the team only (Word), sent three weeks
//! before the visit; most of the team has opened the position statement, one peer has not.

use app::accounts::PersonId;
use app::review::ReviewId;
use app::visit::{Audience, Document, DocumentId, DocumentKind};
use chrono::{Duration, NaiveDate, Utc};
use docx_rs::{Docx, Paragraph, Run};

use crate::db::{self, Database, DbError};

/// A one-page PDF saying `lines`, written by hand (the cross-reference offsets computed).
pub fn pdf(lines: &[&str]) -> Vec<u8> {
    let mut text = String::from("BT /F1 12 Tf 72 760 Td 16 TL\n");
    for line in lines {
        let escaped = line
            .replace('\\', "\\\\")
            .replace('(', "\\(")
            .replace(')', "\\)");
        text.push_str(&format!("({escaped}) Tj T*\n"));
    }
    text.push_str("ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>".to_string(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
        format!("<< /Length {} >>\nstream\n{text}\nendstream", text.len()),
    ];
    let mut out = String::from("%PDF-1.4\n");
    let mut offsets = Vec::new();
    for (at, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.push_str(&format!("{} 0 obj\n{object}\nendobj\n", at + 1));
    }
    let xref = out.len();
    out.push_str(&format!(
        "xref\n0 {}\n0000000000 65535 f \n",
        objects.len() + 1
    ));
    for offset in offsets {
        out.push_str(&format!("{offset:010} 00000 n \n"));
    }
    out.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    ));
    out.into_bytes()
}

/// A Word document with a title and paragraphs.
pub fn word(title: &str, paragraphs: &[&str]) -> Vec<u8> {
    let mut doc = Docx::new()
        .add_paragraph(Paragraph::new().add_run(Run::new().add_text(title).bold().size(32)));
    for text in paragraphs {
        doc = doc.add_paragraph(Paragraph::new().add_run(Run::new().add_text(*text)));
    }
    let mut bytes = Vec::new();
    // Building a fixed document in memory cannot fail short of running out of memory.
    let _ = doc.build().pack(std::io::Cursor::new(&mut bytes));
    bytes
}

const DATA: &str = "indicator,2022/23,2023/24,2024/25\n\
Households in temporary accommodation,212,268,301\n\
Average nights in bed and breakfast,38,44,51\n\
Council tax collected (%),96.1,95.8,95.9\n\
Staff sickness (days per FTE),9.8,9.1,8.7\n\
Change in usable reserves (%),-4.2,-6.8,-3.1\n";

/// Seeds the pack: the council's documents from its host lead, the briefing note from the
/// facilitator; `people` are the demo's (email, role) and `readers` the emails who have opened
/// the position statement.
pub(super) async fn seed_pack(
    db: &Database,
    review: ReviewId,
    start: NaiveDate,
    host_lead: &str,
    facilitator: &str,
    readers: &[&str],
) -> Result<(), DbError> {
    let person = |email: &str| {
        let email = email.to_string();
        async move {
            db::accounts::find_person_by_email(db, &email)
                .await
                .map(|found| found.map(|p| (PersonId(p.id), p.name)))
        }
    };
    let Some(host) = person(host_lead).await? else {
        return Ok(());
    };
    let Some(pcm) = person(facilitator).await? else {
        return Ok(());
    };
    let send_on = start - Duration::days(21);
    let statement = pdf(&[
        "Eastbrook Borough Council - Corporate Peer Challenge",
        "Position statement",
        "",
        "Eastbrook is a growing borough of 140,000 people. Our council plan, Eastbrook 2030,",
        "sets three priorities: homes people can afford, a thriving town centre, and",
        "healthy, connected neighbourhoods.",
        "",
        "We have asked the peer team to look in particular at housing and homelessness:",
        "the rising cost of temporary accommodation, the refresh of our housing strategy,",
        "and how we work with the registered providers.",
        "",
        "Our medium-term financial plan closes a gap of 11.4m pounds over three years.",
    ]);
    let assessment = word(
        "Self-assessment against the five core components",
        &[
            "Local priorities and outcomes: the council plan is built on the residents' survey; outcome measures are reported quarterly.",
            "Organisational and place leadership: strong partnerships through the Eastbrook Together board.",
            "Governance and culture: a new constitution in 2024; scrutiny is valued but its work programme is crowded.",
            "Financial planning and management: the medium-term gap is identified; savings plans cover two of the three years.",
            "Capacity for improvement: a workforce strategy is in place; recruitment to planning and housing remains hard.",
        ],
    );
    let briefing = word(
        "Peer team briefing note",
        &[
            "The team meets at 08:30 on the first day in Room 4 at the Civic Centre.",
            "Pairs: Tom and Helen (pair 1), Gareth and Aisha (pair 2). Notes go on the wall on the day they are heard.",
            "The council's position statement is the team's brief: please read it before the video call.",
        ],
    );
    let documents = [
        (
            "Position statement",
            DocumentKind::PositionStatement,
            Audience::Everyone,
            "position-statement.pdf",
            statement,
            &host,
        ),
        (
            "Self-assessment",
            DocumentKind::SelfAssessment,
            Audience::Everyone,
            "self-assessment.docx",
            assessment,
            &host,
        ),
        (
            "Performance and finance data",
            DocumentKind::Data,
            Audience::Everyone,
            "performance-data.csv",
            DATA.as_bytes().to_vec(),
            &host,
        ),
        (
            "Peer team briefing note",
            DocumentKind::BriefingNote,
            Audience::Team,
            "briefing-note.docx",
            briefing,
            &pcm,
        ),
    ];
    let mut statement_id = None;
    for (title, kind, audience, file_name, content, (by, by_name)) in documents {
        let Ok(file_type) = crate::visit::pack::sniff(&content) else {
            tracing::error!(title, "demo: a pack document failed its own checks");
            continue;
        };
        let document = Document {
            id: DocumentId::new(),
            title: title.into(),
            kind,
            audience,
            file_name: file_name.into(),
            file_type,
            size: content.len() as u64,
            send_on,
            uploaded_by: *by,
            uploaded_by_name: by_name.clone(),
            uploaded_at: (Utc::now() - Duration::days(25)).to_rfc3339(),
        };
        if kind == DocumentKind::PositionStatement {
            statement_id = Some(document.id);
        }
        db::pack::store(db, review, &document, &content).await?;
    }
    if let Some(statement) = statement_id {
        for email in readers {
            if let Some((reader, _)) = person(email).await? {
                db::pack::mark_read(db, review, statement, reader).await?;
            }
        }
    }
    Ok(())
}
