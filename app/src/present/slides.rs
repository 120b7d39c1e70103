//! A slide as the room sees it: one heading's key messages grouped by kind, or the title slide.

use leptos::prelude::*;

use crate::present::state::DeckState;
use crate::present::{Deck, Slide, SlideMessage};
use crate::wall::MessageKind;
use crate::wall::triangulation::Corroboration;

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
pub fn SlideBody(slide: Slide) -> impl IntoView {
    let mut groups: Vec<(MessageKind, Vec<SlideMessage>)> = Vec::new();
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
pub fn CurrentSlide(deck: DeckState, title: String) -> impl IntoView {
    view! {
        {move || match deck.deck.get() {
            None => view! { <p class="slide-waiting">"Connecting to the presentation…"</p> }.into_any(),
            Some(Deck { waiting: true, .. }) => view! {
                <article class="slide slide-cover" data-slide="waiting" aria-live="polite">
                    <p class="slide-kicker">"Feedback round-table"</p>
                    <h2 class="slide-title">{title.clone()}</h2>
                    <p class="slide-waiting">"The presentation has not started. The slides appear here as soon as the facilitator starts presenting."</p>
                </article>
            }.into_any(),
            Some(Deck { slides, current, .. }) => match current.and_then(|at| slides.get(at).cloned().map(|s| (at, s))) {
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
