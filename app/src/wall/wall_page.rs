//! `/reviews/:id/wall`: the findings wall. Columns for the headings and the Unsorted inbox, notes
//! that move by mouse drag or by keyboard (Space to pick up, arrows to move, Space to drop,
//! Escape to cancel, each step announced), and everything live for everyone on the wall.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::membership::{Action, Role, allows};
use crate::review::{ReviewId, load_review};
use crate::wall::messages_view::{MessageDrag, MessageList, TriangulationBar};
use crate::wall::protocol::{Command, MAX_DETAIL_CHARS, MAX_NOTE_CHARS, NoteEdit, NoteFields};
use crate::wall::state::{Notice, Status, WallState, command_note};
use crate::wall::{Board, HeadingId, Note, NoteId, NoteKind};

/// The route: checks the caller may see the wall, then shows it.
#[component]
pub fn WallPage() -> impl IntoView {
    let params = use_params_map();
    let overview = Resource::new(move || params.read().get("id"), load_review);
    view! {
        <Suspense fallback=|| view! { <p class="status">"Loading the wall…"</p> }>
            {move || overview.get().map(|result| match result {
                Ok(overview) if allows(overview.my_role, Action::ViewNotes) => {
                    let title = overview.summary.title.clone();
                    view! { <Wall review=overview.summary.id role=overview.my_role title/> }.into_any()
                }
                Ok(overview) => view! {
                    <Title text="Findings wall"/>
                    <section class="narrow">
                        <h1>"The findings wall is not available"</h1>
                        <p class="status" role="alert">
                            "The wall is the peer team's working space. What the team concludes reaches you in the feedback and the report."
                        </p>
                        <p><A href=format!("/reviews/{}", overview.summary.id)>"Back to the review"</A></p>
                    </section>
                }.into_any(),
                Err(error) => view! {
                    <Title text="Findings wall"/>
                    <section class="narrow">
                        <h1>"The findings wall is not available"</h1>
                        <p class="status status-error" role="alert">{error.message}</p>
                    </section>
                }.into_any(),
            })}
        </Suspense>
    }
}

/// What narrows the notes shown; the data never changes.
#[derive(Clone, Copy)]
struct Filters {
    kind: RwSignal<String>,
    pair: RwSignal<String>,
    source: RwSignal<String>,
    stakeholder: RwSignal<String>,
    tag: RwSignal<String>,
    search: RwSignal<String>,
    /// Only notes no key message uses as evidence yet.
    unused: RwSignal<bool>,
    /// The notes some key message uses, worked out once per change for every column.
    in_use: Memo<std::collections::BTreeSet<NoteId>>,
}

impl Filters {
    fn new(state: WallState) -> Self {
        let unused = RwSignal::new(false);
        let in_use = Memo::new(move |_| state.shown.with(Board::notes_in_use));
        Self {
            kind: RwSignal::new(String::new()),
            pair: RwSignal::new(String::new()),
            source: RwSignal::new(String::new()),
            stakeholder: RwSignal::new(String::new()),
            tag: RwSignal::new(String::new()),
            search: RwSignal::new(String::new()),
            unused,
            in_use,
        }
    }

    /// How many filters narrow the wall now, for the toggle that hides them on small screens.
    fn active(&self) -> usize {
        [
            self.kind,
            self.pair,
            self.source,
            self.stakeholder,
            self.tag,
            self.search,
        ]
        .iter()
        .filter(|value| value.with(|value| !value.is_empty()))
        .count()
            + usize::from(self.unused.get())
    }

    fn matches(&self, note: &Note) -> bool {
        let kind = self.kind.get();
        let pair = self.pair.get();
        let source = self.source.get();
        let stakeholder = self.stakeholder.get();
        let tag = self.tag.get();
        let search = self.search.get().to_lowercase();
        (!self.unused.get() || !self.in_use.with(|in_use| in_use.contains(&note.id)))
            && (kind.is_empty() || note.kind.as_str() == kind)
            && (pair.is_empty() || note.pair.map(|p| p.to_string()) == Some(pair))
            && (source.is_empty() || note.source == source)
            && (stakeholder.is_empty() || note.stakeholder == stakeholder)
            && (tag.is_empty() || note.tags.contains(&tag))
            && (search.is_empty()
                || note.text.to_lowercase().contains(&search)
                || note.source.to_lowercase().contains(&search)
                || note.stakeholder.to_lowercase().contains(&search)
                || note.tags.iter().any(|t| t.to_lowercase().contains(&search)))
    }
}

