//! The rules of the wall: what a command does to a board, or why it is refused. Pure and shared:
//! the server's board task decides with it before committing, and the browser runs the same
//! function to show a change at once while the server confirms it.

use crate::accounts::PersonId;
use crate::error::{AppError, ErrorCode};
use crate::membership::{Action, Role, allows};
use crate::wall::protocol::{
    Command, MAX_EVIDENCE, MAX_HEADINGS_PER_BOARD, MAX_MESSAGES_PER_BOARD, MAX_NOTES_PER_BOARD,
};
use crate::wall::{Board, Change, Heading, KeyMessage, MessageId, Note, NoteId, WallSettings};

/// Who is sending a command, as the socket resolved them.
#[derive(Debug, Clone)]
pub struct Actor {
    pub person: PersonId,
    pub name: String,
    pub pair: Option<i64>,
    pub role: Role,
}

/// Why a command was refused; a text conflict carries the note as it is now.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejection {
    pub error: AppError,
    pub current: Option<Box<Note>>,
}

impl From<AppError> for Rejection {
    fn from(error: AppError) -> Self {
        Self {
            error,
            current: None,
        }
    }
}

fn not_found(what: &str) -> Rejection {
    AppError::new(
        ErrorCode::NotFound,
        format!("That {what} is not on the wall any more. The wall has been brought up to date."),
    )
    .into()
}

fn live_note<'a>(board: &'a Board, id: &NoteId) -> Result<&'a Note, Rejection> {
    match board.notes.get(id) {
        Some(note) if !note.deleted => Ok(note),
        _ => Err(not_found("note")),
    }
}

fn live_message<'a>(board: &'a Board, id: &MessageId) -> Result<&'a KeyMessage, Rejection> {
    match board.messages.get(id) {
        Some(message) if !message.deleted => Ok(message),
        _ => Err(not_found("key message")),
    }
}

/// When `order` is already taken in a column (whose keys, in order, are `taken`), a key just
/// after it and before the next one; None when it is free.
fn free_place<'a>(taken: impl Iterator<Item = &'a str>, order: &str) -> Option<String> {
    let mut taken = taken.skip_while(|key| *key < order);
    if taken.next() != Some(order) {
        return None;
    }
    Some(crate::wall::order::key_between(Some(order), taken.next()))
}

/// A command handed to the rules of another concern: a fault in `decide`, refused rather than
/// applied.
fn not_this(concern: &str) -> Rejection {
    AppError::internal(format!("That command is not a {concern} command.")).into()
}

fn invalid(message: impl Into<String>) -> Rejection {
    AppError::new(ErrorCode::Invalid, message).into()
}

/// The message's next state: one version on.
fn next_message(current: &KeyMessage) -> KeyMessage {
    KeyMessage {
        version: current.version + 1,
        ..current.clone()
    }
}

fn check_heading(board: &Board, heading: Option<&crate::wall::HeadingId>) -> Result<(), Rejection> {
    match heading {
        None => Ok(()),
        Some(id) if board.live_headings().any(|h| h.id == *id) => Ok(()),
        Some(_) => Err(not_found("heading")),
    }
}

fn tidy_tags(tags: &[String]) -> Vec<String> {
    let mut tidy: Vec<String> = Vec::new();
    for tag in tags.iter().map(|tag| tag.trim().to_string()) {
        if !tag.is_empty() && !tidy.contains(&tag) {
            tidy.push(tag);
        }
    }
    tidy
}

/// Whether the wall's lock lets `role` change it: unlocked, or the role leads the wall.
pub fn lock_allows(board: &Board, role: Role) -> bool {
    !board.settings.locked || allows(role, Action::LeadWall)
}

/// What `command` does to `board` when `actor` sends it: the change to commit, or why not.
/// Pure, so the rules are tested without a database or a socket.
pub fn decide(board: &Board, actor: &Actor, command: &Command) -> Result<Change, Rejection> {
    if !allows(actor.role, command.action()) {
        return Err(crate::membership::forbidden(actor.role).into());
    }
    if !lock_allows(board, actor.role) {
        return Err(AppError::new(
            ErrorCode::Forbidden,
            "The wall is locked while the presentation is prepared: the facilitator can unlock it.",
        )
        .into());
    }
    command.check()?;
    if let Some(on) = &board.notes_destroyed
        && touches_notes(command)
    {
        return Err(AppError::new(
            ErrorCode::Conflict,
            format!(
                "The notes of this review were destroyed on {on} under its retention policy: the wall takes no notes or evidence now. Its key messages stay."
            ),
        )
        .into());
    }
    match command {
        Command::CreateNote { .. }
        | Command::EditNote { .. }
        | Command::MoveNote { .. }
        | Command::DeleteNote { .. }
        | Command::RestoreNote { .. } => decide_notes(board, actor, command),
        Command::AddHeading { .. }
        | Command::RenameHeading { .. }
        | Command::MoveHeading { .. }
        | Command::ArchiveHeading { .. } => decide_headings(board, actor, command),
        Command::AddMessage { .. }
        | Command::EditMessage { .. }
        | Command::MoveMessage { .. }
        | Command::DeleteMessage { .. }
        | Command::RestoreMessage { .. }
        | Command::AddEvidence { .. }
        | Command::RemoveEvidence { .. }
        | Command::Vote { .. }
        | Command::Unvote { .. } => decide_messages(board, actor, command),
        Command::LockWall { .. }
        | Command::Present { .. }
        | Command::Presenting { .. }
        | Command::PublishHandout { .. }
        | Command::SetVoting { .. } => decide_settings(board, actor, command),
    }
}

