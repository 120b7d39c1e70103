//! The home page: what Peerwall is, and the signed-in person's reviews.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::accounts::{Caller, SessionActions};
use crate::error::{AppError, ErrorCode};
use crate::review::{MyReview, list_my_reviews};

/// The introduction and the caller's reviews, each as a card.
#[component]
pub fn HomePage() -> impl IntoView {
    let session = expect_context::<SessionActions>();
    let reviews = Resource::new(
        move || {
            (
                session.sign_in.version().get(),
                session.sign_out.version().get(),
            )
        },
        |_| list_my_reviews(),
    );

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
            <div class="section-header">
                <h2 id="reviews-title">"Your reviews"</h2>
                <Transition fallback=|| ()>
                    {move || session.caller.get().flatten().filter(Caller::can_create_reviews).map(|_| view! {
                        <A href="/reviews/new" attr:class="button">"Set up a review"</A>
                    })}
                </Transition>
            </div>
            <Transition fallback=|| view! { <p class="status">"Loading reviews…"</p> }>
                {move || reviews.get().map(|result| view! { <ReviewList result/> })}
            </Transition>
        </section>
    }
}

#[component]
fn ReviewList(result: Result<Vec<MyReview>, AppError>) -> impl IntoView {
    match result {
        Ok(reviews) if reviews.is_empty() => view! {
            <p class="status">"You are not on any review yet. Your facilitator will invite you."</p>
        }
        .into_any(),
        Ok(reviews) => view! {
            <ul class="review-list">
                {reviews.into_iter().map(|review| view! { <ReviewCard review/> }).collect_view()}
            </ul>
        }
        .into_any(),
        Err(error) if error.code == ErrorCode::Unauthenticated => view! {
            <p class="status"><A href="/sign-in">"Sign in"</A>" to see the reviews you are part of."</p>
        }
        .into_any(),
        Err(error) => view! {
            <p class="status status-error" role="alert">{error.message}</p>
        }
        .into_any(),
    }
}

/// One review: title, host, programme, the caller's role, phase, dates, scope and headings.
#[component]
fn ReviewCard(review: MyReview) -> impl IntoView {
    let MyReview { summary, role } = review;
    let dates = summary.on_site_dates();
    let phase = summary.phase;
    let label = summary.title.clone();
    let href = format!("/reviews/{}", summary.id);
    view! {
        <li class="review-card">
            <article aria-label=label>
                <header>
                    <p class="review-type">{summary.review_type.label()}</p>
                    <h3><A href=href>{summary.title}</A></h3>
                    <p class="review-host">{summary.host_authority}</p>
                </header>
                <dl class="review-facts">
                    <div>
                        <dt>"Your role"</dt>
                        <dd>{role.label()}</dd>
                    </div>
                    <div>
                        <dt>"Phase"</dt>
                        <dd><span class="phase" data-phase=phase.as_str()>{phase.label()}</span></dd>
                    </div>
                    <div>
                        <dt>"On site"</dt>
                        <dd>{dates}</dd>
                    </div>
                </dl>
                <p class="review-scope">{summary.scope}</p>
                <HeadingList headings=summary.headings/>
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
