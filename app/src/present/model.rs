//! The deck: what the room (and everyone following remotely) sees, worked out from the wall. It
//! carries headings and their key messages with their computed strength — never notes, authors
//! or pairs — except the one quote the presenter chose to show.

use serde::{Deserialize, Serialize};

use crate::wall::triangulation::{Corroboration, Strength, presentation_order};
use crate::wall::{Board, HeadingId, MessageId, MessageKind};

/// One key message as projected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlideMessage {
    pub id: MessageId,
    pub kind: MessageKind,
    pub text: String,
    pub corroboration: Corroboration,
    /// Distinct sessions and stakeholder groups behind it (no pairs: the room does not need them).
    pub sessions: usize,
    pub groups: usize,
    /// Its dot votes, once the facilitator has revealed them.
    pub votes: Option<u32>,
    /// The note text the presenter chose to show, without who said it or where.
    pub quote: Option<String>,
}

/// One heading's slide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slide {
    pub heading: HeadingId,
    pub title: String,
    pub messages: Vec<SlideMessage>,
}

/// The whole presentation and where it stands.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deck {
    /// Live headings with at least one key message, left to right.
    pub slides: Vec<Slide>,
    /// The slide showing; None is the title slide (not started, or between headings).
    pub current: Option<usize>,
    /// For host roles and observers: the presentation is not being given and the handout is not
    /// published, so they are shown nothing of the findings yet.
    #[serde(default)]
    pub waiting: bool,
    /// Whether the presentation is being given to the room, and the handout published.
    #[serde(default)]
    pub presenting: bool,
    #[serde(default)]
    pub handout_published: bool,
}

impl Deck {
    /// The deck for `board` as it stands.
    pub fn from_board(board: &Board) -> Self {
        let settings = &board.settings;
        let slides: Vec<Slide> = board
            .live_headings()
            .filter_map(|heading| {
                let messages: Vec<SlideMessage> = presentation_order(board, &heading.id)
                    .into_iter()
                    .map(|message| {
                        let strength = Strength::of(board, message);
                        let showing = settings.slide.as_ref() == Some(&heading.id);
                        let quote = settings
                            .quote
                            .filter(|note| showing && message.evidence.contains(note))
                            .and_then(|note| board.notes.get(&note))
                            .filter(|note| !note.deleted)
                            .map(|note| note.text.clone());
                        SlideMessage {
                            id: message.id,
                            kind: message.kind,
                            text: message.text.clone(),
                            corroboration: strength.corroboration(),
                            sessions: strength.sources,
                            groups: strength.stakeholders,
                            votes: settings.votes_revealed.then(|| message.vote_total()),
                            quote,
                        }
                    })
                    .collect();
                (!messages.is_empty()).then(|| Slide {
                    heading: heading.id.clone(),
                    title: heading.title.clone(),
                    messages,
                })
            })
            .collect();
        let current = settings
            .slide
            .as_ref()
            .and_then(|showing| slides.iter().position(|slide| slide.heading == *showing));
        Self {
            slides,
            current,
            waiting: false,
            presenting: settings.presenting,
            handout_published: settings.handout_published,
        }
    }

    /// The deck as host roles and observers may see it: the whole deck while the presentation
    /// is given or once the handout is published, otherwise nothing of the findings.
    pub fn for_room(board: &Board) -> Self {
        let settings = &board.settings;
        if settings.presenting || settings.handout_published {
            Self::from_board(board)
        } else {
            Self {
                waiting: true,
                ..Self::default()
            }
        }
    }