/// Whether `command` writes a note or a message's evidence (refused once the notes are gone).
fn touches_notes(command: &Command) -> bool {
    matches!(
        command,
        Command::CreateNote { .. }
            | Command::EditNote { .. }
            | Command::MoveNote { .. }
            | Command::DeleteNote { .. }
            | Command::RestoreNote { .. }
            | Command::AddEvidence { .. }
            | Command::RemoveEvidence { .. }
    )
}

/// What a note command does: create, edit, move, delete or restore a note.
fn decide_notes(board: &Board, actor: &Actor, command: &Command) -> Result<Change, Rejection> {
    match command {
        Command::CreateNote {
            note,
            heading,
            before,
            fields,
        } => {
            if board.notes.contains_key(note) {
                return Err(AppError::new(ErrorCode::Invalid, "That note already exists.").into());
            }
            if board.notes.len() >= MAX_NOTES_PER_BOARD {
                return Err(AppError::new(
                    ErrorCode::Invalid,
                    format!("A wall holds {MAX_NOTES_PER_BOARD} notes at most."),
                )
                .into());
            }
            check_heading(board, heading.as_ref())?;
            Ok(Change::Note {
                note: Note {
                    id: *note,
                    heading: heading.clone(),
                    order: board.order_for(heading.as_ref(), *before, None),
                    text: fields.text.trim().to_string(),
                    kind: fields.kind,
                    source: fields.source.trim().to_string(),
                    session: fields.session,
                    stakeholder: fields.stakeholder.trim().to_string(),
                    pair: actor.pair,
                    author: actor.name.clone(),
                    tags: tidy_tags(&fields.tags),
                    version: 1,
                    deleted: false,
                },
            })
        }
        Command::EditNote {
            note,
            base_version,
            edit,
        } => {
            let current = live_note(board, note)?;
            let mut next = current.clone();
            if let Some(text) = &edit.text {
                let text = text.trim().to_string();
                if text != current.text && *base_version != current.version {
                    return Err(Rejection {
                        error: AppError::new(
                            ErrorCode::Conflict,
                            "Someone else changed this note's text while you were editing it. \
                             Both versions are shown: keep one, or combine them.",
                        ),
                        current: Some(Box::new(current.clone())),
                    });
                }
                next.text = text;
            }
            if let Some(kind) = edit.kind {
                next.kind = kind;
            }
            if let Some(source) = &edit.source {
                let source = source.trim().to_string();
                if source != current.source {
                    // Heard somewhere else: no longer the timetable's session.
                    next.session = None;
                }
                next.source = source;
            }
            if let Some(stakeholder) = &edit.stakeholder {
                next.stakeholder = stakeholder.trim().to_string();
            }
            if let Some(tags) = &edit.tags {
                next.tags = tidy_tags(tags);
            }
            next.version = current.version + 1;
            Ok(Change::Note { note: next })
        }
        Command::MoveNote {
            note,
            heading,
            before,
        } => {
            let current = live_note(board, note)?;
            check_heading(board, heading.as_ref())?;
            let mut next = current.clone();
            next.order = board.order_for(heading.as_ref(), *before, Some(*note));
            next.heading = heading.clone();
            Ok(Change::Note { note: next })
        }
        Command::DeleteNote { note } => {
            let mut next = live_note(board, note)?.clone();
            next.deleted = true;
            Ok(Change::Note { note: next })
        }
        Command::RestoreNote { note } => {
            let current = board.notes.get(note).ok_or_else(|| not_found("note"))?;
            let mut next = current.clone();
            next.deleted = false;
            // Its heading may have been archived meanwhile: it comes back to Unsorted.
            if check_heading(board, current.heading.as_ref()).is_err() {
                next.heading = None;
                next.order = board.order_for(None, None, Some(*note));
            } else if let Some(order) = free_place(
                board
                    .notes_in(current.heading.as_ref())
                    .iter()
                    .map(|n| n.order.as_str()),
                &current.order,
            ) {
                // A note written meanwhile took its place: it comes back just after that one.
                next.order = order;
            }
            Ok(Change::Note { note: next })
        }
        _ => Err(not_this("note")),
    }
}

