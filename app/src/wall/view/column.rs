//! A heading's column (or Unsorted): its key messages and its notes, a drop target, with
//! everything the cards do listened for once per column.

use leptos::prelude::*;

use crate::wall::drag::{
    DragState, carry_key, event_note, focus_id, note_key, start_drag, touch_end, touch_move,
    touch_start,
};
use crate::wall::protocol::Command;
use crate::wall::state::{Notice, WallState};
use crate::wall::view::card::NoteCard;
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
/// drop, the keyboard, the touch grip, and the Move, Edit and Delete buttons.
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
    view! {
        <ol
            class="notes"
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
        >
            // Keyed by the note's state only: a note written above does not redo the cards below.
            <For
                each={move || visible.with(|notes| notes.iter().take(on_page.get()).cloned().collect::<Vec<_>>())}
                key={|note: &Note| (note.id, note.version, note.order.clone())}
                children={|note| view! { <NoteCard note/> }}
            />
            // The carried note stays in place (and keeps the focus); the marker shows where it
            // will land.
            {move || {
                drag.carry.get().is_some_and(|c| {
                    let (shown, carried_here) = visible.with(|notes| {
                        (notes.len(), notes.iter().any(|n| n.id == c.note))
                    });
                    c.column == index && c.index >= shown - usize::from(carried_here)
                }).then(|| view! { <li class="drop-marker" aria-hidden="true"></li> })
            }}
        </ol>
    }
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
    } else if let Some(id) = event_note(event, "button[data-note-action=delete]") {
        state.submit(Command::DeleteNote { note: id });
        state.notice.set(Some(Notice::Deleted(id)));
    }
}
