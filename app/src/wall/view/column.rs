//! A heading's column (or Unsorted): its key messages and its notes, a drop target, with
//! everything the cards do listened for once per column.

use leptos::prelude::*;

use crate::wall::drag::{
    DragState, carry_key, event_note, focus_id, focus_note, note_key, start_drag, touch_end,
    touch_move, touch_start,
};
use crate::wall::protocol::{Command, NoteEdit};
use crate::wall::state::{Notice, WallState};
use crate::wall::view::filters::Filters;
use crate::wall::view::headings::HeadingTools;
use crate::wall::view::messages::MessageList;
use crate::wall::{HeadingId, Note};

/// One heading's column (or Unsorted), a drop target for notes.
#[component]
pub(crate) fn Column(
    index: usize,
    count: Signal<usize>,
    heading: Option<HeadingId>,
    title: String,
    manages: bool,
) -> impl IntoView {
    let state = expect_context::<WallState>();
    let filters = expect_context::<Filters>();
    let drag = expect_context::<DragState>();
    let title_id = format!("column-{index}");
    let labelled_by = title_id.clone();
    // The notes this column shows, worked out once per change and shared by the list, the
    // count and the drop marker.
    let visible = {
        let heading = heading.clone();
        Memo::new(move |_| {
            state.shown.with(|board| {
                board
                    .notes_in(heading.as_ref())
                    .into_iter()
                    .filter(|note| filters.matches(note))
                    .cloned()
                    .collect::<Vec<Note>>()
            })
        })
    };
    // How many of the column's notes no key message uses yet, so nothing heard is forgotten.
    let unused_count = {
        let heading = heading.clone();
        Memo::new(move |_| {
            filters.in_use.with(|in_use| {
                state.shown.with(|board| {
                    board
                        .notes_in(heading.as_ref())
                        .iter()
                        .filter(|note| !in_use.contains(&note.id))
                        .count()
                })
            })
        })
    };
    let drop_here = {
        let heading = heading.clone();
        move |event: leptos::ev::DragEvent| {
            event.prevent_default();
            if let Some(note) = drag.dragged.get_untracked() {
                state.submit(Command::MoveNote {
                    note,
                    heading: heading.clone(),
                    before: None,
                });
                drag.dragged.set(None);
                state.dragging(None);
            }
        }
    };
    let heading_for_tools = heading.clone();
    view! {
        <section
            class="wall-column"
            class:drop-into={
                let heading = heading.clone();
                move || drag.touch_target.get().is_some_and(|(h, before)| before.is_none() && h == heading)
            }
            role="listitem"
            aria-labelledby=labelled_by
            data-column=index
            data-heading=heading.as_ref().map(|h| h.0.clone()).unwrap_or_default()
            on:dragover=move |event| event.prevent_default()
            on:drop=drop_here
        >
            <header class="column-header">
                <h2 id=title_id>{title.clone()}</h2>
                <span class="column-count">{move || format!("{} notes", visible.with(Vec::len))}</span>
                <span class="column-count unused-count">{move || format!("{} not yet used", unused_count.get())}</span>
                {(manages && heading_for_tools.is_some()).then(|| {
                    let id = heading_for_tools.clone().unwrap_or_default();
                    view! { <HeadingTools heading=id title=title.clone() position=index - 1 count/> }
                })}
            </header>
            {heading.clone().map(|heading| view! { <MessageList heading title=title.clone()/> })}
            <NoteList index title=title.clone() visible/>
        </section>
    }
}

/// How many of a column's notes are put on the page at first (more than a screen holds), and
/// how many more in each later step.
const FIRST_NOTES: usize = 24;
const MORE_NOTES: usize = 48;