/// What a heading command does: add, rename, reorder or archive a heading.
fn decide_headings(board: &Board, _actor: &Actor, command: &Command) -> Result<Change, Rejection> {
    match command {
        Command::AddHeading { heading, title } => {
            if board.headings.iter().any(|h| h.id == *heading) {
                return Err(
                    AppError::new(ErrorCode::Invalid, "That heading already exists.").into(),
                );
            }
            if board.headings.len() >= MAX_HEADINGS_PER_BOARD {
                return Err(AppError::new(
                    ErrorCode::Invalid,
                    format!("A wall has {MAX_HEADINGS_PER_BOARD} headings at most."),
                )
                .into());
            }
            let position = board
                .headings
                .iter()
                .map(|h| h.position + 1)
                .max()
                .unwrap_or(0);
            Ok(Change::Heading {
                heading: Heading {
                    id: heading.clone(),
                    title: title.trim().to_string(),
                    position,
                    archived: false,
                },
            })
        }
        Command::RenameHeading { heading, title } => {
            let current = board
                .live_headings()
                .find(|h| h.id == *heading)
                .ok_or_else(|| not_found("heading"))?;
            Ok(Change::Heading {
                heading: Heading {
                    title: title.trim().to_string(),
                    ..current.clone()
                },
            })
        }
        Command::MoveHeading { heading, index } => {
            let mut order: Vec<_> = board.live_headings().map(|h| h.id.clone()).collect();
            let from = order
                .iter()
                .position(|id| id == heading)
                .ok_or_else(|| not_found("heading"))?;
            let id = order.remove(from);
            order.insert((*index).min(order.len()), id);
            Ok(Change::HeadingsOrdered { order })
        }
        Command::ArchiveHeading { heading } => {
            check_heading(board, Some(heading))?;
            if !board.messages_in(heading).is_empty() {
                return Err(invalid(
                    "This heading has key messages: move or delete them before archiving it.",
                ));
            }
            // Every note under it, deleted ones too (so an undo still finds a home), goes to the
            // end of Unsorted in its current order.
            let mut notes: Vec<&Note> = board
                .notes
                .values()
                .filter(|note| note.heading.as_ref() == Some(heading))
                .collect();
            notes.sort_by(|a, b| a.order.cmp(&b.order).then(a.id.cmp(&b.id)));
            let mut last = board.notes_in(None).last().map(|note| note.order.clone());
            let moved = notes
                .into_iter()
                .map(|note| {
                    let order = crate::wall::order::key_between(last.as_deref(), None);
                    last = Some(order.clone());
                    Note {
                        heading: None,
                        order,
                        ..note.clone()
                    }
                })
                .collect();
            Ok(Change::HeadingArchived {
                heading: heading.clone(),
                moved,
            })
        }
        _ => Err(not_this("heading")),
    }
}

/// What a key message command does: add, edit, move, delete or restore one, change its
/// evidence, or vote on it.
fn decide_messages(board: &Board, actor: &Actor, command: &Command) -> Result<Change, Rejection> {
    match command {
        Command::AddMessage {
            message,
            heading,
            before,
            text,
            kind,
        } => {
            if board.messages.contains_key(message) {
                return Err(invalid("That key message already exists."));
            }
            if board.messages.len() >= MAX_MESSAGES_PER_BOARD {
                return Err(invalid(format!(
                    "A wall holds {MAX_MESSAGES_PER_BOARD} key messages at most."
                )));
            }
            check_heading(board, Some(heading))?;
            Ok(Change::Message {
                message: KeyMessage {
                    id: *message,
                    heading: heading.clone(),
                    order: board.message_order_for(heading, *before, None),
                    text: text.trim().to_string(),
                    kind: *kind,
                    evidence: Vec::new(),
                    votes: Default::default(),
                    version: 1,
                    deleted: false,
                    frozen: None,
                },
            })
        }
        Command::EditMessage {
            message,
            text,
            kind,
        } => {
            let mut next = next_message(live_message(board, message)?);
            if let Some(text) = text {
                next.text = text.trim().to_string();
            }
            if let Some(kind) = kind {
                next.kind = *kind;
            }
            Ok(Change::Message { message: next })
        }
        Command::MoveMessage {
            message,
            heading,
            before,
        } => {
            let mut next = next_message(live_message(board, message)?);
            check_heading(board, Some(heading))?;
            next.order = board.message_order_for(heading, *before, Some(*message));
            next.heading = heading.clone();
            Ok(Change::Message { message: next })
        }
        Command::DeleteMessage { message } => {
            let mut next = next_message(live_message(board, message)?);
            next.deleted = true;
            Ok(Change::Message { message: next })
        }
        Command::RestoreMessage { message } => {
            let current = board
                .messages
                .get(message)
                .ok_or_else(|| not_found("key message"))?;
            check_heading(board, Some(&current.heading))?;
            let mut next = next_message(current);
            next.deleted = false;
            if let Some(order) = free_place(
                board
                    .messages_in(&current.heading)
                    .iter()
                    .map(|m| m.order.as_str()),
                &current.order,
            ) {
                next.order = order;
            }
            Ok(Change::Message { message: next })
        }
        Command::AddEvidence { message, note } => {
            let mut next = next_message(live_message(board, message)?);
            live_note(board, note)?;
            if next.evidence.contains(note) {
                return Err(invalid("That note is already evidence for this message."));
            }
            if next.evidence.len() >= MAX_EVIDENCE {
                return Err(invalid(format!(
                    "A key message rests on {MAX_EVIDENCE} notes at most."
                )));
            }
            next.evidence.push(*note);
            Ok(Change::Message { message: next })
        }
        Command::RemoveEvidence { message, note } => {
            let mut next = next_message(live_message(board, message)?);
            if !next.evidence.contains(note) {
                return Err(not_found("evidence"));
            }
            next.evidence.retain(|id| id != note);
            Ok(Change::Message { message: next })
        }
        Command::Vote { message } => {
            let mut next = next_message(live_message(board, message)?);
            let allowed = board.settings.votes_per_person;
            if board.votes_used_by(actor.person) >= allowed {
                return Err(invalid(match allowed {
                    0 => "Voting is not open: the facilitator gives out the votes.".to_string(),
                    1 => "You have used your vote: take it back to vote again.".to_string(),
                    n => {
                        format!("You have used all {n} of your votes: take one back to vote again.")
                    }
                }));
            }
            *next.votes.entry(actor.person).or_default() += 1;
            Ok(Change::Message { message: next })
        }
        Command::Unvote { message } => {
            let mut next = next_message(live_message(board, message)?);
            match next.votes.get_mut(&actor.person) {
                Some(count) if *count > 1 => *count -= 1,
                Some(_) => {
                    next.votes.remove(&actor.person);
                }
                None => return Err(invalid("You have no vote on this message to take back.")),
            }
            Ok(Change::Message { message: next })
        }
        _ => Err(not_this("message")),
    }
}

