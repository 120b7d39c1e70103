//! The wall's websocket wire protocol: JSON text frames, commands up and events down.
//!
//! A browser opens `/ws/reviews/<id>/wall`, sends `Hello` with the last sequence number it
//! has (if any) and gets `Welcome` with a snapshot or the events it missed. Each `Command` carries
//! a client operation id; the server applies an operation once, however often it is resent, and
//! answers `Ack` (with the event's sequence number) or `Rejected`. Every committed change reaches
//! every open copy of the wall as an `Event`, in sequence order. Presence is broadcast only.

use serde::{Deserialize, Serialize};

use crate::accounts::PersonId;
use crate::error::{AppError, ErrorCode};
use crate::membership::Action;
use crate::wall::{Board, Change, HeadingId, MessageId, MessageKind, Note, NoteId, NoteKind};

/// Bumped when a message changes shape; a client with another version is told to reload.
pub const PROTOCOL_VERSION: u32 = 1;

/// Longest text frame the server reads; a longer one gets an `Error` and is dropped.
pub const MAX_FRAME_BYTES: usize = 16 * 1024;
/// Longest note, in characters (checked in the browser too).
pub const MAX_NOTE_CHARS: usize = 500;
/// Longest source session or stakeholder group, in characters.
pub const MAX_DETAIL_CHARS: usize = 120;
/// Most tags on a note, and the longest tag.
pub const MAX_TAGS: usize = 8;
pub const MAX_TAG_CHARS: usize = 40;
/// Longest heading title.
pub const MAX_HEADING_CHARS: usize = 200;
/// Most notes on one board, deleted ones included.
pub const MAX_NOTES_PER_BOARD: usize = 5_000;
/// Most headings on one board, archived ones included.
pub const MAX_HEADINGS_PER_BOARD: usize = 60;
/// Longest key message, in characters: one sentence.
pub const MAX_MESSAGE_CHARS: usize = 300;
/// Most key messages on one board, deleted ones included.
pub const MAX_MESSAGES_PER_BOARD: usize = 300;
/// Most notes evidencing one message.
pub const MAX_EVIDENCE: usize = 200;
/// Most dot votes a person may be given.
pub const MAX_VOTES_PER_PERSON: u32 = 20;
/// Commands a connection may send per second, sustained, and in a burst (a person drags a
/// few notes a second at most; a script sending more is slowed, and a board's queue is
/// bounded anyway).
pub const COMMANDS_PER_SECOND: f64 = 50.0;
pub const COMMAND_BURST: f64 = 100.0;
/// A client this far behind gets a snapshot instead of a replay.
pub const MAX_REPLAY: u64 = 500;

uuid_id! {
    /// A client operation id: unique per operation, kept across resends.
    pub struct OpId;
}

/// What a note says and is about; the server adds its author, pair and version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteFields {
    pub text: String,
    pub kind: NoteKind,
    #[serde(default)]
    pub source: String,
    /// The timetable's session it was heard at (the server checks it is this review's).
    #[serde(default)]
    pub session: Option<crate::visit::SessionId>,
    #[serde(default)]
    pub stakeholder: String,
    #[serde(default)]
    pub tags: Vec<String>,
}

/// Changes to a note's details; absent fields stay as they are (last writer wins per field).
/// A text change names the version it was made on, so two people rewriting one note at once
/// never lose a word silently: the second is rejected with both versions to choose from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteEdit {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<NoteKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stakeholder: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
}

