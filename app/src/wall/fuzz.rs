//! Property tests over the wall's decoder and board service (`decide` + `Board::apply`), the
//! code every websocket frame reaches: arbitrary bytes never panic, and any sequence of
//! commands from any roles leaves a board that keeps its invariants and that every replica,
//! fed the committed changes as JSON, rebuilds exactly.

use proptest::prelude::*;
use uuid::Uuid;

use super::protocol::{
    ClientMessage, Command, MAX_EVIDENCE, MAX_HEADINGS_PER_BOARD, MAX_MESSAGE_CHARS,
    MAX_NOTE_CHARS, NoteEdit, NoteFields,
};
use super::rules::{Actor, decide};
use super::{Board, Change, HeadingId, MessageId, MessageKind, NoteId, NoteKind};
use crate::accounts::PersonId;
use crate::membership::Role;

const ROLES: [Role; Role::ALL.len()] = Role::ALL;

fn note_id(index: u8) -> NoteId {
    NoteId(Uuid::from_u128(u128::from(index % 12) + 1))
}

fn message_id(index: u8) -> MessageId {
    MessageId(Uuid::from_u128(u128::from(index % 8) + 1000))
}

fn message_kind() -> impl Strategy<Value = MessageKind> {
    proptest::sample::select(MessageKind::ALL.to_vec())
}

fn heading_id(index: u8) -> HeadingId {
    HeadingId(format!("h{}", index % 6))
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z ,.'£é]{0,40}",
        Just(String::new()),
        Just("   ".to_string()),
        Just("x".repeat(MAX_NOTE_CHARS + 1)),
    ]
}

fn kind() -> impl Strategy<Value = NoteKind> {
    proptest::sample::select(NoteKind::ALL.to_vec())
}

fn maybe_heading() -> impl Strategy<Value = Option<HeadingId>> {
    proptest::option::of(any::<u8>().prop_map(heading_id))
}

fn maybe_note() -> impl Strategy<Value = Option<NoteId>> {
    proptest::option::of(any::<u8>().prop_map(note_id))
}

fn command() -> impl Strategy<Value = Command> {
    let note = || any::<u8>().prop_map(note_id);
    let heading = || any::<u8>().prop_map(heading_id);
    prop_oneof![
        4 => (note(), maybe_heading(), maybe_note(), text(), kind()).prop_map(
            |(note, heading, before, text, kind)| Command::CreateNote {
                note,
                heading,
                before,
                fields: NoteFields {
                    text,
                    kind,
                    source: "Leader interview".into(),
                    session: None,
                    stakeholder: "Councillors".into(),
                    tags: vec!["finance".into()],
                },
            }
        ),
        2 => (note(), 0u64..4, proptest::option::of(text()), proptest::option::of(kind())).prop_map(
            |(note, base_version, text, kind)| Command::EditNote {
                note,
                base_version,
                edit: NoteEdit { text, kind, ..NoteEdit::default() },
            }
        ),
        3 => (note(), maybe_heading(), maybe_note())
            .prop_map(|(note, heading, before)| Command::MoveNote { note, heading, before }),
        1 => note().prop_map(|note| Command::DeleteNote { note }),
        1 => note().prop_map(|note| Command::RestoreNote { note }),
        1 => (heading(), text()).prop_map(|(heading, title)| Command::AddHeading { heading, title }),
        1 => (heading(), text()).prop_map(|(heading, title)| Command::RenameHeading { heading, title }),
        1 => (heading(), 0usize..8).prop_map(|(heading, index)| Command::MoveHeading { heading, index }),
        1 => heading().prop_map(|heading| Command::ArchiveHeading { heading }),
    ]
}

fn triangulation_command() -> impl Strategy<Value = Command> {
    let note = || any::<u8>().prop_map(note_id);
    let heading = || any::<u8>().prop_map(heading_id);
    let message = || any::<u8>().prop_map(message_id);
    prop_oneof![
        3 => (message(), heading(), proptest::option::of(message()), text(), message_kind()).prop_map(
            |(message, heading, before, text, kind)| Command::AddMessage { message, heading, before, text, kind }
        ),
        1 => (message(), proptest::option::of(text()), proptest::option::of(message_kind()))
            .prop_map(|(message, text, kind)| Command::EditMessage { message, text, kind }),
        2 => (message(), heading(), proptest::option::of(message()))
            .prop_map(|(message, heading, before)| Command::MoveMessage { message, heading, before }),
        1 => message().prop_map(|message| Command::DeleteMessage { message }),
        1 => message().prop_map(|message| Command::RestoreMessage { message }),
        4 => (message(), note()).prop_map(|(message, note)| Command::AddEvidence { message, note }),
        1 => (message(), note()).prop_map(|(message, note)| Command::RemoveEvidence { message, note }),
        2 => message().prop_map(|message| Command::Vote { message }),
        1 => message().prop_map(|message| Command::Unvote { message }),
        1 => any::<bool>().prop_map(|locked| Command::LockWall { locked }),
        1 => (0u32..25, any::<bool>()).prop_map(|(votes_per_person, revealed)| Command::SetVoting { votes_per_person, revealed }),
        1 => (maybe_heading(), maybe_note()).prop_map(|(slide, quote)| Command::Present { slide, quote }),
        1 => any::<bool>().prop_map(|on| Command::Presenting { on }),
        1 => any::<bool>().prop_map(|published| Command::PublishHandout { published }),
    ]
}