/// What a settings command does: the wall's lock, voting and the round-table presentation.
fn decide_settings(board: &Board, _actor: &Actor, command: &Command) -> Result<Change, Rejection> {
    match command {
        Command::LockWall { locked } => Ok(Change::Settings {
            settings: WallSettings {
                locked: *locked,
                ..board.settings.clone()
            },
        }),
        Command::Present { slide, quote } => {
            if let Some(heading) = slide {
                check_heading(board, Some(heading))?;
            }
            if let Some(note) = quote {
                live_note(board, note)?;
                let evidences = slide.as_ref().is_some_and(|heading| {
                    board
                        .messages_in(heading)
                        .iter()
                        .any(|message| message.evidence.contains(note))
                });
                if !evidences {
                    return Err(invalid(
                        "A quote must be evidence for a key message on the slide being shown.",
                    ));
                }
            }
            Ok(Change::Settings {
                settings: WallSettings {
                    slide: slide.clone(),
                    quote: *quote,
                    ..board.settings.clone()
                },
            })
        }
        Command::Presenting { on } => {
            if board.settings.presenting == *on {
                return Err(invalid(if *on {
                    "The presentation is already being given."
                } else {
                    "The presentation is not being given."
                }));
            }
            Ok(Change::Settings {
                settings: WallSettings {
                    presenting: *on,
                    // Ended: back to the title slide, no quote left showing.
                    slide: if *on {
                        board.settings.slide.clone()
                    } else {
                        None
                    },
                    quote: if *on { board.settings.quote } else { None },
                    ..board.settings.clone()
                },
            })
        }
        Command::PublishHandout { published } => {
            if board.settings.handout_published == *published {
                return Err(invalid(if *published {
                    "The handout is already published."
                } else {
                    "The handout is not published."
                }));
            }
            Ok(Change::Settings {
                settings: WallSettings {
                    handout_published: *published,
                    ..board.settings.clone()
                },
            })
        }
        Command::SetVoting {
            votes_per_person,
            revealed,
        } => Ok(Change::Settings {
            settings: WallSettings {
                votes_per_person: *votes_per_person,
                votes_revealed: *revealed,
                ..board.settings.clone()
            },
        }),
        _ => Err(not_this("settings")),
    }
}

#[cfg(test)]
mod tests {
    use crate::wall::protocol::{NoteEdit, NoteFields};
    use crate::wall::{HeadingId, NoteKind};
    use uuid::Uuid;

    use super::*;

    fn actor(role: Role) -> Actor {
        Actor {
            person: PersonId(Uuid::from_u128(1)),
            name: "Helen Marsh".into(),
            pair: Some(1),
            role,
        }
    }

    fn fields(text: &str) -> NoteFields {
        NoteFields {
            text: text.into(),
            kind: NoteKind::Strength,
            source: " Leader interview ".into(),
            session: None,
            stakeholder: "Councillors".into(),
            tags: vec!["housing".into(), " housing ".into(), "".into()],
        }
    }

    fn note_id(n: u128) -> NoteId {
        NoteId(Uuid::from_u128(n))
    }

    /// A board with one heading and the notes given, created through `decide` itself.
    fn board_with(notes: &[(u128, Option<&HeadingId>)]) -> (Board, HeadingId) {
        let heading = HeadingId("governance".into());
        let mut board = Board::default();
        let lead = actor(Role::TeamLead);
        let add = Command::AddHeading {
            heading: heading.clone(),
            title: "Governance and culture".into(),
        };
        board.apply(&decide(&board, &lead, &add).unwrap());
        for (n, under) in notes {
            let create = Command::CreateNote {
                note: note_id(*n),
                heading: under.cloned(),
                before: None,
                fields: fields(&format!("note {n}")),
            };
            board.apply(&decide(&board, &lead, &create).unwrap());
        }
        (board, heading)
    }

