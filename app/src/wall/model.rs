//! The findings wall's state, shared by browser and server: headings, notes, and the one function
//! that applies a change to a board. The server's board task and every browser run the same
//! `Board::apply` over the same events in sequence order, so they converge by construction.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::accounts::PersonId;

uuid_id! {
    /// Identifies a note. Made by the browser that writes the note, so it can be shown (and queued)
    /// before the server has seen it.
    pub struct NoteId;
}

/// Identifies a heading (a column of the wall): the key of its database record. A heading added
/// on the wall gets a UUID made by the browser; the server accepts 1 to 64 letters, digits and
/// hyphens.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct HeadingId(pub String);

impl HeadingId {
    /// A fresh id for a heading added on the wall.
    pub fn new() -> Self {
        Self(Uuid::new_v4().to_string())
    }

    /// Whether the id is one the server accepts.
    pub fn is_valid(&self) -> bool {
        (1..=64).contains(&self.0.len())
            && self
                .0
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    }
}

impl Default for HeadingId {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Display for HeadingId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

named_enum! {
    /// What a note records (../shared/DOMAIN.md). Each has a colour *and* a label on the wall.
    #[derive(PartialOrd, Ord)]
    pub enum NoteKind {
        Strength = "strength" => "Strength",
        AreaForImprovement = "area_for_improvement" => "Area for improvement",
        Suggestion = "suggestion" => "Suggestion",
        NotablePractice = "notable_practice" => "Notable practice",
        Question = "question" => "Question",
    }
}

uuid_id! {
    /// Identifies a key message. Made by the browser that adds it, like a note's id.
    pub struct MessageId;
}

named_enum! {
    /// What a key message is, in the order the round-table hears them: strengths first,
    /// recommendations last.
    #[derive(PartialOrd, Ord)]
    pub enum MessageKind {
        Strength = "strength" => "Strength",
        NotablePractice = "notable_practice" => "Notable practice",
        AreaForImprovement = "area_for_improvement" => "Area for improvement",
        Recommendation = "recommendation" => "Recommendation",
    }
}

/// A key message: a one-sentence finding under a heading, with the notes that evidence it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyMessage {
    pub id: MessageId,
    pub heading: HeadingId,
    /// Its place among the heading's messages (see `wall::order`).
    pub order: String,
    pub text: String,
    pub kind: MessageKind,
    /// The notes it rests on, in the order they were added; a note may support several messages.
    pub evidence: Vec<NoteId>,
    /// Dot votes, by person: how many of their votes they put here.
    #[serde(default)]
    pub votes: BTreeMap<PersonId, u32>,
    pub version: u64,
    pub deleted: bool,
    /// Its strength as it stood when the notes were destroyed (retention): from then on it
    /// is shown as it was, since the evidence is gone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frozen: Option<Strength>,
}

/// How many distinct places a message's evidence comes from (`wall::triangulation` works it
/// out). Deleted notes do not count, and neither do blank sources or groups.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Strength {
    /// Live notes supporting it.
    pub notes: usize,
    /// Distinct interviews or focus groups they were heard at.
    pub sources: usize,
    /// Distinct stakeholder groups speaking.
    pub stakeholders: usize,
    /// Distinct pairs that heard them.
    pub pairs: usize,
}

impl KeyMessage {
    /// All the votes on it.
    pub fn vote_total(&self) -> u32 {
        self.votes.values().sum()
    }
}

/// How the facilitator has set the wall up for triangulation, and where the round-table
/// presentation stands (its slide and quote are board state, so the room and every follower see
/// the same thing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WallSettings {
    /// Read-only for everyone but the facilitator and team lead (while the presentation is prepared).
    pub locked: bool,
    /// Dot votes each member of the team may place.
    pub votes_per_person: u32,
    /// Whether everyone sees the vote counts (until then each sees only their own dots).
    pub votes_revealed: bool,
    /// The heading the round-table presentation is showing, if it has started.
    #[serde(default)]
    pub slide: Option<HeadingId>,
    /// A note the presenter chose to show as a quote on the current slide.
    #[serde(default)]
    pub quote: Option<NoteId>,
    /// Whether the presentation is being given to the room: host roles and observers follow
    /// the slides only while it is (the peer team always sees them).
    #[serde(default)]
    pub presenting: bool,
    /// Whether the facilitator has published the key messages (the handout) to host roles and
    /// observers; until then they see them only while the presentation is given.
    #[serde(default)]
    pub handout_published: bool,
}

