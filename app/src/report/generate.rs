//! Drafting the report from the wall: an executive summary, the recommendations numbered under
//! "Key recommendations", a section per heading in presentation order with a paragraph per key
//! message, and next steps. Drafting again never overwrites what someone wrote: key messages
//! added or changed on the wall since are offered as additions (`additions`).

use serde::{Deserialize, Serialize};

use crate::report::{Block, BlockId, BlockKind, Source};
use crate::wall::order::key_between;
use crate::wall::triangulation::presentation_order;
use crate::wall::{Board, HeadingId, MessageId, MessageKind};

pub const EXECUTIVE_SUMMARY: &str = "Executive summary";
pub const KEY_RECOMMENDATIONS: &str = "Key recommendations";
pub const NEXT_STEPS: &str = "Next steps";
pub const INTRODUCTION: &str = "Introduction";
pub const APPROACH: &str = "Approach";

/// A block before it has a place: the draft is laid out in order by `draft`.
fn block(
    kind: BlockKind,
    text: &str,
    source: Option<Source>,
) -> (BlockKind, String, Option<Source>) {
    (kind, text.to_string(), source)
}

fn message_source(id: MessageId, kind: MessageKind, text: &str) -> Option<Source> {
    Some(Source::Message {
        id,
        kind,
        text: text.to_string(),
    })
}

/// The first draft of the report from `board`.
pub fn draft(board: &Board) -> Vec<Block> {
    let mut parts = vec![
        block(BlockKind::Heading, EXECUTIVE_SUMMARY, None),
        block(BlockKind::Paragraph, "", None),
        block(BlockKind::Heading, KEY_RECOMMENDATIONS, None),
    ];
    for heading in board.live_headings() {
        for message in presentation_order(board, &heading.id) {
            if message.kind == MessageKind::Recommendation {
                parts.push(block(
                    BlockKind::Recommendation,
                    &message.text,
                    message_source(message.id, message.kind, &message.text),
                ));
            }
        }
    }
    for heading in board.live_headings() {
        let findings: Vec<_> = presentation_order(board, &heading.id)
            .into_iter()
            .filter(|m| m.kind != MessageKind::Recommendation)
            .collect();
        if findings.is_empty() && board.messages_in(&heading.id).is_empty() {
            continue;
        }
        parts.push(block(
            BlockKind::Heading,
            &heading.title,
            Some(Source::Heading {
                id: heading.id.clone(),
            }),
        ));
        for message in findings {
            parts.push(block(
                BlockKind::Paragraph,
                &message.text,
                message_source(message.id, message.kind, &message.text),
            ));
        }
    }
    parts.push(block(BlockKind::Heading, NEXT_STEPS, None));
    parts.push(block(BlockKind::Paragraph, "", None));
    laid_out(parts)
}

/// The first draft of a progress review's short report: an introduction, the approach, then
/// feedback on each recommendation followed up (a section per heading of its wall, every key
/// message under it, in presentation order), and next steps.
pub fn draft_progress(board: &Board) -> Vec<Block> {
    let mut parts = vec![
        block(BlockKind::Heading, INTRODUCTION, None),
        block(BlockKind::Paragraph, "", None),
        block(BlockKind::Heading, APPROACH, None),
        block(BlockKind::Paragraph, "", None),
    ];
    for heading in board.live_headings() {
        parts.push(block(
            BlockKind::Heading,
            &heading.title,
            Some(Source::Heading {
                id: heading.id.clone(),
            }),
        ));
        for message in presentation_order(board, &heading.id) {
            let kind = if message.kind == MessageKind::Recommendation {
                BlockKind::Recommendation
            } else {
                BlockKind::Paragraph
            };
            parts.push(block(
                kind,
                &message.text,
                message_source(message.id, message.kind, &message.text),
            ));
        }
    }
    parts.push(block(BlockKind::Heading, NEXT_STEPS, None));
    parts.push(block(BlockKind::Paragraph, "", None));
    laid_out(parts)
}

/// Blocks in the order given, each keyed after the one before.
fn laid_out(parts: Vec<(BlockKind, String, Option<Source>)>) -> Vec<Block> {
    let mut order: Option<String> = None;
    parts
        .into_iter()
        .map(|(kind, text, source)| {
            let key = key_between(order.as_deref(), None);
            order = Some(key.clone());
            Block {
                id: BlockId::new(),
                kind,
                text,
                order: key,
                practice: None,
                source,
                rev: 1,
            }
        })
        .collect()
}

