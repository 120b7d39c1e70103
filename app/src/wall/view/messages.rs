//! Triangulation on the wall: a heading's key messages (kind, sentence, computed strength,
//! evidence, dot votes) and the bar with the wall's lock and voting.

use leptos::prelude::*;

use crate::membership::{Action, allows};
use crate::wall::drag::{MessageDrag, drop_message, start_drag};
use crate::wall::protocol::{Command, MAX_MESSAGE_CHARS, MAX_VOTES_PER_PERSON};
use crate::wall::state::WallState;
use crate::wall::triangulation::Strength;
use crate::wall::{Board, HeadingId, KeyMessage, MessageId, MessageKind, NoteId};

fn kind_options(selected: MessageKind) -> impl IntoView {
    MessageKind::ALL
        .into_iter()
        .map(|kind| {
            view! { <option value=kind.as_str() selected={kind == selected}>{kind.label()}</option> }
        })
        .collect_view()
}

/// A heading's key messages and the form to add one.
#[component]
pub fn MessageList(heading: HeadingId, title: String) -> impl IntoView {
    let state = expect_context::<WallState>();
    let drag = expect_context::<MessageDrag>();
    let messages = {
        let heading = heading.clone();
        Memo::new(move |_| {
            state.shown.with(|board| {
                board
                    .messages_in(&heading)
                    .into_iter()
                    .cloned()
                    .collect::<Vec<KeyMessage>>()
            })
        })
    };
    let adding = RwSignal::new(false);
    let text = RwSignal::new(String::new());
    let kind = RwSignal::new(MessageKind::Strength);
    let drop_at_end = {
        let heading = heading.clone();
        move |event: leptos::ev::DragEvent| {
            drop_message(&event, state, drag, &heading, None);
        }
    };
    let form_id = format!("new-message-{heading}");
    let add = {
        let heading = heading.clone();
        move |event: leptos::ev::SubmitEvent| {
            event.prevent_default();
            let sentence = text.get_untracked();
            if sentence.trim().is_empty() {
                return;
            }
            state.submit(Command::AddMessage {
                message: MessageId(uuid::Uuid::new_v4()),
                heading: heading.clone(),
                before: None,
                text: sentence,
                kind: kind.get_untracked(),
            });
            text.set(String::new());
            adding.set(false);
        }
    };
    let writable = move || state.can_write();
    view! {
        <section class="messages" aria-label=format!("Key messages under {title}")
            class:messages-empty=move || messages.with(Vec::is_empty)
            on:dragover=move |event: leptos::ev::DragEvent| if drag.message.get_untracked().is_some() { event.prevent_default() }
            on:drop=drop_at_end
        >
            <h3 class="messages-title">"Key messages"
                <span class="column-count">{move || format!(" {}", messages.with(Vec::len))}</span>
            </h3>
            <ol class="message-list">
                <For
                    each={move || {
                        let list = messages.get();
                        let count = list.len();
                        list.into_iter().enumerate().map(move |(i, m)| (i, count, m)).collect::<Vec<_>>()
                    }}
                    key={|(position, count, message): &(usize, usize, KeyMessage)| (message.id, message.version, *position, *count)}
                    children={move |(position, count, message)| view! { <MessageCard message position count/> }}
                />
            </ol>
            <Show when=move || adding.get() fallback=move || view! {
                <button type="button" class="link-button add-message" disabled=move || !writable()
                    on:click=move |_| adding.set(true)>"+ Key message"</button>
            }>
                <form class="message-form" on:submit=add.clone()>
                    <label for=form_id.clone()>"Key message (one sentence)"</label>
                    <textarea id=form_id.clone() rows="2" maxlength=MAX_MESSAGE_CHARS.to_string()
                        prop:value=move || text.get() on:input=move |event| text.set(event_target_value(&event))></textarea>
                    <label for=format!("{form_id}-kind")>"Kind of message"</label>
                    <select id=format!("{form_id}-kind") on:change=move |event| {
                        if let Some(chosen) = MessageKind::parse(&event_target_value(&event)) { kind.set(chosen) }
                    }>{kind_options(MessageKind::Strength)}</select>
                    <div class="form-actions">
                        <button type="submit" class="button button-small">"Add message"</button>
                        <button type="button" class="link-button" on:click=move |_| adding.set(false)>"Cancel"</button>
                    </div>
                </form>
            </Show>
        </section>
    }
}