/// Something a client asks the board to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Command {
    /// A new note under `heading` (None: Unsorted), at the end or before `before`.
    CreateNote {
        note: NoteId,
        heading: Option<HeadingId>,
        #[serde(default)]
        before: Option<NoteId>,
        fields: NoteFields,
    },
    EditNote {
        note: NoteId,
        /// The version the text change was made on.
        base_version: u64,
        edit: NoteEdit,
    },
    /// Moves a note under `heading`, before `before` (at the end when None).
    MoveNote {
        note: NoteId,
        heading: Option<HeadingId>,
        #[serde(default)]
        before: Option<NoteId>,
    },
    DeleteNote {
        note: NoteId,
    },
    /// Undoes a delete.
    RestoreNote {
        note: NoteId,
    },
    AddHeading {
        heading: HeadingId,
        title: String,
    },
    RenameHeading {
        heading: HeadingId,
        title: String,
    },
    /// Moves a heading to `index` among the live headings, left to right.
    MoveHeading {
        heading: HeadingId,
        index: usize,
    },
    /// Archives a heading; its notes go to Unsorted, never away.
    ArchiveHeading {
        heading: HeadingId,
    },
    /// A new key message under `heading`, at the end or before `before`.
    AddMessage {
        message: MessageId,
        heading: HeadingId,
        #[serde(default)]
        before: Option<MessageId>,
        text: String,
        kind: MessageKind,
    },
    /// Rewrites a message or changes its kind (absent fields stay).
    EditMessage {
        message: MessageId,
        #[serde(default)]
        text: Option<String>,
        #[serde(default)]
        kind: Option<MessageKind>,
    },
    /// Moves a message under `heading`, before `before` (at the end when None).
    MoveMessage {
        message: MessageId,
        heading: HeadingId,
        #[serde(default)]
        before: Option<MessageId>,
    },
    DeleteMessage {
        message: MessageId,
    },
    RestoreMessage {
        message: MessageId,
    },
    /// Adds a note to a message's evidence.
    AddEvidence {
        message: MessageId,
        note: NoteId,
    },
    RemoveEvidence {
        message: MessageId,
        note: NoteId,
    },
    /// Puts one of the sender's dot votes on a message.
    Vote {
        message: MessageId,
    },
    /// Takes one of the sender's votes back off a message.
    Unvote {
        message: MessageId,
    },
    /// Locks the wall (read-only for all but the facilitator and team lead) or unlocks it.
    LockWall {
        locked: bool,
    },
    /// Sets the votes each person has, and whether the counts are shown to everyone.
    SetVoting {
        votes_per_person: u32,
        revealed: bool,
    },
    /// Shows a heading's slide at the round-table (None: the title slide), with a note of its
    /// evidence as a quote if the presenter chooses.
    Present {
        #[serde(default)]
        slide: Option<HeadingId>,
        #[serde(default)]
        quote: Option<NoteId>,
    },
    /// Starts or ends giving the presentation to the room: host roles and observers follow the
    /// slides only while it is given.
    Presenting {
        on: bool,
    },
    /// Publishes the key messages (the handout) to host roles and observers, or withdraws them.
    PublishHandout {
        published: bool,
    },
}

impl Command {
    /// Whether the command changes headings (team lead and facilitator) rather than notes.
    pub fn is_heading_command(&self) -> bool {
        matches!(
            self,
            Command::AddHeading { .. }
                | Command::RenameHeading { .. }
                | Command::MoveHeading { .. }
                | Command::ArchiveHeading { .. }
        )
    }

    /// What the sender's role must allow.
    pub fn action(&self) -> Action {
        if self.is_heading_command() {
            Action::ManageHeadings
        } else if matches!(
            self,
            Command::LockWall { .. }
                | Command::SetVoting { .. }
                | Command::Present { .. }
                | Command::Presenting { .. }
                | Command::PublishHandout { .. }
        ) {
            Action::LeadWall
        } else {
            Action::WriteNotes
        }
    }