/// A key message the draft does not have yet, or has from an older wording.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Addition {
    pub message: MessageId,
    pub kind: MessageKind,
    pub heading: String,
    pub text: String,
    /// The block drafted from an older wording of it, when there is one.
    pub changed: Option<BlockId>,
    /// Where it would go: after this block (the end of its section, or of the recommendations).
    pub after: Option<BlockId>,
}

/// What the wall has that the draft (`blocks`, in order, deleted ones left out) does not.
pub fn additions(board: &Board, blocks: &[Block]) -> Vec<Addition> {
    let mut out = Vec::new();
    for heading in board.live_headings() {
        for message in presentation_order(board, &heading.id) {
            let existing = blocks.iter().find(|b| b.message() == Some(message.id));
            let changed = match existing {
                Some(Block {
                    source: Some(Source::Message { text, kind, .. }),
                    id,
                    ..
                }) => {
                    if *text == message.text && *kind == message.kind {
                        continue;
                    }
                    Some(*id)
                }
                _ => None,
            };
            out.push(Addition {
                message: message.id,
                kind: message.kind,
                heading: heading.title.clone(),
                text: message.text.clone(),
                changed,
                after: changed.or_else(|| place_for(blocks, &heading.id, message.kind)),
            });
        }
    }
    out
}

/// The block a new message's block goes after: the last recommendation (or the "Key
/// recommendations" heading) for a recommendation, else the last block of its heading's section.
fn place_for(blocks: &[Block], heading: &HeadingId, kind: MessageKind) -> Option<BlockId> {
    if kind == MessageKind::Recommendation {
        let last = blocks
            .iter()
            .rev()
            .find(|b| b.kind == BlockKind::Recommendation);
        let title = blocks
            .iter()
            .find(|b| b.kind == BlockKind::Heading && b.text == KEY_RECOMMENDATIONS);
        return last.or(title).map(|b| b.id);
    }
    let start = blocks
        .iter()
        .position(|b| matches!(&b.source, Some(Source::Heading { id }) if id == heading))?;
    let end = blocks[start + 1..]
        .iter()
        .position(|b| b.kind == BlockKind::Heading)
        .map_or(blocks.len(), |i| start + 1 + i);
    blocks.get(end - 1).map(|b| b.id)
}

/// The figures behind the work, as a sentence a report can use.
pub fn scale_sentence(figures: &ScaleFigures) -> String {
    let mut parts = Vec::new();
    if figures.meetings > 0 {
        let people = if figures.people > 0 {
            format!(
                "spoke to {} {} in ",
                figures.people,
                plural(figures.people, "person", "people")
            )
        } else {
            "held ".to_string()
        };
        parts.push(format!(
            "{people}{} {} and visits ({} {})",
            figures.meetings,
            plural(figures.meetings, "meeting", "meetings"),
            figures.hours,
            plural(figures.hours, "hour", "hours")
        ));
    } else if figures.sessions > 0 {
        parts.push(format!(
            "took part in {} {}",
            figures.sessions,
            plural(figures.sessions, "session", "sessions")
        ));
    }
    if figures.groups > 0 {
        parts.push(format!(
            "heard from {} stakeholder {}",
            figures.groups,
            plural(figures.groups, "group", "groups")
        ));
    }
    parts.push(format!(
        "recorded {} {}",
        figures.notes,
        plural(figures.notes, "observation", "observations")
    ));
    let team = if figures.pairs > 0 {
        format!(
            "The peer team, working in {} {},",
            figures.pairs,
            plural(figures.pairs, "pair", "pairs")
        )
    } else {
        "The peer team".to_string()
    };
    let list = if parts.len() == 1 {
        parts.remove(0)
    } else {
        let last = parts.pop().unwrap_or_default();
        format!("{} and {}", parts.join(", "), last)
    };
    format!("{team} {list} during the on-site visit.")
}

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

