//! Moving notes and key messages: by mouse (HTML drag and drop), by touch (a grip and pointer
//! capture) and by keyboard (Space to pick up, arrows to move, Space to drop, Escape to cancel,
//! each step announced). The note cards and the key messages share it.

use leptos::prelude::*;

use crate::wall::protocol::Command;
use crate::wall::state::WallState;
use crate::wall::view::filters::Filters;
use crate::wall::{Board, HeadingId, MessageId, NoteId};

/// A note being carried with the keyboard: where it would drop.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Carry {
    pub(crate) note: NoteId,
    pub(crate) column: usize,
    pub(crate) index: usize,
}

/// Shared by the wall's parts: what is being dragged or carried, and the screen-reader line.
#[derive(Clone, Copy)]
pub(crate) struct DragState {
    pub(crate) dragged: RwSignal<Option<NoteId>>,
    pub(crate) carry: RwSignal<Option<Carry>>,
    pub(crate) announce: RwSignal<String>,
    pub(crate) editing: RwSignal<Option<NoteId>>,
    /// Where a touch drag would drop now: the heading, and the note it would go before.
    pub(crate) touch_target: RwSignal<Option<(Option<HeadingId>, Option<NoteId>)>>,
    /// The text of the note being edited (one at a time).
    pub(crate) draft: RwSignal<String>,
}

/// The note a card element stands for (`li.note`, id `note-<uuid>`).
#[cfg(feature = "hydrate")]
fn card_note(card: &web_sys::Element) -> Option<NoteId> {
    card.id()
        .strip_prefix("note-")
        .and_then(|id| uuid::Uuid::parse_str(id).ok())
        .map(NoteId)
}

/// The note whose card an event happened in, when the element it happened on matches
/// `within` (a part of the card, or the card itself). The wall listens once per column rather
/// than on every card: a thousand cards would otherwise cost eleven thousand listeners.
pub(crate) fn event_note(event: &leptos::ev::Event, within: &str) -> Option<NoteId> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let element = event.target()?.dyn_into::<web_sys::Element>().ok()?;
        let part = element.closest(within).ok()??;
        let card = part.closest("li.note").ok()??;
        card_note(&card)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (event, within);
        None
    }
}

/// What is under the point: the note it would drop before, or the column it would drop into.
fn drop_target_at(x: f64, y: f64, moving: NoteId) -> Option<(Option<HeadingId>, Option<NoteId>)> {
    #[cfg(feature = "hydrate")]
    {
        let element = document().element_from_point(x as f32, y as f32)?;
        let column = element.closest("section.wall-column").ok()??;
        let heading = column
            .get_attribute("data-heading")
            .filter(|h| !h.is_empty())
            .map(HeadingId);
        let before = element
            .closest("li.note")
            .ok()
            .flatten()
            .and_then(|card| card_note(&card))
            .filter(|note| *note != moving);
        Some((heading, before))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (x, y, moving);
        None
    }
}

pub(crate) fn touch_start(
    event: leptos::ev::PointerEvent,
    note: NoteId,
    state: WallState,
    drag: DragState,
) {
    event.prevent_default();
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if let Some(handle) = event
            .target()
            .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
        {
            let _ = handle.set_pointer_capture(event.pointer_id());
        }
    }
    drag.dragged.set(Some(note));
    state.dragging(Some(note));
}

pub(crate) fn touch_move(event: leptos::ev::PointerEvent, drag: DragState) {
    let Some(moving) = drag.dragged.get_untracked() else {
        return;
    };
    let target = drop_target_at(event.client_x() as f64, event.client_y() as f64, moving);
    drag.touch_target.set(target);
}

pub(crate) fn touch_end(
    event: leptos::ev::PointerEvent,
    note: NoteId,
    state: WallState,
    drag: DragState,
) {
    let target = drop_target_at(event.client_x() as f64, event.client_y() as f64, note)
        .or_else(|| drag.touch_target.get_untracked());
    if drag.dragged.get_untracked() == Some(note)
        && let Some((heading, before)) = target
    {
        state.submit(Command::MoveNote {
            note,
            heading,
            before,
        });
    }
    drag.dragged.set(None);
    drag.touch_target.set(None);
    state.dragging(None);
}

