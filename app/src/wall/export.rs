//! The wall and its key messages as Markdown (to read and paste into the report) and CSV (one
//! row per note, to sort and count). Authors and pairs appear only when asked for: the peer
//! team's own copy; a copy to share leaves them out.

use crate::wall::triangulation::{Strength, presentation_order};
use crate::wall::{Board, HeadingId, KeyMessage, Note};

/// Whether to include who wrote each note.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Authors {
    Include,
    Omit,
}

fn headings(board: &Board) -> Vec<(Option<HeadingId>, String)> {
    board
        .live_headings()
        .map(|h| (Some(h.id.clone()), h.title.clone()))
        .chain(std::iter::once((None, "Unsorted".to_string())))
        .collect()
}

fn messages_using<'a>(board: &'a Board, note: &Note) -> Vec<&'a KeyMessage> {
    let mut using: Vec<&KeyMessage> = board
        .messages
        .values()
        .filter(|m| !m.deleted && m.evidence.contains(&note.id))
        .collect();
    using.sort_by(|a, b| a.order.cmp(&b.order).then(a.id.cmp(&b.id)));
    using
}

/// Markdown: each heading with its key messages (kind, strength, evidence) and then its notes.
pub fn to_markdown(board: &Board, title: &str, authors: Authors) -> String {
    let line = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = format!("# {}\n\nFindings wall and key messages.\n", line(title));
    for (heading, name) in headings(board) {
        let notes = board.notes_in(heading.as_ref());
        let messages = heading
            .as_ref()
            .map(|h| presentation_order(board, h))
            .unwrap_or_default();
        if notes.is_empty() && messages.is_empty() {
            continue;
        }
        out.push_str(&format!("\n## {}\n", line(&name)));
        if !messages.is_empty() {
            out.push_str("\n### Key messages\n\n");
            for message in messages {
                let strength = Strength::of(board, message);
                out.push_str(&format!(
                    "- **{}**: {} _({}; {})_\n",
                    message.kind.label(),
                    line(&message.text),
                    strength.corroboration().label(),
                    strength.summary(authors == Authors::Include)
                ));
                for id in &message.evidence {
                    if let Some(note) = board.notes.get(id).filter(|n| !n.deleted) {
                        out.push_str(&format!("  - {}\n", line(&note.text)));
                    }
                }
            }
        }
        if !notes.is_empty() {
            out.push_str("\n### Notes\n\n");
            for note in notes {
                let mut details: Vec<String> = [&note.source, &note.stakeholder]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .map(|s| line(s))
                    .collect();
                if authors == Authors::Include {
                    if let Some(pair) = note.pair {
                        details.push(format!("pair {pair}"));
                    }
                    if !note.author.is_empty() {
                        details.push(line(&note.author));
                    }
                }
                let details = if details.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", details.join(", "))
                };
                out.push_str(&format!(
                    "- {}: {}{details}\n",
                    note.kind.label(),
                    line(&note.text)
                ));
            }
        }
    }
    out
}

