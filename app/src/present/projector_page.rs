//! `/reviews/:id/present` (the projector view, for the facilitator or team lead) and
//! `/reviews/:id/follow` (the same slide, live and read-only, for anyone on the review, host and
//! observers included), both over the presentation's socket.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::membership::{Action, allows};
use crate::present::protocol::DeckClientMessage;
use crate::present::slides::CurrentSlide;
use crate::present::state::DeckState;
use crate::present::with_review;
use crate::review::ReviewId;

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
                {presenter.then(|| {
                    let presenting = move || deck.deck.with(|d| d.as_ref().is_some_and(|d| d.presenting));
                    let published = move || deck.deck.with(|d| d.as_ref().is_some_and(|d| d.handout_published));
                    view! {
                    <button type="button" class="button button-small" aria-pressed=move || presenting().to_string()
                        on:click=move |_| deck.send(&DeckClientMessage::Presenting { on: !presenting() })>
                        {move || if presenting() { "End the presentation" } else { "Start presenting to the room" }}
                    </button>
                    <button type="button" class="button button-small" aria-pressed=move || published().to_string()
                        on:click=move |_| deck.send(&DeckClientMessage::PublishHandout { published: !published() })>
                        {move || if published() { "Withdraw the handout" } else { "Publish the handout to the council" }}
                    </button>
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
                    <p class="hint">{move || if presenting() {
                        "Host colleagues and observers following the link see these slides now."
                    } else {
                        "Host colleagues and observers see nothing of the findings until you start presenting."
                    }}</p>
                }})}
                {(!presenter).then(|| view! {
                    <span class="stage-live">{move || if deck.live.get() { "Following live" } else { "Reconnecting…" }}</span>
                })}
                <A href=format!("/reviews/{review}/handout")>"Handout"</A>
                <A href=format!("/reviews/{review}")>"Leave"</A>
            </nav>
        </div>
    }
}
