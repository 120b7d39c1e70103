//! The round-table presentation: `/reviews/:id/present` (the projector view, for the facilitator
//! or team lead), `/reviews/:id/present/panel` (their private presenter panel, in a second
//! window), `/reviews/:id/follow` (the same slide, live and read-only, for anyone on the review,
//! host and observers included) and `/reviews/:id/handout` (every key message, to print).
//!
//! The projector, follow and handout views get the deck over its own socket, which carries key
//! messages and their strength but never notes or authors. The panel is the peer team's own: it
//! sits on the wall's socket and may choose a note to show as a quote.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::people::{Action, Role, allows};
use crate::review::{ReviewId, load_review};
use crate::wall::client::WallState;
use crate::wall::deck::{Deck, DeckClientMessage, Slide};
use crate::wall::protocol::Command;
use crate::wall::triangulation::{Corroboration, presentation_order};
use crate::wall::{HeadingId, MessageKind};

/// The deck as this window has it, and the socket it comes over.
#[derive(Clone, Copy)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
struct DeckState {
    review: ReviewId,
    deck: RwSignal<Option<Deck>>,
    error: RwSignal<Option<String>>,
    live: RwSignal<bool>,
    closed: StoredValue<bool>,
    attempts: StoredValue<u32>,
    socket: StoredValue<Option<DeckSocket>, LocalStorage>,
}

struct DeckSocket {
    #[cfg(feature = "hydrate")]
    socket: web_sys::WebSocket,
    #[cfg(feature = "hydrate")]
    _callbacks: Vec<wasm_bindgen::closure::Closure<dyn FnMut(web_sys::Event)>>,
}

impl Drop for DeckSocket {
    fn drop(&mut self) {
        #[cfg(feature = "hydrate")]
        {
            self.socket.set_onmessage(None);
            self.socket.set_onclose(None);
            let _ = self.socket.close();
        }
    }
}

impl DeckState {
    fn new(review: ReviewId) -> Self {
        let state = Self {
            review,
            deck: RwSignal::new(None),
            error: RwSignal::new(None),
            live: RwSignal::new(false),
            closed: StoredValue::new(false),
            attempts: StoredValue::new(0),
            socket: StoredValue::new_local(None),
        };
        Effect::new(move |_| state.connect());
        on_cleanup(move || {
            state.closed.set_value(true);
            state.socket.set_value(None);
        });
        state
    }

    /// Asks the server to show `slide` (the presenter only; others are refused there too).
    fn go(&self, slide: Option<HeadingId>) {
        #[cfg(feature = "hydrate")]
        self.socket.with_value(|socket| {
            if let Some(socket) = socket
                && let Ok(text) = serde_json::to_string(&DeckClientMessage::Go { slide })
            {
                let _ = socket.socket.send_with_str(&text);
            }
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = DeckClientMessage::Go { slide };
    }

    fn step(&self, by: isize) {
        if let Some(slide) = self
            .deck
            .with_untracked(|deck| deck.as_ref().map(|d| d.step(by)))
        {
            self.go(slide);
        }
    }

    fn connect(&self) {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            use wasm_bindgen::closure::Closure;

            if self.closed.get_value() {
                return;
            }
            let location = window().location();
            let scheme = if location.protocol().as_deref() == Ok("https:") {
                "wss"
            } else {
                "ws"
            };
            let host = location.host().unwrap_or_default();
            let url = format!("{scheme}://{host}/ws/reviews/{}/deck", self.review);
            let state = *self;
            let Ok(socket) = web_sys::WebSocket::new(&url) else {
                state.retry();
                return;
            };
            let on_message =
                Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
                    let Some(text) = event
                        .dyn_ref::<web_sys::MessageEvent>()
                        .and_then(|event| event.data().as_string())
                    else {
                        return;
                    };
                    match serde_json::from_str::<crate::wall::deck::DeckServerMessage>(&text) {
                        Ok(crate::wall::deck::DeckServerMessage::Deck { deck }) => {
                            state.attempts.set_value(0);
                            state.live.set(true);
                            state.deck.set(Some(deck));
                        }
                        Ok(crate::wall::deck::DeckServerMessage::Error { error }) => {
                            state.error.set(Some(error.message))
                        }
                        Err(_) => state.error.set(Some(
                            "The server sent something this page does not understand. Reload it."
                                .into(),
                        )),
                    }
                });
            let on_close = Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| {
                state.live.set(false);
                state.retry();
            });
            socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
            self.socket.set_value(Some(DeckSocket {
                socket,
                _callbacks: vec![on_message, on_close],
            }));
        }
    }

    #[cfg(feature = "hydrate")]
    fn retry(&self) {
        if self.closed.get_value() {
            return;
        }
        let attempt = self.attempts.get_value();
        self.attempts.set_value(attempt + 1);
        let delay = (500u64 << attempt.min(5)).min(10_000);
        let state = *self;
        set_timeout(
            move || state.connect(),
            std::time::Duration::from_millis(delay),
        );
    }
}

