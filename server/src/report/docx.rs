//! The report as a Word document, built with `docx-rs`: real heading styles (so Word's
//! navigation pane and accessibility checker see the structure), numbered recommendations,
//! practice examples and quotes in boxes, and the version with "Draft — not for publication"
//! in every page's header until the council signs it off.

use app::error::AppError;
use app::report::format::{self, Span};
use app::report::{Block, BlockKind};
use docx_rs::{
    AbstractNumbering, Docx, Header, Hyperlink, HyperlinkType, IndentLevel, Level, LevelJc,
    LevelText, NumberFormat, Numbering, NumberingId, Paragraph, Run, Shading, SpecialIndentType,
    Start, Style, StyleType, Table, TableCell, TableRow, WidthType,
};

/// What the document says of itself.
pub struct Cover<'a> {
    pub title: &'a str,
    pub council: &'a str,
    /// "Version 2, sent 3 May 2026".
    pub version: String,
    /// Not yet signed off: every page says so.
    pub draft: bool,
}

const RECOMMENDATIONS: usize = 1;
const BULLETS: usize = 2;

fn runs(mut paragraph: Paragraph, text: &str, italic_all: bool) -> Vec<Paragraph> {
    let mut out = Vec::new();
    let lines = format::parse(text);
    if lines.is_empty() {
        return vec![paragraph];
    }
    for (i, line) in lines.into_iter().enumerate() {
        let mut p = if i == 0 {
            std::mem::take(&mut paragraph)
        } else {
            Paragraph::new()
        };
        if line.bullet {
            p = p.numbering(NumberingId::new(BULLETS), IndentLevel::new(0));
        }
        for span in line.spans {
            match span {
                Span::Text { text, bold, italic } => {
                    let mut run = Run::new().add_text(text);
                    if bold {
                        run = run.bold();
                    }
                    if italic || italic_all {
                        run = run.italic();
                    }
                    p = p.add_run(run);
                }
                Span::Link { text, url } => {
                    p = p.add_hyperlink(
                        Hyperlink::new(url, HyperlinkType::External).add_run(
                            Run::new()
                                .add_text(text)
                                .underline("single")
                                .color("1D4ED8"),
                        ),
                    );
                }
            }
        }
        out.push(p);
    }
    out
}

fn boxed(paragraphs: Vec<Paragraph>) -> Table {
    let mut cell = TableCell::new()
        .shading(Shading::new().fill("EEF2F7"))
        .width(9000, WidthType::Dxa);
    for p in paragraphs {
        cell = cell.add_paragraph(p);
    }
    Table::new(vec![TableRow::new(vec![cell])])
}

/// `doc` with a one-level list `id` (numbered or bulleted), indented as Word's own lists are.
fn list(doc: Docx, id: usize, format: &str, text: &str) -> Docx {
    let level = Level::new(
        0,
        Start::new(1),
        NumberFormat::new(format),
        LevelText::new(text),
        LevelJc::new("left"),
    )
    .indent(Some(720), Some(SpecialIndentType::Hanging(360)), None, None);
    doc.add_abstract_numbering(AbstractNumbering::new(id).add_level(level))
        .add_numbering(Numbering::new(id, id))
}