/// The scale of the work, from the wall.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScaleFigures {
    pub notes: usize,
    pub sessions: usize,
    pub groups: usize,
    pub pairs: usize,
    /// From the timetable: meetings and visits held, people met (as estimated), hours.
    #[serde(default)]
    pub meetings: usize,
    #[serde(default)]
    pub people: usize,
    #[serde(default)]
    pub hours: usize,
}

impl ScaleFigures {
    pub fn from_board(board: &Board) -> Self {
        let live: Vec<_> = board.notes.values().filter(|n| !n.deleted).collect();
        let distinct = |f: &dyn Fn(&crate::wall::Note) -> String| {
            live.iter()
                .map(|n| f(n).trim().to_lowercase())
                .filter(|s| !s.is_empty())
                .collect::<std::collections::BTreeSet<_>>()
                .len()
        };
        ScaleFigures {
            notes: live.len(),
            sessions: distinct(&|n| {
                n.session
                    .map_or_else(|| n.source.clone(), |session| format!("session {session}"))
            }),
            groups: distinct(&|n| n.stakeholder.clone()),
            pairs: live
                .iter()
                .filter_map(|n| n.pair)
                .collect::<std::collections::BTreeSet<_>>()
                .len(),
            ..ScaleFigures::default()
        }
    }