    /// Checks the command's own fields (lengths, counts), before the board looks at it.
    pub fn check(&self) -> Result<(), AppError> {
        match self {
            Command::CreateNote { fields, .. } => {
                check_text(&fields.text)?;
                check_detail("source", &fields.source)?;
                check_detail("stakeholder", &fields.stakeholder)?;
                check_tags(&fields.tags)
            }
            Command::EditNote { edit, .. } => {
                if let Some(text) = &edit.text {
                    check_text(text)?;
                }
                if let Some(source) = &edit.source {
                    check_detail("source", source)?;
                }
                if let Some(stakeholder) = &edit.stakeholder {
                    check_detail("stakeholder", stakeholder)?;
                }
                if let Some(tags) = &edit.tags {
                    check_tags(tags)?;
                }
                Ok(())
            }
            Command::AddHeading { heading, title } => {
                if !heading.is_valid() {
                    return Err(invalid(
                        "heading",
                        "A heading id is 1 to 64 letters, digits or hyphens.",
                    ));
                }
                check_heading_title(title)
            }
            Command::RenameHeading { title, .. } => check_heading_title(title),
            Command::AddMessage { text, .. } => check_message(text),
            Command::EditMessage { text, .. } => text.as_deref().map_or(Ok(()), check_message),
            Command::SetVoting {
                votes_per_person, ..
            } => {
                if *votes_per_person > MAX_VOTES_PER_PERSON {
                    return Err(invalid(
                        "votes_per_person",
                        format!("Each person has {MAX_VOTES_PER_PERSON} votes at most."),
                    ));
                }
                Ok(())
            }
            Command::MoveMessage { .. }
            | Command::DeleteMessage { .. }
            | Command::RestoreMessage { .. }
            | Command::AddEvidence { .. }
            | Command::RemoveEvidence { .. }
            | Command::Vote { .. }
            | Command::Unvote { .. }
            | Command::LockWall { .. }
            | Command::Present { .. }
            | Command::Presenting { .. }
            | Command::PublishHandout { .. }
            | Command::MoveNote { .. }
            | Command::DeleteNote { .. }
            | Command::RestoreNote { .. }
            | Command::MoveHeading { .. }
            | Command::ArchiveHeading { .. } => Ok(()),
        }
    }
}

fn invalid(field: &str, message: impl Into<String>) -> AppError {
    AppError::invalid_field(field, message)
}

fn check_text(text: &str) -> Result<(), AppError> {
    if text.trim().is_empty() {
        return Err(invalid("text", "A note needs some text."));
    }
    if text.chars().count() > MAX_NOTE_CHARS {
        return Err(invalid(
            "text",
            format!("A note is {MAX_NOTE_CHARS} characters at most: split it into two."),
        ));
    }
    Ok(())
}

fn check_detail(field: &str, value: &str) -> Result<(), AppError> {
    if value.chars().count() > MAX_DETAIL_CHARS {
        return Err(invalid(
            field,
            format!("The {field} is {MAX_DETAIL_CHARS} characters at most."),
        ));
    }
    Ok(())
}

fn check_tags(tags: &[String]) -> Result<(), AppError> {
    // Blank tags are dropped by the board, so only real ones count.
    let tags: Vec<&str> = tags
        .iter()
        .map(|tag| tag.trim())
        .filter(|tag| !tag.is_empty())
        .collect();
    if tags.len() > MAX_TAGS {
        return Err(invalid(
            "tags",
            format!("A note has {MAX_TAGS} tags at most."),
        ));
    }
    if tags.iter().any(|tag| tag.chars().count() > MAX_TAG_CHARS) {
        return Err(invalid(
            "tags",
            format!("A tag is {MAX_TAG_CHARS} characters at most."),
        ));
    }
    Ok(())
}

fn check_message(text: &str) -> Result<(), AppError> {
    let length = text.trim().chars().count();
    if length == 0 {
        return Err(invalid("text", "A key message needs a sentence."));
    }
    if length > MAX_MESSAGE_CHARS {
        return Err(invalid(
            "text",
            format!("A key message is {MAX_MESSAGE_CHARS} characters at most: one sentence."),
        ));
    }
    Ok(())
}

fn check_heading_title(title: &str) -> Result<(), AppError> {
    let length = title.trim().chars().count();
    if length == 0 || length > MAX_HEADING_CHARS {
        return Err(invalid(
            "title",
            format!("A heading is 1 to {MAX_HEADING_CHARS} characters."),
        ));
    }
    Ok(())
}