/// A column's notes. Everything their cards do is listened for once, here: mouse drag and
/// drop, the keyboard, the touch grip, the Move, Edit and Delete buttons and the edit form.
#[component]
fn NoteList(index: usize, title: String, visible: Memo<Vec<Note>>) -> impl IntoView {
    let state = expect_context::<WallState>();
    let filters = expect_context::<Filters>();
    let drag = expect_context::<DragState>();
    // A big wall is usable at once: the first screenful of notes goes on the page with the
    // welcome, the rest a chunk at a time, each in its own short task, so a key press or a
    // drag is answered within a few milliseconds meanwhile.
    // Once the column is complete, every note is on the page at once: a note written or moved
    // here later never waits for a step.
    let on_page = RwSignal::new(FIRST_NOTES);
    Effect::new(move |_| {
        let count = on_page.get();
        if count == usize::MAX || !state.loaded.get() {
            return;
        }
        if count < visible.with(Vec::len) {
            set_timeout(
                move || on_page.update(|count| *count = count.saturating_add(MORE_NOTES)),
                std::time::Duration::ZERO,
            );
        } else {
            on_page.set(usize::MAX);
        }
    });
    let list = NodeRef::<leptos::html::Ol>::new();
    // The server never renders a column (the wall is built in the browser).
    #[cfg(feature = "hydrate")]
    keep_cards(list, index, visible, on_page);
    view! {
        <ol
            class="notes"
            node_ref=list
            aria-label=format!("Notes under {title}")
            on:dragstart=move |event: leptos::ev::DragEvent| {
                if let Some(id) = event_note(&event, "li.note") {
                    start_drag(&event, &id);
                    drag.dragged.set(Some(id));
                    state.dragging(Some(id));
                }
            }
            on:dragend=move |_| {
                drag.dragged.set(None);
                state.dragging(None);
            }
            on:drop=move |event| drop_on_card(&event, state, drag)
            on:keydown=move |event: leptos::ev::KeyboardEvent| {
                // Only keys on the card itself: Space on its Edit button presses the button.
                if let Some(id) = event_note(&event, "li.note:focus") {
                    note_key(event, id, index, (state, filters, drag));
                }
            }
            on:click=move |event| card_button(&event, index, (state, filters, drag))
            on:submit=move |event| save_edit(&event, state, drag)
            on:input=move |event| {
                if event_note(&event, "form.note-edit").is_some() {
                    drag.draft.set(event_target_value(&event));
                }
            }
            on:pointerdown=move |event: leptos::ev::PointerEvent| {
                if let Some(id) = event_note(&event, ".drag-handle") {
                    touch_start(event, id, state, drag);
                }
            }
            on:pointermove=move |event: leptos::ev::PointerEvent| {
                if drag.dragged.get_untracked().is_some() {
                    touch_move(event, drag);
                }
            }
            on:pointerup=move |event: leptos::ev::PointerEvent| {
                if let Some(id) = event_note(&event, ".drag-handle") {
                    touch_end(event, id, state, drag);
                }
            }
            on:pointercancel=move |event: leptos::ev::PointerEvent| {
                if event_note(&event, ".drag-handle").is_some() {
                    drag.dragged.set(None);
                    drag.touch_target.set(None);
                    state.dragging(None);
                }
            }
        ></ol>
    }
}

/// Keeps the column's cards (`card::Card`) in `list` as its notes change: keyed by the note's
/// state, so a note written above does not redo the cards below, and a card left in place
/// (the carried one among them) keeps the focus. Each card is repainted only when its marks
/// change, its form opened and closed as editing starts and ends, and its badge redrawn when
/// the timetable's sessions arrive.
#[cfg(feature = "hydrate")]
fn keep_cards(
    list: NodeRef<leptos::html::Ol>,
    index: usize,
    visible: Memo<Vec<Note>>,
    on_page: RwSignal<usize>,
) {
    use crate::wall::NoteId;
    use crate::wall::view::card::{Card, CardFlags, CardMarks, element};
    use crate::wall::view::sessions::WallSessions;
    use std::collections::{BTreeSet, HashMap};
    use std::{cell::RefCell, rc::Rc};

    let drag = expect_context::<DragState>();
    let marks = expect_context::<CardMarks>();
    let sessions = expect_context::<WallSessions>();
    let cards = Rc::new(RefCell::new(HashMap::<NoteId, Card>::new()));
    let unmarked = CardFlags::default();
    Effect::new({
        let (cards, unmarked) = (cards.clone(), unmarked.clone());
        move |_| {
            let Some(list) = list.get() else {
                return;
            };
            let shown = on_page.get();
            visible.with(|notes| {
                untrack(|| {
                    let notes = &notes[..notes.len().min(shown)];
                    let cards = &mut *cards.borrow_mut();
                    let wanted = notes.iter().map(|note| note.id).collect::<BTreeSet<_>>();
                    cards.retain(|id, card| {
                        let keep = wanted.contains(id);
                        if !keep {
                            card.element.remove();
                        }
                        keep
                    });
                    let editing = drag.editing.get();
                    marks.marked.with(|marked| {
                        for note in notes {
                            if cards.get(&note.id).is_some_and(|card| card.shows(note)) {
                                continue;
                            }
                            let draft = (editing == Some(note.id)).then(|| drag.draft.get());
                            let mut card = Card::build(note, draft.as_deref());
                            card.paint(marked.get(&note.id).unwrap_or(&unmarked));
                            card.identify(sessions.identifying(note.session));
                            if let Some(old) = cards.insert(note.id, card) {
                                old.element.remove();
                            }
                        }
                    });
                    // In order: a card already in its place is passed over, not moved.
                    let mut place = list.first_child();
                    for note in notes {
                        let Some(card) = cards.get(&note.id) else {
                            continue;
                        };
                        let node: &web_sys::Node = card.element.as_ref();
                        if place.as_ref() == Some(node) {
                            place = node.next_sibling();
                        } else {
                            let _ = list.insert_before(node, place.as_ref());
                        }
                    }
                });
            });
        }
    });
    // The marks: the cards marked before or now are repainted.
    Effect::new({
        let cards = cards.clone();
        move |before: Option<BTreeSet<NoteId>>| {
            marks.marked.with(|marked| {
                let cards = &mut *cards.borrow_mut();
                for id in before.iter().flatten().chain(marked.keys()) {
                    if let Some(card) = cards.get_mut(id) {
                        card.paint(marked.get(id).unwrap_or(&unmarked));
                    }
                }
                marked.keys().copied().collect()
            })
        }
    });
    // The note being edited shows the form instead of its text.
    Effect::new({
        let cards = cards.clone();
        move |before: Option<Option<NoteId>>| {
            let editing = drag.editing.get();
            let cards = &mut *cards.borrow_mut();
            if let Some(Some(id)) = before
                && Some(id) != editing
                && let Some(card) = cards.get_mut(&id)
            {
                card.edit(None);
            }
            if let Some(id) = editing
                && before != Some(editing)
                && let Some(card) = cards.get_mut(&id)
            {
                card.edit(Some(&drag.draft.get_untracked()));
            }
            editing
        }
    });
    Effect::new({
        let cards = cards.clone();
        move |_| {
            sessions.sessions.track();
            untrack(|| {
                for card in cards.borrow_mut().values_mut() {
                    if card.session.is_some() {
                        card.identify(sessions.identifying(card.session));
                    }
                }
            });
        }
    });
    // The carried note stays in place (and keeps the focus); the marker after the cards shows
    // that it will land at the column's end.
    let marker = element("li", "drop-marker");
    let _ = marker.set_attribute("aria-hidden", "true");
    Effect::new(move |_| {
        let Some(list) = list.get() else {
            return;
        };
        let at_end = drag.carry.get().is_some_and(|c| {
            let (shown, carried_here) =
                visible.with(|notes| (notes.len(), notes.iter().any(|n| n.id == c.note)));
            c.column == index && c.index >= shown - usize::from(carried_here)
        });
        if !at_end {
            marker.remove();
        } else if marker.parent_node().is_none() {
            let _ = list.append_child(&marker);
        }
    });
}