impl Default for WallSettings {
    fn default() -> Self {
        Self {
            locked: false,
            votes_per_person: 3,
            votes_revealed: false,
            slide: None,
            quote: None,
            presenting: false,
            handout_published: false,
        }
    }
}

/// A post-it note on the wall.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    pub id: NoteId,
    /// The heading it sits under; `None` is the Unsorted inbox.
    pub heading: Option<HeadingId>,
    /// Its place within the heading (see `wall::order`).
    pub order: String,
    pub text: String,
    pub kind: NoteKind,
    /// The interview or focus group it came from, as written ("heard at").
    pub source: String,
    /// The timetable's session it came from, when it is one (`source` is then its title).
    #[serde(default)]
    pub session: Option<crate::visit::SessionId>,
    /// Who was speaking: councillors, senior officers, partners, staff, residents…
    pub stakeholder: String,
    /// The pair that wrote it; the peer team sees it, the host never does.
    pub pair: Option<i64>,
    /// Who wrote it, by name; the peer team's eyes only.
    pub author: String,
    pub tags: Vec<String>,
    /// Goes up by one at every change of the note's text or details.
    pub version: u64,
    /// Deleted notes stay until the board is destroyed, so a delete can be undone.
    pub deleted: bool,
}

impl Note {
    /// The note with nothing left of what was heard, or by whom: deleted, blank.
    pub fn redacted(&self) -> Note {
        Note {
            text: String::new(),
            source: String::new(),
            session: None,
            stakeholder: String::new(),
            pair: None,
            author: String::new(),
            tags: Vec::new(),
            deleted: true,
            ..self.clone()
        }
    }
}

/// A heading (column) of the wall.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Heading {
    pub id: HeadingId,
    pub title: String,
    /// Left to right.
    pub position: i64,
    pub archived: bool,
}

/// A change to the board, as committed by the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Change {
    /// A note was created, edited, moved, deleted or restored: its whole new state.
    Note { note: Note },
    /// A heading was added or renamed.
    Heading { heading: Heading },
    /// The headings' new order, left to right (every live heading, once).
    HeadingsOrdered { order: Vec<HeadingId> },
    /// A heading was archived; its notes moved to Unsorted, each with its new state.
    HeadingArchived {
        heading: HeadingId,
        moved: Vec<Note>,
    },
    /// A key message was added, edited, moved, evidenced, voted on, deleted or restored.
    Message { message: KeyMessage },
    /// The wall's lock or voting changed.
    Settings { settings: WallSettings },
    /// The notes were destroyed under the retention policy (`on`, a date as people read it):
    /// every note goes, and each message keeps the strength it had (`strengths`).
    NotesDestroyed {
        on: String,
        strengths: BTreeMap<MessageId, Strength>,
    },
    /// An account was erased: these notes stay, written by `FORMER_MEMBER`.
    AuthorErased { notes: Vec<NoteId> },
}

/// Who wrote a note once its author's account is erased.
pub const FORMER_MEMBER: &str = "a former member";

impl Change {
    /// The change as the event log keeps it once the notes are destroyed: a note's text,
    /// source, session, group, pair, author and tags go (its id, place and kind stay, so the
    /// log still replays); `None` when nothing in it concerns a note.
    pub fn redacted(&self) -> Option<Change> {
        match self {
            Change::Note { note } => Some(Change::Note {
                note: note.redacted(),
            }),
            Change::HeadingArchived { heading, moved } if !moved.is_empty() => {
                Some(Change::HeadingArchived {
                    heading: heading.clone(),
                    moved: moved.iter().map(Note::redacted).collect(),
                })
            }
            _ => None,
        }
    }

