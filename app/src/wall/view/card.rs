//! A note's card, and the marks it carries besides its note (carried, drop place, unsaved,
//! being moved by someone), worked out once for the whole wall.

use leptos::prelude::*;

use crate::wall::drag::{DragState, carry_key, columns, focus_note};
use crate::wall::protocol::{Command, MAX_NOTE_CHARS, NoteEdit};
use crate::wall::state::{WallState, command_note};
use crate::wall::view::filters::Filters;
use crate::wall::{Note, NoteId};

/// What a card shows besides its note, worked out once for the whole wall. Each card is told
/// only when something about *it* changes, so a keystroke on a wall of a thousand notes redoes
/// two cards, not a thousand.
#[derive(Clone)]
pub(crate) struct CardMarks {
    carried: Selector<Option<NoteId>>,
    /// The note the keyboard-carried note would land before.
    drop_before: Selector<Option<NoteId>>,
    /// The note a touch drag would land before.
    touch_before: Selector<Option<NoteId>>,
    editing: Selector<Option<NoteId>>,
    unsaved: Memo<std::collections::BTreeSet<NoteId>>,
    /// Who is moving which note, as the others see it.
    movers: Memo<std::collections::BTreeMap<NoteId, String>>,
}

impl CardMarks {
    pub(crate) fn new(state: WallState, filters: Filters, drag: DragState) -> Self {
        Self {
            carried: Selector::new(move || drag.carry.get().map(|carry| carry.note)),
            drop_before: Selector::new(move || {
                let carry = drag.carry.get()?;
                state.shown.with(|board| {
                    let heading = columns(board).get(carry.column)?.0.clone();
                    board
                        .notes_in(heading.as_ref())
                        .into_iter()
                        .filter(|note| note.id != carry.note && filters.matches(note))
                        .nth(carry.index)
                        .map(|note| note.id)
                })
            }),
            touch_before: Selector::new(move || {
                drag.touch_target.get().and_then(|(_, before)| before)
            }),
            editing: Selector::new(move || drag.editing.get()),
            unsaved: Memo::new(move |_| {
                state.pending.with(|pending| {
                    pending
                        .iter()
                        .filter_map(|operation| command_note(&operation.command))
                        .collect()
                })
            }),
            movers: Memo::new(move |_| {
                state.presence.with(|people| {
                    people
                        .iter()
                        .filter_map(|person| Some((person.dragging?, person.name.clone())))
                        .collect()
                })
            }),
        }
    }
}

/// One card's marks, compared so that its view changes only when they do.
#[derive(Debug, Clone, Default, PartialEq)]
struct CardFlags {
    unsaved: bool,
    carried: bool,
    drop_before: bool,
    touch_before: bool,
    moved_by: Option<String>,
}

impl CardFlags {
    fn class(&self) -> String {
        let mut class = String::from("note");
        for (on, name) in [
            (self.unsaved, " note-unsaved"),
            (self.carried, " note-carried"),
            (self.drop_before, " drop-before"),
            (self.touch_before, " touch-before"),
        ] {
            if on {
                class.push_str(name);
            }
        }
        class
    }
}

