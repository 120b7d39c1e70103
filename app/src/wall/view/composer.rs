//! Writing a note: text, kind, where it was heard, who said it, tags, and where it goes.

use leptos::prelude::*;

use crate::visit::SessionId;
use crate::wall::protocol::{Command, MAX_DETAIL_CHARS, MAX_NOTE_CHARS, NoteFields};
use crate::wall::state::WallState;
use crate::wall::view::filters::distinct;
use crate::wall::view::sessions::{WallSessions, now};
use crate::wall::{HeadingId, Note, NoteId, NoteKind};

/// Writing a note: text, kind, where it was heard, who said it, tags, and where it goes.
#[component]
pub(crate) fn Composer() -> impl IntoView {
    let state = expect_context::<WallState>();
    let text = RwSignal::new(String::new());
    let kind = RwSignal::new(NoteKind::Strength);
    let source = RwSignal::new(String::new());
    let session = RwSignal::new(None::<SessionId>);
    let stakeholder = RwSignal::new(String::new());
    let tags = RwSignal::new(String::new());
    let heading = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    // Folded to its box until the focus comes into the form, and again once a note is added:
    // not when the focus leaves, which would move the wall under a pointer mid-click.
    let open = RwSignal::new(false);
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
                session: session.get_untracked(),
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
        open.set(false);
    };
    // Until it is used the form is one line, the note's box, so that on a laptop the wall's
    // columns start on the first screen; a note being written keeps it open.
    view! {
        <form class="composer" aria-label="New note"
            class:composer-folded=move || !open.get() && text.with(String::is_empty)
            on:focusin=move |_| open.set(true)
            hidden=move || state.shown.with(|board| board.notes_destroyed.is_some())
            on:submit=move |event| {
            event.prevent_default();
            add();
        }>
            <div class="field composer-text">
                <label for="note-text">"Note"</label>
                <textarea
                    id="note-text"
                    rows="2"
                    placeholder="Write what you heard…"
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
                <HeardAt session source stakeholder/>
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

/// "Heard at": typed, with the timetable's sessions suggested first (the pair's current or last
/// one at the top, then every other), then what other notes say. Text that is a session's title
/// ties the note to that session and, if the stakeholder group is empty, fills in its first group;
/// anything else (a corridor conversation) stays free text.
#[component]
fn HeardAt(
    session: RwSignal<Option<SessionId>>,
    source: RwSignal<String>,
    stakeholder: RwSignal<String>,
) -> impl IntoView {
    let state = expect_context::<WallState>();
    let sessions = expect_context::<WallSessions>();
    let offered = move || {
        let pair = state.me.with(|me| me.as_ref().and_then(|(_, pair)| *pair));
        sessions.offered(pair, now())
    };
    let typed = move |text: String| {
        let chosen = offered().into_iter().find(|s| s.title == text.trim());
        session.set(chosen.as_ref().map(|s| s.id));
        if let Some(chosen) = chosen
            && stakeholder.with_untracked(|s| s.trim().is_empty())
            && let Some(group) = chosen.groups.first()
        {
            stakeholder.set(group.clone());
        }
        source.set(text);
    };
    let others = move || {
        let titles: Vec<String> = sessions
            .sessions
            .with(|all| all.iter().map(|s| s.title.clone()).collect());
        state
            .shown
            .with(|board| distinct(board, |note| vec![note.source.clone()]))
            .into_iter()
            .filter(|source| !titles.contains(source))
            .collect::<Vec<_>>()
    };
    view! {
        <div class="field">
            <label for="note-source">"Heard at"</label>
            <input id="note-source" list="note-source-known" maxlength=MAX_DETAIL_CHARS.to_string()
                placeholder="a session, or where else" on:focus=move |_| sessions.reload()
                prop:value=move || source.get() on:input=move |event| typed(event_target_value(&event))/>
            <datalist id="note-source-known">
                {move || {
                    let mut seen = Vec::new();
                    offered().into_iter().filter(|s| {
                        // One suggestion per title: the first, which is the pair's own.
                        let new = !seen.contains(&s.title);
                        seen.push(s.title.clone());
                        new
                    }).map(|s| {
                        let when = format!("{} {}", s.day.format("%a"), crate::visit::clock(s.start));
                        view! { <option value=s.title.clone() label=when data-session=s.id.to_string()/> }
                    }).collect_view()
                }}
                {move || others().into_iter().map(|value| view! { <option value=value/> }).collect_view()}
            </datalist>
        </div>
    }
}