    fn code(result: Result<Change, Rejection>) -> ErrorCode {
        result.unwrap_err().error.code
    }

    #[test]
    fn once_the_notes_are_destroyed_the_wall_takes_no_notes_but_headings_still_move() {
        let (mut board, heading) = board_with(&[(1, None)]);
        board.apply(&Change::NotesDestroyed {
            on: "1 March 2027".into(),
            strengths: std::collections::BTreeMap::new(),
        });
        let lead = actor(Role::TeamLead);
        let create = Command::CreateNote {
            note: note_id(2),
            heading: None,
            before: None,
            fields: fields("late"),
        };
        let refused = decide(&board, &lead, &create).unwrap_err().error;
        assert_eq!(refused.code, ErrorCode::Conflict);
        assert!(
            refused.message.contains("destroyed on 1 March 2027"),
            "{}",
            refused.message
        );
        let rename = Command::RenameHeading {
            heading,
            title: "Governance".into(),
        };
        assert!(decide(&board, &lead, &rename).is_ok());
    }

    #[test]
    fn a_new_note_takes_its_authors_pair_and_tidy_fields() {
        let (board, heading) = board_with(&[]);
        let change = decide(
            &board,
            &actor(Role::Peer),
            &Command::CreateNote {
                note: note_id(7),
                heading: Some(heading.clone()),
                before: None,
                fields: fields("  Members describe a clear vision.  "),
            },
        )
        .unwrap();
        let Change::Note { note } = change else {
            panic!("{change:?}")
        };
        assert_eq!(note.text, "Members describe a clear vision.");
        assert_eq!(note.source, "Leader interview");
        assert_eq!(note.tags, ["housing"]);
        assert_eq!((note.pair, note.author.as_str()), (Some(1), "Helen Marsh"));
        assert_eq!((note.version, note.deleted), (1, false));
        assert_eq!(note.heading, Some(heading));
    }

    #[test]
    fn a_note_keeps_its_session_until_its_heard_at_is_changed() {
        let session = crate::visit::SessionId(Uuid::from_u128(9));
        let (mut board, _) = board_with(&[]);
        let peer = actor(Role::Peer);
        let mut tied = fields("From the Leader");
        tied.session = Some(session);
        let create = Command::CreateNote {
            note: note_id(1),
            heading: None,
            before: None,
            fields: tied,
        };
        board.apply(&decide(&board, &peer, &create).unwrap());
        assert_eq!(board.notes[&note_id(1)].session, Some(session));
        let edit = |source: &str| Command::EditNote {
            note: note_id(1),
            base_version: 1,
            edit: NoteEdit {
                source: Some(source.into()),
                ..NoteEdit::default()
            },
        };
        // The same place, retyped with spaces: still that session.
        board.apply(&decide(&board, &peer, &edit(" Leader interview ")).unwrap());
        assert_eq!(board.notes[&note_id(1)].session, Some(session));
        // Somewhere else: no longer the timetable's session.
        board.apply(&decide(&board, &peer, &edit("Corridor")).unwrap());
        assert_eq!(board.notes[&note_id(1)].session, None);
    }

    #[test]
    fn notes_go_where_they_are_put() {
        let (mut board, heading) = board_with(&[(1, None), (2, None), (3, None)]);
        let peer = actor(Role::Peer);
        // Note 3 before note 1, then note 2 under the heading.
        for command in [
            Command::MoveNote {
                note: note_id(3),
                heading: None,
                before: Some(note_id(1)),
            },
            Command::MoveNote {
                note: note_id(2),
                heading: Some(heading.clone()),
                before: None,
            },
        ] {
            board.apply(&decide(&board, &peer, &command).unwrap());
        }
        let unsorted: Vec<NoteId> = board.notes_in(None).iter().map(|n| n.id).collect();
        assert_eq!(unsorted, [note_id(3), note_id(1)]);
        assert_eq!(board.notes_in(Some(&heading)).len(), 1);
    }

    #[test]
    fn concurrent_text_edits_conflict_but_other_fields_do_not() {
        let (mut board, _) = board_with(&[(1, None)]);
        let peer = actor(Role::Peer);
        let edit = |base_version, text: Option<&str>, kind| Command::EditNote {
            note: note_id(1),
            base_version,
            edit: NoteEdit {
                text: text.map(String::from),
                kind,
                ..NoteEdit::default()
            },
        };
        // The first editor wins…
        board.apply(&decide(&board, &peer, &edit(1, Some("First version"), None)).unwrap());
        assert_eq!(board.notes[&note_id(1)].version, 2);
        // …the second, also working from version 1, gets a conflict with the current text.
        let conflict = decide(&board, &peer, &edit(1, Some("Second version"), None)).unwrap_err();
        assert_eq!(conflict.error.code, ErrorCode::Conflict);
        assert_eq!(conflict.current.unwrap().text, "First version");
        // A stale version is fine for the kind (last writer wins per field) and for the same text.
        assert!(decide(&board, &peer, &edit(1, None, Some(NoteKind::Question))).is_ok());
        assert!(decide(&board, &peer, &edit(1, Some("First version"), None)).is_ok());
    }

