//! A note's card, and the marks it carries besides its note (carried, drop place, unsaved,
//! being moved by someone), worked out once for the whole wall.
//!
//! Cards are built against the DOM directly (`Card`) rather than through `view!`: a wall holds
//! hundreds of them, each of the same few elements, and a typed view compiles its building,
//! updating and unmounting for every element of it into the first route; the column keeps its
//! cards by key (`column::keep_cards`).

use std::collections::{BTreeMap, BTreeSet};

use leptos::prelude::*;

use crate::wall::NoteId;
use crate::wall::drag::{DragState, carry_key, columns};
use crate::wall::state::{WallState, command_note};
use crate::wall::view::filters::Filters;

/// What the cards show besides their notes, worked out once for the whole wall: only the
/// notes that carry a mark are in the map, so a keystroke on a wall of a thousand notes
/// repaints the two or three cards whose marks changed, not a thousand.
#[derive(Clone, Copy)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub(crate) struct CardMarks {
    pub(crate) marked: Memo<BTreeMap<NoteId, CardFlags>>,
}

impl CardMarks {
    pub(crate) fn new(state: WallState, filters: Filters, drag: DragState) -> Self {
        let carried = Memo::new(move |_| drag.carry.with(|carry| carry.as_ref().map(|c| c.note)));
        // The note the keyboard-carried note would land before.
        let drop_before = Memo::new(move |_| {
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
        });
        // The note a touch drag would land before.
        let touch_before =
            Memo::new(move |_| drag.touch_target.get().and_then(|(_, before)| before));
        let unsaved = Memo::new(move |_| {
            state.pending.with(|pending| {
                pending
                    .iter()
                    .filter_map(|operation| command_note(&operation.command))
                    .collect::<BTreeSet<_>>()
            })
        });
        // Who is moving which note, as the others see it.
        let movers = Memo::new(move |_| {
            state.presence.with(|people| {
                people
                    .iter()
                    .filter_map(|person| Some((person.dragging?, person.name.clone())))
                    .collect::<BTreeMap<_, _>>()
            })
        });
        let marked = Memo::new(move |_| {
            let mut marked = BTreeMap::<NoteId, CardFlags>::new();
            unsaved.with(|unsaved| {
                for id in unsaved {
                    marked.entry(*id).or_default().unsaved = true;
                }
            });
            movers.with(|movers| {
                for (id, name) in movers {
                    marked.entry(*id).or_default().moved_by = Some(name.clone());
                }
            });
            if let Some(id) = carried.get() {
                marked.entry(id).or_default().carried = true;
            }
            if let Some(id) = drop_before.get() {
                marked.entry(id).or_default().drop_before = true;
            }
            if let Some(id) = touch_before.get() {
                marked.entry(id).or_default().touch_before = true;
            }
            marked
        });
        Self { marked }
    }
}

/// One card's marks.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct CardFlags {
    unsaved: bool,
    carried: bool,
    drop_before: bool,
    touch_before: bool,
    moved_by: Option<String>,
}

#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
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

    /// The lines the card shows for them.
    fn lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if self.unsaved {
            lines.push("Not yet saved".to_string());
        }
        if let Some(name) = &self.moved_by {
            lines.push(format!("{name} is moving this"));
        }
        lines
    }
}

/// A card on the page, kept by its column (`column::keep_cards`): the `li.note` and the parts of
/// it that change without the note changing.
#[cfg(feature = "hydrate")]
pub(crate) struct Card {
    id: NoteId,
    /// The note's state the card was built from; a change to either builds a new card.
    key: (u64, String),
    pub(crate) element: web_sys::Element,
    /// The note's text, or the form editing it.
    body: web_sys::Element,
    text: String,
    /// The author's line: an identifying badge goes before it.
    people: web_sys::Element,
    /// The buttons: the marks' lines go before them.
    actions: web_sys::Element,
    pub(crate) session: Option<crate::visit::SessionId>,
    badge: Option<web_sys::Element>,
    lines: Vec<web_sys::Element>,
    painted: CardFlags,
}

/// A new element of the page's with `class` (none if empty).
#[cfg(feature = "hydrate")]
pub(crate) fn element(tag: &str, class: &str) -> web_sys::Element {
    let element = document()
        .create_element(tag)
        .expect("the document makes elements of a known tag");
    if !class.is_empty() {
        element.set_class_name(class);
    }
    element
}

#[cfg(feature = "hydrate")]
fn text_element(tag: &str, class: &str, text: &str) -> web_sys::Element {
    let element = element(tag, class);
    element.set_text_content(Some(text));
    element
}

#[cfg(feature = "hydrate")]
fn set(element: &web_sys::Element, attributes: &[(&str, &str)]) {
    for (name, value) in attributes {
        let _ = element.set_attribute(name, value);
    }
}

#[cfg(feature = "hydrate")]
fn append(parent: &web_sys::Element, children: &[&web_sys::Node]) {
    for child in children {
        let _ = parent.append_child(child);
    }
}

/// A button of the card's that says which note it is for to a screen reader.
#[cfg(feature = "hydrate")]
fn action_button(action: &str, label: &str) -> web_sys::Element {
    let button = text_element("button", "link-button", label);
    set(&button, &[("type", "button"), ("data-note-action", action)]);
    append(
        &button,
        &[&text_element("span", "visually-hidden", " this note")],
    );
    button
}