/// One key message: kind, sentence, computed strength, evidence, votes.
#[component]
fn MessageCard(message: KeyMessage, position: usize, count: usize) -> impl IntoView {
    let state = expect_context::<WallState>();
    let drag = expect_context::<MessageDrag>();
    let id = message.id;
    let heading = message.heading.clone();
    let strength = Memo::new(move |_| {
        state.shown.with(|board| {
            board
                .messages
                .get(&id)
                .map(|message| Strength::of(board, message))
                .unwrap_or_default()
        })
    });
    let level = move || strength.get().corroboration();
    let editing = RwSignal::new(false);
    let draft = RwSignal::new(message.text.clone());
    let writable = move || state.can_write();
    let on_drop = {
        let heading = heading.clone();
        move |event: leptos::ev::DragEvent| {
            if let Some(note) = drag.note.get_untracked() {
                event.prevent_default();
                event.stop_propagation();
                state.submit(Command::AddEvidence { message: id, note });
                drag.note.set(None);
                state.dragging(None);
            } else {
                drop_message(&event, state, drag, &heading, Some(id));
            }
        }
    };
    // ▲/▼: one place up or down among the heading's messages.
    let nudge = move |by: isize| {
        if let Some((heading, before)) = state
            .shown
            .with_untracked(|board| board.nudge_message(id, by))
        {
            state.submit(Command::MoveMessage {
                message: id,
                heading,
                before,
            });
        }
    };
    let kind = message.kind;
    view! {
        <li
            id=format!("message-{id}")
            class="message"
            data-kind=kind.as_str()
            data-strength=move || level().as_str()
            draggable=move || if writable() { "true" } else { "false" }
            on:dragstart=move |event: leptos::ev::DragEvent| {
                start_drag(&event, &id);
                drag.message.set(Some(id));
            }
            on:dragend=move |_| drag.message.set(None)
            on:dragover=move |event: leptos::ev::DragEvent| event.prevent_default()
            on:drop=on_drop
        >
            <p class="message-kind"><span class="kind-swatch" aria-hidden="true"></span>{kind.label()}</p>
            {move || if editing.get() {
                view! {
                    <form class="message-edit" on:submit=move |event| {
                        event.prevent_default();
                        state.submit(Command::EditMessage { message: id, text: Some(draft.get_untracked()), kind: None });
                        editing.set(false);
                    }>
                        <label class="visually-hidden" for=format!("edit-message-{id}")>"Key message"</label>
                        <textarea id=format!("edit-message-{id}") rows="2" maxlength=MAX_MESSAGE_CHARS.to_string()
                            prop:value=move || draft.get() on:input=move |event| draft.set(event_target_value(&event))></textarea>
                        <label class="visually-hidden" for=format!("edit-message-kind-{id}")>"Kind of message"</label>
                        <select id=format!("edit-message-kind-{id}") on:change=move |event| {
                            if let Some(kind) = MessageKind::parse(&event_target_value(&event)) {
                                state.submit(Command::EditMessage { message: id, text: None, kind: Some(kind) });
                            }
                        }>{kind_options(kind)}</select>
                        <button type="submit" class="button button-small">"Save"</button>
                        <button type="button" class="link-button" on:click=move |_| editing.set(false)>"Cancel"</button>
                    </form>
                }.into_any()
            } else {
                view! { <p class="message-text">{message.text.clone()}</p> }.into_any()
            }}
            <p class="strength">
                <span class="strength-marker" data-level=move || level().as_str()>{move || level().label()}</span>
                " "
                <span class="strength-counts">{move || strength.get().summary(true)}</span>
            </p>
            <MessageVotes id/>
            <MessageEvidence id heading=heading.clone() strength/>
            <div class="note-actions">
                <button type="button" class="link-button" disabled=move || { !writable() || position == 0 }
                    aria-label="Move this message up"
                    on:click=move |_| nudge(-1)>"▲"</button>
                <button type="button" class="link-button" disabled=move || { !writable() || position + 1 >= count }
                    aria-label="Move this message down"
                    on:click=move |_| nudge(1)>"▼"</button>
                <button type="button" class="link-button" disabled=move || !writable()
                    on:click=move |_| {
                        draft.set(state.shown.with_untracked(|b| b.messages.get(&id).map(|m| m.text.clone()).unwrap_or_default()));
                        editing.set(true);
                        // The box opens above the button: the focus goes to it.
                        crate::wall::drag::focus_id(format!("edit-message-{id}"));
                    }>"Edit"<span class="visually-hidden">" this message"</span></button>
                <button type="button" class="link-button" disabled=move || !writable()
                    on:click=move |_| state.submit(Command::DeleteMessage { message: id })>"Delete"
                    <span class="visually-hidden">" this message"</span></button>
            </div>
        </li>
    }
}