/// Starts a mouse drag of a note or a key message: the browser carries its id as text.
pub(crate) fn start_drag(event: &leptos::ev::DragEvent, id: &dyn std::fmt::Display) {
    #[cfg(feature = "hydrate")]
    if let Some(transfer) = event.data_transfer() {
        let _ = transfer.set_data("text/plain", &id.to_string());
        transfer.set_effect_allowed("move");
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (event, id);
}

/// The columns left to right: Unsorted, then the live headings.
pub(crate) fn columns(board: &Board) -> Vec<(Option<HeadingId>, String)> {
    std::iter::once((None, "Unsorted".to_string()))
        .chain(
            board
                .live_headings()
                .map(|heading| (Some(heading.id.clone()), heading.title.clone())),
        )
        .collect()
}

pub(crate) fn focus_note(note: NoteId) {
    focus_id(format!("note-{note}"));
}

/// Puts the focus on the element with `id` once the next frame has drawn it.
pub(crate) fn focus_id(id: String) {
    #[cfg(feature = "hydrate")]
    request_animation_frame(move || {
        use wasm_bindgen::JsCast;
        if let Some(element) = document()
            .get_element_by_id(&id)
            .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = element.focus();
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = id;
}

/// Moves the keyboard-carried note one step; returns the announcement.
fn step(board: &Board, carry: &mut Carry, key: &str, filters: &Filters) -> Option<String> {
    let columns = columns(board);
    let column_len = |column: usize| {
        board
            .notes_in(columns[column].0.as_ref())
            .into_iter()
            .filter(|note| note.id != carry.note && filters.matches(note))
            .count()
    };
    match key {
        "ArrowUp" => carry.index = carry.index.saturating_sub(1),
        "ArrowDown" => carry.index = (carry.index + 1).min(column_len(carry.column)),
        "ArrowLeft" if carry.column > 0 => {
            carry.column -= 1;
            carry.index = carry.index.min(column_len(carry.column));
        }
        "ArrowRight" if carry.column + 1 < columns.len() => {
            carry.column += 1;
            carry.index = carry.index.min(column_len(carry.column));
        }
        _ => return None,
    }
    Some(format!(
        "{}, position {} of {}.",
        columns[carry.column].1,
        carry.index + 1,
        column_len(carry.column) + 1
    ))
}

/// The keyboard on a note's card (the card itself has the focus): Space picks it up and drops
/// it, the arrows carry it, Escape puts it back.
pub(crate) fn note_key(
    event: leptos::ev::KeyboardEvent,
    id: NoteId,
    column: usize,
    context: (WallState, Filters, DragState),
) {
    if context.2.editing.get_untracked() == Some(id) {
        return;
    }
    if carry_key(&event.key(), id, column, context, true) {
        event.prevent_default();
    }
}

/// One step of carrying note `id` (in `column`) without dragging it, from its card's keyboard
/// or from the move bar's buttons, which a pointer uses instead of a drag (WCAG 2.2's 2.5.7):
/// " " picks it up or drops it, the arrow keys carry it, "Escape" puts it back. From the
/// `keyboard`, the focus goes back to the card. Whether the key did anything.
pub(crate) fn carry_key(
    key: &str,
    id: NoteId,
    column: usize,
    (state, filters, drag): (WallState, Filters, DragState),
    keyboard: bool,
) -> bool {
    let refocus = move |note| {
        if keyboard {
            focus_note(note);
        }
    };
    match (key, drag.carry.get_untracked()) {
        (" ", None) => {
            let index = state.shown.with_untracked(|board| {
                let columns = columns(board);
                board
                    .notes_in(columns.get(column).and_then(|c| c.0.as_ref()))
                    .into_iter()
                    .filter(|n| filters.matches(n))
                    .position(|n| n.id == id)
                    .unwrap_or(0)
            });
            drag.carry.set(Some(Carry {
                note: id,
                column,
                index,
            }));
            state.dragging(Some(id));
            drag.announce.set(if keyboard {
                "Picked up. Arrow keys move it, Space drops it, Escape cancels.".into()
            } else {
                "Picked up. The move bar at the foot of the screen moves it.".into()
            });
            true
        }
        (" ", Some(carry)) => {
            let (heading, before, place) = state.shown.with_untracked(|board| {
                let columns = columns(board);
                let (heading, title) = columns.get(carry.column).cloned().unwrap_or_default();
                let others: Vec<NoteId> = board
                    .notes_in(heading.as_ref())
                    .into_iter()
                    .filter(|n| n.id != carry.note && filters.matches(n))
                    .map(|n| n.id)
                    .collect();
                (heading, others.get(carry.index).copied(), title)
            });
            state.submit(Command::MoveNote {
                note: carry.note,
                heading,
                before,
            });
            drag.carry.set(None);
            state.dragging(None);
            drag.announce.set(format!("Dropped in {place}."));
            refocus(carry.note);
            true
        }
        ("Escape", Some(carry)) => {
            drag.carry.set(None);
            state.dragging(None);
            drag.announce.set("Move cancelled.".into());
            refocus(carry.note);
            true
        }
        (_, Some(mut carry)) => {
            let said = state
                .shown
                .with_untracked(|board| step(board, &mut carry, key, &filters));
            let Some(said) = said else { return false };
            let note = carry.note;
            drag.carry.set(Some(carry));
            drag.announce.set(said);
            refocus(note);
            true
        }
        _ => false,
    }
}

/// What is being dragged on the wall, shared with the notes' own drag code.
#[derive(Clone, Copy)]
pub struct MessageDrag {
    /// The note being dragged by mouse (set by the note cards).
    pub note: RwSignal<Option<NoteId>>,
    /// The message being dragged to a new place.
    pub message: RwSignal<Option<MessageId>>,
}

/// A key message dropped under `heading`, before the message `before` (None: at the end): moves
/// it there. Whether a message was being dragged.
pub(crate) fn drop_message(
    event: &leptos::ev::DragEvent,
    state: WallState,
    drag: MessageDrag,
    heading: &HeadingId,
    before: Option<MessageId>,
) -> bool {
    let Some(message) = drag.message.get_untracked() else {
        return false;
    };
    event.prevent_default();
    event.stop_propagation();
    if Some(message) != before {
        state.submit(Command::MoveMessage {
            message,
            heading: heading.clone(),
            before,
        });
    }
    drag.message.set(None);
    true
}