/// One CSV cell: quoted when needed, and a leading `=`, `+`, `-` or `@` defused so a
/// spreadsheet never runs it as a formula.
pub fn cell(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

/// CSV: one row per live note, with its heading and the key messages it evidences.
pub fn to_csv(board: &Board, authors: Authors) -> String {
    let mut header = vec![
        "heading",
        "note",
        "note kind",
        "source",
        "stakeholder group",
        "tags",
        "key message",
        "message kind",
    ];
    if authors == Authors::Include {
        header.extend(["pair", "author"]);
    }
    let mut out = header.join(",");
    out.push_str("\r\n");
    for (heading, name) in headings(board) {
        for note in board.notes_in(heading.as_ref()) {
            let using = messages_using(board, note);
            let mut row = vec![
                name.clone(),
                note.text.clone(),
                note.kind.label().to_string(),
                note.source.clone(),
                note.stakeholder.clone(),
                note.tags.join("; "),
                using
                    .iter()
                    .map(|m| m.text.as_str())
                    .collect::<Vec<_>>()
                    .join(" | "),
                using
                    .iter()
                    .map(|m| m.kind.label())
                    .collect::<Vec<_>>()
                    .join(" | "),
            ];
            if authors == Authors::Include {
                row.push(note.pair.map(|p| p.to_string()).unwrap_or_default());
                row.push(note.author.clone());
            }
            out.push_str(&row.iter().map(|v| cell(v)).collect::<Vec<_>>().join(","));
            out.push_str("\r\n");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::accounts::PersonId;
    use crate::membership::Role;
    use crate::wall::protocol::{Command, NoteFields};
    use crate::wall::rules::{Actor, decide};
    use crate::wall::{MessageId, MessageKind, NoteId, NoteKind};

    fn board() -> Board {
        let actor = Actor {
            person: PersonId(Uuid::from_u128(1)),
            name: "Helen Marsh".into(),
            pair: Some(2),
            role: Role::TeamLead,
        };
        let mut board = Board::default();
        let heading = HeadingId("leadership".into());
        let message = MessageId(Uuid::from_u128(9));
        let commands = vec![
            Command::AddHeading {
                heading: heading.clone(),
                title: "Leadership".into(),
            },
            Command::CreateNote {
                note: NoteId(Uuid::from_u128(1)),
                heading: Some(heading.clone()),
                before: None,
                fields: NoteFields {
                    text: "Leader is \"very\" visible, everywhere.".into(),
                    kind: NoteKind::Strength,
                    source: "Leader interview".into(),
                    session: None,
                    stakeholder: "Councillors".into(),
                    tags: vec!["culture".into()],
                },
            },
            Command::CreateNote {
                note: NoteId(Uuid::from_u128(2)),
                heading: None,
                before: None,
                fields: NoteFields {
                    text: "=HYPERLINK(\"http://evil\")".into(),
                    kind: NoteKind::Question,
                    source: String::new(),
                    session: None,
                    stakeholder: String::new(),
                    tags: vec![],
                },
            },
            Command::AddMessage {
                message,
                heading,
                before: None,
                text: "Leadership is visible.".into(),
                kind: MessageKind::Strength,
            },
            Command::AddEvidence {
                message,
                note: NoteId(Uuid::from_u128(1)),
            },
        ];
        for command in commands {
            let change = decide(&board, &actor, &command).unwrap();
            board.apply(&change);
        }
        board
    }

    #[test]
    fn csv_has_a_row_per_note_with_its_messages_and_is_safe_to_open() {
        let board = board();
        let csv = to_csv(&board, Authors::Include);
        let rows: Vec<&str> = csv.split("\r\n").filter(|r| !r.is_empty()).collect();
        assert_eq!(rows.len(), 3, "{csv}");
        assert_eq!(
            rows[0],
            "heading,note,note kind,source,stakeholder group,tags,key message,message kind,pair,author"
        );
        assert_eq!(
            rows[1],
            "Leadership,\"Leader is \"\"very\"\" visible, everywhere.\",Strength,Leader interview,Councillors,culture,Leadership is visible.,Strength,2,Helen Marsh"
        );
        assert!(
            rows[2].starts_with("Unsorted,\"'=HYPERLINK(\"\"http://evil\"\")\",Question"),
            "{}",
            rows[2]
        );
        let shared = to_csv(&board, Authors::Omit);
        assert!(!shared.contains("Helen Marsh") && !shared.contains("author"));
    }

    #[test]
    fn markdown_lists_messages_with_strength_then_notes() {
        let board = board();
        let md = to_markdown(&board, "Eastbrook\nreview", Authors::Omit);
        assert!(md.starts_with("# Eastbrook review\n"), "{md}");
        assert!(md.contains(
            "- **Strength**: Leadership is visible. _(Needs corroboration; 1 note · 1 session · 1 group)_\n  - Leader is \"very\" visible, everywhere.\n"
        ), "{md}");
        assert!(md.contains("## Unsorted"));
        assert!(!md.contains("Helen Marsh") && !md.contains("pair 2"));
        let own = to_markdown(&board, "Eastbrook", Authors::Include);
        assert!(
            own.contains("(Leader interview, Councillors, pair 2, Helen Marsh)"),
            "{own}"
        );
    }
}