/// A message's dot votes: the caller's own, the total once revealed, and the buttons.
#[component]
fn MessageVotes(id: MessageId) -> impl IntoView {
    let state = expect_context::<WallState>();
    let writable = move || state.can_write();
    let my_votes = move || {
        let me = state.me_id.get();
        state.shown.with(|board| {
            board
                .messages
                .get(&id)
                .and_then(|m| me.and_then(|me| m.votes.get(&me).copied()))
                .unwrap_or(0)
        })
    };
    let revealed = move || state.shown.with(|board| board.settings.votes_revealed);
    let total = move || {
        state
            .shown
            .with(|board| board.messages.get(&id).map(KeyMessage::vote_total))
            .unwrap_or(0)
    };
    view! {
        <div class="votes">
                <span class="my-votes" aria-hidden="true">{move || "●".repeat(my_votes() as usize)}</span>
                <span class="visually-hidden">{move || format!("Your votes here: {}", my_votes())}</span>
                {move || revealed().then(|| view! {
                    <span class="vote-total">{move || match total() { 1 => "1 vote".to_string(), n => format!("{n} votes") }}</span>
                })}
                <button type="button" class="link-button" disabled=move || !writable()
                    on:click=move |_| state.submit(Command::Vote { message: id })>"Vote"
                    <span class="visually-hidden">" for this message"</span></button>
                <button type="button" class="link-button" disabled=move || !writable() || my_votes() == 0
                    on:click=move |_| state.submit(Command::Unvote { message: id })>"Unvote"</button>
            </div>
    }
}