/// A frame from the browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    /// The first frame: the protocol spoken and the last sequence number the client has applied.
    Hello {
        protocol: u32,
        #[serde(default)]
        after: Option<u64>,
    },
    Command {
        op: OpId,
        command: Command,
    },
    /// What the sender is dragging now, if anything.
    Presence {
        #[serde(default)]
        dragging: Option<NoteId>,
    },
}

/// One committed change, numbered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WallEvent {
    /// The board's sequence number: 1, 2, 3… with no gaps.
    pub seq: u64,
    /// The operation that made it, so its sender can match it to its pending queue.
    pub op: OpId,
    pub change: Change,
}

impl WallEvent {
    /// The event as `person` may see it while votes are hidden (None: nobody's votes): a key
    /// message's change carries only their own.
    pub fn with_votes_of(&self, person: Option<crate::accounts::PersonId>) -> WallEvent {
        match &self.change {
            Change::Message { message } => {
                let mut message = message.clone();
                message.votes.retain(|voter, _| Some(*voter) == person);
                WallEvent {
                    change: Change::Message { message },
                    ..self.clone()
                }
            }
            _ => self.clone(),
        }
    }

    /// Whether `person` has votes on the key message this event changes.
    pub fn has_votes_of(&self, person: crate::accounts::PersonId) -> bool {
        matches!(&self.change, Change::Message { message } if message.votes.contains_key(&person))
    }
}

/// Someone on the wall now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresencePerson {
    pub name: String,
    pub pair: Option<i64>,
    /// How many windows they have open on the wall.
    pub connections: u32,
    /// The note they are dragging, if any.
    pub dragging: Option<NoteId>,
}

/// A frame from the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage {
    /// The answer to `Hello`: the whole board when the client had nothing or is far behind,
    /// otherwise the events after its sequence number, in order.
    Welcome {
        protocol: u32,
        board: Option<Board>,
        events: Vec<WallEvent>,
        /// The caller's name and pair, as the wall shows them on new notes.
        name: String,
        pair: Option<i64>,
        /// The caller's id, so their own votes show as theirs.
        #[serde(default)]
        person: Option<PersonId>,
        /// While votes are hidden: the votes cast in all (the board's and the events' key
        /// messages carry only the caller's own votes).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        votes_cast: Option<u32>,
    },
    /// The operation is committed as event `seq` (or was already, for a resend).
    Ack {
        op: OpId,
        seq: u64,
    },
    /// The operation was refused; nothing changed. A text conflict carries the note as it is now.
    Rejected {
        op: OpId,
        error: AppError,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        current: Option<Note>,
    },
    Event {
        event: WallEvent,
        /// With a key message's change while votes are hidden: the votes cast in all (the
        /// message then carries only the receiver's own votes).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        votes_cast: Option<u32>,
    },
    Presence {
        people: Vec<PresencePerson>,
    },
    /// A problem with a frame rather than an operation (malformed, too large, too fast).
    Error {
        error: AppError,
    },
}