    #[test]
    fn deleted_notes_can_be_restored_and_archived_headings_keep_their_notes() {
        let (mut board, heading) = board_with(&[(1, None), (2, None)]);
        let lead = actor(Role::TeamLead);
        let (one, two) = (note_id(1), note_id(2));
        for command in [
            Command::MoveNote {
                note: one,
                heading: Some(heading.clone()),
                before: None,
            },
            Command::MoveNote {
                note: two,
                heading: Some(heading.clone()),
                before: None,
            },
            Command::DeleteNote { note: two },
            Command::ArchiveHeading {
                heading: heading.clone(),
            },
        ] {
            board.apply(&decide(&board, &lead, &command).unwrap());
        }
        assert_eq!(board.live_headings().count(), 0);
        assert_eq!(
            board.notes_in(None).len(),
            1,
            "the live note is in Unsorted"
        );
        // The deleted one comes back to Unsorted too, after the other.
        board.apply(&decide(&board, &lead, &Command::RestoreNote { note: two }).unwrap());
        let unsorted: Vec<NoteId> = board.notes_in(None).iter().map(|n| n.id).collect();
        assert_eq!(unsorted, [one, two]);
        // Editing or moving a deleted note is refused.
        board.apply(&decide(&board, &lead, &Command::DeleteNote { note: one }).unwrap());
        let move_deleted = Command::MoveNote {
            note: one,
            heading: None,
            before: None,
        };
        assert_eq!(
            code(decide(&board, &lead, &move_deleted)),
            ErrorCode::NotFound
        );
    }

    #[test]
    fn a_restored_note_never_shares_its_place() {
        // Found by the property test: a note written while another was deleted took the same
        // ordering key; restoring the first must not put two notes in one place.
        let mut board = Board::default();
        let peer = actor(Role::Peer);
        let create = |n| Command::CreateNote {
            note: note_id(n),
            heading: None,
            before: None,
            fields: fields("x"),
        };
        for command in [
            create(1),
            Command::DeleteNote { note: note_id(1) },
            create(2),
            create(3),
            Command::RestoreNote { note: note_id(1) },
        ] {
            board.apply(&decide(&board, &peer, &command).unwrap());
        }
        let order: Vec<(NoteId, String)> = board
            .notes_in(None)
            .iter()
            .map(|n| (n.id, n.order.clone()))
            .collect();
        assert_eq!(
            order.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
            [note_id(2), note_id(1), note_id(3)]
        );
        let mut keys: Vec<&String> = order.iter().map(|(_, key)| key).collect();
        keys.dedup();
        assert_eq!(keys.len(), 3, "{order:?}");
    }

    #[test]
    fn roles_are_checked_for_every_command() {
        let (board, heading) = board_with(&[(1, None)]);
        let add_heading = Command::AddHeading {
            heading: HeadingId::new(),
            title: "Housing".into(),
        };
        let create = Command::CreateNote {
            note: note_id(9),
            heading: None,
            before: None,
            fields: fields("x"),
        };
        for role in Role::ALL {
            let may_write = role.does_fieldwork();
            assert_eq!(
                decide(&board, &actor(role), &create).is_ok(),
                may_write,
                "{role:?}"
            );
            let may_manage = matches!(role, Role::Facilitator | Role::TeamLead);
            assert_eq!(
                decide(&board, &actor(role), &add_heading).is_ok(),
                may_manage,
                "{role:?}"
            );
        }
        let rename = Command::RenameHeading {
            heading,
            title: "Culture".into(),
        };
        assert_eq!(
            code(decide(&board, &actor(Role::Peer), &rename)),
            ErrorCode::Forbidden
        );
    }

    #[test]
    fn bad_commands_are_refused_with_a_reason() {
        let (board, heading) = board_with(&[(1, None)]);
        let peer = actor(Role::Peer);
        let lead = actor(Role::TeamLead);
        let cases = [
            (
                Command::CreateNote {
                    note: note_id(1),
                    heading: None,
                    before: None,
                    fields: fields("again"),
                },
                ErrorCode::Invalid,
            ),
            (
                Command::CreateNote {
                    note: note_id(2),
                    heading: Some(HeadingId("nowhere".into())),
                    before: None,
                    fields: fields("x"),
                },
                ErrorCode::NotFound,
            ),
            (
                Command::CreateNote {
                    note: note_id(3),
                    heading: None,
                    before: None,
                    fields: fields(&"x".repeat(501)),
                },
                ErrorCode::Invalid,
            ),
            (
                Command::DeleteNote { note: note_id(99) },
                ErrorCode::NotFound,
            ),
            (
                Command::EditNote {
                    note: note_id(99),
                    base_version: 1,
                    edit: NoteEdit::default(),
                },
                ErrorCode::NotFound,
            ),
        ];
        for (command, expected) in cases {
            assert_eq!(
                code(decide(&board, &peer, &command)),
                expected,
                "{command:?}"
            );
        }
        let duplicate = Command::AddHeading {
            heading,
            title: "Again".into(),
        };
        assert_eq!(code(decide(&board, &lead, &duplicate)), ErrorCode::Invalid);
        let bad_id = Command::AddHeading {
            heading: HeadingId("no spaces please".into()),
            title: "Housing".into(),
        };
        assert_eq!(code(decide(&board, &lead, &bad_id)), ErrorCode::Invalid);
    }

