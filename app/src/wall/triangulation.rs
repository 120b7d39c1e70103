//! Triangulation: how well a key message is evidenced, worked out from its notes (never typed),
//! and the order messages are presented in.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

pub use crate::wall::model::Strength;
use crate::wall::{Board, HeadingId, KeyMessage, MessageKind};

/// The marker a message carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Corroboration {
    /// No notes yet.
    NoEvidence,
    /// All its notes come from one session (or none says where): needs corroboration.
    SingleSource,
    /// Heard in two or more sessions.
    Corroborated,
    /// Heard in three or more sessions, from two or more stakeholder groups.
    Triangulated,
}

impl Corroboration {
    pub fn label(self) -> &'static str {
        match self {
            Corroboration::NoEvidence => "No evidence yet",
            Corroboration::SingleSource => "Needs corroboration",
            Corroboration::Corroborated => "Corroborated",
            Corroboration::Triangulated => "Well triangulated",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Corroboration::NoEvidence => "none",
            Corroboration::SingleSource => "single",
            Corroboration::Corroborated => "corroborated",
            Corroboration::Triangulated => "triangulated",
        }
    }
}

fn normalised(text: &str) -> Option<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    (!words.is_empty()).then(|| words.join(" ").to_lowercase())
}

impl Strength {
    /// The strength of `message` on `board` (sources and groups compared ignoring case and
    /// spaces); once the notes are destroyed, the strength it had then.
    pub fn of(board: &Board, message: &KeyMessage) -> Self {
        if let Some(frozen) = message.frozen {
            return frozen;
        }
        let mut seen = BTreeSet::new();
        let mut sources = BTreeSet::new();
        let mut stakeholders = BTreeSet::new();
        let mut pairs = BTreeSet::new();
        for id in &message.evidence {
            let Some(note) = board.notes.get(id).filter(|note| !note.deleted) else {
                continue;
            };
            if !seen.insert(*id) {
                continue;
            }
            // A session of the timetable counts once however its title was typed.
            sources.extend(
                note.session
                    .map(|session| format!("session {session}"))
                    .or_else(|| normalised(&note.source)),
            );
            stakeholders.extend(normalised(&note.stakeholder));
            pairs.extend(note.pair);
        }
        Self {
            notes: seen.len(),
            sources: sources.len(),
            stakeholders: stakeholders.len(),
            pairs: pairs.len(),
        }
    }

    pub fn corroboration(&self) -> Corroboration {
        if self.notes == 0 {
            Corroboration::NoEvidence
        } else if self.sources <= 1 {
            Corroboration::SingleSource
        } else if self.sources >= 3 && self.stakeholders >= 2 {
            Corroboration::Triangulated
        } else {
            Corroboration::Corroborated
        }
    }

    /// One line for a card: "4 notes · 3 sessions · 2 groups · 2 pairs".
    pub fn summary(&self, with_pairs: bool) -> String {
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let mut parts = vec![
            plural(self.notes, "note", "notes"),
            plural(self.sources, "session", "sessions"),
            plural(self.stakeholders, "group", "groups"),
        ];
        if with_pairs {
            parts.push(plural(self.pairs, "pair", "pairs"));
        }
        parts.join(" · ")
    }
}

/// A heading's live messages as the round-table hears them: strengths, then notable practice,
/// then areas for improvement, recommendations last; within a kind, in the team's order.
pub fn presentation_order<'a>(board: &'a Board, heading: &HeadingId) -> Vec<&'a KeyMessage> {
    let mut messages = board.messages_in(heading);
    // A stable sort keeps the team's order within a kind.
    messages.sort_by_key(|message| kind_rank(message.kind));
    messages
}