impl ServerMessage {
    /// A frame-level error.
    pub fn error(code: ErrorCode, message: impl Into<String>) -> Self {
        ServerMessage::Error {
            error: AppError::new(code, message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn create(text: &str) -> Command {
        Command::CreateNote {
            note: NoteId(uuid::Uuid::nil()),
            heading: None,
            before: None,
            fields: NoteFields {
                text: text.into(),
                kind: NoteKind::Strength,
                source: String::new(),
                session: None,
                stakeholder: String::new(),
                tags: vec![],
            },
        }
    }

    #[test]
    fn frames_have_a_stable_json_shape() {
        let hello = ClientMessage::Hello {
            protocol: 1,
            after: Some(7),
        };
        assert_eq!(
            serde_json::to_string(&hello).unwrap(),
            r#"{"type":"hello","protocol":1,"after":7}"#
        );
        let command = ClientMessage::Command {
            op: OpId(uuid::Uuid::nil()),
            command: Command::DeleteNote {
                note: NoteId(uuid::Uuid::nil()),
            },
        };
        let json = serde_json::to_string(&command).unwrap();
        assert!(
            json.contains(r#""command":{"type":"delete_note""#),
            "{json}"
        );
        assert_eq!(
            serde_json::from_str::<ClientMessage>(&json).unwrap(),
            command
        );
    }

    #[test]
    fn unknown_or_malformed_frames_do_not_decode() {
        for bad in [
            "",
            "{",
            r#"{"type":"drop_table"}"#,
            r#"{"type":"command","op":"x","command":{"type":"delete_note"}}"#,
            r#"{"type":"hello","protocol":"one"}"#,
        ] {
            assert!(serde_json::from_str::<ClientMessage>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn note_lengths_are_limited_and_named() {
        assert!(create("Strong, visible leadership.").check().is_ok());
        let empty = create("   ").check().unwrap_err();
        assert_eq!(empty.field.as_deref(), Some("text"));
        let long = create(&"é".repeat(MAX_NOTE_CHARS + 1)).check().unwrap_err();
        assert!(long.message.contains("500"));
        assert!(create(&"é".repeat(MAX_NOTE_CHARS)).check().is_ok());
        let Command::CreateNote { mut fields, .. } = create("ok") else {
            unreachable!()
        };
        fields.tags = vec!["t".into(); MAX_TAGS + 1];
        let too_many = Command::CreateNote {
            note: NoteId(uuid::Uuid::nil()),
            heading: None,
            before: None,
            fields,
        };
        assert_eq!(too_many.check().unwrap_err().field.as_deref(), Some("tags"));
    }

    #[test]
    fn key_messages_are_one_sentence_and_votes_are_bounded() {
        let add = |text: &str| Command::AddMessage {
            message: MessageId(uuid::Uuid::nil()),
            heading: HeadingId("h".into()),
            before: None,
            text: text.into(),
            kind: MessageKind::Strength,
        };
        assert!(add("Scrutiny rarely shapes decisions.").check().is_ok());
        assert_eq!(
            add("  ").check().unwrap_err().field.as_deref(),
            Some("text")
        );
        let long = add(&"é".repeat(MAX_MESSAGE_CHARS + 1)).check().unwrap_err();
        assert!(long.message.contains("300"), "{}", long.message);
        assert!(add(&"é".repeat(MAX_MESSAGE_CHARS)).check().is_ok());
        let edit = |text: Option<&str>| Command::EditMessage {
            message: MessageId(uuid::Uuid::nil()),
            text: text.map(String::from),
            kind: Some(MessageKind::Recommendation),
        };
        assert!(edit(None).check().is_ok(), "a change of kind alone");
        assert!(edit(Some("")).check().is_err());
        let votes = |votes_per_person| Command::SetVoting {
            votes_per_person,
            revealed: false,
        };
        assert!(votes(MAX_VOTES_PER_PERSON).check().is_ok());
        assert_eq!(
            votes(MAX_VOTES_PER_PERSON + 1)
                .check()
                .unwrap_err()
                .field
                .as_deref(),
            Some("votes_per_person")
        );
    }

    #[test]
    fn edits_check_only_what_they_change() {
        let edit = Command::EditNote {
            note: NoteId(uuid::Uuid::nil()),
            base_version: 1,
            edit: NoteEdit {
                kind: Some(NoteKind::Question),
                ..NoteEdit::default()
            },
        };
        assert!(edit.check().is_ok());
        let bad = Command::EditNote {
            note: NoteId(uuid::Uuid::nil()),
            base_version: 1,
            edit: NoteEdit {
                source: Some("s".repeat(MAX_DETAIL_CHARS + 1)),
                ..NoteEdit::default()
            },
        };
        assert_eq!(bad.check().unwrap_err().field.as_deref(), Some("source"));
        let heading = Command::AddHeading {
            heading: HeadingId::new(),
            title: " ".into(),
        };
        assert!(heading.check().is_err());
    }
}