fn any_command() -> impl Strategy<Value = Command> {
    prop_oneof![3 => command(), 2 => triangulation_command()]
}

fn actor(role: Role) -> Actor {
    Actor {
        person: PersonId(Uuid::from_u128(role as u128 + 100)),
        name: format!("{role:?}"),
        pair: Some(1),
        role,
    }
}

/// What must hold of every board a client or the server can reach.
fn check_invariants(board: &Board) -> Result<(), TestCaseError> {
    let live: Vec<&HeadingId> = board.live_headings().map(|h| &h.id).collect();
    prop_assert!(board.headings.len() <= MAX_HEADINGS_PER_BOARD);
    let mut positions: Vec<i64> = board.live_headings().map(|h| h.position).collect();
    positions.sort_unstable();
    positions.dedup();
    prop_assert_eq!(
        positions.len(),
        live.len(),
        "live headings share a position"
    );
    for note in board.notes.values() {
        prop_assert!(!note.text.trim().is_empty(), "a note without text");
        prop_assert!(note.text.chars().count() <= MAX_NOTE_CHARS);
        prop_assert!(note.version >= 1);
        if let Some(heading) = &note.heading {
            prop_assert!(
                live.contains(&heading),
                "a note under a heading that is not live: {heading:?}"
            );
        }
    }
    for message in board.messages.values() {
        let text = message.text.chars().count();
        prop_assert!(text > 0 && text <= MAX_MESSAGE_CHARS, "a message's text");
        prop_assert!(message.evidence.len() <= MAX_EVIDENCE);
        let mut evidence = message.evidence.clone();
        evidence.sort_unstable();
        evidence.dedup();
        prop_assert_eq!(
            evidence.len(),
            message.evidence.len(),
            "a note twice on one message"
        );
        prop_assert!(
            message
                .evidence
                .iter()
                .all(|note| board.notes.contains_key(note))
        );
        if !message.deleted {
            prop_assert!(
                live.contains(&&message.heading),
                "a live message under a heading that is not live"
            );
        }
    }
    // What the room sees never carries a note's author, and a quote only from the slide shown.
    let deck = crate::present::Deck::from_board(board);
    for slide in &deck.slides {
        for message in &slide.messages {
            prop_assert!(
                message.quote.is_none() || board.settings.slide.as_ref() == Some(&slide.heading)
            );
        }
    }
    for heading in &live {
        let mut keys: Vec<&str> = board
            .messages_in(heading)
            .iter()
            .map(|m| m.order.as_str())
            .collect();
        let count = keys.len();
        keys.dedup();
        prop_assert_eq!(keys.len(), count, "two messages share a place");
    }
    for heading in live.iter().map(|h| Some(*h)).chain([None]) {
        let notes = board.notes_in(heading);
        let mut keys: Vec<&str> = notes.iter().map(|note| note.order.as_str()).collect();
        prop_assert!(keys.iter().all(|key| !key.is_empty()));
        keys.sort_unstable();
        let count = keys.len();
        keys.dedup();
        prop_assert_eq!(
            keys.len(),
            count,
            "two notes share a place under {:?}",
            heading
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Arbitrary bytes in a frame: decoding never panics, and whatever decodes is checked and
    /// decided without panicking.
    #[test]
    fn arbitrary_frames_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        if let Ok(ClientMessage::Command { command, .. }) = serde_json::from_slice::<ClientMessage>(&bytes) {
            let _ = command.check();
            for role in ROLES {
                let _ = decide(&Board::default(), &actor(role), &command);
            }
        }
    }

    /// Frames that are almost right: valid commands with one byte changed.
    #[test]
    fn mutated_commands_never_panic(command in any_command(), at in any::<usize>(), byte in any::<u8>()) {
        let frame = ClientMessage::Command { op: super::protocol::OpId(Uuid::nil()), command };
        let mut bytes = serde_json::to_vec(&frame).unwrap();
        let at = at % bytes.len();
        bytes[at] = byte;
        if let Ok(ClientMessage::Command { command, .. }) = serde_json::from_slice::<ClientMessage>(&bytes) {
            let _ = command.check();
            let _ = decide(&Board::default(), &actor(Role::Facilitator), &command);
        }
    }

    /// Any sequence of commands from any roles: the host and observers change nothing, the
    /// board keeps its invariants, and a replica fed the changes as JSON ends identical.
    #[test]
    fn command_sequences_keep_the_board_sound(
        steps in proptest::collection::vec((0usize..ROLES.len(), any_command()), 1..80)
    ) {
        let mut board = Board::default();
        let mut replica = Board::default();
        for (role, command) in steps {
            let role = ROLES[role];
            if command.check().is_err() {
                continue;
            }
            if let Ok(change) = decide(&board, &actor(role), &command) {
                prop_assert!(
                    role.does_fieldwork(),
                    "{role:?} was allowed {command:?}"
                );
                board.apply(&change);
                board.seq += 1;
                let wire: Change = serde_json::from_str(&serde_json::to_string(&change).unwrap()).unwrap();
                replica.apply(&wire);
                replica.seq += 1;
                check_invariants(&board)?;
            }
        }
        prop_assert_eq!(board, replica);
    }
}