    /// The change as the event log keeps it once the author of `notes` is erased: their name
    /// gone from those notes; `None` when it holds none of them.
    pub fn with_author_erased(&self, notes: &[NoteId]) -> Option<Change> {
        let erase = |note: &Note| Note {
            author: FORMER_MEMBER.into(),
            ..note.clone()
        };
        match self {
            Change::Note { note } if notes.contains(&note.id) => {
                Some(Change::Note { note: erase(note) })
            }
            Change::HeadingArchived { heading, moved }
                if moved.iter().any(|note| notes.contains(&note.id)) =>
            {
                Some(Change::HeadingArchived {
                    heading: heading.clone(),
                    moved: (moved.iter())
                        .map(|note| {
                            if notes.contains(&note.id) {
                                erase(note)
                            } else {
                                note.clone()
                            }
                        })
                        .collect(),
                })
            }
            _ => None,
        }
    }
}

/// The whole wall of one review at one sequence number.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Board {
    /// The sequence number of the last event applied.
    pub seq: u64,
    pub headings: Vec<Heading>,
    pub notes: BTreeMap<NoteId, Note>,
    #[serde(default)]
    pub messages: BTreeMap<MessageId, KeyMessage>,
    #[serde(default)]
    pub settings: WallSettings,
    /// While votes are hidden: the votes cast in all on live messages. The server sends each
    /// person a board whose messages carry only that person's own votes, and this total with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub votes_cast: Option<u32>,
    /// When the notes were destroyed under the retention policy (a date as people read it):
    /// the wall then holds headings and key messages only, and takes no notes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes_destroyed: Option<String>,
}

impl Board {
    /// The votes cast in all on live messages.
    pub fn votes_cast(&self) -> u32 {
        self.votes_cast.unwrap_or_else(|| {
            self.messages
                .values()
                .filter(|message| !message.deleted)
                .map(KeyMessage::vote_total)
                .sum()
        })
    }

    /// The board as `person` may see it: until the facilitator reveals the votes, each message
    /// carries only `person`'s own, with the total cast in all beside them.
    pub fn as_seen_by(&self, person: PersonId) -> Board {
        self.clone().into_seen_by(person)
    }

    /// `as_seen_by` on a board already copied for `person`.
    pub fn into_seen_by(mut self, person: PersonId) -> Board {
        if !self.settings.votes_revealed {
            self.votes_cast = Some(self.votes_cast());
            for message in self.messages.values_mut() {
                message.votes.retain(|voter, _| *voter == person);
            }
        }
        self
    }

    /// Applies one committed change. Total: any change applies to any board without panicking,
    /// so a browser that missed something converges on the next snapshot rather than crashing.
    pub fn apply(&mut self, change: &Change) {
        match change {
            Change::Note { note } => {
                self.notes.insert(note.id, note.clone());
            }
            Change::Heading { heading } => {
                match self.headings.iter_mut().find(|h| h.id == heading.id) {
                    Some(existing) => *existing = heading.clone(),
                    None => self.headings.push(heading.clone()),
                }
                self.sort_headings();
            }
            Change::HeadingsOrdered { order } => {
                for heading in &mut self.headings {
                    if let Some(position) = order.iter().position(|id| *id == heading.id) {
                        heading.position = position as i64;
                    }
                }
                self.sort_headings();
            }
            Change::HeadingArchived { heading, moved } => {
                if let Some(existing) = self.headings.iter_mut().find(|h| h.id == *heading) {
                    existing.archived = true;
                }
                for note in moved {
                    self.notes.insert(note.id, note.clone());
                }
            }
            Change::Message { message } => {
                self.messages.insert(message.id, message.clone());
            }
            Change::Settings { settings } => self.settings = settings.clone(),
            Change::NotesDestroyed { on, strengths } => {
                self.notes.clear();
                for (id, message) in &mut self.messages {
                    message.evidence.clear();
                    message.frozen = Some(strengths.get(id).copied().unwrap_or_default());
                }
                self.settings.quote = None;
                self.notes_destroyed = Some(on.clone());
            }
            Change::AuthorErased { notes } => {
                for id in notes {
                    if let Some(note) = self.notes.get_mut(id) {
                        note.author = FORMER_MEMBER.into();
                    }
                }
            }
        }
    }