/// A note being carried with the keyboard: where it would drop.
#[derive(Debug, Clone, PartialEq)]
struct Carry {
    note: NoteId,
    column: usize,
    index: usize,
}

/// Shared by the wall's parts: what is being dragged or carried, and the screen-reader line.
#[derive(Clone, Copy)]
struct DragState {
    dragged: RwSignal<Option<NoteId>>,
    carry: RwSignal<Option<Carry>>,
    announce: RwSignal<String>,
    editing: RwSignal<Option<NoteId>>,
    /// Where a touch drag would drop now: the heading, and the note it would go before.
    touch_target: RwSignal<Option<(Option<HeadingId>, Option<NoteId>)>>,
    /// The text of the note being edited (one at a time).
    draft: RwSignal<String>,
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
fn event_note(event: &leptos::ev::Event, within: &str) -> Option<NoteId> {
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

fn touch_start(event: leptos::ev::PointerEvent, note: NoteId, state: WallState, drag: DragState) {
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

fn touch_move(event: leptos::ev::PointerEvent, drag: DragState) {
    let Some(moving) = drag.dragged.get_untracked() else {
        return;
    };
    let target = drop_target_at(event.client_x() as f64, event.client_y() as f64, moving);
    drag.touch_target.set(target);
}

fn touch_end(event: leptos::ev::PointerEvent, note: NoteId, state: WallState, drag: DragState) {
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
pub(super) fn start_drag(event: &leptos::ev::DragEvent, id: &dyn std::fmt::Display) {
    #[cfg(feature = "hydrate")]
    if let Some(transfer) = event.data_transfer() {
        let _ = transfer.set_data("text/plain", &id.to_string());
        transfer.set_effect_allowed("move");
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (event, id);
}

/// The columns left to right: Unsorted, then the live headings.
fn columns(board: &Board) -> Vec<(Option<HeadingId>, String)> {
    std::iter::once((None, "Unsorted".to_string()))
        .chain(
            board
                .live_headings()
                .map(|heading| (Some(heading.id.clone()), heading.title.clone())),
        )
        .collect()
}

fn focus_note(note: NoteId) {
    #[cfg(feature = "hydrate")]
    request_animation_frame(move || {
        use wasm_bindgen::JsCast;
        if let Some(element) = document()
            .get_element_by_id(&format!("note-{note}"))
            .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = element.focus();
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = note;
}

#[component]
fn Wall(review: ReviewId, role: Role, title: String) -> impl IntoView {
    let state = WallState::new(review, role);
    provide_context(state);
    let filters = Filters::new(state);
    provide_context(filters);
    let drag = DragState {
        dragged: RwSignal::new(None),
        carry: RwSignal::new(None),
        announce: RwSignal::new(String::new()),
        editing: RwSignal::new(None),
        touch_target: RwSignal::new(None),
        draft: RwSignal::new(String::new()),
    };
    provide_context(drag);
    provide_context(CardMarks::new(state, filters, drag));
    provide_context(MessageDrag {
        note: drag.dragged,
        message: RwSignal::new(None),
    });
    Effect::new(move |_| state.connect());
    // The browser knows first when the network goes: stop sending, and come back at once.
    let offline = window_event_listener(leptos::ev::offline, move |_| state.went_offline());
    let online = window_event_listener(leptos::ev::online, move |_| state.came_online());
    on_cleanup(move || {
        offline.remove();
        online.remove();
        state.disconnect();
    });
    let manages = allows(role, Action::ManageHeadings);
    let column_list = Memo::new(move |_| state.shown.with(columns));
    let column_count = Signal::derive(move || column_list.with(Vec::len));
    view! {
        <Title text=format!("Wall · {title}")/>
        <div class="wall-page">
        <header class="wall-header">
            <div>
                <p class="review-type"><A href=format!("/reviews/{review}")>{title.clone()}</A></p>
                <h1>"Findings wall"</h1>
            </div>
            <nav class="wall-actions" aria-label="Wall actions">
                {allows(role, Action::LeadWall).then(|| view! {
                    <A href=format!("/reviews/{review}/present") attr:class="button button-small">"Present"</A>
                })}
                <a href=format!("/api/reviews/{review}/wall/export?format=md") download="">"Export Markdown"</a>
                <a href=format!("/api/reviews/{review}/wall/export?format=csv") download="">"Export CSV"</a>
                {allows(role, Action::ExportWall).then(|| view! {
                    <a href=format!("/api/reviews/{review}/wall/export?format=csv&authors=include") download="">"CSV with authors and pairs"</a>
                })}
            </nav>
            <StatusLine/>
        </header>
        <p id="drag-help" class="visually-hidden">
            "To move a note with the keyboard, press Space to pick it up, the arrow keys to move it, Space to drop it, or Escape to cancel."
        </p>
        <div class="visually-hidden" role="status" aria-live="assertive">{move || drag.announce.get()}</div>
        <PresenceBar/>
        <NoticeBar/>
        <ConflictList/>
        <Composer/>
        <FilterBar/>
        <TriangulationBar/>
        // Columns are keyed by heading, and notes by their state, so a change re-renders only
        // what it touched.
        {move || (!state.loaded.get()).then(|| view! { <p class="status">"Opening the wall…"</p> })}
        <div class="wall" role="list" aria-label="Headings" hidden=move || !state.loaded.get()>
            <For
                each={move || column_list.get().into_iter().enumerate().collect::<Vec<_>>()}
                key={|(index, (heading, title))| (*index, heading.clone(), title.clone())}
                children={move |(index, (heading, title))| view! {
                    <Column index count=column_count heading title manages/>
                }}
            />
        </div>
        {manages.then(|| view! { <AddHeading/> })}
        </div>
    }
}

#[component]
fn StatusLine() -> impl IntoView {
    let state = expect_context::<WallState>();
    let unsaved = move || {
        state
            .pending
            .with(|pending| pending.iter().filter(|p| p.acked.is_none()).count())
    };
    view! {
        <p class="wall-status" role="status" data-status=move || match state.status.get() {
            Status::Live => "live",
            Status::Connecting => "connecting",
            Status::Offline(_) => "offline",
            Status::Closed(_) => "closed",
        }>
            {move || match state.status.get() {
                Status::Live => "Live".to_string(),
                Status::Connecting => "Connecting…".to_string(),
                Status::Offline(seconds) => format!("Offline: trying again in {seconds} s"),
                Status::Closed(reason) => reason,
            }}
            {move || match unsaved() {
                0 => String::new(),
                1 => " · 1 change not yet saved".to_string(),
                n => format!(" · {n} changes not yet saved"),
            }}
        </p>
    }
}

#[component]
fn PresenceBar() -> impl IntoView {
    let state = expect_context::<WallState>();
    view! {
        <section class="presence" aria-label="On the wall now">
            <span class="presence-title">"On the wall now:"</span>
            <ul>
                {move || state.presence.get().into_iter().map(|person| view! {
                    <li class="presence-person">
                        {person.name}
                        {person.pair.map(|pair| view! { <span class="pair-badge">{format!("Pair {pair}")}</span> })}
                    </li>
                }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn NoticeBar() -> impl IntoView {
    let state = expect_context::<WallState>();
    move || {
        state.notice.get().map(|notice| match notice {
            Notice::Error(message) => view! {
                <div class="notice notice-error" role="alert">
                    <span>{message}</span>
                    <button type="button" class="link-button" on:click=move |_| state.notice.set(None)>"Dismiss"</button>
                </div>
            }
            .into_any(),
            Notice::Deleted(note) => view! {
                <div class="notice" role="status">
                    <span>"Note deleted."</span>
                    <button type="button" class="button button-small" on:click=move |_| {
                        state.submit(Command::RestoreNote { note });
                        state.notice.set(None);
                    }>"Undo"</button>
                    <button type="button" class="link-button" on:click=move |_| state.notice.set(None)>"Dismiss"</button>
                </div>
            }
            .into_any(),
        })
    }
}

/// Edits that lost a race: both versions, and a choice.
#[component]
fn ConflictList() -> impl IntoView {
    let state = expect_context::<WallState>();
    move || {
        state.conflicts.get().into_iter().map(|conflict| {
            let note = conflict.note;
            let mine = conflict.mine.clone();
            let theirs = conflict.theirs.clone();
            let resolve = move || state.conflicts.update(|all| all.retain(|c| c.note != note));
            view! {
                <section class="notice notice-conflict" role="alert" aria-label="Edit conflict">
                    <p><strong>"Someone else changed this note while you were editing it."</strong></p>
                    <div class="conflict-versions">
                        <div><h3>"Your version"</h3><p class="conflict-mine">{mine.clone()}</p></div>
                        <div><h3>"Current version"</h3><p class="conflict-theirs">{theirs.text.clone()}</p></div>
                    </div>
                    <button type="button" class="button button-small" on:click={
                        let mine = mine.clone();
                        let version = theirs.version;
                        move |_| {
                            state.submit(Command::EditNote {
                                note,
                                base_version: version,
                                edit: NoteEdit { text: Some(mine.clone()), ..NoteEdit::default() },
                            });
                            resolve();
                        }
                    }>"Keep mine"</button>
                    <button type="button" class="link-button" on:click=move |_| resolve()>"Keep the current version"</button>
                </section>
            }
        }).collect_view()
    }
}

/// Writing a note: text, kind, where it was heard, who said it, tags, and where it goes.
#[component]
fn Composer() -> impl IntoView {
    let state = expect_context::<WallState>();
    let text = RwSignal::new(String::new());
    let kind = RwSignal::new(NoteKind::Strength);
    let source = RwSignal::new(String::new());
    let stakeholder = RwSignal::new(String::new());
    let tags = RwSignal::new(String::new());
    let heading = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let add = move || {
        let body = text.get_untracked();
        if !state.can_write() {
            // The text stays in the box until the wall is unlocked.
            error.set(Some(
                "The wall is locked while the presentation is prepared: your note is kept here until it is unlocked.".into(),
            ));
            return;
        }
        if body.trim().is_empty() {
            error.set(Some("Write the note first.".into()));
            return;
        }
        if body.chars().count() > MAX_NOTE_CHARS {
            error.set(Some(format!(
                "A note is {MAX_NOTE_CHARS} characters at most: split it into two."
            )));
            return;
        }
        let heading_id = heading.get_untracked();
        state.submit(Command::CreateNote {
            note: NoteId(uuid::Uuid::new_v4()),
            heading: (!heading_id.is_empty()).then_some(HeadingId(heading_id)),
            before: None,
            fields: NoteFields {
                text: body,
                kind: kind.get_untracked(),
                source: source.get_untracked(),
                stakeholder: stakeholder.get_untracked(),
                tags: tags
                    .get_untracked()
                    .split(',')
                    .map(|tag| tag.trim().to_string())
                    .filter(|tag| !tag.is_empty())
                    .collect(),
            },
        });
        error.set(None);
        text.set(String::new());
        tags.set(String::new());
    };
    view! {
        <form class="composer" aria-label="New note" on:submit=move |event| {
            event.prevent_default();
            add();
        }>
            <div class="field composer-text">
                <label for="note-text">"Note"</label>
                <textarea
                    id="note-text"
                    rows="2"
                    maxlength=MAX_NOTE_CHARS.to_string()
                    aria-describedby="note-text-count note-text-error"
                    prop:value=move || text.get()
                    on:input=move |event| text.set(event_target_value(&event))
                    on:keydown=move |event| {
                        if event.key() == "Enter" && (event.ctrl_key() || event.meta_key()) {
                            event.prevent_default();
                            add();
                        }
                    }
                ></textarea>
                <p id="note-text-count" class="hint">
                    {move || format!("{} of {MAX_NOTE_CHARS} characters · Ctrl+Enter adds it", text.with(|t| t.chars().count()))}
                </p>
                <p id="note-text-error" class="field-error" role="alert">{move || error.get()}</p>
            </div>
            <div class="composer-details">
                <div class="field">
                    <label for="note-kind">"Kind"</label>
                    <select id="note-kind" on:change=move |event| {
                        if let Some(value) = NoteKind::parse(&event_target_value(&event)) {
                            kind.set(value);
                        }
                    }>
                        {NoteKind::ALL.into_iter().map(|k| view! {
                            <option value=k.as_str() selected=move || kind.get() == k>{k.label()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <SuggestField id="note-source" label="Heard at" placeholder="e.g. Leader interview"
                    value=source pick=|note| vec![note.source.clone()]/>
                <SuggestField id="note-stakeholder" label="Stakeholder group" placeholder="e.g. Councillors"
                    value=stakeholder pick=|note| vec![note.stakeholder.clone()]/>
                <div class="field">
                    <label for="note-tags">"Tags"<span class="visually-hidden">", separated by commas"</span></label>
                    <input id="note-tags" maxlength="200" placeholder="e.g. housing, budget" prop:value=move || tags.get()
                        on:input=move |event| tags.set(event_target_value(&event))/>
                </div>
                <div class="field">
                    <label for="note-heading">"Put it under"</label>
                    <select id="note-heading" on:change=move |event| heading.set(event_target_value(&event))>
                        <option value="">"Unsorted"</option>
                        {move || state.shown.with(|board| board.live_headings().map(|h| (h.id.0.clone(), h.title.clone())).collect::<Vec<_>>())
                            .into_iter()
                            .map(|(id, title)| {
                                let selected = id == heading.get_untracked();
                                view! { <option value=id selected=selected>{title}</option> }
                            })
                            .collect_view()}
                    </select>
                </div>
                <button type="submit" class="button" disabled=move || !state.can_write()>"Add note"</button>
            </div>
        </form>
    }
}

/// The distinct non-empty values the live notes have for a field, sorted: the choices offered
/// when writing a note and when filtering.
fn distinct(board: &Board, pick: fn(&Note) -> Vec<String>) -> Vec<String> {
    let mut all: Vec<String> = board
        .notes
        .values()
        .filter(|note| !note.deleted)
        .flat_map(pick)
        .filter(|value| !value.is_empty())
        .collect();
    all.sort();
    all.dedup();
    all
}

/// A text field that suggests the values other notes already use, so a session or stakeholder
/// group is spelt the same way by every pair (and filters find them all).
#[component]
fn SuggestField(
    id: &'static str,
    label: &'static str,
    placeholder: &'static str,
    value: RwSignal<String>,
    pick: fn(&Note) -> Vec<String>,
) -> impl IntoView {
    let state = expect_context::<WallState>();
    let list = format!("{id}-known");
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input id=id list=list.clone() maxlength=MAX_DETAIL_CHARS.to_string() placeholder=placeholder
                prop:value=move || value.get() on:input=move |event| value.set(event_target_value(&event))/>
            <datalist id=list>
                {move || state.shown.with(|board| distinct(board, pick)).into_iter()
                    .map(|value| view! { <option value=value/> }).collect_view()}
            </datalist>
        </div>
    }
}

#[component]
fn FilterBar() -> impl IntoView {
    let state = expect_context::<WallState>();
    let filters = expect_context::<Filters>();
    let values =
        move |pick: fn(&Note) -> Vec<String>| state.shown.with(|board| distinct(board, pick));
    let select = move |id: &'static str,
                       label: &'static str,
                       signal: RwSignal<String>,
                       options: Signal<Vec<(String, String)>>| {
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <select id=id on:change=move |event| signal.set(event_target_value(&event))>
                    <option value="">"All"</option>
                    {move || options.get().into_iter().map(|(value, text)| {
                        let selected = value == signal.get_untracked();
                        view! { <option value=value selected=selected>{text}</option> }
                    }).collect_view()}
                </select>
            </div>
        }
    };
    let kinds = Signal::derive(|| {
        NoteKind::ALL
            .into_iter()
            .map(|k| (k.as_str().to_string(), k.label().to_string()))
            .collect()
    });
    let pairs = Signal::derive(move || {
        values(|note| note.pair.map(|p| p.to_string()).into_iter().collect())
            .into_iter()
            .map(|pair| (pair.clone(), format!("Pair {pair}")))
            .collect()
    });
    let listed = move |pick: fn(&Note) -> Vec<String>| {
        Signal::derive(move || values(pick).into_iter().map(|v| (v.clone(), v)).collect())
    };
    // On a tablet or phone the filters fold away behind a toggle (CSS shows it only there), so
    // the notes start on the first screen; the toggle says how many filters are on.
    let open = RwSignal::new(false);
    view! {
        <button type="button" class="button button-secondary button-small filters-toggle"
            aria-controls="wall-filters" aria-expanded=move || open.get().to_string()
            on:click=move |_| open.update(|open| *open = !*open)>
            {move || match filters.active() {
                0 => "Filters".to_string(),
                active => format!("Filters ({active} on)"),
            }}
        </button>
        <section id="wall-filters" class="filters" class:filters-open=move || open.get()
            aria-label="Filter the notes">
            {select("filter-kind", "Kind", filters.kind, kinds)}
            {select("filter-pair", "Pair", filters.pair, pairs)}
            {select("filter-source", "Heard at", filters.source, listed(|note| vec![note.source.clone()]))}
            {select("filter-stakeholder", "Stakeholder group", filters.stakeholder, listed(|note| vec![note.stakeholder.clone()]))}
            {select("filter-tag", "Tag", filters.tag, listed(|note| note.tags.clone()))}
            <div class="field">
                <label for="filter-search">"Search"</label>
                <input id="filter-search" type="search" prop:value=move || filters.search.get()
                    on:input=move |event| filters.search.set(event_target_value(&event))/>
            </div>
            <div class="field field-check">
                <input id="filter-unused" type="checkbox" prop:checked=move || filters.unused.get()
                    on:change=move |event| filters.unused.set(event_target_checked(&event))/>
                <label for="filter-unused">"Not yet used as evidence"</label>
            </div>
        </section>
    }
}

/// One heading's column (or Unsorted), a drop target for notes.
#[component]
fn Column(
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

/// Rename, move and archive a heading (team lead and facilitator).
#[component]
fn HeadingTools(
    heading: HeadingId,
    title: String,
    position: usize,
    /// How many columns there are, Unsorted included (it follows headings added meanwhile).
    count: Signal<usize>,
) -> impl IntoView {
    let state = expect_context::<WallState>();
    let renaming = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let name = RwSignal::new(title.clone());
    let (left, right, rename, archive) = (
        heading.clone(),
        heading.clone(),
        heading.clone(),
        heading.clone(),
    );
    view! {
        <div class="heading-tools">
            <button type="button" class="link-button" disabled={position == 0}
                aria-label=format!("Move {title} left")
                on:click=move |_| state.submit(Command::MoveHeading { heading: left.clone(), index: position.saturating_sub(1) })>"◀"</button>
            <button type="button" class="link-button" disabled={move || position + 2 >= count.get()}
                aria-label=format!("Move {title} right")
                on:click=move |_| state.submit(Command::MoveHeading { heading: right.clone(), index: position + 1 })>"▶"</button>
            <button type="button" class="link-button" on:click=move |_| renaming.set(true)
                aria-label=format!("Rename {title}")>"Rename"</button>
            <button type="button" class="link-button" on:click=move |_| confirming.set(true)
                aria-label=format!("Archive {title}")>"Archive"</button>
            <Show when=move || renaming.get()>
                <form class="inline-form" on:submit={
                    let rename = rename.clone();
                    move |event| {
                        event.prevent_default();
                        state.submit(Command::RenameHeading { heading: rename.clone(), title: name.get_untracked() });
                        renaming.set(false);
                    }
                }>
                    <label class="visually-hidden" for=format!("rename-{position}")>"New title"</label>
                    <input id=format!("rename-{position}") prop:value=move || name.get() maxlength="200"
                        on:input=move |event| name.set(event_target_value(&event))/>
                    <button type="submit" class="button button-small">"Save"</button>
                </form>
            </Show>
            <Show when=move || confirming.get()>
                <div class="confirm" role="alert">
                    "Archive this heading? Its notes move to Unsorted."
                    <button type="button" class="button button-small button-danger" on:click={
                        let archive = archive.clone();
                        move |_| {
                            state.submit(Command::ArchiveHeading { heading: archive.clone() });
                            confirming.set(false);
                        }
                    }>"Archive"</button>
                    <button type="button" class="link-button" on:click=move |_| confirming.set(false)>"Keep"</button>
                </div>
            </Show>
        </div>
    }
}

#[component]
fn AddHeading() -> impl IntoView {
    let state = expect_context::<WallState>();
    let title = RwSignal::new(String::new());
    view! {
        <form class="add-heading form-inline" on:submit=move |event| {
            event.prevent_default();
            let text = title.get_untracked();
            if !text.trim().is_empty() {
                state.submit(Command::AddHeading { heading: HeadingId::new(), title: text });
                title.set(String::new());
            }
        }>
            <div class="field">
                <label for="new-heading">"New heading"</label>
                <input id="new-heading" maxlength="200" prop:value=move || title.get()
                    on:input=move |event| title.set(event_target_value(&event))/>
            </div>
            <button type="submit" class="button">"Add heading"</button>
        </form>
    }
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

/// What a card shows besides its note, worked out once for the whole wall. Each card is told
/// only when something about *it* changes, so a keystroke on a wall of a thousand notes redoes
/// two cards, not a thousand.
#[derive(Clone)]
struct CardMarks {
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
    fn new(state: WallState, filters: Filters, drag: DragState) -> Self {
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

/// The keyboard on a note's card (the card itself has the focus): Space picks it up and drops
/// it, the arrows carry it, Escape puts it back.
fn note_key(
    event: leptos::ev::KeyboardEvent,
    id: NoteId,
    column: usize,
    (state, filters, drag): (WallState, Filters, DragState),
) {
    if drag.editing.get_untracked() == Some(id) {
        return;
    }
    let key = event.key();
    let carrying = drag.carry.get_untracked();
    match (key.as_str(), carrying) {
        (" ", None) => {
            event.prevent_default();
            let index = state.shown.with_untracked(|board| {
                let columns = columns(board);
                board
                    .notes_in(columns[column].0.as_ref())
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
            drag.announce
                .set("Picked up. Arrow keys move it, Space drops it, Escape cancels.".into());
        }
        (" ", Some(carry)) => {
            event.prevent_default();
            let (heading, before, place) = state.shown.with_untracked(|board| {
                let columns = columns(board);
                let (heading, title) = columns[carry.column].clone();
                let others: Vec<NoteId> = board
                    .notes_in(heading.as_ref())
                    .into_iter()
                    .filter(|n| n.id != id && filters.matches(n))
                    .map(|n| n.id)
                    .collect();
                (heading, others.get(carry.index).copied(), title)
            });
            state.submit(Command::MoveNote {
                note: id,
                heading,
                before,
            });
            drag.carry.set(None);
            state.dragging(None);
            drag.announce.set(format!("Dropped in {place}."));
            focus_note(id);
        }
        ("Escape", Some(_)) => {
            event.prevent_default();
            drag.carry.set(None);
            state.dragging(None);
            drag.announce.set("Move cancelled.".into());
            focus_note(id);
        }
        (_, Some(mut carry)) => {
            let said = state
                .shown
                .with_untracked(|board| step(board, &mut carry, &key, &filters));
            if let Some(said) = said {
                event.prevent_default();
                drag.carry.set(Some(carry));
                drag.announce.set(said);
                focus_note(id);
            }
        }
        _ => {}
    }
}

/// How many of a column's notes are put on the page at first (more than a screen holds), and
/// how many more in each later step.
const FIRST_NOTES: usize = 24;
const MORE_NOTES: usize = 48;

/// A column's notes. Everything their cards do is listened for once, here: mouse drag and
/// drop, the keyboard, the touch grip, and the Edit and Delete buttons.
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
    let drop_before = move |event: leptos::ev::DragEvent| {
        // Dropped on a card: before it. Elsewhere in the list, the column takes it.
        let Some(id) = event_note(&event, "li.note") else {
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
    };
    let click =
        move |event: leptos::ev::MouseEvent| {
            if let Some(id) = event_note(&event, "button[data-note-action=edit]") {
                drag.draft.set(state.shown.with_untracked(|b| {
                    b.notes.get(&id).map(|n| n.text.clone()).unwrap_or_default()
                }));
                drag.editing.set(Some(id));
            } else if let Some(id) = event_note(&event, "button[data-note-action=delete]") {
                state.submit(Command::DeleteNote { note: id });
                state.notice.set(Some(Notice::Deleted(id)));
            }
        };
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
            on:drop=drop_before
            on:keydown=move |event: leptos::ev::KeyboardEvent| {
                // Only keys on the card itself: Space on its Edit button presses the button.
                if let Some(id) = event_note(&event, "li.note:focus") {
                    note_key(event, id, index, (state, filters, drag));
                }
            }
            on:click=click
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

#[component]
fn NoteCard(note: Note) -> impl IntoView {
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
                        <button type="button" class="link-button" on:click=move |_| drag.editing.set(None)>"Cancel"</button>
                    </form>
                }.into_any()
            } else {
                view! { <p class="note-text">{note.text.clone()}</p> }.into_any()
            }}
            <p class="note-meta">{meta}</p>
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