#[cfg(feature = "hydrate")]
impl Card {
    /// The card for `note`, with the form open if it is being edited (`draft` in the box).
    pub(crate) fn build(note: &crate::wall::Note, draft: Option<&str>) -> Self {
        let id = note.id;
        let kind = note.kind;
        let li = element("li", "note");
        let (element_id, label) = (
            format!("note-{id}"),
            format!("{}: {}", kind.label(), note.text),
        );
        set(
            &li,
            &[
                ("id", element_id.as_str()),
                ("data-kind", kind.as_str()),
                ("draggable", "true"),
                ("tabindex", "0"),
                ("aria-label", label.as_str()),
                ("aria-describedby", "drag-help"),
            ],
        );
        let heading = element("p", "note-kind");
        let swatch = element("span", "kind-swatch");
        set(&swatch, &[("aria-hidden", "true")]);
        // Touch: drag by this grip (the rest of the note still scrolls the page).
        let grip = text_element("span", "drag-handle", "⠿");
        set(&grip, &[("aria-hidden", "true"), ("title", "Drag to move")]);
        append(
            &heading,
            &[&swatch, &document().create_text_node(kind.label()), &grip],
        );
        let meta = [note.source.as_str(), note.stakeholder.as_str()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" · ");
        let people = element("p", "note-meta");
        if let Some(pair) = note.pair {
            append(
                &people,
                &[&text_element("span", "pair-badge", &format!("Pair {pair}"))],
            );
        }
        append(
            &people,
            &[&document().create_text_node(&format!(" {}", note.author))],
        );
        for tag in &note.tags {
            append(&people, &[&text_element("span", "tag", &format!("#{tag}"))]);
        }
        let actions = element("div", "note-actions");
        for (action, label) in [("move", "Move"), ("edit", "Edit"), ("delete", "Delete")] {
            append(&actions, &[&action_button(action, label)]);
        }
        let body = match draft {
            Some(draft) => edit_form(id, draft),
            None => text_element("p", "note-text", &note.text),
        };
        append(
            &li,
            &[
                &heading,
                &body,
                &text_element("p", "note-meta", &meta),
                &people,
                &actions,
            ],
        );
        Self {
            id,
            key: (note.version, note.order.clone()),
            element: li,
            body,
            text: note.text.clone(),
            people,
            actions,
            session: note.session,
            badge: None,
            lines: Vec::new(),
            painted: CardFlags::default(),
        }
    }

    /// Whether the card still shows `note` as it is (same text, details and place).
    pub(crate) fn shows(&self, note: &crate::wall::Note) -> bool {
        self.key.0 == note.version && self.key.1 == note.order
    }

    /// Shows `flags`, changing only what differs from what the card shows.
    pub(crate) fn paint(&mut self, flags: &CardFlags) {
        if *flags == self.painted {
            return;
        }
        self.element.set_class_name(&flags.class());
        if flags.lines() != self.painted.lines() {
            for line in self.lines.drain(..) {
                line.remove();
            }
            for text in flags.lines() {
                let line = text_element("p", "note-flag", &text);
                let _ = self.element.insert_before(&line, Some(&self.actions));
                self.lines.push(line);
            }
        }
        self.painted = flags.clone();
    }

    /// The badge for a note heard in a session with one named person (`role`), or none.
    pub(crate) fn identify(&mut self, role: Option<String>) {
        if let Some(badge) = self.badge.take() {
            badge.remove();
        }
        if let Some(role) = role {
            let badge = text_element(
                "p",
                "badge badge-identifying",
                &format!("Identifying: {role}"),
            );
            set(
                &badge,
                &[(
                    "title",
                    "Heard in a session with one named person: quote it without where it was heard, if at all",
                )],
            );
            let _ = self.element.insert_before(&badge, Some(&self.people));
            self.badge = Some(badge);
        }
    }

    /// Opens the form editing the note with `draft` in its box, or (`None`) shows its text.
    pub(crate) fn edit(&mut self, draft: Option<&str>) {
        let body = match draft {
            Some(draft) => edit_form(self.id, draft),
            None => text_element("p", "note-text", &self.text),
        };
        let _ = self.element.replace_child(&body, &self.body);
        self.body = body;
    }
}

/// The form that edits a note's text in place; the column listens for its events
/// (`column::NoteList`, which listens for them).
#[cfg(feature = "hydrate")]
fn edit_form(id: NoteId, draft: &str) -> web_sys::Element {
    use crate::wall::protocol::MAX_NOTE_CHARS;
    use wasm_bindgen::JsCast;
    let form = element("form", "note-edit");
    let label = text_element("label", "visually-hidden", "Note text");
    let field = format!("edit-{id}");
    set(&label, &[("for", field.as_str())]);
    let textarea = element("textarea", "");
    set(
        &textarea,
        &[
            ("id", field.as_str()),
            ("rows", "3"),
            ("maxlength", MAX_NOTE_CHARS.to_string().as_str()),
        ],
    );
    if let Ok(textarea) = textarea.clone().dyn_into::<web_sys::HtmlTextAreaElement>() {
        textarea.set_value(draft);
    }
    let save = text_element("button", "button button-small", "Save");
    set(&save, &[("type", "submit")]);
    let cancel = text_element("button", "link-button", "Cancel");
    set(
        &cancel,
        &[("type", "button"), ("data-note-action", "cancel-edit")],
    );
    append(&form, &[&label, &textarea, &save, &cancel]);
    form
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