    #[test]
    fn a_full_board_refuses_more_notes() {
        let mut board = Board::default();
        let peer = actor(Role::Peer);
        for n in 0..MAX_NOTES_PER_BOARD as u128 {
            let Ok(change) = decide(
                &board,
                &peer,
                &Command::CreateNote {
                    note: note_id(n),
                    heading: None,
                    before: None,
                    fields: fields("x"),
                },
            ) else {
                panic!("note {n} refused")
            };
            board.apply(&change);
        }
        let one_more = Command::CreateNote {
            note: note_id(u128::MAX),
            heading: None,
            before: None,
            fields: fields("x"),
        };
        let refused = decide(&board, &peer, &one_more).unwrap_err();
        assert!(
            refused.error.message.contains("5000"),
            "{}",
            refused.error.message
        );
    }

    #[test]
    fn headings_move_to_the_index_given() {
        let (mut board, first) = board_with(&[]);
        let lead = actor(Role::TeamLead);
        let second = HeadingId("leadership".into());
        let add = Command::AddHeading {
            heading: second.clone(),
            title: "Leadership".into(),
        };
        board.apply(&decide(&board, &lead, &add).unwrap());
        let move_first = Command::MoveHeading {
            heading: first.clone(),
            index: 99,
        };
        board.apply(&decide(&board, &lead, &move_first).unwrap());
        let order: Vec<&HeadingId> = board.live_headings().map(|h| &h.id).collect();
        assert_eq!(order, [&second, &first]);
    }
    fn message_id(n: u128) -> MessageId {
        MessageId(Uuid::from_u128(n))
    }

    fn add_message(n: u128, heading: &HeadingId) -> Command {
        Command::AddMessage {
            message: message_id(n),
            heading: heading.clone(),
            before: None,
            text: format!("  Message {n}.  "),
            kind: crate::wall::MessageKind::Strength,
        }
    }

    fn apply(board: &mut Board, actor: &Actor, command: Command) {
        let change =
            decide(board, actor, &command).unwrap_or_else(|r| panic!("{command:?}: {r:?}"));
        board.apply(&change);
    }

    #[test]
    fn key_messages_gather_evidence_and_reorder() {
        let (mut board, heading) = board_with(&[(1, None), (2, None)]);
        let peer = actor(Role::Peer);
        apply(&mut board, &peer, add_message(10, &heading));
        apply(&mut board, &peer, add_message(11, &heading));
        assert_eq!(board.messages[&message_id(10)].text, "Message 10.");
        // A note supports two messages; the same note twice on one is refused.
        for (message, note) in [(10, 1), (11, 1), (10, 2)] {
            apply(
                &mut board,
                &peer,
                Command::AddEvidence {
                    message: message_id(message),
                    note: note_id(note),
                },
            );
        }
        let again = Command::AddEvidence {
            message: message_id(10),
            note: note_id(1),
        };
        assert_eq!(code(decide(&board, &peer, &again)), ErrorCode::Invalid);
        assert_eq!(
            board.messages[&message_id(10)].evidence,
            [note_id(1), note_id(2)]
        );
        assert_eq!(board.notes_in_use().len(), 2);
        apply(
            &mut board,
            &peer,
            Command::RemoveEvidence {
                message: message_id(10),
                note: note_id(2),
            },
        );
        assert_eq!(board.notes_in_use().len(), 1);
        // Message 11 moves before message 10.
        apply(
            &mut board,
            &peer,
            Command::MoveMessage {
                message: message_id(11),
                heading: heading.clone(),
                before: Some(message_id(10)),
            },
        );
        let order: Vec<MessageId> = board.messages_in(&heading).iter().map(|m| m.id).collect();
        assert_eq!(order, [message_id(11), message_id(10)]);
        // Edits, deletes and restores; a deleted message takes no evidence and frees its notes.
        apply(
            &mut board,
            &peer,
            Command::EditMessage {
                message: message_id(10),
                text: Some("Rewritten.".into()),
                kind: Some(crate::wall::MessageKind::Recommendation),
            },
        );
        let edited = &board.messages[&message_id(10)];
        assert_eq!((edited.text.as_str(), edited.version), ("Rewritten.", 5));
        apply(
            &mut board,
            &peer,
            Command::DeleteMessage {
                message: message_id(11),
            },
        );
        assert_eq!(board.messages_in(&heading).len(), 1);
        let onto_deleted = Command::AddEvidence {
            message: message_id(11),
            note: note_id(2),
        };
        assert_eq!(
            code(decide(&board, &peer, &onto_deleted)),
            ErrorCode::NotFound
        );
        apply(
            &mut board,
            &peer,
            Command::RestoreMessage {
                message: message_id(11),
            },
        );
        assert_eq!(board.messages_in(&heading).len(), 2);
        // Evidence must be a live note, a message must sit under a live heading.
        let deleted_note = Command::AddEvidence {
            message: message_id(10),
            note: note_id(99),
        };
        assert_eq!(
            code(decide(&board, &peer, &deleted_note)),
            ErrorCode::NotFound
        );
        let nowhere = Command::AddMessage {
            message: message_id(12),
            heading: HeadingId("nowhere".into()),
            before: None,
            text: "x".into(),
            kind: crate::wall::MessageKind::Strength,
        };
        assert_eq!(code(decide(&board, &peer, &nowhere)), ErrorCode::NotFound);
        // A heading with messages is not archived out from under them.
        let archive = Command::ArchiveHeading { heading };
        assert_eq!(
            code(decide(&board, &actor(Role::TeamLead), &archive)),
            ErrorCode::Invalid
        );
    }