fn kind_rank(kind: MessageKind) -> usize {
    MessageKind::ALL
        .iter()
        .position(|k| *k == kind)
        .unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use uuid::Uuid;

    use super::*;
    use crate::wall::{MessageId, Note, NoteId, NoteKind};

    fn note(n: u128, source: &str, stakeholder: &str, pair: Option<i64>) -> Note {
        Note {
            id: NoteId(Uuid::from_u128(n)),
            heading: None,
            order: "V".into(),
            text: format!("note {n}"),
            kind: NoteKind::Strength,
            source: source.into(),
            session: None,
            stakeholder: stakeholder.into(),
            pair,
            author: "Helen Marsh".into(),
            tags: vec![],
            version: 1,
            deleted: false,
        }
    }

    fn message(n: u128, kind: MessageKind, order: &str, evidence: &[u128]) -> KeyMessage {
        KeyMessage {
            id: MessageId(Uuid::from_u128(n)),
            heading: HeadingId("leadership".into()),
            order: order.into(),
            text: format!("message {n}"),
            kind,
            evidence: evidence
                .iter()
                .map(|n| NoteId(Uuid::from_u128(*n)))
                .collect(),
            votes: BTreeMap::new(),
            version: 1,
            deleted: false,
            frozen: None,
        }
    }

    fn board(notes: Vec<Note>) -> Board {
        let mut board = Board::default();
        for note in notes {
            board.notes.insert(note.id, note);
        }
        board
    }

    #[test]
    fn sessions_of_the_timetable_count_by_identity_not_by_their_typed_title() {
        let session = |n| Some(crate::visit::SessionId(Uuid::from_u128(n)));
        let tied = |n, source: &str, at| Note {
            session: at,
            ..note(n, source, "Staff", Some(1))
        };
        // One session typed two ways is one; two sessions with the same title (two days'
        // team briefings) are two; free text with that title is a third source.
        let board = board(vec![
            tied(1, "Staff focus group", session(100)),
            tied(2, "Staff group", session(100)),
            tied(3, "Team briefing", session(101)),
            tied(4, "Team briefing", session(102)),
            tied(5, "Team briefing", None),
        ]);
        let count = |evidence: &[u128]| {
            Strength::of(&board, &message(10, MessageKind::Strength, "V", evidence)).sources
        };
        assert_eq!(count(&[1, 2]), 1);
        assert_eq!(count(&[3, 4]), 2);
        assert_eq!(count(&[3, 4, 5]), 3);
    }

    #[test]
    fn strength_counts_distinct_sessions_groups_and_pairs() {
        let mut board = board(vec![
            note(1, "Leader interview", "Councillors", Some(1)),
            note(2, "  leader   INTERVIEW ", "councillors", Some(2)),
            note(3, "Staff focus group", "Staff", Some(2)),
            note(4, "", "", None),
        ]);
        let evidence = message(10, MessageKind::Strength, "V", &[1, 2, 3, 4, 1]);
        let strength = Strength::of(&board, &evidence);
        assert_eq!(
            strength,
            Strength {
                notes: 4,
                sources: 2,
                stakeholders: 2,
                pairs: 2
            }
        );
        assert_eq!(strength.corroboration(), Corroboration::Corroborated);
        assert_eq!(
            strength.summary(true),
            "4 notes · 2 sessions · 2 groups · 2 pairs"
        );
        assert_eq!(strength.summary(false), "4 notes · 2 sessions · 2 groups");
        // A deleted note stops counting.
        board
            .notes
            .get_mut(&NoteId(Uuid::from_u128(3)))
            .unwrap()
            .deleted = true;
        let strength = Strength::of(&board, &evidence);
        assert_eq!((strength.notes, strength.sources), (3, 1));
        assert_eq!(strength.corroboration(), Corroboration::SingleSource);
    }

    #[test]
    fn corroboration_marks_single_sources_and_rewards_triangulation() {
        let board = board(vec![
            note(1, "Leader interview", "Councillors", Some(1)),
            note(2, "Leader interview", "Councillors", Some(1)),
            note(3, "Partners workshop", "Partners", Some(2)),
            note(4, "Staff focus group", "Staff", Some(3)),
            note(5, "", "Residents", None),
            note(6, "Chief executive", "Senior officers", Some(1)),
            note(7, "Cabinet", "Councillors", Some(1)),
        ]);
        let level = |evidence: &[u128]| {
            Strength::of(&board, &message(9, MessageKind::Strength, "V", evidence)).corroboration()
        };
        assert_eq!(level(&[]), Corroboration::NoEvidence);
        assert_eq!(level(&[99]), Corroboration::NoEvidence, "unknown notes");
        assert_eq!(level(&[1, 2]), Corroboration::SingleSource);
        assert_eq!(level(&[5]), Corroboration::SingleSource, "no source given");
        assert_eq!(level(&[1, 3]), Corroboration::Corroborated);
        assert_eq!(level(&[1, 3, 4]), Corroboration::Triangulated);
        // Three sessions but one group is corroborated, not triangulated.
        assert_eq!(level(&[1, 7, 7]), Corroboration::Corroborated);
        assert_eq!(level(&[1, 6, 7]), Corroboration::Triangulated);
    }

    #[test]
    fn presentation_puts_strengths_first_and_recommendations_last() {
        let mut board = Board::default();
        for m in [
            message(1, MessageKind::Recommendation, "V", &[]),
            message(2, MessageKind::AreaForImprovement, "W", &[]),
            message(3, MessageKind::Strength, "X", &[]),
            message(4, MessageKind::NotablePractice, "U", &[]),
            message(5, MessageKind::Strength, "T", &[]),
            message(6, MessageKind::AreaForImprovement, "S", &[]),
        ] {
            board.messages.insert(m.id, m);
        }
        let mut deleted = message(7, MessageKind::Strength, "A", &[]);
        deleted.deleted = true;
        board.messages.insert(deleted.id, deleted);
        let mut elsewhere = message(8, MessageKind::Strength, "A", &[]);
        elsewhere.heading = HeadingId("finance".into());
        board.messages.insert(elsewhere.id, elsewhere);
        let order: Vec<u128> = presentation_order(&board, &HeadingId("leadership".into()))
            .iter()
            .map(|m| m.id.0.as_u128())
            .collect();
        assert_eq!(order, [5, 3, 4, 6, 2, 1]);
        // The wall itself keeps the team's order.
        let wall: Vec<u128> = board
            .messages_in(&HeadingId("leadership".into()))
            .iter()
            .map(|m| m.id.0.as_u128())
            .collect();
        assert_eq!(wall, [6, 5, 4, 1, 2, 3]);
    }
}
