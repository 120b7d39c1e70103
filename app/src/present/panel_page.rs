//! `/reviews/:id/present/panel`: the presenter's private window. It is the peer team's own, so
//! it sits on the wall's socket (where the notes are) and may choose a note to show as a quote.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::membership::{Action, Role, allows};
use crate::present::Deck;
use crate::present::with_review;
use crate::review::ReviewId;
use crate::wall::protocol::Command;
use crate::wall::state::WallState;
use crate::wall::triangulation::presentation_order;
use crate::wall::{HeadingId, NoteId};

/// `/reviews/:id/present/panel`: the presenter's own window — the next heading, a timer, notes
/// kept in this browser, and the evidence behind each message on the slide, any of which can be
/// shown to the room as a quote.
#[component]
pub fn PresenterPanelPage() -> impl IntoView {
    with_review("Presenter panel", |review, title, role| {
        if allows(role, Action::LeadWall) {
            view! { <PresenterPanel review role title/> }.into_any()
        } else {
            view! {
                <section class="narrow">
                    <h1>"The presenter panel is the facilitator's"</h1>
                    <p><A href=format!("/reviews/{review}/follow")>"Follow the presentation"</A></p>
                </section>
            }
            .into_any()
        }
    })
}

#[component]
fn PresenterPanel(review: ReviewId, role: Role, title: String) -> impl IntoView {
    let state = WallState::new(review, role);
    Effect::new(move |_| state.connect());
    on_cleanup(move || state.disconnect());
    let deck = Memo::new(move |_| state.shown.with(Deck::from_board));
    let showing = Memo::new(move |_| state.shown.with(|board| board.settings.slide.clone()));
    let quote = Memo::new(move |_| state.shown.with(|board| board.settings.quote));
    let go = move |by: isize| {
        let slide = deck.with_untracked(|deck| deck.step(by));
        state.submit(Command::Present { slide, quote: None });
    };
    let next_title = move || {
        if !state.loaded.get() {
            return "…".to_string();
        }
        deck.with(|deck| {
            let next = deck.current.map_or(0, |at| at + 1);
            deck.slides
                .get(next)
                .map(|slide| slide.title.clone())
                .unwrap_or_else(|| "End of the presentation".into())
        })
    };
    let current_title = move || {
        if !state.loaded.get() {
            return "Connecting to the wall…".to_string();
        }
        deck.with(|deck| {
            deck.current
                .and_then(|at| deck.slides.get(at))
                .map(|slide| slide.title.clone())
                .unwrap_or_else(|| "Title slide".into())
        })
    };
    let presenting = move || state.shown.with(|board| board.settings.presenting);
    view! {
        <Title text=format!("Presenter panel · {title}")/>
        <section class="presenter-panel">
            <h1>"Presenter panel"</h1>
            <p class="panel-now">"Showing: " <strong class="panel-current">{current_title}</strong></p>
            <p class="panel-next">"Next: " <strong>{next_title}</strong></p>
            <PanelTimer/>
            // Disabled until this window has the wall: a click on the server-rendered page,
            // before its code has run, would otherwise do nothing and say nothing.
            <div class="panel-controls">
                <button type="button" class="button" disabled=move || !state.loaded.get() aria-pressed=move || presenting().to_string()
                    on:click=move |_| state.submit(Command::Presenting { on: !presenting() })>
                    {move || if presenting() { "End the presentation" } else { "Start presenting to the room" }}
                </button>
                <button type="button" class="button" disabled=move || !state.loaded.get() on:click=move |_| state.submit(Command::Present { slide: None, quote: None })>"Title slide"</button>
                <button type="button" class="button" disabled=move || !state.loaded.get() on:click=move |_| go(-1)>"◀ Previous"</button>
                <button type="button" class="button" disabled=move || !state.loaded.get() on:click=move |_| go(1)>"Next ▶"</button>
            </div>
            <PresenterNotes review/>
            <SlideEvidence state showing quote/>
        </section>
    }
}