/// A note's text edited in place, saved.
fn save_edit(event: &leptos::ev::SubmitEvent, state: WallState, drag: DragState) {
    let Some(id) = event_note(event, "form.note-edit") else {
        return;
    };
    event.prevent_default();
    // The card is built again at every change of the note's version, form and draft included,
    // so the board's version is the one the form on the page was built on.
    let version = state
        .shown
        .with_untracked(|board| board.notes.get(&id).map(|note| note.version));
    if let Some(base_version) = version {
        state.submit(Command::EditNote {
            note: id,
            base_version,
            edit: NoteEdit {
                text: Some(drag.draft.get_untracked()),
                ..NoteEdit::default()
            },
        });
    }
    drag.editing.set(None);
    focus_note(id);
}

/// A note dropped on a card goes before it; dropped elsewhere in the list, the column takes it.
fn drop_on_card(event: &leptos::ev::DragEvent, state: WallState, drag: DragState) {
    let Some(id) = event_note(event, "li.note") else {
        return;
    };
    event.prevent_default();
    event.stop_propagation();
    if let Some(dragged) = drag.dragged.get_untracked()
        && dragged != id
    {
        let heading = state
            .shown
            .with_untracked(|board| board.notes.get(&id).and_then(|n| n.heading.clone()));
        state.submit(Command::MoveNote {
            note: dragged,
            heading,
            before: Some(id),
        });
    }
    drag.dragged.set(None);
    state.dragging(None);
}

/// A card's Move, Edit or Delete button. Move picks the note up for the move bar
/// (`card::MoveBar`), putting down any other note being carried.
fn card_button(
    event: &leptos::ev::MouseEvent,
    column: usize,
    (state, filters, drag): (WallState, Filters, DragState),
) {
    if let Some(id) = event_note(event, "button[data-note-action=move]") {
        if drag.carry.get_untracked().is_some() {
            drag.carry.set(None);
            state.dragging(None);
        }
        carry_key(" ", id, column, (state, filters, drag), false);
    } else if let Some(id) = event_note(event, "button[data-note-action=edit]") {
        drag.draft.set(
            state
                .shown
                .with_untracked(|b| b.notes.get(&id).map(|n| n.text.clone()).unwrap_or_default()),
        );
        drag.editing.set(Some(id));
        // The box opens where the note's text was, before the button: the focus goes to it.
        focus_id(format!("edit-{id}"));
    } else if let Some(id) = event_note(event, "button[data-note-action=cancel-edit]") {
        drag.editing.set(None);
        focus_note(id);
    } else if let Some(id) = event_note(event, "button[data-note-action=delete]") {
        state.submit(Command::DeleteNote { note: id });
        state.notice.set(Some(Notice::Deleted(id)));
    }
}