    fn sort_headings(&mut self) {
        self.headings
            .sort_by(|a, b| a.position.cmp(&b.position).then(a.id.cmp(&b.id)));
    }

    /// The live headings, left to right.
    pub fn live_headings(&self) -> impl Iterator<Item = &Heading> {
        self.headings.iter().filter(|heading| !heading.archived)
    }

    /// The live notes under `heading` (`None`: Unsorted), top to bottom.
    pub fn notes_in(&self, heading: Option<&HeadingId>) -> Vec<&Note> {
        let mut notes: Vec<&Note> = self
            .notes
            .values()
            .filter(|note| !note.deleted && note.heading.as_ref() == heading)
            .collect();
        notes.sort_by(|a, b| a.order.cmp(&b.order).then(a.id.cmp(&b.id)));
        notes
    }

    /// The live key messages under `heading`, in the team's order.
    pub fn messages_in(&self, heading: &HeadingId) -> Vec<&KeyMessage> {
        let mut messages: Vec<&KeyMessage> = self
            .messages
            .values()
            .filter(|message| !message.deleted && message.heading == *heading)
            .collect();
        messages.sort_by(|a, b| a.order.cmp(&b.order).then(a.id.cmp(&b.id)));
        messages
    }

    /// The ordering key for a message placed under `heading` before `before` (at the end when
    /// `None`), leaving `moving` out of the neighbours.
    pub fn message_order_for(
        &self,
        heading: &HeadingId,
        before: Option<MessageId>,
        moving: Option<MessageId>,
    ) -> String {
        let column: Vec<&KeyMessage> = self
            .messages_in(heading)
            .into_iter()
            .filter(|message| Some(message.id) != moving)
            .collect();
        let at = before
            .and_then(|before| column.iter().position(|message| message.id == before))
            .unwrap_or(column.len());
        let previous = at.checked_sub(1).map(|i| column[i].order.as_str());
        let next = column.get(at).map(|message| message.order.as_str());
        crate::wall::order::key_between(previous, next)
    }

    /// Where a live message lands moved `by` places up (negative) or down among its heading's
    /// messages: its heading and the message it goes before (None: the end); None when it is
    /// already at that end (or gone).
    pub fn nudge_message(
        &self,
        message: MessageId,
        by: isize,
    ) -> Option<(HeadingId, Option<MessageId>)> {
        let heading = self.messages.get(&message)?.heading.clone();
        let column: Vec<MessageId> = self.messages_in(&heading).iter().map(|m| m.id).collect();
        let at = column.iter().position(|id| *id == message)? as isize;
        let to = at + by;
        if by == 0 || to < 0 || to as usize >= column.len() {
            return None;
        }
        // Moving up goes before the message now at `to`; moving down, before the one after it.
        let before = if by < 0 {
            Some(column[to as usize])
        } else {
            column.get(to as usize + 1).copied()
        };
        Some((heading, before))
    }

    /// The notes that evidence at least one live key message.
    pub fn notes_in_use(&self) -> std::collections::BTreeSet<NoteId> {
        self.messages
            .values()
            .filter(|message| !message.deleted)
            .flat_map(|message| message.evidence.iter().copied())
            .collect()
    }

    /// How many of their votes `person` has placed on live messages.
    pub fn votes_used_by(&self, person: PersonId) -> u32 {
        self.messages
            .values()
            .filter(|message| !message.deleted)
            .filter_map(|message| message.votes.get(&person))
            .sum()
    }

    /// How many notes are on the board and not deleted.
    pub fn live_note_count(&self) -> usize {
        self.notes.values().filter(|note| !note.deleted).count()
    }