/// The notes a message rests on, with a picker to add one by keyboard.
#[component]
fn MessageEvidence(id: MessageId, heading: HeadingId, strength: Memo<Strength>) -> impl IntoView {
    let state = expect_context::<WallState>();
    let writable = move || state.can_write();
    // Notes under this heading not yet evidence for this message, for the keyboard picker.
    let candidates = {
        let heading = heading.clone();
        move || {
            state.shown.with(|board| {
                let evidence = board
                    .messages
                    .get(&id)
                    .map(|m| m.evidence.clone())
                    .unwrap_or_default();
                board
                    .notes_in(Some(&heading))
                    .into_iter()
                    .chain(board.notes_in(None))
                    .filter(|note| !evidence.contains(&note.id))
                    .map(|note| (note.id, note.text.clone()))
                    .collect::<Vec<_>>()
            })
        }
    };
    let evidence = move || {
        state.shown.with(|board| {
            board
                .messages
                .get(&id)
                .map(|m| {
                    m.evidence
                        .iter()
                        .filter_map(|note| board.notes.get(note))
                        .filter(|note| !note.deleted)
                        .map(|note| (note.id, note.text.clone(), note.source.clone()))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let picked = RwSignal::new(String::new());
    view! {
            <details class="evidence">
                <summary>{move || format!("Evidence ({})", strength.get().notes)}</summary>
                <ul>
                    {move || evidence().into_iter().map(|(note, text, source)| view! {
                        <li class="evidence-note">
                            <span>{text}</span>
                            {(!source.is_empty()).then(|| view! { <span class="note-meta">{format!(" · {source}")}</span> })}
                            " "
                            <button type="button" class="link-button" disabled=move || !writable()
                                on:click=move |_| state.submit(Command::RemoveEvidence { message: id, note })>"Remove"
                                <span class="visually-hidden">" from the evidence"</span></button>
                        </li>
                    }).collect_view()}
                </ul>
                <form class="inline-form" on:submit=move |event| {
                    event.prevent_default();
                    if let Ok(note) = uuid::Uuid::parse_str(&picked.get_untracked()) {
                        state.submit(Command::AddEvidence { message: id, note: NoteId(note) });
                        picked.set(String::new());
                    }
                }>
                    <label class="visually-hidden" for=format!("evidence-{id}")>"Add a note as evidence"</label>
                    <select id=format!("evidence-{id}") on:change=move |event| picked.set(event_target_value(&event))>
                        <option value="">"Add a note as evidence…"</option>
                        {move || candidates().into_iter().map(|(note, text)| {
                            let short: String = text.chars().take(80).collect();
                            view! { <option value=note.to_string()>{short}</option> }
                        }).collect_view()}
                    </select>
                    <button type="submit" class="button button-small" disabled=move || !writable()>"Add"</button>
                </form>
            </details>
    }
}

/// The wall's lock and dot-voting controls (facilitator and team lead), and for everyone a line
/// saying how voting stands and whether the wall is locked.
#[component]
pub fn TriangulationBar() -> impl IntoView {
    let state = expect_context::<WallState>();
    let leads = allows(state.role, Action::LeadWall);
    let settings = Memo::new(move |_| state.shown.with(|board| board.settings.clone()));
    let votes_left = move || {
        let me = state.me_id.get();
        state.shown.with(|board| {
            let used = me.map(|me| board.votes_used_by(me)).unwrap_or(0);
            board.settings.votes_per_person.saturating_sub(used)
        })
    };
    // Until the reveal this browser holds only its own votes; the server sends the total.
    let cast = move || state.shown.with(Board::votes_cast);
    let per_person = RwSignal::new(String::new());
    view! {
        <section class="triangulation-bar" aria-label="Triangulation">
            {move || settings.get().locked.then(|| view! {
                <p class="status status-locked" role="status">
                    {if leads {
                        "The wall is locked: only the facilitator and team lead can change it while the presentation is prepared."
                    } else {
                        "The wall is locked while the presentation is prepared: you can read it but not change it."
                    }}
                </p>
            })}
            <p class="vote-status">
                {move || {
                    let settings = settings.get();
                    let left = votes_left();
                    let hidden = if settings.votes_revealed {
                        "Votes are shown.".to_string()
                    } else {
                        // Short enough for one line beside the lead's tools on a laptop.
                        format!("{} cast, hidden until revealed.", cast())
                    };
                    format!("You have {left} of {} votes left. {hidden}", settings.votes_per_person)
                }}
            </p>
            {leads.then(|| view! {
                <div class="lead-tools">
                    <button type="button" class="button button-small" on:click=move |_| {
                        let locked = settings.get_untracked().locked;
                        state.submit(Command::LockWall { locked: !locked });
                    }>{move || if settings.get().locked { "Unlock the wall" } else { "Lock the wall" }}</button>
                    <button type="button" class="button button-small" on:click=move |_| {
                        let current = settings.get_untracked();
                        state.submit(Command::SetVoting { votes_per_person: current.votes_per_person, revealed: !current.votes_revealed });
                    }>{move || if settings.get().votes_revealed { "Hide the votes" } else { "Reveal the votes" }}</button>
                    <form class="inline-form" on:submit=move |event| {
                        event.prevent_default();
                        if let Ok(votes) = per_person.get_untracked().trim().parse::<u32>() {
                            let current = settings.get_untracked();
                            state.submit(Command::SetVoting { votes_per_person: votes, revealed: current.votes_revealed });
                        }
                    }>
                        <label for="votes-per-person">"Votes each"</label>
                        <input id="votes-per-person" type="number" min="0" max=MAX_VOTES_PER_PERSON.to_string()
                            prop:value=move || settings.get().votes_per_person.to_string()
                            on:input=move |event| per_person.set(event_target_value(&event))/>
                        <button type="submit" class="button button-small">"Set"</button>
                    </form>
                </div>
            })}
        </section>
    }
}