    /// The heading of the slide `step` away from the current one (from the title slide, the
    /// first), staying within the deck; None means the title slide.
    pub fn step(&self, step: isize) -> Option<HeadingId> {
        let at = self.current.map_or(-1, |at| at as isize);
        let last = self.slides.len() as isize - 1;
        let to = (at + step).clamp(-1, last);
        (to >= 0).then(|| self.slides[to as usize].heading.clone())
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::accounts::PersonId;
    use crate::membership::Role;
    use crate::wall::protocol::{Command, NoteFields};
    use crate::wall::rules::{Actor, decide};
    use crate::wall::{NoteId, NoteKind};

    fn lead() -> Actor {
        Actor {
            person: PersonId(Uuid::from_u128(1)),
            name: "Tom Okafor".into(),
            pair: Some(1),
            role: Role::TeamLead,
        }
    }

    fn run(board: &mut Board, command: Command) {
        let change = decide(board, &lead(), &command).unwrap();
        board.apply(&change);
    }

    /// Two headings, the second with no messages; the first with a recommendation, a strength
    /// evidenced by one note, and an area for improvement.
    fn board() -> (Board, [HeadingId; 2], NoteId, [MessageId; 3]) {
        let mut board = Board::default();
        let headings = [HeadingId("leadership".into()), HeadingId("finance".into())];
        for heading in &headings {
            run(
                &mut board,
                Command::AddHeading {
                    heading: heading.clone(),
                    title: heading.0.to_uppercase(),
                },
            );
        }
        let note = NoteId(Uuid::from_u128(5));
        run(
            &mut board,
            Command::CreateNote {
                note,
                heading: Some(headings[0].clone()),
                before: None,
                fields: NoteFields {
                    text: "The leader is very visible.".into(),
                    kind: NoteKind::Strength,
                    source: "Leader interview".into(),
                    session: None,
                    stakeholder: "Councillors".into(),
                    tags: vec![],
                },
            },
        );
        let ids = [10, 11, 12].map(|n| MessageId(Uuid::from_u128(n)));
        for (id, kind) in ids.iter().zip([
            MessageKind::Recommendation,
            MessageKind::Strength,
            MessageKind::AreaForImprovement,
        ]) {
            run(
                &mut board,
                Command::AddMessage {
                    message: *id,
                    heading: headings[0].clone(),
                    before: None,
                    text: format!("{kind:?}."),
                    kind,
                },
            );
        }
        run(
            &mut board,
            Command::AddEvidence {
                message: ids[1],
                note,
            },
        );
        (board, headings, note, ids)
    }

    #[test]
    fn the_deck_shows_messages_in_order_and_nothing_of_the_notes() {
        let (mut board, headings, note, ids) = board();
        let deck = Deck::from_board(&board);
        assert_eq!(
            deck.slides.len(),
            1,
            "a heading without messages has no slide"
        );
        assert_eq!(deck.current, None);
        let order: Vec<MessageId> = deck.slides[0].messages.iter().map(|m| m.id).collect();
        assert_eq!(order, [ids[1], ids[2], ids[0]]);
        let strength = &deck.slides[0].messages[0];
        assert_eq!(strength.corroboration, Corroboration::SingleSource);
        assert_eq!((strength.sessions, strength.groups), (1, 1));
        assert_eq!(strength.votes, None, "votes hidden until revealed");
        let json = serde_json::to_string(&deck).unwrap();
        for secret in [
            "Tom Okafor",
            "visible",
            "Leader interview",
            "Councillors",
            "pair",
        ] {
            assert!(!json.contains(secret), "the deck shows {secret:?}: {json}");
        }

        // The presenter shows the slide and a quote: the quote's text only, on its message.
        run(
            &mut board,
            Command::Present {
                slide: Some(headings[0].clone()),
                quote: Some(note),
            },
        );
        run(
            &mut board,
            Command::SetVoting {
                votes_per_person: 3,
                revealed: true,
            },
        );
        let deck = Deck::from_board(&board);
        assert_eq!(deck.current, Some(0));
        let shown = &deck.slides[0].messages[0];
        assert_eq!(shown.quote.as_deref(), Some("The leader is very visible."));
        assert_eq!(shown.votes, Some(0));
        assert!(
            deck.slides[0].messages[1..]
                .iter()
                .all(|m| m.quote.is_none())
        );
        let json = serde_json::to_string(&deck).unwrap();
        for secret in ["Tom Okafor", "Leader interview", "Councillors"] {
            assert!(!json.contains(secret), "the deck shows {secret:?}");
        }
    }

    #[test]
    fn presenting_moves_between_slides_and_checks_its_quote() {
        let (mut board, headings, note, ids) = board();
        // A second slide: a message under finance.
        run(
            &mut board,
            Command::AddMessage {
                message: MessageId(Uuid::from_u128(20)),
                heading: headings[1].clone(),
                before: None,
                text: "Reserves are healthy.".into(),
                kind: MessageKind::Strength,
            },
        );
        let deck = Deck::from_board(&board);
        assert_eq!(
            deck.step(1),
            Some(headings[0].clone()),
            "from the title slide"
        );
        assert_eq!(deck.step(-1), None);
        run(
            &mut board,
            Command::Present {
                slide: deck.step(2),
                quote: None,
            },
        );
        let deck = Deck::from_board(&board);
        assert_eq!(deck.current, Some(1));
        assert_eq!(deck.step(1), Some(headings[1].clone()), "stays on the last");
        assert_eq!(deck.step(-1), Some(headings[0].clone()));
        // A quote must be evidence on the slide shown; peers cannot present.
        let wrong = Command::Present {
            slide: Some(headings[1].clone()),
            quote: Some(note),
        };
        assert!(decide(&board, &lead(), &wrong).is_err());
        let peer = Actor {
            role: Role::Peer,
            ..lead()
        };
        let present = Command::Present {
            slide: Some(headings[0].clone()),
            quote: None,
        };
        assert!(decide(&board, &peer, &present).is_err());
        // A slide whose messages are all deleted drops out of the deck.
        for id in ids {
            run(&mut board, Command::DeleteMessage { message: id });
        }
        assert_eq!(Deck::from_board(&board).slides.len(), 1);
    }

    #[test]
    fn the_room_sees_nothing_until_the_presentation_is_given_or_the_handout_published() {
        let (mut board, ..) = board();
        let waiting = Deck::for_room(&board);
        assert!(waiting.waiting && waiting.slides.is_empty() && waiting.current.is_none());
        assert!(
            !Deck::from_board(&board).waiting,
            "the team always sees the deck"
        );
        run(&mut board, Command::Presenting { on: true });
        assert_eq!(Deck::for_room(&board), Deck::from_board(&board));
        assert!(Deck::for_room(&board).presenting);
        run(&mut board, Command::Presenting { on: false });
        assert!(Deck::for_room(&board).waiting);
        run(&mut board, Command::PublishHandout { published: true });
        let published = Deck::for_room(&board);
        assert!(!published.waiting && published.handout_published && !published.slides.is_empty());
        // Saying what is already so is refused, not silently applied.
        assert!(
            decide(
                &board,
                &lead(),
                &Command::PublishHandout { published: true }
            )
            .is_err()
        );
    }
}