    #[test]
    fn each_person_has_their_votes_and_no_more() {
        let (mut board, heading) = board_with(&[]);
        let lead = actor(Role::TeamLead);
        let mut other = actor(Role::Peer);
        other.person = PersonId(Uuid::from_u128(2));
        apply(&mut board, &lead, add_message(10, &heading));
        apply(&mut board, &lead, add_message(11, &heading));
        apply(
            &mut board,
            &lead,
            Command::SetVoting {
                votes_per_person: 2,
                revealed: false,
            },
        );
        let vote = |n| Command::Vote {
            message: message_id(n),
        };
        apply(&mut board, &lead, vote(10));
        apply(&mut board, &lead, vote(10));
        let third = decide(&board, &lead, &vote(11)).unwrap_err();
        assert!(
            third.error.message.contains("all 2"),
            "{}",
            third.error.message
        );
        // Someone else's votes are their own.
        apply(&mut board, &other, vote(11));
        assert_eq!(board.messages[&message_id(10)].vote_total(), 2);
        assert_eq!(board.votes_used_by(lead.person), 2);
        // Taking one back frees it; taking back what is not there is refused.
        apply(
            &mut board,
            &lead,
            Command::Unvote {
                message: message_id(10),
            },
        );
        apply(&mut board, &lead, vote(11));
        assert_eq!(board.messages[&message_id(11)].vote_total(), 2);
        let none = Command::Unvote {
            message: message_id(11),
        };
        let mut third = actor(Role::Facilitator);
        third.person = PersonId(Uuid::from_u128(3));
        assert_eq!(code(decide(&board, &third, &none)), ErrorCode::Invalid);
        // Over the limit of votes a facilitator can give out.
        let too_many = Command::SetVoting {
            votes_per_person: 21,
            revealed: true,
        };
        assert_eq!(code(decide(&board, &lead, &too_many)), ErrorCode::Invalid);
    }

    #[test]
    fn a_locked_wall_is_read_only_for_all_but_its_leads() {
        let (mut board, heading) = board_with(&[(1, None)]);
        let peer = actor(Role::Peer);
        let lock = Command::LockWall { locked: true };
        assert_eq!(code(decide(&board, &peer, &lock)), ErrorCode::Forbidden);
        apply(&mut board, &actor(Role::Facilitator), lock);
        assert!(board.settings.locked);
        let move_note = Command::MoveNote {
            note: note_id(1),
            heading: Some(heading.clone()),
            before: None,
        };
        let refused = decide(&board, &peer, &move_note).unwrap_err();
        assert_eq!(refused.error.code, ErrorCode::Forbidden);
        assert!(refused.error.message.contains("locked"));
        assert_eq!(
            code(decide(&board, &peer, &add_message(10, &heading))),
            ErrorCode::Forbidden
        );
        // The leads carry on preparing, and unlock.
        apply(&mut board, &actor(Role::TeamLead), move_note);
        apply(
            &mut board,
            &actor(Role::TeamLead),
            Command::LockWall { locked: false },
        );
        apply(&mut board, &peer, add_message(10, &heading));
    }

    #[test]
    fn every_triangulation_command_checks_the_role() {
        let (mut board, heading) = board_with(&[(1, None)]);
        let lead = actor(Role::TeamLead);
        apply(&mut board, &lead, add_message(10, &heading));
        let writes = [
            add_message(11, &heading),
            Command::EditMessage {
                message: message_id(10),
                text: Some("x".into()),
                kind: None,
            },
            Command::MoveMessage {
                message: message_id(10),
                heading: heading.clone(),
                before: None,
            },
            Command::DeleteMessage {
                message: message_id(10),
            },
            Command::AddEvidence {
                message: message_id(10),
                note: note_id(1),
            },
            Command::Vote {
                message: message_id(10),
            },
        ];
        let leads = [
            Command::LockWall { locked: true },
            Command::SetVoting {
                votes_per_person: 5,
                revealed: true,
            },
        ];
        for role in Role::ALL {
            for command in &writes {
                assert_eq!(
                    decide(&board, &actor(role), command).is_ok(),
                    role.does_fieldwork(),
                    "{role:?} {command:?}"
                );
            }
            for command in &leads {
                assert_eq!(
                    decide(&board, &actor(role), command).is_ok(),
                    matches!(role, Role::Facilitator | Role::TeamLead),
                    "{role:?} {command:?}"
                );
            }
        }
    }
}