#[component]
pub(crate) fn NoteCard(note: Note) -> impl IntoView {
    let state = expect_context::<WallState>();
    let drag = expect_context::<DragState>();
    let marks = expect_context::<CardMarks>();
    let id = note.id;
    let key = Some(id);
    let flags = {
        let marks = marks.clone();
        Memo::new(move |_| CardFlags {
            unsaved: marks.unsaved.with(|unsaved| unsaved.contains(&id)),
            carried: marks.carried.selected(&key),
            drop_before: marks.drop_before.selected(&key),
            touch_before: marks.touch_before.selected(&key),
            moved_by: marks.movers.with(|movers| movers.get(&id).cloned()),
        })
    };
    let editing = move || marks.editing.selected(&key);
    let version = note.version;
    let kind = note.kind;
    let label = format!("{}: {}", kind.label(), note.text);
    let sessions = expect_context::<crate::wall::view::sessions::WallSessions>();
    let session = note.session;
    let identifying = move || {
        sessions.identifying(session).map(|role| view! {
            <p class="badge badge-identifying" title="Heard in a session with one named person: quote it without where it was heard, if at all">
                {format!("Identifying: {role}")}
            </p>
        })
    };
    let meta = [note.source.as_str(), note.stakeholder.as_str()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" · ");
    view! {
        <li
            id=format!("note-{id}")
            class=move || flags.with(CardFlags::class)
            data-kind=kind.as_str()
            draggable="true"
            tabindex="0"
            aria-label=label
            aria-describedby="drag-help"
        >
            <p class="note-kind">
                <span class="kind-swatch" aria-hidden="true"></span>{kind.label()}
                // Touch: drag by this grip (the rest of the note still scrolls the page).
                <span class="drag-handle" aria-hidden="true" title="Drag to move">"⠿"</span>
            </p>
            {move || if editing() {
                view! {
                    <form class="note-edit" on:submit=move |event| {
                        event.prevent_default();
                        state.submit(Command::EditNote {
                            note: id,
                            base_version: version,
                            edit: NoteEdit { text: Some(drag.draft.get_untracked()), ..NoteEdit::default() },
                        });
                        drag.editing.set(None);
                        focus_note(id);
                    }>
                        <label class="visually-hidden" for=format!("edit-{id}")>"Note text"</label>
                        <textarea id=format!("edit-{id}") rows="3" maxlength=MAX_NOTE_CHARS.to_string()
                            prop:value=move || drag.draft.get() on:input=move |event| drag.draft.set(event_target_value(&event))></textarea>
                        <button type="submit" class="button button-small">"Save"</button>
                        <button type="button" class="link-button" on:click=move |_| {
                            drag.editing.set(None);
                            focus_note(id);
                        }>"Cancel"</button>
                    </form>
                }.into_any()
            } else {
                view! { <p class="note-text">{note.text.clone()}</p> }.into_any()
            }}
            <p class="note-meta">{meta}</p>
            {identifying}
            <p class="note-meta">
                {note.pair.map(|pair| view! { <span class="pair-badge">{format!("Pair {pair}")}</span> })}
                " " {note.author.clone()}
                {note.tags.iter().map(|tag| view! { <span class="tag">{format!("#{tag}")}</span> }).collect_view()}
            </p>
            {move || {
                let (unsaved, moved_by) = flags.with(|flags| (flags.unsaved, flags.moved_by.clone()));
                view! {
                    {unsaved.then(|| view! { <p class="note-flag">"Not yet saved"</p> })}
                    {moved_by.map(|name| view! { <p class="note-flag">{format!("{name} is moving this")}</p> })}
                }
            }}
            <div class="note-actions">
                <button type="button" class="link-button" data-note-action="move">
                    "Move" <span class="visually-hidden">" this note"</span>
                </button>
                <button type="button" class="link-button" data-note-action="edit">
                    "Edit" <span class="visually-hidden">" this note"</span>
                </button>
                <button type="button" class="link-button" data-note-action="delete">
                    "Delete" <span class="visually-hidden">" this note"</span>
                </button>
            </div>
        </li>
    }
}

/// While a note is carried (picked up by its Move button or from the keyboard), the buttons that
/// carry it with a pointer, one tap or click at a time, instead of a drag (WCAG 2.2, 2.5.7). The
/// bar is drawn once per carried note, so the button pressed keeps the focus between steps.
#[component]
pub(crate) fn MoveBar() -> impl IntoView {
    let state = expect_context::<WallState>();
    let filters = expect_context::<Filters>();
    let drag = expect_context::<DragState>();
    let carried = Memo::new(move |_| drag.carry.with(|carry| carry.as_ref().map(|c| c.note)));
    let press = move |key: &'static str| {
        move |_: leptos::ev::MouseEvent| {
            if let Some(carry) = drag.carry.get_untracked() {
                // Dropping or cancelling takes the bar away: the focus goes back to the note.
                let done = matches!(key, " " | "Escape");
                carry_key(key, carry.note, carry.column, (state, filters, drag), done);
            }
        }
    };
    move || {
        carried.get().map(|note| {
            let text = state.shown.with_untracked(|board| {
                board.notes.get(&note).map(|n| n.text.clone()).unwrap_or_default()
            });
            view! {
                <div class="move-bar" role="group" aria-label="Move the note">
                    <p class="move-bar-note">"Moving: " <span>{text}</span></p>
                    <div class="move-bar-buttons">
                        <button type="button" class="button button-small button-secondary" on:click=press("ArrowLeft")>
                            <span aria-hidden="true">"← "</span>"Left"
                        </button>
                        <button type="button" class="button button-small button-secondary" on:click=press("ArrowUp")>
                            <span aria-hidden="true">"↑ "</span>"Up"
                        </button>
                        <button type="button" class="button button-small button-secondary" on:click=press("ArrowDown")>
                            <span aria-hidden="true">"↓ "</span>"Down"
                        </button>
                        <button type="button" class="button button-small button-secondary" on:click=press("ArrowRight")>
                            "Right"<span aria-hidden="true">" →"</span>
                        </button>
                        <button type="button" class="button button-small" on:click=press(" ")>"Drop here"</button>
                        <button type="button" class="button button-small button-secondary" on:click=press("Escape")>"Cancel"</button>
                    </div>
                </div>
            }
        })
    }
}