    /// With the timetable's meetings, people met and hours.
    pub fn with_timetable(self, figures: crate::visit::Figures) -> Self {
        ScaleFigures {
            meetings: figures.meetings as usize,
            people: figures.people as usize,
            hours: figures.hours as usize,
            ..self
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use uuid::Uuid;

    use super::*;
    use crate::wall::{Heading, KeyMessage, Note, NoteId, NoteKind};

    fn heading(id: &str, title: &str, position: i64) -> Heading {
        Heading {
            id: HeadingId(id.into()),
            title: title.into(),
            position,
            archived: false,
        }
    }

    fn message(n: u128, heading: &str, kind: MessageKind, order: &str) -> KeyMessage {
        KeyMessage {
            id: MessageId(Uuid::from_u128(n)),
            heading: HeadingId(heading.into()),
            order: order.into(),
            text: format!("message {n}"),
            kind,
            evidence: vec![],
            votes: BTreeMap::new(),
            version: 1,
            deleted: false,
            frozen: None,
        }
    }

    fn board() -> Board {
        let mut board = Board {
            headings: vec![
                heading("leadership", "Organisational and place leadership", 0),
                heading("finance", "Financial planning and management", 1),
                heading("empty", "Capacity for improvement", 2),
            ],
            ..Board::default()
        };
        for m in [
            message(1, "leadership", MessageKind::Recommendation, "V"),
            message(2, "leadership", MessageKind::AreaForImprovement, "W"),
            message(3, "leadership", MessageKind::Strength, "X"),
            message(4, "finance", MessageKind::Strength, "V"),
            message(5, "finance", MessageKind::Recommendation, "W"),
        ] {
            board.messages.insert(m.id, m);
        }
        board
    }

    fn outline(blocks: &[Block]) -> Vec<String> {
        blocks
            .iter()
            .map(|b| format!("{}: {}", b.kind.as_str(), b.text))
            .collect()
    }

    #[test]
    fn the_draft_has_the_report_shape_in_presentation_order() {
        let blocks = draft(&board());
        assert_eq!(
            outline(&blocks),
            [
                "heading: Executive summary",
                "paragraph: ",
                "heading: Key recommendations",
                "recommendation: message 1",
                "recommendation: message 5",
                "heading: Organisational and place leadership",
                "paragraph: message 3",
                "paragraph: message 2",
                "heading: Financial planning and management",
                "paragraph: message 4",
                "heading: Next steps",
                "paragraph: ",
            ]
        );
        // In order, each block linked to what it came from.
        assert!(blocks.windows(2).all(|w| w[0].order < w[1].order));
        assert_eq!(blocks[3].message(), Some(MessageId(Uuid::from_u128(1))));
        assert!(matches!(&blocks[5].source, Some(Source::Heading { id }) if id.0 == "leadership"));
        let numbers = crate::report::recommendation_numbers(&blocks);
        assert_eq!(numbers[&blocks[4].id], 2);
    }

    #[test]
    fn drafting_again_offers_new_and_changed_messages_without_touching_the_draft() {
        let mut board = board();
        let mut blocks = draft(&board);
        blocks[6].text = "Rewritten by the facilitator.".into();
        assert!(
            additions(&board, &blocks).is_empty(),
            "a rewrite of the block is not an addition"
        );

        board
            .messages
            .get_mut(&MessageId(Uuid::from_u128(4)))
            .unwrap()
            .text = "message 4, reworded".into();
        let new = message(6, "finance", MessageKind::NotablePractice, "X");
        board.messages.insert(new.id, new);
        let recommendation = message(7, "leadership", MessageKind::Recommendation, "Y");
        board.messages.insert(recommendation.id, recommendation);
        let offered = additions(&board, &blocks);
        assert_eq!(offered.len(), 3);
        let reworded = offered
            .iter()
            .find(|a| a.message.0 == Uuid::from_u128(4))
            .unwrap();
        assert_eq!(reworded.changed, Some(blocks[9].id));
        assert_eq!(reworded.text, "message 4, reworded");
        let practice = offered
            .iter()
            .find(|a| a.message.0 == Uuid::from_u128(6))
            .unwrap();
        assert_eq!(practice.changed, None);
        assert_eq!(
            practice.after,
            Some(blocks[9].id),
            "the end of the finance section"
        );
        assert_eq!(practice.heading, "Financial planning and management");
        let rec = offered
            .iter()
            .find(|a| a.message.0 == Uuid::from_u128(7))
            .unwrap();
        assert_eq!(
            rec.after,
            Some(blocks[4].id),
            "after the last recommendation"
        );
        assert_eq!(blocks[6].text, "Rewritten by the facilitator.");
    }

    #[test]
    fn the_scale_of_the_work_reads_as_a_sentence() {
        let mut board = board();
        for (n, source, group, pair) in [
            (1, "Leader interview", "Councillors", Some(1)),
            (2, "leader interview", "councillors", Some(2)),
            (3, "Staff focus group", "Staff", Some(2)),
        ] {
            let note = Note {
                id: NoteId(Uuid::from_u128(n)),
                heading: None,
                order: "V".into(),
                text: "x".into(),
                kind: NoteKind::Strength,
                source: source.into(),
                session: None,
                stakeholder: group.into(),
                pair,
                author: "A".into(),
                tags: vec![],
                version: 1,
                deleted: false,
            };
            board.notes.insert(note.id, note);
        }
        let figures = ScaleFigures::from_board(&board);
        assert_eq!(
            figures,
            ScaleFigures {
                notes: 3,
                sessions: 2,
                groups: 2,
                pairs: 2,
                ..ScaleFigures::default()
            }
        );
        assert_eq!(
            scale_sentence(&figures),
            "The peer team, working in 2 pairs, took part in 2 sessions, heard from 2 stakeholder groups and recorded 3 observations during the on-site visit."
        );
        // With the timetable: the meetings, the people met and the hours.
        let timetable = crate::visit::Figures {
            meetings: 14,
            people: 62,
            hours: 17,
        };
        assert_eq!(
            scale_sentence(&figures.with_timetable(timetable)),
            "The peer team, working in 2 pairs, spoke to 62 people in 14 meetings and visits (17 hours), heard from 2 stakeholder groups and recorded 3 observations during the on-site visit."
        );
        assert_eq!(
            scale_sentence(&ScaleFigures::default()),
            "The peer team recorded 0 observations during the on-site visit."
        );
    }

    #[test]
    fn a_progress_review_report_gives_feedback_on_each_recommendation() {
        let board = board();
        let blocks = draft_progress(&board);
        let headings: Vec<&str> = blocks
            .iter()
            .filter(|b| b.kind == BlockKind::Heading)
            .map(|b| b.text.as_str())
            .collect();
        let sections: Vec<&str> = board.live_headings().map(|h| h.title.as_str()).collect();
        assert_eq!(&headings[..2], &[INTRODUCTION, APPROACH]);
        assert_eq!(
            &headings[2..headings.len() - 1],
            sections.as_slice(),
            "every recommendation, in order"
        );
        assert_eq!(headings.last(), Some(&NEXT_STEPS));
        assert!(!headings.contains(&KEY_RECOMMENDATIONS));
        let messages = blocks.iter().filter(|b| b.message().is_some()).count();
        assert_eq!(messages, board.messages.len(), "every key message, once");
    }
}