fn kind_heading(kind: MessageKind) -> &'static str {
    match kind {
        MessageKind::Strength => "Strengths",
        MessageKind::NotablePractice => "Notable practice",
        MessageKind::AreaForImprovement => "Areas for improvement",
        MessageKind::Recommendation => "Recommendations",
    }
}

/// One heading's key messages, grouped by kind in the order the room hears them.
#[component]
fn SlideBody(slide: Slide) -> impl IntoView {
    let mut groups: Vec<(MessageKind, Vec<crate::wall::deck::SlideMessage>)> = Vec::new();
    for message in slide.messages {
        match groups.last_mut() {
            Some((kind, list)) if *kind == message.kind => list.push(message),
            _ => groups.push((message.kind, vec![message])),
        }
    }
    view! {
        <h2 class="slide-title">{slide.title}</h2>
        {groups.into_iter().map(|(kind, messages)| view! {
            <section class="slide-group" data-kind=kind.as_str()>
                <h3>{kind_heading(kind)}</h3>
                <ul>
                    {messages.into_iter().map(|message| view! {
                        <li class="slide-message" data-kind=message.kind.as_str()>
                            <p class="slide-message-text">{message.text}</p>
                            {message.quote.map(|quote| view! { <blockquote class="slide-quote">{format!("“{quote}”")}</blockquote> })}
                            <p class="slide-evidence">
                                {match message.corroboration {
                                    Corroboration::NoEvidence => "Evidence still to be added".to_string(),
                                    Corroboration::SingleSource => "Heard in one session".to_string(),
                                    _ => format!("Heard in {} sessions, from {} {}", message.sessions, message.groups,
                                        if message.groups == 1 { "stakeholder group" } else { "stakeholder groups" }),
                                }}
                                {message.votes.map(|votes| format!(" · {votes} {}", if votes == 1 { "vote" } else { "votes" }))}
                            </p>
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        }).collect_view()}
    }
}

/// The slide showing now, or the title slide.
#[component]
fn CurrentSlide(deck: DeckState, title: String) -> impl IntoView {
    view! {
        {move || match deck.deck.get() {
            None => view! { <p class="slide-waiting">"Connecting to the presentation…"</p> }.into_any(),
            Some(Deck { slides, current }) => match current.and_then(|at| slides.get(at).cloned().map(|s| (at, s))) {
                Some((at, slide)) => view! {
                    <article class="slide" data-slide=at aria-live="polite">
                        <SlideBody slide/>
                        <p class="slide-number">{format!("{} of {}", at + 1, slides.len())}</p>
                    </article>
                }.into_any(),
                None => view! {
                    <article class="slide slide-cover" data-slide="title" aria-live="polite">
                        <p class="slide-kicker">"Feedback round-table"</p>
                        <h2 class="slide-title">{title.clone()}</h2>
                        <ol class="slide-agenda">
                            {slides.into_iter().map(|slide| view! { <li>{slide.title}</li> }).collect_view()}
                        </ol>
                    </article>
                }.into_any(),
            },
        }}
    }
}

/// Loads the review and hands its id, title and the caller's role to `page`.
fn with_review<V: IntoView + 'static>(
    name: &'static str,
    page: impl Fn(ReviewId, String, Role) -> V + Send + Sync + Clone + 'static,
) -> impl IntoView {
    let params = use_params_map();
    let overview = Resource::new(move || params.read().get("id"), load_review);
    view! {
        <Suspense fallback=|| view! { <p class="status">"Loading…"</p> }>
            {
                let page = page.clone();
                move || overview.get().map(|result| match result {
                    Ok(overview) => page(overview.summary.id, overview.summary.title.clone(), overview.my_role).into_any(),
                    Err(error) => view! {
                        <Title text=name/>
                        <section class="narrow">
                            <h1>{format!("The {} is not available", name.to_lowercase())}</h1>
                            <p class="status status-error" role="alert">{error.message}</p>
                        </section>
                    }.into_any(),
                })
            }
        </Suspense>
    }
}

/// `/reviews/:id/present`: the projector view. Arrows, Page Up/Down and Space move between
/// slides; F goes full screen; Escape leaves it.
#[component]
pub fn PresentPage() -> impl IntoView {
    with_review("Presentation", |review, title, role| {
        if allows(role, Action::LeadWall) {
            view! { <Projector review title presenter=true/> }.into_any()
        } else {
            view! { <Projector review title presenter=false/> }.into_any()
        }
    })
}

/// `/reviews/:id/follow`: the same slide, live, for anyone on the review.
#[component]
pub fn FollowPage() -> impl IntoView {
    with_review("Presentation", |review, title, _| {
        view! { <Projector review title presenter=false/> }
    })
}

#[component]
fn Projector(review: ReviewId, title: String, presenter: bool) -> impl IntoView {
    let deck = DeckState::new(review);
    let follow_link = RwSignal::new(format!("/reviews/{review}/follow"));
    #[cfg(feature = "hydrate")]
    {
        let location = window().location();
        if let Ok(origin) = location.origin() {
            follow_link.set(format!("{origin}/reviews/{review}/follow"));
        }
    }
    let full_screen = move || {
        #[cfg(feature = "hydrate")]
        {
            if document().fullscreen_element().is_some() {
                document().exit_fullscreen();
            } else if let Some(stage) = document().get_element_by_id("stage") {
                let _ = stage.request_fullscreen();
            }
        }
    };
    let navigate = leptos_router::hooks::use_navigate();
    let keys = window_event_listener(leptos::ev::keydown, move |event| {
        if !presenter {
            return;
        }
        // Typing in a field is not a slide change.
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            if event
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok())
                .is_some_and(|t| matches!(t.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"))
            {
                return;
            }
        }
        match event.key().as_str() {
            "ArrowRight" | "ArrowDown" | "PageDown" | " " => {
                event.prevent_default();
                deck.step(1);
            }
            "ArrowLeft" | "ArrowUp" | "PageUp" => {
                event.prevent_default();
                deck.step(-1);
            }
            "Home" => deck.go(None),
            "f" | "F" => full_screen(),
            "Escape" => navigate(&format!("/reviews/{review}/wall"), Default::default()),
            _ => {}
        }
    });
    on_cleanup(move || keys.remove());
    let open_panel = move |_| {
        #[cfg(feature = "hydrate")]
        {
            let _ = window().open_with_url_and_target_and_features(
                &format!("/reviews/{review}/present/panel"),
                "peerwall-presenter",
                "width=720,height=800",
            );
        }
    };
    view! {
        <Title text=format!("Presentation · {title}")/>
        <div id="stage" class="stage" data-role=if presenter { "presenter" } else { "follower" }>
            <CurrentSlide deck title=title.clone()/>
            {move || deck.error.get().map(|error| view! { <p class="stage-error" role="alert">{error}</p> })}
            <nav class="stage-controls" aria-label="Presentation">
                {presenter.then(|| view! {
                    <button type="button" class="button button-small" on:click=move |_| deck.step(-1)>"◀ Previous"</button>
                    <button type="button" class="button button-small" on:click=move |_| deck.step(1)>"Next ▶"</button>
                    <button type="button" class="button button-small" on:click=move |_| full_screen()>"Full screen"</button>
                    <button type="button" class="button button-small" on:click=open_panel>"Presenter panel"</button>
                    <label class="follow-link">"Follow link for remote attendees "
                        <input readonly prop:value=move || follow_link.get() on:focus=move |event| {
                            #[cfg(feature = "hydrate")]
                            {
                                use wasm_bindgen::JsCast;
                                if let Some(input) = event.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                                    input.select();
                                }
                            }
                            #[cfg(not(feature = "hydrate"))]
                            let _ = event;
                        }/>
                    </label>
                })}
                {(!presenter).then(|| view! {
                    <span class="stage-live">{move || if deck.live.get() { "Following live" } else { "Reconnecting…" }}</span>
                })}
                <A href=format!("/reviews/{review}/handout")>"Handout"</A>
                <A href=format!("/reviews/{review}")>"Leave"</A>
            </nav>
        </div>
    }
}

/// `/reviews/:id/handout`: every key message in presentation order, to print or save as PDF.
#[component]
pub fn HandoutPage() -> impl IntoView {
    with_review("Handout", |review, title, _| {
        let deck = DeckState::new(review);
        view! {
            <Title text=format!("Key messages · {title}")/>
            <article class="handout">
                <p class="slide-kicker">"Feedback round-table: key messages"</p>
                <h1>{title.clone()}</h1>
                <p class="no-print"><button type="button" class="button" on:click=move |_| {
                    #[cfg(feature = "hydrate")]
                    let _ = window().print();
                }>"Print or save as PDF"</button></p>
                {move || deck.deck.get().map(|deck| {
                    if deck.slides.is_empty() {
                        view! { <p class="status">"No key messages yet."</p> }.into_any()
                    } else {
                        deck.slides.into_iter().map(|slide| view! {
                            <section class="handout-heading"><SlideBody slide/></section>
                        }).collect_view().into_any()
                    }
                })}
            </article>
        }
    })
}

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
    // The timer counts from the panel's opening; Reset starts it again.
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
        <Title text=format!("Presenter panel · {title}")/>
        <section class="presenter-panel">
            <h1>"Presenter panel"</h1>
            <p class="panel-now">"Showing: " <strong class="panel-current">{current_title}</strong></p>
            <p class="panel-next">"Next: " <strong>{next_title}</strong></p>
            <p class="panel-timer">"Time: " <strong class="timer">{elapsed}</strong>
                " " <button type="button" class="link-button" on:click=move |_| started.set(now.get_untracked())>"Reset"</button></p>
            <div class="panel-controls">
                <button type="button" class="button" on:click=move |_| state.submit(Command::Present { slide: None, quote: None })>"Title slide"</button>
                <button type="button" class="button" on:click=move |_| go(-1)>"◀ Previous"</button>
                <button type="button" class="button" on:click=move |_| go(1)>"Next ▶"</button>
            </div>
            <div class="field">
                <label for="presenter-notes">"Your notes (kept in this browser only)"</label>
                <textarea id="presenter-notes" rows="5" prop:value=move || notes.get()
                    on:input=move |event| save_notes(event_target_value(&event))></textarea>
            </div>
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
        </section>
    }
}

#[cfg(feature = "hydrate")]
fn js_sys_now() -> f64 {
    window()
        .performance()
        .map(|performance| performance.now())
        .unwrap_or(0.0)
}