    /// The ordering key for a note placed under `heading` just before `before` (at the end when
    /// `None`), leaving `moving` itself out of the neighbours.
    pub fn order_for(
        &self,
        heading: Option<&HeadingId>,
        before: Option<NoteId>,
        moving: Option<NoteId>,
    ) -> String {
        let column: Vec<&Note> = self
            .notes_in(heading)
            .into_iter()
            .filter(|note| Some(note.id) != moving)
            .collect();
        let at = before
            .and_then(|before| column.iter().position(|note| note.id == before))
            .unwrap_or(column.len());
        let previous = at.checked_sub(1).map(|i| column[i].order.as_str());
        let next = column.get(at).map(|note| note.order.as_str());
        crate::wall::order::key_between(previous, next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn note(n: u128, heading: Option<HeadingId>, order: &str) -> Note {
        Note {
            id: NoteId(Uuid::from_u128(n)),
            heading,
            order: order.into(),
            text: format!("note {n}"),
            kind: NoteKind::Strength,
            source: "Leader interview".into(),
            session: None,
            stakeholder: "Councillors".into(),
            pair: Some(1),
            author: "Helen Marsh".into(),
            tags: vec![],
            version: 1,
            deleted: false,
        }
    }

    #[test]
    fn notes_list_in_order_within_their_heading() {
        let heading = HeadingId("governance".into());
        let mut board = Board::default();
        for (n, order) in [(1, "W"), (2, "V"), (3, "X")] {
            board.apply(&Change::Note {
                note: note(n, Some(heading.clone()), order),
            });
        }
        board.apply(&Change::Note {
            note: note(4, None, "V"),
        });
        let ids: Vec<u128> = board
            .notes_in(Some(&heading))
            .iter()
            .map(|n| n.id.0.as_u128())
            .collect();
        assert_eq!(ids, [2, 1, 3]);
        assert_eq!(board.notes_in(None).len(), 1);
    }

    #[test]
    fn destroying_the_notes_keeps_each_messages_strength_and_blanks_the_log() {
        let mut board = Board::default();
        board.apply(&Change::Note {
            note: note(1, None, "V"),
        });
        let id = MessageId(Uuid::from_u128(9));
        board.messages.insert(
            id,
            KeyMessage {
                id,
                heading: HeadingId("leadership".into()),
                order: "V".into(),
                text: "Leadership is visible.".into(),
                kind: MessageKind::Strength,
                evidence: vec![NoteId(Uuid::from_u128(1))],
                votes: BTreeMap::new(),
                version: 1,
                deleted: false,
                frozen: None,
            },
        );
        board.settings.quote = Some(NoteId(Uuid::from_u128(1)));
        let strength = Strength {
            notes: 1,
            sources: 1,
            stakeholders: 1,
            pairs: 1,
        };
        board.apply(&Change::NotesDestroyed {
            on: "1 March 2027".into(),
            strengths: BTreeMap::from([(id, strength)]),
        });
        assert!(board.notes.is_empty());
        assert_eq!(board.messages[&id].frozen, Some(strength));
        assert!(board.messages[&id].evidence.is_empty());
        assert_eq!(board.settings.quote, None);
        assert_eq!(board.notes_destroyed.as_deref(), Some("1 March 2027"));

        // The log keeps a note's place, nothing of what was heard or by whom.
        let Some(Change::Note { note: blank }) = (Change::Note {
            note: note(1, None, "V"),
        })
        .redacted() else {
            panic!("a note event is blanked");
        };
        assert_eq!(
            (blank.id, blank.order.as_str()),
            (NoteId(Uuid::from_u128(1)), "V")
        );
        assert!(blank.text.is_empty() && blank.source.is_empty() && blank.author.is_empty());
        assert!(blank.stakeholder.is_empty() && blank.pair.is_none() && blank.deleted);
        let heading = Change::Heading {
            heading: Heading {
                id: HeadingId("x".into()),
                title: "X".into(),
                position: 0,
                archived: false,
            },
        };
        assert_eq!(heading.redacted(), None, "nothing of a note in it");
    }

    #[test]
    fn an_erased_author_leaves_their_notes_by_a_former_member() {
        let mut board = Board::default();
        let (hers, theirs) = (note(1, None, "V"), note(2, None, "W"));
        board.apply(&Change::Note { note: hers.clone() });
        board.apply(&Change::Note {
            note: theirs.clone(),
        });
        let erased = [hers.id];
        board.apply(&Change::AuthorErased {
            notes: erased.to_vec(),
        });
        assert_eq!(board.notes[&hers.id].author, FORMER_MEMBER);
        assert_eq!(board.notes[&hers.id].text, hers.text, "the note stays");
        // The log loses the name where it stood, and only there.
        let Some(Change::Note { note: rewritten }) =
            (Change::Note { note: hers }).with_author_erased(&erased)
        else {
            panic!("her note's event is rewritten");
        };
        assert_eq!(rewritten.author, FORMER_MEMBER);
        assert_eq!(
            (Change::Note { note: theirs }).with_author_erased(&erased),
            None
        );
    }

    #[test]
    fn placing_a_note_uses_its_new_neighbours_not_itself() {
        let mut board = Board::default();
        for (n, order) in [(1, "V"), (2, "W"), (3, "X")] {
            board.apply(&Change::Note {
                note: note(n, None, order),
            });
        }
        // Move note 3 before note 2: between V and W.
        let key = board.order_for(
            None,
            Some(NoteId(Uuid::from_u128(2))),
            Some(NoteId(Uuid::from_u128(3))),
        );
        assert!("V" < key.as_str() && key.as_str() < "W", "{key}");
        // At the end, leaving note 3 out: after W.
        let key = board.order_for(None, None, Some(NoteId(Uuid::from_u128(3))));
        assert!(key.as_str() > "W", "{key}");
    }

    #[test]
    fn archiving_a_heading_keeps_its_notes_in_unsorted() {
        let heading = HeadingId("governance".into());
        let mut board = Board::default();
        board.apply(&Change::Heading {
            heading: Heading {
                id: heading.clone(),
                title: "Governance".into(),
                position: 0,
                archived: false,
            },
        });
        board.apply(&Change::Note {
            note: note(1, Some(heading.clone()), "V"),
        });
        board.apply(&Change::HeadingArchived {
            heading,
            moved: vec![note(1, None, "V")],
        });
        assert_eq!(board.live_headings().count(), 0);
        assert_eq!(board.notes_in(None).len(), 1);
        assert_eq!(board.live_note_count(), 1);
    }

    #[test]
    fn a_message_is_nudged_one_place_and_not_past_either_end() {
        let heading = HeadingId("leadership".into());
        let mut board = Board::default();
        let ids: Vec<MessageId> = (1..=3).map(|n| MessageId(Uuid::from_u128(n))).collect();
        for (id, order) in ids.iter().zip(["V", "W", "X"]) {
            board.messages.insert(
                *id,
                KeyMessage {
                    id: *id,
                    heading: heading.clone(),
                    order: order.into(),
                    text: "m".into(),
                    kind: MessageKind::Strength,
                    evidence: vec![],
                    votes: BTreeMap::new(),
                    version: 1,
                    deleted: false,
                    frozen: None,
                },
            );
        }
        let before = |place: Option<(HeadingId, Option<MessageId>)>| {
            place.map(|(to, before)| {
                assert_eq!(to, heading);
                before
            })
        };
        // The middle one: up goes before the first, down before nothing (the end).
        assert_eq!(before(board.nudge_message(ids[1], -1)), Some(Some(ids[0])));
        assert_eq!(before(board.nudge_message(ids[0], 1)), Some(Some(ids[2])));
        assert_eq!(before(board.nudge_message(ids[1], 1)), Some(None));
        // Not past the ends, not for a message that is not there.
        assert_eq!(before(board.nudge_message(ids[0], -1)), None);
        assert_eq!(before(board.nudge_message(ids[2], 1)), None);
        assert_eq!(before(board.nudge_message(MessageId(Uuid::nil()), 1)), None);
    }

    #[test]
    fn headings_reorder_by_the_given_order() {
        let ids: Vec<HeadingId> = (0..3).map(|n| HeadingId(format!("h{n}"))).collect();
        let mut board = Board::default();
        for (position, id) in ids.iter().enumerate() {
            board.apply(&Change::Heading {
                heading: Heading {
                    id: id.clone(),
                    title: format!("H{position}"),
                    position: position as i64,
                    archived: false,
                },
            });
        }
        board.apply(&Change::HeadingsOrdered {
            order: vec![ids[2].clone(), ids[0].clone(), ids[1].clone()],
        });
        let titles: Vec<&str> = board.live_headings().map(|h| h.title.as_str()).collect();
        assert_eq!(titles, ["H2", "H0", "H1"]);
    }
}
