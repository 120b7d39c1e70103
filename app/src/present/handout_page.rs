//! `/reviews/:id/handout`: every key message, to print or save as PDF.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::present::slides::SlideBody;
use crate::present::state::DeckState;
use crate::present::with_review;

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
                    if deck.waiting {
                        view! { <p class="status">"The key messages are shared here once the facilitator publishes the handout, after the feedback round-table."</p> }.into_any()
                    } else if deck.slides.is_empty() {
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