/// How long the presentation has run, from the panel's opening; Reset starts it again.
#[component]
fn PanelTimer() -> impl IntoView {
    let started = RwSignal::new(0.0f64);
    let now = RwSignal::new(0.0f64);
    #[cfg(feature = "hydrate")]
    {
        let clock = || js_sys_now();
        started.set(clock());
        now.set(clock());
        if let Ok(handle) =
            set_interval_with_handle(move || now.set(clock()), std::time::Duration::from_secs(1))
        {
            on_cleanup(move || handle.clear());
        }
    }
    let elapsed = move || {
        let seconds = ((now.get() - started.get()) / 1000.0).max(0.0) as u64;
        format!("{:02}:{:02}", seconds / 60, seconds % 60)
    };
    view! {
            <p class="panel-timer">"Time: " <strong class="timer">{elapsed}</strong>
                " " <button type="button" class="link-button" on:click=move |_| started.set(now.get_untracked())>"Reset"</button></p>
    }
}

/// The presenter's own notes, kept in this browser only.
#[component]
fn PresenterNotes(review: ReviewId) -> impl IntoView {
    let notes_key = format!("peerwall.present.{review}.notes");
    let notes = RwSignal::new(String::new());
    #[cfg(feature = "hydrate")]
    {
        let key = notes_key.clone();
        if let Some(saved) = window()
            .local_storage()
            .ok()
            .flatten()
            .and_then(|storage| storage.get_item(&key).ok().flatten())
        {
            notes.set(saved);
        }
    }
    let save_notes = move |text: String| {
        notes.set(text.clone());
        #[cfg(feature = "hydrate")]
        if let Some(storage) = window().local_storage().ok().flatten() {
            let _ = storage.set_item(&notes_key, &text);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (&notes_key, text);
    };
    view! {
            <div class="field">
                <label for="presenter-notes">"Your notes (kept in this browser only)"</label>
                <textarea id="presenter-notes" rows="5" prop:value=move || notes.get()
                    on:input=move |event| save_notes(event_target_value(&event))></textarea>
            </div>
    }
}

/// The evidence behind each message on the slide showing, any note of which can be shown to the
/// room as a quote.
#[component]
fn SlideEvidence(
    state: WallState,
    showing: Memo<Option<HeadingId>>,
    quote: Memo<Option<NoteId>>,
) -> impl IntoView {
    // The messages on the slide showing, with their evidence, for choosing a quote.
    let evidence = move || {
        let Some(heading) = showing.get() else {
            return Vec::new();
        };
        state.shown.with(|board| {
            presentation_order(board, &heading)
                .into_iter()
                .map(|message| {
                    let notes: Vec<(crate::wall::NoteId, String)> = message
                        .evidence
                        .iter()
                        .filter_map(|id| board.notes.get(id))
                        .filter(|note| !note.deleted)
                        .map(|note| (note.id, note.text.clone()))
                        .collect();
                    (message.text.clone(), notes)
                })
                .collect::<Vec<_>>()
        })
    };
    view! {
            <h2>"Evidence on this slide"</h2>
            <p class="hint">"Only the quote you choose is shown to the room, without who said it."</p>
            {move || {
                let list = evidence();
                if list.is_empty() {
                    return view! { <p class="status">"Move to a heading's slide to see its evidence."</p> }.into_any();
                }
                list.into_iter().map(|(message, notes)| view! {
                    <section class="panel-message">
                        <h3>{message}</h3>
                        <ul>
                            {notes.into_iter().map(|(note, text)| {
                                let chosen = move || quote.get() == Some(note);
                                view! {
                                    <li class:quote-chosen=chosen>
                                        <span>{text}</span> " "
                                        <button type="button" class="link-button" on:click=move |_| {
                                            let slide = showing.get_untracked();
                                            let quote = if chosen() { None } else { Some(note) };
                                            state.submit(Command::Present { slide, quote });
                                        }>{move || if chosen() { "Hide the quote" } else { "Show as quote" }}</button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </section>
                }).collect_view().into_any()
            }}
    }
}

#[cfg(feature = "hydrate")]
fn js_sys_now() -> f64 {
    window()
        .performance()
        .map(|performance| performance.now())
        .unwrap_or(0.0)
}
