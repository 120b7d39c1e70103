//! The home page: what Peerwall is, and the reviews on this server.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::error::AppError;
use crate::review::{ReviewSummary, list_reviews};

/// Lists the reviews, each as a card.
#[component]
pub fn HomePage() -> impl IntoView {
    let reviews = Resource::new(|| (), |_| list_reviews());

    view! {
        <Title text="Reviews"/>
        <section class="intro" aria-labelledby="intro-title">
            <h1 id="intro-title">"Peer challenge, from first note to final report"</h1>
            <p>
                "Pairs write what they hear, the team triangulates it into key messages, "
                "and the host council reads a draft that never shows who said what."
            </p>
        </section>
        <section aria-labelledby="reviews-title">
            <h2 id="reviews-title">"Reviews"</h2>
            <Suspense fallback=|| view! { <p class="status">"Loading reviews…"</p> }>
                {move || reviews.get().map(|result| view! { <ReviewList result/> })}
            </Suspense>
        </section>
    }
}

#[component]
fn ReviewList(result: Result<Vec<ReviewSummary>, AppError>) -> impl IntoView {
    match result {
        Ok(reviews) if reviews.is_empty() => view! {
            <p class="status">"No reviews yet. Start the server with --demo to see an example."</p>
        }
        .into_any(),
        Ok(reviews) => view! {
            <ul class="review-list">
                {reviews.into_iter().map(|review| view! { <ReviewCard review/> }).collect_view()}
            </ul>
        }
        .into_any(),
        Err(error) => view! {
            <p class="status status-error" role="alert">{error.message}</p>
        }
        .into_any(),
    }
}

/// One review: title, host, programme, phase, dates, scope and headings.
#[component]
fn ReviewCard(review: ReviewSummary) -> impl IntoView {
    let dates = review.on_site_dates();
    let phase = review.phase;
    let label = review.title.clone();
    view! {
        <li class="review-card">
            <article aria-label=label>
                <header>
                    <p class="review-type">{review.review_type.label()}</p>
                    <h3>{review.title}</h3>
                    <p class="review-host">{review.host_authority}</p>
                </header>
                <dl class="review-facts">
                    <div>
                        <dt>"Phase"</dt>
                        <dd><span class="phase" data-phase=phase.as_str()>{phase.label()}</span></dd>
                    </div>
                    <div>
                        <dt>"On site"</dt>
                        <dd>{dates}</dd>
                    </div>
                </dl>
                <p class="review-scope">{review.scope}</p>
                <HeadingList headings=review.headings/>
            </article>
        </li>
    }
}

/// The review's headings, which the findings wall and the report share.
#[component]
fn HeadingList(headings: Vec<String>) -> impl IntoView {
    let open = RwSignal::new(false);
    let count = headings.len();
    view! {
        <div class="headings">
            <button
                type="button"
                class="link-button"
                aria-expanded=move || open.get().to_string()
                on:click=move |_| open.update(|open| *open = !*open)
            >
                {move || if open.get() { "Hide headings" } else { "Show headings" }}
                " (" {count} ")"
            </button>
            <ol class="heading-list" hidden=move || !open.get()>
                {headings.into_iter().map(|heading| view! { <li>{heading}</li> }).collect_view()}
            </ol>
        </div>
    }
}