/// The document for `blocks`.
pub fn render(cover: &Cover<'_>, blocks: &[Block]) -> Result<Vec<u8>, AppError> {
    let status = if cover.draft {
        format!("Draft — not for publication · {}", cover.version)
    } else {
        format!("Final, signed off · {}", cover.version)
    };
    let mut doc =
        Docx::new()
            .add_style(
                Style::new("Title", StyleType::Paragraph)
                    .name("Title")
                    .size(48)
                    .bold(),
            )
            .add_style(
                Style::new("Heading1", StyleType::Paragraph)
                    .name("heading 1")
                    .size(32)
                    .bold()
                    .outline_lvl(0),
            )
            .add_style(
                Style::new("Heading2", StyleType::Paragraph)
                    .name("heading 2")
                    .size(26)
                    .bold()
                    .outline_lvl(1),
            )
            .header(Header::new().add_paragraph(
                Paragraph::new().add_run(Run::new().add_text(status.clone()).size(18)),
            ))
            .add_paragraph(
                Paragraph::new()
                    .style("Title")
                    .add_run(Run::new().add_text(cover.title)),
            )
            .add_paragraph(
                Paragraph::new()
                    .add_run(Run::new().add_text(format!("Feedback report to {}", cover.council))),
            )
            .add_paragraph(Paragraph::new().add_run(Run::new().add_text(status).bold()));
    doc = list(
        list(doc, RECOMMENDATIONS, "decimal", "%1."),
        BULLETS,
        "bullet",
        "•",
    );
    for block in blocks {
        match block.kind {
            BlockKind::Heading => {
                doc = doc.add_paragraph(
                    Paragraph::new()
                        .style("Heading1")
                        .add_run(Run::new().add_text(format::plain(&block.text))),
                );
            }
            BlockKind::Paragraph => {
                for p in runs(Paragraph::new(), &block.text, false) {
                    doc = doc.add_paragraph(p);
                }
            }
            BlockKind::Recommendation => {
                let first = Paragraph::new()
                    .numbering(NumberingId::new(RECOMMENDATIONS), IndentLevel::new(0));
                for p in runs(first, &block.text, false) {
                    doc = doc.add_paragraph(p);
                }
            }
            BlockKind::Practice => {
                let mut paragraphs =
                    vec![Paragraph::new().add_run(Run::new().add_text("Practice example").bold())];
                paragraphs.extend(runs(Paragraph::new(), &block.text, false));
                if let Some(practice) = &block.practice {
                    if !practice.place.trim().is_empty() {
                        paragraphs
                            .push(Paragraph::new().add_run(
                                Run::new().add_text(format!("Where: {}", practice.place)),
                            ));
                    }
                    if !practice.contact.trim().is_empty() {
                        paragraphs.push(Paragraph::new().add_run(
                            Run::new().add_text(format!("Contact: {}", practice.contact)),
                        ));
                    }
                    if !practice.link.trim().is_empty() {
                        paragraphs.push(
                            Paragraph::new().add_hyperlink(
                                Hyperlink::new(practice.link.clone(), HyperlinkType::External)
                                    .add_run(
                                        Run::new()
                                            .add_text(practice.link.clone())
                                            .underline("single")
                                            .color("1D4ED8"),
                                    ),
                            ),
                        );
                    }
                }
                doc = doc
                    .add_table(boxed(paragraphs))
                    .add_paragraph(Paragraph::new());
            }
            BlockKind::Quote => {
                doc = doc
                    .add_table(boxed(runs(Paragraph::new(), &block.text, true)))
                    .add_paragraph(Paragraph::new());
            }
        }
    }
    let practice: Vec<&Block> = blocks
        .iter()
        .filter(|b| b.kind == BlockKind::Practice)
        .collect();
    if !practice.is_empty() {
        doc = doc.add_paragraph(
            Paragraph::new()
                .style("Heading1")
                .add_run(Run::new().add_text("Practice examples and signposting")),
        );
        for block in practice {
            let place = block
                .practice
                .as_ref()
                .map(|p| p.place.trim())
                .unwrap_or_default();
            let what = format::plain(&block.text);
            let line = if place.is_empty() {
                what
            } else {
                format!("{what} ({place})")
            };
            doc = doc.add_paragraph(
                Paragraph::new()
                    .numbering(NumberingId::new(BULLETS), IndentLevel::new(0))
                    .add_run(Run::new().add_text(line)),
            );
        }
    }
    let mut bytes = Vec::new();
    doc.build()
        .pack(std::io::Cursor::new(&mut bytes))
        .map_err(|error| {
            tracing::error!(%error, "building a report document");
            AppError::unavailable("The document could not be made just now. Please try again.")
        })?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::report::{BlockId, Practice};

    fn block(kind: BlockKind, text: &str) -> Block {
        Block {
            id: BlockId::new(),
            kind,
            text: text.into(),
            order: "V".into(),
            practice: None,
            source: None,
            rev: 1,
        }
    }

    #[test]
    fn a_report_reads_back_with_its_headings_numbers_and_boxes() {
        let mut practice = block(BlockKind::Practice, "A shared digital front door");
        practice.practice = Some(Practice {
            place: "Northshire County Council".into(),
            contact: "Head of Digital".into(),
            link: "https://example.org".into(),
        });
        let blocks = vec![
            block(BlockKind::Heading, "Key recommendations"),
            block(
                BlockKind::Recommendation,
                "Agree a **medium-term** financial strategy",
            ),
            block(BlockKind::Recommendation, "Refresh the council plan"),
            block(BlockKind::Heading, "Governance and culture"),
            block(
                BlockKind::Paragraph,
                "Members and officers work well together.\n- one\n- [two](https://example.org/two)",
            ),
            practice,
        ];
        let cover = Cover {
            title: "Eastbrook CPC",
            council: "Eastbrook Borough Council",
            version: "Version 1".into(),
            draft: true,
        };
        let bytes = render(&cover, &blocks).unwrap();
        assert_eq!(&bytes[..2], b"PK", "a zip package");
        let read = docx_rs::read_docx(&bytes).unwrap();
        let json = read.json();
        assert!(json.contains("Heading1"), "headings use the heading style");
        assert!(json.contains("Draft — not for publication"));
        assert!(json.contains("medium-term"));
        assert!(json.contains("Practice examples and signposting"));
        assert!(json.contains("Northshire County Council"));
    }
}
